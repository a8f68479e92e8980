"""Site stage, the writers' safety: one build at a time, a staged docs folder, an atomic swap.

Takes the files of the docs folder (names relative to it, bytes) and the folders of a build;
writes them. What a reader of the site folder sees is always a whole site:

- **One build at a time.** `build_lock` holds an OS file lock (`fcntl.flock`) on
  `.energy-cards/build.lock` for the whole build, from reading the cards to the swap, so two
  builds of one project never interleave (they share the staged docs folder, and a card
  edited between their starts must not give a site made of both). A second build waits for
  the first, up to a bounded time, then fails with a `build-locked` problem. The kernel
  releases the lock when the holding process ends, even by SIGKILL, so a killed build never
  leaves a stale lock behind. Where `fcntl` does not exist (Windows), builds are not locked.
- **Build beside, then swap.** The engine builds into `.SITE.new` beside the site folder;
  only a build that succeeded replaces the site, so a failed build leaves the previous site
  exactly as it was. On Linux, `swap_in` exchanges `.SITE.new` and the site folder in one
  step (`renameat2(RENAME_EXCHANGE)`), then removes the previous site (now at `.SITE.new`):
  there is no moment without a site folder. Elsewhere, or on a file system without the
  exchange, it renames the site to `.SITE.old` and `.SITE.new` to the site: a kill between
  those two renames leaves no site folder, and `recover_site`, run by the next build before
  anything else, renames `.SITE.old` back (the previous whole site). It also removes any
  `.SITE.new` and `.SITE.old` a killed build left behind.
- **Failed writes are problems.** A write the system refuses (read-only folder, full disk,
  a file where a folder must go) becomes a `write-failed` problem (`write_failed`), and the
  half-written `.SITE.new` and staged docs folder are removed (`discard`).

`check_site_dir` refuses a site folder that would replace the project.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from generator.problems import Location, Problem, relative_path
from generator.project import Project

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = "build.lock"
LOCK_TIMEOUT_S = 300.0  # how long a second build waits for the first before giving up
LOCK_POLL_S = 0.1

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class StagedDocs:
    """Makes a folder hold exactly the files `put` into it, one at a time, writing only what
    changed (so live reload stays calm); `finish` removes the rest.

    The build hands over each card's files as they are rendered, so a registry of 10,000
    cards is never held in memory at once. `known` (kept by the live preview between runs) is
    what the last run left in the folder: a file equal to it is not read back from disk.
    """

    def __init__(self, folder: Path, known: dict[str, bytes] | None = None) -> None:
        self.folder = folder
        self.known = known
        self.names: set[str] = set()
        self.changed = 0
        folder.mkdir(parents=True, exist_ok=True)

    def put(self, name: str, content: bytes) -> None:
        self.names.add(name)
        path = self.folder / name
        remembered = self.known.get(name) if self.known is not None else None
        if self.known is not None:
            self.known[name] = content
        if remembered == content:
            if path.is_file():
                return
        elif path.is_file() and path.read_bytes() == content:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        self.changed += 1

    def expect(self, name: str) -> None:
        """Keep `name` as it is: a later step writes it (`finish` leaves it in place)."""
        self.names.add(name)
        if self.known is not None:
            self.known.pop(name, None)

    def finish(self) -> int:
        """Remove every file not put (and emptied folders); returns files written or removed."""
        known = self.known
        if known is not None and known.keys() == self.names:
            return self.changed  # the same names as last time: nothing to remove
        for path in sorted(self.folder.rglob("*"), reverse=True):
            name = path.relative_to(self.folder).as_posix()
            if path.is_file() and name not in self.names:
                path.unlink()
                self.changed += 1
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
        if known is not None:
            for name in set(known) - self.names:
                del known[name]
        return self.changed


def sync_folder(
    folder: Path, files: Mapping[str, bytes], known: dict[str, bytes] | None = None
) -> int:
    """Make `folder` hold exactly `files` (`StagedDocs`); returns files written or removed."""
    staged = StagedDocs(folder, known)
    for name, content in files.items():
        staged.put(name, content)
    return staged.finish()


def check_site_dir(project: Project, site_dir: Path) -> list[Problem]:
    """An `unsafe-site-dir` problem when the site folder is, or holds, the project's sources."""
    protected = [project.root, project.cards_dir, project.measurements_dir, project.docs_dir]
    resolved = site_dir.resolve()
    if not any(resolved == p.resolve() or p.resolve().is_relative_to(resolved) for p in protected):
        return []
    return [
        Problem(
            Location(site_dir.as_posix()),
            "unsafe-site-dir",
            "expected a folder of its own for the site, got one holding the project",
            hint="use the default (site/) or an empty folder",
        )
    ]


@contextlib.contextmanager
def build_lock(
    project: Project,
    timeout_s: float = LOCK_TIMEOUT_S,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[list[Problem]]:
    """Hold the project's build lock for the `with` block; yields the problems (none: held).

    Waits up to `timeout_s` for another build to finish, telling `on_wait` once that it waits;
    then yields a `build-locked` problem and holds nothing. Creating the lock file can raise
    OSError (a read-only project), which the caller reports as `write-failed`.
    """
    lock_file = project.work_dir / LOCK_NAME
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "a+", encoding="utf-8") as handle:
        if fcntl is None:  # pragma: no cover - Windows
            yield []
            return
        deadline = time.monotonic() + timeout_s
        waiting = False
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield [_locked_problem(project, lock_file, handle, timeout_s)]
                    return
                if not waiting and on_wait is not None:
                    on_wait(
                        f"waiting for another build of this project to finish "
                        f"({relative_path(lock_file, project.root)}"
                        f"{_holder(handle)}, up to {timeout_s:g} s)"
                    )
                waiting = True
                time.sleep(LOCK_POLL_S)
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")  # who holds it, for the waiting build's message
            handle.flush()
            yield []
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _holder(handle) -> str:
    handle.seek(0)
    pid = handle.read().strip()
    return f", held by process {pid}" if pid.isdigit() else ""


def _locked_problem(project: Project, lock_file: Path, handle, timeout_s: float) -> Problem:
    return Problem(
        Location(relative_path(lock_file, project.root)),
        "build-locked",
        f"expected no other build of this project to be running, "
        f"but one still held the lock after {timeout_s:g} s{_holder(handle)}",
        hint="wait for the other build to finish (or stop it), then build again",
    )


def recover_site(site_dir: Path) -> None:
    """Mend what a killed build left: restore a site caught between renames, remove leftovers.

    Call it holding the build lock, before building. When the site folder is missing and
    `.SITE.old` exists, a swap was killed between its two renames: `.SITE.old` is the
    previous whole site and goes back in place. Any `.SITE.new` or `.SITE.old` is removed.
    """
    old_site = _beside(site_dir, "old")
    if not site_dir.exists() and old_site.is_dir():
        old_site.rename(site_dir)
    _remove(old_site)
    _remove(_beside(site_dir, "new"))


def new_site_dir(site_dir: Path) -> Path:
    """An empty place beside `site_dir` (`.SITE.new`) for the engine to build into."""
    new_site = _beside(site_dir, "new")
    _remove(new_site)
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    return new_site


def discard(*folders: Path) -> None:
    """Remove what a failed build wrote (`.SITE.new`, the staged docs); the site stays as it was."""
    for folder in folders:
        with contextlib.suppress(OSError):
            _remove(folder)


def swap_in(new_site: Path, site_dir: Path) -> None:
    """Replace `site_dir` with the finished build, so that a reader always finds a whole site.

    Exchanges the two folders in one step where the system can (Linux); otherwise renames
    through `.SITE.old`, leaving a moment without a site that `recover_site` mends.
    """
    if not site_dir.exists() and not site_dir.is_symlink():
        new_site.rename(site_dir)  # nothing to replace: one atomic rename
        return
    if exchange(new_site, site_dir):
        _remove(new_site)  # it now holds the previous site
        return
    old_site = _beside(site_dir, "old")
    _remove(old_site)
    site_dir.rename(old_site)
    try:
        new_site.rename(site_dir)  # a kill between these two renames: recover_site mends it
    except OSError:
        old_site.rename(site_dir)
        raise
    _remove(old_site)


def exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically (Linux `renameat2(RENAME_EXCHANGE)`).

    Returns False, having changed nothing, where the system or file system cannot; raises
    OSError for any other refusal (permissions, another device).
    """
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    done = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(first), None, str(second))


@functools.cache
def _renameat2() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2  # glibc >= 2.28, musl >= 1.2.4
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    function.argtypes += [ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def write_failed(error: OSError, root: Path) -> Problem:
    """A `write-failed` problem for a write the system refused, at the path it named."""
    path = Path(error.filename) if error.filename else root
    if error.errno in (errno.EEXIST, errno.ENOTDIR):
        reason = "expected a folder here, found a file"
    else:
        reason = f"could not write here: {error.strerror or error}"
    return Problem(
        Location(relative_path(path, root)),
        "write-failed",
        reason,
        hint="check that the site folder's parent and .energy-cards/ are writable folders "
        "and the disk has room; the previous site was left as it was",
    )


def _beside(site_dir: Path, suffix: str) -> Path:
    return site_dir.with_name(f".{site_dir.name}.{suffix}")


def _remove(path: Path) -> None:
    """Remove a folder tree, file or link; nothing when it does not exist."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
