"""`energy-cards inspect FILE`: what the loader makes of one measurement file, without a card.

The JSON document is a public interface (documented in the README and on the site):
`format`, `version`, `rows_read`, `runs`, `energy_kwh`, `components_kwh`, `duration_s`,
`emissions_kg_co2e`, `countries`, `gpus` (power logs and counters), `problems`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.formats.card import MeasurementFormat
from generator.formats.measurement_sidecar import sidecar_data
from generator.formats.power_log_layout import layout_from_spec
from generator.load.measurement_files import MeasurementData, read_measurement_file
from generator.problems import Location, Problem, Report, format_text, plural
from generator.units import format_number, joules_to_kwh

if TYPE_CHECKING:
    from generator.compute.power import PowerLogEnergy


def _problem_dicts(problems: list[Problem]) -> list[dict[str, Any]]:
    return [
        {
            "line": p.location.line,
            "code": p.code,
            "column": p.key.removeprefix("column ") or None,
            "message": p.message,
            "severity": str(p.severity),
        }
        for p in problems
    ]


def _codecarbon(data: MeasurementData) -> dict[str, Any]:
    parsed = data.codecarbon
    runs = [
        {
            "line": run.line,
            "run_id": run.run_id,
            "project_name": run.project_name,
            "experiment_id": run.experiment_id,
            "rows_collapsed": run.rows_collapsed,
            "duration_s": run.duration_s,
            "energy_kwh": run.energy_kwh,
            "cpu_energy_kwh": run.cpu_energy_kwh,
            "gpu_energy_kwh": run.gpu_energy_kwh,
            "ram_energy_kwh": run.ram_energy_kwh,
            "emissions_kg_co2e": run.emissions_kg_co2e,
            "country_iso_code": run.country_iso_code,
            "pue": run.pue,
        }
        for run in parsed.runs
    ]

    def total(name: str) -> float | None:
        values = [getattr(run, name) for run in parsed.runs]
        return sum(values) if values and None not in values else None

    return {
        "version": parsed.generation,
        "columns": parsed.columns,
        "rows_read": parsed.rows_read,
        "runs": runs,
        "energy_kwh": parsed.energy_kwh,
        "components_kwh": {
            "cpu": total("cpu_energy_kwh"),
            "gpu": total("gpu_energy_kwh"),
            "ram": total("ram_energy_kwh"),
        },
        "duration_s": total("duration_s"),
        "emissions_kg_co2e": total("emissions_kg_co2e"),
        "countries": sorted({run.country_iso_code for run in parsed.runs if run.country_iso_code}),
        "pue": sorted({run.pue for run in parsed.runs if run.pue is not None}),
    }


def _power_log(data: MeasurementData) -> dict[str, Any]:
    from generator.compute.power import integrate_power

    samples = data.power_log
    energy = integrate_power(samples)
    gpus = [
        {
            "gpu": gpu.gpu,
            "samples": gpu.samples,
            "energy_kwh": None if gpu.energy_j is None else joules_to_kwh(gpu.energy_j),
            "duration_s": gpu.duration_s,
            "median_interval_s": gpu.median_interval_s,
            "max_gap_s": gpu.max_gap_s,
            "gaps": gpu.gaps,
            "coverage": gpu.coverage,
        }
        for gpu in energy.gpus.values()
    ]
    return {
        "version": f"power column {samples.power_column}",
        "engine": "duckdb (streaming)" if _streamed(samples) else "in memory",
        "rows_read": samples.rows_read,
        "runs": [{"line": 1, "run_id": None, "energy_kwh": energy.energy_kwh}],
        "energy_kwh": energy.energy_kwh,
        "components_kwh": {"cpu": None, "gpu": energy.energy_kwh, "ram": None},
        "duration_s": energy.duration_s,
        "emissions_kg_co2e": None,
        "countries": [],
        "gpus": gpus,
        "na_readings": samples.na_readings,
        "notes": [*energy.notes, *gap_notes(energy)],
    }


def _streamed(samples: Any) -> bool:
    return any(gpu.intervals is not None for gpu in samples.gpus.values())


def gap_notes(energy: PowerLogEnergy) -> list[str]:
    """One sentence per GPU whose log has gaps: how many, how long, how much energy they carry."""
    return [
        f"GPU {gpu.gpu}: {gpu.gaps} gap{'s' if gpu.gaps > 1 else ''} longer than"
        f" {format_number(gpu.gap_threshold_s)} s (longest {format_number(gpu.max_gap_s)} s),"
        f" bridged by straight lines: {format_number(gpu.gap_energy_j)} J of"
        f" {format_number(gpu.energy_j)} J; coverage {format_number(100 * gpu.coverage, 3)}%"
        for gpu in energy.gpus.values()
        if gpu.gaps and gpu.samples >= 2
    ]


def _counters(data: MeasurementData) -> dict[str, Any]:
    counters = data.counters
    by_gpu: dict[str, float] = {}
    for run in counters.runs:
        for gpu, energy_kwh in run.energy_kwh_by_gpu.items():
            by_gpu[gpu] = by_gpu.get(gpu, 0.0) + energy_kwh
    return {
        "version": counters.format,
        "rows_read": counters.rows_read,
        "runs": [
            {
                "line": r.line,
                "run_id": r.name,
                "energy_kwh": r.energy_kwh,
                "duration_s": r.duration_s,
            }
            for r in counters.runs
        ],
        "energy_kwh": counters.energy_kwh,
        "components_kwh": {"cpu": None, "gpu": counters.energy_kwh, "ram": None},
        "duration_s": None,
        "emissions_kg_co2e": None,
        "countries": [],
        "gpus": [{"gpu": gpu, "energy_kwh": value} for gpu, value in sorted(by_gpu.items())],
    }


def inspect_file(
    path: Path, declared: str = "auto", display_path: str | None = None
) -> tuple[dict[str, Any], list[Problem]]:
    """The inspection document for one file and its problems (never raises for a bad file).

    `declared` is a format name, or `power-log:SPEC` for a power log of any layout
    (`generator.formats.power_log_layout`). `display_path` is how messages name the file
    (default: `path` as given).
    """
    display_path = display_path or path.as_posix()
    kind, _, spec = declared.partition(":")
    layout = layout_from_spec(spec)[0] if spec else None
    data, problems = read_measurement_file(path, display_path, MeasurementFormat(kind), layout)
    report: dict[str, Any] = {
        "file": display_path,
        "format": data.format.value if data else None,
        "version": None,
        "rows_read": 0,
        "runs": [],
        "energy_kwh": None,
        "problems": _problem_dicts(problems),
    }
    if data is None:
        return report, problems
    if data.codecarbon is not None:
        report |= _codecarbon(data)
    elif data.counters is not None:
        report |= _counters(data)
    else:
        report |= _power_log(data)
    report["sidecar"] = sidecar_data(data.sidecar) if data.sidecar else None
    problems = problems + _replace_non_finite(report, display_path, [])
    report["problems"] = _problem_dicts(problems)
    return report, problems


def _replace_non_finite(node: Any, display_path: str, where: list[str | int]) -> list[Problem]:
    """Set every infinite or NaN number in the document to None, with a problem for each.

    JSON has no infinity: a sum past the float range must read as null, not `Infinity`.
    """
    problems = []
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in list(items):
        if isinstance(value, dict | list):
            problems += _replace_non_finite(value, display_path, [*where, key])
        elif isinstance(value, float) and not math.isfinite(value):
            node[key] = None
            name = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in [*where, key])
            got = "not a number" if math.isnan(value) else "infinity"
            message = (
                f"expected a finite number, got {got} (values past the float range); shown as null"
            )
            problems.append(
                Problem(Location(display_path), "bad-number", message, key=name.lstrip("."))
            )
    return problems


def format_inspection_json(report: dict[str, Any]) -> str:
    """The inspection document as JSON; never `Infinity` or `NaN` (they are not JSON)."""
    return json.dumps(report, indent=2, allow_nan=False)


def _value(value: float | None, unit: str) -> str:
    return "unknown" if value is None else f"{format_number(value)} {unit}"


def format_inspection_text(report: dict[str, Any], problems: list[Problem]) -> str:
    """A short human summary, then every problem compiler-style."""
    lines = [f"{report['file']}: {report['format'] or 'unknown format'}"]
    if report["format"]:
        lines.append(f"  version:   {report['version']}")
        lines.append(f"  rows read: {report['rows_read']}")
        lines.append(f"  runs:      {len(report['runs'])} (cumulative flushes collapsed)")
        lines.append(f"  energy:    {_value(report['energy_kwh'], 'kWh')}")
        components = report.get("components_kwh") or {}
        shown = [f"{k} {_value(v, 'kWh')}" for k, v in components.items() if v is not None]
        if shown:
            lines.append(f"  by part:   {', '.join(shown)}")
        for gpu in report.get("gpus", []):
            extra = ""
            if "samples" in gpu:
                coverage = gpu["coverage"]
                extra = (
                    f", {plural(gpu['samples'], 'sample')}, median interval "
                    f"{_value(gpu['median_interval_s'], 's')}, {plural(gpu['gaps'], 'gap')}, "
                    f"coverage {'unknown' if coverage is None else f'{coverage:.0%}'}"
                )
            lines.append(f"  GPU {gpu['gpu']}:     {_value(gpu['energy_kwh'], 'kWh')}{extra}")
        lines.append(f"  duration:  {_value(report.get('duration_s'), 's')}")
        if report.get("emissions_kg_co2e") is not None:
            lines.append(f"  emissions: {_value(report['emissions_kg_co2e'], 'kg CO2eq')}")
        if report.get("countries"):
            lines.append(f"  countries: {', '.join(report['countries'])}")
        for run in report["runs"]:
            label = run.get("run_id") or f"line {run['line']}"
            lines.append(f"  run {label}: {_value(run['energy_kwh'], 'kWh')} (line {run['line']})")
    if problems:
        lines.append(format_text(Report(problems=list(problems))).rsplit("\n", 1)[0])
    lines.append(plural(len(report["problems"]), "problem"))
    return "\n".join(lines)
