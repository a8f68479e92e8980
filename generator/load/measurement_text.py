"""Load stage, shared by every measurement loader: open a file safely and split CSV lines.

Takes a path; gives its bytes (or None) and problems, never an exception for a user's file:
- the file is opened by `generator.load.files` (regular files only, within a size limit);
- text that is not UTF-8 in a way that would read as NUL-laden garbage (UTF-16 or UTF-32, or
  nothing but NUL bytes) is refused (`bad-encoding`);
- CR-only line endings (classic Mac) are read with CR as the line end, with a warning
  (`bad-line-endings`), so line numbers match what an editor shows.
It also splits one CSV line into fields with every `csv` error turned into a message, and finds
duplicated column names in a header (`duplicate-column`).
"""

from __future__ import annotations

import csv
from pathlib import Path

from generator.load.files import MAX_MEASUREMENT_FILE_BYTES, read_limited_bytes
from generator.problems import Location, Problem, Severity

CSV_FIELD_LIMIT = csv.field_size_limit()  # 131,072 characters: longer fields are garbage


def read_measurement_bytes(path: Path, display_path: str) -> tuple[bytes | None, list[Problem]]:
    """The bytes of a measurement file, checked and with CR-only line ends made LF.

    Returns None (and errors) when the path is not a readable regular file, is over
    `MAX_MEASUREMENT_FILE_BYTES`, or the text is UTF-16/32 or only NUL bytes.
    """
    raw, problems = read_limited_bytes(path, display_path, MAX_MEASUREMENT_FILE_BYTES)
    if raw is None:
        return None, problems
    return check_bytes(raw, display_path)


def check_bytes(raw: bytes, display_path: str) -> tuple[bytes | None, list[Problem]]:
    """Refuse NUL-laden text that is not UTF-8; read CR-only line endings as LF (a warning)."""
    if b"\x00" in raw and not raw.strip(b"\x00\r\n"):
        message = f"expected text, got {len(raw):,} bytes that are all NUL (a zero-filled file?)"
        return None, [Problem(Location(display_path, 1), "bad-encoding", message)]
    if encoding := _wide_encoding(raw):
        message = f"expected UTF-8 text, got {encoding} (NUL bytes between the letters)"
        hint = f"save the file as UTF-8, e.g. iconv -f {encoding} -t UTF-8"
        return None, [Problem(Location(display_path, 1), "bad-encoding", message, hint=hint)]
    if b"\r" in raw and b"\n" not in raw:
        message = (
            "expected lines ending in LF or CRLF, got CR alone (classic Mac line endings);"
            " read with CR as the line end"
        )
        hint = "convert the file, e.g. tr '\\r' '\\n' < old.csv > new.csv"
        warning = Problem(
            Location(display_path, 1), "bad-line-endings", message, Severity.WARNING, hint=hint
        )
        return raw.replace(b"\r", b"\n"), [warning]
    return raw, []


def _wide_encoding(raw: bytes) -> str | None:
    """ "UTF-16" or "UTF-32" when the bytes look like one (a BOM, or NULs in every other byte)."""
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    head = raw[:4096]
    if len(head) < 4:
        return None
    high_bytes = head[1::4].count(0) + head[2::4].count(0) + head[3::4].count(0)
    if high_bytes >= 0.9 * 3 * (len(head) // 4):
        return "UTF-32"
    even, odd = head[0::2].count(0), head[1::2].count(0)
    return "UTF-16" if max(even, odd) >= 0.9 * (len(head) // 2) else None


def split_csv_line(text: str) -> tuple[list[str] | None, str]:
    """One CSV line -> its fields, or None and why ("expected a CSV row, got ...")."""
    if not text.isprintable() and "\t" not in text:
        return None, "expected a CSV row, got binary or control characters"
    try:
        return next(csv.reader([text], strict=True), []), ""
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            limit = f"{CSV_FIELD_LIMIT:,}"
            return None, f"expected fields of at most {limit} characters, got a longer one"
        return None, f"expected a CSV row, got unreadable text ({error})"


def split_lines(text: str) -> list[str]:
    """Lines on LF (CRLF's CR dropped): str.splitlines() would also split on form feeds and
    other control characters that corrupted rows contain, shifting every later line number."""
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def duplicate_columns(header: list[str], display_path: str, line: int = 1) -> list[Problem]:
    """One error per column name written twice in a header (the reader would keep one)."""
    seen: dict[str, int] = {}
    problems = []
    for position, name in enumerate(header, start=1):
        if name in seen:
            message = (
                f"expected each column once, got '{name}' as column {seen[name]} and column"
                f" {position}; which one holds the data is unclear"
            )
            key = f"column {name}"
            location = Location(display_path, line)
            problems.append(Problem(location, "duplicate-column", message, key=key))
        else:
            seen[name] = position
    return problems
