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
6. stage: `.energy-cards/docs/` holds exactly the hand-written and generated files;
7. engine build: the engine builds into `.SITE.new`, converting only the pages whose
   Markdown (or the set of pages) changed since the last build (`site.markdown_cache`);
8. search index: Pagefind indexes the HTML in `.SITE.new` into `pagefind/` (`site.search`);
9. swap: `.SITE.new` replaces the site in one step (`staging.swap_in`).

All of it runs holding the project's build lock (`staging.build_lock`), after mending what a
killed build left (`staging.recover_site`), so two builds never interleave and a reader always
finds a whole site. Any error stops the build before the next stage; a failed build leaves the
previous site exactly as it was, and a write the system refuses (`write-failed`) leaves no
half-written `.SITE.new` or staged docs behind. Stages 3-5 (`render_docs`) are shared with
`serve`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.compute.summary import CardSummary
from generator.compute.tasks import group_by_task
from generator.formats.factors import Factor
from generator.load.docs import read_docs_files, read_raw_files
from generator.load.grid import GridData
from generator.load.measurement_files import SIDECAR_NAME
from generator.load.measurement_paths import published_measurement_path
from generator.problems import Location, Problem, Report, relative_path
from generator.project import Project
from generator.render.card_charts import card_charts
from generator.render.charts import (
    ChartSpec,
    chart_csv,
    chart_energy_by_task,
    chart_training_emissions,
    emissions_bars,
    energy_points,
)
from generator.render.open_data import compare_paths
from generator.render.pages import render_site_pages
from generator.render.publish import PUBLISH_PATHS, label_png_path
from generator.render.table_data import MODELS_DATA_PATH, is_paged, task_data_path
from generator.render.task_charts import highlighted_for, task_charts
from generator.site.engine import MkDocsEngine, SiteEngine
from generator.site.images import chart_key, pngs_cached, prune_cache, render_svgs
from generator.site.page_cache import PageCache
from generator.site.pipeline import ProjectData, read_project
from generator.site.pipeline import summarize_project as summarize_project  # export uses it
from generator.site.search import index_site
from generator.site.staging import (
    LOCK_TIMEOUT_S,
    build_lock,
    check_site_dir,
    discard,
    new_site_dir,
    recover_site,
    swap_in,
    sync_folder,
    write_failed,
)

# The generated files that do not depend on the cards (render_site_pages writes them all).
FIXED_GENERATED_PATHS = (
    "index.md",
    "cards/index.md",
    "tasks/index.md",
    "reference/card-format.md",
    "schema/card.schema.json",
    "methodology.md",
    "data/cards.json",
    "data/cards.csv",
    "data/index.md",
    "compare.md",
)


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
    """
    site_dir = site_dir or project.default_site_dir
    engine = engine or MkDocsEngine(markdown_cache=project.work_dir / "cache" / "markdown")
    unsafe = check_site_dir(project, site_dir)
    try:
        with build_lock(project, lock_timeout_s, on_wait) as locked:  # one build at a time
            if locked:
                return BuildResult(Report(locked), None)
            if not unsafe:
                recover_site(site_dir)  # what a build killed mid-swap left
            return _build_locked(project, site_dir, strict, engine, unsafe, grid, factors)
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
) -> BuildResult:
    read = read_project(project, grid=grid, factors=factors)  # 1-2. gather and check, compute
    report = read.report
    staged_docs = project.work_dir / "docs"
    new_site = None
    try:
        pages = PageCache(project.work_dir / "cache" / "pages")  # unchanged cards: not rendered
        files = None if report.errors else render_docs(project, read, pages)  # 3-5. pages...
        report.extend(check_config(project))  # 3. the rest of the checks
        report.extend(unsafe)
        if files is None or report.failed(strict):
            return BuildResult(report, None)
        sync_folder(staged_docs, files)  # 6. stage
        new_site = new_site_dir(site_dir)
        report.extend(engine.build(project.config_file, staged_docs, new_site, strict))  # 7.
        if not report.failed(strict):
            report.extend(index_site(new_site))  # 8. search index
        if report.failed(strict):
            discard(new_site)
            return BuildResult(report, None)
        swap_in(new_site, site_dir)  # 9. swap
        pages.prune_other_codes()
    except OSError as error:  # a read-only folder, a full disk: nothing half-written stays
        report.extend([write_failed(error, project.root)])
        discard(*([new_site] if new_site else []), staged_docs)
        return BuildResult(report, None)
    return BuildResult(report, site_dir, len(read.summaries))


def render_docs(
    project: Project, read: ProjectData, memo: dict | None = None
) -> dict[str, bytes] | None:
    """Stages 3-5: every file of the docs folder, or None when a hand-written page clashes
    or is a link leaving the project.

    Takes a project read without errors; those problems are added to `read.report`. `memo`
    (kept by the live preview between refreshes) spares re-rendering unchanged cards.
    """
    hand_written, clashes = read_docs_files(project.docs_dir, project.root)
    home_charts, charts_by_card = chart_specs(read.summaries)
    all_charts = home_charts + [chart for charts in charts_by_card.values() for chart in charts]
    all_charts = list({chart.name: chart for chart in all_charts}.values())  # task charts shared
    clashes += check_page_clashes(
        project, hand_written, generated_paths(read.summaries, all_charts)
    )
    read.report.extend(clashes)
    if clashes:
        return None
    pages, label_svgs = render_site_pages(
        read.summaries,
        read.factors,
        read.gathered.reference,
        read.grid.codecarbon_version,
        home_charts,
        charts_by_card,
        memo,
    )
    images = render_images(all_charts, label_svgs, project.work_dir / "cache")
    files = dict(hand_written)
    files.update(_raw_measurement_files(read))
    files.update(
        {
            name: content if isinstance(content, bytes) else content.encode("utf-8")
            for name, content in (pages | images).items()
        }
    )
    return files


def chart_specs(
    summaries: Sequence[CardSummary],
) -> tuple[list[ChartSpec], dict[str, list[ChartSpec]]]:
    """The home page's charts and each card's, from the summaries alone (specs, not images)."""
    home = [
        chart
        for chart in (
            chart_energy_by_task(energy_points(summaries)),
            chart_training_emissions(emissions_bars(summaries)),
        )
        if chart is not None
    ]
    per_card = {s.card.id: card_charts(s, s.power_logs) for s in summaries}
    # Each task's energy-against-parameters chart, on its cards' pages too (their dot ringed).
    for chart in task_charts(group_by_task(summaries)).values():
        for card_id, highlighted in highlighted_for(chart, summaries).items():
            per_card[card_id].append(highlighted)
    return home, per_card


def _chart_paths(chart: ChartSpec) -> tuple[str, str]:
    return f"charts/{chart.name}.svg", f"charts/{chart.name}.csv"


def generated_paths(summaries: Sequence[CardSummary], charts: Sequence[ChartSpec]) -> set[str]:
    """Every docs-folder path stages 4 and 5 will write, known before rendering anything."""
    paths = set(FIXED_GENERATED_PATHS)
    for summary in summaries:
        paths.add(f"cards/{summary.card.id}.md")
        paths.update(pattern.format(id=summary.card.id) for pattern in PUBLISH_PATHS.values())
    groups = group_by_task(summaries)
    paths.update(f"tasks/{group.task.value}.md" for group in groups)
    # The JSON rows of long tables (render_table_data writes the same ones).
    if is_paged(len(summaries)):
        paths.add(MODELS_DATA_PATH)
    paths.update(task_data_path(g.task.value) for g in groups if is_paged(len(g.summaries)))
    paths.update(path for chart in charts for path in _chart_paths(chart))
    paths.update(compare_paths(len(summaries)))
    return paths


def check_page_clashes(
    project: Project, hand_written: Mapping[str, bytes], generated: set[str]
) -> list[Problem]:
    """A `page-clash` problem for each hand-written file where a generated one goes."""
    return [
        Problem(
            Location(relative_path(project.docs_dir / name, project.root)),
            "page-clash",
            "expected no hand-written file here: the generator writes this page",
            hint="rename or remove the hand-written file",
        )
        for name in sorted(set(hand_written) & generated)
    ]


def check_config(project: Project) -> list[Problem]:
    """A `missing-config` problem when the project has no mkdocs.yml."""
    if project.config_file.is_file():
        return []
    return [
        Problem(
            Location(relative_path(project.config_file, project.root)),
            "missing-config",
            "expected mkdocs.yml in the project folder, found none",
            hint="copy mkdocs.yml from the Model Energy Cards repository",
        )
    ]


def render_images(
    charts: Sequence[ChartSpec], label_svgs: Mapping[str, str], cache_dir: Path
) -> dict[str, bytes]:
    """Charts as SVG and CSV, and each label SVG (by card id) as PNG, through the cache."""
    files: dict[str, bytes] = {}
    keys = []
    for chart, svg in zip(charts, render_svgs(charts, cache_dir), strict=True):
        svg_path, csv_path = _chart_paths(chart)
        files[svg_path] = svg.encode("utf-8")
        files[csv_path] = chart_csv(chart).encode("utf-8")
        keys.append(chart_key(chart))
    for card_id, (key, png) in pngs_cached(label_svgs, cache_dir).items():
        files[label_png_path(card_id)] = png
        keys.append(key)
    prune_cache(cache_dir, keys)
    return files


def _raw_measurement_files(read: ProjectData) -> dict[str, bytes]:
    """The measurement files (and their sidecars), published beside the pages as downloads,
    each under a name no browser runs or renders (`published_measurement_path`)."""
    published: dict[str, Path] = {}
    for loaded in read.gathered.cards:
        for ref, data in loaded.measurements:
            name = published_measurement_path(ref.path)
            published[name] = data.path
            if data.sidecar is not None:
                sidecar = posixpath.join(posixpath.dirname(name), SIDECAR_NAME)
                published[sidecar] = data.path.parent / SIDECAR_NAME
    return read_raw_files(published)
