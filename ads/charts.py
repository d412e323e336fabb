"""The advertiser report as charts, drawn by the project's one SVG chart helper
(flywheel.charts): spend per day as bars in currency, impressions, clicks and the
click-through rate per day as lines. Server-rendered, with axes, units and a text
description for screen readers."""

from datetime import datetime, time

from django.utils import timezone

from ads.money import SYMBOLS, currency, from_micros
from ads.selectors import Report
from flywheel import charts
from flywheel.chart_scales import COUNT, PERCENT, money


def report_charts(report: Report) -> list:
    zone = timezone.get_current_timezone()
    noon = [datetime.combine(row.day, time(12), tzinfo=zone) for row in report.rows]

    def line(title: str, values, unit=COUNT):
        points = list(zip(noon, values, strict=True))
        return charts.line_chart([charts.Series(title, points)], title=title, unit=unit)

    spend = charts.bar_chart(
        [row.day.strftime("%-d %b") for row in report.rows],
        [charts.Bars("Spend", [float(from_micros(r.spent_micros)) for r in report.rows])],
        title="Spend per day",
        unit=money(SYMBOLS.get(currency(), ""), name=currency()),
    )
    return [
        spend,
        line("Impressions per day", [r.impressions for r in report.rows]),
        line("Clicks per day", [r.clicks for r in report.rows]),
        line("Click-through rate", [r.ctr for r in report.rows], unit=PERCENT),
    ]
