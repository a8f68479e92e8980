"""Render stage for open data: every card's inputs and computed figures as JSON and CSV.

Pure. `cards_table` gives one flat row per card (the columns of data/cards.csv and the entries
of data/cards.json, which the compare page reads); the keys are documented on the data page
and are a public interface: add columns, never rename them.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from generator.compute.summary import CardSummary

# (key, description) in column order; the data page is generated from this list.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "Card id: the file name and the page URL."),
    ("name", "Model name."),
    ("organization", "Who released the model."),
    ("task", "Task id (controlled vocabulary)."),
    ("task_label", "Task name."),
    ("parameter_count", "Number of parameters, if known."),
    ("release_date", "Release date (YYYY-MM-DD), if known."),
    ("url", "Card page, relative to the site root."),
    ("energy_kwh_per_1000_queries", "Inference energy per 1,000 queries, kWh (headline figure)."),
    ("energy_provenance", "measured, estimated or reported."),
    ("energy_source", "Where the inference figure comes from (source title or measurement file)."),
    ("runs", "Number of measured runs behind the figure (0 when reported)."),
    ("energy_min_kwh_per_1000_queries", "Lowest run, kWh per 1,000 queries (measured only)."),
    ("energy_max_kwh_per_1000_queries", "Highest run, kWh per 1,000 queries (measured only)."),
    (
        "co2e_g_per_1000_queries",
        "Inference CO2e per 1,000 queries, g (measured x grid, or reported).",
    ),
    ("hardware", "Hardware the queries ran on."),
    ("scope", "What the energy covers: gpu, cpu, cpu+ram, gpu+cpu+ram, whole-node, not-stated."),
    ("includes_pue", "Whether data-centre overhead is included (empty: not stated)."),
    ("batch_size", "Queries per batch."),
    ("precision", "Numeric precision."),
    ("dataset", "The queries used."),
    ("stars", "Rating, 1-5 stars within the task (empty: not rated)."),
    ("size_class", "AI Energy Score size class for text generation (A, B, C)."),
    ("rating_reference", "Date of the rating reference the stars belong to."),
    ("training_emissions_tco2e", "Training emissions, t CO2e (stated, else location-based)."),
    ("training_emissions_basis", "Which emissions figure that is."),
    ("training_emissions_provenance", "measured, estimated or reported."),
    ("training_energy_kwh", "Training energy, kWh (stated or estimated from GPU-hours)."),
    ("training_energy_provenance", "measured, estimated or reported."),
    ("break_even_queries", "Queries after which inference energy equals training energy."),
)


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
        "training_emissions_tco2e": emissions.value if emissions else None,
        "training_emissions_basis": emissions.label if emissions else None,
        "training_emissions_provenance": emissions.provenance.value if emissions else None,
        "training_energy_kwh": training.value if training else None,
        "training_energy_provenance": training.provenance.value if training else None,
        "break_even_queries": summary.break_even.queries if summary.break_even else None,
    }
    return {key: row[key] for key, _ in COLUMNS}


def cards_table(summaries: Sequence[CardSummary]) -> list[dict[str, Any]]:
    return [card_row(summary) for summary in sorted(summaries, key=lambda s: s.card.id)]


def cards_json(rows: Sequence[dict[str, Any]]) -> str:
    return json.dumps({"columns": [k for k, _ in COLUMNS], "cards": list(rows)}, indent=1) + "\n"


def cards_csv(rows: Sequence[dict[str, Any]]) -> str:
    """CSV with a header; empty cells for unknown values; spreadsheet formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([key for key, _ in COLUMNS])
    for row in rows:
        writer.writerow([_csv_cell(row[key]) for key, _ in COLUMNS])
    return buffer.getvalue()


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    # A cell starting with = + - @ runs as a formula in spreadsheets: prefix a quote.
    if isinstance(value, str) and text[:1] in ("=", "+", "-", "@"):
        return "'" + text
    return text
