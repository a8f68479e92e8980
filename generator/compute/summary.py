"""Compute stage: pure functions from validated cards to the figures pages show.

Takes `Card` models; gives `CardSummary` records: every figure with its label, unit,
provenance and citation, plus the few figures derived here (each saying how). Nothing is
invented: a derived figure names the cited figures it comes from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from generator.compute.card_measurements import CardMeasurements
from generator.compute.equivalences import BreakEven, Equivalence, break_even_queries, equivalences
from generator.compute.measured_runs import MeasuredInference
from generator.compute.ratings import Rating, rate
from generator.formats.card import TASK_LABELS, Card, ConflictingValue, Figure, Provenance
from generator.formats.factors import Factor
from generator.formats.rating_reference import RatingReference
from generator.load.grid import GridIntensity
from generator.load.nvidia_smi import PowerSamples
from generator.units import (
    G_PER_KG,
    KG_PER_TONNE,
    QUERIES_PER_FIGURE,
    gpu_hours_at_power_to_kwh,
    per_query,
)

# Label and display unit of every figure field (a test checks this covers schema.FIGURE_FIELDS).
FIGURE_DISPLAY: dict[tuple[str, str], tuple[str, str]] = {
    ("training", "energy_kwh"): ("Training energy", "kWh"),
    ("training", "finetuning_energy_kwh"): ("Fine-tuning energy", "kWh"),
    ("training", "gpu_hours"): ("Accelerator time", "GPU-hours"),
    ("training", "power_per_gpu_w"): ("Power per GPU", "W"),
    ("training", "pue"): ("Power usage effectiveness (PUE)", ""),
    ("training", "emissions_tco2e"): ("Training emissions", "t CO₂e"),
    ("training", "emissions_location_based_tco2e"): (
        "Training emissions, location-based",
        "t CO₂e",
    ),
    ("training", "emissions_market_based_tco2e"): ("Training emissions, market-based", "t CO₂e"),
    ("training", "emissions_lifecycle_tco2e"): ("Training emissions, life cycle", "t CO₂e"),
    ("training", "break_even_queries"): ("Break-even as published", "queries"),
    ("inference", "energy_kwh_per_1000_queries"): ("Energy per 1,000 queries", "kWh"),
    ("inference", "emissions_g_co2e_per_1000_queries"): ("Emissions per 1,000 queries", "g CO₂e"),
    ("inference", "carbon_intensity_g_per_kwh"): ("Grid carbon intensity", "g CO₂e/kWh"),
    ("inference", "ai_energy_score_stars"): ("AI Energy Score's own rating", "of 5 stars"),
}

# Which emissions figure stands for "the training emissions" in lists, in order of preference:
# the figure as the publisher states it, else location-based (the grid's real emissions).
HEADLINE_EMISSIONS_FIELDS = (
    "emissions_tco2e",
    "emissions_location_based_tco2e",
    "emissions_lifecycle_tco2e",
    "emissions_market_based_tco2e",
)


@dataclass(frozen=True)
class Derivation:
    """How a figure was computed here, as numbers (render says it in words).

    Methods: "gpu-hours-x-power" (training energy from accelerator time and power per GPU);
    "median-of-runs" (the median of measured runs, with their spread and files).
    """

    method: str
    runs: int = 0
    min_kwh_per_1000_queries: float | None = None
    max_kwh_per_1000_queries: float | None = None
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class CarbonBasis:
    """What the carbon equivalences of an amount start from (render says it in words).

    Kinds: "training-emissions" (the card's headline training emissions figure, by its label);
    "measured-grid" (the measured energy at the grid intensities of its runs); "reported" (the
    card's emissions per 1,000 queries, with that figure's own provenance).
    """

    kind: str
    figure_label: str = ""
    intensities: tuple[GridIntensity, ...] = ()
    provenance: Provenance | None = None  # of the figure it starts from (kind "reported")


@dataclass(frozen=True)
class FigureView:
    """A figure ready to show: value, unit, provenance and citation (or derivation)."""

    key: str
    label: str
    value: float
    unit: str
    provenance: Provenance
    source_key: str | None = None
    where: str | None = None
    note: str | None = None
    conflicts: tuple[ConflictingValue, ...] = ()
    derivation: Derivation | None = None


@dataclass(frozen=True)
class EquivalenceRow:
    """Equivalences of one amount: training, 1,000 queries, or one query."""

    scope: str
    energy_kwh: float | None
    energy: tuple[Equivalence, ...] = ()
    emissions_kg_co2e: float | None = None
    carbon: tuple[Equivalence, ...] = ()
    carbon_basis: CarbonBasis | None = None  # what the carbon equivalences assume


@dataclass(frozen=True)
class CardSummary:
    """One card and the figures computed from it."""

    card: Card
    training_figures: tuple[FigureView, ...] = ()
    inference_figures: tuple[FigureView, ...] = ()
    headline_training_emissions: FigureView | None = None
    headline_inference_energy: FigureView | None = None
    measured: MeasuredInference | None = None
    rating: Rating | None = None
    break_even: BreakEven | None = None
    equivalences: tuple[EquivalenceRow, ...] = ()
    power_logs: tuple[tuple[str, PowerSamples], ...] = ()  # (display path, samples), for charts

    @property
    def task_label(self) -> str:
        return TASK_LABELS[self.card.task]

    @property
    def inference_kwh_per_query(self) -> float | None:
        """The headline inference energy for one query (the at-scale calculator's input)."""
        energy = self.headline_inference_energy
        return per_query(energy.value) if energy else None


def _figure_view(section: str, name: str, figure: Figure) -> FigureView:
    label, unit = FIGURE_DISPLAY[(section, name)]
    return FigureView(
        key=f"{section}.{name}",
        label=label,
        value=figure.value,
        unit=unit,
        provenance=figure.provenance,
        source_key=figure.source,
        where=figure.where,
        note=figure.note,
        conflicts=tuple(figure.conflicts),
    )


def _stated_figures(card: Card, section: str) -> list[FigureView]:
    model = getattr(card, section)
    if model is None:
        return []
    return [
        _figure_view(section, name, value)
        for name in type(model).model_fields
        if isinstance(value := getattr(model, name), Figure)
    ]


def estimate_training_energy(card: Card) -> FigureView | None:
    """GPU-hours x power per GPU, when the card states both but no energy.

    This is how Meta's cards estimate energy (TDP, not measured power), so it is labelled
    `estimated` and says which cited figures it multiplies.
    """
    training = card.training
    if (
        training is None
        or training.energy_kwh
        or not (training.gpu_hours and training.power_per_gpu_w)
    ):
        return None
    energy_kwh = gpu_hours_at_power_to_kwh(training.gpu_hours.value, training.power_per_gpu_w.value)
    return FigureView(
        key="training.energy_kwh",
        label="Training energy",
        value=energy_kwh,
        unit="kWh",
        provenance=Provenance.ESTIMATED,
        derivation=Derivation("gpu-hours-x-power"),
    )


def measured_energy_view(measured: MeasuredInference) -> FigureView:
    """The median of measured runs as a figure, saying how it was derived."""
    return FigureView(
        key="inference.measured_energy_kwh_per_1000_queries",
        label="Energy per 1,000 queries",
        value=measured.median_kwh_per_1000_queries,
        unit="kWh",
        provenance=measured.provenance,
        derivation=Derivation(
            "median-of-runs",
            runs=len(measured.runs),
            min_kwh_per_1000_queries=measured.min_kwh_per_1000_queries,
            max_kwh_per_1000_queries=measured.max_kwh_per_1000_queries,
            files=tuple(measured.files),
        ),
    )


def _break_even(
    by_key: dict[str, FigureView], inference_energy: FigureView | None
) -> BreakEven | None:
    """Computed from the card's training and inference energy, beside the published figure."""
    training = by_key.get("training.energy_kwh")
    published = by_key.get("training.break_even_queries")
    finetuning = by_key.get("training.finetuning_energy_kwh")
    total_kwh = training.value + (finetuning.value if finetuning else 0.0) if training else None
    kwh_per_query = (
        per_query(inference_energy.value)
        if inference_energy is not None and inference_energy.value > 0
        else None
    )
    queries = (
        break_even_queries(total_kwh, kwh_per_query)
        if total_kwh is not None and kwh_per_query is not None
        else None
    )
    if queries is None and published is None:
        return None
    published_queries = published.value if published and published.value > 0 else None
    return BreakEven(
        queries=queries,
        training_kwh=total_kwh,
        kwh_per_query=kwh_per_query,
        includes_finetuning=finetuning is not None,
        published_queries=published_queries,
        published_kwh_per_query=total_kwh / published_queries
        if total_kwh is not None and published_queries
        else None,
    )


def _inference_carbon(
    measured: MeasuredInference | None, by_key: dict[str, FigureView]
) -> tuple[float | None, CarbonBasis | None]:
    """g CO2e per 1,000 queries and what it assumes, from measurements or the card."""
    if measured is not None and measured.carbon is not None:
        basis = CarbonBasis("measured-grid", intensities=tuple(measured.carbon.intensities))
        return measured.carbon.g_co2e_per_1000_queries, basis
    reported = by_key.get("inference.emissions_g_co2e_per_1000_queries")
    if reported is not None:
        return reported.value, CarbonBasis("reported", provenance=reported.provenance)
    return None, None


def _equivalence_rows(
    card: Card,
    by_key: dict[str, FigureView],
    headline_emissions: FigureView | None,
    inference_energy: FigureView | None,
    measured: MeasuredInference | None,
    factors: Sequence[Factor],
) -> tuple[EquivalenceRow, ...]:
    rows = []
    training = by_key.get("training.energy_kwh")
    if training or headline_emissions:
        kg = headline_emissions.value * KG_PER_TONNE if headline_emissions else None
        rows.append(
            EquivalenceRow(
                scope="Training",
                energy_kwh=training.value if training else None,
                energy=tuple(equivalences(training.value, "energy", factors)) if training else (),
                emissions_kg_co2e=kg,
                carbon=tuple(equivalences(kg, "carbon", factors)) if kg else (),
                carbon_basis=CarbonBasis("training-emissions", headline_emissions.label)
                if headline_emissions
                else None,
            )
        )
    grams, basis = _inference_carbon(measured, by_key)
    for scope, queries in (("1,000 queries", QUERIES_PER_FIGURE), ("One query", 1)):
        divisor = QUERIES_PER_FIGURE / queries
        kwh = inference_energy.value / divisor if inference_energy else None
        kg = grams / G_PER_KG / divisor if grams is not None else None
        if kwh is None and kg is None:
            continue
        rows.append(
            EquivalenceRow(
                scope=scope,
                energy_kwh=kwh,
                energy=_per_queries(equivalences(kwh, "energy", factors), queries) if kwh else (),
                emissions_kg_co2e=kg,
                carbon=_per_queries(equivalences(kg, "carbon", factors), queries) if kg else (),
                carbon_basis=basis,
            )
        )
    return tuple(rows)


def _per_queries(found: Sequence[Equivalence], queries: int) -> tuple[Equivalence, ...]:
    """Equivalences of an amount for `queries` queries, inverse ones saying how many queries
    make one factor unit."""
    return tuple(
        replace(e, queries_per_unit=e.inverse_count * queries) if e.inverse else e for e in found
    )


def summarize_card(
    card: Card,
    measured: MeasuredInference | None = None,
    reference: RatingReference | None = None,
    factors: Sequence[Factor] = (),
    power_logs: Sequence[tuple[str, PowerSamples]] = (),
) -> CardSummary:
    """All figures of a card, stated and derived, and the headline ones.

    `measured` and `power_logs` come from the card's measurement files
    (`generator.compute.card_measurements`); the power logs are carried for its charts.
    """
    training = _stated_figures(card, "training")
    estimated_energy = estimate_training_energy(card)
    if estimated_energy:
        training.insert(0, estimated_energy)
    inference = _stated_figures(card, "inference")
    if measured is not None:
        inference.insert(0, measured_energy_view(measured))
    by_key = {view.key: view for view in training + inference}
    headline_emissions = next(
        (
            by_key[f"training.{name}"]
            for name in HEADLINE_EMISSIONS_FIELDS
            if f"training.{name}" in by_key
        ),
        None,
    )
    inference_energy = by_key.get("inference.measured_energy_kwh_per_1000_queries") or by_key.get(
        "inference.energy_kwh_per_1000_queries"
    )
    return CardSummary(
        card=card,
        training_figures=tuple(training),
        inference_figures=tuple(inference),
        headline_training_emissions=headline_emissions,
        headline_inference_energy=inference_energy,
        measured=measured,
        rating=rate(card, inference_energy.value if inference_energy else None, reference),
        break_even=_break_even(by_key, inference_energy),
        equivalences=_equivalence_rows(
            card, by_key, headline_emissions, inference_energy, measured, factors
        ),
        power_logs=tuple(power_logs),
    )


def summarize_cards(
    cards: Sequence[Card],
    measurements: Mapping[str, CardMeasurements] | None = None,
    reference: RatingReference | None = None,
    factors: Sequence[Factor] = (),
) -> list[CardSummary]:
    """Summaries sorted by card id (deterministic output); `measurements` is keyed by card id."""
    measurements = measurements or {}
    summaries = []
    for card in sorted(cards, key=lambda c: c.id):
        measured = measurements.get(card.id) or CardMeasurements()
        summaries.append(
            summarize_card(card, measured.inference, reference, factors, measured.power_logs)
        )
    return summaries
