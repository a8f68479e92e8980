"""In a real headless Chromium, served over HTTP: what a reader sees and does.

Needs Debian's chromium (/usr/bin/chromium) and the playwright package. Without them these
tests skip locally with the reason; under CI (CI set in the environment) they must run.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

# Debian's chromium by default; CHROMIUM_PATH points elsewhere (e.g. Chrome on GitHub runners).
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _require_browser() -> None:
    missing = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package (pip install -e '.[test]')")
    if not Path(CHROMIUM).exists():
        missing.append("Chromium (apt-get install -y chromium)")
    if missing:
        reason = "browser tests need " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(reason + "; CI must run them")
        pytest.skip(reason)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def _served(folder: Path) -> Iterator[str]:
    """A folder served over HTTP on a free local port; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def site_url(shipped_site: Path) -> Iterator[str]:
    with _served(shipped_site) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, site_url: str):
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on(
        "request",
        lambda r: (
            problems.append(f"request to another host: {r.url}")
            if not r.url.startswith((site_url, "data:", "blob:"))
            else None
        ),
    )
    yield page
    page.close()
    assert problems == []


def _search(page, site_url: str, query: str) -> list[str]:
    """Search as a reader would: type in the header's box and press Enter, then list every
    result's title on the search page (Pagefind's UI), loading more until all are shown."""
    page.set_viewport_size({"width": 1280, "height": 900})  # the header box (a link on phones)
    page.goto(site_url + "/")
    box = page.locator("input.ec-search-form__input")
    box.fill(query)
    box.press("Enter")
    page.wait_for_url("**/search/?q=*")
    page.wait_for_selector(".pagefind-ui__result", timeout=15_000)
    # The UI says how many it found ("213 results for H100") and shows them a page at a time:
    # load more until all are there (not until the button blinks out while a page loads).
    page.wait_for_function(  # not "Searching for ...", which comes first
        "/^[\\d,]+ results? for/.test("
        "document.querySelector('.pagefind-ui__message')?.textContent.trim() || '')"
    )
    message = page.locator(".pagefind-ui__message").inner_text()
    total = int(re.match(r"(\d+) results?", message.replace(",", "")).group(1))
    # Press "Load more" from inside the page on each poll until all are listed: a click from
    # here could land while the list re-rendered and be lost (a fresh-clone run waited 30 s).
    page.wait_for_function(
        """total => {
            if (document.querySelectorAll('.pagefind-ui__result').length >= total) return true;
            document.querySelector('button.pagefind-ui__button')?.click();
            return false;
        }""",
        arg=total,
        polling=500,
    )
    # Each result shows a placeholder title (". . . .") until its data arrives: wait until
    # none is left (a CI run once read three placeholders after the network went idle).
    page.wait_for_function(
        """total => {
            const results = document.querySelectorAll('.pagefind-ui__result');
            const titles = [...document.querySelectorAll('.pagefind-ui__result-title')]
                .map(t => t.innerText.trim());
            return results.length >= total && !document.querySelector('.pagefind-ui__loading')
                && titles.every(t => t.length > 0 && !/^[.\\s]+$/.test(t));
        }""",
        arg=total,
    )
    titles = page.locator(".pagefind-ui__result-title").all_inner_texts()
    return [title.strip() for title in titles]


def test_searching_llama_lists_the_llama_cards(page, site_url: str) -> None:
    found = set(_search(page, site_url, "llama"))
    expected = {
        "Meta Llama 3 8B", "Meta Llama 3 70B", "Llama 2 7B", "Llama 2 13B", "Llama 2 70B",
        "Llama 3.1 8B", "Llama 3.1 70B", "Llama 3.1 405B", "Llama 3.3 70B",
    }  # fmt: skip
    assert expected <= found
    page.locator(".pagefind-ui__result-link", has_text="Meta Llama 3 70B").first.click()
    page.wait_for_url("**/cards/llama-3-70b/**")
    # 1,900 t CO2e from Meta's model card, in a readable unit (the space may be unbreakable)
    assert re.search(r"1\.9\s+kt CO₂e", page.inner_text("article"))


def test_a_site_indexed_in_several_bundles_searches_as_one(
    page, browser, site_url: str, shipped_site: Path, tmp_path: Path
) -> None:
    """Past `PAGES_PER_BUNDLE` pages the index is built in batches (Pagefind holds every page
    in memory); the search page merges the bundles: the same query finds the same cards."""
    import shutil

    from generator.site.search import index_site

    split = tmp_path / "site"
    shutil.copytree(shipped_site, split, ignore=shutil.ignore_patterns("pagefind"))
    assert index_site(split, pages_per_bundle=60) == []
    parts = json.loads((split / "pagefind" / "parts.json").read_text("utf-8"))["parts"]
    assert parts == ["part-1/", "part-2/", "part-3/", "part-4/"]
    whole = set(_search(page, site_url, "llama"))
    with _served(split) as url:
        other = browser.new_page()  # the `page` fixture allows requests to one site only
        errors: list[str] = []
        other.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        fetched: list[str] = []
        other.on("request", lambda r: fetched.append(r.url))
        try:
            assert set(_search(other, url, "llama")) == whole
        finally:
            other.close()
    assert len(whole) >= 20  # the imported Llama cards too, spread over the bundles
    assert errors == [] and all(u.startswith((url, "data:", "blob:")) for u in fetched)
    assert any("/pagefind/part-" in u for u in fetched)  # the merged bundles were searched


@pytest.mark.parametrize(
    ("query", "title"), [("H100", "Meta Llama 3 70B"), ("BigScience", "BLOOM")]
)
def test_search_by_hardware_and_organization(page, site_url: str, query: str, title: str) -> None:
    assert any(title in text for text in _search(page, site_url, query))


def test_searching_hardware_lists_the_cards_measured_on_it_first(page, site_url: str) -> None:
    """Cards measured on an H100 come before any task page (task tables are not indexed as
    prose), and each result shows its task, headline figure and stars."""
    import yaml

    from tests.conftest import REPO_ROOT

    measured_on_h100 = set()
    for path in (REPO_ROOT / "cards").glob("*.yaml"):
        card = yaml.safe_load(path.read_text("utf-8"))
        hardware = ((card.get("inference") or {}).get("conditions") or {}).get("hardware", "")
        if "H100" in hardware:
            measured_on_h100.add(f"/cards/{card['id']}/")
    assert len(measured_on_h100) >= 5
    _search(page, site_url, "H100")
    links = page.locator(".pagefind-ui__result-link").evaluate_all(
        "links => links.map(a => new URL(a.href).pathname)"
    )
    cards = [link for link in links if link.startswith("/cards/") and link != "/cards/"]
    assert len(measured_on_h100) > 150  # the leaderboards measure on H100s
    assert len(links) >= 50 and set(links[:50]) <= set(cards), links  # cards come first
    # Every result, from Pagefind's own API (the UI shows them 5 at a time).
    found = page.evaluate(
        """async () => {
          const pagefind = await import(new URL("../pagefind/pagefind.js", document.baseURI));
          const search = await pagefind.search("H100");
          const data = await Promise.all(search.results.map((result) => result.data()));
          return data.map((d) => new URL(d.url, location.origin).pathname);
        }"""
    )
    assert measured_on_h100 <= set(found), sorted(measured_on_h100 - set(found))
    assert any(link.startswith("/tasks/") for link in found)  # still found, after the cards
    first = page.locator(".pagefind-ui__result").first
    tags = first.locator(".pagefind-ui__result-tag").all_inner_texts()
    assert "Task: Text generation" in tags, tags
    assert any(re.fullmatch(r"Energy: [\d.,]+ k?Wh per 1,000 queries", tag) for tag in tags), tags
    assert any(re.fullmatch(r"Stars: (\d of 5|not rated)", tag) for tag in tags), tags


def test_search_narrows_by_organization(page, site_url: str) -> None:
    everything = _search(page, site_url, "llama")
    page.locator(".pagefind-ui__filter-name", has_text="organization").click()
    page.locator(".pagefind-ui__filter-checkbox[id$='Meta']").check()
    # Pagefind re-renders the list as the filtered chunks arrive: wait for a settled list
    # (fewer results than before, every title loaded, the same on two polls 250 ms apart;
    # a loaded machine once caught it midway) rather than for the network.
    page.wait_for_function(
        """count => {
            const titles = [...document.querySelectorAll('.pagefind-ui__result-title')]
                .map(t => t.innerText.trim());
            const key = titles.join('|');
            const settled = window.__ecLastTitles === key && titles.length > 0
                && titles.length < count && titles.every(t => t.length > 0);
            window.__ecLastTitles = key;
            return settled;
        }""",
        arg=len(everything),
        polling=250,
    )
    titles = page.locator(".pagefind-ui__result-title").all_inner_texts()
    assert titles and all("Llama" in title for title in titles), titles


def test_at_scale_calculator(page, site_url: str) -> None:
    page.goto(site_url + "/cards/llama-3-1-8b/")
    box = page.locator(".ec-calculator input")
    box.fill("2000000")
    # 2,000,000 queries/day x 365 x 0.017376263 kWh / 1,000 = 12,684.67 kWh a year;
    # / 10,715 kWh per household-year = 1.18 households.
    result = page.locator(".ec-calculator__result").inner_text()
    assert result == "12,700 kWh a year: the electricity of 1.18 average US households for a year."
    page.goto(site_url + "/cards/sklearn-digits-logreg/")
    assert "t CO₂e at 475 g CO₂e/kWh" in page.locator(".ec-calculator__result").inner_text()


def test_sorting_a_task_table(page, site_url: str) -> None:
    rows = page.request.get(site_url + "/data/cards.json").json()["cards"]
    with_figure = sorted(
        (r["energy_kwh_per_1000_queries"], r["name"])
        for r in rows
        if r["task"] == "text-generation" and r["energy_kwh_per_1000_queries"]
    )
    assert len(with_figure) == 73
    page.goto(site_url + "/tasks/text-generation/")
    energy_header = page.locator(".ec-sortable thead th", has_text="Energy per 1,000 queries")
    names = page.locator(".ec-sortable tbody tr td:first-child")
    energies = page.locator(".ec-sortable tbody tr td:nth-child(4)")

    def values() -> list[float]:
        return [
            float(t.replace(",", "").split()[0]) for t in energies.all_inner_texts() if t.strip()
        ]

    energy_header.click()
    ascending = values()
    assert ascending == sorted(ascending) and len(ascending) == len(with_figure)
    assert names.first.inner_text() == with_figure[0][1]
    energy_header.click()
    descending = values()
    assert descending == sorted(descending, reverse=True)
    assert names.first.inner_text() == with_figure[-1][1]
    assert energy_header.get_attribute("aria-sort") == "descending"
    page.locator(".ec-sortable thead th", has_text="Model").click()
    assert names.all_inner_texts() == sorted(names.all_inner_texts(), key=str.lower)


def test_compare_shows_two_models_from_a_shareable_url(page, site_url: str) -> None:
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url.removeprefix(site_url)))
    page.goto(site_url + "/compare/?cards=llama-3-1-8b,sklearn-digits-logreg")
    page.wait_for_selector(".ec-compare__result table")
    # The picker's index and the shards of the two cards, never the whole cards.json.
    data = sorted(url for url in fetched if url.startswith("/data/"))
    assert "/data/compare/index.json" in data and len(data) <= 3, data
    assert all(re.fullmatch(r"/data/compare/(index|\d+)\.json", url) for url in data), data
    headers = page.locator(".ec-compare__result thead th").all_inner_texts()
    assert headers[1:] == ["Llama 3.1 8B", "scikit-learn LogisticRegression on digits"]
    text = page.inner_text(".ec-compare__result").replace("\xa0", " ")
    assert "0.01738 kWh (measured)" in text and "8 billion" in text
    assert "Hardware differs" in text and "Task differs" in text
    # Changing a selection updates the address, so the comparison can be shared.
    page.select_option(".ec-compare__form label:nth-child(3) select", "llama-2-7b")
    assert page.url.endswith("/compare/?cards=llama-3-1-8b,sklearn-digits-logreg,llama-2-7b")
    page.wait_for_function("document.querySelectorAll('.ec-compare__result thead th').length === 4")


def _gzip_total(fetched: set[str], site_url: str, site: Path) -> int:
    """gzip bytes of the fetched files (Pagefind's own files are compressed already)."""
    import gzip

    total = 0
    for url in fetched:
        path = site / url.removeprefix(site_url).lstrip("/").split("?")[0]
        if path.is_dir():
            path = path / "index.html"
        data = path.read_bytes()
        compressed = path.suffix.startswith(".pf") or path.suffix == ".pagefind"
        total += len(data if compressed else gzip.compress(data, 6))
    return total


def test_card_page_weight_budget(page, site_url: str, shipped_site: Path) -> None:
    """A card page with everything it loads under 150 KB gzip, none of it for search: the
    Pagefind runtime and index chunks come only with a search, a fixed cost (mostly its
    70 KB WebAssembly engine) that does not grow with the number of cards."""
    fetched: set[str] = set()
    page.on("response", lambda r: fetched.add(r.url))
    page.goto(site_url + "/cards/llama-3-70b/")
    page.wait_for_load_state("networkidle")
    assert len(fetched) >= 5
    assert not [url for url in fetched if "search" in url or "pagefind" in url]
    total = _gzip_total(fetched, site_url, shipped_site)
    assert total < 150 * 1024, f"{total / 1024:.1f} KB gzip"
    fetched.clear()
    page.goto(site_url + "/search/?q=llama")
    page.wait_for_selector(".pagefind-ui__result")
    page.wait_for_load_state("networkidle")
    searched = _gzip_total({url for url in fetched if "/pagefind/" in url}, site_url, shipped_site)
    assert searched < 175 * 1024, f"search: {searched / 1024:.1f} KB gzip"


def test_card_page_shows_its_label_and_charts(page, site_url: str) -> None:
    page.goto(site_url + "/cards/sklearn-digits-logreg/")
    page.wait_for_load_state("networkidle")
    label = page.locator("img.ec-label")
    assert "Energy label of scikit-learn LogisticRegression on digits" in label.get_attribute("alt")
    label.scroll_into_view_if_needed()
    assert label.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    charts = page.locator("object.ec-chart")
    assert charts.count() == 2  # per-run spread and the CPU/RAM split
    for chart in charts.all():
        assert chart.evaluate("o => o.getBoundingClientRect().width") > 200
    assert "median" in charts.first.get_attribute("aria-label")
    assert page.locator("a", has_text="Data (CSV)").count() == 2


SCREENSHOTS = Path(__file__).parent / "screenshots"
SCREENSHOT_PAGES = {
    "home-page": "/",
    "task-page": "/tasks/text-generation/",
    "card-page": "/cards/llama-3-70b/",
    "compare-page": "/compare/?cards=llama-3-1-8b,llama-2-7b,all-minilm-l6-v2",
}
# (suffix, viewport, colour scheme): desktop keeps the README's names (card-page.png, ...).
SCREENSHOT_VIEWS = {
    "": ({"width": 1280, "height": 900}, "light"),
    "-mobile": ({"width": 390, "height": 844}, "light"),
    "-dark": ({"width": 1280, "height": 900}, "dark"),
}


@pytest.mark.parametrize("view", list(SCREENSHOT_VIEWS), ids=["desktop", "mobile", "dark"])
@pytest.mark.parametrize("name", list(SCREENSHOT_PAGES))
def test_screenshots(browser, site_url: str, tmp_path: Path, name: str, view: str) -> None:
    """Home, a task, a card and compare on a desktop, a 390 px phone and in the dark scheme:
    the first screen of each, what a reader sees first. The page fits the screen (wide tables
    scroll inside their wrapper) and dark is dark. UPDATE_SCREENSHOTS=1 rewrites
    tests/screenshots/ to look at; the README shows the desktop ones and names the others."""
    viewport, scheme = SCREENSHOT_VIEWS[view]
    context = browser.new_context(viewport=viewport, color_scheme=scheme)  # type: ignore[arg-type]
    page = context.new_page()
    try:
        page.goto(site_url + SCREENSHOT_PAGES[name])
        page.wait_for_load_state("networkidle")
        if name == "compare-page":
            page.wait_for_selector(".ec-compare__result table")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        channels = [int(c) for c in background[background.index("(") + 1 : -1].split(",")[:3]]
        assert (max(channels) < 80) if scheme == "dark" else (min(channels) > 200), background
        folder = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path
        target = folder / f"{name}{view}.png"
        page.screenshot(path=str(target))
        assert target.read_bytes().startswith(b"\x89PNG") and target.stat().st_size > 20_000
    finally:
        context.close()
    readme = (Path(__file__).parent.parent / "README.md").read_text("utf-8")
    assert f"tests/screenshots/{name}{view}.png" in readme
    assert (SCREENSHOTS / f"{name}{view}.png").is_file()


def test_card_first_screen_on_a_phone(browser, site_url: str) -> None:
    """On a 390 px phone, before any scrolling: the model, then its label at full width with
    the headline figure and its unit (the label shows it; its text alternative says it)."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(site_url + "/cards/llama-3-70b/")
        page.wait_for_load_state("networkidle")
        title = page.locator("article h1").first
        assert title.inner_text().strip().rstrip("¶") == "Meta Llama 3 70B"
        heading = title.bounding_box()
        assert heading and heading["y"] >= 0 and heading["y"] + heading["height"] <= 844
        label = page.locator("img.ec-label")
        assert label.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
        box = label.bounding_box()
        content = page.locator("article").evaluate(
            "a => { const s = getComputedStyle(a); return a.clientWidth"
            " - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight); }"
        )
        assert box and box["width"] >= content - 1 and box["width"] >= 340, (box, content)
        assert box["y"] >= heading["y"] + heading["height"] and box["y"] + box["height"] <= 844
        assert "1.72 kWh per 1,000 queries" in label.get_attribute("alt")
    finally:
        context.close()


A11Y_PAGES = {
    "home": "/",
    "card": "/cards/llama-3-70b/",
    "task": "/tasks/text-generation/",
    "compare": "/compare/?cards=llama-3-1-8b,llama-2-7b,all-minilm-l6-v2",
    "search": "/search/?q=llama",
}


@pytest.mark.parametrize(
    ("scheme", "width"), [("light", 1280), ("dark", 390)], ids=["light-desktop", "dark-phone"]
)
def test_no_serious_accessibility_violation(browser, site_url: str, scheme: str, width: int):
    """axe-core (bundled by axe-playwright-python: no network) finds no serious or critical
    violation on the home, a card, a task, compare and search pages."""
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        reason = "the accessibility test needs axe-playwright-python (pip install -e '.[test]')"
        if os.environ.get("CI"):
            pytest.fail(reason + "; CI must run it")
        pytest.skip(reason)
    context = browser.new_context(
        viewport={"width": width, "height": 844},
        color_scheme=scheme,  # type: ignore[arg-type]
    )
    page = context.new_page()
    found: list[str] = []
    try:
        for name, path in A11Y_PAGES.items():
            page.goto(site_url + path)
            page.wait_for_load_state("networkidle")
            if name == "compare":
                page.wait_for_selector(".ec-compare__result table")
            if name == "search":
                page.wait_for_selector(".pagefind-ui__result")
            for violation in Axe().run(page).response["violations"]:
                if violation["impact"] in ("serious", "critical"):
                    targets = [node["target"] for node in violation["nodes"][:3]]
                    found.append(f"{name}: {violation['id']} ({violation['help']}) {targets}")
    finally:
        context.close()
    assert found == []


# Text a hostile or careless card could carry. Card names, organizations and tags may not
# hold < or >, so those get the quote and the javascript: link.
SCRIPT = "a<script>alert(1)</script>b"
QUOTE = 'a" onmouseover="alert(1)'
IMG = "a<img src=x onerror=alert(1)>b"
JS_LINK = "javascript:alert(1)"
EVERYTHING = f'{SCRIPT} {QUOTE} {IMG} [click]({JS_LINK}) <a href="{JS_LINK}">x</a>'
HOSTILE_FILE_NAMES = [f"{QUOTE}.csv", f"{IMG}.html", "<svg onload=alert(1)>.svg"]


def _hostile_project(root: Path) -> Path:
    """Two cards whose text, measurement files and file names are full of markup."""
    import json

    from tests.conftest import REPO_ROOT, make_project

    q = json.dumps
    folder = root / "measurements" / "x1"
    folder.mkdir(parents=True)
    header, *rows = (
        (REPO_ROOT / "measurements/all-minilm-l6-v2/emissions.csv").read_text("utf-8").splitlines()
    )
    rows = [r.replace("all-minilm-l6-v2", SCRIPT, 1).replace("AMD EPYC", IMG) for r in rows]
    for name in HOSTILE_FILE_NAMES:
        (folder / name).write_text("\n".join([header, *rows]) + "\n", "utf-8")
    measurements = "".join(
        f"    - {{path: {q('measurements/x1/' + name)}, queries: 1000}}\n"
        for name in HOSTILE_FILE_NAMES
    )
    x1 = f"""\
id: x1
name: {q(QUOTE + " " + JS_LINK)}
organization: {q(QUOTE)}
task: sentence-similarity
architecture: {q(IMG)}
license: {q(QUOTE)}
tags: [{q(JS_LINK)}, {q(QUOTE)}]
notes: {q(EVERYTHING)}
sources:
  paper: {{title: {q(SCRIPT)}, url: "https://example.org/paper", publisher: {q(IMG)}, year: 2024}}
inference:
  conditions: {{hardware: {q(IMG)}, scope: cpu+ram, includes_pue: false, dataset: {q(SCRIPT)}}}
  notes: {q(EVERYTHING)}
  carbon_intensity_g_per_kwh: {{value: 475, provenance: reported, source: paper, where: {q(QUOTE)}}}
  measurements:
{measurements}"""
    x2 = f"""\
id: x2
name: {q('=HYPERLINK("http://x")' + QUOTE)}
organization: {q(JS_LINK + QUOTE)}
task: sentence-similarity
sources:
  paper: {{title: {q(IMG)}, url: "https://example.org/paper", year: 2024}}
inference:
  conditions: {{hardware: {q(SCRIPT)}, scope: gpu, includes_pue: false}}
  energy_kwh_per_1000_queries: {{value: 0.002, provenance: measured, source: paper, where: {q(EVERYTHING)}}}
"""
    return make_project(root, {"x1.yaml": x1, "x2.yaml": x2})


@pytest.fixture(scope="module")
def hostile_site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from click.testing import CliRunner

    from generator.cli import main

    project = _hostile_project(tmp_path_factory.mktemp("hostile"))
    result = CliRunner().invoke(main, ["build", "--strict", "--project", str(project)])
    assert result.exit_code == 0, result.output
    with _served(project / "site") as url:
        yield url


# Whatever the page shows, none of it may be markup from a card or a measurement file.
_INJECTED = """() => ({
  handlers: [...document.querySelectorAll("*")].flatMap(e =>
    [...e.attributes].filter(a => a.name.startsWith("on") && (a.value.includes("alert")
      || ["onmouseover", "onerror", "onload"].includes(a.name)))
      .map(a => e.tagName + " " + a.name)),
  scripts: [...document.scripts].filter(s => s.textContent.includes("alert")).length,
  images: [...document.querySelectorAll("img, svg")].filter(e =>
    (e.getAttribute("src") || "") === "x").length,
  links: [...document.querySelectorAll("[href], [src], [action]")].map(e =>
    e.getAttribute("href") || e.getAttribute("src") || e.getAttribute("action"))
    .filter(url => /^\\s*javascript:/i.test(url)),
  text: document.body.innerText,
})"""


def test_markup_from_cards_and_measurement_files_stays_text(browser, hostile_site_url) -> None:
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pages = {
        "card": "/cards/x1/",
        "other card": "/cards/x2/",
        "task": "/tasks/sentence-similarity/",
        "compare": "/compare/?cards=x1,x2",
    }
    try:
        for name, path in pages.items():
            page.goto(hostile_site_url + path)
            page.wait_for_load_state("networkidle")
            if name == "compare":
                page.wait_for_selector(".ec-compare__result table")
            found = page.evaluate(_INJECTED)
            assert found["handlers"] == [], name
            assert found["scripts"] == 0, name
            assert found["images"] == 0, name
            assert found["links"] == [], name
            assert QUOTE in found["text"], name  # shown as text, not dropped
            if name == "card":
                assert SCRIPT in found["text"] and IMG in found["text"]
        # The raw files are linked as downloads, under names no browser runs or renders.
        page.goto(hostile_site_url + "/cards/x1/")
        hrefs = page.locator("a[download]").evaluate_all("links => links.map(a => a.href)")
        assert len(hrefs) == len(HOSTILE_FILE_NAMES)
        assert all(href.endswith((".csv", ".txt")) for href in hrefs), hrefs
        for href in hrefs:
            response = page.request.get(href)
            assert response.ok, href
            assert response.headers["content-type"].startswith(("text/plain", "text/csv")), href
        html_file = next(href for href in hrefs if ".html" in href)
        page.goto(html_file)
        assert page.evaluate("document.contentType") == "text/plain"
        assert page.evaluate("document.scripts.length") == 0
    finally:
        page.close()
    assert dialogs == []


def _chart_frame(page, name: str):
    return next(frame for frame in page.frames if f"/charts/{name}.svg" in frame.url)


def test_home_chart_outlier_names_its_model_and_opens_its_card(page, site_url: str) -> None:
    """With 238 cards the home chart is a box per task; its outlying cards are named dots
    that open their card."""
    page.goto(site_url + "/")
    page.wait_for_load_state("networkidle")
    chart = _chart_frame(page, "home-energy-by-task")
    dot = chart.locator("a", has=chart.locator("title", has_text="yolos-tiny")).first
    dot.hover()  # the browser shows the SVG <title> as the tooltip
    assert chart.evaluate("() => document.querySelector('a:hover title').textContent") == (
        "yolos-tiny"
    )
    dot.click()
    page.wait_for_url("**/cards/yolos-tiny/")
    # A card page shows its task's energy-against-parameters chart with its own dot ringed.
    page.goto(site_url + "/cards/llama-3-1-8b/")
    page.wait_for_load_state("networkidle")
    task_chart = _chart_frame(page, "task-text-generation-energy-parameters")
    assert task_chart.evaluate("() => document.querySelector('a:target').id") == (
        "card-llama-3-1-8b"
    )


def test_compare_names_an_unknown_id_and_drops_empty_rows(page, site_url: str) -> None:
    page.goto(site_url + "/compare/?cards=llama-3-1-8b,no-such-card,llama-2-7b")
    page.wait_for_selector(".ec-compare__result table")
    assert "No card has the id “no-such-card”" in page.inner_text(".ec-compare__notice")
    rows = page.locator(".ec-compare__result tbody th").all_inner_texts()
    assert "Precision" not in rows and "Stars" in rows  # neither card states a precision


def test_models_index_sorts_and_task_table_keeps_energy_on_a_phone(browser, site_url) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(site_url + "/tasks/text-generation/")
        energy = page.locator(".ec-sortable thead th", has_text="Energy per 1,000 queries")
        box = energy.bounding_box()
        assert box and box["x"] + box["width"] <= 390, box  # on screen, no sideways scroll
        page.goto(site_url + "/cards/")
        header = page.locator(".ec-sortable thead th", has_text="Stars")
        header.click()  # 238 cards: the sort loads every row from data/models.json first
        page.wait_for_function(
            "[...document.querySelectorAll('.ec-sortable thead th')]"
            ".some(th => th.getAttribute('aria-sort') === 'ascending')"
        )
        assert header.get_attribute("aria-sort") == "ascending"
    finally:
        context.close()
