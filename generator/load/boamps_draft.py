"""Load stage for BoAmps energy reports: a read report -> draft card data + problems.

The second step after `generator.load.boamps.read_boamps_report`, like `hf_model_card`'s
`draft_card`: `draft_card_from_report` gives the data of a card, "<...>" placeholders where
the report gives nothing. `energy-cards import boamps` writes the draft.

How a report becomes figures:
- `measures[0].powerConsumption` is an energy in kWh (BoAmps' name notwithstanding).
- Inference (`taskStage` inference): kWh per 1,000 queries = powerConsumption / nbRequest x
  1,000; a report without nbRequest (or with 0) gives no per-query figure (an error).
- Training (`training`, `pretraining`, `retraining`) gives `training.energy_kwh`; fine-tuning
  (`finetuning`, `fine-tuning`) `training.finetuning_energy_kwh`; any other stage (data
  creation, preprocessing, stages joined with `+`) is `unsupported-stage`.
- Several measures of one task are alternatives, not parts: the first is the figure, the others
  are kept under its `conflicts` (warning `several-measures`), never summed or picked silently.
- `quality` (high / medium / low) becomes the figure's uncertainty band, +/-10 %, 25 % or 50 %
  as the BoAmps spec reads it, written in the figure's note.
- Provenance: `estimated` when any part is modelled rather than read from a sensor
  (flops-compute; a `constant` tracking mode, which is the TDP; CodeCarbon's RAM, a model of
  memory size); `measured` for sensor tools (NVML, RAPL, Zeus, a wattmeter); else `reported`.
- Scope from the infrastructure's component types (gpu, cpu, ram); a wattmeter measures the
  whole node; otherwise `not-stated`.

Problem codes this module adds: `unsupported-stage` (a task stage cards hold no figure for),
`several-measures` (a warning).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from generator.formats.boamps import QUALITY_BANDS, BoampsReport, Measure
from generator.formats.card import EnergyScope, Provenance, Task
from generator.load.boamps import ReportFile
from generator.problems import Problem, Severity, format_key_path
from generator.units import format_number, per_1000_queries

SOURCE_KEY = "boamps-report"
INFERENCE_STAGES = {"inference"}
TRAINING_STAGES = {"training", "pretraining", "retraining"}
FINETUNING_STAGES = {"finetuning"}
# taskFamily (lowercase, letters only) -> task; BoAmps' families are free text.
FAMILY_TASKS: dict[str, Task] = {
    "chatbot": Task.TEXT_GENERATION,
    "chat": Task.TEXT_GENERATION,
    "conversational": Task.TEXT_GENERATION,
    "textgeneration": Task.TEXT_GENERATION,
    "llm": Task.TEXT_GENERATION,
    "reasoning": Task.REASONING,
    "summarization": Task.SUMMARIZATION,
    "summarisation": Task.SUMMARIZATION,
    "questionanswering": Task.EXTRACTIVE_QA,
    "extractiveqa": Task.EXTRACTIVE_QA,
    "textclassification": Task.TEXT_CLASSIFICATION,
    "sentimentanalysis": Task.TEXT_CLASSIFICATION,
    "sentencesimilarity": Task.SENTENCE_SIMILARITY,
    "embeddings": Task.SENTENCE_SIMILARITY,
    "tokenclassification": Task.TOKEN_CLASSIFICATION,
    "namedentityrecognition": Task.TOKEN_CLASSIFICATION,
    "fillmask": Task.FILL_MASK,
    "imageclassification": Task.IMAGE_CLASSIFICATION,
    "objectdetection": Task.OBJECT_DETECTION,
    "imagegeneration": Task.IMAGE_GENERATION,
    "texttoimage": Task.IMAGE_GENERATION,
    "imagecaptioning": Task.IMAGE_CAPTIONING,
    "speechrecognition": Task.SPEECH_TO_TEXT,
    "speechtotext": Task.SPEECH_TO_TEXT,
    "tabularclassification": Task.TABULAR_CLASSIFICATION,
}
SENSOR_TOOLS = {"nvml", "rapl", "zeus", "wattmeter", "powermeter", "scaphandre"}
SENSOR_TRACKING_MODES = {"nvml", "rapl", "intelpowergadget", "powermetrics", "machine"}
_SCOPES = {
    frozenset({"gpu"}): EnergyScope.GPU,
    frozenset({"cpu"}): EnergyScope.CPU,
    frozenset({"cpu", "ram"}): EnergyScope.CPU_RAM,
    frozenset({"gpu", "cpu", "ram"}): EnergyScope.GPU_CPU_RAM,
}
_HF_MODEL = re.compile(r"^https://huggingface\.co/([A-Za-z0-9][\w.-]*)/([A-Za-z0-9][\w.-]*)/?$")
_URL = re.compile(r"^https?://[^\s<>\"'`\\]+$")


def _number(value: float) -> float:
    """A computed figure without float noise (12 significant digits)."""
    return float(f"{value:.12g}")


def _exact(value: float) -> str:
    """A number as the report writes it (up to 12 significant digits), for notes."""
    return f"{value:.12g}"


def _provenance(measure: Measure, component_types: set[str]) -> tuple[Provenance, str]:
    """The provenance of a measure's energy and why."""
    method = re.sub(r"[^a-z]", "", measure.method.lower())
    modes = {
        part: re.sub(r"[^a-z]", "", mode.lower())
        for part, mode in (("CPU", measure.cpu_tracking_mode), ("GPU", measure.gpu_tracking_mode))
        if mode
    }
    constant = [part for part, mode in modes.items() if mode == "constant"]
    if "flops" in method:
        return Provenance.ESTIMATED, "computed from FLOPs, not measured"
    if constant:
        return Provenance.ESTIMATED, (
            f"{' and '.join(constant)} power in constant mode (from the TDP, not a sensor)"
        )
    if method == "codecarbon":
        if "ram" in component_types:
            return Provenance.ESTIMATED, "CodeCarbon's RAM energy is a model of memory size"
        if modes and all(mode in SENSOR_TRACKING_MODES for mode in modes.values()):
            return Provenance.MEASURED, "every tracking mode is a sensor"
        return Provenance.ESTIMATED, "the report does not say every part was read from a sensor"
    if method in SENSOR_TOOLS:
        return Provenance.MEASURED, f"read with {measure.method}"
    return Provenance.REPORTED, f"the report's method, {measure.method}, is taken as stated"


def _scope(report: BoampsReport, measure: Measure) -> EnergyScope:
    if re.sub(r"[^a-z]", "", measure.method.lower()) in {"wattmeter", "powermeter"}:
        return EnergyScope.WHOLE_NODE
    types = {c.component_type.strip().lower() for c in report.infrastructure.components}
    return _SCOPES.get(frozenset(types & {"gpu", "cpu", "ram"}), EnergyScope.NOT_STATED)


def _hardware(report: BoampsReport) -> str:
    components = report.infrastructure.components
    for kind in ("gpu", "tpu", "cpu"):
        found = [c for c in components if c.component_type.strip().lower() == kind]
        names = []
        for component in found:
            name = component.name or " ".join(
                part
                for part in (component.manufacturer, component.family, component.series)
                if part
            )
            if not name:
                continue
            counted = component.count > 1 and not re.match(r"^\s*\d+\s*[x×]", name)
            names.append(f"{component.count} x {name}" if counted else name)
        if names:
            return "; ".join(names)
    return "<Accelerator or CPU the task ran on>"


def _measure_text(measure: Measure) -> str:
    tool = f"{measure.method} {measure.version}" if measure.version else measure.method
    modes = ", ".join(
        f"{part} {mode}"
        for part, mode in (("CPU", measure.cpu_tracking_mode), ("GPU", measure.gpu_tracking_mode))
        if mode
    )
    text = f"Measured with {tool}" + (f" ({modes})" if modes else "")
    if measure.duration_s is not None:
        text += f" over {format_number(measure.duration_s)} s"
    if measure.started:
        text += f", from {measure.started}"
    if measure.calibration_energy_kwh is not None:
        text += (
            f"; the report also gives a calibration energy of "
            f"{format_number(measure.calibration_energy_kwh)} kWh, not subtracted"
        )
    return text + "."


def _quality_text(report: BoampsReport, value: float, unit: str) -> str:
    if report.quality is None:
        return "The report states no quality, so no uncertainty band is known."
    band = QUALITY_BANDS[report.quality]
    low, high = format_number(value * (1 - band)), format_number(value * (1 + band))
    return (
        f"Report quality: {report.quality.value} (BoAmps: about +/-{band:.0%} error), "
        f"so {low} to {high} {unit}."
    )


def _stage(report_file: ReportFile) -> tuple[str | None, list[Problem]]:
    """'inference', 'energy_kwh' or 'finetuning_energy_kwh'; None with a problem otherwise."""
    stage = re.sub(r"[^a-z+]", "", report_file.report.task.stage.lower())
    if stage in INFERENCE_STAGES:
        return "inference", []
    if stage in TRAINING_STAGES:
        return "energy_kwh", []
    if stage in FINETUNING_STAGES:
        return "finetuning_energy_kwh", []
    message = (
        f"expected a task stage cards hold a figure for (inference, training, finetuning), "
        f"got '{report_file.report.task.stage}'"
    )
    hint = "a report that joins stages with '+' cannot be split: import one report per stage"
    where = report_file.location(("task", "taskStage"))
    return None, [Problem(where, "unsupported-stage", message, key="task.taskStage", hint=hint)]


def _energy_figure(
    report_file: ReportFile, stage: str
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The figure (value, provenance, source, where, note, conflicts) of the report's energy."""
    report, shown = report_file.report, report_file.display_path
    requests = report.task.requests
    inference = stage == "inference"
    if inference and not requests:
        key = ("task", "nbRequest")
        message = (
            f"expected nbRequest > 0 (the requests the measures cover) for a per-query figure, "
            f"got {format_number(requests) if requests is not None else 'none'}"
        )
        hint = 'add "nbRequest": N under "task" with the number of requests measured'
        where = report_file.location(key if requests is not None else ("task",))
        code = "missing-key" if requests is None else "bad-value"
        return None, [Problem(where, code, message, key=format_key_path(key), hint=hint)]

    def value_of(measure: Measure) -> float:
        return (
            _number(per_1000_queries(measure.energy_kwh, requests))
            if inference
            else measure.energy_kwh
        )  # type: ignore[arg-type]

    first, others = report.measures[0], report.measures[1:]
    value = value_of(first)
    unit = "kWh per 1,000 queries" if inference else "kWh"
    component_types = {c.component_type.strip().lower() for c in report.infrastructure.components}
    provenance, why = _provenance(first, component_types)
    per_request = (
        f" for {_exact(requests)} request(s): x 1,000 / {_exact(requests)} = "  # type: ignore[arg-type]
        f"{_exact(value)} {unit}"
        if inference
        else ""
    )
    note = (
        f"{_exact(first.energy_kwh)} kWh as the report states it (BoAmps' "
        f"powerConsumption is an energy, kWh){per_request}. {_measure_text(first)} "
        f"Provenance {provenance.value}: {why}. {_quality_text(report, value, unit)}"
    )
    where = f"{shown}: measures[0].powerConsumption" + (" / task.nbRequest" if inference else "")
    figure: dict[str, Any] = {
        "value": value,
        "provenance": provenance.value,
        "source": SOURCE_KEY,
        "where": where,
        "note": note,
    }
    problems = []
    if others:
        figure["conflicts"] = [
            {
                "value": value_of(measure),
                "where": f"{shown}: measures[{index}].powerConsumption",
                "note": _measure_text(measure),
            }
            for index, measure in enumerate(others, start=1)
        ]
        message = (
            f"the report has {len(report.measures)} measures of one task: the draft uses the "
            f"first and lists the others under `conflicts`"
        )
        hint = "check which measure covers the task; never add them up"
        problems.append(
            Problem(
                report_file.location(("measures", 1)),
                "several-measures",
                message,
                Severity.WARNING,
                "measures",
                hint,
            )
        )
    return figure, problems


def _draft_task(report_file: ReportFile) -> tuple[str, list[Problem]]:
    family = report_file.report.task.family
    letters = re.sub(r"[^a-z]", "", family.lower())
    task = FAMILY_TASKS.get(letters)
    if task is None:
        task = next((t for t in Task if re.sub(r"[^a-z]", "", t.value) == letters), None)
    if task is not None:
        return task.value, []
    message = f"expected a task family that maps to a task of these cards, got '{family}'"
    hint = 'the draft says task: "<task>"; set the closest task by hand (the draft lists them)'
    where = report_file.location(("task", "taskFamily"))
    problem = Problem(where, "not-one-of", message, Severity.WARNING, "task.taskFamily", hint)
    return "<task>", [problem]


def _dataset_text(report: BoampsReport) -> str | None:
    parts = [
        f"{d.usage.value} {format_number(d.quantity)} {d.data_type.value}"
        if d.quantity is not None
        else f"{d.usage.value} {d.data_type.value}"
        for d in report.task.dataset
    ]
    requests = report.task.requests
    counted = f" per request, {format_number(requests)} request(s)" if requests else ""
    return f"BoAmps dataset: {', '.join(parts)}{counted}" if parts else None


def _where_ran(report: BoampsReport) -> str:
    infrastructure, environment = report.infrastructure, report.environment
    text = f"Infrastructure: {infrastructure.infra_type.value}"
    if infrastructure.cloud_provider:
        text += f" at {infrastructure.cloud_provider}"
    if infrastructure.cloud_instance:
        text += f" ({infrastructure.cloud_instance})"
    if environment:
        text += f"; country: {environment.country}"
        if environment.power_supplier_type:
            text += f" ({environment.power_supplier_type} power supply)"
        if environment.intensity_g_per_kwh is not None:
            text += f"; grid intensity {format_number(environment.intensity_g_per_kwh)} gCO2eq/kWh"
    return text + "."


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def draft_card_from_report(
    report_file: ReportFile, card_id: str | None
) -> tuple[dict[str, Any], list[Problem]]:
    """Card data drafted from a BoAmps report; "<...>" where the report gives nothing.

    Args:
        report_file: The report as `read_boamps_report` gives it.
        card_id: The card id; default: the model's name, slugified.
    """
    report = report_file.report
    algorithm = report.task.algorithms[0]
    name = next(
        (n for n in (algorithm.foundation_model_name, algorithm.algorithm_name, card_id) if n),
        None,
    )
    if name is None or "<" in name or ">" in name:
        message = "expected a model name (foundationModelName or algorithmName), found none"
        where = report_file.location(("task", "algorithms", 0))
        hint = "give the card id with --id"
        return {}, [Problem(where, "missing-key", message, key="task.algorithms[0]", hint=hint)]
    stage, problems = _stage(report_file)
    if stage is None:
        return {}, problems
    figure, figure_problems = _energy_figure(report_file, stage)
    problems += figure_problems
    if figure is None:
        return {}, problems
    uri = algorithm.foundation_model_uri or algorithm.algorithm_uri
    model_page = uri if uri and _URL.match(uri) else None
    hub = _HF_MODEL.match(model_page) if model_page else None
    task, task_problems = _draft_task(report_file)
    header = report.header
    publisher = header.publisher.name if header and header.publisher else None
    dated = [
        d for d in (header.report_datetime if header else None, report.measures[0].started) if d
    ]
    year = next((int(d[:4]) for d in dated if re.match(r"^(19[5-9]\d|20\d\d)", d)), None)
    report_id = header.report_id if header and header.report_id else None
    source = {
        "title": f"BoAmps energy report {report_id or Path(report_file.display_path).name}",
        "url": "<https://... where the report is published>",
        "publisher": publisher,
        "year": year or "<YYYY>",
    }
    parameters = algorithm.parameters_billions
    hardware = _hardware(report)
    if stage == "inference":
        quantization = algorithm.quantization
        section: dict[str, Any] = {
            "conditions": {
                "hardware": hardware,
                "scope": _scope(report, report.measures[0]).value,
                "includes_pue": None,
                "precision": quantization,
                "dataset": _dataset_text(report),
            },
            "energy_kwh_per_1000_queries": figure,
            "notes": _where_ran(report),
        }
    else:
        section = {
            "hardware": hardware,
            "region": report.environment.country if report.environment else None,
            stage: figure,
            "notes": _where_ran(report),
        }
    data = {
        "id": card_id or _slug(name),
        "name": name,
        "organization": hub.group(1) if hub else "<Who released the model>",
        "task": task,
        "parameter_count": round(parameters * 1e9) if parameters and parameters > 0 else None,
        "links": {"model_page": model_page} if model_page else None,
        "tags": [f"{hub.group(1)}/{hub.group(2)}"] if hub else [],
        "sources": {SOURCE_KEY: {k: v for k, v in source.items() if v is not None}},
        "inference" if stage == "inference" else "training": section,
    }
    return {k: v for k, v in data.items() if v is not None}, problems + task_problems
