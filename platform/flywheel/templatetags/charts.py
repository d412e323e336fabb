"""Chart tags: `{% load charts %}`, then `{% sparkline values title="Events per hour" %}`,
`{% line_chart series title="..." unit="percent" %}` or `{% bar_chart categories bars ... %}`.

Units are named in templates: "count" (default), "percent", "seconds" or "money:$". Every
chart is drawn by `flywheel.charts`.
"""

from django import template

from flywheel import charts
from flywheel.chart_scales import unit_named

register = template.Library()


@register.simple_tag
def sparkline(
    values, title, unit="count", width=160, height=36, color=charts.PALETTE[0], stretch=False
):
    return charts.sparkline(
        values or [],
        title=title,
        unit=unit_named(unit),
        width=int(width),
        height=int(height),
        color=color,
        stretch=bool(stretch),
    )


@register.simple_tag
def line_chart(series, title, unit="count", y_label="", width=640, height=260):
    return charts.line_chart(
        series or [],
        title=title,
        unit=unit_named(unit),
        y_label=y_label,
        width=int(width),
        height=int(height),
    )


@register.simple_tag
def bar_chart(categories, bars, title, unit="count", y_label="", horizontal=False, width=640):
    return charts.bar_chart(
        categories or [],
        bars or [],
        title=title,
        unit=unit_named(unit),
        y_label=y_label,
        horizontal=bool(horizontal),
        width=int(width),
    )
