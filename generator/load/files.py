"""Load stage, shared by every reader: open an input file safely, within a size limit.

Takes a path; gives its bytes (or None) and problems, never an exception for a user's file.
The path is checked with `os.stat` before anything opens it, so a FIFO, a device or a folder
is refused instead of hanging or crashing, and a symlink loop, a name over 255 characters or a
NUL byte in the path are reported (`unreadable-file`). A file over its kind's size limit is
refused before it is read (`file-too-large`), so a pasted log or a sparse file cannot take the
machine's memory:

- a card, a factor table, a rating reference, a sidecar or a model card: 1 MiB (the largest
  shipped card is under 10 KB);
- a measurement file read whole: 128 MiB (a million-row nvidia-smi log is about 40-80 MB);
- a power log read by the streaming engine (`generator.load.power_log`: nvidia-smi logs from
  `STREAM_FROM_BYTES` up, and any `format: power-log`, CSV or Parquet): 64 GiB, a month of a
  16-GPU node at 10 Hz. Such a file is never held in memory: its bound is the engine's memory
  limit (`ENGINE_MEMORY_LIMIT`, spilling to a temporary folder past it); this limit only keeps
  a runaway file from filling the disk with spilled data.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from generator.problems import Location, Problem

MAX_TEXT_FILE_BYTES = 1 << 20  # cards, factors, reference, sidecars, model cards
MAX_MEASUREMENT_FILE_BYTES = 128 << 20
MAX_STREAMED_FILE_BYTES = 64 << 30  # power logs read by the streaming engine (load/power_log.py)
STREAM_FROM_BYTES = 16 << 20  # nvidia-smi logs this size and up go through the streaming engine

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)
_PATH_ERRORS = {
    errno.ELOOP: "a symlink loop",
    errno.ENAMETOOLONG: "a name too long for the file system (over 255 characters per part)",
    errno.ENOTDIR: "a path through something that is not a folder",
    errno.EACCES: "a file this user may not read",
}


def unreadable(display_path: str, got: str, hint: str = "") -> list[Problem]:
    """The `unreadable-file` problem: expected a regular file, got `got`."""
    message = f"expected a regular file, got {got}"
    return [Problem(Location(display_path), "unreadable-file", message, hint=hint)]


def check_regular_file(path: Path, display_path: str) -> list[Problem]:
    """Problems that keep `path` from being read as a regular file; [] when it can be.

    Uses `os.stat` only (it follows symlinks, opens nothing), so a FIFO cannot block.
    """
    try:
        info = os.stat(path)
    except ValueError:  # "embedded null byte"
        return unreadable(display_path, "a path with a NUL byte in it")
    except OSError as error:
        if error.errno == errno.ENOENT:
            message = "expected an existing file, got a path to nothing (not found)"
            return [Problem(Location(display_path), "missing-file", message)]
        got = _PATH_ERRORS.get(error.errno, error.strerror or str(error))
        return unreadable(display_path, got)
    if stat.S_ISREG(info.st_mode):
        return []
    kind = next((name for test, name in _KINDS if test(info.st_mode)), "a special file")
    hint = "name the file itself, e.g. cards/<id>.yaml or measurements/<id>/emissions.csv"
    return unreadable(display_path, kind, hint if kind == "a folder" else "")


def _size_text(size_bytes: int) -> str:
    return (
        f"{size_bytes / (1 << 20):,.1f} MiB" if size_bytes >= 1 << 20 else f"{size_bytes:,} bytes"
    )


def read_limited_bytes(
    path: Path, display_path: str, max_bytes: int
) -> tuple[bytes | None, list[Problem]]:
    """The bytes of a regular file of at most `max_bytes`; None and a problem otherwise."""
    problems = check_regular_file(path, display_path)
    if problems:
        return None, problems
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            raw = handle.read(max_bytes + 1) if size <= max_bytes else b""
    except OSError as error:
        return None, unreadable(display_path, f"a file that cannot be read ({error.strerror})")
    if size > max_bytes or len(raw) > max_bytes:  # the file may grow while it is read
        return None, file_too_large(display_path, max_bytes, max(size, len(raw)))
    return raw, []


def file_too_large(display_path: str, max_bytes: int, size_bytes: int) -> list[Problem]:
    """The `file-too-large` problem for a file of `size_bytes` over `max_bytes`."""
    message = f"expected a file of at most {_size_text(max_bytes)}, got {_size_text(size_bytes)}"
    hint = "split it (one file per run) or keep only the rows the card needs"
    return [Problem(Location(display_path), "file-too-large", message, hint=hint)]


def read_limited_text(
    path: Path,
    display_path: str,
    max_bytes: int = MAX_TEXT_FILE_BYTES,
    *,
    encoding_code: str = "bad-encoding",
    hint: str = "",
) -> tuple[str | None, list[Problem]]:
    """The UTF-8 text (a leading BOM dropped) of a regular file of at most `max_bytes`.

    A file that is not UTF-8 is one `encoding_code` problem, with `hint`.
    """
    raw, problems = read_limited_bytes(path, display_path, max_bytes)
    if raw is None:
        return None, problems
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as error:
        message = f"expected UTF-8 text, got {error.reason}"
        return None, [Problem(Location(display_path), encoding_code, message, hint=hint)]
