"""The ads API under /api/ads/: an advertiser's own profile, campaigns, creatives and reports,
and hiding an advertiser's ads. Thin views: serializers check the shape, ads.services the
rules. Someone else's campaign answers 404, exactly like one that does not exist."""

from datetime import date

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import permissions, status, views, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from ads import selectors, services
from ads.models import Campaign
from ads.serializers import (
    AdvertiserSerializer,
    CampaignReportSerializer,
    CampaignSerializer,
    CampaignUpdateSerializer,
    CreativeSerializer,
    HiddenAdvertiserSerializer,
)
from flywheel.errors import NotFound

CAMPAIGN_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Campaign id"
)
CREATIVE_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Ad id")
UPLOADS = [JSONParser, MultiPartParser, FormParser]
# The services speak micros; the API's fields are named for currency amounts.
API_NAMES = {
    "bid_micros": "bid",
    "daily_budget_micros": "daily_budget",
    "total_budget_micros": "total_budget",
}


def with_api_names(error: ValidationError) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {API_NAMES.get(field, field): messages for field, messages in error.message_dict.items()}
    )


def require_advertiser(user):
    advertiser = selectors.advertiser_of(user)
    if advertiser is None:
        raise ValidationError(
            "Become an advertiser first: POST your name and billing e-mail to /api/ads/advertiser/."
        )
    return advertiser


class AdvertiserView(views.APIView):
    """You as an advertiser: GET it, POST to become one, PATCH to change it."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = AdvertiserSerializer
    schema_errors = {"get": {404}, "patch": {404}}  # not an advertiser yet (flywheel.schema)

    @extend_schema(summary="Your advertiser profile (404 until you become one)")
    def get(self, request):
        advertiser = selectors.advertiser_of(request.user)
        if advertiser is None:
            raise NotFound("You are not an advertiser yet.")
        return Response(AdvertiserSerializer(advertiser).data)

    @extend_schema(summary="Become an advertiser", responses={201: AdvertiserSerializer})
    def post(self, request):
        data = AdvertiserSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        advertiser = services.advertiser_create(user=request.user, **data.validated_data)
        return Response(AdvertiserSerializer(advertiser).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Change your advertiser name or billing e-mail")
    def patch(self, request):
        advertiser = selectors.advertiser_of(request.user)
        if advertiser is None:
            raise NotFound("You are not an advertiser yet.")
        data = AdvertiserSerializer(advertiser, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = {"name": advertiser.name, "billing_email": advertiser.billing_email}
        values.update(data.validated_data)
        services.advertiser_update(advertiser=advertiser, **values)
        return Response(AdvertiserSerializer(advertiser).data)


def _campaigns(user):
    return (
        Campaign.objects.filter(advertiser__user_id=user.pk)
        .select_related("advertiser")
        .prefetch_related("topics")
    )


@extend_schema_view(
    list=extend_schema(summary="Your campaigns, newest first"),
    create=extend_schema(
        summary="Create a campaign (a draft: add an ad, then submit it for review)",
        responses={201: CampaignSerializer},
    ),
    retrieve=extend_schema(summary="One of your campaigns", parameters=[CAMPAIGN_ID]),
    partial_update=extend_schema(
        summary="Change a campaign's settings",
        parameters=[CAMPAIGN_ID],
        request=CampaignUpdateSerializer,
    ),
)
class CampaignViewSet(viewsets.GenericViewSet):
    """Campaigns: bid, budgets, dates, targeting and state. Only your own."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = CampaignSerializer
    queryset = Campaign.objects.none()  # for the schema; requests use get_queryset
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return _campaigns(self.request.user)

    def _campaign(self) -> Campaign:
        selectors.owned_campaign(self.request.user, self.kwargs["pk"])  # 404 for others
        return self.get_queryset().get(pk=int(self.kwargs["pk"]))

    def _answer(self, campaign: Campaign, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=campaign.pk)
        return Response(CampaignSerializer(fresh).data, status=code)

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CampaignSerializer(page, many=True).data)

    def create(self, request):
        advertiser = require_advertiser(request.user)
        data = CampaignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            campaign = services.campaign_create(advertiser=advertiser, **data.validated_data)
        except ValidationError as error:
            raise with_api_names(error) from None
        return self._answer(campaign, status.HTTP_201_CREATED)

    def retrieve(self, request, pk=None):
        return Response(CampaignSerializer(self._campaign()).data)

    def partial_update(self, request, pk=None):
        campaign = self._campaign()
        data = CampaignUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.campaign_update(campaign=campaign, **data.validated_data)
        except ValidationError as error:
            raise with_api_names(error) from None
        return self._answer(campaign)

    @extend_schema(summary="Send a draft or rejected campaign for review", request=None)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._answer(services.campaign_submit(campaign=self._campaign()))

    @extend_schema(summary="Pause an active campaign", request=None)
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        return self._answer(services.campaign_pause(campaign=self._campaign()))

    @extend_schema(summary="Resume a paused campaign", request=None)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        return self._answer(services.campaign_resume(campaign=self._campaign()))

    @extend_schema(
        summary="Per-day figures: impressions, clicks, CTR, spend, eCPM, budget left",
        parameters=[
            CAMPAIGN_ID,
            OpenApiParameter("start", OpenApiTypes.DATE, description="First day (YYYY-MM-DD)"),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Last day (YYYY-MM-DD)"),
        ],
        responses=CampaignReportSerializer,
    )
    @action(detail=True, methods=["get"])
    def report(self, request, pk=None):
        campaign = self._campaign()
        start, end = report_dates(campaign, request.query_params)
        report = selectors.campaign_report(campaign, start=start, end=end)
        body = {
            "campaign_id": campaign.pk,
            "start": report.start,
            "end": report.end,
            "rows": report.rows,
            "total": report.total,
        }
        return Response(CampaignReportSerializer(body).data)

    @extend_schema(
        methods=["GET"], summary="The campaign's ads", responses=CreativeSerializer(many=True)
    )
    @extend_schema(
        methods=["POST"],
        summary="Add an ad to the campaign (it waits for review)",
        request={
            "application/json": CreativeSerializer,
            "multipart/form-data": CreativeSerializer,
        },
        responses={201: CreativeSerializer},
    )
    @action(detail=True, methods=["get", "post"], parser_classes=UPLOADS)
    def creatives(self, request, pk=None):
        campaign = self._campaign()
        context = {"request": request}
        if request.method == "GET":
            items = selectors.creatives_of(campaign)
            return Response(CreativeSerializer(items, many=True, context=context).data)
        data = CreativeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        creative = services.creative_create(campaign=campaign, **data.validated_data)
        return Response(
            CreativeSerializer(creative, context=context).data, status=status.HTTP_201_CREATED
        )


def report_dates(campaign: Campaign, params) -> tuple[date, date]:
    """?start=&end= (YYYY-MM-DD), defaulting to the campaign's recent days."""
    default_start, default_end = selectors.report_range(campaign)
    try:
        start = date.fromisoformat(params["start"]) if params.get("start") else default_start
        end = date.fromisoformat(params["end"]) if params.get("end") else default_end
    except ValueError:
        raise ValidationError("Give dates as YYYY-MM-DD.") from None
    if end < start:
        raise ValidationError("The end of the report comes before its start.")
    if (end - start).days >= selectors.MAX_REPORT_DAYS:
        raise ValidationError(f"A report covers at most {selectors.MAX_REPORT_DAYS} days.")
    return start, end


@extend_schema_view(
    retrieve=extend_schema(summary="One of your ads, with its review", parameters=[CREATIVE_ID]),
    partial_update=extend_schema(
        summary="Edit an ad (it goes back to review)",
        parameters=[CREATIVE_ID],
        request={
            "application/json": CreativeSerializer,
            "multipart/form-data": CreativeSerializer,
        },
    ),
)
class CreativeViewSet(viewsets.GenericViewSet):
    """Ads (creatives) by id. Only your own."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = CreativeSerializer
    parser_classes = UPLOADS
    lookup_value_regex = "[^/]+"

    def retrieve(self, request, pk=None):
        creative = selectors.owned_creative(request.user, pk)
        return Response(CreativeSerializer(creative, context={"request": request}).data)

    def partial_update(self, request, pk=None):
        creative = selectors.owned_creative(request.user, pk)
        data = CreativeSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        image = values.pop("image", None)
        clear = "image" in request.data and not request.data.get("image")
        services.creative_update(creative=creative, image=image, clear_image=clear, **values)
        return Response(CreativeSerializer(creative, context={"request": request}).data)


class HideAdvertiserView(views.APIView):
    """Stop (POST) or resume (DELETE) seeing an advertiser's ads."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = HiddenAdvertiserSerializer

    @extend_schema(
        summary="Hide this advertiser's ads from me",
        request=None,
        parameters=[OpenApiParameter("advertiser_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses=HiddenAdvertiserSerializer,
    )
    def post(self, request, advertiser_id: int):
        advertiser = services.advertiser_hide(person=request.user, advertiser_id=advertiser_id)
        body = {"advertiser": {"id": advertiser.pk, "name": advertiser.name}, "hidden": True}
        return Response(HiddenAdvertiserSerializer(body).data)

    @extend_schema(
        summary="Show this advertiser's ads to me again",
        request=None,
        parameters=[OpenApiParameter("advertiser_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={204: None},
    )
    def delete(self, request, advertiser_id: int):
        services.advertiser_unhide(person=request.user, advertiser_id=advertiser_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
