"""Render stage (pure): a task's chart, energy against parameters (log-log, as ML.ENERGY's
leaderboard plots it), one dot per card, each naming its model and linking to its card.

Takes the `CardSummary`s of one task (a `TaskGroup`); gives one `ChartSpec` shown on the task
page and on each of its cards' pages, where the card's own dot is highlighted through a URL
fragment (`charts/task-<task>-energy-parameters.svg#card-<id>`, see
`generator.render.chart_svg`), so a thousand cards still share one picture.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

import altair as alt

from generator.compute.summary import CardSummary
from generator.compute.tasks import TaskGroup
from generator.render.charts import (
    KWH_1000,
    ChartSpec,
    _by_provenance,
    _columns,
    _configure,
    _log_axis,
    _plural,
    _pointable,
    card_url,
)
from generator.render.plot import HEIGHT_PX, WIDTH_PX
from generator.render.remembered import remembered
from generator.units import format_count_words, format_number

# Parameter counts as words ("70 billion"), as card pages write them.
COUNT_LABEL = (
    "datum.value >= 1e12 ? format(datum.value / 1e12, '~g') + ' trillion'"
    " : datum.value >= 1e9 ? format(datum.value / 1e9, '~g') + ' billion'"
    " : datum.value >= 1e6 ? format(datum.value / 1e6, '~g') + ' million'"
    " : format(datum.value, ',~g')"
)


def task_chart_name(task: str) -> str:
    """The file-name-safe name of a task's chart, e.g. "task-text-generation-energy-parameters"."""
    return f"task-{task}-energy-parameters"


def chart_energy_parameters(group: TaskGroup) -> ChartSpec | None:
    """Energy per 1,000 queries against parameter count of a task's cards, both on log axes.

    Only cards with both figures (above 0) are plotted; None under two such cards.
    """
    rows = sorted(
        (
            {
                "card_id": s.card.id,
                "name": s.card.name,
                "parameter_count": s.card.parameter_count,
                "energy_kwh_per_1000_queries": energy.value,
                "provenance": energy.provenance.value,
                "url": card_url(s.card.id),
            }
            for s in group.summaries
            if (energy := s.headline_inference_energy) is not None
            and energy.value > 0
            and s.card.parameter_count
        ),
        key=lambda row: (
            row["parameter_count"],
            row["energy_kwh_per_1000_queries"],
            row["card_id"],
        ),
    )
    if len(rows) < 2:
        return None
    return _energy_parameters_chart(group.label, group.task.value, rows)


@remembered  # the live preview asks again on every save, mostly for unchanged rows
def _energy_parameters_chart(label: str, task: str, rows: list[dict]) -> ChartSpec:
    x_scale, x_axis = _log_axis([r["parameter_count"] for r in rows], "Parameters")
    x_axis.labelExpr = COUNT_LABEL
    y_scale, y_axis = _log_axis([r["energy_kwh_per_1000_queries"] for r in rows], KWH_1000)
    title = f"{label}: energy against parameters"
    chart = (
        alt.Chart(
            alt.Data(values=rows),
            title=alt.Title(title, subtitle="log-log; one dot per card, each links to its card"),
        )
        .mark_point(filled=True, size=80, opacity=0.85, aria=True)
        .encode(
            **_pointable(),
            x=alt.X("parameter_count:Q", scale=x_scale, axis=x_axis),
            y=alt.Y("energy_kwh_per_1000_queries:Q", scale=y_scale, axis=y_axis),
            **_by_provenance(),
        )
        .properties(width=WIDTH_PX, height=HEIGHT_PX + 60)
    )
    low = min(rows, key=lambda r: r["energy_kwh_per_1000_queries"])
    high = max(rows, key=lambda r: r["energy_kwh_per_1000_queries"])
    alt_text = (
        f"Dot chart of energy per 1,000 queries against parameter count, both on logarithmic "
        f"scales, {_plural(len(rows), 'card')} of {label}: lowest {low['name']} "
        f"({format_count_words(low['parameter_count'])} parameters) at "
        f"{format_number(low['energy_kwh_per_1000_queries'])} kWh, highest {high['name']} "
        f"({format_count_words(high['parameter_count'])} parameters) at "
        f"{format_number(high['energy_kwh_per_1000_queries'])} kWh."
    )
    columns = _columns("name", "parameter_count", "energy_kwh_per_1000_queries", "provenance")
    name = task_chart_name(task)
    return ChartSpec(name, title, _configure(chart), alt_text, rows, columns)


def task_charts(groups: Iterable[TaskGroup]) -> dict[str, ChartSpec]:
    """Each task's chart by task value, for the tasks with one."""
    return {
        group.task.value: chart
        for group in groups
        if (chart := chart_energy_parameters(group)) is not None
    }


def highlighted_for(chart: ChartSpec, summaries: Sequence[CardSummary]) -> dict[str, ChartSpec]:
    """The task chart for each card plotted on it, highlighting that card's dot."""
    plotted = {row["card_id"] for row in chart.data}
    return {
        s.card.id: dataclasses.replace(chart, highlight=s.card.id)
        for s in summaries
        if s.card.id in plotted
    }
