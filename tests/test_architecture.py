"""The house keeps its shape: one-way imports between stages, few top-level modules, small files."""

from __future__ import annotations

from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "generator"
STAGES = ("formats", "load", "check", "compute", "render", "site", "commands")
MAX_MODULE_LINES = 400
MAX_TOP_LEVEL_MODULES = 6


def test_import_contracts_are_kept(capsys):
    """The layers, the commands' independence, and display and engine libraries kept in their
    stages (pyproject.toml [tool.importlinter])."""
    exit_code = lint_imports(
        config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True
    )
    output = capsys.readouterr().out
    assert "Contracts: 4 kept, 0 broken." in output, output
    assert exit_code == 0


def test_one_folder_per_stage():
    for stage in STAGES:
        assert (PACKAGE / stage / "__init__.py").is_file(), stage
    top_level = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert len(top_level) <= MAX_TOP_LEVEL_MODULES, top_level


def test_no_module_over_400_lines():
    long = {
        path.relative_to(ROOT).as_posix(): lines
        for path in PACKAGE.rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_readme_layout_names_every_stage():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    missing = [stage for stage in STAGES if f"{stage}/" not in layout]
    assert missing == []
