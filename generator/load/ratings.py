"""Load stage for the committed rating reference, ratings/reference.yaml."""

from __future__ import annotations

from pathlib import Path

import yaml

from generator.compute.ratings import RatingReference, reference_from_data
from generator.problems import Location, Problem

REFERENCE_PATH = Path("ratings") / "reference.yaml"


def read_rating_reference(project_root: Path) -> tuple[RatingReference | None, list[Problem]]:
    """The reference, None when the project has none yet, and problems when it is unreadable."""
    path = project_root / REFERENCE_PATH
    if not path.is_file():
        return None, []
    shown = REFERENCE_PATH.as_posix()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return reference_from_data(data), []
    except (yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as error:
        return None, [
            Problem(
                Location(shown),
                "bad-rating-reference",
                f"expected the file `energy-cards ratings --refresh` writes, got unreadable "
                f"content ({type(error).__name__}: {error})",
                hint="run `energy-cards ratings --refresh` to write it again",
            )
        ]
