"""What the loop does: to each stakeholder (upside and downside side by side), and in the
feed experiment (each arm against the control, with 95% intervals and a verdict in words).

The arithmetic (Wilson intervals, lifts, verdicts) is `analytics.metrics`; the counts are the
rollups'. Nothing here reads the event log.
"""

from dataclasses import dataclass, field
from datetime import datetime

from analytics import metrics
from analytics.engagement import NO_ARM, ArmEngagement
from analytics.periods import Period
from analytics.reports import Figure, Report, arm_label
from analytics.selectors import (
    MICROS,
    arm_totals,
    arms_by_start,
    currency_unit,
    engagement_by_start,
    engagements,
    periods_without_for_you,
    totals_by_start,
)
from analytics.tables import TEXT, WHEN, Column, Table
from feeds.experiments import FALLBACK_ARM, OPTED_OUT_ARM
from feeds.models import FeedArm
from flywheel.chart_scales import COUNT, PERCENT, SECONDS, Unit

BITS = Unit(name="bits", decimals=2)
INDEX = Unit(decimals=3)


def _ratio(numerator, denominator):
    return numerator / denominator if denominator else None


@dataclass
class Measure:
    key: str
    label: str
    unit: Unit
    higher_is_better: bool
    note: str
    series: list[tuple[datetime, float | None]] = field(default_factory=list)
    value: float | None = None

    @property
    def display(self) -> str:
        return self.unit.labelled(self.value)

    @property
    def change(self) -> float | None:
        known = [v for _, v in self.series if v is not None]
        return known[-1] - known[0] if len(known) >= 2 else None

    @property
    def trend(self) -> str:
        """ "up", "down" or "flat" over the period."""
        change = self.change
        if change is None or abs(change) < 1e-9:
            return "flat"
        return "up" if change > 0 else "down"

    @property
    def trend_is_good(self) -> bool | None:
        if self.trend == "flat":
            return None
        return (self.trend == "up") == self.higher_is_better

    @property
    def spark(self) -> list[float | None]:
        return [v for _, v in self.series]

    def as_json(self) -> dict:
        return {"key": self.key, "label": self.label, "value": self.value,
                "unit": self.unit.kind, "trend": self.trend}  # fmt: skip


@dataclass
class Stakeholder:
    key: str
    title: str
    question: str
    upside: list[Measure]
    downside: list[Measure]

    def as_json(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "upside": [m.as_json() for m in self.upside],
            "downside": [m.as_json() for m in self.downside],
        }


def _day_values(row, everyone: ArmEngagement) -> dict:
    """The per-day figures every stakeholder measure reads."""
    shown = everyone.impressions + everyone.ad_impressions
    return {
        "people": everyone.people,
        "time_per_person": _ratio(everyone.dwell_ms / 1000, everyone.people),
        "likes_per_impression": _ratio(everyone.likes, everyone.impressions),
        "ad_load": _ratio(everyone.ad_impressions, shown),
        "topic_entropy": row.topic_entropy if row.sampled_people else None,
        "feed_opt_out": _ratio(row.feed_opted_out or 0, row.accounts) if row.accounts else None,
        "ads_opt_out": _ratio(row.ads_opted_out or 0, row.accounts) if row.accounts else None,
        "author_gini": row.author_gini if row.authors_shown else None,
        "author_top1_share": row.author_top1_share if row.authors_shown else None,
        "authors_shown": row.authors_shown,
        "new_creators": row.new_creators,
        "new_creators_reached": row.new_creators_reached,
        "reach_share": _ratio(row.new_creators_reached, row.new_creators),
        "ctr": _ratio(everyone.ad_clicks, everyone.ad_impressions),
        "cpc": _ratio(row.revenue_micros / MICROS, everyone.ad_clicks),
        "revenue": row.revenue_micros / MICROS,
        "new_people": row.signups,
        "churned": row.churned_people,
        "homogenisation": row.homogenisation if row.sampled_people >= 2 else None,
    }


def stakeholders_report(period: Period) -> Report:
    grain, since, now = period.grain, period.since, period.now
    totals = totals_by_start(grain, since, now)
    engaged = engagement_by_start(grain, since, now)
    days = [
        (start, _day_values(totals[start], engaged.get(start, ArmEngagement(arm="all"))))
        for start in period.starts
        if start in totals
    ]
    everyone = ArmEngagement.total(engaged.values())
    revenue = sum(t.revenue_micros for t in totals.values()) / MICROS
    money = currency_unit()
    # For the whole period: rates from summed counts, states from the latest day.
    whole = {
        "time_per_person": _ratio(everyone.dwell_ms / 1000, everyone.people),
        "likes_per_impression": _ratio(everyone.likes, everyone.impressions),
        "ad_load": _ratio(everyone.ad_impressions, everyone.impressions + everyone.ad_impressions),
        "ctr": _ratio(everyone.ad_clicks, everyone.ad_impressions),
        "cpc": _ratio(revenue, everyone.ad_clicks),
        "revenue": revenue,
        "new_people": sum(t.signups for t in totals.values()),
    }

    def measure(key, label, unit, higher_is_better, note) -> Measure:
        series = [(start, values[key]) for start, values in days]
        known = [v for _, v in series if v is not None]
        value = whole[key] if key in whole else (known[-1] if known else None)
        return Measure(key, label, unit, higher_is_better, note, series, value)

    groups = [
        Stakeholder("people", "People", "Do they get something out of the time they spend?",
            [measure("time_per_person", "Time spent per person per day", SECONDS, True,
                     "Dwell on posts, per active person and day."),
             measure("likes_per_impression", "Likes per impression", PERCENT, True,
                     "A satisfaction proxy: how often what they see is liked.")],
            [measure("ad_load", "Ad load", PERCENT, False,
                     "Share of items shown that were sponsored."),
             measure("topic_entropy", "Diversity of topics seen", BITS, True,
                     "Entropy of the hashtags each person saw; lower is a narrower bubble."),
             measure("feed_opt_out", "Turned the personalised feed off", PERCENT, False,
                     "Privacy choice; observed each day while it is today."),
             measure("ads_opt_out", "Turned personalised ads off", PERCENT, False,
                     "Privacy choice; observed each day while it is today.")]),
        Stakeholder("creators", "Creators", "Does attention reach new voices?",
            [measure("new_creators_reached", "New creators reaching an audience", COUNT, True,
                     "First post in the last 7 days, seen by enough other people."),
             measure("authors_shown", "Authors shown per day", COUNT, True,
                     "How many people's posts were seen at all.")],
            [measure("author_gini", "Concentration of exposure (Gini)", INDEX, False,
                     "Gini of impressions across authors: 0 equal, 1 one author gets all."),
             measure("author_top1_share", "Share going to the top 1% of authors", PERCENT,
                     False, "Impressions of the most seen 1% of authors.")]),
        Stakeholder("advertisers", "Advertisers", "Do ads reach people who care?",
            [measure("ctr", "Click-through rate", PERCENT, True, "Ad clicks per ad impression.")],
            [measure("cpc", "Cost per click", money, False, "What advertisers paid per click.")]),
        Stakeholder("platform", "The platform", "Does the loop pay and grow?",
            [measure("revenue", "Ad revenue", money, True, "Booked in the ads ledger."),
             measure("new_people", "New people", COUNT, True, "Sign-ups.")],
            [measure("churned", "Churned people", COUNT, False,
                     "Active the week before last, not seen in the last 7 days.")]),
        Stakeholder("system", "The whole system", "Does everyone end up seeing the same?",
            [measure("topic_entropy", "Diversity of topics seen", BITS, True,
                     "Mean over sampled people.")],
            [measure("homogenisation", "Homogenisation (Jaccard)", INDEX, False,
                     "Mean overlap of what pairs of people saw: 0 nothing shared, 1 the same.")]),
    ]  # fmt: skip
    report = Report("stakeholders", "Stakeholders", period)
    report.sections = groups
    measures = {m.key: m for g in groups for m in (*g.upside, *g.downside)}
    report.tables.append(
        Table(
            "by-day",
            "Stakeholder measures by day",
            [Column("period_start", "Day", WHEN)]
            + [Column(key, m.label, m.unit) for key, m in measures.items()],
            [{"period_start": start, **values} for start, values in days],
            note="Diversity and homogenisation are computed on a sample of "
            "the people who saw posts that day.",
        )
    )
    return report


# --- experiments ------------------------------------------------------------------------

RATE_METRICS = [
    ("likes", "likes per impression", lambda e: e.likes),
    ("engagements", "engagements per impression", engagements),
    ("clicks", "clicks per impression", lambda e: e.clicks),
    ("shares", "shares per impression", lambda e: e.shares),
]
PRIMARY = "likes"


def control_arm() -> str:
    arm = FeedArm.objects.filter(is_control=True).order_by("name").first()
    return arm.name if arm else "chronological"


def arm_role(arm: str, control: str) -> str:
    if arm == control:
        return "control"
    if arm == OPTED_OUT_ARM:
        return "self-selected"
    if arm == FALLBACK_ARM:
        return "no experiment"
    return "treatment"


def experiments_report(period: Period) -> Report:
    """Arms compared on For you alone: its impressions and the likes, shares, comments,
    clicks and dwell made there (analytics.engagement), since what people do on the
    Following tab, a profile or a search is not what their arm ordered. How much each arm's
    people read Following is shown beside, from all their impressions."""
    control = control_arm()
    whole = {a: e for a, e in arm_totals(period).items() if a != NO_ARM}
    by_arm = {a: e.on_for_you() for a, e in whole.items() if e.for_you_impressions}
    over_time = arms_by_start(period.grain, period.since, period.now)
    report = Report("experiments", "Experiments", period)
    arm_rows, lift_rows, verdicts = [], [], []
    base = by_arm.get(control)
    for arm, e in sorted(by_arm.items(), key=lambda item: (item[0] != control, item[0])):
        role = arm_role(arm, control)
        row = {"arm": arm_label(arm), "role": role, "people": e.people,
               "impressions": e.impressions,
               "following_share": whole[arm].following_share}  # fmt: skip
        for key, _, successes in RATE_METRICS:
            estimate = metrics.rate_interval(successes(e), e.impressions)
            row |= {key: estimate.value, f"{key}_low": estimate.low, f"{key}_high": estimate.high}
        dwell = metrics.mean_interval(
            [
                cell[arm].for_you_dwell_ms / 1000 / cell[arm].for_you_impressions
                for cell in over_time.values()
                if arm in cell and cell[arm].for_you_impressions
            ]
        )
        row |= {"dwell": dwell.value, "dwell_low": dwell.low, "dwell_high": dwell.high}
        arm_rows.append(row)
        if role != "treatment":
            continue
        for key, label, successes in RATE_METRICS:
            lift = (
                metrics.rate_lift(successes(e), e.impressions, successes(base), base.impressions)
                if base
                else None
            )
            verdict = metrics.lift_verdict(arm, control, label, lift)
            lift_rows.append({"arm": arm, "metric": label,
                              "lift": lift.lift if lift else None,
                              "low": lift.low if lift else None,
                              "high": lift.high if lift else None,
                              "verdict": verdict})  # fmt: skip
            if key == PRIMARY:
                verdicts.append(verdict)
    report.sections = verdicts
    report.figures = [
        Figure("Control", control),
        Figure("Arms with For you impressions", len(by_arm)),
        Figure("Impressions on For you", sum(e.impressions for e in by_arm.values())),
    ]
    unknown = periods_without_for_you(period)
    before = (
        f" Left out: {unknown} {period.step_label}{'' if unknown == 1 else 's'} of an arm "
        "rolled up before reactions recorded where they were made."
        if unknown
        else ""
    )
    interval = [
        Column(f"{key}{suffix}", f"{label.capitalize()}{title}", PERCENT)
        for key, label, _ in RATE_METRICS[:2]
        for suffix, title in (("", ""), ("_low", " low"), ("_high", " high"))
    ]
    report.tables.append(
        Table(
            "arms",
            "Each arm on For you, with its 95% confidence intervals",
            [
                Column("arm", "Arm", TEXT),
                Column("role", "Role", TEXT),
                Column("people", f"Active people (summed per {period.step_label})"),
                Column("impressions", "Impressions on For you"),
                Column("following_share", "Share read on Following", PERCENT),
                *interval,
                Column("dwell", "Dwell per impression", SECONDS),
                Column("dwell_low", "Dwell low", SECONDS),
                Column("dwell_high", "Dwell high", SECONDS),
            ],
            arm_rows,
            note="For you only: the rates count the impressions on For you and the likes, "
            "shares, comments and clicks made there (a like on Following, a profile or a "
            "search does not count for the arm). Rates use Wilson intervals over impressions; "
            f"dwell uses the spread between {period.step_label}s. The share read on Following "
            "(the tab no arm orders, of all the posts each arm's people saw) says how much "
            f"they leave For you for it.{before}",
        )
    )
    report.tables.append(
        Table(
            "lifts",
            f"Lift against the control ({control}), on For you",
            [
                Column("arm", "Arm", TEXT),
                Column("metric", "Metric", TEXT),
                Column("lift", "Lift", PERCENT),
                Column("low", "95% low", PERCENT),
                Column("high", "95% high", PERCENT),
                Column("verdict", "Verdict", TEXT),
            ],
            lift_rows,
        )
    )
    return report
