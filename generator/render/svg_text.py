"""Text layout for the SVG label and badge: approximate widths, wrapping, star shapes. Pure.

SVG has no text wrapping, so the label measures text with Verdana-like advance widths (as
shields.io does for badges) and wraps or truncates it before it is written.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

# Approximate advance widths of Verdana at 11px, as shields.io measures badge text. Verdana is
# wider than most system fonts, so wrapping by these widths errs on the side of fitting.
_WIDTHS_11PX: dict[str, float] = {
    **dict.fromkeys("il", 3.0),
    **dict.fromkeys(" .,:;!'|fj·", 3.9),
    **dict.fromkeys("rt()[]{}-/\\I₂", 4.7),
    **dict.fromkeys('csz"', 5.7),
    **dict.fromkeys("abdeghknopquvxy", 6.8),
    **dict.fromkeys("0123456789$#+<=>?_~", 7.0),
    **dict.fromkeys("mw%@MW", 10.5),
    **dict.fromkeys("★☆…", 9.2),
}
_OTHER_WIDTH, _WIDE_WIDTH, _BOLD_FACTOR = 7.6, 11.0, 1.1
# Characters XML 1.0 forbids even as references (YAML "\x01" escapes could bring them in).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def clean_text(value: Any) -> str:
    """One line of text: whitespace collapsed, characters XML cannot hold removed."""
    return " ".join(_NOT_XML.sub("", str(value)).split())


def text_width_px(text: str, font_px: float = 11.0, bold: bool = False) -> float:
    """Approximate rendered width of `text` (Verdana/DejaVu metrics, scaled from 11px)."""
    total = sum(
        _WIDTHS_11PX.get(
            char, _WIDE_WIDTH if unicodedata.east_asian_width(char) in "WF" else _OTHER_WIDTH
        )
        for char in text
    )
    return total * font_px / 11.0 * (_BOLD_FACTOR if bold else 1.0)


def _fit(text: str, max_px: float, font_px: float, bold: bool, suffix: str = "") -> str:
    """The longest prefix of `text` that fits with `suffix` after it."""
    while text and text_width_px(text + suffix, font_px, bold) > max_px:
        text = text[:-1]
    return text


def wrap_text(
    text: Any, max_px: float, font_px: float, max_lines: int, bold: bool = False
) -> list[str]:
    """Lines of at most `max_px`; words longer than a line are cut (after a hyphen if one fits);
    an ellipsis ends the last line when the text does not fit in `max_lines`."""
    lines: list[str] = []
    current = ""
    for word in clean_text(text).split(" "):
        candidate = f"{current} {word}" if current else word
        if text_width_px(candidate, font_px, bold) <= max_px:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while text_width_px(current, font_px, bold) > max_px:
            head = _fit(current, max_px, font_px, bold) or current[0]
            head = head[: max(head.rfind(mark) for mark in "-/_.") + 1] or head  # at a hyphen
            lines.append(head)
            current = current[len(head) :]
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        last = _fit(lines[max_lines - 1], max_px, font_px, bold, "…").rstrip()
        lines = lines[: max_lines - 1] + [last + "…"]
    return lines


def star_points(cx: float, cy: float, outer: float) -> str:
    """A five-pointed star polygon (points up), coordinates to 2 decimals."""
    points = []
    for i in range(10):
        radius, angle = (outer if i % 2 == 0 else outer * 0.382), math.radians(-90 + 36 * i)
        points.append(f"{cx + radius * math.cos(angle):.2f},{cy + radius * math.sin(angle):.2f}")
    return " ".join(points)
