"""The one place where units are converted and quantities are formatted for people."""

from __future__ import annotations

import math

WH_PER_KWH = 1000.0
KG_PER_TONNE = 1000.0
G_PER_KG = 1000.0


def gpu_hours_at_power_to_kwh(gpu_hours: float, power_per_gpu_w: float) -> float:
    """Energy of `gpu_hours` accelerators drawing `power_per_gpu_w` each: h x W = Wh -> kWh."""
    return gpu_hours * power_per_gpu_w / WH_PER_KWH


def format_number(value: float, significant: int = 4) -> str:
    """Thousands separators; whole numbers exact; others to `significant` digits.

    1900 -> '1,900'; 6400000 -> '6,400,000'; 31.22 -> '31.22'; 0.017376263 -> '0.01738'.
    """
    if value == 0:
        return "0"
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
