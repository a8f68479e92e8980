"""Hostile card input (issue 13): every slip is a located problem, and what validates builds.

The example folders (`tests/examples/invalid/bad-character-*`, `not-a-mapping-null`...) pin the
exact reports; these tests cover what a folder cannot: files too big to commit, the capped
list of bad characters, and the promise that a card `validate` accepts also builds.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.check.cards import check_grid_zone, validate_card_data
from generator.check.gather import gather_cards
from generator.cli import main
from generator.formats.card import Card
from generator.formats.values import MAX_COUNT, MAX_FIGURE, MAX_NAME_CHARS, MIN_POSITIVE_FIGURE
from generator.load.cards import MAX_BAD_CHARACTERS, parse_card_text, read_card_file
from generator.load.grid import GridData, GridIntensity
from generator.project import Project
from tests.conftest import card_yaml, make_project

TRAINING = """\
training:
  gpu_hours: {{value: {value}, provenance: reported, source: paper}}
"""


def _codes(project: Path) -> list[tuple[str, str]]:
    report = gather_cards(Project(project)).report
    return [(str(p.location), p.code) for p in report.sorted_problems()]


def _build(project: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["build", "--project", str(project)])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback is a defect, never an expected outcome
    return result.exit_code, result.output


@pytest.mark.parametrize(
    "value", ["1.79e+308", "5.0e-324", "4.9e-324", "1.0e+16", "1.0e-13"], ids=str
)
def test_figures_out_of_bounds_never_reach_build(tmp_path: Path, value: str) -> None:
    card = card_yaml("edge") + TRAINING.format(value=value)
    project = make_project(tmp_path, {"edge.yaml": card})
    gathered = gather_cards(Project(project))
    assert gathered.cards == []
    assert _codes(project) == [("cards/edge.yaml:11:22", "bad-value")]

    code, output = _build(project)
    assert code == 1
    assert "cards/edge.yaml:11:22: error[bad-value] training.gpu_hours.value: expected" in output
    assert not (project / "site").exists()


def test_a_huge_parameter_count_never_reaches_build(tmp_path: Path) -> None:
    card = card_yaml("edge") + f"parameter_count: {'9' * 400}\n"
    project = make_project(tmp_path, {"edge.yaml": card})
    assert _codes(project) == [("cards/edge.yaml:10:18", "bad-value")]
    code, output = _build(project)
    assert code == 1
    assert "got a whole number of about 400 digits" in output


def test_more_digits_than_python_reads_is_a_located_problem(tmp_path: Path) -> None:
    card = card_yaml("edge") + f"parameter_count: {'9' * 5000}\n"
    project = make_project(tmp_path, {"edge.yaml": card})
    assert _codes(project) == [("cards/edge.yaml:10:18", "bad-value")]


def test_a_megabyte_name_is_a_problem_not_a_hang(tmp_path: Path) -> None:
    card = card_yaml("edge", name="x" * 1_000_000)
    project = make_project(tmp_path, {"edge.yaml": card})
    report = gather_cards(Project(project)).report
    (problem,) = report.problems
    assert (str(problem.location), problem.code) == ("cards/edge.yaml:2:7", "bad-value")
    assert problem.message.startswith(f"expected text of at most {MAX_NAME_CHARS} characters")
    assert len(problem.message) < 200


def test_cards_at_the_documented_bounds_validate_and_build(tmp_path: Path) -> None:
    """Anything validate accepts must build: the largest and smallest figures, the longest
    name, and text with unusual but printable characters (zero-width, right-to-left, emoji)."""
    cards = {}
    for card_id, value in (
        ("largest", f"{MAX_FIGURE:.1e}"),
        ("smallest", f"{MIN_POSITIVE_FIGURE:.1e}"),
        ("zero", "0"),
    ):
        text = card_yaml(card_id, name="N" * MAX_NAME_CHARS, energy=value)  # type: ignore[arg-type]
        text += f"parameter_count: {MAX_COUNT - 1}\n"
        text += TRAINING.format(value=value)
        text += '  notes: "tab\\there, zero\\u200bwidth, \\u202eright-to-left, \\U0001F600"\n'
        cards[f"{card_id}.yaml"] = text
    project = make_project(tmp_path, cards)
    assert _codes(project) == []
    code, output = _build(project)
    assert code == 0, output
    assert (project / "site" / "cards" / "largest" / "index.html").is_file()


@pytest.mark.parametrize(
    ("character", "described"),
    [
        ("\x00", "the control character U+0000 (NUL)"),
        ("\x07", "the control character U+0007 (BEL)"),
        ("\x1b", "the control character U+001B (ESC)"),
        ("\x7f", "the control character U+007F (DEL)"),
        ("\ufffe", "the non-character U+FFFE"),
    ],
    ids=["NUL", "BEL", "ESC", "DEL", "U+FFFE"],
)
def test_a_raw_bad_character_is_located(character: str, described: str) -> None:
    text = f"id: x\r\nname: ab{character}c\n"
    card, problems = parse_card_text(text, Path("x.yaml"), "cards/x.yaml")
    assert card.data is None
    assert [(str(p.location), p.code, p.message) for p in problems] == [
        ("cards/x.yaml:2:9", "bad-character", f"expected printable text, got {described}")
    ]


def test_bad_characters_are_listed_up_to_a_cap(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("id: x\n" + "name: \x00\n" * 30, encoding="utf-8")
    _, problems = read_card_file(path, tmp_path)
    assert len(problems) == MAX_BAD_CHARACTERS + 1
    assert [p.location.line for p in problems[:3]] == [2, 3, 4]
    summary = problems[-1]
    assert summary.message == ("... and 10 more characters like these, not listed (lines 22-31)")


def test_a_card_with_only_null_is_not_silently_dropped(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"a.yaml": "null\n", "b.yaml": "---\n", "c.yaml": "~\n"})
    assert _codes(project) == [
        ("cards/a.yaml:1:1", "not-a-mapping"),
        ("cards/b.yaml:1:1", "not-a-mapping"),
        ("cards/c.yaml:1:1", "not-a-mapping"),
    ]


def test_grid_zone_is_checked_against_the_table_given(tmp_path: Path) -> None:
    zone = GridIntensity("Testland (TST)", 100.0, "test data", 2024)
    grid = GridData("0", countries={"TST": zone})
    path = tmp_path / "x.yaml"
    path.write_text(card_yaml("x") + "  grid: {country_iso_code: TSX}\n", encoding="utf-8")
    card_file, _ = read_card_file(path, tmp_path)
    card, problems = validate_card_data(card_file, grid)  # the table given: no TSX
    assert card is None
    assert [p.code for p in problems] == ["not-one-of"]
    model = Card.model_validate(card_file.data)
    (problem,) = check_grid_zone(card_file, model, grid)
    assert str(problem.location) == "x.yaml:10:28"
    assert problem.hint.startswith("did you mean TST? If not, state the intensity")
    model.inference.grid.country_iso_code = "TST"  # type: ignore[union-attr]
    assert check_grid_zone(card_file, model, grid) == []
