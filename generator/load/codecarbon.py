"""Load stage for CodeCarbon `emissions.csv`, every column generation (12 to 38 columns).

Takes a file path; gives a `CodeCarbonFile` (one `CodeCarbonRun` per run, after collapsing
cumulative flushes) and problems. Columns are read by header name, never by position, and
CodeCarbon's unit-less names are mapped here, once, to names with units.

Runs: CodeCarbon rewrites a run's row on every flush with cumulative totals, so the last row of
a run is the run; rows are never summed. A run is identified by `run_id` when the file has a
real one; otherwise (old generations, or `run_id` written as `None`) rows with the same
project, experiment and machine form one run as long as `duration` keeps growing, and a new run
starts when it drops.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from generator.load.measurement_text import (
    duplicate_columns,
    read_measurement_bytes,
    split_csv_line,
    split_lines,
)
from generator.load.plausibility import check_codecarbon_run
from generator.problems import CappedProblems, Location, Problem

FORMAT = "codecarbon"
REQUIRED_COLUMNS = ("duration", "energy_consumed")

# (columns that identify a generation) -> label, newest first. From CodeCarbon's EmissionsData
# dataclass at each release tag (codecarbon/output_methods/emissions_data.py from 2.4.2, earlier
# codecarbon/output.py); tests/data/codecarbon/cases.yaml records the tag read for each.
_GENERATIONS: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"cpu_utilization_percent", "ram_used_gb"}), "3.2.1+"),
    (frozenset({"water_consumed"}), "3.0.8-3.2.0"),
    (frozenset({"run_id", "experiment_id", "pue"}), "2.7.0-3.0.7"),
    (frozenset({"pue"}), "2.2.3-2.6.0"),
    (frozenset({"codecarbon_version"}), "2.2.0-2.2.2"),
    (frozenset({"run_id"}), "2.0.0-2.1.4"),
)

_MISSING = {"", "none", "nan", "null", "n/a"}


@dataclass(frozen=True)
class CodeCarbonRun:
    """The last row of one run, with CodeCarbon's columns under names that carry units."""

    line: int
    rows_collapsed: int
    duration_s: float
    energy_kwh: float
    emissions_kg_co2e: float | None = None
    run_id: str | None = None
    project_name: str | None = None
    experiment_id: str | None = None
    timestamp: str | None = None
    cpu_energy_kwh: float | None = None
    gpu_energy_kwh: float | None = None
    ram_energy_kwh: float | None = None
    cpu_power_w: float | None = None
    gpu_power_w: float | None = None
    ram_power_w: float | None = None
    pue: float | None = None
    country_iso_code: str | None = None
    country_name: str | None = None
    region: str | None = None
    cloud_provider: str | None = None
    cloud_region: str | None = None
    cpu_model: str | None = None
    gpu_model: str | None = None
    gpu_count: int | None = None
    tracking_mode: str | None = None
    codecarbon_version: str | None = None


@dataclass(frozen=True)
class CodeCarbonFile:
    format: str
    generation: str
    columns: int
    rows_read: int
    runs: tuple[CodeCarbonRun, ...] = field(default_factory=tuple)

    @property
    def energy_kwh(self) -> float:
        return sum(run.energy_kwh for run in self.runs)


_NUMBER_COLUMNS = {
    "duration": ("duration_s", "s"),
    "energy_consumed": ("energy_kwh", "kWh"),
    "emissions": ("emissions_kg_co2e", "kg CO2eq"),
    "cpu_energy": ("cpu_energy_kwh", "kWh"),
    "gpu_energy": ("gpu_energy_kwh", "kWh"),
    "ram_energy": ("ram_energy_kwh", "kWh"),
    "cpu_power": ("cpu_power_w", "W"),
    "gpu_power": ("gpu_power_w", "W"),
    "ram_power": ("ram_power_w", "W"),
    "pue": ("pue", ""),
    "gpu_count": ("gpu_count", ""),
}
_TEXT_COLUMNS = {
    "run_id": "run_id",
    "project_name": "project_name",
    "experiment_id": "experiment_id",
    "timestamp": "timestamp",
    "country_iso_code": "country_iso_code",
    "country_name": "country_name",
    "region": "region",
    "cloud_provider": "cloud_provider",
    "cloud_region": "cloud_region",
    "cpu_model": "cpu_model",
    "gpu_model": "gpu_model",
    "tracking_mode": "tracking_mode",
    "codecarbon_version": "codecarbon_version",
}


def detect_generation(columns: list[str]) -> str:
    """The CodeCarbon release range a header belongs to."""
    names = set(columns)
    for marker, label in _GENERATIONS:
        if marker <= names:
            return label
    return "0.0.9-0.1.0" if columns and columns[0] == "experiment_id" else "1.0.0-1.2.0"


def looks_like_codecarbon(header: list[str]) -> bool:
    return all(column in header for column in REQUIRED_COLUMNS)


class _ProblemSink:
    """Problems of one file, capped per code (the shared cap) so a corrupt file cannot flood."""

    def __init__(self, display_path: str) -> None:
        self.display_path = display_path
        self.capped = CappedProblems(display_path)

    def add(self, line: int, code: str, message: str, column: str = "") -> None:
        key = f"column {column}" if column else ""
        self.capped.add(Problem(Location(self.display_path, line), code, message, key=key))

    def finish(self) -> list[Problem]:
        return self.capped.problems()


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return None if value.lower() in _MISSING else value


def _parse_row(row: dict[str, str], line: int, sink: _ProblemSink) -> dict[str, object] | None:
    record: dict[str, object] = {"line": line}
    ok = True
    for column, (name, unit) in _NUMBER_COLUMNS.items():
        if column not in row:
            continue
        raw = _text(row[column])
        if raw is None:
            record[name] = None
            if column in REQUIRED_COLUMNS:
                sink.add(line, "bad-number", "expected a number >= 0, got nothing", column)
                ok = False
            continue
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value < 0:
            shown = f"{column} ({unit})" if unit else column
            sink.add(line, "bad-number", f"expected a number >= 0, got {raw!r}", shown)
            ok = False
            continue
        record[name] = int(value) if column == "gpu_count" else value
    for column, name in _TEXT_COLUMNS.items():
        if column in row:
            record[name] = _text(row[column])
    return record if ok else None


def _machine_key(record: dict[str, object]) -> tuple:
    return tuple(
        record.get(name)
        for name in ("project_name", "experiment_id", "country_iso_code", "cpu_model", "gpu_model")
    )


def _collapse_runs(records: list[dict[str, object]]) -> list[CodeCarbonRun]:
    """Last row of each run, runs in the order of their last rows."""
    runs: dict[tuple, list[dict[str, object]]] = {}
    open_run: dict[tuple, tuple] = {}  # machine key -> current run key (for id-less runs)
    for record in records:
        run_id = record.get("run_id")
        if run_id:
            key: tuple = ("id", run_id)
        else:
            machine = _machine_key(record)
            current = open_run.get(machine)
            previous = runs[current][-1] if current else None
            if previous is None or float(record["duration_s"]) < float(previous["duration_s"]):
                current = ("rows", machine, record["line"])
                open_run[machine] = current
            key = current
        runs.setdefault(key, []).append(record)
    result = []
    for rows in sorted(runs.values(), key=lambda rows: rows[-1]["line"]):
        last = dict(rows[-1])
        last["rows_collapsed"] = len(rows)
        result.append(CodeCarbonRun(**last))  # type: ignore[arg-type]
    return result


def parse_codecarbon_text(
    text: str, display_path: str
) -> tuple[CodeCarbonFile | None, list[Problem]]:
    """Parse the text of an emissions.csv (BOM and CRLF already handled by the reader)."""
    sink = _ProblemSink(display_path)
    lines = split_lines(text)
    if not lines:
        sink.add(1, "not-a-measurement-file", "expected a CodeCarbon header, got an empty file")
        return None, sink.finish()
    header, why = split_csv_line(lines[0])
    if header is None:
        sink.add(1, "bad-row", why.replace("a CSV row", "a CSV header"))
        return None, sink.finish()
    header = [name.strip() for name in header]
    if not looks_like_codecarbon(header):
        missing = ", ".join(c for c in REQUIRED_COLUMNS if c not in header)
        sink.add(
            1, "missing-column", f"expected CodeCarbon columns ({missing}), got {lines[0][:80]!r}"
        )
        return None, sink.finish()
    if duplicates := duplicate_columns(header, display_path):
        return None, duplicates
    records = []
    rows_read = 0
    for index, raw_line in enumerate(lines[1:], start=2):
        if not raw_line.strip():
            continue
        if raw_line.strip() == lines[0].strip():
            continue  # header repeated when a file was appended to
        rows_read += 1
        fields, why = split_csv_line(raw_line)
        if fields is None:
            sink.add(index, "bad-row", why)
            continue
        if len(fields) < len(header):
            sink.add(
                index,
                "truncated-row",
                f"expected {len(header)} fields, got {len(fields)} (row cut short?)",
            )
            continue
        if len(fields) > len(header):
            sink.add(index, "bad-row", f"expected {len(header)} fields, got {len(fields)}")
            continue
        record = _parse_row(dict(zip(header, fields, strict=True)), index, sink)
        if record is not None:
            records.append(record)
    parsed = CodeCarbonFile(
        format=FORMAT,
        generation=detect_generation(header),
        columns=len(header),
        rows_read=rows_read,
        runs=tuple(_collapse_runs(records)),
    )
    if not parsed.runs:
        sink.add(1, "no-runs", "expected at least one readable run, found none")
    warnings = [w for run in parsed.runs for w in check_codecarbon_run(run, display_path)]
    return parsed, sink.finish() + warnings


def read_codecarbon_csv(
    path: Path, display_path: str
) -> tuple[CodeCarbonFile | None, list[Problem]]:
    """Read an emissions.csv: UTF-8 with or without BOM, LF, CRLF or CR."""
    data, problems = read_measurement_bytes(path, display_path)
    if data is None:
        return None, problems
    parsed, more = parse_codecarbon_text(data.decode("utf-8-sig", errors="replace"), display_path)
    return parsed, problems + more
