"""Problems as data: where, what, how bad, and how to fix it; plus the reporters.

Every stage returns problems instead of raising them, so one run reports all of them. The CLI
is the only place that prints them (text, JSON or GitHub annotations).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path

# Stable problem codes, documented on the contributing page (a test keeps the two in step).
PROBLEM_CODES: dict[str, str] = {
    "yaml-syntax": "The file is not valid YAML; the parser's line and column are given.",
    "duplicate-key": "A key appears twice in the same mapping; YAML would silently keep the last.",
    "not-a-mapping": "The card (or a section of it) must be a mapping of keys to values.",
    "missing-key": "A required key is absent.",
    "wrong-type": "A value has the wrong type (e.g. text where a number is expected).",
    "bad-value": "A value has the right type but is out of range or badly formed.",
    "not-one-of": "A value must be one of a fixed list (task, provenance, scope...).",
    "placeholder": 'A value is still a template placeholder such as "<https://...>".',
    "unknown-key": "A key the file's format does not define (an error: its value would be lost).",
    "id-mismatch": "The card's id differs from its file name.",
    "duplicate-card-id": "Two card files declare the same id.",
    "unknown-source": "A figure cites a source key that the card's sources do not define.",
    "missing-file": "A file the card refers to does not exist.",
    "file-outside-project": (
        "A measurement path, a card file or a hand-written page leads outside the project folder."
    ),
    "no-cards": "No card files were found where cards were expected.",
    "not-a-card-file": "A path given to validate is not a .yaml card file.",
    "bad-number": "A measurement file holds a value that is not a number >= 0 where one is due.",
    "bad-encoding": "The file is not UTF-8 text, so it cannot be read at all.",
    "bad-character": "A file or text value holds a control character or non-character (NUL...).",
    "bad-row": "A measurement file row cannot be read (binary garbage, wrong field count).",
    "bad-gpu-id": "A power-log row names its GPU with neither an index (0, 1...) nor a uuid.",
    "truncated-row": "A measurement file row is cut short (fewer fields than the header).",
    "bad-timestamp": "A power-log timestamp cannot be read.",
    "missing-column": "A measurement file lacks a column it needs (energy_consumed, power.draw).",
    "no-timestamps": "A power log has no timestamp column, so no energy can be computed from it.",
    "not-a-power-log": "A file given as an nvidia-smi log does not look like one.",
    "not-a-measurement-file": "A measurement file is empty.",
    "no-runs": "A measurement file (or the card's `select`) gives no usable run.",
    "unknown-format": "A measurement file's format cannot be recognised from its header.",
    "bad-sidecar": "measurement.json beside a measurement file cannot be read.",
    "scope-mismatch": "The card's energy scope asks for components the file does not measure.",
    "unreadable-file": "An input path is no regular file (symlink loop, FIFO, folder...).",
    "file-too-large": "An input file is over its size limit (1 MiB; measurement files 128 MiB).",
    "bad-line-endings": "A measurement file ends lines with CR alone (a warning).",
    "wrong-format": "A measurement file's header is not the format its card declares.",
    "duplicate-column": "A measurement file's header names a column twice.",
    "out-of-order": "Energy-counter rows out of time order, sorted before reading (a warning).",
    "implausible-value": "A measured value that cannot be right, e.g. 3,000 W per GPU (a warning).",
    "sampling-gap": "Power samples over 10 x the median interval apart (a warning).",
    "bad-rating-reference": "ratings/reference.yaml cannot be read.",
    "no-front-matter": "A model card has no metadata block between --- lines (or no closing one).",
    "no-emissions": "A model card has no co2_eq_emissions: the draft has no training figure.",
    "suspect-unit": "An emissions value looks like the wrong unit (kilograms written as grams).",
    "bad-json": "A report given to `import boamps` is not valid JSON.",
    "unsupported-stage": "A BoAmps report's taskStage has no card figure (e.g. preprocessing).",
    "several-measures": "A BoAmps report measures one task several times: first used (a warning).",
    "no-provenance": "No SOURCES.md beside a leaderboard file names the commit it was copied from.",
    "not-a-leaderboard-file": "A file given to `import aies` or `import mlenergy` is not one.",
    "duplicate-row": "A leaderboard file lists a model twice: reported, kept as conflicts.",
    "engine-failed": "The site engine (MkDocs) reported an error while building.",
    "engine-warning": "The site engine reported a warning (an error with --strict).",
    "missing-config": "The project has no mkdocs.yml, so no site can be built.",
    "unsafe-site-dir": "The site folder would replace the project or its sources.",
    "page-clash": "A hand-written page has the name of a page the generator writes.",
    "build-locked": "Another build of the project held its lock for too long; nothing was built.",
    "write-failed": "The system refused a write (read-only folder, full disk, a file in the way).",
}


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Location:
    """A place in an input file; line and column are 1-based, 0 when unknown."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        text = self.path
        if self.line:
            text += f":{self.line}"
            if self.column:
                text += f":{self.column}"
        return text


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, with enough context to fix it."""

    location: Location
    code: str
    message: str
    severity: Severity = Severity.ERROR
    key: str = ""
    hint: str = ""

    def sort_key(self) -> tuple:
        return (self.location.path, self.location.line, self.location.column, self.code)


@dataclass
class Report:
    """Problems gathered over a run, with what was checked."""

    problems: list[Problem] = field(default_factory=list)
    cards_checked: int = 0
    files_checked: int = 0

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    def failed(self, strict: bool = False) -> bool:
        """True when the run must fail: any error, or any warning in strict mode."""
        return bool(self.errors) or (strict and bool(self.warnings))

    def sorted_problems(self) -> list[Problem]:
        return sorted(self.problems, key=Problem.sort_key)


MAX_PROBLEMS_PER_CODE = 20  # listed per code and file; the rest are summed up in one problem


class CappedProblems:
    """Row problems of one file: at most `limit` listed per code, the rest summed up in one.

    Every measurement loader reports its row problems through one of these, so a corrupt
    million-row file gives a short report with the same wording whichever format it is in.
    """

    def __init__(self, display_path: str, limit: int = MAX_PROBLEMS_PER_CODE) -> None:
        self.display_path = display_path
        self.limit = limit
        self._listed: list[Problem] = []
        self._listed_per_code: dict[str, int] = {}
        self._unlisted: dict[str, list] = {}  # code -> [count, first line, last line, problem]

    def add(self, problem: Problem) -> None:
        """Report one problem (listed while its code has room, else counted)."""
        self.add_rows(problem.code, [problem.location.line], lambda _: problem)

    def add_rows(self, code: str, lines: Sequence[int], describe: Callable[[int], Problem]) -> None:
        """Report rows at 1-based `lines` (ascending) with one code; `describe(line)` makes one.

        `describe` is called only for the rows listed (and the first one left out, whose key
        and severity the summary takes), so a loader can flag many rows cheaply.
        """
        room = max(0, self.limit - self._listed_per_code.get(code, 0))
        listed = lines[:room]
        for line in listed:
            self._listed.append(describe(int(line)))
        self._listed_per_code[code] = self._listed_per_code.get(code, 0) + len(listed)
        if len(lines) > room:
            first, last = int(lines[room]), int(lines[-1])
            entry = self._unlisted.setdefault(code, [0, first, last, describe(first)])
            entry[0] += len(lines) - room
            entry[1], entry[2] = min(entry[1], first), max(entry[2], last)

    def problems(self) -> list[Problem]:
        """The listed problems in the order reported, then one summary per capped code."""
        more = "... and {} more bad rows like these, not listed (lines {}-{})"
        return self._listed + [
            Problem(
                Location(self.display_path, first),
                code,
                more.format(count, first, last),
                example.severity,
                example.key,
            )
            for code, (count, first, last, example) in self._unlisted.items()
        ]


def format_key_path(key_path: Iterable[str | int]) -> str:
    """`training.gpu_hours.conflicts[0].where`: dotted keys, list indexes in brackets."""
    text = ""
    for part in key_path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def relative_path(path: Path, root: Path) -> str:
    """Show a path relative to the project when it is inside it, so messages stay short."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def plural(count: int, word: str) -> str:
    """`1 card`, `2 cards`, `0 cards`: a count with its noun (regular plurals only)."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def format_text(report: Report) -> str:
    """Compiler-style lines, one per problem, then a summary line."""
    lines = []
    for problem in report.sorted_problems():
        key = f" {problem.key}:" if problem.key else ""
        lines.append(
            f"{problem.location}: {problem.severity}[{problem.code}]{key} {problem.message}"
        )
        if problem.hint:
            lines.append(f"    hint: {problem.hint}")
    lines.append(
        f"{plural(len(report.errors), 'error')}, {plural(len(report.warnings), 'warning')}"
        f" in {plural(report.cards_checked, 'card')}"
        f" and {plural(report.files_checked, 'measurement file')}"
    )
    return "\n".join(lines)


def format_json(report: Report) -> str:
    """The same problems as a JSON document (stable keys, for tools)."""
    document = {
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "cards_checked": report.cards_checked,
        "files_checked": report.files_checked,
        "problems": [
            {
                **asdict(problem.location),
                "severity": str(problem.severity),
                "code": problem.code,
                "key": problem.key,
                "message": problem.message,
                "hint": problem.hint,
            }
            for problem in report.sorted_problems()
        ],
    }
    return json.dumps(document, indent=2)


def _escape_github(text: str, *, property_value: bool = False) -> str:
    # GitHub's workflow-command escaping; properties also escape ':' and ','.
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_github(report: Report) -> str:
    """GitHub Actions workflow commands, so problems show as annotations on the changed lines."""
    lines = []
    for problem in report.sorted_problems():
        level = "error" if problem.severity is Severity.ERROR else "warning"
        properties = [f"file={_escape_github(problem.location.path, property_value=True)}"]
        if problem.location.line:
            properties.append(f"line={problem.location.line}")
        if problem.location.column:
            properties.append(f"col={problem.location.column}")
        properties.append(f"title={_escape_github(problem.code, property_value=True)}")
        key = f"{problem.key}: " if problem.key else ""
        message = f"{key}{problem.message}"
        if problem.hint:
            message += f"\nhint: {problem.hint}"
        lines.append(f"::{level} {','.join(properties)}::{_escape_github(message)}")
    return "\n".join(lines)


REPORTERS = {"text": format_text, "json": format_json, "github": format_github}
