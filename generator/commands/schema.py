"""Side command `energy-cards schema`: the card JSON Schema, printed, written or checked.

The schema is generated from the pydantic card model (`formats/card.py`) and committed as
`generator/data/card.schema.json` (editors autocomplete cards from it; the site publishes
it). It is the generator's, the same for every project.
"""

from __future__ import annotations

from pathlib import Path

from generator.formats.card import COMMITTED_SCHEMA_PATH, card_json_schema_text


def stale_schema_message() -> str | None:
    """Why the committed schema differs from the model, or None when it is up to date."""
    if COMMITTED_SCHEMA_PATH.read_text(encoding="utf-8") == card_json_schema_text():
        return None
    return f"{COMMITTED_SCHEMA_PATH} is out of date: run `energy-cards schema --write`"


def write_schema() -> Path:
    """Write the schema generated from the model over the committed one; give its path."""
    COMMITTED_SCHEMA_PATH.write_text(card_json_schema_text(), encoding="utf-8")
    return COMMITTED_SCHEMA_PATH
