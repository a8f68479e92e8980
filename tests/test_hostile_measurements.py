"""Hostile measurement files (issue 13): each is a located problem, never a crash or a wrong number.

Paths that are no regular file, CR-only line ends, giant fields, NUL-laden text, formats declared
wrongly, shuffled energy counters, implausible values, and non-finite numbers in JSON.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.commands.inspect import format_inspection_json, inspect_file
from generator.formats.card import MeasurementFormat
from generator.load.codecarbon import parse_codecarbon_text
from generator.load.energy_counters import parse_nvml_energy_text, parse_zeus_text
from generator.load.measurement_files import read_measurement_file
from generator.load.nvidia_smi import read_nvidia_smi_csv
from generator.problems import Problem

CODECARBON_HEADER = "timestamp,project_name,run_id,duration,emissions,energy_consumed"
CODECARBON_ROW = "2024-01-01T00:00:00,p,r1,10.0,0.001,0.002"
NVML_HEADER = "timestamp,run,index,total_energy_mj,power_w"
SMI_HEADER = "timestamp, index, power.draw [W]"


def summary(problems: list[Problem]) -> list[tuple]:
    """Problems as (line, severity, code, key, message), to compare exactly."""
    return [(p.location.line, str(p.severity), p.code, p.key, p.message) for p in problems]


def read(path: Path, declared: str = "auto"):
    return read_measurement_file(path, path.name, MeasurementFormat(declared))


# 1. Paths: checked with os.stat before anything is opened.


def test_a_symlink_loop_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "a.csv").symlink_to(tmp_path / "b.csv")
    (tmp_path / "b.csv").symlink_to(tmp_path / "a.csv")
    data, problems = read(tmp_path / "a.csv")
    assert data is None
    assert summary(problems) == [
        (0, "error", "unreadable-file", "", "expected a regular file, got a symlink loop")
    ]


def test_a_name_over_255_characters_is_a_problem(tmp_path: Path) -> None:
    data, problems = read(tmp_path / ("x" * 300 + ".csv"))
    assert data is None
    assert [p.message for p in problems] == [
        "expected a regular file, got a name too long for the file system (over 255 characters"
        " per part)"
    ]


def test_a_nul_byte_in_the_path_is_a_problem(tmp_path: Path) -> None:
    data, problems = read(tmp_path / "a\x00b.csv")
    assert data is None
    assert summary(problems) == [
        (
            0,
            "error",
            "unreadable-file",
            "",
            "expected a regular file, got a path with a NUL byte in it",
        )
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_without_opening_it(tmp_path: Path) -> None:
    fifo = tmp_path / "emissions.csv"
    os.mkfifo(fifo)
    data, problems = read(fifo)  # opening a FIFO with no writer would block forever
    assert data is None
    assert summary(problems) == [
        (0, "error", "unreadable-file", "", "expected a regular file, got a named pipe (FIFO)")
    ]
    result = CliRunner().invoke(main, ["inspect", str(fifo)])
    assert result.exit_code == 1
    assert (
        "error[unreadable-file] expected a regular file, got a named pipe (FIFO)" in result.output
    )


def test_a_folder_is_refused(tmp_path: Path) -> None:
    report, problems = inspect_file(tmp_path)
    assert report["format"] is None
    assert [(p.code, p.message, p.hint) for p in problems] == [
        (
            "unreadable-file",
            "expected a regular file, got a folder",
            "name the file itself, e.g. cards/<id>.yaml or measurements/<id>/emissions.csv",
        )
    ]


def test_a_missing_file_stays_missing_file(tmp_path: Path) -> None:
    _, problems = read(tmp_path / "nothing.csv")
    assert [(p.code, p.message) for p in problems] == [
        ("missing-file", "expected an existing file, got a path to nothing (not found)")
    ]


# 2. Line endings, giant fields, NUL bytes.

CR_ONLY_WARNING = (
    1,
    "warning",
    "bad-line-endings",
    "",
    "expected lines ending in LF or CRLF, got CR alone (classic Mac line endings); read with CR"
    " as the line end",
)


def test_cr_only_line_endings_are_read_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "emissions.csv"
    path.write_bytes(f"{CODECARBON_HEADER}\r{CODECARBON_ROW}\r".encode())
    for declared in ("auto", "codecarbon"):
        data, problems = read(path, declared)
        assert data.codecarbon.energy_kwh == 0.002
        assert summary(problems) == [CR_ONLY_WARNING]


def test_cr_only_power_log_is_read_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "power.csv"
    rows = [
        SMI_HEADER,
        "2024/10/30 18:42:30.000, 0, 100.00 W",
        "2024/10/30 18:42:32.000, 0, 100.00 W",
    ]
    path.write_bytes("\r".join(rows).encode())
    samples, problems = read_nvidia_smi_csv(path, path.name)
    assert list(samples.gpus["0"].power_w) == [100.0, 100.0]
    assert summary(problems) == [CR_ONLY_WARNING]


def test_a_field_over_the_csv_limit_is_a_bad_row() -> None:
    giant = f'2024-01-01T00:00:00,"{"x" * 140_000}",r2,10.0,0.001,0.002'
    parsed, problems = parse_codecarbon_text(
        f"{CODECARBON_HEADER}\n{CODECARBON_ROW}\n{giant}\n", "e.csv"
    )
    assert parsed.energy_kwh == 0.002
    message = "expected fields of at most 131,072 characters, got a longer one"
    assert summary(problems) == [(3, "error", "bad-row", "", message)]
    parsed, problems = parse_nvml_energy_text(
        f'{NVML_HEADER}\n1.0,"{"a" * 140_000}",0,5,1\n', "n.csv"
    )
    assert summary(problems) == [(2, "error", "bad-row", "", message)]
    _, problems = parse_codecarbon_text(f'"{"y" * 140_000}"\n{CODECARBON_ROW}\n', "e.csv")
    assert summary(problems) == [
        (
            1,
            "error",
            "bad-row",
            "",
            "expected fields of at most 131,072 characters, got a longer one",
        )
    ]


def test_a_cr_inside_a_header_is_a_bad_row_not_a_crash() -> None:
    text = f"timestamp,pro\rject,duration,energy_consumed\n{CODECARBON_ROW}\n"
    parsed, problems = parse_codecarbon_text(text, "e.csv")
    assert parsed is None
    assert summary(problems) == [
        (1, "error", "bad-row", "", "expected a CSV header, got binary or control characters")
    ]


def test_utf16_and_zero_filled_files_are_bad_encoding(tmp_path: Path) -> None:
    path = tmp_path / "emissions.csv"
    path.write_text(f"{CODECARBON_HEADER}\n{CODECARBON_ROW}\n", encoding="utf-16")
    _, problems = read(path)
    assert summary(problems) == [
        (
            1,
            "error",
            "bad-encoding",
            "",
            "expected UTF-8 text, got UTF-16 (NUL bytes between the letters)",
        )
    ]
    assert problems[0].hint == "save the file as UTF-8, e.g. iconv -f UTF-16 -t UTF-8"
    path.write_bytes(f"{CODECARBON_HEADER}\n".encode("utf-16-le"))  # no BOM
    assert read(path)[1][0].code == "bad-encoding"
    path.write_bytes(b"\x00" * 4096)
    _, problems = read(path, "codecarbon")
    assert summary(problems) == [
        (
            1,
            "error",
            "bad-encoding",
            "",
            "expected text, got 4,096 bytes that are all NUL (a zero-filled file?)",
        )
    ]


def test_nul_bytes_in_counter_rows_are_bad_rows_not_new_runs() -> None:
    binary = "expected a CSV row, got binary or control characters"
    text = f"{NVML_HEADER}\n1.0,a,0,1000,1\n2.0,a\x00,0,2000,1\n3.0,a,0,3000,1\n"
    parsed, problems = parse_nvml_energy_text(text, "n.csv")
    assert [run.name for run in parsed.runs] == ["a"]
    assert summary(problems) == [(3, "error", "bad-row", "", binary)]
    zeus = "start_time,window_name,elapsed_time,gpu0_energy\n1.0,w\x00,1,5\n"
    parsed, problems = parse_zeus_text(zeus, "z.csv")
    assert parsed.runs == ()
    assert summary(problems) == [(2, "error", "bad-row", "", binary)]


# 3 and 4. A declared format is checked against the header.


def test_nvml_declared_without_an_energy_column_is_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "nvml.csv"
    path.write_text("timestamp,index,power_w\n100,0,200\n110,0,210\n", "utf-8")
    data, problems = read(path, "nvml-energy")
    assert data is None
    assert summary(problems) == [
        (
            1,
            "error",
            "missing-column",
            "column total_energy_mj",
            "expected an energy-counter column (total_energy_mj, energy_mj,"
            " total_energy_consumption_mj), got timestamp, index, power_w",
        )
    ]


def test_zeus_declared_on_a_codecarbon_file_is_wrong_format(tmp_path: Path) -> None:
    path = tmp_path / "emissions.csv"
    path.write_text(f"{CODECARBON_HEADER}\n{CODECARBON_ROW}\n", "utf-8")
    data, problems = read(path, "zeus")
    assert data is None
    assert summary(problems) == [
        (
            1,
            "error",
            "wrong-format",
            "",
            "expected a Zeus log (columns window_name, gpu0_energy, ...) as declared, got the"
            " header of a CodeCarbon emissions.csv (columns duration, energy_consumed):"
            " 'timestamp,project_name,run_id,duration,emissions,energy_cons'",
        )
    ]
    assert problems[0].hint == "declare format: codecarbon (or leave it out), or check the path"
    result = CliRunner().invoke(main, ["inspect", "--as", "zeus", str(path), "--format", "json"])
    assert result.exit_code == 1
    assert json.loads(result.output)["energy_kwh"] is None  # not 0 kWh


def test_zeus_declared_on_an_unknown_file_names_the_columns() -> None:
    parsed, problems = parse_zeus_text("a,b,c\n1,2,3\n", "z.csv")
    assert parsed is None
    assert summary(problems) == [
        (
            1,
            "error",
            "missing-column",
            "column window_name",
            "expected a Zeus log header (start_time, window_name, elapsed_time, gpu0_energy, ...),"
            " got a, b, c",
        )
    ]


# 5. Energy counters are sorted by time before restarts are looked for.


def _counter_rows() -> list[str]:
    # One GPU, 11 samples 1 s apart, 392,400 mJ each: 3,924 J = 0.00109 kWh.
    return [f"{1730000000 + t}.000,r1,0,{1_000_000 + t * 392_400},200" for t in range(11)]


@pytest.mark.parametrize("order", ["sorted", "shuffled", "reversed"])
def test_counters_out_of_order_give_the_sorted_energy(order: str) -> None:
    rows = _counter_rows()
    if order == "shuffled":
        rows = random.Random(1).sample(rows, len(rows))
    elif order == "reversed":
        rows = rows[::-1]
    parsed, problems = parse_nvml_energy_text("\n".join([NVML_HEADER, *rows]) + "\n", "n.csv")
    assert parsed.energy_kwh == pytest.approx(0.00109, rel=1e-12)
    assert all(p.code == "out-of-order" and str(p.severity) == "warning" for p in problems)
    assert bool(problems) == (order != "sorted")


def test_a_row_out_of_order_is_named_with_the_row_it_follows() -> None:
    rows = _counter_rows()
    rows[3], rows[4] = rows[4], rows[3]  # lines 5 and 6 swapped
    parsed, problems = parse_nvml_energy_text("\n".join([NVML_HEADER, *rows]) + "\n", "n.csv")
    assert parsed.energy_kwh == pytest.approx(0.00109, rel=1e-12)
    assert summary(problems) == [
        (
            6,
            "warning",
            "out-of-order",
            "column timestamp",
            "expected timestamps in increasing order (GPU 0, run r1), got 1730000003 after"
            " 1730000004 (line 5); rows are sorted by time before the counter is read",
        )
    ]


def test_a_counter_restart_still_adds_segments_after_sorting() -> None:
    rows = ["1.0,r,0,1000,1", "2.0,r,0,3000,1", "3.0,r,0,500,1", "4.0,r,0,1500,1"]
    parsed, problems = parse_nvml_energy_text("\n".join([NVML_HEADER, *rows[::-1]]), "n.csv")
    assert parsed.runs[0].energy_kwh == pytest.approx((2000 + 500 + 1000) / 1000 / 3_600_000)
    assert {p.code for p in problems} == {"out-of-order"}


def test_an_unreadable_counter_timestamp_is_reported() -> None:
    parsed, problems = parse_nvml_energy_text(f"{NVML_HEADER}\nsoon,r,0,5,1\n", "n.csv")
    assert summary(problems) == [
        (
            2,
            "error",
            "bad-timestamp",
            "column timestamp",
            "expected seconds since 1970 (e.g. 1730313753.189), got 'soon'",
        )
    ]


# 6. Plausibility: warnings (errors with --strict), the numbers are kept as written.


def test_gpu_power_above_2000_w_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "power.csv"
    rows = [
        f"2024/10/30 18:42:3{s}.000, 0, {w} W"
        for s, w in ((0, "300.00"), (1, "2500.00"), (2, "300.00"))
    ]
    path.write_text("\n".join([SMI_HEADER, *rows]) + "\n", "utf-8")
    samples, problems = read_nvidia_smi_csv(path, path.name)
    assert list(samples.gpus["0"].power_w) == [300.0, 2500.0, 300.0]
    assert summary(problems) == [
        (
            3,
            "warning",
            "implausible-value",
            "column power.draw",
            "expected at most 2,000 W for one GPU, got 2,500 W (a unit slip, or several GPUs"
            " summed?)",
        )
    ]
    counters = f"{NVML_HEADER}\n1.0,r,0,1000,150000\n2.0,r,0,2000,300\n"
    _, problems = parse_nvml_energy_text(counters, "n.csv")
    assert [(p.location.line, p.code, p.key) for p in problems] == [
        (2, "implausible-value", "column power_w")
    ]


def test_a_gap_over_10_median_intervals_is_located_and_energy_is_unchanged(tmp_path: Path) -> None:
    from generator.compute.power import integrate_power

    seconds = [0, 1, 2, 3, 4, 34, 35, 36]  # a 30 s hole after line 6
    rows = [f"2024/10/30 18:{40 + s // 60:02d}:{s % 60:02d}.000, 0, 100.00 W" for s in seconds]
    path = tmp_path / "power.csv"
    path.write_text("\n".join([SMI_HEADER, *rows]) + "\n", "utf-8")
    samples, problems = read_nvidia_smi_csv(path, path.name)
    assert summary(problems) == [
        (
            7,
            "warning",
            "sampling-gap",
            "GPU 0",
            "expected samples at most 10 x the median interval (1 s) apart, got 30 s since line 6;"
            " the energy across the gap is a straight-line guess",
        )
    ]
    energy = integrate_power(samples)
    assert energy.energy_j == pytest.approx(3600.0)  # still bridged: 36 s at 100 W
    assert energy.gaps == 1


def _codecarbon(header: str, *rows: str) -> list[tuple]:
    _, problems = parse_codecarbon_text("\n".join([header, *rows]) + "\n", "e.csv")
    return summary(problems)


def test_codecarbon_energy_over_a_million_kwh_is_a_warning() -> None:
    assert _codecarbon(CODECARBON_HEADER, "2024-01-01T00:00:00,p,r1,10.0,0.001,2500000") == [
        (
            2,
            "warning",
            "implausible-value",
            "column energy_consumed (kWh)",
            "expected at most 1,000,000 kWh in one run, got 2,500,000 kWh (Wh or J written as"
            " kWh?)",
        )
    ]


def test_energy_in_zero_seconds_is_a_warning() -> None:
    assert _codecarbon(CODECARBON_HEADER, "2024-01-01T00:00:00,p,r1,0,0.001,0.5") == [
        (
            2,
            "warning",
            "implausible-value",
            "column duration (s)",
            "expected a duration > 0 s for 0.5 kWh of energy, got 0 s",
        )
    ]
    zeus = "start_time,window_name,elapsed_time,gpu0_energy\n1.0,w,0,3600000\n"
    _, problems = parse_zeus_text(zeus, "z.csv")
    assert summary(problems) == [
        (
            2,
            "warning",
            "implausible-value",
            "column elapsed_time",
            "expected a duration > 0 s for 1 kWh, got 0 s",
        )
    ]


def test_components_that_do_not_add_up_are_a_warning() -> None:
    header = f"{CODECARBON_HEADER},cpu_energy,gpu_energy,ram_energy"
    assert _codecarbon(header, f"{CODECARBON_ROW},0.0005,0.001,0.0005") == []  # adds up
    assert _codecarbon(header, "2024-01-01T00:00:00,p,r1,10.0,0.001,0.003,0.0005,0.001,0.0005") == [
        (
            2,
            "warning",
            "implausible-value",
            "column energy_consumed (kWh)",
            "expected cpu_energy + gpu_energy + ram_energy (0.002 kWh) within 1% of"
            " energy_consumed, got 0.003 kWh",
        )
    ]


def test_codecarbon_gpu_power_is_checked_per_gpu() -> None:
    header = f"{CODECARBON_HEADER},gpu_power,gpu_count"
    assert _codecarbon(header, f"{CODECARBON_ROW},5600,8") == []  # 700 W each
    assert _codecarbon(header, f"{CODECARBON_ROW},5600,2") == [
        (
            2,
            "warning",
            "implausible-value",
            "column gpu_power (W)",
            "expected at most 2,000 W per GPU, got 2,800 W (5,600 W over 2 GPUs)",
        )
    ]


DUPLICATE = (
    "expected each column once, got '{0}' as column {1} and column {2}; which one holds the"
    " data is unclear"
)


def test_a_duplicated_column_is_an_error_in_every_csv_format(tmp_path: Path) -> None:
    header = f"{CODECARBON_HEADER},energy_consumed"
    parsed, problems = parse_codecarbon_text(f"{header}\n{CODECARBON_ROW},9\n", "e.csv")
    assert parsed is None
    assert summary(problems) == [
        (
            1,
            "error",
            "duplicate-column",
            "column energy_consumed",
            DUPLICATE.format("energy_consumed", 6, 7),
        )
    ]
    parsed, problems = parse_nvml_energy_text(f"{NVML_HEADER},index\n1.0,r,0,5,1,1\n", "n.csv")
    assert parsed is None
    assert summary(problems) == [
        (1, "error", "duplicate-column", "column index", DUPLICATE.format("index", 3, 6))
    ]
    path = tmp_path / "power.csv"
    path.write_text(
        "timestamp, index, power.draw [W], power.draw [W]\n2024/10/30 18:42:30.000, 0, 1 W, 2 W\n",
        "utf-8",
    )
    samples, problems = read_nvidia_smi_csv(path, path.name)
    assert summary(problems)[0] == (
        1, "error", "duplicate-column", "column power.draw", DUPLICATE.format("power.draw", 3, 4)
    )  # fmt: skip
    assert samples is None


# 7. JSON never holds Infinity or NaN.


def test_inspect_json_has_null_and_a_problem_for_a_sum_past_float_range(tmp_path: Path) -> None:
    path = tmp_path / "emissions.csv"
    rows = [f"2024-01-01T00:00:00,p,r{n},10.0,0.001,1e308" for n in (1, 2)]
    path.write_text("\n".join([CODECARBON_HEADER, *rows]) + "\n", "utf-8")
    report, problems = inspect_file(path)
    assert report["energy_kwh"] is None
    assert ("bad-number", "energy_kwh") in [(p.code, p.key) for p in problems]
    assert [p["message"] for p in report["problems"] if p["code"] == "bad-number"] == [
        "expected a finite number, got infinity (values past the float range); shown as null"
    ]
    assert "Infinity" not in format_inspection_json(report)
    result = CliRunner().invoke(main, ["inspect", str(path), "--format", "json"])
    assert result.exit_code == 1
    json.loads(result.output, parse_constant=pytest.fail)  # no Infinity, NaN


def test_format_inspection_json_refuses_non_finite_numbers() -> None:
    with pytest.raises(ValueError):
        format_inspection_json({"energy_kwh": float("inf")})
