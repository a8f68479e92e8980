"""Render stage (pure): the scales, ticks and symbols of the card charts we draw ourselves.

The tick and "nice" domain rules are d3's (d3-array `ticks`, d3-scale `nice`), the ones
Vega-Lite uses for the site's other charts, so a card chart reads like them: steps of 1, 2 or 5
times a power of ten, labels with thousands separators and as many decimals as the step needs.
Symbols are Vega's shapes, sized by the area of their bounding square.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

_E10, _E5, _E2 = math.sqrt(50), math.sqrt(10), math.sqrt(2)


def _tick_spec(start: float, stop: float, count: float) -> tuple[int, int, float]:
    """d3's tickSpec: the first and last tick as integers, and the increment (negative: the
    inverse of a step below 1, which keeps decimal ticks exact)."""
    step = (stop - start) / max(0.0, count)
    power = math.floor(math.log10(step))
    error = step / 10**power
    factor = 10 if error >= _E10 else 5 if error >= _E5 else 2 if error >= _E2 else 1
    if power < 0:
        inc = 10**-power / factor
        i1, i2 = round(start * inc), round(stop * inc)
        i1 += i1 / inc < start
        i2 -= i2 / inc > stop
        inc = -inc
    else:
        inc = 10**power * factor
        i1, i2 = round(start / inc), round(stop / inc)
        i1 += i1 * inc < start
        i2 -= i2 * inc > stop
    if i2 < i1 and 0.5 <= count < 2:
        return _tick_spec(start, stop, count * 2)
    return i1, i2, inc


def tick_step(start: float, stop: float, count: float) -> float:
    """The distance between ticks d3 chooses for about `count` ticks over [start, stop]."""
    inc = _tick_spec(start, stop, count)[2]
    return -1 / inc if inc < 0 else inc


def ticks(start: float, stop: float, count: float) -> list[float]:
    """About `count` round values in [start, stop] (d3's `ticks`)."""
    if start == stop:
        return [start]
    i1, i2, inc = _tick_spec(start, stop, count)
    if i2 < i1:
        return []
    return [(i / -inc if inc < 0 else i * inc) for i in range(i1, i2 + 1)]


def nice_domain(low: float, high: float, count: float = 10) -> tuple[float, float]:
    """[low, high] widened to round values (d3-scale's `nice`); an empty span is widened first
    (a tenth of the value each side, or 1), so equal values still get an axis."""
    if low == high:
        half = abs(low) * 0.1 or 1.0
        low, high = low - half, high + half
    previous = None
    for _ in range(10):
        inc = _tick_spec(low, high, count)[2]
        if inc == previous:
            break
        if inc > 0:
            low, high = math.floor(low / inc) * inc, math.ceil(high / inc) * inc
        else:
            low, high = math.ceil(low * inc) / inc, math.floor(high * inc) / inc
        previous = inc
    return low, high


def tick_labels(values: Sequence[float]) -> list[str]:
    """Labels for evenly spaced ticks: thousands separators, the decimals the step needs."""
    step = abs(values[1] - values[0]) if len(values) > 1 else abs(values[0]) or 1.0
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    return [f"{(value or 0.0):,.{decimals}f}" for value in values]  # never "-0"


def log2_ticks(low: float, high: float, count: float) -> list[float]:
    """Powers of 2 in [low, high], every other one (or fewer) when more than `count` fit."""
    first, last = math.ceil(math.log2(low) - 1e-9), math.floor(math.log2(high) + 1e-9)
    every = max(1, math.ceil((last - first + 1) / max(count, 1)))
    return [2.0**power for power in range(first, last + 1, every)]


def log2_labels(values: Sequence[float]) -> list[str]:
    """Powers of 2 as plain numbers: '8', '1,024', '0.5'."""
    return [f"{value:,.0f}" if value >= 1 else f"{value:g}" for value in values]


@dataclass(frozen=True)
class Scale:
    """A map from data values to pixels along one axis, with its ticks.

    kind: "linear", "log2" or "point" (evenly spaced categories, half a step of padding).
    """

    kind: str
    low: float
    high: float
    range_px: float
    flip: bool = False  # y: larger values higher up

    def px(self, value: float) -> float:
        """The pixel position of `value` (for "point", its 0-based category index)."""
        if self.kind == "log2":
            share = (math.log2(value) - math.log2(self.low)) / (
                math.log2(self.high) - math.log2(self.low)
            )
        elif self.kind == "point":
            share = (value + 0.5) / (self.high - self.low + 1)
        else:
            share = (value - self.low) / (self.high - self.low)
        return round((1 - share if self.flip else share) * self.range_px, 2)


def linear_scale(
    values: Sequence[float], range_px: float, zero: bool, tick_count: float, flip: bool = False
) -> tuple[Scale, list[float], list[str]]:
    """A nice linear scale over `values` (and 0 when `zero`), its ticks and their labels."""
    low, high = min(values), max(values)
    if zero:
        low, high = min(low, 0.0), max(high, 0.0)
    low, high = nice_domain(low, high)
    values_at = ticks(low, high, tick_count)
    return Scale("linear", low, high, range_px, flip), values_at, tick_labels(values_at)


def log2_scale(
    values: Sequence[float], range_px: float, tick_count: float
) -> tuple[Scale, list[float], list[str]]:
    """A base-2 log scale from the power of 2 below the smallest value to the one above the
    largest (d3's nice for log scales), its ticks and their labels."""
    low = 2.0 ** math.floor(math.log2(min(values)) + 1e-9)
    high = 2.0 ** math.ceil(math.log2(max(values)) - 1e-9)
    if high == low:
        low, high = low / 2, high * 2
    values_at = log2_ticks(low, high, tick_count)
    return Scale("log2", low, high, range_px), values_at, log2_labels(values_at)


SHAPES = (
    "circle",
    "square",
    "triangle-up",
    "cross",
    "diamond",
    "triangle-right",
    "triangle-down",
    "triangle-left",
)  # fmt: skip  Vega's default order


def _n(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def symbol_path(shape: str, x: float, y: float, size: float) -> str:
    """An SVG path of a Vega symbol centred on (x, y); `size` is its bounding square's area."""
    r = math.sqrt(size) / 2
    if shape == "circle":
        return f"M{_n(x - r)},{_n(y)}a{_n(r)},{_n(r)} 0 1,0 {_n(2 * r)},0a{_n(r)},{_n(r)} 0 1,0 {_n(-2 * r)},0Z"  # noqa: E501
    if shape == "square":
        return f"M{_n(x - r)},{_n(y - r)}h{_n(2 * r)}v{_n(2 * r)}h{_n(-2 * r)}Z"
    if shape == "diamond":
        return f"M{_n(x - r)},{_n(y)}L{_n(x)},{_n(y - r)}L{_n(x + r)},{_n(y)}L{_n(x)},{_n(y + r)}Z"
    if shape == "cross":
        s = r / 2.5
        points = [(-r, -s), (-s, -s), (-s, -r), (s, -r), (s, -s), (r, -s),
                  (r, s), (s, s), (s, r), (-s, r), (-s, s), (-r, s)]  # fmt: skip
        return "M" + "L".join(f"{_n(x + dx)},{_n(y + dy)}" for dx, dy in points) + "Z"
    h = math.sqrt(3) * r / 2
    corners = {
        "triangle-up": [(0, -h), (-r, h), (r, h)],
        "triangle-down": [(0, h), (-r, -h), (r, -h)],
        "triangle-right": [(h, 0), (-h, -r), (-h, r)],
        "triangle-left": [(-h, 0), (h, -r), (h, r)],
    }
    if shape not in corners:
        raise ValueError(f"unknown symbol shape {shape!r}; expected one of {SHAPES}")
    return "M" + "L".join(f"{_n(x + dx)},{_n(y + dy)}" for dx, dy in corners[shape]) + "Z"
