"""Render stage: pure functions from computed summaries to page text (Markdown, JSON).

Every page is a jinja2 template in `templates/`. Card text is escaped wherever it lands:
the environment escapes every `{{ ... }}` for Markdown unless a filter marks its output as
already safe (`Markup`), so forgetting a filter can never let card text become markup.
"""

from __future__ import annotations

import html
import json
import re
import types
import typing
from collections.abc import Sequence
from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup
from pydantic import BaseModel

from generator.compute.diff import CardsDiff
from generator.compute.open_data import cards_table
from generator.compute.summary import CardSummary, TaskGroup, group_by_task
from generator.formats.card import (
    TASK_LABELS,
    Card,
    Inference,
    Source,
    Task,
    Training,
    card_json_schema_text,
)
from generator.formats.factors import Factor
from generator.formats.open_data import COLUMNS
from generator.formats.rating_reference import SIZE_CLASS_NOTE, RatingReference
from generator.render.charts import ChartSpec
from generator.render.escaping import SCOPE_LABELS, escape_markdown
from generator.render.open_data import cards_csv, cards_json
from generator.render.publish import (
    label_svg_path,
    render_hf_metadata_yaml,
    render_model_card_section,
    render_publish_files,
)
from generator.units import format_count, format_count_words, format_number


def _finalize(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    return escape_markdown(value)


def _inline(value: Any) -> str:
    """One line of text (table cells): newlines become spaces."""
    return " ".join(str(value).split())


def _link(text: Any, url: str | None) -> Markup:
    """An HTML link with escaped text; urls are validated http(s) at load time."""
    label = escape_markdown(_inline(text))
    if not url:
        return Markup(label)
    return Markup(f'<a href="{html.escape(url, quote=True)}">{label}</a>')


_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def _slug(value: Any) -> Markup:
    """A card id or task id, unescaped for use in link targets (validated as a slug)."""
    text = str(getattr(value, "value", value))
    if not _SLUG.match(text):
        raise ValueError(f"not a slug: {text!r}")
    return Markup(text)


def _html(value: Any) -> Markup:
    """Text for raw HTML blocks, which Markdown leaves alone: HTML-escaped only."""
    return Markup(html.escape(str(value), quote=True))


def _code(value: Any) -> Markup:
    """A Markdown code span: its content is literal (Markdown escapes <, >, & in it), so only
    backticks need handling."""
    return Markup("`" + _inline(value).replace("`", "'") + "`")


def _stars(count: int) -> Markup:
    """Filled and empty stars, with a text alternative for screen readers."""
    shown = "★" * count + "☆" * (5 - count)
    return Markup(
        f'<span class="ec-stars" role="img" aria-label="{count} of 5 stars">{shown}</span>'
    )


def _raw_number(value: float | None) -> Markup:
    """A number for an HTML data attribute (JavaScript reads it with Number())."""
    return Markup("" if value is None else repr(float(value)))


def _value(value: Any) -> str | Markup:
    """A figure in a diff: numbers formatted, nothing shown as "none"."""
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return Markup(format_number(value))  # digits, commas and a point: nothing to escape
    return _inline(value)


def render_diff(diff: CardsDiff, base_ref: str, base_problems: int, problems: int) -> str:
    return _render(
        "diff.md.j2", d=diff, base_ref=base_ref, base_problems=base_problems, problems=problems
    )


def _url_path(value: str) -> Markup:
    """A relative path for a Markdown link target (percent-encoded, no parentheses)."""
    from urllib.parse import quote

    return Markup(quote(str(value), safe="/._-"))


def _number(value: float) -> str:
    return format_number(value)


def _yaml_string(value: Any) -> Markup:
    # JSON strings are valid YAML; `&` is escaped because themes unescape titles when
    # stripping tags.
    return Markup(json.dumps(html.escape(_inline(value), quote=False), ensure_ascii=False))


def _badge(provenance: str) -> Markup:
    word = escape_markdown(provenance)
    return Markup(f'<span class="ec-badge ec-badge--{word}">{word}</span>')


@cache
def template_environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("generator", "templates"),
        finalize=_finalize,
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        inline=_inline,
        link=_link,
        number=_number,
        value=_value,
        slug=_slug,
        url_path=_url_path,
        stars=_stars,
        raw_number=_raw_number,
        count=format_count,
        code=_code,
        html=_html,
        fence=_fence,
        count_words=format_count_words,
        yaml_string=_yaml_string,
        badge=_badge,
    )
    environment.globals.update(TASK_LABELS=TASK_LABELS, SCOPE_LABELS=SCOPE_LABELS)
    return environment


def _render(template: str, **context: Any) -> str:
    return template_environment().get_template(template).render(**context)


HOUSEHOLD_FACTOR_ID = "household-electricity-day"


def _calculator_g_per_kwh(summary: CardSummary) -> float | None:
    """The grid intensity behind the card's CO2 per query (None when it has none)."""
    energy = summary.headline_inference_energy
    if summary.measured and summary.measured.carbon and energy:
        return summary.measured.carbon.g_co2e_per_1000_queries / energy.value
    return None


def _fence(text: str) -> Markup:
    """A fenced code block that no run of backticks or tildes inside `text` can close."""
    longest = max((len(m) for m in re.findall(r"~+|`+", text)), default=0)
    fence = "~" * max(4, longest + 1)
    return Markup(f"{fence}\n{text.rstrip()}\n{fence}")


def card_tags(summary: CardSummary) -> list[str]:
    """Search and browse tags: the task, the organization, then the card's own (unique)."""
    card = summary.card
    return list(dict.fromkeys([summary.task_label, card.organization, *card.tags]))


def render_card_page(
    summary: CardSummary, factors: Sequence[Factor] = (), charts: Sequence[ChartSpec] = ()
) -> str:
    sources: dict[str, Source] = summary.card.sources
    household = next((f for f in factors if f.id == HOUSEHOLD_FACTOR_ID), None)
    return _render(
        "card.md.j2",
        s=summary,
        card=summary.card,
        sources=sources,
        household_kwh_per_year=household.value if household else None,
        household_source=household.source if household else None,
        calculator_g_per_kwh=_calculator_g_per_kwh(summary),
        page_tags=card_tags(summary),
        charts=charts,
        kit={
            "model_card_md": render_model_card_section(summary),
            "hf_metadata": render_hf_metadata_yaml(summary),
        },
    )


def render_task_page(group: TaskGroup) -> str:
    return _render("task.md.j2", group=group)


def render_tasks_index(groups: Sequence[TaskGroup]) -> str:
    return _render("tasks_index.md.j2", groups=groups)


def render_all_cards_page(summaries: Sequence[CardSummary]) -> str:
    ordered = sorted(summaries, key=lambda s: (s.card.name.lower(), s.card.id))
    return _render("cards_index.md.j2", summaries=ordered)


def render_home_page(
    summaries: Sequence[CardSummary],
    groups: Sequence[TaskGroup],
    charts: Sequence[ChartSpec] = (),
) -> str:
    return _render(
        "home.md.j2",
        summaries=summaries,
        groups=groups,
        charts=charts,
        training_count=sum(1 for s in summaries if s.training_figures),
        inference_count=sum(1 for s in summaries if s.inference_figures or _has_files(s)),
    )


def _has_files(summary: CardSummary) -> bool:
    return bool(summary.card.inference and summary.card.inference.measurements)


def _type_name(annotation: Any) -> str:
    """A short, human name for a field's type in the card-format reference."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in args if a is not type(None))
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if origin is dict:
        return f"mapping of key to {_type_name(args[1])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation.__name__
    if isinstance(annotation, type) and issubclass(annotation, str) and annotation is not str:
        return "one of: " + ", ".join(member.value for member in annotation)
    return {str: "text", int: "whole number", float: "number", bool: "true/false"}.get(
        annotation, getattr(annotation, "__name__", str(annotation))
    )


def _field_rows(model: type[BaseModel]) -> list[dict[str, str]]:
    return [
        {
            "name": name,
            "type": _type_name(info.annotation),
            "required": "yes" if info.is_required() else "no",
            "description": info.description or "",
        }
        for name, info in model.model_fields.items()
    ]


def card_format_sections() -> list[tuple[str, str, list[dict[str, str]]]]:
    """(title, docstring, field rows) for each model of the card format, from pydantic."""
    from generator.formats.card import (
        ConflictingValue,
        Figure,
        GridZone,
        InferenceConditions,
        Links,
        MeasurementFile,
        RowSelection,
    )

    models: list[tuple[str, type[BaseModel]]] = [
        ("Card (top level)", Card),
        ("Source (under `sources`)", Source),
        ("Figure (every number)", Figure),
        ("ConflictingValue (under a figure's `conflicts`)", ConflictingValue),
        ("Links", Links),
        ("Training", Training),
        ("Inference", Inference),
        ("InferenceConditions (under `inference.conditions`)", InferenceConditions),
        ("MeasurementFile (under `inference.measurements`)", MeasurementFile),
        ("RowSelection (under a measurement's `select`)", RowSelection),
        ("GridZone (under `inference.grid`)", GridZone),
    ]
    return [(title, model.__doc__ or "", _field_rows(model)) for title, model in models]


def render_card_format_page() -> str:
    return _render("card_format.md.j2", sections=card_format_sections(), tasks=list(Task))


def render_methodology_page(
    factors: Sequence[Factor], reference: RatingReference | None, grid_version: str
) -> str:
    return _render(
        "methodology.md.j2",
        factors=factors,
        reference=reference,
        grid_version=grid_version,
        size_class_note=SIZE_CLASS_NOTE,
        household_id=HOUSEHOLD_FACTOR_ID,
    )


def render_site_pages(
    summaries: Sequence[CardSummary],
    factors: Sequence[Factor] = (),
    reference: RatingReference | None = None,
    grid_version: str = "",
    home_charts: Sequence[ChartSpec] = (),
    card_charts: dict[str, list[ChartSpec]] | None = None,
) -> tuple[dict[str, str | bytes], dict[str, str]]:
    """Every generated file of the docs folder, by path relative to it (charts are files
    the build renders separately; pages only link to them), and each card's label SVG by
    card id (handed to the image step, which makes the PNGs)."""
    groups = group_by_task(summaries)
    card_charts = card_charts or {}
    pages = {
        "index.md": render_home_page(summaries, groups, home_charts),
        "cards/index.md": render_all_cards_page(summaries),
        "tasks/index.md": render_tasks_index(groups),
        "reference/card-format.md": render_card_format_page(),
        "schema/card.schema.json": card_json_schema_text(),
        "methodology.md": render_methodology_page(factors, reference, grid_version),
    }
    rows = cards_table(summaries)
    pages["data/cards.json"] = cards_json(rows)
    pages["data/cards.csv"] = cards_csv(rows)
    pages["data/index.md"] = _render("data.md.j2", columns=COLUMNS, count=len(rows))
    pages["compare.md"] = _render("compare.md.j2")
    label_svgs = {}
    for summary in summaries:
        pages[f"cards/{summary.card.id}.md"] = render_card_page(
            summary, factors, card_charts.get(summary.card.id, ())
        )
        publish_files = render_publish_files(summary)
        pages.update(publish_files)
        label_svgs[summary.card.id] = publish_files[label_svg_path(summary.card.id)].decode()
    for group in groups:
        pages[f"tasks/{group.task.value}.md"] = render_task_page(group)
    return pages, label_svgs
