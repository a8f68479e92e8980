"""`energy-cards measure`: run a workload under CodeCarbon (and NVML when a GPU is present).

Writes, under measurements/<id>/:
- emissions.csv: one CodeCarbon row per successful run (offline tracker, appended);
- nvml_energy.csv: NVML total-energy counter samples per GPU and run (mJ), when NVML works;
- measurement.json: the sidecar a card's loader reads: queries per run, how CodeCarbon got CPU
  and RAM power (sensor or estimate), hardware, versions, date and command.

The `EnergyMeasurement` context manager does the same from Python; each `with` block is a run.
A failed run writes no row, so a card never averages in a crashed run.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import importlib.metadata
import logging
import platform
import re
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import __version__
from generator.formats.card import CARD_ID_PATTERN
from generator.formats.energy_counters import (
    NVML_ENERGY_HEADER,
    NVML_FILE,
    NvmlEnergyRow,
    nvml_energy_cells,
)
from generator.formats.measurement_sidecar import (
    SIDECAR_NAME,
    CodeCarbonMethods,
    Hardware,
    MeasurementSidecar,
    SidecarRun,
    Versions,
    sidecar_json,
)
from generator.load.measurement_files import read_sidecar
from generator.load.validation import has_errors

EMISSIONS_FILE = "emissions.csv"
NVML_INTERVAL_S = 0.1


class MeasureError(Exception):
    """A measurement could not be made (bad arguments, failed workload)."""


def check_card_id(card_id: str) -> None:
    """Refuse an id that is not a card id: files go to measurements/<id>/ and nowhere else."""
    if not re.fullmatch(CARD_ID_PATTERN, card_id):
        raise MeasureError(
            "expected --card to be a card id (lowercase letters, digits and single hyphens, "
            f"e.g. llama-3-70b), got {card_id!r}"
        )


class _NvmlSampler:
    """Samples NVML's total-energy counter (mJ) of every GPU in a background thread.

    It fails loudly: a GPU without an energy counter stops the run before it starts, and an
    error while sampling (a driver reset, a GPU lost) fails the run when it stops, so a card
    never gets an energy figure from a sampling that ended early.
    """

    def __init__(self) -> None:
        self.rows: list[tuple[float, str, float, float]] = []
        self.gpu_names: list[str] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._nvml: Any = None
        self._handles: list[Any] = []
        self._error: str | None = None  # why sampling stopped early (set by the thread)

    def start(self) -> bool:
        """Start sampling; False when NVML or a GPU is not available here.

        Raises:
            MeasureError: a GPU is there but gives no total-energy counter.
        """
        try:
            import pynvml

            pynvml.nvmlInit()
            count = pynvml.nvmlDeviceGetCount()
        except Exception:  # noqa: BLE001 - no driver, no library, no GPU: all mean "no NVML"
            return False
        if count == 0:
            return False
        self._nvml = pynvml
        self._handles = [pynvml.nvmlDeviceGetHandleByIndex(i) for i in range(count)]
        self.gpu_names = [str(pynvml.nvmlDeviceGetName(h)) for h in self._handles]
        try:
            self._sample()
        except Exception as error:  # noqa: BLE001 - NVML raises its own error types
            raise MeasureError(
                f"the GPUs here give no NVML total-energy counter ({_nvml_reason(error)}); "
                "NVML energy counters need a Volta or newer GPU. Nothing was measured"
            ) from None
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return True

    def _sample(self) -> None:
        now = time.time()
        for index, handle in enumerate(self._handles):
            energy_mj = float(self._nvml.nvmlDeviceGetTotalEnergyConsumption(handle))
            power_w = self._nvml.nvmlDeviceGetPowerUsage(handle) / 1000.0
            self.rows.append((now, str(index), energy_mj, power_w))

    def _loop(self) -> None:
        while not self._stop.wait(NVML_INTERVAL_S):
            try:
                self._sample()
            except Exception as error:  # noqa: BLE001 - reported by stop(), in the caller
                self._error = _nvml_reason(error)
                return

    def stop(self) -> None:
        """Stop sampling and take the last sample.

        Raises:
            MeasureError: sampling failed during the run (its energy would be truncated).
        """
        self._stop.set()
        if self._thread:
            self._thread.join()
        if self._error is None:
            try:
                self._sample()
            except Exception as error:  # noqa: BLE001 - NVML raises its own error types
                self._error = _nvml_reason(error)
        if self._error is not None:
            raise MeasureError(
                f"NVML sampling failed during the run ({self._error}); its GPU energy would be "
                "cut short, so no row was written for it"
            )


def _nvml_reason(error: Exception) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _cpu_and_ram_methods(tracker: Any) -> dict[str, str | None]:
    """How CodeCarbon got each component's power (private attributes: best effort)."""
    methods: dict[str, str | None] = {"cpu_method": None, "gpu_method": None, "ram_method": None}
    for hardware in getattr(tracker, "_hardware", []):
        kind = type(hardware).__name__
        if kind == "CPU":
            methods["cpu_method"] = getattr(hardware, "_mode", None)
        elif kind == "GPU":
            methods["gpu_method"] = "nvml"
        elif kind == "RAM":
            methods["ram_method"] = "model from memory size"
    return methods


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


@contextlib.contextmanager
def scoped_log_level(name: str, level: int) -> Iterator[None]:
    """Set one logger's level for a block, then put its previous level back.

    Args:
        name: the logger, e.g. "codecarbon".
        level: the level while the block runs, e.g. logging.ERROR.
    """
    logger = logging.getLogger(name)
    previous = logger.level
    logger.setLevel(level)
    try:
        yield
    finally:
        logger.setLevel(previous)


@dataclass
class EnergyMeasurement:
    """Measure one run of a workload for a card; use once per run as a context manager.

    Example:
        with EnergyMeasurement(Path("."), "my-model", queries=1000, country_iso_code="FRA"):
            run_my_1000_queries()
    """

    project_root: Path
    card_id: str
    queries: int
    country_iso_code: str = "USA"
    command: Sequence[str] = ()
    run_ids: list[str] = field(default_factory=list)
    _tracker: Any = None
    _sampler: _NvmlSampler | None = None
    _logs: contextlib.ExitStack | None = None  # undoes this run's logger change

    @property
    def folder(self) -> Path:
        return self.project_root / "measurements" / self.card_id

    def __enter__(self) -> EnergyMeasurement:
        from codecarbon import OfflineEmissionsTracker

        check_card_id(self.card_id)
        if self.queries < 1:
            raise MeasureError(f"expected --queries >= 1, got {self.queries}")
        self.folder.mkdir(parents=True, exist_ok=True)
        with contextlib.ExitStack() as scope:
            # CodeCarbon's INFO lines would drown the workload's output; quiet them for this
            # run only, and give the logger back its level when the run ends.
            scope.enter_context(scoped_log_level("codecarbon", logging.ERROR))
            self._tracker = OfflineEmissionsTracker(
                project_name=self.card_id,
                country_iso_code=self.country_iso_code,
                output_methods=[],  # we append the row ourselves, and only for a successful run
                log_level="error",
                measure_power_secs=1,
                allow_multiple_runs=True,
            )
            sampler = _NvmlSampler()
            self._sampler = sampler if sampler.start() else None
            self._tracker.start()
            if getattr(self._tracker, "_start_time", None) is None:
                # CodeCarbon swallows its own start-up errors; do not measure nothing silently.
                if self._sampler:
                    self._sampler.stop()
                raise MeasureError("CodeCarbon could not start its tracker (run with its logs on)")
            self._logs = scope.pop_all()  # closed by __exit__; closed here if start fails
        return self

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        try:
            self._finish_run(exc_type)
        finally:
            if self._logs is not None:
                self._logs.close()
                self._logs = None

    def _finish_run(self, exc_type: object) -> None:
        self._tracker.stop()
        if self._sampler:
            self._sampler.stop()  # raises when sampling failed: then no row is written
        if exc_type is not None:
            return  # a failed run leaves no row
        data = getattr(self._tracker, "final_emissions_data", None)
        if data is None:
            raise MeasureError("CodeCarbon did not report this run; no row was written")
        self.run_ids.append(str(data.run_id))
        self._append_emissions(data)
        if self._sampler:
            self._append_nvml(str(data.run_id), self._sampler)
        self._write_sidecar(data)

    def _append_emissions(self, data: Any) -> None:
        from codecarbon.output_methods.file import FileOutput

        FileOutput(EMISSIONS_FILE, str(self.folder), on_csv_write="append").out(data, None)

    def _append_nvml(self, run_id: str, sampler: _NvmlSampler) -> None:
        path = self.folder / NVML_FILE
        new = not path.exists()
        with path.open("a", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            if new:
                writer.writerow(NVML_ENERGY_HEADER)
            for timestamp, index, energy_mj, power_w in sampler.rows:
                row = NvmlEnergyRow(
                    timestamp=timestamp,
                    run=run_id,
                    index=index,
                    total_energy_mj=energy_mj,
                    power_w=power_w,
                )
                writer.writerow(nvml_energy_cells(row))

    def _write_sidecar(self, data: Any) -> None:
        previous, problems = read_sidecar(self.folder, self.folder.as_posix())
        if has_errors(problems):
            first = problems[0]
            raise MeasureError(
                f"{first.location}: {first.key + ': ' if first.key else ''}{first.message} "
                "(fix or remove it; the new run's row was written)"
            )
        run = SidecarRun(
            run_id=str(data.run_id),
            date=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            queries=self.queries,
            command=tuple(self.command),
        )
        sidecar = MeasurementSidecar(
            written_by=f"energy-cards {__version__} measure",
            card=self.card_id,
            queries_per_run=self.queries,
            files={EMISSIONS_FILE: "codecarbon"}
            | ({NVML_FILE: "nvml-energy"} if self._sampler else {}),
            codecarbon=CodeCarbonMethods(**_cpu_and_ram_methods(self._tracker)),
            hardware=Hardware(
                cpu_model=data.cpu_model,
                cpu_count=data.cpu_count,
                gpu_model=data.gpu_model or None,
                gpu_count=data.gpu_count,
                gpus=tuple(self._sampler.gpu_names) if self._sampler else (),
                ram_total_size_gb=data.ram_total_size,
            ),
            country_iso_code=self.country_iso_code,
            versions=Versions(
                python=platform.python_version(),
                platform=platform.platform(),
                codecarbon=_version("codecarbon"),
                energy_cards=__version__,
            ),
            runs=(*(previous.runs if previous else ()), run),
        )
        (self.folder / SIDECAR_NAME).write_text(sidecar_json(sidecar), encoding="utf-8")


def measure_command(
    project_root: Path,
    card_id: str,
    queries: int,
    command: Sequence[str],
    runs: int = 1,
    country_iso_code: str = "USA",
) -> list[str]:
    """Run `command` `runs` times, each under its own tracker; return the run ids written."""
    check_card_id(card_id)
    if not command:
        raise MeasureError("expected a command after `--`, e.g. -- python run_queries.py")
    measurement = EnergyMeasurement(project_root, card_id, queries, country_iso_code, command)
    for number in range(1, runs + 1):
        try:
            with measurement:
                result = subprocess.run(list(command), check=False)
                if result.returncode != 0:
                    raise MeasureError(
                        f"run {number} of {runs}: the command exited with {result.returncode}; "
                        "no row was written for it"
                    )
        except FileNotFoundError as error:
            raise MeasureError(f"cannot run {command[0]!r}: {error.strerror}") from None
    return measurement.run_ids
