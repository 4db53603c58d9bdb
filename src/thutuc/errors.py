"""Problems found in procedure files, their stable codes, and the one error type thutuc raises.

Every problem has a code (``THT012``), a name (``unknown-document``), a location and a hint.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

__all__ = [
    "ErrorCode",
    "LoadError",
    "Problem",
    "ThutucError",
    "did_you_mean",
]

PathItem = str | int


class ErrorCode(Enum):
    """The stable codes of every problem thutuc reports; docs/errors.md lists them."""

    ENCODING = ("THT001", "encoding", "The file is not UTF-8 text.")
    YAML_SYNTAX = ("THT002", "yaml-syntax", "The file is not valid YAML, or uses a YAML feature thutuc refuses.")
    FILE_TOO_LARGE = ("THT003", "file-too-large", "The file is larger than the size limit.")
    TOO_DEEP = ("THT004", "too-deep", "Mappings and lists are nested deeper than the limit.")
    ALIAS = ("THT005", "alias", "YAML anchors and aliases are refused.")
    DUPLICATE_KEY = ("THT006", "duplicate-key", "A mapping has the same key twice.")
    EMPTY_FILE = ("THT007", "empty-file", "The file holds no YAML document.")
    UNKNOWN_FIELD = ("THT008", "unknown-field", "A field the format does not define.")
    MISSING_FIELD = ("THT009", "missing-field", "A required field is absent.")
    INVALID_VALUE = ("THT010", "invalid-value", "A value has the wrong type or is out of range.")
    UNKNOWN_ACTOR = ("THT011", "unknown-actor", "A step or the procedure names an actor that is not declared.")
    UNKNOWN_DOCUMENT = ("THT012", "unknown-document", "A step consumes a document that is not in the dossier.")
    UNKNOWN_FACT = ("THT013", "unknown-fact", "A fact id that the catalogue does not define.")
    UNKNOWN_DOCUMENT_TYPE = ("THT014", "unknown-document-type", "A document type the catalogue does not define.")
    UNKNOWN_DATA_SOURCE = ("THT015", "unknown-data-source", "A data source the catalogue does not define.")
    UNKNOWN_STEP = ("THT016", "unknown-step", "A transition leads to a step that is not declared.")
    UNKNOWN_ROLE = ("THT017", "unknown-role", "A role that the procedure does not declare.")
    DUPLICATE_ID = ("THT018", "duplicate-id", "Two entries of the same kind share an id.")
    NO_START = ("THT019", "no-start", "No step is free of predecessors, so the flow has no start.")
    SEVERAL_STARTS = ("THT020", "several-starts", "More than one step has no predecessor.")
    UNREACHABLE_STEP = ("THT021", "unreachable-step", "No path from the start reaches the step.")
    DEAD_END = ("THT022", "dead-end", "No end can be reached from the step.")
    UNDECLARED_CYCLE = ("THT023", "undeclared-cycle", "The flow loops back without a transition marked 'loop: true'.")
    UNSUPPLIED_FACT = ("THT024", "unsupplied-fact", "A step needs a fact that no document or step supplies.")
    UNKNOWN_AGENCY = ("THT025", "unknown-agency", "An agency the catalogue does not define.")
    SUBJECT_MISMATCH = ("THT026", "subject-mismatch", "A fact about one subject kind is asked of a role of another.")
    UNKNOWN_RESULT = ("THT027", "unknown-result", "A step produces a result the procedure does not declare.")
    UNREADABLE = ("THT028", "unreadable", "The path cannot be read: missing, a folder, or not permitted.")
    NO_CATALOGUE = ("THT029", "no-catalogue", "No catalogue was found for a procedure.")

    @property
    def code(self) -> str:
        """The stable code, e.g. ``THT012``."""
        return self.value[0]

    @property
    def slug(self) -> str:
        """The stable name, e.g. ``unknown-document``."""
        return self.value[1]

    @property
    def summary(self) -> str:
        """One line saying what the code means."""
        return self.value[2]


@dataclass(frozen=True)
class Problem:
    """One located problem in a file: what, where, and how to fix it."""

    code: ErrorCode
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    hint: str | None = None
    path: tuple[PathItem, ...] = field(default=(), compare=False)

    def located(self, file: str | None, line: int | None, column: int | None) -> Problem:
        """The same problem at a place in a file."""
        return replace(self, file=file, line=line, column=column)

    @property
    def sort_key(self) -> tuple[str, int, int]:
        """Order of reports: file, line, column; ties keep the order the checks found them in."""
        return (self.file or "", self.line or 0, self.column or 0)

    @property
    def where(self) -> str:
        """``file:line:column`` with the parts that are known."""
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def format(self) -> str:
        """Compiler-style text: ``file:line:col: error THT012 unknown-document: message``."""
        text = f"{self.where}: error {self.code.code} {self.code.slug}: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping of the problem."""
        return {
            "code": self.code.code,
            "name": self.code.slug,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "hint": self.hint,
        }


class ThutucError(Exception):
    """The root of every error thutuc raises; it carries the located problems."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(sorted(problems, key=lambda p: p.sort_key))
        super().__init__("\n".join(p.format() for p in self.problems) or "thutuc error")


class LoadError(ThutucError):
    """A file or folder could not be loaded: unreadable, invalid YAML, or an invalid model."""


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A hint naming the closest candidate, or ``None`` when nothing is close."""
    matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f"did you mean '{matches[0]}'?" if matches else None
