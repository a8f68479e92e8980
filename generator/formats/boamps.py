"""The BoAmps energy report format (Boavizta), defined once for its reader and its writer.

BoAmps (release 1.1.0; JSON Schemas draft-04, `report_schema.json` and the sub-schemas for
algorithms, datasets, hardware and measures) describes one computing task (a stage such as
training or inference), the energy measures of it and the infrastructure it ran on.
`generator.load.boamps` reads a report into `BoampsReport` (and drafts a card from it);
`generator.render.boamps` writes a card as one. Field names carry their unit where BoAmps'
names do not, and the JSON key is the alias: `measures[].powerConsumption` is an energy in
kWh (`energy_kwh`) despite its name; `task.nbRequest` is the number of requests a measure
covers (`requests`); `algorithms[].parametersNumber` is in billions (`parameters_billions`).
`quality` is the reporter's uncertainty: high, medium or low, which the spec reads as about
+/-10 %, 25 % and 50 % (`QUALITY_BANDS`).

Unknown keys are ignored, as the schemas allow them; the keys defined here are checked with
the schemas' types and enumerations.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, Strict


def _json_number(value: float) -> int | float:
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


# Numbers as JSON writes them: no true/false, no quoted numbers (the schemas say "number");
# whole numbers are written whole (nbRequest 1000, not 1000.0).
Number = Annotated[float, Strict(), PlainSerializer(_json_number, when_used="json")]
WholeNumber = Annotated[int, Strict()]


class Quality(StrEnum):
    """The report's own estimate of its uncertainty."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


# The spec's percentage error of each quality (`report_schema.json`, `quality`).
QUALITY_BANDS: dict[Quality, float] = {Quality.HIGH: 0.10, Quality.MEDIUM: 0.25, Quality.LOW: 0.50}


class ReportStatus(StrEnum):
    """header.reportStatus."""

    DRAFT = "draft"
    FINAL = "final"
    CORRECTIVE = "corrective"
    OTHER = "other"


class Confidentiality(StrEnum):
    """header.publisher.confidentialityLevel."""

    PUBLIC = "public"
    INTERNAL = "internal"
    CONFIDENTIAL = "confidential"
    SECRET = "secret"


class DataUsage(StrEnum):
    """dataset[].dataUsage."""

    INPUT = "input"
    OUTPUT = "output"


class DataType(StrEnum):
    """dataset[].dataType."""

    TABULAR = "tabular"
    AUDIO = "audio"
    BOOLEAN = "boolean"
    IMAGE = "image"
    VIDEO = "video"
    OBJECT = "object"
    TEXT = "text"
    TOKEN = "token"
    WORD = "word"
    OTHER = "other"


class InfraType(StrEnum):
    """infrastructure.infraType."""

    PUBLIC_CLOUD = "publicCloud"
    PRIVATE_CLOUD = "privateCloud"
    ON_PREMISE = "onPremise"
    OTHER = "other"


class _Part(BaseModel):
    """Base of every part: JSON keys are the aliases; unknown keys are ignored."""

    model_config = ConfigDict(
        extra="ignore", populate_by_name=True, allow_inf_nan=False, str_strip_whitespace=True
    )


class Publisher(_Part):
    """header.publisher: who published the report."""

    name: str | None = Field(None, description="Organization.")
    division: str | None = Field(None, description="Department within the organization.")
    project_name: str | None = Field(None, alias="projectName", description="Project.")
    confidentiality: Confidentiality = Field(
        alias="confidentialityLevel", description="public, internal, confidential or secret."
    )


class Header(_Part):
    """header: the report's own metadata."""

    licensing: str | None = Field(None, description="Licence of the report.")
    format_version: str | None = Field(
        None, alias="formatVersion", description="Real files say 0.1 whatever the release."
    )
    report_id: str | None = Field(None, alias="reportId", description="Preferably a uuid4.")
    report_datetime: str = Field(
        alias="reportDatetime", description="Publishing date, YYYY-MM-DD HH:MM:SS."
    )
    report_status: ReportStatus | None = Field(None, alias="reportStatus", description="Status.")
    publisher: Publisher | None = Field(None, description="Who published it.")


class Algorithm(_Part):
    """task.algorithms[]: a model or algorithm the task runs."""

    training_type: str | None = Field(None, alias="trainingType", description="Training type.")
    algorithm_type: str | None = Field(None, alias="algorithmType", description="e.g. llm.")
    algorithm_name: str | None = Field(None, alias="algorithmName", description="e.g. cnn.")
    algorithm_uri: str | None = Field(None, alias="algorithmUri", description="Its URI.")
    foundation_model_name: str | None = Field(
        None, alias="foundationModelName", description="e.g. llama3.1-8b."
    )
    foundation_model_uri: str | None = Field(
        None, alias="foundationModelUri", description="The foundation model's URI."
    )
    parameters_billions: Number | None = Field(
        None, alias="parametersNumber", description="Total parameters, in billions."
    )
    framework: str | None = Field(None, description="e.g. vllm, pytorch.")
    framework_version: str | None = Field(None, alias="frameworkVersion", description="Version.")
    quantization: str | None = Field(None, description="e.g. fp16, int8.")


class Dataset(_Part):
    """task.dataset[]: data the task reads or writes."""

    usage: DataUsage = Field(alias="dataUsage", description="input or output.")
    data_type: DataType = Field(alias="dataType", description="text, token, image...")
    data_format: str | None = Field(None, alias="dataFormat", description="File format.")
    size_gb: Number | None = Field(None, alias="dataSize", description="Size, GB.")
    quantity: Number | None = Field(None, alias="dataQuantity", description="Items (tokens...).")
    shape: str | None = Field(None, description="e.g. (12, 1000).")
    source: str | None = Field(None, description="public, private or other.")
    source_uri: str | None = Field(None, alias="sourceUri", description="Where it is.")
    owner: str | None = Field(None, description="Its owner.")


class Task(_Part):
    """task: what was measured."""

    stage: str = Field(
        alias="taskStage", description="training, finetuning, inference... ('+' joins stages)."
    )
    family: str = Field(alias="taskFamily", description="e.g. chatbot, image classification.")
    requests: Number | None = Field(
        None, alias="nbRequest", description="Inference: requests the measures cover."
    )
    algorithms: list[Algorithm] = Field(min_length=1, description="At least one.")
    dataset: list[Dataset] = Field(min_length=1, description="At least one.")
    measured_accuracy: Number | None = Field(
        None, alias="measuredAccuracy", ge=0, le=1, description="Accuracy, 0-1."
    )
    estimated_accuracy: str | None = Field(
        None, alias="estimatedAccuracy", description="veryPoor ... veryGood."
    )
    description: str | None = Field(None, alias="taskDescription", description="Free text.")


class Measure(_Part):
    """measures[]: one energy measure of the task."""

    method: str = Field(
        alias="measurementMethod", description="codecarbon, wattmeter, flops-compute..."
    )
    manufacturer: str | None = Field(None, description="The wattmeter's maker.")
    version: str | None = Field(None, description="The tool's version.")
    cpu_tracking_mode: str | None = Field(
        None, alias="cpuTrackingMode", description="constant (TDP), rapl..."
    )
    gpu_tracking_mode: str | None = Field(
        None, alias="gpuTrackingMode", description="constant, nvml..."
    )
    average_utilization_cpu: Number | None = Field(
        None, alias="averageUtilizationCpu", ge=0, le=1, description="0-1."
    )
    average_utilization_gpu: Number | None = Field(
        None, alias="averageUtilizationGpu", ge=0, le=1, description="0-1."
    )
    calibration_energy_kwh: Number | None = Field(
        None, alias="powerCalibrationMeasurement", description="Calibration energy, kWh."
    )
    calibration_duration_s: Number | None = Field(
        None, alias="durationCalibrationMeasurement", description="Calibration time, s."
    )
    energy_kwh: Number = Field(
        alias="powerConsumption", ge=0, description="Energy of the task, kWh (not a power)."
    )
    duration_s: Number | None = Field(
        None, alias="measurementDuration", ge=0, description="Duration, s."
    )
    started: str | None = Field(
        None, alias="measurementDateTime", description="Start, YYYY-MM-DD HH:MM:SS."
    )


class System(_Part):
    """system: the operating system."""

    os: str = Field(description="e.g. linux.")
    distribution: str | None = Field(None, description="Distribution.")
    distribution_version: str | None = Field(
        None, alias="distributionVersion", description="Its version."
    )


class Software(_Part):
    """software: the programming language."""

    language: str = Field(description="e.g. python.")
    version: str | None = Field(None, description="Its version.")


class Component(_Part):
    """infrastructure.components[]: one kind of hardware."""

    name: str | None = Field(None, alias="componentName", description="e.g. 2 x Tesla V100S.")
    component_type: str = Field(alias="componentType", description="cpu, gpu, ram, tpu...")
    count: WholeNumber = Field(alias="nbComponent", description="How many.")
    memory_gb: Number | None = Field(None, alias="memorySize", description="Memory of one, GB.")
    manufacturer: str | None = Field(None, description="e.g. nvidia.")
    family: str | None = Field(None, description="e.g. geforce.")
    series: str | None = Field(None, description="e.g. gtx1080.")
    share: Number | None = Field(None, ge=0, le=1, description="Share used by the task, 0-1.")


class Infrastructure(_Part):
    """infrastructure: where the task ran."""

    infra_type: InfraType = Field(alias="infraType", description="publicCloud, onPremise...")
    cloud_provider: str | None = Field(None, alias="cloudProvider", description="e.g. ovh.")
    cloud_instance: str | None = Field(None, alias="cloudInstance", description="e.g. a1.large.")
    cloud_service: str | None = Field(None, alias="cloudService", description="e.g. openAI.")
    components: list[Component] = Field(min_length=1, description="At least one.")


class Environment(_Part):
    """environment: the country and electricity."""

    country: str = Field(description="Country (free text in real files: 'france').")
    latitude: Number | None = Field(None, description="Latitude.")
    longitude: Number | None = Field(None, description="Longitude.")
    location: str | None = Field(None, description="City, region or data centre.")
    power_supplier_type: str | None = Field(
        None, alias="powerSupplierType", description="public, private, internal, other."
    )
    power_source: str | None = Field(None, alias="powerSource", description="solar, coal...")
    intensity_g_per_kwh: Number | None = Field(
        None, alias="powerSourceCarbonIntensity", ge=0, description="gCO2eq/kWh."
    )


class BoampsReport(_Part):
    """A BoAmps report: one task, its energy measures and the infrastructure it ran on."""

    header: Header | None = Field(None, description="Who published the report, and when.")
    task: Task = Field(description="The task measured.")
    measures: list[Measure] = Field(min_length=1, description="Energy measures of the task.")
    system: System | None = Field(None, description="Operating system.")
    software: Software | None = Field(None, description="Programming language.")
    infrastructure: Infrastructure = Field(description="Hardware it ran on.")
    environment: Environment | None = Field(None, description="Country and electricity.")
    quality: Quality | None = Field(None, description="high, medium or low uncertainty.")


def boamps_json_data(report: BoampsReport) -> dict[str, object]:
    """The report as BoAmps JSON data: keys as the schema names them, unset ones left out."""
    return report.model_dump(mode="json", by_alias=True, exclude_none=True)
