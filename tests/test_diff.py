"""`energy-cards diff BASE_REF` on a temporary git repository: added, changed, removed cards."""

from __future__ import annotations

import subprocess
from pathlib import Path

from click.testing import CliRunner

from generator.cli import main
from tests.conftest import card_yaml, make_project


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def test_diff_lists_added_changed_removed_and_moved_ratings(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        {
            "kept.yaml": card_yaml("kept", "Kept Model", energy=0.001),
            "edited.yaml": card_yaml("edited", "Edited Model", energy=0.01),
            "gone.yaml": card_yaml("gone", "Gone Model", energy=0.1),
        },
    )
    assert CliRunner().invoke(main, ["ratings", "--refresh", "--date", "2026-01-01",
                                     "--project", str(project)]).exit_code == 0  # fmt: skip
    git(project, "init", "-q")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "base")

    (project / "cards" / "gone.yaml").unlink()
    (project / "cards" / "edited.yaml").write_text(
        card_yaml("edited", "Edited Model", energy=0.1), "utf-8"
    )
    (project / "cards" / "new.yaml").write_text(
        card_yaml("new", "New *Model*", energy=0.05), "utf-8"
    )
    result = CliRunner().invoke(main, ["diff", "HEAD", "--project", str(project)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "## Model energy cards: changes against `HEAD`"
    assert "**Added** (1):\n\n- New \\*Model\\* (`new`)" in result.output
    assert "**Removed** (1):\n\n- Gone Model (`gone`)" in result.output
    assert "- Edited Model (`edited`)\n" in result.output
    assert "    - `energy_kwh_per_1000_queries`: 0.01 → 0.1" in result.output
    # Against the pinned reference (0.001 to 0.1 kWh), 0.01 was 3 stars; 0.1 is 1 star.
    assert "| Edited Model | 3 stars | 1 stars |" in result.output
    assert "Kept Model" not in result.output  # unchanged cards are not listed


def test_diff_without_changes_and_with_a_bad_ref(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"a.yaml": card_yaml("a", "A", energy=0.001)})
    git(project, "init", "-q")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "base")
    result = CliRunner().invoke(main, ["diff", "HEAD", "--project", str(project)])
    assert result.output == "## Model energy cards: no change against `HEAD`\n\n"
    bad = CliRunner().invoke(main, ["diff", "no-such-ref", "--project", str(project)])
    assert bad.exit_code == 2
    assert "cannot read 'no-such-ref' from git" in bad.output
