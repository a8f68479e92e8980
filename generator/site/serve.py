"""Live preview: keep a staged docs folder in step with the project while the engine serves it.

A watcher thread polls cards/, measurements/ and site_src/; on a change it reads the project
again (`site.pipeline`), renders it (`site.build.render_docs`, the build's stages 3-5) and
rewrites only the files that changed in the staged docs folder. The engine's own live reload
(it watches that folder) then rebuilds and reloads the browser. Invalid cards are reported
and the last good pages stay up.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from generator.problems import format_text
from generator.project import Project
from generator.site.build import render_docs
from generator.site.engine import MkDocsEngine, SiteEngine
from generator.site.pipeline import read_project
from generator.site.staging import sync_folder

POLL_INTERVAL_S = 0.5


def snapshot_inputs(project: Project) -> dict[str, tuple[int, int]]:
    """(mtime, size) of every input file, to notice edits, additions and removals."""
    state = {}
    for folder in (project.cards_dir, project.measurements_dir, project.docs_dir):
        if folder.is_dir():
            for path in folder.rglob("*"):
                try:
                    stat = path.stat()
                except (OSError, ValueError):  # removed meanwhile, a loop, a bad name
                    continue
                state[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return state


def refresh_preview(project: Project, docs_dir: Path, log: Callable[[str], None]) -> bool:
    """Re-render into docs_dir; on problems, log them and leave the last good pages."""
    read = read_project(project)
    files = None if read.report.errors else render_docs(project, read)
    if read.report.problems:
        log(format_text(read.report))
    if files is None:
        log("preview not updated: fix the errors above")
        return False
    changed = sync_folder(docs_dir, files)
    if changed:
        log(f"preview updated: {len(read.summaries)} cards, {changed} files changed")
    return True


def refresh_preview_safely(project: Project, docs_dir: Path, log: Callable[[str], None]) -> bool:
    """`refresh_preview`, but an unexpected error is logged and the watcher keeps going.

    The user's mistakes are problems, never exceptions; anything that still escapes is a bug
    in the generator, and it must not stop the preview (a dead watcher would serve stale
    pages for as long as the server runs, with no word said).
    """
    try:
        return refresh_preview(project, docs_dir, log)
    except Exception as error:  # noqa: BLE001 - the long-running thread's boundary
        log(
            f"preview not updated: the generator failed ({type(error).__name__}: {error}); "
            "this is a bug, please report it. Still watching for changes."
        )
        return False


def _watch(project: Project, docs_dir: Path, log: Callable[[str], None], stop: threading.Event):
    last = snapshot_inputs(project)
    while not stop.wait(POLL_INTERVAL_S):
        current = snapshot_inputs(project)
        if current != last:
            last = current
            refresh_preview_safely(project, docs_dir, log)


def serve_site(
    project: Project,
    host: str,
    port: int,
    log: Callable[[str], None],
    engine: SiteEngine | None = None,
) -> None:
    """Serve the project with live reload until interrupted."""
    engine = engine or MkDocsEngine()
    docs_dir = project.work_dir / "preview-docs"
    refresh_preview(project, docs_dir, log)
    stop = threading.Event()
    watcher = threading.Thread(target=_watch, args=(project, docs_dir, log, stop), daemon=True)
    watcher.start()
    log(f"serving on http://{host}:{port}/ ; edit a card and the page reloads (Ctrl-C stops)")
    try:
        engine.serve(project.config_file, docs_dir, host, port)
    finally:
        stop.set()
