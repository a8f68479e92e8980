"""Render stage: a card's energy in the standard bill-of-materials formats, for `export`.

Pure: takes a `CardSummary`, gives JSON text.
- `cyclonedx`: a CycloneDX 1.6 BOM whose one `machine-learning-model` component carries
  `modelCard.considerations.environmentalConsiderations.energyConsumptions[]`: training and
  fine-tuning energy (kWh, emissions as `co2CostEquivalent` in tCO2eq), and inference energy
  per query (the card's figure per 1,000 queries / 1,000; its emissions likewise), each with
  `properties` naming the basis, provenance and source. Emissions with no energy beside them
  are environmental `properties`: the standard has no energy-less consumption.
- `spdx`: the SPDX 3.0.1 AI profile `ai_energyConsumption` to paste into an `ai_AIPackage`
  element: training, fine-tuning and inference (per query) in kilowattHour. SPDX has no field
  for the basis, so inference is per query, the reading its name suggests.
The BoAmps report is in `generator.render.boamps`; the helpers here are shared with it.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Sequence
from typing import Any

from generator.compute.summary import CardSummary, FigureView
from generator.formats.cyclonedx import (
    PROPERTY_PREFIX,
    Activity,
    Bom,
    Co2Measure,
    Component,
    Considerations,
    EnergyConsumption,
    EnergyMeasure,
    EnvironmentalConsiderations,
    ExternalReference,
    ModelCard,
    Property,
    bom_json_data,
)
from generator.formats.spdx import (
    AiPackageEnergy,
    EnergyConsumptionDescription,
    decimal_text,
    spdx_json_data,
)
from generator.formats.spdx import EnergyConsumption as SpdxEnergyConsumption
from generator.units import G_PER_KG, KG_PER_TONNE, QUERIES_PER_FIGURE, per_query

# A fixed namespace, so a card's BOM serial number is the same on every export.
_SERIAL_NAMESPACE = uuid.UUID("5d3f3b8e-6a51-4c1e-9f0e-2d5c8a7b9e10")
_SITE_URL = re.compile(r"^https?://[^\s<>\"'`\\]+$")


def json_text(data: Any) -> str:
    """Indented JSON text with <, > and & \\u-escaped: inert wherever it is embedded."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"


def figure_by_key(figures: Sequence[FigureView], key: str) -> FigureView | None:
    """The figure with this key (`training.energy_kwh`...), stated or derived, or None."""
    return next((f for f in figures if f.key == key), None)


def source_text(summary: CardSummary, figure: FigureView) -> str:
    """Where a figure comes from, in words: the cited source, or how it was derived."""
    if figure.source_key:
        source = summary.card.sources[figure.source_key]
        return f"source: {source.title} ({source.url})"
    if figure.derivation is not None:
        return f"derived: {figure.derivation.method}"
    return "derived on the card"


def _properties(summary: CardSummary, figure: FigureView, basis: str) -> list[Property]:
    return [
        Property(name=f"{PROPERTY_PREFIX}basis", value=basis),
        Property(name=f"{PROPERTY_PREFIX}provenance", value=figure.provenance.value),
        Property(name=f"{PROPERTY_PREFIX}source", value=source_text(summary, figure)),
    ]


def _consumptions(summary: CardSummary) -> tuple[list[EnergyConsumption], list[Property]]:
    training_energy = figure_by_key(summary.training_figures, "training.energy_kwh")
    finetuning = figure_by_key(summary.training_figures, "training.finetuning_energy_kwh")
    emissions = summary.headline_training_emissions
    found: list[EnergyConsumption] = []
    loose: list[Property] = []
    if training_energy is not None:
        found.append(
            EnergyConsumption(
                activity=Activity.TRAINING,
                activity_energy_cost=EnergyMeasure(value_kwh=training_energy.value),
                co2_cost_equivalent=Co2Measure(value_tco2e=emissions.value) if emissions else None,
                properties=_properties(summary, training_energy, "the whole training run"),
            )
        )
    elif emissions is not None:
        loose.append(
            Property(
                name=f"{PROPERTY_PREFIX}training-emissions-tco2e",
                value=f"{emissions.value!r} ({emissions.label}; {source_text(summary, emissions)})",
            )
        )
    if finetuning is not None:
        found.append(
            EnergyConsumption(
                activity=Activity.FINE_TUNING,
                activity_energy_cost=EnergyMeasure(value_kwh=finetuning.value),
                properties=_properties(summary, finetuning, "the whole fine-tuning run"),
            )
        )
    inference = summary.headline_inference_energy
    inference_emissions = figure_by_key(
        summary.inference_figures, "inference.emissions_g_co2e_per_1000_queries"
    )
    if inference is not None:
        grams = per_query(inference_emissions.value) if inference_emissions else None
        found.append(
            EnergyConsumption(
                activity=Activity.INFERENCE,
                activity_energy_cost=EnergyMeasure(value_kwh=per_query(inference.value)),
                co2_cost_equivalent=Co2Measure(value_tco2e=grams / (G_PER_KG * KG_PER_TONNE))
                if grams is not None
                else None,
                properties=_properties(
                    summary,
                    inference,
                    f"one query: the card's {inference.value!r} kWh per "
                    f"{QUERIES_PER_FIGURE:,} queries / {QUERIES_PER_FIGURE:,}",
                ),
            )
        )
    elif inference_emissions is not None:
        loose.append(
            Property(
                name=f"{PROPERTY_PREFIX}inference-emissions-g-co2e-per-1000-queries",
                value=f"{inference_emissions.value!r} "
                f"({source_text(summary, inference_emissions)})",
            )
        )
    return found, loose


def cyclonedx_bom(summary: CardSummary, site_url: str | None = None) -> Bom:
    """The card as a CycloneDX 1.6 BOM with one model component and its energy."""
    card = summary.card
    consumptions, loose = _consumptions(summary)
    references = []
    if card.links and card.links.model_page:
        references.append(ExternalReference(url=card.links.model_page, ref_type="website"))
    if site_url and not _SITE_URL.match(site_url):
        raise ValueError(f"expected an http(s) site URL, got {site_url!r}")
    if site_url:
        card_page = f"{site_url.rstrip('/')}/cards/{card.id}/"
        references.append(ExternalReference(url=card_page, ref_type="documentation"))
    component = Component(
        bom_ref=f"model-energy-card:{card.id}",
        name=card.name,
        publisher=card.organization,
        description=summary.task_label,
        external_references=references,
        model_card=ModelCard(
            considerations=Considerations(
                environmental=EnvironmentalConsiderations(
                    energy_consumptions=consumptions, properties=loose
                )
            )
        ),
    )
    serial = uuid.uuid5(_SERIAL_NAMESPACE, card.id)
    return Bom(serial_number=f"urn:uuid:{serial}", components=[component])


def render_cyclonedx_json(summary: CardSummary, site_url: str | None = None) -> str:
    """`cyclonedx_bom` as indented JSON text."""
    return json_text(bom_json_data(cyclonedx_bom(summary, site_url)))


def _kwh(value: float) -> list[EnergyConsumptionDescription]:
    return [EnergyConsumptionDescription(ai_energyQuantity=decimal_text(value))]


def spdx_energy(summary: CardSummary) -> AiPackageEnergy:
    """The card's energy as SPDX 3.0.1 `ai_energyConsumption` (kWh; inference per query)."""
    training = figure_by_key(summary.training_figures, "training.energy_kwh")
    finetuning = figure_by_key(summary.training_figures, "training.finetuning_energy_kwh")
    inference = summary.headline_inference_energy
    return AiPackageEnergy(
        ai_energyConsumption=SpdxEnergyConsumption(
            ai_trainingEnergyConsumption=_kwh(training.value) if training else [],
            ai_finetuningEnergyConsumption=_kwh(finetuning.value) if finetuning else [],
            ai_inferenceEnergyConsumption=_kwh(per_query(inference.value)) if inference else [],
        )
    )


def render_spdx_json(summary: CardSummary, site_url: str | None = None) -> str:
    """`spdx_energy` as indented JSON text."""
    return json_text(spdx_json_data(spdx_energy(summary)))
