"""Load stage for the equivalence factor table, generator/data/factors.yaml.

Takes the table's path (the one shipped with the package unless a test gives its own); gives
`Factor` records (format: `generator.formats.factors`) and problems located at
`factors.yaml:line:col`, worded like a card's. The table, not the code, holds every value with
its unit, source, publisher and edition year.
"""

from __future__ import annotations

from pathlib import Path

from generator.formats.factors import Factor, FactorTable
from generator.load.validation import has_errors, read_marked_yaml, validate_marked
from generator.problems import Problem, relative_path

FACTORS_PATH = Path(__file__).resolve().parent.parent / "data" / "factors.yaml"
_PACKAGE_PARENT = FACTORS_PATH.parent.parent.parent


def read_factors(
    path: Path = FACTORS_PATH, display_path: str | None = None
) -> tuple[tuple[Factor, ...], list[Problem]]:
    """Every factor of the table, in its order (none when the table has errors), and problems.

    Args:
        path: The table to read.
        display_path: How messages name it; by default relative to the package's folder
            (`generator/data/factors.yaml`).
    """
    shown = display_path or relative_path(path, _PACKAGE_PARENT)
    marked, problems = read_marked_yaml(path, shown)
    table, more = validate_marked(marked, FactorTable, format_name="the factor table")
    problems += more
    if table is None or has_errors(problems):
        return (), problems
    return table.factors, problems
