"""Card value types: text and numbers with the bounds every card value keeps.

Part of the card format (`card.py` builds its sections from these). The bounds make a promise:
anything `validate` accepts also builds (pages, charts, labels), so a slip such as a pasted
megabyte, an escape sequence or 1e308 is a located problem, never a crash or a hang later.
Text holds no control characters (C0, DEL, C1), lone surrogates or non-characters, and has a
maximum length; figures are 0 or between 1e-12 and 1e15; counts are whole numbers below 1e15.
Numbers are strict: `true`, `yes` (YAML booleans) and quoted text are not numbers.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, Field, Strict, StringConstraints
from pydantic_core import PydanticCustomError

CARD_ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
SOURCE_KEY_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
URL_PATTERN = r"^https?://[^\s<>\"'`\\]+$"

MAX_NAME_CHARS = 200  # name, organization, tags
MAX_TEXT_CHARS = 1_000  # titles, hardware, where...
MAX_LONG_TEXT_CHARS = 10_000  # notes, caveats
MAX_URL_CHARS = 2_000
MAX_SOURCE_KEY_CHARS = 100
MAX_FIGURE = 1e15  # the largest figure value, in any unit
MIN_POSITIVE_FIGURE = 1e-12  # a figure is 0 or at least this (smaller is a slip, or a subnormal)
MAX_COUNT = 10**15  # parameter counts, queries, batch sizes stay below this

_C0_ABBREVIATIONS = (
    *("NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "TAB", "LF"),
    *("VT", "FF", "CR", "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK"),
    *("SYN", "ETB", "CAN", "EM", "SUB", "ESC", "FS", "GS", "RS", "US"),
)
# Controls (C0 but tab and line breaks, DEL, C1), surrogates and non-characters: invisible or
# unencodable, they abort the chart and label renderers. Line breaks are refused in names.
_NON_CHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
BAD_TEXT_CHARACTER = re.compile(
    f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff{_NON_CHARACTERS}]"
)
_LINE_BREAK = re.compile("[\r\n\t\u2028\u2029]")


def describe_character(character: str) -> str:
    """A character no text may hold, in words: `the control character U+001B (ESC)`."""
    code = ord(character)
    if code < 0x20:
        return f"the control character U+{code:04X} ({_C0_ABBREVIATIONS[code]})"
    if code == 0x7F:
        return "the control character U+007F (DEL)"
    if 0x80 <= code <= 0x9F:
        return f"the control character U+{code:04X}"
    if 0xD800 <= code <= 0xDFFF:
        return f"the lone surrogate U+{code:04X}"
    return f"the non-character U+{code:04X}"


def _printable(text: str, *, one_line: bool) -> str:
    bad = BAD_TEXT_CHARACTER.search(text) or (_LINE_BREAK.search(text) if one_line else None)
    if bad:
        character = bad.group()
        breaks_line = bool(_LINE_BREAK.match(character))
        expected = "one line of text" if breaks_line else "text without control characters"
        got = "a line break or tab" if breaks_line else describe_character(character)
        raise PydanticCustomError(
            "bad_character",
            "expected {expected}, got {got}",
            {"expected": expected, "got": f"{got} at character {bad.start() + 1}"},
        )
    return text


def _one_line(text: str) -> str:
    return _printable(text, one_line=True)


def _any_lines(text: str) -> str:
    return _printable(text, one_line=False)


def _text(max_length: int) -> Any:
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length),
        AfterValidator(_any_lines),
    ]


Text = _text(MAX_TEXT_CHARS)
LongText = _text(MAX_LONG_TEXT_CHARS)
# Names end up in page titles, where a theme may strip tags: no angle brackets.
NAME_PATTERN = r"^[^<>]+$"
Name = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=MAX_NAME_CHARS, pattern=NAME_PATTERN
    ),
    AfterValidator(_one_line),
]
Url = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=MAX_URL_CHARS, pattern=URL_PATTERN)
]
CardId = Annotated[str, StringConstraints(pattern=CARD_ID_PATTERN)]
SourceKey = Annotated[
    str, StringConstraints(max_length=MAX_SOURCE_KEY_CHARS, pattern=SOURCE_KEY_PATTERN)
]


def _not_tiny(value: float) -> float:
    if 0 < value < MIN_POSITIVE_FIGURE:
        raise PydanticCustomError(
            "bad_value",
            "expected {expected}, got {got}",
            {"expected": f"0 or a number >= {MIN_POSITIVE_FIGURE:g}", "got": repr(value)},
        )
    return value


# Numbers are strict: `true` or `yes` (YAML booleans) and quoted text are not numbers.
FigureValue = Annotated[float, Strict(), Field(ge=0, le=MAX_FIGURE), AfterValidator(_not_tiny)]
Count = Annotated[int, Strict(), Field(ge=1, lt=MAX_COUNT)]
