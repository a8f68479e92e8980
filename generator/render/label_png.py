"""Render stage: the energy label's SVG drawn as a PNG with Pillow. Pure but for reading the
two font files shipped with the package.

The label SVG (`label.svg.j2`) is ours and uses a small part of SVG: `rect`, `line` and
`polygon` shapes and `text` with at most one `tspan`, inside `g` groups whose presentation
attributes are inherited. This module draws exactly that part, `scale` times the label's size;
any other element is a programming error (ValueError), so a template change that needs more
fails its tests instead of drawing a wrong label.

Why not a general SVG renderer: vl-convert's resvg took ~35 ms of CPU a label (of it ~20 ms
laying out and filling about 270 glyphs as paths), which at 1,000 cards was half of a cold
build. Pillow draws the text with FreeType's cached glyphs and the shapes once per distinct
set of shapes (the frame and the stars repeat from label to label), in about 3 ms.

What differs from a browser drawing the same SVG: the text is set in DejaVu Sans (shipped with
the package, so that every machine makes the same bytes), whatever the SVG's font-family list;
letter-spaced text is placed a glyph at a time, without kerning. The label's layout measures its
lines with `svg_text` (Verdana-like widths, wider than DejaVu), so every line fits either way.
Shapes are drawn at 4x and reduced (anti-aliased edges); no shape may lie over text, since the
text is drawn after all shapes.
"""

from __future__ import annotations

import functools
import io
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from importlib.resources import files
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image, ImageFont

_SVG = "{http://www.w3.org/2000/svg}"
_INHERITED = (
    "fill",
    "stroke",
    "stroke-width",
    "font-size",
    "font-weight",
    "letter-spacing",
    "text-anchor",
)
_SHAPES = ("rect", "line", "polygon")
_IGNORED = ("title", "desc")
_SUPERSAMPLE = 2  # shapes are drawn at this multiple of the output size, then reduced
_FONT_FILES = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
# zlib level: 6 writes a label in about 1 ms for a few hundred bytes more than 9.
PNG_COMPRESS_LEVEL = 6


@dataclass(frozen=True)
class _Shape:
    kind: str
    attributes: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class _Run:
    """A stretch of text in one style: the text element's own, or a tspan's."""

    text: str
    font_px: float
    bold: bool
    fill: str
    dx_px: float
    letter_spacing_px: float


@dataclass(frozen=True)
class _Text:
    x: float
    y: float  # the baseline, as in SVG
    anchor: str
    runs: tuple[_Run, ...]


def render_svg_png(svg: str, scale: int = 2) -> bytes:
    """The label SVG as a palette PNG, `scale` x its size (an integer: pixels stay crisp)."""
    from PIL import Image, ImageDraw

    root = ElementTree.fromstring(svg)
    width, height = int(float(root.get("width", "0"))), int(float(root.get("height", "0")))
    shapes: list[_Shape] = []
    texts: list[_Text] = []
    _collect(root, {}, shapes, texts)
    image = _shape_layer(width, height, scale, tuple(shapes)).copy()
    draw = ImageDraw.Draw(image)
    for text in texts:
        _draw_text(draw, text, scale)
    return _palette_png(image, Image)


def _collect(element, inherited: dict[str, str], shapes: list, texts: list) -> None:
    tag = element.tag.removeprefix(_SVG)
    own = {**inherited, **{k: v for k, v in element.attrib.items() if k in _INHERITED}}
    if tag in ("svg", "g"):
        for child in element:
            _collect(child, own, shapes, texts)
    elif tag in _SHAPES:
        attributes = {**own, **element.attrib}
        attributes.pop("class", None)
        shapes.append(_Shape(tag, tuple(sorted(attributes.items()))))
    elif tag == "text":
        texts.append(_text(element, own))
    elif tag not in _IGNORED:
        raise ValueError(f"the label PNG renderer does not draw <{tag}> elements")


def _text(element, style: dict[str, str]) -> _Text:
    def run(text: str, attrs: dict[str, str], dx: float) -> _Run:
        return _Run(
            text,
            float(attrs.get("font-size", "16")),
            attrs.get("font-weight", "400") in ("700", "bold"),
            attrs.get("fill", "#000000"),
            dx,
            float(attrs.get("letter-spacing", "0")),
        )

    runs = [run(element.text or "", style, 0.0)]
    for child in element:
        if child.tag.removeprefix(_SVG) != "tspan" or len(child):
            raise ValueError("the label PNG renderer draws text with plain tspans only")
        child_style = {**style, **{k: v for k, v in child.attrib.items() if k in _INHERITED}}
        runs.append(run(child.text or "", child_style, float(child.get("dx", "0"))))
        if child.tail and child.tail.strip():
            raise ValueError("the label PNG renderer draws no text after a tspan")
    return _Text(
        float(element.get("x", "0")),
        float(element.get("y", "0")),
        style.get("text-anchor", "start"),
        tuple(r for r in runs if r.text),
    )


@functools.lru_cache(maxsize=16)
def _shape_layer(width: int, height: int, scale: int, shapes: tuple[_Shape, ...]) -> Image.Image:
    """The label's shapes, drawn once for each distinct set (frames and stars repeat)."""
    from PIL import Image, ImageDraw

    factor = scale * _SUPERSAMPLE
    image = Image.new("RGBA", (width * factor, height * factor), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for shape in shapes:
        _draw_shape(draw, shape, factor)
    return image.reduce(_SUPERSAMPLE)


def _draw_shape(draw, shape: _Shape, factor: int) -> None:
    a = dict(shape.attributes)
    fill = None if a.get("fill", "#000000") == "none" else a.get("fill", "#000000")
    stroke = a.get("stroke")
    stroke_px = float(a.get("stroke-width", "1")) * factor if stroke else 0
    if shape.kind == "rect":
        x, y = float(a.get("x", "0")) * factor, float(a.get("y", "0")) * factor
        # Pillow's boxes include their last pixel; SVG's end before it.
        box = [x, y, x + float(a["width"]) * factor - 1, y + float(a["height"]) * factor - 1]
        radius = float(a.get("rx", "0")) * factor
        # SVG strokes straddle the edge: the stroke's colour grows the box by half its width,
        # the fill shrinks it by half.
        half = stroke_px / 2
        if stroke:
            draw.rounded_rectangle(
                [box[0] - half, box[1] - half, box[2] + half, box[3] + half],
                radius + half,
                fill=stroke,
            )
        draw.rounded_rectangle(
            [box[0] + half, box[1] + half, box[2] - half, box[3] - half],
            max(radius - half, 0),
            fill=fill,
        )
    elif shape.kind == "line":
        points = [float(a[k]) * factor for k in ("x1", "y1", "x2", "y2")]
        draw.line(points, fill=stroke, width=round(stroke_px))
    else:
        numbers = [float(n) * factor for n in _NUMBER.findall(a["points"])]
        points = list(zip(numbers[::2], numbers[1::2], strict=True))
        draw.polygon(points, fill=fill)
        if stroke:
            draw.line([*points, points[0]], fill=stroke, width=round(stroke_px), joint="curve")


@functools.cache
def _font(px: float, bold: bool) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    data = files("generator").joinpath("data", "fonts", _FONT_FILES[bold]).read_bytes()
    return ImageFont.truetype(io.BytesIO(data), size=px, layout_engine=ImageFont.Layout.BASIC)


def _draw_text(draw, text: _Text, scale: int) -> None:
    x = text.x * scale
    if text.anchor in ("middle", "end"):
        total = sum(_advance(run, scale) for run in text.runs)
        x -= total / 2 if text.anchor == "middle" else total
    for run in text.runs:
        font = _font(run.font_px * scale, run.bold)
        x += run.dx_px * scale
        # Letter-spaced text is placed a glyph at a time (Pillow has no letter spacing).
        pieces = list(run.text) if run.letter_spacing_px else [run.text]
        for piece in pieces:
            draw.text((x, text.y * scale), piece, font=font, fill=run.fill, anchor="ls")
            x += font.getlength(piece) + run.letter_spacing_px * scale


def _advance(run: _Run, scale: int) -> float:
    """How far the run moves the pen, its dx included, in output pixels."""
    font = _font(run.font_px * scale, run.bold)
    pieces = list(run.text) if run.letter_spacing_px else [run.text]
    spacing = run.letter_spacing_px * scale
    return run.dx_px * scale + sum(font.getlength(piece) + spacing for piece in pieces)


def _palette_png(image, Image) -> bytes:
    out = io.BytesIO()
    image.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE).save(
        out, "PNG", compress_level=PNG_COMPRESS_LEVEL
    )
    return out.getvalue()
