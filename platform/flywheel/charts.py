"""Server-rendered SVG charts: every chart of the project is drawn here.

Three kinds: a line chart (over time, or over numbers), a bar chart (grouped, vertical or
horizontal, with optional 95% interval whiskers) and a sparkline. Each returns a safe SVG
string with axes, round ticks, units, a legend when there is more than one series, an
accessible title and a text description of the data, so a screen reader hears the figures a
sighted reader sees; every point and bar also carries its exact value as a tooltip. No
JavaScript, no library: the page is readable the moment it arrives, works inside htmx
fragments, and costs nothing to load.

Templates use the tags in `flywheel.templatetags.charts`; Python code calls these functions.
"""

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from flywheel.chart_scales import (
    COUNT,
    DAY,
    HOUR,
    Unit,
    nice_ticks,
    tick_decimals,
    time_label,
    time_ticks,
)
from flywheel.chart_svg import (
    AXIS,
    BASELINE_COLOR,
    GRID,
    INK,
    PALETTE,
    colour,
    empty,
    header,
    left_margin,
    line,
    num,
    open_svg,
    text,
    whisker,
    y_axis,
)

__all__ = ["BASELINE_COLOR", "PALETTE", "Bars", "Series", "bar_chart", "line_chart", "sparkline"]


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


def _spacing(xs: list[datetime]) -> timedelta:
    """The smallest step between neighbouring times: an hour for hourly data, a day..."""
    ordered = sorted(set(xs))
    gaps = [b - a for a, b in itertools.pairwise(ordered) if b > a]
    return min(gaps) if gaps else HOUR


def _is_hourly(xs: list[datetime]) -> bool:
    """Hourly data, not daily. One time alone has no spacing: a local midnight is a day (a
    daily rollup's start), so one day is labelled by its date as several days are."""
    if len(set(xs)) > 1:
        return _spacing(xs) < DAY
    local = timezone.localtime(xs[0]) if timezone.is_aware(xs[0]) else xs[0]
    return (local.hour, local.minute) != (0, 0)


def _point_label(x, timed: bool, hourly: bool = True) -> str:
    if not timed:
        return COUNT.short(x)
    first, second = time_label(x, with_date=True, hourly=hourly)
    return f"{second} {first}" if second else first


def _time_axis(x_first, x_last, scale_x, bottom, hourly: bool) -> str:
    parts, last_date = [], None
    ticks = time_ticks(x_first, x_last, min_step=HOUR if hourly else DAY)
    for tick in ticks:
        x = scale_x(tick)
        first_line, second_line = time_label(tick, with_date=True, hourly=hourly)
        parts.append(line(x, bottom, x, bottom + 5, AXIS))
        parts.append(text(x, bottom + 18, first_line))
        if second_line and second_line != last_date:
            parts.append(text(x, bottom + 32, second_line, size=11))
        last_date = second_line or last_date
    return "".join(parts)


def line_chart(
    series: Sequence[Series],
    *,
    title: str,
    unit: Unit = COUNT,
    y_label: str = "",
    x_label: str = "",
    width: int = 640,
    height: int = 260,
    y_min: float | None = 0.0,
    empty_message: str = "No data for this period yet.",
) -> SafeString:
    """Lines over time (x are datetimes) or over numbers; y axis from `y_min` (None: fit)."""
    drawn = [s for s in series if any(y is not None for _, y in s.points)]
    if not drawn:
        return empty(width, height, title, empty_message, "chart chart--line")
    xs = [x for s in drawn for x, y in s.points if y is not None]
    ys = [y for s in drawn for _, y in s.points if y is not None]
    timed = isinstance(xs[0], datetime)
    hourly = not timed or _is_hourly(xs)
    single = len(set(xs)) == 1  # one day (or hour): drawn in the middle, its value written
    y_ticks = nice_ticks(min(ys) if y_min is None else min(y_min, min(ys)), max(ys))
    left, right = left_margin(y_ticks, unit), width - 28
    legend = [(s.label, colour(i, s.color), s.dashed) for i, s in enumerate(series)]
    show_legend = len(series) > 1 or (series[0].label and series[0].label != title)
    head, top = header(unit.title(y_label or title), legend if show_legend else [],
                       left=left - 8, right=right)  # fmt: skip
    bottom = height - (40 if timed and hourly else 30)
    height_total = height + top - 26
    bottom += top - 26
    x_first, x_last = min(xs), max(xs)
    if single and timed:
        half = (HOUR if hourly else DAY) / 2
        x_first, x_last = x_first - half, x_last + half
    elif single:
        x_first, x_last = x_first - 0.5, x_last + 0.5
    as_number = (lambda x: x.timestamp()) if timed else float
    span = (as_number(x_last) - as_number(x_first)) or 1.0
    top += 8

    def scale_x(x) -> float:
        return left + (as_number(x) - as_number(x_first)) / span * (right - left)

    def scale_y(y) -> float:
        return bottom - (y - y_ticks[0]) / (y_ticks[-1] - y_ticks[0]) * (bottom - top)

    parts = [head, y_axis(y_ticks, unit, scale_y, left, right)]
    if timed:
        parts.append(_time_axis(x_first, x_last, scale_x, bottom, hourly))
    else:
        for tick in nice_ticks(float(x_first), float(x_last), count=6):
            if x_first <= tick <= x_last:
                parts.append(text(scale_x(tick), bottom + 18, COUNT.short(tick)))
        if x_label:
            parts.append(text(right, bottom + 32, x_label, anchor="end", size=11))
    latest = []
    for index, one in enumerate(series):
        if one not in drawn:
            continue
        shade = colour(index, one.color)
        segments, current = [], []
        for x, y in one.points:
            if y is None:
                segments, current = segments + ([current] if current else []), []
            else:
                current.append((scale_x(x), scale_y(y), x, y))
        segments += [current] if current else []
        dash = ' stroke-dasharray="6 4"' if one.dashed else ""
        for segment in segments:
            path = " ".join(
                f"{'M' if i == 0 else 'L'}{num(px)},{num(py)}"
                for i, (px, py, _, _) in enumerate(segment)
            )
            parts.append(
                f'<path d="{path}" fill="none" stroke="{shade}" stroke-width="2.25" '
                f'stroke-linejoin="round" stroke-linecap="round"{dash}/>'
            )
        points = [p for segment in segments for p in segment]
        if len(points) <= 60:
            for px, py, x, y in points:
                tip = f"{one.label}, {_point_label(x, timed, hourly)}: {unit.format(y)}"
                parts.append(
                    f'<circle cx="{num(px)}" cy="{num(py)}" r="{3 if len(points) > 1 else 5}" '
                    f'fill="{shade}"><title>{escape(tip)}</title></circle>'
                )
                if single:
                    parts.append(text(px + 9, py + 4, unit.format(y), anchor="start"))
        latest.append(f"{one.label} {unit.format(points[-1][3])}")
    first, last = min(xs), max(xs)
    where = f"from {_point_label(first, timed, hourly)} to {_point_label(last, timed, hourly)}"
    if single:
        where = f"for {_point_label(first, timed, hourly)}"
    description = f"Line chart of {title.lower()} {where}. Latest: {'; '.join(latest)}."
    return mark_safe(
        open_svg(width, height_total, title, description, "chart chart--line")
        + "".join(parts)
        + "</svg>"
    )


def bar_chart(
    categories: Sequence[str],
    bars: Sequence[Bars],
    *,
    title: str,
    unit: Unit = COUNT,
    y_label: str = "",
    horizontal: bool = False,
    width: int = 640,
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
        return empty(width, height or 220, title, empty_message, "chart chart--bar")
    ticks = nice_ticks(min(0.0, *values), max(0.0, *values))
    legend = [(b.label, colour(i, b.color), False) for i, b in enumerate(bars)]
    head, top = header(unit.title(y_label or title), legend if len(bars) > 1 else [],
                       left=8, right=width - 16)  # fmt: skip
    if horizontal:
        body, height = _horizontal_bars(categories, bars, ticks, unit, width, height, top)
    else:
        height = (height or 260) + top - 26
        body = _vertical_bars(categories, bars, ticks, unit, width, height, top)
    summary = "; ".join(
        f"{category}: "
        + ", ".join(
            (f"{group.label} " if len(bars) > 1 else "") + unit.format(group.values[i])
            for group in bars
        )
        for i, category in enumerate(categories)
    )
    return mark_safe(
        open_svg(width, height, title, f"Bar chart of {title.lower()}. {summary}.",
                 "chart chart--bar")
        + head + body + "</svg>"
    )  # fmt: skip


def _bar_title(category: str, group: Bars, i: int, unit: Unit) -> str:
    words = f"{category}, {group.label}: {unit.format(group.values[i])}"
    low, high = _interval(group, i)
    if low is not None and high is not None:
        words += f" (95% interval {unit.format(low)} to {unit.format(high)})"
    return f"<title>{escape(words)}</title>"


def _interval(group: Bars, i: int) -> tuple[float | None, float | None]:
    return (group.lows[i] if group.lows else None, group.highs[i] if group.highs else None)


def _shorten(label: str, room: int) -> str:
    return label if len(label) <= room else label[: max(1, room - 1)] + "\u2026"


def _vertical_bars(categories, bars, ticks, unit, width, height, top) -> str:
    left, right, bottom = left_margin(ticks, unit), width - 16, height - 30
    top += 8

    def scale_y(y) -> float:
        return bottom - (y - ticks[0]) / (ticks[-1] - ticks[0]) * (bottom - top)

    parts = [y_axis(ticks, unit, scale_y, left, right)]
    group_width = (right - left) / len(categories)
    bar_width = min(56.0, group_width * 0.78 / len(bars))
    for i, category in enumerate(categories):
        centre = left + group_width * (i + 0.5)
        parts.append(text(centre, bottom + 18, _shorten(category, int(group_width / 7))))
        start = centre - bar_width * len(bars) / 2
        for j, group in enumerate(bars):
            if group.values[i] is None:
                continue
            x = start + j * bar_width
            y0, y1 = scale_y(0), scale_y(group.values[i])
            parts.append(
                f'<rect x="{num(x + 1)}" y="{num(min(y0, y1))}" width="{num(bar_width - 2)}" '
                f'height="{num(max(abs(y0 - y1), 0.5))}" rx="2" fill="{colour(j, group.color)}">'
                f"{_bar_title(category, group, i, unit)}</rect>"
            )
            low, high = _interval(group, i)
            if low is not None and high is not None:
                centre_x = x + bar_width / 2
                parts.append(whisker(centre_x, scale_y(low), centre_x, scale_y(high),
                                     caps_across="x"))  # fmt: skip
    return "".join(parts)


def _horizontal_bars(categories, bars, ticks, unit, width, height, top) -> tuple[str, int]:
    row = 14 + 16 * len(bars)
    height = height or top + 28 + row * len(categories)
    left = min(220, 16 + 7 * max(len(c) for c in categories))
    right, bottom = width - 56, height - 24
    top += 4

    def scale_x(x) -> float:
        return left + (x - ticks[0]) / (ticks[-1] - ticks[0]) * (right - left)

    decimals = tick_decimals(ticks, unit)
    parts = []
    for tick in ticks:
        x = scale_x(tick)
        parts.append(line(x, top, x, bottom, AXIS if tick == 0 else GRID))
        parts.append(text(x, bottom + 16, unit.short(tick, decimals=decimals)))
    band = (bottom - top) / len(categories)
    for i, category in enumerate(categories):
        middle = top + band * (i + 0.5)
        label = _shorten(category, int((left - 16) / 7))
        parts.append(text(left - 8, middle + 4, label, anchor="end", fill=INK))
        start = middle - 8 * len(bars)
        for j, group in enumerate(bars):
            if group.values[i] is None:
                continue
            y = start + j * 16
            x0, x1 = scale_x(0), scale_x(group.values[i])
            parts.append(
                f'<rect x="{num(min(x0, x1))}" y="{num(y + 1)}" '
                f'width="{num(max(abs(x1 - x0), 0.5))}" height="14" rx="2" '
                f'fill="{colour(j, group.color)}">'
                f"{_bar_title(category, group, i, unit)}</rect>"
            )
            low, high = _interval(group, i)
            end = max(x0, x1)
            if low is not None and high is not None:
                parts.append(whisker(scale_x(low), y + 8, scale_x(high), y + 8, caps_across="y"))
                end = max(end, scale_x(high))
            parts.append(text(end + 6, y + 12, unit.format(group.values[i]), anchor="start",
                              size=11))  # fmt: skip
    return "".join(parts), height


def sparkline(
    values: Sequence[float | None],
    *,
    title: str,
    unit: Unit = COUNT,
    width: int = 160,
    height: int = 36,
    color: str = PALETTE[0],
    stretch: bool = False,
) -> SafeString:
    """A small line without axes (the figure beside it gives the scale); the description
    reads the first, highest and latest values. With `stretch` it fills its container's
    width at `height` pixels."""
    known = [v for v in values if v is not None]
    if not known:
        return empty(width, height, title, "no data yet", "chart chart--spark")
    low, high = min(0.0, min(known)), max(known)
    span = (high - low) or 1.0
    step = (width - 8) / max(1, len(values) - 1)
    points = [
        (4 + i * step, height - 4 - (v - low) / span * (height - 8))
        for i, v in enumerate(values)
        if v is not None
    ]
    path = " ".join(f"{num(x)},{num(y)}" for x, y in points)
    area = f"{num(points[0][0])},{height - 4} {path} {num(points[-1][0])},{height - 4}"
    description = (
        f"{title}: first {unit.format(known[0])}, highest {unit.format(high)}, "
        f"latest {unit.format(known[-1])}."
    )
    last_x, last_y = points[-1]
    steady = ' vector-effect="non-scaling-stroke"' if stretch else ""
    return mark_safe(
        open_svg(width, height, title, description, "chart chart--spark", stretch=stretch)
        + f'<polygon points="{area}" fill="{color}" fill-opacity="0.12"/>'
        + f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="1.75" '
        f'stroke-linejoin="round" stroke-linecap="round"{steady}/>'
        # A zero-length line with a round cap stays a round dot however the frame stretches.
        + line(
            last_x, last_y, last_x, last_y, color, width=6, extra=f' stroke-linecap="round"{steady}'
        )
        + "</svg>"
    )
