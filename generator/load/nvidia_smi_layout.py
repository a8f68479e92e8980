"""Load stage, nvidia-smi power logs: where the columns are, and their values as numbers.

Takes one line of a log (a header, or a headerless data row) and gives a `Layout`: which
field holds the timestamp, the GPU id and the power. Takes a column of fields and gives arrays:
watts with nvidia-smi's no-reading markers told apart from bad values, and seconds from its
timestamps; and splits the kept rows into per-GPU arrays sorted by time. Pure functions over
text; `generator.load.nvidia_smi` reads the files with them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

TIME_FORMAT = "%Y/%m/%d %H:%M:%S.%f"  # nvidia-smi's own: 2024/10/30 18:42:33.189 (local, no zone)
POWER_COLUMNS = ("power.draw", "power.draw.average", "power.draw.instant")  # preferred first
ID_COLUMNS = ("uuid", "index")  # preferred first
NO_ID_GPU = "all"  # the GPU name used when the log has neither index nor uuid
QUERY_HINT = "log with nvidia-smi --query-gpu=timestamp,index,power.draw --format=csv -lms 100"

_EPOCH = np.datetime64(0, "us")
_TITLE = re.compile(r"([a-z][a-z0-9_.]*)(?: *\[[^\]]*\])?")  # power.draw [W]
INDEX_PATTERN = re.compile(r"\d+")
UUID_PATTERN = re.compile(r"(?:GPU|MIG)-[0-9A-Za-z/-]+")
_POWER_TEXT = re.compile(r"\d+(?:\.\d*)?(?: W)?|N/A|\[.*\]")


@dataclass(frozen=True)
class Layout:
    """Where the columns are in the rows under one header (or in headerless rows)."""

    titles: tuple[str, ...]  # as written: "power.draw [W]"
    line: int  # the header's 1-based line, 0 for headerless rows
    time: int | None
    gpu_id: int | None
    power: int | None

    def key(self, column: int) -> str:
        """How a problem names one of the columns: "column power.draw [W]"."""
        return f"column {self.titles[column]}"

    def name(self, column: int) -> str:
        """A column's name without its unit: "power.draw"."""
        return self.titles[column].split("[")[0].strip()


def read_header(text: str, line: int) -> Layout | None:
    """The layout a header line gives, or None when the line is not a header."""
    titles = tuple(part.strip() for part in text.split(","))
    matches = [_TITLE.fullmatch(title) for title in titles]
    if not all(matches) or (len(titles) < 2 and matches[0].group(1) not in POWER_COLUMNS):
        return None  # a lone lowercase word is more likely garbage than a header
    keys = [match.group(1) for match in matches]

    def first(choices: tuple[str, ...]) -> int | None:
        return next((keys.index(key) for key in choices if key in keys), None)

    return Layout(titles, line, first(("timestamp",)), first(ID_COLUMNS), first(POWER_COLUMNS))


def guess_layout(text: str) -> Layout | None:
    """Headerless rows: assume timestamp, index (or uuid), power.draw when the row fits."""
    fields = [part.strip() for part in text.split(",")]
    if len(fields) < 3 or np.isnan(parse_times_s(pd.Series(fields[:1], dtype=str))[0]):
        return None
    gpu_id = (
        "index"
        if INDEX_PATTERN.fullmatch(fields[1])
        else "uuid"
        if UUID_PATTERN.fullmatch(fields[1])
        else ""
    )
    if not gpu_id or not _POWER_TEXT.fullmatch(fields[2]):
        return None
    extra = tuple(f"field {n}" for n in range(4, len(fields) + 1))
    return Layout(("timestamp", gpu_id, "power.draw", *extra), 0, time=0, gpu_id=1, power=2)


def parse_power(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Watts (units already dropped), the mask of nvidia-smi's no-reading markers, the bad mask."""
    numeric = pd.api.types.is_numeric_dtype(values.dtype)
    if not numeric:  # as text: read_csv keeps a 400-digit number as an int no float can hold
        values = values.astype(str)
    power_w = (values if numeric else pd.to_numeric(values, errors="coerce")).to_numpy(np.float64)
    unusable = ~np.isfinite(power_w) | (power_w < 0)
    na = np.zeros(len(power_w), dtype=bool)
    where = np.flatnonzero(unusable)
    if len(where) and not numeric:
        text = values.iloc[where].str.strip()
        marker = text.eq("N/A") | (text.str.startswith("[") & text.str.endswith("]"))
        na[where] = marker.to_numpy(dtype=bool)
    return power_w, na, unusable & ~na


def parse_times_s(values: pd.Series) -> np.ndarray:
    """Seconds since 1970 of nvidia-smi's naive timestamps, taken as written; NaN if unreadable."""
    stamps = pd.to_datetime(values, format=TIME_FORMAT, errors="coerce").to_numpy()
    return (stamps.astype("datetime64[us]") - _EPOCH) / np.timedelta64(1, "s")


def valid_gpu_ids(layout: Layout, names: pd.Index) -> np.ndarray:
    """Which of the distinct GPU ids under `layout` are well formed (an index, or a uuid)."""
    pattern = INDEX_PATTERN if layout.name(layout.gpu_id) == "index" else UUID_PATTERN
    return np.array([bool(pattern.fullmatch(name)) for name in names], dtype=bool)


def split_by_gpu(chunks: list) -> dict[str, tuple[np.ndarray | None, np.ndarray, np.ndarray]]:
    """Per-GPU (time_s, power_w, lines) from the kept rows of every section, sorted by time.

    `chunks` holds (gpu ids, times or None, watts, 1-based lines) per section.
    """
    if not chunks:
        return {}
    codes, names = pd.factorize(np.concatenate([chunk[0] for chunk in chunks]))
    untimed = any(chunk[1] is None for chunk in chunks)
    time_all = None if untimed else np.concatenate([chunk[1] for chunk in chunks])
    power_all = np.concatenate([chunk[2] for chunk in chunks])
    lines_all = np.concatenate([chunk[3] for chunk in chunks])
    order = np.argsort(codes, kind="stable")
    ends = np.cumsum(np.bincount(codes, minlength=len(names)))
    gpus = {}
    for number, name in enumerate(names):
        rows = order[ends[number - 1] if number else 0 : ends[number]]
        power_w, time_s = power_all[rows], None if time_all is None else time_all[rows]
        lines = lines_all[rows]
        if time_s is not None and np.any(np.diff(time_s) < 0):
            by_time = np.argsort(time_s, kind="stable")
            time_s, power_w, lines = time_s[by_time], power_w[by_time], lines[by_time]
        for array in (time_s, power_w):
            if array is not None:
                array.flags.writeable = False
        gpus[str(name)] = (time_s, power_w, lines)
    return dict(sorted(gpus.items(), key=lambda item: _gpu_order(item[0])))


def _gpu_order(name: str) -> tuple[int, int]:
    return (0, int(name)) if name.isdigit() else (1, 0)  # uuids stay in order of appearance
