"""Live preview: keep a staged docs folder in step with the project while the engine serves it.

A watcher thread polls cards/, measurements/ and site_src/; on a change it reads the project
again (`site.pipeline`), renders it (`site.stage_docs.render_docs`, the build's stages 3-5) and
rewrites only the files that changed in the staged docs folder, then tells the engine to
rebuild (`SiteEngine.rebuild`: MkDocs would otherwise notice by polling every staged file every
half second), which reloads the browser. Invalid cards are reported and the last good pages
stay up, each with a "Preview not updated" notice listing the problems at its top (written
into the staged pages, so it needs nothing but the engine's own reload, offline); the next
good refresh rewrites the pages without it and says "preview updated".
"""

from __future__ import annotations

import contextlib
import html
import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from generator.load.grid import read_grid_data
from generator.problems import Report, format_text, plural
from generator.project import Project
from generator.site.engine import MkDocsEngine, SiteEngine
from generator.site.images import warm_up
from generator.site.pipeline import read_project
from generator.site.stage_docs import render_docs
from generator.site.staging import sync_folder

POLL_INTERVAL_S = 0.25


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


NOTICE_START = "<!-- energy-cards preview notice -->"
NOTICE_END = "<!-- /energy-cards preview notice -->"
_NOTICE = re.compile(re.escape(NOTICE_START) + ".*?" + re.escape(NOTICE_END) + "\n\n", re.DOTALL)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n.*?^---[ \t]*\r?\n", re.DOTALL | re.MULTILINE)
_TITLE = re.compile(r"[ \t]*\r?\n*# [^\n]*\n+")
MAX_NOTICE_LINES = 10


def notice_html(title: str, lines: Sequence[str]) -> str:
    """A Material "failure" admonition as raw HTML (no Markdown extension needed)."""
    shown = [f"<li><code>{html.escape(line)}</code></li>" for line in lines[:MAX_NOTICE_LINES]]
    if len(lines) > MAX_NOTICE_LINES:
        shown.append(f"<li>... and {len(lines) - MAX_NOTICE_LINES} more, in the terminal</li>")
    return (
        f'{NOTICE_START}\n<div class="admonition failure" role="alert">\n'
        f'<p class="admonition-title">{html.escape(title)}</p>\n'
        "<p>This page is from the last good preview. Fix the problems below and save: the page "
        "reloads.</p>\n"
        f"<ul>{''.join(shown)}</ul>\n</div>\n{NOTICE_END}\n\n"
    )


def report_notice(report: Report) -> str:
    """The notice for a refresh that found errors: each problem, as the terminal shows it."""
    lines = [
        f"{p.location}: {p.severity}[{p.code}]{f' {p.key}:' if p.key else ''} {p.message}"
        for p in report.sorted_problems()
    ]
    return notice_html(f"Preview not updated: {plural(len(report.errors), 'error')}", lines)


def show_notice(docs_dir: Path, notice: str) -> int:
    """Put `notice` at the top of every page in docs_dir (after its front matter and title),
    replacing any earlier one; with no page yet, write a home page holding only the notice.

    Returns the number of pages written.
    """
    pages = sorted(docs_dir.rglob("*.md")) if docs_dir.is_dir() else []
    if not pages:
        docs_dir.mkdir(parents=True, exist_ok=True)
        (docs_dir / "index.md").write_text(f"{notice}# Preview\n", encoding="utf-8")
        return 1
    written = 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        body = _NOTICE.sub("", text, count=1)
        front = _FRONT_MATTER.match(body)
        cut = front.end() if front else 0
        title = _TITLE.match(body, cut)  # keep a leading `# Title` first: it names the page
        cut = title.end() if title else cut
        gap = "\n" if title and not body[:cut].endswith("\n\n") else ""  # HTML after a blank
        new = body[:cut] + gap + notice + body[cut:]
        if new != text:
            page.write_text(new, encoding="utf-8")
            written += 1
    return written


def refresh_preview(
    project: Project, docs_dir: Path, log: Callable[[str], None], memo: dict | None = None
) -> bool:
    """Re-render into docs_dir; on problems, log them, leave the last good pages and put a
    notice on them. Every good refresh says "preview updated", even when no file changed
    (after a broken edit is fixed, the fix is worth a word). `memo` is kept between
    refreshes so cards an edit did not touch are not rendered again."""
    memo = {} if memo is None else memo
    if memo.get("grid") is None:  # read once: the installed CodeCarbon's data does not change
        memo["grid"] = read_grid_data()
    grid = memo["grid"]
    cards_memo = memo.setdefault("cards", {})
    pages_memo = memo.setdefault("pages", {})
    read = read_project(project, grid=grid, memo=cards_memo)
    images_memo = memo.setdefault("images", {})
    files = None if read.report.errors else render_docs(project, read, pages_memo, images_memo)
    if read.report.problems:
        log(format_text(read.report))
    if files is None:
        memo.pop("staged", None)  # the notice changes the staged pages: read them back next time
        show_notice(docs_dir, report_notice(read.report))
        log("preview not updated: fix the errors above (the pages in the browser say so too)")
        return False
    changed = sync_folder(docs_dir, files, memo.setdefault("staged", {}))
    log(
        f"preview updated: {plural(len(read.summaries), 'card')}, {plural(changed, 'file')} changed"
    )
    return True


def refresh_preview_safely(
    project: Project, docs_dir: Path, log: Callable[[str], None], memo: dict | None = None
) -> bool:
    """`refresh_preview`, but an unexpected error is logged and the watcher keeps going.

    The user's mistakes are problems, never exceptions; anything that still escapes is a bug
    in the generator, and it must not stop the preview (a dead watcher would serve stale
    pages for as long as the server runs, with no word said).
    """
    try:
        return refresh_preview(project, docs_dir, log, memo=memo)
    except Exception as error:  # noqa: BLE001 - the long-running thread's boundary
        failure = f"{type(error).__name__}: {error}"
        log(
            f"preview not updated: the generator failed ({failure}); "
            "this is a bug, please report it. Still watching for changes."
        )
        notice = notice_html("Preview not updated: the generator failed", [failure])
        if memo is not None:
            memo.pop("staged", None)
        with contextlib.suppress(OSError, ValueError):  # said above; the pages stay as they were
            show_notice(docs_dir, notice)
        return False


def _watch(
    project: Project,
    docs_dir: Path,
    log: Callable[[str], None],
    stop: threading.Event,
    memo: dict | None = None,
    rebuild: Callable[[], object] = lambda: None,
):
    last = snapshot_inputs(project)
    while not stop.wait(POLL_INTERVAL_S):
        current = snapshot_inputs(project)
        if current != last:
            last = current
            refresh_preview_safely(project, docs_dir, log, memo)
            rebuild()  # the engine need not find the staged files' changes by itself


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
    memo: dict = {}  # each card's rendered files, kept between refreshes
    refresh_preview(project, docs_dir, log, memo)
    # Charts come from the cache at start; the first edit that changes one would start the
    # chart renderer (about 0.4 s): start it now, while the reader opens the page.
    threading.Thread(target=warm_up, daemon=True).start()
    stop = threading.Event()
    watcher = threading.Thread(
        target=_watch, args=(project, docs_dir, log, stop, memo, engine.rebuild), daemon=True
    )
    watcher.start()
    log(f"serving on http://{host}:{port}/ ; edit a card and the page reloads (Ctrl-C stops)")
    try:
        engine.serve(project.config_file, docs_dir, host, port)
    finally:
        stop.set()
