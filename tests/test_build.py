"""End to end: build projects and read the HTML and search index a reader gets."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main
from generator.units import energy_unit_for, readable_emissions, readable_energy
from tests.conftest import REPO_ROOT, make_project
from tests.conftest import card_yaml as _card


def _build(project: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["build", "--project", str(project), *args])
    return result.exit_code, result.output


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _shipped_cards() -> dict[str, dict]:
    return {
        path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted((REPO_ROOT / "cards").glob("*.yaml"))
    }


def test_llama_3_70b_page_shows_1900_tco2e_with_its_source(shipped_site: Path) -> None:
    html = (shipped_site / "cards" / "llama-3-70b" / "index.html").read_text(encoding="utf-8")
    text = _text(html)
    row = re.search(r"Training emissions 1.9 kt CO₂e (\w+) (.+?)\|?(?:Energy|$|Training)", text)
    assert row, text[:2000]
    assert row.group(1) == "estimated"
    card = _shipped_cards()["llama-3-70b"]
    source = card["sources"][card["training"]["emissions_tco2e"]["source"]]
    assert source["title"] in text
    assert f'href="{source["url"]}"' in html
    assert str(source["year"]) in row.group(2)


def _search_body(html: str) -> str:
    """The text Pagefind indexes on a page: what `data-pagefind-body` wraps."""
    found = re.search(r"<div data-pagefind-body>(.*?)</article>", html, re.DOTALL)
    assert found, "page is not marked for the search index"
    return _text(found.group(1))


def _filters(site: Path) -> dict[str, dict[str, int]]:
    """Each Pagefind filter with its values and how many pages carry each."""
    from generator.site.search import _read_cbor

    bundle = site / "pagefind"
    entry = json.loads((bundle / "pagefind-entry.json").read_text("utf-8"))
    meta = _read_cbor(bundle / f"pagefind.{entry['languages']['en']['hash']}.pf_meta")
    filters = {}
    for name, file_hash in meta[3]:
        _, values = _read_cbor(bundle / "filter" / f"{file_hash}.pf_filter")
        filters[name] = {value: len(pages) for value, pages in values}
    return filters


def test_every_llama_card_is_indexed_for_search_by_name(shipped_site: Path) -> None:
    llama_cards = [cid for cid, card in _shipped_cards().items() if "llama" in card["name"].lower()]
    assert len(llama_cards) >= 9
    for card_id in llama_cards:
        html = (shipped_site / "cards" / card_id / "index.html").read_text("utf-8")
        assert re.search(r"\bllama\b", _search_body(html), re.IGNORECASE), card_id
    entry = json.loads((shipped_site / "pagefind" / "pagefind-entry.json").read_text("utf-8"))
    pages = len(list(shipped_site.rglob("index.html"))) - 1  # all but the search page itself
    assert entry["languages"]["en"]["page_count"] == pages


@pytest.mark.parametrize(
    ("query", "card_id"),
    [("Meta", "llama-3-70b"), ("H100", "llama-3-70b"), ("Text generation", "llama-3-70b")],
)
def test_search_body_has_organization_hardware_and_task(
    shipped_site: Path, query: str, card_id: str
) -> None:
    html = (shipped_site / "cards" / card_id / "index.html").read_text("utf-8")
    assert query.lower() in _search_body(html).lower()


def test_search_filters_by_task_and_organization(shipped_site: Path) -> None:
    filters = _filters(shipped_site)
    cards = _shipped_cards()
    assert sum(filters["task"].values()) == len(cards)  # every card, under its one task
    assert filters["organization"]["Meta"] == sum(
        c["organization"] == "Meta" for c in cards.values()
    )
    assert filters["task"]["Text generation"] == sum(
        c["task"] == "text-generation" for c in cards.values()
    )


def test_no_page_loads_a_search_index(shipped_site: Path) -> None:
    """Search costs a page nothing until a reader searches: no index, no search script."""
    assert not (shipped_site / "search" / "search_index.json").exists()
    for page in shipped_site.rglob("*.html"):
        html = page.read_text("utf-8")
        assert "search_index.json" not in html, page
        if page.relative_to(shipped_site).as_posix() != "search/index.html":
            assert "pagefind" not in html.replace("data-pagefind-", ""), page
    search_page = (shipped_site / "search" / "index.html").read_text("utf-8")
    assert "../javascripts/search.js" in search_page
    assert (shipped_site / "pagefind" / "pagefind-ui.js").is_file()


def test_search_index_is_the_same_bytes_on_every_build(tmp_path: Path) -> None:
    cards = {f"c{n}.yaml": _card(f"c{n}", f"Model {n}") for n in range(4)}
    cards["d.yaml"] = _card("d", "Other").replace("Example Lab", "Other Lab")
    project = make_project(tmp_path, cards)
    builds = []
    for _ in range(2):
        code, output = _build(project)
        assert code == 0, output
        bundle = project / "site" / "pagefind"
        builds.append(
            {p.relative_to(bundle): p.read_bytes() for p in bundle.rglob("*") if p.is_file()}
        )
    assert builds[0] == builds[1]
    assert _filters(project / "site")["organization"] == {"Example Lab": 4, "Other Lab": 1}


def test_cards_are_linked_from_task_pages_not_listed_in_navigation(shipped_site: Path) -> None:
    task_html = (shipped_site / "tasks" / "text-generation" / "index.html").read_text("utf-8")
    assert 'href="../../cards/llama-3-70b/"' in task_html
    # The navigation is on every page; if it listed cards, each page would link them all.
    home = (shipped_site / "index.html").read_text("utf-8")
    assert "cards/llama" not in home
    card_page = (shipped_site / "cards" / "llama-3-70b" / "index.html").read_text("utf-8")
    assert "llama-3-8b" not in card_page
    tabs = re.search(r'<nav class="md-tabs".*?</nav>', home, re.DOTALL).group(0)
    assert re.findall(r'md-tabs__link">\s*([^<]+?)\s*<', tabs) == [
        "Home",
        "Models",
        "Tasks",
        "Compare",
        "Card format",
        "Methodology",
        "Open data",
        "Contributing",
        "Tags",
        "About",
    ]


def test_schema_is_published(shipped_site: Path) -> None:
    published = json.loads((shipped_site / "schema" / "card.schema.json").read_text("utf-8"))
    assert published["title"] == "Model energy card"
    assert "training" in published["properties"]


def test_site_makes_no_third_party_requests(shipped_site: Path) -> None:
    for page in shipped_site.rglob("*.html"):
        html = page.read_text("utf-8")
        for url in re.findall(r'(?:src|href)="(https?://[^"]+)"', html):
            # Links to sources are fine; nothing may be *loaded* from another host.
            assert not re.search(r"\.(css|js|woff2?)(\?|$)", url), (page, url)
        assert "fonts.googleapis.com" not in html


def test_failed_build_leaves_previous_site_untouched(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"good.yaml": _card("good", "Good Model")})
    code, output = _build(project)
    assert code == 0, output
    site = project / "site"
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}

    (project / "cards" / "good.yaml").write_text(
        _card("good", "Good Model").replace("value: 0.002", "value: lots"), encoding="utf-8"
    )
    (project / "cards" / "new.yaml").write_text(_card("new", "New Model"), encoding="utf-8")
    code, output = _build(project)
    assert code == 1
    assert "cards/good.yaml:9:40: error[wrong-type]" in output
    assert "build failed: the previous site was left as it was" in output
    after = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert after == before
    assert not (site / "cards" / "new").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".site")) == []


def test_build_fails_on_unknown_key_and_writes_nothing(tmp_path: Path) -> None:
    """An unknown key is an error (a misspelt figure would vanish), with or without --strict."""
    card = _card("x", "X Model") + "colour: green\n"
    project = make_project(tmp_path, {"x.yaml": card})
    for options in (["--strict"], []):
        code, output = _build(project, *options)
        assert code == 1
        assert "cards/x.yaml:10:1: error[unknown-key] colour:" in output
        assert not (project / "site").exists()


def test_removed_card_disappears_from_the_next_build(tmp_path: Path) -> None:
    project = make_project(
        tmp_path, {"a.yaml": _card("a", "Model A"), "b.yaml": _card("b", "Model B")}
    )
    assert _build(project)[0] == 0
    assert (project / "site" / "cards" / "b" / "index.html").is_file()
    (project / "cards" / "b.yaml").unlink()
    assert _build(project)[0] == 0
    assert not (project / "site" / "cards" / "b").exists()
    assert (project / "site" / "cards" / "a" / "index.html").is_file()


def test_site_dir_option_and_task_order(tmp_path: Path) -> None:
    (tmp_path / "p").mkdir()
    project = make_project(
        tmp_path / "p",
        {
            "big.yaml": _card("big", "Big Model", energy=0.5),
            "small.yaml": _card("small", "Small Model", energy=0.001),
        },
    )
    out = tmp_path / "elsewhere" / "www"
    code, output = _build(project, "--site-dir", str(out))
    assert code == 0, output
    task = _text((out / "tasks" / "text-classification" / "index.html").read_text("utf-8"))
    assert task.index("Small Model") < task.index("Big Model")
    assert "1 Wh" in task and "500 Wh" in task  # one unit for the column
    assert not (project / "site").exists()


def test_card_text_is_escaped_everywhere(tmp_path: Path) -> None:
    nasty = _card(
        "nasty", "Model *bold* &lt;/title&gt;<img", hardware="GPU <script>alert(1)</script>"
    )
    nasty = nasty.replace("<img", "").replace(
        "organization: Example Lab", "organization: '[click](javascript:alert(1)) _x_'"
    )
    nasty += "notes: |\n  <script>alert(2)</script>\n  # not a heading\n  ![img](https://evil.example/x.png)\n"
    project = make_project(tmp_path, {"nasty.yaml": nasty})
    code, output = _build(project)
    assert code == 0, output
    html = (project / "site" / "cards" / "nasty" / "index.html").read_text("utf-8")
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html
    assert 'src="https://evil.example' not in html  # the note's image stays text
    assert "![img](https://evil.example/x.png)" in _text(html)
    assert "<h1" in html and "not a heading" in html and '<h1 id="not-a-heading"' not in html
    assert "Model *bold* &amp;lt;/title&amp;gt;" in html
    assert "<title>Model *bold* &amp;lt;/title&amp;gt; - Model Energy Cards</title>" in html


def test_measured_card_shows_median_spread_scope_provenance_and_co2(shipped_site: Path) -> None:
    import csv
    import statistics

    text = (REPO_ROOT / "measurements/sklearn-digits-logreg/emissions.csv").read_text("utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    per_1000 = [float(r["cpu_energy"]) + float(r["ram_energy"]) for r in rows]  # 1,000 queries/run
    html = (shipped_site / "cards" / "sklearn-digits-logreg" / "index.html").read_text("utf-8")
    text = _text(html)
    median = readable_energy(statistics.median(per_1000))
    assert f"Energy per 1,000 queries {median} estimated median of {len(rows)} runs" in text
    unit = energy_unit_for([min(per_1000), max(per_1000)])  # one unit for the pair
    low, high = readable_energy(min(per_1000), unit), readable_energy(max(per_1000), unit)
    assert f"(min {low}, max {high})" in text
    assert "Scope: CPU and RAM." in text
    assert "Estimated, not measured by a sensor" in text
    assert "cpu_load mode: power from the CPU's TDP, not a sensor" in text
    co2 = readable_emissions(statistics.median(per_1000) * 475 / 1000)
    assert f"CO₂: {co2} CO₂e per 1,000 queries" in text
    assert "475 g CO₂e/kWh" in text and "2019 data" in text
    own = readable_emissions(statistics.median(float(r["emissions"]) for r in rows))
    assert f"The file itself reports {own} CO₂e per 1,000 queries" in text


def test_methodology_lists_every_factor_with_its_source_and_year(shipped_site: Path) -> None:
    from generator.load.factors import read_factors

    html = (shipped_site / "methodology" / "index.html").read_text("utf-8")
    text = _text(html)
    factors, problems = read_factors()
    assert problems == []
    for factor in factors:
        assert factor.singular in text, factor.id
        assert f'href="{factor.source.url.replace("&", "&amp;")}"' in html, factor.id
        assert f"{factor.source.title}" in text, factor.id
        row = re.search(re.escape(factor.singular) + r".{0,600}?\| ?(\d{4}) ?\|", _table_text(html))
        assert row and int(row.group(1)) == factor.source.year, factor.id
    assert "2026-12-03" in text  # the shipped rating reference


def _table_text(html: str) -> str:
    """Table rows as 'cell | cell |' text, to check which year sits in a factor's row."""
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.DOTALL)
    return "\n".join(
        " | ".join(_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL))
        + " |"
        for row in rows
    )


def test_break_even_and_equivalences_on_a_card(shipped_site: Path) -> None:
    text = _text((shipped_site / "cards" / "bloomz-7b1" / "index.html").read_text("utf-8"))
    # (51,686 + 7,571) kWh / (0.104 kWh / 1,000) = 569,778,846 queries.
    assert "Break-even: 570 million queries (computed here)." in text
    assert "training and fine-tuning (59.3 MWh), at 104 mWh per query" in text
    # 51,686 kWh / (10,715 / 365 kWh per household-day) = 1,760.6
    assert "as much energy as 1,760 days of an average US household's electricity" in text
    llama = _text((shipped_site / "cards" / "llama-3-70b" / "index.html").read_text("utf-8"))
    # 1,900 t = 1,900,000 kg / 60 kg per seedling = 31,667
    assert (
        "as much CO₂e as 31,700 tree seedlings grown for 10 years (CO₂e from the training emissions above)"
        in llama
    )


def test_task_page_shows_stars_and_comparability(shipped_site: Path) -> None:
    text = _text((shipped_site / "tasks" / "text-generation" / "index.html").read_text("utf-8"))
    assert "Comparability" in text
    assert "Hardware differs:" in text
    assert "NVIDIA H100 80GB (" in text
    assert "Energy scope differs:" in text
    html = (shipped_site / "tasks" / "text-generation" / "index.html").read_text("utf-8")
    assert 'aria-label="5 of 5 stars"' in html


def test_raw_measurement_files_are_published_as_downloads(shipped_site: Path) -> None:
    html = (shipped_site / "cards" / "all-minilm-l6-v2" / "index.html").read_text("utf-8")
    assert 'href="../../measurements/all-minilm-l6-v2/emissions.csv"' in html
    published = shipped_site / "measurements" / "all-minilm-l6-v2" / "emissions.csv"
    original = REPO_ROOT / "measurements" / "all-minilm-l6-v2" / "emissions.csv"
    assert published.read_bytes() == original.read_bytes()
    assert (shipped_site / "measurements" / "all-minilm-l6-v2" / "measurement.json").is_file()
    assert not (shipped_site / "measurements" / "all-minilm-l6-v2" / "workload.py").exists()


def test_nvml_counter_file_gives_energy_and_a_power_timeline(tmp_path: Path) -> None:
    card = _card("gpu-model", "GPU Model").replace(
        '  energy_kwh_per_1000_queries: {value: 0.002, provenance: measured, source: paper, where: "Table 2"}\n',
        "  measurements:\n    - {path: measurements/gpu-model/nvml_energy.csv, queries: 1000}\n",
    )
    project = make_project(tmp_path, {"gpu-model.yaml": card})
    folder = project / "measurements" / "gpu-model"
    folder.mkdir(parents=True)
    rows = ["timestamp,run,index,total_energy_mj,power_w"]
    for second in range(11):  # 10 s at 300 W on GPU 0: 3,000 J; 10 s at 60 W on GPU 1: 600 J
        rows.append(f"{1700000000 + second},r1,0,{5_000_000 + 300_000 * second},300")
        rows.append(f"{1700000000 + second},r1,1,{9_000_000 + 60_000 * second},60")
    (folder / "nvml_energy.csv").write_text("\n".join(rows) + "\n", "utf-8")
    code, output = _build(project, "--strict")
    assert code == 0, output
    text = _text((project / "site" / "cards" / "gpu-model" / "index.html").read_text("utf-8"))
    # 3,600 J = 0.001 kWh per 1,000 queries, measured by NVML's energy counter.
    assert "Energy per 1,000 queries 1 Wh measured median of 1 run" in text
    power_csv = (project / "site" / "charts" / "card-gpu-model-power.csv").read_text("utf-8")
    assert power_csv.count("\n") == 1 + 22  # header + 11 samples x 2 GPUs
    svg = (project / "site" / "charts" / "card-gpu-model-power.svg").read_text("utf-8")
    assert svg.startswith("<svg") and "GPU" in svg


def test_label_pngs_are_small_palette_pngs_of_the_picture_resvg_draws(shipped_site: Path) -> None:
    """Our label renderer (Pillow) against an independent one (resvg, in vl-convert): the same
    picture to within anti-aliasing, text in the same places; a seventh of resvg's bytes."""
    import io

    import numpy as np
    import vl_convert
    from PIL import Image

    svg = (shipped_site / "labels" / "llama-3-70b.svg").read_text("utf-8")
    published = (shipped_site / "labels" / "llama-3-70b.png").read_bytes()
    resvg = vl_convert.svg_to_png(svg, scale=2)
    with Image.open(io.BytesIO(published)) as ours, Image.open(io.BytesIO(resvg)) as theirs:
        assert ours.mode == "P" and ours.size == theirs.size == (520, 728)
        mine, other = _grey_on_white(ours), _grey_on_white(theirs)
    # 7.3 measured (glyphs hinted, not kerned); the same picture 4 px lower is 22.8 away.
    assert np.abs(mine - other).mean() < 12, np.abs(mine - other).mean()
    # Row by row, where the ink is: every text line and rule sits where resvg puts it (0.99
    # measured; 0.80 for the picture 4 px lower).
    ink_mine, ink_other = (mine < 128).sum(axis=1), (other < 128).sum(axis=1)
    assert np.corrcoef(ink_mine, ink_other)[0, 1] > 0.95
    assert len(published) < len(resvg) / 5, (len(published), len(resvg))


def _grey_on_white(image):  # noqa: ANN001, ANN202 - a PIL image in, a numpy array out
    import numpy as np
    from PIL import Image

    rgba = image.convert("RGBA")
    white = Image.new("RGBA", rgba.size, "white")
    return np.asarray(Image.alpha_composite(white, rgba).convert("L"), dtype=float)


def test_unchanged_labels_are_never_rendered_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import generator.site.images as images

    project = make_project(tmp_path, {"a.yaml": _card("a"), "b.yaml": _card("b")})
    rendered: list[str] = []
    original = images.render_svg_png
    monkeypatch.setattr(
        images, "render_svg_png", lambda svg, scale=2: rendered.append(svg) or original(svg, scale)
    )
    assert _build(project)[0] == 0
    assert len(rendered) == 2
    first = (project / "site" / "labels" / "a.png").read_bytes()
    rendered.clear()
    assert _build(project)[0] == 0
    assert rendered == []  # both from the cache
    assert (project / "site" / "labels" / "a.png").read_bytes() == first
    (project / "cards" / "b.yaml").write_text(_card("b", energy=0.5), encoding="utf-8")
    assert _build(project)[0] == 0
    assert len(rendered) == 1  # only b's label changed
    assert (project / "site" / "labels" / "a.png").read_bytes() == first


def test_the_png_cache_key_holds_content_and_renderer_versions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import generator.site.images as images

    key = images.png_key("<svg>a</svg>")
    assert key == images.png_key("<svg>a</svg>")
    assert key != images.png_key("<svg>b</svg>") and key != images.png_key("<svg>a</svg>", 3)
    monkeypatch.setattr(images, "pillow_version", lambda: "0.0")
    assert key != images.png_key("<svg>a</svg>")


def test_labels_rendered_in_worker_processes_are_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import generator.site.images as images

    labels = {
        f"c{n}": images.label_svg(
            "<svg xmlns='http://www.w3.org/2000/svg' width='40' height='20'>"
            f"<rect width='{n + 5}' height='10' fill='#3a7'/></svg>",
            f"label {n}",
        )
        for n in range(4)
    }
    serial = images.pngs_cached(labels, tmp_path / "serial")
    monkeypatch.setattr(images, "PARALLEL_FROM", 2)
    parallel = images.pngs_cached(labels, tmp_path / "parallel")
    assert parallel == serial
    assert sorted(p.name for p in (tmp_path / "parallel").iterdir()) == sorted(
        f"{key}.png" for key, _ in serial.values()
    )


def test_open_data_carries_its_licence(shipped_site: Path) -> None:
    document = json.loads((shipped_site / "data" / "cards.json").read_text("utf-8"))
    assert document["license"]["spdx"] == "CC-BY-4.0"
    assert document["license"]["url"] == "https://creativecommons.org/licenses/by/4.0/"
    data_page = _text((shipped_site / "data" / "index.html").read_text("utf-8"))
    assert "Creative Commons Attribution 4.0 International (CC BY 4.0) licence" in data_page
    assert "license names this licence (SPDX id CC-BY-4.0" in data_page
    footer = (REPO_ROOT / "mkdocs.yml").read_text("utf-8")
    assert document["license"]["url"] in footer  # the footer says the same


def test_card_pages_link_to_their_yaml_for_editing_when_the_repository_is_known(
    tmp_path: Path, shipped_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "Edit this card" not in (shipped_site / "cards" / "gpt-3" / "index.html").read_text(
        "utf-8"
    )  # no REPO_URL, no link to nowhere
    monkeypatch.setenv("REPO_URL", "https://github.com/example/model-energy-cards/")
    project = make_project(tmp_path, {"a.yaml": _card("a", "Model A")})
    code, output = _build(project, "--strict")
    assert code == 0, output
    html = (project / "site" / "cards" / "a" / "index.html").read_text("utf-8")
    edit = re.search(r'<a href="([^"]+)" title="Edit this card \(cards/a\.yaml\)"', html)
    assert (
        edit and edit[1] == "https://github.com/example/model-energy-cards/edit/main/cards/a.yaml"
    )
    for page in ("index.html", "cards/index.html", "tasks/text-classification/index.html"):
        assert "Edit this card" not in (project / "site" / page).read_text("utf-8"), page


def test_contributing_page_says_what_to_clone() -> None:
    text = (REPO_ROOT / "site_src" / "contributing.md").read_text("utf-8")
    assert "<this repository>" not in text
    assert "git clone <repository URL> model-energy-cards && cd model-energy-cards" in text
    assert "repository link at the top right of every page" in text
    workflow = (REPO_ROOT / ".github" / "workflows" / "pages.yml").read_text("utf-8")
    assert "REPO_URL: ${{ github.server_url }}/${{ github.repository }}" in workflow
