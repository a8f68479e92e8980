"""`energy-cards inspect`: what the loader made of one file, for people and for tools."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main

CODECARBON = Path(__file__).parent / "data" / "codecarbon"
NVIDIA_SMI = Path(__file__).parent / "data" / "nvidia_smi"
CASES = {
    c["file"]: c for c in yaml.safe_load((CODECARBON / "cases.yaml").read_text("utf-8"))["cases"]
}
PUBLIC_KEYS = {"format", "version", "rows_read", "runs", "energy_kwh", "problems"}


def inspect(*args: str):
    return CliRunner().invoke(main, ["inspect", *args])


def test_cumulative_flush_reports_the_last_rows_not_the_sum() -> None:
    result = inspect(str(CODECARBON / "cumulative-flush.csv"), "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert set(report) >= PUBLIC_KEYS
    expected = CASES["cumulative-flush.csv"]["expected"]
    assert report["format"] == "codecarbon"
    assert report["version"] == "3.2.1+"
    assert report["rows_read"] == 8
    assert [run["rows_collapsed"] for run in report["runs"]] == [5, 3]
    assert report["energy_kwh"] == pytest.approx(expected["total_energy_kwh"], rel=1e-12)
    assert report["problems"] == []


def test_corrupted_file_names_the_bad_lines_and_does_not_crash() -> None:
    result = inspect(str(CODECARBON / "corrupted.csv"))
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    path = (CODECARBON / "corrupted.csv").as_posix()
    for problem in CASES["corrupted.csv"]["expected"]["problems"]:
        assert f"{path}:{problem['line']}: error[{problem['code']}]" in result.output
    assert "runs:      2 (cumulative flushes collapsed)" in result.output
    report = json.loads(inspect(str(CODECARBON / "corrupted.csv"), "--format", "json").output)
    assert [(p["line"], p["code"]) for p in report["problems"]] == [
        (p["line"], p["code"]) for p in CASES["corrupted.csv"]["expected"]["problems"]
    ]


def test_old_generation_has_no_components() -> None:
    report = json.loads(inspect(str(CODECARBON / "gen-0.0.9.csv"), "--format", "json").output)
    assert report["version"] == "0.0.9-0.1.0"
    assert report["components_kwh"] == {"cpu": None, "gpu": None, "ram": None}


def test_nvidia_smi_log_reports_gpus() -> None:
    report = json.loads(
        inspect(str(NVIDIA_SMI / "two_gpus_constant.csv"), "--format", "json").output
    )
    assert report["format"] == "nvidia-smi"
    assert len(report["gpus"]) == 2
    assert {"gpu", "samples", "energy_kwh", "median_interval_s", "gaps", "coverage"} <= set(
        report["gpus"][0]
    )
    assert report["energy_kwh"] == pytest.approx(sum(g["energy_kwh"] for g in report["gpus"]))


def test_log_without_timestamps_says_energy_cannot_be_computed() -> None:
    result = inspect(str(NVIDIA_SMI / "no_timestamp.csv"))
    assert result.exit_code == 1
    assert "error[no-timestamps]" in result.output
    assert "energy:    unknown" in result.output


def test_unknown_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text("hello,world\n1,2\n", "utf-8")
    result = inspect(str(path), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["format"] is None
    assert report["problems"][0]["code"] == "unknown-format"
