"""Site stage: MkDocs' Markdown conversion, remembered between builds (`remembered_conversion`).

Converting each page's Markdown to HTML is most of an MkDocs build (about 80% at 1,000 cards),
and a rebuild after editing one card changes a handful of pages. What `Page.render` produces
depends only on the page's Markdown, its path, the names of the docs files (links are checked
and rewritten against them), the Markdown and validation settings and the library versions, so
for one build `remembered_conversion` replaces `Page.render` with a version that looks that
fingerprint up in `cache/markdown/` and, on a hit, restores exactly what `render` sets (the
HTML, the table of contents, the title, the anchors and the links to other pages' anchors).

A page whose conversion logged anything (a broken link, a missing anchor) is never stored, so
the cache never hides a warning: the next build converts it again and warns again. Entries no
build used are removed at the end (`prune`). MkDocs still reads every page, runs every plugin
and writes every HTML file: only the conversion is skipped.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import pickle
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

CACHE_VERSION = "1"  # bump when what is stored changes


class _Counting(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def _settings_key(config: Any, files: Any) -> str:
    """What every page's conversion shares: versions, Markdown and validation settings, the
    site's URL scheme and the names of all docs files."""
    parts = [
        CACHE_VERSION,
        version("mkdocs"),
        version("markdown"),
        version("mkdocs-material"),
        repr(config["markdown_extensions"]),
        repr(sorted((config["mdx_configs"] or {}).items())),
        repr(config["validation"]),
        repr(config["use_directory_urls"]),
        repr(config["site_url"]),
        "\n".join(sorted(f.src_uri for f in files)),
    ]
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


class ConversionCache:
    """Stored conversions in `folder`, one file per fingerprint; counts hits and misses."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: set[str] = set()
        self.hits = 0
        self.misses = 0
        self._settings: tuple[int, str] | None = None

    def key(self, page: Any, config: Any, files: Any) -> str:
        if self._settings is None or self._settings[0] != id(files):
            self._settings = (id(files), _settings_key(config, files))
        text = f"{self._settings[1]}\0{page.file.src_uri}\0{page.markdown}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def load(self, key: str) -> dict[str, Any] | None:
        path = self.folder / f"{key}.pickle"
        try:
            with path.open("rb") as stream:
                return pickle.load(stream)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
            return None

    def store(self, key: str, entry: dict[str, Any]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.folder / f".{key}.tmp"
        with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
            temporary.write_bytes(pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL))
            temporary.replace(self.folder / f"{key}.pickle")

    def prune(self) -> None:
        """Remove every entry this build did not use."""
        if not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.stem not in self.used:
                with contextlib.suppress(OSError):
                    path.unlink()


def _restore(page: Any, entry: dict[str, Any], files: Any) -> None:
    from mkdocs.structure.toc import get_toc

    page.content = entry["content"]
    page.toc = get_toc(entry["toc_tokens"])
    page._title_from_render = entry["title"]
    page.present_anchor_ids = set(entry["anchors"])
    if entry["links_to_anchors"] is not None:
        page.links_to_anchors = {
            files.get_file_from_path(src_uri): links
            for src_uri, links in entry["links_to_anchors"].items()
        }


@contextlib.contextmanager
def remembered_conversion(cache: ConversionCache) -> Iterator[ConversionCache]:
    """For the duration: `Page.render` converts through `cache` (see the module text)."""
    import markdown
    from mkdocs.structure import pages

    original = pages.Page.render

    def render(page: Any, config: Any, files: Any) -> None:
        key = cache.key(page, config, files)
        cache.used.add(key)
        entry = cache.load(key)
        if entry is not None:
            _restore(page, entry, files)
            cache.hits += 1
            return
        cache.misses += 1
        counting = _Counting()
        logger = logging.getLogger("mkdocs")
        logger.addHandler(counting)
        tokens: list[Any] = []
        convert = markdown.Markdown.convert

        def keep_tokens(md: Any, source: str) -> str:
            html = convert(md, source)
            tokens.append(getattr(md, "toc_tokens", []))
            return html

        markdown.Markdown.convert = keep_tokens  # type: ignore[method-assign]
        try:
            original(page, config, files)
        finally:
            markdown.Markdown.convert = convert  # type: ignore[method-assign]
            logger.removeHandler(counting)
        if counting.count:
            return  # never store a page that warned: the next build warns again
        links = page.links_to_anchors
        cache.store(
            key,
            {
                "content": page.content,
                "toc_tokens": tokens[-1] if tokens else [],
                "title": page._title_from_render,
                "anchors": sorted(page.present_anchor_ids or ()),
                "links_to_anchors": None
                if links is None
                else {file.src_uri: dict(value) for file, value in links.items()},
            },
        )

    pages.Page.render = render  # type: ignore[method-assign]
    try:
        yield cache
    finally:
        pages.Page.render = original  # type: ignore[method-assign]
