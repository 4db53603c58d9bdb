"""Content-hash caches: validated procedures, the outputs of whole runs, and each procedure's part of a run.

A re-run over unchanged files skips validation (``ModelCache``) or, when nothing it reads changed, the whole
run (``OutputCache``); after an edit, a report analyzes the edited files only (``PartStore``). An entry is found
only under a key made of the bytes the result came from and of the code that made it, so it cannot be stale;
an entry that cannot be read, or whose checksum is wrong, is deleted and the result made again.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import shutil
from collections.abc import Iterable
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from thutuc.io.files import write_atomic

if TYPE_CHECKING:
    from thutuc.model import Procedure

__all__ = ["ModelCache", "OutputCache", "PartStore", "default_cache_folder"]

_CODE = ("model/common.py", "model/catalogue.py", "model/procedure.py", "checks.py", "io/loader.py", "io/reader.py")


# The model cache's folders before entries lived under models/: two hex digits of the key.
_LEGACY_FOLDER = re.compile(r"[0-9a-f]{2}")

# Longer than any procedure id: a first line this long is not an entry's.
_ID_LINE_LIMIT = 512


def default_cache_folder() -> Path:
    """``$THUTUC_CACHE_DIR``, else ``$XDG_CACHE_HOME/thutuc``, else ``~/.cache/thutuc``."""
    if os.environ.get("THUTUC_CACHE_DIR"):
        return Path(os.environ["THUTUC_CACHE_DIR"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "thutuc"


@cache
def _code_fingerprint() -> str:
    """A hash of the code that validates, so that a changed rule invalidates every entry."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for name in _CODE:
        digest.update(name.encode())
        digest.update((root / name).read_bytes())
    return digest.hexdigest()


@cache
def _package_fingerprint() -> str:
    """A hash of all of thutuc's code and package data: any change to it may change an output."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _drop(path: Path) -> None:
    """Delete a cache entry (a file, or a folder of them); one that cannot be deleted is left, as a cache that
    cannot be written is skipped."""
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
        return
    try:
        path.unlink(missing_ok=True)
    except OSError:
        return


def _used(path: Path) -> None:
    """Mark an entry as just used, so that it is among the last to be dropped."""
    try:
        os.utime(path)
    except OSError:
        return


def _keep_recent(entries: Iterable[Path], keep: int) -> None:
    """Delete all but the ``keep`` most recently used ``entries``: an entry is made on each new input (an
    edit, another day's date), each can hold a whole report, and the cache must not grow with every use."""
    dated = []
    for entry in entries:
        try:
            dated.append((entry.stat().st_mtime, str(entry), entry))
        except OSError:
            continue
    dated.sort(reverse=True)
    for _, _, entry in dated[keep:]:
        _drop(entry)


def _hash(parts: tuple[str | bytes, ...]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


class ModelCache:
    """Validated procedures stored as pickles under a folder, keyed by content.

    Entries live under ``models/`` in a folder for the validating code that made them. Every key holds that code's
    fingerprint, so when the code changes no run finds the old entries: on its first write, a cache drops the
    folders of all other code but the most recently written one (a second install of thutuc used beside this one).
    """

    def __init__(self, folder: Path | str | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_cache_folder()
        self.hits = 0
        self.misses = 0
        self._pruned = False

    @staticmethod
    def key(content: bytes, catalogue_fingerprint: str) -> str:
        """The key of a procedure file's bytes checked against a catalogue."""
        return _hash((_code_fingerprint(), catalogue_fingerprint, content))

    @cached_property
    def entries(self) -> Path:
        """The folder of the entries this code makes and finds."""
        return self.folder / "models" / _code_fingerprint()[:16]

    def _path(self, key: str) -> Path:
        return self.entries / key[:2] / f"{key}.model"

    def _prune(self) -> None:
        """Drop the entries of other validating code but the most recently written, and those of the layout before
        ``models/`` (two-letter folders at the top holding entries only)."""
        self._pruned = True
        _used(self.entries)
        try:
            others = [p for p in (self.folder / "models").iterdir() if p.is_dir() and p != self.entries]
            _keep_recent(others, 1)
            for folder in self.folder.iterdir():
                legacy = _LEGACY_FOLDER.fullmatch(folder.name) and folder.is_dir()
                if legacy and all(entry.name.endswith(".model") for entry in folder.iterdir()):
                    _drop(folder)
        except OSError:
            return

    def validated_id(self, key: str) -> str | None:
        """The id of the procedure that validated under ``key``, or ``None``: enough for a verdict.

        An entry is the procedure's id on its first line, then the pickled model, so that a verdict reads
        one short line and a cold run writes one file per procedure.
        """
        try:
            with self._path(key).open("rb") as entry:
                line = entry.readline(_ID_LINE_LIMIT)
            procedure_id = line[:-1].decode("utf-8") if line.endswith(b"\n") else ""
        except (OSError, UnicodeDecodeError):
            procedure_id = ""
        if procedure_id:
            self.hits += 1
            return procedure_id
        self.misses += 1
        return None

    def get(self, key: str) -> Procedure | None:
        """The procedure stored under ``key``, or ``None``; an unreadable entry is deleted."""
        path = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            self.misses += 1
            return None
        from thutuc.model import Procedure  # only here: a run served from the output cache never needs it

        try:
            head, _, body = data.partition(b"\n")
            procedure = pickle.loads(body)
            if not isinstance(procedure, Procedure) or procedure.id != head.decode("utf-8"):
                raise TypeError("not the procedure its entry names")
        except Exception:
            _drop(path)
            self.misses += 1
            return None
        self.hits += 1
        return procedure

    def put(self, key: str, procedure: Procedure) -> None:
        """Store a validated procedure; a cache that cannot be written is silently skipped."""
        entry = procedure.id.encode("utf-8") + b"\n" + pickle.dumps(procedure, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            write_atomic(self._path(key), entry, durable=False)
        except OSError:
            return
        if not self._pruned:
            self._prune()


class _RecentRuns:
    """Results of runs made by this code, of which the ``keep`` most recently used are kept under ``folder``."""

    _SUBFOLDER = ""
    _ENTRIES = ""  # the glob of an entry under the folder
    _KEEP = 0

    def __init__(self, folder: Path | str | None = None, *, keep: int | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_cache_folder() / self._SUBFOLDER
        self.keep = keep if keep is not None else self._KEEP

    @staticmethod
    def key(*parts: str) -> str:
        """The key of a result made by this code from ``parts`` (the command, its options, its inputs)."""
        return _hash((_package_fingerprint(), *parts))

    def _trim(self) -> None:
        _keep_recent(self.folder.glob(self._ENTRIES), self.keep)


class OutputCache(_RecentRuns):
    """Outputs of whole runs (a report's text and a few facts about it), keyed by everything they came from.

    Each entry starts with a line of JSON holding the SHA-256 of the text, so that an entry damaged on disk is
    found, deleted and made again rather than shown. The ``keep`` most recently used entries are kept (32).
    """

    _SUBFOLDER, _ENTRIES, _KEEP = "outputs", "*/*.out", 32

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.out"

    def get(self, key: str) -> tuple[str, dict[str, Any]] | None:
        """The text and facts stored under ``key``, or ``None``; a damaged entry is deleted."""
        path = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        header, _, body = data.partition(b"\n")
        try:
            facts = json.loads(header)
            if not isinstance(facts, dict) or facts.get("sha256") != hashlib.sha256(body).hexdigest():
                raise ValueError("checksum mismatch")
            text = body.decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            _drop(path)
            return None
        _used(path)
        return text, facts

    def put(self, key: str, text: str, **facts: Any) -> None:
        """Store an output; a cache that cannot be written is silently skipped."""
        body = text.encode("utf-8")
        header = json.dumps({**facts, "sha256": hashlib.sha256(body).hexdigest()}).encode()
        try:
            write_atomic(self._path(key), header + b"\n" + body, durable=False)
        except OSError:
            return
        self._trim()


class PartStore(_RecentRuns):
    """Results kept from one run to the next of the same kind of run, in one file per kind: a report's part for
    each procedure, so that re-running after editing one file analyzes that file only.

    The file holds the last run's results only (what that run used), so it does not grow with edits; it starts
    with the SHA-256 of the rest, and a damaged file is deleted and the results made again. The files of the
    ``keep`` most recently used kinds of run are kept (8).
    """

    _SUBFOLDER, _ENTRIES, _KEEP = "parts", "*.parts", 8

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.parts"

    def load(self, key: str) -> dict[str, Any]:
        """The results kept under ``key``; empty when there are none or the file is damaged (then deleted)."""
        path = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return {}
        checksum, _, body = data.partition(b"\n")
        try:
            if checksum.decode("ascii") != hashlib.sha256(body).hexdigest():
                raise ValueError("checksum mismatch")
            entries = pickle.loads(body)
            if not isinstance(entries, dict):
                raise TypeError("not a mapping of results")
        except Exception:
            _drop(path)
            return {}
        _used(path)
        return entries

    def save(self, key: str, entries: dict[str, Any]) -> None:
        """Keep ``entries`` under ``key`` in place of what was there; a cache that cannot be written is skipped."""
        body = pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            write_atomic(self._path(key), hashlib.sha256(body).hexdigest().encode() + b"\n" + body, durable=False)
        except OSError:
            return
        self._trim()
