"""Compute stage for ratings: 1-5 stars within a group of comparable cards, on a log scale,
against a pinned reference.

Pure. Energies per 1,000 queries span orders of magnitude (0.0002 to 2 kWh across the AI Energy
Score tasks), so stars come from five equal bands of log10(energy) between the lowest and the
highest card of the group in the reference: the lowest energy gets 5 stars, the highest 1.

Stars are only given where the comparison is fair. A group is one task, one size class (text
generation, as AI Energy Score splits it), one energy scope (GPU only, GPU+CPU+RAM, ...) and one
measurement setting (hardware, GPU count, batch size, precision, queries: `measurement_setting`),
and needs at least `MIN_GROUP_CARDS` cards. A figure whose scope is not stated, or an average over
several tasks, is shown on its page but never rated and never sets a band.

The reference (ratings/reference.yaml, format in `generator.formats.rating_reference`, with
the size classes) is committed with its date and only changes when someone runs
`energy-cards ratings --refresh`: adding a card never silently re-rates the others.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from generator.formats.card import Card, EnergyScope, Task
from generator.formats.rating_reference import (
    MIN_GROUP_CARDS,
    SIZE_CLASSES,
    RatingGroup,
    RatingReference,
)

STARS = 5
GroupKey = tuple[Task, str | None, EnergyScope, str]


@dataclass(frozen=True)
class Rating:
    stars: int | None  # None: not rated (say why)
    reference_date: str | None
    group: RatingGroup | None
    reason: str = ""


def size_class(card: Card) -> str | None:
    """AI Energy Score-style class for text generation, from the parameter count, else the
    class AI Energy Score gives the model (cited on the card); None for other tasks or when
    neither is known."""
    if card.task is not Task.TEXT_GENERATION:
        return None
    if card.parameter_count is not None:
        return next(c.name for c in SIZE_CLASSES if card.parameter_count <= c.max_parameters)
    reported = card.inference.ai_energy_score_class if card.inference else None
    return reported.value if reported else None


def unrated_reason(card: Card) -> str | None:
    """Why a card can never be placed in a rating group, or None when it can."""
    if card.task is Task.MULTI_TASK_AVERAGE:
        return "its figure averages several tasks, so no single-task group is comparable"
    if card.inference is None:
        return "no inference energy figure to rate"
    if card.inference.conditions.scope is EnergyScope.NOT_STATED:
        return "the source does not say what its energy covers, so no group is comparable"
    if card.task is Task.TEXT_GENERATION and size_class(card) is None:
        return "text generation needs a parameter count (or AI Energy Score's size class)"
    return None


def measurement_setting(card: Card) -> str:
    """Where and how the headline figure was measured: hardware, GPU count, batch size,
    precision, queries and PUE, as the card states them. Energy per query changes several-fold
    with batch size and hardware, so only figures measured alike share a rating group."""
    assert card.inference is not None
    conditions = card.inference.conditions
    parts = [conditions.hardware]
    if conditions.gpu_count:
        parts.append(f"{conditions.gpu_count} GPU{'s' if conditions.gpu_count > 1 else ''}")
    if conditions.batch_size:
        parts.append(f"batch size {conditions.batch_size}")
    parts += [p for p in (conditions.precision, conditions.dataset) if p]
    if conditions.includes_pue:
        parts.append("PUE included")
    return ", ".join(parts)


def group_key(card: Card) -> GroupKey | None:
    """The rating group of a card (task, size class, energy scope, measurement setting), or
    None (`unrated_reason`)."""
    if unrated_reason(card) is not None or card.inference is None:
        return None
    return (card.task, size_class(card), card.inference.conditions.scope, measurement_setting(card))


def stars_for(energy_kwh_per_1000: float, low: float, high: float) -> int:
    """1-5 stars: five equal bands of log10 energy between low (5 stars) and high (1 star)."""
    if energy_kwh_per_1000 <= low:
        return STARS
    if energy_kwh_per_1000 >= high:
        return 1
    span = math.log10(high) - math.log10(low)
    if span <= 0:  # bounds too close for log10 to tell apart (1e14 and 1e14 + 0.05)
        return STARS
    position = (math.log10(high) - math.log10(energy_kwh_per_1000)) / span
    return 1 + min(STARS - 1, math.floor(position * STARS))


def build_reference(
    date: str, energies: Iterable[tuple[Card, float]], min_cards: int = MIN_GROUP_CARDS
) -> RatingReference:
    """A fresh reference from (card, kWh per 1,000 queries) pairs; groups need `min_cards`."""
    grouped: dict[GroupKey, list[tuple[str, float]]] = defaultdict(list)
    for card, energy in energies:
        key = group_key(card)
        if key is not None and energy > 0:
            grouped[key].append((card.id, energy))
    groups = []
    for (task, klass, scope, setting), members in sorted(
        grouped.items(), key=lambda i: (i[0][0].value, i[0][1] or "", i[0][2].value, i[0][3])
    ):
        values = [energy for _, energy in members]
        if len(members) < min_cards or min(values) == max(values):
            continue
        groups.append(
            RatingGroup(
                task=task,
                size_class=klass,
                scope=scope,
                measured_as=setting,
                min_kwh_per_1000_queries=min(values),
                max_kwh_per_1000_queries=max(values),
                cards=tuple(sorted(card_id for card_id, _ in members)),
            )
        )
    return RatingReference(date=date, min_group_cards=min_cards, groups=tuple(groups))


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
        return Rating(None, reference.date, None, unrated_reason(card) or "")
    group = reference.group_for(*key)
    if group is None or len(group.cards) < reference.min_group_cards:
        return Rating(
            None,
            reference.date,
            None,
            f"fewer than {reference.min_group_cards} comparable cards (same task, size class, "
            "energy scope and measurement setting) in the reference",
        )
    stars = stars_for(
        energy_kwh_per_1000, group.min_kwh_per_1000_queries, group.max_kwh_per_1000_queries
    )
    return Rating(stars, reference.date, group)


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
