"""The open-data row format: the columns of data/cards.csv and the entries of data/cards.json.

One pydantic model whose fields, in order, are the columns and whose descriptions are what the
data page documents. `generator.compute.open_data` fills a row per card;
`generator.render.open_data` writes the rows as JSON and CSV. The keys are a public interface:
add columns, never rename them.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class OpenDataRow(BaseModel):
    """One card in the open data: its inputs and computed figures, flat."""

    id: str = Field(description="Card id: the file name and the page URL.")
    name: str = Field(description="Model name.")
    organization: str = Field(description="Who released the model.")
    task: str = Field(description="Task id (controlled vocabulary).")
    task_label: str = Field(description="Task name.")
    parameter_count: int | None = Field(description="Number of parameters, if known.")
    release_date: str | None = Field(description="Release date (YYYY-MM-DD), if known.")
    url: str = Field(description="Card page, relative to the site root.")
    energy_kwh_per_1000_queries: float | None = Field(
        description="Inference energy per 1,000 queries, kWh (headline figure)."
    )
    energy_provenance: str | None = Field(description="measured, estimated or reported.")
    energy_source: str | None = Field(
        description="Where the inference figure comes from (source title or measurement file)."
    )
    runs: int = Field(description="Number of measured runs behind the figure (0 when reported).")
    energy_min_kwh_per_1000_queries: float | None = Field(
        description="Lowest run, kWh per 1,000 queries (measured only)."
    )
    energy_max_kwh_per_1000_queries: float | None = Field(
        description="Highest run, kWh per 1,000 queries (measured only)."
    )
    co2e_g_per_1000_queries: float | None = Field(
        description="Inference CO2e per 1,000 queries, g (measured x grid, or reported)."
    )
    hardware: str | None = Field(description="Hardware the queries ran on.")
    scope: str | None = Field(
        description="What the energy covers: gpu, cpu, cpu+ram, gpu+cpu+ram, whole-node, "
        "not-stated."
    )
    includes_pue: bool | None = Field(
        description="Whether data-centre overhead is included (empty: not stated)."
    )
    batch_size: int | None = Field(description="Queries per batch.")
    precision: str | None = Field(description="Numeric precision.")
    dataset: str | None = Field(description="The queries used.")
    stars: int | None = Field(description="Rating, 1-5 stars within the task (empty: not rated).")
    size_class: str | None = Field(
        description="AI Energy Score size class for text generation (A, B, C)."
    )
    rating_reference: str | None = Field(
        description="Date of the rating reference the stars belong to."
    )
    rating_group_cards: int | None = Field(
        description="How many cards the rating group holds (same task, size class, energy "
        "scope and measurement setting); empty when not rated."
    )
    rating_scope: str | None = Field(
        description="The energy scope every card of the rating group shares (gpu, ...)."
    )
    rating_setting: str | None = Field(
        description="The measurement setting every card of the rating group shares (hardware, "
        "GPU count, batch size, precision, queries)."
    )
    rating_reason: str | None = Field(description="Why the card is not rated (empty if rated).")
    ai_energy_score_stars: int | None = Field(
        description="AI Energy Score's own rating of the model, 1-5 (its leaderboard), if known."
    )
    training_emissions_tco2e: float | None = Field(
        description="Training emissions, t CO2e (stated, else location-based)."
    )
    training_emissions_basis: str | None = Field(description="Which emissions figure that is.")
    training_emissions_provenance: str | None = Field(
        description="measured, estimated or reported."
    )
    training_energy_kwh: float | None = Field(
        description="Training energy, kWh (stated or estimated from GPU-hours)."
    )
    training_energy_provenance: str | None = Field(description="measured, estimated or reported.")
    break_even_queries: float | None = Field(
        description="Queries after which inference energy equals training energy (computed "
        "from the card's figures)."
    )
    break_even_published_queries: float | None = Field(
        description="The break-even as the source prints it, when the card carries it."
    )


# (key, description) in column order; the data page is generated from this.
COLUMNS: tuple[tuple[str, str], ...] = tuple(
    (key, field.description or "") for key, field in OpenDataRow.model_fields.items()
)

# The licence of the open data (the site's footer says the same, mkdocs.yml's `copyright`):
# cards.json carries it as its top-level "license"; the data page states it.
DATA_LICENSE: dict[str, str] = {
    "spdx": "CC-BY-4.0",
    "name": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
    "url": "https://creativecommons.org/licenses/by/4.0/",
    "attribution": "Model Energy Cards, and the sources each card names",
}
