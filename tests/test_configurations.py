"""Several measured configurations per card (issue 11, part 3): the page's table, comparisons
that pair like with like, and the energy-against-batch-size chart.

The card comes from the importer run on the shared ML.ENERGY v3 file of Qwen 3 32B on GPQA:
5 configurations on one B200 and 4 on two H100s, batch sizes 8 to 128.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main
from generator.compute.summary import summarize_card
from generator.compute.tasks import comparability, comparison_conditions
from generator.formats.card import Card
from generator.formats.figures import InferenceConditions
from generator.render.card_charts import card_charts, chart_configurations
from generator.site import images
from tests.conftest import card_yaml, make_project

# A copy of one file of the shared ML.ENERGY v3 data (with its index and SOURCES.md, which the
# importer cites), so the tests run in any clone.
QWEN = (
    Path(__file__).parent
    / "data"
    / "leaderboards"
    / "mlenergy-v3"
    / "models"
    / "Qwen__Qwen3-32B__gpqa.json"
)
needs_shared = pytest.mark.skipif(not QWEN.is_file(), reason="the Qwen3-32B test file is absent")


def _imported(tmp_path: Path) -> Path:
    """A project holding the card the importer drafts from the shared Qwen 3 32B file."""
    project = make_project(tmp_path)
    args = ["import", "mlenergy", str(QWEN), "--project", str(project), "--update"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return project


def _card(project: Path) -> Card:
    text = (project / "cards" / "qwen3-32b.yaml").read_text(encoding="utf-8")
    return Card.model_validate(yaml.safe_load(text))


def _cells(row: str) -> list[str]:
    cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.DOTALL)
    return [html.unescape(re.sub(r"<[^>]+>", "", cell)) for cell in cells]


def _table_after(page: str, anchor: str) -> list[list[str]]:
    start = page.index(anchor)
    table = page[page.index("<table>", start) : page.index("</table>", start)]
    return [_cells(row) for row in re.findall(r"<tr>(.*?)</tr>", table, re.DOTALL)]


@needs_shared
def test_card_page_shows_the_configurations_table(tmp_path: Path) -> None:
    project = _imported(tmp_path)
    result = CliRunner().invoke(main, ["build", "--project", str(project)])
    assert result.exit_code == 0, result.output
    page = (project / "site" / "cards" / "qwen3-32b" / "index.html").read_text(encoding="utf-8")
    assert '<h3 data-search-exclude id="configurations">Measured configurations' in page
    assert "9 configurations of this model were measured, energy per 1,000 queries in kWh" in page
    rows = _table_after(page, 'id="configurations"')
    assert rows[0] == [
        "Configuration",
        "Hardware",
        "GPUs",
        "Batch size",
        "Precision",
        "Energy per 1,000 queries",
        "Where",
    ]
    assert len(rows) == 1 + 9
    # the reference first, in bold, one unit for the column
    assert rows[1] == [
        "H100 x2, batch 8, tensor_parallel 2 (gpqa) (reference)",
        "NVIDIA H100 80GB HBM3",
        "2",
        "8",
        "bfloat16",
        "3.87 kWh",
        "Qwen__Qwen3-32B__gpqa.json, configurations[5].energy_per_request_joules "
        "(13928.5 J per request)",
    ]
    assert "<strong>H100 x2, batch 8, tensor_parallel 2 (gpqa)</strong> (reference)" in page
    # then in the importer's reference order: H100 first, fewer GPUs, smaller batches
    assert rows[2][:6] == [
        "H100 x2, batch 16, tensor_parallel 2 (gpqa)",
        "NVIDIA H100 80GB HBM3",
        "2",
        "16",
        "bfloat16",
        "2.27 kWh",
    ]
    assert rows[4][:6] == [
        "H100 x2, batch 64, tensor_parallel 2 (gpqa)",
        "NVIDIA H100 80GB HBM3",
        "2",
        "64",
        "bfloat16",
        "1.05 kWh",
    ]
    assert rows[5][:6] == [
        "B200 x1, batch 8 (gpqa)",
        "NVIDIA B200",
        "1",
        "8",
        "bfloat16",
        "4.79 kWh",
    ]
    assert rows[8][:6] == [
        "B200 x1, batch 64 (gpqa)",
        "NVIDIA B200",
        "1",
        "64",
        "bfloat16",
        "0.92 kWh",
    ]
    assert [row[0] for row in rows[1:]].count("B200 x1, batch 128 (gpqa)") == 1
    # the chart sits under Charts, with its data as CSV
    assert 'data="../../charts/card-qwen3-32b-configurations.svg"' in page
    csv_text = (project / "site" / "charts" / "card-qwen3-32b-configurations.csv").read_text()
    assert csv_text.splitlines()[0] == (
        'Configuration,Hardware,GPUs,Batch size,"Energy per 1,000 queries (kWh)",'
        "Reference configuration"
    )
    svg = (project / "site" / "charts" / "card-qwen3-32b-configurations.svg").read_text()
    assert svg.count("<title>") == 9  # every point names its configuration on hover
    assert "<title>B200 x1, batch 128 (gpqa): 0.609 kWh per 1,000 queries</title>" in svg


def _conditions(**changed: object) -> dict:
    return {"hardware": "NVIDIA H100", "scope": "gpu", "includes_pue": False} | changed


def _summary(card_id: str, **conditions: object):
    data = yaml.safe_load(card_yaml(card_id))
    data["inference"]["conditions"] = _conditions(**conditions)
    return summarize_card(Card.model_validate(data))


def test_comparison_conditions_name_the_gpu_count() -> None:
    assert comparison_conditions(_summary("a", gpu_count=2))["GPUs"] == "2"
    assert comparison_conditions(_summary("b"))["GPUs"] == "not given"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("hardware", "NVIDIA B200"),
        ("scope", "gpu+cpu+ram"),
        ("includes_pue", True),
        ("batch_size", 64),
        ("precision", "fp8"),
        ("dataset", "GPQA"),
        ("gpu_count", 8),
    ],
)
def test_every_condition_a_configuration_varies_keeps_figures_apart(field, value) -> None:
    assert field in InferenceConditions.model_fields
    base, changed = _summary("a"), _summary("b", **{field: value})
    assert comparison_conditions(base) != comparison_conditions(changed)
    assert comparability([base, changed])  # the task page says what differs


def test_the_parametrized_fields_are_every_condition() -> None:
    covered = {"hardware", "scope", "includes_pue", "batch_size", "precision", "dataset"}
    assert set(InferenceConditions.model_fields) == covered | {"gpu_count"}


def test_task_page_warns_when_gpu_counts_differ(tmp_path: Path) -> None:
    one = card_yaml("one-gpu").replace("scope: gpu,", "scope: gpu, gpu_count: 1,")
    two = card_yaml("two-gpus").replace("scope: gpu,", "scope: gpu, gpu_count: 2,")
    project = make_project(tmp_path, {"one-gpu.yaml": one, "two-gpus.yaml": two})
    result = CliRunner().invoke(main, ["build", "--project", str(project)])
    assert result.exit_code == 0, result.output
    page = (project / "site" / "tasks" / "text-classification" / "index.html").read_text()
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert "GPUs differs: 1 (1: one-gpu); 2 (1: two-gpus)." in text
    assert "Hardware differs" not in text


@needs_shared
def test_chart_rows_are_the_configurations_a_line_per_hardware_and_gpu_count(tmp_path) -> None:
    card = _card(_imported(tmp_path))
    chart = chart_configurations(card.id, card.name, card.inference.configurations)
    assert chart.name == "card-qwen3-32b-configurations"
    assert [(r["series"], r["batch_size"], r["reference"]) for r in chart.data] == [
        ("NVIDIA B200 x1", 8, False),
        ("NVIDIA B200 x1", 16, False),
        ("NVIDIA B200 x1", 32, False),
        ("NVIDIA B200 x1", 64, False),
        ("NVIDIA B200 x1", 128, False),
        ("NVIDIA H100 80GB HBM3 x2", 8, True),
        ("NVIDIA H100 80GB HBM3 x2", 16, False),
        ("NVIDIA H100 80GB HBM3 x2", 32, False),
        ("NVIDIA H100 80GB HBM3 x2", 64, False),
    ]
    assert chart.data[0] == {
        "series": "NVIDIA B200 x1",
        "batch_size": 8,
        "energy_kwh_per_1000_queries": 4.794055654,
        "configuration": "B200 x1, batch 8 (gpqa)",
        "hardware": "NVIDIA B200",
        "gpu_count": 1,
        "reference": False,
        "name": "B200 x1, batch 8 (gpqa): 4.79 kWh per 1,000 queries",
        "url": "../cards/qwen3-32b/#configurations",
    }
    plot = chart.plot
    assert plot.ring == (8, 3.869019185, "reference")  # kWh: the axis's unit
    assert [(p.x, p.y) for p in plot.series[0].points][4] == (128, 0.608966387)
    assert plot.x_kind == "log2" and plot.legend_title == "Hardware x GPUs" and plot.shapes
    assert chart.alt_text == (
        "Line chart of the energy per 1,000 queries of Qwen 3 32B against batch size, 9 measured "
        "configurations, a line per hardware and GPU count: NVIDIA B200 x1, batch 8 to 128: "
        "4.79 kWh to 0.609 kWh; NVIDIA H100 80GB HBM3 x2, batch 8 to 64: 3.87 kWh to 1.05 kWh; "
        "the ring marks the reference configuration, H100 x2, batch 8, tensor_parallel 2 (gpqa), "
        "3.87 kWh."
    )
    svg = images.render_svg(chart, tmp_path / "cache")
    assert svg.count("<title>") == 9
    # batch size ticks at the powers of 2 from 8 to 128, a line and a shape per series
    ticks = re.findall(r'y="258" font-size="11" fill="#333" text-anchor="middle">([\d,]+)<', svg)
    assert ticks == ["8", "16", "32", "64", "128"]
    assert ">NVIDIA B200 x1</text>" in svg and ">NVIDIA H100 80GB HBM3 x2</text>" in svg
    assert not list((tmp_path / "cache").glob("*.svg"))  # drawn, never cached


@needs_shared
def test_chart_only_with_three_configurations_that_state_a_batch_size(tmp_path) -> None:
    card = _card(_imported(tmp_path))
    confs = card.inference.configurations
    reference = next(c for c in confs if c.reference)
    two = [reference, *[c for c in confs if not c.reference][:1]]
    assert chart_configurations(card.id, card.name, two) is None
    three = [reference, *[c for c in confs if not c.reference][:2]]
    assert chart_configurations(card.id, card.name, three) is not None
    no_batch = [
        c.model_copy(update={"conditions": c.conditions.model_copy(update={"batch_size": None})})
        for c in confs
    ]
    assert chart_configurations(card.id, card.name, no_batch) is None
    names = [chart.name for chart in card_charts(summarize_card(card))]
    assert names == ["card-qwen3-32b-configurations"]


def test_a_varying_precision_is_named_in_the_line_label() -> None:
    data = yaml.safe_load(card_yaml("mixed"))
    figure = {"provenance": "measured", "source": "paper", "where": "Table 2"}
    confs = []
    for n, (precision, batch) in enumerate([("fp8", 1), ("fp8", 2), ("bf16", 1), ("bf16", 2)]):
        conditions = _conditions(batch_size=batch, precision=precision)
        confs.append(
            {"name": f"c{n}", "reference": n == 0, "conditions": conditions}
            | {"energy_kwh_per_1000_queries": figure | {"value": 0.001 * (n + 1)}}
        )
    data["inference"]["conditions"] = confs[0]["conditions"]
    data["inference"]["energy_kwh_per_1000_queries"]["value"] = 0.001
    data["inference"]["configurations"] = confs
    card = Card.model_validate(data)
    chart = chart_configurations(card.id, card.name, card.inference.configurations)
    assert sorted({row["series"] for row in chart.data}) == [
        "NVIDIA H100, bf16",
        "NVIDIA H100, fp8",
    ]
    assert chart.plot.subtitle == "measured configurations; batch size on a log scale"
    assert chart.plot.y_title == "Wh per 1,000 queries"
