"""Safe YAML reading that remembers where every key and value stood.

Built on libyaml: no objects are constructed, anchors, aliases and tags are refused. A file is read in
one of two ways. The exact way walks libyaml's events and records the position of every key and value;
it is the one that reports problems. Most files have none and never need a position, so a file that
cannot hold an anchor, an alias or a tag is first read the quick way: libyaml composes the document in C
and only plain data is built from it. Anything unusual there (a syntax error, a duplicate key, deep
nesting) falls back to the exact way, and positions are recorded from the text on first use.
"""

from __future__ import annotations

import re
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


class YamlTree:
    """A parsed YAML document with the position of every key and value, by path.

    A tree read the quick way holds its text and records the positions the first time one is asked for.
    """

    __slots__ = ("_collections", "_key_marks", "_pending", "_value_marks", "value")

    def __init__(
        self,
        value: Any,
        key_marks: dict[Path, Mark] | None = None,
        value_marks: dict[Path, Mark] | None = None,
        collections: set[Path] | None = None,
    ) -> None:
        self.value = value
        self._key_marks = {} if key_marks is None else key_marks
        self._value_marks = {} if value_marks is None else value_marks
        self._collections = set() if collections is None else collections
        self._pending: tuple[str, str, int] | None = None

    @classmethod
    def _unmarked(cls, value: Any, text: str, filename: str, max_depth: int) -> YamlTree:
        tree = cls(value)
        tree._pending = (text, filename, max_depth)
        return tree

    def _marked(self) -> YamlTree:
        if self._pending is not None:
            text, filename, max_depth = self._pending
            exact = _read_exactly(text, filename, max_depth)
            self._key_marks, self._value_marks, self._collections = (
                exact._key_marks,
                exact._value_marks,
                exact._collections,
            )
            self._pending = None
        return self

    @property
    def key_marks(self) -> dict[Path, Mark]:
        return self._marked()._key_marks

    @property
    def value_marks(self) -> dict[Path, Mark]:
        return self._marked()._value_marks

    @property
    def collections(self) -> set[Path]:
        return self._marked()._collections

    def locate(self, path: Path) -> Mark:
        """The position of ``path``, or of its closest enclosing element that exists.

        A scalar is located at its value; a mapping or list under a key at its key,
        since a block value starts on the next line.
        """
        key_marks, value_marks, collections = self.key_marks, self.value_marks, self.collections
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            if prefix in value_marks and prefix not in collections:
                return value_marks[prefix]
            if prefix in key_marks:
                return key_marks[prefix]
            if prefix in value_marks:
                return value_marks[prefix]
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
        self.tree._value_marks[path] = mark
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
            self.tree._key_marks[key_path] = mark
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
        self.tree._value_marks[path] = mark
        self.tree._collections.add(path)
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
    value = _read_quickly(text, max_depth)
    if value is not _UNSURE:
        return YamlTree._unmarked(value, text, filename, max_depth)
    return _read_exactly(text, filename, max_depth)


# An anchor (&), an alias (*) or a tag (!) can only begin a token: at the start of the text, or after a space,
# a line break, a flow indicator or a colon. Text with none there holds none of them, whatever else it contains
# (the '&' of a link's query, say); text with one is read the exact way, which refuses them.
_AFTER_A_TOKEN_START = re.compile(r"[\s\[\]{},:][&*!]")
_UNSURE = object()
_STR = "tag:yaml.org,2002:str"


class _QuickLoader(_Loader):  # type: ignore[misc, valid-type]
    """Composes the document without resolving types: every scalar stays text."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        return _STR


def _read_quickly(text: str, max_depth: int) -> Any:
    """The document as plain data, or ``_UNSURE`` when the exact reader might find a problem in it."""
    if _may_hold_anchor_alias_or_tag(text):
        return _UNSURE
    loader = _QuickLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.YAMLError:  # a syntax error, or a second document: the exact reader says where
        return _UNSURE
    finally:
        loader.dispose()
    if root is None:
        return _UNSURE
    try:
        return _plain(root, 0, max_depth)
    except _UnsureError:
        return _UNSURE


def _may_hold_anchor_alias_or_tag(text: str) -> bool:
    if "&" not in text and "*" not in text and "!" not in text:  # most files: a scan in C, no regex
        return False
    return text[:1] in ("&", "*", "!") or _AFTER_A_TOKEN_START.search(text) is not None


class _UnsureError(Exception):
    pass


def _plain(node: yaml.Node, depth: int, max_depth: int) -> Any:
    kind = node.__class__
    if kind is yaml.ScalarNode:
        value = node.value
        return None if not node.style and value in _NULLS else value
    if depth >= max_depth:
        raise _UnsureError
    if kind is yaml.SequenceNode:
        return [_plain(item, depth + 1, max_depth) for item in node.value]
    mapping: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if key_node.__class__ is not yaml.ScalarNode:
            raise _UnsureError
        key = key_node.value
        if not key_node.style and key in _NULLS:
            key = "null"
        if key in mapping:
            raise _UnsureError
        mapping[key] = _plain(value_node, depth + 1, max_depth)
    return mapping


def _read_exactly(text: str, filename: str, max_depth: int) -> YamlTree:
    """The document with every position, or a ``LoadError`` with every problem in it."""
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
