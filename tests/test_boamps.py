"""BoAmps both ways: `import boamps` drafts cards from reports; `export --format boamps` writes
reports that validate against the BoAmps 1.1.0 schemas in tests/data/boamps (no network)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from referencing import Registry
from referencing.jsonschema import DRAFT4

from generator.cli import main
from generator.commands.import_boamps import ImportDraftError, import_boamps_report
from generator.compute.summary import CardSummary
from generator.project import Project
from generator.render.boamps import boamps_report, render_boamps_json
from generator.site.pipeline import summarize_project
from tests.conftest import REPO_ROOT

DATA = Path(__file__).parent / "data" / "boamps"
EXAMPLE = "example-energy-report-llm-inference.json"
SCHEMA_BASE = "https://raw.githubusercontent.com/Boavizta/BoAmps/main/model/"
# Cards with no energy figure for a stage: a BoAmps report is an energy, so they are refused.
NO_INFERENCE_OR_TRAINING_ENERGY = {"bert-large-uncased-whole-word-masking-finetuned-squad"}


@cache
def _validator() -> jsonschema.Draft4Validator:
    resources = []
    for path in DATA.glob("*_schema.json"):
        schema = json.loads(path.read_text("utf-8"))
        resources.append((SCHEMA_BASE + path.name, DRAFT4.create_resource(schema)))
    registry = Registry().with_resources(resources)
    root = json.loads((DATA / "report_schema.json").read_text("utf-8"))
    return jsonschema.Draft4Validator(root, registry=registry)


def _schema_errors(data: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in _validator().iter_errors(data)]


@cache
def _summaries() -> tuple[CardSummary, ...]:
    report, summaries = summarize_project(Project(REPO_ROOT))
    assert not report.errors
    return tuple(summaries)


def _summary(card_id: str) -> CardSummary:
    return next(s for s in _summaries() if s.card.id == card_id)


@pytest.fixture
def in_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA)


def _line(problem: Any) -> str:
    key = f"{problem.key}: " if problem.key else ""
    return f"{problem.location}: {problem.severity}[{problem.code}] {key}{problem.message}"


# --- the shared example -------------------------------------------------------------------


def test_the_shared_example_is_valid_against_its_own_schema() -> None:
    assert _schema_errors(json.loads((DATA / EXAMPLE).read_text("utf-8"))) == []


def test_the_shared_example_imports_to_the_energy_it_states(project: Path, in_data: None) -> None:
    path, problems = import_boamps_report(project, Path(EXAMPLE), None)
    assert problems == []
    assert path == project / "cards" / "llama2-13b.yaml"
    card = yaml.safe_load(path.read_text("utf-8"))
    figure = card["inference"]["energy_kwh_per_1000_queries"]
    # powerConsumption 0.00267074 kWh for nbRequest 1: x 1,000 = 2.67074 kWh per 1,000 queries.
    assert figure["value"] == 2.67074
    assert figure["provenance"] == "estimated"  # CPU in constant mode (TDP), CodeCarbon's RAM
    assert figure["source"] == "boamps-report"
    assert figure["where"] == f"{EXAMPLE}: measures[0].powerConsumption / task.nbRequest"
    assert "0.00267074 kWh as the report states it" in figure["note"]
    assert (
        "Report quality: high (BoAmps: about +/-10% error), so 2.404 to 2.938 kWh"
        in (figure["note"])
    )
    assert card["inference"]["conditions"] == {
        "hardware": "2 x Tesla V100S-PCIE-32GB",
        "scope": "gpu+cpu+ram",
        "includes_pue": None,
        "precision": "q16",
        "dataset": "BoAmps dataset: input 11 token, output 828 token per request, 1 request(s)",
    }
    assert card["name"] == "llama2-13b"
    assert card["organization"] == "meta-llama"
    assert card["task"] == "text-generation"
    assert card["parameter_count"] == 13_000_000_000
    assert card["sources"]["boamps-report"]["publisher"] == "sopra steria"
    assert card["sources"]["boamps-report"]["year"] == 2025


def test_the_draft_validates_once_the_report_address_is_filled_in(
    project: Path, in_data: None
) -> None:
    path, _ = import_boamps_report(project, Path(EXAMPLE), "llama-2-13b-boamps")
    assert path is not None
    text = path.read_text("utf-8").replace(
        "<https://... where the report is published>", "https://example.org/r.json"
    )
    path.write_text(text, "utf-8")
    result = CliRunner().invoke(main, ["validate", "--project", str(project)])
    assert result.exit_code == 0, result.output


def test_import_never_overwrites(project: Path, in_data: None) -> None:
    import_boamps_report(project, Path(EXAMPLE), None)
    before = (project / "cards" / "llama2-13b.yaml").read_text("utf-8")
    with pytest.raises(ImportDraftError, match="already exists; not overwriting it"):
        import_boamps_report(project, Path(EXAMPLE), None)
    assert (project / "cards" / "llama2-13b.yaml").read_text("utf-8") == before


# --- reports that differ from the example: each with its exact problems --------------------


def _example() -> dict[str, Any]:
    return json.loads((DATA / EXAMPLE).read_text("utf-8"))


def _with(change: Any) -> dict[str, Any]:
    data = _example()
    change(data)
    return data


CASES: list[tuple[str, Any, list[str]]] = [
    (
        "training-with-two-measures",
        lambda d: (
            d["task"].update(taskStage="training"),
            d["measures"].append(dict(d["measures"][0], powerConsumption=0.003)),
            d.update(quality="low"),
        ),
        [
            "r.json:51:9: warning[several-measures] measures: the report has 2 measures of one task: the draft uses the first and lists the others under `conflicts`"
        ],
    ),
    (
        "no-nbRequest",
        lambda d: d["task"].pop("nbRequest"),
        [
            "r.json:13:13: error[missing-key] task.nbRequest: expected nbRequest > 0 (the requests the measures cover) for a per-query figure, got none"
        ],
    ),
    (
        "zero-requests",
        lambda d: d["task"].update(nbRequest=0),
        [
            "r.json:16:22: error[bad-value] task.nbRequest: expected nbRequest > 0 (the requests the measures cover) for a per-query figure, got 0"
        ],
    ),
    (
        "joined-stages",
        lambda d: d["task"].update(taskStage="training+inference"),
        [
            "r.json:14:22: error[unsupported-stage] task.taskStage: expected a task stage cards hold a figure for (inference, training, finetuning), got 'training+inference'"
        ],
    ),
    (
        "energy-as-text",
        lambda d: d["measures"][0].update(powerConsumption="0.002"),
        [
            "r.json:47:33: error[wrong-type] measures[0].powerConsumption: expected a number, got '0.002'"
        ],
    ),
    (
        "unknown-family",
        lambda d: d["task"].update(taskFamily="robotics navigation"),
        [
            "r.json:15:23: warning[not-one-of] task.taskFamily: expected a task family that maps to a task of these cards, got 'robotics navigation'"
        ],
    ),
]


@pytest.mark.parametrize(("name", "change", "expected"), CASES, ids=[c[0] for c in CASES])
def test_report_cases(
    name: str, change: Any, expected: list[str], project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    Path("r.json").write_text(json.dumps(_with(change), indent=4), "utf-8")
    path, problems = import_boamps_report(project, Path("r.json"), "x")
    assert [_line(p) for p in problems] == expected
    errors = any("error[" in line for line in expected)
    assert (path is None) == errors


def test_training_report_drafts_training_energy_with_the_other_measure_as_a_conflict(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    Path("r.json").write_text(json.dumps(_with(CASES[0][1]), indent=4), "utf-8")
    path, _ = import_boamps_report(project, Path("r.json"), "x")
    assert path is not None
    training = yaml.safe_load(path.read_text("utf-8"))["training"]
    assert training["energy_kwh"]["value"] == 0.00267074
    assert training["energy_kwh"]["conflicts"][0]["value"] == 0.003
    assert training["energy_kwh"]["conflicts"][0]["where"] == "r.json: measures[1].powerConsumption"
    assert "Report quality: low (BoAmps: about +/-50% error)" in training["energy_kwh"]["note"]
    assert training["region"] == "france"


def test_not_json_is_a_located_problem(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    Path("r.json").write_text('{\n  "task": ,\n}\n', "utf-8")
    path, problems = import_boamps_report(project, Path("r.json"), None)
    assert path is None
    assert [_line(p) for p in problems] == [
        "r.json:2:11: error[bad-json] expected a BoAmps report (JSON), got invalid JSON: Expecting value"
    ]


def test_cli_import_boamps_and_import_hf_alias(project: Path, in_data: None) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["import", "boamps", EXAMPLE, "--project", str(project)])
    assert result.exit_code == 0, result.output
    assert "wrote cards/llama2-13b.yaml" in result.output
    again = runner.invoke(main, ["import", "boamps", EXAMPLE, "--project", str(project)])
    assert again.exit_code == 1
    assert "already exists" in again.output
    assert set(main.commands["import"].commands) == {"aies", "boamps", "hf", "mlenergy"}  # type: ignore[attr-defined]
    assert main.commands["import"].commands["hf"] is main.commands["import-hf"]  # type: ignore[attr-defined]


# --- export --------------------------------------------------------------------------------


def _card_ids() -> list[str]:
    return sorted(p.stem for p in (REPO_ROOT / "cards").glob("*.yaml"))


@pytest.mark.parametrize("stage", ["inference", "training"])
@pytest.mark.parametrize("card_id", _card_ids())
def test_every_shipped_card_exports_a_valid_report_or_says_why_not(
    card_id: str, stage: str
) -> None:
    summary = _summary(card_id)
    has_training = any(f.key == "training.energy_kwh" for f in summary.training_figures)
    possible = (
        has_training if stage == "training" else card_id not in NO_INFERENCE_OR_TRAINING_ENERGY
    )
    if not possible:
        with pytest.raises(ValueError, match="a BoAmps report is an energy measure"):
            render_boamps_json(summary, stage)
        return
    data = json.loads(render_boamps_json(summary, stage))
    assert _schema_errors(data) == []
    energy = summary.headline_inference_energy
    if stage == "inference" and energy is not None:
        assert data["task"]["taskStage"] == "inference"
        assert data["task"]["nbRequest"] == 1000
        assert data["measures"][0]["powerConsumption"] == energy.value
    else:
        assert data["task"]["taskStage"] == "training"


def test_an_exported_report_imports_back_to_the_same_figure(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    summary = _summary("llama-3-8b")
    Path("r.json").write_text(render_boamps_json(summary), "utf-8")
    path, problems = import_boamps_report(project, Path("r.json"), "round-trip")
    assert path is not None, problems
    card = yaml.safe_load(path.read_text("utf-8"))
    figure = card["inference"]["energy_kwh_per_1000_queries"]
    assert figure["value"] == summary.headline_inference_energy.value  # type: ignore[union-attr]
    assert card["name"] == summary.card.name
    assert card["parameter_count"] == summary.card.parameter_count


def test_report_counts_gpus_written_as_n_x() -> None:
    report = boamps_report(_summary("llama-2-70b"))
    component = report.infrastructure.components[0]
    assert (component.count > 1) == component.name.lstrip()[0].isdigit()  # type: ignore[union-attr]


def test_cli_export_boamps_refuses_a_card_without_energy() -> None:
    card_id = sorted(NO_INFERENCE_OR_TRAINING_ENERGY)[0]
    result = CliRunner().invoke(
        main, ["export", card_id, "--format", "boamps", "--project", str(REPO_ROOT)]
    )
    assert result.exit_code == 2
    assert "a BoAmps report is an energy measure" in result.output
