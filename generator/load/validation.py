"""Load stage helper: marked data (values with their line and column) -> a pydantic record.

Takes what a loader read with positions (a `CardFile`, or any record with `data`,
`non_text_keys` and `location()`) and the pydantic model of its format; gives the record (None
when the data has errors) and every problem located at `path:line:col`, worded "expected X,
got Y". Cards, the factor table, the rating reference and measurement.json all go through it,
so a broken file reads the same whichever file it is. `check/cards.py` adds card hints on top.
"""

from __future__ import annotations

import copy
import difflib
import re
import types
import typing
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from generator.load.cards import CardFile, KeyPath, parse_card_text
from generator.load.files import read_limited_text
from generator.problems import Location, Problem, Severity, format_key_path

Model = TypeVar("Model", bound=BaseModel)

EXPECTED_BY_TYPE = {
    "float": "a number",
    "int": "a whole number",
    "string": "text",
    "bool": "true or false",
    "date": "a date written YYYY-MM-DD",
    "dict": "a mapping of keys to values",
    "model": "a mapping of keys to values",
    "list": "a list",
    "tuple": "a list",
}

HINTS_BY_TYPE = {
    "float": "write a bare number without units or commas",
    "int": "write a whole number without units or commas",
    "date": "write the date as YYYY-MM-DD, e.g. 2024-04-18",
    "bool": "write true or false",
}
# A sensible example per numeric key, in every format read through here (a batch size is not
# a parameter count). A figure's `value` (and its conflicts' values) takes its figure's key.
EXAMPLE_BY_KEY: dict[str, str] = {
    "parameter_count": "8000000000",
    "batch_size": "8",
    "queries": "1000",
    "queries_per_run": "1000",
    "year": "2024",
    "cpu_count": "8",
    "gpu_count": "1",
    "ram_total_size_gb": "64",
    "min_group_cards": "3",
    "max_parameters": "20000000000",
    "min_kwh_per_1000_queries": "0.02",
    "max_kwh_per_1000_queries": "4.5",
    "gpu_hours": "1300000",
    "energy_kwh": "500000",
    "finetuning_energy_kwh": "20000",
    "power_per_gpu_w": "700",
    "pue": "1.1",
    "emissions_tco2e": "1900",
    "emissions_location_based_tco2e": "1900",
    "emissions_market_based_tco2e": "0",
    "emissions_lifecycle_tco2e": "2400",
    "break_even_queries": "500000000",
    "energy_kwh_per_1000_queries": "0.05",
    "emissions_g_co2e_per_1000_queries": "20",
    "carbon_intensity_g_per_kwh": "400",
    "ai_energy_score_stars": "3",
}
FALLBACK_EXAMPLE = {"float": "1500", "int": "1000"}


class Marked(Protocol):
    """Data as read, with where each key path sits in its file."""

    data: Any
    non_text_keys: set[KeyPath]

    def location(self, key_path: KeyPath = (), *, at_key: bool = False) -> Location: ...


Translate = Callable[[Marked, dict[str, Any]], Problem]


def describe_value(value: Any) -> str:
    """A value as a message shows it after "got": `'lots'`, `a list`, `nothing (...)`."""
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
    if isinstance(value, int) and value.bit_length() > 200:  # str() of a huge int is slow
        return f"a whole number of about {round(value.bit_length() * 0.30103)} digits"
    shown = repr(value) if isinstance(value, bytes) else str(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _unwrap(annotation: Any) -> Any:
    """The model or container type inside Optional[...] / Annotated[...]."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _unwrap(members[0]) if len(members) == 1 else annotation
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    return annotation


def model_at(root: type[BaseModel], key_path: KeyPath) -> type[BaseModel] | None:
    """The pydantic model class that describes the mapping at `key_path`, if any."""
    current: Any = root
    for part in key_path:
        origin = typing.get_origin(current)
        if origin in (list, tuple) and isinstance(part, int):
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


def describe_constraint(kind: str, ctx: dict[str, Any]) -> str:
    """What a failed pydantic constraint asked for, in words."""
    if kind == "greater_than_equal":
        return f"a number >= {ctx['ge']:g}"
    if kind == "greater_than":
        return f"a number > {ctx['gt']:g}"
    if kind == "less_than_equal":
        return f"a number <= {ctx['le']:g}"
    if kind == "less_than":
        return f"a number < {ctx['lt']:g}"
    if kind == "string_too_long":
        return f"text of at most {ctx['max_length']:,} characters"
    if kind == "finite_number":
        return "a finite number"
    if kind in ("string_too_short", "too_short"):
        return "a non-empty value"
    if kind == "string_pattern_mismatch":
        pattern = ctx.get("pattern", "")
        if pattern.startswith("^https?"):
            return "an http:// or https:// URL"
        return f"text matching {pattern}"
    return kind.replace("_", " ")


def problem_from_error(
    marked: Marked, error: dict[str, Any], root: type[BaseModel], format_name: str
) -> Problem:
    """One pydantic error as a located problem; `format_name` as in "the card format"."""
    loc: KeyPath = tuple(error["loc"])
    kind: str = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    key = format_key_path(loc)
    leaf = str(loc[-1]) if loc else "the file"

    if kind == "missing":
        model = model_at(root, loc[:-1])
        field = model.model_fields.get(leaf) if model else None
        description = f" ({field.description})" if field and field.description else ""
        in_list = len(loc) >= 2 and isinstance(loc[-2], int)  # a list item has no key of its own
        return Problem(
            marked.location(loc[:-1], at_key=not in_list),
            "missing-key",
            f"required key is missing{description}",
            key=key,
            hint=f"add `{leaf}:` under {format_key_path(loc[:-1]) or 'the top level'}",
        )
    if kind == "extra_forbidden":
        model = model_at(root, loc[:-1])
        allowed = sorted(model.model_fields) if model else []
        close = closest(leaf, allowed)
        hint = f"did you mean `{close}`?" if close else f"known keys here: {', '.join(allowed)}"
        # An error, not a warning: a misspelt key is a figure that would silently vanish.
        return Problem(
            marked.location(loc, at_key=True),
            "unknown-key",
            f"unknown key; {format_name} does not define it, so its value would be lost",
            key=key,
            hint=hint,
        )
    if kind in ("enum", "literal_error"):
        expected = ctx.get("expected", "")
        close = closest(value, re.findall(r"'([^']*)'", expected))
        return Problem(
            marked.location(loc),
            "not-one-of",
            f"expected one of {expected}, got {describe_value(value)}",
            key=key,
            hint=f"did you mean {close}?" if close else "",
        )
    if kind in ("date_from_datetime_parsing", "date_parsing") and _is_iso_date(value):
        reason = str(ctx.get("error", "no such day"))
        return Problem(
            marked.location(loc),
            "bad-value",
            f"expected a real date, got {describe_value(value)} ({reason})",
            key=key,
        )
    if kind == "string_unicode":  # a lone surrogate, written as an escape such as "\ud800"
        message = "expected text of real characters, got a lone surrogate (a broken escape)"
        return Problem(marked.location(loc), "bad-character", message, key=key)
    if kind in ("bad_value", "bad_character"):
        # A format's own check (formats/values.py): it says what it expected and what it got.
        message = f"expected {ctx['expected']}, got {ctx.get('got') or describe_value(value)}"
        return Problem(marked.location(loc), kind.replace("_", "-"), message, key=key)
    family = kind.split("_")[0]
    if family in EXPECTED_BY_TYPE and (
        "type" in kind or "parsing" in kind or kind == "int_from_float"
    ):
        expected = "a whole number" if kind == "int_from_float" else EXPECTED_BY_TYPE[family]
        return Problem(
            marked.location(loc),
            "wrong-type",
            f"expected {expected}, got {describe_value(value)}",
            key=key,
            hint=_type_hint(family, value, loc),
        )
    if kind == "value_error":
        # Raised by a model's own cross-field check: point at the mapping's key.
        message = str(ctx.get("error", error["msg"]))
        in_list = bool(loc) and isinstance(loc[-1], int)
        return Problem(marked.location(loc, at_key=not in_list), "bad-value", message, key=key)
    message = f"expected {describe_constraint(kind, ctx)}, got {describe_value(value)}"
    return Problem(marked.location(loc), "bad-value", message, key=key)


# What YAML 1.1 reads as text although it looks like a number: `1e6` (no dot, no sign).
_EXPONENT = re.compile(r"^([-+]?[0-9]+)(?:\.([0-9]*))?[eE]([-+]?)([0-9]+)$")


def closest(word: Any, known: Sequence[str]) -> str | None:
    """The known word `word` was most likely meant as (difflib, ignoring case), if any."""
    if not isinstance(word, str) or not word.strip():
        return None
    by_lower = {name.lower(): name for name in known}
    close = difflib.get_close_matches(word.strip().lower(), list(by_lower), n=1)
    return by_lower[close[0]] if close else None


def _example_key(loc: KeyPath) -> str | None:
    """The key whose example fits `loc`: a figure's value (or its conflicts') takes the figure's."""
    names = [str(part) for part in loc if not isinstance(part, int)]
    if names and names[-1] == "value":
        names = [name for name in names[:-1] if name != "conflicts"] or names
    return names[-1] if names else None


def _type_hint(family: str, value: Any, loc: KeyPath = ()) -> str:
    hint = HINTS_BY_TYPE.get(family, "")
    if family in FALLBACK_EXAMPLE:
        leaf = _example_key(loc)
        example = EXAMPLE_BY_KEY.get(leaf or "")
        written_key = str(loc[-1]) if loc and not isinstance(loc[-1], int) else None
        if example and written_key:
            hint += f", e.g. {written_key}: {example}"
        else:
            hint += f", e.g. {FALLBACK_EXAMPLE[family]}"
    if isinstance(value, bool) and family in ("float", "int"):
        return f"{hint}; YAML reads yes/no, on/off and true/false as true or false"
    exponent = _EXPONENT.match(value.strip()) if isinstance(value, str) else None
    if exponent and family == "float":
        whole, fraction, sign, power = exponent.groups()
        written = f"{whole}.{fraction or 0}e{sign or '+'}{power}"
        return f"YAML reads {value.strip()} as text: write {written} (a dot, and a sign after e)"
    return hint


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _is_iso_date(value: Any) -> bool:
    return bool(_ISO_DATE.match(str(value)))


def validate_marked(
    marked: Marked,
    model: type[Model],
    *,
    format_name: str,
    translate: Translate | None = None,
    reported: Collection[KeyPath] = (),
    not_a_mapping_hint: str = "",
) -> tuple[Model | None, list[Problem]]:
    """Check marked data against `model`: the record (None on any error) and all problems.

    Unknown keys are errors (a misspelt key would lose its value without a word); the rest of
    the data is still checked without them, so every problem shows in one run. `translate`
    replaces `problem_from_error` for formats with their own hints; errors at key paths in
    `reported` were already reported by the caller and are skipped.
    """
    if marked.data is None:
        return None, []
    if not isinstance(marked.data, dict):
        problem = Problem(
            marked.location(),
            "not-a-mapping",
            f"expected a mapping of keys to values, got {describe_value(marked.data)}",
            hint=not_a_mapping_hint,
        )
        return None, [problem]
    to_problem = translate or (
        lambda marks, error: problem_from_error(marks, error, model, format_name)
    )
    try:
        return model.model_validate(marked.data), []
    except ValidationError as exc:
        all_errors = exc.errors(include_url=False)
    skipped = set(reported) | marked.non_text_keys | getattr(marked, "reported_paths", set())
    problems = [to_problem(marked, e) for e in all_errors if tuple(e["loc"]) not in skipped]
    if any(p.severity is Severity.ERROR and p.code != "unknown-key" for p in problems):
        return None, problems
    # Only unknown keys (or odd keys the loader already reported): drop them and check the rest,
    # so a misspelt key does not hide what the model's own checks say (e.g. no figure left).
    data = _without_paths(marked.data, [tuple(e["loc"]) for e in all_errors])
    try:
        record = model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        return None, problems + [
            to_problem(marked, e) for e in errors if tuple(e["loc"]) not in skipped
        ]
    return (None if has_errors(problems) else record), problems


def _without_paths(data: Any, paths: Sequence[KeyPath]) -> Any:
    cleaned = copy.deepcopy(data)
    for path in paths:
        parent = cleaned
        for part in path[:-1]:
            parent = parent[part]
        parent.pop(path[-1], None)
    return cleaned


def read_marked_yaml(
    path: Path, display_path: str, *, unreadable_code: str = "missing-file", hint: str = ""
) -> tuple[CardFile, list[Problem]]:
    """Read a YAML file keeping its marks; unreadable bytes are one `unreadable_code` problem.

    `hint` is said when the file cannot be read or is empty.
    """
    text, problems = read_limited_text(path, display_path, encoding_code=unreadable_code, hint=hint)
    if text is None:
        return CardFile(path=path, display_path=display_path), problems
    return parse_card_text(text, path, display_path, empty_hint=hint)


def has_errors(problems: Sequence[Problem]) -> bool:
    """True when any problem is an error (a record with errors goes no further)."""
    return any(p.severity is Severity.ERROR for p in problems)
