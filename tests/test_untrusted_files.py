"""Nothing from a file becomes live markup (issue 13): raw downloads, attributes, CSV cells and
links leaving the project. The browser's view is in tests/test_browser.py."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.load.measurement_paths import published_measurement_path
from generator.render.charts import ChartSpec, chart_csv
from generator.render.escaping import csv_cell, csv_text
from generator.render.open_data import cards_csv
from tests.conftest import REPO_ROOT, make_project
from tests.conftest import card_yaml as _card

SECRET = "root:x:0:0:secret-outside-the-project"


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def _measured_card(card_id: str, path: str, name: str | None = None) -> str:
    return (
        _card(card_id, name)
        .replace("scope: gpu", "scope: cpu+ram")
        .replace(
            '  energy_kwh_per_1000_queries: {value: 0.002, provenance: measured, source: paper, where: "Table 2"}\n',
            f'  measurements:\n    - {{path: "{path}", queries: 1000}}\n',
        )
    )


@pytest.mark.parametrize(
    ("declared", "published"),
    [
        ("measurements/x/emissions.csv", "measurements/x/emissions.csv"),
        ("measurements/x/run.JSON", "measurements/x/run.JSON"),
        ("measurements/x/power.log", "measurements/x/power.log"),
        ("measurements/x/notes.txt", "measurements/x/notes.txt"),
        ("measurements/x/emissions.html", "measurements/x/emissions.html.txt"),
        ("measurements/x/chart.svg", "measurements/x/chart.svg.txt"),
        ("measurements/x/app.js", "measurements/x/app.js.txt"),
        ("measurements/x/page.xhtml", "measurements/x/page.xhtml.txt"),
        ("measurements/x/readme.md", "measurements/x/readme.md.txt"),
        ("measurements/x/no-extension", "measurements/x/no-extension.txt"),
        ("./measurements/x/../x/a.htm", "measurements/x/a.htm.txt"),
    ],
)
def test_raw_files_are_published_under_safe_names(declared: str, published: str) -> None:
    assert published_measurement_path(declared) == published


def test_an_html_measurement_file_is_published_as_text_and_linked_as_a_download(
    tmp_path: Path,
) -> None:
    project = make_project(
        tmp_path,
        {
            "x.yaml": _measured_card(
                "x", "measurements/x/emissions.html", name='Nice" onmouseover="alert(1)'
            )
        },
    )
    header, *rows = (
        (REPO_ROOT / "measurements" / "all-minilm-l6-v2" / "emissions.csv")
        .read_text("utf-8")
        .splitlines()
    )
    rows = [row.replace("all-minilm-l6-v2", "<script>alert(1)</script>", 1) for row in rows]
    (project / "measurements" / "x").mkdir(parents=True)
    original = project / "measurements" / "x" / "emissions.html"
    original.write_text("\n".join([header, *rows]) + "\n", "utf-8")
    code, output = _run("build", "--strict", "--project", str(project))
    assert code == 0, output
    site = project / "site"
    assert not (site / "measurements" / "x" / "emissions.html").exists()
    published = site / "measurements" / "x" / "emissions.html.txt"
    assert published.read_bytes() == original.read_bytes()
    html = (site / "cards" / "x" / "index.html").read_text("utf-8")
    assert '<a download href="../../measurements/x/emissions.html.txt">' in html
    # The card's name is in an attribute, escaped: no quote ends it.
    assert (
        '<meta name="description" content="Energy card: Nice&quot; onmouseover=&quot;alert(1)'
        in html
    )
    assert 'onmouseover="' not in html


def test_every_csv_the_site_writes_neutralises_spreadsheet_formulas(tmp_path: Path) -> None:
    formula = '=HYPERLINK("https://evil.example","x")'
    project = make_project(tmp_path, {"f.yaml": _card("f", formula)})
    code, output = _run("build", "--strict", "--project", str(project))
    assert code == 0, output
    charts = sorted((project / "site" / "charts").glob("*.csv"))
    assert [p.name for p in charts] == ["home-energy-by-task.csv"]
    for path in [*charts, project / "site" / "data" / "cards.csv"]:
        cells = [cell for row in csv.reader(io.StringIO(path.read_text("utf-8"))) for cell in row]
        assert "'" + formula in cells, path.name
        assert not any(cell.startswith(("=", "+", "@")) for cell in cells), path.name


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (None, ""),
        (True, "true"),
        (-0.5, "-0.5"),  # numbers stay numbers
        (12, "12"),
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("plain text", "plain text"),
    ],
)
def test_csv_cell(value: object, cell: str) -> None:
    assert csv_cell(value) == cell


def test_chart_and_open_data_csv_share_one_guard() -> None:
    spec = ChartSpec("c", "t", {}, "alt", [{"name": "=cmd|' /C calc'!A0", "v": -1.5}], [])
    spec.columns.extend([("name", "Model"), ("v", "Value")])
    assert chart_csv(spec) == csv_text(["Model", "Value"], [["=cmd|' /C calc'!A0", -1.5]])
    assert chart_csv(spec).splitlines()[1].startswith("'=cmd")
    assert "'@x" in cards_csv([dict.fromkeys(_open_data_keys(), "@x")])


def _open_data_keys() -> list[str]:
    from generator.formats.open_data import COLUMNS

    return [key for key, _ in COLUMNS]


def test_a_hand_written_page_linking_outside_the_project_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text(f"# Secret\n\n{SECRET}\n", "utf-8")
    project = make_project(_folder(tmp_path / "project"), {"a.yaml": _card("a")})
    (project / "site_src" / "secret.md").symlink_to(outside)
    (project / "site_src" / "linked-folder").symlink_to(tmp_path, target_is_directory=True)
    (project / "site_src" / "readme-link.md").symlink_to(project / "cards" / "a.yaml")  # inside
    code, output = _run("build", "--project", str(project))
    assert code == 1
    assert "site_src/secret.md: error[file-outside-project]" in output
    assert "site_src/linked-folder: error[file-outside-project]" in output
    assert "readme-link" not in output
    assert "secret-outside" not in output
    assert not (project / "site").exists()
    (project / "site_src" / "secret.md").unlink()
    (project / "site_src" / "linked-folder").unlink()
    code, output = _run("build", "--strict", "--project", str(project))
    assert code == 0, output
    assert (project / "site" / "readme-link" / "index.html").is_file()


def test_a_card_linking_outside_the_project_is_refused_without_echoing_it(
    tmp_path: Path,
) -> None:
    outside = tmp_path / "passwd.yaml"
    outside.write_text(f"{SECRET}\n", "utf-8")
    project = make_project(_folder(tmp_path / "project"), {"a.yaml": _card("a")})
    (project / "cards" / "b.yaml").symlink_to(outside)
    for command in ("validate", "build"):
        code, output = _run(command, "--project", str(project))
        assert code == 1, command
        assert "cards/b.yaml: error[file-outside-project]" in output, output
        assert "secret" not in output and "root:x" not in output, output
        assert "in 2 cards" in output


def _folder(path: Path) -> Path:
    path.mkdir()
    return path
