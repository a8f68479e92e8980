"""The site engine behind the build: MkDocs with the Material theme, kept swappable.

The generator writes Markdown and assets into a docs folder, then asks an engine to turn it
into HTML. Only this module knows MkDocs. Zensical reads the same mkdocs.yml, so switching
means another `SiteEngine` that runs `zensical build` on the same staged docs folder.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from generator.problems import Location, Problem, Severity, relative_path

# Material 9.8 announces its end of life when run as `mkdocs`; the README says it once.
BANNER_VARIABLE = "NO_MKDOCS_2_WARNING"


class SiteEngine(Protocol):
    name: str

    def build(
        self, config_file: Path, docs_dir: Path, site_dir: Path, strict: bool
    ) -> list[Problem]:
        """Render docs_dir into site_dir; return problems (errors mean no usable site)."""

    def serve(self, config_file: Path, docs_dir: Path, host: str, port: int) -> None:
        """Serve docs_dir with live reload until interrupted."""


class _CollectingHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def quiet_material_banner() -> Iterator[None]:
    """Set NO_MKDOCS_2_WARNING while MkDocs runs, then put back what was there (or nothing).

    Material also sets it for good when its templates are first imported; restoring undoes
    that too, so no run leaves the variable changed for the rest of the process.
    """
    previous = os.environ.get(BANNER_VARIABLE)
    os.environ[BANNER_VARIABLE] = "1"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(BANNER_VARIABLE, None)
        else:
            os.environ[BANNER_VARIABLE] = previous


@dataclass
class MkDocsEngine:
    name: str = "mkdocs"

    def _config(self, config_file: Path, docs_dir: Path, site_dir: Path | None, strict: bool):
        from mkdocs.config import load_config

        overrides: dict[str, object] = {"docs_dir": str(docs_dir), "strict": strict}
        if site_dir is not None:
            overrides["site_dir"] = str(site_dir)
        return load_config(str(config_file), **overrides)

    def build(
        self, config_file: Path, docs_dir: Path, site_dir: Path, strict: bool
    ) -> list[Problem]:
        from mkdocs import exceptions
        from mkdocs.commands.build import build

        shown_config = relative_path(config_file, config_file.parent)
        handler = _CollectingHandler()
        logger = logging.getLogger("mkdocs")
        logger.addHandler(handler)
        previous_propagate = logger.propagate
        logger.propagate = False  # collect, don't print: the CLI prints problems
        problems: list[Problem] = []
        try:
            with quiet_material_banner():
                config = self._config(config_file, docs_dir, site_dir, strict)
                build(config)
        except exceptions.ConfigurationError as error:
            problems.append(Problem(Location(shown_config), "engine-failed", f"mkdocs: {error}"))
        except exceptions.Abort as error:
            problems.append(Problem(Location(shown_config), "engine-failed", f"mkdocs: {error}"))
        finally:
            logger.removeHandler(handler)
            logger.propagate = previous_propagate
        severity = Severity.ERROR if strict else Severity.WARNING
        for record in handler.records:
            problems.append(
                Problem(
                    Location(shown_config),
                    "engine-failed" if record.levelno >= logging.ERROR else "engine-warning",
                    f"mkdocs: {record.getMessage()}",
                    severity=Severity.ERROR if record.levelno >= logging.ERROR else severity,
                )
            )
        return problems

    def serve(self, config_file: Path, docs_dir: Path, host: str, port: int) -> None:
        from mkdocs.commands.serve import serve

        with quiet_material_banner():
            serve(
                config_file=str(config_file),
                livereload=True,
                docs_dir=str(docs_dir),
                dev_addr=f"{host}:{port}",
            )
