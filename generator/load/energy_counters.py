"""Load stage for energy-counter files, preferred over integrated power when present.

Two formats, both read by header name:
- NVML total-energy samples: `timestamp, index|uuid|gpu, total_energy_mj`, columns defined in
  `generator.formats.energy_counters` (what `nvmlDeviceGetTotalEnergyConsumption` returns: mJ
  since the driver loaded; DCGM field 156 is the same counter). Energy per GPU = last - first
  sample; a drop means the counter restarted, so the segments are added. An optional `run`
  column splits the file into runs.
- Zeus log CSV: `start_time,window_name,elapsed_time,gpu0_energy,gpu1_energy,...` in joules,
  one row per measurement window: each window is a run.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from generator.formats.energy_counters import (
    ENERGY_COLUMNS,
    GPU_COLUMNS,
    POWER_COLUMN,
    RUN_COLUMN,
    TIME_COLUMN,
)
from generator.load.nvidia_smi import GpuSamples, PowerSamples
from generator.problems import CappedProblems, Location, Problem
from generator.units import joules_to_kwh


@dataclass(frozen=True)
class CounterRun:
    """One run measured by energy counters."""

    name: str
    line: int
    energy_kwh: float
    energy_kwh_by_gpu: dict[str, float] = field(default_factory=dict)
    duration_s: float | None = None


@dataclass(frozen=True)
class CounterFile:
    format: str  # "nvml-energy" or "zeus"
    rows_read: int
    runs: tuple[CounterRun, ...]
    power_log: PowerSamples | None = None  # the power_w column `measure` writes, for charts

    @property
    def energy_kwh(self) -> float:
        return sum(run.energy_kwh for run in self.runs)


def _number(raw: str) -> float | None:
    try:
        value = float(raw.strip().split()[0]) if raw.strip() else math.nan
    except (ValueError, IndexError):
        return None
    return value if math.isfinite(value) and value >= 0 else None


def _rows(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    lines = text.splitlines()
    header = [name.strip().lower() for name in next(csv.reader(lines[:1]), [])]
    rows = [
        (number, [cell.strip() for cell in row])
        for number, row in enumerate(csv.reader(lines[1:]), start=2)
        if any(cell.strip() for cell in row)
    ]
    return header, rows


def _short_row(display_path: str, line: int, expected: int, got: int) -> Problem:
    return Problem(
        Location(display_path, line), "truncated-row", f"expected {expected} fields, got {got}"
    )


def _bad_number(display_path: str, line: int, expected: str, raw: str, column: str) -> Problem:
    return Problem(
        Location(display_path, line),
        "bad-number",
        f"expected {expected}, got {raw!r}",
        key=f"column {column}",
    )


def is_zeus_header(header: list[str]) -> bool:
    return "window_name" in header and any(
        h.startswith("gpu") and h.endswith("_energy") for h in header
    )


def is_nvml_energy_header(header: list[str]) -> bool:
    return any(column in header for column in ENERGY_COLUMNS)


def parse_zeus_text(text: str, display_path: str) -> tuple[CounterFile | None, list[Problem]]:
    """Zeus windows: each row is a run; energy is the sum of the gpuN_energy columns (J)."""
    header, rows = _rows(text)
    gpu_columns = [h for h in header if h.startswith("gpu") and h.endswith("_energy")]
    problems = CappedProblems(display_path)  # row problems, capped as in every loader
    runs = []
    for line, row in rows:
        if len(row) != len(header):
            problems.add(_short_row(display_path, line, len(header), len(row)))
            continue
        values = dict(zip(header, row, strict=True))
        by_gpu = {}
        for column in gpu_columns:
            energy_j = _number(values[column])
            if energy_j is None:
                problems.add(
                    _bad_number(display_path, line, "joules >= 0", values[column], f"{column} (J)")
                )
                break
            by_gpu[column.removesuffix("_energy")] = joules_to_kwh(energy_j)
        else:
            runs.append(
                CounterRun(
                    name=values.get("window_name") or f"row {line}",
                    line=line,
                    energy_kwh=sum(by_gpu.values()),
                    energy_kwh_by_gpu=by_gpu,
                    duration_s=_number(values.get("elapsed_time", "")),
                )
            )
    return CounterFile("zeus", len(rows), tuple(runs)), problems.problems()


def _counter_energy_mj(samples: list[float]) -> float:
    """Energy from a monotonic counter; a drop starts a new segment (driver reload)."""
    total = 0.0
    for previous, current in zip(samples, samples[1:], strict=False):
        total += current - previous if current >= previous else current
    return total


def parse_nvml_energy_text(
    text: str, display_path: str
) -> tuple[CounterFile | None, list[Problem]]:
    """NVML counter samples per GPU (mJ); per run, energy = sum over GPUs of last - first."""
    header, rows = _rows(text)
    energy_column = next(c for c in ENERGY_COLUMNS if c in header)
    gpu_column = next((c for c in GPU_COLUMNS if c in header), None)
    time_column = TIME_COLUMN if TIME_COLUMN in header else None
    problems = CappedProblems(display_path)  # row problems, capped as in every loader
    samples: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    first_line: dict[str, int] = {}
    times: dict[str, list[float]] = defaultdict(list)
    power: dict[str, list[tuple[float, float]]] = defaultdict(list)  # gpu -> (time, watts)
    for line, row in rows:
        if len(row) != len(header):
            problems.add(_short_row(display_path, line, len(header), len(row)))
            continue
        values = dict(zip(header, row, strict=True))
        energy_mj = _number(values[energy_column])
        if energy_mj is None:
            problems.add(
                _bad_number(
                    display_path,
                    line,
                    "a counter value in mJ >= 0",
                    values[energy_column],
                    energy_column,
                )
            )
            continue
        run = values.get(RUN_COLUMN) or "run 1"
        first_line.setdefault(run, line)
        samples[run][values[gpu_column] if gpu_column else "0"].append(energy_mj)
        if time_column and (seconds := _number(values[time_column])) is not None:
            times[run].append(seconds)
            if (watts := _number(values.get(POWER_COLUMN, ""))) is not None:
                power[values[gpu_column] if gpu_column else "0"].append((seconds, watts))
    runs = []
    for run, by_gpu_samples in samples.items():
        by_gpu = {
            gpu: joules_to_kwh(_counter_energy_mj(s) / 1000.0) for gpu, s in by_gpu_samples.items()
        }
        run_times = times.get(run, [])
        runs.append(
            CounterRun(
                name=run,
                line=first_line[run],
                energy_kwh=sum(by_gpu.values()),
                energy_kwh_by_gpu=by_gpu,
                duration_s=max(run_times) - min(run_times) if len(run_times) > 1 else None,
            )
        )
    parsed = CounterFile("nvml-energy", len(rows), tuple(runs), _power_log(power))
    return parsed, problems.problems()


def _power_log(power: dict[str, list[tuple[float, float]]]) -> PowerSamples | None:
    """The power readings that ride along with the counters, as a power log (for a timeline)."""
    if not power:
        return None
    gpus = {}
    for gpu, readings in sorted(power.items()):
        ordered = np.array(sorted(readings), dtype=np.float64)
        gpus[gpu] = GpuSamples(time_s=ordered[:, 0], power_w=ordered[:, 1])
    return PowerSamples(
        power_column="power_w (NVML)",
        rows_read=sum(len(r) for r in power.values()),
        rows_skipped=0,
        na_readings=0,
        gpus=gpus,
        gpu_id_column="index",
    )


def read_counter_file(
    path: Path, display_path: str, kind: str
) -> tuple[CounterFile | None, list[Problem]]:
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    if kind == "zeus":
        return parse_zeus_text(text, display_path)
    return parse_nvml_energy_text(text, display_path)
