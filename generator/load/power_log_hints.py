"""Load stage, power logs: guess the layout of a refused file, for the hint that says so.

Takes a file's column names (and its first data row, read here from a CSV) and gives a hint:
the `--as power-log:SPEC` (and card `layout:`) that would read it, or the spec's form when
nothing can be guessed. A guess only: the user checks it with `energy-cards inspect`.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from generator.formats.power_log_layout import (
    PowerLogLayout,
    PowerUnit,
    TimeForm,
    layout_from_spec,
    layout_spec,
)

_TIME_NAMES = re.compile(r"(time|timestamp|ts|date|datetime|epoch|t)(_?(s|ms|utc))?", re.I)
_GPU_NAMES = re.compile(r"(gpu|gpu_?id|gpu_?index|index|device|device_?id|uuid|gpu_?uuid)", re.I)
_POWER_NAMES = re.compile(r".*(power|watt|_w$|_mw$).*", re.I)
GENERIC_HINT = (
    "declare the layout, e.g. --as 'power-log:time=COLUMN:FORM,gpu=COLUMN,power=COLUMN:UNIT'"
    " (FORM: iso8601, epoch-s, epoch-ms, nvidia-smi; UNIT: W, mW, W-text; one column per GPU:"
    " power=COLUMN+COLUMN:UNIT), or on the card format: power-log with a layout"
)


def describe_columns(names: list[str]) -> str:
    """The columns a file has, for a message."""
    shown = ", ".join(repr(name) for name in names[:12])
    return f"columns {shown}{', ...' if len(names) > 12 else ''}" if names else "no columns"


def _first_row(path: Path) -> list[str]:
    try:
        with open(path, "rb") as handle:
            handle.readline(1 << 16)
            line = handle.readline(1 << 16).decode("utf-8", errors="replace")
    except OSError:
        return []
    return [field.strip() for field in next(csv.reader([line.rstrip("\r\n")]), [])]


def _time_form(value: str) -> TimeForm:
    if re.match(r"\d{4}/\d\d/\d\d \d\d:\d\d:\d\d", value):
        return TimeForm.NVIDIA_SMI
    if re.match(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d", value):
        return TimeForm.ISO8601
    try:
        return TimeForm.EPOCH_MS if float(value) > 1e11 else TimeForm.EPOCH_S
    except ValueError:
        return TimeForm.ISO8601


def guess_layout(names: list[str], row: list[str]) -> PowerLogLayout | None:
    """The layout a header (and its first row) most likely has, or None."""
    value = dict(zip(names, row, strict=False))
    time = next((name for name in names if _TIME_NAMES.fullmatch(name)), None)
    gpu = next((name for name in names if _GPU_NAMES.fullmatch(name)), None)
    power = [name for name in names if _POWER_NAMES.fullmatch(name) and name not in (time, gpu)]
    if not time or not power:
        return None
    sample = value.get(power[0], "")
    unit = (
        PowerUnit.W_TEXT
        if sample.endswith(" W")
        else PowerUnit.MW
        if "mw" in power[0].lower()
        else PowerUnit.W
    )
    form = _time_form(value.get(time, ""))
    if not gpu and len(power) > 1:
        spec = f"time={time}:{form.value},power={'+'.join(power)}:{unit.value}"
    else:
        spec = (
            f"time={time}:{form.value},{f'gpu={gpu},' if gpu else ''}power={power[0]}:{unit.value}"
        )
    return layout_from_spec(spec)[0]


def suggest_layout(path: Path, names: list[str] | None = None) -> str:
    """A hint naming the `--as power-log:SPEC` that would likely read the file."""
    if names is None:
        from generator.load.power_log import read_header_names

        try:
            names = read_header_names(path)
        except OSError:
            return GENERIC_HINT
    layout = guess_layout(names, _first_row(path))
    if layout is None:
        return GENERIC_HINT
    return (
        f"if this is a power log, try --as 'power-log:{layout_spec(layout)}' (on the card:"
        " format: power-log and a layout with the same columns); check the figures it gives"
    )
