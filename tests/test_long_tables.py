"""Long tables at scale: a task page and the models index keep their first rows in HTML and
ship every row as JSON (generator/render/table_data.py); the home chart summarises."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
from collections import Counter
from pathlib import Path

import pytest

from generator.compute.summary import CardSummary
from generator.compute.tasks import group_by_task
from generator.project import Project
from generator.render.charts import chart_energy_by_task, energy_points
from generator.render.pages import render_site_pages
from generator.render.table_data import MODELS_DATA_PATH, TABLE_ROWS_SHOWN, task_data_path
from generator.site.pipeline import summarize_project
from generator.site.stage_docs import generated_paths
from tests.conftest import REPO_ROOT
from tests.test_browser import _served, browser  # noqa: F401 (a fixture)


@pytest.fixture(scope="module")
def shipped() -> list[CardSummary]:
    """The 25 hand-written shipped cards (a small site; the imported ones make it long)."""
    report, summaries = summarize_project(Project(REPO_ROOT))
    return [s for s in summaries if "leaderboard-import" not in s.card.tags]


def test_the_shipped_site_is_long_and_the_hand_written_part_small(shipped) -> None:
    assert len(shipped) == 25
    everything = summarize_project(Project(REPO_ROOT))[1]
    assert len(everything) == 238
    pages, _ = render_site_pages(everything)
    assert _table_rows(pages["cards/index.md"]) == TABLE_ROWS_SHOWN
    assert len(json.loads(pages[MODELS_DATA_PATH])["rows"]) == 238


def clones(summaries: list[CardSummary], size: int) -> list[CardSummary]:
    """`size` summaries cloned from the shipped ones, each with its own id and name."""
    out = []
    for number in range(size):
        base = summaries[number % len(summaries)]
        card = base.card.model_copy(
            update={"id": f"{base.card.id}-s{number:04d}", "name": f"{base.card.name} #{number}"}
        )
        out.append(dataclasses.replace(base, card=card))
    return out


def _table_rows(page: str) -> int:
    """Body rows of the page's Markdown table (lines starting with a link cell)."""
    return sum(1 for line in page.splitlines() if line.startswith("| ["))


def test_long_task_page_keeps_its_first_rows_and_ships_all_as_json(shipped) -> None:
    summaries = clones(shipped, 250)
    pages, _ = render_site_pages(summaries)
    groups = group_by_task(summaries)
    biggest = max(groups, key=lambda g: len(g.summaries))
    assert len(biggest.summaries) > TABLE_ROWS_SHOWN
    page = pages[f"tasks/{biggest.task.value}.md"]
    assert _table_rows(page) == TABLE_ROWS_SHOWN
    data = json.loads(pages[task_data_path(biggest.task.value)])
    assert [row[0][0] for row in data["rows"]] == [s.card.id for s in biggest.summaries]
    # The JSON's first rows are the page's, in the same order (the script takes links from it).
    first = biggest.summaries[0].card
    assert f"../cards/{first.id}.md" in page.split("| [")[1]
    assert "(JSON)](../data/tasks/" in page
    models = json.loads(pages[MODELS_DATA_PATH])
    assert len(models["rows"]) == 250
    assert _table_rows(pages["cards/index.md"]) == TABLE_ROWS_SHOWN
    # Card text in the JSON is HTML-escaped; every JSON file is a path the clash check knows.
    assert all("<" not in row[1] for row in models["rows"])
    written = {path for path in pages if path.startswith("data/") and path.endswith(".json")}
    assert written - {"data/cards.json"} <= generated_paths(summaries, [])
    assert {MODELS_DATA_PATH, task_data_path(biggest.task.value)} <= written


def test_small_site_writes_no_table_data_and_shows_every_row(shipped) -> None:
    pages, _ = render_site_pages(shipped)
    assert not any(path.startswith("data/tasks/") for path in pages)
    assert MODELS_DATA_PATH not in pages
    assert _table_rows(pages["cards/index.md"]) == len(shipped)
    assert "(JSON)" not in pages["cards/index.md"]


def test_home_chart_summarises_many_cards(shipped) -> None:
    small = chart_energy_by_task(energy_points(shipped))
    assert small is not None and "one mark per card" in json.dumps(small.vega_lite)
    summaries = clones(shipped, 250)
    points = energy_points(summaries)
    chart = chart_energy_by_task(points)
    assert chart is not None
    spec = json.dumps(chart.vega_lite)
    assert "one mark per card" not in spec and "median" in spec
    # One row per task in its data, not one per card; outliers named in the alt text.
    tasks = Counter(p.task for p in points)
    assert len(chart.data) == len(tasks)
    assert {row["task"] for row in chart.data} == set(tasks)
    assert "median" in chart.alt_text.lower()


@pytest.fixture(scope="module")
def long_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated project of 130 cards (bench/scale.py), built: its models index is long."""
    from click.testing import CliRunner

    from generator.cli import main

    spec = importlib.util.spec_from_file_location("bench_scale", REPO_ROOT / "bench/scale.py")
    assert spec and spec.loader
    scale = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scale)
    root = scale.make_project(tmp_path_factory.mktemp("long") / "project", 130)
    result = CliRunner().invoke(main, ["build", "--project", str(root)])
    assert result.exit_code == 0, result.output
    return root / "site"


def test_show_all_reveals_every_row_and_sorts_them(browser, long_site: Path) -> None:  # noqa: F811
    with _served(long_site) as url:
        page = browser.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(url + "/cards/")
        rows = page.locator(".ec-models-table tbody tr")
        assert rows.count() == TABLE_ROWS_SHOWN
        page.get_by_role("button", name="Show all 130").click()
        page.wait_for_function(
            "document.querySelectorAll('.ec-models-table tbody tr').length === 130"
        )
        links = rows.locator("td:first-child a")
        first = links.first.get_attribute("href")
        last = links.last.get_attribute("href")
        assert first and last and first.endswith("/") and last.endswith("/")
        assert page.request.get(url + "/cards/" + last).ok  # built links point at real pages
        # Sorting covers every row: by name, descending, the last name comes first.
        names = sorted(rows.locator("td:first-child").all_inner_texts(), key=str.lower)
        header = page.locator(".ec-models-table thead th").first
        header.click()
        header.click()
        page.wait_for_function(
            "document.querySelector('.ec-models-table thead th')"
            ".getAttribute('aria-sort') === 'descending'"
        )
        assert rows.count() == 130
        assert rows.first.locator("td").first.inner_text() == names[-1]
        page.close()
        assert errors == []


def test_compare_data_is_a_small_index_and_shards_of_100(shipped) -> None:
    summaries = clones(shipped, 250)
    pages, _ = render_site_pages(summaries)
    index = json.loads(pages["data/compare/index.json"])
    assert len(index["cards"]) == 250 and index["columns"][-1] == "shard"
    full = json.loads(pages["data/cards.json"])
    assert len(pages["data/compare/index.json"]) < len(pages["data/cards.json"]) / 10
    shards = [json.loads(pages[f"data/compare/{n}.json"]) for n in range(3)]
    assert "data/compare/3.json" not in pages
    assert [len(s["cards"]) for s in shards] == [100, 100, 50]
    # Every card is in the shard its index entry names, with the rows and conditions of
    # cards.json (the one file for people and tools).
    rows = {row["id"]: row for row in full["cards"]}
    for card_id, name, organization, shard in index["cards"]:
        (row,) = [r for r in shards[shard]["cards"] if r["id"] == card_id]
        assert row == rows[card_id] and (row["name"], row["organization"]) == (name, organization)
        if card_id in full["comparison_conditions"]:
            assert (
                shards[shard]["comparison_conditions"][card_id]
                == (full["comparison_conditions"][card_id])
            )
    assert {p for p in pages if p.startswith("data/compare/")} <= generated_paths(summaries, [])
