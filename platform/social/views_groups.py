"""Groups: the list, creating one, a group's page, joining, leaving and deciding requests."""

from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh

from flywheel.forms import add_validation_error
from social import selectors, services
from social.forms import GroupForm, PostForm
from social.page_queries import with_mentions
from social.paging import cursor_page
from social.views_common import (
    done,
    error_response,
    handles_errors,
    items_or_page,
    login_required,
    wants_fragment,
)

SIDEBAR_MEMBERS = 12


@require_http_methods(["GET", "POST"])
@handles_errors
def group_list(request):
    """Every group, and (POST) the form that creates one."""
    if request.method == "POST":
        return _group_create(request)
    return _group_list_page(request, GroupForm())


def _group_list_page(request, form, status=200):
    page = cursor_page(
        request, selectors.groups_list(request.user), ordering=["-member_count", "name", "id"]
    )
    if status != 200:  # the create form came back with errors: the whole page shows them
        return render(request, "social/groups.html", {"form": form, "page": page}, status=status)
    return items_or_page(
        request,
        page,
        items_template="social/_group_list.html",
        page_template="social/groups.html",
        context={"form": form},
    )


@login_required
def _group_create(request):
    form = GroupForm(request.POST)
    if form.is_valid():
        try:
            group = services.group_create(owner=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            url = reverse("social:group", args=[group.slug])
            if request.htmx:
                return HttpResponseClientRedirect(url)
            return done(request, url, f"{group.name} is ready. Invite people to join.")
    if request.htmx:
        return render(request, "social/_group_form.html", {"form": form}, status=400)
    return _group_list_page(request, form, status=400)


def _group_context(request, group) -> dict:
    membership = selectors.membership_of(request.user, group)
    can_see = selectors.can_see_group_content(request.user, group)
    can_moderate = request.user.is_authenticated and (
        request.user.is_staff or bool(membership and membership.can_moderate)
    )
    return {
        "group": group,
        "membership": membership,
        "can_see": can_see,
        "can_moderate": can_moderate,
        "is_member": bool(membership and membership.state == membership.State.ACTIVE),
    }


@require_GET
@handles_errors
def group_detail(request, slug):
    group = selectors.group_by_slug(request.user, slug)
    context = _group_context(request, group)
    page = cursor_page(request, with_mentions(selectors.group_posts(request.user, group)))
    if not wants_fragment(request):
        members = selectors.group_members(request.user, group)
        context["members"] = list(members[:SIDEBAR_MEMBERS])
        if context["can_moderate"]:
            context["requests"] = list(selectors.group_requests(group))
        if context["is_member"]:
            context["form"] = PostForm()
    return items_or_page(
        request,
        page,
        items_template="social/_post_list.html",
        page_template="social/group.html",
        context=context,
    )


@require_GET
@handles_errors
def group_members(request, slug):
    group = selectors.group_by_slug(request.user, slug)
    members = selectors.group_members(request.user, group)
    page = cursor_page(request, members, ordering=["-role", "created_at", "id"])
    context = _group_context(request, group)
    return items_or_page(
        request,
        page,
        items_template="social/_member_list.html",
        page_template="social/group_members.html",
        context=context,
    )


def _membership_changed(request, group, message, *, could_see: bool):
    group = selectors.group_by_slug(request.user, group.slug)  # fresh count and state
    url = reverse("social:group", args=[group.slug])
    if not request.htmx:
        return done(request, url, message)
    context = _group_context(request, group)
    on_group_page = urlsplit(request.headers.get("HX-Current-URL", "")).path == url
    if on_group_page and context["can_see"] != could_see:
        # Leaving a private group hides its posts and members: show the page as it now is.
        return HttpResponseClientRefresh()
    context["compact"] = bool(request.POST.get("compact"))  # a card in the list of groups
    if on_group_page:
        # Joining brings the group's compose box; leaving takes it away (out of band).
        context.update(on_group_page=True, form=PostForm())
    return render(request, "social/_group_join_changed.html", context)


@require_POST
@login_required
@handles_errors
def group_join(request, slug):
    group = selectors.group_by_slug(request.user, slug)
    could_see = selectors.can_see_group_content(request.user, group)
    membership = services.group_join(user=request.user, group=group)
    if membership.state == membership.State.PENDING:
        message = "Your request to join is sent; a moderator will decide."
    else:
        message = f"Welcome to {group.name}."
    return _membership_changed(request, group, message, could_see=could_see)


@require_POST
@login_required
@handles_errors
def group_leave(request, slug):
    group = selectors.group_by_slug(request.user, slug)
    could_see = selectors.can_see_group_content(request.user, group)
    try:
        services.group_leave(user=request.user, group=group)
    except ValidationError as error:
        return error_response(request, 400, " ".join(error.messages))
    return _membership_changed(request, group, f"You left {group.name}.", could_see=could_see)


def _decide(request, slug, username, *, approve: bool):
    group = selectors.group_by_slug(request.user, slug)
    person = selectors.user_by_username(None, username)
    if not (request.user.is_staff or _moderates(request.user, group)):
        raise PermissionDenied("Only the group's owner and moderators can do that.")
    try:
        services.group_request_decide(
            moderator=request.user, group=group, user=person, approve=approve
        )
    except ValidationError as error:
        return error_response(request, 400, " ".join(error.messages))
    if request.htmx:
        return HttpResponse("")  # the request's row disappears
    verb = "approved" if approve else "declined"
    return done(request, f"{reverse('social:group', args=[slug])}#requests", f"@{username} {verb}.")


def _moderates(user, group) -> bool:
    membership = selectors.membership_of(user, group)
    return bool(membership and membership.can_moderate)


@require_POST
@login_required
@handles_errors
def group_approve(request, slug, username):
    return _decide(request, slug, username, approve=True)


@require_POST
@login_required
@handles_errors
def group_reject(request, slug, username):
    return _decide(request, slug, username, approve=False)
