"""Render stage for open data: the rows of every card as data/cards.json and data/cards.csv.

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


def cards_csv(rows: Sequence[dict[str, Any]]) -> str:
    """CSV with a header; empty cells for unknown values; spreadsheet formulas neutralised."""
    return csv_text([key for key, _ in COLUMNS], ([row[key] for key, _ in COLUMNS] for row in rows))
