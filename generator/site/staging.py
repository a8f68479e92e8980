"""Site stage, the writers' safety: a staged docs folder, and the `.new`/`.old` swap.

Takes the files of the docs folder (names relative to it, bytes) and the folders of a build;
writes them. The engine builds into `.SITE.new` beside the target, and only a build that
succeeded replaces the site (through `.SITE.old`), so a failed build leaves the previous site
exactly as it was. `check_site_dir` refuses a site folder that would replace the project.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

from generator.problems import Location, Problem
from generator.project import Project


def sync_folder(folder: Path, files: Mapping[str, bytes]) -> int:
    """Make `folder` hold exactly `files`; write only what changed (so live reload stays calm).

    Returns the number of files written or removed.
    """
    changed = 0
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        if path.is_file() and path.read_bytes() == content:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        changed += 1
    for path in sorted(folder.rglob("*"), reverse=True):
        name = path.relative_to(folder).as_posix()
        if path.is_file() and name not in files:
            path.unlink()
            changed += 1
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return changed


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


def new_site_dir(site_dir: Path) -> Path:
    """An empty place beside `site_dir` (`.SITE.new`) for the engine to build into."""
    new_site = site_dir.with_name(f".{site_dir.name}.new")
    if new_site.exists():
        shutil.rmtree(new_site)
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    return new_site


def discard(new_site: Path) -> None:
    """Remove a build that failed; the previous site stays as it was."""
    shutil.rmtree(new_site, ignore_errors=True)


def swap_in(new_site: Path, site_dir: Path) -> None:
    """Replace `site_dir` with the finished build, through `.SITE.old`."""
    old_site = site_dir.with_name(f".{site_dir.name}.old")
    if old_site.exists():
        shutil.rmtree(old_site)
    if site_dir.exists():
        site_dir.rename(old_site)
    new_site.rename(site_dir)
    if old_site.exists():
        shutil.rmtree(old_site)
