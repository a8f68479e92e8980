"""Shared fixtures: temporary projects laid out like the repository."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property tests (tests/test_properties.py) run a fixed set of examples so CI is fast and
# repeatable: a fixed seed, 40 examples a test, no database. HYPOTHESIS_PROFILE=dev explores more.
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    max_examples=150,  # ~10 s for tests/test_properties.py on 2 cores
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("dev", settings.get_profile("ci"), derandomize=False, max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty project (mkdocs.yml and an empty cards/) for commands that write cards."""
    shutil.copy(REPO_ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    (tmp_path / "cards").mkdir()
    return tmp_path


def make_project(root: Path, cards: dict[str, str] | None = None) -> Path:
    """A project folder with the repository's mkdocs.yml and site_src/, and the given cards."""
    shutil.copy(REPO_ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO_ROOT / "site_src", root / "site_src")
    (root / "cards").mkdir()
    for name, text in (cards or {}).items():
        (root / "cards" / name).write_text(text, encoding="utf-8")
    return root


# How a person fills the `energy-cards new` template: numbers bare, text quoted.
TEMPLATE_FILLS = {
    "<Model name as its publisher writes it>": "My Model 7B",
    "<Who released the model>": "Example Lab",
    "<YYYY-MM-DD>": "2025-01-31",
    "<task>": "text-generation",
    "<number of parameters, e.g. 8000000000>": "7000000000",
    "<YYYY>": "2025",
    "<number>": "12000",
    "<number, tonnes CO2eq>": "3.5",
    "<number, kWh per 1,000 queries>": "0.05",
}
PLACEHOLDER_IN_VALUE = r'^[^#\n]*?"(<[^"]*>)"'


def fill_template(text: str) -> str:
    """Replace every placeholder value of a card template, as a contributor would."""
    import re

    for placeholder in re.findall(PLACEHOLDER_IN_VALUE, text, re.MULTILINE):
        if placeholder in TEMPLATE_FILLS:
            value = TEMPLATE_FILLS[placeholder]
        elif "https" in placeholder:
            value = '"https://example.org/my-model"'
        else:
            value = '"written by hand"'
        text = text.replace(f'"{placeholder}"', value, 1)
    return text


MINIMAL_CARD = """\
id: {id}
name: {name}
organization: Example Lab
task: text-classification
sources:
  paper: {{title: "Example paper", url: "https://example.org/paper", year: 2024}}
inference:
  conditions: {{hardware: "{hardware}", scope: gpu, includes_pue: false}}
  energy_kwh_per_1000_queries: {{value: {energy}, provenance: measured, source: paper, where: "Table 2"}}
"""


def card_yaml(
    card_id: str, name: str | None = None, energy: float = 0.002, hardware: str = "NVIDIA A100"
) -> str:
    """A small valid card with a reported inference figure (tests count on its line numbers)."""
    return MINIMAL_CARD.format(id=card_id, name=name or card_id, energy=energy, hardware=hardware)


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
