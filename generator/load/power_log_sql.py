"""Load stage, power logs of any size: the SQL that turns a power log into per-GPU figures.

Takes where the columns are (`Columns`: positions in a CSV, names in a Parquet file) and how
they are written (`PowerLogLayout`); gives SQL text for DuckDB: `rows_sql` normalises any
layout, long or wide, to one row per sample (`gpu`, `t_us`, `power_w`, `status`), and
`AGGREGATE_SQL` reduces those rows to one line per GPU and distinct sampling interval: how
many intervals, their trapezoid energy, the GPU's first and last sample, its readings over
the plausibility limit. Both are plain SQL (window `lag` plus `GROUP BY`): the same query runs
on a distributed engine (Spark SQL, Trino, BigQuery) when logs outgrow one machine.
Builds text only; `generator.load.power_log` runs it.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.formats.power_log_layout import PowerLogLayout, PowerUnit, TimeForm
from generator.load.plausibility import MAX_GPU_POWER_W

NVIDIA_SMI_GPU_ID = r"^([0-9]+|(GPU|MIG)-[0-9A-Za-z/-]+)$"


@dataclass(frozen=True)
class Columns:
    """SQL expressions for the layout's columns in the source (quoted names)."""

    time: str
    gpu: str | None
    power: tuple[tuple[str, str], ...]  # (GPU name for wide layouts or "", column)


def quote(name: str) -> str:
    """A column name as a SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def source_sql(path: str, parquet: bool, names: list[str], *, strict: bool) -> str:
    """The table function reading the file: Parquet as typed, CSV as text in named columns."""
    if parquet:
        return f"read_parquet({literal(path)})"
    columns = ", ".join(f"{literal(name)}: 'VARCHAR'" for name in names)
    return (
        f"read_csv({literal(path)}, header = true, columns = {{{columns}}}, delim = ',',"
        " quote = '\"', escape = '\"', auto_detect = false, null_padding = false,"
        f" strict_mode = {str(strict).lower()}, ignore_errors = {str(not strict).lower()})"
    )


def _time_sql(column: str, form: TimeForm) -> str:
    text = f"trim(CAST({column} AS VARCHAR))"
    if form is TimeForm.NVIDIA_SMI:
        return f"epoch_us(try_strptime({text}, '%Y/%m/%d %H:%M:%S.%f'))"
    if form is TimeForm.ISO8601:
        return f"epoch_us(TRY_CAST({text} AS TIMESTAMPTZ))"
    scale = "1e6" if form is TimeForm.EPOCH_S else "1e3"
    return f"CAST(round(TRY_CAST({text} AS DOUBLE) * {scale}) AS BIGINT)"


def _power_sql(raw: str, unit: PowerUnit) -> str:
    if unit is PowerUnit.W_TEXT:
        return f"TRY_CAST(trim(replace({raw}, ' W', '')) AS DOUBLE)"
    value = f"TRY_CAST({raw} AS DOUBLE)"
    return f"({value} / 1000.0)" if unit is PowerUnit.MW else value


def rows_sql(source: str, columns: Columns, layout: PowerLogLayout) -> str:
    """One row per sample: gpu, t_us (µs since 1970), power_w, raw texts and a status.

    status is 'ok', 'na' (the logger had no reading: N/A, [Not Supported], an empty cell of a
    wide log), 'header' (a header line repeated by an appended log), 'bad-timestamp',
    'bad-number' or 'bad-gpu-id' (empty); GPU ids are checked per distinct id afterwards.
    """
    if layout.wide:
        unpivot = ", ".join(f"{column} AS {literal(name)}" for name, column in columns.power)
        picked = ", ".join([columns.time, *(column for _, column in columns.power)])
        body = (
            f"SELECT {columns.time} AS time_raw, gpu AS gpu_raw, power AS power_raw FROM"
            f" (SELECT {picked} FROM {source}) UNPIVOT INCLUDE NULLS"
            f" (power FOR gpu IN ({unpivot}))"
        )
    else:
        gpu = f"CAST({columns.gpu} AS VARCHAR)" if columns.gpu else "'all'"
        body = (
            f"SELECT {columns.time} AS time_raw, {gpu} AS gpu_raw,"
            f" {columns.power[0][1]} AS power_raw FROM {source}"
        )
    power_text = "trim(CAST(power_raw AS VARCHAR))"
    na = (
        f"power_raw IS NULL AND {str(layout.wide).upper()}"
        f" OR {power_text} = 'N/A' OR ({power_text} LIKE '[%]')"
    )
    return f"""
        SELECT gpu, t_us, power_w, time_raw, power_raw,
            CASE WHEN {na} THEN 'na'
                 WHEN trim(CAST(time_raw AS VARCHAR)) = {literal(layout.time_column)} THEN 'header'
                 WHEN t_us IS NULL THEN 'bad-timestamp'
                 WHEN power_w IS NULL OR NOT isfinite(power_w) OR power_w < 0 THEN 'bad-number'
                 WHEN gpu IS NULL OR gpu = '' THEN 'bad-gpu-id'
                 ELSE 'ok' END AS status
        FROM (
            SELECT trim(CAST(gpu_raw AS VARCHAR)) AS gpu, {_time_sql("time_raw", layout.time_form)}
                AS t_us, {_power_sql(power_text, layout.power_unit)} AS power_w, time_raw,
                power_raw
            FROM ({body})
        )"""


# Per status, GPU and distinct interval: count, trapezoid energy, first/last sample, high
# readings. One pass over the file: rows that are not 'ok' are only counted.
AGGREGATE_SQL = f"""
    WITH samples AS (
        SELECT status, gpu, t_us, power_w,
            t_us - lag(t_us) OVER by_time AS interval_us,
            lag(power_w) OVER by_time AS previous_w
        FROM rows
        WINDOW by_time AS (PARTITION BY status, gpu ORDER BY t_us)
    )
    SELECT status, gpu, CASE WHEN status = 'ok' THEN interval_us END AS interval_us,
        count(*) AS samples,
        sum(CASE WHEN status = 'ok' THEN (power_w + previous_w) * 0.5 * interval_us / 1e6 END)
            AS energy_j,
        min(t_us) AS first_us, max(t_us) AS last_us,
        count_if(status = 'ok' AND power_w > {MAX_GPU_POWER_W}) AS high
    FROM samples GROUP BY ALL
"""

# The rows a warning names: bad values, readings over the limit, samples after a long gap.
DETAIL_SQL = """
    WITH numbered AS (SELECT row_number() OVER () + {first_line} - 1 AS line, * FROM rows),
    samples AS (
        SELECT line, status, gpu, power_w, time_raw, power_raw,
            t_us - lag(t_us) OVER by_time AS interval_us, lag(line) OVER by_time AS line_before
        FROM numbered
        WINDOW by_time AS (PARTITION BY status = 'ok', gpu ORDER BY t_us)
    )
    SELECT line, status, gpu, power_w, interval_us, line_before,
        CAST(time_raw AS VARCHAR), CAST(power_raw AS VARCHAR)
    FROM samples
    WHERE status NOT IN ('ok', 'na', 'header') OR (status = 'ok' AND ({condition}))
        OR gpu IN ({bad_gpus})
    ORDER BY line LIMIT {limit}
"""
