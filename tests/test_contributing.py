"""The contributing page, followed as a newcomer would: new -> fill -> validate -> serve."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

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
            assert "Example Lab" in page and "0.05 kWh" in page
        finally:
            process.terminate()
            process.wait(timeout=10)
