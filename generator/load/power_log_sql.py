"""Load stage, power logs of any size: the SQL that turns a power log into per-GPU figures.

Takes where the columns are (`Columns`: positions in a CSV, names in a Parquet file) and how
they are written (`PowerLogLayout`); gives SQL text for DuckDB: `rows_sql` normalises any
layout, long or wide, to one row per sample (`gpu`, `t_us`, `power_w`, `status`), and
`aggregate_sql` reduces those rows to one line per GPU and distinct sampling interval: how
many intervals, their trapezoid energy, the GPU's first and last sample, its readings over
the plausibility limit. The window step runs per GPU and hour (`BUCKET_US`), with the interval
at each hour's edge added back, so memory depends on an hour's samples, not the file's. Both
are plain SQL (window `lag` plus `GROUP BY`): the same query runs on a distributed engine
(Spark SQL, Trino, BigQuery) when logs outgrow one machine.
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
    # The texts are looked at only where the number or the time did not parse (a missing
    # reading, a repeated header line never does): about 8% of the whole read at 1 M rows.
    na = (
        f"power_w IS NULL AND (power_raw IS NULL AND {str(layout.wide).upper()}"
        f" OR {power_text} = 'N/A' OR ({power_text} LIKE '[%]'))"
    )
    header = f"t_us IS NULL AND trim(CAST(time_raw AS VARCHAR)) = {literal(layout.time_column)}"
    return f"""
        SELECT gpu, t_us, power_w, time_raw, power_raw,
            CASE WHEN {na} THEN 'na'
                 WHEN {header} THEN 'header'
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


# Each GPU's samples are cut into buckets of this much time, and the window step (`lag`) runs
# per bucket, so the engine holds one bucket at a time, not a GPU's week: an hour at 10 Hz is
# 36,000 samples. Rows without a time (bad timestamps, repeated headers) are spread by a hash.
BUCKET_US = 3_600_000_000
BAD_ROW_BUCKETS = 4096

# Per status, GPU and distinct interval: count, trapezoid energy, first/last sample, high
# readings. One pass over the file: rows that are not 'ok' are only counted. Exact across
# bucket edges: `buckets` keeps each bucket's first and last sample, and `edges` adds back the
# interval from one bucket's last sample to the next one's first (and the GPU's very first
# sample, which has no interval), in place of each bucket's first row.
_AGGREGATE_SQL = """
    WITH samples AS (
        SELECT status, gpu, bucket, t_us, power_w,
            t_us - lag(t_us) OVER by_time AS interval_us,
            lag(power_w) OVER by_time AS previous_w
        FROM (
            SELECT status, gpu, t_us, power_w,
                coalesce(t_us // {bucket_us}, -1 - hash(time_raw, power_raw) % {bad_row_buckets})
                    AS bucket
            FROM rows
        )
        WINDOW by_time AS (PARTITION BY status, gpu, bucket ORDER BY t_us)
    ),
    grouped AS (
        SELECT status, gpu, bucket,
            CASE WHEN status = 'ok' THEN interval_us END AS interval_us,
            count(*) AS samples,
            sum(CASE WHEN status = 'ok' THEN (power_w + previous_w) * 0.5 * interval_us / 1e6
                END) AS energy_j,
            min(t_us) AS first_us, max(t_us) AS last_us,
            min(power_w) AS first_w, arg_max(power_w, t_us) AS last_w,
            count_if(status = 'ok' AND power_w > {max_w}) AS high
        FROM samples GROUP BY ALL
    ),
    buckets AS (
        SELECT gpu, bucket, min(first_us) AS first_us, max(last_us) AS last_us,
            min(first_w) FILTER (WHERE interval_us IS NULL) AS first_w,
            arg_max(last_w, last_us) AS last_w,
            sum(high) FILTER (WHERE interval_us IS NULL) AS first_high
        FROM grouped WHERE status = 'ok' GROUP BY gpu, bucket
    ),
    edges AS (
        SELECT gpu, first_us - lag(last_us) OVER by_bucket AS interval_us, first_us,
            (first_w + lag(last_w) OVER by_bucket) * 0.5
                * (first_us - lag(last_us) OVER by_bucket) / 1e6 AS energy_j,
            first_high AS high
        FROM buckets
        WINDOW by_bucket AS (PARTITION BY gpu ORDER BY bucket)
    )
    SELECT status, gpu, interval_us, sum(samples) AS samples, sum(energy_j) AS energy_j,
        min(first_us) AS first_us, max(last_us) AS last_us, sum(high) AS high
    FROM (
        SELECT status, gpu, interval_us, samples, energy_j, first_us, last_us, high
        FROM grouped WHERE NOT (status = 'ok' AND interval_us IS NULL)
        UNION ALL
        SELECT 'ok', gpu, interval_us, 1, energy_j, first_us, first_us, high FROM edges
    )
    GROUP BY status, gpu, interval_us
"""


def aggregate_sql() -> str:
    """The per-GPU, per-interval aggregate over the view `rows`, windowed per `BUCKET_US`."""
    return _AGGREGATE_SQL.format(
        bucket_us=int(BUCKET_US), bad_row_buckets=BAD_ROW_BUCKETS, max_w=MAX_GPU_POWER_W
    )


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
