"""The card charts we draw ourselves: d3's ticks and nice domains, the layout, the SVG."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.render.plot import (
    Bar,
    BarPlot,
    Point,
    Series,
    XYPlot,
    layout_xy,
    plot_svg,
)
from generator.render.plot_scales import (
    Scale,
    linear_scale,
    log2_scale,
    nice_domain,
    symbol_path,
    tick_labels,
    ticks,
)

SVG = "{http://www.w3.org/2000/svg}"


def test_ticks_are_d3s_round_steps_written_exactly() -> None:
    # d3.ticks(0, 1, 10), d3.ticks(0, 5000, 6), d3.ticks(11.9, 13.1, 6), d3.ticks(0, 400, 14)
    assert ticks(0, 1, 10) == [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]
    assert ticks(0, 5000, 6) == [0, 1000, 2000, 3000, 4000, 5000]
    assert ticks(11.9, 13.1, 6) == [12, 12.2, 12.4, 12.6, 12.8, 13]
    assert ticks(0, 400, 14) == [20.0 * n for n in range(21)]
    assert ticks(3, 3, 6) == [3]


def test_nice_domains_widen_to_round_values() -> None:
    assert nice_domain(0, 4794.06) == (0, 5000)  # the Qwen 3 32B chart's energy axis, Wh
    assert nice_domain(0, 359.9) == (0, 400)
    assert nice_domain(0.0123, 0.0131) == pytest.approx((0.0123, 0.0131))  # already round
    assert nice_domain(0.01234, 0.01311) == pytest.approx((0.0123, 0.0132))
    assert nice_domain(5, 5) == (4.5, 5.5)  # equal values still get an axis
    assert nice_domain(0, 0) == (-1, 1)


def test_tick_labels_have_separators_and_the_decimals_the_step_needs() -> None:
    assert tick_labels([0, 1000, 2000]) == ["0", "1,000", "2,000"]
    assert tick_labels([0, 0.5, 1]) == ["0.0", "0.5", "1.0"]
    assert tick_labels([-0.02, 0.0, 0.02]) == ["-0.02", "0.00", "0.02"]  # never "-0.00"
    assert tick_labels([0.001, 0.002]) == ["0.001", "0.002"]


def test_scales_map_values_to_pixels() -> None:
    scale, values, labels = linear_scale([0.2, 4.8], 240, zero=True, tick_count=6, flip=True)
    assert (scale.low, scale.high) == (0, 5)
    assert [scale.px(v) for v in (0, 2.5, 5)] == [240, 120, 0]  # up is more
    assert labels == ["0", "1", "2", "3", "4", "5"] and values[-1] == 5
    log, at, log_labels = log2_scale([8, 96, 512], 560, 14)
    assert (log.low, log.high) == (8, 512) and at == [8, 16, 32, 64, 128, 256, 512]
    assert log_labels[-1] == "512" and log.px(64) == 280  # 3 of 6 doublings
    assert log2_scale([3, 5], 560, 14)[0].low == 2  # to the powers of 2 around the data
    points = Scale("point", 0, 3, 560)
    assert [points.px(n) for n in range(4)] == [70, 210, 350, 490]  # half a step each side


def test_symbols_are_closed_paths_of_the_asked_size() -> None:
    assert symbol_path("square", 10, 10, 64) == "M6,6h8v8h-8Z"
    assert symbol_path("diamond", 0, 0, 16) == "M-2,0L0,-2L2,0L0,2Z"
    assert symbol_path("circle", 0, 0, 100).startswith("M-5,0a5,5 ")
    with pytest.raises(ValueError, match="unknown symbol shape 'star'"):
        symbol_path("star", 0, 0, 60)


@given(
    low=st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False),
    span=st.floats(1e-6, 1e6, allow_nan=False),
    count=st.integers(2, 20),
)
def test_ticks_lie_in_the_domain_evenly_and_about_as_many_as_asked(low, span, count) -> None:
    high = low + span
    if high == low:
        return
    values = ticks(low, high, count)
    assert values and all(low - 1e-9 * span <= v <= high + 1e-9 * span for v in values)
    steps = [b - a for a, b in zip(values, values[1:], strict=False)]
    assert max(steps, default=0) - min(steps, default=0) <= 1e-9 * max(abs(low), abs(high), 1)
    assert len(values) <= 3 * count + 1
    nice_low, nice_high = nice_domain(low, high)
    assert nice_low <= low and nice_high >= high


def _plot(**changed) -> XYPlot:
    series = (
        Series("A & <b>", (Point(1, 2.0, "../cards/a/#c", 'A "1"'), Point(4, 3.0)), line=True),
        Series("B", (Point(2, 1.0), Point(8, 5.0)), line=True),
    )
    fields = dict(
        title="Model: energy against batch size",
        subtitle="measured",
        x_title="Batch size",
        y_title="Wh per 1,000 queries",
        x_kind="log2",
        series=series,
        legend_title="Hardware x GPUs",
        shapes=True,
        ring=(1, 2.0, "reference"),
    )
    return XYPlot(**(fields | changed))


def test_an_xy_plot_is_well_formed_svg_with_escaped_text_and_linked_points() -> None:
    svg = plot_svg(_plot())
    root = ET.fromstring(svg)
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert texts[:2] == ["Model: energy against batch size", "measured"]
    assert {"A & <b>", "B", "reference", "Batch size", "Wh per 1,000 queries"} <= set(texts)
    [link] = list(root.iter(f"{SVG}a"))
    assert link.get("{http://www.w3.org/1999/xlink}href") == "../cards/a/#c"
    assert link.get("target") == "_top" and link.find(f"{SVG}title").text == 'A "1"'
    assert "a:hover path" in svg  # the site's hover ring for linked marks
    assert plot_svg(_plot()) == svg  # deterministic


def test_lines_join_points_in_pixels_and_the_ring_circles_the_reference() -> None:
    drawing = layout_xy(_plot())
    # x: 1..8 on a log2 axis of 560 px; y: 0..5 on 240 px, upside down
    lines = [s.d for s in drawing.shapes if s.stroke not in ("none", "#111")]
    assert lines[:2] == ["M0,144L373.33,96", "M186.67,192L560,0"]
    [ring] = [s for s in drawing.shapes if s.stroke == "#111"]
    assert ring.d.startswith("M-8.06,144a8.06,8.06 ")  # 260 px² around (0, 144)


def test_no_legend_for_one_series_and_long_names_are_cut() -> None:
    one = _plot(series=(Series("", (Point(1, 1.0), Point(2, 2.0))),), legend_title="")
    assert "Hardware" not in plot_svg(one)
    long_name = "NVIDIA H100 80GB HBM3 x8, ML.ENERGY v3 lm-arena-chat workload, " * 3
    svg = plot_svg(_plot(series=(Series(long_name, (Point(1, 1.0),)),)))
    [cut] = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text") if "NVIDIA" in t.text]
    assert cut.endswith("workloa…") and len(cut) < len(long_name)


def test_the_canvas_widens_for_a_long_title() -> None:
    short = layout_xy(_plot())
    wide = layout_xy(_plot(title="A very long model name, " * 12))
    assert short.width_px == math.ceil(short.left_px + 560 + 96)
    assert wide.width_px > short.width_px


def test_a_bar_plot_leaves_room_for_the_text_after_the_longest_bar() -> None:
    plot = BarPlot("M: energy by component", "median of runs", "Median Wh", (
        Bar("GPU", 400, "400 Wh (80%)"), Bar("CPU", 100, "100 Wh (20%)"),
    ))  # fmt: skip
    svg = plot_svg(plot)
    root = ET.fromstring(svg)
    width = float(root.get("width"))
    [after] = [t for t in root.iter(f"{SVG}text") if t.text == "400 Wh (80%)"]
    assert float(after.get("x")) == 424  # the bar's end (420 px) + 4
    assert width >= 48 + float(after.get("x")) + 60  # and its text inside the canvas
