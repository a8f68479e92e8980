"""`energy-cards measure` and its context manager, run for real under CodeCarbon (CPU here)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.commands.measure import EnergyMeasurement
from generator.load.codecarbon import read_codecarbon_csv


def measure(project: Path, *args: str):
    return CliRunner().invoke(main, ["measure", "--project", str(project), *args])


def test_measure_writes_one_row_per_run_and_a_sidecar(tmp_path: Path) -> None:
    work = [sys.executable, "-c", "print(sum(i * i for i in range(300_000)))"]
    result = measure(tmp_path, "--card", "toy", "--queries", "250", "--runs", "2", "--", *work)
    assert result.exit_code == 0, result.output
    assert "measured 2 runs of 250 queries into measurements/toy/" in result.output
    folder = tmp_path / "measurements" / "toy"
    parsed, problems = read_codecarbon_csv(folder / "emissions.csv", "emissions.csv")
    assert problems == []
    assert len(parsed.runs) == 2
    assert all(run.energy_kwh > 0 and run.duration_s > 0 for run in parsed.runs)
    assert {run.project_name for run in parsed.runs} == {"toy"}
    sidecar = json.loads((folder / "measurement.json").read_text("utf-8"))
    assert sidecar["queries_per_run"] == 250
    assert [run["run_id"] for run in sidecar["runs"]] == [run.run_id for run in parsed.runs]
    assert sidecar["runs"][0]["command"] == work
    assert sidecar["versions"]["codecarbon"] == "3.3.2"
    assert sidecar["codecarbon"]["cpu_method"]  # how CPU power was obtained, e.g. cpu_load
    assert sidecar["hardware"]["cpu_count"] >= 1
    assert sidecar["runs"][0]["date"].endswith("+00:00")


def test_a_failed_run_writes_no_row(tmp_path: Path) -> None:
    fail = [sys.executable, "-c", "raise SystemExit(3)"]
    result = measure(tmp_path, "--card", "toy", "--queries", "10", "--", *fail)
    assert result.exit_code == 1
    assert "run 1 of 1: the command exited with 3; no row was written for it" in result.output
    assert not (tmp_path / "measurements" / "toy" / "emissions.csv").exists()


def test_usage_errors(tmp_path: Path) -> None:
    assert measure(tmp_path, "--card", "toy", "--queries", "10").exit_code == 1
    assert measure(tmp_path, "--card", "toy", "--queries", "0", "--", "true").exit_code == 2
    missing = measure(tmp_path, "--card", "toy", "--queries", "5", "--", "no-such-program-xyz")
    assert missing.exit_code == 1
    assert "cannot run 'no-such-program-xyz'" in missing.output


def test_context_manager_measures_the_block_and_skips_failed_runs(tmp_path: Path) -> None:
    measurement = EnergyMeasurement(tmp_path, "ctx", queries=100, country_iso_code="FRA")
    with measurement:
        sum(i * i for i in range(200_000))
    with pytest.raises(ZeroDivisionError), measurement:
        1 / 0  # noqa: B018
    parsed, _ = read_codecarbon_csv(tmp_path / "measurements/ctx/emissions.csv", "e.csv")
    assert [run.run_id for run in parsed.runs] == measurement.run_ids
    assert len(measurement.run_ids) == 1
    assert parsed.runs[0].country_iso_code == "FRA"


class _FakeNvml:
    """Stands in for pynvml: two GPUs whose energy counters climb 10 J and 20 J per sample."""

    def __init__(self) -> None:
        self.reads = {0: 0, 1: 0}

    def nvmlInit(self) -> None:  # noqa: N802 - pynvml's names
        pass

    def nvmlDeviceGetCount(self) -> int:  # noqa: N802
        return 2

    def nvmlDeviceGetHandleByIndex(self, index: int) -> int:  # noqa: N802
        return index

    def nvmlDeviceGetName(self, handle: int) -> str:  # noqa: N802
        return f"Fake GPU {handle}"

    def nvmlDeviceGetTotalEnergyConsumption(self, handle: int) -> int:  # noqa: N802
        self.reads[handle] += 1
        return 1_000_000 + self.reads[handle] * (10_000 if handle == 0 else 20_000)  # mJ

    def nvmlDeviceGetPowerUsage(self, handle: int) -> int:  # noqa: N802
        return 250_000 if handle == 0 else 125_000  # mW


def test_nvml_sampler_writes_counters_the_loader_reads(tmp_path: Path, monkeypatch) -> None:
    from generator.load.energy_counters import read_counter_file

    monkeypatch.setitem(sys.modules, "pynvml", _FakeNvml())
    measurement = EnergyMeasurement(tmp_path, "gpu", queries=1000, country_iso_code="FRA")
    with measurement:
        pass  # the sampler reads once at start and once at stop: one step per GPU
    folder = tmp_path / "measurements" / "gpu"
    counters, problems = read_counter_file(folder / "nvml_energy.csv", "nvml_energy.csv", "nvml")
    assert problems == []
    (run,) = counters.runs
    assert run.name == measurement.run_ids[0]
    # GPU 0 climbs 10 J per read, GPU 1 20 J, between the first and the last sample.
    reads = len([line for line in (folder / "nvml_energy.csv").read_text().splitlines()[1:]]) // 2
    expected_j = (reads - 1) * (10 + 20)
    assert run.energy_kwh == pytest.approx(expected_j / 3_600_000)
    assert counters.power_log.gpus["0"].power_w[0] == 250.0
    sidecar = json.loads((folder / "measurement.json").read_text("utf-8"))
    assert sidecar["files"] == {"emissions.csv": "codecarbon", "nvml_energy.csv": "nvml-energy"}
    assert sidecar["hardware"]["gpus"] == ["Fake GPU 0", "Fake GPU 1"]


@pytest.mark.parametrize("card_id", ["../../outside", "a/b", "UPPER", "x/../../y", ""])
def test_measure_refuses_a_card_id_that_leaves_measurements(tmp_path: Path, card_id: str) -> None:
    project = tmp_path / "project"
    project.mkdir()
    result = measure(project, "--card", card_id, "--queries", "5", "--", "true")
    assert result.exit_code == 1
    assert (
        f"expected --card to be a card id (lowercase letters, digits and single hyphens, e.g. llama-3-70b), got {card_id!r}"
        in result.output
    )
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["project"]


class _NoCounterNvml(_FakeNvml):
    """A GPU older than Volta: NVML has no total-energy counter for it."""

    def nvmlDeviceGetTotalEnergyConsumption(self, handle: int) -> int:  # noqa: N802
        raise RuntimeError("Not Supported")


class _FailingNvml(_FakeNvml):
    """Counters that work for three reads per GPU, then the GPU is lost mid-run."""

    def nvmlDeviceGetTotalEnergyConsumption(self, handle: int) -> int:  # noqa: N802
        if self.reads[handle] >= 3:
            raise RuntimeError("GPU is lost")
        return super().nvmlDeviceGetTotalEnergyConsumption(handle)


def test_a_gpu_without_an_energy_counter_stops_the_run_with_the_reason(
    tmp_path: Path, monkeypatch
) -> None:
    from generator.commands.measure import MeasureError

    monkeypatch.setitem(sys.modules, "pynvml", _NoCounterNvml())
    measurement = EnergyMeasurement(tmp_path, "old-gpu", queries=10, country_iso_code="FRA")
    with pytest.raises(MeasureError) as raised, measurement:
        pass
    assert str(raised.value) == (
        "the GPUs here give no NVML total-energy counter (RuntimeError: Not Supported); NVML "
        "energy counters need a Volta or newer GPU. Nothing was measured"
    )
    assert not (tmp_path / "measurements" / "old-gpu" / "emissions.csv").exists()


def test_a_sampling_error_during_the_run_fails_it_and_writes_no_row(
    tmp_path: Path, monkeypatch
) -> None:
    import time

    from generator.commands.measure import MeasureError

    monkeypatch.setitem(sys.modules, "pynvml", _FailingNvml())
    measurement = EnergyMeasurement(tmp_path, "lost-gpu", queries=10, country_iso_code="FRA")
    with pytest.raises(MeasureError) as raised, measurement:
        time.sleep(0.5)  # the sampler reads every 0.1 s: the fourth read fails
    assert str(raised.value) == (
        "NVML sampling failed during the run (RuntimeError: GPU is lost); its GPU energy would "
        "be cut short, so no row was written for it"
    )
    folder = tmp_path / "measurements" / "lost-gpu"
    assert not (folder / "emissions.csv").exists()
    assert not (folder / "nvml_energy.csv").exists()
    assert measurement.run_ids == []
