"""Compute stage (pure): figures -> chart specs (Vega-Lite, via altair) with alt text and data.

Takes plain records (`EnergyPoint`, `EmissionsBar`, made from `CardSummary` by `energy_points`
and `emissions_bars`), a card's `MeasuredInference`, or a `PowerSamples` log; gives `ChartSpec`s:
the Vega-Lite spec, a sentence for screen readers, and the rows plotted with their column
headers, for a table or a CSV download. `generator.chart_svg` turns a spec into SVG. Reads no
file, writes nothing, prints nothing.

Specs are deterministic (sorted rows, fixed sizes, no timestamps) because their hash keys the
SVG cache. Per-card charts are altair charts built once per kind, then given each card's rows as
top-level `datasets` and its `title`: building a chart with altair costs 5-10 ms, filling one
in well under 1 ms, so 1,000 cards pay the former a handful of times.
"""

from __future__ import annotations

import copy
import csv
import dataclasses
import functools
import io
import math
import operator
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt
import numpy as np

from generator.compute import CardSummary
from generator.load.nvidia_smi import PowerSamples
from generator.measured import MeasuredInference
from generator.power import integrate_gpu
from generator.units import format_number

FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
WIDTH_PX, HEIGHT_PX, ROW_STEP_PX = 560, 240, 34
MAX_POINTS_PER_GPU = 500
MAX_BARS = 50  # training emissions bars: beyond ~50 a chart is a list
# Colour and shape both tell provenance apart (never colour alone); each >= 4.5:1 on white.
PROVENANCES = ("measured", "estimated", "reported")
PROVENANCE_COLORS = ("#1b6ca8", "#b35806", "#5e3c99")
PROVENANCE_SHAPES = ("circle", "triangle-up", "square")
PLAIN_COLOR = "#3d6d99"  # marks whose colour means nothing
COMPONENT_LABELS = {"gpu": "GPU", "cpu": "CPU", "ram": "RAM"}
KWH_1000 = "kWh per 1,000 queries"
# Decimals down to 0.0001, then 1e-5, 1e-6...: shorter than 0.0000001 and still exact.
NUMBER_LABEL = "datum.value < 1e-4 ? format(datum.value, '~e') : format(datum.value, ',~g')"
HEADERS = {  # column key -> table header, with the unit
    "card_id": "Card", "name": "Model", "task": "Task", "provenance": "Provenance",
    "energy_kwh_per_1000_queries": "Energy per 1,000 queries (kWh)",
    "emissions_tco2e": "Training emissions (t CO₂e)", "figure": "Figure",
    "run": "Run", "label": "Run id", "file": "File", "line": "Line", "component": "Component",
    "median_kwh_per_1000_queries": "Median energy per 1,000 queries (kWh)",
    "share_percent": "Share of the components' sum (%)",
    "gpu": "GPU", "time_s": "Time since the log began (s)", "power_w": "Power (W)",
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
        vega_lite: the Vega-Lite spec (JSON-ready dict).
        alt_text: what the chart shows, with its key numbers, for screen readers.
        data: the rows plotted (figures unrounded, except power logs), for a table or CSV.
        columns: (key in `data`, header with unit), in table order.
    """

    name: str
    title: str
    vega_lite: dict[str, Any]
    alt_text: str
    data: list[dict[str, Any]]
    columns: list[tuple[str, str]]


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
    """The chart's rows as CSV (headers with units, full precision), for a download link."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header for _, header in chart.columns)
    writer.writerows([row[key] for key, _ in chart.columns] for row in chart.data)
    return out.getvalue()


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


def _columns(*keys: str) -> list[tuple[str, str]]:
    return [(key, HEADERS[key]) for key in keys]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def _configure(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The spec, with system fonts (the site fetches none), dark text on white, no ARIA noise."""
    return (
        # Generous side padding: readers' fonts may be wider than the one text was measured with.
        chart.configure(
            font=FONT,
            background="white",
            padding={"left": 48, "right": 96, "top": 8, "bottom": 8},
            aria=False,
        )
        .configure_axis(**_AXIS)
        .configure_legend(labelFontSize=11, titleFontSize=12, labelColor="#333", labelLimit=320)
        .configure_title(fontSize=14, anchor="start", color="#111", subtitleColor="#444")
        .configure_view(stroke=None)
        .to_dict()
    )


def _log_axis(values: Sequence[float], title: str) -> tuple[alt.Scale, alt.Axis]:
    """A log scale over whole decades, ticked at the powers of ten only."""
    low = math.floor(math.log10(min(values)))
    high = max(math.ceil(math.log10(max(values))), low + 1)
    ticks = [10.0**k for k in range(low, high + 1)]
    scale = alt.Scale(type="log", domain=[ticks[0], ticks[-1]], nice=False)
    return scale, alt.Axis(values=ticks, labelExpr=NUMBER_LABEL, title=title)


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
    points.sort(key=lambda p: (tasks.index(p.task), p.energy_kwh_per_1000_queries, p.card_id))
    rows = [dataclasses.asdict(point) for point in points]
    scale, axis = _log_axis([p.energy_kwh_per_1000_queries for p in points], KWH_1000)
    title = "Energy per 1,000 queries, by task"
    chart = (
        alt.Chart(
            alt.Data(values=rows), title=alt.Title(title, subtitle="log scale; one mark per card")
        )
        .mark_point(filled=True, size=70, opacity=0.8)
        .encode(
            x=alt.X("energy_kwh_per_1000_queries:Q", scale=scale, axis=axis),
            y=alt.Y("task:N", sort=tasks, title=None, axis=alt.Axis(grid=True)),
            **_by_provenance(),
        )
        .properties(width=WIDTH_PX, height=alt.Step(ROW_STEP_PX))
    )
    kwh = operator.attrgetter("energy_kwh_per_1000_queries")
    low, high = min(points, key=kwh), max(points, key=kwh)
    alt_text = (
        f"Dot chart of energy per 1,000 queries on a logarithmic scale, "
        f"{_plural(len(points), 'card')} in {_plural(len(tasks), 'task')}: lowest {low.name} "
        f"({low.task}) at {format_number(low.energy_kwh_per_1000_queries)} kWh, highest "
        f"{high.name} ({high.task}) at {format_number(high.energy_kwh_per_1000_queries)} kWh. "
        "Median by task, highest first: "
        + "; ".join(f"{task} {format_number(medians[task])} kWh" for task in tasks)
        + "."
    )
    columns = _columns("name", "task", "energy_kwh_per_1000_queries", "provenance")
    return ChartSpec("home-energy-by-task", title, _configure(chart), alt_text, rows, columns)


def chart_training_emissions(
    bars: Sequence[EmissionsBar], max_bars: int = MAX_BARS
) -> ChartSpec | None:
    """Home page: t CO2e of training, largest first, on a log axis; at most `max_bars` bars.

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
        label = f"{format_number(bar.emissions_tco2e)} t, {bar.provenance}"  # not colour alone
        rows.append(dataclasses.asdict(bar) | {"name": name, "value_label": label})
    scale, axis = _log_axis([b.emissions_tco2e for b in shown], "t CO₂e")
    x = alt.X("emissions_tco2e:Q", scale=scale, axis=axis)
    y = alt.Y("name:N", sort=None, title=None)
    some = f"the {len(shown)} largest of {len(reporting)}" if len(shown) < len(reporting) else ""
    title = alt.Title("Training emissions", subtitle=f"log scale; {some}" if some else "log scale")
    base = alt.Chart(alt.Data(values=rows))
    chart = alt.layer(  # bars on a log axis need a start: the axis' lowest decade
        base.mark_bar(height={"band": 0.7}).encode(
            x=x, x2=alt.datum(scale.domain[0]), y=y, color=_by_provenance()["color"]
        ),
        base.mark_text(align="left", dx=4, color="#222").encode(x=x, y=y, text="value_label:N"),
        title=title,
    ).properties(width=WIDTH_PX, height=alt.Step(ROW_STEP_PX * 2 // 3))
    low, high = shown[-1], shown[0]
    alt_text = (
        f"Bar chart of training emissions on a logarithmic scale, {some or len(shown)} "
        f"card{'s' * (len(reporting) != 1)} that report them: highest {high.name} at "
        f"{format_number(high.emissions_tco2e)} t CO₂e, lowest {'shown ' * bool(some)}"
        f"{low.name} at {format_number(low.emissions_tco2e)} t CO₂e."
    )
    columns = _columns("name", "emissions_tco2e", "figure", "provenance")
    return ChartSpec(
        "home-training-emissions", "Training emissions", _configure(chart), alt_text, rows, columns
    )


def _filled(template: dict, title: str, subtitle: str, **datasets: list[dict]) -> dict[str, Any]:
    """A copy of a per-card template with its title and named datasets (rows of scalars)."""
    spec = copy.deepcopy(template)
    spec["title"] = {"text": title, "subtitle": subtitle}
    spec["datasets"] = {name: [dict(row) for row in rows] for name, rows in datasets.items()}
    return spec


def _legend_or_plain(field: str, title: str, show: bool) -> Any:
    legend = alt.Legend(orient="bottom", direction="vertical")
    return alt.Color(field, title=title, legend=legend) if show else alt.value(PLAIN_COLOR)


@functools.cache
def _runs_template(by_file: bool) -> dict[str, Any]:
    """A point per run (dataset "runs"), a dashed rule and a label at the median ("median")."""
    runs, median = alt.Chart(alt.Data(name="runs")), alt.Chart(alt.Data(name="median"))
    y = alt.Y(
        "energy_kwh_per_1000_queries:Q",
        title=KWH_1000,
        scale=alt.Scale(zero=False),
        axis=alt.Axis(labelExpr=NUMBER_LABEL),
    )
    x_scale = alt.Scale(zero=False, nice=False, padding=16)
    x = alt.X("run:Q", title="Run", scale=x_scale, axis=alt.Axis(tickMinStep=1, format="d"))
    chart = alt.layer(
        median.mark_rule(color="#555", strokeDash=[5, 3]).encode(y=y),
        median.mark_text(align="right", baseline="bottom", dy=-4, color="#222").encode(
            y=y, x=alt.value(WIDTH_PX), text="label:N"
        ),
        runs.mark_point(filled=True, size=60).encode(
            x=x, y=y, color=_legend_or_plain("file:N", "File", by_file)
        ),
    ).properties(width=WIDTH_PX, height=HEIGHT_PX)
    return _configure(chart)


def chart_runs(card_id: str, card_name: str, measured: MeasuredInference) -> ChartSpec | None:
    """Per card: kWh per 1,000 queries of each measured run, the median marked; None under 2."""
    runs = measured.runs
    if len(runs) < 2:
        return None
    rows = [
        {"run": n, "label": run.label, "file": run.file, "line": run.line}
        | {"energy_kwh_per_1000_queries": run.energy_kwh_per_1000_queries}
        for n, run in enumerate(runs, start=1)
    ]
    low, high = measured.min_kwh_per_1000_queries, measured.max_kwh_per_1000_queries
    median = measured.median_kwh_per_1000_queries
    label = f"median {format_number(median)}"
    spread = f", the highest {format_number(100 * (high / low - 1), 3)}% above the lowest"
    alt_text = (
        f"Dot chart of the {len(runs)} measured runs of {card_name}: from {format_number(low)} "
        f"to {format_number(high)} {KWH_1000}{spread if low > 0 else ''}; the dashed line marks "
        f"the median, {format_number(median)} kWh."
    )
    title = f"{card_name}: energy per run"
    median_rows = [{"energy_kwh_per_1000_queries": median, "label": label}]
    template = _runs_template(len(measured.files) > 1)
    spec = _filled(template, title, KWH_1000, runs=rows, median=median_rows)
    columns = _columns("run", "label", "file", "line", "energy_kwh_per_1000_queries")
    return ChartSpec(f"card-{card_id}-runs", title, spec, alt_text, rows, columns)


@functools.cache
def _components_template() -> dict[str, Any]:
    """A bar per component (dataset "components"), labelled with kWh and share."""
    parts = alt.Chart(alt.Data(name="components"))
    y = alt.Y("component:N", sort=list(COMPONENT_LABELS.values()), title=None)
    axis = alt.Axis(tickCount=4, labelExpr=NUMBER_LABEL)
    x = alt.X("median_kwh_per_1000_queries:Q", title=f"Median {KWH_1000}", axis=axis)
    chart = alt.layer(
        parts.mark_bar(color=PLAIN_COLOR, height={"band": 0.6}).encode(x=x, y=y),
        parts.mark_text(align="left", dx=4, color="#222").encode(x=x, y=y, text="value_label:N"),
    ).properties(width=WIDTH_PX * 3 // 4, height=alt.Step(ROW_STEP_PX))
    return _configure(chart)


def chart_components(card_id: str, card_name: str, measured: MeasuredInference) -> ChartSpec | None:
    """Per card: median kWh per 1,000 queries per component (GPU, CPU, RAM); None under 2."""
    medians = {
        label: value
        for key, label in COMPONENT_LABELS.items()
        if (value := measured.component_median_kwh_per_1000(key)) is not None and value > 0
    }
    if len(medians) < 2:
        return None
    total, rows = sum(medians.values()), []
    for label, value in medians.items():
        share = 100 * value / total
        text = f"{format_number(value)} kWh ({format_number(share, 3)}%)"
        row = {"component": label, "median_kwh_per_1000_queries": value, "share_percent": share}
        rows.append(row | {"value_label": text})
    title = f"{card_name}: energy by component"
    alt_text = (
        f"Bar chart of the median energy per 1,000 queries of {card_name} by component, over "
        f"{_plural(len(measured.runs), 'run')}: "
        + ", ".join(f"{row['component']} {row['value_label']}" for row in rows)
        + "."
    )
    spec = _filled(_components_template(), title, "median of runs", components=rows)
    columns = _columns("component", "median_kwh_per_1000_queries", "share_percent")
    return ChartSpec(f"card-{card_id}-components", title, spec, alt_text, rows, columns)


def downsample_indices(values: np.ndarray, max_points: int = MAX_POINTS_PER_GPU) -> np.ndarray:
    """Indices of at most `max_points` samples that keep the shape of a series.

    Keeps the first and last sample and, in between, the lowest and highest sample of each of
    (max_points - 2) // 2 equal runs of samples, in order, so peaks and dips survive.
    """
    count = len(values)
    if count <= max_points:
        return np.arange(count)
    if max_points < 4:
        raise ValueError(f"expected max_points >= 4, got {max_points}")
    edges = np.linspace(1, count - 1, (max_points - 2) // 2 + 1).astype(int)
    keep = [0]
    for start, stop in zip(edges[:-1], edges[1:], strict=True):
        if stop > start:
            part = values[start:stop]
            keep.extend(sorted({start + int(part.argmin()), start + int(part.argmax())}))
    keep.append(count - 1)
    return np.asarray(keep)


@functools.cache
def _power_template(several: bool) -> dict[str, Any]:
    """A line per GPU (dataset "power"): W over seconds."""
    chart = (
        alt.Chart(alt.Data(name="power"))
        .mark_line(strokeWidth=1.2)
        .encode(
            x=alt.X("time_s:Q", title=HEADERS["time_s"]),
            y=alt.Y("power_w:Q", title=HEADERS["power_w"]),
            color=_legend_or_plain("gpu:N", "GPU", several),
            detail="gpu:N",
        )
        .properties(width=WIDTH_PX, height=HEIGHT_PX)
    )
    return _configure(chart)


def chart_power_timeline(
    card_id: str,
    card_name: str,
    samples: PowerSamples,
    source: str = "",
    max_points_per_gpu: int = MAX_POINTS_PER_GPU,
) -> ChartSpec | None:
    """Per card: power over time from an nvidia-smi log, a line per GPU, downsampled.

    `source` is the log's display path. None when no GPU has 2 timed samples.
    """
    gpus = {
        name: gpu
        for name, gpu in samples.gpus.items()
        if gpu.time_s is not None and len(gpu.time_s) >= 2
    }
    if not gpus:
        return None
    start_s = min(float(gpu.time_s[0]) for gpu in gpus.values())
    rows, said = [], []
    for name, gpu in gpus.items():
        keep = downsample_indices(gpu.power_w, max_points_per_gpu)
        times = np.round(gpu.time_s[keep] - start_s, 3).tolist()  # ms and cW: smaller specs
        powers = np.round(gpu.power_w[keep], 2).tolist()
        rows += [
            {"gpu": name, "time_s": t, "power_w": p} for t, p in zip(times, powers, strict=True)
        ]
        energy = integrate_gpu(name, gpu.time_s, gpu.power_w)
        mean_w = energy.energy_j / energy.duration_s if energy.duration_s else gpu.power_w.mean()
        peak_w = format_number(float(gpu.power_w.max()), 3)
        said.append(f"GPU {name} averaged {format_number(mean_w, 3)} W, peaking at {peak_w} W")
    duration_s = max(float(gpu.time_s[-1]) for gpu in gpus.values()) - start_s
    title = f"{card_name}: GPU power"
    subtitle = f"{samples.power_column}, {source}" if source else samples.power_column
    alt_text = (
        f"Line chart of the power of {_plural(len(gpus), 'GPU')} of {card_name} over "
        f"{format_number(duration_s, 3)} s, from an nvidia-smi log"
        f"{f' ({source})' if source else ''}: " + "; ".join(said) + "."
    )
    spec = _filled(_power_template(len(gpus) > 1), title, subtitle, power=rows)
    columns = _columns("gpu", "time_s", "power_w")
    return ChartSpec(f"card-{card_id}-power", title, spec, alt_text, rows, columns)


def card_charts(
    summary: CardSummary, power_logs: Sequence[tuple[str, PowerSamples]] = ()
) -> list[ChartSpec]:
    """A card's charts, few by design: runs, components, and a power timeline per log.

    `power_logs` are (display path, samples) of the card's nvidia-smi files, in card order.
    """
    card, charts = summary.card, []
    if summary.measured is not None:
        charts.append(chart_runs(card.id, card.name, summary.measured))
        charts.append(chart_components(card.id, card.name, summary.measured))
    for n, (source, samples) in enumerate(power_logs, start=1):
        chart = chart_power_timeline(card.id, card.name, samples, source)
        if chart is not None and n > 1:
            chart = dataclasses.replace(chart, name=f"{chart.name}-{n}")
        charts.append(chart)
    return [chart for chart in charts if chart is not None]
