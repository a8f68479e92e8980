"""Load stage, shared by the leaderboard readers: which files a path holds, the commit each was
copied from (the folder's SOURCES.md), and one key per model whatever its org or case.

`find_leaderboard_files` lists a file or a folder (sorted); `read_provenance` finds the
`owner/name @ <commit>` lines of the SOURCES.md beside a file (or one folder up);
`model_key` folds the Hub's org renames (`distilbert/`, `openai-community/`, `google-t5/`...),
ML.ENERGY's `metaai/` namespace and mixed case, so a model lands on one card.

Problem code this module adds: `no-provenance` (no SOURCES.md names the file's commit).
"""

from __future__ import annotations

import re
from pathlib import Path

from generator.load.files import read_limited_text
from generator.problems import Location, Problem

# Hub orgs that took over models once published without an org (2024): the bare name is the key.
LEGACY_ORGS = frozenset(
    {"distilbert", "openai-community", "google-t5", "google-bert", "facebookai"}
)
ORG_ALIASES = {"metaai": "meta-llama"}  # ML.ENERGY v2's namespace for Meta's models
_PROVENANCE = re.compile(r"\*\*([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+) @ ([0-9a-f]{40})\*\*")
LEADERBOARD_SUFFIXES = (".csv", ".json")


def model_key(model_id: str) -> str:
    """One key per model: lowercase, legacy orgs dropped, `metaai` as `meta-llama`, and
    Meta's `Meta-Llama-3...` names as the Hub now writes them (`Llama-3...`)."""
    org, _, name = model_id.strip().lower().rpartition("/")
    org = ORG_ALIASES.get(org, org)
    if org == "meta-llama" and name.startswith("meta-llama-3"):
        name = name.removeprefix("meta-")
    if org in LEGACY_ORGS or not org:
        return name
    return f"{org}/{name}"


def hub_ids_in(text: str) -> list[str]:
    """Hub repo ids in a card's tag or link (`org/name`, or a huggingface.co URL)."""
    match = re.match(r"^https?://huggingface\.co/([^?#]+?)/?$", text.strip())
    if match:
        return [match.group(1)]
    if re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", text.strip()):
        return [text.strip()]
    return []


def find_leaderboard_files(path: Path) -> list[Path]:
    """The file itself, or every .csv and .json file under a folder (sorted, recursively)."""
    if path.is_dir():
        return sorted(
            p for p in path.rglob("*") if p.suffix in LEADERBOARD_SUFFIXES and p.is_file()
        )
    return [path]


def read_provenance(path: Path, display_path: str) -> tuple[dict[str, str], list[Problem]]:
    """`owner/name` -> commit, from the SOURCES.md in the file's folder or the one above."""
    commits: dict[str, str] = {}
    problems: list[Problem] = []
    for folder in (path.parent, path.parent.parent):
        sources = folder / "SOURCES.md"
        if not sources.is_file():
            continue
        text, problems = read_limited_text(sources, sources.as_posix())
        for repo, commit in _PROVENANCE.findall(text or ""):
            commits.setdefault(repo, commit)
    return commits, problems


def missing_provenance(display_path: str, repo: str) -> Problem:
    """The file's commit is unknown: no figure from it can be cited exactly."""
    return Problem(
        Location(display_path),
        "no-provenance",
        f"expected a SOURCES.md beside the file naming **{repo} @ <commit>**, got none",
        hint="imported figures are cited to the exact file and commit; say which commit the "
        "file was copied from (`git show <commit>:<path>`) in SOURCES.md",
    )
