"""In a real headless Chromium, served over HTTP: what a reader sees and does.

Needs Debian's chromium (/usr/bin/chromium) and the playwright package. Without them these
tests skip locally with the reason; under CI (CI set in the environment) they must run.
"""

from __future__ import annotations

import functools
import http.server
import os
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


@pytest.fixture(scope="module")
def site_url(shipped_site: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(shipped_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


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


def _search(page, site_url: str, query: str) -> None:
    """Type a query as a reader would; retry while the search worker is still loading."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.goto(site_url + "/")
    page.wait_for_load_state("networkidle")
    box = page.locator("input.md-search__input")
    for _ in range(3):
        box.click()
        box.fill("")
        box.press_sequentially(query, delay=30)
        try:
            page.wait_for_selector(".md-search-result__item", timeout=10_000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"no search results for {query!r}")


def test_searching_llama_lists_the_llama_cards(page, site_url: str, shipped_site: Path) -> None:
    _search(page, site_url, "llama")
    titles = page.locator(".md-search-result__list > li .md-search-result__article h1")
    found = {text.strip() for text in titles.all_inner_texts()}
    expected = {
        "Meta Llama 3 8B", "Meta Llama 3 70B", "Llama 2 7B", "Llama 2 13B", "Llama 2 70B",
        "Llama 3.1 8B", "Llama 3.1 70B", "Llama 3.1 405B", "Llama 3.3 70B",
    }  # fmt: skip
    assert expected <= found
    page.locator(".md-search-result__list > li a", has_text="Meta Llama 3 70B").first.click()
    page.wait_for_url("**/cards/llama-3-70b/**")
    assert "1,900 t CO₂e" in page.inner_text("article")


@pytest.mark.parametrize(
    ("query", "title"), [("H100", "Meta Llama 3 70B"), ("BigScience", "BLOOM")]
)
def test_search_by_hardware_and_organization(page, site_url: str, query: str, title: str) -> None:
    _search(page, site_url, query)
    titles = page.locator(".md-search-result__list > li .md-search-result__article h1")
    assert any(title in text for text in titles.all_inner_texts())


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
    assert ascending == sorted(ascending) and len(ascending) == 7  # cards with a figure
    assert names.first.inner_text() == "Llama 2 7B"  # 0.01644 kWh, the lowest
    energy_header.click()
    descending = values()
    assert descending == sorted(descending, reverse=True)
    assert names.first.inner_text() == "BLOOM"  # 4 kWh per 1,000 queries
    assert energy_header.get_attribute("aria-sort") == "descending"
    page.locator(".ec-sortable thead th", has_text="Model").click()
    assert names.all_inner_texts() == sorted(names.all_inner_texts(), key=str.lower)


def test_compare_shows_two_models_from_a_shareable_url(page, site_url: str) -> None:
    page.goto(site_url + "/compare/?cards=llama-3-1-8b,sklearn-digits-logreg")
    page.wait_for_selector(".ec-compare__result table")
    headers = page.locator(".ec-compare__result thead th").all_inner_texts()
    assert headers[1:] == ["Llama 3.1 8B", "scikit-learn LogisticRegression on digits"]
    text = page.inner_text(".ec-compare__result")
    assert "0.01738 kWh (measured)" in text
    assert "Hardware differs" in text and "Task differs" in text
    # Changing a selection updates the address, so the comparison can be shared.
    page.select_option(".ec-compare__form label:nth-child(3) select", "llama-2-7b")
    assert page.url.endswith("/compare/?cards=llama-3-1-8b,sklearn-digits-logreg,llama-2-7b")
    assert len(page.locator(".ec-compare__result thead th").all_inner_texts()) == 4


def test_card_page_weight_budget(page, site_url: str, shipped_site: Path) -> None:
    import gzip

    fetched: set[str] = set()
    page.on("response", lambda r: fetched.add(r.url))
    page.goto(site_url + "/cards/llama-3-70b/")
    page.wait_for_load_state("networkidle")
    fetched.add(site_url + "/search/search_index.json")  # the search worker's fetch
    total = 0
    for url in fetched:
        path = shipped_site / url.removeprefix(site_url).lstrip("/").split("?")[0]
        if path.is_dir():
            path = path / "index.html"
        total += len(gzip.compress(path.read_bytes(), compresslevel=6))
    assert len(fetched) >= 5
    assert total < 150 * 1024, f"{total / 1024:.1f} KB gzip"


def test_card_page_shows_its_label_and_charts(page, site_url: str) -> None:
    page.goto(site_url + "/cards/sklearn-digits-logreg/")
    page.wait_for_load_state("networkidle")
    label = page.locator("img.ec-label")
    assert "Energy label of scikit-learn LogisticRegression on digits" in label.get_attribute("alt")
    charts = page.locator("img.ec-chart")
    assert charts.count() == 2  # per-run spread and the CPU/RAM split
    for image in [label, *charts.all()]:
        image.scroll_into_view_if_needed()  # charts load lazily
        assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    assert "median" in charts.first.get_attribute("alt")
    assert page.locator("a", has_text="Data (CSV)").count() == 2


SCREENSHOTS = Path(__file__).parent / "screenshots"


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("card-page", "/cards/llama-3-70b/"),
        ("task-page", "/tasks/text-generation/"),
        ("compare-page", "/compare/?cards=llama-3-1-8b,llama-2-7b,all-minilm-l6-v2"),
    ],
)
def test_readme_screenshots(page, site_url: str, tmp_path: Path, name: str, path: str) -> None:
    """The README's screenshots, taken here; UPDATE_SCREENSHOTS=1 rewrites tests/screenshots/."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(site_url + path)
    page.wait_for_load_state("networkidle")
    if name == "compare-page":
        page.wait_for_selector(".ec-compare__result table")
    folder = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path
    target = folder / f"{name}.png"
    page.screenshot(path=str(target))
    assert target.read_bytes().startswith(b"\x89PNG") and target.stat().st_size > 20_000
    readme = (Path(__file__).parent.parent / "README.md").read_text("utf-8")
    assert f"tests/screenshots/{name}.png" in readme
    assert (SCREENSHOTS / f"{name}.png").is_file()
