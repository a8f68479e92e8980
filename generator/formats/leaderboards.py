"""Published leaderboard files, defined once: AI Energy Score's task CSVs and ML.ENERGY's three
schemas (v2 legacy CSV + models.json, v2 per-configuration JSON, v3 index.json + model files).

The readers (`load/aies.py`, `load/mlenergy.py`) turn each row or configuration into one
`LeaderboardFigure`: the energy in kWh per 1,000 queries with the exact file, commit, place
(`where`), unit reasoning and conditions; `load/leaderboard_draft.py` turns them into cards.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from generator.formats.card import Task


class _Row(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


AIES_COLUMNS = ("model", "total_gpu_energy", "energy_score")  # + `class` in text_generation only
AIES_TASKS: dict[str, Task] = {
    "asr": Task.SPEECH_TO_TEXT,
    "image_captioning": Task.IMAGE_CAPTIONING,
    "image_classification": Task.IMAGE_CLASSIFICATION,
    "image_generation": Task.IMAGE_GENERATION,
    "object_detection": Task.OBJECT_DETECTION,
    "question_answering": Task.EXTRACTIVE_QA,
    "sentence_similarity": Task.SENTENCE_SIMILARITY,
    "summarization": Task.SUMMARIZATION,
    "text_classification": Task.TEXT_CLASSIFICATION,
    "text_generation": Task.TEXT_GENERATION,
}
MLENERGY_LEGACY_COLUMNS = ("model", "throughput", "response_length", "latency", "energy")
MLENERGY_TASKS: dict[str, Task] = {
    "chat": Task.TEXT_GENERATION,  # v2 (legacy CSVs and per-configuration JSON)
    "lm-arena-chat": Task.TEXT_GENERATION,
    "gpqa": Task.REASONING,
    "sourcegraph-fim": Task.CODE_COMPLETION,
    "image-chat": Task.IMAGE_CHAT,
    "video-chat": Task.VIDEO_CHAT,
    "text-to-image": Task.IMAGE_GENERATION,
    "text-to-video": Task.VIDEO_GENERATION,
}
# v3 energy keys by what one request produces
MLENERGY_V3_ENERGY_KEYS = (
    "energy_per_request_joules",
    "energy_per_image_joules",
    "energy_per_video_joules",
)


class MlEnergyLegacyModel(_Row):
    """One entry of v2 legacy `models.json` (keyed by the leaderboard's model id)."""

    url: str | None = None
    nickname: str | None = None
    params: float | None = Field(None, description="Parameters, billions.")


class MlEnergyV2Configuration(_Row):
    """A v2 per-configuration JSON file (`<gpu>/<org>/<model>/bs<N>+tp<T>+pp<P>.json`)."""

    model: str = Field(alias="Model")
    gpu: str = Field(alias="GPU")
    tensor_parallel: int = Field(alias="TP")
    pipeline_parallel: int = Field(alias="PP")
    energy_per_request_j: float = Field(alias="Energy/req (J)", ge=0)
    max_batch_size: int | None = Field(None, alias="Max BS (reqs)")


class MlEnergyV3Configuration(_Row):
    """One `configurations[]` entry of a v3 model file (extra keys are kept, not needed)."""

    model_config = ConfigDict(extra="allow")

    gpu_model: str
    num_gpus: int = Field(ge=1)
    max_num_seqs: int | None = Field(None, ge=1)  # LLMs: the maximum batch size
    batch_size: int | None = Field(None, ge=1)  # diffusion models
    energy_per_request_joules: float | None = Field(None, ge=0)
    energy_per_image_joules: float | None = Field(None, ge=0)
    energy_per_video_joules: float | None = Field(None, ge=0)
    parallelization: dict[str, object] = Field(default_factory=dict)


class MlEnergyV3ModelFile(_Row):
    """A v3 `models/<org>__<model>__<task>.json` file."""

    model_id: str
    task: str
    nickname: str | None = None
    total_params_billions: float | None = None
    activated_params_billions: float | None = None
    weight_precision: str | None = None
    architecture: str | None = None
    configurations: list[MlEnergyV3Configuration]


class MlEnergyV3Index(_Row):
    """The v3 `index.json`: when the data was last updated and which models it holds."""

    last_updated: str | None = None
    models: dict[str, dict[str, object]] = Field(default_factory=dict)


@dataclass(frozen=True)
class LeaderboardSource:
    """The published file a figure comes from, pinned to a commit."""

    key: str  # the card's source key, e.g. ai-energy-score-text-generation
    title: str
    url: str
    publisher: str
    year: int


@dataclass(frozen=True)
class LeaderboardFigure:
    """One published energy figure, with everything a card needs to cite and qualify it."""

    leaderboard: str  # "aies" or "mlenergy"
    model_id: str  # as the file writes it (org renames and case kept)
    task: Task
    source_task: str  # the leaderboard's own task name
    energy_kwh_per_1000_queries: float
    source: LeaderboardSource
    where: str
    note: str  # unit reasoning, and anything else a reader needs
    hardware: str
    dataset: str
    batch_size: int | None = None
    gpu_count: int | None = None
    precision: str | None = None
    configuration: str = ""  # e.g. "H100 x1, batch 64, TP1 PP1": unique per model and task
    params_billions: float | None = None
    display_name: str | None = None
    stars: int | None = None  # AI Energy Score's energy_score
    size_class: str | None = None  # AI Energy Score's class column (text generation: A, B, C)
    conflicts: tuple[tuple[float, str], ...] = field(default_factory=tuple)  # (value, where)
