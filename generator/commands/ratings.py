"""Side command `energy-cards ratings`: each card's stars, or a refreshed rating reference.

Takes a project and a date; gives the summaries (rated against the committed reference) and,
with `write`, writes ratings/reference.yaml built from the current cards and says which
ratings move. Reads through `site.pipeline`, like the build, so both rate the same cards.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.compute.ratings import build_reference, changed_ratings, rate
from generator.compute.summary import CardSummary
from generator.formats.rating_reference import reference_yaml
from generator.load.ratings import REFERENCE_PATH
from generator.problems import Report, plural
from generator.project import Project
from generator.site.pipeline import read_project
from generator.units import format_number


@dataclass
class RatingsResult:
    report: Report
    summaries: list[CardSummary]
    moved: list[tuple[str, int | None, int | None]]  # (card id, stars before, stars after)
    written: Path | None = None


def refresh_ratings(project: Project, date: str, write: bool) -> RatingsResult:
    """Ratings now; with `write`, a new reference from the current cards (and what moves)."""
    read = read_project(project)
    summaries = read.summaries
    if read.report.errors or not write:
        return RatingsResult(read.report, summaries, [])
    energies = [
        (s.card, s.headline_inference_energy.value)
        for s in summaries
        if s.headline_inference_energy is not None
    ]
    reference = build_reference(date, energies)
    after = [
        (
            s.card.id,
            rate(s.card, e.value if (e := s.headline_inference_energy) else None, reference),
        )
        for s in summaries
    ]
    moved = changed_ratings([(s.card.id, s.rating) for s in summaries], after)
    path = project.root / REFERENCE_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(reference_yaml(reference), encoding="utf-8")
    return RatingsResult(read.report, summaries, moved, path)


def format_ratings_text(result: RatingsResult, project: Project, date: str) -> str:
    """What `ratings` prints: each card's stars (or why not rated), or what a refresh moved."""
    if result.written:
        written = result.written.relative_to(project.root).as_posix()
        moves = [f"  {card}: stars {old or '-'} -> {new or '-'}" for card, old, new in result.moved]
        return "\n".join([f"wrote {written} dated {date}", *(moves or ["  no rating moves"])])
    lines = []
    for summary in result.summaries:
        rating, energy = summary.rating, summary.headline_inference_energy
        stars = plural(rating.stars, "star") if rating.stars else f"not rated: {rating.reason}"
        figure = f"{format_number(energy.value)} kWh/1,000 queries" if energy else "-"
        lines.append(f"{summary.card.id}: {stars} ({figure})")
    return "\n".join(lines)
