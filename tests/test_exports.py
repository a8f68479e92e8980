"""`export --format cyclonedx|spdx`: every shipped card's energy in the standard BOM formats,
validated offline: CycloneDX against the official 1.6 JSON Schema that cyclonedx-python-lib
ships (its strict validator); SPDX by loading it, inside a minimal SPDX 3.0.1 document, with
the `spdx-python-model` bindings generated from the SPDX 3.0.1 model (types, enumerations and
required properties). No PyPI package ships the SPDX 3.0.1 JSON Schema file itself."""

from __future__ import annotations

import io
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import spdx_python_model
from click.testing import CliRunner
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from generator.cli import main
from generator.compute.summary import CardSummary
from generator.formats.spdx import SPDX_CONTEXT, decimal_text
from generator.project import Project
from generator.render.exports import render_cyclonedx_json, render_spdx_json
from generator.site.pipeline import summarize_project
from generator.units import per_query
from tests.conftest import REPO_ROOT

CARD_IDS = sorted(p.stem for p in (REPO_ROOT / "cards").glob("*.yaml"))


@cache
def _summaries() -> dict[str, CardSummary]:
    report, summaries = summarize_project(Project(REPO_ROOT))
    assert not report.errors
    return {s.card.id: s for s in summaries}


def _figure(summary: CardSummary, key: str) -> float | None:
    found = [f.value for f in summary.training_figures if f.key == key]
    return found[0] if found else None


@pytest.mark.parametrize("card_id", CARD_IDS)
def test_cyclonedx_export_validates_against_the_official_1_6_schema(card_id: str) -> None:
    summary = _summaries()[card_id]
    text = render_cyclonedx_json(summary, "https://cards.example.org")
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    data = json.loads(text)
    component = data["components"][0]
    assert component["type"] == "machine-learning-model"
    environment = component["modelCard"]["considerations"]["environmentalConsiderations"]
    by_activity = {e["activity"]: e for e in environment["energyConsumptions"]}
    energy = summary.headline_inference_energy
    if energy is not None:
        inference = by_activity["inference"]
        assert inference["activityEnergyCost"] == {"value": per_query(energy.value), "unit": "kWh"}
        assert inference["properties"][0]["value"].startswith("one query: the card's")
    else:
        assert "inference" not in by_activity
    training = _figure(summary, "training.energy_kwh")
    if training is not None:
        assert by_activity["training"]["activityEnergyCost"]["value"] == training
        emissions = summary.headline_training_emissions
        if emissions is not None:
            assert by_activity["training"]["co2CostEquivalent"] == {
                "value": emissions.value,
                "unit": "tCO2eq",
            }
    assert text == render_cyclonedx_json(summary, "https://cards.example.org")  # deterministic


def test_cyclonedx_keeps_emissions_that_have_no_energy_as_properties() -> None:
    summary = _summaries()["bert-large-uncased-whole-word-masking-finetuned-squad"]
    data = json.loads(render_cyclonedx_json(summary))
    environment = data["components"][0]["modelCard"]["considerations"][
        "environmentalConsiderations"
    ]
    assert environment["energyConsumptions"] == []
    assert [p["name"] for p in environment["properties"]] == [
        "model-energy-cards:inference-emissions-g-co2e-per-1000-queries"
    ]


def test_cyclonedx_refuses_a_site_url_that_is_not_http() -> None:
    with pytest.raises(ValueError, match="expected an http"):
        render_cyclonedx_json(_summaries()["gpt-3"], "javascript:alert(1)")


def _spdx_document(snippet: dict[str, Any]) -> dict[str, Any]:
    """The snippet pasted into an ai_AIPackage of a minimal SPDX 3.0.1 document."""
    creation = "_:creation"
    return {
        "@context": SPDX_CONTEXT,
        "@graph": [
            {
                "type": "CreationInfo",
                "@id": creation,
                "specVersion": "3.0.1",
                "created": "2025-01-01T00:00:00Z",
                "createdBy": ["https://example.org/agent"],
            },
            {
                "type": "Agent",
                "spdxId": "https://example.org/agent",
                "creationInfo": creation,
                "name": "Model Energy Cards",
            },
            {
                "type": "ai_AIPackage",
                "spdxId": "https://example.org/model",
                "creationInfo": creation,
                "name": "model",
                "software_primaryPurpose": "model",
                **snippet,
            },
        ],
    }


def _load_spdx(document: dict[str, Any]) -> dict[str, Any]:
    """Load with the SPDX 3.0.1 bindings and write it back (which checks required properties)."""
    model, objects = spdx_python_model.load_data(document)
    written = io.BytesIO()
    model.JSONLDSerializer().write(objects, written)
    graph = json.loads(written.getvalue())["@graph"]
    return next(node for node in graph if node["type"] == "ai_AIPackage")


@pytest.mark.parametrize("card_id", CARD_IDS)
def test_spdx_snippet_loads_with_the_spdx_3_0_1_model(card_id: str) -> None:
    summary = _summaries()[card_id]
    snippet = json.loads(render_spdx_json(summary))
    assert set(snippet) == {"ai_energyConsumption"}
    package = _load_spdx(_spdx_document(snippet))
    loaded = package.get("ai_energyConsumption", {})
    expected = {
        "ai_trainingEnergyConsumption": _figure(summary, "training.energy_kwh"),
        "ai_finetuningEnergyConsumption": _figure(summary, "training.finetuning_energy_kwh"),
        "ai_inferenceEnergyConsumption": per_query(summary.headline_inference_energy.value)
        if summary.headline_inference_energy
        else None,
    }
    for stage, value in expected.items():
        if value is None:
            assert stage not in loaded
            continue
        [description] = loaded[stage]
        assert description["ai_energyUnit"] == "kilowattHour"
        assert float(description["ai_energyQuantity"]) == pytest.approx(value, rel=1e-12)
        assert snippet["ai_energyConsumption"][stage][0]["ai_energyQuantity"] == decimal_text(value)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (lambda e: e.update(ai_energyUnit="wattHour"), "is not a valid value"),
        (lambda e: e.pop("ai_energyQuantity"), "is required"),
    ],
)
def test_the_spdx_check_catches_a_broken_snippet(change: Any, error: str) -> None:
    snippet = json.loads(render_spdx_json(_summaries()["gpt-3"]))
    change(snippet["ai_energyConsumption"]["ai_trainingEnergyConsumption"][0])
    with pytest.raises(ValueError, match=error):
        _load_spdx(_spdx_document(snippet))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (4.0, "4"),
        (0.0000026, "0.0000026"),
        (1.2345e15, "1234500000000000"),
        (1e-12, "0.000000000001"),
    ],
)
def test_decimal_text_has_no_exponent(value: float, text: str) -> None:
    assert decimal_text(value) == text


@pytest.mark.parametrize("output_format", ["cyclonedx", "spdx", "boamps"])
def test_cli_export_prints_the_report(output_format: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["export", "gpt-3", "--format", output_format, "--project", str(REPO_ROOT)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)


def test_the_cli_offers_every_export_format() -> None:
    from generator.render.publish import EXPORT_FORMATS

    option = next(p for p in main.commands["export"].params if p.name == "output_format")
    assert sorted(option.type.choices) == sorted(EXPORT_FORMATS)  # type: ignore[attr-defined]
