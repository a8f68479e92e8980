"""CodeCarbon emissions.csv, every column generation and each quirk, against cases.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from generator.load.codecarbon import parse_codecarbon_text, read_codecarbon_csv
from generator.problems import MAX_PROBLEMS_PER_CODE

DATA = Path(__file__).parent / "data" / "codecarbon"
CASES = yaml.safe_load((DATA / "cases.yaml").read_text("utf-8"))["cases"]
RUN_FIELDS = (
    "run_id",
    "project_name",
    "experiment_id",
    "country_iso_code",
    "duration_s",
    "energy_kwh",
    "cpu_energy_kwh",
    "gpu_energy_kwh",
    "ram_energy_kwh",
    "pue",
    "rows_collapsed",
    "line",
)


@pytest.mark.parametrize("case", CASES, ids=[case["file"] for case in CASES])
def test_fixture_reads_as_expected(case: dict) -> None:
    parsed, problems = read_codecarbon_csv(DATA / case["file"], case["file"])
    assert parsed is not None
    assert parsed.generation == case["generation"]
    assert parsed.columns == case["columns"]
    expected_runs = case["expected"]["runs"]
    assert len(parsed.runs) == len(expected_runs)
    for run, expected in zip(parsed.runs, expected_runs, strict=True):
        for name in RUN_FIELDS:
            assert getattr(run, name) == expected[name], (name, run.line)
        assert run.emissions_kg_co2e == expected["emissions_kg"]
        if "gpu_count" in expected:
            assert run.gpu_count == expected["gpu_count"]
    assert parsed.energy_kwh == pytest.approx(case["expected"]["total_energy_kwh"], rel=1e-12)
    got = [
        (p.location.line, p.code, p.key.removeprefix("column ").split(" (")[0] or None)
        for p in problems
    ]
    want = [(p["line"], p["code"], p["column"]) for p in case["expected"].get("problems", [])]
    assert got == want


def test_cumulative_flushes_take_the_last_row_never_the_sum() -> None:
    parsed, problems = read_codecarbon_csv(DATA / "cumulative-flush.csv", "cumulative-flush.csv")
    assert problems == []
    case = next(c for c in CASES if c["file"] == "cumulative-flush.csv")
    first = parsed.runs[0]
    assert first.rows_collapsed == 5
    assert first.energy_kwh == case["expected"]["runs"][0]["energy_kwh"]
    rows = (DATA / "cumulative-flush.csv").read_text("utf-8").splitlines()[1:6]
    header = (DATA / "cumulative-flush.csv").read_text("utf-8").splitlines()[0].split(",")
    column = header.index("energy_consumed")
    summed = sum(float(row.split(",")[column]) for row in rows)
    assert summed > first.energy_kwh * 2  # summing flushes would be badly wrong


def test_corrupted_rows_are_named_and_the_rest_is_kept() -> None:
    parsed, problems = read_codecarbon_csv(DATA / "corrupted.csv", "corrupted.csv")
    assert parsed is not None and parsed.runs
    assert all(p.location.path == "corrupted.csv" and p.location.line > 1 for p in problems)
    assert {p.code for p in problems} == {"bad-number", "bad-row", "truncated-row"}


def test_bad_rows_are_listed_up_to_the_shared_cap_then_summed_up() -> None:
    header = "timestamp,project_name,run_id,duration,emissions,energy_consumed"
    good = "2024-01-01T00:00:00,p,r1,10.0,0.001,0.002"  # line 2
    bad = ["2024-01-01T00:00:01,p,r2,10.0,0.001,-1"] * 50  # lines 3..52
    text = "\n".join([header, good, *bad]) + "\n"
    parsed, problems = parse_codecarbon_text(text, "emissions.csv")
    assert parsed is not None and len(parsed.runs) == 1
    assert len(problems) == MAX_PROBLEMS_PER_CODE + 1
    assert [p.location.line for p in problems[:20]] == list(range(3, 23))
    last = problems[-1]
    assert (last.location.line, last.code, last.key) == (
        23,
        "bad-number",
        "column energy_consumed (kWh)",
    )
    assert last.message == "... and 30 more bad rows like these, not listed (lines 23-52)"
