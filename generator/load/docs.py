"""Load stage for hand-written site pages (site_src/) and the raw files published beside them.

Takes the docs folder (or the raw measurement files to publish); gives their bytes by the path
they are published under, and a `file-outside-project` problem for each file that is a link
leaving the project, whose content is never read.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from generator.problems import Location, Problem


def read_docs_files(docs_dir: Path, project_root: Path) -> tuple[dict[str, bytes], list[Problem]]:
    """Every file under the docs folder, by POSIX path relative to it (sorted).

    A file or folder that is a link to somewhere outside the project is refused with a
    `file-outside-project` problem and not read (links to folders are never followed).
    """
    if not docs_dir.is_dir():
        return {}, []
    files: dict[str, bytes] = {}
    problems: list[Problem] = []
    for path in sorted(docs_dir.rglob("*")):
        name = path.relative_to(docs_dir)
        if any(part.startswith(".") for part in name.parts):
            continue
        if leaves_project(path, project_root):  # a file or a folder linked from outside
            problems.append(outside_project_problem(path, project_root))
        elif path.is_file():
            files[name.as_posix()] = path.read_bytes()
    return files, problems


def leaves_project(path: Path, project_root: Path) -> bool:
    """Whether `path`, followed through any links, ends outside the project folder."""
    return not path.resolve().is_relative_to(project_root.resolve())


def outside_project_problem(path: Path, project_root: Path) -> Problem:
    """A `file-outside-project` problem for a file that is a link leaving the project.

    Located at the link itself (not its target), and saying nothing of the target's content.
    """
    try:
        shown = path.absolute().relative_to(project_root.absolute()).as_posix()
    except ValueError:
        shown = path.as_posix()
    return Problem(
        Location(shown),
        "file-outside-project",
        "expected a file inside the project, got a link leading outside it",
        hint="copy the file into the project instead of linking to it",
    )


def read_raw_files(published: Mapping[str, Path]) -> dict[str, bytes]:
    """Raw measurement files to publish as downloads: their bytes by the path published under."""
    return {name: published[name].read_bytes() for name in sorted(published)}
