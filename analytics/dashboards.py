"""The charts of each dashboard page, drawn from the rows of the report's own tables (so a
chart never shows a figure its table does not), with `flywheel.charts`."""

from dataclasses import dataclass

from django.utils.safestring import SafeString

from analytics.reports import Report
from flywheel import charts
from flywheel.chart_scales import COUNT, PERCENT, SECONDS, Unit

# One colour per stage of the loop, used by its card and its sparkline.
STAGE_COLOURS = {
    "collect": "#4f46e5",
    "analyse": "#0369a1",
    "personalise": "#0f766e",
    "engage": "#be185d",
    "create": "#b45309",
    "revenue": "#15803d",
}


@dataclass
class Chart:
    title: str
    svg: SafeString
    caption: str = ""
    wide: bool = False


def pivot(rows, *, by: str, value: str, x: str = "period_start") -> list[charts.Series]:
    """Rows of (x, group, value) as one series per group, every group over every x."""
    xs = sorted({row[x] for row in rows})
    groups: dict[str, dict] = {}
    for row in rows:
        groups.setdefault(row[by], {})[row[x]] = row[value]
    return [
        charts.Series(name, [(at, points.get(at)) for at in xs])
        for name, points in sorted(groups.items())
    ]


def columns_as_series(rows, names: dict[str, str], *, x: str = "period_start"):
    return [
        charts.Series(label, [(row[x], row[key]) for row in rows]) for key, label in names.items()
    ]


def _line(title, series, unit: Unit = COUNT, caption="", **kwargs) -> Chart:
    return Chart(title, charts.line_chart(series, title=title, unit=unit, **kwargs), caption)


def engagement_charts(report: Report) -> list[Chart]:
    over_time = report.table("over-time").rows
    growth = report.table("growth").rows
    step = report.period.step_label
    found = [
        _line("Engagements per impression by arm",
              pivot(over_time, by="arm", value="engagement_rate"), PERCENT,
              "Likes, shares, comments and clicks per post shown."),
        _line("Impressions by arm", pivot(over_time, by="arm", value="impressions"), COUNT,
              f"Posts shown per {step}."),
        _line("Dwell per impression by arm",
              pivot(over_time, by="arm", value="dwell_per_impression"), SECONDS,
              "Seconds a post stayed half visible, per post shown."),
        _line("Growth", columns_as_series(growth, {"people": "active people",
                                                   "new_people": "new people",
                                                   "posts": "posts"}), COUNT,
              f"Per {step}."),
    ]  # fmt: skip
    if not report.period.is_hourly:
        found.append(
            _line("Churn", columns_as_series(growth, {"churned": "churned people"}), COUNT,
                  "People active the week before last who have not come back for a week.")
        )  # fmt: skip
    return found


def models_charts(report: Report) -> list[Chart]:
    versions = [r for r in reversed(report.table("versions").rows) if "recall@20:model" in r]
    versions = [r for r in versions if r["recall@20:model"] is not None][-12:]
    names = [r["version"] for r in versions]
    found = [
        Chart(
            "recall@20: model against the popularity baseline",
            charts.bar_chart(
                names,
                [
                    charts.Bars("model", [r["recall@20:model"] for r in versions]),
                    charts.Bars("popularity baseline",
                                [r["recall@20:baseline"] for r in versions],
                                color=charts.BASELINE_COLOR),
                ],
                title="recall@20 by version", unit=Unit(decimals=2),
                empty_message="No version has been evaluated yet.",
            ),
            "Share of each person's held-out interactions found in their top 20.",
        ),
        Chart(
            "Training time and data size",
            charts.bar_chart(names, [charts.Bars("training time", [r["train_seconds"]
                                                                   for r in versions])],
                             title="Training time by version", unit=SECONDS,
                             empty_message="No version has been trained yet."),
            "Seconds to fit and evaluate; the table below has the data size of each run.",
        ),
        _line("Share of impressions by model version",
              pivot(report.table("share-over-time").rows, by="version", value="share"), PERCENT,
              "The rest of the feed comes from follows, groups, trends and fresh posts."),
    ]  # fmt: skip
    return found


def stakeholders_charts(report: Report) -> list[Chart]:
    days = report.table("by-day").rows
    return [
        _line("Homogenisation over time",
              columns_as_series(days, {"homogenisation": "Jaccard similarity"}), Unit(decimals=2),
              "Rising means people see more of the same posts."),
        _line("Diversity of topics seen", columns_as_series(days, {"topic_entropy": "entropy"}),
              Unit(name="bits", decimals=1), "Falling means narrower bubbles."),
        _line("Concentration of exposure",
              columns_as_series(days, {"author_gini": "Gini",
                                       "author_top1_share": "top 1% share"}), Unit(decimals=2),
              "How unequally impressions are spread across authors."),
        _line("Ad load and privacy choices",
              columns_as_series(days, {"ad_load": "ad load", "feed_opt_out": "feed opt-out",
                                       "ads_opt_out": "ads opt-out"}), PERCENT,
              "Shares of items shown and of accounts."),
    ]  # fmt: skip


def experiments_charts(report: Report) -> list[Chart]:
    arms = report.table("arms").rows
    names = [r["arm"] for r in arms]

    def with_interval(key, title):
        bars = charts.Bars(title, [r[key] for r in arms], [r[f"{key}_low"] for r in arms],
                           [r[f"{key}_high"] for r in arms])  # fmt: skip
        return charts.bar_chart(names, [bars], title=f"{title} by arm", unit=PERCENT)

    lifts = [r for r in report.table("lifts").rows if r["metric"] == "likes per impression"]
    return [
        Chart("Likes per impression on For you, by arm",
              with_interval("likes", "Likes per impression"),
              "For you only: its impressions and the likes made there. Whiskers: 95% "
              "confidence intervals."),
        Chart("Engagements per impression on For you, by arm",
              with_interval("engagements", "Engagements per impression"),
              "Likes, shares, comments and clicks made on For you; whiskers: 95% intervals."),
        Chart("Lift against the control",
              charts.bar_chart([r["arm"] for r in lifts],
                               [charts.Bars("lift", [r["lift"] for r in lifts],
                                            [r["low"] for r in lifts],
                                            [r["high"] for r in lifts])],
                               title="Lift in likes per impression", unit=PERCENT,
                               horizontal=True,
                               empty_message="No treatment arm to compare yet."),
              "On For you. An interval that crosses zero is no clear difference.", wide=True),
    ]  # fmt: skip


CHARTS = {
    "engagement": engagement_charts,
    "models": models_charts,
    "stakeholders": stakeholders_charts,
    "experiments": experiments_charts,
}


def ads_charts(report: Report) -> list[Chart]:
    money = next(f.unit for f in report.figures if f.label == "Revenue")
    days = report.table("by-day").rows
    campaigns = report.table("by-campaign").rows[:10]
    names = [r["campaign"] for r in campaigns]
    return [
        _line("Ad revenue per day", columns_as_series(days, {"revenue": "revenue"}), money,
              "Booked in the ads ledger."),
        _line("Fill rate", columns_as_series(days, {"fill_rate": "fill rate"}), PERCENT,
              "Share of the home feed's sponsored slots that showed an ad."),
        Chart("Spend by campaign",
              charts.bar_chart(names, [charts.Bars("spend", [r["spend"] for r in campaigns])],
                               title="Spend by campaign", unit=money, horizontal=True,
                               empty_message="No campaign has served yet."),
              "The ten campaigns that spent most in the period."),
        Chart("Budget use by campaign",
              charts.bar_chart(names, [charts.Bars("total budget used",
                                                   [r["budget_use"] for r in campaigns]),
                                       charts.Bars("daily budget used today",
                                                   [r["daily_budget_use"] for r in campaigns])],
                               title="Budget use by campaign", unit=PERCENT, horizontal=True,
                               empty_message="No campaign has served yet."),
              "Share of each budget spent."),
    ]  # fmt: skip


CHARTS["ads"] = ads_charts
