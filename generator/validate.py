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

from generator.load.cards import CardFile, KeyPath
from generator.problems import Problem, Severity
from generator.schema import CARD_ID_PATTERN, FIGURE_FIELDS, NAME_PATTERN, Card, Figure, Source

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


def _key_text(key_path: KeyPath) -> str:
    text = ""
    for part in key_path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


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
    key = _key_text(loc)
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
            hint=f"add `{leaf}:` under {_key_text(loc[:-1]) or 'the top level'}",
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

    expected = _describe_constraint(kind, ctx, loc)
    if kind == "value_error":
        message = str(ctx.get("error", error["msg"]))
    else:
        message = f"expected {expected}, got {_describe_value(value)}"
    return Problem(card_file.location(loc), "bad-value", message, key=key)


def _describe_constraint(kind: str, ctx: dict[str, Any], loc: KeyPath) -> str:
    if kind == "greater_than_equal":
        return f"a number >= {ctx['ge']:g}"
    if kind == "greater_than":
        return f"a number > {ctx['gt']:g}"
    if kind == "less_than_equal":
        return f"a number <= {ctx['le']:g}"
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
            key=_key_text(path),
            hint="fill it in, or delete the key if it is optional and unknown",
        )
        for path in unfilled
        for value in [_value_at(card_file.data, path)]
    ]
    try:
        card = Card.model_validate(card_file.data)
        return (None if problems else card), problems
    except ValidationError as exc:
        errors = [e for e in exc.errors(include_url=False) if tuple(e["loc"]) not in unfilled]
    problems += [_problem_from_error(card_file, error) for error in errors]
    if any(p.severity is Severity.ERROR for p in problems):
        return None, problems
    # Only unknown keys: drop them and load the card, so a warning does not hide the card.
    data = _without_paths(card_file.data, [tuple(e["loc"]) for e in errors])
    return Card.model_validate(data), problems


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


def check_card_references(card_file: CardFile) -> list[Problem]:
    """Checks across fields of one card, on raw data (they run even when other keys are wrong):
    the id matches the file name; every figure cites a source the card defines."""
    data = card_file.data
    if not isinstance(data, dict):
        return []
    problems = []
    card_id = raw_card_id(card_file)
    if card_id is not None and card_id != card_file.stem:
        problems.append(
            Problem(
                card_file.location(("id",)),
                "id-mismatch",
                f"expected the file name '{card_file.stem}', got '{card_id}'",
                key="id",
                hint=f"rename the file to {card_id}.yaml or set id: {card_file.stem}",
            )
        )
    sources = data.get("sources")
    known = sorted(str(k) for k in sources) if isinstance(sources, dict) else []
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
                    key=_key_text(key_path),
                    hint="add the source under `sources:` or fix the key",
                )
            )
    return problems


def check_duplicate_ids(card_files: Sequence[CardFile]) -> list[Problem]:
    """Two files must not declare the same id: it is the page URL."""
    by_id: dict[str, list[CardFile]] = defaultdict(list)
    for card_file in card_files:
        card_id = raw_card_id(card_file)
        if card_id is not None:
            by_id[card_id].append(card_file)
    problems = []
    for card_id, files in sorted(by_id.items()):
        if len(files) < 2:
            continue
        for card_file in files:
            others = ", ".join(f.display_path for f in files if f is not card_file)
            problems.append(
                Problem(
                    card_file.location(("id",)),
                    "duplicate-card-id",
                    f"expected a unique id, got '{card_id}', also declared in {others}",
                    key="id",
                    hint="each card needs its own id, the same as its file name",
                )
            )
    return problems
