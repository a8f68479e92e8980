"""Load stage for cards: read YAML files keeping the line and column of every key and value.

Takes card file paths; gives `CardFile` records (plain data plus positions) and problems.
PyYAML's node tree carries marks; we walk it once to index positions by key path, so later
stages can point at `cards/x.yaml:14:5` for any key path pydantic complains about.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.problems import Location, Problem, format_key_path, relative_path

KeyPath = tuple[str | int, ...]

# Aliases can expand a short file into an enormous tree ("billion laughs"); a card never needs
# more than a few hundred values.
MAX_VALUES = 20_000
_STR_TAG = "tag:yaml.org,2002:str"


@dataclass(frozen=True)
class Position:
    line: int
    column: int


@dataclass
class CardFile:
    """One card file as read: its data (None when unreadable) and where each key sits."""

    path: Path
    display_path: str
    data: Any = None
    value_positions: dict[KeyPath, Position] = field(default_factory=dict)
    key_positions: dict[KeyPath, Position] = field(default_factory=dict)
    non_text_keys: set[KeyPath] = field(default_factory=set)  # reported once, by the loader

    @property
    def stem(self) -> str:
        return self.path.stem

    def location(self, key_path: KeyPath = (), *, at_key: bool = False) -> Location:
        """The closest known position of a key path (walking up to its parent if unknown)."""
        path = tuple(key_path)
        while True:
            positions = self.key_positions if at_key and path else self.value_positions
            position = positions.get(path) or self.key_positions.get(path)
            if position:
                return Location(self.display_path, position.line, position.column)
            if not path:
                return Location(self.display_path, 1, 1)
            path = path[:-1]


class _CardLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so pydantic reports a bad date with its key.

    (PyYAML would raise a bare ValueError from its constructor for `2024-13-01`.)
    """


_CardLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_CardLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


class _TooBig(Exception):
    """Raised inside the index walk when aliases recurse or expand too far."""

    def __init__(self, mark: yaml.Mark, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


def _mark_position(mark: yaml.Mark) -> Position:
    return Position(mark.line + 1, mark.column + 1)


def _index_node(
    card: CardFile,
    node: yaml.Node,
    path: KeyPath,
    problems: list[Problem],
    stack: tuple[int, ...] = (),
) -> None:
    if id(node) in stack:
        raise _TooBig(node.start_mark, "expected plain values, got an alias that contains itself")
    if len(card.value_positions) >= MAX_VALUES:
        raise _TooBig(
            node.start_mark,
            f"expected a card of at most {MAX_VALUES:,} values, got more (aliases expanding?)",
        )
    card.value_positions[path] = _mark_position(node.start_mark)
    stack = (*stack, id(node))
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, Position] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            key_position = _mark_position(key_node.start_mark)
            location = Location(card.display_path, key_position.line, key_position.column)
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != _STR_TAG:
                card.non_text_keys.add((*path, key))
                problems.append(
                    Problem(
                        location,
                        "wrong-type",
                        f"expected a key made of text, got {key}",
                        key=format_key_path((*path, key)),
                        hint=f"quote it if it is meant as text: '{key}':",
                    )
                )
            if key in seen:
                problems.append(
                    Problem(
                        location,
                        "duplicate-key",
                        f"key appears twice in this mapping (first at line {seen[key].line}); "
                        "YAML keeps only the last one",
                        key=format_key_path((*path, key)),
                        hint="remove or rename one of them",
                    )
                )
            seen[key] = key_position
            card.key_positions[(*path, key)] = key_position
            _index_node(card, value_node, (*path, key), problems, stack)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _index_node(card, item, (*path, index), problems, stack)


def _string_keys(data: Any) -> Any:
    """Mapping keys as text, so `1: x` is reported once (above) and then treated as '1'."""
    if isinstance(data, dict):
        return {str(key): _string_keys(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_string_keys(item) for item in data]
    return data


def _syntax_problem(error: yaml.MarkedYAMLError, display_path: str) -> Problem:
    """The parser's position; for text never closed, the place where it started."""
    problem_mark, context_mark = error.problem_mark, error.context_mark
    mark = problem_mark or context_mark
    what = " ".join(part for part in (error.context, error.problem) if part)
    if context_mark and problem_mark and context_mark.line != problem_mark.line:
        if "end of stream" in (error.problem or ""):
            mark = context_mark
            what += f" (the file ends at line {problem_mark.line + 1})"
        else:
            what += f" (the enclosing block starts at line {context_mark.line + 1})"
    line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    return Problem(
        Location(display_path, line, column),
        "yaml-syntax",
        f"invalid YAML: {what}",
        hint="check indentation, colons after keys, and quotes around text with ': '",
    )


def parse_card_text(
    text: str,
    path: Path,
    display_path: str,
    *,
    empty_hint: str = "start from `energy-cards new <id>`",
) -> tuple[CardFile, list[Problem]]:
    """Parse YAML text into a CardFile; syntax errors keep the parser's line and column.

    Any YAML file read with marks (the factor table, the rating reference) goes through here;
    `empty_hint` is the hint for an empty file.
    """
    card = CardFile(path=path, display_path=display_path)
    problems: list[Problem] = []
    loader = _CardLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            problems.append(
                Problem(
                    Location(display_path, 1, 1),
                    "not-a-mapping",
                    "expected a mapping of keys to values, got an empty file",
                    hint=empty_hint,
                )
            )
        else:
            _index_node(card, node, (), problems)
            card.data = _string_keys(loader.construct_document(node))
    except yaml.MarkedYAMLError as error:
        problems.append(_syntax_problem(error, display_path))
        card.data = None
    except _TooBig as error:
        position = _mark_position(error.mark)
        problems.append(
            Problem(
                Location(display_path, position.line, position.column), "yaml-syntax", error.message
            )
        )
        card.data = None
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as error:
        # Values PyYAML cannot build (e.g. a bad explicit tag) fail unmarked in its constructor.
        problems.append(
            Problem(Location(display_path, 1, 1), "yaml-syntax", f"invalid YAML value: {error}")
        )
        card.data = None
    finally:
        loader.dispose()
    return card, problems


def read_card_file(path: Path, project_root: Path) -> tuple[CardFile, list[Problem]]:
    """Read and parse one card file."""
    display_path = relative_path(path, project_root)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        problem = Problem(
            Location(display_path), "bad-encoding", f"expected UTF-8 text, got {error.reason}"
        )
        return CardFile(path=path, display_path=display_path), [problem]
    except OSError as error:
        problem = Problem(Location(display_path), "missing-file", f"cannot read: {error.strerror}")
        return CardFile(path=path, display_path=display_path), [problem]
    return parse_card_text(text, path, display_path)


def find_card_files(cards_dir: Path) -> list[Path]:
    """Card files in a folder, sorted so output is deterministic."""
    if not cards_dir.is_dir():
        return []
    return sorted(p for p in cards_dir.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
