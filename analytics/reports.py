"""The detail reports behind the dashboards and `/api/analytics/`: engagement and growth by
arm, and the models. Each report is headline figures plus tables of exact numbers; the pages
draw their charts from the same rows, so a chart never shows a figure the table does not.
"""

from dataclasses import dataclass, field

from analytics.engagement import NO_ARM, ArmEngagement
from analytics.periods import Period
from analytics.selectors import (
    arm_totals,
    arms_by_start,
    engagement_by_start,
    engagement_rate,
    engagements,
    totals_by_start,
)
from analytics.tables import TEXT, WHEN, Column, Table
from feeds.models import ModelKind, ModelVersion
from flywheel.chart_scales import COUNT, PERCENT, SECONDS, Unit


@dataclass
class Figure:
    label: str
    value: float | str | None
    unit: Unit = COUNT
    note: str = ""

    @property
    def display(self) -> str:
        if isinstance(self.value, str):
            return self.value
        return self.unit.short(self.value) if self.value is not None else "\u2013"

    def as_json(self) -> dict:
        return {"label": self.label, "value": self.value, "unit": self.unit.kind}


@dataclass
class Report:
    name: str
    title: str
    period: Period
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    sections: list = field(default_factory=list)  # stakeholder groups, verdicts...

    def table(self, name: str) -> Table | None:
        return next((t for t in self.tables if t.name == name), None)

    def as_json(self) -> dict:
        return {
            "report": self.name,
            "period": {
                "days": self.period.days,
                "step": self.period.step_label,
                "since": self.period.since.isoformat(),
                "until": self.period.now.isoformat(),
            },
            "figures": [f.as_json() for f in self.figures],
            "sections": [s.as_json() if hasattr(s, "as_json") else s for s in self.sections],
            "tables": [t.as_json() for t in self.tables],
        }


def arm_label(arm: str) -> str:
    return arm if arm != NO_ARM else "no arm"


def _per(value: float, count: int) -> float | None:
    return value / count if count else None


def _dwell_seconds(e: ArmEngagement) -> float | None:
    return e.dwell_ms / 1000 / e.impressions if e.impressions else None


# --- engagement and growth --------------------------------------------------------------


def engagement_report(period: Period) -> Report:
    grain, since, now = period.grain, period.since, period.now
    by_arm = arm_totals(period)
    totals = totals_by_start(grain, since, now)
    steps = len(totals)  # periods the rollups have covered
    everyone = ArmEngagement.total(by_arm.values())
    step = period.step_label
    report = Report("engagement", "Engagement and growth", period)
    report.figures = [
        Figure(f"Active people per {step}", _per(everyone.people, steps), COUNT, "mean"),
        Figure("Sessions", everyone.sessions),
        Figure("Impressions", everyone.impressions),
        Figure("Engagements per impression", engagement_rate(everyone), PERCENT,
               "likes, shares, comments and clicks"),
        Figure("Dwell per impression", _dwell_seconds(everyone), SECONDS),
        Figure("New people", sum(t.signups for t in totals.values())),
        Figure("Posts", everyone.posts),
    ]  # fmt: skip
    report.tables.append(
        Table(
            "by-arm",
            "Engagement by arm",
            [
                Column("arm", "Arm", TEXT),
                Column("people", f"Active people per {step}"),
                Column("sessions", "Sessions"),
                Column("impressions", "Impressions"),
                Column("likes", "Likes"),
                Column("shares", "Shares"),
                Column("comments", "Comments"),
                Column("clicks", "Clicks"),
                Column("engagement_rate", "Engagements per impression", PERCENT),
                Column("likes_per_impression", "Likes per impression", PERCENT),
                Column("dwell_per_impression", "Dwell per impression", SECONDS),
                Column("posts", "Posts"),
            ],
            [
                {
                    "arm": arm_label(arm),
                    "people": _per(e.people, steps),
                    "sessions": e.sessions,
                    "impressions": e.impressions,
                    "likes": e.likes,
                    "shares": e.shares,
                    "comments": e.comments,
                    "clicks": e.clicks,
                    "engagement_rate": engagement_rate(e),
                    "likes_per_impression": e.likes_per_impression if e.impressions else None,
                    "dwell_per_impression": _dwell_seconds(e),
                    "posts": e.posts,
                }
                for arm, e in by_arm.items()
            ],
            note=f"People are counted once per {step} they were active, and averaged.",
        )
    )
    arms = arms_by_start(grain, since, now)
    report.tables.append(
        Table(
            "over-time",
            f"Engagement by arm and {step}",
            [
                Column("period_start", step.capitalize(), WHEN),
                Column("arm", "Arm", TEXT),
                Column("people", "Active people"),
                Column("sessions", "Sessions"),
                Column("impressions", "Impressions"),
                Column("engagements", "Engagements"),
                Column("engagement_rate", "Engagements per impression", PERCENT),
                Column("dwell_per_impression", "Dwell per impression", SECONDS),
            ],
            [
                {
                    "period_start": start,
                    "arm": arm_label(arm),
                    "people": e.people,
                    "sessions": e.sessions,
                    "impressions": e.impressions,
                    "engagements": engagements(e),
                    "engagement_rate": engagement_rate(e),
                    "dwell_per_impression": _dwell_seconds(e),
                }
                for start in sorted(arms)
                for arm, e in sorted(arms[start].items())
            ],
            hourly=period.is_hourly,
        )
    )
    report.tables.append(growth_table(period, totals))
    return report


def growth_table(period: Period, totals: dict) -> Table:
    engaged = engagement_by_start(period.grain, period.since, period.now)
    columns = [
        Column("period_start", period.step_label.capitalize(), WHEN),
        Column("people", "Active people"),
        Column("sessions", "Sessions"),
        Column("new_people", "New people"),
        Column("posts", "Posts"),
        Column("follows", "Follows"),
        Column("events", "Events"),
    ]
    if not period.is_hourly:
        columns.append(Column("churned", "Churned (lapsed a week)"))
    rows = []
    for start in period.starts:
        row = totals.get(start)
        everyone = engaged.get(start, ArmEngagement(arm="all"))
        rows.append(
            {
                "period_start": start,
                "people": everyone.people if row else None,
                "sessions": everyone.sessions if row else None,
                "new_people": row.signups if row else None,
                "posts": everyone.posts if row else None,
                "follows": row.follows if row else None,
                "events": row.events if row else None,
                "churned": getattr(row, "churned_people", None),
            }
        )
    return Table("growth", "Growth", columns, rows, hourly=period.is_hourly)


# --- models -----------------------------------------------------------------------------

SHOWN_VERSIONS = 30
METRIC = Unit(decimals=3)


def models_report(period: Period) -> Report:
    report = Report("models", "Models", period)
    versions = list(ModelVersion.objects.order_by("-id")[:SHOWN_VERSIONS])
    feed_versions = [v for v in versions if v.kind == ModelKind.FEED_ALS]
    metric_names = sorted(
        {name for v in versions for name in ((v.metrics or {}).get("model") or {})},
        key=lambda name: (name != "recall@20", name),
    )
    active = next((v for v in feed_versions if v.state == ModelVersion.State.ACTIVE), None)
    placed = period.grain.versions.objects.filter(period_start__gte=period.since)
    placed_rows = list(placed.values_list("period_start", "model_version", "impressions"))
    shown = engagement_by_start(period.grain, period.since, period.now)
    impressions = sum(e.impressions for e in shown.values())
    by_version: dict[int, int] = {}
    for _, version, count in placed_rows:
        by_version[version] = by_version.get(version, 0) + count
    placed_total = sum(by_version.values())
    active_metrics = (active.metrics or {}) if active else {}
    report.figures = [
        Figure("Active version", f"v{active.pk}" if active else "none"),
        Figure("recall@20", (active_metrics.get("model") or {}).get("recall@20")),
        Figure("Popularity baseline", (active_metrics.get("baseline") or {}).get("recall@20")),
        Figure("Impressions placed by a model", placed_total / impressions if impressions else None,
               PERCENT),
        Figure("Versions trained", sum(1 for v in versions if v.finished_at)),
    ]  # fmt: skip
    columns = [
        Column("version", "Version", TEXT),
        Column("kind", "Kind", TEXT),
        Column("state", "State", TEXT),
        Column("created_at", "Created", WHEN),
        Column("train_seconds", "Training time", SECONDS),
        Column("users", "People"),
        Column("items", "Items"),
        Column("nonzeros", "Interactions"),
    ]
    for name in metric_names:
        columns += [
            Column(f"{name}:model", f"{name} (model)", METRIC),
            Column(f"{name}:baseline", f"{name} (baseline)", METRIC),
        ]
    rows = []
    for v in versions:
        model = (v.metrics or {}).get("model") or {}
        baseline = (v.metrics or {}).get("baseline") or {}
        row = {
            "version": f"v{v.pk}",
            "kind": v.get_kind_display(),
            "state": v.get_state_display(),
            "created_at": v.created_at,
            "train_seconds": v.train_seconds,
            "users": v.users,
            "items": v.items,
            "nonzeros": v.nonzeros,
        }
        for name in metric_names:
            row[f"{name}:model"] = model.get(name)
            row[f"{name}:baseline"] = baseline.get(name)
        rows.append(row)
    report.tables.append(
        Table("versions", "Versions: the model against the popularity baseline", columns, rows,
              note=f"The newest {SHOWN_VERSIONS} training runs of every model.")
    )  # fmt: skip
    report.tables.append(
        Table(
            "impressions-by-version",
            "Which version served what share of impressions",
            [
                Column("version", "Version", TEXT),
                Column("impressions", "Impressions"),
                Column("share", "Share of all impressions", PERCENT),
            ],
            [
                {
                    "version": f"v{version}",
                    "impressions": count,
                    "share": count / impressions if impressions else None,
                }
                for version, count in sorted(by_version.items(), reverse=True)
            ]
            + [
                {
                    "version": "not placed by a model",
                    "impressions": impressions - placed_total,
                    "share": (impressions - placed_total) / impressions if impressions else None,
                }
            ],
        )
    )
    report.tables.append(
        Table(
            "share-over-time",
            f"Share of impressions by version and {period.step_label}",
            [
                Column("period_start", period.step_label.capitalize(), WHEN),
                Column("version", "Version", TEXT),
                Column("impressions", "Impressions"),
                Column("share", "Share", PERCENT),
            ],
            [
                {
                    "period_start": start,
                    "version": f"v{version}",
                    "impressions": count,
                    "share": count / shown[start].impressions
                    if start in shown and shown[start].impressions
                    else None,
                }
                for start, version, count in sorted(placed_rows)
            ],
            hourly=period.is_hourly,
        )
    )
    return report
