"""The home page's two tabs: *For you*, ordered by the person's experiment arm, and
*Following*, newest first for everyone. Feeds serves them (it ranks the home) with social's
queries, forms and templates; flywheel.urls mounts them under social's URL names."""

from urllib.parse import urlencode

from django.shortcuts import render
from django.views.decorators.http import require_GET

from feeds import selectors as feeds
from social import page_queries, selectors
from social.forms import PostForm
from social.page_queries import with_mentions
from social.paging import CURSOR_PARAM, PAGE_SIZE, CursorPage, cursor_page
from social.views_common import handles_errors, items_or_page, login_required, wants_fragment


@require_GET
@handles_errors
def home(request):
    """The logged-in home: compose box and feed. Anonymous people get the landing page.

    The person's experiment arm decides the feed: ranked (a page of their snapshot) or
    chronological; each card carries its reason, arm and model version (feeds.selectors)."""
    if not request.user.is_authenticated:
        return render(request, "home.html")
    cursor = request.GET.get(CURSOR_PARAM) or None
    page = None
    if feeds.snapshot_cursor(cursor):  # a next page: the snapshot knows its arm
        try:
            page = _ranked_home_page(request, None, cursor)
        except feeds.SnapshotGone:
            cursor = None  # expired: a fresh first page, as the arm says
    if page is None:
        assignment = feeds.assign(request.user)
        if assignment.is_ranked:
            page = _ranked_home_page(request, assignment, cursor)
        else:
            home = feeds.chronological_home(request.user, assignment)
            page = cursor_page(request, with_mentions(home))
            feeds.explain_chronological(
                page.items, viewer=request.user, assignment=assignment, start=page.start
            )
            feeds.sponsored_for_chronological(request.user, page.items, assignment)
    return _home_tab(request, page, tab="for-you")


@require_GET
@login_required
@handles_errors
def following(request):
    """The *Following* tab: people followed and groups, newest first, for everyone."""
    page = cursor_page(request, with_mentions(feeds.following_home(request.user)))
    feeds.explain_following(page.items, viewer=request.user, start=page.start)
    return _home_tab(request, page, tab="following")


def _home_tab(request, page, *, tab: str):
    context = {"form": PostForm(), "tab": tab}
    if not wants_fragment(request):
        context.update(
            stats=selectors.profile_stats(request.user, viewer=request.user),
            my_groups=page_queries.groups_of(request.user),
        )
    return items_or_page(
        request,
        page,
        items_template="social/_home_post_list.html",
        page_template="social/home.html",
        context=context,
    )


def _ranked_home_page(request, assignment, cursor) -> CursorPage:
    feed = feeds.ranked_home_page(
        request.user,
        assignment,
        cursor=cursor,
        size=PAGE_SIZE,
        prepare=with_mentions,
    )
    next_url = None
    if feed.next_cursor:
        next_url = f"{request.path}?{urlencode({CURSOR_PARAM: feed.next_cursor})}"
    start = feed.posts[0].feed_position if feed.posts else 0
    return CursorPage(items=feed.posts, next_url=next_url, is_first=feed.is_first, start=start)
