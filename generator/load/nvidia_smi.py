"""Load stage: nvidia-smi power logs (CSV) -> per-GPU power samples, plus problems.

Takes the output of `nvidia-smi --query-gpu=timestamp,index,power.draw --format=csv -lms 100`
in its common variations (`noheader`, `nounits`, extra columns in any order, `uuid` instead of
`index`, the newer `power.draw.average` / `power.draw.instant`, CRLF, a UTF-8 BOM, logs appended
twice, garbage and truncated lines) and gives `PowerSamples`: time and power arrays per GPU,
ready for `generator.compute.power.integrate_power`. Bad rows are skipped and reported as
problems (capped per code, like every measurement loader); nothing is raised. This is the only
code that reads these files; `nvidia_smi_layout` tells where the columns are and turns fields
into numbers, this module indexes the lines, splits them into sections and gathers the rows.

Speed: lines are indexed with numpy on the raw bytes (header lines, field counts), the
well-formed rows go to pandas' C reader in one piece, and values are converted vectorised; a
million-row log takes well under a second.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from generator.load.measurement_text import duplicate_columns, read_measurement_bytes
from generator.load.nvidia_smi_layout import (
    NO_ID_GPU,
    POWER_COLUMNS,
    QUERY_HINT,
    Layout,
    guess_layout,
    parse_power,
    parse_times_s,
    read_header,
    split_by_gpu,
    valid_gpu_ids,
)
from generator.load.plausibility import check_gpu_power, check_sampling_gaps
from generator.problems import CappedProblems, Location, Problem, Severity

_BOM = b"\xef\xbb\xbf"
_MESSAGES = {
    "bad-number": "expected a power in watts >= 0 (e.g. 208.36 W), got '{}'",
    "bad-timestamp": "expected a timestamp like 2024/10/30 18:42:33.189, got '{}'",
    "bad-gpu-id": "expected a GPU index (0, 1, ...) or uuid (GPU-...), got '{}'",
}


@dataclass(frozen=True, eq=False)
class GpuSamples:
    """One GPU's readings, sorted by time (read-only arrays of equal length).

    Attributes:
        time_s: seconds since 1970-01-01 of the naive timestamps taken as written (local
            wall-clock time, no zone), float64; None when the log has no timestamps.
        power_w: power draw in watts, float64.
        intervals: a log read by the streaming engine holds no arrays (time_s None, power_w
            empty) but this `generator.load.power_log.IntervalSummary`.
    """

    time_s: np.ndarray | None
    power_w: np.ndarray
    intervals: Any = None


@dataclass(frozen=True, eq=False, kw_only=True)
class PowerSamples:
    """The usable readings of one power log.

    Attributes:
        power_column: the column read, e.g. "power.draw" (joined with ", " when the parts of
            an appended log used different ones).
        rows_read: data rows in the file (header and blank lines not counted).
        rows_skipped: rows dropped as malformed or unusable (reported as problems).
        na_readings: rows dropped because nvidia-smi had no reading ([N/A], [Not Supported]).
        gpus: readings per GPU keyed by uuid or index, in index order.
        gpu_id_column: "uuid" or "index"; None when rows could not be told apart by GPU.
        format: always "nvidia-smi".
    """

    power_column: str
    rows_read: int
    rows_skipped: int
    na_readings: int
    gpus: dict[str, GpuSamples]
    gpu_id_column: str | None
    format: str = "nvidia-smi"


def read_nvidia_smi_csv(path: Path, display_path: str) -> tuple[PowerSamples | None, list[Problem]]:
    """Read an nvidia-smi CSV power log.

    Args:
        path: the file to read.
        display_path: how problems name the file (usually relative to the project).

    Returns:
        The samples (None when the file is unreadable, empty, not a power log or has no power
        column) and the problems found. Row problems are warnings (the row is skipped, the
        rest is used); a file that cannot give energy gets an error.
    """
    raw, problems = read_measurement_bytes(path, display_path)
    if raw is None:
        return None, problems
    samples, more = parse_nvidia_smi_bytes(raw, display_path)
    return samples, problems + more


def parse_nvidia_smi_bytes(
    raw: bytes, display_path: str
) -> tuple[PowerSamples | None, list[Problem]]:
    """The samples and problems of a power log's bytes (see `read_nvidia_smi_csv`)."""
    return _LogReader(display_path, raw).read()


class _LogReader:
    """Reads one log: indexes its lines, finds headers, parses the rows under each."""

    def __init__(self, path: str, raw: bytes) -> None:
        self.path = path
        raw = raw.replace(_BOM, b"") if _BOM in raw else raw  # also one opening an appended log
        self.raw = raw.replace(b"\r\n", b"\n") if b"\r" in raw else raw
        self.ends_with_newline = self.raw.endswith(b"\n")
        buf = np.frombuffer(self.raw, dtype=np.uint8)
        newlines = np.flatnonzero(buf == ord("\n"))
        self.starts = np.concatenate(([0], newlines + 1))[
            : len(newlines) + 1 - self.ends_with_newline
        ]
        self.ends = np.append(newlines, len(buf))[: len(self.starts)]
        commas = np.flatnonzero(buf == ord(","))
        self.commas = np.searchsorted(commas, self.ends) - np.searchsorted(commas, self.starts)
        self.blank = self.ends == self.starts
        first = buf[np.minimum(self.starts, len(buf) - 1)] if len(buf) else self.blank
        self.lowercase = ~self.blank & (first >= ord("a")) & (first <= ord("z"))
        self.filled = np.flatnonzero(~self.blank)
        self.last_line = int(self.filled[-1]) + 1 if len(self.filled) else 0  # 1-based
        self.problems: list[Problem] = []
        self.rows = CappedProblems(path)
        self.chunks: list[tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray]] = []
        self.power_columns: list[str] = []
        self.id_columns: list[str] = []
        self.no_id_line: int | None = None  # the first header with neither index nor uuid
        self.rows_read = self.rows_skipped = self.na_readings = 0
        self.cut_reported = False
        self.unusable_header = False  # a header without a power column, or with a duplicate

    def text(self, index: int) -> str:
        """The line at 0-based `index`, decoded."""
        return self.raw[self.starts[index] : self.ends[index]].decode("utf-8", "replace")

    def short(self, line: int, column: int | None = None) -> str:
        """Line `line` (1-based), or one of its fields, shortened for a message."""
        text = self.text(line - 1)
        text = (text if column is None else text.split(",")[column]).strip()
        return text if len(text) <= 60 else text[:57] + "..."

    def read(self) -> tuple[PowerSamples | None, list[Problem]]:
        if not self.last_line:
            self._error(0, "not-a-power-log", "expected nvidia-smi CSV rows, got an empty file")
            return None, self.problems
        headers = self._find_headers()
        bounds = [line - 1 for line, _ in headers] + [len(self.starts)]
        if not self._read_headerless(bounds[0], required=not headers):
            return None, self.problems
        for (line, layout), stop in zip(headers, bounds[1:], strict=True):
            self._read_section(line, stop, layout)
        if not self.chunks and self.unusable_header:
            return None, self._all_problems()  # missing-column or duplicate-column says why
        samples = self._samples()
        return samples, self._all_problems()

    def _all_problems(self) -> list[Problem]:
        return sorted(self.problems + self.rows.problems(), key=Problem.sort_key)

    def _error(self, line: int, code: str, message: str, key: str = "", **kwargs) -> None:
        location = Location(self.path, line)
        self.problems.append(Problem(location, code, message, key=key, **kwargs))

    def _find_headers(self) -> list[tuple[int, Layout]]:
        """Header lines (1-based) with their layouts; data rows never start with a-z.

        After the first line a header must name a known column, so that one lowercase garbage
        line cannot take over the rows after it.
        """
        found = []
        for index in np.flatnonzero(self.lowercase).tolist():
            layout = read_header(self.text(index), index + 1)
            known = layout and {layout.time, layout.gpu_id, layout.power} != {None}
            if layout and (known or index == self.filled[0]):
                found.append((index + 1, layout))
        return found

    def _read_headerless(self, stop: int, *, required: bool) -> bool:
        """Rows before the first header (all rows if none); False if they cannot be read."""
        filled = self.filled[self.filled < stop]
        for index in filled[:5].tolist():
            if layout := guess_layout(self.text(index)):
                self._read_section(int(filled[0]), stop, layout)
                return True
        if required and not self.short(int(filled[0]) + 1):
            self._error(0, "not-a-power-log", "expected nvidia-smi CSV rows, got blank lines")
            return False
        if required:
            self._error(
                int(filled[0]) + 1,
                "not-a-power-log",
                "expected a header line such as 'timestamp, index, power.draw [W]', or headerless"
                " rows in the order timestamp, index, power.draw, got"
                f" '{self.short(int(filled[0]) + 1)}'",
                hint=f"{QUERY_HINT} (keep the header: no 'noheader')",
            )
            return False
        lines = filled[[bool(self.text(i).strip()) for i in filled.tolist()]] + 1
        self.rows_read += len(lines)
        self.rows_skipped += len(lines)
        describe = "expected a header line or a data row, got '{}'"
        self._flag("bad-row", lines, "", lambda line: describe.format(self.short(line)))
        return True

    def _read_section(self, start: int, stop: int, layout: Layout) -> None:
        """Parse lines start..stop-1 (0-based) as laid out by `layout`."""
        want, titles = len(layout.titles), ", ".join(layout.titles)
        fits = ~self.blank[start:stop] & (self.commas[start:stop] == want - 1)
        misfits = np.flatnonzero(~self.blank[start:stop] & ~fits) + start
        misfits = misfits[[bool(self.text(i).strip()) for i in misfits.tolist()]]
        self.rows_read += int(fits.sum()) + len(misfits)
        names = [layout.name(i) for i in range(want)]
        duplicated = duplicate_columns(names, self.path, layout.line)
        self.problems.extend(duplicated)
        unusable = layout.power is None or bool(duplicated)
        self.unusable_header |= unusable
        self.rows_skipped += len(misfits) + (int(fits.sum()) if unusable else 0)
        if duplicated:
            return
        if layout.power is None:
            message = f"expected a power column ({', '.join(POWER_COLUMNS)}), got {titles}"
            self._error(
                layout.line, "missing-column", message, "column power.draw", hint=QUERY_HINT
            )
            return
        if layout.time is None:
            message = (
                f"expected a timestamp column to integrate power over time, got {titles};"
                " these rows cannot give energy"
            )
            self._error(layout.line, "no-timestamps", message, "column timestamp", hint=QUERY_HINT)
        short = len(misfits) and self.commas[misfits[-1]] + 1 < want
        describe = f"expected {want} fields ({titles}), got {{}}: '{{}}'"
        self._flag(
            "bad-row",
            misfits + 1,
            "",
            lambda line: describe.format(self.commas[line - 1] + 1, self.short(line)),
            cut_short=bool(short),
        )
        if fits.any():
            body = self._body(start, stop, fits, layout.power == want - 1)
            self._read_rows(body, np.flatnonzero(fits) + start + 1, layout)

    def _flag(
        self, code: str, lines: np.ndarray, key: str, describe: Callable, cut_short: bool = False
    ) -> None:
        """Report bad rows; the file's last row instead as truncated when it looks cut off."""
        if len(lines) and lines[-1] == self.last_line and (cut_short or not self.ends_with_newline):
            lines = lines[:-1]
            if not self.cut_reported:  # once, whichever field the cut fell in
                self.cut_reported = True
                cut = f"expected a complete row, got '{self.short(self.last_line)}' (the log ends"
                cut += " mid-row)"
                self._warn_rows("truncated-row", [self.last_line], "", lambda _: cut)
        self._warn_rows(code, lines, key, describe)

    def _warn_rows(
        self, code: str, lines: np.ndarray | list[int], key: str, describe: Callable[[int], str]
    ) -> None:
        """Rows skipped with a warning (the rest of the log is used), capped per code."""
        self.rows.add_rows(
            code,
            lines,
            lambda line: Problem(
                Location(self.path, line), code, describe(line), Severity.WARNING, key
            ),
        )

    def _body(self, start: int, stop: int, fits: np.ndarray, power_last: bool) -> bytes:
        """The bytes of the fitting lines of a section, with the power column's ' W' dropped."""
        body = self.raw[self.starts[start] : self.ends[stop - 1] + 1]
        if not fits.all():
            sizes = self.ends[start:stop] - self.starts[start:stop] + 1
            body = np.frombuffer(body, np.uint8)[np.repeat(fits, sizes)[: len(body)]].tobytes()
        if b" W" not in body:  # nounits; no timestamp, index or uuid ends with " W" either
            return body
        if not power_last:
            return body.replace(b" W,", b",")
        return body.replace(b" W\n", b"\n").removesuffix(b" W")  # no newline at the end

    def _read_rows(self, body: bytes, lines: np.ndarray, layout: Layout) -> None:
        """Convert well-formed rows (`lines`: their 1-based numbers) and keep the good ones."""
        text_columns = [column for column in (layout.time, layout.gpu_id) if column is not None]
        frame = pd.read_csv(
            io.BytesIO(body),
            header=None,
            names=list(range(len(layout.titles))),
            usecols=sorted([*text_columns, layout.power]),
            dtype=dict.fromkeys(text_columns, str),
            skipinitialspace=True,
            na_filter=False,
            quoting=csv.QUOTE_NONE,
            lineterminator="\n",
            skip_blank_lines=False,
            low_memory=False,  # one type per column, no DtypeWarning
            encoding_errors="replace",
            engine="c",
        )
        power_w, na, bad = parse_power(frame[layout.power])
        checks = [("bad-number", layout.power, bad)]
        time_s = None
        if layout.time is not None:
            time_s = parse_times_s(frame[layout.time])
            checks.append(("bad-timestamp", layout.time, np.isnan(time_s)))
        if layout.gpu_id is None:
            ids = np.full(len(frame), NO_ID_GPU, dtype=object)
            self.no_id_line = layout.line if self.no_id_line is None else self.no_id_line
        else:
            codes, uniques = pd.factorize(frame[layout.gpu_id])  # check each GPU name once
            valid = valid_gpu_ids(layout, uniques)
            ids = np.asarray(uniques, dtype=object)[codes]
            checks.append(("bad-gpu-id", layout.gpu_id, ~valid[codes]))
            self.id_columns.append(layout.name(layout.gpu_id))
        for code, column, wrong in checks:
            describe = _MESSAGES[code]
            self._flag(
                code,
                lines[wrong],
                layout.key(column),
                lambda line, m=describe, c=column: m.format(self.short(line, c)),
            )
            bad |= wrong
        self.rows_skipped += int(bad.sum())
        self.na_readings += int((na & ~bad).sum())
        keep = ~(bad | na)
        kept_time = None if time_s is None else time_s[keep]
        self.chunks.append((ids[keep], kept_time, power_w[keep], lines[keep]))
        self.power_columns.append(layout.name(layout.power))

    def _samples(self) -> PowerSamples:
        timed = [chunk for chunk in self.chunks if chunk[1] is not None]
        if timed and len(timed) < len(self.chunks):  # drop untimed parts of an appended log
            self.rows_skipped += sum(len(chunk[0]) for chunk in self.chunks if chunk[1] is None)
            self.chunks = timed
        gpus = {}
        for name, (time_s, power_w, lines) in split_by_gpu(self.chunks).items():
            check_gpu_power(self.rows, lines, power_w, f"column {self.power_columns[0]}")
            if time_s is not None:
                check_sampling_gaps(self.rows, name, time_s, lines)
            gpus[name] = GpuSamples(time_s, power_w)
        if self.no_id_line is not None:
            times = gpus[NO_ID_GPU].time_s if NO_ID_GPU in gpus else None
            shared = times is not None and bool(np.any(np.diff(times) == 0))
            message = (
                "expected an index or uuid column to tell GPUs apart, got none; all rows are"
                f" treated as one GPU named '{NO_ID_GPU}'"
                + (", but rows share timestamps, so the log likely holds several GPUs" * shared)
            )
            severity = Severity.ERROR if shared else Severity.WARNING
            args = (self.no_id_line, "missing-column", message, "column index")
            self._error(*args, severity=severity, hint=QUERY_HINT)
        if not gpus:
            message = (
                f"expected at least one power reading, got none (rows read: {self.rows_read},"
                f" without a reading: {self.na_readings}, malformed: {self.rows_skipped})"
            )
            self._error(0, "not-a-power-log", message)
        return PowerSamples(
            power_column=", ".join(dict.fromkeys(self.power_columns)),
            rows_read=self.rows_read,
            rows_skipped=self.rows_skipped,
            na_readings=self.na_readings,
            gpus=gpus,
            gpu_id_column=None
            if self.no_id_line is not None
            else next(iter(self.id_columns), None),
        )
