"""The advertiser report as charts, drawn by the project's one SVG chart helper
(flywheel.charts): spend per day as bars in currency, impressions and clicks per day as
lines. Server-rendered, with axes, units and a text description for screen readers."""

from datetime import datetime, time

from django.utils import timezone

from ads.money import SYMBOLS, currency, from_micros
from ads.selectors import Report
from flywheel import charts
from flywheel.chart_scales import COUNT, money


def report_charts(report: Report) -> dict:
    days = [row.day for row in report.rows]
    zone = timezone.get_current_timezone()
    noon = [datetime.combine(day, time(12), tzinfo=zone) for day in days]
    unit = money(SYMBOLS.get(currency(), ""), name=currency())
    spend = charts.bar_chart(
        [day.strftime("%-d %b") for day in days],
        [charts.Bars("Spend", [float(from_micros(r.spent_micros)) for r in report.rows])],
        title="Spend per day",
        unit=unit,
    )
    impressions = [(at, row.impressions) for at, row in zip(noon, report.rows, strict=True)]
    clicks = [(at, row.clicks) for at, row in zip(noon, report.rows, strict=True)]
    served = charts.line_chart(
        [charts.Series("Impressions", impressions), charts.Series("Clicks", clicks)],
        title="Impressions and clicks per day",
        unit=COUNT,
    )
    return {"spend": spend, "served": served}
