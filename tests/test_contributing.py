"""The contributing page, followed as a newcomer would: new -> fill -> validate -> serve."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from tests.conftest import REPO_ROOT, fill_template
from tests.test_serve import _free_port, _wait_for

PAGE = (REPO_ROOT / "site_src" / "contributing.md").read_text("utf-8")


def _page_commands() -> list[list[str]]:
    blocks = re.findall(r"```sh\n(.*?)```", PAGE, re.DOTALL)
    return [
        shlex.split(line)[1:]
        for block in blocks
        for line in block.splitlines()
        if line.startswith("energy-cards ")
    ]


def test_every_command_on_the_page_exists_with_its_options() -> None:
    commands = _page_commands()
    assert [c[0] for c in commands] == ["new", "import-hf", "measure", "validate", "serve"]
    for args in commands:
        command = main.commands[args[0]]
        options = {opt for param in command.params for opt in getattr(param, "opts", [])}
        assert all(w in options for w in args[1:] if w.startswith("--") and w != "--"), args


def test_a_newcomer_adds_a_card_that_validates_and_appears_in_the_preview(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    clone.mkdir()
    for name in ("cards", "measurements", "ratings", "site_src"):
        shutil.copytree(REPO_ROOT / name, clone / name)
    shutil.copy(REPO_ROOT / "mkdocs.yml", clone / "mkdocs.yml")
    run = CliRunner()

    new, _, _, validate, _ = _page_commands()
    result = run.invoke(main, [*new, "--project", str(clone)])
    assert result.exit_code == 0, result.output
    card = clone / "cards" / "my-model-7b.yaml"
    card.write_text(fill_template(card.read_text("utf-8")), "utf-8")

    checked = run.invoke(main, [validate[0], str(card), "--project", str(clone)])
    assert checked.exit_code == 0, checked.output
    assert checked.output.endswith("0 errors, 0 warnings in 1 card and 0 measurement files\n")

    port = _free_port()
    serve = [sys.executable, "-m", "generator", "serve", "--project", str(clone)]
    with (tmp_path / "serve.log").open("w") as log:
        process = subprocess.Popen([*serve, "--port", str(port)], stdout=log, stderr=log)
        try:
            page = _wait_for(
                f"http://127.0.0.1:{port}/cards/my-model-7b/", lambda html: "My Model 7B" in html
            )
            assert "Example Lab" in page
            assert re.search(r"50(\s|&nbsp;|\u00a0)Wh", page), "0.05 kWh reads as 50 Wh"
        finally:
            process.terminate()
            process.wait(timeout=10)


README = (REPO_ROOT / "README.md").read_text("utf-8")
VENV_COMMAND = REPO_ROOT / ".venv" / "bin" / "energy-cards"


def _adding_a_card_block() -> str:
    section = README.split("\n## Adding a card\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", section, re.DOTALL)[0]


def test_readme_adding_a_card_names_the_chromium_step_by_the_test_command() -> None:
    block = _adding_a_card_block()
    assert all(
        line.startswith((".venv/bin/energy-cards ", "${EDITOR")) for line in block.splitlines()
    )
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    after_tests = quick_start.split("pytest\n```", 1)[1]
    assert "`apt-get install -y chromium`" in after_tests
    assert "skip locally" in after_tests and "under CI" in after_tests


@pytest.mark.skipif(not VENV_COMMAND.exists(), reason="needs the README's install (.venv/)")
def test_readme_adding_a_card_block_works_pasted_into_a_fresh_shell(tmp_path: Path) -> None:
    """The block runs unchanged in bash (no virtual environment active, $EDITOR a script that
    fills the template as a person would) in a clone; only serve gets a free --port."""
    clone = tmp_path / "clone"
    clone.mkdir()
    for name in ("cards", "measurements", "ratings", "site_src"):
        shutil.copytree(REPO_ROOT / name, clone / name)
    shutil.copy(REPO_ROOT / "mkdocs.yml", clone / "mkdocs.yml")
    (clone / ".venv").symlink_to(REPO_ROOT / ".venv")
    editor = tmp_path / "editor"
    editor.write_text(
        f"#!{sys.executable}\nimport sys\nfrom pathlib import Path\n"
        f"sys.path.insert(0, {str(REPO_ROOT)!r})\nfrom tests.conftest import fill_template\n"
        "card = Path(sys.argv[1])\ncard.write_text(fill_template(card.read_text('utf-8')), 'utf-8')\n",
        "utf-8",
    )
    editor.chmod(0o755)
    block = _adding_a_card_block()
    port = _free_port()
    script = block.replace("energy-cards serve ", f"energy-cards serve --port {port} ")
    assert script.count(f"--port {port}") == 1
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path), "EDITOR": str(editor)}
    log_path = tmp_path / "shell.log"
    with log_path.open("w") as log:
        shell = subprocess.Popen(
            ["bash", "-euc", script], cwd=clone, env=env, stdout=log, stderr=log,
            start_new_session=True,
        )  # fmt: skip
        try:
            _wait_while_running(shell, f"http://127.0.0.1:{port}/cards/my-model-7b/", log_path)
        finally:
            os.killpg(shell.pid, signal.SIGTERM)
            shell.wait(timeout=10)
    output = log_path.read_text("utf-8")
    assert "wrote cards/my-model-7b.yaml" in output
    assert "0 errors, 0 warnings in 1 card and 0 measurement files" in output


def _wait_while_running(shell: subprocess.Popen, url: str, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert shell.poll() is None, log_path.read_text("utf-8")  # a command of the block failed
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if "My Model 7B" in response.read().decode("utf-8"):
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} never showed the card:\n{log_path.read_text('utf-8')}")
