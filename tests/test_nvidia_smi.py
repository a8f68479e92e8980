"""nvidia-smi power logs: the loader (generator/load/nvidia_smi.py) and the integral (power.py).

Each quirk of the format is a small file in tests/data/nvidia_smi/; the expected energy is
worked out by hand next to each case.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.commands.inspect import gap_notes
from generator.compute.power import PowerLogEnergy, integrate_power
from generator.load.nvidia_smi import PowerSamples, read_nvidia_smi_csv
from generator.problems import MAX_PROBLEMS_PER_CODE, Problem, Severity
from generator.units import joules_to_kwh

DATA = Path(__file__).parent / "data" / "nvidia_smi"
HEADER = "timestamp, index, power.draw [W]"
UUID_0 = "GPU-6f2d4a1c-0b3e-4c55-9a8e-1d2f3a4b5c6d"
UUID_1 = "GPU-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
HINT = "log with nvidia-smi --query-gpu=timestamp,index,power.draw --format=csv -lms 100"


def load(name: str) -> tuple[PowerSamples | None, list[Problem]]:
    return read_nvidia_smi_csv(DATA / name, name)


def ingest(path: Path) -> tuple[PowerSamples, PowerLogEnergy, list[Problem]]:
    samples, problems = read_nvidia_smi_csv(path, path.name)
    assert samples is not None, problems
    return samples, integrate_power(samples), problems


def summary(problems: list[Problem]) -> list[tuple]:
    """Problems as (line, severity, code, key, message), to compare exactly."""
    return [(p.location.line, str(p.severity), p.code, p.key, p.message) for p in problems]


def stamp(hh_mm_ss: str) -> str:
    return f"2024/10/30 {hh_mm_ss}.000"


def test_default_format_two_gpus_at_constant_power() -> None:
    samples, energy, problems = ingest(DATA / "two_gpus_constant.csv")
    # GPU 0 draws 200 W and GPU 1 100 W for 10 s: 2,000 J + 1,000 J.
    assert problems == []
    assert energy.energy_j == pytest.approx(3000.0)
    assert energy.energy_kwh == pytest.approx(3000 / 3_600_000)  # 0.000833... kWh
    assert energy.gpus["0"].energy_j == pytest.approx(2000.0)
    assert energy.gpus["1"].energy_j == pytest.approx(1000.0)
    assert (energy.gpu_count, energy.samples, energy.gaps, energy.notes) == (2, 22, 0, ())
    assert energy.duration_s == pytest.approx(10.0)
    assert energy.coverage == pytest.approx(1.0)
    gpu = energy.gpus["0"]
    assert gpu.median_interval_s == pytest.approx(1.0)
    assert gpu.max_gap_s == pytest.approx(1.0)
    assert gpu.gap_threshold_s == pytest.approx(5.0)  # max(5 x the 1 s median, 1 s)
    assert (samples.format, samples.power_column, samples.gpu_id_column) == (
        "nvidia-smi",
        "power.draw",
        "index",
    )
    assert (samples.rows_read, samples.rows_skipped, samples.na_readings) == (22, 0, 0)


def test_naive_timestamps_are_seconds_as_written() -> None:
    samples, _ = load("two_gpus_constant.csv")
    time_s = samples.gpus["0"].time_s
    assert time_s[0] == datetime(2024, 10, 30, 18, 42, 30, tzinfo=UTC).timestamp()
    assert time_s.dtype.name == "float64" and not time_s.flags.writeable


@pytest.mark.parametrize(
    ("name", "energy_j"),
    [
        ("ramp_nounits.csv", 200.0),  # 0 -> 100 W over 4 s: a triangle, 4 x 100 / 2
        ("noheader.csv", 600.0),  # 150 W for 4 s
        ("noheader_nounits.csv", 200.0),  # the same ramp, no header, no units
        ("crlf_bom.csv", 600.0),  # 120 W for 5 s
        ("appended_twice.csv", 500.0),  # 100 W for 0..2 s, then 3..5 s: 5 s in all
        ("power_average_instant.csv", 300.0),  # power.draw.average, 100 W for 3 s
        ("power_all_three.csv", 600.0),  # power.draw, 200 W for 3 s
        ("uuid_extra_columns.csv", 700.0),  # 300 W and 50 W for 2 s
        ("na_readings.csv", 400.0),  # 100 W for 4 s, two readings missing
    ],
)
def test_format_variations_give_the_energy_worked_out_by_hand(name: str, energy_j: float) -> None:
    _, energy, problems = ingest(DATA / name)
    assert problems == []
    assert energy.energy_j == pytest.approx(energy_j)
    assert energy.energy_kwh == pytest.approx(energy_j / 3_600_000)


def test_crlf_bom_fixture_really_has_crlf_and_a_bom() -> None:
    raw = (DATA / "crlf_bom.csv").read_bytes()  # guards against line-ending normalisation
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\r\n") == 7


def test_power_column_preference_is_recorded() -> None:
    assert load("power_average_instant.csv")[0].power_column == "power.draw.average"
    assert load("power_all_three.csv")[0].power_column == "power.draw"


def test_uuid_is_preferred_over_index_and_extra_columns_are_ignored() -> None:
    samples, energy, _ = ingest(DATA / "uuid_extra_columns.csv")
    assert samples.gpu_id_column == "uuid"
    assert list(samples.gpus) == [UUID_0, UUID_1]  # order of appearance
    assert energy.gpus[UUID_0].energy_j == pytest.approx(600.0)
    assert energy.gpus[UUID_1].energy_j == pytest.approx(100.0)


def test_na_readings_are_skipped_and_counted() -> None:
    samples, energy, _ = ingest(DATA / "na_readings.csv")
    # GPU 0: [N/A] and N/A at 1 s and 3 s; GPU 1: [Not Supported] at all five.
    assert (samples.rows_read, samples.rows_skipped, samples.na_readings) == (10, 0, 7)
    assert list(samples.gpus) == ["0"]
    assert energy.gpus["0"].samples == 3


def test_garbage_lines_are_reported_with_line_numbers_and_skipped() -> None:
    samples, energy, problems = ingest(DATA / "garbage.csv")
    fields = f"expected 3 fields ({HEADER})"
    assert summary(problems) == [
        (
            4,
            "warning",
            "bad-row",
            "",
            f"{fields}, got 1: 'Failed to initialize NVML: Unknown Error'",
        ),
        (
            6,
            "warning",
            "bad-timestamp",
            "column timestamp",
            "expected a timestamp like 2024/10/30 18:42:33.189, got '2024/10/30 99:99:99.000'",
        ),
        (
            7,
            "warning",
            "bad-number",
            "column power.draw [W]",
            "expected a power in watts >= 0 (e.g. 208.36 W), got 'lots W'",
        ),
        (
            8,
            "warning",
            "bad-number",
            "column power.draw [W]",
            "expected a power in watts >= 0 (e.g. 208.36 W), got '-5.00 W'",
        ),
        (
            10,
            "warning",
            "bad-row",
            "",
            f"{fields}, got 4: '2024/10/30 18:42:35.000, 0, 100.00 W, extra'",
        ),
        (11, "warning", "bad-row", "", f"{fields}, got 1: 'no devices were found'"),
    ]
    assert (samples.rows_read, samples.rows_skipped) == (10, 6)  # the blank line 9 is no row
    # Kept: 100 W at 0, 1, 2 and 6 s -> 600 J; the 4 s pause is under 5 x the 1 s median.
    assert energy.energy_j == pytest.approx(600.0)
    assert energy.gaps == 0


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("truncated.csv", "expected a complete row, got '2024/10/30 18:4' (the log ends mid-row)"),
        (
            "truncated_in_value.csv",
            "expected a complete row, got '2024/10/30 18:42:33.000, 0, [N' (the log ends mid-row)",
        ),
    ],
)
def test_a_truncated_last_line_is_reported_once(name: str, message: str) -> None:
    samples, energy, problems = ingest(DATA / name)
    assert summary(problems) == [(5, "warning", "truncated-row", "", message)]
    assert (samples.rows_read, samples.rows_skipped) == (4, 1)
    assert energy.energy_j == pytest.approx(200.0)  # 100 W for 2 s


def test_a_log_without_timestamps_gives_no_energy() -> None:
    samples, energy, problems = ingest(DATA / "no_timestamp.csv")
    assert summary(problems) == [
        (
            1,
            "error",
            "no-timestamps",
            "column timestamp",
            "expected a timestamp column to integrate power over time, got index, power.draw [W];"
            " these rows cannot give energy",
        )
    ]
    assert problems[0].hint == HINT
    assert [gpu.time_s for gpu in samples.gpus.values()] == [None, None]
    assert list(samples.gpus["1"].power_w) == [200.0, 200.0, 200.0]
    assert (energy.energy_j, energy.energy_kwh, energy.duration_s) == (None, None, None)
    assert (energy.gpu_count, energy.samples) == (2, 6)
    assert energy.notes == (
        "expected timestamps to integrate power over time, got none; no energy",
    )


def test_a_log_without_a_power_column_is_refused() -> None:
    samples, problems = load("missing_power.csv")
    assert samples is None
    assert summary(problems) == [
        (
            1,
            "error",
            "missing-column",
            "column power.draw",
            "expected a power column (power.draw, power.draw.average, power.draw.instant),"
            " got timestamp, index, utilization.gpu [%]",
        )
    ]


def test_headerless_rows_that_do_not_start_with_a_timestamp_ask_for_a_header() -> None:
    samples, problems = load("noheader_no_timestamp.csv")
    assert samples is None
    assert summary(problems) == [
        (
            1,
            "error",
            "not-a-power-log",
            "",
            "expected a header line such as 'timestamp, index, power.draw [W]', or headerless"
            " rows in the order timestamp, index, power.draw, got '0, 208.36 W'",
        )
    ]
    assert problems[0].hint == f"{HINT} (keep the header: no 'noheader')"


def test_an_empty_file_is_not_a_power_log() -> None:
    samples, problems = load("empty.csv")
    assert samples is None
    assert summary(problems) == [
        (0, "error", "not-a-power-log", "", "expected nvidia-smi CSV rows, got an empty file")
    ]


def test_a_missing_file_is_reported() -> None:
    samples, problems = load("no-such-file.csv")
    assert samples is None
    assert [problem.code for problem in problems] == ["missing-file"]


def test_a_gap_is_counted_bridged_and_reported_in_coverage() -> None:
    _, energy, _ = ingest(DATA / "gap.csv")
    # 100 W at 0..5 s and 15..20 s, 1 s apart: 20 s at 100 W = 2,000 J, of which the 10 s
    # gap bridges 1,000 J; covered 5 s + 5 s of a 20 s span = 50 %.
    gpu = energy.gpus["0"]
    assert (gpu.gaps, energy.gaps) == (1, 1)
    assert gpu.coverage == pytest.approx(0.5) and energy.coverage == pytest.approx(0.5)
    assert gpu.energy_j == pytest.approx(2000.0)
    assert gpu.gap_energy_j == pytest.approx(1000.0)
    assert gpu.median_interval_s == pytest.approx(1.0)
    assert gpu.max_gap_s == pytest.approx(10.0)
    assert gpu.gap_threshold_s == pytest.approx(5.0)  # 5 x the median, above the 1 s floor
    assert energy.notes == ()  # compute keeps figures; inspect words them
    assert gap_notes(energy) == [
        "GPU 0: 1 gap longer than 5 s (longest 10 s), bridged by straight lines:"
        " 1,000 J of 2,000 J; coverage 50%",
    ]


def test_an_explicit_gap_threshold_overrides_the_default() -> None:
    samples, _ = load("gap.csv")
    energy = integrate_power(samples, gap_threshold_s=10.0)  # a gap must be longer than 10 s
    assert (energy.gaps, energy.coverage, energy.notes) == (0, 1.0, ())
    with pytest.raises(ValueError, match="expected gap_threshold_s > 0, got 0"):
        integrate_power(samples, gap_threshold_s=0)


def test_a_gpu_with_a_single_sample_counts_zero_with_a_note() -> None:
    _, energy, _ = ingest(DATA / "single_sample_gpu.csv")
    assert energy.energy_j == pytest.approx(200.0)  # GPU 0: 100 W for 2 s; GPU 1: 0 J
    assert energy.gpus["1"].energy_j == 0.0
    assert energy.gpus["1"].median_interval_s is None
    assert energy.notes == (
        "GPU 1: expected at least 2 samples to integrate, got 1; counted as 0 J",
    )


def test_a_log_without_index_or_uuid_is_one_gpu_with_a_warning() -> None:
    samples, energy, problems = ingest(DATA / "no_index.csv")
    message = (
        "expected an index or uuid column to tell GPUs apart, got none; all rows are treated"
        " as one GPU named 'all'"
    )
    assert summary(problems) == [(1, "warning", "missing-column", "column index", message)]
    assert (list(samples.gpus), samples.gpu_id_column) == (["all"], None)
    assert energy.energy_j == pytest.approx(1000.0)  # 250 W for 4 s


def test_rows_sharing_timestamps_without_a_gpu_column_are_an_error() -> None:
    _, problems = load("no_index_two_gpus.csv")
    assert [(p.code, p.severity) for p in problems] == [("missing-column", Severity.ERROR)]
    assert problems[0].message.endswith(
        "but rows share timestamps, so the log likely holds several GPUs"
    )


def test_garbage_before_the_header_is_skipped() -> None:
    samples, energy, problems = ingest(DATA / "garbage_before_header.csv")
    assert summary(problems) == [
        (
            1,
            "warning",
            "bad-row",
            "",
            "expected a header line or a data row, got"
            " 'Failed to initialize NVML: Driver/library version mismatch'",
        )
    ]
    assert energy.energy_j == pytest.approx(200.0)


def test_bad_rows_are_listed_up_to_a_limit_then_summed_up(tmp_path: Path) -> None:
    lines = [HEADER, f"{stamp('18:42:30')}, 0, 100.00 W"]
    lines += ["Unable to determine the device handle for GPU 0000:00:04.0"] * 50  # lines 3..52
    lines += [f"{stamp('18:42:31')}, 0, 100.00 W"]
    path = tmp_path / "corrupt.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    samples, energy, problems = ingest(path)
    assert len(problems) == MAX_PROBLEMS_PER_CODE + 1 == 21
    assert [p.location.line for p in problems[:20]] == list(range(3, 23))
    assert summary(problems[-1:]) == [
        (
            23,
            "warning",
            "bad-row",
            "",
            "... and 30 more bad rows like these, not listed (lines 23-52)",
        )
    ]
    assert (samples.rows_read, samples.rows_skipped) == (52, 50)
    assert energy.energy_j == pytest.approx(100.0)


def test_a_second_log_with_other_columns_and_rows_out_of_order(tmp_path: Path) -> None:
    path = tmp_path / "two-runs.csv"
    path.write_text(
        "\n".join(
            [
                HEADER,
                f"{stamp('18:42:32')}, 0, 100.00 W",  # out of order within the run
                f"{stamp('18:42:30')}, 0, 100.00 W",
                f"{stamp('18:42:31')}, 0, 100.00 W",
                "index, name, power.draw [W], timestamp",  # appended: another query
                f"0, NVIDIA H100 80GB HBM3, 300.00 W, {stamp('18:42:33')}",
                f"0, NVIDIA H100 80GB HBM3, 300.00 W, {stamp('18:42:34')}",
                "error, retrying",  # lowercase garbage does not pass for a header
                f"0, NVIDIA H100 80GB HBM3, 300.00 W, {stamp('18:42:35')}",
            ]
        ),
        encoding="utf-8",
    )
    samples, energy, problems = ingest(path)
    assert summary(problems) == [
        (
            8,
            "warning",
            "bad-row",
            "",
            "expected 4 fields (index, name, power.draw [W], timestamp), got 2: 'error, retrying'",
        )
    ]
    assert list(samples.gpus["0"].time_s - samples.gpus["0"].time_s[0]) == [0, 1, 2, 3, 4, 5]
    # 100 W for 0..2 s (200 J), 100 -> 300 W over 2..3 s (200 J), 300 W for 3..5 s (600 J).
    assert energy.energy_j == pytest.approx(1000.0)


def test_a_log_with_no_reading_at_all(tmp_path: Path) -> None:
    path = tmp_path / "na.csv"
    path.write_text(f"{HEADER}\n{stamp('18:42:30')}, 0, [N/A]\n", encoding="utf-8")
    samples, problems = read_nvidia_smi_csv(path, "na.csv")
    assert summary(problems) == [
        (
            0,
            "error",
            "not-a-power-log",
            "",
            "expected at least one power reading, got none (rows read: 1, without a reading: 1,"
            " malformed: 0)",
        )
    ]
    energy = integrate_power(samples)
    assert (energy.energy_j, energy.gpu_count) == (None, 0)
    assert energy.notes == ("expected readings from at least one GPU, got none; no energy",)


def test_joules_to_kwh() -> None:
    assert joules_to_kwh(3_600_000) == 1.0
    assert joules_to_kwh(3000) == pytest.approx(0.000833333, rel=1e-6)


def test_a_row_with_a_bad_gpu_index_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "bad-index.csv"
    rows = [f"{stamp('18:42:3' + str(s))}, 0, 100.00 W" for s in range(3)]
    path.write_text("\n".join([HEADER, rows[0], f"{stamp('18:42:31')}, gpu0, 100.00 W", *rows[1:]]))
    samples, energy, problems = ingest(path)
    assert summary(problems) == [
        (
            3,
            "warning",
            "bad-gpu-id",
            "column index",
            "expected a GPU index (0, 1, ...) or uuid (GPU-...), got 'gpu0'",
        )
    ]
    assert list(samples.gpus) == ["0"]
    assert energy.energy_j == pytest.approx(200.0)
