"""Shared fixtures: temporary projects laid out like the repository."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


def make_project(root: Path, cards: dict[str, str] | None = None) -> Path:
    """A project folder with the repository's mkdocs.yml and site_src/, and the given cards."""
    shutil.copy(REPO_ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO_ROOT / "site_src", root / "site_src")
    (root / "cards").mkdir()
    for name, text in (cards or {}).items():
        (root / "cards" / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def shipped_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped cards built with --strict, as a newcomer would, in a copy of the repository."""
    from click.testing import CliRunner

    from generator.cli import main

    root = tmp_path_factory.mktemp("repo")
    for name in ("cards", "measurements", "ratings", "site_src"):
        if (REPO_ROOT / name).exists():
            shutil.copytree(REPO_ROOT / name, root / name)
    shutil.copy(REPO_ROOT / "mkdocs.yml", root / "mkdocs.yml")
    result = CliRunner().invoke(main, ["build", "--strict", "--project", str(root)])
    assert result.exit_code == 0, result.output
    return root / "site"
