"""Escaping card text for Markdown, YAML and CSV, and display words for the card vocabulary.

Shared by the page renderer, the publishing kit, the chart data and the open data, so all
escape card text the same way.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from generator.compute.ratings import STARS
from generator.formats.card import EnergyScope

# Python-Markdown's backslash escapes (`|` comes from the tables extension); <, >, & become
# HTML entities in escape_markdown, since Markdown passes raw HTML through.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")

SCOPE_LABELS = {
    EnergyScope.GPU: "GPU only",
    EnergyScope.CPU: "CPU only",
    EnergyScope.CPU_RAM: "CPU and RAM",
    EnergyScope.GPU_CPU_RAM: "GPU, CPU and RAM",
    EnergyScope.WHOLE_NODE: "whole node (at the plug)",
    EnergyScope.NOT_STATED: "not stated by the source",
}


def escape_markdown(value: Any) -> str:
    """Text that renders as itself in Markdown and in the HTML Markdown produces."""
    # Backslash-escape Markdown first, then turn <, >, & and quotes into entities (whose `#`
    # must not be escaped again).
    return html.escape(_MARKDOWN_SPECIAL.sub(r"\\\1", str(value)), quote=True)


# Escapes that Markdown needs only at the start of a line or never in running text; an
# exported section (a model card's README) reads better without them. Kept: \[ \] \* \` \|
# \< and others that could make markup anywhere.
_NEEDLESS_ESCAPE = re.compile(r"\\([().{}+!-])(?!\\?\[)|(?<=\w)\\(_)(?=\w)")
_NEEDLESS_ENTITY = {"&#x27;": "'", "&quot;": '"', "&gt;": ">"}


def plain_markdown(text: str) -> str:
    r"""Markdown escaped by `escape_markdown`, with the escapes running text never needs taken
    off again (`\(`, `\-`, `\.`, `text\_generation`, `&#x27;`), for Markdown people read
    as text: links, emphasis, code, tables and HTML stay escaped."""
    text = _NEEDLESS_ESCAPE.sub(lambda m: m[1] or m[2], text)
    for entity, char in _NEEDLESS_ENTITY.items():
        text = text.replace(entity, char)
    return text


def stars_text(count: int) -> str:
    """A rating as filled and empty stars, e.g. ★★★☆☆ for 3."""
    return "★" * count + "☆" * (STARS - count)


# Characters YAML may not hold unescaped (outside its printable set), and the byte-order mark.
_NOT_YAML_PRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


def yaml_scalar(value: Any, *, html_safe: bool = False) -> str:
    """A YAML 1.1 scalar that reads back as `value`: strings double-quoted (JSON strings are
    YAML), floats with a point before any exponent (YAML 1.1 reads `1e-05` as text).

    With `html_safe`, <, > and & are \\u-escaped too, so the text is inert wherever it is
    pasted or embedded.
    """
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        text = _NOT_YAML_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
        if html_safe:
            text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        return text
    if isinstance(value, float):
        text = repr(value)
        mantissa, _, exponent = text.partition("e")
        return f"{mantissa}.0e{exponent}" if exponent and "." not in mantissa else text
    return json.dumps(value)


def yaml_comment(text: Any) -> str:
    """Text made safe for one YAML comment line."""
    return yaml_scalar(" ".join(str(text).split()))[1:-1]


# A cell starting with one of these runs as a formula in spreadsheets ("CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """One CSV cell: empty for None, true/false for booleans, numbers as Python writes them,
    and text that starts like a spreadsheet formula prefixed with a quote, so it stays text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if not isinstance(value, str):
        return str(value)
    text = str.__str__(value)  # the text itself, also for a str-valued enum
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_text(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    """A CSV document (header, then rows; "\n" line ends), every cell through `csv_cell`.

    Every CSV the site writes comes from here, so none can carry a live spreadsheet formula.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([csv_cell(cell) for cell in header])
    writer.writerows([csv_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()
