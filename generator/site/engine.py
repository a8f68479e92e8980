"""The site engine behind the build: MkDocs with the Material theme, kept swappable.

The generator writes Markdown and assets into a docs folder, then asks an engine to turn it
into HTML. Only this module knows MkDocs. Zensical reads the same mkdocs.yml, so switching
means another `SiteEngine` that runs `zensical build` on the same staged docs folder.

Builds are reproducible: MkDocs writes `sitemap.xml.gz` with the build day in its gzip header
(and the file's name), so two builds on two days differed. After it builds, every
`sitemap.xml.gz` is written again with a fixed header (`pin_gzip_headers`): the time is
`SOURCE_DATE_EPOCH` when set (as MkDocs itself reads it for page dates), else 0, and no name.
Other `.gz` files are the project's own, copied as they are.
"""

from __future__ import annotations

import contextlib
import gzip
import logging
import os
import re
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from generator.problems import Location, Problem, Severity, relative_path
from generator.site.markdown_cache import ConversionCache, remembered_conversion

# Material 9.8 announces its end of life when run as `mkdocs`; the README says it once.
BANNER_VARIABLE = "NO_MKDOCS_2_WARNING"
EPOCH_VARIABLE = "SOURCE_DATE_EPOCH"  # https://reproducible-builds.org/specs/source-date-epoch/
ENGINE_GZIP_NAMES = ("sitemap.xml.gz",)


class SiteEngine(Protocol):
    name: str

    def build(
        self, config_file: Path, docs_dir: Path, site_dir: Path, strict: bool
    ) -> list[Problem]:
        """Render docs_dir into site_dir; return problems (errors mean no usable site)."""

    def serve(self, config_file: Path, docs_dir: Path, host: str, port: int) -> None:
        """Serve docs_dir with live reload until interrupted."""

    def rebuild(self) -> bool:
        """While serving: rebuild now, docs_dir changed; False if the engine notices by itself."""


class _CollectingHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def quiet_material_banner() -> Iterator[None]:
    """Set NO_MKDOCS_2_WARNING while MkDocs runs, then put back what was there (or nothing).

    Material also sets it for good when its templates are first imported; restoring undoes
    that too, so no run leaves the variable changed for the rest of the process.
    """
    previous = os.environ.get(BANNER_VARIABLE)
    os.environ[BANNER_VARIABLE] = "1"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(BANNER_VARIABLE, None)
        else:
            os.environ[BANNER_VARIABLE] = previous


# The pages held compressed between reading and writing: the cards' own (most of a big
# site). Hand-written pages and indexes stay as they are: a plugin may still change them then
# (Material's tags plugin fills its listing page between the two).
HELD_COMPRESSED = re.compile(r"cards/(?!index\.md$)[^/]+\.md")


@contextlib.contextmanager
def lean_pages() -> Iterator[None]:
    """For the duration: MkDocs holds each card page compressed from when it is converted
    until it is written, and lets go of every page once written.

    MkDocs converts every page first and writes them all after, keeping each page's Markdown
    and HTML to the end, though nothing reads them after the page is written (the navigation
    uses titles, the anchor checks their own lists): at 10,000 cards that was most of its
    memory. A held page's HTML is zlib-compressed (level 1, about 1 ms a page) and its
    Markdown emptied; both are emptied, not None, so `Page.title` reads the same.
    """
    from mkdocs.commands import build

    populate, write = build._populate_page, build._build_page
    held: dict[int, bytes] = {}

    def populate_page(page: Any, *args: Any, **kwargs: Any) -> None:
        populate(page, *args, **kwargs)
        if isinstance(page.content, str) and HELD_COMPRESSED.fullmatch(page.file.src_uri):
            held[id(page)] = zlib.compress(page.content.encode("utf-8"), 1)
            page.markdown = ""
            page.content = ""

    def build_page(page: Any, *args: Any, **kwargs: Any) -> None:
        packed = held.pop(id(page), None)
        if packed is not None:
            page.content = zlib.decompress(packed).decode("utf-8")
        try:
            write(page, *args, **kwargs)
        finally:
            page.markdown = ""
            page.content = ""

    build._populate_page, build._build_page = populate_page, build_page
    try:
        yield
    finally:
        build._populate_page, build._build_page = populate, write


def source_date_epoch() -> int | None:
    """The build time for gzip headers: SOURCE_DATE_EPOCH when set, else 0; None if unusable."""
    text = os.environ.get(EPOCH_VARIABLE)
    if text is None:
        return 0
    if text.isascii() and text.isdigit() and int(text) < 2**32:
        return int(text)
    return None


def pin_gzip_headers(site_dir: Path, mtime: int) -> None:
    """Write each gzip file the engine made again, with `mtime` and no file name in its header.

    The content is compressed again at level 9 (as MkDocs does), so the bytes depend only on
    the content, `mtime` and the zlib in use, never on the day or the folder of the build.
    """
    for name in ENGINE_GZIP_NAMES:
        for path in sorted(site_dir.rglob(name)):
            content = gzip.decompress(path.read_bytes())
            path.write_bytes(gzip.compress(content, compresslevel=9, mtime=mtime))


@dataclass
class MkDocsEngine:
    """MkDocs; with `markdown_cache`, each page's Markdown conversion is remembered between
    builds (`site.markdown_cache`), and `conversions` says how many were reused."""

    name: str = "mkdocs"
    markdown_cache: Path | None = None
    conversions: tuple[int, int] = (0, 0)  # (reused, converted) in the last build
    _server: Any = field(default=None, repr=False, compare=False)  # the live-reload server

    def _config(self, config_file: Path, docs_dir: Path, site_dir: Path | None, strict: bool):
        from mkdocs.config import load_config

        overrides: dict[str, object] = {"docs_dir": str(docs_dir), "strict": strict}
        if site_dir is not None:
            overrides["site_dir"] = str(site_dir)
        return load_config(str(config_file), **overrides)

    def build(
        self, config_file: Path, docs_dir: Path, site_dir: Path, strict: bool
    ) -> list[Problem]:
        from mkdocs import exceptions
        from mkdocs.commands.build import build

        shown_config = relative_path(config_file, config_file.parent)
        epoch = source_date_epoch()
        if epoch is None:
            return [
                Problem(
                    Location(shown_config),
                    "engine-failed",
                    f"expected {EPOCH_VARIABLE} to be a whole number of seconds since "
                    f"1970-01-01 UTC, got {os.environ[EPOCH_VARIABLE]!r}",
                    hint=f"unset {EPOCH_VARIABLE}, or set it to e.g. `git log -1 --format=%ct`",
                )
            ]
        handler = _CollectingHandler()
        logger = logging.getLogger("mkdocs")
        logger.addHandler(handler)
        previous_propagate = logger.propagate
        logger.propagate = False  # collect, don't print: the CLI prints problems
        problems: list[Problem] = []
        try:
            cache = ConversionCache(self.markdown_cache) if self.markdown_cache else None
            remembered = remembered_conversion(cache) if cache else contextlib.nullcontext()
            with quiet_material_banner(), remembered, lean_pages():
                config = self._config(config_file, docs_dir, site_dir, strict)
                build(config)
            pin_gzip_headers(site_dir, epoch)
            if cache is not None:
                cache.prune()
                self.conversions = (cache.hits, cache.misses)
        except exceptions.ConfigurationError as error:
            problems.append(Problem(Location(shown_config), "engine-failed", f"mkdocs: {error}"))
        except exceptions.Abort as error:
            problems.append(Problem(Location(shown_config), "engine-failed", f"mkdocs: {error}"))
        finally:
            logger.removeHandler(handler)
            logger.propagate = previous_propagate
        severity = Severity.ERROR if strict else Severity.WARNING
        for record in handler.records:
            problems.append(
                Problem(
                    Location(shown_config),
                    "engine-failed" if record.levelno >= logging.ERROR else "engine-warning",
                    f"mkdocs: {record.getMessage()}",
                    severity=Severity.ERROR if record.levelno >= logging.ERROR else severity,
                )
            )
        return problems

    def serve(self, config_file: Path, docs_dir: Path, host: str, port: int) -> None:
        from mkdocs.commands import serve as serve_module

        with quiet_material_banner(), self._told_of_changes(serve_module, docs_dir):
            serve_module.serve(
                config_file=str(config_file),
                livereload=True,
                # Rebuild only the pages whose Markdown changed: the preview writes only the
                # files an edit changed, so one card's edit rebuilds a few pages, not all.
                build_type="dirty",
                docs_dir=str(docs_dir),
                dev_addr=f"{host}:{port}",
            )

    @contextlib.contextmanager
    def _told_of_changes(self, serve_module: Any, docs_dir: Path) -> Iterator[None]:
        """While serving, MkDocs' live-reload server does not poll docs_dir's files (every 0.5
        s: about half a second between the preview's write and the rebuild, and a scan of
        every staged file each time); the preview, which wrote them, calls `rebuild`.

        The server is told through its rebuild flag and condition (MkDocs 1.6); a server
        without them keeps polling docs_dir as usual, and `rebuild` says False.
        """
        base = serve_module.LiveReloadServer
        engine, skipped = self, os.path.realpath(docs_dir)

        class ToldServer(base):  # type: ignore[misc, valid-type]
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                told = isinstance(getattr(self, "_rebuild_cond", None), threading.Condition)
                engine._server = self if told and hasattr(self, "_want_rebuild") else None

            def watch(self, path: str, *args: Any, **kwargs: Any) -> None:
                if engine._server is self and os.path.realpath(path) == skipped:
                    return
                super().watch(path, *args, **kwargs)

        serve_module.LiveReloadServer = ToldServer
        try:
            yield
        finally:
            serve_module.LiveReloadServer = base
            self._server = None

    def rebuild(self) -> bool:
        server = self._server
        if server is None:
            return False
        with server._rebuild_cond:
            server._want_rebuild = True
            server._rebuild_cond.notify_all()
        return True
