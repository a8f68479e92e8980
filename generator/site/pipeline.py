"""The read half of every run, shared by build, serve, validate and the read-only commands.

Stages: gather and check (load every card and measurement file; the gate keeps cards with
errors out) -> compute (measured runs, then summaries). Takes a project and, when a caller
(a test) wants its own, the grid intensity table and the factor table; gives `ProjectData`.
Those two tables are read here, once per run, and passed down: no stage below reads them.
Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.check.gather import Gathered, gather_cards
from generator.compute.card_measurements import measure_cards
from generator.compute.summary import CardSummary, summarize_cards
from generator.formats.factors import Factor
from generator.load.factors import read_factors
from generator.load.grid import GridData, read_grid_data
from generator.problems import Report
from generator.project import Project


@dataclass
class ProjectData:
    """A project as read and computed.

    Attributes:
        gathered: The cards that passed the gate, the report and the rating reference.
        summaries: One per card that passed the gate, sorted by card id.
        factors: The equivalence factor table used (empty when it has errors).
        grid: The grid intensity table used.
    """

    gathered: Gathered
    summaries: list[CardSummary]
    factors: tuple[Factor, ...]
    grid: GridData

    @property
    def report(self) -> Report:
        """Every problem of the run (load, check and compute)."""
        return self.gathered.report


def read_project(
    project: Project,
    paths: Sequence[Path] | None = None,
    *,
    grid: GridData | None = None,
    factors: Sequence[Factor] | None = None,
    memo: dict | None = None,
) -> ProjectData:
    """Gather and check the cards, then compute their summaries; problems are collected.

    Args:
        project: The project to read.
        paths: Card files or folders to read instead of the project's cards/ (validate).
        grid: The grid intensity table (default: the one CodeCarbon ships).
        factors: The equivalence factor table (default: generator/data/factors.yaml).
        memo: Kept by the live preview between reads, with the same `grid`: unchanged card
            files are not parsed and checked again.
    """
    if grid is None:
        grid = read_grid_data()
    gathered = gather_cards(project, paths, grid=grid, memo=memo)
    report = gathered.report
    if factors is None:
        factors, problems = read_factors()
        report.extend(problems)
    measurements, problems = measure_cards(gathered.cards, grid)
    report.extend(problems)
    summaries = summarize_cards(
        [loaded.card for loaded in gathered.cards], measurements, gathered.reference, factors
    )
    return ProjectData(gathered, summaries, tuple(factors), grid)


def summarize_project(project: Project) -> tuple[Report, list[CardSummary]]:
    """Every valid card's summary and the run's report (for export and other read-only commands)."""
    read = read_project(project)
    return read.report, read.summaries
