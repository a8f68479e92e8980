"""Energy-counter files (NVML counters, Zeus windows): row problems are capped like every loader's."""

from __future__ import annotations

from generator.load.energy_counters import parse_nvml_energy_text, parse_zeus_text
from generator.problems import MAX_PROBLEMS_PER_CODE, Severity

NVML_HEADER = "timestamp,run,index,total_energy_mj,power_w"


def test_fifty_bad_counter_rows_list_twenty_then_one_summary() -> None:
    good = ["100.0,a,0,1000000,200", "110.0,a,0,4600000,200"]  # lines 2 and 3
    bad = ["105.0,a,0,lots,200"] * 50  # lines 4..53
    text = "\n".join([NVML_HEADER, *good, *bad]) + "\n"
    parsed, problems = parse_nvml_energy_text(text, "nvml_energy.csv")
    assert parsed is not None and parsed.energy_kwh > 0  # the good rows still count
    assert len(problems) == MAX_PROBLEMS_PER_CODE + 1 == 21
    assert [p.location.line for p in problems[:20]] == list(range(4, 24))
    assert {p.code for p in problems} == {"bad-number"}
    last = problems[-1]
    assert (last.location.path, last.location.line, last.severity, last.key) == (
        "nvml_energy.csv",
        24,
        Severity.ERROR,
        "column total_energy_mj",
    )
    assert last.message == "... and 30 more bad rows like these, not listed (lines 24-53)"


def test_zeus_rows_are_capped_per_code() -> None:
    header = "start_time,window_name,elapsed_time,gpu0_energy"
    short = ["1700000000.0,w"] * 25  # lines 2..26: truncated-row
    bad = ["1700000000.0,w,1,-5"] * 22  # lines 27..48: bad-number
    _, problems = parse_zeus_text("\n".join([header, *short, *bad]) + "\n", "zeus.csv")
    codes = [p.code for p in problems]
    assert codes.count("truncated-row") == 21 and codes.count("bad-number") == 21
    summaries = [p.message for p in problems if p.message.startswith("...")]
    assert summaries == [
        "... and 5 more bad rows like these, not listed (lines 22-26)",
        "... and 2 more bad rows like these, not listed (lines 47-48)",
    ]
