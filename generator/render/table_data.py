"""Long tables (a task page, the models index): the first `TABLE_ROWS_SHOWN` rows stay in the
page's HTML; every row goes to a compact JSON file the page loads when asked
(site_src/javascripts/sortable.js: "Show all", pages of 100, sorting over all rows).

A row is a list of cells in the table's column order. A cell is an HTML string (escaped here)
or, for a link, `[key, html]`: the script builds the address from the first row the page
shows, replacing that row's key (a card id or task slug), so the JSON holds no URL scheme.
A table of at most `TABLE_ROWS_SHOWN` rows writes no JSON and its page is unchanged.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from typing import Any

from generator.compute.summary import CardSummary
from generator.render.environment import template_environment
from generator.render.escaping import SCOPE_LABELS

TABLE_ROWS_SHOWN = 100
MODELS_DATA_PATH = "data/models.json"

Cell = str | list[str]


def is_paged(count: int) -> bool:
    """Whether a table of `count` rows shows only its first rows and ships a JSON file."""
    return count > TABLE_ROWS_SHOWN


def task_data_path(task: str) -> str:
    return f"data/tasks/{task}.json"


def _text(value: Any) -> str:
    return html.escape(str(value), quote=True)


class _Cells:
    """The table filters, with the units shared by a whole column."""

    def __init__(self, summaries: Sequence[CardSummary]) -> None:
        self.f = template_environment().filters
        energies = [e.value for s in summaries if (e := s.headline_inference_energy)]
        emissions = [t.value for s in summaries if (t := s.headline_training_emissions)]
        self.eu = self.f["energy_unit"](energies)
        self.tu = self.f["emissions_unit"](emissions, "t")

    def params(self, s: CardSummary, nowrap: bool = False) -> str:
        if not s.card.parameter_count:
            return ""
        text = _text(self.f["count_words"](s.card.parameter_count))
        return f'<span class="ec-nowrap">{text}</span>' if nowrap else text

    def energy(self, s: CardSummary) -> str:
        e = s.headline_inference_energy
        return str(self.f["energy"](e.value, self.eu)) if e else ""

    def training(self, s: CardSummary) -> str:
        t = s.headline_training_emissions
        return f"{self.f['emissions'](t.value, self.tu, 't')} CO₂e" if t else ""

    def hardware(self, s: CardSummary) -> str:
        return _text(s.card.inference.conditions.hardware) if s.card.inference else ""


def task_rows(summaries: Sequence[CardSummary]) -> list[list[Cell]]:
    """A task page's rows, in the columns of templates/task.md.j2."""
    c = _Cells(summaries)
    rows: list[list[Cell]] = []
    for s in summaries:
        card, e = s.card, s.headline_inference_energy
        if s.rating and s.rating.stars:
            group = _text(c.f["rating_group_in_task"](s.rating))
            stars = f"{c.f['stars'](s.rating.stars)} ({group})"
        else:
            stars = "not rated" if e else ""
        scope = SCOPE_LABELS[card.inference.conditions.scope] if card.inference else ""
        rows.append(
            [
                [card.id, _text(card.name)],
                _text(card.organization),
                c.params(s),
                c.energy(s),
                stars,
                str(c.f["badge"](e.provenance)) if e else "",
                c.hardware(s),
                _text(scope),
                c.training(s),
            ]
        )
    return rows


def models_rows(summaries: Sequence[CardSummary]) -> list[list[Cell]]:
    """The models index's rows, in the columns of templates/cards_index.md.j2."""
    c = _Cells(summaries)
    rows: list[list[Cell]] = []
    for s in summaries:
        card, e, t = s.card, s.headline_inference_energy, s.headline_training_emissions
        energy = training = ""
        if e:
            energy = f'<span class="ec-nowrap">{c.energy(s)}</span> {c.f["badge"](e.provenance)}'
        if t:
            badge = c.f["badge"](t.provenance)
            training = f'<span class="ec-nowrap">{c.training(s)}</span> {badge}'
        if s.rating and s.rating.stars:
            stars = str(c.f["stars"](s.rating.stars))
        else:
            stars = "not rated" if e else ""
        rows.append(
            [
                [card.id, _text(card.name)],
                _text(card.organization),
                [card.task.value, _text(s.task_label)],
                c.params(s, nowrap=True),
                energy,
                stars,
                c.hardware(s),
                training,
            ]
        )
    return rows


def table_json(rows: list[list[Cell]]) -> str:
    """The JSON file of a long table: compact, one row a line (diffs stay readable)."""
    lines = [json.dumps(row, ensure_ascii=False, separators=(",", ":")) for row in rows]
    return '{"rows":[\n' + ",\n".join(lines) + "\n]}\n"
