"""Validate stage: card data -> `Card` models, with every problem located at file:line:col.

Pure: takes `CardFile` records from the loader, gives models and problems. pydantic does the
checking; this module turns its errors into messages a contributor can act on
("expected a number, got 'lots'") and adds the checks that span fields or cards.
"""

from __future__ import annotations

import copy
import difflib
import re
import types
import typing
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from generator.formats.card import (
    CARD_ID_PATTERN,
    FIGURE_FIELDS,
    NAME_PATTERN,
    Card,
    Figure,
    Source,
)
from generator.load.cards import CardFile, KeyPath
from generator.problems import Problem, Severity, format_key_path

_EXPECTED_BY_TYPE = {
    "float": "a number",
    "int": "a whole number",
    "string": "text",
    "bool": "true or false",
    "date": "a date written YYYY-MM-DD",
    "dict": "a mapping of keys to values",
    "model": "a mapping of keys to values",
    "list": "a list",
}

_HINTS_BY_TYPE = {
    "float": "write a bare number without units or commas, e.g. 1300000",
    "int": "write a whole number without units or commas, e.g. 8000000000",
    "date": "write the date as YYYY-MM-DD, e.g. 2024-04-18",
    "bool": "write true or false",
}


def _describe_value(value: Any) -> str:
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return repr(shown)
    return str(value)


def _unwrap(annotation: Any) -> Any:
    """The model or container type inside Optional[...] / list[...] / dict[...]."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _unwrap(members[0]) if len(members) == 1 else annotation
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    return annotation


def _model_at(key_path: KeyPath) -> type[BaseModel] | None:
    """The pydantic model class that describes the mapping at `key_path`, if any."""
    current: Any = Card
    for part in key_path:
        origin = typing.get_origin(current)
        if origin is list and isinstance(part, int):
            current = _unwrap(typing.get_args(current)[0])
        elif origin is dict:
            current = _unwrap(typing.get_args(current)[1])
        elif isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return None
            current = _unwrap(field.annotation)
        else:
            return None
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _figure_hint(key: str, value: Any) -> str:
    shown = value if isinstance(value, int | float) and not isinstance(value, bool) else 123
    return (
        f"a figure is a mapping: {key}: {{value: {shown}, provenance: reported, "
        "source: <key in sources>, where: 'Table 1'}"
    )


def _problem_from_error(card_file: CardFile, error: dict[str, Any]) -> Problem:
    loc: KeyPath = tuple(error["loc"])
    kind: str = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    key = format_key_path(loc)
    leaf = str(loc[-1]) if loc else "card"

    if kind == "missing":
        model = _model_at(loc[:-1])
        field = model.model_fields.get(leaf) if model else None
        description = f" ({field.description})" if field and field.description else ""
        return Problem(
            card_file.location(loc[:-1], at_key=True),
            "missing-key",
            f"required key is missing{description}",
            key=key,
            hint=f"add `{leaf}:` under {format_key_path(loc[:-1]) or 'the top level'}",
        )
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1])
        allowed = sorted(model.model_fields) if model else []
        close = difflib.get_close_matches(leaf, allowed, n=1)
        hint = f"did you mean `{close[0]}`?" if close else f"known keys: {', '.join(allowed)}"
        return Problem(
            card_file.location(loc, at_key=True),
            "unknown-key",
            "unknown key; the card format does not define it, so it is ignored",
            severity=Severity.WARNING,
            key=key,
            hint=hint,
        )
    if kind in ("enum", "literal_error"):
        expected = ctx.get("expected", "")
        return Problem(
            card_file.location(loc),
            "not-one-of",
            f"expected one of {expected}, got {_describe_value(value)}",
            key=key,
        )

    if kind in ("date_from_datetime_parsing", "date_parsing") and _ISO_DATE.match(str(value)):
        reason = str(ctx.get("error", "no such day"))
        return Problem(
            card_file.location(loc),
            "bad-value",
            f"expected a real date, got {_describe_value(value)} ({reason})",
            key=key,
        )

    family = kind.split("_")[0]
    if family in _EXPECTED_BY_TYPE and (
        "type" in kind or "parsing" in kind or kind == "int_from_float"
    ):
        expected = _EXPECTED_BY_TYPE[family]
        hint = _HINTS_BY_TYPE.get(family, "")
        if family in ("model", "dict") and _model_at(loc) is Figure:
            expected = "a figure (a mapping with value, provenance and source)"
            hint = _figure_hint(leaf, value)
        elif family in ("model", "dict") and _model_at(loc) is Source:
            expected = "a source (a mapping with title, url and year)"
        if kind == "int_from_float":
            expected = "a whole number"
        return Problem(
            card_file.location(loc),
            "wrong-type",
            f"expected {expected}, got {_describe_value(value)}",
            key=key,
            hint=hint,
        )

    if kind == "value_error":
        # Raised by a section's own check (e.g. inference with no figure): point at its key.
        message = str(ctx.get("error", error["msg"]))
        return Problem(card_file.location(loc, at_key=True), "missing-key", message, key=key)
    expected = _describe_constraint(kind, ctx, loc)
    message = f"expected {expected}, got {_describe_value(value)}"
    return Problem(card_file.location(loc), "bad-value", message, key=key)


def _describe_constraint(kind: str, ctx: dict[str, Any], loc: KeyPath) -> str:
    if kind == "greater_than_equal":
        return f"a number >= {ctx['ge']:g}"
    if kind == "greater_than":
        return f"a number > {ctx['gt']:g}"
    if kind == "less_than_equal":
        return f"a number <= {ctx['le']:g}"
    if kind == "finite_number":
        return "a finite number"
    if kind in ("string_too_short", "too_short"):
        return "a non-empty value"
    if kind == "string_pattern_mismatch":
        pattern = ctx.get("pattern", "")
        if pattern == CARD_ID_PATTERN:
            return "lowercase letters, digits and single hyphens (e.g. llama-3-70b)"
        if pattern == NAME_PATTERN:
            return "text without < or >"
        if pattern.startswith("^https?"):
            return "an http:// or https:// URL"
        if loc and loc[0] == "sources" or (loc and loc[-1] == "source"):
            return "a key of lowercase letters, digits, '-' or '_'"
        return f"text matching {pattern}"
    return kind.replace("_", " ")


PLACEHOLDER_PATTERN = re.compile(r"^<.*>$", re.DOTALL)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _placeholders(data: Any, path: KeyPath = ()) -> list[KeyPath]:
    """Key paths still holding a template placeholder such as "<https://...>"."""
    if isinstance(data, dict):
        return [p for key, value in data.items() for p in _placeholders(value, (*path, key))]
    if isinstance(data, list):
        return [p for index, item in enumerate(data) for p in _placeholders(item, (*path, index))]
    return [path] if isinstance(data, str) and PLACEHOLDER_PATTERN.match(data.strip()) else []


def validate_card_data(card_file: CardFile) -> tuple[Card | None, list[Problem]]:
    """Check one card's data against the format. Unknown keys warn; the card still loads."""
    if card_file.data is None:
        return None, []
    if not isinstance(card_file.data, dict):
        return None, [
            Problem(
                card_file.location(),
                "not-a-mapping",
                f"expected a mapping of keys to values, got {_describe_value(card_file.data)}",
                hint="start from `energy-cards new <id>`",
            )
        ]
    unfilled = _placeholders(card_file.data)
    problems = [
        Problem(
            card_file.location(path),
            "placeholder",
            f"expected a real value, got the template placeholder {_describe_value(value)}",
            key=format_key_path(path),
            hint="fill it in, or delete the key if it is optional and unknown",
        )
        for path in unfilled
        for value in [_value_at(card_file.data, path)]
    ]
    try:
        card = Card.model_validate(card_file.data)
        return (None if problems else card), problems
    except ValidationError as exc:
        all_errors = exc.errors(include_url=False)
        reported = set(unfilled) | card_file.non_text_keys
        errors = [e for e in all_errors if tuple(e["loc"]) not in reported]
    problems += [_problem_from_error(card_file, error) for error in errors]
    if any(p.severity is Severity.ERROR for p in problems):
        return None, problems
    # Only unknown keys: drop them and load the card, so a warning does not hide the card.
    data = _without_paths(card_file.data, [tuple(e["loc"]) for e in all_errors])
    try:
        return Card.model_validate(data), problems
    except ValidationError:  # only when the loader already reported the rest (odd keys)
        return None, problems


def _value_at(data: Any, path: KeyPath) -> Any:
    for part in path:
        data = data[part]
    return data


def _without_paths(data: Any, paths: Sequence[KeyPath]) -> Any:
    cleaned = copy.deepcopy(data)
    for path in paths:
        parent = cleaned
        for part in path[:-1]:
            parent = parent[part]
        parent.pop(path[-1], None)
    return cleaned


def raw_card_id(card_file: CardFile) -> str | None:
    """The id a card declares, read from its raw data so invalid cards are still checked."""
    data = card_file.data
    value = data.get("id") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def check_source_references(card_file: CardFile) -> list[Problem]:
    """Every figure cites a source the card defines (checked on raw data, so it runs even
    when other keys are wrong; skipped when `sources` itself is malformed)."""
    data = card_file.data
    sources = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(sources, dict):
        return []
    known = sorted(str(k) for k in sources)
    problems = []
    for section_name, field_name in FIGURE_FIELDS:
        section = data.get(section_name)
        figure = section.get(field_name) if isinstance(section, dict) else None
        cited = figure.get("source") if isinstance(figure, dict) else None
        if isinstance(cited, str) and cited not in known:
            key_path = (section_name, field_name, "source")
            problems.append(
                Problem(
                    card_file.location(key_path),
                    "unknown-source",
                    f"expected a key of `sources` ({', '.join(known) or 'none defined'}), "
                    f"got '{cited}'",
                    key=format_key_path(key_path),
                    hint="add the source under `sources:` or fix the key",
                )
            )
    return problems


def check_card_ids(card_files: Sequence[CardFile]) -> list[Problem]:
    """Each card's id is its file name and the page URL: one message per mistake.

    A card whose id differs from its file name gets `id-mismatch` (saying which card already
    owns the id, if one does); `duplicate-card-id` is left for files whose names agree with
    their ids and still clash (`a.yaml` and `a.yml`, or the same name in two folders).
    """
    declared = [(f, raw_card_id(f)) for f in card_files]
    valid = [(f, i) for f, i in declared if i is not None and re.fullmatch(CARD_ID_PATTERN, i)]
    owners: dict[str, list[CardFile]] = defaultdict(list)
    for card_file, card_id in valid:
        if card_file.stem == card_id:
            owners[card_id].append(card_file)
    problems = []
    for card_file, card_id in valid:
        if card_file.stem != card_id:
            taken = (
                owners.get(card_id)
                or [f for f, i in valid if i == card_id and f is not card_file][:1]
            )
            also = f" (already the id of {taken[0].display_path})" if taken else ""
            problems.append(
                Problem(
                    card_file.location(("id",)),
                    "id-mismatch",
                    f"expected the file name '{card_file.stem}', got '{card_id}'{also}",
                    key="id",
                    hint=f"set id: {card_file.stem}"
                    if taken or not re.fullmatch(CARD_ID_PATTERN, card_file.stem)
                    else f"set id: {card_file.stem}, or rename the file to {card_id}.yaml",
                )
            )
    for card_id, files in sorted(owners.items()):
        first, *others = sorted(files, key=lambda f: f.display_path)
        for card_file in others:
            problems.append(
                Problem(
                    card_file.location(("id",)),
                    "duplicate-card-id",
                    f"expected a unique id, got '{card_id}', already the id of "
                    f"{first.display_path}",
                    key="id",
                    hint="one card per model: merge the two files or give this model its own id",
                )
            )
    return problems
