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
