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
from generator.load.measurement_text import (
    duplicate_columns,
    read_measurement_bytes,
    split_csv_line,
    split_lines,
)
from generator.load.nvidia_smi import GpuSamples, PowerSamples
from generator.load.plausibility import check_gpu_power
from generator.problems import CappedProblems, Location, Problem, Severity
from generator.units import format_number, joules_to_kwh


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


def _rows(
    text: str, display_path: str, problems: CappedProblems
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The lower-case header and the (line, fields) of each readable non-blank row.

    Unreadable rows (binary garbage, a field over the csv limit) are reported as bad-row.
    """
    lines = split_lines(text)
    header_fields, why = split_csv_line(lines[0]) if lines else ([], "")
    if header_fields is None:
        problems.add(Problem(Location(display_path, 1), "bad-row", why.replace("row", "header")))
        return [], []
    header = [name.strip().lower() for name in header_fields]
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields, why = split_csv_line(line)
        if fields is None:
            problems.add(Problem(Location(display_path, number), "bad-row", why))
        elif any(cell.strip() for cell in fields):
            rows.append((number, [cell.strip() for cell in fields]))
    return header, rows


def _header_problems(
    header: list[str], display_path: str, expected: str, missing: list[str]
) -> list[Problem]:
    """missing-column when the header lacks what the format needs; duplicate-column errors."""
    if missing:
        got = ", ".join(header) if header else "no columns"
        message = f"expected {expected}, got {got}"
        key = f"column {missing[0]}"
        return [Problem(Location(display_path, 1), "missing-column", message, key=key)]
    return duplicate_columns(header, display_path)


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
    problems = CappedProblems(display_path)  # row problems, capped as in every loader
    header, rows = _rows(text, display_path, problems)
    gpu_columns = [h for h in header if h.startswith("gpu") and h.endswith("_energy")]
    missing = [c for c in ("window_name",) if c not in header] + ["gpu0_energy"] * (not gpu_columns)
    expected = "a Zeus log header (start_time, window_name, elapsed_time, gpu0_energy, ...)"
    if wrong := _header_problems(header, display_path, expected, missing):
        return None, problems.problems() + wrong
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
            run = CounterRun(
                name=values.get("window_name") or f"row {line}",
                line=line,
                energy_kwh=sum(by_gpu.values()),
                energy_kwh_by_gpu=by_gpu,
                duration_s=_number(values.get("elapsed_time", "")),
            )
            if run.duration_s == 0 and run.energy_kwh > 0:
                problems.add(_no_time(display_path, line, run.energy_kwh))
            runs.append(run)
    return CounterFile("zeus", len(rows), tuple(runs)), problems.problems()


def _no_time(display_path: str, line: int, energy_kwh: float) -> Problem:
    message = f"expected a duration > 0 s for {format_number(energy_kwh)} kWh, got 0 s"
    location = Location(display_path, line)
    return Problem(location, "implausible-value", message, Severity.WARNING, "column elapsed_time")


def _counter_energy_mj(samples: list[float]) -> float:
    """Energy from a monotonic counter; a drop starts a new segment (driver reload)."""
    total = 0.0
    for previous, current in zip(samples, samples[1:], strict=False):
        total += current - previous if current >= previous else current
    return total


def _in_time_order(
    samples: list[tuple[float, int, float]], label: str, problems: CappedProblems
) -> list[float]:
    """Counter values of one GPU in one run sorted by time; rows written out of order warned.

    Sorting first matters: every drop is read as a counter restart, so a shuffled file would
    count most of its energy again at each drop.
    """
    late = []
    latest = (-math.inf, 0)
    for time_s, line, _ in samples:
        if time_s < latest[0]:
            late.append((line, time_s, latest))
        else:
            latest = (time_s, line)
    if late:
        details = {line: (time_s, before) for line, time_s, before in late}
        problems.add_rows(
            "out-of-order",
            [line for line, _, _ in late],
            lambda line: Problem(
                Location(problems.display_path, line),
                "out-of-order",
                f"expected timestamps in increasing order ({label}), got"
                f" {_seconds(details[line][0])} after {_seconds(details[line][1][0])}"
                f" (line {details[line][1][1]}); rows are sorted by time before the counter is"
                " read",
                Severity.WARNING,
                f"column {TIME_COLUMN}",
            ),
        )
    return [energy for _, _, energy in sorted(samples, key=lambda s: (s[0], s[1]))]


def _seconds(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def parse_nvml_energy_text(
    text: str, display_path: str
) -> tuple[CounterFile | None, list[Problem]]:
    """NVML counter samples per GPU (mJ); per run, energy = sum over GPUs of last - first."""
    problems = CappedProblems(display_path)  # row problems, capped as in every loader
    header, rows = _rows(text, display_path, problems)
    energy_column = next((c for c in ENERGY_COLUMNS if c in header), None)
    expected = f"an energy-counter column ({', '.join(ENERGY_COLUMNS)})"
    missing = [] if energy_column else [ENERGY_COLUMNS[0]]
    if wrong := _header_problems(header, display_path, expected, missing):
        return None, problems.problems() + wrong
    gpu_column = next((c for c in GPU_COLUMNS if c in header), None)
    time_column = TIME_COLUMN if TIME_COLUMN in header else None
    # run -> gpu -> (seconds, line, counter mJ); seconds is the line number without timestamps
    samples: dict[str, dict[str, list[tuple[float, int, float]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    first_line: dict[str, int] = {}
    times: dict[str, list[float]] = defaultdict(list)
    power: dict[str, list[tuple[float, float, int]]] = defaultdict(list)  # gpu -> time, W, line
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
        seconds = _number(values[time_column]) if time_column else float(line)
        if seconds is None:
            raw_time = values[time_column]
            message = f"expected seconds since 1970 (e.g. 1730313753.189), got {raw_time!r}"
            location = Location(display_path, line)
            problems.add(Problem(location, "bad-timestamp", message, key=f"column {TIME_COLUMN}"))
            continue
        run = values.get(RUN_COLUMN) or "run 1"
        gpu = values[gpu_column] if gpu_column else "0"
        first_line.setdefault(run, line)
        samples[run][gpu].append((seconds, line, energy_mj))
        if time_column:
            times[run].append(seconds)
            if (watts := _number(values.get(POWER_COLUMN, ""))) is not None:
                power[gpu].append((seconds, watts, line))
    runs = []
    for run, by_gpu_samples in samples.items():
        by_gpu = {
            gpu: joules_to_kwh(
                _counter_energy_mj(_in_time_order(s, f"GPU {gpu}, run {run}", problems)) / 1000.0
            )
            for gpu, s in by_gpu_samples.items()
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
    for readings in power.values():
        watts_lines = np.array([(w, line) for _, w, line in readings], dtype=np.float64)
        check_gpu_power(problems, watts_lines[:, 1], watts_lines[:, 0], f"column {POWER_COLUMN}")
    parsed = CounterFile("nvml-energy", len(rows), tuple(runs), _power_log(power))
    return parsed, problems.problems()


def _power_log(power: dict[str, list[tuple[float, float, int]]]) -> PowerSamples | None:
    """The power readings that ride along with the counters, as a power log (for a timeline)."""
    if not power:
        return None
    gpus = {}
    for gpu, readings in sorted(power.items()):
        ordered = np.array(sorted(readings), dtype=np.float64)
        gpus[gpu] = GpuSamples(time_s=ordered[:, 0].copy(), power_w=ordered[:, 1].copy())
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
    """Read a Zeus log (`kind` "zeus") or NVML counter samples (otherwise)."""
    data, problems = read_measurement_bytes(path, display_path)
    if data is None:
        return None, problems
    text = data.decode("utf-8-sig", errors="replace")
    parse = parse_zeus_text if kind == "zeus" else parse_nvml_energy_text
    parsed, more = parse(text, display_path)
    return parsed, problems + more
