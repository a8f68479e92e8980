"""Part of the card format: a figure with its citation, and the conditions of an inference
figure. `card.py` and `configurations.py` build their sections from these (each defined once).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, Strict

from generator.formats.values import Count, FigureValue, LongText, SourceKey, Text


class Provenance(StrEnum):
    """How a figure came to be."""

    MEASURED = "measured"  # read from a real sensor (NVML, RAPL, a power meter)
    ESTIMATED = "estimated"  # computed from other figures, e.g. GPU-hours x TDP
    REPORTED = "reported"  # stated by a publisher without saying how, or taken as stated


class EnergyScope(StrEnum):
    """Which components an energy figure covers."""

    GPU = "gpu"
    CPU = "cpu"
    CPU_RAM = "cpu+ram"
    GPU_CPU_RAM = "gpu+cpu+ram"
    WHOLE_NODE = "whole-node"  # measured at the wall plug or PDU
    NOT_STATED = "not-stated"  # the source does not say: never guess a scope


class _Strict(BaseModel):
    """Base for every card section: unknown keys are reported, strings are trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)


class ConflictingValue(_Strict):
    """Another value the same source gives for the same figure."""

    value: FigureValue = Field(
        description="The other value, in the figure's unit (0, or between 1e-12 and 1e15)."
    )
    where: Text = Field(description="Where in the source this other value appears.")
    note: LongText | None = Field(None, description="Why the values differ, if known.")


class Figure(_Strict):
    """One number with its provenance and citation."""

    value: FigureValue = Field(
        description="The number, in the unit its key names: 0, or between 1e-12 and 1e15."
    )
    provenance: Provenance = Field(description="measured, estimated or reported.")
    source: SourceKey = Field(description="Key of an entry in the card's `sources`.")
    where: Text | None = Field(None, description="Where in the source: table, row, section.")
    note: LongText | None = Field(None, description="Anything a reader needs to interpret it.")
    conflicts: list[ConflictingValue] = Field(
        default_factory=list,
        description="Other values the same source gives for this figure (say so, never pick "
        "silently).",
    )


class InferenceConditions(_Strict):
    """What makes two inference figures comparable."""

    hardware: Text = Field(description="Accelerator or CPU the queries ran on.")
    scope: EnergyScope = Field(description="Which components the energy covers.")
    includes_pue: Annotated[bool, Strict()] | None = Field(
        description="Whether data-centre overhead (PUE) is included; null if the source does "
        "not say."
    )
    batch_size: Count | None = Field(None, description="Queries per batch (below 1e15).")
    precision: Text | None = Field(None, description="Numeric precision, e.g. fp16, bf16, int8.")
    dataset: Text | None = Field(None, description="The queries: dataset and how many.")
    gpu_count: Count | None = Field(
        None, description="Accelerators serving the model together (tensor or pipeline parallel)."
    )
