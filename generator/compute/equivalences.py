"""Compute stage for everyday equivalences and break-even. Pure.

Energy equivalences (smartphone charges, household-days...) convert kWh and need no grid
assumption; carbon ones (miles driven, tree seedlings...) convert kg CO2e and always carry the
grid intensity or emissions figure they start from. The two are never mixed.

A number reads naturally when it is between 1 and ten billion of something: "as much as 3
household-days", not "0.0000012 households". When every factor gives less than 1 (one query
is tiny), the comparison is turned round: "one smartphone charge is as much energy as 121,000
queries".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from generator.formats.factors import Factor

READABLE_MIN = 1.0
READABLE_MAX = 1e10  # "235 million smartphone charges" still reads naturally
MOST_NATURAL = 100.0  # prefer counts near a hundred: easy to picture
SHOWN = 2


@dataclass(frozen=True)
class Equivalence:
    factor: Factor
    count: float  # how many factor units the amount equals
    inverse: bool = False  # True: read as "one <factor unit> = 1/count of the amount's units"
    # For an inverse equivalence of a per-query amount: queries that make one factor unit.
    queries_per_unit: float | None = None

    @property
    def inverse_count(self) -> float:
        return 1.0 / self.count


def equivalences(amount: float, basis: str, factors: Sequence[Factor]) -> list[Equivalence]:
    """Up to two readable equivalences of `amount` (kWh for energy, kg CO2e for carbon)."""
    if amount <= 0:
        return []
    candidates = [
        Equivalence(factor, amount / factor.amount_per_unit)
        for factor in factors
        if factor.basis == basis
    ]
    readable = [c for c in candidates if READABLE_MIN <= c.count < READABLE_MAX]
    if readable:
        readable.sort(key=lambda c: (abs(math.log10(c.count / MOST_NATURAL)), c.factor.id))
        return readable[:SHOWN]
    small = [c for c in candidates if c.count < READABLE_MIN]
    small.sort(key=lambda c: (-c.count, c.factor.id))
    return [Equivalence(c.factor, c.count, inverse=True) for c in small[:SHOWN]]


@dataclass(frozen=True)
class BreakEven:
    """Queries after which inference has used as much energy as training.

    `queries` is computed from the card's own figures (None when it has no inference energy);
    `published_queries` is the source's printed figure, when the card carries it, and
    `published_kwh_per_query` the energy per query that figure implies at the same training
    energy (training energy / published queries), which says why the two differ.
    """

    queries: float | None
    training_kwh: float | None
    kwh_per_query: float | None
    includes_finetuning: bool
    published_queries: float | None = None
    published_kwh_per_query: float | None = None


def break_even_queries(training_kwh: float, kwh_per_query: float) -> float:
    """training energy / energy per query (Power Hungry Processing's 'cost parity')."""
    return training_kwh / kwh_per_query
