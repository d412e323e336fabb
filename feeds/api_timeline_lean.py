"""`/api/timeline/home/` for the ordinary request, without DRF's per-request machinery.

Most requests of the API are one shape: a GET for JSON with a good bearer token, for a page
of the home going down (a first page, or `next`): of a ranked snapshot, or of the
chronological arm from its prepared statements (feeds.chronological_page). For them this
plain Django view does what `api_timeline.HomeTimelineView` does, minus what costs without
deciding anything: the token's lookup is the one DRF's authentication tries first
(`accounts.authentication.plain_bearer`), without DRF's request wrapper, content negotiation,
the permission classes and the response's renderer. Throttles are DRF's own classes, asked
the same way, so a person's rate counts pages on either path.

Everything else goes to HomeTimelineView, unchanged: other methods, the browsable API (an
`Accept` of HTML, or `?format=`), tokens that are missing or bad (its messages), a bad
`page_size` or cursor (its 400s), a throttled request (its 429), and the chronological arm's
pages back up the list (`previous`). A request already authenticated here reaches it
with that result (`_force_auth_user`, what DRF's own test client uses), the arm it looked up
and, once throttled here, with no throttles, so nothing is counted or looked up twice.
"""

from django.db import connection
from django.views.decorators.csrf import csrf_exempt
from rest_framework.settings import api_settings

from accounts.authentication import plain_bearer
from feeds import selectors as feeds
from feeds.api_timeline import (
    CURSOR_PARAM,
    HomeTimelineView,
    chronological_page_body,
    json_response,
    keyset_position,
    ranked_page_body,
)
from flywheel import soft_cache
from flywheel.pagination import BadCursor
from social.api_pagination import TimelinePagination

JSON_TYPES = {"application/json", "*/*", "application/*"}

full_view = HomeTimelineView.as_view()
unthrottled_view = HomeTimelineView.as_view(throttle_classes=())


def wants_plain_json(request) -> bool:
    """Would DRF's content negotiation pick JSON? (No `format`, and an Accept of JSON or
    anything: what clients and the bots send.)"""
    if "format" in request.GET:
        return False
    accept = request.META.get("HTTP_ACCEPT", "")
    return not accept or all(
        part.split(";", 1)[0].strip() in JSON_TYPES for part in accept.split(",")
    )


def page_size(request) -> int | None:
    """The page size asked for, or None when it is not valid (DRF's path says why)."""
    raw = request.GET.get(TimelinePagination.page_size_query_param)
    if raw is None:
        return TimelinePagination.page_size
    size = int(raw) if raw.isascii() and raw.isdigit() else 0
    return size if 1 <= size <= TimelinePagination.max_page_size else None


@csrf_exempt  # as DRF's views are: its session authentication enforces CSRF itself
def home_timeline(request):
    size = page_size(request)
    lean = request.method == "GET" and size is not None and wants_plain_json(request)
    authenticated = plain_bearer(request) if lean else None
    if authenticated is None:
        return full_view(request)
    user, token = authenticated
    request.user = user
    request._force_auth_user, request._force_auth_token = user, token
    cursor = request.GET.get(CURSOR_PARAM) or None
    # DRF's throttles, asked as DRF asks them (each one that allows counts the request);
    # their histories and a next page's snapshot are read from the cache in one round trip.
    throttles = [throttle() for throttle in api_settings.DEFAULT_THROTTLE_CLASSES]
    keys = [key for throttle in throttles if (key := throttle.get_cache_key(request, None))]
    snapshot_key = feeds.snapshot_cache_key(user.pk, cursor)
    with soft_cache.read_ahead(keys if snapshot_key is None else [*keys, snapshot_key]):
        if not all([throttle.allow_request(request, None) for throttle in throttles]):
            return full_view(request)  # its 429, with how long to wait
        return home_page(request, user, cursor=cursor, size=size)


def home_page(request, user, *, cursor, size):
    assignment = None
    try:
        if not feeds.snapshot_cursor(cursor):
            assignment = feeds.assign(user)
            if not assignment.is_ranked:
                return chronological(request, user, assignment, cursor=cursor, size=size)
        try:
            body = ranked_page_body(request, user, assignment, cursor=cursor, size=size)
        except feeds.SnapshotGone:  # expired: a fresh first page, as the arm says
            assignment = feeds.assign(user)
            if not assignment.is_ranked:
                return chronological(request, user, assignment, cursor=None, size=size)
            body = ranked_page_body(request, user, assignment, cursor=None, size=size)
    except BadCursor:
        return unthrottled_view(request)  # its 400
    return json_response(body)


def chronological(request, user, assignment, *, cursor, size):
    """A page of the chronological arm going down, from its prepared statements on
    PostgreSQL; HomeTimelineView for anything else (a cursor we did not sign, a page back
    up the list, another database)."""
    request.home_assignment = assignment
    if connection.vendor != "postgresql":
        return unthrottled_view(request)
    try:
        after, backwards = keyset_position(cursor)
    except BadCursor:
        return unthrottled_view(request)  # its 400
    if backwards:
        return unthrottled_view(request)
    return json_response(chronological_page_body(request, user, assignment, after=after, size=size))


# The schema (drf-spectacular, through DRF's endpoint enumerator) describes a view by its
# class: this one answers exactly as HomeTimelineView does.
home_timeline.cls = HomeTimelineView
home_timeline.initkwargs = {}
