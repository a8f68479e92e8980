"""Render stage for the publishing kit: what a team releasing a model pastes or links.

Pure: takes a `CardSummary`, gives text (bytes for the PNG label). The energy label (SVG, PNG)
and the README badge (SVG) come from autoescaping templates, so card text is XML-escaped by
default; the model-card section escapes card text for Markdown; the Hugging Face
`co2_eq_emissions` block and the open-data JSON are serialized with <, > and & escaped.
Nothing here runs in a reader's browser: no scripts, web fonts or external references.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Callable
from enum import Enum
from typing import Any

from pydantic import BaseModel

from generator.compute.ratings import size_class
from generator.compute.summary import CardSummary, Derivation, EquivalenceRow
from generator.render.boamps import render_boamps_json
from generator.render.environment import SITE_NAME, render_template
from generator.render.escaping import plain_markdown, stars_text, yaml_scalar
from generator.render.exports import render_cyclonedx_json, render_spdx_json
from generator.render.figure_text import (
    carbon_basis_text,
    derivation_text,
    energy_text,
    figure_quantity,
    rating_group_short,
)
from generator.render.label import EMISSIONS_BASIS, render_label_svg
from generator.render.label import LABEL_HEIGHT_PX as LABEL_HEIGHT_PX  # re-exported
from generator.render.label import LABEL_WIDTH_PX as LABEL_WIDTH_PX
from generator.render.label import render_label_png as render_label_png
from generator.render.svg_text import clean_text as _clean
from generator.render.svg_text import text_width_px
from generator.units import (
    G_PER_KG,
    KG_PER_TONNE,
    format_number,
)

# Where the build should write each card's files, relative to the site root (stable URLs).
PUBLISH_PATHS = {
    "badge-svg": "badges/{id}.svg",
    "label-svg": "labels/{id}.svg",
    "label-png": "labels/{id}.png",
    "json": "data/cards/{id}.json",
}
DEFAULT_TRAINING_TYPE = "pre-training"  # the Hub's training_type when a card does not say
_SITE_URL = re.compile(r"^https?://[^\s<>\"'`\\]+$")

_BADGE_COLORS = {5: "#44cc11", 4: "#97ca00", 3: "#dfb317", 2: "#fe7d37", 1: "#e05d44"}


def badge_message(summary: CardSummary) -> str:
    """The right half of the badge: energy and stars, else training emissions, else none."""
    energy, rating = summary.headline_inference_energy, summary.rating
    if energy:
        stars = (
            f" {stars_text(rating.stars)} ({rating_group_short(rating)})"
            if rating and rating.stars
            else ""
        )
        return f"{energy_text(energy.value)}/1k queries{stars}"
    if figure := summary.headline_training_emissions:
        return f"training {figure_quantity(figure)}"
    return "no figure"


def render_badge_svg(summary: CardSummary, label: str = "energy") -> str:
    """A shields.io-style flat badge; part widths follow the text (5 px padding each side)."""
    message, rating = badge_message(summary), summary.rating
    if summary.headline_inference_energy and rating and rating.stars:
        color = _BADGE_COLORS[rating.stars]
    else:
        color = "#9f9f9f" if message == "no figure" else "#007ec6"
    label_px, message_px = math.ceil(text_width_px(label)), math.ceil(text_width_px(message))
    return render_template(
        "badge.svg.j2",
        id=summary.card.id,
        label=label,
        message=message,
        color=color,
        label_width=label_px + 10,
        message_width=message_px + 10,
        label_text_width=label_px,
        message_text_width=message_px,
    )


def render_model_card_section(summary: CardSummary, site_url: str | None = None) -> str:
    """A Markdown '## Energy' section for a Hugging Face model card (README.md).

    With `site_url` (the site root), the section shows the badge linking to the card page.
    """
    card = summary.card
    base = site_url.rstrip("/") if site_url else None
    if base is not None and not _SITE_URL.match(base):
        raise ValueError(f"expected an http(s) site URL, got {site_url!r}")
    wanted = ("training.energy_kwh", "inference.emissions_g_co2e_per_1000_queries")
    figures = [summary.headline_inference_energy, summary.headline_training_emissions] + [
        f  # stated ones only: a derivation refers to citations on the card page
        for f in summary.training_figures + summary.inference_figures
        if f.key in wanted and f.source_key
    ]
    rating = summary.rating
    return plain_markdown(  # read as text in a README: no \( or &#x27; noise
        render_template(
            "model_card_energy.md.j2",
            s=summary,
            card=card,
            figures=[f for f in figures if f is not None],
            stars_text=stars_text(rating.stars) if rating and rating.stars else "",
            badge_alt=f"Energy: {badge_message(summary)}",
            badge_url=f"{base}/{PUBLISH_PATHS['badge-svg'].format(id=card.id)}" if base else None,
            card_url=f"{base}/cards/{card.id}/" if base else None,
        )
    )


def _grams(tonnes: float) -> int | float:
    grams = round(tonnes * KG_PER_TONNE * G_PER_KG, 3)
    return int(grams) if grams.is_integer() else grams


def hf_metadata(summary: CardSummary) -> dict[str, Any]:
    """The Hub's `co2_eq_emissions` metadata, emissions in grams; {} without a training figure.

    Schema (Hub docs `model-cards-co2.md`; huggingface.js `ApiModelMetadata`): `emissions`
    (number, grams CO2eq, required), and optional strings `source`, `training_type`,
    `geographical_location`, `hardware_used`.
    """
    figure, training = summary.headline_training_emissions, summary.card.training
    if figure is None:
        return {}
    block: dict[str, Any] = {"emissions": _grams(figure.value)}
    if figure.source_key:
        block["source"] = _clean(summary.card.sources[figure.source_key].title)
    block["training_type"] = DEFAULT_TRAINING_TYPE
    if training and training.region:
        block["geographical_location"] = _clean(training.region)
    if training and training.hardware:
        block["hardware_used"] = _clean(training.hardware)
    return {"co2_eq_emissions": block}


def _json_safe_text(text: str) -> str:
    """JSON text with <, > and & \\u-escaped: inert wherever it is pasted or embedded."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_hf_metadata_yaml(summary: CardSummary, site_url: str | None = None) -> str:
    """The `co2_eq_emissions` block for README.md front matter, with comments on its basis."""
    lines = [f"# {SITE_NAME}, card {summary.card.id}: Hugging Face model-card metadata."]
    figure = summary.headline_training_emissions
    if figure is None:
        lines.append("# No training emissions figure is known: no co2_eq_emissions block.")
        return "\n".join(lines) + "\n"
    block = hf_metadata(summary)["co2_eq_emissions"]
    lines += [
        "# Paste between the --- lines at the top of the model's README.md.",
        f"# emissions is in grams CO2eq, as the Hub expects: {format_number(figure.value)} "
        f"tCO2eq x 1,000,000 = {format_number(block['emissions'])} g.",
        f"# Basis: {EMISSIONS_BASIS[figure.key]}; provenance: {figure.provenance.value}.",
    ]
    lines += [
        f"# Not used (the Hub holds one figure): {EMISSIONS_BASIS[other.key]}, "
        f"{format_number(_grams(other.value))} g."
        for other in summary.training_figures
        if other.key in EMISSIONS_BASIS and other.key != figure.key
    ]
    lines.append("co2_eq_emissions:")
    lines += [f"  {key}: {yaml_scalar(value, html_safe=True)}" for key, value in block.items()]
    return "\n".join(lines) + "\n"


def _plain(value: Any) -> Any:
    """Dataclasses, pydantic models, enums and tuples as JSON-ready dicts, text and lists;
    derivations and carbon bases as the sentences the card page shows."""
    if isinstance(value, Derivation):
        return derivation_text(value)
    if isinstance(value, EquivalenceRow):
        fields = {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return fields | {"carbon_basis": carbon_basis_text(value.carbon_basis)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return value


def card_json(summary: CardSummary) -> dict[str, Any]:
    """The card's inputs and computed figures: the per-card open-data file.

    Keys, in this order:
        format: "model-energy-cards/card"; version: 1 (bumped on incompatible changes).
        card: the card as validated (every field of the card format; dates ISO, enums as text).
        task_label: the task's display name; size_class: AI Energy Score size class or null.
        headline: {inference_energy, training_emissions}: the figures lists show, or null.
        training_figures, inference_figures: every figure, stated and derived: {key, label,
            value, unit, provenance, source_key (into card.sources; null when derived), where,
            note, conflicts, derivation (how it was computed, when it was)}.
        rating: {stars (1-5, or null when not rated), reference_date, group: {task,
            size_class, min_kwh_per_1000_queries, max_kwh_per_1000_queries, cards} or null,
            reason (why not rated)}.
        measured: null, or {median_kwh_per_1000_queries, min_..., max_..., files, runs (one
            object per run: file, line, queries, energy_kwh, ...), scope, provenance,
            provenance_notes, carbon ({g_co2e_per_1000_queries, intensities, basis, ...}|null)}.
        break_even: null, or {queries, training_kwh, kwh_per_query, includes_finetuning}.
        equivalences: [{scope, energy_kwh, energy, emissions_kg_co2e, carbon, carbon_basis}],
            energy and carbon being [{factor (id, label, value, unit, source...), count,
            inverse, queries_per_unit (per-query rows: queries that make one factor unit)}].
    """
    measured = summary.measured
    return {
        "format": "model-energy-cards/card",
        "version": 1,
        "card": summary.card.model_dump(mode="json"),
        "task_label": summary.task_label,
        "size_class": size_class(summary.card),
        "headline": {
            "inference_energy": _plain(summary.headline_inference_energy),
            "training_emissions": _plain(summary.headline_training_emissions),
        },
        "training_figures": _plain(summary.training_figures),
        "inference_figures": _plain(summary.inference_figures),
        "rating": _plain(summary.rating),
        "measured": {
            "median_kwh_per_1000_queries": measured.median_kwh_per_1000_queries,
            "min_kwh_per_1000_queries": measured.min_kwh_per_1000_queries,
            "max_kwh_per_1000_queries": measured.max_kwh_per_1000_queries,
            "files": measured.files,
            **_plain(measured),
        }
        if measured
        else None,
        "break_even": _plain(summary.break_even),
        "equivalences": _plain(summary.equivalences),
    }


def render_card_json(summary: CardSummary, site_url: str | None = None) -> str:
    """`card_json` as indented JSON text, safe to embed in HTML (<, >, & \\u-escaped)."""
    return _json_safe_text(json.dumps(card_json(summary), indent=2, ensure_ascii=False)) + "\n"


def render_publish_files(summary: CardSummary) -> dict[str, bytes]:
    """The card's text files for the site, by path relative to the site root (PUBLISH_PATHS).

    The label PNG is not among them: the build converts the label SVG through its cache.
    """
    path = {kind: pattern.format(id=summary.card.id) for kind, pattern in PUBLISH_PATHS.items()}
    return {
        path["badge-svg"]: render_badge_svg(summary).encode("utf-8"),
        path["label-svg"]: render_label_svg(summary).encode("utf-8"),
        path["json"]: render_card_json(summary).encode("utf-8"),
    }


def label_png_path(card_id: str) -> str:
    return PUBLISH_PATHS["label-png"].format(id=card_id)


def label_svg_path(card_id: str) -> str:
    return PUBLISH_PATHS["label-svg"].format(id=card_id)


# `energy-cards export ID --format NAME`: each takes the summary and the site URL (or None).
EXPORT_FORMATS: dict[str, Callable[[CardSummary, str | None], str]] = {
    "label-svg": lambda summary, site_url: render_label_svg(summary),
    "badge-svg": lambda summary, site_url: render_badge_svg(summary),
    "model-card-md": render_model_card_section,
    "hf-metadata": render_hf_metadata_yaml,
    "json": render_card_json,
    # Standard reports (generator/render/boamps.py, exports.py): JSON validated in the tests.
    "boamps": lambda summary, site_url: render_boamps_json(summary),
    "boamps-training": lambda summary, site_url: render_boamps_json(summary, "training"),
    "cyclonedx": render_cyclonedx_json,
    "spdx": render_spdx_json,
}
