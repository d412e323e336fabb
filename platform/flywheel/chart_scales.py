"""Units, tick positions and labels for the SVG charts (see `flywheel.charts`).

Kept apart from the drawing so the arithmetic (nice steps, time steps, number formats) can be
read and tested on its own.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone


@dataclass(frozen=True)
class Unit:
    """How a value reads: "1,234 people", "1.2k", "4.2%", "$3.10", "12.5 s".

    `kind` is number, percent (values are fractions: 0.042 reads 4.2%), money (values in
    whole currency units, `symbol` in front) or duration (values in seconds). `name` goes
    into axis titles: "Impressions (per hour)".
    """

    kind: str = "number"
    name: str = ""
    symbol: str = ""
    decimals: int | None = None  # fixed decimals for plain numbers (0.312 with 3)

    def format(self, value: float | None, *, decimals: int | None = None) -> str:
        if decimals is None:
            decimals = self.decimals
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "\u2013"  # an en dash: no value
        if self.kind == "percent":
            places = 1 if decimals is None else decimals
            return f"{value * 100:,.{places}f}%"
        if self.kind == "money":
            places = 2 if decimals is None else decimals
            sign = "-" if value < 0 else ""
            return f"{sign}{self.symbol}{abs(value):,.{places}f}"
        if self.kind == "duration":
            return _duration(value, decimals)
        if self.kind == "version":
            return f"v{int(value)}"
        if decimals is None:
            decimals = 0 if float(value).is_integer() or abs(value) >= 100 else 2
        return f"{value:,.{decimals}f}"

    def short(self, value: float | None, *, decimals: int | None = None) -> str:
        """Compact form for tick labels and tiles: 12.3k, 4.5M (other kinds as `format`)."""
        if value is None or self.kind not in ("number", "money") or abs(value) < 10_000:
            return self.format(value, decimals=decimals)
        for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
            if abs(value) >= size:
                scaled = value / size
                text = f"{scaled:.1f}".rstrip("0").rstrip(".")
                return f"{self.symbol if self.kind == 'money' else ''}{text}{suffix}"
        return self.format(value, decimals=decimals)  # pragma: no cover - loop always returns

    def labelled(self, value: float | None) -> str:
        """The value with its unit's name when the number alone does not say it: 2.9 bits."""
        shown = self.format(value)
        if value is None or self.kind != "number" or not self.name:
            return shown
        return f"{shown} {self.name}"

    def title(self, label: str) -> str:
        return f"{label} ({self.name})" if self.name else label


def _duration(seconds: float, decimals: int | None) -> str:
    if abs(seconds) >= 3600:
        return f"{seconds / 3600:.1f} h"
    if abs(seconds) >= 120:
        return f"{seconds / 60:.1f} min"
    places = (0 if abs(seconds) >= 10 else 1) if decimals is None else decimals
    return f"{seconds:.{places}f} s"


COUNT = Unit()
PERCENT = Unit(kind="percent", name="%")
SECONDS = Unit(kind="duration", name="seconds")


def money(symbol: str = "$", name: str = "") -> Unit:
    return Unit(kind="money", symbol=symbol, name=name)


def unit_named(name: str | Unit) -> Unit:
    """Template tags pass units by name: "count", "percent", "seconds", "money:€"."""
    if isinstance(name, Unit):
        return name
    kind, _, symbol = str(name or "count").partition(":")
    if kind == "percent":
        return PERCENT
    if kind in ("seconds", "duration"):
        return SECONDS
    if kind == "money":
        return money(symbol or "$")
    return COUNT


# --- numeric ticks ----------------------------------------------------------------------


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (steps of 1, 2, 2.5 or 5 times a power of ten) covering [low, high]."""
    if not math.isfinite(low) or not math.isfinite(high):
        low, high = 0.0, 1.0
    if high < low:
        low, high = high, low
    if high == low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / max(1, count)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * 0.999)
    first = math.floor(low / step + 1e-9) * step
    ticks = []
    value = first
    while value < high - step * 1e-9:
        ticks.append(round(value, 12))
        value += step
    ticks.append(round(value, 12))
    return ticks


def tick_decimals(ticks: list[float], unit: Unit) -> int:
    """Enough decimals to write every tick exactly (0.25, not a rounded 0.2 next to 0.5),
    no more; money keeps its cents once it needs a decimal ($0.25, $0.50)."""
    scale = 100 if unit.kind == "percent" else 1
    decimals = next(
        (
            places
            for places in range(7)
            if all(abs(round(t * scale, places) - t * scale) < 1e-9 for t in ticks)
        ),
        6,
    )
    if unit.kind == "money" and decimals:
        return max(decimals, 2)
    return decimals


# --- time ticks -------------------------------------------------------------------------

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
TIME_STEPS = [
    HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 28 * DAY,
]  # fmt: skip


def time_ticks(
    start: datetime, end: datetime, max_ticks: int = 7, *, min_step: timedelta = HOUR
) -> list[datetime]:
    """Tick times on whole hours or local midnights, at most `max_ticks` of them, never
    closer than `min_step` (daily data gets no ticks between its days)."""
    span = max(end - start, HOUR)
    steps = [s for s in TIME_STEPS if s >= min_step] or TIME_STEPS[-1:]
    step = next((s for s in steps if span / s <= max_ticks), steps[-1])
    local = timezone.localtime(start) if timezone.is_aware(start) else start
    if step < DAY:
        first = local.replace(minute=0, second=0, microsecond=0)
        hours = int(step / HOUR)
        while first < local or first.hour % hours:
            first += HOUR
    else:
        first = local.replace(hour=0, minute=0, second=0, microsecond=0)
        if first < local:
            first += DAY
    ticks = []
    moment = first
    while moment <= end:
        ticks.append(moment)
        moment += step
    return ticks


def time_label(moment: datetime, *, with_date: bool, hourly: bool) -> tuple[str, str]:
    """Two lines under a time tick: ("14:00", "Nov 28") or ("Nov 28", "")."""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    date = f"{local:%b} {local.day}"
    if not hourly:
        return date, ""
    return f"{local:%H:%M}", date if with_date else ""
