"""Render stage: pure functions from computed summaries to page text (Markdown, JSON).

Every page is a jinja2 template in `templates/`, rendered by the one environment of
`generator.render.environment`, which escapes card text wherever it lands.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import MutableMapping, Sequence
from typing import Any

from pydantic import BaseModel

from generator.compute.diff import CardsDiff
from generator.compute.open_data import cards_conditions, cards_table
from generator.compute.summary import CardSummary
from generator.compute.tasks import TaskGroup, group_by_task
from generator.formats.card import (
    Card,
    Inference,
    Source,
    Task,
    Training,
    card_json_schema_text,
)
from generator.formats.factors import Factor
from generator.formats.open_data import COLUMNS, DATA_LICENSE
from generator.formats.rating_reference import SIZE_CLASS_NOTE, RatingReference
from generator.render.charts import ChartSpec
from generator.render.environment import render_template
from generator.render.fingerprint import fingerprint
from generator.render.open_data import cards_csv, cards_json, compare_files
from generator.render.publish import (
    label_svg_path,
    render_hf_metadata_yaml,
    render_model_card_section,
    render_publish_files,
)
from generator.render.table_data import (
    MODELS_DATA_PATH,
    TABLE_ROWS_SHOWN,
    is_paged,
    models_rows,
    table_json,
    task_data_path,
    task_rows,
)
from generator.render.task_charts import task_chart_name


def render_diff(diff: CardsDiff, base_ref: str, base_problems: int, problems: int) -> str:
    return render_template(
        "diff.md.j2", d=diff, base_ref=base_ref, base_problems=base_problems, problems=problems
    )


HOUSEHOLD_FACTOR_ID = "household-electricity-day"


def _calculator_g_per_kwh(summary: CardSummary) -> float | None:
    """The grid intensity behind the card's CO2 per query (None when it has none)."""
    energy = summary.headline_inference_energy
    if summary.measured and summary.measured.carbon and energy:
        return summary.measured.carbon.g_co2e_per_1000_queries / energy.value
    return None


def card_tags(summary: CardSummary) -> list[str]:
    """Search and browse tags: the task, the organization, then the card's own (unique)."""
    card = summary.card
    return list(dict.fromkeys([summary.task_label, card.organization, *card.tags]))


def render_card_page(
    summary: CardSummary, factors: Sequence[Factor] = (), charts: Sequence[ChartSpec] = ()
) -> str:
    sources: dict[str, Source] = summary.card.sources
    household = next((f for f in factors if f.id == HOUSEHOLD_FACTOR_ID), None)
    return render_template(
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


def render_task_page(group: TaskGroup, chart: ChartSpec | None = None) -> str:
    """A task's page: its table shows the first TABLE_ROWS_SHOWN rows (all of them, and no
    JSON link, when there are no more)."""
    data_path = task_data_path(group.task.value) if is_paged(len(group.summaries)) else ""
    reference_date = next(
        (s.rating.reference_date for s in group.summaries if s.rating and s.rating.stars), ""
    )
    return render_template(
        "task.md.j2",
        group=group,
        chart=chart,
        shown=TABLE_ROWS_SHOWN,
        data_path=data_path,
        reference_date=reference_date,
    )


def render_tasks_index(groups: Sequence[TaskGroup]) -> str:
    return render_template("tasks_index.md.j2", groups=groups)


def _by_name(summaries: Sequence[CardSummary]) -> list[CardSummary]:
    return sorted(summaries, key=lambda s: (s.card.name.lower(), s.card.id))


def render_all_cards_page(summaries: Sequence[CardSummary]) -> str:
    data_path = MODELS_DATA_PATH if is_paged(len(summaries)) else ""
    return render_template(
        "cards_index.md.j2",
        summaries=_by_name(summaries),
        shown=TABLE_ROWS_SHOWN,
        data_path=data_path,
    )


def render_table_data(
    summaries: Sequence[CardSummary], groups: Sequence[TaskGroup]
) -> dict[str, str]:
    """The JSON rows of each table too long for its page (none on a small site)."""
    files = {}
    if is_paged(len(summaries)):
        files[MODELS_DATA_PATH] = table_json(models_rows(_by_name(summaries)))
    for group in groups:
        if is_paged(len(group.summaries)):
            files[task_data_path(group.task.value)] = table_json(task_rows(group.summaries))
    return files


def render_home_page(
    summaries: Sequence[CardSummary],
    groups: Sequence[TaskGroup],
    charts: Sequence[ChartSpec] = (),
) -> str:
    return render_template(
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
    return render_template("card_format.md.j2", sections=card_format_sections(), tasks=list(Task))


def render_methodology_page(
    factors: Sequence[Factor], reference: RatingReference | None, grid_version: str
) -> str:
    return render_template(
        "methodology.md.j2",
        factors=factors,
        reference=reference,
        grid_version=grid_version,
        size_class_note=SIZE_CLASS_NOTE,
        household_id=HOUSEHOLD_FACTOR_ID,
    )


def render_card_files(
    summary: CardSummary, factors: Sequence[Factor], charts: Sequence[ChartSpec]
) -> tuple[dict[str, str | bytes], str]:
    """One card's page and publishing files by path, and its label SVG."""
    files: dict[str, str | bytes] = {
        f"cards/{summary.card.id}.md": render_card_page(summary, factors, charts)
    }
    publish_files = render_publish_files(summary)
    files.update(publish_files)
    return files, publish_files[label_svg_path(summary.card.id)].decode()


def render_card(
    summary: CardSummary,
    factors: Sequence[Factor],
    charts: Sequence[ChartSpec],
    memo: MutableMapping[str, tuple[bytes, dict[str, str | bytes], str]] | None = None,
) -> tuple[dict[str, str | bytes], str]:
    """`render_card_files`, or, with `memo`, what it gave last time for the same inputs."""
    if memo is None:
        return render_card_files(summary, factors, charts)
    # Everything a card's files are rendered from, pickled: equal inputs, equal bytes.
    made_from = fingerprint((summary, tuple(charts), tuple(factors)))
    known = memo.get(summary.card.id)
    if known is not None and known[0] == made_from:
        return known[1], known[2]
    files, label_svg = render_card_files(summary, factors, charts)
    memo[summary.card.id] = (made_from, files, label_svg)
    return files, label_svg


def forget_removed_cards(memo: MutableMapping[str, Any], card_ids: set[str]) -> None:
    """Drop from a render memo the cards that are gone, so it does not grow."""
    for gone in set(memo) - card_ids:
        del memo[gone]


def render_shared_pages(
    summaries: Sequence[CardSummary],
    factors: Sequence[Factor] = (),
    reference: RatingReference | None = None,
    grid_version: str = "",
    home_charts: Sequence[ChartSpec] = (),
    charts: Sequence[ChartSpec] = (),
) -> dict[str, str | bytes]:
    """Every generated file that is not one card's own: home, indexes, task pages, open data.

    Each task page shows its task chart, found by name among `charts`.
    """
    groups = group_by_task(summaries)
    pages: dict[str, str | bytes] = {
        "index.md": render_home_page(summaries, groups, home_charts),
        "cards/index.md": render_all_cards_page(summaries),
        "tasks/index.md": render_tasks_index(groups),
        "reference/card-format.md": render_card_format_page(),
        "schema/card.schema.json": card_json_schema_text(),
        "methodology.md": render_methodology_page(factors, reference, grid_version),
    }
    rows = cards_table(summaries)
    conditions = cards_conditions(summaries)
    pages["data/cards.json"] = cards_json(rows, conditions)
    pages.update(compare_files(rows, conditions))
    pages["data/cards.csv"] = cards_csv(rows)
    pages["data/index.md"] = render_template(
        "data.md.j2", columns=COLUMNS, count=len(rows), license=DATA_LICENSE
    )
    pages["compare.md"] = render_template("compare.md.j2")
    pages.update(render_table_data(summaries, groups))
    # A card page's copy of its task chart rings that card's dot; the task page rings none.
    shared = {chart.name: dataclasses.replace(chart, highlight="") for chart in charts}
    for group in groups:
        chart = shared.get(task_chart_name(group.task.value))
        pages[f"tasks/{group.task.value}.md"] = render_task_page(group, chart)
    return pages


def render_site_pages(
    summaries: Sequence[CardSummary],
    factors: Sequence[Factor] = (),
    reference: RatingReference | None = None,
    grid_version: str = "",
    home_charts: Sequence[ChartSpec] = (),
    card_charts: dict[str, list[ChartSpec]] | None = None,
    memo: MutableMapping[str, tuple[bytes, dict[str, str | bytes], str]] | None = None,
) -> tuple[dict[str, str | bytes], dict[str, str]]:
    """Every generated file of the docs folder, by path relative to it (charts are files
    the build renders separately; pages only link to them), and each card's label SVG by
    card id (handed to the image step, which makes the PNGs).

    `memo`, a dict the caller keeps between calls (the live preview), holds each card's
    rendered files with a fingerprint of what they were rendered from; a card whose summary,
    charts and factors are unchanged is not rendered again. The output is the same. (The
    build renders the same files a chunk of cards at a time: `site.stage_docs.render_docs_into`.)
    """
    card_charts = card_charts or {}
    every_chart = [chart for charts in card_charts.values() for chart in charts]
    pages = render_shared_pages(
        summaries, factors, reference, grid_version, home_charts, every_chart
    )
    label_svgs = {}
    for summary in summaries:
        charts = card_charts.get(summary.card.id, ())
        files, label_svgs[summary.card.id] = render_card(summary, factors, charts, memo)
        pages.update(files)
    if memo is not None:
        forget_removed_cards(memo, set(label_svgs))
    return pages, label_svgs
