"""Load stage for BoAmps energy reports: a report JSON file -> `ReportFile` + problems.

`read_boamps_report` reads the file (within the size limit), parses the JSON, and checks it
against the BoAmps format (`generator.formats.boamps`), every problem located at line and
column: JSON is YAML, so the YAML reader gives each key's position. Drafting a card from the
report is `generator.load.boamps_draft`; `energy-cards import boamps` writes the draft.

Problem code this module adds: `bad-json` (the file is not JSON).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from generator.formats.boamps import BoampsReport
from generator.load.cards import CardFile, KeyPath, parse_card_text
from generator.load.files import read_limited_text
from generator.load.validation import has_errors, validate_marked
from generator.problems import Location, Problem


@dataclass
class ReportFile:
    """A BoAmps report as read: the record and where each key sits in the file."""

    display_path: str
    report: BoampsReport
    marked: CardFile

    def location(self, key_path: KeyPath = ()) -> Location:
        return self.marked.location(key_path)


def read_boamps_report(
    path: Path, display_path: str | None = None
) -> tuple[ReportFile | None, list[Problem]]:
    """Read a BoAmps report JSON file: the report (None on any error) and located problems."""
    shown = display_path or path.as_posix()
    text, problems = read_limited_text(path, shown)
    if text is None:
        return None, problems
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        message = f"expected a BoAmps report (JSON), got invalid JSON: {error.msg}"
        hint = "BoAmps reports are JSON files such as CodeCarbon (3.2.6+) writes"
        return None, [
            Problem(Location(shown, error.lineno, error.colno), "bad-json", message, hint=hint)
        ]
    # JSON is YAML: the YAML reader gives each key's line and column (and duplicate keys).
    marked, problems = parse_card_text(text, path, shown, empty_hint="")
    if marked.data is None:  # JSON that YAML refuses (tabs): positions unknown
        marked, problems = CardFile(path, shown), []
    marked.data = data
    report, more = validate_marked(marked, BoampsReport, format_name="the BoAmps report format")
    problems += more
    if report is None or has_errors(problems):
        return None, problems
    return ReportFile(shown, report, marked), problems
