"""Load stage for the committed rating reference, ratings/reference.yaml.

Takes a project root; gives the `RatingReference` (None when the project has none yet, or when
the file has errors) and problems located at `ratings/reference.yaml:line:col`, worded like a
card's. The format is `generator.formats.rating_reference`, which also writes the file.
"""

from __future__ import annotations

from pathlib import Path

from generator.formats.rating_reference import RatingReference
from generator.load.validation import has_errors, read_marked_yaml, validate_marked
from generator.problems import Problem

REFERENCE_PATH = Path("ratings") / "reference.yaml"
_HINT = "run `energy-cards ratings --refresh` to write it again"


def read_rating_reference(project_root: Path) -> tuple[RatingReference | None, list[Problem]]:
    """The reference, None when the project has none yet, and every problem of the file."""
    path = project_root / REFERENCE_PATH
    if not path.is_file():
        return None, []
    marked, problems = read_marked_yaml(
        path, REFERENCE_PATH.as_posix(), unreadable_code="bad-rating-reference", hint=_HINT
    )
    reference, more = validate_marked(
        marked, RatingReference, format_name="the rating reference", not_a_mapping_hint=_HINT
    )
    problems += more
    return (None if has_errors(problems) else reference), problems
