"""Benchmark: ingest a 1,000,000-row nvidia-smi power log (read + integrate).

Writes a deterministic log (4 GPUs x 250,000 samples, 100 ms apart with jitter, the default
`--format=csv` with units in the values) to a temporary folder, then times
`read_nvidia_smi_csv` + `integrate_power` (best of 3) next to a plain `pandas.read_csv` of the
same file, and reports peak memory. Not a test: timings depend on the machine.

    .venv/bin/python bench/bench_nvidia_smi.py [--gpus 4] [--samples 250000]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from generator.compute.power import integrate_power
from generator.load.nvidia_smi import read_nvidia_smi_csv

HEADER = "timestamp, index, power.draw [W]"


def write_log(path: Path, gpus: int, samples: int, seed: int = 2024) -> int:
    """Write an nvidia-smi log like `-lms 100` would; return the number of data rows."""
    rng = np.random.default_rng(seed)
    step_ms = 100 + rng.integers(-3, 4, size=samples)  # nvidia-smi's period jitters a little
    times = np.datetime64("2024-10-30T18:42:33.189") + np.cumsum(step_ms).astype("m8[ms]")
    stamps = [text.replace("-", "/").replace("T", " ") for text in np.datetime_as_string(times)]
    walk = 350 + np.cumsum(rng.normal(0, 5, size=(samples, gpus)), axis=0)
    power_w = np.clip(walk, 60, 700)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write(HEADER + "\n")
        for stamp, row in zip(stamps, power_w.tolist(), strict=True):
            out.write("".join(f"{stamp}, {gpu}, {watts:.2f} W\n" for gpu, watts in enumerate(row)))
    return samples * gpus


def best_of(runs: int, action: Callable[[], object]) -> tuple[float, object]:
    """The shortest wall time over `runs` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - start)
    return best, result


def peak_traced_mib(action: Callable[[], object]) -> float:
    """Peak memory allocated through Python's and numpy's allocators during one call."""
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gpus", type=int, default=4)
    parser.add_argument("--samples", type=int, default=250_000, help="per GPU")
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "nvidia-smi.csv"
        start = time.perf_counter()
        rows = write_log(path, options.gpus, options.samples)
        size_mib = path.stat().st_size / 2**20
        written_s = time.perf_counter() - start
        print(f"log: {rows:,} rows, {size_mib:.1f} MiB, written in {written_s:.1f} s")

        def ingest() -> object:
            samples, problems = read_nvidia_smi_csv(path, path.name)
            assert samples is not None and not problems, problems
            return integrate_power(samples)

        def plain_pandas() -> object:
            return pd.read_csv(path, skipinitialspace=True)

        results = []
        for label, action in (
            ("read_nvidia_smi_csv + integrate_power", ingest),
            ("pandas.read_csv (parse only)", plain_pandas),
        ):
            seconds, result = best_of(options.runs, action)
            results.append((label, seconds, peak_traced_mib(action)))
            if label.startswith("read_"):
                energy = result
        print(f"{'':40} {'seconds':>8} {'rows/s':>12} {'peak MiB':>9}")
        for label, seconds, peak in results:
            print(f"{label:40} {seconds:8.3f} {rows / seconds:12,.0f} {peak:9.0f}")
        print(f"(best of {options.runs}; peak MiB: tracemalloc, Python and numpy allocations)")
        max_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"process max RSS: {max_rss_mib:.0f} MiB (includes writing the log)")
        print(
            f"energy: {energy.energy_j:,.0f} J = {energy.energy_kwh:.4f} kWh over"
            f" {energy.gpu_count} GPUs, {energy.duration_s:,.1f} s, gaps {energy.gaps},"
            f" coverage {energy.coverage:.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
