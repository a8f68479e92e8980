"""Load and validate stages together: every card of a project, checked, with all problems.

Takes a project (and optionally explicit card paths); gives valid cards and a report. Build
and validate both start here, so `validate` and `build` can never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generator.check.cards import check_card_ids, check_source_references, validate_card_data
from generator.compute.measured_runs import MeasuredInference, measure_inference
from generator.compute.ratings import RatingReference
from generator.formats.card import Card, MeasurementFile
from generator.load.cards import CardFile, find_card_files, read_card_file
from generator.load.factors import Factor, read_factors
from generator.load.grid import read_grid_data
from generator.load.measurement_files import MeasurementData, read_measurement_file
from generator.load.measurement_paths import locate_measurement_files
from generator.load.ratings import read_rating_reference
from generator.problems import Location, Problem, Report, Severity, relative_path
from generator.project import Project


@dataclass
class LoadedCard:
    card: Card
    file: CardFile
    measurements: list[tuple[MeasurementFile, MeasurementData]] = field(default_factory=list)
    measured: MeasuredInference | None = None


@dataclass
class Gathered:
    cards: list[LoadedCard]
    report: Report
    reference: RatingReference | None = None
    factors: tuple[Factor, ...] = ()


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


def gather_cards(project: Project, paths: Sequence[Path] | None = None) -> Gathered:
    """Read, validate and cross-check cards; problems are collected, never raised."""
    report = Report()
    if paths:
        files, problems = _expand_paths(project, paths)
        report.extend(problems)
    else:
        files = find_card_files(project.cards_dir)
        if not files:
            report.extend(
                [
                    Problem(
                        Location(relative_path(project.cards_dir, project.root)),
                        "no-cards",
                        "expected .yaml card files in this folder, found none",
                        severity=Severity.WARNING,
                        hint="create one with `energy-cards new <id>`",
                    )
                ]
            )
    loaded: list[LoadedCard] = []
    card_files: list[CardFile] = []
    for path in dict.fromkeys(files):
        card_file, problems = read_card_file(path, project.root)
        card_files.append(card_file)
        report.extend(problems)
        card, problems = validate_card_data(card_file)
        report.extend(problems)
        report.extend(check_source_references(card_file))
        report.cards_checked += 1
        if card is None:
            continue
        loaded.append(_load_measurements(project, card, card_file, report))
    report.extend(check_card_ids(card_files))
    reference, problems = read_rating_reference(project.root)
    report.extend(problems)
    return Gathered(sorted(loaded, key=lambda c: c.card.id), report, reference, read_factors())


def _load_measurements(
    project: Project, card: Card, card_file: CardFile, report: Report
) -> LoadedCard:
    """Read the card's measurement files and turn them into per-1,000-query figures."""
    paths, problems = locate_measurement_files(card, card_file, project.root)
    report.extend(problems)
    refs = card.inference.measurements if card.inference else []
    by_path = {(project.root / ref.path).resolve(): ref for ref in refs}
    measurements = []
    for path in paths:
        ref = by_path[path]
        data, problems = read_measurement_file(path, relative_path(path, project.root), ref.format)
        report.extend(problems)
        report.files_checked += 1
        if data is not None:
            measurements.append((ref, data))
    measured = None
    if measurements:
        measured, problems = measure_inference(card, measurements, read_grid_data())
        report.extend(problems)
    return LoadedCard(card, card_file, measurements, measured)
