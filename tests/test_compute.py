from __future__ import annotations

import pytest

from generator.compute.summary import FIGURE_DISPLAY, Derivation, summarize_card
from generator.compute.tasks import group_by_task
from generator.formats.card import FIGURE_FIELDS, Card, Provenance, Task
from generator.render.figure_text import derivation_text

SOURCE = {"card": {"title": "Card", "url": "https://example.org", "year": 2024}}


def _figure(value: float, provenance: str = "reported") -> dict:
    return {"value": value, "provenance": provenance, "source": "card", "where": "Table 1"}


def _card(card_id: str = "m", task: str = "text-generation", **sections) -> Card:
    return Card.model_validate(
        {
            "id": card_id,
            "name": card_id.upper(),
            "organization": "Org",
            "task": task,
            "sources": SOURCE,
            **sections,
        }
    )


def test_every_figure_field_has_a_label_and_unit() -> None:
    assert set(FIGURE_DISPLAY) == set(FIGURE_FIELDS)


def test_training_energy_is_estimated_from_gpu_hours_and_power_when_absent() -> None:
    summary = summarize_card(
        _card(training={"gpu_hours": _figure(6_400_000), "power_per_gpu_w": _figure(700)})
    )
    estimate = summary.training_figures[0]
    assert estimate.key == "training.energy_kwh"
    assert estimate.value == pytest.approx(4_480_000)
    assert estimate.provenance is Provenance.ESTIMATED
    assert estimate.derivation == Derivation("gpu-hours-x-power")
    assert "accelerator time x power per GPU" in derivation_text(estimate.derivation)
    assert estimate.source_key is None


def test_stated_training_energy_is_never_replaced_by_an_estimate() -> None:
    summary = summarize_card(
        _card(
            training={
                "energy_kwh": _figure(1_287_000),
                "gpu_hours": _figure(10),
                "power_per_gpu_w": _figure(330),
            }
        )
    )
    energies = [f for f in summary.training_figures if f.key == "training.energy_kwh"]
    assert [(f.value, f.derivation) for f in energies] == [(1_287_000, None)]


def test_headline_emissions_prefers_stated_then_location_based() -> None:
    both = summarize_card(
        _card(
            training={
                "emissions_location_based_tco2e": _figure(420),
                "emissions_market_based_tco2e": _figure(0),
            }
        )
    )
    assert both.headline_training_emissions.value == 420
    stated = summarize_card(
        _card(
            training={"emissions_tco2e": _figure(24.7), "emissions_lifecycle_tco2e": _figure(50.5)}
        )
    )
    assert stated.headline_training_emissions.value == 24.7
    assert summarize_card(_card()).headline_training_emissions is None


def test_group_by_task_sorts_by_inference_energy_then_name() -> None:
    conditions = {"hardware": "A100", "scope": "gpu", "includes_pue": False}

    def inference(value: float) -> dict:
        return {"conditions": conditions, "energy_kwh_per_1000_queries": _figure(value, "measured")}

    summaries = [
        summarize_card(_card("big", inference=inference(1.6))),
        summarize_card(_card("none")),
        summarize_card(_card("small", inference=inference(0.017))),
        summarize_card(_card("cls", task="text-classification", inference=inference(0.0002))),
    ]
    groups = group_by_task(summaries)
    assert [g.task for g in groups] == [Task.TEXT_GENERATION, Task.TEXT_CLASSIFICATION]
    assert [s.card.id for s in groups[0].summaries] == ["small", "big", "none"]


def test_compute_formats_no_numbers_render_says_the_derivation() -> None:
    """Compute records how a figure was derived as numbers; render words it, formatted."""
    from generator.compute.summary import CarbonBasis
    from generator.load.grid import GridIntensity
    from generator.render.figure_text import carbon_basis_text

    measured = Derivation("median-of-runs", 3, 0.012345, 0.0219, ("measurements/x/emissions.csv",))
    assert derivation_text(measured) == (
        "median of 3 runs (min 12.3 Wh, max 21.9 Wh) in measurements/x/emissions.csv"
    )
    # One unit for the pair, even where each alone would read best in another (J and mWh).
    tiny = Derivation("median-of-runs", 5, 6.7e-7, 1.13e-6, ("a.csv",))
    assert derivation_text(tiny) == "median of 5 runs (min 2.41 J, max 4.07 J) in a.csv"
    one = Derivation("median-of-runs", 1, 0.5, 0.5, ("a.csv", "b.csv"))
    assert derivation_text(one) == "median of 1 run in a.csv, b.csv"
    intensity = GridIntensity("FRA", 56.04, "CodeCarbon global energy mix", 2023)
    assert carbon_basis_text(CarbonBasis("measured-grid", intensities=(intensity,))) == (
        "the measured energy at 56.04 g CO₂e/kWh, FRA"
    )
    assert carbon_basis_text(CarbonBasis("training-emissions", "Training emissions")) == (
        "the training emissions above"
    )
    assert carbon_basis_text(None) == ""
