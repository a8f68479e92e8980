"""Render stage: a card as a BoAmps energy report (Boavizta's JSON), for `export --format boamps`.

Pure: takes a `CardSummary`, gives JSON text that validates against the BoAmps 1.1.0 report
schema (`generator.formats.boamps` holds the models the reader shares). One report holds one
task stage, so `boamps` writes the inference report (the headline energy per 1,000 queries:
`nbRequest` 1000, `powerConsumption` that energy in kWh) and, for a card with no inference
energy, the training report; `boamps-training` always writes the training one (training
energy, stated or estimated from GPU-hours x power, `nbRequest` 0). A card with no energy
figure for the stage (emissions only) cannot be a BoAmps report, which requires an energy:
that is a ValueError with the reason.

What a card does not say is left out (the header, which needs a publishing date; `quality`)
or written as BoAmps' "other"/"unknown" where the schema requires a value: `infraType` other
unless the card names a cloud provider; the hardware as one component, its count read from
a leading "8 x" (1 when the card gives none), its type from the energy scope. The figure's
provenance, source and conditions are in `taskDescription`.
"""

from __future__ import annotations

import re

from generator.compute.summary import CardSummary, FigureView
from generator.formats.boamps import (
    Algorithm,
    BoampsReport,
    Component,
    Dataset,
    DataType,
    DataUsage,
    Environment,
    Infrastructure,
    InfraType,
    Measure,
    Task,
    boamps_json_data,
)
from generator.formats.card import Card, EnergyScope, MeasurementFormat
from generator.formats.card import Task as CardTask
from generator.render.exports import figure_by_key, json_text, source_text
from generator.units import QUERIES_PER_FIGURE, format_number

# What a task reads and writes, as BoAmps' dataType.
_TASK_DATA: dict[CardTask, tuple[DataType, DataType]] = {
    CardTask.IMAGE_CLASSIFICATION: (DataType.IMAGE, DataType.TEXT),
    CardTask.OBJECT_DETECTION: (DataType.IMAGE, DataType.OBJECT),
    CardTask.IMAGE_GENERATION: (DataType.TEXT, DataType.IMAGE),
    CardTask.IMAGE_CAPTIONING: (DataType.IMAGE, DataType.TEXT),
    CardTask.SPEECH_TO_TEXT: (DataType.AUDIO, DataType.TEXT),
    CardTask.TABULAR_CLASSIFICATION: (DataType.TABULAR, DataType.TEXT),
}
_COMPONENT_TYPES = {
    EnergyScope.GPU: "gpu",
    EnergyScope.GPU_CPU_RAM: "gpu",
    EnergyScope.CPU: "cpu",
    EnergyScope.CPU_RAM: "cpu",
}
_COUNT = re.compile(r"^\s*(\d{1,6})\s*[x×]\s*", re.IGNORECASE)


def _components(hardware: str | None, scope: EnergyScope | None) -> list[Component]:
    if not hardware:
        return [Component(component_type="unknown", count=1)]
    counted = _COUNT.match(hardware)
    kind = _COMPONENT_TYPES.get(scope) if scope else None
    if kind is None:
        kind = (
            "gpu" if re.search(r"nvidia|gpu|\b[AHVTBL]\d{2,3}\b|tpu", hardware, re.I) else "other"
        )
    return [
        Component(name=hardware, component_type=kind, count=int(counted.group(1)) if counted else 1)
    ]


def _algorithm(card: Card, precision: str | None) -> Algorithm:
    return Algorithm(
        foundation_model_name=card.name,
        foundation_model_uri=card.links.model_page if card.links else None,
        parameters_billions=card.parameter_count / 1e9 if card.parameter_count else None,
        algorithm_type=card.architecture,
        quantization=precision,
    )


def _dataset(card: Card) -> list[Dataset]:
    read, written = _TASK_DATA.get(card.task, (DataType.TEXT, DataType.TEXT))
    return [
        Dataset(usage=DataUsage.INPUT, data_type=read),
        Dataset(usage=DataUsage.OUTPUT, data_type=written),
    ]


def _method(summary: CardSummary, figure: FigureView) -> str:
    """measurementMethod: the file format for measured files, else how the card got it."""
    if figure.key.startswith("inference.measured") and summary.card.inference:
        formats = sorted(
            {m.format.value for m in summary.card.inference.measurements}
            - {MeasurementFormat.AUTO.value}
        )
        return ", ".join(formats) or "codecarbon"
    if figure.derivation is not None:
        return f"estimated: {figure.derivation.method}"[:200]
    return f"{figure.provenance.value} by {source_text(summary, figure)}"[:200]


def _description(summary: CardSummary, figure: FigureView, stage: str) -> str:
    card = summary.card
    text = (
        f"Model Energy Cards, card {card.id}: {figure.label} {format_number(figure.value)} "
        f"{figure.unit}"
        + (" per 1,000 queries" if stage == "inference" and "1,000" not in figure.label else "")
        + f", {figure.provenance.value}, {source_text(summary, figure)}"
        + (f" ({figure.where})" if figure.where else "")
        + "."
    )
    conditions = card.inference.conditions if card.inference and stage == "inference" else None
    if conditions:
        pue = {True: "included", False: "not included", None: "not stated"}[conditions.includes_pue]
        text += f" Scope: {conditions.scope.value}; PUE {pue}"
        if conditions.batch_size:
            text += f"; batch size {conditions.batch_size}"
        if conditions.dataset:
            text += f"; queries: {conditions.dataset}"
        text += "."
    if figure.note:
        text += f" Note: {figure.note}"
    return text


def boamps_report(summary: CardSummary, stage: str = "inference") -> BoampsReport:
    """The card's figures for one stage ("inference" or "training") as a BoAmps report.

    Raises:
        ValueError: the card has no energy figure for that stage.
    """
    card = summary.card
    inference_energy = summary.headline_inference_energy
    training_energy = figure_by_key(summary.training_figures, "training.energy_kwh")
    if stage == "inference" and inference_energy is None and training_energy is not None:
        stage = "training"
    figure = inference_energy if stage == "inference" else training_energy
    if figure is None:
        what = "inference energy per 1,000 queries" if stage == "inference" else "training energy"
        raise ValueError(
            f"card '{card.id}' has no {what} (kWh), and a BoAmps report is an energy measure: "
            "emissions alone cannot be written as one"
        )
    conditions = card.inference.conditions if card.inference and stage == "inference" else None
    training = card.training
    hardware = conditions.hardware if conditions else (training.hardware if training else None)
    grid = card.inference.grid if card.inference and stage == "inference" else None
    country = (grid.country_iso_code if grid else None) or (
        training.region if training and stage == "training" else None
    )
    cloud = grid.cloud_provider if grid else None
    return BoampsReport(
        task=Task(
            stage=stage,
            family=card.task.value,
            requests=QUERIES_PER_FIGURE if stage == "inference" else 0,
            algorithms=[_algorithm(card, conditions.precision if conditions else None)],
            dataset=_dataset(card),
            description=_description(summary, figure, stage),
        ),
        measures=[Measure(method=_method(summary, figure), energy_kwh=figure.value)],
        infrastructure=Infrastructure(
            infra_type=InfraType.PUBLIC_CLOUD if cloud else InfraType.OTHER,
            cloud_provider=cloud,
            cloud_instance=grid.cloud_region if grid and cloud else None,
            components=_components(hardware, conditions.scope if conditions else None),
        ),
        environment=Environment(country=country) if country else None,
    )


def render_boamps_json(summary: CardSummary, stage: str = "inference") -> str:
    """`boamps_report` as indented JSON text (<, >, & \\u-escaped, inert when embedded)."""
    return json_text(boamps_json_data(boamps_report(summary, stage)))
