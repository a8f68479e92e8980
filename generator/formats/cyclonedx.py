"""The CycloneDX 1.6 ML-BOM subset that carries a model's energy, defined once.

`energy-cards export ID --format cyclonedx` writes a BOM with one component of type
`machine-learning-model` whose model card holds
`considerations.environmentalConsiderations.energyConsumptions[]`: per lifecycle activity
(training, fine-tuning, inference), `activityEnergyCost` in kWh and `co2CostEquivalent` in
tCO2eq, with name-value `properties` for what the standard has no field for (the basis of a
per-query figure, its provenance and source). Field names carry units; JSON keys are aliases.
cyclonedx-python-lib has no model-card classes (11.x), so the JSON is written from these
models; the tests validate it against the official CycloneDX 1.6 JSON Schema that
cyclonedx-python-lib ships.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SPEC_VERSION = "1.6"
PROPERTY_PREFIX = "model-energy-cards:"  # our namespace for name-value properties


class Activity(StrEnum):
    """energyConsumption.activity: the lifecycle activities cards hold figures for."""

    TRAINING = "training"
    FINE_TUNING = "fine-tuning"
    INFERENCE = "inference"


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, allow_inf_nan=False)


class Property(_Part):
    """A name-value pair (CycloneDX `property`)."""

    name: str = Field(description="Namespaced name.")
    value: str = Field(description="Text value.")


class EnergyMeasure(_Part):
    """energyMeasure: an energy in kWh."""

    value_kwh: float = Field(alias="value", description="Energy, kWh.")
    unit: Literal["kWh"] = Field("kWh", description="Always kWh.")


class Co2Measure(_Part):
    """co2Measure: emissions in tonnes CO2eq."""

    value_tco2e: float = Field(alias="value", description="Emissions, tCO2eq.")
    unit: Literal["tCO2eq"] = Field("tCO2eq", description="Always tCO2eq.")


class EnergyConsumption(_Part):
    """energyConsumption: the energy of one lifecycle activity."""

    activity: Activity = Field(description="training, fine-tuning or inference.")
    energy_providers: list[dict[str, object]] = Field(
        default_factory=list,
        alias="energyProviders",
        description="Who supplied the energy: cards do not say, so always empty.",
    )
    activity_energy_cost: EnergyMeasure = Field(
        alias="activityEnergyCost", description="The activity's energy."
    )
    co2_cost_equivalent: Co2Measure | None = Field(
        None, alias="co2CostEquivalent", description="Its emissions."
    )
    properties: list[Property] = Field(default_factory=list, description="Basis and citation.")


class EnvironmentalConsiderations(_Part):
    """modelCard.considerations.environmentalConsiderations."""

    energy_consumptions: list[EnergyConsumption] = Field(
        default_factory=list, alias="energyConsumptions", description="One per activity."
    )
    properties: list[Property] = Field(
        default_factory=list, description="Figures with no energy to attach them to."
    )


class Considerations(_Part):
    """modelCard.considerations (only the environmental part)."""

    environmental: EnvironmentalConsiderations = Field(
        alias="environmentalConsiderations", description="Energy and emissions."
    )


class ModelCard(_Part):
    """component.modelCard (only the considerations)."""

    considerations: Considerations = Field(description="Environmental considerations.")


class ExternalReference(_Part):
    """component.externalReferences[]."""

    url: str = Field(description="The address.")
    ref_type: Literal["website", "documentation", "model-card"] = Field(
        alias="type", description="Kind of reference."
    )


class Component(_Part):
    """The model, as a `machine-learning-model` component."""

    component_type: Literal["machine-learning-model"] = Field(
        "machine-learning-model", alias="type", description="Always a model."
    )
    bom_ref: str = Field(alias="bom-ref", description="Unique within the BOM.")
    name: str = Field(description="The model's name.")
    publisher: str | None = Field(None, description="Who released it.")
    description: str | None = Field(None, description="The task.")
    external_references: list[ExternalReference] = Field(
        default_factory=list, alias="externalReferences", description="Model page, card page."
    )
    model_card: ModelCard = Field(alias="modelCard", description="The energy section.")


class Bom(_Part):
    """A CycloneDX 1.6 BOM holding one model component."""

    bom_format: Literal["CycloneDX"] = Field("CycloneDX", alias="bomFormat", description="Fixed.")
    spec_version: Literal["1.6"] = Field(SPEC_VERSION, alias="specVersion", description="1.6.")
    serial_number: str = Field(alias="serialNumber", description="urn:uuid:..., stable per card.")
    version: int = Field(1, description="The BOM's version.")
    components: list[Component] = Field(description="The model.")


def bom_json_data(bom: Bom) -> dict[str, object]:
    """The BOM as CycloneDX JSON data: keys as the schema names them, unset ones left out."""
    return bom.model_dump(mode="json", by_alias=True, exclude_none=True)
