"""Compute stage: pure functions from validated cards to the figures pages show.

Takes `Card` models; gives `CardSummary` records: every figure with its label, unit,
provenance and citation, plus the few figures derived here (each saying how). Nothing is
invented: a derived figure names the cited figures it comes from.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from generator.measured import MeasuredInference
from generator.schema import TASK_LABELS, Card, ConflictingValue, Figure, Provenance, Task
from generator.units import format_number, gpu_hours_at_power_to_kwh

# Label and display unit of every figure field (a test checks this covers schema.FIGURE_FIELDS).
FIGURE_DISPLAY: dict[tuple[str, str], tuple[str, str]] = {
    ("training", "energy_kwh"): ("Training energy", "kWh"),
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
    ("inference", "energy_kwh_per_1000_queries"): ("Energy per 1,000 queries", "kWh"),
    ("inference", "emissions_g_co2e_per_1000_queries"): ("Emissions per 1,000 queries", "g CO₂e"),
    ("inference", "carbon_intensity_g_per_kwh"): ("Grid carbon intensity", "g CO₂e/kWh"),
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
    derivation: str | None = None


@dataclass(frozen=True)
class CardSummary:
    """One card and the figures computed from it."""

    card: Card
    training_figures: tuple[FigureView, ...] = ()
    inference_figures: tuple[FigureView, ...] = ()
    headline_training_emissions: FigureView | None = None
    headline_inference_energy: FigureView | None = None
    measured: MeasuredInference | None = None

    @property
    def task_label(self) -> str:
        return TASK_LABELS[self.card.task]


@dataclass(frozen=True)
class TaskGroup:
    task: Task
    label: str
    summaries: tuple[CardSummary, ...] = field(default_factory=tuple)


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
        derivation=(
            "computed here: accelerator time x power per GPU, both as cited below; "
            "excludes CPUs, memory, networking and data-centre overhead"
        ),
    )


def measured_energy_view(measured: MeasuredInference) -> FigureView:
    """The median of measured runs as a figure, saying how it was derived."""
    runs = len(measured.runs)
    spread = (
        f" (min {format_number(measured.min_kwh_per_1000_queries)}, "
        f"max {format_number(measured.max_kwh_per_1000_queries)})"
        if runs > 1
        else ""
    )
    return FigureView(
        key="inference.measured_energy_kwh_per_1000_queries",
        label="Energy per 1,000 queries",
        value=measured.median_kwh_per_1000_queries,
        unit="kWh",
        provenance=measured.provenance,
        derivation=f"median of {runs} run{'s' if runs != 1 else ''}{spread} in "
        + ", ".join(measured.files),
    )


def summarize_card(card: Card, measured: MeasuredInference | None = None) -> CardSummary:
    """All figures of a card, stated and derived, and the headline ones."""
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
    return CardSummary(
        card=card,
        training_figures=tuple(training),
        inference_figures=tuple(inference),
        headline_training_emissions=headline_emissions,
        headline_inference_energy=by_key.get("inference.measured_energy_kwh_per_1000_queries")
        or by_key.get("inference.energy_kwh_per_1000_queries"),
        measured=measured,
    )


def _inference_sort_key(summary: CardSummary) -> tuple:
    energy = summary.headline_inference_energy
    return (energy is None, energy.value if energy else 0.0, summary.card.name.lower())


def group_by_task(summaries: Iterable[CardSummary]) -> list[TaskGroup]:
    """Cards per task, tasks in vocabulary order, cards by energy per 1,000 queries."""
    grouped: dict[Task, list[CardSummary]] = defaultdict(list)
    for summary in summaries:
        grouped[summary.card.task].append(summary)
    return [
        TaskGroup(task, TASK_LABELS[task], tuple(sorted(grouped[task], key=_inference_sort_key)))
        for task in Task
        if task in grouped
    ]


def summarize_cards(
    cards: Sequence[Card], measured: dict[str, MeasuredInference | None] | None = None
) -> list[CardSummary]:
    """Summaries sorted by card id (deterministic output); `measured` is keyed by card id."""
    measured = measured or {}
    return [
        summarize_card(card, measured.get(card.id)) for card in sorted(cards, key=lambda c: c.id)
    ]
