"""Server-rendered SVG charts: every chart of the project is drawn here.

Three kinds: a line chart (over time, or over numbers), a bar chart (grouped, vertical or
horizontal, with optional 95% interval whiskers) and a sparkline. Each returns a safe SVG
string with axes, round ticks, units, a legend when there is more than one series, an
accessible title and a text description of the data, so a screen reader hears the figures a
sighted reader sees. No JavaScript, no library: the page is readable the moment it arrives,
works inside htmx fragments and in e-mails, and costs nothing to load.

Templates use the tags in `flywheel.templatetags.charts`; Python code calls these functions.
"""

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from flywheel.chart_scales import (
    COUNT,
    HOUR,
    Unit,
    nice_ticks,
    tick_decimals,
    time_label,
    time_ticks,
)

# Eight colours that stay apart for the common colour-vision deficiencies and keep 3:1 or more
# against white, so a line is never told apart by hue alone: the legend and titles say it too.
PALETTE = [
    "#4f46e5", "#d9480f", "#0f766e", "#be185d", "#b45309", "#0369a1", "#15803d", "#52525b",
]  # fmt: skip
BASELINE_COLOR = "#9aa1b2"
GRID = "#e6e9f0"
AXIS = "#b9c0d0"
TEXT = "#565e73"
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'
_ids = itertools.count(1)


@dataclass
class Series:
    """One line: (x, y) points, x a datetime or a number; a y of None breaks the line."""

    label: str
    points: Sequence[tuple[Any, float | None]]
    color: str | None = None
    dashed: bool = False


@dataclass
class Bars:
    """One bar per category; `lows`/`highs` draw an interval whisker on each bar."""

    label: str
    values: Sequence[float | None]
    lows: Sequence[float | None] | None = None
    highs: Sequence[float | None] | None = None
    color: str | None = None


def _colour(index: int, chosen: str | None) -> str:
    return chosen or PALETTE[index % len(PALETTE)]


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text(x, y, text, *, anchor="middle", size=12, weight=None, fill=TEXT, extra="") -> str:
    bold = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}" font-size="{size}"'
        f'{bold} fill="{fill}"{extra}>{escape(text)}</text>'
    )


def _open_svg(width: int, height: int, title: str, description: str, css_class: str) -> str:
    ident = f"chart-{next(_ids)}"
    return (
        f'<svg class="{css_class}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} '
        f'{height}" width="100%" role="img" aria-labelledby="{ident}-t {ident}-d" {FONT} '
        f'style="max-width:{width}px;height:auto;display:block;overflow:visible">'
        f'<title id="{ident}-t">{escape(title)}</title>'
        f'<desc id="{ident}-d">{escape(description)}</desc>'
    )


def _empty(width: int, height: int, title: str, message: str, css_class: str) -> SafeString:
    return mark_safe(
        _open_svg(width, height, title, message, css_class)
        + f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" rx="8" '
        f'fill="#f8f9fc" stroke="{GRID}"/>'
        + _text(width / 2, height / 2 + 4, message, size=13)
        + "</svg>"
    )


def _legend(items: list[tuple[str, str, bool]], *, right: float, y: float) -> str:
    """Swatches and labels, right-aligned on one row above the plot."""
    parts, x = [], right
    for label, colour, dashed in reversed(items):
        width = 7 * len(label) + 26
        x -= width
        dash = ' stroke-dasharray="5 3"' if dashed else ""
        parts.append(
            f'<line x1="{_num(x)}" y1="{_num(y - 4)}" x2="{_num(x + 16)}" y2="{_num(y - 4)}" '
            f'stroke="{colour}" stroke-width="3"{dash}/>'
            + _text(x + 21, y, label, anchor="start", fill="#1a1d29")
        )
    return "".join(parts)


def _describe(series_values: list[tuple[str, float | None]], unit: Unit, prefix: str) -> str:
    latest = [f"{label} {unit.format(value)}" for label, value in series_values]
    return f"{prefix} Latest: {'; '.join(latest)}." if latest else prefix


def _y_axis(ticks, unit, scale_y, left, right) -> str:
    decimals = tick_decimals(ticks, unit)
    parts = []
    for tick in ticks:
        y = scale_y(tick)
        parts.append(
            f'<line x1="{_num(left)}" y1="{_num(y)}" x2="{_num(right)}" y2="{_num(y)}" '
            f'stroke="{AXIS if tick == 0 else GRID}"/>'
        )
        parts.append(_text(left - 8, y + 4, unit.short(tick, decimals=decimals), anchor="end"))
    return "".join(parts)


def _left_margin(ticks, unit) -> int:
    decimals = tick_decimals(ticks, unit)
    longest = max(len(unit.short(t, decimals=decimals)) for t in ticks)
    return 18 + 7 * longest


def line_chart(
    series: Sequence[Series],
    *,
    title: str,
    unit: Unit = COUNT,
    y_label: str = "",
    x_label: str = "",
    width: int = 720,
    height: int = 260,
    y_min: float | None = 0.0,
    empty_message: str = "No data for this period yet.",
) -> SafeString:
    """Lines over time (x are datetimes) or over numbers; y axis from `y_min` (None: fit)."""
    drawn = [s for s in series if any(y is not None for _, y in s.points)]
    if not drawn:
        return _empty(width, height, title, empty_message, "chart chart--line")
    xs = [x for s in drawn for x, y in s.points if y is not None]
    ys = [y for s in drawn for _, y in s.points if y is not None]
    timed = isinstance(xs[0], datetime)
    low = min(ys) if y_min is None else min(y_min, min(ys))
    y_ticks = nice_ticks(low, max(ys))
    left, right = _left_margin(y_ticks, unit), width - 16
    top, bottom = 34, height - (40 if timed else 34)
    x_first, x_last = min(xs), max(xs)
    as_number = (lambda x: x.timestamp()) if timed else float
    span = (as_number(x_last) - as_number(x_first)) or 1.0

    def scale_x(x) -> float:
        return left + (as_number(x) - as_number(x_first)) / span * (right - left)

    def scale_y(y) -> float:
        return bottom - (y - y_ticks[0]) / (y_ticks[-1] - y_ticks[0]) * (bottom - top)

    parts = [_y_axis(y_ticks, unit, scale_y, left, right)]
    parts.append(_text(left - 8, 14, unit.title(y_label or title), anchor="start", weight=600))
    if timed:
        hourly = (x_last - x_first) <= 3 * 24 * HOUR
        last_date = None
        for tick in time_ticks(x_first, x_last):
            x = scale_x(tick)
            first_line, second_line = time_label(tick, with_date=True, hourly=hourly)
            show_date = second_line and second_line != last_date
            last_date = second_line or last_date
            parts.append(f'<line x1="{_num(x)}" y1="{_num(bottom)}" x2="{_num(x)}" '
                         f'y2="{_num(bottom + 5)}" stroke="{AXIS}"/>')  # fmt: skip
            parts.append(_text(x, bottom + 18, first_line))
            if show_date:
                parts.append(_text(x, bottom + 32, second_line, size=11))
    else:
        x_ticks = nice_ticks(float(x_first), float(x_last), count=6)
        for tick in x_ticks:
            if x_first <= tick <= x_last:
                parts.append(_text(scale_x(tick), bottom + 18, COUNT.short(tick)))
        if x_label:
            parts.append(_text(right, bottom + 32, x_label, anchor="end", size=11))
    latest = []
    for index, line in enumerate(series):
        if line not in drawn:
            continue
        colour = _colour(index, line.color)
        segments, current = [], []
        for x, y in line.points:
            if y is None:
                if current:
                    segments.append(current)
                current = []
            else:
                current.append((scale_x(x), scale_y(y), x, y))
        if current:
            segments.append(current)
        dash = ' stroke-dasharray="6 4"' if line.dashed else ""
        for segment in segments:
            path = " ".join(
                f"{'M' if i == 0 else 'L'}{_num(px)},{_num(py)}"
                for i, (px, py, _, _) in enumerate(segment)
            )
            parts.append(
                f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2.25" '
                f'stroke-linejoin="round" stroke-linecap="round"{dash}/>'
            )
        points = [p for segment in segments for p in segment]
        if len(points) <= 60:
            for px, py, x, y in points:
                when = _point_label(x, timed)
                parts.append(
                    f'<circle cx="{_num(px)}" cy="{_num(py)}" r="{3 if len(points) > 1 else 4}" '
                    f'fill="{colour}"><title>{escape(f"{line.label}, {when}: ")}'
                    f"{escape(unit.format(y))}</title></circle>"
                )
        latest.append((line.label, points[-1][3] if points else None))
    if len(series) > 1 or (series and series[0].label and series[0].label != title):
        items = [(s.label, _colour(i, s.color), s.dashed) for i, s in enumerate(series)]
        parts.append(_legend(items, right=right, y=14))
    where = (
        f"from {_point_label(x_first, timed)} to {_point_label(x_last, timed)}"
        if timed
        else f"over {COUNT.short(x_first)} to {COUNT.short(x_last)}"
    )
    description = _describe(latest, unit, f"Line chart of {title.lower()} {where}.")
    return mark_safe(
        _open_svg(width, height, title, description, "chart chart--line")
        + "".join(parts)
        + "</svg>"
    )


def _point_label(x, timed: bool) -> str:
    if not timed:
        return COUNT.short(x)
    first, second = time_label(x, with_date=True, hourly=True)
    return f"{second} {first}" if second else first


def bar_chart(
    categories: Sequence[str],
    bars: Sequence[Bars],
    *,
    title: str,
    unit: Unit = COUNT,
    y_label: str = "",
    horizontal: bool = False,
    width: int = 720,
    height: int | None = None,
    empty_message: str = "No data for this period yet.",
) -> SafeString:
    """Grouped bars, one group per category; horizontal suits long category names."""
    values = [
        v
        for group in bars
        for seq in (group.values, group.lows or [], group.highs or [])
        for v in seq
        if v is not None
    ]
    if not categories or not values:
        return _empty(width, height or 220, title, empty_message, "chart chart--bar")
    ticks = nice_ticks(min(0.0, *values), max(0.0, *values))
    if horizontal:
        body, height = _horizontal_bars(categories, bars, ticks, unit, width, height)
    else:
        height = height or 260
        body = _vertical_bars(categories, bars, ticks, unit, width, height)
    parts = [body, _text(8, 14, unit.title(y_label or title), anchor="start", weight=600)]
    if len(bars) > 1:
        items = [(b.label, _colour(i, b.color), False) for i, b in enumerate(bars)]
        parts.append(_legend(items, right=width - 16, y=14))
    summary = "; ".join(
        f"{category}: "
        + ", ".join(
            f"{group.label} {unit.format(group.values[i])}" if len(bars) > 1 else
            unit.format(group.values[i])
            for group in bars
        )
        for i, category in enumerate(categories)
    )  # fmt: skip
    description = f"Bar chart of {title.lower()}. {summary}."
    return mark_safe(
        _open_svg(width, height, title, description, "chart chart--bar") + "".join(parts) + "</svg>"
    )


def _whisker(x1, y1, x2, y2, *, cap_axis: str) -> str:
    line = f'<line x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}" '
    parts = [line + 'stroke="#1a1d29" stroke-width="1.5"/>']
    for x, y in ((x1, y1), (x2, y2)):
        if cap_axis == "x":
            parts.append(f'<line x1="{_num(x - 5)}" y1="{_num(y)}" x2="{_num(x + 5)}" '
                         f'y2="{_num(y)}" stroke="#1a1d29" stroke-width="1.5"/>')  # fmt: skip
        else:
            parts.append(f'<line x1="{_num(x)}" y1="{_num(y - 5)}" x2="{_num(x)}" '
                         f'y2="{_num(y + 5)}" stroke="#1a1d29" stroke-width="1.5"/>')  # fmt: skip
    return "".join(parts)


def _bar_title(category: str, group: Bars, i: int, unit: Unit) -> str:
    text = f"{category}, {group.label}: {unit.format(group.values[i])}"
    if group.lows and group.highs and group.lows[i] is not None and group.highs[i] is not None:
        text += f" (95% interval {unit.format(group.lows[i])} to {unit.format(group.highs[i])})"
    return f"<title>{escape(text)}</title>"


def _vertical_bars(categories, bars, ticks, unit, width, height) -> str:
    left, right, top, bottom = _left_margin(ticks, unit), width - 16, 34, height - 34

    def scale_y(y) -> float:
        return bottom - (y - ticks[0]) / (ticks[-1] - ticks[0]) * (bottom - top)

    parts = [_y_axis(ticks, unit, scale_y, left, right)]
    group_width = (right - left) / len(categories)
    bar_width = min(56.0, group_width * 0.78 / len(bars))
    room = max(4, int(group_width / 7))
    for i, category in enumerate(categories):
        centre = left + group_width * (i + 0.5)
        label = category if len(category) <= room else category[: room - 1] + "…"
        parts.append(_text(centre, bottom + 18, label, extra=""))
        start = centre - bar_width * len(bars) / 2
        for j, group in enumerate(bars):
            value = group.values[i]
            if value is None:
                continue
            x = start + j * bar_width
            y0, y1 = scale_y(0), scale_y(value)
            parts.append(
                f'<rect x="{_num(x + 1)}" y="{_num(min(y0, y1))}" width="{_num(bar_width - 2)}" '
                f'height="{_num(max(abs(y0 - y1), 0.5))}" rx="2" fill="{_colour(j, group.color)}">'
                f"{_bar_title(category, group, i, unit)}</rect>"
            )
            low = group.lows[i] if group.lows else None
            high = group.highs[i] if group.highs else None
            if low is not None and high is not None:
                cx = x + bar_width / 2
                parts.append(_whisker(cx, scale_y(low), cx, scale_y(high), cap_axis="x"))
    return "".join(parts)


def _horizontal_bars(categories, bars, ticks, unit, width, height) -> tuple[str, int]:
    row = 14 + 16 * len(bars)
    height = height or 50 + row * len(categories)
    longest = max(len(c) for c in categories)
    left = min(220, 16 + 7 * longest)
    room = int((left - 16) / 7)
    right, top, bottom = width - 24, 30, height - 24

    def scale_x(x) -> float:
        return left + (x - ticks[0]) / (ticks[-1] - ticks[0]) * (right - left)

    decimals = tick_decimals(ticks, unit)
    parts = []
    for tick in ticks:
        x = scale_x(tick)
        parts.append(f'<line x1="{_num(x)}" y1="{top}" x2="{_num(x)}" y2="{bottom}" '
                     f'stroke="{AXIS if tick == 0 else GRID}"/>')  # fmt: skip
        parts.append(_text(x, bottom + 16, unit.short(tick, decimals=decimals)))
    for i, category in enumerate(categories):
        y_top = top + i * (bottom - top) / len(categories)
        label = category if len(category) <= room else category[: room - 1] + "…"
        middle = y_top + (bottom - top) / len(categories) / 2
        parts.append(_text(left - 8, middle + 4, label, anchor="end", fill="#1a1d29"))
        start = middle - 8 * len(bars)
        for j, group in enumerate(bars):
            value = group.values[i]
            if value is None:
                continue
            y = start + j * 16
            x0, x1 = scale_x(0), scale_x(value)
            parts.append(
                f'<rect x="{_num(min(x0, x1))}" y="{_num(y + 1)}" '
                f'width="{_num(max(abs(x1 - x0), 0.5))}" height="14" rx="2" '
                f'fill="{_colour(j, group.color)}">{_bar_title(category, group, i, unit)}</rect>'
            )
            low = group.lows[i] if group.lows else None
            high = group.highs[i] if group.highs else None
            if low is not None and high is not None:
                parts.append(_whisker(scale_x(low), y + 8, scale_x(high), y + 8, cap_axis="y"))
                end = scale_x(high)
            else:
                end = max(x0, x1)
            parts.append(_text(end + 6, y + 12, unit.format(value), anchor="start", size=11))
    return "".join(parts), height


def sparkline(
    values: Sequence[float | None],
    *,
    title: str,
    unit: Unit = COUNT,
    width: int = 160,
    height: int = 36,
    color: str = PALETTE[0],
) -> SafeString:
    """A small line without axes (the figure beside it gives the scale); the description
    reads the first, highest and latest values."""
    known = [v for v in values if v is not None]
    if not known:
        return _empty(width, height, title, "no data yet", "chart chart--spark")
    low, high = min(0.0, min(known)), max(known)
    span = (high - low) or 1.0
    step = (width - 6) / max(1, len(values) - 1)
    points = [
        (3 + i * step, height - 4 - (v - low) / span * (height - 8))
        for i, v in enumerate(values)
        if v is not None
    ]
    line = " ".join(f"{_num(x)},{_num(y)}" for x, y in points)
    area = f"{_num(points[0][0])},{height - 4} {line} {_num(points[-1][0])},{height - 4}"
    description = (
        f"{title}: first {unit.format(known[0])}, highest {unit.format(high)}, "
        f"latest {unit.format(known[-1])}."
    )
    last_x, last_y = points[-1]
    return mark_safe(
        _open_svg(width, height, title, description, "chart chart--spark")
        + f'<polygon points="{area}" fill="{color}" fill-opacity="0.12"/>'
        + f'<polyline points="{line}" fill="none" stroke="{color}" stroke-width="1.75" '
        'stroke-linejoin="round" stroke-linecap="round"/>'
        + f'<circle cx="{_num(last_x)}" cy="{_num(last_y)}" r="2.75" fill="{color}"/>'
        + "</svg>"
    )
