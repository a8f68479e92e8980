"""Load stage for the equivalence factor table, generator/data/factors.yaml.

Takes nothing (the table ships with the package); gives `Factor` records. The table, not the
code, holds every value with its unit, source, publisher and edition year.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

FACTORS_PATH = Path(__file__).resolve().parent.parent / "data" / "factors.yaml"
DAYS_PER_YEAR = 365.0


@dataclass(frozen=True)
class FactorSource:
    title: str
    url: str
    publisher: str
    year: int
    where: str = ""


@dataclass(frozen=True)
class Factor:
    """One everyday equivalence: `value` kWh (energy) or kg CO2e (carbon) per `singular`."""

    id: str
    label: str  # plural: "smartphone charges"
    singular: str
    basis: str  # "energy" or "carbon"
    value: float
    unit: str
    source: FactorSource
    confirmed: bool
    confirmation_note: str = ""
    period: str | None = None  # "year" when the source states a yearly figure

    @property
    def amount_per_unit(self) -> float:
        """kWh or kg CO2e per counted unit (a yearly household figure is counted per day)."""
        return self.value / DAYS_PER_YEAR if self.period == "year" else self.value


def _factor(entry: dict) -> Factor:
    source = entry["source"]
    return Factor(
        id=entry["id"],
        label=entry["label"],
        singular=entry.get("singular", entry["label"]),
        basis=entry["basis"],
        value=float(entry["value"]),
        unit=entry["unit"],
        source=FactorSource(
            title=source["title"],
            url=source["url"],
            publisher=source.get("publisher", ""),
            year=int(source["year"]),
            where=source.get("where", ""),
        ),
        confirmed=bool(entry.get("confirmed", False)),
        confirmation_note=entry.get("confirmation_note", ""),
        period=entry.get("period"),
    )


@cache
def read_factors() -> tuple[Factor, ...]:
    """Every factor of the table, in its order."""
    data = yaml.safe_load(FACTORS_PATH.read_text(encoding="utf-8"))
    return tuple(_factor(entry) for entry in data["factors"])
