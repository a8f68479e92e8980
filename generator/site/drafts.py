"""Writer of drafted cards, for the import commands: card data -> cards/<id>.yaml, never
overwriting.

Takes the card data a loader drafted (`load/hf_model_card.py`, `load/boamps_draft.py`) and the
problems found, renders the draft from a template (one per kind of source) with a comment
header listing those problems, and writes it with mode "x": an existing card is never
replaced. Shared by `energy-cards import-hf` and `energy-cards import boamps`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from generator.formats.card import CARD_ID_PATTERN, COMMITTED_SCHEMA_PATH, Task
from generator.problems import Problem
from generator.project import Project
from generator.render.environment import render_template


class DraftError(Exception):
    """The draft cannot be written (bad --id or --repo-id, file exists)."""


def render_imported_card(
    card_data: dict[str, Any],
    imported_from: str,
    schema_path: str,
    problems: Sequence[Problem],
    template: str = "imported_card.yaml.j2",
) -> str:
    """The YAML text of a drafted card, with a comment header (`template` per source kind)."""
    return render_template(
        template,
        card=card_data,
        imported_from=imported_from,
        schema_path=schema_path,
        problems=problems,
        tasks=[task.value for task in Task],
    )


def check_card_id(card_id: str) -> None:
    """Refuse an id that is not lowercase letters, digits and single hyphens."""
    if not re.fullmatch(CARD_ID_PATTERN, card_id):
        raise DraftError(
            f"expected an id of lowercase letters, digits and single hyphens "
            f"(e.g. llama-3-70b), got '{card_id}'; give one with --id"
        )


def write_imported_card(
    project_root: Path,
    card_data: dict[str, Any],
    card_id: str,
    *,
    imported_from: str,
    problems: Sequence[Problem] = (),
    template: str = "imported_card.yaml.j2",
) -> Path:
    """Write cards/<card_id>.yaml; refuse a bad id, an id unlike the data's or an existing file.

    The problems (warnings) are listed in the file's header, for the contributor to check;
    `template` renders the draft (one per kind of source: Hugging Face, BoAmps).
    """
    check_card_id(card_id)
    if card_data.get("id") != card_id:
        raise DraftError(f"expected card data with id '{card_id}', got '{card_data.get('id')}'")
    project = Project(project_root)
    path = project.cards_dir / f"{card_id}.yaml"
    existing = [p for p in (path, path.with_suffix(".yml")) if p.exists()]
    if existing:
        raise DraftError(f"cards/{existing[0].name} already exists; not overwriting it")
    project.cards_dir.mkdir(parents=True, exist_ok=True)
    in_repo = project.root / "generator" / "data" / COMMITTED_SCHEMA_PATH.name
    schema_file = in_repo if in_repo.is_file() else COMMITTED_SCHEMA_PATH
    schema_path = Path(os.path.relpath(schema_file, project.cards_dir)).as_posix()
    text = render_imported_card(card_data, imported_from, schema_path, problems, template)
    with path.open("x", encoding="utf-8") as handle:  # "x": fail rather than overwrite
        handle.write(text)
    return path


def write_leaderboard_card(
    path: Path, text: str, marker: str, outside_block: Callable[[str], str]
) -> None:
    """Write an imported card: a new file, one the importer wrote before (its first line is
    `marker`), or a hand-written card whose text outside the importer's marked block
    (`outside_block`) stays as it is; any other change to a hand-written card is refused.
    Atomic: a temporary file renamed over."""
    if path.exists():
        current = path.read_text(encoding="utf-8")
        own = current.split("\n", 1)[0] == marker
        if not own and outside_block(current).rstrip() != outside_block(text).rstrip():
            raise DraftError(f"cards/{path.name} is hand-written; not overwriting it")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
