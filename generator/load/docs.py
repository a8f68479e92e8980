"""Load stage for hand-written site pages (site_src/): read them to stage them with the rest."""

from __future__ import annotations

from pathlib import Path


def read_docs_files(docs_dir: Path) -> dict[str, bytes]:
    """Every file under the docs folder, by POSIX path relative to it (sorted)."""
    if not docs_dir.is_dir():
        return {}
    return {
        path.relative_to(docs_dir).as_posix(): path.read_bytes()
        for path in sorted(docs_dir.rglob("*"))
        if path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(docs_dir).parts)
    }


def read_raw_files(paths: list[Path], project_root: Path) -> dict[str, bytes]:
    """Raw measurement files to publish as downloads, by POSIX path relative to the project."""
    return {
        path.resolve().relative_to(project_root.resolve()).as_posix(): path.read_bytes()
        for path in sorted(set(paths))
    }
