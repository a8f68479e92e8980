"""The one place where units are converted and quantities are formatted for people."""

from __future__ import annotations

import math

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
