"""Load stage: nvidia-smi power logs (CSV) -> per-GPU power samples, plus problems.

Takes the output of `nvidia-smi --query-gpu=timestamp,index,power.draw --format=csv -lms 100`
in its common variations (`noheader`, `nounits`, extra columns in any order, `uuid` instead of
`index`, the newer `power.draw.average` / `power.draw.instant`, CRLF, a UTF-8 BOM, logs appended
twice, garbage and truncated lines) and gives `PowerSamples`: time and power arrays per GPU,
ready for `generator.power.integrate_power`. Bad rows are skipped and reported as problems;
nothing is raised. This is the only code that reads these files.

Speed: lines are indexed with numpy on the raw bytes (header lines, field counts), the
well-formed rows go to pandas' C reader in one piece, and values are converted vectorised; a
million-row log takes well under a second.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from generator.problems import Location, Problem, Severity

TIME_FORMAT = "%Y/%m/%d %H:%M:%S.%f"  # nvidia-smi's own: 2024/10/30 18:42:33.189 (local, no zone)
POWER_COLUMNS = ("power.draw", "power.draw.average", "power.draw.instant")  # preferred first
ID_COLUMNS = ("uuid", "index")  # preferred first
NO_ID_GPU = "all"  # the GPU name used when the log has neither index nor uuid
MAX_PROBLEMS_PER_CODE = 20  # listed per code and file; the rest are summed up in one problem
QUERY_HINT = "log with nvidia-smi --query-gpu=timestamp,index,power.draw --format=csv -lms 100"

_BOM = b"\xef\xbb\xbf"
_EPOCH = np.datetime64(0, "us")
_TITLE = re.compile(r"([a-z][a-z0-9_.]*)(?: *\[[^\]]*\])?")  # power.draw [W]
_FULL_TIMESTAMP = r"\d{4}[-/]\d{2}[-/]\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?"
_INDEX = re.compile(r"\d+")
_UUID = re.compile(r"GPU-[0-9A-Fa-f-]+")
_POWER_TEXT = re.compile(r"\d+(?:\.\d*)?(?: W)?|N/A|\[.*\]")


@dataclass(frozen=True, eq=False)
class GpuSamples:
    """One GPU's readings, sorted by time (read-only arrays of equal length).

    Attributes:
        time_s: seconds since 1970-01-01 of the naive timestamps taken as written (local
            wall-clock time, no zone), float64; None when the log has no timestamps.
        power_w: power draw in watts, float64.
    """

    time_s: np.ndarray | None
    power_w: np.ndarray


@dataclass(frozen=True, eq=False, kw_only=True)
class PowerSamples:
    """The usable readings of one power log.

    Attributes:
        power_column: the column read, e.g. "power.draw" (joined with ", " when the parts of
            an appended log used different ones).
        rows_read: data rows in the file (header and blank lines not counted).
        rows_skipped: rows dropped as malformed, each reported as a problem (or summed up).
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


@dataclass(frozen=True)
class _Layout:
    """Where the columns are in the rows under one header (or in headerless rows)."""

    titles: tuple[str, ...]  # as written: "power.draw [W]"
    line: int  # the header's 1-based line, 0 for headerless rows
    time: int | None
    gpu_id: int | None
    power: int | None

    def key(self, column: int) -> str:
        return f"column {self.titles[column]}"

    def name(self, column: int) -> str:
        return self.titles[column].split("[")[0].strip()


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
    try:
        raw = path.read_bytes()
    except OSError as error:
        message = f"expected a readable file, got {error.strerror or error}"
        return None, [Problem(Location(display_path), "missing-file", message)]
    return _LogReader(display_path, raw).read()


class _RowProblems:
    """Row problems of one file: at most MAX_PROBLEMS_PER_CODE listed per code, then a sum."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.listed: list[Problem] = []
        self.counts: dict[str, int] = {}
        self.unlisted: dict[str, list] = {}  # code -> [count, first line, last line, key]

    def add(self, code: str, lines: np.ndarray, key: str, describe: Callable[[int], str]) -> None:
        """Report rows at 1-based `lines` (ascending); `describe(line)` words one of them."""
        room = max(0, MAX_PROBLEMS_PER_CODE - self.counts.get(code, 0))
        for line in lines[:room].tolist():
            location = Location(self.path, line)
            self.listed.append(Problem(location, code, describe(line), Severity.WARNING, key))
        self.counts[code] = self.counts.get(code, 0) + min(room, len(lines))
        if len(lines) > room:
            entry = self.unlisted.setdefault(code, [0, int(lines[room]), 0, key])
            entry[0] += len(lines) - room
            entry[2] = int(lines[-1])

    def problems(self) -> list[Problem]:
        return self.listed + [
            Problem(
                Location(self.path, first),
                code,
                f"... and {count} more bad rows like these, not listed (lines {first}-{last})",
                Severity.WARNING,
                key,
            )
            for code, (count, first, last, key) in self.unlisted.items()
        ]


class _LogReader:
    """Reads one log: indexes its lines, finds headers, parses the rows under each."""

    def __init__(self, path: str, raw: bytes) -> None:
        self.path = path
        raw = raw.replace(_BOM, b"") if _BOM in raw else raw  # also one opening an appended log
        self.raw = raw.replace(b"\r\n", b"\n") if b"\r" in raw else raw
        self.ends_with_newline = self.raw.endswith(b"\n")
        buf = np.frombuffer(self.raw, dtype=np.uint8)
        newlines = np.flatnonzero(buf == ord("\n"))
        self.starts = np.concatenate(([0], newlines + 1))
        self.ends = np.append(newlines, len(buf))
        if self.ends_with_newline or not len(buf):
            self.starts, self.ends = self.starts[:-1], self.ends[:-1]
        commas = np.flatnonzero(buf == ord(","))
        self.commas = np.searchsorted(commas, self.ends) - np.searchsorted(commas, self.starts)
        self.blank = self.ends == self.starts
        first = buf[np.minimum(self.starts, max(len(buf) - 1, 0))] if len(buf) else buf
        self.lowercase = ~self.blank & (first >= ord("a")) & (first <= ord("z"))
        filled = np.flatnonzero(~self.blank)
        self.last_line = int(filled[-1]) + 1 if len(filled) else 0  # 1-based
        self.problems: list[Problem] = []
        self.rows = _RowProblems(path)
        self.chunks: list[tuple[np.ndarray, list[str], np.ndarray | None, np.ndarray]] = []
        self.power_columns: list[str] = []
        self.id_columns: list[str] = []
        self.no_id_line: int | None = None  # the first header with neither index nor uuid
        self.rows_read = self.rows_skipped = self.na_readings = 0
        self.cut_reported = False  # the last row was reported as truncated

    def text(self, index: int) -> str:
        """The line at 0-based `index`, decoded."""
        return self.raw[self.starts[index] : self.ends[index]].decode("utf-8", "replace")

    def read(self) -> tuple[PowerSamples | None, list[Problem]]:
        if not self.last_line:
            self._error(0, "not-a-power-log", "expected nvidia-smi CSV rows, got an empty file")
            return None, self.problems
        headers = self._find_headers()
        stop = headers[0][0] - 1 if headers else len(self.starts)
        if not self._read_headerless(stop, required=not headers):
            return None, self.problems
        for position, (line, layout) in enumerate(headers):
            stop = headers[position + 1][0] - 1 if position + 1 < len(headers) else len(self.starts)
            self._read_section(line, stop, layout)
        if not self.chunks and any(layout.power is None for _, layout in headers):
            return None, self.problems + self.rows.problems()  # missing-column says why
        samples = self._samples()
        return samples, self.problems + self.rows.problems()

    def _error(self, line: int, code: str, message: str, key: str = "", hint: str = "") -> None:
        self.problems.append(Problem(Location(self.path, line), code, message, key=key, hint=hint))

    def _find_headers(self) -> list[tuple[int, _Layout]]:
        """Header lines (1-based) with their layouts; data rows never start with a-z.

        A header after the first line must name a known column, so that one lowercase garbage
        line cannot take over the rows after it.
        """
        first = int(np.flatnonzero(~self.blank)[0])
        found = []
        for index in np.flatnonzero(self.lowercase).tolist():
            layout = _read_header(self.text(index), index + 1)
            if layout and (index == first or {layout.time, layout.gpu_id, layout.power} != {None}):
                found.append((index + 1, layout))
        return found

    def _read_headerless(self, stop: int, *, required: bool) -> bool:
        """Rows before the first header (all rows if none); False if they cannot be read."""
        filled = np.flatnonzero(~self.blank[:stop])
        for index in filled[:5].tolist():
            layout = _guess_layout(self.text(index))
            if layout is not None:
                self._read_section(int(filled[0]), stop, layout)
                return True
        if required:
            self._error(
                int(filled[0]) + 1,
                "not-a-power-log",
                "expected a header line such as 'timestamp, index, power.draw [W]', or headerless"
                " rows in the order timestamp, index, power.draw, got"
                f" '{self._short(int(filled[0]) + 1)}'",
                hint=f"{QUERY_HINT} (keep the header: no 'noheader')",
            )
            return False
        lines = filled[[bool(self.text(i).strip()) for i in filled.tolist()]] + 1
        self.rows_read += len(lines)
        self.rows_skipped += len(lines)
        self.rows.add(
            "bad-row",
            lines,
            "",
            lambda line: f"expected a header line or a data row, got '{self._short(line)}'",
        )
        return True

    def _short(self, line: int, column: int | None = None) -> str:
        """Line `line` (1-based) or one of its fields, shortened for a message."""
        text = self.text(line - 1)
        return _shorten(text if column is None else text.split(",")[column])

    def _read_section(self, start: int, stop: int, layout: _Layout) -> None:
        """Parse lines start..stop-1 (0-based) as laid out by `layout`."""
        want = len(layout.titles)
        fits = ~self.blank[start:stop] & (self.commas[start:stop] == want - 1)
        misfits = np.flatnonzero(~self.blank[start:stop] & ~fits) + start
        misfits = misfits[[bool(self.text(i).strip()) for i in misfits.tolist()]]
        self.rows_read += int(fits.sum()) + len(misfits)
        self.rows_skipped += len(misfits)
        if layout.power is None:
            self.rows_skipped += int(fits.sum())
            self._error(
                layout.line,
                "missing-column",
                f"expected a power column ({', '.join(POWER_COLUMNS)}),"
                f" got {', '.join(layout.titles)}",
                key="column power.draw",
                hint=QUERY_HINT,
            )
            return
        if layout.time is None:
            self._error(
                layout.line,
                "no-timestamps",
                f"expected a timestamp column to integrate power over time, got"
                f" {', '.join(layout.titles)}; these rows cannot give energy",
                key="column timestamp",
                hint=QUERY_HINT,
            )
        lines = misfits + 1
        if len(lines) and lines[-1] == self.last_line and self.commas[misfits[-1]] + 1 < want:
            self.cut_reported = True
            self.rows.add(
                "truncated-row",
                lines[-1:],
                "",
                lambda line: (
                    f"expected {want} fields ({', '.join(layout.titles)}), got"
                    f" {self.commas[line - 1] + 1}: '{self._short(line)}' (the log ends mid-row)"
                ),
            )
            lines = lines[:-1]
        self.rows.add(
            "bad-row",
            lines,
            "",
            lambda line: (
                f"expected {want} fields ({', '.join(layout.titles)}), got"
                f" {self.commas[line - 1] + 1}: '{self._short(line)}'"
            ),
        )
        kept = np.flatnonzero(fits) + start
        if len(kept):
            self._read_rows(self._body(start, stop, fits), kept + 1, layout)

    def _body(self, start: int, stop: int, fits: np.ndarray) -> bytes:
        """The bytes of the fitting lines of a section, with ' W' units dropped."""
        body = self.raw[self.starts[start] : self.ends[stop - 1]]
        if not fits.all():
            sizes = self.ends[start:stop] - self.starts[start:stop] + 1
            keep = np.repeat(fits, sizes)[: len(body)]
            body = np.frombuffer(body, dtype=np.uint8)[keep].tobytes()
        if b" W" in body:  # power units; no timestamp, index or uuid ends with " W"
            body = body.replace(b" W\n", b"\n").replace(b" W,", b",").removesuffix(b" W")
        return body

    def _read_rows(self, body: bytes, lines: np.ndarray, layout: _Layout) -> None:
        """Convert well-formed rows (`lines`: their 1-based numbers) and keep the good ones."""
        used = [c for c in (layout.time, layout.gpu_id, layout.power) if c is not None]
        frame = pd.read_csv(
            io.BytesIO(body),
            header=None,
            names=list(range(len(layout.titles))),
            usecols=sorted(used),
            dtype={column: str for column in (layout.time, layout.gpu_id) if column is not None},
            skipinitialspace=True,
            na_filter=False,
            quoting=csv.QUOTE_NONE,
            lineterminator="\n",
            skip_blank_lines=False,
            low_memory=False,  # one type per column, no DtypeWarning
            encoding_errors="replace",
            engine="c",
        )
        power_w, na, bad = _parse_power(frame[layout.power])
        self._report(lines, bad, "bad-number", layout, layout.power, _power_error)
        time_s = None
        if layout.time is not None:
            time_s = _parse_times_s(frame[layout.time])
            bad_time = np.isnan(time_s)
            self._report(lines, bad_time, "bad-timestamp", layout, layout.time, _time_error)
            bad |= bad_time
        if layout.gpu_id is None:
            codes, names = np.zeros(len(frame), dtype=np.int64), [NO_ID_GPU]
            if self.no_id_line is None:
                self.no_id_line = layout.line
        else:
            codes, uniques = pd.factorize(frame[layout.gpu_id])
            names = [str(name) for name in uniques]
            bad_id = codes == names.index("") if "" in names else np.zeros(len(codes), bool)
            self._report(lines, bad_id, "bad-row", layout, layout.gpu_id, _id_error)
            bad |= bad_id
            self.id_columns.append(layout.name(layout.gpu_id))
        self.rows_skipped += int(bad.sum())
        self.na_readings += int((na & ~bad).sum())
        keep = ~(bad | na)
        self.chunks.append(
            (codes[keep], names, None if time_s is None else time_s[keep], power_w[keep])
        )
        self.power_columns.append(layout.name(layout.power))

    def _report(
        self,
        lines: np.ndarray,
        bad: np.ndarray,
        code: str,
        layout: _Layout,
        column: int,
        describe: Callable[[str], str],
    ) -> None:
        lines = lines[bad]
        if len(lines) and lines[-1] == self.last_line and not self.ends_with_newline:
            lines = lines[:-1]  # reported once, whatever field the cut fell in
            if not self.cut_reported:
                self.cut_reported = True
                cut = f"expected a complete row, got '{self._short(self.last_line)}'"
                self.rows.add(
                    "truncated-row",
                    np.array([self.last_line]),
                    "",
                    lambda _: f"{cut} (the log ends mid-row)",
                )
        self.rows.add(code, lines, layout.key(column), lambda n: describe(self._short(n, column)))

    def _samples(self) -> PowerSamples:
        timed = [chunk for chunk in self.chunks if chunk[2] is not None]
        if timed and len(timed) < len(self.chunks):  # drop untimed parts of an appended log
            self.rows_skipped += sum(len(chunk[0]) for chunk in self.chunks if chunk[2] is None)
            self.chunks = timed
        gpus = _split_by_gpu(self.chunks)
        if self.no_id_line is not None:
            self._report_no_id(self.no_id_line, gpus.get(NO_ID_GPU))
        if not gpus:
            self._error(
                0,
                "not-a-power-log",
                f"expected at least one power reading, got none in {self.rows_read} rows"
                f" ({self.na_readings} without a reading, {self.rows_skipped} malformed)",
            )
        return PowerSamples(
            power_column=", ".join(dict.fromkeys(self.power_columns)),
            rows_read=self.rows_read,
            rows_skipped=self.rows_skipped,
            na_readings=self.na_readings,
            gpus=gpus,
            gpu_id_column=self.id_columns[0]
            if self.id_columns and self.no_id_line is None
            else None,
        )

    def _report_no_id(self, line: int, gpu: GpuSamples | None) -> None:
        times = None if gpu is None else gpu.time_s
        shared = times is not None and bool(np.any(np.diff(times) == 0))
        message = (
            "expected an index or uuid column to tell GPUs apart, got none; all rows are"
            f" treated as one GPU named '{NO_ID_GPU}'"
        )
        if shared:
            message += ", but rows share timestamps, so the log likely holds several GPUs"
        self.problems.append(
            Problem(
                Location(self.path, line),
                "missing-column",
                message,
                Severity.ERROR if shared else Severity.WARNING,
                key="column index",
                hint=QUERY_HINT,
            )
        )


def _read_header(text: str, line: int) -> _Layout | None:
    """The layout a header line gives, or None when the line is not a header."""
    titles = tuple(part.strip() for part in text.split(","))
    matches = [_TITLE.fullmatch(title) for title in titles]
    if not all(matches) or (len(titles) < 2 and matches[0].group(1) not in POWER_COLUMNS):
        return None  # a lone lowercase word is more likely garbage than a header
    keys = [match.group(1) for match in matches]

    def first(choices: tuple[str, ...]) -> int | None:
        return next((keys.index(key) for key in choices if key in keys), None)

    return _Layout(titles, line, first(("timestamp",)), first(ID_COLUMNS), first(POWER_COLUMNS))


def _guess_layout(text: str) -> _Layout | None:
    """Headerless rows: assume timestamp, index (or uuid), power.draw when the row fits."""
    fields = [part.strip() for part in text.split(",")]
    if len(fields) < 3 or np.isnan(_parse_times_s(pd.Series(fields[:1], dtype=str))[0]):
        return None
    gpu_id = (
        "index" if _INDEX.fullmatch(fields[1]) else "uuid" if _UUID.fullmatch(fields[1]) else ""
    )
    if not gpu_id or not _POWER_TEXT.fullmatch(fields[2]):
        return None
    extra = tuple(f"field {n}" for n in range(4, len(fields) + 1))
    return _Layout(("timestamp", gpu_id, "power.draw", *extra), 0, time=0, gpu_id=1, power=2)


def _parse_power(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Watts (units already dropped), the mask of nvidia-smi's no-reading markers, the bad mask."""
    numeric = pd.api.types.is_numeric_dtype(values.dtype)
    power_w = (values if numeric else pd.to_numeric(values, errors="coerce")).to_numpy(np.float64)
    unusable = ~np.isfinite(power_w) | (power_w < 0)
    na = np.zeros(len(power_w), dtype=bool)
    where = np.flatnonzero(unusable)
    if len(where) and not numeric:
        text = values.iloc[where].str.strip()
        marker = text.eq("N/A") | (text.str.startswith("[") & text.str.endswith("]"))
        na[where] = marker.to_numpy(dtype=bool)
    return power_w, na, unusable & ~na


def _parse_times_s(values: pd.Series) -> np.ndarray:
    """Seconds since 1970 of naive timestamps (nvidia-smi's, or ISO 8601); NaN if unreadable."""
    seconds = _seconds(pd.to_datetime(values, format=TIME_FORMAT, errors="coerce"))
    missing = np.flatnonzero(np.isnan(seconds))
    if len(missing):  # other full naive timestamps, e.g. 2024-10-30T18:42:33 from other tools
        text = values.iloc[missing]
        full = text.str.fullmatch(_FULL_TIMESTAMP).to_numpy(dtype=bool)
        if full.any():
            iso = text[full].str.replace("/", "-", regex=False)
            seconds[missing[full]] = _seconds(
                pd.to_datetime(iso, format="ISO8601", errors="coerce")
            )
    return seconds


def _seconds(stamps: pd.Series) -> np.ndarray:
    return (stamps.to_numpy().astype("datetime64[us]") - _EPOCH) / np.timedelta64(1, "s")


def _split_by_gpu(chunks: list) -> dict[str, GpuSamples]:
    """Per-GPU arrays from the kept rows of every section, each sorted by time."""
    names: dict[str, int] = {}
    for _, chunk_names, _, _ in chunks:
        names.update((name, len(names)) for name in chunk_names if name not in names)
    if not names:
        return {}
    lookups = [np.array([names[name] for name in chunk[1]], dtype=np.int64) for chunk in chunks]
    codes = np.concatenate([table[chunk[0]] for table, chunk in zip(lookups, chunks, strict=True)])
    untimed = any(chunk[2] is None for chunk in chunks)
    time_all = None if untimed else np.concatenate([chunk[2] for chunk in chunks])
    power_all = np.concatenate([chunk[3] for chunk in chunks])
    order = np.argsort(codes, kind="stable")
    ends = np.cumsum(np.bincount(codes, minlength=len(names)))
    gpus = {}
    for number, name in enumerate(names):
        rows = order[ends[number - 1] if number else 0 : ends[number]]
        if not len(rows):
            continue  # every row of this GPU was skipped
        power_w, time_s = power_all[rows], None if time_all is None else time_all[rows]
        if time_s is not None and np.any(np.diff(time_s) < 0):
            by_time = np.argsort(time_s, kind="stable")
            time_s, power_w = time_s[by_time], power_w[by_time]
        for array in (time_s, power_w):
            if array is not None:
                array.flags.writeable = False
        gpus[name] = GpuSamples(time_s, power_w)
    return dict(sorted(gpus.items(), key=lambda item: _gpu_order(item[0])))


def _gpu_order(name: str) -> tuple[int, int]:
    return (0, int(name)) if name.isdigit() else (1, 0)  # uuids stay in order of appearance


def _power_error(text: str) -> str:
    return f"expected a power in watts >= 0 (e.g. 208.36 W), got '{text}'"


def _time_error(text: str) -> str:
    return f"expected a timestamp like 2024/10/30 18:42:33.189, got '{text}'"


def _id_error(text: str) -> str:
    return "expected a GPU index or uuid, got an empty field"


def _shorten(text: str, width: int = 60) -> str:
    text = text.strip()
    return text if len(text) <= width else text[: width - 3] + "..."
