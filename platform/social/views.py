"""Notifications, search and reports. Posts, people and groups have their own modules
(views_posts, views_people, views_groups); the URLconf imports them all."""

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from flywheel.forms import add_validation_error
from social import search as social_search
from social import selectors, services
from social.forms import ReportForm, SearchForm
from social.models import Report
from social.page_queries import visible_post_ids, with_mentions
from social.paging import cursor_page
from social.views_common import done, handles_errors, items_or_page, login_required
from social.views_posts import _comment_visible_to

# --- notifications ---------------------------------------------------------------------


@require_GET
@login_required
@handles_errors
def notifications(request):
    page = _notifications_page(request)
    unread = selectors.unread_notification_count(request.user)
    return items_or_page(
        request,
        page,
        items_template="social/_notification_list.html",
        page_template="social/notifications.html",
        context={"unread": unread},
    )


def _notifications_page(request):
    page = cursor_page(request, selectors.notifications_for(request.user))
    visible = visible_post_ids(request.user, [n.post_id for n in page])
    for notification in page:
        # Show a post's words only while the viewer may still see the post.
        notification.post_is_visible = notification.post_id in visible
    return page


@require_POST
@login_required
@handles_errors
def notifications_mark_read(request):
    services.notifications_mark_read(user=request.user)
    if request.htmx:
        # The list comes back read; the nav badge listens for this event and refreshes.
        response = render(
            request, "social/_notifications_read.html", {"page": _notifications_page(request)}
        )
        response["HX-Trigger"] = "notifications-read"
        return response
    return done(request, reverse("social:notifications"), "All caught up.")


@require_GET
def notifications_badge(request):
    """The nav link with the unread count (polled by htmx every 30 seconds)."""
    if not request.user.is_authenticated:
        return HttpResponse(status=286)  # logged out meanwhile: htmx stops polling
    count = selectors.unread_notification_count(request.user)
    current = request.headers.get("HX-Current-URL", "")
    is_current = reverse("social:notifications") in current
    context = {"count": count, "is_current": is_current}
    return render(request, "social/_nav_notifications.html", context)


# --- search ----------------------------------------------------------------------------

SIDE_RESULTS = 6


@require_GET
@handles_errors
def search(request):
    """One form, two ways: a plain GET renders the page; htmx typing gets the results."""
    form = SearchForm(request.GET or None)
    query = social_search.clean_query(request.GET.get("q", ""))
    posts = with_mentions(social_search.search_posts(request.user, query))
    page = cursor_page(request, posts)
    context = {"form": form, "query": query, "page": page}
    if request.htmx and request.GET.get("cursor"):
        return render(request, "social/_post_list.html", context)
    if query and page.is_first:
        context.update(
            people=list(social_search.search_people(request.user, query)[:SIDE_RESULTS]),
            hashtags=list(social_search.search_hashtags(query)[:SIDE_RESULTS]),
            groups=list(social_search.search_groups(request.user, query)[:SIDE_RESULTS]),
        )
        shown = sum(len(context[k]) for k in ("people", "hashtags", "groups")) + len(page)
        social_search.record_search(request.user, query, result_count=shown)
    if request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request:
        # The results, and a <title> htmx puts on the tab and the history entry it pushes.
        return render(request, "social/_search_live.html", context)
    return render(request, "social/search.html", context)


# --- reports ---------------------------------------------------------------------------


def _report_target(request, kind, target):
    if kind == "post":
        post = selectors.post_visible_to(request.user, target)
        return {"post": post}, reverse("social:post", args=[post.pk])
    if kind == "comment":
        comment = _comment_visible_to(request.user, target)
        url = f"{reverse('social:post', args=[comment.post_id])}#comment-{comment.pk}"
        return {"comment": comment}, url
    person = selectors.user_by_username(request.user, target)
    return {"person": person}, reverse("social:profile", args=[person.username])


@require_http_methods(["GET", "POST"])
@login_required
@handles_errors
def report(request, kind, target):
    subject, back = _report_target(request, kind, target)
    form = ReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_create(reporter=request.user, **form.cleaned_data, **subject)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            if request.htmx:
                return render(request, "social/_report_done.html", {"back": back})
            return done(request, back, "Thank you. Our moderators will look at your report.")
    context = {"form": form, "kind": kind, "back": back, "reasons": Report.Reason, **subject}
    status = 400 if form.errors else 200
    template = "social/_report_form.html" if request.htmx else "social/report.html"
    return render(request, template, context, status=status)
