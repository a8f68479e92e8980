"""`energy-cards import-hf`: Hugging Face model cards -> draft cards, against cases.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.check.gather import gather_cards
from generator.commands.import_hf import ImportHfError, import_model_card, write_imported_card
from generator.load.hf_model_card import draft_card, read_model_card
from generator.problems import Location, Problem, Severity
from generator.project import Project
from generator.render.escaping import yaml_scalar

DATA = Path(__file__).parent / "data" / "hf_cards"
CASES = yaml.safe_load((DATA / "cases.yaml").read_text("utf-8"))["cases"]


def _line(problem: Problem) -> str:
    key = f"{problem.key}: " if problem.key else ""
    return f"{problem.location}: {problem.severity}[{problem.code}] {key}{problem.message}"


@pytest.fixture
def in_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from the fixtures' folder, so problems name the README as a user would type it."""
    monkeypatch.chdir(DATA)


def _import(project: Path, file: str, repo_id: str | None = None, card_id: str | None = None):
    return import_model_card(project, Path(file), card_id, repo_id)


def test_every_fixture_has_a_case() -> None:
    assert {case["file"] for case in CASES} == {p.name for p in DATA.glob("*.md")}


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_case_imports_as_expected(case: dict[str, Any], project: Path, in_data: None) -> None:
    path, problems = _import(project, case["file"], case["repo_id"])
    assert [_line(p) for p in problems] == case["problems"]
    if "card" not in case:
        assert path is None
        assert list((project / "cards").iterdir()) == []
        return
    assert path == project / "cards" / f"{case['card']['id']}.yaml"
    card = yaml.safe_load(path.read_text("utf-8"))
    expected = case["card"]
    if "training" in expected:
        value = expected["training"]["emissions_tco2e"].pop("value")
        assert card["training"]["emissions_tco2e"].pop("value") == pytest.approx(value, rel=1e-15)
    assert card == expected

    report = gather_cards(Project(project)).report
    assert report.warnings == []
    assert {p.code for p in report.errors} <= {"placeholder"}
    assert [p.key for p in report.errors] == case["placeholders"]


FILLS = {
    '"<Who released the model>"': '"Example Lab"',
    '"<https://...>"': '"https://example.org/my-model"',
    '"<YYYY>"': "2024",
    '"<task>"': "text-generation",
}


@pytest.mark.parametrize(
    "case", [c for c in CASES if "card" in c], ids=[c["name"] for c in CASES if "card" in c]
)
def test_a_draft_with_its_placeholders_filled_validates_cleanly(
    case: dict[str, Any], project: Path, in_data: None
) -> None:
    path, _ = _import(project, case["file"], case["repo_id"])
    assert path is not None
    text = path.read_text("utf-8")
    for placeholder, value in FILLS.items():
        text = text.replace(placeholder, value)
    path.write_text(text, encoding="utf-8")
    gathered = gather_cards(Project(project))
    assert gathered.report.problems == []
    assert [loaded.card.id for loaded in gathered.cards] == [case["card"]["id"]]


def test_front_matter_after_a_bom_and_blank_lines_with_crlf(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_bytes(
        "\ufeff\r\n---\r\npipeline_tag: fill-mask\r\nco2_eq_emissions: x\r\n---\r\n# Demo\r\n".encode()
    )
    card, problems = read_model_card(readme, "README.md")
    assert card is not None and problems == [] and card.heading == "Demo"
    _, problems = draft_card(card, None, None)
    assert [(str(p.location), p.code) for p in problems] == [("README.md:4:19", "wrong-type")]


def test_grams_become_tonnes_exactly(project: Path, in_data: None) -> None:
    path, _ = _import(project, "scalar.md")
    assert path is not None
    figure = yaml.safe_load(path.read_text("utf-8"))["training"]["emissions_tco2e"]
    assert figure["value"] == 0.00146  # 1460 g
    assert figure["provenance"] == "reported"


def test_warnings_are_listed_in_the_written_header(project: Path, in_data: None) -> None:
    path, _ = _import(project, "kilograms.md")
    assert path is not None
    header = path.read_text("utf-8").split("\nid:")[0]
    assert "Hugging Face model card\n# kilograms.md." in header
    assert (
        "# - warning[suspect-unit] co2_eq_emissions.emissions: 2.5 g is unusually small for "
        "training a model: if the card meant kilograms, that is 2,500 g" in header
    )


def test_never_overwrites(project: Path, in_data: None) -> None:
    path, _ = _import(project, "scalar.md")
    assert path is not None
    path.write_text("edited by hand\n", encoding="utf-8")
    with pytest.raises(ImportHfError, match=r"cards/distilbert-sst2-demo\.yaml already exists"):
        _import(project, "scalar.md", repo_id="demo-org/distilbert-sst2-demo")
    assert path.read_text("utf-8") == "edited by hand\n"
    (project / "cards" / "other.yml").write_text("kept\n", encoding="utf-8")
    with pytest.raises(ImportHfError, match=r"cards/other\.yml already exists"):
        _import(project, "scalar.md", card_id="other")


def test_id_option_names_the_file(project: Path, in_data: None) -> None:
    path, problems = _import(project, "scalar.md", card_id="my-model")
    assert problems == []
    assert path == project / "cards" / "my-model.yaml"
    assert yaml.safe_load(path.read_text("utf-8"))["id"] == "my-model"


@pytest.mark.parametrize(
    ("repo_id", "card_id", "message"),
    [
        ("not-a-repo", None, "expected --repo-id as ORG/NAME"),
        ("org/name/extra", None, "expected --repo-id as ORG/NAME"),
        (None, "Bad_Id", "expected an id of lowercase letters"),
    ],
)
def test_bad_options_raise_a_clear_error(
    project: Path, in_data: None, repo_id: str | None, card_id: str | None, message: str
) -> None:
    with pytest.raises(ImportHfError, match=message):
        _import(project, "scalar.md", repo_id=repo_id, card_id=card_id)


def _emissions_card(tmp_path: Path, co2: str, tags: str = "[]") -> list[Problem]:
    readme = tmp_path / "README.md"
    readme.write_text(
        f"---\npipeline_tag: fill-mask\ntags: {tags}\nco2_eq_emissions: {co2}\n---\n",
        encoding="utf-8",
    )
    card, problems = read_model_card(readme)
    assert card is not None and problems == []
    return draft_card(card, "x", "org/x")[1]


@pytest.mark.parametrize(
    ("co2", "tags", "suspect"),
    [
        ("999", "[]", True),  # pre-training or unstated: below 1 kg
        ("1000", "[]", False),
        ("{emissions: 999, training_type: pre-training}", "[]", True),
        ("{emissions: 0.0009, training_type: fine-tuning}", "[]", True),  # below 1 mg
        ("{emissions: 0.001, training_type: Fine Tuning}", "[]", False),
        ("{emissions: 5, training_type: finetuning}", "[]", False),
        ("0.0121", "autotrain", False),  # AutoTrain: fine-tuning without a training_type
        ("0.0009", "[autotrain]", True),
        ("1000000000000", "[]", False),  # 1e12 g: a million tonnes
        ("1000000000001", "[]", True),
        ("0", "[]", True),
    ],
)
def test_suspect_unit_thresholds(tmp_path: Path, co2: str, tags: str, suspect: bool) -> None:
    problems = _emissions_card(tmp_path, co2, tags)
    assert [p.code for p in problems] == (["suspect-unit"] if suspect else [])
    assert all(p.severity is Severity.WARNING for p in problems)


@pytest.mark.parametrize(
    ("co2", "code", "message"),
    [
        ("true", "wrong-type", "got True"),
        ("-5", "bad-value", "got -5"),
        (".nan", "bad-value", "got nan"),
        ("1" + "0" * 400, "bad-value", "got 1000"),
        ("[1460]", "wrong-type", "got [1460]"),
    ],
)
def test_emissions_that_are_not_grams_are_errors(
    tmp_path: Path, co2: str, code: str, message: str
) -> None:
    problems = _emissions_card(tmp_path, co2)
    assert [(p.code, p.severity, p.location.line) for p in problems] == [(code, Severity.ERROR, 4)]
    assert message in problems[0].message


def test_written_yaml_reads_back_exactly(project: Path) -> None:
    odd = 'quote " backslash \\ colon: hash # yes null 1e3 \u2028 \x85 \x7f é 🤗 <b>'
    data = {
        "id": "odd",
        "name": "odd: # name",
        "organization": "yes",
        "task": "<task>",
        "license": "null",
        "tags": ["1e3", "on"],
        "sources": {"model-card": {"title": odd, "url": "<https://...>", "year": "<YYYY>"}},
        "training": {
            "hardware": "8\nV100",
            "region": "no",
            "emissions_tco2e": {
                "value": 1e-06,
                "provenance": "reported",
                "source": "model-card",
                "where": "w",
                "note": odd,
            },
        },
    }
    problem = Problem(Location("x"), "suspect-unit", "line one\nid: injected", key="a\nid: b")
    path = write_imported_card(
        project, data, "odd", imported_from="a\nid: injected.md", problems=[problem]
    )
    assert yaml.safe_load(path.read_text("utf-8")) == data


@pytest.mark.parametrize(
    ("value", "text"),
    [(1e-06, "1.0e-06"), (2.5e-06, "2.5e-06"), (0.00146, "0.00146"), (1e16, "1.0e+16")],
)
def test_small_and_large_floats_stay_floats_in_yaml(value: float, text: str) -> None:
    assert yaml_scalar(value) == text
    assert yaml.safe_load(f"v: {text}")["v"] == value
