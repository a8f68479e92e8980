"""Render stage (pure): a card's own charts: run spread, component split, power timelines,
energy against batch size of its measured configurations.

Each is a `ChartSpec` whose `plot` (`generator.render.plot`) describes the chart in data terms;
the site draws it as SVG in about a millisecond, with no chart engine (see that module).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from generator.compute.measured_runs import MeasuredInference
from generator.compute.power import integrate_gpu
from generator.compute.summary import CardSummary
from generator.formats.configurations import Configuration
from generator.load.nvidia_smi import PowerSamples
from generator.render.charts import (
    COMPONENT_LABELS,
    HEADERS,
    MAX_POINTS_PER_GPU,
    ChartSpec,
    _columns,
    _plural,
    card_url,
)
from generator.render.figure_text import energy_text
from generator.render.plot import Bar, BarPlot, Point, Series, XYPlot
from generator.units import energy_unit_for, format_number, format_significant, readable_energy

KWH = "energy_kwh_per_1000_queries"


def _shown(value_kwh: float, unit: str) -> float:
    """A kWh figure in the unit chosen for the chart's axis."""
    return readable_energy(value_kwh, unit).value


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
    unit = energy_unit_for([low, high, median])
    per_1000 = f"{unit} per 1,000 queries"
    label = f"median {energy_text(median, unit)}"
    spread = f", the highest {format_number(100 * (high / low - 1), 3)}% above the lowest"
    alt_text = (
        f"Dot chart of the {len(runs)} measured runs of {card_name}: from "
        f"{format_significant(readable_energy(low, unit).value)} to {energy_text(high, unit)} "
        f"per 1,000 queries{spread if low > 0 else ''}; the dashed line marks the median, "
        f"{energy_text(median, unit)}."
    )
    title = f"{card_name}: energy per run"
    # Runs are counted, so a point per run along an axis of run numbers ("1 2 3").
    by_file = len(measured.files) > 1
    files = sorted({row["file"] for row in rows}) if by_file else [""]
    series = tuple(
        Series(
            file,
            tuple(
                Point(n, _shown(row[KWH], unit))
                for n, row in enumerate(rows)
                if not by_file or row["file"] == file
            ),
        )  # fmt: skip
        for file in files
    )
    plot = XYPlot(
        title, per_1000, "Run", per_1000, "point", series, "File" if by_file else "",
        y_zero=False, x_categories=tuple(str(row["run"]) for row in rows),
        rule=(_shown(median, unit), label),
    )  # fmt: skip
    columns = _columns("run", "label", "file", "line", "energy_kwh_per_1000_queries")
    return ChartSpec(f"card-{card_id}-runs", title, None, alt_text, rows, columns, plot=plot)


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
    unit = energy_unit_for(list(medians.values()))
    for label, value in medians.items():
        share = 100 * value / total
        text = f"{energy_text(value, unit)} ({format_number(share, 3)}%)"
        row = {"component": label, "median_kwh_per_1000_queries": value, "share_percent": share}
        rows.append(row | {"value_label": text})
    title = f"{card_name}: energy by component"
    alt_text = (
        f"Bar chart of the median energy per 1,000 queries of {card_name} by component, over "
        f"{_plural(len(measured.runs), 'run')}: "
        + ", ".join(f"{row['component']} {row['value_label']}" for row in rows)
        + "."
    )
    bars = tuple(
        Bar(row["component"], _shown(row["median_kwh_per_1000_queries"], unit), row["value_label"])
        for row in rows
    )
    plot = BarPlot(title, "median of runs", f"Median {unit} per 1,000 queries", bars)
    columns = _columns("component", "median_kwh_per_1000_queries", "share_percent")
    return ChartSpec(f"card-{card_id}-components", title, None, alt_text, rows, columns, plot=plot)


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
    series = tuple(
        Series(
            name,
            tuple(Point(r["time_s"], r["power_w"]) for r in rows if r["gpu"] == name),
            line=True,
            markers=False,
        )  # fmt: skip
        for name in gpus
    )
    plot = XYPlot(
        title, subtitle, HEADERS["time_s"], HEADERS["power_w"], "linear", series,
        "GPU" if len(gpus) > 1 else "", line_px=1.2,
    )  # fmt: skip
    columns = _columns("gpu", "time_s", "power_w")
    return ChartSpec(f"card-{card_id}-power", title, None, alt_text, rows, columns, plot=plot)


MIN_CONFIGURATIONS = 3  # fewer measured configurations than this: the table says it all
_VARIED = ("precision", "dataset", "scope")  # named in a line's label only when they vary


def _series_label(conf: Configuration, varied: Sequence[str]) -> str:
    """A line's name: hardware x GPU count, then whichever other condition varies on the card."""
    c = conf.conditions
    label = f"{c.hardware} x{c.gpu_count}" if c.gpu_count else c.hardware
    extra = [str(getattr(getattr(c, key), "value", getattr(c, key))) for key in varied]
    return f"{label}, {', '.join(extra)}" if extra else label


def chart_configurations(
    card_id: str, card_name: str, configurations: Sequence[Configuration]
) -> ChartSpec | None:
    """Per card: energy per 1,000 queries against batch size of the measured configurations
    that state one, a line per hardware x GPU count (ML.ENERGY's trade-off view), the
    reference ringed; None under MIN_CONFIGURATIONS such configurations."""
    plotted = [c for c in configurations if c.conditions.batch_size]
    if len(plotted) < MIN_CONFIGURATIONS:
        return None
    varied = [k for k in _VARIED if len({getattr(c.conditions, k) for c in plotted}) > 1]
    values = [c.energy_kwh_per_1000_queries.value for c in plotted]
    unit = energy_unit_for(values)
    rows = []
    for conf in plotted:
        c, kwh = conf.conditions, conf.energy_kwh_per_1000_queries.value
        rows.append(
            {"series": _series_label(conf, varied), "batch_size": c.batch_size}
            | {KWH: kwh, "configuration": conf.name, "hardware": c.hardware}
            | {"gpu_count": c.gpu_count, "reference": conf.reference}
            | {"name": f"{conf.name}: {energy_text(kwh, unit)} per 1,000 queries"}
            | {"url": f"{card_url(card_id)}#configurations"}
        )
    rows.sort(key=lambda row: (row["series"], row["batch_size"], row[KWH]))
    series: dict[str, list[dict]] = {}
    for row in rows:
        series.setdefault(row["series"], []).append(row)
    said = [
        f"{label}, batch {lines[0]['batch_size']} to {lines[-1]['batch_size']}: "
        f"{energy_text(lines[0][KWH], unit)} to {energy_text(lines[-1][KWH], unit)}"
        if len(lines) > 1
        else f"{label}, batch {lines[0]['batch_size']}: {energy_text(lines[0][KWH], unit)}"
        for label, lines in series.items()
    ]
    chosen = [row for row in rows if row["reference"]]
    ringed = (
        f"; the ring marks the reference configuration, {chosen[0]['configuration']}, "
        f"{energy_text(chosen[0][KWH], unit)}"
        if chosen
        else ""
    )
    alt_text = (
        f"Line chart of the energy per 1,000 queries of {card_name} against batch size, "
        f"{_plural(len(rows), 'measured configuration')}, a line per hardware and GPU count: "
        + "; ".join(said)
        + f"{ringed}."
    )
    title = f"{card_name}: energy against batch size"
    per_1000 = f"{unit} per 1,000 queries"
    lines = tuple(
        Series(
            label,
            tuple(
                Point(row["batch_size"], _shown(row[KWH], unit), row["url"], row["name"])
                for row in points
            ),
            line=True,
        )  # fmt: skip
        for label, points in series.items()
    )
    reference = chosen[0] if chosen else None
    plot = XYPlot(
        title, "measured configurations; batch size on a log scale", "Batch size", per_1000,
        "log2", lines, "Hardware x GPUs", shapes=True,
        ring=(reference["batch_size"], _shown(reference[KWH], unit), "reference")
        if reference else None,
    )  # fmt: skip
    columns = [
        ("configuration", "Configuration"),
        ("hardware", "Hardware"),
        ("gpu_count", "GPUs"),
        ("batch_size", "Batch size"),
        (KWH, HEADERS[KWH]),
        ("reference", "Reference configuration"),
    ]
    name = f"card-{card_id}-configurations"
    return ChartSpec(name, title, None, alt_text, rows, columns, plot=plot)


def card_charts(
    summary: CardSummary, power_logs: Sequence[tuple[str, PowerSamples]] = ()
) -> list[ChartSpec]:
    """A card's charts, few by design: runs, components, a power timeline per log, and energy
    against batch size when the card lists enough measured configurations.

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
    if card.inference and card.inference.configurations:
        charts.append(chart_configurations(card.id, card.name, card.inference.configurations))
    return [chart for chart in charts if chart is not None]
