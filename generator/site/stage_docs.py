"""Site stage, stages 1-6 of the build: read the project, render every page and image, and
stage them in the docs folder the engine reads (`stage_docs`).

Kept apart from `site.build`, the orchestrator, so that a build of a big registry can run this
in a process of its own (`site.build.ISOLATED_FROM`): everything read and rendered is let go
when that process ends, before the engine and the search indexer start. Cards are rendered
and staged a chunk at a time (`render_docs_into`), so memory does not grow with the registry.
`render_docs` gives the same files as a dict, for the live preview.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping, MutableMapping, Sequence
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
    chart_energy_by_task,
    chart_training_emissions,
    emissions_bars,
    energy_points,
)
from generator.render.open_data import compare_paths
from generator.render.pages import forget_removed_cards, render_card, render_shared_pages
from generator.render.publish import PUBLISH_PATHS
from generator.render.remembered import remembered
from generator.render.table_data import MODELS_DATA_PATH, is_paged, task_data_path
from generator.render.task_charts import highlighted_for, task_charts
from generator.site.image_batches import (
    CHARTS_FOLDER,
    ImageBatches,
    Remembered,
    chart_paths,
    forget_unused,
)
from generator.site.images import PendingImages, prune_cache
from generator.site.page_cache import PageCache
from generator.site.pipeline import ProjectData, read_project
from generator.site.staging import (
    StagedDocs,
    discard,
    write_failed,
)

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
class Staged:
    """What stages 1-6 give the build: the report, the number of cards, and whether the
    docs folder was staged (False: stop, the report says why)."""

    report: Report
    card_count: int
    staged: bool
    pending: PendingImages | None = None  # for images.render_pending_images


def stage_docs(
    project: Project,
    strict: bool,
    unsafe: list[Problem],
    grid: GridData | None = None,
    factors: Sequence[Factor] | None = None,
) -> Staged:
    """Stages 1-6: read and check, compute, check the rest, render and stage into
    `.energy-cards/docs/`. Writes nothing when the report fails the build."""
    read = read_project(project, grid=grid, factors=factors)  # 1-2. gather and check, compute
    report = read.report
    report.extend(check_config(project))  # 3. the checks that need no rendering
    report.extend(unsafe)
    count = len(read.summaries)
    if report.errors or report.failed(strict):
        return Staged(report, count, False)
    staged_docs = project.work_dir / "docs"
    try:
        pages = PageCache(project.work_dir / "cache" / "pages")  # unchanged cards: not rendered
        staged = StagedDocs(staged_docs)  # 6. staged as rendered (3-5)
        pending = PendingImages(project.work_dir / "pending")
        discard(pending.folder)  # what a killed build left
        if not render_docs_into(project, read, staged.put, pages, pending, staged.expect):
            return Staged(report, count, False)
        staged.finish()
    except OSError as error:  # a read-only folder, a full disk: nothing half-written stays
        report.extend([write_failed(error, project.root)])
        discard(staged_docs)
        return Staged(report, count, False)
    return Staged(report, count, True, pending)


def render_docs(
    project: Project,
    read: ProjectData,
    memo: MutableMapping | None = None,
    images_memo: MutableMapping[tuple[str, str], Remembered] | None = None,
) -> dict[str, bytes] | None:
    """Stages 3-5 into a dict: every file of the docs folder, or None when a hand-written page
    clashes or is a link leaving the project (what the live preview stages). The live
    preview keeps `memo` (pages) and `images_memo` (charts, labels) between refreshes."""
    files: dict[str, bytes] = {}
    rendered = render_docs_into(project, read, files.__setitem__, memo, images_memo=images_memo)
    return files if rendered else None


def render_docs_into(
    project: Project,
    read: ProjectData,
    put: Callable[[str, bytes], None],
    memo: MutableMapping | None = None,
    pending: PendingImages | None = None,
    expect: Callable[[str], None] | None = None,
    images_memo: MutableMapping[tuple[str, str], Remembered] | None = None,
) -> bool:
    """Stages 3-5: hand every file of the docs folder to `put`, a chunk of cards at a time;
    False, having put nothing, when a hand-written page clashes or is a link leaving the project.

    Takes a project read without errors; those problems are added to `read.report`. `memo`
    (the page cache, or the live preview's dict) spares re-rendering unchanged cards. Only a
    chunk's pages and images are held at once, so memory does not grow with the registry.
    With `pending`, the images the cache lacks are named to `expect` instead of rendered and
    kept in `pending` for `images.render_pending_images`; without, all are rendered.
    """
    hand_written, clashes = read_docs_files(project.docs_dir, project.root)
    home_charts, task_charts_of = shared_chart_specs(read.summaries)
    shared_charts = home_charts + [charts[0] for charts in task_charts_of.values()]
    shared_charts = list({chart.name: chart for chart in shared_charts}.values())
    listed = list(shared_charts)
    if any(name.startswith(f"{CHARTS_FOLDER}/") for name in hand_written):
        # Only a hand-written file under charts/ can clash with a card's own chart: the cards'
        # charts are made here just for their names (else they are made a chunk at a time).
        listed += [chart for s in read.summaries for chart in charts_of(s, task_charts_of)]
    clashes += check_page_clashes(project, hand_written, generated_paths(read.summaries, listed))
    read.report.extend(clashes)
    if clashes:
        return False
    for name, content in hand_written.items():
        put(name, content)
    del hand_written
    for name, content in _raw_measurement_files(read).items():
        put(name, content)
    shared = render_shared_pages(
        read.summaries,
        read.factors,
        read.gathered.reference,
        read.grid.codecarbon_version,
        home_charts,
        shared_charts,
    )
    for name, content in shared.items():
        put(name, _encoded(content))
    del shared
    cache_dir = project.work_dir / "cache"
    images = ImageBatches(cache_dir, home_charts, pending, expect, images_memo)
    for start in range(0, len(read.summaries), RENDER_CHUNK_CARDS):
        for summary in read.summaries[start : start + RENDER_CHUNK_CARDS]:
            charts = charts_of(summary, task_charts_of)
            files, label = render_card(summary, read.factors, charts, memo)
            for name, content in files.items():
                put(name, _encoded(content))
            images.add(summary.card.id, label, charts)
        images.render_into(put)
    images.render_into(put)  # the home charts, when there are no cards
    prune_cache(cache_dir, images.keys)
    if memo is not None:
        forget_removed_cards(memo, {summary.card.id for summary in read.summaries})
    if images_memo is not None:
        forget_unused(images_memo, images.used)
    return True


# Cards rendered (pages, charts, labels) before their files are handed on and let go: big
# enough that the image workers' start (about 0.5 s) is paid rarely, small enough that a
# chunk's files (about 70 KB a card) stay a few tens of MB.
RENDER_CHUNK_CARDS = 1000


def _encoded(content: str | bytes) -> bytes:
    return content if isinstance(content, bytes) else content.encode("utf-8")


def chart_specs(
    summaries: Sequence[CardSummary],
) -> tuple[list[ChartSpec], dict[str, list[ChartSpec]]]:
    """The home page's charts and each card's, from the summaries alone (specs, not images)."""
    home, task_charts_of = shared_chart_specs(summaries)
    return home, {s.card.id: charts_of(s, task_charts_of) for s in summaries}


def shared_chart_specs(
    summaries: Sequence[CardSummary],
) -> tuple[list[ChartSpec], dict[str, list[ChartSpec]]]:
    """The home page's charts, and by card id the task charts that card is plotted on (each
    task's energy-against-parameters chart, on its cards' pages too, their dot ringed)."""
    home = [
        chart
        for chart in (
            _energy_by_task(energy_points(summaries)),
            _training_emissions(emissions_bars(summaries)),
        )
        if chart is not None
    ]
    task_charts_of: dict[str, list[ChartSpec]] = {}
    for chart in task_charts(group_by_task(summaries)).values():
        for card_id, highlighted in highlighted_for(chart, summaries).items():
            task_charts_of.setdefault(card_id, []).append(highlighted)
    return home, task_charts_of


# The live preview asks for the home charts on every save; most saves leave their rows as they were.
_energy_by_task = remembered(chart_energy_by_task)
_training_emissions = remembered(chart_training_emissions)


def charts_of(
    summary: CardSummary, task_charts_of: Mapping[str, list[ChartSpec]]
) -> list[ChartSpec]:
    """One card's charts: its own (made here, when its chunk is rendered: with the data they
    plot, they were 160 MB at 10,000 cards), then the task charts it is plotted on."""
    return card_charts(summary, summary.power_logs) + task_charts_of.get(summary.card.id, [])


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
    paths.update(path for chart in charts for path in chart_paths(chart))
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
