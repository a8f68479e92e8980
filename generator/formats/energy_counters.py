"""The NVML energy-counter CSV format (`nvml_energy.csv`): its columns, defined once.

`energy-cards measure` writes the file with `NVML_ENERGY_HEADER` and `nvml_energy_cells`;
`generator.load.energy_counters` reads it by these column names (and accepts the other names
that NVML exporters use for the counter and the GPU id). `NvmlEnergyRow` describes one row.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

NVML_FILE = "nvml_energy.csv"


class NvmlEnergyRow(BaseModel):
    """One sample of one GPU's total-energy counter, in the column order of the file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timestamp: float = Field(description="Unix time of the sample, s.")
    run: str = Field(description="CodeCarbon's run id: the file holds one block of rows per run.")
    index: str = Field(description="NVML's GPU index.")
    total_energy_mj: float = Field(
        description="nvmlDeviceGetTotalEnergyConsumption: mJ since the driver loaded."
    )
    power_w: float | None = Field(None, description="nvmlDeviceGetPowerUsage at that time, W.")


NVML_ENERGY_HEADER: tuple[str, ...] = tuple(NvmlEnergyRow.model_fields)
TIME_COLUMN = "timestamp"
RUN_COLUMN = "run"
POWER_COLUMN = "power_w"
# Counter and GPU-id columns: what we write first, then what other NVML exporters call them.
ENERGY_COLUMNS: tuple[str, ...] = ("total_energy_mj", "energy_mj", "total_energy_consumption_mj")
GPU_COLUMNS: tuple[str, ...] = ("uuid", "index", "gpu")


def nvml_energy_cells(row: NvmlEnergyRow) -> list[str | float | None]:
    """The CSV cells of one row, in `NVML_ENERGY_HEADER` order (time to ms, energy to mJ)."""
    return [
        f"{row.timestamp:.3f}",
        row.run,
        row.index,
        f"{row.total_energy_mj:.0f}",
        row.power_w,
    ]
