"""Render stage (pure text): finish a static chart SVG so a reader can point at its marks.

Takes the SVG vl-convert wrote for a spec from `generator.render.charts` (marks carry an
`href` and a `description` encoding); gives the same SVG where each linked mark names its model
on hover (an SVG `<title>`), opens its card in the whole window (`target="_top"`, as charts are
embedded with `<object>`), and has an id (`card-<card id>`) that a page can point at with a URL
fragment (`chart.svg#card-llama-3-8b`) to highlight it, through the `:target` rule below.
No script: the SVG stays a picture that happens to hold links.
"""

from __future__ import annotations

import re

# vl-convert resolves a relative href against its loader's default base URL; links are
# relative to the chart file (charts/<name>.svg), so that prefix is taken off again.
_LOADER_BASE = "https://vega.github.io/vega-datasets/"
_LINKED_MARK = re.compile(
    r'<a xlink:href="(?:' + re.escape(_LOADER_BASE) + r')?(?P<url>[^"]*)">'
    r'<path aria-label="(?P<label>[^"]*)"'
)
_CARD_URL = re.compile(r"\.\./cards/(?P<id>[a-z0-9][a-z0-9-]*)/$")
# A transparent canvas under a dark page too (an embedded document of another colour scheme
# gets an opaque one); the page's dark scheme inverts the chart (stylesheets/extra.css).
BASE_STYLE = "<style>svg{color-scheme:light dark}</style>"
# Hover gives a ring; the targeted card (its own page) a thick ring while the others fade.
MARK_STYLE = (
    "<style>svg{color-scheme:light dark}a{cursor:pointer}"
    "a:hover path,a:focus path{stroke:#111;stroke-width:2px}"
    "a:target path{stroke:#c2185b;stroke-width:4px;opacity:1}"
    "svg:has(a:target) a:not(:target) path{opacity:.5}</style>"
)


def _linked(match: re.Match[str]) -> str:
    url, label = match["url"], match["label"]
    card = _CARD_URL.search(url)
    anchor = f' id="card-{card["id"]}"' if card else ""
    return (
        f'<a xlink:href="{url}" target="_top"{anchor}><title>{label}</title>'
        f'<path aria-label="{label}"'
    )


def link_chart_marks(svg: str) -> str:
    """The SVG with every linked mark titled, opening in the top window, and targetable; the
    style for hover and `:target` added once, when any mark is linked (else a base style)."""
    svg, count = _LINKED_MARK.subn(_linked, svg)
    end = svg.index(">", svg.index("<svg")) + 1
    return svg[:end] + (MARK_STYLE if count else BASE_STYLE) + svg[end:]
