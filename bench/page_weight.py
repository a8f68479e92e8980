"""Page weight: what a reader's browser transfers for a page, gzip-compressed, and the search
index size per card.

Usage: .venv/bin/python bench/page_weight.py [SITE_DIR]   (default: site/, built first)

Counts the HTML, every local stylesheet, script and image it references, and MkDocs' search
index when the site has one (Pagefind's loads only on a search: see bench/scale.py), each
gzip-compressed (level 6, as web servers do). Prints figures; the 150 KB budget is checked by
tests/test_browser.py in a real browser.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from pathlib import Path
from urllib.parse import urljoin, urlparse

BUDGET_KB = 150


def gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6))


def page_resources(site: Path, page: Path) -> list[Path]:
    html = page.read_text("utf-8")
    page_url = "/" + page.relative_to(site).as_posix()
    found = []
    for match in re.finditer(r'<(?:script|img|link)\b[^>]*?(?:src|href)="([^"#]+)"', html):
        tag = match.group(0)
        if tag.startswith("<link") and 'rel="stylesheet"' not in tag and "icon" not in tag:
            continue
        url = urlparse(urljoin(page_url, match.group(1)))
        if url.scheme or url.netloc:
            continue
        path = site / url.path.lstrip("/")
        if path.is_dir():
            path = path / "index.html"
        if path.is_file():
            found.append(path)
    return sorted(set(found))


def page_weight(site: Path, page: Path) -> dict[str, int]:
    weights = {page.relative_to(site).as_posix(): gzip_size(page)}
    for resource in page_resources(site, page):
        weights[resource.relative_to(site).as_posix()] = gzip_size(resource)
    index = site / "search" / "search_index.json"
    if index.is_file():  # MkDocs' search plugin (before Pagefind): fetched by every page
        weights["search/search_index.json"] = gzip_size(index)
    return weights


def main() -> None:
    site = Path(sys.argv[1] if len(sys.argv) > 1 else "site")
    if not (site / "search" / "search_index.json").is_file():
        bundle = site / "pagefind"
        size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file())
        print(f"Pagefind bundle: {size / 1024:.0f} KB, loaded only on a search (bench/scale.py)")
    else:
        index = json.loads((site / "search" / "search_index.json").read_text("utf-8"))
        per_page: dict[str, int] = {}
        for doc in index["docs"]:
            per_page.setdefault(doc["location"].split("#")[0], 0)
            per_page[doc["location"].split("#")[0]] += len(json.dumps(doc))
        cards = {k: v for k, v in per_page.items() if k.startswith("cards/") and k != "cards/"}
        print(
            f"search index: {len(index['docs'])} entries, "
            f"{(site / 'search' / 'search_index.json').stat().st_size / 1024:.1f} KB raw, "
            f"{gzip_size(site / 'search' / 'search_index.json') / 1024:.1f} KB gzip"
        )
        if cards:
            mean_kb = sum(cards.values()) / len(cards) / 1024
            print(
                f"search index per card page: mean {mean_kb:.2f} KB, "
                f"max {max(cards.values()) / 1024:.2f} KB ({len(cards)} cards)"
            )
    pages = [site / "index.html", site / "tasks" / "text-generation" / "index.html"]
    pages += sorted((site / "cards").glob("*/index.html"))[:3]
    for page in pages:
        if not page.is_file():
            continue
        weights = page_weight(site, page)
        total = sum(weights.values()) / 1024
        flag = "ok" if total <= BUDGET_KB else "OVER BUDGET"
        name = page.relative_to(site).as_posix()
        print(f"{name:45} {total:7.1f} KB gzip ({len(weights)} files) {flag}")


if __name__ == "__main__":
    main()
