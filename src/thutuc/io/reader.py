"""Safe YAML reading that remembers where every key and value stood.

Built on libyaml's event stream: no objects are constructed, anchors and aliases are refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from thutuc.errors import ErrorCode, LoadError, Problem

__all__ = ["MAX_DEPTH", "MAX_FILE_BYTES", "Mark", "YamlTree", "read_yaml"]

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 64

Mark = tuple[int, int]
"""A 1-based (line, column)."""

Path = tuple[str | int, ...]

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# YAML 1.2 core schema nulls. Every other plain scalar stays the string the author wrote,
# so "no", "1.10" or "0123" are never turned into a bool or a number behind their back;
# pydantic then converts a string where the model asks for a number, a bool or a date.
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})


@dataclass
class YamlTree:
    """A parsed YAML document with the position of every key and value, by path."""

    value: Any
    key_marks: dict[Path, Mark] = field(default_factory=dict)
    value_marks: dict[Path, Mark] = field(default_factory=dict)
    collections: set[Path] = field(default_factory=set)

    def locate(self, path: Path) -> Mark:
        """The position of ``path``, or of its closest enclosing element that exists.

        A scalar is located at its value; a mapping or list under a key at its key,
        since a block value starts on the next line.
        """
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            if prefix in self.value_marks and prefix not in self.collections:
                return self.value_marks[prefix]
            if prefix in self.key_marks:
                return self.key_marks[prefix]
            if prefix in self.value_marks:
                return self.value_marks[prefix]
        return (1, 1)

    def locate_key(self, path: Path) -> Mark:
        """The position of the key that names ``path`` (for unknown or duplicate fields)."""
        return self.key_marks.get(path) or self.locate(path)


def _mark(event: yaml.Event) -> Mark:
    return (event.start_mark.line + 1, event.start_mark.column + 1)


def _decode(raw: bytes, filename: str) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        raise LoadError(
            [
                Problem(
                    ErrorCode.ENCODING,
                    f"byte 0x{raw[exc.start]:02x} at offset {exc.start} is not UTF-8",
                    filename,
                    line,
                    column,
                    hint="save the file as UTF-8 text",
                )
            ]
        ) from None
    return text.removeprefix("\ufeff")


class _Builder:
    """Turns libyaml events into plain dicts, lists and strings, recording marks."""

    def __init__(self, filename: str, max_depth: int) -> None:
        self.filename = filename
        self.max_depth = max_depth
        self.tree = YamlTree(None)
        self.problems: list[Problem] = []
        # Each frame: [container, path, pending key or None, key-seen marks]
        self.stack: list[list[Any]] = []
        self.documents = 0

    def problem(self, code: ErrorCode, message: str, mark: Mark, hint: str | None = None) -> None:
        self.problems.append(Problem(code, message, self.filename, mark[0], mark[1], hint))

    def _child_path(self, mark: Mark) -> Path | None:
        """The path of the node starting now; ``None`` when it is a mapping key."""
        if not self.stack:
            return ()
        container, path, pending_key, _ = self.stack[-1]
        if isinstance(container, list):
            return (*path, len(container))
        if pending_key is None:
            return None
        return (*path, pending_key)

    def _attach(self, value: Any) -> None:
        if not self.stack:
            self.tree.value = value
            return
        frame = self.stack[-1]
        container, _, pending_key, _ = frame
        if isinstance(container, list):
            container.append(value)
        else:
            if pending_key not in container:
                container[pending_key] = value
            frame[2] = None

    def _check_node(self, event: yaml.NodeEvent, mark: Mark) -> None:
        if event.anchor is not None:
            self.problem(
                ErrorCode.ALIAS,
                f"anchor '&{event.anchor}' is refused",
                mark,
                "write the value out in full; anchors and aliases are not allowed",
            )
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in ("!", "tag:yaml.org,2002:str"):
            self.problem(ErrorCode.YAML_SYNTAX, f"explicit tag '{tag}' is refused", mark, "remove the tag")

    def scalar(self, event: yaml.ScalarEvent) -> None:
        mark = _mark(event)
        self._check_node(event, mark)
        plain = event.implicit[0] and not event.style
        value: str | None = None if plain and event.value in _NULLS else event.value
        path = self._child_path(mark)
        if path is None:  # a mapping key
            self._key(value if value is not None else "null", mark)
            return
        self.tree.value_marks[path] = mark
        self._attach(value)

    def _key(self, key: str, mark: Mark) -> None:
        frame = self.stack[-1]
        _container, path, _, seen = frame
        key_path = (*path, key)
        if key in seen:
            first = seen[key]
            self.problem(
                ErrorCode.DUPLICATE_KEY,
                f"key '{key}' appears twice in this mapping (first at line {first[0]})",
                mark,
                "keep one of the two; the first is used",
            )
        else:
            seen[key] = mark
            self.tree.key_marks[key_path] = mark
        frame[2] = key

    def start_collection(self, event: yaml.NodeEvent, container: Any) -> None:
        mark = _mark(event)
        self._check_node(event, mark)
        path = self._child_path(mark)
        if path is None:
            self.problem(ErrorCode.YAML_SYNTAX, "a mapping key must be a plain value", mark)
            raise LoadError(self.problems)
        if len(self.stack) >= self.max_depth:
            self.problem(
                ErrorCode.TOO_DEEP,
                f"nesting deeper than {self.max_depth} levels",
                mark,
                "procedure files are shallow; check the indentation",
            )
            raise LoadError(self.problems)
        self.tree.value_marks[path] = mark
        self.tree.collections.add(path)
        self._attach(container)
        self.stack.append([container, path, None, {}])

    def end_collection(self) -> None:
        self.stack.pop()

    def alias(self, event: yaml.AliasEvent) -> None:
        mark = _mark(event)
        self.problem(
            ErrorCode.ALIAS,
            f"alias '*{event.anchor}' is refused",
            mark,
            "write the value out in full; anchors and aliases are not allowed",
        )
        path = self._child_path(mark)
        if path is None:
            raise LoadError(self.problems)
        self._attach(None)


def read_yaml(
    source: str | bytes,
    filename: str = "<string>",
    *,
    max_bytes: int | None = None,
    max_depth: int | None = None,
) -> YamlTree:
    """Parse one YAML document into plain data with the position of every key and value.

    Plain scalars stay strings (YAML 1.2 nulls become ``None``): the model converts them.
    The limits default to ``MAX_FILE_BYTES`` and ``MAX_DEPTH``, read at call time.

    Raises
    ------
    LoadError
        With every problem found: not UTF-8, too large, too deep, invalid YAML,
        anchors or aliases, explicit tags, duplicate keys, or no document at all.
    """
    max_bytes = MAX_FILE_BYTES if max_bytes is None else max_bytes
    max_depth = MAX_DEPTH if max_depth is None else max_depth
    size = len(source.encode("utf-8") if isinstance(source, str) else source)
    if size > max_bytes:
        raise LoadError(
            [
                Problem(
                    ErrorCode.FILE_TOO_LARGE,
                    f"the file has {size:,} bytes; the limit is {max_bytes:,}",
                    filename,
                    hint="split it, or raise the limit with max_bytes",
                )
            ]
        )
    text = _decode(source, filename) if isinstance(source, bytes) else source
    builder = _Builder(filename, max_depth)
    loader = _Loader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.ScalarEvent):
                builder.scalar(event)
            elif isinstance(event, yaml.MappingStartEvent):
                builder.start_collection(event, {})
            elif isinstance(event, yaml.SequenceStartEvent):
                builder.start_collection(event, [])
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                builder.end_collection()
            elif isinstance(event, yaml.AliasEvent):
                builder.alias(event)
            elif isinstance(event, yaml.DocumentStartEvent):
                builder.documents += 1
                if builder.documents > 1:
                    builder.problem(
                        ErrorCode.YAML_SYNTAX,
                        "a file holds one YAML document; found a second one",
                        _mark(event),
                        "remove the '---' line, or split the file",
                    )
                    break
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = " ".join(x for x in (exc.context, exc.problem) if x) or "invalid YAML"
        if "nesting depth" in message:  # libyaml's own limit, met while scanning ahead
            builder.problem(ErrorCode.TOO_DEEP, f"nesting deeper than {max_depth} levels", where)
        else:
            builder.problem(ErrorCode.YAML_SYNTAX, message, where)
    except yaml.YAMLError as exc:
        builder.problem(ErrorCode.YAML_SYNTAX, str(exc).splitlines()[0], (1, 1))
    finally:
        loader.dispose()
    if builder.problems:
        raise LoadError(builder.problems)
    if builder.documents == 0:
        raise LoadError(
            [
                Problem(
                    ErrorCode.EMPTY_FILE,
                    "the file holds no YAML document",
                    filename,
                    1,
                    1,
                    hint="start with 'kind: procedure' or 'kind: catalogue'",
                )
            ]
        )
    return builder.tree
