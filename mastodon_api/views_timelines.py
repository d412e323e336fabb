"""Timelines (see mastodon_api.timelines for how home and the Following list page)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from flywheel.errors import NotFound
from mastodon_api import timelines
from mastodon_api.base import MastodonView
from mastodon_api.pagination import PageQuery
from mastodon_api.views_instance import FOLLOWING_LIST_ID
from social import selectors

ENTITIES = {"type": "array", "items": {"type": "object", "additionalProperties": {}}}


class HomeView(MastodonView):
    required_scopes = {"GET": "read:statuses"}

    @extend_schema(
        summary="Mastodon: home, ranked For you (each status says why: flywheel.reason)",
        parameters=[PageQuery],
        responses={200: ENTITIES},
        tags=["mastodon"],
    )
    def get(self, request):
        return timelines.home_page(request)


class ListTimelineView(MastodonView):
    required_scopes = {"GET": "read:lists"}

    @extend_schema(
        summary="Mastodon: a list's timeline (`following`: the chronological Following feed)",
        parameters=[PageQuery],
        responses={200: ENTITIES},
        tags=["mastodon"],
    )
    def get(self, request, list_id):
        if list_id != FOLLOWING_LIST_ID:
            raise NotFound("Record not found")
        return timelines.following_page(request)


class PublicQuery(PageQuery):
    local = serializers.BooleanField(required=False, help_text="Every post here is local.")
    remote = serializers.BooleanField(required=False, help_text="True: none (no federation).")
    only_media = serializers.BooleanField(required=False)


def _public(request, queryset):
    query = PublicQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    if query.validated_data.get("remote"):
        queryset = queryset.none()
    if query.validated_data.get("only_media"):
        queryset = queryset.exclude(image="")
    return timelines.statuses_page(request, queryset)


class PublicView(MastodonView):
    required_scopes = {"GET": None}

    @extend_schema(
        summary="Mastodon: public timeline (newest public posts)",
        parameters=[PublicQuery],
        responses={200: ENTITIES},
        tags=["mastodon"],
    )
    def get(self, request):
        return _public(request, selectors.explore_posts(request.user))


class TagView(MastodonView):
    required_scopes = {"GET": None}

    @extend_schema(
        summary="Mastodon: a hashtag's timeline",
        parameters=[PublicQuery],
        responses={200: ENTITIES},
        tags=["mastodon"],
    )
    def get(self, request, hashtag):
        public = selectors.explore_posts(request.user).filter(hashtags__name=hashtag.lower())
        return _public(request, public)
