"""The GitHub workflows and pre-commit hooks: valid files, and the commands they run exist."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main
from tests.conftest import REPO_ROOT

WORKFLOWS = sorted((REPO_ROOT / ".github" / "workflows").glob("*.yml"))


def _commands(text: str) -> list[list[str]]:
    """Every `energy-cards ...` invocation in shell lines (split on && and pipes)."""
    found = []
    for line in text.splitlines():
        for part in re.split(r"&&|\|\||\||>", line):
            words = shlex.split(part.replace("${{", "").replace("}}", ""), posix=True)
            for index, word in enumerate(words):
                if word.endswith("energy-cards"):
                    found.append(words[index + 1 :])
    return found


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_is_valid_against_the_github_schema(path: Path) -> None:
    from check_jsonschema.cli import main as check_jsonschema

    with pytest.raises(SystemExit) as exit_info:
        check_jsonschema(["--builtin-schema", "vendor.github-workflows", str(path)])
    assert exit_info.value.code == 0


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_commands_exist(path: Path) -> None:
    workflow = yaml.safe_load(path.read_text("utf-8"))
    runs = "\n".join(
        step.get("run", "") for job in workflow["jobs"].values() for step in job.get("steps", [])
    )
    commands = _commands(runs)
    assert commands, "the workflow runs energy-cards"
    for args in commands:
        command = main.commands[args[0]]
        options = {opt for param in command.params for opt in getattr(param, "opts", [])}
        for word in args[1:]:
            if word.startswith("--"):
                assert word.split("=")[0] in options, f"{args[0]} has no option {word}"
    readme = (REPO_ROOT / "README.md").read_text("utf-8")
    assert "pip install -e" in runs and ("pytest" in runs or "build" in runs)
    assert "energy-cards build" in readme


def test_pull_request_workflow_does_what_the_issue_asks() -> None:
    text = (REPO_ROOT / ".github" / "workflows" / "pull-request.yml").read_text("utf-8")
    for needed in (
        "energy-cards validate --format github",
        "python -m pytest",
        "energy-cards build --strict",
        "energy-cards diff",
        "actions/upload-artifact",
    ):
        assert needed in text
    pages = (REPO_ROOT / ".github" / "workflows" / "pages.yml").read_text("utf-8")
    assert "actions/deploy-pages" in pages and "branches: [main]" in pages


def test_the_validate_command_the_workflows_run_succeeds_on_the_shipped_cards(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(REPO_ROOT)
    result = CliRunner().invoke(main, ["validate", "--format", "github"])
    assert result.exit_code == 0, result.output
    assert result.output == ""  # no problems: no annotations


def test_pre_commit_hooks() -> None:
    hooks = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    (hook,) = hooks
    assert hook["id"] == "energy-cards-validate"
    assert hook["language"] == "python"
    assert re.search(hook["files"], "cards/llama-3-70b.yaml")
    assert re.search(hook["files"], "measurements/x/emissions.csv")
    assert not re.search(hook["files"], "generator/cli.py")
    args = shlex.split(hook["entry"])
    assert args[0] == "energy-cards" and args[1] in main.commands
    config = yaml.safe_load((REPO_ROOT / ".pre-commit-config.yaml").read_text("utf-8"))
    local = {h["id"]: h for repo in config["repos"] for h in repo["hooks"]}
    assert {"ruff", "ruff-format", "energy-cards-validate", "card-schema"} <= set(local)
    for hook in local.values():
        words = shlex.split(hook["entry"])
        if words[0] == "energy-cards":
            assert words[1] in main.commands
