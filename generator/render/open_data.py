"""Render stage for open data: the rows of every card as data/cards.json and data/cards.csv,
and the same rows split for the compare page (`compare_files`).

Pure: takes rows from `generator.compute.open_data` (keys in `generator.formats.open_data`
column order); gives text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from generator.formats.open_data import COLUMNS, DATA_LICENSE
from generator.render.escaping import csv_text


def cards_json(
    rows: Sequence[dict[str, Any]], conditions: dict[str, dict[str, str]] | None = None
) -> str:
    """The JSON document: its licence, the column keys, one object per card, then each card's
    comparison conditions by card id (what the compare page checks before pairing figures)."""
    document = {
        "license": DATA_LICENSE,
        "columns": [k for k, _ in COLUMNS],
        "cards": list(rows),
        "comparison_conditions": conditions or {},
    }
    return json.dumps(document, indent=1) + "\n"


COMPARE_INDEX_PATH = "data/compare/index.json"
COMPARE_SHARD_CARDS = 100  # rows per shard: a 3-card comparison loads at most 3 x ~100 rows


def compare_shard_path(number: int) -> str:
    return f"data/compare/{number}.json"


def compare_paths(card_count: int) -> set[str]:
    """Every path `compare_files` writes for that many cards (known before rendering)."""
    shards = -(-card_count // COMPARE_SHARD_CARDS)
    return {COMPARE_INDEX_PATH, *(compare_shard_path(n) for n in range(shards))}


def compare_files(
    rows: Sequence[dict[str, Any]], conditions: dict[str, dict[str, str]]
) -> dict[str, str]:
    """The compare page's data, split so a comparison loads little at any registry size: an
    index of every card (id, name, organization, shard) for the picker, and the open-data rows
    with their comparison conditions in shards of `COMPARE_SHARD_CARDS`, in `rows` order (by
    card id). data/cards.json keeps everything in one file for people and tools."""
    compact = {"separators": (",", ":"), "ensure_ascii": False}
    index: list[list[Any]] = []
    files: dict[str, str] = {}
    for number, start in enumerate(range(0, len(rows), COMPARE_SHARD_CARDS)):
        shard = list(rows[start : start + COMPARE_SHARD_CARDS])
        index += [[row["id"], row["name"], row["organization"], number] for row in shard]
        document = {
            "cards": shard,
            "comparison_conditions": {
                row["id"]: conditions[row["id"]] for row in shard if row["id"] in conditions
            },
        }
        files[compare_shard_path(number)] = json.dumps(document, **compact) + "\n"
    files[COMPARE_INDEX_PATH] = (
        json.dumps(
            {
                "license": DATA_LICENSE,
                "columns": ["id", "name", "organization", "shard"],
                "cards": index,
            },
            **compact,
        )
        + "\n"
    )
    return files


def cards_csv(rows: Sequence[dict[str, Any]]) -> str:
    """CSV with a header; empty cells for unknown values; spreadsheet formulas neutralised."""
    return csv_text([key for key, _ in COLUMNS], ([row[key] for key, _ in COLUMNS] for row in rows))
