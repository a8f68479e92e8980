from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from generator.compute.measured_runs import MeasuredInference, MeasuredRun
from generator.compute.summary import CardSummary, summarize_card
from generator.formats.card import Card, EnergyScope, Provenance, Task
from generator.formats.rating_reference import RatingGroup, RatingReference
from generator.load.factors import read_factors
from generator.render.publish import (
    EXPORT_FORMATS,
    LABEL_HEIGHT_PX,
    LABEL_WIDTH_PX,
    card_json,
    hf_metadata,
    render_badge_svg,
    render_card_json,
    render_hf_metadata_yaml,
    render_label_png,
    render_label_svg,
    render_model_card_section,
    render_publish_files,
)
from generator.render.svg_text import text_width_px, wrap_text

REPO_ROOT = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"
SOURCE = {"card": {"title": "Card", "url": "https://example.org", "year": 2024}}
CONDITIONS = {"hardware": "NVIDIA A100", "scope": "gpu", "includes_pue": False}
EVIL_NAME = 'Evil scriptalert(1)/script & "Co"'  # names forbid < and >
EVIL = "<script>alert(1)</script>"
REFERENCE = RatingReference(
    date="2026-01-15",
    groups=(
        RatingGroup(
            task=Task.TEXT_CLASSIFICATION,
            scope=EnergyScope.GPU,
            min_kwh_per_1000_queries=0.001,
            max_kwh_per_1000_queries=0.1,
            cards=("a", "b", "c"),
        ),
    ),
)


def _figure(value: float, provenance: str = "reported") -> dict:
    return {"value": value, "provenance": provenance, "source": "card", "where": "Table 1"}


def _summary(card_id: str = "m", reference: RatingReference | None = None, **fields) -> CardSummary:
    data = {
        "id": card_id,
        "name": card_id.upper(),
        "organization": "Org",
        "task": "text-classification",
        "sources": SOURCE,
        **fields,
    }
    return summarize_card(Card.model_validate(data), reference=reference)


def _inference(kwh: float) -> dict:
    return {"conditions": CONDITIONS, "energy_kwh_per_1000_queries": _figure(kwh, "measured")}


@pytest.fixture(scope="module")
def llama() -> CardSummary:
    data = yaml.safe_load((REPO_ROOT / "cards" / "llama-3-70b.yaml").read_text(encoding="utf-8"))
    reference = yaml.safe_load((REPO_ROOT / "ratings" / "reference.yaml").read_text("utf-8"))
    return summarize_card(
        Card.model_validate(data),
        reference=RatingReference.model_validate(reference),
        factors=read_factors()[0],
    )


@pytest.fixture(scope="module")
def evil() -> CardSummary:
    card = Card.model_validate(
        {
            "id": "evil",
            "name": EVIL_NAME,
            "organization": 'Org & Sons "Q"',
            "task": "text-generation",
            "parameter_count": 7_000_000_000,
            "caveats": [f"caveat {EVIL}"],
            "sources": {
                "s": {
                    "title": f"Title {EVIL} [x](javascript:alert(1))",
                    "url": "https://example.org/a_(b)",
                    "year": 2024,
                }
            },
            "training": {
                "hardware": f"{EVIL} H100",
                "region": f"Québec {EVIL}",
                "emissions_tco2e": {"value": 1, "provenance": "reported", "source": "s"},
            },
            "inference": {
                "conditions": {**CONDITIONS, "hardware": f"A100 {EVIL} & 'x'"},
                "energy_kwh_per_1000_queries": {
                    "value": 0.5,
                    "provenance": "measured",
                    "source": "s",
                    "where": EVIL,
                },
            },
        }
    )
    # Validation refuses control characters (tests/test_hostile_cards.py); render strips them
    # anyway, so one slipped past validation (here, set directly) still cannot break the XML.
    card.inference.conditions.hardware += " \x01"  # type: ignore[union-attr]
    return summarize_card(card)


def _texts(svg: str) -> list[str]:
    return [el.text or "" for el in ET.fromstring(svg).iter(f"{SVG}text")]


# Hugging Face metadata


def test_hf_metadata_for_llama_3_70b_is_in_grams(llama: CardSummary) -> None:
    expected = {
        "co2_eq_emissions": {
            "emissions": 1_900_000_000,  # 1,900 tCO2eq
            "source": "Meta Llama 3 model card (MODEL_CARD.md), 'Hardware and Software' > "
            "'Carbon Footprint'",
            "training_type": "pre-training",
            "hardware_used": "NVIDIA H100-80GB",
        }
    }
    assert hf_metadata(llama) == expected
    text = render_hf_metadata_yaml(llama)
    assert "  emissions: 1900000000\n" in text
    assert yaml.safe_load(text) == expected
    assert "grams" in text and "as the publisher states it" in text
    assert EXPORT_FORMATS["hf-metadata"](llama, None) == text


def test_hf_metadata_parses_as_a_hugging_face_model_card(llama: CardSummary) -> None:
    huggingface_hub = pytest.importorskip("huggingface_hub")
    front_matter = "---\n" + render_hf_metadata_yaml(llama) + "---\n\n# Model\n"
    card = huggingface_hub.ModelCard(front_matter)
    assert isinstance(card.data, huggingface_hub.ModelCardData)
    assert card.data.co2_eq_emissions == hf_metadata(llama)["co2_eq_emissions"]


def test_hf_metadata_uses_location_based_and_names_the_other_basis() -> None:
    summary = _summary(
        training={
            "region": "Quebec, Canada",
            "emissions_location_based_tco2e": _figure(24.7),
            "emissions_market_based_tco2e": _figure(0.5),
        }
    )
    text = render_hf_metadata_yaml(summary)
    assert yaml.safe_load(text)["co2_eq_emissions"] == {
        "emissions": 24_700_000,
        "source": "Card",
        "training_type": "pre-training",
        "geographical_location": "Quebec, Canada",
    }
    assert "# Basis: location-based" in text
    assert "# Not used (the Hub holds one figure): market-based" in text and "500,000 g" in text


def test_hf_metadata_without_training_emissions_is_a_comment() -> None:
    summary = _summary(inference=_inference(0.01))
    assert hf_metadata(summary) == {}
    text = render_hf_metadata_yaml(summary)
    assert yaml.safe_load(text) is None
    assert "No training emissions figure" in text


# Label


def test_label_svg_shows_the_card(llama: CardSummary) -> None:
    svg = render_label_svg(llama)
    root = ET.fromstring(svg)
    assert (root.get("width"), root.get("height")) == (str(LABEL_WIDTH_PX), str(LABEL_HEIGHT_PX))
    assert root.get("role") == "img" and "Meta Llama 3 70B" in root.get("aria-label")
    # Class C on AI Energy Score's setting holds 5 cards (3 placed by the leaderboard's own
    # class): rated 5 of 5 there, as AI Energy Score's own leaderboard rates it; the label
    # shows both and names the group.
    title = root.find(f"{SVG}title").text
    assert "5 of 5 stars text generation, class C, GPU only, 5 cards" in title
    texts = " ".join(_texts(svg))
    for expected in (
        "Meta Llama 3 70B",
        "Meta",
        "Text generation",
        "NVIDIA H100 80GB",
        "1.72",
        "per 1,000 queries · measured",
        "among 5 cards",
        "AI Energy Score 5/5",
        "Training: 1.9 kt CO₂e, estimated",
    ):
        assert expected in texts
    assert "kWh" in svg
    stars = [p.get("class") for p in root.iter(f"{SVG}polygon")]
    assert stars.count("star star-filled") == 5 and len(stars) == 5
    assert "<script" not in svg and "href" not in svg and "@import" not in svg


def test_label_says_why_a_card_is_not_rated() -> None:
    svg = render_label_svg(_summary(reference=REFERENCE))
    texts = _texts(svg)
    assert "not rated" in texts and "no inference energy figure to rate" in texts
    assert "No inference figure" in texts and "Training: not known" in texts
    assert "not rated: no inference energy figure to rate" in ET.fromstring(svg).get("aria-label")


def test_label_counts_stars_against_the_reference() -> None:
    summary = _summary(reference=REFERENCE, inference=_inference(0.01))
    root = ET.fromstring(render_label_svg(summary))
    filled = [p for p in root.iter(f"{SVG}polygon") if "star-filled" in p.get("class")]
    assert len(filled) == summary.rating.stars == 3
    texts = _texts(render_label_svg(summary))
    assert "3 of 5 stars among 3 cards" in texts
    assert "text classification, GPU only" in texts and "ref. 2026-01-15" in texts


def test_long_names_wrap_and_end_with_an_ellipsis() -> None:
    name = "Extremely " * 19 + "Long Model"  # 200 characters: the longest name allowed
    hardware = "A" * 200
    svg = render_label_svg(
        _summary(
            name=name,
            inference={**_inference(0.01), "conditions": {**CONDITIONS, "hardware": hardware}},
        )
    )
    texts = _texts(svg)
    name_lines = [t for t in texts if t.startswith("Extremely")]
    assert len(name_lines) == 2 and name_lines[-1].endswith("…")
    assert all(text_width_px(line, 16, bold=True) <= LABEL_WIDTH_PX - 32 for line in name_lines)
    hardware_lines = [t for t in texts if t.startswith("AAA")]
    assert len(hardware_lines) == 2 and hardware_lines[-1].endswith("…")


def test_wrap_text_keeps_short_text_on_one_line() -> None:
    assert wrap_text("  Meta\n  Llama ", 228, 16, 2) == ["Meta Llama"]
    assert wrap_text("word " * 100, 100, 10, 3)[-1].endswith("…")
    assert wrap_text("bert-large-uncased-whole-word-masking", 150, 16, 2) == [
        "bert-large-",
        "uncased-whole-…",
    ]


# Badge


def test_badge_width_grows_with_its_text() -> None:
    short = ET.fromstring(render_badge_svg(_summary(inference=_inference(1))))
    longer = ET.fromstring(
        render_badge_svg(_summary(reference=REFERENCE, inference=_inference(0.012345)))
    )
    assert int(longer.get("width")) > int(short.get("width"))
    assert longer.get("aria-label") == (
        "energy: 12.3 Wh/1k queries ★★★☆☆ (text classification, GPU only, 3 cards, ref. 2026-01-15)"
    )
    assert short.get("aria-label") == "energy: 1 kWh/1k queries"


def test_badge_without_inference_shows_training_else_no_figure() -> None:
    training = render_badge_svg(_summary(training={"emissions_tco2e": _figure(552)}))
    assert "training 552 t CO₂e" in _texts(training)
    assert "no figure" in _texts(render_badge_svg(_summary()))


# Markdown section


def test_model_card_section_links_badge_and_sources(llama: CardSummary) -> None:
    text = render_model_card_section(llama, "https://cards.example.org/")
    assert text.startswith("## Energy\n")
    date = llama.rating.reference_date
    assert (
        "[![Energy: 1.72 kWh/1k queries ★★★★★ (text generation, class C, GPU only, 5 cards, "
        f"ref. {date})](https://cards.example.org/badges/llama-3-70b.svg)]"
        "(https://cards.example.org/cards/llama-3-70b/)"
    ) in text
    assert "| Energy per 1,000 queries | 1.72 kWh | measured |" in text
    assert "| Training emissions | 1.9 kt CO₂e | estimated |" in text
    assert (
        "(https://github.com/meta-llama/llama-models/blob/main/models/llama3/MODEL_CARD.md)" in text
    )
    assert "Training energy" not in text  # derived here: its citations are on the card page
    plain = render_model_card_section(llama, None)
    assert "![" not in plain and "(card `llama-3-70b`)" in plain
    with pytest.raises(ValueError, match="http"):
        render_model_card_section(llama, "javascript:alert(1)")


# JSON


def test_card_json_round_trips_with_stable_keys(llama: CardSummary) -> None:
    data = card_json(llama)
    assert json.loads(json.dumps(data)) == data
    assert json.loads(render_card_json(llama)) == data
    assert list(data)[:4] == ["format", "version", "card", "task_label"]
    assert data["headline"]["inference_energy"]["value"] == pytest.approx(1.71965556)
    assert data["headline"]["training_emissions"]["provenance"] == "estimated"
    assert data["rating"]["stars"] == 5 and data["rating"]["group"]["size_class"] == "C"
    assert len(data["rating"]["group"]["cards"]) == 5 and data["rating"]["reason"] == ""
    assert data["break_even"]["training_kwh"] == pytest.approx(4_480_000)
    assert data["card"]["training"]["emissions_tco2e"]["value"] == 1900
    assert data["equivalences"] and data["measured"] is None


def test_card_json_includes_measured_runs() -> None:
    runs = tuple(
        MeasuredRun(f"measurements/m/run{i}.csv", 2, f"run {i}", 1000, kwh, kwh)
        for i, kwh in enumerate((0.01, 0.03, 0.02))
    )
    measured = MeasuredInference(runs, EnergyScope.GPU, Provenance.MEASURED, ())
    card = Card.model_validate(
        {
            "id": "m",
            "name": "M",
            "organization": "Org",
            "task": "text-classification",
            "sources": SOURCE,
            "inference": {
                "conditions": CONDITIONS,
                "measurements": [{"path": "x.csv", "queries": 1000}],
            },
        }
    )
    data = card_json(summarize_card(card, measured=measured))
    assert json.loads(render_card_json(summarize_card(card, measured=measured))) == data
    assert data["measured"]["median_kwh_per_1000_queries"] == 0.02
    assert (
        data["measured"]["min_kwh_per_1000_queries"],
        data["measured"]["max_kwh_per_1000_queries"],
    ) == (0.01, 0.03)
    assert data["measured"]["scope"] == "gpu" and len(data["measured"]["runs"]) == 3
    assert data["headline"]["inference_energy"]["derivation"].startswith("median of 3 runs")


# Escaping and determinism


def test_card_text_never_becomes_markup(evil: CardSummary) -> None:
    outputs = {  # BoAmps needs an energy figure, which this card lacks (test_boamps.py)
        name: render(evil, "https://example.org")
        for name, render in EXPORT_FORMATS.items()
        if not name.startswith("boamps")
    }
    for name, text in outputs.items():
        assert "<script" not in text, name
    for name in ("label-svg", "badge-svg"):
        ET.fromstring(outputs[name])  # well-formed XML: &, quotes and the control character
    texts = _texts(outputs["label-svg"])
    assert EVIL_NAME in " ".join(texts)
    assert EVIL_NAME in ET.fromstring(outputs["label-svg"]).get("aria-label")
    assert any("<script>" in t for t in texts)  # shown as text, not as an element
    markdown = outputs["model-card-md"]
    assert "&lt;script" in markdown and "[x](javascript" not in markdown
    assert "(https://example.org/a_%28b%29)" in markdown
    assert json.loads(outputs["json"])["card"]["training"]["hardware"] == f"{EVIL} H100"
    assert (
        yaml.safe_load(outputs["hf-metadata"])["co2_eq_emissions"]["hardware_used"]
        == f"{EVIL} H100"
    )


def test_every_format_is_deterministic(llama: CardSummary, evil: CardSummary) -> None:
    assert set(EXPORT_FORMATS) == {
        *("label-svg", "badge-svg", "model-card-md", "hf-metadata", "json"),
        *("boamps", "boamps-training", "cyclonedx", "spdx"),  # test_boamps.py, test_exports.py
    }
    for summary in (llama, evil):
        for name, render in EXPORT_FORMATS.items():
            if name.startswith("boamps") and summary is evil:
                continue  # no energy figure: no BoAmps report (test_boamps.py)
            assert render(summary, "https://example.org") == render(summary, "https://example.org")


def test_publish_files_have_stable_paths(llama: CardSummary) -> None:
    files = render_publish_files(llama)
    assert sorted(files) == [
        "badges/llama-3-70b.svg",
        "data/cards/llama-3-70b.json",
        "labels/llama-3-70b.svg",
    ]
    png = render_label_png(llama)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert png == render_label_png(llama)


def test_label_gives_the_not_rated_reason_without_its_bracketed_explanation() -> None:
    """The label's two small lines hold the reason; the page (and the aria-label) hold all."""
    from generator.project import Project
    from generator.site.pipeline import read_project

    (summary,) = [
        s
        for s in read_project(Project(REPO_ROOT)).summaries
        if s.card.id == "sklearn-digits-logreg"
    ]
    svg = render_label_svg(summary)
    texts = _texts(svg)
    assert "fewer than 3 comparable cards" in texts
    assert not any(
        "(same task" in text or text.endswith("…") for text in texts if "comparable" in text
    )
    assert "(same task, size class, energy scope and measurement setting)" in ET.fromstring(
        svg
    ).get("aria-label")
