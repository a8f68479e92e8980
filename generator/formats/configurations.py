"""Part of the card format: the measured configurations of one model.

A model measured on several accelerators, batch sizes or GPU counts is one model: its card's
`inference.configurations` lists each configuration with its conditions and figure. Exactly one
is the declared reference: its conditions and figure are the card's own `inference.conditions`
and `inference.energy_kwh_per_1000_queries`, which drive the headline, the ratings and the
comparisons (so two cards are only compared on like conditions).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Annotated

from pydantic import Field, Strict

from generator.formats.figures import Figure, InferenceConditions, _Strict
from generator.formats.values import Text


class Configuration(_Strict):
    """One measured configuration: the conditions and the energy figure measured under them."""

    name: Text = Field(description="A short label, unique on the card, e.g. 'H100 x1, batch 64'.")
    reference: Annotated[bool, Strict()] = Field(
        False,
        description="The declared reference configuration (exactly one when any are listed): "
        "its conditions and figure are the card's inference.conditions and "
        "energy_kwh_per_1000_queries.",
    )
    conditions: InferenceConditions = Field(description="What this configuration's figure covers.")
    energy_kwh_per_1000_queries: Figure = Field(
        description="Energy per 1,000 queries under these conditions, kWh."
    )


def check_reference_configuration(
    configurations: Sequence[Configuration],
    conditions: InferenceConditions,
    energy: Figure | None,
) -> None:
    """Raise ValueError ("expected X, got Y") unless the names are unique and exactly one
    configuration is the reference, with the card's own conditions and figure."""
    if not configurations:
        return
    repeated = sorted(name for name, n in Counter(c.name for c in configurations).items() if n > 1)
    if repeated:
        raise ValueError(
            f"expected configuration names unique on the card, got {', '.join(repeated)} twice"
        )
    references = [c for c in configurations if c.reference]
    if len(references) != 1:
        raise ValueError(
            f"expected exactly one configuration with reference: true, got {len(references)}"
        )
    reference = references[0]
    if reference.conditions != conditions:
        raise ValueError(
            f"expected the reference configuration '{reference.name}' to have the same "
            "conditions as inference.conditions, got different ones"
        )
    if energy is None or energy.value != reference.energy_kwh_per_1000_queries.value:
        shown = "none" if energy is None else f"{energy.value:g}"
        raise ValueError(
            f"expected inference.energy_kwh_per_1000_queries to be the reference configuration "
            f"'{reference.name}''s {reference.energy_kwh_per_1000_queries.value:g}, got {shown}"
        )
