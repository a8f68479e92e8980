"""Readable units and labels that fit (issue 10 parts 4-5), on rendered labels and the built site.

"Leading zeros" are the zeros between a decimal point and the first significant digit:
0.0000007095 has six; a reader should never meet more than three (0.000123), nor e-notation.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path

import pytest

from generator.compute.summary import CardSummary, summarize_card
from generator.formats.card import Card
from generator.render.label import LABEL_HEIGHT_PX, LABEL_WIDTH_PX, render_label_svg
from generator.render.publish import render_badge_svg
from generator.render.svg_text import text_width_px

SVG = "{http://www.w3.org/2000/svg}"
TOO_MANY_ZEROS = re.compile(r"(?<![\d.])\d*\.0{4,}")
E_NOTATION = re.compile(r"(?<![\w.])\d+(?:\.\d+)?[eE][+-]?\d+\b")
SOURCE = {"card": {"title": "Card", "url": "https://example.org", "year": 2024}}
CONDITIONS = {"hardware": "NVIDIA A100", "scope": "gpu", "includes_pue": False}
LONG_NAME = ("Extraordinarily-Long-Model-Name " * 7)[:200]


def unreadable_numbers(text: str) -> list[str]:
    """Numbers in `text` with more than 3 leading zeros, or in e-notation."""
    return TOO_MANY_ZEROS.findall(text) + E_NOTATION.findall(text)


def test_the_detector_finds_what_the_issue_saw() -> None:
    assert unreadable_numbers("0.0000007095 kWh, ticks 1e-7 and 0e+0") == [
        "0.000000",
        "1e-7",
        "0e+0",
    ]
    assert unreadable_numbers("2.55 J, 0.000123 g, 1,900 t, arXiv:2311.16863, b3e6e") == []


def _summary(name: str, kwh: float | None = None, g_co2e: float | None = None) -> CardSummary:
    inference: dict = {"conditions": CONDITIONS}
    if kwh is not None:
        inference["energy_kwh_per_1000_queries"] = {"value": kwh, "provenance": "measured"}
        inference["energy_kwh_per_1000_queries"] |= {"source": "card"}
    if g_co2e is not None:
        inference["emissions_g_co2e_per_1000_queries"] = {
            "value": g_co2e,
            "provenance": "reported",
            "source": "card",
        }
    card = {"id": "x", "name": name, "organization": "Org " * 30, "task": "text-generation"}
    card |= {"sources": SOURCE, "inference": inference}
    return summarize_card(Card.model_validate(card))


def _text_boxes(svg: str) -> list[tuple[str, float, float]]:
    """(text, left, right) of every text element, measured with the label's own metrics:
    tspans add their width (and dx) to the line; letter-spacing adds per character."""
    boxes = []
    for element in ET.fromstring(svg).iter(f"{SVG}text"):
        size = float(element.get("font-size", "11"))
        bold = element.get("font-weight") == "700"
        spacing = float(element.get("letter-spacing", "0"))
        text = element.text or ""
        width = text_width_px(text, size, bold) + spacing * len(text)
        for span in element.iter(f"{SVG}tspan"):
            span_size = float(span.get("font-size", size))
            span_bold = span.get("font-weight", element.get("font-weight")) == "700"
            width += float(span.get("dx", "0")) + text_width_px(
                span.text or "", span_size, span_bold
            )
            text += " " + (span.text or "")
        x = float(element.get("x", "0"))
        anchor = element.get("text-anchor") or _group_anchor(svg, element)
        left = x - width / 2 if anchor == "middle" else x
        boxes.append((text, left, left + width))
    return boxes


def _group_anchor(svg: str, element: ET.Element) -> str:
    root = ET.fromstring(svg)
    for group in root.iter(f"{SVG}g"):
        if any(child.text == element.text for child in group.iter(f"{SVG}text")):
            return group.get("text-anchor", "start")
    return "start"


@pytest.mark.parametrize(
    ("name", "kwh", "g_co2e"),
    [
        ("Tiny", 7e-10, None),
        ("Huge", 9e6, None),
        (LONG_NAME, 7e-10, None),
        (LONG_NAME, 9e6, None),
        ("Carbon only", None, 7e-10),
        ("Carbon only", None, 9e12),
        ("sklearn digits", 0.0000007095, None),
    ],
)
def test_every_label_text_lies_inside_its_frame(name: str, kwh: float, g_co2e: float) -> None:
    svg = render_label_svg(_summary(name, kwh, g_co2e))
    root = ET.fromstring(svg)
    assert (root.get("width"), root.get("height")) == (str(LABEL_WIDTH_PX), str(LABEL_HEIGHT_PX))
    for text, left, right in _text_boxes(svg):
        assert left >= 2 and right <= LABEL_WIDTH_PX - 2, (text, left, right)
    for element in root.iter(f"{SVG}text"):
        assert 0 < float(element.get("y", "0")) < LABEL_HEIGHT_PX
    shown = " ".join("".join(element.itertext()) for element in root.iter(f"{SVG}text"))
    assert unreadable_numbers(shown) == [], shown
    assert unreadable_numbers(root.get("aria-label") or "") == []


def test_label_figures_pick_their_unit() -> None:
    def figure(kwh: float | None = None, g: float | None = None) -> str:
        svg = ET.fromstring(render_label_svg(_summary("M", kwh, g)))
        big = [el for el in svg.iter(f"{SVG}text") if list(el.iter(f"{SVG}tspan"))]
        return " ".join(" ".join(big[0].itertext()).split())

    assert figure(0.0000007095) == "2.55 J"  # the sklearn label's 0.0000007095 kWh
    assert figure(7e-10) == "0.00252 J"
    assert figure(9e6) == "9 GWh"
    assert figure(0.104) == "104 Wh"
    assert figure(g=0.7) == "0.7 g CO₂e"
    assert figure(g=9e12) == "9,000 kt CO₂e"


def test_badges_read_plainly_at_the_extremes() -> None:
    for kwh in (7e-10, 9e6):
        title = ET.fromstring(render_badge_svg(_summary("M", kwh))).find(f"{SVG}title")
        assert title is not None and unreadable_numbers(title.text or "") == []
    assert "9 GWh/1k queries" in render_badge_svg(_summary("M", 9e6))


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL | re.IGNORECASE)
    alts = " ".join(re.findall(r'\salt="([^"]*)"', html))
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html) + " " + alts).split())


def test_no_page_shows_more_than_3_leading_zeros_or_e_notation(shipped_site: Path) -> None:
    # The card-format reference tells authors what they may type in YAML ("below 1e15").
    pages = sorted(p for p in shipped_site.rglob("*.html") if "reference" not in p.parts)
    assert len(pages) > 20
    found = {
        str(page.relative_to(shipped_site)): bad
        for page in pages
        if (bad := unreadable_numbers(_visible_text(page.read_text("utf-8"))))
    }
    assert found == {}


def test_no_label_badge_or_chart_tick_shows_them_either(shipped_site: Path) -> None:
    svgs = sorted(
        [*shipped_site.glob("labels/*.svg"), *shipped_site.glob("badges/*.svg")]
        + [*shipped_site.glob("charts/*.svg")]
    )
    assert any("charts" in str(p) for p in svgs) and any("labels" in str(p) for p in svgs)
    found = {}
    for path in svgs:
        root = ET.fromstring(path.read_text("utf-8"))
        texts = [" ".join(el.itertext()) for el in root.iter(f"{SVG}text")]
        texts += [root.get("aria-label") or ""]
        if bad := unreadable_numbers(" ".join(texts)):
            found[str(path.relative_to(shipped_site))] = bad
    assert found == {}


def test_sklearn_card_reads_in_joules_and_one_unit_per_table(shipped_site: Path) -> None:
    html = (shipped_site / "cards" / "sklearn-digits-logreg" / "index.html").read_text("utf-8")
    text = _visible_text(html)
    assert "0.0000007" not in text
    assert re.search(r"Energy per 1,000 queries \d\.\d+ J estimated", text), text[:3000]
    label = (shipped_site / "labels" / "sklearn-digits-logreg.svg").read_text("utf-8")
    assert ">2.55<tspan" in label or re.search(r">\d\.\d+<tspan[^>]*>J<", label)


def test_task_and_index_tables_use_one_emissions_unit(shipped_site: Path) -> None:
    for page in ("tasks/text-generation/index.html", "cards/index.html"):
        text = _visible_text((shipped_site / page).read_text("utf-8"))
        units = set(re.findall(r"\d (g|kg|t|kt) CO₂e", text))
        assert len(units) == 1, (page, units)
