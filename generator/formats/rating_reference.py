"""The rating reference format (ratings/reference.yaml) and the size classes its groups use.

One pydantic model: `generator.load.ratings` reads the file with it (every problem located at
`ratings/reference.yaml:line:col`), `reference_yaml` writes it, and `generator.compute.ratings`
does the star arithmetic on it. The text-generation size classes are defined here once; the
factor table (generator/data/factors.yaml) keeps where they were read.
"""

from __future__ import annotations

import math
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from generator.formats.card import SIZE_CLASS_NAMES, EnergyScope, Task


class SizeClass(BaseModel):
    """One AI Energy Score size class for text generation."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(description="Class letter.")
    max_parameters: float = Field(description="Largest parameter count in the class (inclusive).")
    hardware: str = Field(description="What it runs on, in AI Energy Score's words.")
    reference_hardware: str = Field(description="The GPU AI Energy Score names.")
    total_memory_gb: str = Field(description="GPU memory of that hardware.")
    in_short: str = Field(description="The hardware in a few words, for the methodology page.")


# As AI Energy Score defines them (huggingface/AIEnergyScore index.md, Table 2; the commit and
# quotes are in generator/data/factors.yaml under ai_energy_score_classes): the maximum model
# size in parameters (FP16, 20% overhead) that fits the hardware.
SIZE_CLASSES: tuple[SizeClass, ...] = (
    SizeClass(
        name="A",
        max_parameters=20e9,
        hardware="Single Consumer GPU",
        reference_hardware="NVIDIA RTX 4090",
        total_memory_gb="24",
        in_short="one consumer GPU",
    ),
    SizeClass(
        name="B",
        max_parameters=66e9,
        hardware="Single Cloud GPU",
        reference_hardware="NVIDIA H100",
        total_memory_gb="80",
        in_short="one H100",
    ),
    SizeClass(
        name="C",
        max_parameters=math.inf,
        hardware="Multiple Cloud GPUs",
        reference_hardware="NVIDIA H100",
        total_memory_gb=">80",
        in_short="several GPUs",
    ),
)
SizeClassName = Literal[tuple(size.name for size in SIZE_CLASSES)]  # type: ignore[valid-type]
# A card can give AI Energy Score's class instead of a parameter count (the same letters).
assert tuple(size.name for size in SIZE_CLASSES) == SIZE_CLASS_NAMES


def _size_class_note() -> str:
    bounded = [
        f"{size.name} up to {size.max_parameters / 1e9:g} billion" for size in SIZE_CLASSES[:-1]
    ]
    bounded[0] = bounded[0].replace(" billion", " billion parameters")
    parts = [f"{text} ({size.in_short})" for text, size in zip(bounded, SIZE_CLASSES, strict=False)]
    last = SIZE_CLASSES[-1]
    parts.append(f"{last.name} above ({last.in_short})")
    return "text generation is rated within AI Energy Score's size classes: " + ", ".join(parts)


SIZE_CLASS_NOTE = _size_class_note()
# The smallest group that is rated: with two cards one always gets 5 stars and the other 1,
# whatever the gap; three is the fewest that puts a card between the ends of the range.
MIN_GROUP_CARDS = 3
METHOD = (
    "five equal bands of log10(kWh per 1,000 queries) between the lowest (5 stars) "
    "and the highest (1 star) card of each group; a group is one task, one size class, "
    "one energy scope and one measurement setting (hardware, GPU count, batch size, precision "
    f"and queries), with at least {MIN_GROUP_CARDS} cards; figures whose scope is not "
    "stated and averages over several tasks are never rated; " + SIZE_CLASS_NOTE
)
HEADER = "# Rating reference: refresh with `energy-cards ratings --refresh`.\n"


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class RatingGroup(_Record):
    """One task (and size class) of the reference: its energy range and the cards that set it."""

    task: Task = Field(description="The task the group rates.")
    size_class: SizeClassName | None = Field(
        None, description="Size class for text generation; null for other tasks."
    )
    scope: EnergyScope | None = Field(
        None, description="What the energy of every card of the group covers (gpu, ...)."
    )
    measured_as: str | None = Field(
        None,
        description="The measurement setting every card of the group shares (hardware, GPU "
        "count, batch size, precision, queries).",
    )
    min_kwh_per_1000_queries: float = Field(
        gt=0, description="Lowest energy of the group, kWh per 1,000 queries (5 stars)."
    )
    max_kwh_per_1000_queries: float = Field(
        gt=0, description="Highest energy of the group, kWh per 1,000 queries (1 star)."
    )
    cards: tuple[str, ...] = Field((), description="The cards that set the range.")

    @model_validator(mode="after")
    def _a_range(self) -> RatingGroup:
        if self.max_kwh_per_1000_queries <= self.min_kwh_per_1000_queries:
            raise ValueError(
                "expected max_kwh_per_1000_queries above min_kwh_per_1000_queries, got "
                f"{self.max_kwh_per_1000_queries:g} <= {self.min_kwh_per_1000_queries:g}"
            )
        return self

    @property
    def key(self) -> tuple[str, str | None, str | None, str | None]:
        scope = self.scope.value if self.scope else None
        return (self.task.value, self.size_class, scope, self.measured_as)


class RatingReference(_Record):
    """The committed reference: its date and the energy range of each group."""

    date: str = Field(description="ISO date the reference was refreshed.")
    method: str = Field(METHOD, description="How stars are given against it, in words.")
    min_group_cards: int = Field(
        MIN_GROUP_CARDS, ge=2, description="Fewest cards a group needs to be rated."
    )
    groups: tuple[RatingGroup, ...] = Field((), description="One entry per rated group.")

    def group_for(
        self,
        task: Task,
        size_class: str | None,
        scope: EnergyScope | None = None,
        measured_as: str | None = None,
    ) -> RatingGroup | None:
        """The group of that task, size class, scope and measurement setting; a group without a
        setting (a reference written before settings were recorded) takes any setting."""
        key = (task.value, size_class, scope.value if scope else None, measured_as)
        exact = next((g for g in self.groups if g.key == key), None)
        return exact or next((g for g in self.groups if g.key == (*key[:3], None)), None)


def reference_yaml(reference: RatingReference) -> str:
    """The text of ratings/reference.yaml for a reference (what `--refresh` writes)."""
    data = reference.model_dump(mode="json")
    return HEADER + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
