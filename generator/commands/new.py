"""`energy-cards new`: write a commented card template; never overwrite.

Writes one file (cards/<id>.yaml) from `templates/card.yaml.j2`. The placeholders are written
as "<...>" strings, which validation rejects with a `placeholder` problem until filled.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from generator.formats.card import CARD_ID_PATTERN, COMMITTED_SCHEMA_PATH, EnergyScope, Task
from generator.project import Project
from generator.render.environment import render_template


class ScaffoldError(Exception):
    """The template cannot be written (bad id, file exists)."""


def render_card_template(card_id: str, schema_path: str) -> str:
    """The template text for a new card."""
    return render_template(
        "card.yaml.j2",
        card_id=card_id,
        schema_path=schema_path,
        tasks=[task.value for task in Task],
        scopes=[scope.value for scope in EnergyScope],
    )


def write_card_template(project: Project, card_id: str) -> Path:
    """Write cards/<card_id>.yaml; refuse a bad id or an existing file."""
    if not re.fullmatch(CARD_ID_PATTERN, card_id):
        raise ScaffoldError(
            f"expected an id of lowercase letters, digits and single hyphens "
            f"(e.g. llama-3-70b), got '{card_id}'"
        )
    path = project.cards_dir / f"{card_id}.yaml"
    existing = [p for p in (path, path.with_suffix(".yml")) if p.exists()]
    if existing:
        shown = existing[0].relative_to(project.root).as_posix()
        raise ScaffoldError(f"{shown} already exists; not overwriting it")
    project.cards_dir.mkdir(parents=True, exist_ok=True)
    # Inside a checkout of this repository the schema has a stable relative path; elsewhere
    # point at the installed package's copy.
    in_repo = project.root / "generator" / "data" / COMMITTED_SCHEMA_PATH.name
    schema_file = in_repo if in_repo.is_file() else COMMITTED_SCHEMA_PATH
    schema_path = Path(os.path.relpath(schema_file, project.cards_dir)).as_posix()
    text = render_card_template(card_id, schema_path)
    with path.open("x", encoding="utf-8") as handle:  # "x": fail rather than overwrite
        handle.write(text)
    return path
