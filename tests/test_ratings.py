"""Ratings: log-scale bands within a task, pinned to a dated reference."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main
from generator.compute.ratings import (
    build_reference,
    measurement_setting,
    rate,
    size_class,
    stars_for,
)
from generator.formats.card import Card
from tests.conftest import card_yaml, make_project


@pytest.mark.parametrize(
    ("energy", "stars"),
    [
        (0.001, 5),  # the lowest of the group
        (0.0015, 5),  # log position (0 - log10 0.0015) / 3 = 0.941 -> band floor(4.71) = 4 -> 5
        (0.004, 4),  # position 0.799 -> floor(3.997) = 3 -> 4 stars
        (0.01, 4),  # position 2/3 -> floor(3.33) = 3 -> 4 stars
        (0.1, 2),  # position 1/3 -> floor(1.67) = 1 -> 2 stars
        (1.0, 1),  # the highest
        (5.0, 1),  # above the range
        (0.0001, 5),  # below the range
    ],
)
def test_stars_are_five_equal_log_bands(energy: float, stars: int) -> None:
    assert stars_for(energy, 0.001, 1.0) == stars  # three decades: 0.6 of a decade per band


def test_band_edges_by_hand() -> None:
    # Range 0.001..1 kWh: 5 stars below 10^-2.4 = 0.00398, 4 below 10^-1.8 = 0.0158,
    # 3 below 10^-1.2 = 0.0631, 2 below 10^-0.6 = 0.251, then 1 star.
    assert [stars_for(e, 0.001, 1.0) for e in (0.0039, 0.0041, 0.015, 0.016, 0.06, 0.07, 0.25, 0.26)] == [
        5, 4, 4, 3, 3, 2, 2, 1,
    ]  # fmt: skip


def test_bounds_too_close_for_log10_give_stars_not_a_crash(tmp_path: Path) -> None:
    # log10 cannot tell 1e14 from 1e14 + 0.05: a division by zero, once (found by a property test)
    assert stars_for(100000000000000.03, 100000000000000.0, 100000000000000.05) == 5
    project = make_project(tmp_path, {"a.yaml": card_yaml("a", energy=100000000000000.03)})
    (project / "ratings").mkdir()
    (project / "ratings" / "reference.yaml").write_text(
        "date: '2026-01-01'\ngroups:\n- task: text-classification\n  scope: gpu\n"
        "  min_kwh_per_1000_queries: 100000000000000.0\n"
        "  max_kwh_per_1000_queries: 100000000000000.05\n",
        "utf-8",
    )
    result = CliRunner().invoke(main, ["validate", "--project", str(project)])
    assert result.exit_code == 0, result.output


def _card(
    card_id: str,
    params: int | None = None,
    task: str = "text-generation",
    scope: str = "gpu",
    **conditions: object,
) -> Card:
    data = {
        "id": card_id,
        "name": card_id,
        "organization": "Org",
        "task": task,
        "sources": {"s": {"title": "T", "url": "https://example.org", "year": 2024}},
        "inference": {
            "conditions": {"hardware": "H100", "scope": scope, "includes_pue": False} | conditions,
            "energy_kwh_per_1000_queries": {"value": 0.01, "provenance": "reported", "source": "s"},
        },
    }
    if params:
        data["parameter_count"] = params
    return Card.model_validate(data)


def test_text_generation_size_classes() -> None:
    assert size_class(_card("a", 8_000_000_000)) == "A"
    assert size_class(_card("a20", 20_000_000_000)) == "A"  # "max model size 20B"
    assert size_class(_card("b", 20_000_000_001)) == "B"
    assert size_class(_card("b66", 66_000_000_000)) == "B"
    assert size_class(_card("c", 70_000_000_000)) == "C"
    assert size_class(_card("d", None)) is None
    assert size_class(_card("e", 7_000_000_000, task="summarization")) is None


def test_reference_groups_and_reasons() -> None:
    cards = [
        (_card("a", 8_000_000_000), 0.02),
        (_card("b", 7_000_000_000), 0.016),
        (_card("d", 13_000_000_000), 0.026),
    ]
    cards.append((_card("c", 70_000_000_000), 1.6))  # with one other in class C: too few
    cards.append((_card("c2", 70_000_000_000), 1.7))
    # Shown, never rated nor setting a band: scope not stated, an average over several tasks,
    # and another scope than the group's.
    cards.append((_card("api", 176_000_000_000, scope="not-stated"), 4.0))
    cards.append((_card("avg", 7_000_000_000, task="multi-task-average"), 0.1))
    cards.append((_card("node", 8_000_000_000, scope="whole-node"), 0.5))
    reference = build_reference("2026-01-01", cards)
    assert reference.min_group_cards == 3
    assert [(g.task.value, g.size_class, g.scope, g.cards) for g in reference.groups] == [
        ("text-generation", "A", "gpu", ("a", "b", "d"))
    ]
    assert reference.groups[0].max_kwh_per_1000_queries == 0.026  # not 0.5 (whole node)
    assert rate(cards[0][0], 0.02, reference).stars == 3  # log position 0.54
    assert rate(cards[1][0], 0.016, reference).stars == 5
    assert rate(cards[2][0], 0.026, reference).stars == 1
    lonely = rate(cards[3][0], 1.6, reference)
    assert lonely.stars is None
    assert lonely.reason == (
        "fewer than 3 comparable cards (same task, size class, energy scope and measurement "
        "setting) in the reference"
    )
    assert "does not say what its energy covers" in rate(cards[5][0], 4.0, reference).reason
    assert "averages several tasks" in rate(cards[6][0], 0.1, reference).reason
    assert rate(cards[7][0], 0.5, reference).stars is None  # no whole-node group
    assert rate(_card("x"), 0.01, reference).reason == (
        "text generation needs a parameter count (or AI Energy Score's size class)"
    )
    assert rate(cards[0][0], None, reference).reason == "no inference energy figure to rate"
    assert rate(cards[0][0], 0.017, None).reason == "no rating reference has been made yet"


def test_two_cards_are_never_a_group() -> None:
    pair = [(_card("a", task="text-classification"), 0.0002)]
    pair.append((_card("b", task="text-classification"), 0.00036))
    assert build_reference("2026-01-01", pair).groups == ()
    assert build_reference("2026-01-01", pair, min_cards=2).groups[0].cards == ("a", "b")


def _ratings(project: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["ratings", "--project", str(project), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_adding_a_card_leaves_other_ratings_unchanged_until_refresh(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        {
            "low.yaml": card_yaml("low", energy=0.001),
            "mid.yaml": card_yaml("mid", energy=0.01),
            "high.yaml": card_yaml("high", energy=0.1),
        },
    )
    written = _ratings(project, "--refresh", "--date", "2026-01-01")
    assert "wrote ratings/reference.yaml dated 2026-01-01" in written
    reference = yaml.safe_load((project / "ratings" / "reference.yaml").read_text("utf-8"))
    assert reference["date"] == "2026-01-01"
    assert reference["groups"][0]["min_kwh_per_1000_queries"] == 0.001
    before = _ratings(project)
    assert "mid: 3 stars" in before  # the middle of two decades: log position 0.5

    # A far more wasteful card arrives: it gets 1 star, and nobody else moves.
    (project / "cards" / "huge.yaml").write_text(card_yaml("huge", energy=10.0), "utf-8")
    after = _ratings(project)
    for line in before.splitlines():
        assert line in after
    assert "huge: 1 star (" in after

    # Refreshing the reference re-rates, and says who moved.
    moved = _ratings(project, "--refresh", "--date", "2026-02-01")
    assert "mid: stars 3 -> 4" in moved
    assert "wrote ratings/reference.yaml dated 2026-02-01" in moved


def test_card_page_names_its_rating_reference(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        {
            "a.yaml": card_yaml("a", energy=0.001),
            "b.yaml": card_yaml("b", energy=0.1),
            "c.yaml": card_yaml("c", energy=0.01),
        },
    )
    _ratings(project, "--refresh", "--date", "2026-01-01")
    result = CliRunner().invoke(main, ["build", "--project", str(project)])
    assert result.exit_code == 0, result.output
    html = (project / "site" / "cards" / "a" / "index.html").read_text("utf-8")
    assert 'aria-label="5 of 5 stars"' in html
    assert "against the rating reference of 2026-01-01" in html
    methodology = (project / "site" / "methodology" / "index.html").read_text("utf-8")
    assert "2026-01-01" in methodology


def test_unreadable_reference_is_a_problem(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"a.yaml": card_yaml("a", energy=0.001)})
    (project / "ratings").mkdir()
    (project / "ratings" / "reference.yaml").write_text("date: [\n", "utf-8")
    result = CliRunner().invoke(main, ["validate", "--project", str(project)])
    assert result.exit_code == 1
    assert "ratings/reference.yaml:2:1: error[yaml-syntax] invalid YAML" in result.output


def test_shipped_reference_covers_the_shipped_cards(repo_root: Path, tmp_path: Path) -> None:
    shutil.copytree(repo_root / "cards", tmp_path / "cards")
    shutil.copytree(repo_root / "ratings", tmp_path / "ratings")
    shutil.copytree(repo_root / "measurements", tmp_path / "measurements")
    output = _ratings(tmp_path)
    # Class A text generation on AI Energy Score's setting: 32 cards, most placed in class A by
    # the leaderboard's own class column (it gives no parameter counts).
    assert "llama-2-13b: 1 star (" in output
    assert "distilgpt2: 5 stars" in output
    assert "llama-2-70b: 5 stars" in output  # class C: 5 cards
    # BLOOM's API figure states no scope: never rated, never sets a band.
    assert "bloom-176b: not rated" in output


def test_only_figures_measured_alike_share_a_group() -> None:
    """Batch size and hardware change energy per query several-fold: a batch-8 run on four
    B200s is never banded with batch-1 runs on one H100."""
    batch_1 = [(_card(f"h{i}", 8_000_000_000, batch_size=1), 0.01 * (i + 1)) for i in range(3)]
    batch_8 = [
        (_card(f"b{i}", 8_000_000_000, hardware="B200", gpu_count=4, batch_size=8), 0.002 * (i + 1))
        for i in range(2)
    ]
    reference = build_reference("2026-01-01", batch_1 + batch_8)
    assert [(g.measured_as, g.cards) for g in reference.groups] == [
        ("H100, batch size 1", ("h0", "h1", "h2"))
    ]
    assert measurement_setting(batch_8[0][0]) == "B200, 4 GPUs, batch size 8"
    assert rate(batch_1[0][0], 0.01, reference).stars == 5
    alone = rate(batch_8[0][0], 0.002, reference)
    assert alone.stars is None and "measurement setting" in alone.reason
