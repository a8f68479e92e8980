"""Compute stage (pure): integrate a parsed power log into energy.

Takes `PowerSamples` (from `generator.load.nvidia_smi`) and gives `PowerLogEnergy`: per GPU the
trapezoid integral of power over time, the sampling interval, gaps and coverage; in total the
sum over GPUs, in joules and kWh. Reads no file and prints nothing.

Gaps and coverage. An interval is the time between two consecutive samples of one GPU. It is a
gap when it is longer than the gap threshold: by default 5 x the GPU's median interval, but at
least 1 s. The floor is there because `-lms 100` logs jitter around 0.1 s and `power.draw` on
Ampere and newer is itself a 1 s average, so a pause under a second loses nothing; 5 x the
median keeps slow logs (`-l 1`, `-l 5`) from counting every sample as a gap. Coverage is the
share of the GPU's span (first to last sample) made of intervals that are not gaps. Energy
still bridges a gap with a straight line between the samples on either side (the trapezoid
rule); `gap_energy_j` says how much of the energy came from such bridges.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from generator.load.nvidia_smi import PowerSamples
from generator.load.power_log import IntervalSummary, positive_median_s
from generator.units import joules_to_kwh

GAP_MEDIAN_FACTOR = 5.0  # an interval over 5 x the median interval is a gap...
MIN_GAP_THRESHOLD_S = 1.0  # ...but never one of a second or less


@dataclass(frozen=True)
class GpuEnergy:
    """One GPU's energy and sampling.

    Attributes:
        gpu: its uuid or index, as in the log.
        samples: readings used.
        energy_j: trapezoid integral of power over time; 0 with fewer than 2 samples, None
            without timestamps.
        first_time_s, last_time_s: first and last sample, seconds since 1970 (naive log time).
        duration_s: last - first.
        median_interval_s: median of the positive intervals between samples.
        max_gap_s: the longest interval.
        gap_threshold_s: intervals longer than this are gaps.
        gaps: intervals longer than the threshold.
        gap_energy_j: the part of energy_j bridged across gaps.
        coverage: share of duration_s made of intervals that are not gaps (0..1).
    """

    gpu: str
    samples: int
    energy_j: float | None = None
    first_time_s: float | None = None
    last_time_s: float | None = None
    duration_s: float | None = None
    median_interval_s: float | None = None
    max_gap_s: float | None = None
    gap_threshold_s: float | None = None
    gaps: int = 0
    gap_energy_j: float = 0.0
    coverage: float | None = None


@dataclass(frozen=True)
class PowerLogEnergy:
    """The energy of one power log, per GPU and in total.

    Attributes:
        energy_j: sum over GPUs; None when there is nothing to integrate (no timestamps or
            no GPU with readings).
        energy_kwh: the same in kWh.
        gpus: per-GPU results, in the log's GPU order.
        gpu_count: GPUs with readings.
        samples: readings used, over all GPUs.
        duration_s: from the first sample of any GPU to the last of any.
        gaps: gaps over all GPUs.
        gap_energy_j: the part of energy_j bridged across gaps.
        coverage: covered seconds over spanned seconds, summed over GPUs (0..1).
        power_column: the column integrated, e.g. "power.draw".
        notes: what a reader of the figure should know (a GPU not integrated, gaps).
    """

    energy_j: float | None
    energy_kwh: float | None
    gpus: dict[str, GpuEnergy]
    gpu_count: int
    samples: int
    duration_s: float | None
    gaps: int
    gap_energy_j: float
    coverage: float | None
    power_column: str
    notes: tuple[str, ...]


def integrate_power(samples: PowerSamples, gap_threshold_s: float | None = None) -> PowerLogEnergy:
    """Integrate each GPU's power over time and sum over GPUs.

    Args:
        samples: a parsed power log.
        gap_threshold_s: intervals longer than this are gaps; None for the default per GPU,
            max(5 x its median interval, 1 s).

    Returns:
        The energy with its sampling figures and notes.
    """
    if gap_threshold_s is not None and not gap_threshold_s > 0:
        raise ValueError(f"expected gap_threshold_s > 0, got {gap_threshold_s}")
    notes: list[str] = []
    gpus = {}
    for name, gpu in samples.gpus.items():
        if gpu.intervals is not None:
            gpus[name] = integrate_intervals(name, gpu.intervals, gap_threshold_s)
            notes.extend(_notes(gpus[name]))
        elif gpu.time_s is None:
            gpus[name] = GpuEnergy(name, len(gpu.power_w))
        else:
            gpus[name] = integrate_gpu(name, gpu.time_s, gpu.power_w, gap_threshold_s)
            notes.extend(_notes(gpus[name]))
    timed = [gpu for gpu in gpus.values() if gpu.energy_j is not None]
    if not gpus:
        notes.append("expected readings from at least one GPU, got none; no energy")
    elif not timed:
        notes.append("expected timestamps to integrate power over time, got none; no energy")
    energy_j = sum(gpu.energy_j for gpu in timed) if timed else None
    spans = [gpu for gpu in timed if gpu.duration_s]
    covered = sum(gpu.duration_s * gpu.coverage for gpu in spans)
    return PowerLogEnergy(
        energy_j=energy_j,
        energy_kwh=None if energy_j is None else joules_to_kwh(energy_j),
        gpus=gpus,
        gpu_count=len(gpus),
        samples=sum(gpu.samples for gpu in gpus.values()),
        duration_s=(
            max(gpu.last_time_s for gpu in timed) - min(gpu.first_time_s for gpu in timed)
            if timed
            else None
        ),
        gaps=sum(gpu.gaps for gpu in timed),
        gap_energy_j=sum(gpu.gap_energy_j for gpu in timed),
        coverage=covered / sum(gpu.duration_s for gpu in spans) if spans else None,
        power_column=samples.power_column,
        notes=tuple(notes),
    )


def integrate_gpu(
    name: str, time_s: np.ndarray, power_w: np.ndarray, gap_threshold_s: float | None = None
) -> GpuEnergy:
    """One GPU: trapezoid energy, intervals, gaps and coverage (times sorted ascending)."""
    if len(time_s) < 2:
        first = float(time_s[0]) if len(time_s) else None
        return GpuEnergy(name, len(time_s), 0.0, first, first, 0.0 if len(time_s) else None)
    intervals_s = np.diff(time_s)
    positive = intervals_s[intervals_s > 0]
    median_s = float(np.median(positive)) if len(positive) else None
    if gap_threshold_s is None:
        gap_threshold_s = max(GAP_MEDIAN_FACTOR * (median_s or 0.0), MIN_GAP_THRESHOLD_S)
    slices_j = (power_w[:-1] + power_w[1:]) * 0.5 * intervals_s
    gap = intervals_s > gap_threshold_s
    duration_s = float(time_s[-1] - time_s[0])
    return GpuEnergy(
        gpu=name,
        samples=len(time_s),
        energy_j=float(slices_j.sum()),
        first_time_s=float(time_s[0]),
        last_time_s=float(time_s[-1]),
        duration_s=duration_s,
        median_interval_s=median_s,
        max_gap_s=float(intervals_s.max()),
        gap_threshold_s=float(gap_threshold_s),
        gaps=int(gap.sum()),
        gap_energy_j=float(slices_j[gap].sum()),
        coverage=float(intervals_s[~gap].sum()) / duration_s if duration_s > 0 else None,
    )


def integrate_intervals(
    name: str, summary: IntervalSummary, gap_threshold_s: float | None = None
) -> GpuEnergy:
    """One GPU read by the streaming engine: the same figures as `integrate_gpu`, from the
    counts and energies of its distinct sampling intervals instead of every sample."""
    if summary.samples < 2:
        first = summary.first_time_s if summary.samples else None
        return GpuEnergy(name, summary.samples, 0.0, first, first, 0.0 if first else None)
    median_s = positive_median_s(summary)
    if gap_threshold_s is None:
        gap_threshold_s = max(GAP_MEDIAN_FACTOR * (median_s or 0.0), MIN_GAP_THRESHOLD_S)
    gap = summary.interval_s > gap_threshold_s
    duration_s = summary.last_time_s - summary.first_time_s
    gap_s = float((summary.interval_s * summary.count)[gap].sum())
    return GpuEnergy(
        gpu=name,
        samples=summary.samples,
        energy_j=float(summary.energy_j.sum()),
        first_time_s=summary.first_time_s,
        last_time_s=summary.last_time_s,
        duration_s=duration_s,
        median_interval_s=median_s,
        max_gap_s=float(summary.interval_s.max()),
        gap_threshold_s=float(gap_threshold_s),
        gaps=int(summary.count[gap].sum()),
        gap_energy_j=float(summary.energy_j[gap].sum()),
        coverage=1.0 - gap_s / duration_s if duration_s > 0 else None,
    )


def _notes(gpu: GpuEnergy) -> list[str]:
    """Why a GPU gives no energy (its gaps are figures on `GpuEnergy`, worded by `inspect`)."""
    if gpu.samples < 2:
        return [
            f"GPU {gpu.gpu}: expected at least 2 samples to integrate, got {gpu.samples};"
            " counted as 0 J"
        ]
    return []
