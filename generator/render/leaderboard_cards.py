"""Render stage for imported leaderboard cards: card data -> the card file's YAML text.

The text opens with the import marker (`load/leaderboard_draft.IMPORT_MARKER`), which tells a
later `--update` that the file is the importer's to rewrite; hand-written cards never carry it.
Keys keep the card format's order; output is deterministic.
"""

from __future__ import annotations

import re
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


def render_hand_written_merge(
    text: str, sources: dict[str, Any], inference: dict[str, Any], markers: tuple[str, ...]
) -> str | None:
    """A hand-written card's text (without a previous import block) with the imported sources
    inside its `sources:` mapping and the imported `inference:` at the end, each between the
    importer's marker lines (`markers`: sources begin and end, inference begin and end).
    None when the card has no block-style `sources:` line to add to."""
    sources_begin, sources_end, inference_begin, inference_end = markers
    lines = text.splitlines(keepends=True)
    at = next(
        (i for i, line in enumerate(lines) if re.fullmatch(r"sources:[ \t]*(#.*)?\n?", line)),
        None,
    )
    if at is None:
        return None
    following = next(
        (line for line in lines[at + 1 :] if line.strip() and not line.lstrip().startswith("#")),
        "  ",
    )
    indent = " " * max(len(following) - len(following.lstrip(" ")), 2)
    dumped = yaml.dump(sources, Dumper=_NoAliases, sort_keys=False, allow_unicode=True, width=100)
    block = [f"{indent}{sources_begin}\n"]
    block += [f"{indent}{line}\n" for line in dumped.splitlines()]
    block.append(f"{indent}{sources_end}\n")
    merged = "".join([*lines[: at + 1], *block, *lines[at + 1 :]])
    if not merged.endswith("\n"):
        merged += "\n"
    body = yaml.dump(
        {"inference": inference}, Dumper=_NoAliases, sort_keys=False, allow_unicode=True, width=100
    )
    return f"{merged}\n{inference_begin}\n{body}{inference_end}\n"
