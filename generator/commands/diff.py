"""Side command `energy-cards diff BASE_REF`: what changed in the cards, for a PR comment.

Takes a project (a git work tree) and a git ref; reads the cards at that ref (exported into a
temporary folder) and in the working tree through `site.pipeline`, and gives the Markdown
summary of cards added, changed and removed, with the figures and ratings that move.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from generator.compute.diff import diff_cards
from generator.load.git import export_inputs_at
from generator.problems import Report
from generator.project import Project
from generator.render.pages import render_diff
from generator.site.pipeline import read_project


@dataclass
class DiffResult:
    markdown: str
    report: Report


def diff_against(project: Project, base_ref: str) -> DiffResult:
    """Markdown summary of card changes from `base_ref` to the working tree (raises GitError)."""
    with tempfile.TemporaryDirectory(prefix="energy-cards-diff-") as folder:
        base = Project(Path(folder))
        export_inputs_at(project.root, base_ref, base.root)
        before = read_project(base)
    after = read_project(project)
    markdown = render_diff(
        diff_cards(before.summaries, after.summaries),
        base_ref,
        len(before.report.errors),
        len(after.report.errors),
    )
    return DiffResult(markdown, after.report)
