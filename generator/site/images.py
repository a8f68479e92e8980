"""Build stage helper: `ChartSpec` -> static SVG (vl-convert), label SVG -> palette PNG,
each cached on disk by a hash of its content and renderer versions.

Takes a chart spec from `generator.render.charts` and a cache folder (outside site/, e.g.
`.energy-cards/charts/`); gives the SVG text, labelled for screen readers, ready to inline in a
page or write as a file. A card's own charts are drawn (`generator.render.plot`), not cached.
The others cost 0.4-0.7 s for the first chart (vl-convert starts its JavaScript engine) and
~45 ms for each after; a cached chart costs one file read, and
vl-convert is imported only on a miss, so a build where no chart changed never starts it.

The cache key is the sha256 of the spec's canonical JSON, the vl-convert version and
`CACHE_FORMAT`; the file is `<cache_dir>/<key>.svg`. A label PNG's key is the sha256 of its
SVG, the scale, the Pillow version and `CACHE_FORMAT`: a label whose content did not change is
never rendered again, and a new renderer renders every label once.

Label PNGs are palette (indexed-colour) PNGs drawn by `generator.render.label_png` (Pillow, about
8 ms and 15 KB a 520 x 728 label; vl-convert took about 35 ms of CPU for a 135 KB RGBA picture
that then had to be mapped to a palette). This module writes only inside cache_dir.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import multiprocessing
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.render.chart_svg import link_chart_marks
from generator.render.label_png import render_svg_png
from generator.render.plot import plot_svg

if TYPE_CHECKING:
    from generator.render.charts import ChartSpec

CACHE_FORMAT = "5"  # bump when the post-processing below changes what a cached file holds
PARALLEL_FROM = 64  # labels to render before it pays to start worker processes (~0.5 s)
# zlib level for label PNGs: 6 gives 20 KB in 3 ms a label; 9 gives 18.6 KB in 23 ms.
PNG_COMPRESS_LEVEL = 6
DEFAULT_VEGALITE_VERSION = "6.4"
_SCHEMA_VERSION = re.compile(r"/v(\d+\.\d+)(?:\.\d+)?\.json$")
_ID = re.compile(r'\bid="([^"]+)"')
_FONT_FAMILY = re.compile(r' font-family="([^"]*)"')
_TRANSLATE = re.compile(r'transform="translate\((-?[\d.]+),(-?[\d.]+)\)"')


@functools.cache
def vl_convert_version() -> str:
    """The installed vl-convert-python version, read from its metadata (no import)."""
    return version("vl-convert-python")


@functools.cache
def pillow_version() -> str:
    """The installed Pillow version, read from its metadata (no import)."""
    return version("pillow")


def chart_key(spec: ChartSpec) -> str:
    """sha256 (hex) of the canonical JSON of the Vega-Lite spec, vl-convert version and format;
    for a drawn chart (`spec.plot`), of its description (it is never cached: drawing it costs
    less than reading a file)."""
    if spec.plot is not None:
        return hashlib.sha256(f"plot\n{spec.plot!r}".encode()).hexdigest()
    return _vega_lite_key(spec.vega_lite)


def _vega_lite_key(vega_lite: dict[str, Any]) -> str:
    canonical = json.dumps(
        vega_lite, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    text = f"{canonical}\nvl-convert {vl_convert_version()}\nformat {CACHE_FORMAT}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def render_svg(spec: ChartSpec, cache_dir: Path) -> str:
    """The chart as SVG text, from `cache_dir/<key>.svg` or rendered and stored there.

    The returned SVG has `role="img"` and `aria-label` (the spec's alt text) on its root, so it
    can be inlined as is; the cached file holds it without them, so alt text edits are free.

    Raises:
        ValueError: vl-convert could not render the spec (RuntimeError: it lacks the spec's
            Vega-Lite version).
        OSError: the cache folder cannot be created or written.
    """
    return render_svgs([spec], cache_dir)[0]


def render_svgs(specs: Sequence[ChartSpec], cache_dir: Path) -> list[str]:
    """`render_svg` of each chart; what the cache lacks is rendered from `PARALLEL_FROM`
    charts on (a cold build) in one worker process a CPU, like the labels."""
    keys = [chart_key(spec) for spec in specs]
    found = {
        key: plot_svg(spec.plot) if spec.plot else _read_cached(cache_dir / f"{key}.svg")
        for key, spec in dict(zip(keys, specs, strict=True)).items()
    }
    missing = {key: spec.vega_lite for key, spec in zip(keys, specs, strict=True)}
    missing = {key: vega_lite for key, vega_lite in missing.items() if found[key] is None}
    rendered = _in_workers(_chart_svg, list(missing.values()), list(missing))
    for key, svg in zip(missing, rendered, strict=True):
        _write_atomic(cache_dir / f"{key}.svg", svg)
        found[key] = svg
    return [
        label_svg(found[key] or "", spec.alt_text) for key, spec in zip(keys, specs, strict=True)
    ]


def _chart_svg(vega_lite: dict[str, Any], key: str) -> str:
    return link_chart_marks(normalize_svg(_vegalite_to_svg(vega_lite), f"c{key[:10]}"))


def _in_workers(function: Callable[..., Any], first: list[Any], second: list[Any]) -> list[Any]:
    """`function(a, b)` for each pair, in order; in worker processes from `PARALLEL_FROM` on
    (vl-convert holds the GIL), so the results do not depend on how."""
    workers = min(os.cpu_count() or 1, 8)
    if len(first) < PARALLEL_FROM or workers < 2:
        return [function(a, b) for a, b in zip(first, second, strict=True)]
    spawn = multiprocessing.get_context("spawn")  # no fork of a process that holds threads
    with ProcessPoolExecutor(workers, mp_context=spawn) as pool:
        chunk = max(1, len(first) // (workers * 8))
        return list(pool.map(function, first, second, chunksize=chunk))


def _read_cached(path: Path) -> str | None:
    try:
        svg = path.read_text(encoding="utf-8")
    except (FileNotFoundError, UnicodeDecodeError):
        return None
    return svg if svg.startswith("<svg") and svg.endswith("</svg>\n") else None


def _vegalite_to_svg(vega_lite: dict[str, Any]) -> str:
    """Render with vl-convert, imported here so that a fully cached build never loads it."""
    import vl_convert

    match = _SCHEMA_VERSION.search(vega_lite.get("$schema", ""))
    return vl_convert.vegalite_to_svg(
        vega_lite,
        vl_version=match.group(1) if match else DEFAULT_VEGALITE_VERSION,
        allowed_base_urls=[],  # data is inline; never fetch anything
        format_locale="en-US",
    )


def warm_up() -> None:
    """Start vl-convert's JavaScript engine (about 0.4 s) with a one-point chart, so that the
    live preview's first save that changes a chart does not wait for it."""
    _vegalite_to_svg({"mark": "point", "data": {"values": [{}]}})


def normalize_svg(svg: str, prefix: str) -> str:
    """Make vl-convert's SVG stable, smaller and safe to inline several times on a page.

    Element ids (clip paths) come from a counter in the renderer that grows from one render to
    the next in the same process; they are renumbered in order of appearance under `prefix`.
    A font-family repeated on every text element is set once on the root (it is inherited);
    positions are rounded to 1/100 px (vl-convert writes 15 digits). A newline ends the file.
    """
    ids = {old: f"{prefix}-{n}" for n, old in enumerate(dict.fromkeys(_ID.findall(svg)), 1)}
    for old, new in ids.items():
        svg = svg.replace(f'id="{old}"', f'id="{new}"').replace(f"#{old})", f"#{new})")
        svg = svg.replace(f'href="#{old}"', f'href="#{new}"')
    fonts = set(_FONT_FAMILY.findall(svg))
    if len(fonts) == 1:
        font = fonts.pop()
        svg = svg.replace(f' font-family="{font}"', "")
        svg = svg.replace("<svg ", f'<svg font-family="{font}" ', 1)
    svg = _TRANSLATE.sub(lambda m: f'transform="translate({_short(m[1])},{_short(m[2])})"', svg)
    return svg.rstrip() + "\n"


def _short(number: str) -> str:
    return f"{float(number):.2f}".rstrip("0").rstrip(".") if "." in number else number


def label_svg(svg: str, alt_text: str) -> str:
    """Give the root element `role="img"` and `aria-label`, so screen readers read one sentence."""
    label = html.escape(alt_text, quote=True)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)


def _write_atomic(path: Path, text: str) -> None:
    """Write through a temporary file in the same folder, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def prune_cache(cache_dir: Path, keep: Iterable[str]) -> int:
    """Delete cached SVGs and PNGs whose key is not in `keep` (this build's); returns how many."""
    wanted = set(keep)
    stale = (
        [p for p in cache_dir.iterdir() if p.suffix in (".svg", ".png") and p.stem not in wanted]
        if cache_dir.is_dir()
        else []
    )
    for path in stale:
        path.unlink(missing_ok=True)
    return len(stale)


def png_key(svg: str, scale: int = 2) -> str:
    """sha256 (hex) of the SVG, the scale and the renderers' versions: the label PNG's key."""
    renderers = f"pillow {pillow_version()}"
    return hashlib.sha256(f"{CACHE_FORMAT}:{scale}:{renderers}:{svg}".encode()).hexdigest()


def png_cached(svg: str, cache_dir: Path, scale: int = 2) -> tuple[str, bytes]:
    """(cache key, palette PNG) of an SVG, from `cache_dir/<key>.png` or rendered and stored
    there; a cached PNG is never rendered again."""
    return pngs_cached({"": svg}, cache_dir, scale)[""]


def pngs_cached(
    svgs: Mapping[str, str], cache_dir: Path, scale: int = 2
) -> dict[str, tuple[str, bytes]]:
    """(cache key, palette PNG) of each SVG by name, read from the cache or rendered.

    Only what the cache lacks is rendered; from `PARALLEL_FROM` labels on (a cold build), in
    one worker process a CPU, since vl-convert holds the GIL. The bytes do not depend on how.
    """
    found, missing = pngs_in_cache(svgs, cache_dir, scale)
    unique = {key: svgs[name] for name, key in missing.items()}  # one render per picture
    if unique:
        cache_dir.mkdir(parents=True, exist_ok=True)
    rendered = dict(zip(unique, _render_pngs(list(unique.values()), scale), strict=True))
    for key, png in rendered.items():
        temporary = cache_dir / f".{key}.png.tmp"
        temporary.write_bytes(png)
        temporary.replace(cache_dir / f"{key}.png")
    found.update({name: (key, rendered[key]) for name, key in missing.items()})
    return {name: found[name] for name in svgs}


def pngs_in_cache(
    svgs: Mapping[str, str], cache_dir: Path, scale: int = 2
) -> tuple[dict[str, tuple[str, bytes]], dict[str, str]]:
    """The SVGs whose PNG the cache holds, as (key, PNG) by name, and the others' keys by name."""
    found: dict[str, tuple[str, bytes]] = {}
    missing: dict[str, str] = {}
    for name, svg in svgs.items():
        key = png_key(svg, scale)
        path = cache_dir / f"{key}.png"
        if path.is_file():
            found[name] = (key, path.read_bytes())
        else:
            missing[name] = key
    return found, missing


@dataclass
class PendingImages:
    """The images a build staged by name only, because the cache lacked them: label PNGs as
    (PNG name, staged SVG name), charts as (SVG name, spec file under `folder`). Plain values,
    so the process that waits for the build can receive them without importing its stages."""

    folder: Path
    labels: list[tuple[str, str]] = field(default_factory=list)
    charts: list[tuple[str, str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.labels or self.charts)

    def add_chart(self, svg_name: str, spec: ChartSpec) -> None:
        """Keep what rendering the chart takes in a file, and the chart's place in the list."""
        file_name = f"{len(self.charts)}.json"
        spec_text = json.dumps(
            {"vega_lite": spec.vega_lite, "alt_text": spec.alt_text},
            sort_keys=True,
            ensure_ascii=False,
            allow_nan=False,
        )
        _write_atomic(self.folder / file_name, spec_text)
        self.charts.append((svg_name, file_name))


def cached_chart_svg(spec: ChartSpec, cache_dir: Path) -> str | None:
    """The chart's finished SVG (`render_svg`'s) from the cache, or drawn when it is a drawn
    chart; None when the cache lacks it."""
    if spec.plot is not None:
        return label_svg(plot_svg(spec.plot), spec.alt_text)
    svg = _read_cached(cache_dir / f"{chart_key(spec)}.svg")
    return None if svg is None else label_svg(svg, spec.alt_text)


# Pending images read, rendered and written at a time by `render_pending_images`.
PENDING_BATCH = 1000


def render_pending_images(docs_dir: Path, pending: PendingImages, cache_dir: Path) -> None:
    """Render what a build left pending into its staged docs folder, through the cache, then
    remove the pending spec files.

    The build stages images the cache lacks by name only and renders them here, once the
    process that rendered the pages has ended: a cold build of 10,000 cards then never holds
    the cards and the image workers (about 150 MB each) at once. The bytes are those
    `render_svg` and `pngs_cached` give.
    """
    for start in range(0, len(pending.charts), PENDING_BATCH):
        batch = pending.charts[start : start + PENDING_BATCH]
        specs = [json.loads((pending.folder / file).read_text("utf-8")) for _, file in batch]
        keys = [_vega_lite_key(spec["vega_lite"]) for spec in specs]
        unique = {key: spec["vega_lite"] for key, spec in zip(keys, specs, strict=True)}
        svgs = _in_workers(_chart_svg, list(unique.values()), list(unique))
        rendered = dict(zip(unique, svgs, strict=True))
        for key, svg in rendered.items():
            _write_atomic(cache_dir / f"{key}.svg", svg)
        for (svg_name, _), key, spec in zip(batch, keys, specs, strict=True):
            _write_atomic(docs_dir / svg_name, label_svg(rendered[key], spec["alt_text"]))
    for start in range(0, len(pending.labels), PENDING_BATCH):
        batch = pending.labels[start : start + PENDING_BATCH]
        svgs = {png: (docs_dir / svg).read_text(encoding="utf-8") for png, svg in batch}
        for png_name, (_, png) in pngs_cached(svgs, cache_dir).items():
            path = docs_dir / png_name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(png)
    for _, file in pending.charts:
        (pending.folder / file).unlink(missing_ok=True)


def _render_png(svg: str, scale: int) -> bytes:
    return render_svg_png(svg, scale)


def _render_pngs(svgs: list[str], scale: int) -> list[bytes]:
    return _in_workers(_render_png, svgs, [scale] * len(svgs))
