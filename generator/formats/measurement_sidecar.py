"""The measurement sidecar format: `measurement.json`, beside what `energy-cards measure` writes.

One pydantic model: `energy-cards measure` writes it with `sidecar_json`, the loader
(`generator.load.measurement_files`) reads it with every problem located at
`measurement.json:line:col`, and compute reads its attributes (how CodeCarbon got CPU power).
Every key is optional when read, so a hand-written sidecar may say only what it knows.
"""

from __future__ import annotations

import json

from pydantic import BaseModel, ConfigDict, Field

SIDECAR_NAME = "measurement.json"


class _Record(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )


class CodeCarbonMethods(_Record):
    """How CodeCarbon got each component's power."""

    cpu_method: str | None = Field(None, description="CPU: a sensor (RAPL...) or an estimate.")
    gpu_method: str | None = Field(None, description="GPU: nvml, or null without a GPU.")
    ram_method: str | None = Field(None, description="RAM: how its power was modelled.")


class Hardware(_Record):
    """The machine the runs were measured on, as CodeCarbon saw it."""

    cpu_model: str | None = Field(None, description="CPU model name.")
    cpu_count: int | None = Field(None, description="Number of CPUs.")
    gpu_model: str | None = Field(None, description="GPU model name; null without a GPU.")
    gpu_count: int | None = Field(None, description="Number of GPUs.")
    gpus: tuple[str, ...] = Field((), description="NVML's name of each GPU sampled.")
    ram_total_size_gb: float | None = Field(None, description="Memory size, GB.")


class Versions(_Record):
    """Software versions at measurement time."""

    python: str | None = Field(None, description="Python version.")
    platform: str | None = Field(None, description="Operating system and machine.")
    codecarbon: str | None = Field(None, description="CodeCarbon version.")
    energy_cards: str | None = Field(
        None, alias="energy-cards", description="energy-cards version."
    )


class SidecarRun(_Record):
    """One measured run."""

    run_id: str = Field(description="CodeCarbon's run id (the emissions.csv row).")
    date: str | None = Field(None, description="When it ran (ISO 8601, UTC).")
    queries: int | None = Field(None, description="Queries the run answered.")
    command: tuple[str, ...] = Field((), description="The workload command.")


class MeasurementSidecar(_Record):
    """What `energy-cards measure` knows about the files it wrote in a folder."""

    written_by: str | None = Field(None, description="The tool and version that wrote it.")
    card: str | None = Field(None, description="The card id the runs are for.")
    queries_per_run: int | None = Field(None, description="Queries per run.")
    files: dict[str, str] = Field({}, description="Each file written, with its format.")
    codecarbon: CodeCarbonMethods = Field(
        CodeCarbonMethods(), description="How CodeCarbon got each component's power."
    )
    hardware: Hardware = Field(Hardware(), description="The machine measured.")
    country_iso_code: str | None = Field(None, description="Grid country given to CodeCarbon.")
    versions: Versions = Field(Versions(), description="Software versions.")
    runs: tuple[SidecarRun, ...] = Field((), description="Every run, oldest first.")


def sidecar_data(sidecar: MeasurementSidecar) -> dict:
    """The JSON-ready form, with the file's own key names."""
    return sidecar.model_dump(mode="json", by_alias=True)


def sidecar_json(sidecar: MeasurementSidecar) -> str:
    """The text of measurement.json for a sidecar."""
    return json.dumps(sidecar_data(sidecar), indent=2) + "\n"
