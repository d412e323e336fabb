"""API: the home timeline's two tabs, `/api/timeline/home/` (*For you*, ordered by the
person's experiment arm) and `/api/timeline/following/` (newest first for everyone), with
social's serializers and pagination. The ads of the page's sponsored slots come from
feeds.slots' filler; without one, `sponsored` is an empty list."""

import orjson
from django.http import HttpResponse
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_array_type, build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import generics, permissions, serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from feeds import selectors as feeds
from feeds import slots
from feeds.chronological_page import chronological_page
from flywheel.pagination import BadCursor, bad_cursor
from flywheel.pagination import decode_cursor as decode_keyset
from flywheel.pagination import encode_cursor as encode_keyset
from social.api import with_cards
from social.api_pagination import TimelinePagination
from social.serializers import TimelinePostSerializer

CURSOR_PARAM = TimelinePagination.cursor_query_param


class SponsoredItemsField(serializers.ListField):
    """The page's sponsored items, as feeds.slots' filler gives them to clients."""


class SponsoredItemsSchema(OpenApiSerializerFieldExtension):
    """In the schema, the items are the filler's serializer, looked up when the schema is
    made (every app is ready then, so the filler has registered)."""

    target_class = SponsoredItemsField

    def map_serializer_field(self, auto_schema, direction):
        item = slots.item_serializer()
        if item is None:
            return build_array_type(build_basic_type(OpenApiTypes.OBJECT))
        return build_array_type(auto_schema.resolve_serializer(item, direction).ref)


@extend_schema_serializer(many=False)
class HomeTimelinePageSerializer(serializers.Serializer):
    """A page of the home timeline: posts in `results`, ads in `sponsored` (for the schema)."""

    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = serializers.SerializerMethodField()
    sponsored = SponsoredItemsField()

    @extend_schema_field(TimelinePostSerializer(many=True))
    def get_results(self, page) -> list:
        return page["results"]


@extend_schema(
    summary="Home, For you: your feed as your experiment arm orders it, with reasons",
    responses=HomeTimelinePageSerializer,
)
class HomeTimelineView(generics.ListAPIView):
    """The person's experiment arm decides the order: ranked by the feed model (a snapshot
    computed on the first page, so later pages never repeat or skip a post) or newest
    activity first. Every item says why it is there and which arm and model version chose
    it; a post shared by someone you follow says who shared it. `sponsored` lists the ads of
    the page's sponsored slots, each with the index in `results` it is shown before."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = TimelinePostSerializer
    pagination_class = TimelinePagination

    def get_queryset(self, assignment=None):
        """The chronological arm's list (the ranked arms page their snapshot instead)."""
        return with_cards(feeds.chronological_home(self.request.user, assignment))

    def list(self, request, *args, **kwargs):
        cursor = request.query_params.get(self.paginator.cursor_query_param) or None
        if feeds.snapshot_cursor(cursor):  # a next page: the snapshot knows its arm
            try:
                return self._ranked(request, None, cursor)
            except feeds.SnapshotGone:
                cursor = None  # expired: a fresh first page, as the arm says
        # The lean path (feeds.api_timeline_lean) hands over the arm it already looked up.
        assignment = getattr(request, "home_assignment", None) or feeds.assign(request.user)
        if not assignment.is_ranked:
            page = self.paginate_queryset(self.get_queryset(assignment))
            feeds.explain_chronological(page, viewer=request.user, assignment=assignment)
            sponsored = feeds.sponsored_for_chronological(request.user, page, assignment)
            response = self.get_paginated_response(self.get_serializer(page, many=True).data)
            response.data["sponsored"] = slots.as_data(sponsored, request)
            return response
        return self._ranked(request, assignment, cursor)

    def _ranked(self, request, assignment, cursor):
        try:
            body = ranked_page_body(
                request,
                request.user,
                assignment,
                cursor=cursor,
                size=self.paginator.get_page_size(request),
            )
        except BadCursor:
            raise bad_cursor() from None
        if isinstance(request.accepted_renderer, JSONRenderer):
            return json_response(body)  # the hot path: plain dicts straight to JSON
        return Response(body)  # the browsable API


def ranked_page_body(request, viewer, assignment, *, cursor, size) -> dict:
    """A page of the person's ranked snapshot as the API's dict (BadCursor for a cursor we
    did not sign; feeds.selectors.SnapshotGone for a next page whose snapshot expired)."""
    feed = feeds.ranked_home_page(
        viewer, assignment, cursor=cursor, size=size, as_cards=True, request=request
    )
    return page_body(
        request,
        feed.posts,
        feed.sponsored,
        next_cursor=feed.next_cursor,
        previous_cursor=feed.previous_cursor,
    )


def keyset_position(cursor: str | None) -> tuple[tuple | None, bool]:
    """The home row a keyset cursor of the chronological arm points after, and whether it
    pages back up the list (BadCursor for a cursor we did not sign)."""
    if not cursor:
        return None, False
    values, backwards = decode_keyset(cursor, length=len(TimelinePagination.ordering))
    return tuple(values), backwards


def chronological_page_body(request, viewer, assignment, *, after, size) -> dict:
    """The chronological arm's page after `after` (keyset_position) as the API's dict, with
    the links HomeTimelineView's keyset pagination gives."""
    page = chronological_page(viewer, assignment, after=after, size=size, request=request)
    return page_body(
        request,
        page.posts,
        page.sponsored,
        next_cursor=encode_keyset(list(page.last)) if page.last else None,
        previous_cursor=(
            encode_keyset(list(page.first), reverse=True) if after and page.first else None
        ),
    )


def page_body(request, posts, sponsored, *, next_cursor, previous_cursor) -> dict:
    """The API's page: the cards' items, the ads, and links on and back at these cursors."""
    url = request.build_absolute_uri()

    def link(cursor):
        return replace_query_param(url, CURSOR_PARAM, cursor) if cursor else None

    return {
        "next": link(next_cursor),
        "previous": link(previous_cursor),
        "results": [card.data for card in posts],
        "sponsored": slots.as_data(sponsored, request),
    }


def json_response(body: dict) -> HttpResponse:
    """Plain dicts straight to JSON, no renderer in between."""
    return HttpResponse(orjson.dumps(body), content_type="application/json")


@extend_schema(
    summary="Home, Following: people you follow and your groups, newest first",
    description=(
        "The same for everyone, whatever their experiment arm: posts by the people you "
        "follow, by you and in your groups, and what the people you follow shared, newest "
        "activity first. Items carry no arm, model version or serve token (no arm chose "
        "them); report their impressions with the surface `following`."
    ),
)
class FollowingTimelineView(generics.ListAPIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = TimelinePostSerializer
    pagination_class = TimelinePagination

    def get_queryset(self):
        return with_cards(feeds.following_home(self.request.user))

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        feeds.explain_following(page, viewer=request.user)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
