"""Escaping card text for Markdown and YAML, and display words for the card vocabulary.

Shared by the page renderer and the publishing kit, so both escape card text the same way.
"""

from __future__ import annotations

import html
import json
import re
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
