"""Load stage for measurement files referenced by cards.

For now it checks that each referenced file exists inside the project; parsing CodeCarbon and
NVML files comes with the measurements work.
"""

from __future__ import annotations

from pathlib import Path

from generator.formats.card import Card
from generator.load.cards import CardFile
from generator.problems import Problem


def locate_measurement_files(
    card: Card, card_file: CardFile, project_root: Path
) -> tuple[list[Path], list[Problem]]:
    """Resolve each measurement path of a card; report missing files and paths outside."""
    if card.inference is None:
        return [], []
    found, problems = [], []
    root = project_root.resolve()
    for index, measurement in enumerate(card.inference.measurements):
        key_path = ("inference", "measurements", index, "path")
        key = f"inference.measurements[{index}].path"
        path = (root / measurement.path).resolve()
        if not path.is_relative_to(root):
            problems.append(
                Problem(
                    card_file.location(key_path),
                    "file-outside-project",
                    f"expected a path inside the project, got '{measurement.path}'",
                    key=key,
                    hint=f"put the file under measurements/{card.id}/",
                )
            )
        elif path.is_dir():
            problems.append(
                Problem(
                    card_file.location(key_path),
                    "missing-file",
                    f"expected a file, got '{measurement.path}', which is a folder",
                    key=key,
                    hint="name the measurement file itself, e.g. .../emissions.csv",
                )
            )
        elif not path.is_file():
            problems.append(
                Problem(
                    card_file.location(key_path),
                    "missing-file",
                    f"expected an existing file, got '{measurement.path}' (not found)",
                    key=key,
                    hint="paths are relative to the project folder (the one holding cards/)",
                )
            )
        else:
            found.append(path)
    return found, problems
