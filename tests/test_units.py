from __future__ import annotations

import pytest

from generator.units import format_count_words, format_number, gpu_hours_at_power_to_kwh


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1900, "1,900"),
        (6_400_000, "6,400,000"),
        (31.22, "31.22"),
        (552.1, "552.1"),
        (0.017376263, "0.01738"),
        (1.639845472, "1.64"),
        (0.000217736, "0.0002177"),
        (0.381, "0.381"),
        (12.9, "12.9"),
        (0, "0"),
        (1e308 * 10, "infinity"),  # a sum past float range: named, never an OverflowError
        (-1e308 * 10, "-infinity"),
        (float("nan"), "not a number"),
    ],
)
def test_format_number(value: float, expected: str) -> None:
    assert format_number(value) == expected


def test_format_count_words() -> None:
    assert format_count_words(70_000_000_000) == "70 billion"
    assert format_count_words(405_000_000_000) == "405 billion"
    assert format_count_words(559_000_000) == "559 million"
    assert format_count_words(1_760_000_000_000) == "1.76 trillion"
    assert format_count_words(66_000) == "66,000"


def test_llama_3_energy_estimate_from_gpu_hours_and_tdp() -> None:
    # Llama 3 card: 7.7M H100 GPU-hours at 700 W TDP -> 5,390,000 kWh (5.39 GWh).
    assert gpu_hours_at_power_to_kwh(7_700_000, 700) == pytest.approx(5_390_000)
    assert gpu_hours_at_power_to_kwh(6_400_000, 700) == pytest.approx(4_480_000)
