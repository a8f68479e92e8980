"""Validate stage: card data -> `Card` models, with every problem located at file:line:col.

Pure: takes `CardFile` records from the loader, gives models and problems. pydantic does the
checking; this module turns its errors into messages a contributor can act on
("expected a number, got 'lots'") and adds the checks that span fields or cards.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from generator.formats.card import (
    CARD_ID_PATTERN,
    CITING_FIELDS,
    Card,
    Figure,
    Source,
)
from generator.formats.values import NAME_PATTERN
from generator.load.cards import CardFile, KeyPath
from generator.load.grid import GridData
from generator.load.validation import (
    Marked,
    describe_value,
    model_at,
    problem_from_error,
    validate_marked,
)
from generator.problems import Problem, Severity, format_key_path


def _figure_hint(key: str, value: Any) -> str:
    shown = value if isinstance(value, int | float) and not isinstance(value, bool) else 123
    return (
        f"a figure is a mapping: {key}: {{value: {shown}, provenance: reported, "
        "source: <key in sources>, where: 'Table 1'}"
    )


def _problem_from_error(card_file: Marked, error: dict[str, Any]) -> Problem:
    """The generic translation (`load.validation`), with the card's own words on top."""
    loc: KeyPath = tuple(error["loc"])
    kind: str = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    key = format_key_path(loc)
    family = kind.split("_")[0]
    if family in ("model", "dict") and ("type" in kind or "parsing" in kind):
        model = model_at(Card, loc)
        if model is Figure:
            expected, hint = (
                "a figure (a mapping with value, provenance and source)",
                _figure_hint(str(loc[-1]) if loc else "card", value),
            )
        elif model is Source:
            expected, hint = "a source (a mapping with title, url and year)", ""
        else:
            expected = hint = ""
        if expected:
            message = f"expected {expected}, got {describe_value(value)}"
            return Problem(card_file.location(loc), "wrong-type", message, key=key, hint=hint)
    if kind == "value_error":
        # Raised by a section's own check (e.g. inference with no figure): point at its key.
        message = str(ctx.get("error", error["msg"]))
        return Problem(card_file.location(loc, at_key=True), "missing-key", message, key=key)
    if kind == "string_pattern_mismatch":
        pattern = ctx.get("pattern", "")
        expected = ""
        if pattern == CARD_ID_PATTERN:
            expected = "lowercase letters, digits and single hyphens (e.g. llama-3-70b)"
        elif pattern == NAME_PATTERN:
            expected = "text without < or >"
        elif not pattern.startswith("^https?") and (
            loc and loc[0] == "sources" or (loc and loc[-1] == "source")
        ):
            expected = "a key of lowercase letters, digits, '-' or '_'"
        if expected:
            message = f"expected {expected}, got {describe_value(value)}"
            return Problem(card_file.location(loc), "bad-value", message, key=key)
    return problem_from_error(card_file, error, Card, "the card format")


PLACEHOLDER_PATTERN = re.compile(r"^<.*>$", re.DOTALL)


def _placeholders(data: Any, path: KeyPath = ()) -> list[KeyPath]:
    """Key paths still holding a template placeholder such as "<https://...>"."""
    if isinstance(data, dict):
        return [p for key, value in data.items() for p in _placeholders(value, (*path, key))]
    if isinstance(data, list):
        return [p for index, item in enumerate(data) for p in _placeholders(item, (*path, index))]
    return [path] if isinstance(data, str) and PLACEHOLDER_PATTERN.match(data.strip()) else []


def validate_card_data(card_file: CardFile, grid: GridData) -> tuple[Card | None, list[Problem]]:
    """Check one card's data against the format and its grid zone against `grid` (the
    intensity table the build computes with). Unknown keys are errors, like any other."""
    unfilled = _placeholders(card_file.data) if isinstance(card_file.data, dict) else []
    problems = [
        Problem(
            card_file.location(path),
            "placeholder",
            f"expected a real value, got the template placeholder {describe_value(value)}",
            key=format_key_path(path),
            hint="fill it in, or delete the key if it is optional and unknown",
        )
        for path in unfilled
        for value in [_value_at(card_file.data, path)]
    ]
    card, more = validate_marked(
        card_file,
        Card,
        format_name="the card format",
        translate=_problem_from_error,
        reported=unfilled,
        not_a_mapping_hint="start from `energy-cards new <id>`",
    )
    problems += more
    if card is not None:
        problems += check_grid_zone(card_file, card, grid)
    return (None if any(p.severity is Severity.ERROR for p in problems) else card), problems


def _grid_hint(value: str, known: Sequence[str]) -> str:
    instead = "state the intensity as inference.carbon_intensity_g_per_kwh (cited) instead"
    close = difflib.get_close_matches(value, known, n=1)
    return f"did you mean {close[0]}? If not, {instead}" if close else instead


def check_grid_zone(card_file: CardFile, card: Card, grid: GridData) -> list[Problem]:
    """The card's `inference.grid` names zones CodeCarbon has an intensity for (else the card's
    CO2 would silently fall back to another zone, or to none)."""
    zone = card.inference.grid if card.inference else None
    if zone is None:
        return []
    problems = []

    def unknown(field: str, expected: str, value: str, known: Sequence[str]) -> None:
        key_path = ("inference", "grid", field)
        problems.append(
            Problem(
                card_file.location(key_path),
                "not-one-of",
                f"expected {expected}, got {describe_value(value)}",
                key=format_key_path(key_path),
                hint=_grid_hint(value, known),
            )
        )

    if zone.country_iso_code and zone.country_iso_code not in grid.countries:
        unknown(
            "country_iso_code",
            "an ISO 3166 alpha-3 code CodeCarbon has a grid intensity for (e.g. FRA, USA)",
            zone.country_iso_code,
            sorted(grid.countries),
        )
    if zone.us_state and zone.us_state.lower() not in grid.us_states:
        unknown(
            "us_state",
            "a US state CodeCarbon has a grid intensity for (e.g. california)",
            zone.us_state,
            sorted(grid.us_states),
        )
    providers = sorted({provider for provider, _ in grid.cloud_regions})
    if zone.cloud_provider and zone.cloud_provider.lower() not in providers:
        unknown(
            "cloud_provider",
            f"a cloud provider CodeCarbon has regions for ({', '.join(providers)})",
            zone.cloud_provider,
            providers,
        )
    elif zone.cloud_provider and zone.cloud_region:
        provider = zone.cloud_provider.lower()
        regions = sorted(region for name, region in grid.cloud_regions if name == provider)
        if zone.cloud_region.lower() not in regions:
            unknown(
                "cloud_region",
                f"a {provider} region CodeCarbon has a grid intensity for (e.g. {regions[0]})",
                zone.cloud_region,
                regions,
            )
    if bool(zone.cloud_provider) != bool(zone.cloud_region):
        given, missing = (
            ("cloud_provider", "cloud_region")
            if zone.cloud_provider
            else ("cloud_region", "cloud_provider")
        )
        problems.append(
            Problem(
                card_file.location(("inference", "grid"), at_key=True),
                "missing-key",
                f"a cloud zone needs both cloud_provider and cloud_region, got only {given}",
                key=format_key_path(("inference", "grid", missing)),
                hint=f"add `{missing}:` under inference.grid",
            )
        )
    return problems


def _value_at(data: Any, path: KeyPath) -> Any:
    for part in path:
        data = data[part]
    return data


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
    for section_name, field_name in CITING_FIELDS:
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
                    f"got {describe_value(cited)}",
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
