"""Property tests (issue 13): any text or bytes give a record or located problems, never a crash.

Every loader entry point and the `validate` and `inspect` commands are fed real files with a
few mutations (characters inserted, deleted or replaced; numbers made huge, -0 or NaN; lines and
fields duplicated; CR-only line ends; NUL bytes; long fields; odd YAML tags, anchors, aliases),
and now and then plain random text or bytes. The settings profile is in conftest.py.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from generator.check.cards import validate_card_data
from generator.cli import main
from generator.formats.card import MeasurementFormat
from generator.load.cards import CardFile, parse_card_text, read_card_file
from generator.load.codecarbon import parse_codecarbon_text
from generator.load.energy_counters import parse_nvml_energy_text, parse_zeus_text
from generator.load.factors import FACTORS_PATH, read_factors
from generator.load.grid import GridData, read_grid_data
from generator.load.hf_model_card import draft_card, read_model_card
from generator.load.measurement_files import parse_sidecar_text, read_measurement_file
from generator.load.nvidia_smi import parse_nvidia_smi_bytes
from generator.load.ratings import read_rating_reference
from generator.problems import PROBLEM_CODES, Problem, Severity

REPO = Path(__file__).resolve().parent.parent
# A failing example with a 70,000-character field is long to print; that is fine.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")


def _texts(*patterns: str) -> list[str]:
    paths = sorted(p for pattern in patterns for p in REPO.glob(pattern) if p.is_file())
    return [p.read_bytes().decode("utf-8", errors="replace") for p in paths]


CARDS = _texts("cards/*.yaml")
CODECARBON = _texts("tests/data/codecarbon/*.csv", "measurements/*/emissions.csv")
NVIDIA_SMI = _texts("tests/data/nvidia_smi/*.csv")
NVML = [
    "timestamp,run,index,total_energy_mj,power_w\n100.0,a,0,1000000,200\n110.0,a,0,4600000,200\n"
    "100.5,a,1,2000,150\n111.0,a,1,900000,150\n120.0,b,0,4600000,210\n130.0,b,0,9000000,210\n"
]
ZEUS = [
    "start_time,window_name,elapsed_time,gpu0_energy,gpu1_energy\n"
    "1700000000.0,warmup,1.5,120.5,98.25\n1700000010.0,run-1,12.0,4000,3900.5\n"
]
SIDECARS = _texts("measurements/*/measurement.json")
FACTORS = _texts("generator/data/factors.yaml")
RATINGS = _texts("ratings/reference.yaml")
HF_CARDS = _texts("tests/data/hf_cards/*.md")
MEASUREMENTS = CODECARBON + NVIDIA_SMI + NVML + ZEUS

# What a mutation inserts: control characters, odd numbers, CSV and YAML syntax, long fields.
SPECIALS = [
    *("\x00", "\r", "\r\n", "\n", "\t", "\x1b", "\x7f", "\x85", "\ufeff", "\ufffe", "\u2028"),
    *("1e309", "-1e309", "-0", "-0.0", "NaN", "nan", "inf", "-inf", ".inf", "-.nan", "1e-320"),
    *("9" * 400, "x" * 70_000, "0x1F", "1_000", "١٢٣", "2024-13-01", "24:61:61"),
    *(",", ",,", '"', '","', "'", "[N/A]", " W", "power.draw [W]", "total_energy_mj"),
    *("!!python/object/apply:os.system [ls]", "!!python/object:os.system ", "!!binary aGk="),
    *("!!set {a}", "!!omap [a: 1]", "!custom ", "!!str ", "!!int ", "!!float ", "!!timestamp "),
    *("&a ", "*a", "<<: *a", "? ", "- ", ": ", "{", "}", "[", "]", "#", "~", "%YAML 1.1\n"),
    *("---\n", "...\n", "\n  - x\n", "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n"),
    *("id: x\nid: y\n", "null", "true", "yes", "{a: 1, a: 2}", "\\", "%", "{{ x }}", "<x>"),
]
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_NUMBERS = ["1e309", "-1e309", "-0", "NaN", "inf", "1e308", "9" * 400, "-5", "1e-320", "0"]


def _position(draw: Any, text: str) -> int:
    return draw(st.integers(0, len(text)))


def _insert(draw: Any, text: str) -> str:
    at = _position(draw, text)
    payload = draw(st.one_of(st.sampled_from(SPECIALS), st.text(max_size=12)))
    return text[:at] + payload + text[at:]


def _delete(draw: Any, text: str) -> str:
    at = _position(draw, text)
    return text[:at] + text[at + draw(st.integers(1, 40)) :]


def _replace_number(draw: Any, text: str) -> str:
    found = list(_NUMBER.finditer(text))
    if not found:
        return text
    match = found[draw(st.integers(0, len(found) - 1))]
    return text[: match.start()] + draw(st.sampled_from(_NUMBERS)) + text[match.end() :]


def _replace_numbers(draw: Any, text: str) -> str:
    """Every k-th number (from a random one on) becomes the same odd number."""
    found = list(_NUMBER.finditer(text))[draw(st.integers(0, 20)) :: draw(st.integers(1, 8))]
    odd = draw(st.sampled_from(_NUMBERS))
    for match in reversed(found):
        text = text[: match.start()] + odd + text[match.end() :]
    return text


def _duplicate_line(draw: Any, text: str) -> str:
    lines = text.splitlines(keepends=True)
    if not lines:
        return text
    at = draw(st.integers(0, len(lines) - 1))
    return "".join(lines[: at + 1] + lines[at:])


def _duplicate_field(draw: Any, text: str) -> str:
    lines = text.split("\n")
    at = draw(st.integers(0, min(len(lines) - 1, 3)))  # usually the header
    cells = lines[at].split(",")
    cell = draw(st.integers(0, len(cells) - 1))
    lines[at] = ",".join(cells[: cell + 1] + cells[cell:])
    return "\n".join(lines)


def _line_ends(draw: Any, text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", draw(st.sampled_from(["\r", "\r\n"])))


def _truncate(draw: Any, text: str) -> str:
    return text[: _position(draw, text)]


MUTATIONS = [_insert, _delete, _replace_number, _duplicate_line, _duplicate_field, _line_ends]
MUTATIONS += [
    _insert,
    _replace_number,
    _replace_numbers,
    _truncate,
]  # the likeliest to find something


@st.composite
def mutated_text(draw: Any, seeds: list[str]) -> str:
    """A real file with up to three mutations; one time in eight, arbitrary text."""
    if draw(st.integers(0, 7)) == 0:
        return draw(st.text(max_size=300))
    text = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(1, 3))):
        text = draw(st.sampled_from(MUTATIONS))(draw, text)
    return text


@st.composite
def mutated_bytes(draw: Any, seeds: list[str]) -> bytes:
    """Mutated text as UTF-8 (sometimes UTF-16, or with stray bytes); now and then any bytes."""
    choice = draw(st.integers(0, 15))
    if choice == 0:
        return draw(st.binary(max_size=300))
    raw = draw(mutated_text(seeds)).encode("utf-8", errors="surrogatepass")
    if choice == 1:
        return raw.decode("utf-8", errors="replace").encode("utf-16")
    if choice == 2:
        at = draw(st.integers(0, len(raw)))
        stray = draw(
            st.sampled_from([b"\xff", b"\xc3", b"\xef\xbb\xbf", b"\x00" * 3, b"\xed\xa0\x80"])
        )
        return raw[:at] + stray + raw[at:]
    return raw


# Checking what a loader gives.


def _numbers(value: Any) -> Iterator[float]:
    """Every float inside a record (dataclasses, pydantic models, containers, numpy arrays)."""
    if isinstance(value, float):
        yield value
    elif isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            yield from value.ravel().tolist()
    elif isinstance(value, BaseModel):
        yield from _numbers(value.model_dump())
    elif dataclasses.is_dataclass(value) and not isinstance(value, type | CardFile):
        for item in dataclasses.fields(value):
            yield from _numbers(getattr(value, item.name))
    elif isinstance(value, dict):
        for item in value.values():
            yield from _numbers(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _numbers(item)


def check_outcome(record: Any, problems: list[Problem], *paths: str) -> None:
    """Problems are known and located in the file given; a clean record holds finite numbers."""
    assert isinstance(problems, list)
    for problem in problems:
        assert isinstance(problem, Problem), problem
        assert problem.code in PROBLEM_CODES, problem
        assert problem.location.path in paths, problem
        assert problem.location.line >= 0 and problem.location.column >= 0, problem
        assert isinstance(problem.severity, Severity) and problem.message, problem
    if not any(p.severity is Severity.ERROR for p in problems) and record is not None:
        assert all(math.isfinite(n) for n in _numbers(record)), record


class Grid:
    """The grid table, read once; shown short with a failing example (it is long)."""

    def __init__(self, data: GridData) -> None:
        self.data = data

    def __repr__(self) -> str:
        return "Grid(read_grid_data())"


@pytest.fixture(scope="module")
def grid() -> Grid:
    return Grid(read_grid_data())


# Loaders.


@given(raw=mutated_bytes(CARDS))
def test_card_reader_and_check_stage(grid: Grid, raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cards" / "my-card.yaml"
        path.parent.mkdir()
        path.write_bytes(raw)
        card_file, problems = read_card_file(path, Path(folder))
    assert card_file.display_path == "cards/my-card.yaml"
    check_outcome(None, problems, "cards/my-card.yaml")
    if card_file.data is not None:
        card, more = validate_card_data(card_file, grid.data)
        check_outcome(card, more, "cards/my-card.yaml")
        assert card is not None or any(p.severity is Severity.ERROR for p in more)


@given(text=mutated_text(CARDS))
def test_card_text_parser(grid: Grid, text: str) -> None:
    card_file, problems = parse_card_text(text, Path("x.yaml"), "cards/x.yaml")
    check_outcome(None, problems, "cards/x.yaml")
    assert card_file.data is not None or any(p.severity is Severity.ERROR for p in problems)
    if card_file.data is not None:
        card, more = validate_card_data(card_file, grid.data)
        check_outcome(card, more, "cards/x.yaml")


@given(text=mutated_text(CODECARBON))
def test_codecarbon_parser(text: str) -> None:
    parsed, problems = parse_codecarbon_text(text, "m/emissions.csv")
    check_outcome(parsed, problems, "m/emissions.csv")


@given(raw=mutated_bytes(NVIDIA_SMI))
def test_nvidia_smi_parser(raw: bytes) -> None:
    samples, problems = parse_nvidia_smi_bytes(raw, "m/power.csv")
    check_outcome(samples, problems, "m/power.csv")
    assert samples is not None or any(p.severity is Severity.ERROR for p in problems)


@given(text=mutated_text(NVML + ZEUS))
def test_energy_counter_parsers(text: str) -> None:
    for parse in (parse_nvml_energy_text, parse_zeus_text):
        parsed, problems = parse(text, "m/counters.csv")
        check_outcome(parsed, problems, "m/counters.csv")
        assert parsed is not None or any(p.severity is Severity.ERROR for p in problems)


@given(
    raw=mutated_bytes(MEASUREMENTS),
    declared=st.sampled_from(list(MeasurementFormat)),
    sidecar=st.one_of(st.none(), mutated_text(SIDECARS)),
)
def test_measurement_file_reader(raw: bytes, declared: MeasurementFormat, sidecar: str | None):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.csv"
        path.write_bytes(raw)
        if sidecar is not None:
            (Path(folder) / "measurement.json").write_text(sidecar, "utf-8", "surrogatepass")
        data, problems = read_measurement_file(path, "m/data.csv", declared)
    check_outcome(data, problems, "m/data.csv", "m/measurement.json")
    assert data is not None or any(p.severity is Severity.ERROR for p in problems)


@given(text=mutated_text(SIDECARS))
def test_sidecar_parser(text: str) -> None:
    sidecar, problems = parse_sidecar_text(text, "m/measurement.json")
    check_outcome(sidecar, problems, "m/measurement.json")
    assert sidecar is not None or any(p.severity is Severity.ERROR for p in problems)


@given(raw=mutated_bytes(FACTORS))
def test_factor_table_reader(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / FACTORS_PATH.name
        path.write_bytes(raw)
        factors, problems = read_factors(path, "data/factors.yaml")
    check_outcome(factors, problems, "data/factors.yaml")
    assert factors or any(p.severity is Severity.ERROR for p in problems)


@given(raw=mutated_bytes(RATINGS))
def test_rating_reference_reader(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "ratings").mkdir()
        (Path(folder) / "ratings" / "reference.yaml").write_bytes(raw)
        reference, problems = read_rating_reference(Path(folder))
    check_outcome(reference, problems, "ratings/reference.yaml")
    assert reference is not None or any(p.severity is Severity.ERROR for p in problems)


@given(
    raw=mutated_bytes(HF_CARDS),
    card_id=st.sampled_from([None, "my-model", "x" * 300]),
    repo_id=st.sampled_from([None, "org/model", "a/b"]),
)
def test_hf_model_card_reader_and_draft(raw: bytes, card_id: str | None, repo_id: str | None):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "README.md"
        path.write_bytes(raw)
        card, problems = read_model_card(path, "hf/README.md")
    check_outcome(None, problems, "hf/README.md")
    assert card is not None or any(p.severity is Severity.ERROR for p in problems)
    if card is not None:
        draft, more = draft_card(card, card_id, repo_id)
        check_outcome(draft, more, "hf/README.md")
        json.dumps(draft, allow_nan=False)  # the draft is written out as YAML: plain data


# The CLI.


_CARD_ID = re.compile(rb"^id: *([a-z0-9-]{1,80}) *$", re.MULTILINE)


@given(
    raw=mutated_bytes(CARDS),
    reference=st.one_of(st.none(), mutated_bytes(RATINGS)),
    output_format=st.sampled_from(["text", "json", "github"]),
)
def test_cli_validate(raw: bytes, reference: bytes | None, output_format: str) -> None:
    """One card named after its id (so it can pass the gate and be computed), with the
    repository's measurements and, sometimes, a mutated rating reference."""
    found = _CARD_ID.search(raw)
    name = found.group(1).decode() if found else "my-card"
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        shutil.copytree(REPO / "measurements", root / "measurements")
        (root / "cards").mkdir()
        (root / "cards" / f"{name}.yaml").write_bytes(raw)
        if reference is not None:
            (root / "ratings").mkdir()
            (root / "ratings" / "reference.yaml").write_bytes(reference)
        arguments = ["validate", "--format", output_format, "--project", folder]
        result = CliRunner().invoke(main, arguments)
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    if output_format == "json":
        json.loads(result.output, parse_constant=pytest.fail)


@given(
    raw=mutated_bytes(MEASUREMENTS),
    output_format=st.sampled_from(["text", "json"]),
    declared=st.sampled_from(["auto", "codecarbon", "nvidia-smi", "nvml-energy", "zeus"]),
)
def test_cli_inspect(raw: bytes, output_format: str, declared: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.csv"
        path.write_bytes(raw)
        arguments = ["inspect", str(path), "--format", output_format, "--as", declared]
        result = CliRunner().invoke(main, arguments)
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    if output_format == "json":
        document = json.loads(result.output, parse_constant=pytest.fail)  # no NaN, no Infinity
        assert document["file"] == str(path)


# Crashes these properties found, kept as plain tests of the exact input.


def test_a_400_digit_power_reading_is_a_bad_number_not_an_overflow() -> None:
    raw = b"timestamp, index, power.draw [W]\n2024/10/30 18:42:30.000, 0, " + b"9" * 400 + b" W\n"
    _, problems = parse_nvidia_smi_bytes(raw, "power.csv")  # was an OverflowError
    assert [(p.location.line, p.code) for p in problems] == [
        (0, "not-a-power-log"),
        (2, "bad-number"),
    ]
