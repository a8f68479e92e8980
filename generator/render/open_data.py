"""Render stage for open data: the rows of every card as data/cards.json and data/cards.csv.

Pure: takes rows from `generator.compute.open_data` (keys in `generator.formats.open_data`
column order); gives text.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from generator.formats.open_data import COLUMNS


def cards_json(
    rows: Sequence[dict[str, Any]], conditions: dict[str, dict[str, str]] | None = None
) -> str:
    """The JSON document: the column keys, one object per card, then each card's comparison
    conditions by card id (what the compare page checks before pairing figures)."""
    document = {
        "columns": [k for k, _ in COLUMNS],
        "cards": list(rows),
        "comparison_conditions": conditions or {},
    }
    return json.dumps(document, indent=1) + "\n"


def cards_csv(rows: Sequence[dict[str, Any]]) -> str:
    """CSV with a header; empty cells for unknown values; spreadsheet formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([key for key, _ in COLUMNS])
    for row in rows:
        writer.writerow([_csv_cell(row[key]) for key, _ in COLUMNS])
    return buffer.getvalue()


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    # A cell starting with = + - @ runs as a formula in spreadsheets: prefix a quote.
    if isinstance(value, str) and text[:1] in ("=", "+", "-", "@"):
        return "'" + text
    return text
