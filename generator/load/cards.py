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

from generator.formats.values import BAD_TEXT_CHARACTER, describe_character
from generator.load.files import read_limited_text
from generator.load.yaml_text import MAX_BAD_CHARACTERS as MAX_BAD_CHARACTERS
from generator.load.yaml_text import bad_characters, syntax_problem
from generator.problems import Location, Problem, format_key_path, relative_path

KeyPath = tuple[str | int, ...]

# Aliases can expand a short file into an enormous tree ("billion laughs"); a card never needs
# more than a few hundred values.
MAX_VALUES = 20_000
_TAG_PREFIX = "tag:yaml.org,2002:"
_STR_TAG = _TAG_PREFIX + "str"
# The tags of plain data. Anything else (!!binary, !!set, !!omap, !custom) is refused: a card
# holds text, numbers, true/false, lists and mappings. Timestamps are read as text (below).
_PLAIN_TAGS = {
    _TAG_PREFIX + name for name in ("str", "int", "float", "bool", "null", "timestamp", "merge")
}
_COLLECTION_TAGS = {yaml.MappingNode: _TAG_PREFIX + "map", yaml.SequenceNode: _TAG_PREFIX + "seq"}
_TAG_EXPECTS = {"bool": "true or false", "int": "a whole number", "float": "a number"}


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
    reported_paths: set[KeyPath] = field(default_factory=set)  # odd values, reported likewise

    @property
    def stem(self) -> str:
        return self.path.stem

    def id_only(self) -> CardFile:
        """This file with only its `id` and where it sits: what the checks across files need."""
        data = self.data if not isinstance(self.data, dict) else {"id": self.data.get("id")}
        at = ("id",)
        return CardFile(
            self.path,
            self.display_path,
            data,
            {at: self.value_positions[at]} if at in self.value_positions else {},
            {at: self.key_positions[at]} if at in self.key_positions else {},
        )

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


# The same loader on libyaml (C), about 5x faster: it parses every file first; a file it
# refuses is parsed again by the Python loader, whose syntax messages the problems quote.
_FastCardLoader = type("_FastCardLoader", (getattr(yaml, "CSafeLoader", yaml.SafeLoader),), {})

for _loader in (_CardLoader, _FastCardLoader):
    _loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    _loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


class _TooBig(Exception):
    """Raised inside the index walk when aliases recurse or expand too far."""

    def __init__(self, mark: yaml.Mark, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


def _mark_position(mark: yaml.Mark) -> Position:
    return Position(mark.line + 1, mark.column + 1)


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_TAG_PREFIX) if tag.startswith(_TAG_PREFIX) else tag


def _check_tag(
    loader: yaml.SafeLoader, card: CardFile, node: yaml.Node, path: KeyPath
) -> Problem | None:
    """A value PyYAML cannot build, or one that is not plain data, as a located problem.

    The node is then read as plain text (or a plain list or mapping), and its key path is
    skipped when the data is checked against the format, so it is reported once.
    """
    tag = node.tag
    plain = _COLLECTION_TAGS.get(type(node), _STR_TAG)
    if isinstance(node, yaml.ScalarNode) and tag in _PLAIN_TAGS:
        if tag == _STR_TAG:
            return None
        try:
            loader.yaml_constructors[tag](loader, node)
        except Exception:  # PyYAML raises KeyError, ValueError... for `!!bool maybe`
            name = tag.removeprefix(_TAG_PREFIX)
            implicit = loader.resolve(yaml.ScalarNode, node.value, (True, False)) == tag
            if implicit and name == "int":  # only digits can fail: more than Python reads
                message = (
                    f"expected a whole number of at most 4,300 digits, got one of "
                    f"{len(node.value):,} characters"
                )
                code, hint = "bad-value", ""
            else:
                expects = _TAG_EXPECTS.get(name, f"a value the tag {_short_tag(tag)} accepts")
                shown = node.value if len(node.value) <= 60 else node.value[:57] + "..."
                message = f"expected {expects} after the tag {_short_tag(tag)}, got {shown!r}"
                code, hint = "wrong-type", f"delete the tag {_short_tag(tag)}"
        else:
            return None
    elif not isinstance(node, yaml.ScalarNode) and tag == plain:
        return None
    else:
        message = (
            "expected plain data (text, a number, true or false, a list or a mapping), "
            f"got a value tagged {_short_tag(tag)}"
        )
        code, hint = "wrong-type", f"delete the tag {_short_tag(tag)}"
    node.tag = plain
    card.reported_paths.add(path)
    position = _mark_position(node.start_mark)
    location = Location(card.display_path, position.line, position.column)
    return Problem(location, code, message, key=format_key_path(path), hint=hint)


def _index_node(
    loader: yaml.SafeLoader,
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
    odd = _check_tag(loader, card, node, path)
    if odd:
        problems.append(odd)
    stack = (*stack, id(node))
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, Position] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            key_position = _mark_position(key_node.start_mark)
            location = Location(card.display_path, key_position.line, key_position.column)
            bad = BAD_TEXT_CHARACTER.search(key)
            odd_key = isinstance(key_node, yaml.ScalarNode) and key_node.tag != _STR_TAG
            if odd_key and key_node.tag != _TAG_PREFIX + "merge":
                key_node.tag = _STR_TAG  # `!!bool maybe: 1` cannot be built; reported below
            if bad or odd_key:
                card.non_text_keys.add((*path, key))
            if bad:  # shown escaped, so no message sends a raw control character to a terminal
                problems.append(
                    Problem(
                        location,
                        "bad-character",
                        f"expected a key of printable text, got {key!r} "
                        f"(with {describe_character(bad.group())})",
                        key=format_key_path(path),
                    )
                )
            elif odd_key:
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
                        key=format_key_path(path if bad else (*path, key)),
                        hint="remove or rename one of them",
                    )
                )
            seen[key] = key_position
            card.key_positions[(*path, key)] = key_position
            _index_node(loader, card, value_node, (*path, key), problems, stack)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _index_node(loader, card, item, (*path, index), problems, stack)


def _string_keys(data: Any) -> Any:
    """Mapping keys as text, so `1: x` is reported once (above) and then treated as '1'."""
    if isinstance(data, dict):
        return {str(key): _string_keys(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_string_keys(item) for item in data]
    return data


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
    problems = bad_characters(text, display_path)
    if problems:  # PyYAML refuses the whole file: say where each one is instead
        return card, problems
    loader = _FastCardLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError:
        loader.dispose()
        loader = _CardLoader(text)  # for the Python parser's wording and marks
        node = None
    try:
        if node is None and isinstance(loader, _CardLoader):
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
            _index_node(loader, card, node, (), problems)
            card.data = _string_keys(loader.construct_document(node))
            if card.data is None:  # `null`, `~` or a bare `---`: nothing a later stage can use
                position = _mark_position(node.start_mark) if node.value else Position(1, 1)
                got = (
                    f"nothing (the file holds only `{node.value}`)"
                    if node.value
                    else "an empty document"
                )
                problems.append(
                    Problem(
                        Location(display_path, position.line, position.column),
                        "not-a-mapping",
                        f"expected a mapping of keys to values, got {got}",
                        hint=empty_hint,
                    )
                )
    except yaml.MarkedYAMLError as error:
        problems.append(syntax_problem(error, display_path, text))
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
    text, problems = read_limited_text(path, display_path)
    if text is None:
        return CardFile(path=path, display_path=display_path), problems
    return parse_card_text(text, path, display_path)


def find_card_files(cards_dir: Path) -> list[Path]:
    """Card files in a folder, sorted so output is deterministic.

    Every `.yaml`/`.yml` name but folders: a FIFO or a link that leads nowhere is read, and
    reported, rather than skipped without a word."""
    if not cards_dir.is_dir():
        return []
    return sorted(
        p for p in cards_dir.iterdir() if p.suffix in (".yaml", ".yml") and not p.is_dir()
    )
