"""Split a content file into front matter and body, keeping a line for every YAML key."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

FENCE = "---"
# libyaml's loader when PyYAML was built with it (about 10x faster), else the pure one.
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FrontMatterError(Exception):
    """A file whose front matter cannot be read; `line` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class Document:
    meta: dict[str, Any]
    body: str
    body_line: int  # 1-based line of the body's first line
    lines: dict[tuple, int] = field(default_factory=dict)

    def line_of(self, loc: tuple) -> int:
        """Return the line of the deepest known YAML node on the path `loc`."""
        for end in range(len(loc), 0, -1):
            if loc[:end] in self.lines:
                return self.lines[loc[:end]]
        return self.lines.get((), 1)


def _line_map(node: yaml.Node, path: tuple, offset: int, out: dict) -> None:
    out[path] = node.start_mark.line + 1 + offset
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = path + (key.value,)
            _line_map(value, child, offset, out)
            out[child] = key.start_mark.line + 1 + offset
    elif isinstance(node, yaml.SequenceNode):
        for index, value in enumerate(node.value):
            _line_map(value, path + (index,), offset, out)


def parse_yaml(text: str, offset: int = 0) -> tuple[Any, dict[tuple, int]]:
    """Load YAML safely and map each key path to its line (shifted by `offset`)."""
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError:
        raise _located(text, offset) from None
    finally:
        loader.dispose()
    lines: dict[tuple, int] = {}
    if node is not None:
        _line_map(node, (), offset, lines)
    return data, lines


def _located(text: str, offset: int) -> FrontMatterError:
    """Describe a YAML fault with the pure loader, whose marks point at the cause."""
    try:
        yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 + offset if mark else 1 + offset
        problem = getattr(exc, "problem", None) or str(exc)
        return FrontMatterError(line, f"invalid YAML: {problem}")
    return FrontMatterError(1 + offset, "invalid YAML")


def split(text: str) -> Document:
    """Parse a Markdown file that starts with a `---` fenced YAML block."""
    rows = text.splitlines()
    if not rows or rows[0].strip() != FENCE:
        raise FrontMatterError(
            1, "the file must start with a '---' line (front matter)"
        )
    try:
        end = next(i for i, row in enumerate(rows[1:], 1) if row.strip() == FENCE)
    except StopIteration:
        raise FrontMatterError(
            1, "the front matter has no closing '---' line"
        ) from None
    meta, lines = parse_yaml("\n".join(rows[1:end]), offset=1)
    if not isinstance(meta, dict):
        raise FrontMatterError(2, "the front matter must be a mapping of field: value")
    return Document(meta, "\n".join(rows[end + 1 :]), end + 2, lines)
