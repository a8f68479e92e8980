"""Load stage for `energy-cards diff`: a project's inputs as they are at a git ref."""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

INPUT_FOLDERS = ("cards", "measurements", "ratings")


class GitError(Exception):
    """git could not give the tree (not a repository, unknown ref)."""


def _git(root: Path, *args: str) -> bytes:
    try:
        result = subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    if result.returncode != 0:
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(lines[-1] if lines else f"git {args[0]} failed (unknown revision?)")
    return result.stdout


def export_inputs_at(root: Path, ref: str, destination: Path) -> None:
    """Write cards/, measurements/ and ratings/ as they are at `ref` into `destination`."""
    _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    listed = _git(root, "ls-tree", "--name-only", ref, "--", *INPUT_FOLDERS).decode().split()
    destination.mkdir(parents=True, exist_ok=True)
    if not listed:
        return
    archive = _git(root, "archive", "--format=tar", ref, "--", *listed)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(destination, filter="data")
