"""Escaping card text for Markdown, and display words for the card vocabulary.

Shared by the page renderer and the publishing kit, so both escape card text the same way.
"""

from __future__ import annotations

import html
import re
from typing import Any

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
