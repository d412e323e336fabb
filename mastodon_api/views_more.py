"""The rest a client shows: notifications, search, trends and suggestions.

Notification types: like -> favourite, share -> reblog, comment and mention -> mention (a
comment is a reply: Mastodon notifies replies as mentions), follow -> follow. Group requests
and approvals have no Mastodon type and are left out of this API.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from feeds import suggestions, trends
from flywheel.errors import NotFound
from mastodon_api import entities
from mastodon_api.base import MastodonView
from mastodon_api.pagination import paginate, with_links
from mastodon_api.services import row_id
from mastodon_api.timelines import with_entities
from social import search, selectors
from social import services as social
from social.models import Notification

ENTITY = {"type": "object", "additionalProperties": {}}
ENTITIES = {"type": "array", "items": ENTITY}
Verb = Notification.Verb
TYPES = {
    Verb.LIKE: "favourite",
    Verb.SHARE: "reblog",
    Verb.COMMENT: "mention",
    Verb.MENTION: "mention",
    Verb.FOLLOW: "follow",
}
VERBS_OF = {
    "favourite": [Verb.LIKE],
    "reblog": [Verb.SHARE],
    "mention": [Verb.COMMENT, Verb.MENTION],
    "follow": [Verb.FOLLOW],
}
# Mastodon's own source names for where a suggestion comes from, by Flywheel's source.
SUGGESTION_SOURCES = {
    "engaged": "past_interactions",
    "friends": "friends_of_friends",
    "similar": "similar_to_recently_followed",
    "topic": "featured",
    "popular": "global",
}


def notifications_of(user, request=None):
    found = selectors.notifications_for(user).filter(verb__in=list(TYPES))
    if request is None:
        return found
    wanted = request.query_params.getlist("types[]") or request.query_params.getlist("types")
    if wanted:
        found = found.filter(verb__in=[v for kind in wanted for v in VERBS_OF.get(kind, [])])
    unwanted = request.query_params.getlist("exclude_types[]") or request.query_params.getlist(
        "exclude_types"
    )
    if unwanted:
        found = found.exclude(verb__in=[v for kind in unwanted for v in VERBS_OF.get(kind, [])])
    return found


def notification_entities(request, rows) -> list[dict]:
    post_ids = [row.post_id for row in rows if row.post_id]
    posts = {
        post.pk: post
        for post in with_entities(selectors.visible_posts(request.user)).filter(pk__in=post_ids)
    }
    actors = entities.account_counts([row.actor for row in rows])
    found = []
    for row in rows:
        status = None
        if row.verb == Verb.COMMENT and row.comment is not None:
            row.comment.post = posts.get(row.post_id)
            status = entities.comment_status(request, row.comment) if row.comment.post else None
        elif row.post_id in posts:
            status = entities.status(request, posts[row.post_id])
        if row.post_id and status is None:
            continue  # the post is no longer visible to the person
        found.append(
            {
                "id": str(row.pk),
                "type": TYPES[row.verb],
                "created_at": entities.iso(row.created_at),
                "group_key": f"ungrouped-{row.pk}",
                "account": entities.account(request, row.actor, counts=actors.get(row.actor_id)),
                "status": status,
            }
        )
    return found


class NotificationsView(MastodonView):
    required_scopes = {"GET": "read:notifications"}

    @extend_schema(
        summary="Mastodon: your notifications", responses={200: ENTITIES}, tags=["mastodon"]
    )
    def get(self, request):
        rows, ends = paginate(request, notifications_of(request.user, request))
        return with_links(Response(notification_entities(request, rows)), request, ends)


class NotificationView(MastodonView):
    required_scopes = {"GET": "read:notifications"}

    @extend_schema(
        summary="Mastodon: one notification",
        responses={200: ENTITY},
        tags=["mastodon"],
        operation_id="mastodon_notification",
    )
    def get(self, request, notification_id):
        row = notifications_of(request.user).filter(pk=row_id(notification_id)).first()
        found = notification_entities(request, [row]) if row is not None else []
        if not found:
            raise NotFound("Record not found")
        return Response(found[0])


class NotificationDismissView(MastodonView):
    required_scopes = {"POST": "write:notifications"}

    @extend_schema(
        summary="Mastodon: dismiss a notification",
        request=None,
        responses={200: ENTITY},
        tags=["mastodon"],
    )
    def post(self, request, notification_id):
        if not social.notifications_dismiss(user=request.user, ids=[row_id(notification_id)]):
            raise NotFound("Record not found")
        return Response({})


class NotificationsClearView(MastodonView):
    required_scopes = {"POST": "write:notifications"}

    @extend_schema(
        summary="Mastodon: clear your notifications",
        request=None,
        responses={200: ENTITY},
        tags=["mastodon"],
    )
    def post(self, request):
        social.notifications_dismiss(user=request.user)
        return Response({})


class SearchQuery(serializers.Serializer):
    q = serializers.CharField(max_length=200)
    type = serializers.ChoiceField(["accounts", "statuses", "hashtags"], required=False)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=40, default=20)


class SearchView(MastodonView):
    """Accounts, statuses and hashtags (the site's search); counted in the event log as a
    search from the API."""

    required_scopes = {"GET": "read:search"}

    @extend_schema(
        summary="Mastodon: search (v2)",
        parameters=[SearchQuery],
        responses={200: ENTITY},
        tags=["mastodon"],
    )
    def get(self, request):
        query = SearchQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        found = search.search_all(request.user, values["q"], limit=values["limit"])
        kind = values.get("type")
        posts = found["posts"] if kind in (None, "statuses") else []
        if posts:
            ids = [post.pk for post in posts]
            loaded = with_entities(selectors.visible_posts(request.user)).in_bulk(ids)
            posts = [loaded[pk] for pk in ids if pk in loaded]
        body = {
            "accounts": entities.accounts(request, found["people"])
            if kind in (None, "accounts")
            else [],
            "statuses": entities.statuses(request, posts, viewer=request.user),
            "hashtags": [entities.tag(request, tag.name) for tag in found["hashtags"]]
            if kind in (None, "hashtags")
            else [],
        }
        shown = sum(len(items) for items in body.values())
        search.record_search(request.user, found["query"], result_count=shown, surface="api")
        return Response(body)


class TrendsLimit(serializers.Serializer):
    limit = serializers.IntegerField(required=False, min_value=1, max_value=20, default=10)


def trends_limit(request) -> int:
    query = TrendsLimit(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data["limit"]


class TrendTagsView(MastodonView):
    required_scopes = {"GET": None}

    @extend_schema(
        summary="Mastodon: trending hashtags",
        parameters=[TrendsLimit],
        responses={200: ENTITIES},
        tags=["mastodon"],
    )
    def get(self, request):
        found = trends.trending_for(request.user, hashtags=trends_limit(request), posts=0)
        return Response([entities.tag(request, item.name) for item in found.hashtags])


class TrendStatusesView(MastodonView):
    required_scopes = {"GET": None}

    @extend_schema(
        summary="Mastodon: trending statuses",
        parameters=[TrendsLimit],
        responses={200: ENTITIES},
        tags=["mastodon"],
    )
    def get(self, request):
        found = trends.trending_for(
            request.user, hashtags=0, posts=trends_limit(request), cards=with_entities
        )
        return Response(entities.statuses(request, found.posts, viewer=request.user))


class SuggestionsView(MastodonView):
    """People to follow, from Flywheel's suggestions: Mastodon's source names, and
    Flywheel's own reason (`flywheel_reason`)."""

    required_scopes = {"GET": "read"}

    @extend_schema(
        summary="Mastodon: people to follow (v2)",
        parameters=[TrendsLimit],
        responses={200: ENTITIES},
        tags=["mastodon"],
    )
    def get(self, request):
        query = TrendsLimit(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = suggestions.people_to_follow(request.user, limit=query.validated_data["limit"])
        people = entities.accounts(request, [item.target for item in found])
        return Response(
            [
                {
                    "source": "past_interactions" if item.source == "engaged" else "global",
                    "sources": [SUGGESTION_SOURCES.get(item.source, "global")],
                    "account": person,
                    "flywheel_reason": item.reason,
                    "flywheel_source": item.source,
                }
                for item, person in zip(found, people, strict=True)
            ]
        )
