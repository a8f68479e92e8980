"""File formats defined once: located problems for broken files, and reader/writer round trips.

Example files under `tests/examples/formats/<format>/<case>/`: the broken file and, next to
it, `expected.txt`, the exact problems the loader reports (compiler style, as for a card).
Adding a case means adding a folder.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from generator.compute.open_data import card_row
from generator.compute.ratings import build_reference
from generator.compute.summary import summarize_card
from generator.formats.card import Card
from generator.formats.energy_counters import (
    NVML_ENERGY_HEADER,
    NvmlEnergyRow,
    nvml_energy_cells,
)
from generator.formats.measurement_sidecar import (
    MeasurementSidecar,
    SidecarRun,
    Versions,
    sidecar_json,
)
from generator.formats.open_data import COLUMNS, OpenDataRow
from generator.formats.rating_reference import (
    SIZE_CLASS_NOTE,
    reference_yaml,
)
from generator.load.energy_counters import is_nvml_energy_header, parse_nvml_energy_text
from generator.load.factors import read_factors
from generator.load.measurement_files import parse_sidecar_text, read_sidecar
from generator.load.ratings import read_rating_reference
from generator.problems import Problem, Report, format_text
from generator.project import Project
from generator.site.pipeline import read_project
from tests.conftest import REPO_ROOT, card_yaml, make_project

EXAMPLES = Path(__file__).parent / "examples" / "formats"


def _cases(kind: str) -> list[Path]:
    return sorted(path for path in (EXAMPLES / kind).iterdir() if path.is_dir())


def _text(problems: list[Problem]) -> str:
    """The problem lines of a text report, without its summary line."""
    return "\n".join(format_text(Report(problems)).splitlines()[:-1]) + "\n"


def _expected(case: Path) -> str:
    return (case / "expected.txt").read_text("utf-8")


@pytest.mark.parametrize("case", _cases("factors"), ids=lambda case: case.name)
def test_broken_factor_table(case: Path) -> None:
    factors, problems = read_factors(case / "factors.yaml", "factors.yaml")
    assert factors == ()
    assert _text(problems) == _expected(case)


@pytest.mark.parametrize("case", _cases("reference"), ids=lambda case: case.name)
def test_broken_rating_reference(case: Path) -> None:
    reference, problems = read_rating_reference(case)
    assert reference is None
    assert _text(problems) == _expected(case)


@pytest.mark.parametrize("case", _cases("sidecar"), ids=lambda case: case.name)
def test_broken_measurement_sidecar(case: Path) -> None:
    sidecar, problems = read_sidecar(case, "measurements/m")
    assert sidecar is None
    assert _text(problems) == _expected(case)


def test_shipped_factor_table_reads_clean() -> None:
    factors, problems = read_factors()
    assert problems == []
    assert [f.id for f in factors][:2] == ["smartphone-charge", "household-electricity-day"]
    household = factors[1]
    assert household.period == "year" and household.amount_per_unit == 10715 / 365
    assert factors[0].singular == "smartphone charge"


def test_a_broken_factor_table_is_a_problem_of_the_run_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = EXAMPLES / "factors" / "broken" / "factors.yaml"
    monkeypatch.setattr(
        "generator.site.pipeline.read_factors", lambda: read_factors(broken, "factors.yaml")
    )
    project = make_project(tmp_path, {"a.yaml": card_yaml("a", energy=0.001)})
    read = read_project(Project(project))
    assert read.factors == ()
    codes = sorted((p.location.line, p.code) for p in read.report.errors)
    assert codes == [(4, "not-one-of"), (5, "wrong-type"), (11, "unknown-key"), (12, "missing-key")]


def test_rating_reference_round_trip(tmp_path: Path) -> None:
    shipped = (REPO_ROOT / "ratings" / "reference.yaml").read_text("utf-8")
    reference, problems = read_rating_reference(REPO_ROOT)
    assert problems == [] and reference is not None
    assert reference_yaml(reference) == shipped  # the writer writes what the reader read
    cards = [
        Card.model_validate(
            {
                "id": card_id,
                "name": card_id,
                "organization": "Org",
                "task": "text-generation",
                "parameter_count": 7_000_000_000,
                "sources": {"s": {"title": "T", "url": "https://example.org", "year": 2024}},
            }
        )
        for card_id in ("a", "b")
    ]
    built = build_reference("2026-01-01", [(cards[0], 0.01), (cards[1], 0.1)])
    (tmp_path / "ratings").mkdir()
    (tmp_path / "ratings" / "reference.yaml").write_text(reference_yaml(built), "utf-8")
    again, problems = read_rating_reference(tmp_path)
    assert problems == [] and again == built
    assert SIZE_CLASS_NOTE in again.method


def test_measurement_sidecar_round_trip() -> None:
    for path in sorted((REPO_ROOT / "measurements").glob("*/measurement.json")):
        sidecar, problems = read_sidecar(path.parent, "m")
        assert problems == [] and sidecar is not None
        assert sidecar_json(sidecar) == path.read_text("utf-8"), path
    written = MeasurementSidecar(
        card="m",
        queries_per_run=10,
        versions=Versions(energy_cards="1.0"),
        runs=(SidecarRun(run_id="r1", queries=10, command=("python", "w.py")),),
    )
    text = sidecar_json(written)
    assert json.loads(text)["versions"]["energy-cards"] == "1.0"  # the file's own key name
    assert parse_sidecar_text(text, "m/measurement.json") == (written, [])


def test_a_hand_written_sidecar_may_say_only_what_it_knows() -> None:
    sidecar, problems = parse_sidecar_text('{"codecarbon": {"cpu_method": "RAPL"}}', "m")
    assert problems == [] and sidecar is not None
    assert sidecar.codecarbon.cpu_method == "RAPL" and sidecar.runs == ()


def test_nvml_energy_writer_columns_are_what_the_reader_reads() -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(NVML_ENERGY_HEADER)
    for timestamp, energy_mj in ((0.0, 1000.0), (1.0, 3_601_000.0)):
        row = NvmlEnergyRow(
            timestamp=timestamp, run="r1", index="0", total_energy_mj=energy_mj, power_w=250.0
        )
        writer.writerow(nvml_energy_cells(row))
    assert is_nvml_energy_header(list(NVML_ENERGY_HEADER))
    parsed, problems = parse_nvml_energy_text(buffer.getvalue(), "nvml_energy.csv")
    assert problems == []
    assert [(run.name, run.energy_kwh, run.duration_s) for run in parsed.runs] == [
        ("r1", pytest.approx(0.001), 1.0)
    ]
    assert parsed.power_log is not None


def test_open_data_row_has_the_columns_of_the_format_in_order() -> None:
    card = Card.model_validate(
        {
            "id": "m",
            "name": "M",
            "organization": "Org",
            "task": "text-classification",
            "sources": {"s": {"title": "T", "url": "https://example.org", "year": 2024}},
        }
    )
    assert list(card_row(summarize_card(card))) == list(OpenDataRow.model_fields)
    assert [key for key, _ in COLUMNS] == list(OpenDataRow.model_fields)
    assert all(description for _, description in COLUMNS)
