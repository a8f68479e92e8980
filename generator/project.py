"""Where things live in a project folder laid out like this repository."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Project:
    """A folder with cards/, measurements/, site_src/ and mkdocs.yml."""

    root: Path

    @property
    def cards_dir(self) -> Path:
        return self.root / "cards"

    @property
    def measurements_dir(self) -> Path:
        return self.root / "measurements"

    @property
    def docs_dir(self) -> Path:
        """Hand-written pages (the MkDocs docs_dir); generated pages are added at build time."""
        return self.root / "site_src"

    @property
    def config_file(self) -> Path:
        return self.root / "mkdocs.yml"

    @property
    def default_site_dir(self) -> Path:
        return self.root / "site"

    @property
    def work_dir(self) -> Path:
        """Scratch space for staged builds and caches; never committed."""
        return self.root / ".energy-cards"
