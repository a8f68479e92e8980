"""Power logs of any layout and size, read by the streaming engine (load/power_log.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.compute.power import integrate_power
from generator.formats.card import MeasurementFile
from generator.formats.power_log_layout import layout_from_spec, layout_spec
from generator.load import measurement_files, power_log_sql
from generator.load.measurement_files import read_measurement_file
from generator.load.nvidia_smi import read_nvidia_smi_csv
from generator.load.power_log import NVIDIA_SMI_LAYOUT, read_power_log

NVIDIA_SMI = Path(__file__).parent / "data" / "nvidia_smi"

# Two GPUs sampled at t = 0, 1, 3 s (2024-10-30T18:00:00Z = 1730311200 s since 1970):
#   GPU 0: 100, 300, 100 W -> (100 + 300) / 2 x 1 s + (300 + 100) / 2 x 2 s = 200 + 400 = 600 J
#   GPU 1: 200, 200, 400 W -> (200 + 200) / 2 x 1 s + (200 + 400) / 2 x 2 s = 200 + 600 = 800 J
# Total 1,400 J, whatever the layout.
EXPECTED_J = {"0": 600.0, "1": 800.0}
LONG_ISO_Z_MW = """time,gpu,power_mw
2024-10-30T18:00:00Z,0,100000
2024-10-30T18:00:00Z,1,200000
2024-10-30T18:00:01Z,0,300000
2024-10-30T18:00:01Z,1,200000
2024-10-30T18:00:03Z,0,100000
2024-10-30T18:00:03Z,1,400000
"""
LONG_ISO_OFFSET_TEXT = """timestamp,device,power
2024-10-30T20:00:03+02:00,1,400.0 W
2024-10-30T20:00:00+02:00,0,100.0 W
2024-10-30T20:00:00+02:00,1,200.0 W
2024-10-30T20:00:01+02:00,0,300.0 W
2024-10-30T20:00:01+02:00,1,200.0 W
2024-10-30T20:00:03+02:00,0,100.0 W
"""
WIDE_EPOCH_S = """epoch,gpu0_w,gpu1_w
1730311200,100,200
1730311201.0,300,200
1730311203,100,400
"""
WIDE_EPOCH_MS = """t_ms,0,1
1730311200000,100,200
1730311201000,300,200
1730311203000,100,400
"""


def _energy(tmp_path: Path, text: str, spec: str, name: str = "power.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    layout, error = layout_from_spec(spec)
    assert not error
    data, problems = read_measurement_file(
        path, name, measurement_files.MeasurementFormat("power-log"), layout
    )
    assert problems == []
    return integrate_power(data.power_log)


@pytest.mark.parametrize(
    ("text", "spec", "gpu_names"),
    [
        (LONG_ISO_Z_MW, "time=time:iso8601,gpu=gpu,power=power_mw:mW", ["0", "1"]),
        (LONG_ISO_OFFSET_TEXT, "time=timestamp:iso8601,gpu=device,power=power:W-text", ["0", "1"]),
        (WIDE_EPOCH_S, "time=epoch:epoch-s,power=gpu0_w+gpu1_w:W", ["gpu0_w", "gpu1_w"]),
        (WIDE_EPOCH_MS, "time=t_ms:epoch-ms,power=0+1", ["0", "1"]),
    ],
    ids=["long-iso-z-mw", "long-iso-offset-unordered-w-text", "wide-epoch-s", "wide-epoch-ms"],
)
def test_long_and_wide_layouts_give_the_trapezoid_energy(tmp_path, text, spec, gpu_names) -> None:
    energy = _energy(tmp_path, text, spec)
    assert energy.energy_j == pytest.approx(1400.0, rel=1e-12)
    assert [gpu.energy_j for gpu in energy.gpus.values()] == pytest.approx(
        [EXPECTED_J["0"], EXPECTED_J["1"]], rel=1e-12
    )
    assert list(energy.gpus) == gpu_names
    assert energy.duration_s == pytest.approx(3.0)
    assert energy.gpu_count == 2 and energy.samples == 6


def test_wide_empty_cell_is_a_missing_reading_not_an_error(tmp_path) -> None:
    # GPU 1 has no reading at t = 1 s: 200 W at 0 s, 400 W at 3 s -> (200 + 400) / 2 x 3 = 900 J
    text = "epoch,g0,g1\n1730311200,100,200\n1730311201,300,\n1730311203,100,400\n"
    path = tmp_path / "wide.csv"
    path.write_text(text)
    layout = layout_from_spec("time=epoch:epoch-s,power=g0+g1:W")[0]
    samples, problems, _ = read_power_log(path, "wide.csv", layout)
    assert problems == [] and samples.na_readings == 1
    energy = integrate_power(samples)
    assert energy.gpus["g0"].energy_j == pytest.approx(600.0)
    assert energy.gpus["g1"].energy_j == pytest.approx(900.0)


def test_parquet_power_log(tmp_path) -> None:
    import duckdb

    csv_path = tmp_path / "power.csv"
    csv_path.write_text(LONG_ISO_Z_MW)
    parquet = tmp_path / "power.parquet"
    duckdb.sql(
        f"COPY (SELECT * FROM read_csv('{csv_path}', all_varchar = true)) TO '{parquet}'"
        " (FORMAT parquet)"
    )
    layout = layout_from_spec("time=time:iso8601,gpu=gpu,power=power_mw:mW")[0]
    samples, problems, _ = read_power_log(parquet, "power.parquet", layout)
    assert problems == []
    assert integrate_power(samples).energy_j == pytest.approx(1400.0)


@pytest.mark.parametrize("bucket_us", [power_log_sql.BUCKET_US, 2_000_000, 1_000_000, 1])
@pytest.mark.parametrize(
    "name", ["two_gpus_constant.csv", "gap.csv", "na_readings.csv", "ramp_nounits.csv"]
)
def test_engine_gives_the_same_energy_and_problems_as_the_line_reader(
    name, bucket_us, monkeypatch
) -> None:
    # Any window bucket gives the same figures: the intervals at bucket edges are added back.
    monkeypatch.setattr(power_log_sql, "BUCKET_US", bucket_us)
    path = NVIDIA_SMI / name
    exact, exact_problems = read_nvidia_smi_csv(path, name)
    header = path.read_text().splitlines()[0]
    layout = NVIDIA_SMI_LAYOUT.model_copy(
        update={"power_column": header.split(",")[2].split("[")[0].strip()}
    )
    streamed, problems, irregular = read_power_log(path, name, layout, nvidia_ids=True)
    assert not irregular
    want, got = integrate_power(exact), integrate_power(streamed)
    assert got.energy_j == pytest.approx(want.energy_j, rel=1e-11)
    assert got.gaps == want.gaps and got.samples == want.samples
    assert got.coverage == pytest.approx(want.coverage)
    assert [gpu.median_interval_s for gpu in got.gpus.values()] == pytest.approx(
        [gpu.median_interval_s for gpu in want.gpus.values()]
    )
    assert streamed.na_readings == exact.na_readings
    assert [(p.location.line, p.code, p.key) for p in problems] == [
        (p.location.line, p.code, p.key) for p in exact_problems
    ]


@pytest.mark.parametrize("bucket_us", [7_000_000, 1])
def test_an_unsorted_log_cut_into_small_buckets_gives_the_same_figures(
    tmp_path, bucket_us, monkeypatch
) -> None:
    rng = np.random.default_rng(12)
    start = np.datetime64("2024-10-30T18:42:30.000", "ms")
    times = start + np.cumsum(rng.integers(50, 2500, 600)).astype("timedelta64[ms]")
    gpus, watts = rng.integers(0, 3, 600), rng.uniform(50, 700, 600)
    lines = ["timestamp, index, power.draw [W]"] + [
        f"{str(times[i]).replace('-', '/').replace('T', ' ')}, {gpus[i]}, {watts[i]:.2f} W"
        for i in rng.permutation(600)
    ]
    path = tmp_path / "jitter.csv"
    path.write_text("\n".join(lines) + "\n")
    exact, exact_problems = read_nvidia_smi_csv(path, "jitter.csv")
    hourly, _, _ = read_power_log(path, "jitter.csv", NVIDIA_SMI_LAYOUT, nvidia_ids=True)
    monkeypatch.setattr(power_log_sql, "BUCKET_US", bucket_us)
    streamed, problems, _ = read_power_log(path, "jitter.csv", NVIDIA_SMI_LAYOUT, nvidia_ids=True)
    want, hour, got = integrate_power(exact), integrate_power(hourly), integrate_power(streamed)
    for name, gpu in want.gpus.items():
        assert got.gpus[name].energy_j == pytest.approx(hour.gpus[name].energy_j, rel=1e-12)
        # the line reader keeps times as float seconds since 1970 (about 0.2 µs apart)
        assert got.gpus[name].energy_j == pytest.approx(gpu.energy_j, rel=1e-9)
        assert got.gpus[name].median_interval_s == pytest.approx(gpu.median_interval_s)
        assert got.gpus[name].gaps == gpu.gaps and got.gpus[name].samples == gpu.samples
    assert [(p.location.line, p.code) for p in problems] == [
        (p.location.line, p.code) for p in exact_problems
    ]


def test_large_nvidia_smi_logs_go_through_the_engine(monkeypatch) -> None:
    monkeypatch.setattr(measurement_files, "STREAM_FROM_BYTES", 0)
    data, problems = read_measurement_file(NVIDIA_SMI / "gap.csv", "gap.csv")
    assert data.power_log.gpus["0"].intervals is not None
    exact, exact_problems = read_nvidia_smi_csv(NVIDIA_SMI / "gap.csv", "gap.csv")
    assert integrate_power(data.power_log).energy_j == pytest.approx(
        integrate_power(exact).energy_j, rel=1e-9
    )
    assert [p.code for p in problems] == [p.code for p in exact_problems]


def test_an_irregular_log_under_the_whole_file_limit_is_read_line_by_line(monkeypatch) -> None:
    monkeypatch.setattr(measurement_files, "STREAM_FROM_BYTES", 0)
    path = NVIDIA_SMI / "garbage.csv"
    data, problems = read_measurement_file(path, "garbage.csv")
    assert data.power_log.gpus["0"].intervals is None  # the line reader's arrays
    assert problems == read_nvidia_smi_csv(path, "garbage.csv")[1]


def test_bad_rows_of_a_mapped_log_are_located(tmp_path) -> None:
    text = "time,gpu,power_w\n1730311200,0,100\n1730311201,0,oops\nnever,0,100\n1730311202,0,3000\n"
    path = tmp_path / "bad.csv"
    path.write_text(text)
    layout = layout_from_spec("time=time:epoch-s,gpu=gpu,power=power_w")[0]
    samples, problems, _ = read_power_log(path, "bad.csv", layout)
    assert [(p.location.line, p.code, p.message) for p in problems] == [
        (3, "bad-number", "expected a power in watts >= 0, got 'oops'"),
        (4, "bad-timestamp", "expected a time in the form epoch-s, got 'never'"),
        (
            5,
            "implausible-value",
            "expected at most 2,000 W for one GPU, got 3,000 W (a unit slip, or several GPUs summed?)",
        ),
    ]
    assert samples.rows_read == 4 and samples.rows_skipped == 2


def test_a_missing_column_names_the_columns_and_a_layout_that_would_work(tmp_path) -> None:
    path = tmp_path / "power.csv"
    path.write_text(LONG_ISO_Z_MW)
    layout = layout_from_spec("time=timestamp:iso8601,gpu=gpu,power=power_mw:mW")[0]
    samples, problems, _ = read_power_log(path, "power.csv", layout)
    assert samples is None
    assert problems[0].code == "missing-column"
    assert problems[0].message == (
        "expected the column(s) timestamp that the layout names, got columns 'time', 'gpu',"
        " 'power_mw'"
    )
    assert "--as 'power-log:time=time:iso8601,gpu=gpu,power=power_mw:mW'" in problems[0].hint


def test_inspect_hints_at_the_mapping_then_reads_with_it(tmp_path) -> None:
    path = tmp_path / "power.csv"
    path.write_text(WIDE_EPOCH_S)
    refused = CliRunner().invoke(main, ["inspect", str(path)])
    assert refused.exit_code == 1
    assert "try --as 'power-log:time=epoch:epoch-s,power=gpu0_w+gpu1_w:W'" in refused.output
    spec = "power-log:time=epoch:epoch-s,power=gpu0_w+gpu1_w:W"
    read = CliRunner().invoke(main, ["inspect", str(path), "--as", spec])
    assert read.exit_code == 0, read.output
    assert "energy:    0.0003889 kWh" in read.output  # 1,400 J / 3.6e6


def test_a_bad_spec_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["inspect", "x.csv", "--as", "power-log:time=t:unix"])
    assert result.exit_code == 2
    assert "expected time=COLUMN:FORM and power=COLUMN:UNIT" in result.output


def test_spec_round_trip_and_card_rules() -> None:
    spec = "time=t:epoch-ms,power=a+b:mW"
    layout, error = layout_from_spec(spec)
    assert not error and layout.wide and layout_spec(layout) == spec
    assert layout_from_spec("time=t:iso8601,gpu=g,power=a+b")[1].startswith(
        "Value error, expected gpu_column only with power_column"
    )
    entry = {"path": "measurements/x/power.csv", "queries": 10}
    with pytest.raises(ValueError, match="expected a layout exactly when format is power-log"):
        MeasurementFile.model_validate({**entry, "format": "power-log"})
    with pytest.raises(ValueError, match="a layout with format auto"):
        MeasurementFile.model_validate({**entry, "layout": layout.model_dump()})
    ok = MeasurementFile.model_validate(
        {
            **entry,
            "format": "power-log",
            "layout": {
                "time_column": "t",
                "time_form": "epoch-ms",
                "power_columns": ["a", "b"],
                "power_unit": "mW",
            },
        }
    )
    assert ok.layout == layout


def test_a_header_with_a_stray_carriage_return_gives_no_names_not_a_csv_error(
    tmp_path: Path,
) -> None:
    """Found by tests/test_properties.py: csv.reader raised on a lone CR inside the header."""
    from generator.load.power_log import read_header_names

    path = tmp_path / "log.csv"
    path.write_bytes(b"time,gp\ru,power\n1,0,100\n")
    assert read_header_names(path) == []
    path.write_bytes(b"time,gpu,power\n1,0,100\n")
    assert read_header_names(path) == ["time", "gpu", "power"]
