"""Site stage: the build, as a list of stages; with `staging`, the only code that writes a site.

`build_site` runs, in order (as mkdocs' `commands/build.py::build()` does, everything is
gathered and checked before anything is written):

1. gather and check: every card and measurement file; the gate keeps cards with errors out
   (`site.pipeline.read_project`);
2. compute: measured runs, then summaries (same);
3. check: no hand-written page where a generated one goes (`page-clash`), a mkdocs.yml, a
   site folder of its own;
4. render pages: pure text (`render.pages`); a card whose inputs did not change since the
   last build is not rendered again (`site.page_cache`);
5. render images: charts as SVG and CSV, each label SVG as PNG, through the cache;
6. stage: `.energy-cards/docs/` holds exactly the hand-written and generated files, each
   written as it is rendered; a chart or label PNG the cache lacks is rendered once the
   pages' memory is let go (`images.render_pending_images`), while 7 runs, and under
   `ISOLATED_FROM` cards 8 too (`ImagesBesideEngine`);
7. engine build: the engine builds into `.SITE.new`, converting only the pages whose
   Markdown (or the set of pages) changed since the last build (`site.markdown_cache`);
8. search index: Pagefind indexes the HTML in `.SITE.new` into `pagefind/` (`site.search`);
9. swap: `.SITE.new` replaces the site in one step (`staging.swap_in`).

All of it runs holding the project's build lock (`staging.build_lock`), after mending what a
killed build left (`staging.recover_site`), so two builds never interleave and a reader always
finds a whole site. Any error stops the build before the next stage; a failed build leaves the
previous site exactly as it was, and a write the system refuses (`write-failed`) leaves no
half-written `.SITE.new` or staged docs behind. Stages 1-6 are `site.stage_docs`
(stages 3-5, `render_docs`, are shared with `serve`).

A registry of `ISOLATED_FROM` cards or more is built in processes of their own: stages 1-6
in one; then the images the cache lacked in another, beside the engine in a third; then the
search indexer; this process only holds the lock, waits and swaps. Each one's memory is let
go when it ends, so the build's peak is the biggest stage's (or the images' and the engine's
together), not the sum of all (at 10,000 cards the build held 3.4 GB in one process before;
`bench/scale.py` prints the peak of the whole process tree). Smaller projects run stages
1-7 here, which spares the interpreter starts (about 2 s each).
"""

from __future__ import annotations

import multiprocessing
import shutil
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.load.cards import find_card_files
from generator.problems import Problem, Report
from generator.project import Project
from generator.site.engine import MkDocsEngine, SiteEngine
from generator.site.images import PendingImages, render_pending_images
from generator.site.page_cache import PageCache
from generator.site.search import index_site
from generator.site.staging import (
    LOCK_TIMEOUT_S,
    build_lock,
    check_site_dir,
    discard,
    new_site_dir,
    recover_site,
    swap_in,
    write_failed,
)

if TYPE_CHECKING:  # imported where it runs: an isolated build never loads it here
    from generator.formats.factors import Factor
    from generator.load.grid import GridData

# Card files from which stages run in processes of their own (see the module text).
ISOLATED_FROM = 2000


@dataclass
class BuildResult:
    report: Report
    site_dir: Path | None  # None when nothing was written
    card_count: int = 0


def build_site(
    project: Project,
    site_dir: Path | None = None,
    strict: bool = False,
    engine: SiteEngine | None = None,
    *,
    grid: GridData | None = None,
    factors: Sequence[Factor] | None = None,
    lock_timeout_s: float = LOCK_TIMEOUT_S,
    on_wait: Callable[[str], None] | None = None,
    isolated: bool | None = None,
) -> BuildResult:
    """Check, render and build the site; write nothing unless everything succeeds.

    Args:
        project: The project to build.
        site_dir: Where the site goes (default: PROJECT/site).
        strict: Fail on warnings too.
        engine: The site engine (default: MkDocs).
        grid: The grid intensity table (default: CodeCarbon's, read once here).
        factors: The equivalence factor table (default: the shipped one, read once here).
        lock_timeout_s: How long to wait for another build of the project to finish.
        on_wait: Told once, in words, when the build waits for another one.
        isolated: Run the stages in processes of their own (default: from `ISOLATED_FROM`
            card files on). The site is the same either way.
    """
    site_dir = site_dir or project.default_site_dir
    engine = engine or MkDocsEngine(markdown_cache=project.work_dir / "cache" / "markdown")
    if isolated is None:
        isolated = len(find_card_files(project.cards_dir)) >= ISOLATED_FROM
    unsafe = check_site_dir(project, site_dir)
    try:
        with build_lock(project, lock_timeout_s, on_wait) as locked:  # one build at a time
            if locked:
                return BuildResult(Report(locked), None)
            if not unsafe:
                recover_site(site_dir)  # what a build killed mid-swap left
            run = _in_own_process if isolated else _here
            return _build_locked(project, site_dir, strict, engine, unsafe, grid, factors, run)
    except OSError as error:  # the lock file or the recovery could not be written
        return BuildResult(Report([write_failed(error, project.root)]), None)


def _build_locked(
    project: Project,
    site_dir: Path,
    strict: bool,
    engine: SiteEngine,
    unsafe: list[Problem],
    grid: GridData | None,
    factors: Sequence[Factor] | None,
    run: Callable[..., Any],
) -> BuildResult:
    report, card_count, staged, pending = run(_stage, project, strict, unsafe, grid, factors)
    if not staged:  # 1-6. read, check, compute, render, stage
        return BuildResult(report, None)
    staged_docs = project.work_dir / "docs"
    new_site = None
    beside: ImagesBesideEngine | None = None
    try:
        if pending:  # 5. the charts and label PNGs the image cache lacked, while 7 runs
            beside = ImagesBesideEngine(staged_docs, pending, project.work_dir / "cache", run)
        new_site = new_site_dir(site_dir)
        problems, engine_after = run(
            _engine_build, engine, project.config_file, staged_docs, new_site, strict
        )  # 7.
        report.extend(problems)
        if engine_after is not engine:  # what it counted, when it ran elsewhere
            vars(engine).update(vars(engine_after))
        if beside is not None and run is not _here:
            beside.wait()  # a big registry: the indexer's batches need the images' memory
        if not report.failed(strict):
            report.extend(index_site(new_site))  # 8. search index (and 5, when small)
        if beside is not None:
            beside.wait()
            if not report.failed(strict):
                beside.copy_into(new_site)
        if report.failed(strict):
            discard(new_site)
            return BuildResult(report, None)
        swap_in(new_site, site_dir)  # 9. swap
        PageCache(project.work_dir / "cache" / "pages").prune_other_codes()
    except OSError as error:  # a read-only folder, a full disk: nothing half-written stays
        if beside is not None:
            beside.wait(raising=False)  # it writes into the staged docs being discarded
        report.extend([write_failed(error, project.root)])
        discard(*([new_site] if new_site else []), staged_docs)
        return BuildResult(report, None)
    except BaseException:  # a bug, or Ctrl-C: the previous site stays, no half-built one
        if beside is not None:
            beside.wait(raising=False)
        discard(*([new_site] if new_site else []))
        raise
    return BuildResult(report, site_dir, card_count)


class ImagesBesideEngine:
    """The images a build left pending, rendered from a thread (`render_pending_images` and its
    worker processes; in a process of their own for a big registry) while the engine builds,
    and in a build of fewer than `ISOLATED_FROM` cards while the search indexer runs too:
    MkDocs converts on one CPU, the image workers use the others. Cold builds rendered them
    first, then ran the engine. At 10,000 cards the images' processes (about 450 MB) and the
    engine's (about 340 MB) fit under 1 GiB together; the indexer's batches (850 MB) do not,
    so there the indexer waits for the images.

    The engine must find every file a page links to, so a pending image the staged docs lack
    gets an empty file there first; it may copy that, or the image half-way through being
    rendered: `copy_into` puts every rendered image into the new site once all are done.
    """

    def __init__(
        self, docs_dir: Path, pending: PendingImages, cache_dir: Path, run: Callable[..., Any]
    ) -> None:
        self.docs_dir = docs_dir
        self.names = [name for name, _ in pending.labels + pending.charts]
        for name in self.names:
            placeholder = docs_dir / name
            if not placeholder.exists():
                placeholder.parent.mkdir(parents=True, exist_ok=True)
                placeholder.write_bytes(b"")
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._render, args=(pending, cache_dir, run), name="pending-images", daemon=True
        )
        self._thread.start()

    def _render(self, pending: PendingImages, cache_dir: Path, run: Callable[..., Any]) -> None:
        try:
            run(render_pending_images, self.docs_dir, pending, cache_dir)
        except BaseException as error:  # noqa: BLE001 - raised again by `wait`, in the build
            self._error = error

    def wait(self, raising: bool = True) -> None:
        """Until every image is rendered; what stopped the rendering is raised here."""
        self._thread.join()
        if raising and self._error is not None:
            raise self._error

    def copy_into(self, site_dir: Path) -> None:
        """Put each rendered image where the engine copied it (or its placeholder)."""
        for name in self.names:
            shutil.copyfile(self.docs_dir / name, site_dir / name)


def _stage(*args: Any) -> tuple[Report, int, bool, PendingImages | None]:
    """`stage_docs`, its result as plain values: unpickling a `Staged` here would import
    `stage_docs`, and with it every stage (about 100 MB), into the process that waits."""
    from generator.site.stage_docs import stage_docs

    staged = stage_docs(*args)
    return staged.report, staged.card_count, staged.staged, staged.pending


def _engine_build(
    engine: SiteEngine, config_file: Path, docs_dir: Path, site_dir: Path, strict: bool
) -> tuple[list[Problem], SiteEngine]:
    return engine.build(config_file, docs_dir, site_dir, strict), engine


def _here(function: Callable[..., Any], *args: Any) -> Any:
    return function(*args)


def _in_own_process(function: Callable[..., Any], *args: Any) -> Any:
    """`function(*args)` in a fresh process; its result, or its exception raised here.

    Spawned, not forked: the child starts from a clean interpreter and gives back every byte
    it used when it ends. Its own image workers are its children.
    """
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=spawn) as pool:
        return pool.submit(function, *args).result()
