"""Docs stay honest: commands, problem codes and card fields are all documented."""

from __future__ import annotations

import re

from pydantic import BaseModel

from generator.cli import main
from generator.formats import card as schema
from generator.problems import PROBLEM_CODES
from tests.conftest import REPO_ROOT


def test_every_cli_command_is_in_the_readme() -> None:
    readme = (REPO_ROOT / "README.md").read_text("utf-8")
    for name in main.commands:
        assert f"energy-cards {name}" in readme, name


def test_every_problem_code_is_documented_on_the_contributing_page() -> None:
    page = (REPO_ROOT / "site_src" / "contributing.md").read_text("utf-8")
    documented = set(re.findall(r"^\| `([a-z-]+)` \|", page, re.MULTILINE))
    assert documented == set(PROBLEM_CODES)


def test_every_problem_code_is_used_by_the_code() -> None:
    sources = "".join(p.read_text("utf-8") for p in (REPO_ROOT / "generator").rglob("*.py"))
    for code in PROBLEM_CODES:
        uses = sources.count(f'"{code}"')
        assert uses >= 2, f"{code} is declared but never reported"


def test_every_card_field_and_model_is_described() -> None:
    models = [m for m in vars(schema).values() if isinstance(m, type) and issubclass(m, BaseModel)]
    for model in models:
        if model is BaseModel or model.__name__.startswith("_"):
            continue
        assert model.__doc__, model.__name__
        for name, info in model.model_fields.items():
            assert info.description, f"{model.__name__}.{name} has no description"


def test_readme_quick_start_is_two_commands_and_ci_runs_the_test_one() -> None:
    readme = (REPO_ROOT / "README.md").read_text("utf-8")
    quick_start = readme.split("## Quick start")[1].split("\n## ")[0]
    commands = re.findall(r"```sh\n(.+?)\n```", quick_start)
    assert len(commands) == 2
    assert "energy-cards build" in commands[0]
    assert "pytest" in commands[1]
    assert commands[1] in (REPO_ROOT / ".ci" / "run").read_text("utf-8")
