"""Compute stage for `energy-cards diff`: what a change does to the cards. Pure.

Compares two sets of card summaries (a git ref's and the working tree's) through their
open-data rows, so every figure a reader sees is compared, and lists the ratings that move.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from generator.compute.open_data import card_row
from generator.compute.summary import CardSummary
from generator.formats.open_data import COLUMNS

# Columns that are identity or derived bookkeeping, not figures worth listing.
_NOT_FIGURES = {"id", "url", "task_label", "rating_reference"}


@dataclass(frozen=True)
class CardChange:
    card_id: str
    name: str
    figures: tuple[tuple[str, Any, Any], ...] = ()  # (column, before, after)
    text_only: bool = False  # the card changed but none of its figures did


@dataclass(frozen=True)
class CardsDiff:
    added: tuple[tuple[str, str], ...] = ()  # (id, name)
    removed: tuple[tuple[str, str], ...] = ()
    changed: tuple[CardChange, ...] = ()
    rating_moves: tuple[tuple[str, str, int | None, int | None], ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.rating_moves)


def diff_cards(base: Sequence[CardSummary], head: Sequence[CardSummary]) -> CardsDiff:
    """Cards added, removed and changed (with the figures that moved) from base to head."""
    before = {s.card.id: s for s in base}
    after = {s.card.id: s for s in head}
    changed = []
    for card_id in sorted(before.keys() & after.keys()):
        old, new = card_row(before[card_id]), card_row(after[card_id])
        figures = tuple(
            (key, old[key], new[key])
            for key, _ in COLUMNS
            if key not in _NOT_FIGURES and old[key] != new[key]
        )
        card_changed = before[card_id].card.model_dump() != after[card_id].card.model_dump()
        if figures or card_changed:
            changed.append(CardChange(card_id, after[card_id].card.name, figures, not figures))
    # Cards in both versions whose stars change (their own figure moved, or the reference did).
    moves = tuple(
        (card_id, after[card_id].card.name, _stars(before[card_id]), _stars(after[card_id]))
        for card_id in sorted(before.keys() & after.keys())
        if _stars(before[card_id]) != _stars(after[card_id])
    )
    return CardsDiff(
        added=tuple((i, after[i].card.name) for i in sorted(after.keys() - before.keys())),
        removed=tuple((i, before[i].card.name) for i in sorted(before.keys() - after.keys())),
        changed=tuple(changed),
        rating_moves=moves,
    )


def _stars(summary: CardSummary) -> int | None:
    return summary.rating.stars if summary.rating else None
