"""Staff pages: the flywheel (polled by htmx while it is open) and the detail dashboards.

Thin: read `?days=`, build the report, draw its charts, or send one of its tables as CSV.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.views.decorators.http import require_GET

from analytics import dashboards, reports, reports_impact, selectors
from analytics.ads_report import ads_report
from analytics.periods import CHOICES, period_from
from analytics.tables import csv_response
from feeds.staff_views import staff_required
from social.views_common import error_response


@dataclass(frozen=True)
class Page:
    name: str
    build: Callable
    intro: str
    daily_only: bool = False
    section: str = ""  # a template for what is above the charts
    title: str = ""  # as the index lists it


PAGES = {
    "engagement": Page(
        "engagement", reports.engagement_report,
        "What people do with what they are shown, by experiment arm, and how the network grows.",
        title="Engagement and growth",
    ),
    "models": Page(
        "models", reports.models_report,
        "Each training run against the popularity baseline of the same run, what it cost, and "
        "how much of the feed each version placed.",
        title="Models",
    ),
    "ads": Page(
        "ads", ads_report,
        "Revenue, prices and delivery by campaign and advertiser.",
        daily_only=True, section="analytics/_ads_summary.html", title="Ads",
    ),
    "stakeholders": Page(
        "stakeholders", reports_impact.stakeholders_report,
        "What the loop does for and to people, creators, advertisers, the platform and the "
        "system as a whole: the upside and the downside side by side.",
        daily_only=True, section="analytics/_stakeholders.html", title="Stakeholders",
    ),
    "experiments": Page(
        "experiments", reports_impact.experiments_report,
        "Each arm of the home-feed experiment against the control, with 95% confidence "
        "intervals and a verdict in plain words.",
        section="analytics/_verdicts.html", title="Experiments",
    ),
}  # fmt: skip


@require_GET
@staff_required
def flywheel_page(request):
    wheel = selectors.flywheel()
    context = {
        "wheel": wheel,
        "cards": [
            {"stage": stage, "colour": dashboards.STAGE_COLOURS[stage.key]}
            for stage in wheel.stages
        ],
        "poll_seconds": settings.ANALYTICS_POLL_SECONDS,
    }
    if request.htmx:
        return render(request, "analytics/_flywheel.html", context)
    return render(request, "analytics/flywheel.html", context)


@require_GET
@staff_required
def index_page(request):
    """/staff/analytics/: where the detail pages are, each with what it answers."""
    return render(request, "analytics/index.html", {"pages": PAGES.values()})


@require_GET
@staff_required
def report_page(request, name: str):
    page = PAGES[name]
    try:
        period = period_from(request.GET, daily_only=page.daily_only)
    except ValidationError as error:
        return error_response(request, 400, " ".join(error.messages))
    report = page.build(period)
    wanted = request.GET.get("download")
    if wanted is not None:
        table = report.table(wanted)
        if table is None:
            names = ", ".join(t.name for t in report.tables)
            return error_response(request, 404, f"This page has no table “{wanted[:40]}”: {names}.")
        return csv_response(table, prefix=name)
    charts = dashboards.CHARTS[name](report) if name in dashboards.CHARTS else []
    context = {
        "page": page,
        "report": report,
        "charts": charts,
        "choices": CHOICES,
        "query_days": period.days,
    }
    return render(request, "analytics/report.html", context)
