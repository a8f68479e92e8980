"""Compute stage for ratings: 1-5 stars within a task, on a log scale, against a pinned reference.

Pure. Energies per 1,000 queries span orders of magnitude (0.0002 to 2 kWh across the AI Energy
Score tasks), so stars come from five equal bands of log10(energy) between the lowest and the
highest card of the group in the reference: the lowest energy gets 5 stars, the highest 1.
Groups are tasks; text generation is further split into size classes, as AI Energy Score does.

The reference (ratings/reference.yaml) is committed with its date and only changes when someone
runs `energy-cards ratings --refresh`: adding a card never silently re-rates the others.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from generator.formats.card import Card, Task

STARS = 5

# Text-generation size classes by parameter count (upper bounds, inclusive), as AI Energy Score
# defines them (huggingface/AIEnergyScore index.md: A fits one 24 GB consumer GPU, "20B
# parameters"; B one 80 GB H100, "66B"; C several H100s, ">66B").
SIZE_CLASSES: tuple[tuple[str, float], ...] = (("A", 20e9), ("B", 66e9), ("C", math.inf))
SIZE_CLASS_NOTE = (
    "text generation is rated within AI Energy Score's size classes: A up to 20 billion "
    "parameters (one consumer GPU), B up to 66 billion (one H100), C above (several GPUs)"
)


@dataclass(frozen=True)
class RatingGroup:
    """One task (and size class) of the reference: its energy range and the cards that set it."""

    task: Task
    size_class: str | None
    min_kwh_per_1000_queries: float
    max_kwh_per_1000_queries: float
    cards: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str | None]:
        return (self.task.value, self.size_class)


@dataclass(frozen=True)
class RatingReference:
    date: str  # ISO date the reference was refreshed
    groups: tuple[RatingGroup, ...] = field(default_factory=tuple)

    def group_for(self, task: Task, size_class: str | None) -> RatingGroup | None:
        return next((g for g in self.groups if g.key == (task.value, size_class)), None)


@dataclass(frozen=True)
class Rating:
    stars: int | None  # None: not rated (say why)
    reference_date: str | None
    group: RatingGroup | None
    reason: str = ""


def size_class(card: Card) -> str | None:
    """AI Energy Score-style class for text generation; None for other tasks or unknown size."""
    if card.task is not Task.TEXT_GENERATION or card.parameter_count is None:
        return None
    return next(name for name, bound in SIZE_CLASSES if card.parameter_count <= bound)


def group_key(card: Card) -> tuple[Task, str | None] | None:
    """The rating group of a card, or None when it cannot be placed (text generation w/o size)."""
    if card.task is Task.TEXT_GENERATION and card.parameter_count is None:
        return None
    return (card.task, size_class(card))


def stars_for(energy_kwh_per_1000: float, low: float, high: float) -> int:
    """1-5 stars: five equal bands of log10 energy between low (5 stars) and high (1 star)."""
    if energy_kwh_per_1000 <= low:
        return STARS
    if energy_kwh_per_1000 >= high:
        return 1
    position = (math.log10(high) - math.log10(energy_kwh_per_1000)) / (
        math.log10(high) - math.log10(low)
    )
    return 1 + min(STARS - 1, math.floor(position * STARS))


def build_reference(date: str, energies: Iterable[tuple[Card, float]]) -> RatingReference:
    """A fresh reference from (card, kWh per 1,000 queries) pairs; groups need 2+ cards."""
    grouped: dict[tuple[Task, str | None], list[tuple[str, float]]] = defaultdict(list)
    for card, energy in energies:
        key = group_key(card)
        if key is not None and energy > 0:
            grouped[key].append((card.id, energy))
    groups = []
    for (task, klass), members in sorted(
        grouped.items(), key=lambda i: (i[0][0].value, i[0][1] or "")
    ):
        values = [energy for _, energy in members]
        if len(members) < 2 or min(values) == max(values):
            continue
        groups.append(
            RatingGroup(
                task=task,
                size_class=klass,
                min_kwh_per_1000_queries=min(values),
                max_kwh_per_1000_queries=max(values),
                cards=tuple(sorted(card_id for card_id, _ in members)),
            )
        )
    return RatingReference(date=date, groups=tuple(groups))


def rate(
    card: Card, energy_kwh_per_1000: float | None, reference: RatingReference | None
) -> Rating:
    """A card's stars against the reference, or why it has none."""
    if reference is None:
        return Rating(None, None, None, "no rating reference has been made yet")
    if energy_kwh_per_1000 is None:
        return Rating(None, reference.date, None, "no inference energy figure to rate")
    key = group_key(card)
    if key is None:
        return Rating(None, reference.date, None, "text generation needs a parameter count")
    group = reference.group_for(*key)
    if group is None:
        return Rating(
            None, reference.date, None, "fewer than two cards of this group in the reference"
        )
    stars = stars_for(
        energy_kwh_per_1000, group.min_kwh_per_1000_queries, group.max_kwh_per_1000_queries
    )
    return Rating(stars, reference.date, group)


def reference_to_data(reference: RatingReference) -> dict:
    """The YAML-ready form of a reference (the file `ratings/reference.yaml`)."""
    return {
        "date": reference.date,
        "method": "five equal bands of log10(kWh per 1,000 queries) between the lowest (5 stars) "
        "and the highest (1 star) card of each group; " + SIZE_CLASS_NOTE,
        "groups": [
            {
                "task": group.task.value,
                "size_class": group.size_class,
                "min_kwh_per_1000_queries": group.min_kwh_per_1000_queries,
                "max_kwh_per_1000_queries": group.max_kwh_per_1000_queries,
                "cards": list(group.cards),
            }
            for group in reference.groups
        ],
    }


def reference_from_data(data: dict) -> RatingReference:
    """Inverse of `reference_to_data` (the loader checks the shape first)."""
    return RatingReference(
        date=str(data["date"]),
        groups=tuple(
            RatingGroup(
                task=Task(group["task"]),
                size_class=group.get("size_class"),
                min_kwh_per_1000_queries=float(group["min_kwh_per_1000_queries"]),
                max_kwh_per_1000_queries=float(group["max_kwh_per_1000_queries"]),
                cards=tuple(group.get("cards", ())),
            )
            for group in data.get("groups", [])
        ),
    )


def changed_ratings(
    before: Sequence[tuple[str, Rating]], after: Sequence[tuple[str, Rating]]
) -> list[tuple[str, int | None, int | None]]:
    """(card id, stars before, stars after) for every card whose stars would move."""
    old = {card_id: rating.stars for card_id, rating in before}
    return [
        (card_id, old.get(card_id), rating.stars)
        for card_id, rating in after
        if old.get(card_id) != rating.stars
    ]
