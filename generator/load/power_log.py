"""Load stage, power logs of any layout and size: CSV or Parquet -> per-GPU figures + problems.

Takes a power log and its `PowerLogLayout` (declared on the card or with `inspect --as`, or
nvidia-smi's own) and gives `PowerSamples` whose GPUs carry an `IntervalSummary` instead of
arrays: per distinct sampling interval, how many and their trapezoid energy. The file is read
by DuckDB (embedded), streaming, with its memory capped at `ENGINE_MEMORY_LIMIT` (it spills to
a temporary folder past that), so a week of an 8-GPU node at 10 Hz (50 million rows) reads in
bounded memory; the SQL is in `generator.load.power_log_sql`. Bad rows are skipped and
reported as located warnings, like `generator.load.nvidia_smi` does; nothing is raised.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from generator.formats.power_log_layout import PowerLogLayout, PowerUnit, TimeForm
from generator.load.files import MAX_STREAMED_FILE_BYTES, check_regular_file, file_too_large
from generator.load.measurement_text import split_csv_line
from generator.load.nvidia_smi import GpuSamples, PowerSamples
from generator.load.plausibility import (
    GAP_WARNING_FLOOR_S,
    GAP_WARNING_MEDIAN_FACTOR,
    MAX_GPU_POWER_W,
    warn_rows,
)
from generator.load.power_log_hints import describe_columns, suggest_layout
from generator.load.power_log_sql import (
    DETAIL_SQL,
    NVIDIA_SMI_GPU_ID,
    Columns,
    aggregate_sql,
    literal,
    quote,
    rows_sql,
    source_sql,
)
from generator.problems import CappedProblems, Location, Problem

ENGINE_MEMORY_LIMIT = "384MB"  # DuckDB's own cap; it spills sorted runs to a temporary folder
ENGINE_THREADS = 2
NVIDIA_SMI_LAYOUT = PowerLogLayout(
    time_column="timestamp",
    time_form=TimeForm.NVIDIA_SMI,
    gpu_column="index",
    power_column="power.draw",
    power_unit=PowerUnit.W_TEXT,
)
_MESSAGES = {
    "bad-number": "expected a power in {unit} >= 0, got '{}'",
    "bad-timestamp": "expected a time in the form {form}, got '{}'",
    "bad-gpu-id": "expected a GPU index (0, 1, ...) or uuid (GPU-...), got '{}'",
}


@dataclass(frozen=True, eq=False)
class IntervalSummary:
    """One GPU's samples reduced to its sampling intervals (enough for energy, gaps, coverage).

    Attributes:
        samples: readings used.
        first_time_s, last_time_s: first and last sample, seconds since 1970.
        interval_s: the distinct intervals between consecutive samples, ascending.
        count: how many intervals of each length.
        energy_j: the trapezoid energy of the intervals of each length, summed.
    """

    samples: int
    first_time_s: float
    last_time_s: float
    interval_s: np.ndarray
    count: np.ndarray
    energy_j: np.ndarray


def is_parquet(path: Path) -> bool:
    """True when the file starts with Parquet's magic bytes."""
    try:
        with open(path, "rb") as handle:
            return handle.read(4) == b"PAR1"
    except OSError:
        return False


def read_header_names(path: Path) -> list[str]:
    """The column names of a CSV file's first line (BOM dropped, names trimmed)."""
    with open(path, "rb") as handle:
        first = handle.readline(1 << 16).decode("utf-8-sig", errors="replace")
    fields, _ = split_csv_line(first.rstrip("\r\n"))  # a garbled header: no names
    return [name.strip() for name in fields or []]


def _connect():
    import duckdb

    spill = tempfile.mkdtemp(prefix="energy-cards-duckdb-")
    config = {"threads": ENGINE_THREADS, "memory_limit": ENGINE_MEMORY_LIMIT}
    connection = duckdb.connect(config={**config, "temp_directory": spill})
    connection.execute("SET TimeZone = 'UTC'")
    connection.execute("SET enable_progress_bar = false")
    connection.execute("SET preserve_insertion_order = false")
    return connection, spill


def _resolve(names: list[str], layout: PowerLogLayout, sql_names: list[str]) -> Columns | str:
    """The layout's columns as SQL names, or what is missing."""
    plain = [name.split("[")[0].strip() for name in names]

    def find(wanted: str) -> str | None:
        for candidates in (names, plain):
            if wanted in candidates:
                return quote(sql_names[candidates.index(wanted)])
        return None

    wanted = [layout.time_column, *([layout.gpu_column] if layout.gpu_column else [])]
    wanted += _power_names(layout)
    missing = [name for name in wanted if find(name) is None]
    if missing:
        return ", ".join(missing)
    return Columns(
        time=find(layout.time_column),
        gpu=find(layout.gpu_column) if layout.gpu_column else None,
        power=tuple((name if layout.wide else "", find(name)) for name in _power_names(layout)),
    )


def _power_names(layout: PowerLogLayout) -> list[str]:
    return layout.power_columns or [layout.power_column]


def read_power_log(
    path: Path,
    display_path: str,
    layout: PowerLogLayout,
    *,
    strict: bool = False,
    nvidia_ids: bool = False,
) -> tuple[PowerSamples | None, list[Problem], bool]:
    """Read a CSV or Parquet power log laid out as `layout`, in bounded memory.

    Args:
        path: the file.
        display_path: how problems name it.
        layout: where its columns are and how they are written.
        strict: stop at the first malformed CSV row (the caller then reads the file another
            way) instead of skipping it.
        nvidia_ids: GPU ids must be nvidia-smi's (an index, or a uuid).

    Returns:
        The samples (None when no energy can come from the file), the problems, and whether
        the file broke the strict rules (only with `strict`).
    """
    problems = check_regular_file(path, display_path)
    if problems:
        return None, problems, False
    size = path.stat().st_size
    if size > MAX_STREAMED_FILE_BYTES:
        return None, file_too_large(display_path, MAX_STREAMED_FILE_BYTES, size), False
    parquet = is_parquet(path)
    connection, spill = _connect()
    try:
        return _read(connection, path, display_path, layout, parquet, strict, nvidia_ids)
    finally:
        connection.close()
        shutil.rmtree(spill, ignore_errors=True)


def _read(connection, path, display_path, layout, parquet, strict, nvidia_ids):
    import duckdb

    if parquet:
        names = [
            row[0]
            for row in connection.execute(
                f"DESCRIBE SELECT * FROM {source_sql(path.as_posix(), True, [], strict=strict)}"
            ).fetchall()
        ]
        sql_names = names
    else:
        names = read_header_names(path)
        sql_names = [f"c{number}" for number in range(len(names))]
    columns = _resolve(names, layout, sql_names)
    if isinstance(columns, str):
        message = (
            f"expected the column(s) {columns} that the layout names, got {describe_columns(names)}"
        )
        hint = suggest_layout(path, names)
        problem = Problem(Location(display_path, 1), "missing-column", message, hint=hint)
        return None, [problem], False
    source = source_sql(path.as_posix(), parquet, sql_names, strict=strict)
    connection.execute(f"CREATE TEMP VIEW rows AS {rows_sql(source, columns, layout)}")
    try:
        table = connection.execute(aggregate_sql()).fetchall()
    except duckdb.Error as error:
        if strict:
            return None, [], True
        kind = "a Parquet" if parquet else "a CSV"
        got = str(error).splitlines()[0][:200]
        message = f"expected {kind} power log, got unreadable data ({got})"
        return None, [Problem(Location(display_path), "not-a-power-log", message)], False
    pattern = re.compile(NVIDIA_SMI_GPU_ID if nvidia_ids else r".+")
    bad_gpus = sorted({row[1] for row in table if row[0] == "ok" and not pattern.match(row[1])})
    counts: dict[str, int] = {}
    for row in table:
        status = "bad-gpu-id" if row[0] == "ok" and row[1] in bad_gpus else row[0]
        counts[status] = counts.get(status, 0) + row[3]
    bad = sum(n for status, n in counts.items() if status.startswith("bad-"))
    if strict and bad:
        return None, [], True
    gpus = _summaries([row for row in table if row[0] == "ok" and row[1] not in bad_gpus])
    rows_read = sum(counts.values()) - counts.get("header", 0)
    capped = CappedProblems(display_path)
    medians = {name: positive_median_s(summary) for name, summary in gpus.items()}
    limits = {name: _gap_limit_s(gpus[name], median_s) for name, median_s in medians.items()}
    flagged = (
        bad
        + sum(row[7] for row in table)
        + sum(
            int(summary.count[summary.interval_s > limits[name]].sum())
            for name, summary in gpus.items()
        )
    )
    if flagged:
        _locate(connection, capped, layout, limits, medians, bad_gpus, parquet)
    problems = capped.problems()
    if not gpus:
        message = (
            f"expected at least one power reading, got none (rows read: {rows_read},"
            f" without a reading: {counts.get('na', 0)}, malformed: {bad})"
        )
        problems.append(Problem(Location(display_path), "not-a-power-log", message))
    samples = PowerSamples(
        power_column=", ".join(_power_names(layout)),
        rows_read=rows_read,
        rows_skipped=bad,
        na_readings=counts.get("na", 0),
        gpus={name: GpuSamples(None, np.empty(0), intervals=s) for name, s in gpus.items()},
        gpu_id_column=None if layout.wide else layout.gpu_column,
        format="nvidia-smi" if nvidia_ids else "power-log",
    )
    return (samples if gpus else None), sorted(problems, key=Problem.sort_key), False


def _summaries(rows: list[tuple]) -> dict[str, IntervalSummary]:
    """Per-GPU interval summaries from the aggregate's 'ok' rows, GPUs in index order."""
    by_gpu: dict[str, list[tuple]] = {}
    for row in rows:
        by_gpu.setdefault(row[1], []).append(row)
    gpus = {}
    for name, group in by_gpu.items():
        steps = sorted((row for row in group if row[2] is not None), key=lambda row: row[2])
        gpus[name] = IntervalSummary(
            samples=sum(row[3] for row in group),
            first_time_s=min(row[5] for row in group) / 1e6,
            last_time_s=max(row[6] for row in group) / 1e6,
            interval_s=np.array([row[2] / 1e6 for row in steps], dtype=np.float64),
            count=np.array([row[3] for row in steps], dtype=np.int64),
            energy_j=np.array([row[4] for row in steps], dtype=np.float64),
        )
    order = sorted(gpus, key=lambda name: (0, int(name), "") if name.isdigit() else (1, 0, name))
    return {name: gpus[name] for name in order}


def positive_median_s(summary: IntervalSummary) -> float | None:
    """The median of the positive intervals, as numpy's median of all of them would give."""
    positive = summary.interval_s > 0
    values, counts = summary.interval_s[positive], summary.count[positive]
    total = int(counts.sum())
    if not total:
        return None
    ends = np.cumsum(counts)
    low = values[np.searchsorted(ends, (total - 1) // 2, side="right")]
    high = values[np.searchsorted(ends, total // 2, side="right")]
    return float((low + high) / 2)


def _gap_limit_s(summary: IntervalSummary, median_s: float | None) -> float:
    """Intervals over this get a `sampling-gap` warning (the rule of `check_sampling_gaps`)."""
    if summary.samples < 3 or median_s is None:
        return float("inf")
    return max(GAP_WARNING_MEDIAN_FACTOR * median_s, GAP_WARNING_FLOOR_S)


def _locate(connection, capped, layout, limits, medians, bad_gpus, parquet) -> None:
    """Fetch the rows a warning names and report them (capped per code)."""
    from generator.load.plausibility import _shown

    finite = {name: limit for name, limit in limits.items() if np.isfinite(limit)}
    gaps = " OR ".join(
        f"(gpu = '{name}' AND interval_us > {limit * 1e6!r})" for name, limit in finite.items()
    )
    condition = f"power_w > {MAX_GPU_POWER_W}" + (f" OR {gaps}" if gaps else "")
    sql = DETAIL_SQL.format(
        first_line=1 if parquet else 2,
        condition=condition,
        bad_gpus=", ".join(literal(name) for name in bad_gpus) or "NULL",
        limit=100_000,
    )
    rows = [
        (row[0], "bad-gpu-id", *row[2:]) if row[1] == "ok" and row[2] in bad_gpus else row
        for row in connection.execute(sql).fetchall()
    ]
    power_key = f"column {layout.power_column or 'power'}"
    keys = {
        "bad-number": power_key,
        "bad-timestamp": f"column {layout.time_column}",
        "bad-gpu-id": f"column {layout.gpu_column}",
    }
    unit = "watts" if layout.power_unit is not PowerUnit.MW else "milliwatts"
    for code in ("bad-number", "bad-timestamp", "bad-gpu-id"):
        picked = {row[0]: row for row in rows if row[1] == code}
        field = {"bad-number": 7, "bad-timestamp": 6, "bad-gpu-id": 2}[code]
        message = _MESSAGES[code].replace("{unit}", unit).replace("{form}", layout.time_form.value)
        warn_rows(
            capped,
            code,
            sorted(picked),
            keys[code],
            lambda line, m=message, f=field, p=picked: m.format(str(p[line][f]).strip()[:60]),
        )
    high = {row[0]: row for row in rows if row[1] == "ok" and row[3] > MAX_GPU_POWER_W}
    warn_rows(
        capped,
        "implausible-value",
        sorted(high),
        power_key,
        lambda line: (
            f"expected at most {_shown(MAX_GPU_POWER_W)} W for one GPU, got"
            f" {_shown(high[line][3])} W (a unit slip, or several GPUs summed?)"
        ),
    )
    gap_rows = [
        row
        for row in rows
        if row[1] == "ok" and row[4] is not None and row[4] / 1e6 > limits[row[2]]
    ]
    for name in sorted({row[2] for row in gap_rows}):
        mine = {row[0]: row for row in gap_rows if row[2] == name}
        median_s = medians[name]
        warn_rows(
            capped,
            "sampling-gap",
            sorted(mine),
            f"GPU {name}",
            lambda line, m=mine, med=median_s: (
                f"expected samples at most {_shown(GAP_WARNING_MEDIAN_FACTOR)} x the median"
                f" interval ({_shown(med)} s) apart, got {_shown(m[line][4] / 1e6)}"
                f" s since line {m[line][5]}; the energy across the gap is a straight-line guess"
            ),
        )
