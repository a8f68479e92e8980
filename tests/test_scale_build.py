"""A build whose memory does not grow with the registry (generator/site/build.py, stage_docs.py):
cards rendered and staged a chunk at a time, card files let go once checked, MkDocs' pages
let go once written, and big builds run their stages in processes of their own. Each keeps the
site byte for byte what it was."""

from __future__ import annotations

import contextlib
import gc
import os
import weakref
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.project import Project
from generator.site import engine as engine_module
from generator.site import image_batches, stage_docs
from generator.site.build import build_site
from generator.site.engine import MkDocsEngine
from generator.site.pipeline import read_project
from tests.conftest import card_yaml, make_project


@dataclass
class PidEngine(MkDocsEngine):
    """MkDocs, noting which process ran it (importable, so a spawned process can run it)."""

    pid: int = 0

    def build(self, config_file, docs_dir, site_dir, strict):  # type: ignore[no-untyped-def]
        self.pid = os.getpid()
        return super().build(config_file, docs_dir, site_dir, strict)


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def _project(root: Path) -> Path:
    cards = {f"m{i}.yaml": card_yaml(f"m{i}", energy=0.001 * (i + 1)) for i in range(4)}
    root = make_project(root, cards)
    # A hand-written page with a broken link: the engine warns, wherever it runs.
    (root / "site_src" / "notes.md").write_text("# Notes\n\n[gone](missing.md)\n", "utf-8")
    return root


def _build(root: Path, site: str, isolated: bool) -> tuple[PidEngine, list[str], Path]:
    engine = PidEngine(markdown_cache=root / ".energy-cards" / "cache" / "markdown")
    result = build_site(Project(root), root / site, engine=engine, isolated=isolated)
    assert result.site_dir == root / site and result.card_count == 4, result.report.problems
    return engine, sorted(f"{p.code} {p.message}" for p in result.report.problems), root / site


def test_an_isolated_build_writes_the_same_site_and_brings_back_problems_and_counts(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path)
    here, here_problems, site_here = _build(root, "here", isolated=False)
    assert here.pid == os.getpid()
    assert any("missing.md" in text for text in here_problems), here_problems
    apart, apart_problems, site_apart = _build(root, "apart", isolated=True)
    assert apart.pid not in (0, os.getpid())  # the engine ran in another process
    assert apart_problems == here_problems  # the engine's warning came back from it
    converted = sum(here.conversions)
    # The counts the engine kept came back too: every page reused from the first build but
    # the page that warned (never remembered, so converted again).
    assert apart.conversions == (converted - 1, 1)
    assert _files(site_apart) == _files(site_here)


def test_an_isolated_build_with_an_error_writes_nothing_and_says_why(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "cards" / "m1.yaml").write_text(card_yaml("m1") + "unknown_key: 1\n", "utf-8")
    result = build_site(Project(root), isolated=True)
    assert result.site_dir is None
    assert [p.location.path for p in result.report.errors] == ["cards/m1.yaml"]
    assert not (root / "site").exists()


def test_cards_rendered_a_few_at_a_time_give_the_same_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = Project(_project(tmp_path))
    read = read_project(project)
    whole = stage_docs.render_docs(project, read)
    monkeypatch.setattr(stage_docs, "RENDER_CHUNK_CARDS", 1)
    calls: list[int] = []
    render_images = image_batches.render_images

    def counted(charts, labels, cache_dir, memo=None):  # type: ignore[no-untyped-def]
        calls.append(len(labels))
        return render_images(charts, labels, cache_dir, memo)

    monkeypatch.setattr(image_batches, "render_images", counted)
    assert stage_docs.render_docs(project, read) == whole
    assert calls == [1, 1, 1, 1]  # one card's label at a time
    assert whole is not None and "labels/m3.png" in whole and "cards/m3.md" in whole


def test_no_card_file_outlives_the_gate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each card file's key positions are dropped once it is checked (at 10,000 cards they
    were 1 GB); the cards that passed are kept, and id problems still found."""
    from generator.check import gather

    read_card_file = gather.read_card_file
    made: list[weakref.ref] = []

    def tracked(path, root):  # type: ignore[no-untyped-def]
        card_file, problems = read_card_file(path, root)
        made.append(weakref.ref(card_file))
        return card_file, problems

    monkeypatch.setattr(gather, "read_card_file", tracked)
    root = _project(tmp_path)
    (root / "cards" / "m5.yaml").write_text(card_yaml("m4"), "utf-8")  # id is not its name
    gathered = gather.gather_cards(Project(root))
    gc.collect()
    assert len(made) == 5 and all(ref() is None for ref in made)
    assert [loaded.card.id for loaded in gathered.cards] == ["m0", "m1", "m2", "m3"]
    assert [loaded.display_path for loaded in gathered.cards][0] == "cards/m0.yaml"
    mismatch = [p for p in gathered.report.errors if p.code == "id-mismatch"]
    assert [(p.location.path, p.location.line) for p in mismatch] == [("cards/m5.yaml", 1)]


def test_holding_card_pages_compressed_and_letting_go_of_written_pages_changes_no_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path)
    result = build_site(Project(root), root / "released", isolated=False)
    assert result.site_dir is not None
    monkeypatch.setattr(engine_module, "lean_pages", contextlib.nullcontext)
    kept = build_site(Project(root), root / "kept", isolated=False)
    assert kept.site_dir is not None
    assert _files(root / "released") == _files(root / "kept")


def test_a_project_of_isolated_from_cards_or_more_is_built_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.site import build

    root = _project(tmp_path)
    monkeypatch.setattr(build, "ISOLATED_FROM", 5)
    engine = PidEngine()
    assert build_site(Project(root), root / "four", engine=engine).site_dir is not None
    assert engine.pid == os.getpid()  # 4 cards: here
    (root / "cards" / "m4.yaml").write_text(card_yaml("m4"), "utf-8")
    assert build_site(Project(root), root / "five", engine=engine).site_dir is not None
    assert engine.pid != os.getpid()  # 5 cards: apart


def test_images_the_cache_lacks_are_rendered_last_into_the_staged_docs(tmp_path: Path) -> None:
    """A build stages a missing chart's or label PNG's name, renders it once the pages are let
    go, and gives the bytes a direct render gives; a second build leaves nothing pending."""
    from generator.site.images import PendingImages, png_cached, render_svg

    project = Project(_project(tmp_path))
    read = read_project(project)
    expected: list[str] = []
    pending = PendingImages(tmp_path / "pending")
    assert stage_docs.render_docs_into(
        project, read, lambda name, content: None, None, pending, expected.append
    )
    assert pending.labels == [(f"labels/m{i}.png", f"labels/m{i}.svg") for i in range(4)]
    chart_names = [svg for svg, _ in pending.charts]
    assert chart_names == ["charts/home-energy-by-task.svg"]
    assert sorted(expected) == sorted(chart_names + [png for png, _ in pending.labels])
    result = build_site(project, isolated=False)
    assert result.site_dir is not None
    site, fresh = result.site_dir, tmp_path / "fresh-cache"  # rendered anew, elsewhere
    for i in range(4):
        svg = (site / "labels" / f"m{i}.svg").read_text("utf-8")
        assert (site / "labels" / f"m{i}.png").read_bytes() == png_cached(svg, fresh)[1]
    [chart], _ = stage_docs.shared_chart_specs(read.summaries)
    staged = (site / "charts" / f"{chart.name}.svg").read_text("utf-8")
    assert staged == render_svg(chart, fresh)
    again = PendingImages(tmp_path / "again")
    assert stage_docs.render_docs_into(
        project, read_project(project), lambda name, content: None, None, again, expected.append
    )
    assert not again and not list(again.folder.glob("*"))  # every image now in the cache


@dataclass
class SignallingEngine(MkDocsEngine):
    """MkDocs, saying when it starts (the test's images wait for it)."""

    started: object = None

    def build(self, config_file, docs_dir, site_dir, strict):  # type: ignore[no-untyped-def]
        self.started.set()  # type: ignore[attr-defined]
        return super().build(config_file, docs_dir, site_dir, strict)


def test_a_cold_build_renders_its_images_while_the_engine_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under ISOLATED_FROM cards, the images the cache lacks are rendered beside the engine
    (its Markdown conversion uses one CPU): the site still holds every finished image, the
    same bytes a build from a warm cache writes, and never a placeholder."""
    import threading

    from generator.site import build as build_module

    started = threading.Event()
    render = build_module.render_pending_images

    def once_the_engine_started(*args):  # type: ignore[no-untyped-def]
        assert started.wait(120), "the engine did not start while images were pending"
        return render(*args)

    monkeypatch.setattr(build_module, "render_pending_images", once_the_engine_started)
    root = _project(tmp_path)
    engine = SignallingEngine(started=started)
    result = build_site(Project(root), root / "cold", engine=engine, isolated=False)
    assert result.site_dir == root / "cold", result.report.problems
    cold = _files(root / "cold")
    pngs = [name for name in cold if name.startswith("labels/") and name.endswith(".png")]
    assert len(pngs) == 4 and all(cold[name].startswith(b"\x89PNG\r\n\x1a\n") for name in pngs)
    charts = [name for name in cold if name.startswith("charts/") and name.endswith(".svg")]
    assert charts and all(cold[name].startswith(b"<svg") for name in charts)
    monkeypatch.setattr(build_module, "render_pending_images", render)
    warm = build_site(Project(root), root / "warm", isolated=False)
    assert warm.site_dir == root / "warm"
    assert _files(root / "warm") == cold


def test_images_that_fail_beside_the_engine_leave_the_previous_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error while rendering the pending images stops the build as before: the previous
    site is as it was and no half-built one stays beside it."""
    from generator.site import build as build_module

    root = _project(tmp_path)
    assert build_site(Project(root), isolated=False).site_dir == root / "site"
    before = _files(root / "site")
    (root / "cards" / "m1.yaml").write_text(card_yaml("m1", energy=0.123), "utf-8")

    def failing(*args):  # type: ignore[no-untyped-def]
        raise ValueError("the chart renderer failed")

    monkeypatch.setattr(build_module, "render_pending_images", failing)
    with pytest.raises(ValueError, match="chart renderer failed"):
        build_site(Project(root), isolated=False)
    assert _files(root / "site") == before
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".site")) == []


def test_a_cold_isolated_build_renders_its_images_beside_the_engine_process(
    tmp_path: Path,
) -> None:
    """From ISOLATED_FROM cards the images are rendered in a process of their own while the
    engine runs in another: the site is the one a warm build in one process writes."""
    root = _project(tmp_path)
    apart, _, site_apart = _build(root, "apart", isolated=True)
    assert apart.pid not in (0, os.getpid())
    cold = _files(site_apart)
    pngs = [name for name in cold if name.startswith("labels/") and name.endswith(".png")]
    assert len(pngs) == 4 and all(cold[name].startswith(b"\x89PNG\r\n\x1a\n") for name in pngs)
    _, _, site_here = _build(root, "here", isolated=False)  # every image from the cache now
    assert _files(site_here) == cold
