"""`energy-cards import aies` and `import mlenergy`: every quirk of the published files, with the
card text each gives (files in tests/data/leaderboards/, cut down from the shared copies)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main
from generator.formats.card import Card
from generator.load.leaderboard_draft import (
    IMPORT_MARKER,
    INFERENCE_BEGIN,
    SOURCES_BEGIN,
    strip_imported_block,
)
from generator.load.leaderboard_files import model_key

DATA = Path(__file__).parent / "data" / "leaderboards"
ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data" / "published-data"
HAND_WRITTEN = "distilbert-base-uncased-finetuned-sst-2-english.yaml"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "cards").mkdir()
    shutil.copy(ROOT / "cards" / HAND_WRITTEN, tmp_path / "cards" / HAND_WRITTEN)
    return tmp_path


def _import(project: Path, kind: str, path: Path, *extra: str):
    args = ["import", kind, str(path), "--project", str(project), *extra]
    return CliRunner().invoke(main, args)


def _card(project: Path, card_id: str) -> tuple[str, dict]:
    text = (project / "cards" / f"{card_id}.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    Card.model_validate(data)
    return text, data


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("distilbert/distilgpt2", "distilgpt2"),
        ("openai-community/gpt2", "gpt2"),
        ("google-t5/t5-small", "t5-small"),
        ("metaai/Llama-2-7b-chat-hf", "meta-llama/llama-2-7b-chat-hf"),
        ("MetaAI/llama-2-7b-chat-hf", "meta-llama/llama-2-7b-chat-hf"),
        ("meta-llama/Meta-Llama-3.1-8B-Instruct", "meta-llama/llama-3.1-8b-instruct"),
        ("Facebook/DETR-resnet-50-dc5", "facebook/detr-resnet-50-dc5"),
    ],
)
def test_org_renames_and_case_fold_to_one_model(written, key):
    assert model_key(written) == key


def test_dry_run_writes_nothing_and_says_what_would_change(project):
    result = _import(project, "aies", DATA / "aies")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (project / "cards").iterdir()) == [HAND_WRITTEN]
    assert "add cards/bert-tiny-finetuned-squadv2.yaml" in result.output
    assert f"keep (hand-written, not changed) cards/{HAND_WRITTEN}" in result.output
    assert "dry run: nothing written (--update writes the changes)" in result.output


def test_aies_card_text(project):
    result = _import(project, "aies", DATA / "aies", "--update")
    assert result.exit_code == 0, result.output
    # CRLF, no final newline and 5.54E-05 notation: the last row and the number read right
    text, data = _card(project, "bert-tiny-finetuned-squadv2")
    assert "    value: 5.54e-05\n" in text
    energy = data["inference"]["energy_kwh_per_1000_queries"]
    assert energy["where"] == (
        "question_answering.csv, line 2 (model 'mrm8488/bert-tiny-finetuned-squadv2'), "
        "column total_gpu_energy"
    )
    assert energy["note"].startswith("The file states no unit. The AI Energy Score documentation")
    assert "the unit is an inference, not stated by the source" in energy["note"]
    source = data["sources"][energy["source"]]
    assert source["url"] == (
        "https://github.com/ebbalg/AI-climate-overview/blob/"
        "5a804d3bc20984ed22fd8260a5a447e787217e62/data/AI-energy-leaderboard/question_answering.csv"
    )
    assert source["year"] == 2025
    assert data["inference"]["conditions"] == {
        "hardware": "NVIDIA H100 80GB",
        "scope": "gpu",
        "includes_pue": False,
        "batch_size": 1,
        "dataset": "AI Energy Score question_answering set, 1,000 queries",
    }
    # the class column, only in text generation, is in the note
    _, gpt2 = _card(project, "gpt2")
    assert (
        "relative within its task and class A"
        in (gpt2["inference"]["energy_kwh_per_1000_queries"]["note"])
    )
    # the hand-written card is left byte for byte
    assert (project / "cards" / HAND_WRITTEN).read_bytes() == (
        ROOT / "cards" / HAND_WRITTEN
    ).read_bytes()


def test_duplicate_rows_are_reported_and_kept_as_conflicts(project):
    result = _import(project, "aies", DATA / "aies", "--update")
    assert (
        "warning[duplicate-row] expected one row for model 'facebook/detr-resnet-50-dc5', got 2 (line 4: 0.00329182; line 5: 0.00327861)"
        in result.output
    )
    _, data = _card(project, "detr-resnet-50-dc5")
    energy = data["inference"]["energy_kwh_per_1000_queries"]
    assert energy["value"] == 0.003291817
    assert energy["conflicts"] == [
        {
            "value": 0.003278611,
            "where": "question_answering.csv, line 5 (model 'Facebook/DETR-resnet-50-dc5'), "
            "column total_gpu_energy",
            "note": "Another row for the same model.",
        }
    ]
    assert "neither is known to be the right one" in energy["note"]


def test_a_model_in_several_tasks_is_one_card_with_a_configuration_per_task(project):
    _import(project, "aies", DATA / "aies", "--update")
    _, data = _card(project, "distilbert-base-cased-distilled-squad")
    names = [(c["name"], c["reference"]) for c in data["inference"]["configurations"]]
    assert names == [
        ("NVIDIA H100 80GB, batch 1 (AI Energy Score question_answering)", True),
        ("NVIDIA H100 80GB, batch 1 (AI Energy Score text_generation)", False),
    ]
    assert data["task"] == "extractive-qa"


def test_mlenergy_three_schemas_many_configurations(project):
    result = _import(project, "mlenergy", DATA / "mlenergy", "--update")
    assert result.exit_code == 0, result.output
    # legacy `energy` (J) on two GPUs, metaai/ and MetaAI/ on one card; parameters in billions
    _, legacy = _card(project, "llama-2-7b-chat-hf")
    assert legacy["parameter_count"] == 7_000_000_000
    values = {
        c["name"]: c["energy_kwh_per_1000_queries"]["value"]
        for c in legacy["inference"]["configurations"]
    }
    assert values == {
        "NVIDIA A100 (ML.ENERGY v2 legacy chat)": 0.5,  # 1,800 J / 3,600
        "NVIDIA V100 (ML.ENERGY v2 legacy chat)": 1.0,
    }
    # v2 `Energy/req (J)` and v3 `energy_per_request_joules` land on one Llama 3.1 8B Instruct card
    text, llama = _card(project, "llama-3-1-8b-instruct")
    configurations = {c["name"]: c for c in llama["inference"]["configurations"]}
    assert sorted(configurations) == [
        "B200 x1, batch 8 (lm-arena-chat)",
        "H100 x1, batch 128 (lm-arena-chat)",
        "H100 x2, batch 128, tensor_parallel 2 (lm-arena-chat)",
        "NVIDIA H100 80GB HBM3 x1, batch 64 (ML.ENERGY v2 chat)",
    ]
    reference = configurations["H100 x1, batch 128 (lm-arena-chat)"]
    assert reference["reference"] is True
    assert reference["energy_kwh_per_1000_queries"]["value"] == 0.01  # 36 J / 3,600
    assert reference["conditions"] == {
        "hardware": "NVIDIA H100 80GB HBM3",
        "scope": "gpu",
        "includes_pue": False,
        "batch_size": 128,
        "precision": "bfloat16",
        "dataset": "ML.ENERGY v3 lm-arena-chat workload",
        "gpu_count": 1,
    }
    assert reference["energy_kwh_per_1000_queries"]["where"] == (
        "meta-llama__Llama-3.1-8B-Instruct__lm-arena-chat.json, "
        "configurations[1].energy_per_request_joules (36 J per request)"
    )
    assert "kWh per 1,000 requests = J per request / 3,600" in text
    assert llama["inference"]["conditions"] == reference["conditions"]


def test_update_is_idempotent_and_reports_changed_figures(project):
    _import(project, "mlenergy", DATA / "mlenergy", "--update")
    again = _import(project, "mlenergy", DATA / "mlenergy")
    assert "0 cards to add, 0 to update" in again.output
    card = project / "cards" / "vicuna-7b.yaml"
    card.write_text(
        card.read_text(encoding="utf-8").replace("value: 0.37375", "value: 0.4"), encoding="utf-8"
    )
    changed = _import(project, "mlenergy", DATA / "mlenergy")
    assert "update cards/vicuna-7b.yaml" in changed.output
    assert (
        "~ configuration 'NVIDIA A100 (ML.ENERGY v2 legacy chat)' 0.4 -> 0.3738 kWh per 1,000 queries"
        in changed.output
    )


def test_a_file_without_provenance_is_an_error(tmp_path):
    (tmp_path / "cards").mkdir()
    csv_file = tmp_path / "asr.csv"
    csv_file.write_text("model,total_gpu_energy,energy_score\nopenai/whisper-base,0.0165,5\n")
    result = _import(tmp_path, "aies", csv_file)
    assert result.exit_code == 1
    assert "error[no-provenance]" in result.output


def test_a_file_of_another_kind_is_an_error(tmp_path):
    (tmp_path / "cards").mkdir()
    result = _import(tmp_path, "aies", DATA / "mlenergy" / "A100_chat_benchmark.csv")
    assert result.exit_code == 1
    assert "error[not-a-leaderboard-file]" in result.output


def _hand_written_cards(target: Path) -> None:
    """The shipped cards as they were before any import: imported files left out, the
    importer's marked block taken out of hand-written cards."""
    (target / "cards").mkdir()
    for path in sorted((ROOT / "cards").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if not text.startswith(IMPORT_MARKER):
            (target / "cards" / path.name).write_text(strip_imported_block(text), encoding="utf-8")


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared published-data folder is absent")
@pytest.mark.parametrize("order", [("aies", "mlenergy"), ("mlenergy", "aies")])
def test_the_shipped_cards_are_what_the_importer_writes_from_the_shared_files(tmp_path, order):
    _hand_written_cards(tmp_path)
    assert len(list((tmp_path / "cards").iterdir())) == 25
    paths = {"aies": [SHARED / "ai-energy-score"], "mlenergy": [SHARED]}
    outputs = {}
    for kind in order:
        result = _import(tmp_path, kind, *paths[kind], "--update")
        assert result.exit_code == 0, result.output
        outputs[kind] = result.output
    assert "164 figures in 10 files, 154 models: 145 cards to add" in outputs["aies"]
    assert "9 hand-written left as they are" in outputs["aies"]
    assert "1947 figures in 70 files, 69 models: 68 cards to add" in outputs["mlenergy"]
    assert "add inference figures to hand-written cards/llama-3-3-70b.yaml" in outputs["mlenergy"]
    shipped = sorted(p.name for p in (ROOT / "cards").glob("*.yaml"))
    assert sorted(p.name for p in (tmp_path / "cards").iterdir()) == shipped
    assert len(shipped) == 238
    differ = [
        name
        for name in shipped
        if (tmp_path / "cards" / name).read_bytes() != (ROOT / "cards" / name).read_bytes()
    ]
    assert differ == [], "re-run: energy-cards import aies/mlenergy ... --update (see README)"
    for path in (tmp_path / "cards").glob("*.yaml"):
        Card.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared published-data folder is absent")
def test_a_hand_written_card_without_inference_gets_a_marked_block_and_nothing_else(tmp_path):
    _hand_written_cards(tmp_path)
    card = tmp_path / "cards" / "llama-3-3-70b.yaml"
    before = card.read_text(encoding="utf-8")
    assert "inference:" not in before
    v3 = (
        SHARED
        / "ml-energy-leaderboard-v3/models/meta-llama__Llama-3.3-70B-Instruct__lm-arena-chat.json"
    )
    result = _import(tmp_path, "mlenergy", v3, "--update")
    assert result.exit_code == 0, result.output
    after = card.read_text(encoding="utf-8")
    assert strip_imported_block(after) == before
    assert after.count(INFERENCE_BEGIN) == 1 and after.count(SOURCES_BEGIN) == 1
    data = yaml.safe_load(after)
    Card.model_validate(data)
    reference = data["inference"]["energy_kwh_per_1000_queries"]
    assert reference["source"] == "ml-energy-v3-lm-arena-chat"
    assert data["sources"]["meta-llama3-3-card"]["publisher"] == "Meta"  # hand-written, kept
    assert data["training"]["gpu_hours"]["value"] == 7000000
    # a second run changes nothing; editing outside the block survives the next update
    again = _import(tmp_path, "mlenergy", v3)
    assert (
        "0 cards to add, 0 to update, 0 hand-written to add inference figures to, 1 unchanged"
        in (again.output)
    )
    card.write_text(after.replace('name: "Llama 3.3 70B"', 'name: "Llama 3.3 70B (edited)"'))
    _import(tmp_path, "mlenergy", v3, "--update")
    assert 'name: "Llama 3.3 70B (edited)"' in card.read_text(encoding="utf-8")


def test_a_hand_written_card_with_inference_figures_is_never_changed(tmp_path):
    _hand_written_cards(tmp_path)
    card = tmp_path / "cards" / HAND_WRITTEN
    before = card.read_bytes()
    result = _import(tmp_path, "aies", DATA / "aies", "--update")
    assert f"keep (hand-written, not changed) cards/{HAND_WRITTEN}" in result.output
    assert card.read_bytes() == before
