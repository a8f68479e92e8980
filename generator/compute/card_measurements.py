"""Compute stage for each card's measurement files: measured figures and power logs.

Pure: takes the cards that passed the gate (`generator.check.gather.LoadedCard`, each with its
measurement files as the loader parsed them) and the grid intensity table; gives per card id a
`CardMeasurements` (the measured inference figure, see `measured_runs`, and the power logs its
charts draw) and the problems the runs have (scope mismatches, no usable run).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from generator.check.gather import LoadedCard
from generator.compute.measured_runs import MeasuredInference, measure_inference
from generator.load.grid import GridData
from generator.load.nvidia_smi import PowerSamples
from generator.problems import Problem


@dataclass(frozen=True)
class CardMeasurements:
    """What a card's measurement files give.

    Attributes:
        inference: The measured inference figure, or None when no file gives a usable run.
        power_logs: (display path, samples) of each file holding a power timeline (nvidia-smi
            logs, NVML counter files with a power column), in card order.
    """

    inference: MeasuredInference | None = None
    power_logs: tuple[tuple[str, PowerSamples], ...] = ()


def measure_card(loaded: LoadedCard, grid: GridData) -> tuple[CardMeasurements, list[Problem]]:
    """One card's measured figure (energy, provenance, CO2 at `grid`) and power logs."""
    files = loaded.measurements
    inference, problems = measure_inference(loaded.card, files, grid) if files else (None, [])
    power_logs = tuple(
        (data.display_path, log)
        for _, data in files
        if (log := data.power_log or (data.counters and data.counters.power_log))
    )
    return CardMeasurements(inference, power_logs), problems


def measure_cards(
    cards: Sequence[LoadedCard], grid: GridData
) -> tuple[dict[str, CardMeasurements], list[Problem]]:
    """Every card's measurements, keyed by card id, and all their problems (in card order)."""
    measured, problems = {}, []
    for loaded in cards:
        measured[loaded.card.id], more = measure_card(loaded, grid)
        problems.extend(more)
    return measured, problems
