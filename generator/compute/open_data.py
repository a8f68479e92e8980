"""Compute stage for open data: every card's inputs and computed figures as one flat row.

Pure. `cards_table` gives one row per card, with the columns of `generator.formats.open_data`
(data/cards.csv and data/cards.json, which the compare page reads; `generator.render.open_data`
writes them); the keys are documented on the data page and are a public interface.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from generator.compute.summary import CardSummary
from generator.compute.tasks import comparison_conditions
from generator.formats.open_data import COLUMNS


def _source_text(summary: CardSummary) -> str:
    figure = summary.headline_inference_energy
    if figure is None:
        return ""
    if figure.source_key:
        source = summary.card.sources[figure.source_key]
        return f"{source.title} ({source.year})"
    return ", ".join(summary.measured.files) if summary.measured else ""


def card_row(summary: CardSummary) -> dict[str, Any]:
    """The flat open-data row of one card (keys in COLUMNS order)."""
    card = summary.card
    conditions = card.inference.conditions if card.inference else None
    energy = summary.headline_inference_energy
    measured = summary.measured
    training = next((f for f in summary.training_figures if f.key == "training.energy_kwh"), None)
    emissions = summary.headline_training_emissions
    rating = summary.rating
    group = rating.group if rating and rating.stars else None
    aies = next(
        (f for f in summary.inference_figures if f.key == "inference.ai_energy_score_stars"), None
    )
    carbon = None
    if measured and measured.carbon:
        carbon = measured.carbon.g_co2e_per_1000_queries
    elif card.inference and card.inference.emissions_g_co2e_per_1000_queries:
        carbon = card.inference.emissions_g_co2e_per_1000_queries.value
    row = {
        "id": card.id,
        "name": card.name,
        "organization": card.organization,
        "task": card.task.value,
        "task_label": summary.task_label,
        "parameter_count": card.parameter_count,
        "release_date": card.release_date.isoformat() if card.release_date else None,
        "url": f"cards/{card.id}/",
        "energy_kwh_per_1000_queries": energy.value if energy else None,
        "energy_provenance": energy.provenance.value if energy else None,
        "energy_source": _source_text(summary) or None,
        "runs": len(measured.runs) if measured else 0,
        "energy_min_kwh_per_1000_queries": measured.min_kwh_per_1000_queries if measured else None,
        "energy_max_kwh_per_1000_queries": measured.max_kwh_per_1000_queries if measured else None,
        "co2e_g_per_1000_queries": carbon,
        "hardware": conditions.hardware if conditions else None,
        "scope": conditions.scope.value if conditions else None,
        "includes_pue": conditions.includes_pue if conditions else None,
        "batch_size": conditions.batch_size if conditions else None,
        "precision": conditions.precision if conditions else None,
        "dataset": conditions.dataset if conditions else None,
        "stars": rating.stars if rating else None,
        "size_class": rating.group.size_class if rating and rating.group else None,
        "rating_reference": rating.reference_date if rating and rating.stars else None,
        "rating_group_cards": len(group.cards) if group else None,
        "rating_scope": group.scope.value if group and group.scope else None,
        "rating_setting": group.measured_as if group else None,
        "rating_reason": rating.reason or None if rating and not rating.stars else None,
        "ai_energy_score_stars": int(aies.value) if aies else None,
        "training_emissions_tco2e": emissions.value if emissions else None,
        "training_emissions_basis": emissions.label if emissions else None,
        "training_emissions_provenance": emissions.provenance.value if emissions else None,
        "training_energy_kwh": training.value if training else None,
        "training_energy_provenance": training.provenance.value if training else None,
        "break_even_queries": summary.break_even.queries if summary.break_even else None,
        "break_even_published_queries": summary.break_even.published_queries
        if summary.break_even
        else None,
    }
    return {key: row[key] for key, _ in COLUMNS}


def cards_table(summaries: Sequence[CardSummary]) -> list[dict[str, Any]]:
    """One row per card, sorted by card id."""
    return [card_row(summary) for summary in sorted(summaries, key=lambda s: s.card.id)]


def cards_conditions(summaries: Sequence[CardSummary]) -> dict[str, dict[str, str]]:
    """Each card's comparison conditions by card id (cards with an inference figure only), so
    the compare page warns by the same rule as task pages instead of deciding its own."""
    ordered = sorted(summaries, key=lambda s: s.card.id)
    by_id = {summary.card.id: comparison_conditions(summary) for summary in ordered}
    return {card_id: conditions for card_id, conditions in by_id.items() if conditions}
