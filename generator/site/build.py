"""Build stage: orchestrates gather -> compute -> render -> write; the only code that writes.

A build first gathers and checks everything; with any error it writes nothing. It then stages
the docs folder (hand-written pages + generated ones) under .energy-cards/, has the engine build
into a folder beside the target, and only then swaps it in: a failed build leaves the previous
site exactly as it was.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from generator.check.gather import Gathered, gather_cards
from generator.compute.diff import diff_cards
from generator.compute.ratings import build_reference, changed_ratings, rate, reference_to_data
from generator.compute.summary import CardSummary, summarize_cards
from generator.load.docs import read_docs_files, read_raw_files
from generator.load.git import export_inputs_at
from generator.load.grid import read_grid_data
from generator.load.measurement_files import SIDECAR_NAME
from generator.load.ratings import REFERENCE_PATH
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
from generator.render.pages import render_diff, render_site_pages
from generator.render.publish import label_png_path, label_svg_path
from generator.site.engine import MkDocsEngine, SiteEngine
from generator.site.images import chart_key, png_cached, prune_cache, render_svg


@dataclass
class BuildResult:
    report: Report
    site_dir: Path | None  # None when nothing was written
    card_count: int = 0


def _chart_specs(
    gathered: Gathered, summaries: list[CardSummary]
) -> tuple[list[ChartSpec], dict[str, list[ChartSpec]]]:
    """The home page's charts and each card's (specs only: rendering comes later)."""
    home = [
        chart
        for chart in (
            chart_energy_by_task(energy_points(summaries)),
            chart_training_emissions(emissions_bars(summaries)),
        )
        if chart is not None
    ]
    logs = {
        loaded.card.id: [
            (data.display_path, log)
            for _, data in loaded.measurements
            if (log := data.power_log or (data.counters and data.counters.power_log))
        ]
        for loaded in gathered.cards
    }
    per_card = {s.card.id: card_charts(s, logs.get(s.card.id, ())) for s in summaries}
    return home, per_card


def _rendered_images(
    charts: list[ChartSpec], pages: dict[str, str | bytes], card_ids: list[str], cache_dir: Path
) -> dict[str, bytes]:
    """Charts as SVG and CSV, and each label SVG as PNG, through the cache outside site/."""
    files: dict[str, bytes] = {}
    keys = []
    for chart in charts:
        files[f"charts/{chart.name}.svg"] = render_svg(chart, cache_dir).encode("utf-8")
        files[f"charts/{chart.name}.csv"] = chart_csv(chart).encode("utf-8")
        keys.append(chart_key(chart))
    for card_id in card_ids:
        label = pages[label_svg_path(card_id)]
        key, png = png_cached(label.decode() if isinstance(label, bytes) else label, cache_dir)
        files[label_png_path(card_id)] = png
        keys.append(key)
    prune_cache(cache_dir, keys)
    return files


def render_docs(project: Project) -> tuple[dict[str, bytes] | None, Report, int]:
    """Gather, compute and render: every file of the docs folder, or None on errors."""
    gathered, summaries = _summaries(project)
    if gathered.report.errors:
        return None, gathered.report, 0
    files = read_docs_files(project.docs_dir)
    home_charts, card_charts_by_id = _chart_specs(gathered, summaries)
    generated = render_site_pages(
        summaries,
        gathered.factors,
        gathered.reference,
        read_grid_data().codecarbon_version,
        home_charts,
        card_charts_by_id,
    )
    all_charts = home_charts + [c for charts in card_charts_by_id.values() for c in charts]
    card_ids = [s.card.id for s in summaries]
    generated.update(_rendered_images(all_charts, generated, card_ids, project.work_dir / "cache"))
    clashes = sorted(set(files) & set(generated))
    gathered.report.extend(
        Problem(
            Location(relative_path(project.docs_dir / name, project.root)),
            "unsafe-site-dir",
            "expected no hand-written file here: the generator writes this page",
            hint="rename or remove the hand-written file",
        )
        for name in clashes
    )
    if clashes:
        return None, gathered.report, 0
    # Raw measurement files (and their sidecars) are published beside the pages, as downloads.
    measured = [data for loaded in gathered.cards for _, data in loaded.measurements]
    raw = [data.path for data in measured]
    raw += [data.path.parent / SIDECAR_NAME for data in measured if data.sidecar is not None]
    files.update(read_raw_files(raw, project.root))
    files.update(
        {
            name: content if isinstance(content, bytes) else content.encode("utf-8")
            for name, content in generated.items()
        }
    )
    return files, gathered.report, len(summaries)


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


def _unsafe_site_dir(project: Project, site_dir: Path) -> bool:
    protected = [project.root, project.cards_dir, project.measurements_dir, project.docs_dir]
    resolved = site_dir.resolve()
    return any(resolved == p.resolve() or p.resolve().is_relative_to(resolved) for p in protected)


def _swap_in(new_site: Path, site_dir: Path) -> None:
    old_site = site_dir.with_name(f".{site_dir.name}.old")
    if old_site.exists():
        shutil.rmtree(old_site)
    if site_dir.exists():
        site_dir.rename(old_site)
    new_site.rename(site_dir)
    if old_site.exists():
        shutil.rmtree(old_site)


def build_site(
    project: Project,
    site_dir: Path | None = None,
    strict: bool = False,
    engine: SiteEngine | None = None,
) -> BuildResult:
    """Validate, render and build the site; write nothing unless everything succeeds."""
    site_dir = site_dir or project.default_site_dir
    engine = engine or MkDocsEngine()
    files, report, card_count = render_docs(project)
    if not project.config_file.is_file():
        report.extend(
            [
                Problem(
                    Location(relative_path(project.config_file, project.root)),
                    "missing-config",
                    "expected mkdocs.yml in the project folder, found none",
                    hint="copy mkdocs.yml from the Model Energy Cards repository",
                )
            ]
        )
    if _unsafe_site_dir(project, site_dir):
        report.extend(
            [
                Problem(
                    Location(site_dir.as_posix()),
                    "unsafe-site-dir",
                    "expected a folder of its own for the site, got one holding the project",
                    hint="use the default (site/) or an empty folder",
                )
            ]
        )
    if files is None or report.failed(strict):
        return BuildResult(report, None)

    staged_docs = project.work_dir / "docs"
    sync_folder(staged_docs, files)
    new_site = site_dir.with_name(f".{site_dir.name}.new")
    if new_site.exists():
        shutil.rmtree(new_site)
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    report.extend(engine.build(project.config_file, staged_docs, new_site, strict))
    if report.failed(strict):
        shutil.rmtree(new_site, ignore_errors=True)
        return BuildResult(report, None)
    _swap_in(new_site, site_dir)
    return BuildResult(report, site_dir, card_count)


def summarize_project(project: Project) -> tuple[Report, list[CardSummary]]:
    """Every valid card's summary (for export and other read-only commands)."""
    gathered, summaries = _summaries(project)
    return gathered.report, summaries


def _summaries(project: Project) -> tuple[Gathered, list[CardSummary]]:
    gathered = gather_cards(project)
    summaries = summarize_cards(
        [loaded.card for loaded in gathered.cards],
        {loaded.card.id: loaded.measured for loaded in gathered.cards},
        gathered.reference,
        gathered.factors,
    )
    return gathered, summaries


@dataclass
class RatingsResult:
    report: Report
    summaries: list[CardSummary]
    moved: list[tuple[str, int | None, int | None]]
    written: Path | None = None


def refresh_ratings(project: Project, date: str, write: bool) -> RatingsResult:
    """Ratings now; with `write`, a new reference from the current cards (and what moves)."""
    gathered, summaries = _summaries(project)
    if gathered.report.errors or not write:
        return RatingsResult(gathered.report, summaries, [])
    energies = [
        (s.card, s.headline_inference_energy.value)
        for s in summaries
        if s.headline_inference_energy is not None
    ]
    reference = build_reference(date, energies)
    after = [
        (
            s.card.id,
            rate(s.card, e.value if (e := s.headline_inference_energy) else None, reference),
        )
        for s in summaries
    ]
    moved = changed_ratings([(s.card.id, s.rating) for s in summaries], after)
    path = project.root / REFERENCE_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "# Rating reference: refresh with `energy-cards ratings --refresh`.\n" + yaml.safe_dump(
        reference_to_data(reference), sort_keys=False, allow_unicode=True
    )
    path.write_text(text, encoding="utf-8")
    return RatingsResult(gathered.report, summaries, moved, path)


@dataclass
class DiffResult:
    markdown: str
    report: Report


def diff_against(project: Project, base_ref: str) -> DiffResult:
    """Markdown summary of card changes from `base_ref` to the working tree (raises GitError)."""
    with tempfile.TemporaryDirectory(prefix="energy-cards-diff-") as folder:
        base = Project(Path(folder))
        export_inputs_at(project.root, base_ref, base.root)
        base_gathered, base_summaries = _summaries(base)
    gathered, summaries = _summaries(project)
    markdown = render_diff(
        diff_cards(base_summaries, summaries),
        base_ref,
        len(base_gathered.report.errors),
        len(gathered.report.errors),
    )
    return DiffResult(markdown, gathered.report)
