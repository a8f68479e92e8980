"""`generator.load.files`: every reader opens regular files only, within a size limit."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner

from generator.cli import main
from generator.load import files
from generator.load.cards import read_card_file
from generator.load.measurement_files import read_measurement_file
from tests.conftest import card_yaml, make_project


def _summary(problems) -> list[tuple[str, str, str]]:
    return [(str(p.location), p.code, p.message) for p in problems]


def test_a_card_over_one_mebibyte_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(card_yaml("big") + "notes: " + "x" * (1 << 20) + "\n", encoding="utf-8")
    card_file, problems = read_card_file(path, tmp_path)
    assert card_file.data is None
    assert _summary(problems) == [
        ("big.yaml", "file-too-large", "expected a file of at most 1.0 MiB, got 1.0 MiB")
    ]


def test_a_sparse_two_gigabyte_measurement_file_is_refused_without_reading_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "emissions.csv"
    with path.open("wb") as handle:
        handle.truncate(2 << 30)  # sparse: no disk used, and no byte of it is read
    data, problems = read_measurement_file(path, "emissions.csv")
    assert data is None
    assert _summary(problems) == [
        (
            "emissions.csv",
            "file-too-large",
            "expected a file of at most 128.0 MiB, got 2,048.0 MiB",
        )
    ]
    assert problems[0].hint == "split it (one file per run) or keep only the rows the card needs"


def test_the_limit_is_exact(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(b"a" * 10)
    assert files.read_limited_bytes(path, "f.txt", 10) == (b"a" * 10, [])
    raw, problems = files.read_limited_bytes(path, "f.txt", 9)
    assert raw is None
    assert _summary(problems) == [
        ("f.txt", "file-too-large", "expected a file of at most 9 bytes, got 10 bytes")
    ]


def test_a_fifo_card_is_reported_not_waited_on(tmp_path: Path) -> None:
    """A FIFO named like a card used to hang validate forever (nothing writes to it)."""
    project = make_project(tmp_path, {"ok.yaml": card_yaml("ok")})
    os.mkfifo(project / "cards" / "pipe.yaml")
    result = CliRunner().invoke(main, ["validate", "--project", str(project)])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        "cards/pipe.yaml: error[unreadable-file] expected a regular file, got a named pipe (FIFO)"
    )


def test_a_card_that_is_not_utf8_keeps_its_message(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes("name: Québec\n".encode("latin-1"))
    _, problems = read_card_file(path, tmp_path)
    assert _summary(problems) == [
        ("latin.yaml", "bad-encoding", "expected UTF-8 text, got invalid continuation byte")
    ]
