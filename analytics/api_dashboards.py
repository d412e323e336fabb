"""The dashboards' figures as JSON, for staff tokens: `/api/analytics/flywheel/` and one
endpoint per report (`engagement`, `models`, `ads`, `stakeholders`, `experiments`), each
taking `?days=1|7|30|90`. The same selectors and reports as the pages, so the numbers agree.
"""

from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics import reports, reports_impact, selectors
from analytics.ads_report import ads_report
from analytics.periods import CHOICES, period_from
from analytics.rollups import HOURLY

DAYS = OpenApiParameter(
    "days", int, enum=list(CHOICES), description="The window: 1 (by hour), 7, 30 or 90 days."
)
REPORT_RESPONSE = inline_serializer(
    "AnalyticsReport",
    {
        "report": serializers.CharField(),
        "period": serializers.DictField(help_text="days, step (hour or day), since, until"),
        "figures": serializers.ListField(child=serializers.DictField()),
        "sections": serializers.ListField(
            child=serializers.JSONField(), help_text="Stakeholder groups, or verdicts."
        ),
        "tables": serializers.ListField(
            child=serializers.DictField(), help_text="name, title, columns and rows"
        ),
    },
)


class StaffOnly(permissions.IsAdminUser):
    message = "The analytics are for staff only."


class FlywheelAPIView(APIView):
    """The six stages of the loop: each one's figure for the last 60 minutes and its 24
    hourly values, and whether the loop is turning."""

    permission_classes = [StaffOnly]

    @extend_schema(
        summary="The flywheel, stage by stage",
        responses=inline_serializer(
            "Flywheel",
            {
                "state": serializers.ChoiceField(["turning", "idle", "stale", "empty"]),
                "computed_at": serializers.DateTimeField(allow_null=True),
                "events_last_hour": serializers.FloatField(),
                "stages": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def get(self, request):
        wheel = selectors.flywheel()
        hours = HOURLY.starts(HOURLY.floor(wheel.now) - 23 * selectors.HOUR, wheel.now)
        return Response(
            {
                "state": wheel.state,
                "computed_at": wheel.computed_at,
                "events_last_hour": wheel.events_last_hour,
                "stages": [
                    {
                        "key": stage.key,
                        "number": stage.number,
                        "title": stage.title,
                        "value": stage.value,
                        "unit": stage.unit.kind,
                        "caption": stage.caption,
                        "details": stage.details,
                        "series": _series(stage, hours),
                    }
                    for stage in wheel.stages
                ],
            }
        )


def _series(stage, hours) -> list[dict]:
    if stage.key == "analyse":  # one value per model version, not per hour
        return [{"version": n, "value": value} for n, value in enumerate(stage.spark)]
    return [{"period_start": h, "value": v} for h, v in zip(hours, stage.spark, strict=False)]


class ReportAPIView(APIView):
    """One dashboard's headline figures and tables (raw values: fractions, seconds,
    currency units)."""

    permission_classes = [StaffOnly]
    build = None
    daily_only = False

    @extend_schema(parameters=[DAYS], responses=REPORT_RESPONSE)
    def get(self, request):
        period = period_from(request.query_params, daily_only=self.daily_only)
        return Response(type(self).build(period).as_json())


def report_view(name: str, build, summary: str, *, daily_only: bool = False):
    view = type(
        f"{name.capitalize()}ReportAPIView",
        (ReportAPIView,),
        {"build": staticmethod(build), "daily_only": daily_only, "__doc__": summary},
    )
    # Per method, not on the class: each report keeps its own operation id in the schema.
    return extend_schema_view(get=extend_schema(summary=summary, operation_id=f"analytics_{name}"))(
        view
    )


REPORT_VIEWS = {
    "engagement": report_view(
        "engagement", reports.engagement_report, "Engagement and growth by experiment arm"
    ),
    "models": report_view(
        "models", reports.models_report, "Model versions against the popularity baseline"
    ),
    "ads": report_view(
        "ads", ads_report, "Ad revenue, eCPM, CTR, fill rate and budget use", daily_only=True
    ),
    "stakeholders": report_view(
        "stakeholders",
        reports_impact.stakeholders_report,
        "Upside and downside for people, creators, advertisers and the platform",
        daily_only=True,
    ),
    "experiments": report_view(
        "experiments",
        reports_impact.experiments_report,
        "Experiment arms with 95% intervals, lifts and verdicts",
    ),
}
