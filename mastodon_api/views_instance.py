"""What a client reads about the server: the instance (v1 and v2, with Flywheel's real
limits), its custom emojis (none), the built-in Following list, preferences and markers."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.templatetags.static import static
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from flywheel.images import ALLOWED_FORMATS
from flywheel.ratelimit import parse_limit
from mastodon_api import entities
from mastodon_api.base import MastodonView
from mastodon_api.models import Marker
from mastodon_api.services import MAX_MEDIA_PER_STATUS
from social.models import POST_MAX_LENGTH, Post

# Mastodon.py and other clients compare this version to decide which endpoints exist.
MASTODON_VERSION = "4.3.0"
FLYWHEEL_VERSION = "0.1.0"
ENTITY = {"type": "object", "additionalProperties": {}}
ENTITIES = {"type": "array", "items": ENTITY}
FOLLOWING_LIST_ID = "following"
MIME_TYPES = [f"image/{name.lower()}" for name in ALLOWED_FORMATS]


def _version() -> str:
    return f"{MASTODON_VERSION} (compatible; Flywheel {FLYWHEEL_VERSION})"


def configuration() -> dict:
    return {
        "urls": {"streaming": None},
        "accounts": {"max_featured_tags": 0, "max_pinned_statuses": 0},
        "statuses": {
            "max_characters": POST_MAX_LENGTH,
            "max_media_attachments": MAX_MEDIA_PER_STATUS,
            "characters_reserved_per_url": 0,
        },
        "media_attachments": {
            "supported_mime_types": MIME_TYPES,
            "image_size_limit": settings.MAX_IMAGE_BYTES,
            "image_matrix_limit": settings.MAX_IMAGE_PIXELS,
            "video_size_limit": 0,
            "video_frame_rate_limit": 0,
            "video_matrix_limit": 0,
            "description_limit": 1500,
        },
        "polls": {
            "max_options": 0,
            "max_characters_per_option": 0,
            "min_expiration": 0,
            "max_expiration": 0,
        },
        "translation": {"enabled": False},
        "vapid": {"public_key": ""},
    }


def rate_limits() -> dict:
    """Flywheel's own limits, as numbers a client can show (not part of Mastodon's entity)."""
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    limits = {"requests_per_user": rates["user"], "requests_per_address": rates["anon"]}
    for name in ("post", "comment", "follow"):
        limit = parse_limit(settings.ACTION_RATE_LIMITS[name])
        limits[f"{name}s"] = {"count": limit.count, "seconds": limit.seconds}
    return limits


class InstanceV1View(MastodonView):
    required_scopes = {"GET": None}

    @extend_schema(
        summary="Mastodon: the instance (v1)", responses={200: ENTITY}, tags=["mastodon"]
    )
    def get(self, request):
        User = get_user_model()
        host = request.get_host()
        return Response(
            {
                "uri": host,
                "title": "Flywheel",
                "short_description": "A social network whose data flywheel you can watch.",
                "description": "Flywheel ranks your home feed with a model it trains on what "
                "everyone does here, and shows how the loop is doing.",
                "email": "",
                "version": _version(),
                "urls": {"streaming_api": None},
                "stats": {
                    "user_count": User.objects.filter(is_active=True).count(),
                    "status_count": Post.objects.filter(is_hidden=False).count(),
                    "domain_count": 1,
                },
                "thumbnail": request.build_absolute_uri(static("img/flywheel.svg")),
                "languages": ["en"],
                "registrations": True,
                "approval_required": False,
                "invites_enabled": False,
                "configuration": configuration(),
                "contact_account": None,
                "rules": [],
                "flywheel_rate_limits": rate_limits(),
            }
        )


class InstanceV2View(MastodonView):
    required_scopes = {"GET": None}

    @extend_schema(
        summary="Mastodon: the instance (v2)", responses={200: ENTITY}, tags=["mastodon"]
    )
    def get(self, request):
        since = timezone.now() - timezone.timedelta(days=30)
        active = get_user_model().objects.filter(is_active=True, last_login__gte=since).count()
        return Response(
            {
                "domain": request.get_host(),
                "title": "Flywheel",
                "version": _version(),
                "description": "A social network whose data flywheel you can watch.",
                "usage": {"users": {"active_month": active}},
                "thumbnail": {"url": request.build_absolute_uri(static("img/flywheel.svg"))},
                "icon": [],
                "languages": ["en"],
                "configuration": configuration(),
                "registrations": {"enabled": True, "approval_required": False, "message": None},
                "api_versions": {"mastodon": 2},
                "contact": {"email": "", "account": None},
                "rules": [],
                "flywheel_rate_limits": rate_limits(),
            }
        )


class EmptyListView(MastodonView):
    """Endpoints clients call on start that Flywheel has nothing for: custom emojis,
    filters, follow requests (no locked accounts here), announcements."""

    required_scopes = {"GET": None}

    @extend_schema(
        summary="Mastodon: always empty here", responses={200: ENTITIES}, tags=["mastodon"]
    )
    def get(self, request):
        return Response([])


def following_list() -> dict:
    return {
        "id": FOLLOWING_LIST_ID,
        "title": "Following (newest first)",
        "replies_policy": "list",
        "exclusive": False,
    }


class ListsView(MastodonView):
    """One built-in list, `following`: its timeline (/api/v1/timelines/list/following) is
    the chronological feed of the people you follow, next to the ranked home."""

    required_scopes = {"GET": "read:lists"}

    @extend_schema(
        summary="Mastodon: your lists (the built-in Following list)",
        responses={200: ENTITIES},
        tags=["mastodon"],
    )
    def get(self, request):
        return Response([following_list()])


class PreferencesView(MastodonView):
    required_scopes = {"GET": "read:accounts"}

    @extend_schema(summary="Mastodon: your preferences", responses={200: ENTITY}, tags=["mastodon"])
    def get(self, request):
        return Response(
            {
                "posting:default:visibility": "public",
                "posting:default:sensitive": False,
                "posting:default:language": None,
                "reading:expand:media": "default",
                "reading:expand:spoilers": False,
            }
        )


class MarkerQuery(serializers.Serializer):
    last_read_id = serializers.CharField(max_length=40)


def _marker(marker: Marker) -> dict:
    return {
        "last_read_id": marker.last_read_id,
        "version": marker.version,
        "updated_at": entities.iso(marker.updated_at),
    }


class MarkersView(MastodonView):
    """Where the person stopped reading home and notifications, shared by their clients."""

    required_scopes = {"GET": "read:statuses", "POST": "write:statuses"}

    @extend_schema(summary="Mastodon: read positions", responses={200: ENTITY}, tags=["mastodon"])
    def get(self, request):
        wanted = request.query_params.getlist("timeline[]") or request.query_params.getlist(
            "timeline"
        )
        markers = Marker.objects.filter(user=request.user)
        if wanted:
            markers = markers.filter(timeline__in=wanted)
        return Response({marker.timeline: _marker(marker) for marker in markers})

    @extend_schema(
        summary="Mastodon: save read positions (home[last_read_id], notifications[last_read_id])",
        request=OpenApiTypes.OBJECT,
        responses={200: ENTITY},
        tags=["mastodon"],
    )
    def post(self, request):
        from mastodon_api.services import markers_save

        if not hasattr(request.data, "get"):
            raise serializers.ValidationError("Send an object: home[last_read_id]=...")
        values = {}
        for timeline in Marker.Timeline.values:
            raw = request.data.get(f"{timeline}[last_read_id]")
            if raw is None and isinstance(request.data.get(timeline), dict):
                raw = request.data[timeline].get("last_read_id")
            if raw is not None:
                query = MarkerQuery(data={"last_read_id": raw})
                query.is_valid(raise_exception=True)
                values[timeline] = query.validated_data["last_read_id"]
        saved = markers_save(user=request.user, values=values)
        return Response({marker.timeline: _marker(marker) for marker in saved})
