"""Measurement files -> kWh per 1,000 queries, spread, scope, provenance and CO2 (hand-checked)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from generator.compute.measured_runs import measure_inference
from generator.formats.card import Card, MeasurementFile, Provenance
from generator.load.grid import read_grid_data
from generator.load.measurement_files import read_measurement_file

DATA = Path(__file__).parent / "data" / "codecarbon"
CASES = {c["file"]: c for c in yaml.safe_load((DATA / "cases.yaml").read_text("utf-8"))["cases"]}


def _card(scope: str = "gpu+cpu+ram", **inference) -> Card:
    return Card.model_validate(
        {
            "id": "m",
            "name": "M",
            "organization": "Org",
            "task": "text-classification",
            "sources": {"s": {"title": "Grid study", "url": "https://example.org", "year": 2025}},
            "inference": {
                "conditions": {"hardware": "CPU", "scope": scope, "includes_pue": False},
                "measurements": [{"path": "x.csv", "queries": 1000}],
                **inference,
            },
        }
    )


def _measure(card: Card, fixture: str, folder: Path | None = None, **ref):
    path = (folder or DATA) / fixture
    data, problems = read_measurement_file(path, fixture)
    assert data is not None, problems
    reference = MeasurementFile(path=fixture, queries=ref.pop("queries", 1000), **ref)
    return measure_inference(card, [(reference, data)], read_grid_data())


def test_median_spread_and_per_run_country_intensity() -> None:
    measured, problems = _measure(_card(), "multi-machine.csv")
    assert problems == []
    energies = [run["energy_kwh"] for run in CASES["multi-machine.csv"]["expected"]["runs"]]
    assert [r.energy_kwh_per_1000_queries for r in measured.runs] == pytest.approx(energies)
    # 1,000 queries per run: kWh per 1,000 queries equals kWh per run.
    assert measured.median_kwh_per_1000_queries == pytest.approx(
        (0.00099611121 + 0.00108081757) / 2
    )
    assert measured.min_kwh_per_1000_queries == pytest.approx(0.00099175381)
    assert measured.max_kwh_per_1000_queries == pytest.approx(0.00109022329)
    # FRA rows use France's intensity, USA rows the USA's (CodeCarbon 3.3.2 data, year 2023).
    grid = read_grid_data()
    assert grid.countries["FRA"].intensity_g_per_kwh == 56.039
    assert grid.countries["USA"].intensity_g_per_kwh == 369.473
    assert grid.countries["USA"].year == 2023
    per_run_g = sorted(
        [0.00109022329 * 56.039, 0.00099611121 * 369.473, 0.00108081757 * 56.039,
         0.00099175381 * 369.473]
    )  # fmt: skip
    carbon = measured.carbon
    assert carbon.g_co2e_per_1000_queries == pytest.approx((per_run_g[1] + per_run_g[2]) / 2)
    assert {i.zone for i in carbon.intensities} == {"France (FRA)", "United States (USA)"}
    assert carbon.basis == "the country CodeCarbon recorded"
    own_g = sorted([0.0610525042, 0.377526149, 0.0605257839, 0.375874694])
    assert carbon.file_g_co2e_per_1000_queries == pytest.approx((own_g[1] + own_g[2]) / 2)
    assert not carbon.disagrees_with_file  # 2.2% apart: below the 5% threshold


def test_queries_per_run_scale_the_figure() -> None:
    measured, _ = _measure(_card(), "multi-machine.csv", queries=250)
    assert measured.runs[0].energy_kwh_per_1000_queries == pytest.approx(0.00109022329 * 4)


def test_stated_intensity_is_used_and_disagreement_with_the_file_is_flagged() -> None:
    figure = {"value": 500, "provenance": "reported", "source": "s", "where": "Table 1"}
    measured, _ = _measure(_card(carbon_intensity_g_per_kwh=figure), "multi-machine.csv")
    carbon = measured.carbon
    assert carbon.g_co2e_per_1000_queries == pytest.approx(
        (0.00099611121 + 0.00108081757) / 2 * 500
    )
    assert carbon.intensities[0].dataset == "Grid study"
    assert carbon.intensities[0].year == 2025
    assert carbon.disagrees_with_file


def test_card_grid_zone_overrides_the_file_country() -> None:
    card = _card(grid={"us_state": "california"})
    measured, _ = _measure(card, "multi-machine.csv")
    (intensity,) = measured.carbon.intensities
    assert intensity.zone == "US state: california"
    assert intensity.intensity_g_per_kwh == pytest.approx(394.769 * 0.45359237)
    assert intensity.year == 2023
    assert measured.carbon.basis == "the card's US state"


def test_scope_selects_components() -> None:
    measured, problems = _measure(_card(scope="cpu+ram"), "multi-machine.csv")
    assert problems == []
    assert measured.runs[0].energy_kwh == pytest.approx(0.00079949708 + 0.00029072621)
    cpu_only, _ = _measure(_card(scope="cpu"), "multi-machine.csv")
    assert cpu_only.runs[0].energy_kwh == pytest.approx(0.00079949708)


def test_scope_the_file_cannot_give_is_a_problem_with_the_line() -> None:
    measured, problems = _measure(_card(scope="gpu"), "gen-1.0.csv")
    assert measured is None
    lines = [run["line"] for run in CASES["gen-1.0.csv"]["expected"]["runs"]]
    assert [(p.code, p.location.line) for p in problems] == [("scope-mismatch", n) for n in lines]
    assert "expected gpu_energy for scope 'gpu'" in problems[0].message
    _, zero_gpu = _measure(_card(scope="gpu"), "multi-machine.csv")
    assert {p.code for p in zero_gpu} == {"scope-mismatch"}
    assert "got 0 kWh" in zero_gpu[0].message


def test_codecarbon_without_a_sidecar_is_estimated_and_says_why() -> None:
    measured, _ = _measure(_card(scope="cpu"), "multi-machine.csv")
    assert measured.provenance is Provenance.ESTIMATED
    assert "does not record how CPU power was obtained" in measured.provenance_notes[0]


@pytest.mark.parametrize(
    ("cpu_method", "scope", "expected"),
    [
        ("intel_rapl", "cpu", Provenance.MEASURED),
        ("intel_rapl", "gpu+cpu+ram", Provenance.ESTIMATED),  # RAM is always CodeCarbon's model
        ("constant", "cpu", Provenance.ESTIMATED),
        ("cpu_load", "cpu", Provenance.ESTIMATED),
    ],
)
def test_provenance_follows_the_sidecar(tmp_path: Path, cpu_method, scope, expected) -> None:
    shutil.copy(DATA / "multi-machine.csv", tmp_path / "emissions.csv")
    sidecar = {"codecarbon": {"cpu_method": cpu_method}}
    (tmp_path / "measurement.json").write_text(json.dumps(sidecar), "utf-8")
    measured, _ = _measure(_card(scope=scope), "emissions.csv", folder=tmp_path)
    assert measured.provenance is expected


@pytest.mark.parametrize(
    "selection",
    CASES["multi-experiment.csv"]["expected"]["selections"],
    ids=lambda s: ",".join(s["filter"]),
)
def test_rows_selected_by_project_experiment_or_run(selection: dict) -> None:
    select = {k: ([v] if k == "run_id" else v) for k, v in selection["filter"].items()}
    measured, problems = _measure(_card(), "multi-experiment.csv", select=select)
    assert problems == []
    assert [r.line for r in measured.runs] == selection["lines"]
    assert sum(r.energy_kwh for r in measured.runs) == pytest.approx(selection["total_energy_kwh"])


def test_zeus_windows_are_runs(tmp_path: Path) -> None:
    path = tmp_path / "zeus.csv"
    path.write_text(
        "start_time,window_name,elapsed_time,gpu0_energy,gpu1_energy\n"
        "1700000000.0,run-1,12.5,1800.0,1800.0\n"
        "1700000020.0,run-2,12.0,3600.0,0.0\n",
        "utf-8",
    )
    measured, problems = _measure(_card(scope="gpu"), "zeus.csv", folder=tmp_path)
    assert problems == []
    # 3,600 J = 0.001 kWh per run; 1,000 queries per run.
    assert [r.energy_kwh for r in measured.runs] == pytest.approx([0.001, 0.001])
    assert measured.provenance is Provenance.MEASURED


def test_nvml_energy_counters_per_gpu_and_run(tmp_path: Path) -> None:
    path = tmp_path / "nvml_energy.csv"
    path.write_text(
        "timestamp,run,index,total_energy_mj,power_w\n"
        "100.0,a,0,1000000,200\n100.0,a,1,5000000,100\n"
        "110.0,a,0,4600000,200\n110.0,a,1,6800000,100\n"
        "200.0,b,0,9000000,0\n200.0,b,0,10800000,0\n",
        "utf-8",
    )
    measured, problems = _measure(_card(scope="gpu"), "nvml_energy.csv", folder=tmp_path)
    assert problems == []
    # Run a: GPU 0 3,600 J + GPU 1 1,800 J = 5,400 J = 0.0015 kWh; run b: 1,800 J = 0.0005 kWh.
    assert [r.label for r in measured.runs] == ["a", "b"]
    assert [r.energy_kwh for r in measured.runs] == pytest.approx([0.0015, 0.0005])
    assert measured.runs[0].duration_s == 10.0


def test_gpu_log_requires_gpu_scope(tmp_path: Path) -> None:
    path = tmp_path / "zeus.csv"
    path.write_text("start_time,window_name,elapsed_time,gpu0_energy\n1,w,1,3600\n", "utf-8")
    _, problems = _measure(_card(scope="gpu+cpu+ram"), "zeus.csv", folder=tmp_path)
    assert [p.code for p in problems] == ["scope-mismatch"]
