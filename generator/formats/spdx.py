"""The SPDX 3.0.1 AI profile's `energyConsumption`, defined once.

An `ai_AIPackage` element may hold `ai_energyConsumption`, an `ai_EnergyConsumption` with up
to three lists (`ai_trainingEnergyConsumption`, `ai_finetuningEnergyConsumption`,
`ai_inferenceEnergyConsumption`) of `ai_EnergyConsumptionDescription`: `ai_energyQuantity`
(xsd:decimal, written as text in JSON-LD as the spec's examples and the SPDX Python bindings
do) and `ai_energyUnit` (kilowattHour, megajoule or other). The compact JSON-LD names are the
field names here. `energy-cards export ID --format spdx` writes the snippet to paste into an
AI package element; the tests load it, inside a minimal SPDX document, with the
`spdx-python-model` bindings generated from the SPDX 3.0.1 model.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SPDX_CONTEXT = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EnergyConsumptionDescription(_Part):
    """ai_EnergyConsumptionDescription: one quantity with its unit."""

    type: Literal["ai_EnergyConsumptionDescription"] = Field(
        "ai_EnergyConsumptionDescription", description="JSON-LD type."
    )
    ai_energyQuantity: str = Field(description="The quantity, a decimal written as text.")
    ai_energyUnit: Literal["kilowattHour", "megajoule", "other"] = Field(
        "kilowattHour", description="Its unit."
    )


class EnergyConsumption(_Part):
    """ai_EnergyConsumption: energy per lifecycle stage."""

    type: Literal["ai_EnergyConsumption"] = Field(
        "ai_EnergyConsumption", description="JSON-LD type."
    )
    ai_trainingEnergyConsumption: list[EnergyConsumptionDescription] = Field(
        default_factory=list, description="Training."
    )
    ai_finetuningEnergyConsumption: list[EnergyConsumptionDescription] = Field(
        default_factory=list, description="Fine-tuning."
    )
    ai_inferenceEnergyConsumption: list[EnergyConsumptionDescription] = Field(
        default_factory=list, description="Inference (per query)."
    )


class AiPackageEnergy(_Part):
    """The properties of an `ai_AIPackage` element this snippet gives."""

    ai_energyConsumption: EnergyConsumption = Field(description="The energy.")


def decimal_text(value: float) -> str:
    """A float as xsd:decimal text: plain digits, no exponent ("0.0000026", "1287000")."""
    text = f"{value:.15g}"
    if "e" not in text:
        return text
    exponent = int(f"{value:e}".split("e")[1])
    digits = f"{value:.{max(0, 14 - exponent)}f}"
    return digits.rstrip("0").rstrip(".") if "." in digits else digits


def spdx_json_data(snippet: AiPackageEnergy) -> dict[str, object]:
    """The snippet as JSON-LD data (empty stage lists left out)."""
    data = snippet.model_dump(mode="json")
    energy = data["ai_energyConsumption"]
    data["ai_energyConsumption"] = {key: value for key, value in energy.items() if value != []}
    return data
