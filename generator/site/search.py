"""Site stage: the search index, built by Pagefind over the HTML the engine wrote.

Takes the freshly built site folder (`.SITE.new`, before the swap) and writes
`pagefind/` into it: a small runtime, a WebAssembly search engine and the index split into
chunks, so a page loads nothing for search until a reader searches, and a query fetches only
the chunks for its words (MkDocs' own search sent one index of every page to every page, 4.4 KB
a card). Pagefind runs offline from the `pagefind[bin]` wheel; the site stays self-contained.

What is indexed and how it is filtered is marked in the theme override
(`site_src/overrides/main.html`): `data-pagefind-body` around each page's content, and
`data-pagefind-filter` for a card's task and organization. The search page (`search.md`)
shows Pagefind's UI.

Builds are reproducible: Pagefind 1.x writes each filter's values, and the list of filters,
in hash-map order, which changes from run to run (Pagefind/pagefind#638: "other files will
still change, such as the filter/metadata indexes"). `pin_filter_order` rewrites those files
with their entries sorted and names them by content, so the same pages give the same bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from generator.problems import Location, Problem

SEARCH_FOLDER = "pagefind"
EXCLUDED = ".headerlink"  # the "¶" permalink after every heading (toc's permalink: true)
TIMEOUT_S = 1800  # 10,000 cards index in well under a minute; a hang must not block forever
# Pagefind keeps every page it indexes in memory (about 0.4 MB a page: 3.9 GB at 10,000 cards);
# batches of this many pages keep one run under 1 GiB.
PAGES_PER_BUNDLE = 2000
PARTS_FILE = "parts.json"  # the bundles beyond the first, for the search page to merge


def pagefind_command(site_dir: Path, output: Path | None = None) -> list[str]:
    """The command that indexes `site_dir` (Pagefind's own CLI, run by this Python), writing
    the bundle to `output` (default: `site_dir/pagefind`)."""
    return [
        *(sys.executable, "-m", "pagefind", "--site", str(site_dir), "--silent"),
        *("--exclude-selectors", EXCLUDED),
        *(("--output-path", str(output)) if output else ()),
    ]


def index_site(
    site_dir: Path, shown_config: str = "mkdocs.yml", pages_per_bundle: int = PAGES_PER_BUNDLE
) -> list[Problem]:
    """Write `site_dir/pagefind/`, the chunked search index; problems if Pagefind failed.

    Pagefind holds every page it indexes in memory (about 0.4 MB a page), so a site of more
    than `pages_per_bundle` pages is indexed in batches, each its own bundle (the first in
    `pagefind/`, the others in `pagefind/part-N/`), listed in `pagefind/parts.json`; the search
    page merges them (Pagefind's `mergeIndex`), so a reader searches them as one.

    Args:
        site_dir: The built site (HTML written by the engine), indexed in place.
        shown_config: Where problems are located (the config that asked for a site).
        pages_per_bundle: The most HTML pages one Pagefind run indexes.
    """
    pages = sorted(path.relative_to(site_dir) for path in site_dir.rglob("*.html"))
    batches = [pages[i : i + pages_per_bundle] for i in range(0, len(pages), pages_per_bundle)]
    bundles = []
    for number, batch in enumerate(batches if len(batches) > 1 else [None]):
        output = site_dir / SEARCH_FOLDER
        if number:
            output = output / f"part-{number}"
        problem = _index_batch(site_dir, batch, output, shown_config)
        if problem is not None:
            return [problem]
        bundles.append(output)
    try:
        for bundle in bundles:
            pin_filter_order(bundle)
    except (ValueError, KeyError, IndexError, TypeError) as error:  # a Pagefind we do not know
        return [_failed(shown_config, f"an index of unexpected shape ({error})")]
    parts = [f"part-{number}/" for number in range(1, len(bundles))]
    (site_dir / SEARCH_FOLDER / PARTS_FILE).write_text(json.dumps({"parts": parts}) + "\n")
    return []


def _index_batch(
    site_dir: Path, batch: list[Path] | None, output: Path, shown_config: str
) -> Problem | None:
    """Run Pagefind over the whole site (`batch` None) or over a folder holding only the
    batch's pages (hard links, at their paths in the site, so the URLs are the site's)."""
    folder = site_dir
    if batch is not None:
        folder = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.search-", dir=site_dir.parent))
    try:
        for page in batch or ():
            target = folder / page
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(site_dir / page, target)
            except OSError:
                shutil.copyfile(site_dir / page, target)
        done = subprocess.run(
            pagefind_command(folder, output),
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return _failed(shown_config, str(error))
    finally:
        if batch is not None:
            shutil.rmtree(folder, ignore_errors=True)
    if done.returncode != 0 or not (output / "pagefind.js").is_file():
        said = (done.stderr or done.stdout).strip().splitlines()
        return _failed(shown_config, said[-1] if said else f"exit code {done.returncode}")
    return None


def _failed(shown_config: str, message: str) -> Problem:
    return Problem(
        Location(shown_config),
        "engine-failed",
        f"pagefind: expected a search index, got: {message}",
        hint="reinstall the generator (pip install -e .), which brings pagefind[bin]",
    )


# --- reproducible filter indexes ---------------------------------------------------------
# Pagefind's .pf_meta and .pf_filter files are gzip (mtime 0, level 9) of b"pagefind_dcd"
# and one CBOR value (RFC 8949) made of arrays, text and unsigned integers.
_SIGNATURE = b"pagefind_dcd"


def pin_filter_order(bundle: Path) -> None:
    """Rewrite the filter indexes and the metadata of `bundle` (a `pagefind/` folder) with
    filters and their values in sorted order, named by content, and point the entry file at
    the new metadata. The search finds exactly what it found before."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text("utf-8"))
    for language in entry["languages"].values():
        meta_path = bundle / f"pagefind.{language['hash']}.pf_meta"
        meta = _read_cbor(meta_path)
        prefix = language["hash"].split("_")[0]
        filters = []
        for name, old_hash in meta[3]:
            old = bundle / "filter" / f"{old_hash}.pf_filter"
            content = _read_cbor(old)
            content[1] = sorted(content[1], key=lambda value: value[0])
            new_hash = _write_cbor(bundle / "filter", prefix, 7, ".pf_filter", content)
            if new_hash != old_hash:
                old.unlink()
            filters.append([name, new_hash])
        meta[3] = sorted(filters)
        new_hash = _write_cbor(bundle, f"pagefind.{prefix}", 10, ".pf_meta", meta)
        if new_hash != language["hash"]:
            meta_path.unlink()
            language["hash"] = new_hash.removeprefix("pagefind.")
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), "utf-8")


def _read_cbor(path: Path) -> Any:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(_SIGNATURE):
        raise ValueError(f"{path.name} does not start with {_SIGNATURE!r}")
    value, end = _decode(data, len(_SIGNATURE))
    if end != len(data):
        raise ValueError(f"{path.name} has {len(data) - end} bytes after its value")
    return value


def _write_cbor(folder: Path, prefix: str, digits: int, suffix: str, value: Any) -> str:
    """Write `value` as `<prefix>_<hash>.suffix` in `folder`; return `<prefix>_<hash>`."""
    data = _SIGNATURE + _encode(value)
    name = f"{prefix}_{hashlib.sha256(data).hexdigest()[:digits]}"
    (folder / f"{name}{suffix}").write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    return name


def _decode(data: bytes, at: int) -> tuple[Any, int]:
    major, info, at = data[at] >> 5, data[at] & 31, at + 1
    if info >= 24:
        size = {24: 1, 25: 2, 26: 4, 27: 8}[info]
        info, at = int.from_bytes(data[at : at + size], "big"), at + size
    if major == 0:
        return info, at
    if major == 3:
        return data[at : at + info].decode("utf-8"), at + info
    if major == 4:
        items = []
        for _ in range(info):
            item, at = _decode(data, at)
            items.append(item)
        return items, at
    raise ValueError(f"CBOR major type {major} at byte {at}")


def _head(major: int, number: int) -> bytes:
    if number < 24:
        return bytes([major << 5 | number])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if number < 256**size:
            return bytes([major << 5 | info]) + number.to_bytes(size, "big")
    raise ValueError(f"{number} is too large for CBOR")


def _encode(value: Any) -> bytes:
    if isinstance(value, int):
        return _head(0, value)
    if isinstance(value, str):
        data = value.encode("utf-8")
        return _head(3, len(data)) + data
    return _head(4, len(value)) + b"".join(_encode(item) for item in value)
