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

import yaml

from generator.formats.card import EnergyScope, Provenance
from generator.formats.leaderboards import LeaderboardFigure
from generator.load.cards import find_card_files, read_card_file
from generator.load.files import read_limited_text
from generator.load.leaderboard_files import find_leaderboard_files, hub_ids_in, model_key
from generator.problems import Problem

IMPORT_MARKER = "# Energy card imported by `energy-cards import`"
# A hand-written card without inference figures gets the imported ones between these lines
# (its sources inside `sources:`, its `inference:` at the end); `--update` rewrites only them.
SOURCES_BEGIN = "# >>> imported sources: `energy-cards import` rewrites these lines"
SOURCES_END = "# <<< imported sources"
INFERENCE_BEGIN = "# >>> imported inference figures: `energy-cards import` rewrites these lines"
INFERENCE_END = "# <<< imported inference figures"
Reader = Callable[[Path, str], tuple[list[LeaderboardFigure] | None, list[Problem]]]
AIES_DOCS = {
    "title": "AI Energy Score documentation (FAQ, 'Evaluating Models')",
    "url": "https://huggingface.github.io/AIEnergyScore/",
    "publisher": "Hugging Face",
    "year": 2025,
}


@dataclass
class ExistingCard:
    """A card already in cards/: its id, file, text, data and whether the importer wrote it
    (`imported`) or only its marked inference block (`imported_block`)."""

    card_id: str
    path: Path
    text: str
    data: dict[str, Any]
    imported: bool
    imported_block: bool = False

    @property
    def takes_figures(self) -> bool:
        """The importer may write to it: its own file, or a hand-written card whose inference
        figures are absent or the importer's marked block."""
        return self.imported or self.imported_block or not self.data.get("inference")


def strip_imported_block(text: str) -> str:
    """A hand-written card's text without the importer's marked lines (and the blank line
    written before the inference block)."""
    out: list[str] = []
    skipping = False
    for line in text.splitlines(keepends=True):
        marker = line.strip()
        if marker in (SOURCES_BEGIN, INFERENCE_BEGIN):
            skipping = True
            if marker == INFERENCE_BEGIN and out and not out[-1].strip():
                out.pop()
            continue
        if skipping:
            skipping = marker not in (SOURCES_END, INFERENCE_END)
            continue
        out.append(line)
    return "".join(out)


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
        text = text or ""
        card = ExistingCard(
            str(data.get("id", path.stem)),
            path,
            text,
            data,
            text.startswith(IMPORT_MARKER),
            INFERENCE_BEGIN in text,
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


def reference_order(configuration: dict[str, Any]) -> tuple:
    """Sort key of configurations: the first is the reference. AI Energy Score's (NVIDIA
    H100, batch 1, comparable across its whole leaderboard) first, then ML.ENERGY's newest
    version; within them H100, fewest GPUs, smallest batch (closest to batch 1), then the
    source and the name. It reads the configuration alone, so a card's order is the same
    whichever import wrote it first."""
    energy = configuration["energy_kwh_per_1000_queries"]
    conditions = configuration["conditions"]
    rank = next(
        (
            i
            for i, p in enumerate(("ai-energy-score", "ml-energy-v3", "ml-energy-v2-chat"))
            if energy["source"].startswith(p)
        ),
        3,
    )
    return (
        rank,
        0 if "H100" in conditions["hardware"] else 1,
        conditions.get("gpu_count") or 1,
        conditions.get("batch_size") or 1,
        energy["source"],
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
    read_sources: set[str],
    previous: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A card's data from one model's figures. `previous` is the card the importer wrote
    before: its configurations from sources this run did not read (`read_sources`, e.g. the
    other leaderboard) are kept, so the card is the same whichever import ran first.

    Configurations are sorted by `reference_order` and the first is the reference; the card's
    name, organization and page come from the reference's leaderboard."""
    sources = {figure.source.key: _source_data(figure) for figure in figures}
    kept = _kept_configurations(previous, read_sources, sources)
    configurations = sorted(
        [*(configuration_data(figure) for figure in figures), *kept], key=reference_order
    )
    if any(
        c["energy_kwh_per_1000_queries"]["source"].startswith("ai-energy-score")
        for c in configurations
    ):
        sources["ai-energy-score-docs"] = dict(AIES_DOCS)
    reference = configurations[0]
    for configuration in configurations:
        configuration["reference"] = configuration is reference
    inference: dict[str, Any] = {
        "conditions": reference["conditions"],
        "energy_kwh_per_1000_queries": reference["energy_kwh_per_1000_queries"],
    }
    stars = _stars_figure(reference, previous)
    if stars:
        inference["ai_energy_score_stars"] = stars
    size_class = _size_class(figures, previous, read_sources)
    if size_class:
        inference["ai_energy_score_class"] = size_class
    inference["configurations"] = [_public(c) for c in configurations]
    inference["notes"] = (
        f"The headline figure is the reference configuration '{reference['name']}': AI Energy "
        "Score's (NVIDIA H100, batch size 1, comparable across its leaderboard) when the model "
        "is on it, else ML.ENERGY's newest on H100 with the fewest GPUs and the smallest batch "
        "size. Ratings and comparisons use it alone; the other configurations are shown "
        "beside it, never compared with other cards' headlines."
    )
    card = _identity(card_id, figures, reference, previous)
    parameters = card.get("parameter_count")
    card["notes"] = (
        f"Imported from published leaderboard data: {len(configurations)} measured "
        "configuration(s), GPU energy only (no CPU, RAM or data-centre overhead), each cited to "
        "the leaderboard's file and commit."
        + (
            f" Parameter count from the leaderboard's {parameters / 1e9:g} billion parameters."
            if parameters
            else ""
        )
    )
    card["sources"] = dict(sorted(sources.items()))
    card["inference"] = inference
    return card


def _identity(
    card_id: str,
    figures: Sequence[LeaderboardFigure],
    reference: dict[str, Any],
    previous: dict[str, Any] | None,
) -> dict[str, Any]:
    """id, name, organization, task, parameters, page, tags and notes: from the reference's
    figure when this run read it, else as the previous import wrote them."""
    first = next((f for f in figures if f.configuration == reference["name"]), None)
    parameters = next((round(f.params_billions * 1e9) for f in figures if f.params_billions), None)
    if previous and parameters is None:
        parameters = previous.get("parameter_count")
    tags = {f.model_id for f in figures} | set((previous or {}).get("tags") or [])
    tags.discard("leaderboard-import")
    if first is not None:
        card: dict[str, Any] = {
            "id": card_id,
            "name": first.display_name or first.model_id.rpartition("/")[2],
            "organization": first.model_id.rpartition("/")[0] or "not stated",
            "task": reference["_task"],
        }
        links = (
            None
            if "legacy" in first.source.key
            else {"model_page": f"https://huggingface.co/{first.model_id}"}
        )
    else:
        assert previous is not None  # a kept reference comes from the previous card
        card = {k: previous[k] for k in ("id", "name", "organization", "task")}
        links = previous.get("links")
    if parameters:
        card["parameter_count"] = parameters
    if links:
        card["links"] = links
    card["tags"] = [*sorted(tags), "leaderboard-import"]
    return card


def merge_into_hand_written(
    card: ExistingCard, draft: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A hand-written card's data with the drafted inference figures, and the sources the
    importer adds (those the card does not define outside the marked block)."""
    own = yaml.safe_load(strip_imported_block(card.text)) if card.imported_block else card.data
    own_sources = (own or {}).get("sources") or {}
    added = {k: v for k, v in draft["sources"].items() if k not in own_sources}
    data = {**card.data, "inference": draft["inference"]}
    data["sources"] = {**own_sources, **added}
    return data, added


def _source_data(figure: LeaderboardFigure) -> dict[str, Any]:
    source = figure.source
    return {
        "title": source.title,
        "url": source.url,
        "publisher": source.publisher,
        "year": source.year,
    }


def _kept_configurations(
    previous: dict[str, Any] | None, read_sources: set[str], sources: dict[str, Any]
) -> list[dict[str, Any]]:
    """The configurations of a previous import from sources this run did not read."""
    if not previous:
        return []
    kept = []
    for configuration in (previous.get("inference") or {}).get("configurations") or []:
        source = configuration["energy_kwh_per_1000_queries"]["source"]
        if source in read_sources:
            continue
        kept.append({**configuration, "_task": previous["task"]})
        sources[source] = previous["sources"][source]
    return kept


def _stars_figure(
    reference: dict[str, Any], previous: dict[str, Any] | None
) -> dict[str, Any] | None:
    """AI Energy Score's stars when the reference is its figure: from this run's row, or kept
    from the previous import when the reference was kept."""
    if "_stars" not in reference:
        if not reference["energy_kwh_per_1000_queries"]["source"].startswith("ai-energy-score"):
            return None
        return ((previous or {}).get("inference") or {}).get("ai_energy_score_stars")
    stars, source, where = reference["_stars"]
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


def _size_class(
    figures: Sequence[LeaderboardFigure],
    previous: dict[str, Any] | None,
    read_sources: set[str],
) -> dict[str, Any] | None:
    """AI Energy Score's size class of the model, cited to its row: from this run's files, or
    kept from the previous import when this run did not read the file it came from."""
    classed = sorted((f for f in figures if f.size_class), key=lambda f: f.source.key)
    if classed:
        figure = classed[0]
        return {
            "value": figure.size_class,
            "source": figure.source.key,
            "where": figure.where.replace("column total_gpu_energy", "column class"),
            "note": "AI Energy Score's size class (by parameter count); the leaderboard file "
            "gives no parameter count, so this class places the card in its rating group.",
        }
    kept = ((previous or {}).get("inference") or {}).get("ai_energy_score_class")
    return kept if kept and kept["source"] not in read_sources else None


def _public(configuration: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in configuration.items() if not k.startswith("_")}
