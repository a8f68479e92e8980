"""Numbers a reader can trust at a glance (issue 10), checked on the built shipped site:
fair star groups, one provenance rule, break-even as published and as computed."""

from __future__ import annotations

import json
import re
from collections import Counter
from html import escape, unescape
from pathlib import Path

import yaml

from generator.formats.card import TASK_LABELS, Task
from tests.conftest import REPO_ROOT

MIN_GROUP_CARDS = 3


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _page(site: Path, *parts: str) -> str:
    return _text((site.joinpath(*parts) / "index.html").read_text("utf-8"))


def _rows(site: Path) -> list[dict]:
    return json.loads((site / "data" / "cards.json").read_text("utf-8"))["cards"]


def test_no_rated_group_is_under_the_minimum(shipped_site: Path) -> None:
    rows = _rows(shipped_site)
    rated = [r for r in rows if r["stars"]]
    groups = Counter((r["task"], r["size_class"], r["rating_setting"]) for r in rated)
    # Only figures measured alike share a group: AI Energy Score's H100 batch-1 runs apart
    # from ML.ENERGY's legacy A100 chat runs, though both are text generation of class A.
    h100 = "NVIDIA H100 80GB, batch size 1, AI Energy Score text_generation set, 1,000 queries"
    a100 = "NVIDIA A100, ML.ENERGY v2 chat workload (legacy)"
    assert groups[("text-generation", "A", h100)] == 32  # 28 by AI Energy Score's own class
    assert groups[("text-generation", "B", h100)] == 3
    assert groups[("text-generation", "C", h100)] == 5
    assert groups[("text-generation", "A", a100)] == 21
    assert (
        groups[("extractive-qa", None, h100.replace("text_generation", "question_answering"))] == 18
    )
    assert len(groups) == 17 and sum(groups.values()) == 198
    assert all(r["rating_group_cards"] >= MIN_GROUP_CARDS for r in rated)
    # Llama 3.3 70B, measured by ML.ENERGY on four H100s at batch 8, has no like to compare
    # with: not rated, and it says why.
    row = next(r for r in rows if r["id"] == "llama-3-3-70b")
    assert row["stars"] is None and row["rating_reason"].startswith("fewer than 3 comparable")
    # Text classification now holds 8 cards measured alike: the hand-written two are rated.
    by_id = {r["id"]: r for r in rows}
    assert by_id["distilbert-base-uncased-finetuned-sst-2-english"]["stars"] == 5
    assert by_id["nlptown-bert-base-multilingual-uncased-sentiment"]["stars"] == 4
    assert by_id["nlptown-bert-base-multilingual-uncased-sentiment"]["rating_group_cards"] == 8
    reference = yaml.safe_load((REPO_ROOT / "ratings" / "reference.yaml").read_text("utf-8"))
    assert reference["min_group_cards"] == MIN_GROUP_CARDS
    assert all(len(g["cards"]) >= MIN_GROUP_CARDS for g in reference["groups"])
    methodology = _page(shipped_site, "methodology")
    assert "A group needs at least 3 cards" in methodology


def test_unstated_scope_and_multi_task_averages_are_never_rated(shipped_site: Path) -> None:
    rows = {r["id"]: r for r in _rows(shipped_site)}
    reference = yaml.safe_load((REPO_ROOT / "ratings" / "reference.yaml").read_text("utf-8"))
    in_bands = {card for group in reference["groups"] for card in group["cards"]}
    for row in rows.values():
        if row["scope"] == "not-stated" or row["task"] == "multi-task-average":
            assert row["stars"] is None and row["id"] not in in_bands, row["id"]
    assert rows["bloom-176b"]["stars"] is None
    assert "does not say what its energy covers" in rows["bloom-176b"]["rating_reason"]
    # Power Hungry Processing's Table 3 averages three tasks: never filed as extractive QA.
    for card_id in ("bloomz-7b1", "flan-t5-base"):
        assert rows[card_id]["task"] == "multi-task-average"
    qa = _page(shipped_site, "tasks", "extractive-qa")
    assert "bloomz" not in qa.lower() and "flan-t5" not in qa.lower()


def test_every_star_display_names_its_group(shipped_site: Path) -> None:
    rated = [r for r in _rows(shipped_site) if r["stars"]]
    assert rated
    for row in rated:
        card_id, cards = row["id"], row["rating_group_cards"]
        page = _page(shipped_site, "cards", card_id)
        klass = f" of size class {row['size_class']}" if row["size_class"] else ""
        assert (
            f"cards{klass} whose energy covers the "
            f"GPU only, all measured alike ({row['rating_setting']}), against the rating "
            f"reference of {row['rating_reference']}"
        ) in page.replace("\n", " ")
        words = ", ".join(
            [TASK_LABELS[Task(row["task"])].lower()]
            + ([f"class {row['size_class']}"] if row["size_class"] else [])
            + ["GPU only"]
        )
        label = (shipped_site / "labels" / f"{card_id}.svg").read_text("utf-8")
        assert f"among {cards} cards" in label and f"ref. {row['rating_reference']}" in label
        assert escape(words) in label
        badge = (shipped_site / "badges" / f"{card_id}.svg").read_text("utf-8")
        assert f"({escape(words)}, {cards} cards, ref." in badge
    task = _page(shipped_site, "tasks", "text-generation")
    # The task page's cells name the class and group size only (task, scope and date go
    # without saying there), and say the reference date once, under the table.
    assert task.count("(class A, 32 cards)") == 32
    assert task.count("(class A, 21 cards)") == 21
    assert "GPU only, 32 cards" not in task
    assert f"rated against the rating reference of {row['rating_reference']}." in task
    # Unrated badges and labels show no stars at all.
    for badge in (shipped_site / "badges").glob("*.svg"):
        text = badge.read_text("utf-8")
        assert "★" not in text or "cards, ref." in text, badge.name


def test_ai_energy_score_rating_is_shown_beside_ours_with_why(shipped_site: Path) -> None:
    page = _page(shipped_site, "cards", "llama-2-13b")
    assert "Rating: ★☆☆☆☆" in page and "AI Energy Score's own rating: ★☆☆☆☆" in page
    assert "They differ because they rate against different groups and scales" in page
    llama = _page(shipped_site, "cards", "llama-3-3-70b")
    assert "Not rated: fewer than 3 comparable cards" in llama
    assert "AI Energy Score's own rating" not in llama


def test_no_power_hungry_processing_codecarbon_figure_is_measured(shipped_site: Path) -> None:
    rows = [
        r for r in _rows(shipped_site) if "Power Hungry Processing" in (r["energy_source"] or "")
    ]
    assert not [r["id"] for r in rows if r["energy_provenance"] == "measured"]
    codecarbon = [r for r in rows if r["scope"] == "gpu+cpu+ram"]  # BLOOM's API figure: reported
    assert len(codecarbon) == 8
    assert all(r["energy_provenance"] == "estimated" for r in codecarbon)
    page = _page(shipped_site, "cards", "bloomz-7b1")
    assert "CodeCarbon's RAM energy is a model from memory size, not a sensor reading" in page
    # The carbon caption names the figure's own provenance, not a fixed "reported".
    assert "(CO₂e from the estimated emissions per 1,000 queries above)" in page
    assert "reported emissions per 1,000 queries" not in page


def test_bloomz_7b_shows_published_and_computed_break_even(shipped_site: Path) -> None:
    page = _page(shipped_site, "cards", "bloomz-7b1")
    assert "Break-even: 570 million queries (computed here)." in page
    assert "Break-even as published: 592,570,000 queries" in page
    # (51,686 + 7,571) kWh / 592,570,000 = 0.0001 kWh per query; the card gives 0.000104.
    assert (
        "the published 592,570,000 corresponds to 100 mWh per query, while this card's "
        "energy per 1,000 queries gives 104 mWh per query"
    ) in page


def test_training_energy_is_derived_wherever_gpu_hours_and_power_are_given(
    shipped_site: Path,
) -> None:
    rows = {r["id"]: r for r in _rows(shipped_site)}
    # GPU-hours x W / 1,000: Meta's tables give 400 W (Llama 2) and 700 W (Llama 3.x).
    expected = {
        "llama-2-13b": 368_640 * 400 / 1000,
        "llama-2-70b": 1_720_320 * 400 / 1000,
        "llama-3-1-8b": 1_460_000 * 700 / 1000,
        "llama-3-1-70b": 7_000_000 * 700 / 1000,
        "llama-3-1-405b": 30_840_000 * 700 / 1000,
        "llama-3-3-70b": 7_000_000 * 700 / 1000,
    }
    for card_id, kwh in expected.items():
        assert rows[card_id]["training_energy_kwh"] == kwh, card_id
        assert rows[card_id]["training_energy_provenance"] == "estimated"
    # 147,456 kWh / (0.026102442 kWh / 1,000) = 5.65 billion queries
    assert rows["llama-2-13b"]["break_even_queries"] == 147_456 / 0.026102442 * 1000
    page = _page(shipped_site, "cards", "llama-2-13b")
    assert "Training energy 147 MWh estimated computed here" in page
    assert "Break-even: 5.65 billion queries (computed here)." in page
