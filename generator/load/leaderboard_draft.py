"""Load stage: leaderboard figures -> card data (the dicts a card YAML holds), one card per model.

`read_leaderboard` reads a file or folder with one leaderboard's reader; `index_cards` finds
which card already holds each model (by Hub repo id in its tags or model page, through
`model_key`, so org renames and case land on the same card) and whether the importer wrote it;
`draft_leaderboard_card` builds a card's data from a model's figures, every figure a measured
configuration with its conditions, one declared the reference (see `reference_order`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.formats.card import EnergyScope, Provenance, Task
from generator.formats.leaderboards import LeaderboardFigure
from generator.load.cards import find_card_files, read_card_file
from generator.load.files import read_limited_text
from generator.load.leaderboard_files import find_leaderboard_files, hub_ids_in, model_key
from generator.problems import Problem

IMPORT_MARKER = "# Energy card imported by `energy-cards import`"
SOURCE_PREFIXES = {"aies": "ai-energy-score", "mlenergy": "ml-energy"}
Reader = Callable[[Path, str], tuple[list[LeaderboardFigure] | None, list[Problem]]]
AIES_DOCS = {
    "title": "AI Energy Score documentation (FAQ, 'Evaluating Models')",
    "url": "https://huggingface.github.io/AIEnergyScore/",
    "publisher": "Hugging Face",
    "year": 2025,
}
_TASK_ORDER = {task: i for i, task in enumerate(Task)}


@dataclass
class ExistingCard:
    """A card already in cards/: its id, file, data and whether the importer wrote it."""

    card_id: str
    path: Path
    data: dict[str, Any]
    imported: bool


def read_leaderboard(
    path: Path, reader: Reader, display: Callable[[Path], str]
) -> tuple[list[LeaderboardFigure], list[Problem], int]:
    """Every figure in a file or folder, the problems, and how many files held figures.

    A file given by name that the reader does not recognise is an error; in a folder, files of
    other kinds (index.json, models.json, another leaderboard's files) are passed over."""
    figures: list[LeaderboardFigure] = []
    problems: list[Problem] = []
    files = find_leaderboard_files(path)
    read = 0
    for file in files:
        found, more = reader(file, display(file))
        if found is None or (path.is_dir() and not found and _only_kind(more)):
            continue
        read += 1
        figures += found
        problems += more
    return figures, problems, read


def _only_kind(problems: Sequence[Problem]) -> bool:
    return bool(problems) and all(p.code == "not-a-leaderboard-file" for p in problems)


def dedupe(figures: Sequence[LeaderboardFigure]) -> list[LeaderboardFigure]:
    """The same configuration read twice (the same file copied in two folders) counts once."""
    seen: dict[tuple[str, str, float], LeaderboardFigure] = {}
    for figure in figures:
        key = (model_key(figure.model_id), figure.configuration, figure.energy_kwh_per_1000_queries)
        seen.setdefault(key, figure)
    return list(seen.values())


def index_cards(cards_dir: Path, project_root: Path) -> dict[str, ExistingCard]:
    """model_key -> the card that holds that model (by Hub id in tags or links.model_page)."""
    found: dict[str, ExistingCard] = {}
    for path in find_card_files(cards_dir):
        card_file, _ = read_card_file(path, project_root)
        data = card_file.data if isinstance(card_file.data, dict) else None
        if data is None:
            continue
        text, _ = read_limited_text(path, path.name)
        card = ExistingCard(
            str(data.get("id", path.stem)), path, data, (text or "").startswith(IMPORT_MARKER)
        )
        links = data.get("links") if isinstance(data.get("links"), dict) else {}
        names = [*(data.get("tags") or []), (links or {}).get("model_page") or ""]
        for name in names:
            for hub_id in hub_ids_in(str(name)):
                found.setdefault(model_key(hub_id), card)
    return found


def card_id_for(model_id: str, taken: Callable[[str], bool]) -> str:
    """The card id of a new model: its name, or org and name when the name is taken."""
    key = model_key(model_id)
    name = key.rpartition("/")[2]
    slug = re.sub(r"[^a-z0-9]+", "-", name).strip("-") or "model"
    if not taken(slug):
        return slug
    return re.sub(r"[^a-z0-9]+", "-", key).strip("-")


def reference_order(configuration: dict[str, Any], task: Task | None = None) -> tuple:
    """Sort key of configurations: the first is the reference. AI Energy Score's (NVIDIA
    H100, batch 1, comparable across its whole leaderboard) first, then ML.ENERGY's newest
    version; within them the card's task, H100, fewest GPUs, smallest batch (closest to batch
    1), then the name."""
    source = configuration["energy_kwh_per_1000_queries"]["source"]
    conditions = configuration["conditions"]
    rank = next(
        (
            i
            for i, p in enumerate(("ai-energy-score", "ml-energy-v3", "ml-energy-v2-chat"))
            if source.startswith(p)
        ),
        3,
    )
    return (
        rank,
        0 if task is None or configuration.get("_task") == task.value else 1,
        0 if "H100" in conditions["hardware"] else 1,
        conditions.get("gpu_count") or 1,
        conditions.get("batch_size") or 1,
        configuration["name"],
    )


def configuration_data(figure: LeaderboardFigure) -> dict[str, Any]:
    """One figure as a card configuration (the `_task` key is dropped before writing)."""
    conditions = {
        "hardware": figure.hardware,
        "scope": EnergyScope.GPU.value,
        "includes_pue": False,
        "batch_size": figure.batch_size,
        "precision": figure.precision,
        "dataset": figure.dataset,
        "gpu_count": figure.gpu_count,
    }
    energy: dict[str, Any] = {
        "value": float(f"{figure.energy_kwh_per_1000_queries:.10g}"),
        "provenance": Provenance.MEASURED.value,
        "source": figure.source.key,
        "where": figure.where,
        "note": figure.note,
    }
    if figure.conflicts:
        energy["conflicts"] = [
            {"value": value, "where": where, "note": "Another row for the same model."}
            for value, where in figure.conflicts
        ]
    return {
        "name": figure.configuration,
        "reference": False,
        "conditions": {k: v for k, v in conditions.items() if v is not None},
        "energy_kwh_per_1000_queries": energy,
        "_task": figure.task.value,
        "_stars": (
            figure.stars,
            figure.source.key,
            figure.where.replace("total_gpu_energy", "energy_score"),
        ),
    }


def draft_leaderboard_card(
    card_id: str,
    figures: Sequence[LeaderboardFigure],
    kind: str,
    previous: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A card's data from one model's figures; `previous` is the card the importer wrote
    before, whose configurations from the other leaderboard (and their sources) are kept."""
    first = figures[0]
    configurations = [configuration_data(figure) for figure in figures]
    sources = {figure.source.key: _source_data(figure) for figure in figures}
    if any(figure.leaderboard == "aies" for figure in figures):
        sources["ai-energy-score-docs"] = dict(AIES_DOCS)
    kept, previous_reference = _kept_configurations(previous, kind, sources)
    if previous_reference is not None:
        reference, task = previous_reference, Task(previous["task"])  # type: ignore[index]
    else:
        reference = min(configurations, key=reference_order)
        task = Task(reference["_task"])
    for configuration in configurations:
        configuration["reference"] = configuration is reference
    inference: dict[str, Any] = {
        "conditions": reference["conditions"],
        "energy_kwh_per_1000_queries": reference["energy_kwh_per_1000_queries"],
    }
    stars = _stars_figure(reference, previous if previous_reference is not None else None)
    if stars:
        inference["ai_energy_score_stars"] = stars
    inference["configurations"] = [_public(c) for c in [*configurations, *kept]]
    inference["notes"] = (
        f"The headline figure is the reference configuration '{reference['name']}': AI Energy "
        "Score's (NVIDIA H100, batch size 1, comparable across its leaderboard) when the model "
        "is on it, else ML.ENERGY's newest on H100 with the fewest GPUs and the smallest batch "
        "size. Ratings and comparisons use it alone; the other configurations are shown "
        "beside it, never compared with other cards' headlines."
    )
    name = first.display_name or first.model_id.rpartition("/")[2]
    card: dict[str, Any] = {
        "id": card_id,
        "name": name,
        "organization": first.model_id.rpartition("/")[0] or "not stated",
        "task": task.value,
    }
    params = next((f.params_billions for f in figures if f.params_billions), None)
    if params:
        card["parameter_count"] = round(params * 1e9)
    if not any("legacy" in f.source.key for f in figures):
        card["links"] = {"model_page": f"https://huggingface.co/{first.model_id}"}
    card["tags"] = [first.model_id, "leaderboard-import"]
    card["notes"] = (
        f"Imported from published leaderboard data: {len(configurations) + len(kept)} measured "
        "configuration(s), GPU energy only (no CPU, RAM or data-centre overhead), each cited to "
        "the leaderboard's file and commit."
        + (
            f" Parameter count from the leaderboard's {params:g} billion parameters."
            if params
            else ""
        )
    )
    card["sources"] = dict(sorted(sources.items()))
    card["inference"] = inference
    return card


def _source_data(figure: LeaderboardFigure) -> dict[str, Any]:
    source = figure.source
    return {
        "title": source.title,
        "url": source.url,
        "publisher": source.publisher,
        "year": source.year,
    }


def _kept_configurations(
    previous: dict[str, Any] | None, kind: str, sources: dict[str, Any]
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The other leaderboard's configurations on a card the importer wrote before."""
    if not previous:
        return [], None
    inference = previous.get("inference") or {}
    kept, reference = [], None
    for configuration in inference.get("configurations") or []:
        source = configuration["energy_kwh_per_1000_queries"]["source"]
        if source.startswith(SOURCE_PREFIXES[kind]):
            continue
        kept.append(configuration)
        sources[source] = previous["sources"][source]
        if source.startswith("ai-energy-score"):
            sources["ai-energy-score-docs"] = dict(AIES_DOCS)
        if configuration.get("reference"):
            reference = configuration
    return kept, reference


def _stars_figure(
    reference: dict[str, Any], previous: dict[str, Any] | None
) -> dict[str, Any] | None:
    if previous is not None:
        return (previous.get("inference") or {}).get("ai_energy_score_stars")
    stars, source, where = reference.get("_stars") or (None, "", "")
    if not stars:
        return None
    return {
        "value": stars,
        "provenance": Provenance.REPORTED.value,
        "source": source,
        "where": where,
        "note": "AI Energy Score's own rating, relative within its task on its leaderboard and "
        "recalibrated at each leaderboard update.",
    }


def _public(configuration: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in configuration.items() if not k.startswith("_")}
