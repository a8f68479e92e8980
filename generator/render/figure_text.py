"""Render stage: how a figure was derived and what its carbon assumes, in words. Pure.

Compute records derivations and carbon bases as numbers (`Derivation`, `CarbonBasis`); pages,
the publishing kit and the per-card JSON say them with these sentences.
"""

from __future__ import annotations

from generator.compute.equivalences import BreakEven
from generator.compute.ratings import Rating
from generator.compute.summary import CarbonBasis, Derivation, FigureView
from generator.formats.card import TASK_LABELS
from generator.render.escaping import SCOPE_LABELS
from generator.units import (
    Quantity,
    emissions_unit_for,
    energy_unit_for,
    format_number,
    grams_to_kg,
    readable_emissions,
    readable_energy,
    tonnes_to_kg,
)

CO2E = "CO₂e"
# Figure units (compute.summary.FIGURE_DISPLAY) shown in a unit chosen per value: to kWh or kg.
_EMISSIONS_UNITS = {"t CO₂e": tonnes_to_kg, "g CO₂e": grams_to_kg}

_GPU_HOURS_X_POWER = (
    "computed here: accelerator time x power per GPU, both as cited below; "
    "leaves out CPUs, memory and networking, and counts data-centre overhead only where the "
    "power figure does"
)


def energy_text(energy_kwh: float, unit: str | None = None) -> str:
    """Energy in the unit that reads best (or `unit`): 7.095e-7 -> '2.55 J'."""
    return str(readable_energy(energy_kwh, unit))


def emissions_text(emissions_kg: float, unit: str | None = None) -> str:
    """CO2e mass in the unit that reads best (or `unit`), without 'CO₂e': '1.9 kt'."""
    return str(readable_emissions(emissions_kg, unit))


def figure_units(figures: list[FigureView | None]) -> dict[str, str]:
    """One emissions unit per kind of emissions figure shown together (a table): totals in
    t CO2e share one, per-1,000-queries figures in g CO2e share another."""
    units = {}
    for unit, to_kg in _EMISSIONS_UNITS.items():
        values = [to_kg(f.value) for f in figures if f is not None and f.unit == unit]
        if values:
            units[unit] = emissions_unit_for(values)
    return units


def figure_quantity(
    figure: FigureView, units: dict[str, str] | None = None, value: float | None = None
) -> str:
    """A figure's value and unit for reading: kWh and CO2e in readable units, others as
    given: '51.7 MWh', '1.9 kt CO₂e', '184,320 GPU-hours', '400 W'. `value` stands in for
    the figure's own (a conflicting value the source also gives), in the figure's unit."""
    amount = figure.value if value is None else value
    if figure.unit == "kWh":
        return energy_text(amount)
    if to_kg := _EMISSIONS_UNITS.get(figure.unit):
        chosen: Quantity = readable_emissions(to_kg(amount), (units or {}).get(figure.unit))
        return f"{chosen} {CO2E}"
    return f"{format_number(amount)} {figure.unit}".rstrip()


def derivation_text(derivation: Derivation) -> str:
    """E.g. 'median of 3 runs (min 0.01, max 0.02) in measurements/x/emissions.csv'."""
    if derivation.method == "gpu-hours-x-power":
        return _GPU_HOURS_X_POWER
    runs = derivation.runs
    spread = ""
    if runs > 1 and derivation.min_kwh_per_1000_queries is not None:
        values = [derivation.min_kwh_per_1000_queries, derivation.max_kwh_per_1000_queries or 0.0]
        unit = energy_unit_for(values)  # one unit for the pair: "min 2.41 J, max 4.07 J"
        low, high = (energy_text(value, unit) for value in values)
        spread = f" (min {low}, max {high})"
    plural = "s" if runs != 1 else ""
    return f"median of {runs} run{plural}{spread} in " + ", ".join(derivation.files)


def carbon_basis_text(basis: CarbonBasis | None) -> str:
    """E.g. 'the measured energy at 56 g CO₂e/kWh, FRA'; '' when there is none."""
    if basis is None:
        return ""
    if basis.kind == "training-emissions":
        return f"the {basis.figure_label.lower()} above"
    if basis.kind == "measured-grid":
        zones = "; ".join(
            f"{format_number(i.intensity_g_per_kwh)} g CO₂e/kWh, {i.zone}"
            for i in basis.intensities
        )
        return f"the measured energy at {zones}"
    provenance = basis.provenance.value if basis.provenance else "stated"
    return f"the {provenance} emissions per 1,000 queries above"


def rating_group_text(rating: Rating) -> str:
    """The group a rating compares within, in full; '' when not rated.

    E.g. 'among the 4 text generation cards of size class A whose energy covers the GPU only,
    against the rating reference of 2026-11-22'.
    """
    group = rating.group
    if group is None or not rating.stars:
        return ""
    klass = f" of size class {group.size_class}" if group.size_class else ""
    scope = f" whose energy covers the {SCOPE_LABELS[group.scope]}" if group.scope else ""
    setting = f", all measured alike ({group.measured_as})" if group.measured_as else ""
    return (
        f"among the {len(group.cards)} {TASK_LABELS[group.task].lower()} cards{klass}{scope}"
        f"{setting}, against the rating reference of {rating.reference_date}"
    )


def rating_group_words(rating: Rating) -> list[str]:
    """Task, size class and energy scope of the rating's group; [] when not rated."""
    group = rating.group
    if group is None or not rating.stars:
        return []
    words = [TASK_LABELS[group.task].lower()]
    if group.size_class:
        words.append(f"class {group.size_class}")
    if group.scope:
        words.append(SCOPE_LABELS[group.scope])
    return words


def rating_group_short(rating: Rating) -> str:
    """The group in a few words, for badges and table cells; '' when not rated.

    E.g. 'text generation, class A, GPU only, 4 cards, ref. 2026-11-22'.
    """
    words = rating_group_words(rating)
    if not words or rating.group is None:
        return ""
    return ", ".join([*words, f"{len(rating.group.cards)} cards", f"ref. {rating.reference_date}"])


def rating_group_in_task(rating: Rating) -> str:
    """The group in a task page's Stars cell, where the task, the scope (its own column) and
    the reference date (under the table) go without saying; '' when not rated.

    E.g. 'class A, 32 cards' (the whole group spelled out in every cell made rows seven
    lines tall).
    """
    group = rating.group
    if group is None or not rating.stars:
        return ""
    size_class = [f"class {group.size_class}"] if group.size_class else []
    return ", ".join([*size_class, f"{len(group.cards)} cards"])


def ai_energy_score_why(rating: Rating | None) -> str:
    """One sentence on why this site's stars and AI Energy Score's own can differ."""
    theirs = (
        "AI Energy Score's stars place the model among every model on its leaderboard for the "
        "task, in five equal (linear) 20% bands of that energy range, recalibrated at each "
        "leaderboard update"
    )
    if rating is None or not rating.stars or rating.group is None:
        why = rating.reason if rating and rating.reason else "no rating reference"
        return f"This site does not rate it ({why}); {theirs}."
    return (
        f"They differ because they rate against different groups and scales: this site's stars "
        f"are five log₁₀ bands over its {len(rating.group.cards)} comparable cards; {theirs}."
    )


def break_even_why(break_even: BreakEven) -> str:
    """One sentence on why the published and the computed break-even differ; '' if not both."""
    b = break_even
    if b.queries is None or b.published_queries is None or b.published_kwh_per_query is None:
        return ""
    if b.kwh_per_query is None:
        return ""
    return (
        f"Both divide the same training energy ({energy_text(b.training_kwh or 0.0)}); the "
        f"published {format_number(b.published_queries)} corresponds to "
        f"{energy_text(b.published_kwh_per_query)} per query, while this card's energy per "
        f"1,000 queries gives {energy_text(b.kwh_per_query)} per query, so the source "
        "divided by a rounded or different per-query figure."
    )
