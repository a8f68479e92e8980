"""Load stage, shared by the measurement loaders: values that read fine but cannot be right.

Takes what a loader parsed (arrays with their 1-based file lines, or one CodeCarbon run) and
gives warnings, located at the line to look at (`implausible-value`, `sampling-gap`). They are
warnings because the file is still read as written; `--strict` makes them errors.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from generator.problems import CappedProblems, Location, Problem, Severity
from generator.units import format_number

# No GPU draws 2,000 W: the most power-hungry accelerators shipped by 2025 (NVIDIA B300,
# AMD MI355X) are rated 1,100-1,400 W per GPU, and a GB200 superchip's 2,700 W feeds two GPUs
# and a CPU. A reading above this is a unit slip (mW or a sum over GPUs) or garbage.
MAX_GPU_POWER_W = 2000.0
# One run over 1 GWh: a month of about 1,400 GPUs at 700 W. Inference runs measured with
# CodeCarbon are minutes to hours; a figure this large is almost surely Wh or J read as kWh.
MAX_RUN_ENERGY_KWH = 1e6
# Two samples further apart than 10 x the median interval (and over 1 s, like the gap floor in
# generator.compute.power): the energy across them is a straight-line guess.
GAP_WARNING_MEDIAN_FACTOR = 10.0
GAP_WARNING_FLOOR_S = 1.0
COMPONENT_TOLERANCE = 0.01  # CodeCarbon writes energy_consumed = cpu + gpu + ram energy


def _shown(value: float) -> str:
    """A number for a message: grouped digits, or 1.5e+308 past what digits can show."""
    return format_number(value) if abs(value) < 1e15 else f"{value:.4g}"


def warn_rows(
    capped: CappedProblems, code: str, lines: np.ndarray, key: str, describe: Callable[[int], str]
) -> None:
    """Add one warning per line (capped per code like every row problem)."""
    capped.add_rows(
        code,
        [int(line) for line in lines],
        lambda line: Problem(
            Location(capped.display_path, line), code, describe(line), Severity.WARNING, key
        ),
    )


def check_gpu_power(
    capped: CappedProblems, lines: np.ndarray, power_w: np.ndarray, key: str
) -> None:
    """Warn about readings above MAX_GPU_POWER_W (one GPU's power)."""
    high = np.flatnonzero(power_w > MAX_GPU_POWER_W)
    if not len(high):
        return
    by_line = dict(zip(lines[high].tolist(), power_w[high].tolist(), strict=True))
    order = np.sort(lines[high])
    warn_rows(
        capped,
        "implausible-value",
        order,
        key,
        lambda line: (
            f"expected at most {_shown(MAX_GPU_POWER_W)} W for one GPU, got"
            f" {_shown(by_line[line])} W (a unit slip, or several GPUs summed?)"
        ),
    )


def check_sampling_gaps(
    capped: CappedProblems, gpu: str, time_s: np.ndarray, lines: np.ndarray
) -> None:
    """Warn at the sample after each interval over 10 x the median interval (and over 1 s)."""
    if len(time_s) < 3:
        return
    intervals_s = np.diff(time_s)
    positive = intervals_s[intervals_s > 0]
    if not len(positive):
        return
    median_s = float(np.median(positive))
    limit_s = max(GAP_WARNING_MEDIAN_FACTOR * median_s, GAP_WARNING_FLOOR_S)
    where = np.flatnonzero(intervals_s > limit_s)
    if not len(where):
        return
    gap_after = {int(lines[i + 1]): (int(lines[i]), float(intervals_s[i])) for i in where}
    warn_rows(
        capped,
        "sampling-gap",
        np.sort(lines[where + 1]),
        f"GPU {gpu}",
        lambda line: (
            f"expected samples at most {_shown(GAP_WARNING_MEDIAN_FACTOR)} x the median"
            f" interval ({_shown(median_s)} s) apart, got {_shown(gap_after[line][1])}"
            f" s since line {gap_after[line][0]}; the energy across the gap is a straight-line"
            " guess"
        ),
    )


def check_codecarbon_run(run, display_path: str) -> list[Problem]:
    """Warnings for one CodeCarbon run (a `CodeCarbonRun`): too much energy, energy in no time,
    components that do not add up to the total, a GPU power no GPU draws."""
    found: list[tuple[str, str]] = []
    energy = run.energy_kwh
    if energy > MAX_RUN_ENERGY_KWH:
        found.append(
            (
                "energy_consumed (kWh)",
                f"expected at most {_shown(MAX_RUN_ENERGY_KWH)} kWh in one run, got"
                f" {_shown(energy)} kWh (Wh or J written as kWh?)",
            )
        )
    if run.duration_s == 0 and energy > 0:
        found.append(
            (
                "duration (s)",
                f"expected a duration > 0 s for {_shown(energy)} kWh of energy, got 0 s",
            )
        )
    parts = (run.cpu_energy_kwh, run.gpu_energy_kwh, run.ram_energy_kwh)
    if None not in parts:
        summed = sum(parts)
        if abs(energy - summed) > COMPONENT_TOLERANCE * max(energy, summed):
            found.append(
                (
                    "energy_consumed (kWh)",
                    f"expected cpu_energy + gpu_energy + ram_energy"
                    f" ({_shown(summed)} kWh) within 1% of energy_consumed, got"
                    f" {_shown(energy)} kWh",
                )
            )
    if run.gpu_power_w is not None and run.gpu_count:
        per_gpu_w = run.gpu_power_w / run.gpu_count
        if per_gpu_w > MAX_GPU_POWER_W:
            found.append(
                (
                    "gpu_power (W)",
                    f"expected at most {_shown(MAX_GPU_POWER_W)} W per GPU, got"
                    f" {_shown(per_gpu_w)} W ({_shown(run.gpu_power_w)} W over"
                    f" {run.gpu_count} GPU{'s' if run.gpu_count > 1 else ''})",
                )
            )
    return [
        Problem(
            Location(display_path, run.line),
            "implausible-value",
            message,
            Severity.WARNING,
            f"column {column}",
        )
        for column, message in found
    ]
