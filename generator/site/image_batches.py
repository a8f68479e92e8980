"""Site stage helper: a chunk of cards' charts and labels, rendered through the image cache in
one go (`ImageBatches`, `render_images`), or left pending for the build to render later.

The live preview keeps a memo between refreshes: a chart or label made from the same inputs
as last time gives last time's files at the cost of a comparison, where the cache costs a
key (the spec's canonical JSON, hashed), a file read and the chart's CSV (about 0.4 s a
refresh at 1,000 cards).
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import replace
from pathlib import Path

from generator.render.charts import ChartSpec, chart_csv
from generator.render.publish import label_png_path, label_svg_path
from generator.site.images import (
    PendingImages,
    cached_chart_svg,
    chart_key,
    pngs_cached,
    pngs_in_cache,
    render_svgs,
)

CHARTS_FOLDER = "charts"


def chart_paths(chart: ChartSpec) -> tuple[str, str]:
    """Where a chart's SVG and CSV go in the docs folder."""
    return f"{CHARTS_FOLDER}/{chart.name}.svg", f"{CHARTS_FOLDER}/{chart.name}.csv"


# What a memo holds for one image: what it was made from, its cache key, its files.
Remembered = tuple[bytes | str, str, dict[str, bytes]]


def render_images(
    charts: Sequence[ChartSpec],
    label_svgs: Mapping[str, str],
    cache_dir: Path,
    memo: MutableMapping[tuple[str, str], Remembered] | None = None,
) -> tuple[dict[str, bytes], list[str]]:
    """Charts as SVG and CSV, and each label SVG (by card id) as PNG, through the cache; and
    the cache keys used (what `prune_cache` must keep).

    With `memo` (kept by the caller between calls), an image made from the same inputs as
    last time is taken from it: a chart's inputs are its pickled spec (`==` would take 1 for
    1.0, which the spec writes differently), a label's its SVG text.
    """
    memo = {} if memo is None else memo
    # A chart's highlight is the page's business (a URL fragment), not the picture's.
    made_from = {c.name: pickle.dumps(replace(c, highlight=""), protocol=5) for c in charts}
    fresh = [c for c in charts if _known(memo, ("chart", c.name)) != made_from[c.name]]
    for chart, svg in zip(fresh, render_svgs(fresh, cache_dir), strict=True):
        svg_path, csv_path = chart_paths(chart)
        chart_files = {svg_path: svg.encode("utf-8"), csv_path: chart_csv(chart).encode("utf-8")}
        memo["chart", chart.name] = (made_from[chart.name], chart_key(chart), chart_files)
    fresh_labels = {
        card_id: svg
        for card_id, svg in label_svgs.items()
        if _known(memo, ("label", card_id)) != svg
    }
    for card_id, (key, png) in pngs_cached(fresh_labels, cache_dir).items():
        memo["label", card_id] = (fresh_labels[card_id], key, {label_png_path(card_id): png})
    files: dict[str, bytes] = {}
    keys = []
    for entry in [("chart", c.name) for c in charts] + [("label", i) for i in label_svgs]:
        _, key, image_files = memo[entry]
        files.update(image_files)
        keys.append(key)
    return files, keys


def _known(memo: Mapping[tuple[str, str], Remembered], entry: tuple[str, str]) -> bytes | str:
    known = memo.get(entry)
    return b"" if known is None else known[0]


def forget_unused(memo: MutableMapping[tuple[str, str], Remembered], used: set) -> None:
    """Drop from an images memo what this render did not use (removed cards, renamed charts)."""
    for entry in set(memo) - used:
        del memo[entry]


class ImageBatches:
    """Collects the charts and label SVGs of a chunk of cards, then renders them through the
    cache in one go (`render_images`), each chart once however many pages show it.

    With `memo` (the live preview's), images made from the same inputs as last time are taken
    from it (`render_images`). With `pending` (the build), an image the cache lacks is not
    rendered: its name goes to `expect` (the staged folder keeps the place) and `pending`
    keeps what rendering it takes, for `images.render_pending_images`.
    """

    def __init__(
        self,
        cache_dir: Path,
        first_charts: Sequence[ChartSpec] = (),
        pending: PendingImages | None = None,
        expect: Callable[[str], None] | None = None,
        memo: MutableMapping[tuple[str, str], Remembered] | None = None,
    ) -> None:
        self.cache_dir = cache_dir
        self.keys: list[str] = []
        self.memo = memo
        self.used: set[tuple[str, str]] = set()  # the memo's entries this render asked for
        self.pending = pending
        self._expect = expect or (lambda name: None)
        self._done: set[str] = set()
        self._charts: list[ChartSpec] = []
        self._labels: dict[str, str] = {}
        for chart in first_charts:
            self._add_chart(chart)

    def _add_chart(self, chart: ChartSpec) -> None:
        if chart.name not in self._done:
            self._done.add(chart.name)
            self._charts.append(chart)

    def add(self, card_id: str, label_svg: str, charts: Sequence[ChartSpec]) -> None:
        self._labels[card_id] = label_svg
        for chart in charts:
            self._add_chart(chart)

    def render_into(self, put: Callable[[str, bytes], None]) -> None:
        charts, labels = self._charts, self._labels
        if not charts and not labels:
            return
        self._charts, self._labels = [], {}
        if self.pending is not None:
            self._cached_or_pending(charts, labels, put)
            return
        self.used.update([("chart", c.name) for c in charts] + [("label", i) for i in labels])
        images, keys = render_images(charts, labels, self.cache_dir, self.memo)
        for name, content in images.items():
            put(name, content)
        self.keys += keys

    def _cached_or_pending(
        self,
        charts: Sequence[ChartSpec],
        labels: Mapping[str, str],
        put: Callable[[str, bytes], None],
    ) -> None:
        assert self.pending is not None
        for chart in charts:
            svg_path, csv_path = chart_paths(chart)
            put(csv_path, chart_csv(chart).encode("utf-8"))
            self.keys.append(chart_key(chart))
            svg = cached_chart_svg(chart, self.cache_dir)
            if svg is None:
                self._expect(svg_path)
                self.pending.add_chart(svg_path, chart)
            else:
                put(svg_path, svg.encode("utf-8"))
        found, missing = pngs_in_cache(labels, self.cache_dir)
        for card_id, (key, png) in found.items():
            put(label_png_path(card_id), png)
            self.keys.append(key)
        for card_id, key in missing.items():
            self._expect(label_png_path(card_id))
            self.pending.labels.append((label_png_path(card_id), label_svg_path(card_id)))
            self.keys.append(key)
