"""The site engine (generator/site/engine.py): MkDocs runs leave the process as they found it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.site.engine import BANNER_VARIABLE, MkDocsEngine, quiet_material_banner
from tests.conftest import REPO_ROOT


def test_importing_the_cli_and_the_engine_sets_no_environment_variable() -> None:
    env = {key: value for key, value in os.environ.items() if key != BANNER_VARIABLE}
    code = (
        "import os, generator.cli, generator.site.engine;"
        f" print(os.environ.get({BANNER_VARIABLE!r}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "None"


@pytest.mark.parametrize("previous", [None, "0"], ids=["unset", "set"])
def test_the_banner_variable_is_set_only_while_the_engine_runs(
    previous: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if previous is None:
        monkeypatch.delenv(BANNER_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(BANNER_VARIABLE, previous)
    with pytest.raises(RuntimeError), quiet_material_banner():
        assert os.environ[BANNER_VARIABLE] == "1"
        raise RuntimeError("the engine failed")
    assert os.environ.get(BANNER_VARIABLE) == previous


def test_a_material_build_restores_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(BANNER_VARIABLE, raising=False)
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: t\ntheme:\n  name: material\n  font: false\n", "utf-8")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Hello\n", "utf-8")
    problems = MkDocsEngine().build(config, docs, tmp_path / "site", strict=True)
    assert problems == []
    assert (tmp_path / "site" / "index.html").is_file()
    assert BANNER_VARIABLE not in os.environ  # Material's own import-time setting undone too
