"""Statuses: write (with an image, or as a reply), read, delete, the thread around one,
favourites and boosts, and image uploads (POST /api/v2/media)."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from events.models import Surface
from flywheel.errors import NotFound
from mastodon_api import entities, services
from mastodon_api.base import MastodonView
from mastodon_api.models import MediaUpload
from mastodon_api.timelines import with_entities
from social import selectors
from social import services as social
from social.models import Comment, Like, Post, Share

User = get_user_model()
ENTITY = {"type": "object", "additionalProperties": {}}
ENTITIES = {"type": "array", "items": ENTITY}
API = Surface.API
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="A retry with the same key within an hour returns the first status.",
)
UNSUPPORTED_VISIBILITY = (
    "Flywheel posts are public (or members-only in a private group): followers-only and "
    "direct statuses are not supported."
)


def status_entity(request, target) -> dict:
    """The Status of a post or a comment, read again as the viewer sees it."""
    if isinstance(target, Comment):
        return entities.comment_status(request, target)
    post = with_entities(selectors.visible_posts(request.user)).get(pk=target.pk)
    return entities.status(request, post)


def own_post(viewer, status_id) -> Post:
    """A post for an action only posts take (favourite, boost)."""
    target = services.resolve_status(viewer, status_id)
    if isinstance(target, Comment):
        raise serializers.ValidationError(
            "Comments cannot be favourited or boosted here; only posts can."
        )
    return target


class StatusCreate(serializers.Serializer):
    status = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    media_ids = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list, max_length=4
    )
    in_reply_to_id = serializers.CharField(required=False, allow_null=True, max_length=40)
    visibility = serializers.ChoiceField(
        ["public", "unlisted", "private", "direct"], required=False, default="public"
    )
    spoiler_text = serializers.CharField(required=False, allow_blank=True, default="")
    sensitive = serializers.BooleanField(required=False, default=False)
    language = serializers.CharField(required=False, allow_blank=True, allow_null=True)

    def validate_visibility(self, value):
        if value in ("private", "direct"):
            raise serializers.ValidationError(UNSUPPORTED_VISIBILITY)
        return value

    def to_internal_value(self, data):
        if hasattr(data, "getlist") and "media_ids[]" in data:
            data = {**data.dict(), "media_ids": data.getlist("media_ids[]")}
        return super().to_internal_value(data)


class StatusesView(MastodonView):
    may_be_missing = True  # the account looked up; the status replied to
    required_scopes = {"POST": "write:statuses"}
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        summary="Mastodon: post a status (with media_ids, or in_reply_to_id for a comment)",
        request=StatusCreate,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: ENTITY},
        tags=["mastodon"],
    )
    def post(self, request):
        data = StatusCreate(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        text = values["status"]
        if values["spoiler_text"]:
            text = f"CW: {values['spoiler_text']}\n\n{text}"

        def create():
            made = services.status_create(
                author=request.user,
                text=text,
                media_ids=values["media_ids"],
                in_reply_to_id=values.get("in_reply_to_id"),
            )
            return entities.comment_status_id(made.pk) if isinstance(made, Comment) else made.pk

        status_id = services.once_per_key(
            request.user, request.headers.get("Idempotency-Key"), create
        )
        return Response(status_entity(request, services.resolve_status(request.user, status_id)))


class StatusView(MastodonView):
    required_scopes = {"GET": None, "DELETE": "write:statuses"}

    @extend_schema(summary="Mastodon: a status", responses={200: ENTITY}, tags=["mastodon"])
    def get(self, request, status_id):
        return Response(status_entity(request, services.resolve_status(request.user, status_id)))

    @extend_schema(
        summary="Mastodon: delete your status (someone else's is not found)",
        responses={200: ENTITY},
        tags=["mastodon"],
    )
    def delete(self, request, status_id):
        target = services.resolve_status(request.user, status_id)
        if target.author_id != request.user.pk:
            raise NotFound("Record not found")
        entity = status_entity(request, target)
        if isinstance(target, Comment):
            social.comment_delete(user=request.user, comment=target)
        else:
            social.post_delete(user=request.user, post=target)
        return Response(entity)


class ContextView(MastodonView):
    required_scopes = {"GET": None}

    @extend_schema(
        summary="Mastodon: the thread around a status", responses={200: ENTITY}, tags=["mastodon"]
    )
    def get(self, request, status_id):
        target = services.resolve_status(request.user, status_id)
        if isinstance(target, Comment):
            post = with_entities(selectors.visible_posts(request.user)).get(pk=target.post_id)
            return Response({"ancestors": [entities.status(request, post)], "descendants": []})
        comments = selectors.comments_for(request.user, target).select_related("post")
        return Response(
            {
                "ancestors": [],
                "descendants": [entities.comment_status(request, c) for c in comments[:200]],
            }
        )


def status_action(name: str, scope: str, act):
    class ActionView(MastodonView):
        required_scopes = {"POST": scope}

        @extend_schema(
            summary=f"Mastodon: {name} a status (the Status after)",
            request=None,
            responses={200: ENTITY},
            tags=["mastodon"],
            operation_id=f"mastodon_status_{name}",
        )
        def post(self, request, status_id):
            post = own_post(request.user, status_id)
            act(request.user, post)
            return Response(status_entity(request, post))

    ActionView.__name__ = f"Status{name.title()}View"
    return ActionView


# Reactions through this API record the surface `api` (social.surfaces).
STATUS_ACTIONS = {
    "favourite": ("write:favourites", lambda u, p: social.like_create(user=u, post=p, surface=API)),
    "unfavourite": (
        "write:favourites",
        lambda u, p: social.like_delete(user=u, post=p, surface=API),
    ),
    "reblog": ("write:statuses", lambda u, p: social.share_create(user=u, post=p, surface=API)),
    "unreblog": ("write:statuses", lambda u, p: social.share_delete(user=u, post=p, surface=API)),
}


def people_who(model):
    class PeopleView(MastodonView):
        required_scopes = {"GET": None}

        @extend_schema(
            summary=f"Mastodon: who {'favourited' if model is Like else 'boosted'} a status",
            responses={200: ENTITIES},
            tags=["mastodon"],
            operation_id=f"mastodon_status_{'favourited' if model is Like else 'reblogged'}_by",
        )
        def get(self, request, status_id):
            post = own_post(request.user, status_id)
            visible = selectors.people_visible_to(request.user, User.objects.all()).values("pk")
            rows = model.objects.filter(post=post, user_id__in=visible).select_related("user")
            people = [row.user for row in rows.order_by("-id")[:80]]
            return Response(entities.accounts(request, people))

    PeopleView.__name__ = f"{model.__name__}PeopleView"
    return PeopleView


FavouritedByView = people_who(Like)
RebloggedByView = people_who(Share)


class MediaCreate(serializers.Serializer):
    file = serializers.ImageField()
    description = serializers.CharField(required=False, allow_blank=True, max_length=1500)


class MediaView(MastodonView):
    """An image for the next status (JPEG, PNG, GIF or WebP, checked as on the site)."""

    required_scopes = {"POST": "write:media"}
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Mastodon: upload an image (POST /api/v2/media)",
        request={"multipart/form-data": MediaCreate},
        responses={200: ENTITY},
        tags=["mastodon"],
    )
    def post(self, request):
        data = MediaCreate(data=request.data)
        data.is_valid(raise_exception=True)
        upload = services.media_upload(
            owner=request.user,
            image=data.validated_data["file"],
            description=data.validated_data.get("description", ""),
        )
        return Response(
            entities.media_attachment(request, upload.pk, upload.image.name, upload.description)
        )


class MediaShowView(MastodonView):
    required_scopes = {"GET": "write:media"}

    @extend_schema(
        summary="Mastodon: an upload of yours", responses={200: ENTITY}, tags=["mastodon"]
    )
    def get(self, request, media_id):
        upload = MediaUpload.objects.filter(
            owner=request.user, pk=services.row_id(media_id)
        ).first()
        if upload is None:
            raise NotFound("Record not found")
        return Response(
            entities.media_attachment(request, upload.pk, upload.image.name, upload.description)
        )
