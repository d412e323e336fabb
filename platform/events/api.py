import json

from django.contrib.auth import get_user_model
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from events.services import MAX_BATCH, BeaconError, events_ingest
from flywheel.throttling import ScopedRateThrottle
from social.selectors import visible_post_authors

User = get_user_model()

EVENT_ITEM_FIELDS = {
    "kind": serializers.ChoiceField(["impression", "dwell", "click", "profile_view"]),
    "post": serializers.IntegerField(required=False),
    "person": serializers.IntegerField(required=False),
    "dwell_ms": serializers.IntegerField(required=False, min_value=0, max_value=600_000),
    "surface": serializers.CharField(required=False),
    "position": serializers.IntegerField(required=False),
    "serve": serializers.CharField(
        required=False,
        help_text="The serve token of the page or timeline item (the arm and model version "
        "that chose the post are read from it, never taken from the client).",
    ),
    "key": serializers.CharField(max_length=64, help_text="Unique per event: a retry counts once."),
    "at": serializers.DateTimeField(required=False),
}


class EventBatchAPIView(APIView):
    """Record a batch of impressions, dwell times and clicks measured by the client.

    Good items are stored even when others are bad; the answer lists each bad item with the
    reason. Every item needs a `key`; a repeated one is ignored, so retrying a batch never
    double-counts. Impressions and dwell of one's own posts, and past the caps per person,
    post and hour, are `ignored` (valid, not counted). Browsers send the batch with
    navigator.sendBeacon as a form with `events` (JSON) and the CSRF token.
    """

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "events"

    @extend_schema(
        request=inline_serializer(
            "EventBatch",
            {"events": inline_serializer("EventItem", EVENT_ITEM_FIELDS, many=True)},
        ),
        responses={
            202: inline_serializer(
                "EventBatchResult",
                {
                    "accepted": serializers.IntegerField(),
                    "duplicates": serializers.IntegerField(),
                    "rejected": serializers.ListField(child=serializers.DictField()),
                    "ignored": serializers.ListField(child=serializers.DictField()),
                },
            )
        },
        examples=[
            OpenApiExample(
                "Impression and dwell",
                value={
                    "events": [
                        {
                            "kind": "impression",
                            "post": 12,
                            "surface": "home",
                            "position": 0,
                            "key": "c1f3-1",
                        },
                        {
                            "kind": "dwell",
                            "post": 12,
                            "dwell_ms": 5400,
                            "surface": "home",
                            "key": "c1f3-2",
                        },
                    ]
                },
                request_only=True,
            )
        ],
    )
    def post(self, request):
        try:
            items = _batch_items(request.data)
            result = events_ingest(
                user=request.user,
                items=items,
                visible_post_authors=lambda ids: visible_post_authors(request.user, ids),
                existing_person_ids=_existing_person_ids,
            )
        except BeaconError as error:
            return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)
        body = {
            "accepted": result.accepted,
            "duplicates": result.duplicates,
            "rejected": result.rejected,
            "ignored": result.ignored,
        }
        if not result.any_good:
            body["detail"] = "No event in the batch was valid."
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        return Response(body, status=status.HTTP_202_ACCEPTED)


def _batch_items(data):
    events = data.get("events") if hasattr(data, "get") else None
    if isinstance(events, str):  # sendBeacon form: the batch travels as a JSON string
        try:
            events = json.loads(events)
        except json.JSONDecodeError:
            raise BeaconError("events is not valid JSON.") from None
    if events is None:
        raise BeaconError(f'Send {{"events": [...]}} with at most {MAX_BATCH} items.')
    return events


def _existing_person_ids(ids) -> set[int]:
    if not ids:
        return set()
    return set(User.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))
