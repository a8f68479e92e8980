"""The label's PNG renderer (`generator.render.label_png`): what it draws, where, and what it
refuses. Its likeness to resvg's picture of a whole label is in test_build.py."""

from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from generator.render.label_png import render_svg_png

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="40">{}</svg>'


def _pixels(png: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(png)) as image:
        assert image.mode == "P"  # a palette PNG
        return np.asarray(image.convert("RGBA"))


def _ink_columns(pixels: np.ndarray) -> np.ndarray:
    return np.flatnonzero((pixels[..., 3] > 0).any(axis=0))


def test_shapes_are_drawn_at_scale_in_their_colours() -> None:
    svg = SVG.format(
        '<rect x="10" y="10" width="30" height="20" fill="#1b5e20"/>'
        '<line x1="50" y1="20" x2="90" y2="20" stroke="#cccccc" stroke-width="2"/>'
    )
    pixels = _pixels(render_svg_png(svg, scale=2))
    assert pixels.shape == (80, 200, 4)
    assert tuple(pixels[40, 40]) == (0x1B, 0x5E, 0x20, 255)  # inside the rect
    assert tuple(pixels[40, 150]) == (0xCC, 0xCC, 0xCC, 255)  # on the line
    assert pixels[5, 5, 3] == 0 and pixels[40, 95, 3] == 0  # transparent elsewhere
    rect_columns = np.flatnonzero(pixels[40, :100, 3] > 0)
    assert rect_columns[0] == 20 and rect_columns[-1] == 79  # x 10..40, at 2x


@pytest.mark.parametrize(("anchor", "x"), [("start", 10), ("middle", 50), ("end", 90)])
def test_text_is_anchored_like_svg_text(anchor: str, x: int) -> None:
    svg = SVG.format(
        f'<text x="{x}" y="30" font-size="12" text-anchor="{anchor}" fill="#000000">MMMM</text>'
    )
    columns = _ink_columns(_pixels(render_svg_png(svg, scale=2)))
    left, right = columns[0] / 2, (columns[-1] + 1) / 2
    expected = {"start": left, "middle": (left + right) / 2, "end": right}[anchor]
    assert abs(expected - x) <= 1.5, (left, right)
    assert 30 < right - left < 50  # four capital Ms of 12 px, not a one-pixel smudge


def test_a_tspan_follows_its_text_with_its_own_size_and_weight() -> None:
    whole = SVG.format(
        '<text x="5" y="30" font-size="20" font-weight="700">42'
        '<tspan dx="4" font-size="10" font-weight="400">kWh</tspan></text>'
    )
    alone = SVG.format('<text x="5" y="30" font-size="20" font-weight="700">42</text>')
    whole_columns = _ink_columns(_pixels(render_svg_png(whole)))
    alone_columns = _ink_columns(_pixels(render_svg_png(alone)))
    assert whole_columns[0] == alone_columns[0]
    assert whole_columns[-1] - alone_columns[-1] > 2 * (4 + 15)  # the gap, then "kWh"


def test_groups_pass_their_style_down() -> None:
    svg = SVG.format('<g fill="#ff0000"><rect x="0" y="0" width="100" height="40"/></g>')
    assert tuple(_pixels(render_svg_png(svg, scale=1))[20, 50]) == (255, 0, 0, 255)


@pytest.mark.parametrize(
    ("element", "named"),
    [
        ('<circle cx="5" cy="5" r="4"/>', "<circle>"),
        ('<path d="M0 0h10"/>', "<path>"),
        ('<text x="0" y="9">a<tspan>b<tspan>c</tspan></tspan></text>', "tspan"),
    ],
)
def test_what_it_cannot_draw_is_refused_not_skipped(element: str, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        render_svg_png(SVG.format(element))


def test_the_same_label_gives_the_same_bytes_in_any_process() -> None:
    svg = SVG.format(
        '<rect x="1" y="1" width="98" height="38" rx="6" fill="#ffffff" stroke="#1b5e20"/>'
        '<text x="50" y="25" font-size="11" text-anchor="middle">Energy · 1,000 queries</text>'
    )
    here = render_svg_png(svg)
    code = (
        "import sys; from generator.render.label_png import render_svg_png; "
        f"sys.stdout.buffer.write(render_svg_png({svg!r}))"
    )
    for seed in ("1", "2"):
        other = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": ""},
        ).stdout
        assert other == here
