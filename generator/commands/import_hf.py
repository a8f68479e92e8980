"""`energy-cards import-hf`: draft a card from a Hugging Face model card's YAML front matter.

Reads and drafts with `generator.load.hf_model_card` (README.md -> card data and problems),
renders the draft from `templates/imported_card.yaml.j2` and writes cards/<id>.yaml, never
overwriting. `import_model_card` runs the three for the CLI.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from generator.formats.card import CARD_ID_PATTERN, COMMITTED_SCHEMA_PATH, Task
from generator.load.hf_model_card import draft_card, read_model_card
from generator.problems import Problem, Severity
from generator.project import Project
from generator.render.environment import render_template

REPO_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$"


class ImportHfError(Exception):
    """The draft cannot be written (bad --id or --repo-id, file exists)."""


def render_imported_card(
    card_data: dict[str, Any], imported_from: str, schema_path: str, problems: Sequence[Problem]
) -> str:
    """The YAML text of a drafted card, with a comment header."""
    return render_template(
        "imported_card.yaml.j2",
        card=card_data,
        imported_from=imported_from,
        schema_path=schema_path,
        problems=problems,
        tasks=[task.value for task in Task],
    )


def _check_id(card_id: str) -> None:
    if not re.fullmatch(CARD_ID_PATTERN, card_id):
        raise ImportHfError(
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
) -> Path:
    """Write cards/<card_id>.yaml; refuse a bad id, an id unlike the data's or an existing file.

    The problems (warnings) are listed in the file's header, for the contributor to check.
    """
    _check_id(card_id)
    if card_data.get("id") != card_id:
        raise ImportHfError(f"expected card data with id '{card_id}', got '{card_data.get('id')}'")
    project = Project(project_root)
    path = project.cards_dir / f"{card_id}.yaml"
    existing = [p for p in (path, path.with_suffix(".yml")) if p.exists()]
    if existing:
        raise ImportHfError(f"cards/{existing[0].name} already exists; not overwriting it")
    project.cards_dir.mkdir(parents=True, exist_ok=True)
    in_repo = project.root / "generator" / "data" / COMMITTED_SCHEMA_PATH.name
    schema_file = in_repo if in_repo.is_file() else COMMITTED_SCHEMA_PATH
    schema_path = Path(os.path.relpath(schema_file, project.cards_dir)).as_posix()
    text = render_imported_card(card_data, imported_from, schema_path, problems)
    with path.open("x", encoding="utf-8") as handle:  # "x": fail rather than overwrite
        handle.write(text)
    return path


def import_model_card(
    project_root: Path, readme: Path, card_id: str | None, repo_id: str | None
) -> tuple[Path | None, list[Problem]]:
    """Read a model card, draft a card, write it unless there are errors.

    Returns the written path (None when errors stopped it) and every problem found. Raises
    ImportHfError for a bad --id or --repo-id, or when the card file already exists.
    """
    if repo_id is not None and not re.fullmatch(REPO_ID_PATTERN, repo_id):
        raise ImportHfError(
            f"expected --repo-id as ORG/NAME (e.g. openai/whisper-large-v3), got '{repo_id}'"
        )
    if card_id is not None:
        _check_id(card_id)
    card, problems = read_model_card(readme)
    if card is None:
        return None, problems
    data, drafted = draft_card(card, card_id, repo_id)
    problems += drafted
    if any(p.severity is Severity.ERROR for p in problems):
        return None, problems
    path = write_imported_card(
        project_root, data, data["id"], imported_from=card.display_path, problems=problems
    )
    return path, problems
