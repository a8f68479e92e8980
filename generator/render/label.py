"""Render stage: the energy label (SVG, and PNG through `label_png`), 260 x 364 px. Pure.

Takes a `CardSummary`; gives the label's SVG text from the autoescaping `label.svg.j2`, every
line measured with `generator.render.svg_text` so that it fits inside the frame: names and
hardware wrap or end with an ellipsis, and the big figure shrinks before it would overflow.
"""

from __future__ import annotations

from generator.compute.ratings import STARS
from generator.compute.summary import CardSummary, FigureView
from generator.render.environment import render_template
from generator.render.figure_text import (
    energy_text,
    figure_quantity,
    rating_group_short,
    rating_group_words,
)
from generator.render.label_png import render_svg_png
from generator.render.svg_text import clean_text as _clean
from generator.render.svg_text import star_points as _star_points
from generator.render.svg_text import text_width_px, wrap_text
from generator.units import format_significant, grams_to_kg, readable_emissions, readable_energy

LABEL_WIDTH_PX, LABEL_HEIGHT_PX = 260, 364
_LINE_PX = LABEL_WIDTH_PX - 32  # 16 px margins
# The big figure: value in bold, then its unit; the value shrinks (down to the smallest size)
# rather than leave the frame.
FIGURE_FONT_PX, FIGURE_MIN_FONT_PX, UNIT_FONT_PX, UNIT_GAP_PX = 28, 12, 16, 4
EMISSIONS_BASIS = {
    "training.emissions_tco2e": "as the publisher states it (no location/market basis given)",
    "training.emissions_location_based_tco2e": "location-based (grid average)",
    "training.emissions_market_based_tco2e": "market-based (after renewable purchases)",
    "training.emissions_lifecycle_tco2e": "life cycle (incl. hardware manufacturing)",
}


def _training_text(figure: FigureView) -> str:
    basis = EMISSIONS_BASIS[figure.key].split(" (")[0]
    basis = "" if figure.key == "training.emissions_tco2e" else f", {basis}"
    return f"Training: {figure_quantity(figure)}{basis}, {figure.provenance}"


def _ai_energy_score_stars(summary: CardSummary) -> int | None:
    figure = next(
        (f for f in summary.inference_figures if f.key == "inference.ai_energy_score_stars"), None
    )
    return int(figure.value) if figure else None


def _rating_lines(summary: CardSummary) -> tuple[str, list[str]]:
    """The caption under the stars and up to two lines naming the group (or why not rated)."""
    rating = summary.rating
    theirs = _ai_energy_score_stars(summary)
    aies = f"AI Energy Score's own rating: {theirs} of {STARS}" if theirs else ""
    if rating and rating.stars and rating.group:
        words = rating_group_words(rating)
        caption = f"{rating.stars} of {STARS} stars among {len(rating.group.cards)} cards"
        second = f"ref. {rating.reference_date}" + (
            f" · AI Energy Score {theirs}/5" if theirs else ""
        )
        return caption, [
            wrap_text(", ".join(words), _LINE_PX, 10, 1)[0],
            wrap_text(second, _LINE_PX, 10, 1)[0],
        ]
    reason = rating.reason if rating else "no rating reference has been made yet"
    # The label has room for the reason, not its explanation in brackets (the page has both).
    lines = wrap_text(reason.split(" (")[0], _LINE_PX, 10, 1 if aies else 2)
    return "not rated", lines + ([wrap_text(aies, _LINE_PX, 10, 1)[0]] if aies else [])


def _training_line(summary: CardSummary) -> str:
    """Training emissions, else training energy (stated or estimated), else 'not known'."""
    if emissions := summary.headline_training_emissions:
        return _training_text(emissions)
    energy = next((f for f in summary.training_figures if f.key == "training.energy_kwh"), None)
    if energy:
        return f"Training: {energy_text(energy.value)}, {energy.provenance}"
    return "Training: not known"


def _inference_carbon_figure(summary: CardSummary) -> FigureView | None:
    return next(
        (
            f
            for f in summary.inference_figures
            if f.key == "inference.emissions_g_co2e_per_1000_queries"
        ),
        None,
    )


def figure_font_px(value: str, unit: str, max_px: float = _LINE_PX) -> int:
    """The largest font size (28 px down to 12 px) at which the label's figure, value and
    unit, fits on one line of `max_px`."""
    size = FIGURE_FONT_PX
    while size > FIGURE_MIN_FONT_PX and _figure_width_px(value, unit, size) > max_px:
        size -= 1
    return size


def _figure_width_px(value: str, unit: str, size: int) -> float:
    unit_px = round(size * UNIT_FONT_PX / FIGURE_FONT_PX)
    return text_width_px(value, size, bold=True) + UNIT_GAP_PX + text_width_px(unit, unit_px)


def render_label_svg(summary: CardSummary) -> str:
    """The energy label, 260 x 364 px, in the spirit of AI Energy Score's label."""
    card, rating, energy = summary.card, summary.rating, summary.headline_inference_energy
    stars = rating.stars if rating and rating.stars else 0
    reason = rating.reason if rating else "no rating reference has been made yet"
    carbon = None if energy else _inference_carbon_figure(summary)
    shown = readable_energy(energy.value) if energy else None
    if carbon:
        shown = readable_emissions(grams_to_kg(carbon.value))
    unit = f"{shown.unit} CO₂e" if carbon and shown else (shown.unit if shown else "")
    value = format_significant(shown.value) if shown else ""
    figure = f"{value} {unit} per 1,000 queries" if shown else "no figure"
    font_px = figure_font_px(value, unit)
    caption, rating_lines = _rating_lines(summary)
    provenance = (energy or carbon).provenance.value if (energy or carbon) else None  # type: ignore[union-attr]
    return render_template(
        "label.svg.j2",
        width=LABEL_WIDTH_PX,
        height=LABEL_HEIGHT_PX,
        aria_label=f"Energy label: {_clean(card.name)} by {_clean(card.organization)}, "
        f"{summary.task_label}, {'CO₂e' if carbon else 'energy'} {figure}, "
        + (
            f"{stars} of {STARS} stars {rating_group_short(rating)}"  # type: ignore[arg-type]
            if stars
            else f"not rated: {reason}"
        ),
        name_lines=wrap_text(card.name, _LINE_PX, 16, 2, bold=True),
        organization=wrap_text(card.organization, _LINE_PX, 12, 1)[0],
        task=wrap_text(summary.task_label, _LINE_PX, 12, 1)[0],
        hardware_lines=wrap_text(
            card.inference.conditions.hardware if card.inference else "not stated",
            _LINE_PX,
            12,
            2,
        ),
        energy_value=value if shown else None,
        energy_unit=unit,
        figure_px=font_px,
        unit_px=round(font_px * UNIT_FONT_PX / FIGURE_FONT_PX),
        provenance=provenance,
        stars=[(_star_points(74 + 28 * i, 272, 11), i < stars) for i in range(STARS)],
        stars_caption=caption,
        rating_lines=rating_lines,
        training_lines=wrap_text(_training_line(summary), _LINE_PX, 10, 2),
    )


def render_label_png(summary: CardSummary, scale: int = 2) -> bytes:
    """The label as a palette PNG, `scale` x its size (drawn by `label_png`, DejaVu Sans)."""
    return render_svg_png(render_label_svg(summary), scale)
