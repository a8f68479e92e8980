"""Load stage for measurement files referenced by cards: where they are, and where the site
publishes them.

`locate_measurement_files` checks that each file a card names is a regular file inside the
project (never following a link out of it, never opening a FIFO, a loop or an over-long name);
the loaders in `generator.load.measurement_files` then parse them.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import replace
from pathlib import Path, PurePosixPath

from generator.formats.card import Card
from generator.load.cards import CardFile
from generator.load.files import check_regular_file
from generator.problems import Problem

# Raw measurement files are published as downloads under these extensions as given; any other
# name gets `.txt` appended, so no file a card names is ever served as a page, an image or a
# script (`.html`, `.svg`, `.js`, `.md`, ...): a static host types files by their extension.
SAFE_RAW_SUFFIXES = frozenset({".csv", ".json", ".txt", ".log"})


def published_measurement_path(path: str) -> str:
    """Where the site publishes a raw measurement file a card names, relative to the site root.

    The card's path, normalised (no `.`, `..` or leading `/`), with `.txt` appended unless it
    ends in a safe text extension: `measurements/x/emissions.csv` stays as is,
    `measurements/x/emissions.html` becomes `measurements/x/emissions.html.txt`. The build
    writes the file there and the card page links to it, both through this function.
    """
    parts = PurePosixPath(posixpath.normpath(path)).parts
    published = PurePosixPath(*[part for part in parts if part not in ("/", "..", ".")])
    if published.suffix.lower() in SAFE_RAW_SUFFIXES:
        return published.as_posix()
    return f"{published.as_posix()}.txt"


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
        # realpath, not Path.resolve(): it returns a symlink loop as is instead of raising.
        path = Path(os.path.realpath(root / measurement.path))
        kind = check_regular_file(path, measurement.path)
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
        elif not kind:
            found.append(path)
        elif kind[0].code == "unreadable-file" and not os.path.isdir(path):
            problems.append(replace(kind[0], location=card_file.location(key_path), key=key))
        elif os.path.isdir(path):
            problems.append(
                Problem(
                    card_file.location(key_path),
                    "missing-file",
                    f"expected a file, got '{measurement.path}', which is a folder",
                    key=key,
                    hint="name the measurement file itself, e.g. .../emissions.csv",
                )
            )
        else:
            problems.append(
                Problem(
                    card_file.location(key_path),
                    "missing-file",
                    f"expected an existing file, got '{measurement.path}' (not found)",
                    key=key,
                    hint="paths are relative to the project folder (the one holding cards/)",
                )
            )
    return found, problems
