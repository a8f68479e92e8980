"""Example-file tests for `energy-cards validate`: adding a case means adding a folder.

Each case is a small project under `tests/examples/`:

- `valid/<case>/cards/*.yaml`: must validate with no problems, also with `--strict`.
- `invalid/<case>/cards/*.yaml` with `expected.txt` (the exact text report), `exit_code`, and
  `strict_exit_code` where `--strict` changes the outcome (warnings only).

Modelled on check-jsonschema's `tests/acceptance/test_example_files.py`. Validation never
writes, so the tests run straight on the example folders and check that they stay untouched.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.check.gather import gather_cards
from generator.cli import main
from generator.formats.card import Card, Links, Training
from generator.project import Project

EXAMPLES = Path(__file__).parent / "examples"


def _cases(kind: str) -> list[Path]:
    return sorted(path for path in (EXAMPLES / kind).iterdir() if path.is_dir())


VALID_CASES = _cases("valid")
INVALID_CASES = _cases("invalid")
STRICT_CASES = [case for case in INVALID_CASES if (case / "strict_exit_code").exists()]

# One problem per line: where (path[:line[:col]]), severity and code, in each format.
TEXT_PROBLEM = re.compile(
    r"^(?P<path>cards/[^:]*)(?::(?P<line>\d+))?(?::(?P<column>\d+))?: "
    r"(?P<severity>error|warning)\[(?P<code>[a-z-]+)\]"
)
GITHUB_PROBLEM = re.compile(
    r"^::(?P<severity>error|warning) file=(?P<path>[^,]*)(?:,line=(?P<line>\d+))?"
    r"(?:,col=(?P<column>\d+))?,title=(?P<code>[a-z-]+)::"
)


def _ids(cases: list[Path]) -> list[str]:
    return [case.name for case in cases]


def _card_files(case_dir: Path) -> list[Path]:
    return [p for p in (case_dir / "cards").iterdir() if p.suffix in (".yaml", ".yml")]


def _snapshot() -> dict[str, tuple[int, int]]:
    return {
        path.relative_to(EXAMPLES).as_posix(): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in EXAMPLES.rglob("*")
    }


@pytest.fixture(autouse=True)
def _examples_stay_untouched():
    """Validation must not write: no file in the example folders is added or changed."""
    before = _snapshot()
    yield
    assert _snapshot() == before, "a test wrote into tests/examples/"


def _invoke(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback is a defect, never an expected outcome
    return result


def _validate(case_dir: Path, *options: str) -> Result:
    result = _invoke("validate", "--project", str(case_dir), *options)
    assert result.stderr == ""
    return result


def _expected(case_dir: Path) -> str:
    path = case_dir / "expected.txt"
    assert path.is_file(), f"{case_dir.name}: add expected.txt (the text report)"
    return path.read_text(encoding="utf-8")


def _exit_code(case_dir: Path, name: str = "exit_code") -> int:
    path = case_dir / name
    assert path.is_file(), f"{case_dir.name}: add {name}"
    return int(path.read_text(encoding="utf-8"))


def _problem_tuples(lines: list[str], pattern: re.Pattern[str]) -> list[tuple]:
    found = []
    for line in lines:
        match = pattern.match(line)
        assert match, f"not a problem line: {line!r}"
        found.append(
            (
                match["path"],
                int(match["line"] or 0),
                int(match["column"] or 0),
                match["severity"],
                match["code"],
            )
        )
    return found


def _text_problems(text: str) -> list[tuple]:
    lines = [line for line in text.splitlines() if line.startswith("cards/")]
    return _problem_tuples(lines, TEXT_PROBLEM)


# Valid cases ------------------------------------------------------------------------------


@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
@pytest.mark.parametrize("case_dir", VALID_CASES, ids=_ids(VALID_CASES))
def test_valid_example(case_dir: Path, strict: bool) -> None:
    options = ["--strict"] if strict else []
    cards = len(_card_files(case_dir))

    result = _validate(case_dir, *options)
    assert result.exit_code == 0, result.stdout
    plural = "card" if cards == 1 else "cards"
    assert result.stdout.startswith(f"0 errors, 0 warnings in {cards} {plural} and ")
    assert result.stdout.count("\n") == 1  # the summary line only

    report = json.loads(_validate(case_dir, "--format", "json", *options).stdout)
    assert report["problems"] == []
    assert report["cards_checked"] == cards  # every file was picked up, .yml included


def test_full_training_example_sets_every_field() -> None:
    """The full training card keeps covering the format as it grows."""
    (loaded,) = gather_cards(Project(EXAMPLES / "valid" / "full-training")).cards
    card = loaded.card
    assert set(Card.model_fields) - card.model_fields_set == {"inference"}
    assert card.training is not None and card.links is not None
    assert card.training.model_fields_set == set(Training.model_fields)
    assert card.links.model_fields_set == set(Links.model_fields)
    assert card.training.gpu_hours is not None and card.training.gpu_hours.conflicts


def test_byte_level_examples_keep_their_bytes() -> None:
    """CRLF and BOM cases only test something if git kept their bytes (see .gitattributes)."""
    crlf = (EXAMPLES / "valid/crlf-line-endings/cards/crlf-line-endings.yaml").read_bytes()
    assert crlf.count(b"\r\n") == crlf.count(b"\n") > 1
    bom = (EXAMPLES / "valid/utf8-bom/cards/utf8-bom.yaml").read_bytes()
    assert bom.startswith(b"\xef\xbb\xbfid: ")
    latin1 = (EXAMPLES / "invalid/bad-encoding-latin1/cards/bad-encoding-latin1.yaml").read_bytes()
    assert b"Caf\xe9" in latin1  # not UTF-8: the case for `bad-encoding`


# Invalid cases ----------------------------------------------------------------------------


@pytest.mark.parametrize("case_dir", INVALID_CASES, ids=_ids(INVALID_CASES))
def test_invalid_example_text(case_dir: Path) -> None:
    result = _validate(case_dir)
    assert result.stdout == _expected(case_dir)
    assert result.exit_code == _exit_code(case_dir)


@pytest.mark.parametrize("case_dir", STRICT_CASES, ids=_ids(STRICT_CASES))
def test_invalid_example_strict(case_dir: Path) -> None:
    result = _validate(case_dir, "--strict")
    assert result.stdout == _expected(case_dir)
    assert result.exit_code == _exit_code(case_dir, "strict_exit_code")


@pytest.mark.parametrize("case_dir", INVALID_CASES, ids=_ids(INVALID_CASES))
def test_invalid_example_json(case_dir: Path) -> None:
    expected = _text_problems(_expected(case_dir))
    result = _validate(case_dir, "--format", "json")
    assert result.exit_code == _exit_code(case_dir)

    report = json.loads(result.stdout)
    problems = report["problems"]
    assert len(problems) == len(expected)
    assert report["errors"] + report["warnings"] == len(problems)
    found = [(p["path"], p["line"], p["column"], p["severity"], p["code"]) for p in problems]
    assert found == expected


@pytest.mark.parametrize("case_dir", INVALID_CASES, ids=_ids(INVALID_CASES))
def test_invalid_example_github(case_dir: Path) -> None:
    expected = _text_problems(_expected(case_dir))
    result = _validate(case_dir, "--format", "github")
    assert result.exit_code == _exit_code(case_dir)

    lines = result.stdout.splitlines()
    assert len(lines) == len(expected)  # one ::error / ::warning line per problem
    assert _problem_tuples(lines, GITHUB_PROBLEM) == expected


def test_placeholder_example_is_what_new_writes(tmp_path: Path) -> None:
    """The placeholder case is a card straight from `energy-cards new` (line 1, the schema
    comment, names a path relative to where the card was written)."""
    result = _invoke("new", "placeholder", "--project", str(tmp_path))
    assert result.exit_code == 0, result.output
    written = (tmp_path / "cards" / "placeholder.yaml").read_text(encoding="utf-8")
    example = EXAMPLES / "invalid" / "placeholder" / "cards" / "placeholder.yaml"
    assert example.read_text(encoding="utf-8").split("\n")[1:] == written.split("\n")[1:]


# Usage errors -----------------------------------------------------------------------------

USAGE_ERRORS = {
    "project-does-not-exist": lambda tmp: ["--project", str(tmp / "does-not-exist")],
    "path-does-not-exist": lambda tmp: ["--project", str(tmp), str(tmp / "nope.yaml")],
    "unknown-format": lambda tmp: ["--project", str(tmp), "--format", "xml"],
}


@pytest.mark.parametrize("name", USAGE_ERRORS)
def test_usage_error_exits_2(name: str, tmp_path: Path) -> None:
    result = _invoke("validate", *USAGE_ERRORS[name](tmp_path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Error: Invalid value for" in result.stderr
