"""SVG building blocks of the charts (see `flywheel.charts`): the frame with its accessible
title and description, text, the header row (axis title and legend), the y axis, whiskers."""

import itertools

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from flywheel.chart_scales import Unit, tick_decimals

# Eight colours that stay apart for the common colour-vision deficiencies and keep 3:1 or more
# against white, so a line is never told apart by hue alone: the legend and titles say it too.
PALETTE = [
    "#4f46e5", "#d9480f", "#0f766e", "#be185d", "#b45309", "#0369a1", "#15803d", "#52525b",
]  # fmt: skip
BASELINE_COLOR = "#9aa1b2"
GRID = "#e6e9f0"
AXIS = "#b9c0d0"
TEXT = "#565e73"
INK = "#1a1d29"
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'
CHAR_WIDTH = 6.8  # average width of a 12px character, for laying out labels
_ids = itertools.count(1)


def colour(index: int, chosen: str | None) -> str:
    return chosen or PALETTE[index % len(PALETTE)]


def num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def text(x, y, words, *, anchor="middle", size=12, weight=None, fill=TEXT) -> str:
    bold = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{num(x)}" y="{num(y)}" text-anchor="{anchor}" font-size="{size}"'
        f'{bold} fill="{fill}">{escape(words)}</text>'
    )


def line(x1, y1, x2, y2, stroke, *, width: float = 1, extra: str = "") -> str:
    return (
        f'<line x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}" '
        f'stroke="{stroke}" stroke-width="{num(width)}"{extra}/>'
    )


def open_svg(
    width: int, height: int, title: str, description: str, css_class: str, *, stretch=False
) -> str:
    """The frame: scales with its container (up to its own width), or with `stretch` fills
    the container's width at a fixed height (sparklines in cards of any size)."""
    ident = f"chart-{next(_ids)}"
    if stretch:
        size = f'width="100%" height="{height}" preserveAspectRatio="none" style="display:block"'
    else:
        size = f'width="100%" style="max-width:{width}px;height:auto;display:block"'
    return (
        f'<svg class="{css_class}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} '
        f'{height}" {size} role="img" aria-labelledby="{ident}-t {ident}-d" {FONT}>'
        f'<title id="{ident}-t">{escape(title)}</title>'
        f'<desc id="{ident}-d">{escape(description)}</desc>'
    )


def empty(width: int, height: int, title: str, message: str, css_class: str) -> SafeString:
    return mark_safe(
        open_svg(width, height, title, message, css_class)
        + f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" rx="8" '
        f'fill="#f8f9fc" stroke="{GRID}"/>'
        + text(width / 2, height / 2 + 4, message, size=13)
        + "</svg>"
    )


def header(
    axis_title: str, items: list[tuple[str, str, bool]], *, left: float, right: float
) -> tuple[str, int]:
    """The axis title on the first row and the legend after it, or on a second row when both
    do not fit; returns the SVG and the height it takes."""
    parts = [text(left, 14, axis_title, anchor="start", weight=600)]
    widths = [CHAR_WIDTH * len(label) + 28 for label, _, _ in items]
    title_end = left + CHAR_WIDTH * len(axis_title) + 24
    if not items:
        return "".join(parts), 26
    if title_end + sum(widths) <= right:
        x, y, height = right - sum(widths), 14, 26
    else:
        x, y, height = left, 34, 46
    for (label, shade, dashed), width in zip(items, widths, strict=True):
        if x + width > right + 1 and x > left:  # wrap onto another row
            x, y, height = left, y + 18, height + 18
        dash = ' stroke-dasharray="5 3"' if dashed else ""
        parts.append(line(x, y - 4, x + 16, y - 4, shade, width=3, extra=dash))
        parts.append(text(x + 21, y, label, anchor="start", fill=INK))
        x += width
    return "".join(parts), height


def y_axis(ticks, unit: Unit, scale_y, left, right) -> str:
    decimals = tick_decimals(ticks, unit)
    parts = []
    for tick in ticks:
        y = scale_y(tick)
        parts.append(line(left, y, right, y, AXIS if tick == 0 else GRID))
        parts.append(text(left - 8, y + 4, unit.short(tick, decimals=decimals), anchor="end"))
    return "".join(parts)


def left_margin(ticks, unit: Unit) -> int:
    decimals = tick_decimals(ticks, unit)
    longest = max(len(unit.short(t, decimals=decimals)) for t in ticks)
    return int(18 + 7 * longest)


def whisker(x1, y1, x2, y2, *, caps_across: str) -> str:
    """An interval line with end caps drawn across it ("x": horizontal caps)."""
    parts = [line(x1, y1, x2, y2, INK, width=1.5)]
    for x, y in ((x1, y1), (x2, y2)):
        if caps_across == "x":
            parts.append(line(x - 5, y, x + 5, y, INK, width=1.5))
        else:
            parts.append(line(x, y - 5, x, y + 5, INK, width=1.5))
    return "".join(parts)
