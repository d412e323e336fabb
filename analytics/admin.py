from django.contrib import admin, messages

from analytics import rollups
from analytics.models import (
    DailyArmEngagement,
    DailyCampaignStats,
    DailyTotals,
    HourlyArmEngagement,
    HourlyTotals,
)
from flywheel.admin import ReadOnlyAdmin


class RollupAdmin(ReadOnlyAdmin):
    """Rollups are computed, never typed in: read-only, with a way to recompute a period."""

    date_hierarchy = "period_start"
    ordering = ["-period_start"]
    grain = None  # the rollups.Grain whose tables this row belongs to
    actions = ["recompute"]

    @admin.action(
        description="Recompute the selected periods from the event log", permissions=["operate"]
    )
    def recompute(self, request, queryset):
        starts = sorted(set(queryset.values_list("period_start", flat=True)))
        done = sum(rollups.rollup_range(self.grain, start, start) for start in starts)
        self.message_user(request, f"Recomputed {done} period(s).", messages.SUCCESS)
        if done < len(starts):
            self.message_user(
                request,
                f"{len(starts) - done} period(s) are past the event retention "
                "(EVENT_RETENTION_DAYS): their events are gone, so they were left as they are.",
                messages.WARNING,
            )


TOTALS_COLUMNS = ["period_start", "events", "model_impressions", "signups", "revenue_micros"]


@admin.register(HourlyTotals)
class HourlyTotalsAdmin(RollupAdmin):
    grain = rollups.HOURLY
    list_display = [*TOTALS_COLUMNS, "computed_at"]


@admin.register(DailyTotals)
class DailyTotalsAdmin(RollupAdmin):
    grain = rollups.DAILY
    list_display = [
        *TOTALS_COLUMNS, "churned_people", "author_gini", "homogenisation", "computed_at",
    ]  # fmt: skip


ARM_COLUMNS = ["period_start", "arm", "people", "sessions", "impressions", "likes", "dwell_ms"]


class ArmEngagementAdmin(RollupAdmin):
    """The hourly and daily arm tables look alike; only the grain they recompute differs."""

    list_display = ARM_COLUMNS
    list_filter = ["arm"]


@admin.register(HourlyArmEngagement)
class HourlyArmEngagementAdmin(ArmEngagementAdmin):
    grain = rollups.HOURLY


@admin.register(DailyArmEngagement)
class DailyArmEngagementAdmin(ArmEngagementAdmin):
    grain = rollups.DAILY


@admin.register(DailyCampaignStats)
class DailyCampaignStatsAdmin(RollupAdmin):
    grain = rollups.DAILY
    list_display = ["period_start", "campaign_id", "advertiser_id", "impressions", "clicks",
                    "spend_micros"]  # fmt: skip
