from __future__ import annotations

import pytest

from generator.units import (
    emissions_unit_for,
    energy_unit_for,
    format_count_words,
    format_number,
    format_significant,
    gpu_hours_at_power_to_kwh,
    readable_emissions,
    readable_energy,
)


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


@pytest.mark.parametrize(
    ("energy_kwh", "expected"),
    [
        (7e-10, "0.00252 J"),
        (0.0000007095, "2.55 J"),  # the sklearn card, was '0.0000007095 kWh'
        (0.000001, "1 mWh"),
        (0.000104, "104 mWh"),
        (0.104, "104 Wh"),
        (0.9996, "1 kWh"),  # rounds up into the next unit, never '1,000 Wh'
        (1.64, "1.64 kWh"),
        (51_686, "51.7 MWh"),
        (9e6, "9 GWh"),
        (9e9, "9,000 GWh"),
        (0, "0 kWh"),
        (1e-15, "< 0.0001 J"),
    ],
)
def test_readable_energy(energy_kwh: float, expected: str) -> None:
    assert str(readable_energy(energy_kwh)) == expected


@pytest.mark.parametrize(
    ("emissions_kg", "expected"),
    [
        (1_900_000, "1.9 kt"),  # was '1,900 t' in one table and '1,900,000 kg' below it
        (62_440, "62.4 t"),
        (381, "381 kg"),
        (0.0147, "14.7 g"),
        (2.8e-7, "0.00028 g"),
    ],
)
def test_readable_emissions(emissions_kg: float, expected: str) -> None:
    assert str(readable_emissions(emissions_kg)) == expected


def test_one_unit_for_a_table_is_the_median_s_unless_the_smallest_would_vanish() -> None:
    assert emissions_unit_for([31_220, 1_900_000, 8_930_000, 381]) == "t"
    assert energy_unit_for([0.0007, 0.002, 4.0, 0.1]) == "Wh"
    # 1e-9 kWh would read 0.000000001 kWh: down to mWh, where it reads 0.001
    assert energy_unit_for([1e-9, 5.0, 6.0]) == "mWh"
    assert str(readable_energy(0.0007, "Wh")) == "0.7 Wh"
    assert energy_unit_for([]) == "kWh"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(2.5542, "2.55"), (51_686, "51,700"), (0.000123, "0.000123"), (1e-5, "< 0.0001")],
)
def test_format_significant_never_writes_e_notation(value: float, expected: str) -> None:
    assert format_significant(value) == expected
