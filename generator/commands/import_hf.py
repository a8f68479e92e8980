"""`energy-cards import-hf`: draft a card from a Hugging Face model card's YAML front matter.

Reads and drafts with `generator.load.hf_model_card` (README.md -> card data and problems),
renders the draft from `templates/imported_card.yaml.j2` and writes cards/<id>.yaml, never
overwriting (`generator.site.drafts`, shared with `import boamps`). `import_model_card` runs
the three for the CLI.
"""

from __future__ import annotations

import re
from pathlib import Path

from generator.load.hf_model_card import draft_card, read_model_card
from generator.problems import Problem, Severity
from generator.site.drafts import (  # re-exported: import-hf's writer is the drafts writer
    DraftError,
    check_card_id,
    render_imported_card,
    write_imported_card,
)

REPO_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$"


ImportHfError = DraftError  # a draft that cannot be written (bad --id, file exists)


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
        check_card_id(card_id)
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


__all__ = [
    "REPO_ID_PATTERN",
    "ImportHfError",
    "check_card_id",
    "import_model_card",
    "render_imported_card",
    "write_imported_card",
]
