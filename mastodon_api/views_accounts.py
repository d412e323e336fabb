"""Accounts: who you are (and changing it), people by id or name, their statuses, followers
and following, and following, blocking and muting them."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts import services as accounts
from flywheel.errors import NotFound
from mastodon_api import entities
from mastodon_api.account_statuses import StatusesQuery, account_statuses
from mastodon_api.base import MastodonView
from mastodon_api.pagination import PageQuery, paginate, with_links
from mastodon_api.services import row_id
from social import selectors
from social import services as social
from social.models import Follow

User = get_user_model()
ENTITY = {"type": "object", "additionalProperties": {}}
ENTITIES = {"type": "array", "items": ENTITY}


def person(viewer, account_id) -> "User":
    """An active person the viewer may see, by Mastodon account id."""
    username = (
        User.objects.filter(pk=row_id(account_id), is_active=True)
        .values_list("username", flat=True)
        .first()
    )
    if username is None:
        raise NotFound("Record not found")
    try:
        return selectors.user_by_username(viewer, username)
    except NotFound:
        raise NotFound("Record not found") from None


class VerifyCredentialsView(MastodonView):
    required_scopes = {"GET": "read:accounts"}

    @extend_schema(summary="Mastodon: who you are", responses={200: ENTITY}, tags=["mastodon"])
    def get(self, request):
        return Response(entities.credential_account(request, request.user))


class CredentialsUpdate(serializers.Serializer):
    display_name = serializers.CharField(required=False, allow_blank=True, max_length=60)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)
    avatar = serializers.ImageField(required=False)


class UpdateCredentialsView(MastodonView):
    required_scopes = {"PATCH": "write:accounts"}
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        summary="Mastodon: change your display name, bio (note) or avatar",
        request=CredentialsUpdate,
        responses={200: ENTITY},
        tags=["mastodon"],
    )
    def patch(self, request):
        data = CredentialsUpdate(data=request.data)
        data.is_valid(raise_exception=True)
        names = {"display_name": "display_name", "note": "bio", "avatar": "avatar"}
        changes = {names[key]: value for key, value in data.validated_data.items()}
        accounts.profile_update(user=request.user, **changes)
        return Response(entities.credential_account(request, request.user))


class AccountView(MastodonView):
    required_scopes = {"GET": None}

    @extend_schema(summary="Mastodon: a person", responses={200: ENTITY}, tags=["mastodon"])
    def get(self, request, account_id):
        return Response(entities.account(request, person(request.user, account_id)))


class LookupQuery(serializers.Serializer):
    acct = serializers.CharField(max_length=200, help_text="A username, with or without @.")


class LookupView(MastodonView):
    may_be_missing = True  # the account looked up; the status replied to
    required_scopes = {"GET": None}

    @extend_schema(
        summary="Mastodon: a person by username",
        parameters=[LookupQuery],
        responses={200: ENTITY},
        tags=["mastodon"],
    )
    def get(self, request):
        query = LookupQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        username = query.validated_data["acct"].lstrip("@").split("@", 1)[0]
        try:
            found = selectors.user_by_username(request.user, username)
        except NotFound:
            raise NotFound("Record not found") from None
        return Response(entities.account(request, found))


class AccountStatusesView(MastodonView):
    required_scopes = {"GET": None}

    @extend_schema(
        summary="Mastodon: a person's statuses and boosts, newest first",
        description="Their posts, and their shares as boosts (a status whose `reblog` is the "
        "post shared, id `s<share id>`), as their profile lists them.",
        parameters=[PageQuery, StatusesQuery],
        responses={200: ENTITIES},
        tags=["mastodon"],
    )
    def get(self, request, account_id):
        return account_statuses(request, person(request.user, account_id))


class _PeopleOfView(MastodonView):
    required_scopes = {"GET": None}
    side = ""  # "follower" (their followers) or "followee" (whom they follow)

    def get(self, request, account_id):
        subject = person(request.user, account_id)
        other = "followee" if self.side == "follower" else "follower"
        visible = selectors.people_visible_to(request.user, User.objects.all()).values("pk")
        rows = Follow.objects.filter(**{other: subject, f"{self.side}_id__in": visible})
        page, ends = paginate(request, rows.select_related(self.side))
        people = [getattr(row, self.side) for row in page]
        return with_links(Response(entities.accounts(request, people)), request, ends)


class FollowersView(_PeopleOfView):
    side = "follower"

    @extend_schema(
        summary="Mastodon: a person's followers", responses={200: ENTITIES}, tags=["mastodon"]
    )
    def get(self, request, account_id):
        return super().get(request, account_id)


class FollowingView(_PeopleOfView):
    side = "followee"

    @extend_schema(
        summary="Mastodon: whom a person follows", responses={200: ENTITIES}, tags=["mastodon"]
    )
    def get(self, request, account_id):
        return super().get(request, account_id)


def standing(viewer, other) -> dict:
    found = selectors.relationship(viewer, other)
    found["blocked_by"] = False  # someone who blocked you is not found at all
    return entities.relationship(other.pk, found)


class RelationshipsView(MastodonView):
    required_scopes = {"GET": "read:follows"}

    @extend_schema(
        summary="Mastodon: how you stand with people (id[]=...)",
        responses={200: ENTITIES},
        tags=["mastodon"],
    )
    def get(self, request):
        ids = request.query_params.getlist("id[]") or request.query_params.getlist("id")
        found = []
        for account_id in ids[:40]:
            try:
                found.append(standing(request.user, person(request.user, account_id)))
            except NotFound:
                continue
        return Response(found)


ACTIONS = {
    "follow": ("write:follows", lambda me, them: social.follow_create(follower=me, followee=them)),
    "unfollow": (
        "write:follows",
        lambda me, them: social.follow_delete(follower=me, followee=them),
    ),
    "block": ("write:blocks", lambda me, them: social.block_create(blocker=me, blocked=them)),
    "unblock": ("write:blocks", lambda me, them: social.block_delete(blocker=me, blocked=them)),
    "mute": ("write:mutes", lambda me, them: social.mute_create(muter=me, muted=them)),
    "unmute": ("write:mutes", lambda me, them: social.mute_delete(muter=me, muted=them)),
}


def relationship_action(action: str):
    scope, act = ACTIONS[action]

    class ActionView(MastodonView):
        required_scopes = {"POST": scope}

        @extend_schema(
            summary=f"Mastodon: {action} a person (the Relationship after)",
            request=None,
            responses={200: ENTITY},
            tags=["mastodon"],
            operation_id=f"mastodon_account_{action}",
        )
        def post(self, request, account_id):
            them = person(request.user, account_id)
            act(request.user, them)
            return Response(standing(request.user, them))

    ActionView.__name__ = f"Account{action.title()}View"
    return ActionView
