"""Load stage for Hugging Face model cards: README.md -> draft card data + problems.

Two steps: `read_model_card` (README.md -> its YAML front matter with line numbers and its
first heading) and `draft_card` (front matter -> the data of a card, "<...>" placeholders where
the model card gives nothing). `energy-cards import-hf` writes the draft.

The Hub's `co2_eq_emissions` is in grams CO2eq, a bare number or a mapping with `emissions`;
the card holds tonnes (`training.emissions_tco2e`, grams / 1,000,000), marked `reported` and
cited to the model card. Placeholders are reported by `energy-cards validate` (`placeholder`)
until a contributor fills them in. The source's `year` is always a placeholder: the metadata
has no date, and the year the README was written is in the Hub's commit history, not in the
file.

Unit checks (`suspect-unit`, a warning; the value is kept as written, never rescaled):
- Pre-training, or training_type missing or anything else: below 1,000 g. People write the
  kilograms CodeCarbon prints as grams; a kilogram is a few kWh, less than a day of one GPU,
  and pre-training runs published on the Hub report more than that.
- Fine-tuning (training_type "fine-tuning" in any spelling, or a card tagged `autotrain`, whose
  CodeCarbon figures are fine-tuning runs written without a training_type): below 0.001 g.
  AutoTrain cards report real runs of 0.01-0.1 g (seconds on one GPU), so only a value under a
  milligram (under ~10 J of electricity on any grid) is implausible as grams.
- Any: above 1e12 g (a million tonnes, ~100 x the largest training footprint published): a
  milligram value or another unit.

Model name, first found: model-index[0].name, `model_name`, the repository's name (--repo-id),
the first `# ` heading (without "Model Card for "), the card id. Task: `pipeline_tag`, else the
model-index results' task type, else a tag that is a known pipeline tag. Tags are kept when they
are short plain text (letters, digits, `. _ + : / -` and spaces); others are left out.

Problem codes this module adds: `no-front-matter` (the README has no metadata block between
`---` lines), `no-emissions` (no co2_eq_emissions: no training figure drafted), `suspect-unit`
(an emissions value implausible in grams).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from generator.formats.card import Task
from generator.load.cards import CardFile, KeyPath, parse_card_text
from generator.load.files import read_limited_text
from generator.problems import Location, Problem, Severity, format_key_path
from generator.units import G_PER_KG, KG_PER_TONNE, format_number

PIPELINE_TASKS: dict[str, Task] = {
    "text-generation": Task.TEXT_GENERATION,
    "text-classification": Task.TEXT_CLASSIFICATION,
    "summarization": Task.SUMMARIZATION,
    "question-answering": Task.EXTRACTIVE_QA,
    "sentence-similarity": Task.SENTENCE_SIMILARITY,
    "feature-extraction": Task.SENTENCE_SIMILARITY,
    "token-classification": Task.TOKEN_CLASSIFICATION,
    "fill-mask": Task.FILL_MASK,
    "image-classification": Task.IMAGE_CLASSIFICATION,
    "object-detection": Task.OBJECT_DETECTION,
    "text-to-image": Task.IMAGE_GENERATION,
    "image-to-text": Task.IMAGE_CAPTIONING,
    "automatic-speech-recognition": Task.SPEECH_TO_TEXT,
}
PRETRAINING_MIN_G = 1_000.0
FINETUNING_MIN_G = 0.001
MAX_G = 1e12
SOURCE_KEY = "model-card"
WHERE = "YAML front matter, co2_eq_emissions"
_SAFE_TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._+:/-]{0,62}$")


@dataclass
class ModelCardData:
    """A README's front matter as read: its metadata, key positions and first heading."""

    display_path: str
    metadata: dict[str, Any]
    front_matter: CardFile
    first_line: int  # README line of the first front-matter line
    heading: str | None = None

    def location(self, key_path: KeyPath = ()) -> Location:
        """README position of a metadata key path (or its closest parent)."""
        inner = self.front_matter.location(key_path)
        return Location(self.display_path, inner.line + self.first_line - 1, inner.column)


def _first_heading(lines: Sequence[str]) -> str | None:
    fenced = False
    for line in lines:
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and line.startswith("# "):
            text = re.sub(r"^model card for\s+", "", line[2:].strip(" #"), flags=re.IGNORECASE)
            return None if re.match(r"model trained using\b", text, re.IGNORECASE) else text
    return None


def read_model_card(
    path: Path, display_path: str | None = None
) -> tuple[ModelCardData | None, list[Problem]]:
    """Read README.md's front matter (between the first two `---` lines) and first heading."""
    shown = display_path or path.as_posix()
    text, problems = read_limited_text(path, shown)
    if text is None:
        return None, problems
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    opened = start < len(lines) and lines[start].rstrip() == "---"
    end = next((i for i in range(start + 1, len(lines)) if lines[i].rstrip() == "---"), None)
    if not opened or end is None:
        message = (
            "expected a closing `---` line after the metadata, found none"
            if opened
            else "expected YAML metadata between two `---` lines at the top of the model card, "
            "found none"
        )
        hint = "use the README.md from the model's Hub repository (its raw file)"
        line = start + 1 if start < len(lines) else 0
        return None, [Problem(Location(shown, line), "no-front-matter", message, hint=hint)]
    text = "\n".join(lines[start + 1 : end]) + "\n"
    front_matter, loaded = parse_card_text(text, path, shown)
    card = ModelCardData(shown, {}, front_matter, start + 2, _first_heading(lines[end + 1 :]))
    moved = (Location(shown, p.location.line + start + 1, p.location.column) for p in loaded)
    problems = [replace(p, location=where) for p, where in zip(loaded, moved, strict=True)]
    data = front_matter.data
    if not isinstance(data, dict) and not any(p.code == "yaml-syntax" for p in problems):
        got = {type(None): "nothing", list: "a list"}.get(type(data), f"'{str(data)[:60]}'")
        message = f"expected the front matter to be a mapping of keys to values, got {got}"
        problems = [Problem(Location(shown, start + 2, 1), "not-a-mapping", message)]
    if not isinstance(data, dict) or any(p.severity is Severity.ERROR for p in problems):
        return None, problems
    card.metadata = data
    return card, problems


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _grams(value: Any) -> float | None:
    """A finite number >= 0 as a float, else None (YAML gives bools and huge ints too)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


def _tags(metadata: dict[str, Any]) -> list[Any]:
    tags = metadata.get("tags")
    return [tags] if isinstance(tags, str) else tags if isinstance(tags, list) else []


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _model_index(metadata: dict[str, Any]) -> dict[str, Any]:
    entries = metadata.get("model-index")
    first = entries[0] if isinstance(entries, list) and entries else None
    return first if isinstance(first, dict) else {}


def _draft_task(card: ModelCardData) -> tuple[str, list[Problem]]:
    """Our task for the model card's pipeline tag; a placeholder and a warning if none fits."""
    metadata, where = card.metadata, ("pipeline_tag",)
    tag = _text(metadata.get("pipeline_tag"))
    results = _model_index(metadata).get("results")
    for index, result in enumerate(results if isinstance(results, list) and not tag else []):
        task = result.get("task") if isinstance(result, dict) else None
        tag = _text(task.get("type")) if isinstance(task, dict) else None
        if tag:
            where = ("model-index", 0, "results", index, "task", "type")
            break
    tags = _tags(metadata)
    pipeline_tags = [i for i, t in enumerate(tags) if isinstance(t, str) and t in PIPELINE_TASKS]
    if not tag and pipeline_tags:
        tag, where = tags[pipeline_tags[0]], ("tags", pipeline_tags[0])
    if tag in PIPELINE_TASKS:
        return PIPELINE_TASKS[tag].value, []
    message = (
        f"expected a pipeline tag that maps to a task of these cards, got '{tag}'"
        if tag
        else "expected a pipeline_tag (or a model-index task type), found none"
    )
    hint = 'the draft says task: "<task>"; set the closest task by hand (the draft lists them)'
    code = "not-one-of" if tag else "missing-key"
    where_key = format_key_path(where)
    problem = Problem(card.location(where), code, message, Severity.WARNING, where_key, hint)
    return "<task>", [problem]


def _suspect_unit(card: ModelCardData, grams: float, training_type: str | None) -> str | None:
    """Why a value in grams looks like another unit, or None when it is plausible."""
    kind = re.sub(r"[^a-z]", "", (training_type or "").lower())
    fine_tuning = kind == "finetuning" or "autotrain" in _tags(card.metadata)
    shown = format_number(grams)
    if grams > MAX_G:
        tonnes = format_number(grams / (G_PER_KG * KG_PER_TONNE))
        return (
            f"{shown} g is {tonnes} tonnes, far more than any published training footprint: "
            "the value may be in milligrams or another unit"
        )
    if grams < (FINETUNING_MIN_G if fine_tuning else PRETRAINING_MIN_G):
        what = "fine-tuning" if fine_tuning else "training"
        return (
            f"{shown} g is unusually small for {what} a model: if the card meant kilograms, "
            f"that is {format_number(grams * G_PER_KG)} g"
        )
    return None


def _draft_training(card: ModelCardData) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The training section from co2_eq_emissions (grams -> tonnes), with its problems."""
    raw = card.metadata.get("co2_eq_emissions")
    if raw is None:
        message = "the model card gives no co2_eq_emissions, so the draft has no training figure"
        return None, [Problem(card.location(), "no-emissions", message, Severity.WARNING)]
    block = raw if isinstance(raw, dict) else {"emissions": raw}
    key = ("co2_eq_emissions", "emissions") if isinstance(raw, dict) else ("co2_eq_emissions",)
    grams, where, shown_key = _grams(block.get("emissions")), card.location(key), ".".join(key)
    if grams is None:
        value = block.get("emissions")
        shown = f"'{value}'" if isinstance(value, str) else f"{value!r}"[:60]
        message = f"expected a number of grams CO2eq (>= 0), got {shown}"
        hint = "write a bare number of grams, e.g. emissions: 1460"
        number = isinstance(value, int | float) and not isinstance(value, bool)
        code = "bad-value" if number else "wrong-type"
        if "emissions" not in block:
            code, message = "missing-key", "expected `emissions` (grams CO2eq), found none"
        return None, [Problem(where, code, message, key=shown_key, hint=hint)]
    source, training_type = _text(block.get("source")), _text(block.get("training_type"))
    note = f"{format_number(grams)} g CO2eq as the model card writes it (the Hub's unit: grams)."
    note += f" Emissions source named there: {source}." if source else ""
    note += f" Training type: {training_type}." if training_type else ""
    training: dict[str, Any] = {
        "hardware": _text(block.get("hardware_used")),
        "region": _text(block.get("geographical_location")),
        "emissions_tco2e": {
            "value": grams / (G_PER_KG * KG_PER_TONNE),
            "provenance": "reported",
            "source": SOURCE_KEY,
            "where": WHERE,
            "note": note,
        },
        "notes": f"The model card gives these emissions for: {training_type}."
        if training_type
        else None,
    }
    problems = []
    if suspicion := _suspect_unit(card, grams, training_type):
        hint = "check the model card's text; the draft keeps the value as written"
        problems.append(
            Problem(where, "suspect-unit", suspicion, Severity.WARNING, shown_key, hint)
        )
    return {k: v for k, v in training.items() if v is not None}, problems


def draft_card(
    card: ModelCardData, card_id: str | None, repo_id: str | None
) -> tuple[dict[str, Any], list[Problem]]:
    """Card data drafted from a model card's metadata; "<...>" where it gives nothing.

    Args:
        card: The model card as `read_model_card` gives it.
        card_id: The card id; default: the model name, slugified.
        repo_id: The Hub repository `org/name`: gives organization, model page and source URL.
    """
    metadata = card.metadata
    repo_name = repo_id.split("/")[1] if repo_id else None
    candidates = (
        _text(_model_index(metadata).get("name")),
        _text(metadata.get("model_name")),
        repo_name,
        card.heading,
        card_id,
    )
    name = next((c for c in candidates if c and "<" not in c and ">" not in c), None)
    if name is None:
        hint = "give the card id with --id, or the repository with --repo-id"
        message = "expected a model name (model-index name, model_name or a heading), found none"
        return {}, [Problem(card.location(), "missing-key", message, key="name", hint=hint)]
    organization = repo_id.split("/")[0] if repo_id else "<Who released the model>"
    model_page = f"https://huggingface.co/{repo_id}" if repo_id else None
    license_name = _text(metadata.get("license"))
    if license_name == "other":
        license_name = _text(metadata.get("license_name")) or license_name
    tags = [repo_id, *_tags(metadata)]
    source = {
        "title": f"{name} model card (README.md)",
        "url": model_page or "<https://...>",
        "publisher": organization if repo_id else None,
        "year": "<YYYY>",
    }
    task, problems = _draft_task(card)
    training, training_problems = _draft_training(card)
    data = {
        "id": card_id or _slug(name),
        "name": name,
        "organization": organization,
        "task": task,
        "license": license_name,
        "links": {"model_page": model_page} if model_page else None,
        "tags": [t for t in dict.fromkeys(_text(t) for t in tags) if t and _SAFE_TAG.match(t)],
        "sources": {SOURCE_KEY: {k: v for k, v in source.items() if v is not None}},
        "training": training,
    }
    return {k: v for k, v in data.items() if v is not None}, problems + training_problems
