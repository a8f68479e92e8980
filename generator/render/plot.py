"""Render stage (pure): a card chart described in data terms (`XYPlot`, `BarPlot`), laid out
into the shapes and texts of an SVG (`Drawing`), which `plot.svg.j2` writes.

A card's own charts (runs, components, power, configurations) are a handful of marks on two
axes. Drawing them here takes about a millisecond where vl-convert took 50-180 ms of CPU a
chart (its text measurement reopens the font file for every glyph), which at 1,000 cards was
most of a cold build. The look follows the site's Vega-Lite charts: the same fonts, colours,
d3 ticks, symbols and sizes. Texts are measured with the label's Verdana-like widths, which err
wide, so nothing is cut off in a reader's font.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from markupsafe import Markup

from generator.render.chart_svg import BASE_STYLE, MARK_STYLE
from generator.render.environment import render_template
from generator.render.plot_scales import (
    SHAPES,
    Scale,
    linear_scale,
    log2_scale,
    symbol_path,
)
from generator.render.svg_text import text_width_px, wrap_text

FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
WIDTH_PX, HEIGHT_PX, ROW_STEP_PX = 560, 240, 34
PAD_LEFT_PX, PAD_RIGHT_PX, PAD_Y_PX = 48, 96, 8
PLAIN_COLOR = "#3d6d99"  # marks whose colour means nothing
# Vega's "tableau10", the colours the site's other charts give categories.
CATEGORY_COLORS = ("#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2",
                   "#ff9da6", "#9d755d", "#bab0ac")  # fmt: skip
LEGEND_LABEL_PX = 400  # in the widths we measure with, which err wide; Vega cut at 320
_TICK_PX, _LABEL_GAP_PX = 5, 2


@dataclass(frozen=True)
class Point:
    """A data point; `url` and `title` make its marker a link that names it on hover."""

    x: float
    y: float
    url: str = ""
    title: str = ""


@dataclass(frozen=True)
class Series:
    """Points drawn as markers, joined by a line, or both; `name` is its legend entry."""

    name: str
    points: tuple[Point, ...]
    line: bool = False
    markers: bool = True


@dataclass(frozen=True)
class XYPlot:
    """Series over a "linear", "log2" or "point" (categories `x_categories`) x axis and a
    linear y axis; a legend of the series under `legend_title` when it is not empty."""

    title: str
    subtitle: str
    x_title: str
    y_title: str
    x_kind: str
    series: tuple[Series, ...]
    legend_title: str = ""
    shapes: bool = False  # each series its own symbol shape as well as its colour
    y_zero: bool = True
    x_categories: tuple[str, ...] = ()
    rule: tuple[float, str] | None = None  # a dashed line across at y, labelled on the right
    ring: tuple[float, float, str] | None = None  # a point ringed and labelled
    marker_size: float = 60  # area of a marker's bounding square, px²
    line_px: float = 1.5


@dataclass(frozen=True)
class Bar:
    """A horizontal bar: its row label, value and the text written after it."""

    label: str
    value: float
    text: str


@dataclass(frozen=True)
class BarPlot:
    title: str
    subtitle: str
    x_title: str
    bars: tuple[Bar, ...]
    width_px: int = WIDTH_PX * 3 // 4
    x_tick_count: int = 4


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # the baseline
    text: str
    size: int = 11
    fill: str = "#333"
    anchor: str = "start"
    bold: bool = False
    vertical: bool = False  # turned a quarter left, for the y axis title


@dataclass(frozen=True)
class Shape:
    """A path: a line, a bar, a symbol; a link when `url` is set."""

    d: str
    fill: str = "none"
    stroke: str = "none"
    stroke_px: float = 1
    dash: str = ""
    url: str = ""
    title: str = ""


@dataclass
class Drawing:
    """What `plot.svg.j2` writes: the canvas, the plot area's origin, and, in the plot area's
    coordinates, grid lines, axis lines and ticks (as one path each), marks and texts."""

    width_px: float
    height_px: float
    left_px: float
    top_px: float
    grid: str = ""
    axes: str = ""
    shapes: list[Shape] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)


def _n(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _titles(drawing: Drawing, title: str, subtitle: str) -> None:
    """Title and subtitle at the top left of the canvas (Vega's anchor "start")."""
    x, y = PAD_LEFT_PX - drawing.left_px, PAD_Y_PX + 13 - drawing.top_px
    drawing.texts.append(Text(x, y, title, 14, "#111", bold=True))
    if subtitle:
        drawing.texts.append(Text(x, y + 17, subtitle, 12, "#444"))


def _top_px(subtitle: str) -> float:
    return PAD_Y_PX + (40 if subtitle else 26)


def _y_axis(drawing: Drawing, scale: Scale, values: list[float], labels: list[str],
            title: str, width_px: float, height_px: float) -> None:  # fmt: skip
    """Labels and ticks on the left, a grid line a tick, the title turned along the axis."""
    grid, axes = [], [f"M0.5,0V{_n(height_px)}"]
    for value, label in zip(values, labels, strict=True):
        y = scale.px(value)
        grid.append(f"M0,{_n(y + 0.5)}h{_n(width_px)}")
        axes.append(f"M0,{_n(y + 0.5)}h-{_TICK_PX}")
        drawing.texts.append(Text(-_TICK_PX - _LABEL_GAP_PX, y + 4, label, anchor="end"))
    drawing.grid += "".join(grid)
    drawing.axes += "".join(axes)
    if title:
        widest = max((text_width_px(label) for label in labels), default=0)
        x = -(_TICK_PX + _LABEL_GAP_PX + widest + 6)
        drawing.texts.append(Text(x, height_px / 2, title, 12, "#222", "middle", True, True))


def _y_axis_px(labels: list[str]) -> float:
    """Room the y axis takes left of the plot: ticks, the widest label, the title."""
    return _TICK_PX + _LABEL_GAP_PX + max((text_width_px(t) for t in labels), default=0) + 20


def _x_axis(drawing: Drawing, scale: Scale, values: list[float], labels: list[str],
            title: str, width_px: float, height_px: float, grid: bool) -> None:  # fmt: skip
    """Ticks and labels under the plot, a grid line a tick (when `grid`), the title below."""
    lines, axes = [], [f"M0,{_n(height_px + 0.5)}H{_n(width_px)}"]
    every = _label_stride([scale.px(value) for value in values], labels)
    for n, (value, label) in enumerate(zip(values, labels, strict=True)):
        x = scale.px(value)
        lines.append(f"M{_n(x + 0.5)},0V{_n(height_px)}")
        axes.append(f"M{_n(x + 0.5)},{_n(height_px)}v{_TICK_PX}")
        if n % every == 0:
            drawing.texts.append(Text(x, height_px + 18, label, anchor="middle"))
    drawing.grid += "".join(lines) if grid else ""
    drawing.axes += "".join(axes)
    drawing.texts.append(Text(width_px / 2, height_px + 36, title, 12, "#222", "middle", True))


def _label_stride(positions: list[float], labels: list[str]) -> int:
    """Label every tick, or every 2nd, 4th... when labels would touch (Vega's "parity")."""
    if len(positions) < 2:
        return 1
    spacing = min(b - a for a, b in zip(positions, positions[1:], strict=False))
    widest = max(text_width_px(label) for label in labels) + 12  # a gap of at least 12 px
    every = 1
    while widest > spacing * every and every < len(labels):
        every *= 2
    return every


def _x_scale(plot: XYPlot) -> tuple[Scale, list[float], list[str]]:
    xs = [point.x for series in plot.series for point in series.points]
    count = math.ceil(WIDTH_PX / 40)
    if plot.x_kind == "log2":
        return log2_scale(xs, WIDTH_PX, count)
    if plot.x_kind == "point":
        last = len(plot.x_categories) - 1
        return Scale("point", 0, last, WIDTH_PX), list(range(last + 1)), list(plot.x_categories)
    return linear_scale(xs, WIDTH_PX, zero=True, tick_count=count)


def _colors(plot: XYPlot) -> list[str]:
    several = bool(plot.legend_title)
    return [CATEGORY_COLORS[n % 10] if several else PLAIN_COLOR for n in range(len(plot.series))]


def _shape(plot: XYPlot, n: int) -> str:
    return SHAPES[n % len(SHAPES)] if plot.shapes else "circle"


def layout_xy(plot: XYPlot) -> Drawing:
    """The drawing of an x-y plot."""
    ys = [point.y for series in plot.series for point in series.points]
    ys += [plot.rule[0]] if plot.rule else []
    y_scale, y_ticks, y_labels = linear_scale(
        ys, HEIGHT_PX, plot.y_zero, math.ceil(HEIGHT_PX / 40), flip=True
    )
    x_scale, x_ticks, x_labels = _x_scale(plot)
    left = PAD_LEFT_PX + _y_axis_px(y_labels)
    top = _top_px(plot.subtitle)
    legend = _legend_entries(plot)
    bottom = HEIGHT_PX + 44 + (26 + 16 * len(legend) if legend else 0) + PAD_Y_PX
    width = max(left + WIDTH_PX + PAD_RIGHT_PX, PAD_LEFT_PX + text_width_px(plot.title, 14, True))
    drawing = Drawing(math.ceil(width), math.ceil(top + bottom), left, top)
    _titles(drawing, plot.title, plot.subtitle)
    _y_axis(drawing, y_scale, y_ticks, y_labels, plot.y_title, WIDTH_PX, HEIGHT_PX)
    grid = plot.x_kind != "point"
    _x_axis(drawing, x_scale, x_ticks, x_labels, plot.x_title, WIDTH_PX, HEIGHT_PX, grid)
    colors = _colors(plot)
    if plot.rule:
        y = y_scale.px(plot.rule[0])
        drawing.shapes.append(Shape(f"M0,{_n(y)}H{WIDTH_PX}", stroke="#555", dash="5,3"))
        drawing.texts.append(Text(WIDTH_PX, y - 4, plot.rule[1], fill="#222", anchor="end"))
    for series, color in zip(plot.series, colors, strict=True):
        if series.line and len(series.points) > 1:
            path = "L".join(f"{_n(x_scale.px(p.x))},{_n(y_scale.px(p.y))}" for p in series.points)
            drawing.shapes.append(Shape(f"M{path}", stroke=color, stroke_px=plot.line_px))
    for n, (series, color) in enumerate(zip(plot.series, colors, strict=True)):
        if series.markers:
            for p in series.points:
                d = symbol_path(_shape(plot, n), x_scale.px(p.x), y_scale.px(p.y), plot.marker_size)
                drawing.shapes.append(Shape(d, fill=color, url=p.url, title=p.title))
    if plot.ring:
        x, y = x_scale.px(plot.ring[0]), y_scale.px(plot.ring[1])
        ring = symbol_path("circle", x, y, 260)
        drawing.shapes.append(Shape(ring, stroke="#111", stroke_px=2))
        drawing.texts.append(Text(x + 12, y - 6, plot.ring[2], fill="#111"))
    _legend(drawing, plot, legend, colors, HEIGHT_PX + 50)
    return drawing


def _legend_entries(plot: XYPlot) -> list[str]:
    if not plot.legend_title:
        return []
    return [wrap_text(series.name, LEGEND_LABEL_PX, 11, 1)[0] for series in plot.series]


def _legend(drawing: Drawing, plot: XYPlot, labels: list[str], colors: list[str],
            top: float) -> None:  # fmt: skip
    """A vertical legend under the x axis: the title, then a symbol (or a stroke) and a name
    a series."""
    if not labels:
        return
    drawing.texts.append(Text(0, top + 12, plot.legend_title, 12, "#222", bold=True))
    for n, (label, color, series) in enumerate(zip(labels, colors, plot.series, strict=True)):
        y = top + 26 + 16 * n
        if series.markers:
            drawing.shapes.append(Shape(symbol_path(_shape(plot, n), 6, y, 100), fill=color))
        else:
            drawing.shapes.append(Shape(f"M0,{_n(y)}h12", stroke=color, stroke_px=2))
        drawing.texts.append(Text(18, y + 4, label))


def layout_bars(plot: BarPlot) -> Drawing:
    """The drawing of a horizontal bar chart, a row a bar, each bar's text after it."""
    width, height = plot.width_px, ROW_STEP_PX * len(plot.bars)
    x_scale, x_ticks, x_labels = linear_scale(
        [bar.value for bar in plot.bars], width, zero=True, tick_count=plot.x_tick_count
    )
    row_labels = [bar.label for bar in plot.bars]
    left = PAD_LEFT_PX + _TICK_PX + _LABEL_GAP_PX + max(text_width_px(t) for t in row_labels)
    top = _top_px(plot.subtitle)
    ends = [x_scale.px(bar.value) + 4 + text_width_px(bar.text) for bar in plot.bars]
    right = max(width + PAD_RIGHT_PX, max(ends) + PAD_Y_PX)
    canvas = max(left + right, PAD_LEFT_PX + text_width_px(plot.title, 14, True))
    drawing = Drawing(math.ceil(canvas), math.ceil(top + height + 44 + PAD_Y_PX), left, top)
    _titles(drawing, plot.title, plot.subtitle)
    _x_axis(drawing, x_scale, x_ticks, x_labels, plot.x_title, width, height, grid=True)
    drawing.axes += f"M0.5,0V{height}"
    for n, bar in enumerate(plot.bars):
        middle = ROW_STEP_PX * (n + 0.5)
        end, thick = x_scale.px(bar.value), ROW_STEP_PX * 0.6
        d = f"M0,{_n(middle - thick / 2)}h{_n(end)}v{_n(thick)}h{_n(-end)}Z"
        drawing.shapes.append(Shape(d, fill=PLAIN_COLOR))
        drawing.axes += f"M0,{_n(middle + 0.5)}h-{_TICK_PX}"
        drawing.texts.append(Text(-_TICK_PX - _LABEL_GAP_PX, middle + 4, bar.label, anchor="end"))
        drawing.texts.append(Text(end + 4, middle + 4, bar.text, fill="#222"))
    return drawing


def plot_svg(plot: XYPlot | BarPlot) -> str:
    """The chart as SVG text (`plot.svg.j2`), its linked marks styled as the site's charts'."""
    drawing = layout_bars(plot) if isinstance(plot, BarPlot) else layout_xy(plot)
    linked = any(shape.url for shape in drawing.shapes)
    style = Markup(MARK_STYLE if linked else BASE_STYLE)
    return render_template("plot.svg.j2", d=drawing, font=FONT, style=style, num=_n)
