"""The factor table format (generator/data/factors.yaml): equivalence factors with their sources.

One pydantic model, read by `generator.load.factors` with every problem located at
`factors.yaml:line:col`. The table, not the code, holds every value with its unit, source,
publisher and edition year; what was left out, and why; and where the AI Energy Score size
classes (defined in `generator.formats.rating_reference`) were read.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

DAYS_PER_YEAR = 365.0


class _Record(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False
    )


class FactorSource(_Record):
    """Where a factor's value was published."""

    title: str = Field(description="Title of the page or report.")
    url: str = Field(description="Where it is published.")
    publisher: str = Field("", description="Who published it.")
    year: int = Field(description="Edition year of the figure.")
    where: str = Field("", description="Where in the source the number is.")


class OlderValue(_Record):
    """A value the factor had in an older edition (or another page), kept for the record."""

    value: float = Field(description="The older value, in the factor's unit.")
    year: int | None = Field(description="Its edition year; null when not found.")
    note: str = Field(description="Where it was read.")


class FigureElsewhere(_Record):
    """A value for the same equivalence that readers meet elsewhere, and why ours differs."""

    value: float = Field(description="The value, in the factor's unit.")
    where: str = Field(description="Who uses it, in words a reader knows.")
    url: str = Field(description="Where it is published.")
    year: int | None = Field(description="Year of that publication; null when not stated.")
    why: str = Field(description="One plain sentence: why this site's factor differs.")


class Factor(_Record):
    """One everyday equivalence: `value` kWh (energy) or kg CO2e (carbon) per `singular`."""

    id: str = Field(description="Stable id of the factor.")
    label: str = Field(description='Plural wording: "smartphone charges".')
    singular: str = Field("", description="Singular wording; the label when not given.")
    basis: Literal["energy", "carbon"] = Field(description="What the value is per unit of.")
    value: float = Field(description="kWh (energy) or kg CO2e (carbon) per unit.")
    unit: str = Field(description="The value's unit, in words.")
    source: FactorSource = Field(description="Where the value is published.")
    confirmed: bool = Field(False, description="Whether the number was read at its publisher.")
    confirmation_note: str = Field(
        "", exclude=True, description="Where the number was read, exactly (for maintainers)."
    )
    checked: str = Field(
        "", description="How the value was checked, in one plain sentence for readers."
    )
    dated: str = Field(
        "", description='Dated wording for a time-bound factor: "a 2023-era estimate".'
    )
    elsewhere: tuple[FigureElsewhere, ...] = Field(
        (), exclude=True, description="Values readers meet elsewhere, with why ours differ."
    )
    period: Literal["year"] | None = Field(
        None, description="`year` when the source states a yearly figure (counted per day)."
    )
    # Kept in the table for the record, not published with the cards.
    older_values: tuple[OlderValue, ...] = Field(
        (), exclude=True, description="Values of older editions."
    )

    @model_validator(mode="before")
    @classmethod
    def _singular_defaults_to_label(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("singular") and "label" in data:
            return {**data, "singular": data["label"]}
        return data

    @property
    def amount_per_unit(self) -> float:
        """kWh or kg CO2e per counted unit (a yearly household figure is counted per day)."""
        return self.value / DAYS_PER_YEAR if self.period == "year" else self.value


class LeftOut(_Record):
    """An equivalence considered and left out."""

    id: str = Field(description="The id it would have had.")
    reason: str = Field(description="Why it was left out.")


class SizeClassSourcing(_Record):
    """Where AI Energy Score's text-generation size classes were read, with the quotes."""

    read_in: str = Field(description="Repository, commit and file the classes were read in.")
    classes_basis: str = Field(description="What the classes are based on.")
    classes_quote: str = Field(description="The source's words on the classes.")
    size_formula_quote: str = Field(description="The source's model-size formula.")
    single_gpu_rule_quote: str = Field(description="The source's single-GPU rule.")
    metric_quote: str = Field(description="The source's metric.")
    stars_quote: str = Field(description="The source's star rule.")
    notes: str = Field(description="How the quotes were read.")


class FactorTable(_Record):
    """The whole factor table file."""

    factors: tuple[Factor, ...] = Field(description="Every factor, in display order.")
    left_out: tuple[LeftOut, ...] = Field((), description="Equivalences left out, and why.")
    ai_energy_score_classes: SizeClassSourcing | None = Field(
        None, description="Sourcing of the rating size classes."
    )
