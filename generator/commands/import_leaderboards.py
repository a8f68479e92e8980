"""`energy-cards import aies PATH` and `energy-cards import mlenergy PATH`: published
leaderboard files -> cards, as a dry run that says what would change, or written (`--update`).

Reads with `load/aies.py` or `load/mlenergy.py`, drafts one card per model with
`load/leaderboard_draft.py` (a model already on a card lands on it: Hub ids in its tags or
model page, org renames folded), checks each draft against the card format, renders it
(`render/leaderboard_cards.py`) and writes through `site/drafts.write_leaderboard_card`, which
replaces only cards the importer wrote. Hand-written cards are reported, never changed.
The click commands are here (cli.py adds them to the `import` group) to keep cli.py thin.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from generator.problems import REPORTERS, Location, Problem, Report
from generator.project import Project

if TYPE_CHECKING:
    from generator.formats.leaderboards import LeaderboardFigure
    from generator.load.leaderboard_draft import ExistingCard, Reader
UNIT = "kWh per 1,000 queries"


@dataclass
class CardChange:
    """What the import does to one card: add, update, unchanged or hand-written (kept)."""

    action: str
    path: Path
    lines: list[str] = field(default_factory=list)
    text: str | None = None


@dataclass
class ImportPlan:
    changes: list[CardChange]
    problems: list[Problem]
    figures: int
    files: int
    models: int

    def count(self, action: str) -> int:
        return sum(1 for change in self.changes if change.action == action)


def plan_import(project: Project, paths: Sequence[Path] | Path, kind: str) -> ImportPlan:
    """Read files or folders of one leaderboard and work out every card change (writes nothing).

    A card's configurations from sources this run read are replaced; those from other sources
    (the other leaderboard, files not given) are kept, so the cards do not depend on the order
    of the imports."""
    from pydantic import ValidationError

    from generator.formats.card import Card
    from generator.load.leaderboard_draft import (
        card_id_for,
        dedupe,
        draft_leaderboard_card,
        index_cards,
        merge_into_hand_written,
        read_leaderboard,
    )
    from generator.load.leaderboard_files import model_key

    def display(file: Path) -> str:
        try:
            return file.resolve().relative_to(project.root).as_posix()
        except ValueError:
            return file.as_posix()

    figures, problems, files = [], [], 0
    for path in [paths] if isinstance(paths, Path) else paths:
        found, more, read = read_leaderboard(path, _reader(kind), display)
        figures, problems, files = figures + found, problems + more, files + read
    read_sources = {figure.source.key for figure in figures}
    by_model: dict[str, list[LeaderboardFigure]] = {}
    for figure in dedupe(figures):
        by_model.setdefault(model_key(figure.model_id), []).append(figure)
    existing = index_cards(project.cards_dir, project.root)
    taken = {card.card_id for card in existing.values()}
    taken |= (
        {p.stem for p in project.cards_dir.glob("*.y*ml")} if project.cards_dir.is_dir() else set()
    )
    changes = []
    for key, model_figures in by_model.items():
        card = existing.get(key)
        if card is not None and not card.takes_figures:
            changes.append(_hand_written(card.path, card.data, model_figures))
            continue
        card_id = (
            card.card_id if card else card_id_for(model_figures[0].model_id, taken.__contains__)
        )
        taken.add(card_id)
        data = draft_leaderboard_card(
            card_id, model_figures, read_sources, card.data if card else None
        )
        added_sources = None
        if card is not None and not card.imported:
            data, added_sources = merge_into_hand_written(card, data)
        try:
            Card.model_validate(data)
        except ValidationError as error:
            message = f"expected a valid card for '{model_figures[0].model_id}', got {error}"
            where = Location(display(card.path) if card else key)
            problems.append(Problem(where, "bad-value", message[:900]))
            continue
        change = _change(project, kind, card, card_id, model_figures, data, added_sources)
        changes.append(change)
    return ImportPlan(changes, problems, len(figures), files, len(by_model))


def _reader(kind: str) -> Reader:
    from generator.load.aies import read_aies_file
    from generator.load.mlenergy import read_mlenergy_file

    return {"aies": read_aies_file, "mlenergy": read_mlenergy_file}[kind]


def _change(
    project: Project,
    kind: str,
    card: ExistingCard | None,
    card_id: str,
    figures: list[LeaderboardFigure],
    data: dict[str, Any],
    added_sources: dict[str, Any] | None,
) -> CardChange:
    """The card's new text and what the change is: add, update, merge or unchanged."""
    from generator.load.leaderboard_draft import (
        IMPORT_MARKER,
        INFERENCE_BEGIN,
        INFERENCE_END,
        SOURCES_BEGIN,
        SOURCES_END,
        strip_imported_block,
    )
    from generator.render.leaderboard_cards import (
        render_hand_written_merge,
        render_leaderboard_card,
    )

    if added_sources is not None and card is not None:
        text = render_hand_written_merge(
            strip_imported_block(card.text),
            added_sources,
            data["inference"],
            (SOURCES_BEGIN, SOURCES_END, INFERENCE_BEGIN, INFERENCE_END),
        )
        if text is None:
            change = _hand_written(card.path, card.data, figures)
            change.lines.append("  (the card has no block `sources:` to add the imported ones to)")
            return change
    else:
        text = render_leaderboard_card(data, IMPORT_MARKER, f"energy-cards import {kind}")
    if card is None:
        target = project.cards_dir / f"{card_id}.yaml"
        lines = [
            f"  {figures[0].model_id}: {len(figures)} configuration(s), "
            f"task {data['task']}, reference {_reference_text(data)}"
        ]
        return CardChange("add", target, lines, text)
    if card.text == text:
        return CardChange("unchanged", card.path)
    if not card.imported and not card.imported_block:
        lines = [
            f"  + inference: {len(figures)} configuration(s), reference "
            f"{_reference_text(data)} (between the importer's marker lines)"
        ]
        return CardChange("merge", card.path, lines, text)
    return CardChange("update", card.path, _differences(card.data, data), text)


def apply_plan(plan: ImportPlan) -> list[Path]:
    """Write every added or updated card; the paths written."""
    from generator.load.leaderboard_draft import IMPORT_MARKER, strip_imported_block
    from generator.site.drafts import write_leaderboard_card

    written = []
    for change in plan.changes:
        if change.action in ("add", "update", "merge") and change.text is not None:
            write_leaderboard_card(change.path, change.text, IMPORT_MARKER, strip_imported_block)
            written.append(change.path)
    return written


def _configurations(data: dict[str, Any]) -> dict[str, float]:
    inference = data.get("inference") or {}
    return {
        c["name"]: c["energy_kwh_per_1000_queries"]["value"]
        for c in inference.get("configurations") or []
    }


def _reference_text(data: dict[str, Any]) -> str:
    reference = next(c for c in data["inference"]["configurations"] if c["reference"])
    return f"'{reference['name']}' {reference['energy_kwh_per_1000_queries']['value']:.4g} {UNIT}"


def _differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    before, after = _configurations(old), _configurations(new)
    lines = [f"  + configuration '{n}' {v:.4g} {UNIT}" for n, v in after.items() if n not in before]
    lines += [
        f"  - configuration '{n}' {v:.4g} {UNIT}" for n, v in before.items() if n not in after
    ]
    lines += [
        f"  ~ configuration '{n}' {before[n]:.4g} -> {v:.4g} {UNIT}"
        for n, v in after.items()
        if n in before and before[n] != v
    ]
    return lines or ["  ~ text only (notes, sources or conditions)"]


def _hand_written(path: Path, data: dict[str, Any], figures: list[LeaderboardFigure]) -> CardChange:
    figure = figures[0]
    energy = ((data.get("inference") or {}).get("energy_kwh_per_1000_queries") or {}).get("value")
    card_text = (
        f"the card gives {energy:.4g}" if isinstance(energy, float | int) else "the card gives none"
    )
    lines = [
        f"  {figure.model_id}: {len(figures)} imported configuration(s), e.g. "
        f"'{figure.configuration}' {figure.energy_kwh_per_1000_queries:.4g} {UNIT} "
        f"({figure.source.key}, {figure.where}); {card_text}"
    ]
    return CardChange("hand-written", path, lines)


def _summary(plan: ImportPlan, update: bool, root: Path) -> list[str]:
    out = []
    for change in sorted(plan.changes, key=lambda c: (c.action, c.path.name)):
        if change.action == "unchanged":
            continue
        verb = {
            "add": "add",
            "update": "update",
            "merge": "add inference figures to hand-written",
            "hand-written": "keep (hand-written, not changed)",
        }
        out.append(f"{verb[change.action]} {change.path.relative_to(root).as_posix()}")
        out += change.lines
    out.append(
        f"{plan.figures} figures in {plan.files} files, {plan.models} models: "
        f"{plan.count('add')} cards to add, {plan.count('update')} to update, "
        f"{plan.count('merge')} hand-written to add inference figures to, "
        f"{plan.count('unchanged')} unchanged, {plan.count('hand-written')} hand-written left as "
        "they are"
    )
    out.append("written" if update else "dry run: nothing written (--update writes the changes)")
    return out


def run_import(
    kind: str, paths: Sequence[Path], update: bool, output_format: str, project_dir: Path
) -> None:
    """The command: plan, print, write with --update; exit 1 on errors."""
    project = Project(project_dir.resolve())
    plan = plan_import(project, paths, kind)
    report = Report(plan.problems, files_checked=plan.files)
    text = REPORTERS[output_format](report)
    if text and plan.problems:
        click.echo(text, err=output_format == "text")
    if report.errors:
        click.echo("nothing written: fix the errors above", err=True)
        sys.exit(1)
    if update:
        apply_plan(plan)
    if output_format == "text":
        click.echo("\n".join(_summary(plan, update, project.root)))


def _leaderboard_command(kind: str, help_text: str) -> click.Command:
    @click.command(kind, help=help_text)
    @click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
    @click.option("--update", is_flag=True, help="Write the changes (default: a dry run).")
    @click.option(
        "--format",
        "output_format",
        type=click.Choice(sorted(REPORTERS)),
        default="text",
        show_default=True,
        help="How to print problems: text for people, json for tools, github for annotations.",
    )
    @click.option(
        "--project",
        "project_dir",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        default=Path("."),
        show_default="current folder",
        help="Folder laid out like this repository (cards/, measurements/, mkdocs.yml).",
    )
    def command(
        paths: tuple[Path, ...], update: bool, output_format: str, project_dir: Path
    ) -> None:
        run_import(kind, paths, update, output_format, project_dir)

    return command


LEADERBOARD_COMMANDS = {
    "aies": _leaderboard_command(
        "aies",
        "Cards from AI Energy Score task CSVs (PATHS: files or folders): a dry run listing the "
        "cards to add and the figures that change; --update writes them. Hand-written cards "
        "are never changed.",
    ),
    "mlenergy": _leaderboard_command(
        "mlenergy",
        "Cards from ML.ENERGY leaderboard files (v2 legacy CSVs, v2 and v3 JSON; PATHS: files "
        "or folders), every configuration on its model's card: a dry run unless --update.",
    ),
}
