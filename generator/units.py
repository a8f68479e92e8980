"""The one place where units are converted and quantities are formatted for people."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

WH_PER_KWH = 1000.0
KG_PER_TONNE = 1000.0
G_PER_KG = 1000.0
J_PER_KWH = 3_600_000.0  # 1 kWh = 1000 W x 3600 s
QUERIES_PER_FIGURE = 1000  # inference figures are per 1,000 queries


def gpu_hours_at_power_to_kwh(gpu_hours: float, power_per_gpu_w: float) -> float:
    """Energy of `gpu_hours` accelerators drawing `power_per_gpu_w` each: h x W = Wh -> kWh."""
    return gpu_hours * power_per_gpu_w / WH_PER_KWH


def joules_to_kwh(energy_j: float) -> float:
    """Energy in joules (W x s) to kilowatt-hours: 3,600,000 J = 1 kWh."""
    return energy_j / J_PER_KWH


def format_number(value: float, significant: int = 4) -> str:
    """Thousands separators; whole numbers exact; others to `significant` digits.

    1900 -> '1,900'; 6400000 -> '6,400,000'; 31.22 -> '31.22'; 0.017376263 -> '0.01738'.
    A sum past float range reads 'infinity' (loaders report such values as problems).
    """
    if value == 0:
        return "0"
    if not math.isfinite(value):
        return "not a number" if math.isnan(value) else ("-" if value < 0 else "") + "infinity"
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(0, significant - 1 - magnitude)
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_count_words(value: float) -> str:
    """Large counts in words, for headers: 70000000000 -> '70 billion'."""
    for threshold, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(value) >= threshold:
            return f"{format_number(value / threshold, 3)} {word}"
    return format_number(value)


GRAMS_PER_POUND = 453.59237


def lbs_per_mwh_to_g_per_kwh(value_lbs_per_mwh: float) -> float:
    """eGRID's lbs/MWh to g/kWh: x 453.59237 g/lb, / 1000 kWh/MWh."""
    return value_lbs_per_mwh * GRAMS_PER_POUND / 1000.0


def per_1000_queries(value: float, queries: int) -> float:
    """A per-run total expressed per 1,000 queries."""
    return value / queries * QUERIES_PER_FIGURE


def per_query(value_per_1000_queries: float) -> float:
    """A per-1,000-queries figure for one query."""
    return value_per_1000_queries / QUERIES_PER_FIGURE


def format_count(value: float) -> str:
    """A count for prose, to 3 significant digits: 121,345 -> '121,000'; 2.345 -> '2.35';
    2,345,678 -> '2.35 million'."""
    if value >= 1e6:
        return format_count_words(float(f"{value:.3g}"))
    return format_number(float(f"{value:.3g}"), significant=3)


# ---------------------------------------------------------------- readable units, for people
# Each ladder runs from the largest unit down, as (unit, size of one unit in the base unit).
# A value is shown in the largest unit in which it is at least 1 (3 significant figures), so
# 0.0000007095 kWh reads '2.55 J' and 1,900 t reads '1.9 kt'. Open data keeps base units.
ENERGY_UNITS_KWH: tuple[tuple[str, float], ...] = (
    ("GWh", 1e6),
    ("MWh", 1e3),
    ("kWh", 1.0),
    ("Wh", 1e-3),
    ("mWh", 1e-6),
    ("J", 1 / J_PER_KWH),
)
EMISSIONS_UNITS_KG: tuple[tuple[str, float], ...] = (
    ("kt", 1e6),
    ("t", KG_PER_TONNE),
    ("kg", 1.0),
    ("g", 1 / G_PER_KG),
)
SIGNIFICANT_FIGURES = 3
SMALLEST_SHOWN = 1e-4  # below this in the smallest unit, text says "< 0.0001" (3 leading zeros)


@dataclass(frozen=True)
class Quantity:
    """A value in a unit chosen for reading: `str()` gives e.g. '2.55 J'."""

    value: float
    unit: str

    def __str__(self) -> str:
        return f"{format_significant(self.value)} {self.unit}"


def format_significant(value: float, digits: int = SIGNIFICANT_FIGURES) -> str:
    """`digits` significant figures, thousands separators, never e-notation, trailing zeros
    dropped: 2.5542 -> '2.55'; 51686 -> '51,700'; 0.000123 -> '0.000123'; 1e-5 -> '< 0.0001'."""
    if value == 0 or not math.isfinite(value):
        return format_number(value)
    if abs(value) < SMALLEST_SHOWN:
        return f"{'> -' if value < 0 else '< '}{SMALLEST_SHOWN:.4f}"
    rounded = float(f"{value:.{digits}g}")
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(rounded))))
    text = f"{rounded:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _unit_for(value: float, ladder: tuple[tuple[str, float], ...]) -> tuple[str, float]:
    """The largest unit of `ladder` in which `value` (rounded for display) is at least 1."""
    for unit, size in ladder:
        shown = abs(value) / size
        if shown > 0 and float(f"{shown:.{SIGNIFICANT_FIGURES}g}") >= 1:
            return unit, size
    return ladder[-1] if value else next((u, s) for u, s in ladder if s == 1.0)


def _unit_for_all(values: Sequence[float], ladder: tuple[tuple[str, float], ...]) -> str:
    """One unit for a set of values (a table column, an axis): the unit of their median,
    or a smaller one while the smallest would need more than 3 leading zeros."""
    shown = sorted(abs(v) for v in values if v and math.isfinite(v))
    if not shown:
        return next(u for u, s in ladder if s == 1.0)
    index = ladder.index(_unit_for(shown[(len(shown) - 1) // 2], ladder))
    while index < len(ladder) - 1 and shown[0] / ladder[index][1] < 10 * SMALLEST_SHOWN:
        index += 1
    return ladder[index][0]


def _in_unit(value: float, unit: str, ladder: tuple[tuple[str, float], ...]) -> Quantity:
    size = dict(ladder)[unit]
    return Quantity(value / size, unit)


def readable_energy(energy_kwh: float, unit: str | None = None) -> Quantity:
    """Energy in J, mWh, Wh, kWh, MWh or GWh (`unit`, else the one that reads best)."""
    return _in_unit(
        energy_kwh, unit or _unit_for(energy_kwh, ENERGY_UNITS_KWH)[0], ENERGY_UNITS_KWH
    )


def readable_emissions(emissions_kg: float, unit: str | None = None) -> Quantity:
    """CO2e mass in g, kg, t or kt (`unit`, else the one that reads best)."""
    unit = unit or _unit_for(emissions_kg, EMISSIONS_UNITS_KG)[0]
    return _in_unit(emissions_kg, unit, EMISSIONS_UNITS_KG)


def energy_unit_for(values_kwh: Sequence[float]) -> str:
    """One energy unit for several values shown together (a table column, an axis)."""
    return _unit_for_all(values_kwh, ENERGY_UNITS_KWH)


def emissions_unit_for(values_kg: Sequence[float]) -> str:
    """One emissions unit for several values shown together (a table, an axis)."""
    return _unit_for_all(values_kg, EMISSIONS_UNITS_KG)


def tonnes_to_kg(emissions_t: float) -> float:
    return emissions_t * KG_PER_TONNE


def grams_to_kg(emissions_g: float) -> float:
    return emissions_g / G_PER_KG
