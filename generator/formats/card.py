"""The card format: a pydantic model that is the single source of truth.

Validation, the committed JSON Schema (`generator/data/card.schema.json`), the card template
and the field reference on the site are all derived from the classes below; the value types
they use (text and number bounds) are in `values.py`.
Every numeric key carries its unit in its name (`energy_kwh`, `emissions_tco2e`).
"""

from __future__ import annotations

import datetime
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, Strict, StringConstraints, model_validator

from generator.formats.configurations import Configuration, check_reference_configuration
from generator.formats.figures import ConflictingValue as ConflictingValue
from generator.formats.figures import EnergyScope as EnergyScope
from generator.formats.figures import Figure as Figure
from generator.formats.figures import InferenceConditions as InferenceConditions
from generator.formats.figures import Provenance as Provenance
from generator.formats.figures import _Strict
from generator.formats.power_log_layout import PowerLogLayout
from generator.formats.values import CARD_ID_PATTERN as CARD_ID_PATTERN
from generator.formats.values import (
    CardId,
    Count,
    LongText,
    Name,
    SourceKey,
    Text,
    Url,
)


class Task(StrEnum):
    """Controlled task vocabulary: AI Energy Score's tasks plus Power Hungry Processing's."""

    TEXT_GENERATION = "text-generation"
    REASONING = "reasoning"
    SUMMARIZATION = "summarization"
    EXTRACTIVE_QA = "extractive-qa"
    TEXT_CLASSIFICATION = "text-classification"
    SENTENCE_SIMILARITY = "sentence-similarity"
    TOKEN_CLASSIFICATION = "token-classification"
    FILL_MASK = "fill-mask"
    IMAGE_CLASSIFICATION = "image-classification"
    OBJECT_DETECTION = "object-detection"
    IMAGE_GENERATION = "image-generation"
    IMAGE_CAPTIONING = "image-captioning"
    SPEECH_TO_TEXT = "speech-to-text"
    TABULAR_CLASSIFICATION = "tabular-classification"
    CODE_COMPLETION = "code-completion"
    IMAGE_CHAT = "image-chat"
    VIDEO_CHAT = "video-chat"
    VIDEO_GENERATION = "video-generation"
    # An average over several tasks (e.g. Power Hungry Processing's Table 3): never filed, listed
    # or rated as any one of them.
    MULTI_TASK_AVERAGE = "multi-task-average"


TASK_LABELS: dict[Task, str] = {
    Task.TEXT_GENERATION: "Text generation",
    Task.REASONING: "Reasoning",
    Task.SUMMARIZATION: "Summarization",
    Task.EXTRACTIVE_QA: "Extractive question answering",
    Task.TEXT_CLASSIFICATION: "Text classification",
    Task.SENTENCE_SIMILARITY: "Sentence similarity",
    Task.TOKEN_CLASSIFICATION: "Token classification",
    Task.FILL_MASK: "Fill-mask (masked language modeling)",
    Task.IMAGE_CLASSIFICATION: "Image classification",
    Task.OBJECT_DETECTION: "Object detection",
    Task.IMAGE_GENERATION: "Image generation",
    Task.IMAGE_CAPTIONING: "Image captioning",
    Task.SPEECH_TO_TEXT: "Speech-to-text",
    Task.TABULAR_CLASSIFICATION: "Tabular classification",
    Task.CODE_COMPLETION: "Code completion",
    Task.IMAGE_CHAT: "Image chat (image and text in, text out)",
    Task.VIDEO_CHAT: "Video chat (video and text in, text out)",
    Task.VIDEO_GENERATION: "Video generation",
    Task.MULTI_TASK_AVERAGE: "Average over several tasks",
}


class Source(_Strict):
    """A cited source: every figure on a card points at one of these by key."""

    title: Text = Field(description="Title of the document, table or dataset.")
    url: Url = Field(description="Where a reader can check it (http or https).")
    publisher: Text | None = Field(None, description="Who published it (organization, venue).")
    year: Annotated[int, Strict()] = Field(
        ge=1950, le=2100, description="Year of publication or of the edition used."
    )


class Links(_Strict):
    """Where to read more about the model."""

    model_page: Url | None = Field(None, description="The model's page (e.g. on a model hub).")
    paper: Url | None = Field(None, description="The paper or technical report.")
    repository: Url | None = Field(None, description="Source code repository.")


class Training(_Strict):
    """The reported training footprint."""

    hardware: Text | None = Field(None, description="Accelerator model, e.g. 'NVIDIA H100-80GB'.")
    region: Text | None = Field(None, description="Where training ran (country, region).")
    energy_kwh: Figure | None = Field(None, description="Training energy, kWh.")
    finetuning_energy_kwh: Figure | None = Field(
        None, description="Energy of fine-tuning after pre-training, kWh (counted in break-even)."
    )
    gpu_hours: Figure | None = Field(None, description="Accelerator time, GPU-hours.")
    power_per_gpu_w: Figure | None = Field(
        None, description="Power per accelerator, W (often the TDP, not a measurement)."
    )
    pue: Figure | None = Field(None, description="Data-centre power usage effectiveness (ratio).")
    emissions_tco2e: Figure | None = Field(
        None, description="Emissions as the publisher states them when no basis is given, tCO2eq."
    )
    emissions_location_based_tco2e: Figure | None = Field(
        None, description="Location-based emissions (grid average), tCO2eq."
    )
    emissions_market_based_tco2e: Figure | None = Field(
        None, description="Market-based emissions (after renewable purchases), tCO2eq."
    )
    emissions_lifecycle_tco2e: Figure | None = Field(
        None,
        description="Emissions including hardware manufacturing and idle infrastructure, tCO2eq.",
    )
    break_even_queries: Figure | None = Field(
        None,
        description="Break-even (cost parity) with inference as the source prints it, queries; "
        "the page also shows the one computed from the card's own figures.",
    )
    notes: LongText | None = Field(None, description="Free text about the training figures.")


class MeasurementFormat(StrEnum):
    """Kinds of raw measurement file the loader reads."""

    AUTO = "auto"  # detected from the header
    CODECARBON = "codecarbon"  # CodeCarbon emissions.csv, any generation
    NVIDIA_SMI = "nvidia-smi"  # nvidia-smi --query-gpu=timestamp,index,power.draw --format=csv
    NVML_ENERGY = "nvml-energy"  # NVML total-energy counter samples (mJ) per GPU
    ZEUS = "zeus"  # Zeus log CSV: start_time,window_name,elapsed_time,gpu0_energy,...
    POWER_LOG = "power-log"  # any CSV or Parquet power log, read as its `layout` says


class RowSelection(_Strict):
    """Which runs of a CodeCarbon file belong to this card (all given keys must match)."""

    project_name: Text | None = Field(None, description="CodeCarbon project_name column.")
    experiment_id: Text | None = Field(None, description="CodeCarbon experiment_id column.")
    run_id: list[Text] | None = Field(None, description="CodeCarbon run_id values.")


class MeasurementFile(_Strict):
    """A raw measurement file under measurements/<id>/ and what it measured."""

    path: Text = Field(description="Path relative to the project folder.")
    queries: Count = Field(description="Queries served by each run in the file (below 1e15).")
    format: MeasurementFormat = Field(
        MeasurementFormat.AUTO, description="File format; detected from the header by default."
    )
    select: RowSelection | None = Field(
        None, description="Runs to use when the file holds several experiments."
    )
    layout: PowerLogLayout | None = Field(
        None,
        description="Where a power log keeps time, GPU and power (format: power-log); "
        "the long layout names a GPU column, the wide one a power column per GPU.",
    )

    @model_validator(mode="after")
    def _layout_with_power_log(self) -> MeasurementFile:
        if (self.layout is None) != (self.format is not MeasurementFormat.POWER_LOG):
            raise ValueError(
                "expected a layout exactly when format is power-log, got "
                + (f"a layout with format {self.format.value}" if self.layout else "no layout")
            )
        return self


class GridZone(_Strict):
    """Where inference ran, to look up grid carbon intensity in CodeCarbon's data."""

    country_iso_code: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] | None = Field(
        None, description="ISO 3166 alpha-3 country code, e.g. FRA, USA."
    )
    us_state: Text | None = Field(None, description="US state name, e.g. california (eGRID).")
    cloud_provider: Text | None = Field(None, description="Cloud provider, e.g. gcp.")
    cloud_region: Text | None = Field(None, description="Cloud region, e.g. europe-west1.")


SIZE_CLASS_NAMES = ("A", "B", "C")  # AI Energy Score's text-generation size classes


class ReportedSizeClass(_Strict):
    """A size class as a source gives it (AI Energy Score's `class` column), cited."""

    value: Literal["A", "B", "C"] = Field(description="The class letter.")
    source: SourceKey = Field(description="Key into the card's sources.")
    where: Text = Field(description="Where in the source (file, row, column).")
    note: LongText | None = Field(None, description="Anything a reader should know about it.")


class Inference(_Strict):
    """Inference energy: measured files, or a figure reported by a source."""

    conditions: InferenceConditions = Field(description="What the inference figures cover.")
    energy_kwh_per_1000_queries: Figure | None = Field(
        None, description="Energy per 1,000 queries, kWh, as a source reports it."
    )
    emissions_g_co2e_per_1000_queries: Figure | None = Field(
        None, description="Emissions per 1,000 queries, grams CO2eq, as a source reports it."
    )
    measurements: list[MeasurementFile] = Field(
        default_factory=list, description="Raw measurement files (CodeCarbon, NVML logs)."
    )
    grid: GridZone | None = Field(
        None,
        description="Where the queries ran, for grid carbon intensity (default: the country "
        "CodeCarbon recorded in the file).",
    )
    carbon_intensity_g_per_kwh: Figure | None = Field(
        None, description="Grid carbon intensity to use instead of CodeCarbon's data, cited."
    )
    ai_energy_score_stars: Figure | None = Field(
        None,
        description="AI Energy Score's own rating of this model, 1-5 stars, as its leaderboard "
        "gives it (shown beside this site's stars).",
    )
    ai_energy_score_class: ReportedSizeClass | None = Field(
        None,
        description="AI Energy Score's size class of this text-generation model (A, B, C), as "
        "its leaderboard gives it: rates the card when it states no parameter count.",
    )
    configurations: list[Configuration] = Field(
        default_factory=list,
        description="Every measured configuration (accelerator, batch size, GPU count), one "
        "declared the reference: its conditions and figure are the ones above.",
    )
    notes: LongText | None = Field(None, description="Free text about the inference figures.")

    @model_validator(mode="after")
    def _has_a_figure(self) -> Inference:
        if not (
            self.measurements
            or self.energy_kwh_per_1000_queries
            or self.emissions_g_co2e_per_1000_queries
        ):
            raise ValueError(
                "expected measurements, energy_kwh_per_1000_queries or "
                "emissions_g_co2e_per_1000_queries, got none of them"
            )
        check_reference_configuration(
            self.configurations, self.conditions, self.energy_kwh_per_1000_queries
        )
        return self


class Card(_Strict):
    """A model energy card: one file `cards/<id>.yaml` per model.

    Text holds no control characters and is at most 200 characters long in names (name,
    organization, tags), 1,000 in other text and 10,000 in notes and caveats. Figures are 0 or
    between 1e-12 and 1e15; whole numbers (parameter_count, queries) are below 1e15.
    """

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        allow_inf_nan=False,
        title="Model energy card",
    )

    id: CardId = Field(description="Same as the file name; lowercase letters, digits, hyphens.")
    name: Name = Field(description="Model name as its publisher writes it.")
    organization: Name = Field(description="Who released the model.")
    release_date: datetime.date | None = Field(
        None, description="Release date, YYYY-MM-DD, as the publisher states it."
    )
    task: Task = Field(description="The task its inference figures are for.")
    parameter_count: Count | None = Field(None, description="Number of parameters (below 1e15).")
    architecture: Text | None = Field(None, description="e.g. 'decoder-only transformer'.")
    license: Text | None = Field(None, description="License name or SPDX id.")
    links: Links | None = Field(None, description="Model page, paper, repository.")
    tags: list[Name] = Field(default_factory=list, description="Extra search terms and tags.")
    notes: LongText | None = Field(None, description="Free text shown on the card page.")
    caveats: list[LongText] = Field(
        default_factory=list, description="Warnings shown prominently, e.g. a self-contradiction."
    )
    sources: dict[SourceKey, Source] = Field(
        min_length=1, description="Every source a figure on this card cites, by key."
    )
    training: Training | None = Field(None, description="The reported training footprint.")
    inference: Inference | None = Field(None, description="Inference energy and its conditions.")


FIGURE_FIELDS: tuple[tuple[str, str], ...] = tuple(
    (section, name)
    for section, model in (("training", Training), ("inference", Inference))
    for name, info in model.model_fields.items()
    if info.annotation == Figure | None
)
# Every field that cites one of the card's sources by key (figures and reported classes).
CITING_FIELDS: tuple[tuple[str, str], ...] = (
    *FIGURE_FIELDS,
    ("inference", "ai_energy_score_class"),
)


COMMITTED_SCHEMA_PATH = Path(__file__).resolve().parent.parent / "data" / "card.schema.json"


def card_json_schema() -> dict[str, Any]:
    """The JSON Schema of a card, as committed and published."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **Card.model_json_schema()}


def card_json_schema_text() -> str:
    """The schema as the committed file holds it (stable key order, trailing newline)."""
    return json.dumps(card_json_schema(), indent=2, ensure_ascii=False) + "\n"
