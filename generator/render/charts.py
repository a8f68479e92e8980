"""Compute stage (pure): figures -> chart specs (Vega-Lite, via altair) with alt text and data.

Takes plain records (`EnergyPoint`, `EmissionsBar`, made from `CardSummary` by `energy_points`
and `emissions_bars`), a card's `MeasuredInference`, or a `PowerSamples` log; gives `ChartSpec`s:
the Vega-Lite spec, a sentence for screen readers, and the rows plotted with their column
headers, for a table or a CSV download. `generator.site.images` turns a spec into SVG. Reads no
file, writes nothing, prints nothing.

Specs are deterministic (sorted rows, fixed sizes, no timestamps) because their hash keys the
SVG cache. A card's own charts (`generator.render.card_charts`) carry a `plot` instead of a
Vega-Lite spec: they are drawn by `generator.render.plot`, in about a millisecond each.
"""

from __future__ import annotations

import dataclasses
import math
import operator
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt

from generator.compute.summary import CardSummary
from generator.render.escaping import csv_text
from generator.render.figure_text import emissions_text, energy_text
from generator.render.plot import FONT, ROW_STEP_PX, WIDTH_PX, BarPlot, XYPlot
from generator.units import (
    EMISSIONS_UNITS_KG,
    ENERGY_UNITS_KWH,
    KG_PER_TONNE,
    tonnes_to_kg,
)

MAX_POINTS_PER_GPU = 500
MAX_BARS = 50  # training emissions bars: beyond ~50 a chart is a list
MAX_DOTS = 60  # home energy chart: beyond this, a box per task instead of a dot per card
# Colour and shape both tell provenance apart (never colour alone); each >= 4.5:1 on white.
PROVENANCES = ("measured", "estimated", "reported")
PROVENANCE_COLORS = ("#1b6ca8", "#b35806", "#5e3c99")
PROVENANCE_SHAPES = ("circle", "triangle-up", "square")
COMPONENT_LABELS = {"gpu": "GPU", "cpu": "CPU", "ram": "RAM"}
KWH_1000 = "kWh per 1,000 queries"
ENERGY_1000 = "Energy per 1,000 queries"  # axis title where each tick carries its own unit
_SIG3 = "',.3~r'"  # d3-format: 3 significant figures, thousands separators, no e-notation


def unit_label_expr(ladder: Sequence[tuple[str, float]], base_size: float = 1.0) -> str:
    """A Vega label expression writing each tick in its own readable unit (3 significant
    figures, never e-notation): `ladder` from generator.units, tick values in units of
    `base_size` of the ladder's base (kWh for energy; 1,000 for tonnes on a kg ladder)."""
    expr = f"format(datum.value * {base_size!r} / {ladder[-1][1]!r}, {_SIG3}) + ' {ladder[-1][0]}'"
    for unit, size in reversed(ladder[:-1]):
        threshold = size / base_size * (1 - 1e-9)  # a tick at exactly 1 unit reads "1 unit"
        value = f"format(datum.value * {base_size!r} / {size!r}, {_SIG3}) + ' {unit}'"
        expr = f"datum.value >= {threshold!r} ? {value} : {expr}"
    return f"datum.value == 0 ? '0' : {expr}"


# Plain numbers, millions and billions in words: 0.001, 250, 7 billion (never 1e+9).
NUMBER_LABEL = (
    f"datum.value >= 1e9 ? format(datum.value / 1e9, {_SIG3}) + ' billion' : "
    f"datum.value >= 1e6 ? format(datum.value / 1e6, {_SIG3}) + ' million' : "
    f"format(datum.value, {_SIG3})"
)
ENERGY_LABEL = unit_label_expr(ENERGY_UNITS_KWH)  # ticks in kWh -> '2.5 J', '10 mWh', '1 kWh'
TONNES_LABEL = unit_label_expr(EMISSIONS_UNITS_KG, KG_PER_TONNE)  # ticks in t -> '100 kg', '1 kt'
HEADERS = {  # column key -> table header, with the unit
    "card_id": "Card", "name": "Model", "task": "Task", "provenance": "Provenance",
    "energy_kwh_per_1000_queries": "Energy per 1,000 queries (kWh)",
    "emissions_tco2e": "Training emissions (t CO₂e)", "figure": "Figure",
    "run": "Run", "label": "Run id", "file": "File", "line": "Line", "component": "Component",
    "median_kwh_per_1000_queries": "Median energy per 1,000 queries (kWh)",
    "share_percent": "Share of the components' sum (%)",
    "gpu": "GPU", "time_s": "Time since the log began (s)", "power_w": "Power (W)",
    "parameter_count": "Parameters",
}  # fmt: skip
_AXIS = {"labelFontSize": 11, "titleFontSize": 12, "labelColor": "#333", "titleColor": "#222",
         "gridColor": "#e6e6e6", "domainColor": "#888", "tickColor": "#888",
         "labelLimit": 240}  # fmt: skip


@dataclass(frozen=True)
class ChartSpec:
    """A chart ready to render: spec, text alternative, and the rows it plots.

    Attributes:
        name: stable, file-name-safe id, e.g. "home-energy-by-task", "card-llama-3-8b-runs".
        title: the chart's title, for a caption or a download's name.
        vega_lite: the Vega-Lite spec (JSON-ready dict); None for a chart we draw (`plot`).
        alt_text: what the chart shows, with its key numbers, for screen readers.
        data: the rows plotted (figures unrounded, except power logs), for a table or CSV.
        columns: (key in `data`, header with unit), in table order.
    """

    name: str
    title: str
    vega_lite: dict[str, Any] | None
    alt_text: str
    data: list[dict[str, Any]]
    columns: list[tuple[str, str]]
    highlight: str = ""  # a card id whose mark the page highlights (URL fragment `#card-<id>`)
    plot: XYPlot | BarPlot | None = None  # a card chart, drawn by `generator.render.plot`


@dataclass(frozen=True)
class EnergyPoint:
    """One card's energy per 1,000 queries, for the home chart."""

    card_id: str
    name: str
    task: str  # the task's label
    energy_kwh_per_1000_queries: float
    provenance: str


@dataclass(frozen=True)
class EmissionsBar:
    """One card's headline training emissions, for the home chart."""

    card_id: str
    name: str
    emissions_tco2e: float
    figure: str  # which emissions figure, e.g. "Training emissions, location-based"
    provenance: str


def chart_csv(chart: ChartSpec) -> str:
    """The chart's rows as CSV (headers with units, full precision), for a download link;
    spreadsheet formulas neutralised (`csv_text`)."""
    return csv_text(
        [header for _, header in chart.columns],
        ([row[key] for key, _ in chart.columns] for row in chart.data),
    )


def energy_points(summaries: Iterable[CardSummary]) -> list[EnergyPoint]:
    """The headline inference energy of every card that has one."""
    return [
        EnergyPoint(s.card.id, s.card.name, s.task_label, e.value, e.provenance.value)
        for s in summaries
        if (e := s.headline_inference_energy) is not None
    ]


def emissions_bars(summaries: Iterable[CardSummary]) -> list[EmissionsBar]:
    """The headline training emissions of every card that reports them."""
    return [
        EmissionsBar(s.card.id, s.card.name, e.value, e.label, e.provenance.value)
        for s in summaries
        if (e := s.headline_training_emissions) is not None
    ]


def card_url(card_id: str) -> str:
    """A card page's address relative to a chart file (charts/<name>.svg), for `href`."""
    return f"../cards/{card_id}/"


def _pointable() -> dict[str, Any]:
    """Encodings that make a mark name its model on hover and link to its card
    (`generator.render.chart_svg` turns the description into an SVG `<title>`)."""
    return {"href": alt.Href("url:N"), "description": alt.Description("name:N")}


def _tonnes(emissions_t: float) -> str:
    return emissions_text(tonnes_to_kg(emissions_t))


def _columns(*keys: str) -> list[tuple[str, str]]:
    return [(key, HEADERS[key]) for key in keys]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def _configure(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The spec, with system fonts (the site fetches none), dark text on a transparent
    background (the page's dark scheme inverts it), no ARIA noise but on linked marks."""
    return (
        # Generous side padding: readers' fonts may be wider than the one text was measured with.
        chart.configure(
            font=FONT,
            background="transparent",
            padding={"left": 48, "right": 96, "top": 8, "bottom": 8},
            aria=False,
        )
        .configure_axis(**_AXIS)
        .configure_legend(labelFontSize=11, titleFontSize=12, labelColor="#333", labelLimit=320)
        .configure_title(fontSize=14, anchor="start", color="#111", subtitleColor="#444")
        .configure_view(stroke=None)
        .to_dict(validate=False)  # validated against Vega-Lite's schema in tests instead
    )


def _log_axis(
    values: Sequence[float], title: str, label_expr: str | None = None
) -> tuple[alt.Scale, alt.Axis]:
    """A log scale over whole decades, ticked at the powers of ten only; an energy axis
    (title KWH_1000) writes each tick in its own unit, others as plain numbers."""
    if title == KWH_1000 and label_expr is None:
        title, label_expr = ENERGY_1000, ENERGY_LABEL
    low = math.floor(math.log10(min(values)))
    high = max(math.ceil(math.log10(max(values))), low + 1)
    ticks = [10.0**k for k in range(low, high + 1)]
    scale = alt.Scale(type="log", domain=[ticks[0], ticks[-1]], nice=False)
    return scale, alt.Axis(values=ticks, labelExpr=label_expr or NUMBER_LABEL, title=title)


def _by_provenance() -> dict[str, Any]:
    legend = alt.Legend(title="Provenance", orient="bottom", direction="horizontal")
    color = alt.Scale(domain=PROVENANCES, range=PROVENANCE_COLORS)
    shape = alt.Scale(domain=PROVENANCES, range=PROVENANCE_SHAPES)
    return {
        "color": alt.Color("provenance:N", scale=color, legend=legend),
        "shape": alt.Shape("provenance:N", scale=shape, legend=legend),
    }


def chart_energy_by_task(points: Sequence[EnergyPoint]) -> ChartSpec | None:
    """Home page: kWh per 1,000 queries of every card, a row per task, on a log axis.

    Tasks are ordered by their median, highest first (as in Power Hungry Processing). A figure
    of 0 cannot sit on a log axis and is left out; None when no card has a figure.
    """
    points = [p for p in points if p.energy_kwh_per_1000_queries > 0]
    if not points:
        return None
    by_task: dict[str, list[float]] = {}
    for point in points:
        by_task.setdefault(point.task, []).append(point.energy_kwh_per_1000_queries)
    medians = {task: statistics.median(values) for task, values in by_task.items()}
    tasks = sorted(medians, key=lambda task: (-medians[task], task))
    if len(points) > MAX_DOTS:
        return _energy_by_task_summary(by_task, points, tasks, medians)
    points.sort(key=lambda p: (tasks.index(p.task), p.energy_kwh_per_1000_queries, p.card_id))
    rows = [dataclasses.asdict(point) | {"url": card_url(point.card_id)} for point in points]
    scale, axis = _log_axis([p.energy_kwh_per_1000_queries for p in points], KWH_1000)
    title = "Energy per 1,000 queries, by task"
    chart = (
        alt.Chart(
            alt.Data(values=rows), title=alt.Title(title, subtitle="log scale; one mark per card")
        )
        .mark_point(filled=True, size=70, opacity=0.8, aria=True)
        .encode(
            **_pointable(),
            x=alt.X("energy_kwh_per_1000_queries:Q", scale=scale, axis=axis),
            y=alt.Y("task:N", sort=tasks, title=None, axis=alt.Axis(grid=True)),
            **_by_provenance(),
        )
        .properties(width=WIDTH_PX, height=alt.Step(ROW_STEP_PX))
    )
    kwh = operator.attrgetter("energy_kwh_per_1000_queries")
    low, high = min(points, key=kwh), max(points, key=kwh)
    alt_text = (
        "Dot chart of energy per 1,000 queries on a logarithmic scale (each dot links to its "
        f"card), "
        f"{_plural(len(points), 'card')} in {_plural(len(tasks), 'task')}: lowest {low.name} "
        f"({low.task}) at {energy_text(low.energy_kwh_per_1000_queries)}, highest "
        f"{high.name} ({high.task}) at {energy_text(high.energy_kwh_per_1000_queries)}. "
        "Median by task, highest first: "
        + "; ".join(f"{task} {energy_text(medians[task])}" for task in tasks)
        + "."
    )
    columns = _columns("name", "task", "energy_kwh_per_1000_queries", "provenance")
    return ChartSpec("home-energy-by-task", title, _configure(chart), alt_text, rows, columns)


def chart_training_emissions(
    bars: Sequence[EmissionsBar], max_bars: int = MAX_BARS
) -> ChartSpec | None:
    """Home page: t CO2e of training, largest first, a dot each on a log axis (a bar's length
    would mean nothing there); at most `max_bars` cards.

    The subtitle and alt text say when the smallest were left out; a page table can list all.
    """
    reporting = sorted(
        (b for b in bars if b.emissions_tco2e > 0),
        key=lambda b: (-b.emissions_tco2e, b.name, b.card_id),
    )
    if not reporting:
        return None
    shown = reporting[:max_bars]
    names, rows = [b.name for b in shown], []
    for bar in shown:  # a name two cards share gets the card id, to keep axis rows apart
        name = f"{bar.name} ({bar.card_id})" if names.count(bar.name) > 1 else bar.name
        label = f"{_tonnes(bar.emissions_tco2e)}, {bar.provenance}"  # not colour alone
        rows.append(
            dataclasses.asdict(bar)
            | {"name": name, "value_label": label, "url": card_url(bar.card_id)}
        )
    scale, axis = _log_axis([b.emissions_tco2e for b in shown], "CO₂e", TONNES_LABEL)
    x = alt.X("emissions_tco2e:Q", scale=scale, axis=axis)
    y = alt.Y("name:N", sort=None, title=None, axis=alt.Axis(grid=True))
    some = f"the {len(shown)} largest of {len(reporting)}" if len(shown) < len(reporting) else ""
    title = alt.Title("Training emissions", subtitle=f"log scale; {some}" if some else "log scale")
    base = alt.Chart(alt.Data(values=rows))
    chart = alt.layer(
        base.mark_point(filled=True, size=70, opacity=0.9, aria=True).encode(
            **_pointable(), x=x, y=y, **_by_provenance()
        ),
        base.mark_text(align="left", dx=8, color="#222").encode(x=x, y=y, text="value_label:N"),
        title=title,
    ).properties(width=WIDTH_PX, height=alt.Step(ROW_STEP_PX * 2 // 3))
    low, high = shown[-1], shown[0]
    alt_text = (
        f"Dot chart of training emissions on a logarithmic scale, {some or len(shown)} "
        f"card{'s' * (len(reporting) != 1)} that report them: highest {high.name} at "
        f"{_tonnes(high.emissions_tco2e)} CO₂e, lowest {'shown ' * bool(some)}"
        f"{low.name} at {_tonnes(low.emissions_tco2e)} CO₂e."
    )
    columns = _columns("name", "emissions_tco2e", "figure", "provenance")
    return ChartSpec(
        "home-training-emissions", "Training emissions", _configure(chart), alt_text, rows, columns
    )


def _energy_by_task_summary(
    by_task: dict[str, list[float]],
    points: Sequence[EnergyPoint],
    tasks: list[str],
    medians: dict[str, float],
) -> ChartSpec:
    """The home energy chart for many cards: per task a box (quartiles), whiskers to the
    furthest card within 1.5 box lengths on the log axis, the median ticked, and the cards
    beyond named (hover) and linked as dots. Its data: one row per task."""
    rows, outliers = [], []
    for task in tasks:
        values = sorted(by_task[task])
        pair = values if len(values) > 1 else values * 2  # quantiles needs two values
        q1, _, q3 = statistics.quantiles(pair, n=4, method="inclusive")
        spread = math.log10(q3) - math.log10(q1)
        low, high = q1 / 10 ** (1.5 * spread), q3 * 10 ** (1.5 * spread)
        inside = [v for v in values if low <= v <= high]
        out = sorted(
            (
                p
                for p in points
                if p.task == task and not low <= p.energy_kwh_per_1000_queries <= high
            ),
            key=lambda p: (p.energy_kwh_per_1000_queries, p.card_id),
        )
        outliers += [dataclasses.asdict(p) | {"url": card_url(p.card_id)} for p in out]
        rows.append(
            {
                "task": task,
                "cards": len(values),
                "low": inside[0],
                "q1": q1,
                "median": medians[task],
                "q3": q3,
                "high": inside[-1],
                "outliers": ", ".join(p.name for p in out),
            }
        )
    scale, axis = _log_axis([p.energy_kwh_per_1000_queries for p in points], KWH_1000)
    title = "Energy per 1,000 queries, by task"
    subtitle = "log scale; box: middle half of the cards, tick: median, dots: outliers"
    y = alt.Y("task:N", sort=tasks, title=None, axis=alt.Axis(grid=True))
    base = alt.Chart(alt.Data(values=rows))
    whisker = base.mark_rule(color="#555").encode(
        x=alt.X("low:Q", scale=scale, axis=axis), x2="high:Q", y=y
    )
    box = base.mark_bar(size=18, color="#9ecae1", stroke="#3d6d99").encode(x="q1:Q", x2="q3:Q", y=y)
    median = base.mark_tick(color="#111", size=22, thickness=2).encode(x="median:Q", y=y)
    dots = (
        alt.Chart(alt.Data(values=outliers))
        .mark_point(filled=True, size=40, opacity=0.8, aria=True)
        .encode(**_pointable(), x="energy_kwh_per_1000_queries:Q", y=y, **_by_provenance())
    )
    chart = alt.layer(whisker, box, median, dots, title=alt.Title(title, subtitle=subtitle))
    chart = chart.properties(width=WIDTH_PX, height=alt.Step(ROW_STEP_PX))
    alt_text = (
        "Box chart of energy per 1,000 queries on a logarithmic scale, "
        f"{_plural(len(points), 'card')} in {_plural(len(tasks), 'task')} "
        "(each outlier dot links to its card). Median by task, highest first: "
        + "; ".join(
            f"{r['task']} {energy_text(r['median'])} ({_plural(r['cards'], 'card')}"
            + (f"; outliers: {r['outliers']})" if r["outliers"] else ")")
            for r in rows
        )
        + "."
    )
    columns = [
        ("task", "Task"),
        ("cards", "Cards"),
        ("low", "Lowest (whisker)"),
        ("q1", "First quartile"),
        ("median", "Median"),
        ("q3", "Third quartile"),
        ("high", "Highest (whisker)"),
        ("outliers", "Outliers"),
    ]
    return ChartSpec("home-energy-by-task", title, _configure(chart), alt_text, rows, columns)
