"""Timelines: pages of statuses, and the home feed.

`timelines/home` is *For you*: the person's experiment arm, as on the site. A ranked arm
pages through its snapshot (feeds.snapshot): the `max_id` in the Link header is then the
snapshot's opaque cursor, not a status id, so later pages never repeat or skip a post (a
numeric `max_id` from a client that builds its own ends the list: ranked pages cannot be cut
by id). The chronological arm pages by id. Every status returned on home is counted as served
(an impression with surface `api`, services.record_served) and says why it is there
(`flywheel.reason`).

The built-in list `following` (timelines/list/following) is the chronological feed of the
people you follow, your groups and what they shared, newest post first, paged by id.
"""

from django.db.models import Prefetch
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from feeds import selectors as feeds
from flywheel.pagination import BadCursor
from mastodon_api import entities
from mastodon_api.pagination import page_query, paginate, with_links
from mastodon_api.services import record_served, row_id
from social.models import Hashtag


def with_entities(queryset):
    """What a Status needs besides the card: its hashtags and mentioned people."""
    return queryset.prefetch_related(
        Prefetch("hashtags", queryset=Hashtag.objects.order_by("name")), "mentions"
    )


def statuses_page(request, queryset):
    posts, ends = paginate(request, with_entities(queryset))
    data = entities.statuses(request, posts, viewer=request.user)
    return with_links(Response(data), request, ends)


def following_page(request):
    return statuses_page(request, feeds.chronological_home(request.user))


def home_page(request):
    """One page of For you, counted as served."""
    viewer = request.user
    query = page_query(request)
    cursor = query.get("max_id")
    limit = query["limit"]
    numeric_cursor = bool(cursor) and row_id(cursor) >= 0
    if cursor and not numeric_cursor and feeds.snapshot_cursor(cursor):
        try:
            return _ranked(request, None, cursor, limit)
        except feeds.SnapshotGone:
            cursor = None
    assignment = feeds.assign(viewer)
    if assignment.is_ranked:
        if numeric_cursor:
            return Response([])  # a ranked feed cannot be cut by id (see the module's note)
        return _ranked(request, assignment, cursor, limit)
    queryset = with_entities(feeds.chronological_home(viewer))
    posts, ends = paginate(request, queryset)
    feeds.explain_chronological(posts, viewer=viewer, assignment=assignment)
    token = feeds.home_serve_token(viewer, arm=assignment.arm, model_version=None)
    return _served(request, posts, ends, token)


def _ranked(request, assignment, cursor, limit):
    try:
        page = feeds.ranked_home_page(
            request.user,
            assignment,
            cursor=cursor,
            size=limit,
            prepare=with_entities,
            sponsored=False,
        )
    except BadCursor:
        raise ValidationError({"max_id": ["This page address is not valid."]}) from None
    ends = {}
    if page.next_cursor:
        ends["next"] = {"max_id": page.next_cursor}
    token = feeds.home_serve_token(request.user, arm=page.arm, model_version=page.model_version)
    return _served(request, page.posts, ends, token)


def _served(request, posts, ends, token):
    record_served(request.user, posts, serve_token=token)
    data = entities.statuses(request, posts, viewer=request.user)
    return with_links(Response(data), request, ends)
