"""`energy-cards import boamps`: draft a card from a BoAmps energy report (Boavizta's JSON).

Reads and drafts with `generator.load.boamps` (report JSON -> card data and problems), renders
the draft from `templates/imported_boamps_card.yaml.j2` and writes cards/<id>.yaml through the
never-overwriting writer `import-hf` uses too (`generator.site.drafts`).
`import_boamps_report` runs the three for the CLI.
"""

from __future__ import annotations

from pathlib import Path

from generator.load.boamps import read_boamps_report
from generator.load.boamps_draft import draft_card_from_report
from generator.problems import Problem, Severity
from generator.site.drafts import DraftError, check_card_id, write_imported_card

TEMPLATE = "imported_boamps_card.yaml.j2"

ImportDraftError = DraftError  # the writer's refusal (bad --id, file exists)


def import_boamps_report(
    project_root: Path, report_path: Path, card_id: str | None
) -> tuple[Path | None, list[Problem]]:
    """Read a BoAmps report, draft a card, write it unless there are errors.

    Returns the written path (None when errors stopped it) and every problem found. Raises
    ImportDraftError for a bad --id, or when the card file already exists.
    """
    if card_id is not None:
        check_card_id(card_id)
    report_file, problems = read_boamps_report(report_path)
    if report_file is None:
        return None, problems
    data, drafted = draft_card_from_report(report_file, card_id)
    problems += drafted
    if any(p.severity is Severity.ERROR for p in problems):
        return None, problems
    path = write_imported_card(
        project_root,
        data,
        data["id"],
        imported_from=report_file.display_path,
        problems=problems,
        template=TEMPLATE,
    )
    return path, problems
