"""Benchmark: fleet-size power logs through the streaming engine (generator/load/power_log.py).

Prints two figures (issue 12, targets in brackets); not a test, timings depend on the machine:

1. a 1,000,000-row nvidia-smi log (4 GPUs, 100 ms): `read_measurement_file` + `integrate_power`
   next to a plain `pandas.read_csv` of the same file, best of 3 [at most 1.5x];
2. a 50,000,000-row log (8 GPUs x 6.25 M samples at 10 Hz, a week of one node), generated on
   disk in a temporary folder and deleted afterwards: the peak memory (VmHWM, the high mark of
   its own memory) of a fresh process that reads and integrates it [under 1 GiB].
   `--big-rows 10000000` runs a smaller one when 50 M takes too long on the machine (say so
   when quoting it).

    .venv/bin/python bench/power_log.py [--rows 1000000] [--big-rows 50000000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd

from generator.compute.power import integrate_power
from generator.load.measurement_files import read_measurement_file

HEADER = ("timestamp", " index", " power.draw [W]")  # nvidia-smi's header, spaces included


def write_log(path: Path, gpus: int, samples: int) -> int:
    """Write an nvidia-smi-style log (100 ms apart with jitter, a power walk) with DuckDB."""
    names = [f'"{name}"' for name in HEADER]
    duckdb.sql(
        f"""COPY (
            SELECT strftime(TIMESTAMP '2024-10-30 18:42:33.189'
                       + to_milliseconds(s * 100 + (hash(s) % 7)::INT - 3), '%Y/%m/%d %H:%M:%S.%g')
                       AS {names[0]},
                   ' ' || g AS {names[1]},
                   ' ' || printf('%.2f', 350 + 200 * sin(s / 5000.0 + g)
                                         + (hash(s * 8 + g) % 1000) / 100.0) || ' W' AS {names[2]}
            FROM range({samples}) AS t(s), range({gpus}) AS u(g)
            ORDER BY s, g
        ) TO '{path}' (HEADER, DELIMITER ',', QUOTE '')"""
    )
    return samples * gpus


def ingest(path: Path) -> object:
    """What a build does with the file: read it, then integrate it."""
    data, problems = read_measurement_file(path, path.name)
    assert data is not None and not [p for p in problems if p.severity == "error"], problems
    return integrate_power(data.power_log)


def best_of(runs: int, action) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - start)
    return best, result


def peak_mib() -> float:
    """This process's peak resident memory (MiB): VmHWM, its own address space's high mark.

    Not `ru_maxrss`: on Linux that keeps the high mark of the process before `exec`, here the
    forked copy of this benchmark's parent, which has just written the big log with DuckDB
    (gigabytes), so it reported the parent's memory, not the reader's.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_rss_mib(path: Path) -> tuple[float, float, str]:
    """Max RSS (MiB), seconds and the energy line of a fresh process ingesting `path`."""
    code = (
        "import sys, time; from pathlib import Path;"
        "sys.path.insert(0, 'bench'); from power_log import ingest, peak_mib;"
        "start = time.perf_counter(); energy = ingest(Path(sys.argv[1]));"
        "print(time.perf_counter() - start, energy.energy_j, energy.gpu_count, energy.samples);"
        "print(peak_mib())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    seconds, energy_j, gpus, samples = out[0].split()
    energy = f"{float(energy_j):,.0f} J over {gpus} GPUs, {int(samples):,} samples"
    return float(out[1]), float(seconds), energy


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--big-rows", type=int, default=50_000_000)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(dir="/tmp") as folder:
        path = Path(folder) / "nvidia-smi.csv"
        rows = write_log(path, 4, options.rows // 4)
        print(f"log: {rows:,} rows, {path.stat().st_size / 2**20:.1f} MiB")
        engine_s, energy = best_of(options.runs, lambda: ingest(path))
        pandas_s, _ = best_of(options.runs, lambda: pd.read_csv(path, skipinitialspace=True))
        print(f"read + integrate (streaming engine): {engine_s:.3f} s")
        print(f"pandas.read_csv (parse only):        {pandas_s:.3f} s")
        print(f"ratio: {engine_s / pandas_s:.2f}x (target <= 1.5x; best of {options.runs})")
        print(f"energy: {energy.energy_j:,.0f} J over {energy.gpu_count} GPUs")
        path.unlink()

        big = Path(folder) / "fleet.csv"
        start = time.perf_counter()
        rows = write_log(big, 8, options.big_rows // 8)
        written_s = time.perf_counter() - start
        size_mib = big.stat().st_size / 2**20
        print(f"big log: {rows:,} rows, {size_mib:,.0f} MiB, written in {written_s:.0f} s")
        rss_mib, seconds, energy_text = peak_rss_mib(big)
        print(f"big log read + integrate: {seconds:.1f} s, {rows / seconds:,.0f} rows/s")
        print(f"big log peak memory (reading process): {rss_mib:,.0f} MiB (target < 1 GiB)")
        print(f"big log energy: {energy_text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
