"""Render stage for imported leaderboard cards: card data -> the card file's YAML text.

The text opens with the import marker (`load/leaderboard_draft.IMPORT_MARKER`), which tells a
later `--update` that the file is the importer's to rewrite; hand-written cards never carry it.
Keys keep the card format's order; output is deterministic.
"""

from __future__ import annotations

from typing import Any

import yaml


class _NoAliases(yaml.SafeDumper):
    """Repeat shared values (the reference configuration's) instead of YAML anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def render_leaderboard_card(card: dict[str, Any], marker: str, command: str) -> str:
    """The YAML text of an imported card, with a header saying how it was made."""
    header = [
        marker,
        f"# Written by `{command}` from published leaderboard files (each figure cites its",
        "# file, commit and place). `--update` rewrites this file: to edit it by hand, delete",
        "# the first line, and the importer will then leave it alone.",
        "",
    ]
    body = yaml.dump(card, Dumper=_NoAliases, sort_keys=False, allow_unicode=True, width=100)
    return "\n".join(header) + body
