from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from generator.compute.measured_runs import MeasuredInference, MeasuredRun
from generator.compute.summary import summarize_card
from generator.formats.card import Card, EnergyScope, Provenance
from generator.load.nvidia_smi import GpuSamples, PowerSamples
from generator.render import charts
from generator.render.card_charts import (
    card_charts,
    chart_components,
    chart_power_timeline,
    chart_runs,
    downsample_indices,
)
from generator.render.charts import (
    FONT,
    ChartSpec,
    EmissionsBar,
    EnergyPoint,
    chart_energy_by_task,
    chart_training_emissions,
    emissions_bars,
    energy_points,
)
from generator.render.plot import plot_svg
from generator.site import images as chart_svg
from generator.units import format_number

SNAPSHOTS = Path(__file__).parent / "snapshots" / "charts"
CARD_IDS = {"llama-3-1-405b", "gpt-3", "bloom", "x"}  # filled below from POINTS and BARS
XMLNS = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}

POINTS = [
    EnergyPoint("sdxl", "SDXL Base 1.0", "Image generation", 1.639845472, "measured"),
    EnergyPoint("llama-2-7b", "Llama 2 7B", "Text generation", 0.016441257, "measured"),
    EnergyPoint("bloom-176b", "BLOOM", "Text generation", 4.0, "reported"),
]


def _run(n: int, kwh: float, file: str = "measurements/m/emissions.csv", **parts) -> MeasuredRun:
    return MeasuredRun(file, n + 1, f"run-{n}", 1000, kwh, kwh, components_kwh=parts)


def _measured(*runs: MeasuredRun) -> MeasuredInference:
    return MeasuredInference(runs, EnergyScope.GPU_CPU_RAM, Provenance.ESTIMATED, ())


def _power_log(samples: int, gpus: int = 2) -> PowerSamples:
    time_s = 1.7e9 + np.arange(samples) * 0.1
    logs = {
        str(i): GpuSamples(time_s + 0.01 * i, 200 + 50 * np.sin(np.arange(samples) / 500) + i)
        for i in range(gpus)
    }
    return PowerSamples(
        power_column="power.draw",
        rows_read=samples * gpus,
        rows_skipped=0,
        na_readings=0,
        gpus=logs,
        gpu_id_column="index",
    )


def _layers(spec: dict) -> list[dict]:
    return spec.get("layer", [spec])


def _mark(layer: dict) -> str:
    mark = layer["mark"]
    return mark if isinstance(mark, str) else mark["type"]


# --- home page: energy by task -----------------------------------------------------------


def test_home_chart_puts_energy_on_a_log_axis_with_tasks_on_the_other() -> None:
    spec = chart_energy_by_task(POINTS).vega_lite
    assert spec["encoding"]["x"]["field"] == "energy_kwh_per_1000_queries"
    assert spec["encoding"]["x"]["scale"]["type"] == "log"
    assert spec["encoding"]["y"]["field"] == "task"
    assert spec["encoding"]["color"]["field"] == spec["encoding"]["shape"]["field"] == "provenance"


def test_home_chart_rows_are_the_input_figures_one_per_card() -> None:
    chart = chart_energy_by_task(POINTS)
    assert {(row["card_id"], row["energy_kwh_per_1000_queries"]) for row in chart.data} == {
        (p.card_id, p.energy_kwh_per_1000_queries) for p in POINTS
    }
    assert len(chart.data) == 3
    assert chart.vega_lite["data"]["values"] == chart.data
    assert [key for key, _ in chart.columns] == [
        "name",
        "task",
        "energy_kwh_per_1000_queries",
        "provenance",
    ]
    assert dict(chart.columns)["energy_kwh_per_1000_queries"].endswith("(kWh)")


def test_csv_has_the_headers_with_units_and_every_row() -> None:
    text = charts.chart_csv(chart_energy_by_task(POINTS))
    assert text.splitlines() == [
        'Model,Task,"Energy per 1,000 queries (kWh)",Provenance',
        "Llama 2 7B,Text generation,0.016441257,measured",
        "BLOOM,Text generation,4.0,reported",
        "SDXL Base 1.0,Image generation,1.639845472,measured",
    ]


def test_home_chart_orders_tasks_by_median_highest_first() -> None:
    chart = chart_energy_by_task(POINTS)
    # Text generation: median of 0.0164 and 4.0 = 2.008 > Image generation 1.64
    assert chart.vega_lite["encoding"]["y"]["sort"] == ["Text generation", "Image generation"]
    assert [row["card_id"] for row in chart.data] == ["llama-2-7b", "bloom-176b", "sdxl"]


def test_home_chart_alt_text_names_the_lowest_and_highest() -> None:
    text = chart_energy_by_task(POINTS).alt_text
    assert "3 cards in 2 tasks" in text
    assert "lowest Llama 2 7B (Text generation) at 16.4 Wh" in text  # 0.016441257 kWh
    assert "highest BLOOM (Text generation) at 4 kWh" in text


def test_home_chart_log_axis_spans_whole_decades() -> None:
    x = chart_energy_by_task(POINTS).vega_lite["encoding"]["x"]
    assert x["scale"]["domain"] == [0.01, 10.0]
    assert x["axis"]["values"] == [0.01, 0.1, 1.0, 10.0]


def test_home_chart_leaves_out_zero_and_is_none_without_figures() -> None:
    zero = EnergyPoint("z", "Z", "Text generation", 0.0, "reported")
    assert len(chart_energy_by_task([*POINTS, zero]).data) == 3
    assert chart_energy_by_task([zero]) is None
    assert chart_energy_by_task([]) is None


def test_specs_are_deterministic_whatever_the_input_order() -> None:
    first = chart_energy_by_task(POINTS)
    again = chart_energy_by_task(list(reversed(POINTS)))
    assert json.dumps(first.vega_lite, sort_keys=True) == json.dumps(
        again.vega_lite, sort_keys=True
    )
    assert first == again


def test_charts_use_system_fonts_on_a_transparent_background() -> None:
    config = chart_energy_by_task(POINTS).vega_lite["config"]
    assert config["font"] == FONT
    assert "sans-serif" in FONT and "url(" not in FONT
    assert config["background"] == "transparent"  # the dark scheme inverts it (extra.css)


def test_home_chart_spec_matches_snapshot() -> None:
    """UPDATE_SNAPSHOTS=1 pytest tests/test_charts.py rewrites the snapshot."""
    text = json.dumps(chart_energy_by_task(POINTS).vega_lite, indent=2, sort_keys=True)
    path = SNAPSHOTS / "home-energy-by-task.json"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
    assert text + "\n" == path.read_text(encoding="utf-8")


def _summary(card_id: str, name: str, **sections):
    card = Card.model_validate(
        {
            "id": card_id,
            "name": name,
            "organization": "Org",
            "task": "text-generation",
            "sources": {"card": {"title": "Card", "url": "https://example.org", "year": 2024}},
            **sections,
        }
    )
    return summarize_card(card)


def _figure(value: float, provenance: str = "reported") -> dict:
    return {"value": value, "provenance": provenance, "source": "card", "where": "Table 1"}


def test_points_and_bars_come_from_the_headline_figures_of_summaries() -> None:
    conditions = {"hardware": "A100", "scope": "gpu", "includes_pue": False}
    inference = {"conditions": conditions, "energy_kwh_per_1000_queries": _figure(0.02, "measured")}
    summaries = [
        _summary("a", "A", inference=inference),
        _summary("b", "B", training={"emissions_location_based_tco2e": _figure(420)}),
        _summary("c", "C"),
    ]
    assert energy_points(summaries) == [EnergyPoint("a", "A", "Text generation", 0.02, "measured")]
    assert emissions_bars(summaries) == [
        EmissionsBar("b", "B", 420, "Training emissions, location-based", "reported")
    ]


# --- home page: training emissions ------------------------------------------------------------


BARS = [
    EmissionsBar("gpt-3", "GPT-3", 552.1, "Training emissions", "estimated"),
    EmissionsBar("llama-3-1-405b", "Llama 3.1 405B", 8930, "Training emissions", "reported"),
    EmissionsBar("bloom", "BLOOM", 24.7, "Training emissions", "measured"),
]


def test_emissions_chart_sorts_largest_first_with_dots_on_a_log_axis() -> None:
    chart = chart_training_emissions(BARS)
    dots = _layers(chart.vega_lite)[0]
    assert _mark(dots) == "point"  # a bar's length means nothing on a log axis
    assert dots["encoding"]["x"]["scale"]["type"] == "log" and "x2" not in dots["encoding"]
    assert dots["encoding"]["href"]["field"] == "url"
    assert chart.data[0]["url"] == "../cards/llama-3-1-405b/"
    assert [row["emissions_tco2e"] for row in chart.data] == [8930, 552.1, 24.7]
    assert "highest Llama 3.1 405B at 8.93 kt CO₂e, lowest BLOOM at 24.7 t CO₂e" in chart.alt_text


def test_emissions_chart_shows_the_largest_and_says_so() -> None:
    chart = chart_training_emissions(BARS, max_bars=2)
    assert [row["card_id"] for row in chart.data] == ["llama-3-1-405b", "gpt-3"]
    assert "the 2 largest of 3 cards that report them" in chart.alt_text
    assert "lowest shown GPT-3 at 552 t CO₂e" in chart.alt_text  # 552.1 t, 3 figures
    assert chart.vega_lite["title"]["subtitle"] == "log scale; the 2 largest of 3"


def test_emissions_chart_tells_apart_two_cards_with_one_name() -> None:
    twins = [
        EmissionsBar("a", "Same", 1, "f", "reported"),
        EmissionsBar("b", "Same", 2, "f", "reported"),
    ]
    assert [row["name"] for row in chart_training_emissions(twins).data] == ["Same (b)", "Same (a)"]


# --- per card: runs and components ------------------------------------------------------------


def test_runs_chart_plots_every_run_and_marks_the_median() -> None:
    measured = _measured(_run(0, 0.30), _run(1, 0.10), _run(2, 0.20), _run(3, 0.25))
    chart = chart_runs("m", "Model M", measured)
    assert chart.name == "card-m-runs"
    assert [row["energy_kwh_per_1000_queries"] for row in chart.data] == [0.30, 0.10, 0.20, 0.25]
    plot = chart.plot
    # Plotted: the kWh figure in the unit chosen for the axis (Wh here), a point a run.
    [runs] = plot.series
    assert [(p.x, p.y) for p in runs.points] == [(0, 300), (1, 100), (2, 200), (3, 250)]
    assert plot.x_categories == ("1", "2", "3", "4") and plot.x_kind == "point"
    assert plot.rule == (statistics.median([300, 100, 200, 250]), "median 225 Wh")
    assert plot.y_title == "Wh per 1,000 queries" and not plot.y_zero
    assert "from 100 to 300 Wh per 1,000 queries, the highest 200% above the lowest" in (
        chart.alt_text
    )
    assert "median, 225 Wh" in chart.alt_text
    assert plot.title == "Model M: energy per run"
    svg = plot_svg(plot)
    assert '<text x="560" y="' in svg and ">median 225 Wh</text>" in svg  # right-aligned
    assert 'stroke-dasharray="5,3"' in svg  # the median line
    assert [t for t in re.findall(r">([^<>]+)</text>", svg) if t[0].isdigit()] == [
        "100", "150", "200", "250", "300", "1", "2", "3", "4",
    ]  # fmt: skip  # y from 100 (not zero), then the run numbers


def test_runs_chart_needs_two_runs_and_colours_by_file_only_when_there_are_several() -> None:
    assert chart_runs("m", "M", _measured(_run(0, 0.1))) is None
    one_file = chart_runs("m", "M", _measured(_run(0, 0.1), _run(1, 0.2))).plot
    two_files = chart_runs("m", "M", _measured(_run(0, 0.1), _run(1, 0.2, "b.csv"))).plot
    assert one_file.legend_title == "" and len(one_file.series) == 1
    assert "#3d6d99" in plot_svg(one_file) and "File" not in plot_svg(one_file)
    assert two_files.legend_title == "File"
    assert [(s.name, [p.x for p in s.points]) for s in two_files.series] == [
        ("b.csv", [1]),
        ("measurements/m/emissions.csv", [0]),
    ]  # files in name order, each run at its own run number
    svg = plot_svg(two_files)
    assert ">File</text>" in svg and ">b.csv</text>" in svg
    assert 'fill="#4c78a8"' in svg and 'fill="#f58518"' in svg  # a colour a file


def test_components_chart_shows_the_median_of_each_component() -> None:
    measured = _measured(
        _run(0, 0.4, gpu=0.3, cpu=0.05, ram=0.05),
        _run(1, 0.6, gpu=0.5, cpu=0.05, ram=0.05),
        _run(2, 0.5, gpu=0.4, cpu=0.06, ram=0.04),
    )
    chart = chart_components("m", "M", measured)
    assert [(r["component"], r["median_kwh_per_1000_queries"]) for r in chart.data] == [
        ("GPU", 0.4),
        ("CPU", 0.05),
        ("RAM", 0.05),
    ]
    assert sum(row["share_percent"] for row in chart.data) == pytest.approx(100)
    bars = chart.plot.bars
    assert [(bar.label, bar.text) for bar in bars] == [
        ("GPU", "400 Wh (80%)"), ("CPU", "50 Wh (10%)"), ("RAM", "50 Wh (10%)"),
    ]  # fmt: skip
    assert [bar.value for bar in bars] == pytest.approx([400, 50, 50])  # Wh
    assert chart.plot.x_title == "Median Wh per 1,000 queries"
    svg = plot_svg(chart.plot)
    # Bars from x = 0 to the value on a 420 px axis from 0 to 400 Wh; 3 rows of 34 px.
    assert re.findall(r'<path d="M0,([\d.]+)h([\d.]+)v([\d.]+)h', svg) == [
        ("6.8", "420", "20.4"), ("40.8", "52.5", "20.4"), ("74.8", "52.5", "20.4"),
    ]  # fmt: skip
    assert "GPU 400 Wh (80%), CPU 50 Wh (10%), RAM 50 Wh (10%)" in chart.alt_text


def test_components_chart_needs_two_components() -> None:
    assert (
        chart_components("m", "M", _measured(_run(0, 0.4, gpu=0.4), _run(1, 0.5, gpu=0.5))) is None
    )


# --- per card: power timeline -----------------------------------------------------------------


def test_downsampling_keeps_first_last_and_extremes_within_the_limit() -> None:
    rng = np.random.default_rng(1)
    values = rng.normal(200, 20, 100_000)
    values[54_321], values[7] = 900.0, -5.0
    keep = downsample_indices(values, 500)
    assert len(keep) <= 500
    assert keep[0] == 0 and keep[-1] == len(values) - 1
    assert np.all(np.diff(keep) > 0)
    assert {54_321, 7} <= set(keep.tolist())
    assert downsample_indices(values[:300], 500).tolist() == list(range(300))
    with pytest.raises(ValueError, match="max_points >= 4"):
        downsample_indices(values, 3)


def test_power_timeline_has_at_most_500_points_per_gpu_from_first_to_last_sample() -> None:
    log = _power_log(36_000)  # an hour at 10 Hz, 2 GPUs
    chart = chart_power_timeline("m", "M", log, "measurements/m/power.csv")
    assert chart.name == "card-m-power"
    for gpu, samples in log.gpus.items():
        rows = [row for row in chart.data if row["gpu"] == gpu]
        assert 2 <= len(rows) <= 500
        start = log.gpus["0"].time_s[0]
        assert rows[0]["time_s"] == np.round(samples.time_s[0] - start, 3)
        assert rows[-1]["time_s"] == np.round(samples.time_s[-1] - start, 3)
        assert rows[0]["power_w"] == np.round(samples.power_w[0], 2)
        assert rows[-1]["power_w"] == np.round(samples.power_w[-1], 2)
    lines = chart.plot.series
    assert [s.name for s in lines] == ["0", "1"] and all(s.line and not s.markers for s in lines)
    plotted = [{"gpu": s.name, "time_s": p.x, "power_w": p.y} for s in lines for p in s.points]
    assert sorted(plotted, key=str) == sorted(chart.data, key=str)
    assert chart.plot.legend_title == "GPU"
    assert "2 GPUs of M over 3,600 s" in chart.alt_text
    gpu = log.gpus["1"]
    mean_w = np.trapezoid(gpu.power_w, gpu.time_s) / (gpu.time_s[-1] - gpu.time_s[0])
    peak_w = format_number(gpu.power_w.max(), 3)
    assert f"GPU 1 averaged {format_number(mean_w, 3)} W, peaking at {peak_w} W" in chart.alt_text


def test_power_timeline_needs_timestamps() -> None:
    untimed = PowerSamples(
        power_column="power.draw",
        rows_read=3,
        rows_skipped=0,
        na_readings=0,
        gpus={"0": GpuSamples(None, np.array([1.0, 2.0, 3.0]))},
        gpu_id_column="index",
    )
    assert chart_power_timeline("m", "M", untimed) is None


def test_card_charts_are_few_and_named_apart() -> None:
    summary = _summary("m", "M")
    measured = _measured(_run(0, 0.4, gpu=0.3, cpu=0.1), _run(1, 0.5, gpu=0.4, cpu=0.1))
    summary = type(summary)(card=summary.card, measured=measured)
    logs = [("a.csv", _power_log(100, 1)), ("b.csv", _power_log(100, 1))]
    names = [chart.name for chart in card_charts(summary, logs)]
    assert names == ["card-m-runs", "card-m-components", "card-m-power", "card-m-power-2"]
    assert card_charts(type(summary)(card=summary.card)) == []


# --- SVG rendering and its cache --------------------------------------------------------------


@pytest.fixture
def count_renders(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Calls of vl_convert.vegalite_to_svg (rendering still happens)."""
    import vl_convert

    calls: list[dict] = []
    real = vl_convert.vegalite_to_svg

    def counted(spec, *args, **kwargs):
        calls.append(spec)
        return real(spec, *args, **kwargs)

    monkeypatch.setattr(vl_convert, "vegalite_to_svg", counted)
    return calls


def test_render_gives_an_svg_with_the_card_names_and_alt_text(tmp_path: Path) -> None:
    svg = chart_svg.render_svg(chart_training_emissions(BARS), tmp_path / "cache")
    assert svg.startswith("<svg ")
    for name in ("GPT-3", "Llama 3.1 405B", "BLOOM"):
        assert f">{name}</text>" in svg
    assert 'role="img" aria-label="Dot chart of training emissions' in svg


def test_render_escapes_names_and_alt_text(tmp_path: Path) -> None:
    bars = [EmissionsBar("x", 'A & "B" <c>', 3, "f", "reported"), *BARS]
    chart = chart_training_emissions(bars)
    svg = chart_svg.render_svg(chart, tmp_path)
    assert "A &amp;" in svg and "<c>" not in svg
    assert 'aria-label="Dot chart' in svg and "A &amp; &quot;B&quot; &lt;c&gt;" in svg
    assert "<title>A &amp; &quot;B&quot; &lt;c&gt;</title>" in svg  # its dot's hover text


def test_svg_fetches_nothing(tmp_path: Path) -> None:
    for chart in (chart_energy_by_task(POINTS), chart_training_emissions(BARS)):
        svg = chart_svg.render_svg(chart, tmp_path)
        assert set(re.findall(r"https?://[^\"'\s)]*", svg)) <= XMLNS
        assert all(f'xmlns{ns}="http' in svg for ns in ("", ":xlink"))
        assert svg.count("http") == 2
        assert "@import" not in svg and "@font-face" not in svg and "url(" not in svg
        # Links only to the site's own card pages, never a fetch (no <image>, no <use>).
        assert set(re.findall(r'href="([^"]*)"', svg)) <= {f"../cards/{c}/" for c in CARD_IDS}
        assert "<image" not in svg and "<use" not in svg


def test_second_render_comes_from_the_cache_without_vl_convert(
    tmp_path: Path, count_renders: list[dict]
) -> None:
    chart = chart_energy_by_task(POINTS)
    first = chart_svg.render_svg(chart, tmp_path / "cache")
    assert len(count_renders) == 1
    [cached] = (tmp_path / "cache").iterdir()
    assert cached.name == f"{chart_svg.chart_key(chart)}.svg"
    again = chart_svg.render_svg(chart, tmp_path / "cache")
    assert again == first
    assert len(count_renders) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["cache"]  # wrote only inside cache_dir


def test_a_changed_spec_renders_anew(tmp_path: Path, count_renders: list[dict]) -> None:
    chart = chart_energy_by_task(POINTS)
    chart_svg.render_svg(chart, tmp_path)
    changed = chart_energy_by_task(
        [*POINTS, EnergyPoint("n", "New", "Text generation", 0.5, "measured")]
    )
    svg = chart_svg.render_svg(changed, tmp_path)
    assert len(count_renders) == 2
    assert len(list(tmp_path.glob("*.svg"))) == 2
    assert chart_svg.chart_key(chart) != chart_svg.chart_key(changed)
    assert svg.count("<path") > 0


def test_alt_text_is_not_part_of_the_key(tmp_path: Path, count_renders: list[dict]) -> None:
    chart = chart_energy_by_task(POINTS)
    chart_svg.render_svg(chart, tmp_path)
    reworded = ChartSpec(chart.name, chart.title, chart.vega_lite, "Reworded.", chart.data, [])
    assert 'aria-label="Reworded."' in chart_svg.render_svg(reworded, tmp_path)
    assert len(count_renders) == 1


def test_a_damaged_cache_file_is_rendered_again(tmp_path: Path, count_renders: list[dict]) -> None:
    chart = chart_energy_by_task(POINTS)
    first = chart_svg.render_svg(chart, tmp_path)
    (tmp_path / f"{chart_svg.chart_key(chart)}.svg").write_text("<svg half", encoding="utf-8")
    assert chart_svg.render_svg(chart, tmp_path) == first
    assert len(count_renders) == 2


def test_a_cache_hit_does_not_import_vl_convert(tmp_path: Path) -> None:
    chart = chart_energy_by_task(POINTS)
    chart_svg.render_svg(chart, tmp_path)
    (tmp_path / "spec.json").write_text(json.dumps(chart.vega_lite), encoding="utf-8")
    script = (
        "import json, sys; from pathlib import Path; from types import SimpleNamespace\n"
        "from generator.site.images import render_svg\n"
        f"folder = Path({str(tmp_path)!r})\n"
        "spec = SimpleNamespace(vega_lite=json.loads((folder / 'spec.json').read_text()),"
        " alt_text='x', plot=None)\n"
        "assert render_svg(spec, folder).startswith('<svg')\n"
        "assert 'vl_convert' not in sys.modules and 'altair' not in sys.modules\n"
    )
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_normalize_renumbers_clip_ids_and_hoists_the_font() -> None:
    def svg(n: int) -> str:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg"><defs><clipPath id="clip{n}"><rect/>'
            f'</clipPath></defs><g clip-path="url(#clip{n})"><text font-family="F, sans-serif"'
            ' transform="translate(505.03620474908644,17)">a</text>'
            '<text font-family="F, sans-serif">b</text></g></svg>'
        )

    first, later = chart_svg.normalize_svg(svg(1), "k"), chart_svg.normalize_svg(svg(7), "k")
    assert first == later
    assert 'id="k-1"' in first and "url(#k-1)" in first
    assert first.startswith('<svg font-family="F, sans-serif" ') and first.count("font-family") == 1
    assert 'transform="translate(505.04,17)"' in first
    assert first.endswith("</svg>\n")


def test_prune_cache_keeps_only_the_given_keys(tmp_path: Path) -> None:
    for key in ("a", "b", "c"):
        (tmp_path / f"{key}.svg").write_text("<svg/>", encoding="utf-8")
    assert chart_svg.prune_cache(tmp_path, ["b"]) == 2
    assert [p.name for p in tmp_path.iterdir()] == ["b.svg"]
    assert chart_svg.prune_cache(tmp_path / "missing", []) == 0


def test_every_chart_kind_renders(tmp_path: Path) -> None:
    measured = _measured(_run(0, 0.4, gpu=0.3, cpu=0.1), _run(1, 0.5, gpu=0.4, cpu=0.1))
    kinds = [
        chart_runs("m", "Model M", measured),
        chart_components("m", "Model M", measured),
        chart_power_timeline("m", "Model M", _power_log(2000)),
    ]
    for chart in kinds:
        svg = chart_svg.render_svg(chart, tmp_path)
        assert svg.startswith("<svg ") and ">Model M: " in svg
    assert charts.MAX_POINTS_PER_GPU == 500


# --- charts a reader can point at (issue 14) ---------------------------------------------------


def test_every_home_dot_names_its_model_and_links_to_its_card() -> None:
    chart = chart_energy_by_task(POINTS)
    encoding = chart.vega_lite["encoding"]
    assert encoding["href"]["field"] == "url" and encoding["description"]["field"] == "name"
    assert {row["url"] for row in chart.data} == {f"../cards/{p.card_id}/" for p in POINTS}


def test_linked_marks_get_a_title_a_top_target_and_an_id() -> None:
    from generator.render.chart_svg import link_chart_marks

    svg = (
        '<svg x="1"><g><a xlink:href="https://vega.github.io/vega-datasets/../cards/m-1/">'
        '<path aria-label="M &lt;1&gt;" d="M0"/></a></g></svg>'
    )
    finished = link_chart_marks(svg)
    assert '<a xlink:href="../cards/m-1/" target="_top" id="card-m-1">' in finished
    assert "<title>M &lt;1&gt;</title>" in finished
    assert finished.startswith('<svg x="1"><style>') and "a:target path" in finished
    assert "vega.github.io" not in finished
    plain = link_chart_marks('<svg x="1"><g/></svg>')  # no links: only the colour scheme
    assert plain == '<svg x="1"><style>svg{color-scheme:light dark}</style><g/></svg>'


def test_task_chart_plots_energy_against_parameters_on_log_axes(tmp_path: Path) -> None:
    from generator.compute.tasks import group_by_task
    from generator.project import Project
    from generator.render.task_charts import highlighted_for, task_charts
    from generator.site.images import render_svg
    from generator.site.pipeline import read_project
    from tests.conftest import REPO_ROOT

    summaries = read_project(Project(REPO_ROOT)).summaries
    charts = task_charts(group_by_task(summaries))
    chart = charts["text-generation"]
    assert chart.name == "task-text-generation-energy-parameters"
    spec = chart.vega_lite
    assert spec["mark"]["type"] == "point"
    assert spec["encoding"]["x"]["scale"]["type"] == spec["encoding"]["y"]["scale"]["type"] == "log"
    assert "billion" in spec["encoding"]["x"]["axis"]["labelExpr"]
    assert "lowest Llama 2 7B (7 billion parameters)" in chart.alt_text
    highlighted = highlighted_for(chart, summaries)
    assert highlighted["llama-3-1-8b"].highlight == "llama-3-1-8b"
    assert highlighted["llama-3-1-8b"].vega_lite is chart.vega_lite  # one picture per task
    svg = render_svg(chart, tmp_path)
    assert 'id="card-llama-3-1-8b"' in svg and "<title>Llama 3.1 8B</title>" in svg


def test_a_task_page_rings_no_card_and_a_card_page_rings_its_own(shipped_site: Path) -> None:
    """A card page's copy of its task chart rings that card's dot; the task page's rings none
    (it once showed the last card's dot ringed, "This card's dot is ringed" included)."""
    task = (shipped_site / "tasks" / "text-generation" / "index.html").read_text("utf-8")
    assert "task-text-generation-energy-parameters.svg" in task
    assert "#card-" not in task and "ringed" not in task
    card = (shipped_site / "cards" / "llama-3-1-8b" / "index.html").read_text("utf-8")
    assert "task-text-generation-energy-parameters.svg#card-llama-3-1-8b" in card
    assert "This card's dot is ringed." in card


def test_run_numbers_are_an_ordinal_axis() -> None:
    measured = _measured(_run(0, 0.30), _run(1, 0.10), _run(2, 0.20))
    svg = plot_svg(chart_runs("m", "Model M", measured).plot)
    # "1 2 3" under the points, a third of the axis apart, never "1 2 2 3 3"
    labels = re.findall(r'<text x="([\d.]+)" y="258" font-size="11" fill="#333" '
                        r'text-anchor="middle">(\d)</text>', svg)  # fmt: skip
    assert labels == [("93.33", "1"), ("280", "2"), ("466.67", "3")]


CARD_IDS |= {p.card_id for p in POINTS} | {b.card_id for b in BARS}


def test_every_chart_of_the_shipped_site_is_a_valid_vega_lite_spec() -> None:
    """The build skips altair's validation (0.5 s of every preview refresh); this keeps it."""
    import jsonschema
    from altair.vegalite.v6.schema import load_schema

    from generator.project import Project
    from generator.site.pipeline import read_project
    from generator.site.stage_docs import chart_specs
    from tests.conftest import REPO_ROOT

    home, per_card = chart_specs(read_project(Project(REPO_ROOT)).summaries)
    charts = home + [chart for charts in per_card.values() for chart in charts if not chart.plot]
    assert len(charts) >= 10
    validator = jsonschema.Draft7Validator(load_schema())
    for chart in charts:
        errors = [error.message for error in validator.iter_errors(chart.vega_lite)]
        assert errors == [], chart.name


def test_charts_rendered_in_worker_processes_are_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold build renders charts in worker processes (vl-convert holds the GIL): the SVGs,
    cached and returned, are those of a render in this process, in the charts' order."""
    specs = [
        chart_training_emissions(BARS),
        chart_training_emissions([*BARS, EmissionsBar("y", "Another model", 7, "f", "reported")]),
    ]
    serial = chart_svg.render_svgs(specs, tmp_path / "serial")
    monkeypatch.setattr(chart_svg, "PARALLEL_FROM", 1)
    monkeypatch.setattr(chart_svg.os, "cpu_count", lambda: 2)
    parallel = chart_svg.render_svgs(specs, tmp_path / "parallel")
    assert parallel == serial and serial[0] != serial[1]
    assert "Another model" in parallel[1]
    cached = sorted(p.name for p in (tmp_path / "parallel").iterdir())
    assert cached == sorted(p.name for p in (tmp_path / "serial").iterdir()) and len(cached) == 2
