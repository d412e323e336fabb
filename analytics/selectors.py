"""Reading the rollups: per-period series for the reports, and the flywheel's six stages.

Nothing here touches the event log: every figure comes from the hourly and daily tables the
rollups keep (plus the model registry for the analysis stage).
"""

from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta

from django.db.models import Sum
from django.utils import timezone

from analytics.engagement import FOR_YOU_FIELDS, ArmEngagement
from analytics.periods import Period
from analytics.rollups import HOURLY, Grain
from feeds.models import ModelKind, ModelVersion
from flywheel.chart_scales import COUNT, PERCENT, SECONDS, Unit, money

HOUR = timedelta(hours=1)
COUNT_FIELDS = [f.name for f in fields(ArmEngagement) if f.name != "arm"]
MICROS = 1_000_000
STALE_AFTER = timedelta(minutes=10)


def engagements(e: ArmEngagement) -> int:
    """Reactions to what was shown: likes, shares, comments and clicks."""
    return e.likes + e.shares + e.comments + e.clicks


def engagement_rate(e: ArmEngagement) -> float | None:
    return engagements(e) / e.impressions if e.impressions else None


def currency_unit() -> Unit:
    """Money as the ads app shows it ($ for USD...), without importing ads at module load."""
    try:
        from ads.money import SYMBOLS, currency
    except ImportError:  # pragma: no cover - the ads app ships with the project
        return money("$")
    code = currency()
    return money(SYMBOLS.get(code, f"{code} "))


# --- rollup readers ---------------------------------------------------------------------


def totals_by_start(grain: Grain, since: datetime, until: datetime) -> dict:
    rows = grain.totals.objects.filter(period_start__gte=since, period_start__lte=until)
    return {row.period_start: row for row in rows}


def arms_by_start(grain: Grain, since: datetime, until: datetime) -> dict[datetime, dict]:
    """{period start: {arm: ArmEngagement}}."""
    rows = grain.arms.objects.filter(period_start__gte=since, period_start__lte=until)
    found: dict[datetime, dict] = {}
    for row in rows.values("period_start", "arm", *COUNT_FIELDS):
        start = row.pop("period_start")
        found.setdefault(start, {})[row["arm"]] = ArmEngagement(**row)
    return found


def _counts(row: dict) -> dict:
    """Summed rollup columns as ArmEngagement takes them: For-you sums stay None when no row
    of the sum knew them (analytics.engagement)."""
    return {
        name: (None if row[name] is None and name in FOR_YOU_FIELDS else int(row[name] or 0))
        for name in COUNT_FIELDS
    }


def engagement_by_start(grain: Grain, since: datetime, until: datetime) -> dict:
    """{period start: every arm together}, summed by the database."""
    rows = (
        grain.arms.objects.filter(period_start__gte=since, period_start__lte=until)
        .values("period_start")
        .annotate(**{name: Sum(name) for name in COUNT_FIELDS})
        .order_by("period_start")
    )
    return {row["period_start"]: ArmEngagement(arm="all", **_counts(row)) for row in rows}


def arm_totals(period: Period) -> dict[str, ArmEngagement]:
    """Each arm's counts added up over the period (people are person-periods)."""
    rows = (
        period.grain.arms.objects.filter(period_start__gte=period.since)
        .values("arm")
        .annotate(**{name: Sum(name) for name in COUNT_FIELDS})
        .order_by("arm")
    )
    return {row["arm"]: ArmEngagement(arm=row["arm"], **_counts(row)) for row in rows}


def periods_without_for_you(period: Period) -> int:
    """Arm rows of the period whose For-you counts are not known (rolled up before reactions
    recorded their surface): the experiments' For-you rates leave them out."""
    rows = period.grain.arms.objects.filter(period_start__gte=period.since)
    return rows.filter(for_you_impressions__isnull=True).count()


# --- the flywheel -----------------------------------------------------------------------


@dataclass
class Stage:
    key: str
    number: int
    title: str
    question: str
    value: float | None
    unit: Unit
    caption: str
    details: list[str] = field(default_factory=list)
    spark: list[float | None] = field(default_factory=list)
    spark_title: str = ""
    spark_unit: Unit = COUNT
    link: str = ""  # the name of the detail page

    @property
    def display(self) -> str:
        if self.value is None:
            return "\u2013"
        return self.unit.short(self.value)


@dataclass
class Flywheel:
    now: datetime
    stages: list[Stage]
    computed_at: datetime | None
    events_last_hour: float

    @property
    def state(self) -> str:
        """turning, idle (rollups fresh, no events), stale (rollups not running) or empty."""
        if self.computed_at is None:
            return "empty"
        if self.now - self.computed_at > STALE_AFTER:
            return "stale"
        return "turning" if self.events_last_hour > 0 else "idle"


class TrailingHour:
    """Figures over the last 60 minutes from hourly rows: the current (partial) hour plus the
    part of the previous hour that the current one has not covered yet."""

    def __init__(self, totals: dict, now: datetime):
        current = max((s for s in totals if s <= now), default=None)
        self.current = current
        self.previous = current - HOUR if current else None
        covered = 0.0
        if current is not None:
            seen_until = min(totals[current].computed_at, current + HOUR)
            covered = min(1.0, max(0.0, (seen_until - current) / HOUR))
        self.weight_previous = 1.0 - covered

    def of(self, by_start: dict, value) -> float:
        total = 0.0
        if self.current in by_start:
            total += value(by_start[self.current])
        if self.previous in by_start:
            total += value(by_start[self.previous]) * self.weight_previous
        return total


def _ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 120:
        return f"{minutes} min ago"
    return f"{minutes // 60} h ago"


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def flywheel(*, now: datetime | None = None) -> Flywheel:
    """The six stages with their live figure (last 60 minutes) and 24 hourly values."""
    now = now or timezone.now()
    first = HOURLY.floor(now) - 23 * HOUR
    totals = totals_by_start(HOURLY, first - HOUR, now)
    engaged = engagement_by_start(HOURLY, first - HOUR, now)
    hours = HOURLY.starts(first, now)
    last = TrailingHour(totals, now)
    money_unit = currency_unit()

    def spark(by_start, value):
        return [value(by_start[h]) if h in by_start else None for h in hours]

    events = last.of(totals, lambda t: t.events)
    impressions = last.of(engaged, lambda e: e.impressions)
    placed = last.of(totals, lambda t: t.model_impressions)
    reactions = last.of(engaged, engagements)
    dwell_ms = last.of(engaged, lambda e: e.dwell_ms)
    revenue = last.of(totals, lambda t: t.revenue_micros) / MICROS
    day_totals = [totals[h] for h in hours if h in totals]
    day_engaged = [engaged[h] for h in hours if h in engaged]
    revenue_day = sum(t.revenue_micros for t in day_totals) / MICROS
    ad_impressions_day = sum(e.ad_impressions for e in day_engaged)
    versions = list(ModelVersion.objects.filter(kind=ModelKind.FEED_ALS).order_by("-id")[:12])
    active = next((v for v in versions if v.state == ModelVersion.State.ACTIVE), None)
    finished = next((v for v in versions if v.finished_at), None)
    recalls = [(v.metrics or {}).get("model", {}).get("recall@20") for v in reversed(versions)]
    analysis = _analysis_details(active, finished, now)
    stages = [
        Stage("collect", 1, "Data collected", "Is every interaction being recorded?",
              events, COUNT, "events per hour",
              [f"{engaged[last.current].people if last.current in engaged else 0:,} people "
               "active this hour",
               f"{sum(t.events for t in day_totals):,} events in 24 hours"],
              spark(totals, lambda t: t.events), "Events per hour, last 24 hours", COUNT,
              "analytics:engagement"),
        Stage("analyse", 2, "Analysis", "Is the model learning from the data?",
              active.pk if active else None, Unit(kind="version"), "active model version",
              analysis, [r for r in recalls if r is not None],
              "recall@20 of the latest versions", COUNT, "analytics:models"),
        Stage("personalise", 3, "Personalisation", "How much of the feed does the model pick?",
              _ratio(placed, impressions), PERCENT, "of impressions placed by the model",
              [f"{placed:,.0f} of {impressions:,.0f} impressions in the last hour"],
              spark(totals, lambda t: _ratio(t.model_impressions,
                                             engaged[t.period_start].impressions)
                    if t.period_start in engaged else None),
              "Share of impressions placed by the model, per hour", PERCENT, "analytics:models"),
        Stage("engage", 4, "Engagement", "Do people react to what they are shown?",
              _ratio(reactions, impressions), PERCENT, "engagements per impression",
              [f"{SECONDS.format(_ratio(dwell_ms / 1000, impressions))} "
               "dwell per impression",
               f"{reactions:,.0f} likes, shares, comments and clicks in the last hour"],
              spark(engaged, engagement_rate), "Engagements per impression, per hour", PERCENT,
              "analytics:engagement"),
        Stage("create", 5, "Creation and growth", "Do engaged people post, do new ones join?",
              last.of(engaged, lambda e: e.posts), COUNT, "posts per hour",
              [f"{sum(t.signups for t in day_totals):,} new people in 24 hours",
               f"{sum(e.posts for e in day_engaged):,} posts in 24 hours"],
              spark(engaged, lambda e: e.posts), "Posts per hour, last 24 hours", COUNT,
              "analytics:engagement"),
        Stage("revenue", 6, "Revenue", "Does attention turn into income?",
              revenue, money_unit, "ad revenue per hour",
              [f"{money_unit.format(revenue_day)} in 24 hours",
               f"eCPM {money_unit.format(_ratio(revenue_day * 1000, ad_impressions_day))}"],
              spark(totals, lambda t: t.revenue_micros / MICROS),
              "Ad revenue per hour, last 24 hours", money_unit, "analytics:ads"),
    ]  # fmt: skip
    computed = max((t.computed_at for t in totals.values()), default=None)
    return Flywheel(now=now, stages=stages, computed_at=computed, events_last_hour=events)


def _analysis_details(active, finished, now) -> list[str]:
    details = []
    if active is not None:
        model = (active.metrics or {}).get("model", {})
        baseline = (active.metrics or {}).get("baseline", {})
        if "recall@20" in model:
            details.append(
                f"recall@20 {model['recall@20']:.3f} vs {baseline.get('recall@20', 0):.3f} "
                "for the popularity baseline"
            )
        details.append(f"{active.users:,} people \u00d7 {active.items:,} posts")
    else:
        details.append("No model is active: feeds are not personalised yet.")
    if finished is not None:
        took = f" in {finished.train_seconds:.1f} s" if finished.train_seconds else ""
        verdict = finished.get_state_display().lower()
        details.append(f"Last training {_ago(finished.finished_at, now)}{took} ({verdict})")
    return details
