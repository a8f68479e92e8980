"""The read half and the build's stages: the gate, tables passed in, clashes found before rendering."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from generator.cli import main
from generator.formats.factors import Factor, FactorSource
from generator.load.grid import GridData, GridIntensity
from generator.project import Project
from generator.render.pages import render_site_pages
from generator.site.image_batches import render_images
from generator.site.pipeline import read_project
from generator.site.stage_docs import chart_specs, generated_paths, render_docs
from tests.conftest import REPO_ROOT, card_yaml, make_project

CODECARBON_CSV = REPO_ROOT / "tests" / "data" / "codecarbon" / "gen-3.2.1.csv"  # 3 runs, FRA

MEASURED_CARD = """\
id: {id}
name: Measured {id}
organization: Example Lab
task: text-generation
sources:
  grid: {{title: "Grid figures", url: "https://example.org/grid", year: 2024}}
inference:
  conditions: {{hardware: "NVIDIA A100", scope: gpu+cpu+ram, includes_pue: false}}
  carbon_intensity_g_per_kwh: {{value: 400, provenance: reported, source: {source}}}
  measurements:
    - {{path: measurements/{id}/emissions.csv, queries: 1000}}
"""


def _measured_project(root: Path, cards: dict[str, str]) -> Path:
    """A project whose cards each have measurements/ID/emissions.csv (a CodeCarbon file)."""
    project = make_project(root, {f"{card_id}.yaml": text for card_id, text in cards.items()})
    for card_id in cards:
        folder = project / "measurements" / card_id
        folder.mkdir(parents=True)
        shutil.copy(CODECARBON_CSV, folder / "emissions.csv")
    return project


def test_validate_reports_an_unknown_source_on_a_measured_card_and_does_not_crash(
    tmp_path: Path,
) -> None:
    """It used to crash with KeyError in compute: now the gate stops the card before it."""
    card = MEASURED_CARD.format(id="m", source="typo")
    project = _measured_project(tmp_path, {"m": card})
    result = CliRunner().invoke(main, ["validate", "--project", str(project)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "cards/m.yaml:9:74: error[unknown-source] inference.carbon_intensity_g_per_kwh.source: "
        "expected a key of `sources` (grid), got 'typo'",
        "    hint: add the source under `sources:` or fix the key",
        "1 error, 0 warnings in 1 card and 1 measurement file",
    ]
    build = CliRunner().invoke(main, ["build", "--project", str(project)])
    assert build.exit_code == 1
    assert not (project / "site").exists()


def test_a_card_with_any_error_goes_no_further(tmp_path: Path) -> None:
    """Type errors, unknown sources, id mismatches and missing measurement files all stop it."""
    project = _measured_project(
        tmp_path,
        {
            "good": MEASURED_CARD.format(id="good", source="grid"),
            "typo": MEASURED_CARD.format(id="typo", source="typo"),
            "renamed": MEASURED_CARD.format(id="renamed", source="grid").replace(
                "id: renamed", "id: other-name"
            ),
            "wrong-type": MEASURED_CARD.format(id="wrong-type", source="grid").replace(
                "value: 400", "value: lots"
            ),
        },
    )
    missing = (
        card_yaml("no-file") + "  measurements:\n    - {path: measurements/x.csv, queries: 10}\n"
    )
    (project / "cards" / "no-file.yaml").write_text(missing, "utf-8")
    read = read_project(Project(project))
    codes = sorted({problem.code for problem in read.report.errors})
    assert codes == ["id-mismatch", "missing-file", "unknown-source", "wrong-type"]
    assert read.report.cards_checked == 5
    assert [loaded.card.id for loaded in read.gathered.cards] == ["good"]
    assert [summary.card.id for summary in read.summaries] == ["good"]


def test_grid_and_factor_tables_are_passed_in(tmp_path: Path) -> None:
    """No hidden cache: a caller gives its own tables and the figures and pages use them."""
    card = MEASURED_CARD.format(id="m", source="grid").replace(
        "  carbon_intensity_g_per_kwh: {value: 400, provenance: reported, source: grid}\n", ""
    )
    project = _measured_project(tmp_path, {"m": card})
    grid = GridData(
        "gridtest",
        countries={"FRA": GridIntensity("Testland (FRA)", 1000.0, "a test table", 2024)},
    )
    kettle = Factor(
        id="test-kettle",
        label="test kettles boiled",
        basis="energy",
        value=0.0001,
        unit="kWh per boil",
        source=FactorSource(title="Test kettles", url="https://example.org/kettle", year=2024),
    )
    read = read_project(Project(project), grid=grid, factors=[kettle])
    assert read.report.errors == []
    (summary,) = read.summaries
    carbon = summary.measured.carbon
    assert [i.zone for i in carbon.intensities] == ["Testland (FRA)"]
    energy = summary.measured.median_kwh_per_1000_queries
    assert abs(carbon.g_co2e_per_1000_queries - energy * 1000.0) < 1e-9
    shown = [e.factor.id for row in summary.equivalences for e in row.energy]
    assert shown and set(shown) == {"test-kettle"}
    files = render_docs(Project(project), read)
    assert files is not None
    assert "CodeCarbon gridtest" in files["methodology.md"].decode("utf-8")


def test_hand_written_page_where_a_generated_one_goes_is_a_page_clash(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"a.yaml": card_yaml("a")})
    (project / "site_src" / "compare.md").write_text("# My own compare page\n", "utf-8")
    result = CliRunner().invoke(main, ["build", "--project", str(project)])
    assert result.exit_code == 1
    assert result.output.splitlines()[:2] == [
        "site_src/compare.md: error[page-clash] expected no hand-written file here: "
        "the generator writes this page",
        "    hint: rename or remove the hand-written file",
    ]
    assert not (project / "site").exists()
    assert not (project / ".energy-cards" / "cache").exists()  # checked before rendering


def test_generated_paths_are_exactly_what_render_writes(shipped_site: Path) -> None:
    """The clash check runs before rendering, so it must know every path render will write."""
    project = Project(shipped_site.parent)
    read = read_project(project)
    home, per_card = chart_specs(read.summaries)
    charts = home + [chart for card_charts in per_card.values() for chart in card_charts]
    pages, label_svgs = render_site_pages(
        read.summaries, read.factors, read.gathered.reference, "", home, per_card
    )
    assert sorted(label_svgs) == sorted(s.card.id for s in read.summaries)
    images, _ = render_images(charts, label_svgs, project.work_dir / "cache")
    assert generated_paths(read.summaries, charts) == set(pages) | set(images)


def test_a_measurement_path_that_loops_or_is_too_long_is_a_located_problem(
    tmp_path: Path,
) -> None:
    """Path.resolve() raised RuntimeError on a loop and is_dir() OSError on a long name."""
    long_name = "a" * 300 + ".csv"
    cards = {
        "loop": MEASURED_CARD.format(id="loop", source="grid"),
        "long": MEASURED_CARD.format(id="long", source="grid").replace("emissions.csv", long_name),
    }
    project = _measured_project(tmp_path, cards)
    (project / "measurements" / "loop" / "emissions.csv").unlink()
    (project / "measurements" / "loop" / "emissions.csv").symlink_to("emissions.csv")
    result = CliRunner().invoke(main, ["validate", "--project", str(project)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 1
    assert result.output.splitlines()[:2] == [
        "cards/long.yaml:11:14: error[unreadable-file] inference.measurements[0].path: expected a "
        "regular file, got a name too long for the file system (over 255 characters per part)",
        "cards/loop.yaml:11:14: error[unreadable-file] inference.measurements[0].path: expected a "
        "regular file, got a symlink loop",
    ]


def test_the_preview_memo_reads_and_renders_only_what_changed(tmp_path: Path, monkeypatch) -> None:
    """serve keeps a memo between refreshes: unchanged cards are not parsed or rendered again,
    and what it gives is exactly what a fresh read and render give."""
    from generator.check import gather
    from generator.load.grid import read_grid_data
    from generator.render import pages
    from generator.site.pipeline import read_project
    from tests.conftest import card_yaml

    project = Project(make_project(tmp_path, {f"{c}.yaml": card_yaml(c) for c in "abc"}))
    grid = read_grid_data()
    reads: list[str] = []
    renders: list[str] = []
    real_read, real_render = gather.read_card_file, pages.render_card_files
    monkeypatch.setattr(
        gather,
        "read_card_file",
        lambda path, root: reads.append(path.stem) or real_read(path, root),
    )
    monkeypatch.setattr(
        pages,
        "render_card_files",
        lambda summary, *args: renders.append(summary.card.id) or real_render(summary, *args),
    )
    cards_memo: dict = {}
    pages_memo: dict = {}

    def refresh() -> dict:
        read = read_project(project, grid=grid, memo=cards_memo)
        return render_site_pages(read.summaries, read.factors, memo=pages_memo)[0]

    first = refresh()
    assert (sorted(reads), sorted(renders)) == (["a", "b", "c"], ["a", "b", "c"])
    reads.clear(), renders.clear()
    assert refresh() == first
    assert (reads, renders) == ([], [])
    (project.cards_dir / "b.yaml").write_text(card_yaml("b", energy=0.004), encoding="utf-8")
    changed = refresh()
    assert (reads, renders) == (["b"], ["b"])
    read = read_project(project, grid=grid)
    assert changed == render_site_pages(read.summaries, read.factors)[0]  # same as fresh
    assert changed["cards/b.md"] != first["cards/b.md"]


def test_the_preview_memo_spares_unchanged_images(tmp_path: Path, monkeypatch) -> None:
    """serve's images memo: an unchanged label or chart is neither looked up in the cache nor
    rendered; an edited card's label is; the files are exactly a fresh render's."""
    from generator.site import image_batches
    from tests.conftest import card_yaml

    project = Project(make_project(tmp_path, {f"{c}.yaml": card_yaml(c) for c in "abc"}))
    labels_asked: list[str] = []
    charts_asked: list[str] = []
    real_pngs, real_svgs = image_batches.pngs_cached, image_batches.render_svgs

    def pngs(svgs, cache_dir):  # type: ignore[no-untyped-def]
        labels_asked.extend(svgs)
        return real_pngs(svgs, cache_dir)

    def svgs(specs, cache_dir):  # type: ignore[no-untyped-def]
        charts_asked.extend(spec.name for spec in specs)
        return real_svgs(specs, cache_dir)

    monkeypatch.setattr(image_batches, "pngs_cached", pngs)
    monkeypatch.setattr(image_batches, "render_svgs", svgs)
    pages_memo: dict = {}
    images_memo: dict = {}

    def refresh() -> dict[str, bytes] | None:
        labels_asked.clear(), charts_asked.clear()
        return render_docs(project, read_project(project), pages_memo, images_memo)

    first = refresh()
    assert sorted(labels_asked) == ["a", "b", "c"] and "home-energy-by-task" in charts_asked
    assert refresh() == first
    assert (labels_asked, charts_asked) == ([], [])
    (project.cards_dir / "b.yaml").write_text(card_yaml("b", energy=0.004), encoding="utf-8")
    changed = refresh()
    assert labels_asked == ["b"]  # a's and c's labels do not show b's energy
    assert "home-energy-by-task" in charts_asked  # it plots b's dot
    assert changed == render_docs(project, read_project(project))  # same as fresh
    assert changed is not None and first is not None
    assert changed["labels/b.png"] != first["labels/b.png"]
    (project.cards_dir / "c.yaml").unlink()
    refresh()
    assert ("label", "c") not in images_memo  # a removed card's images are let go


def test_remembered_tells_an_int_from_a_float() -> None:
    """The memo of the home and task charts keys by pickled arguments: 1 and 1.0 would be
    equal keys for a dict, but a spec writes them differently."""
    from generator.render.remembered import remembered

    calls: list[object] = []

    @remembered
    def spec(value: object) -> dict:
        calls.append(value)
        return {"value": value}

    first = spec(1)
    assert spec(1) is first
    assert spec(1.0) == {"value": 1.0} and calls == [1, 1.0]
