"""Load and check stages together, and the gate: every card of a project, checked.

Takes a project (and optionally explicit card paths); gives the cards that passed the gate,
each with its card file and its measurement files as the loader parsed them, plus a report of
every problem found. A card with any error (a wrong type, an unknown source key, an id that
differs from its file name, a missing or unreadable measurement file) goes no further: it is
reported here and never computed, rendered or counted. Nothing here computes: turning the
measurement files into figures is the compute stage's job. Build and validate both start here,
so `validate` and `build` can never disagree.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.check.cards import check_card_ids, check_source_references, validate_card_data
from generator.formats.card import Card, MeasurementFile
from generator.formats.rating_reference import RatingReference
from generator.load.cards import CardFile, find_card_files, read_card_file
from generator.load.docs import leaves_project, outside_project_problem
from generator.load.grid import GridData, read_grid_data
from generator.load.measurement_files import MeasurementData, read_measurement_file
from generator.load.measurement_paths import locate_measurement_files
from generator.load.ratings import read_rating_reference
from generator.problems import Location, Problem, Report, Severity, relative_path
from generator.project import Project


@dataclass(frozen=True)
class LoadedCard:
    """A card that passed the gate: no error in it, in its id, or in its measurement files.

    It keeps its file's path, not the `CardFile`: the positions of every key are only needed
    to locate problems, all found by now, and at 10,000 cards they were most of the memory.
    """

    card: Card
    display_path: str  # the card file, as problems name it
    measurements: tuple[tuple[MeasurementFile, MeasurementData], ...] = ()


@dataclass
class Gathered:
    """The cards that passed the gate (sorted by id), every problem, and the rating reference."""

    cards: list[LoadedCard]
    report: Report
    reference: RatingReference | None = None


def _has_errors(problems: Sequence[Problem]) -> bool:
    return any(p.severity is Severity.ERROR for p in problems)


def _expand_paths(project: Project, paths: Sequence[Path]) -> tuple[list[Path], list[Problem]]:
    files, problems = [], []
    for path in paths:
        if path.is_dir():
            found = find_card_files(path)
            if not found:
                problems.append(
                    Problem(
                        Location(relative_path(path, project.root)),
                        "no-cards",
                        "expected .yaml card files in this folder, found none",
                        severity=Severity.WARNING,
                    )
                )
            files.extend(found)
        elif path.suffix in (".yaml", ".yml"):
            files.append(path)
        else:
            problems.append(
                Problem(
                    Location(relative_path(path, project.root)),
                    "not-a-card-file",
                    f"expected a .yaml card file, got '{path.name}'",
                )
            )
    return files, problems


def _card_paths(project: Project, paths: Sequence[Path] | None) -> tuple[list[Path], list[Problem]]:
    """The card files to check: those given, or every card of the project's cards/."""
    if paths:
        return _expand_paths(project, paths)
    files = find_card_files(project.cards_dir)
    if files:
        return files, []
    return [], [
        Problem(
            Location(relative_path(project.cards_dir, project.root)),
            "no-cards",
            "expected .yaml card files in this folder, found none",
            severity=Severity.WARNING,
            hint="create one with `energy-cards new <id>`",
        )
    ]


def _refuse_links_leaving_project(
    project: Project, files: Sequence[Path]
) -> tuple[list[Path], list[Problem]]:
    """The card files to read, and a `file-outside-project` problem for each one in the project
    that is a link to a file outside it (never read, so no message can show its content)."""
    kept, problems = [], []
    root = project.root.absolute()
    for path in files:
        if path.absolute().is_relative_to(root) and leaves_project(path, project.root):
            problems.append(outside_project_problem(path, project.root))
        else:
            kept.append(path)
    return kept, problems


def gather_cards(
    project: Project,
    paths: Sequence[Path] | None = None,
    *,
    grid: GridData | None = None,
    memo: dict | None = None,
) -> Gathered:
    """Read and check cards and their measurement files; problems are collected, never raised.

    Args:
        project: The project to read.
        paths: Card files or folders of cards to check (default: the project's cards/).
        grid: The grid intensity table cards' zones are checked against (default: the one
            CodeCarbon ships, read here).
        memo: A dict the caller keeps between runs (the live preview): a card file whose
            size and modification time are unchanged is not parsed and checked again.

    Returns:
        The cards with no error (sorted by id), the report, and the rating reference.
    """
    report = Report()
    grid = grid if grid is not None else read_grid_data()
    files, problems = _card_paths(project, paths)
    report.extend(problems)
    files, refused = _refuse_links_leaving_project(project, files)
    report.extend(refused)
    report.cards_checked += len(refused)
    # One card file at a time: its key positions are dropped once it is checked (only its id's
    # are kept, for the id checks across files), so memory holds checked cards, not files.
    id_files: list[CardFile] = []
    checked: list[tuple[LoadedCard | None, bool, str]] = []
    for path in dict.fromkeys(files):
        card_file, problems = _read_card(path, project.root, grid, memo)
        report.extend(problems)
        report.cards_checked += 1
        card, more = _check_card(project, card_file, report, grid, memo)
        checked.append((card, _has_errors(problems + more), card_file.display_path))
        id_files.append(card_file.id_only())
    id_problems = check_card_ids(id_files)
    refused_ids = {problem.location.path for problem in id_problems}
    loaded = [
        card
        for card, failed, display_path in checked
        if card is not None and not failed and display_path not in refused_ids
    ]
    report.extend(id_problems)
    reference, problems = read_rating_reference(project.root)
    report.extend(problems)
    return Gathered(sorted(loaded, key=lambda c: c.card.id), report, reference)


def _file_key(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except (OSError, ValueError):
        return None  # the reader reports it
    return (info.st_mtime_ns, info.st_size)


def _remembered(memo: dict | None, kind: str, path: Path | None, grid: GridData, make):
    """`make()`, or what it gave last time for this unchanged file and grid table.

    One entry per file and kind, so the memo does not grow as a file is edited.
    """
    key = _file_key(path) if memo is not None and path is not None else None
    if key is None or memo is None:
        return make()
    stamp = (key, id(grid))
    known = memo.get((kind, str(path)))
    if known is None or known[0] != stamp:
        known = memo[(kind, str(path))] = (stamp, make())
    return known[1]


def _read_card(
    path: Path, project_root: Path, grid: GridData, memo: dict | None
) -> tuple[CardFile, list[Problem]]:
    """`read_card_file`, from `memo` when the file is unchanged since it was last read."""
    card_file, problems = _remembered(
        memo, "read", path, grid, lambda: read_card_file(path, project_root)
    )
    return card_file, list(problems)


def _validated(
    card_file: CardFile, grid: GridData, memo: dict | None
) -> tuple[Card | None, list[Problem]]:
    """The card checked against the format and its source references (memoized like reads:
    both depend on the file and the grid table alone)."""

    def check() -> tuple[Card | None, list[Problem]]:
        card, problems = validate_card_data(card_file, grid)
        return card, problems + check_source_references(card_file)

    card, problems = _remembered(memo, "check", card_file.path, grid, check)
    return card, list(problems)


def _check_card(
    project: Project,
    card_file: CardFile,
    report: Report,
    grid: GridData,
    memo: dict | None = None,
) -> tuple[LoadedCard | None, list[Problem]]:
    """One card checked and its measurement files read (None when the card itself is invalid).

    The problems are added to `report` and returned, so the caller can apply the gate.
    """
    card, problems = _validated(card_file, grid, memo)
    loaded = None
    if card is not None:
        measurements, more = _read_measurements(project, card, card_file, report)
        problems += more
        loaded = LoadedCard(card, card_file.display_path, measurements)
    report.extend(problems)
    return loaded, problems


def _read_measurements(
    project: Project, card: Card, card_file: CardFile, report: Report
) -> tuple[tuple[tuple[MeasurementFile, MeasurementData], ...], list[Problem]]:
    """The card's measurement files as parsed (those readable), and their problems."""
    paths, problems = locate_measurement_files(card, card_file, project.root)
    refs = card.inference.measurements if card.inference else []
    by_path = {Path(os.path.realpath(project.root / ref.path)): ref for ref in refs}
    measurements = []
    for path in paths:
        ref = by_path[path]
        display_path = relative_path(path, project.root)
        data, more = read_measurement_file(path, display_path, ref.format, ref.layout)
        problems += more
        report.files_checked += 1
        if data is not None:
            measurements.append((ref, data))
    return tuple(measurements), problems
