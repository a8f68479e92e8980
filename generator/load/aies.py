"""Load stage for AI Energy Score's per-task CSVs: files -> `LeaderboardFigure`s + problems.

`read_aies_file` reads one `<task>.csv` (`model,total_gpu_energy,energy_score[,class]`; CRLF or
LF, with or without a final newline, numbers such as `5.54E-05`), one figure per model. The
file states no unit: `total_gpu_energy` is entered as kWh per 1,000 queries because only that
reading fits its magnitudes, although the documentation says Wh per 1,000 queries; every
figure's note says so. A model listed twice with different values is reported and its other
values kept as conflicts: no row is picked silently.

Problem codes this module adds: `not-a-leaderboard-file`, `duplicate-row`.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

from generator.formats.card import SIZE_CLASS_NAMES
from generator.formats.leaderboards import (
    AIES_COLUMNS,
    AIES_TASKS,
    LeaderboardFigure,
    LeaderboardSource,
)
from generator.load.files import read_limited_text
from generator.load.leaderboard_files import missing_provenance, model_key, read_provenance
from generator.problems import Location, Problem, Severity

AIES_REPO = "ebbalg/AI-climate-overview"
AIES_UPSTREAM_FOLDER = "data/AI-energy-leaderboard"
AIES_YEAR = 2025  # the copy's commit (2025-07-03); the leaderboard's data of that time
UNIT_NOTE = (
    "The file states no unit. The AI Energy Score documentation gives GPU energy in Wh per "
    "1,000 queries, but the magnitudes in the file are only plausible as kWh per 1,000 queries "
    "(Wh per query), so the value is entered as kWh per 1,000 queries: the unit is an "
    "inference, not stated by the source."
)
HARDWARE = "NVIDIA H100 80GB"


def aies_task_of(path: Path) -> str | None:
    """The leaderboard task a file name holds (`text_generation.csv`, `...__asr.csv`)."""
    stem = path.stem.rpartition("__")[2]
    return stem if stem in AIES_TASKS else None


def is_aies_header(header: list[str]) -> bool:
    return tuple(column.strip() for column in header[:3]) == AIES_COLUMNS


def read_aies_file(path: Path, display_path: str) -> tuple[list[LeaderboardFigure], list[Problem]]:
    """Every model's figure in one AI Energy Score task CSV, and the problems found."""
    text, problems = read_limited_text(path, display_path)
    if text is None:
        return [], problems
    rows = list(csv.reader(io.StringIO(text, newline="")))
    task_name = aies_task_of(path)
    if not rows or not is_aies_header(rows[0]) or task_name is None:
        got = ",".join(rows[0]) if rows else "an empty file"
        message = (
            f"expected an AI Energy Score task CSV (<task>.csv with columns "
            f"{','.join(AIES_COLUMNS)}[,class]), got '{got[:120]}' in '{path.name}'"
        )
        hint = f"tasks: {', '.join(AIES_TASKS)}"
        return [], [
            Problem(Location(display_path, 1), "not-a-leaderboard-file", message, hint=hint)
        ]
    commits, problems = read_provenance(path, display_path)
    commit = commits.get(AIES_REPO)
    if commit is None:
        return [], [*problems, missing_provenance(display_path, AIES_REPO)]
    task = AIES_TASKS[task_name]
    source = LeaderboardSource(
        key=f"ai-energy-score-{task_name.replace('_', '-')}",
        title=f"AI Energy Score leaderboard data (Hugging Face), {task_name}.csv: a third-party "
        f"copy in the GitHub repository {AIES_REPO}, not Hugging Face's own file",
        url=f"https://github.com/{AIES_REPO}/blob/{commit}/{AIES_UPSTREAM_FOLDER}/{task_name}.csv",
        publisher=f"Hugging Face (AI Energy Score); copy by the {AIES_REPO} project",
        year=AIES_YEAR,
    )
    header = [column.strip() for column in rows[0]]
    has_class = "class" in header
    by_model: dict[str, list[tuple[int, str, float, int | None, str]]] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = dict(zip(header, (cell.strip() for cell in row), strict=False))
        model = cells.get("model", "")
        energy = _number(cells.get("total_gpu_energy", ""))
        if len(row) < len(header) or not model or energy is None:
            got = cells.get("total_gpu_energy", "")
            message = f"column total_gpu_energy: expected a number >= 0, got '{got}'"
            problems.append(Problem(Location(display_path, line), "bad-number", message))
            continue
        stars = _number(cells.get("energy_score", ""))
        klass = cells.get("class", "") if has_class else ""
        entry = (line, model, energy, int(stars) if stars else None, klass)
        by_model.setdefault(model_key(model), []).append(entry)
    figures = []
    for entries in by_model.values():
        line, model, energy, stars, klass = entries[0]
        where = _where(task_name, line, model)
        note = UNIT_NOTE + _stars_note(stars, klass)
        others = tuple((e[2], _where(task_name, e[0], e[1])) for e in entries[1:])
        if others:
            problems.append(_duplicate(display_path, entries))
            if any(value != energy for value, _ in others):
                note += (
                    f" The file lists this model {len(entries)} times with different values; "
                    "this is the first row's, the others are listed as conflicts: neither is "
                    "known to be the right one."
                )
        figures.append(
            LeaderboardFigure(
                leaderboard="aies",
                model_id=model,
                task=task,
                source_task=task_name,
                energy_kwh_per_1000_queries=energy,
                source=source,
                where=where,
                note=note,
                hardware=HARDWARE,
                dataset=f"AI Energy Score {task_name} set, 1,000 queries",
                batch_size=1,
                configuration=f"{HARDWARE}, batch 1 (AI Energy Score {task_name})",
                stars=stars,
                size_class=klass if klass in SIZE_CLASS_NAMES else None,
                conflicts=tuple((v, w) for v, w in others if v != energy),
            )
        )
    return figures, problems


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def _where(task_name: str, line: int, model: str) -> str:
    return f"{task_name}.csv, line {line} (model '{model}'), column total_gpu_energy"


def _stars_note(stars: int | None, klass: str) -> str:
    if stars is None:
        return ""
    within = f"within its task and class {klass}" if klass else "within its task"
    return (
        f" Leaderboard rating in the file: {stars} of 5 stars (relative {within}, recalibrated "
        "at each leaderboard update)."
    )


def _duplicate(
    display_path: str, entries: list[tuple[int, str, float, int | None, str]]
) -> Problem:
    rows = "; ".join(f"line {line}: {energy:g}" for line, _, energy, _, _ in entries)
    return Problem(
        Location(display_path, entries[1][0]),
        "duplicate-row",
        f"expected one row for model '{entries[0][1]}', got {len(entries)} ({rows})",
        severity=Severity.WARNING,
        hint="the card shows the first and lists the others as conflicts; none is dropped",
    )
