"""Load stage helper: what is wrong with a YAML text as a whole, located at line:col.

Takes the text of a YAML file (a card, the factor table, the rating reference...); gives
problems for characters YAML refuses (`bad_characters`) and for a syntax error PyYAML raised
(`syntax_problem`), placed where the mistake is: a quote left open is reported where it
opened, with where its text ended, not where the parser noticed.
"""

from __future__ import annotations

import bisect
import re

import yaml

from generator.formats.values import describe_character
from generator.problems import Location, Problem

MAX_BAD_CHARACTERS = 20  # listed per file; the rest are counted in one more problem
# PyYAML's own test of what a YAML file may hold, and the line breaks its marks count.
_NOT_PRINTABLE = re.compile(yaml.reader.Reader.NON_PRINTABLE.pattern)
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _where(mark: yaml.Mark) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}"


def _open_quote(text: str, error_mark: yaml.Mark) -> yaml.ScalarToken | None:
    """The quoted text that ran across lines and closed on the error's line: a quote left
    open earlier, whose text swallowed the next lines up to the next quote character."""
    found = None
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.start_mark.index >= error_mark.index:
                break
            if (
                isinstance(token, yaml.ScalarToken)
                and token.style in ('"', "'")
                and token.start_mark.line != token.end_mark.line
            ):
                found = token
    except yaml.YAMLError:
        pass
    return found if found and found.end_mark.line == error_mark.line else None


def syntax_problem(error: yaml.MarkedYAMLError, display_path: str, text: str) -> Problem:
    """The parser's position; for a quote never closed, or closed lines later by the next
    quote, the place where it opened (and the message says where it ended)."""
    problem_mark, context_mark = error.problem_mark, error.context_mark
    mark = problem_mark or context_mark
    what = " ".join(part for part in (error.context, error.problem) if part)
    hint = "check indentation, colons after keys, and quotes around text with ': '"
    quote = _open_quote(text, problem_mark) if problem_mark else None
    never_closed = any(
        reason in (error.problem or "") for reason in ("end of stream", "document separator")
    )
    if context_mark and problem_mark and "quoted scalar" in (error.context or "") and never_closed:
        mark = context_mark
        ends = f"line {problem_mark.line + 1}"
        ends = f"the file ends at {ends}" if "stream" in error.problem else f"--- at {ends}"
        what = f"the quote opened here is never closed ({ends})"
        hint = "close the quote at the end of the text on this line"
    elif quote and problem_mark:
        mark = quote.start_mark
        closed = quote.end_mark.column  # the closing quote is the character before its end
        what = (
            f"the quote opened here closes only at line {quote.end_mark.line + 1}, column "
            f"{closed}, so the text runs across lines; then, at {_where(problem_mark)}: "
            f"{error.problem}"
        )
        hint = "close the quote at the end of the text on this line"
    elif context_mark and problem_mark and context_mark.line != problem_mark.line:
        if "end of stream" in (error.problem or ""):
            mark = context_mark
            what += f" (the file ends at line {problem_mark.line + 1})"
        else:
            what += f" (the enclosing block starts at line {context_mark.line + 1})"
    line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    return Problem(
        Location(display_path, line, column), "yaml-syntax", f"invalid YAML: {what}", hint=hint
    )


def bad_characters(text: str, display_path: str) -> list[Problem]:
    """Characters YAML does not allow in a file (NUL, ESC, DEL, U+FFFE...), each located."""
    found = list(_NOT_PRINTABLE.finditer(text))
    if not found:
        return []
    line_ends = [match.end() for match in _LINE_BREAK.finditer(text)]

    def where(offset: int) -> Location:
        line = bisect.bisect_right(line_ends, offset)
        start = line_ends[line - 1] if line else 0
        return Location(display_path, line + 1, offset - start + 1)

    problems = [
        Problem(
            where(match.start()),
            "bad-character",
            f"expected printable text, got {describe_character(match.group())}",
            hint="delete it: most editors do not show it, so go to the line and column given",
        )
        for match in found[:MAX_BAD_CHARACTERS]
    ]
    if len(found) > MAX_BAD_CHARACTERS:
        more = found[MAX_BAD_CHARACTERS:]
        first, last = where(more[0].start()), where(more[-1].start())
        problems.append(
            Problem(
                first,
                "bad-character",
                f"... and {len(more):,} more characters like these, not listed "
                f"(lines {first.line}-{last.line})",
            )
        )
    return problems
