"""A content-hash cache of validated procedures, so that a re-run over unchanged files skips validation.

An entry is found only under a key made of the file's bytes, the catalogue's bytes and the code that
validates, so it cannot be stale; an entry that cannot be read is deleted and the file validated again.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from functools import cache
from pathlib import Path

from thutuc.io.canonical import write_atomic
from thutuc.model import Procedure

__all__ = ["ModelCache", "default_cache_folder"]

_CODE = ("model/common.py", "model/catalogue.py", "model/procedure.py", "checks.py", "io/loader.py", "io/reader.py")


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


class ModelCache:
    """Validated procedures stored as pickles under a folder, keyed by content."""

    def __init__(self, folder: Path | str | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_cache_folder()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(content: bytes, catalogue_fingerprint: str) -> str:
        """The key of a procedure file's bytes checked against a catalogue."""
        digest = hashlib.sha256()
        for part in (_code_fingerprint().encode(), catalogue_fingerprint.encode(), content):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pickle"

    def validated_id(self, key: str) -> str | None:
        """The id of the procedure that validated under ``key``, or ``None``: enough for a verdict."""
        try:
            procedure_id = self._path(key).with_suffix(".id").read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            procedure_id = ""
        if procedure_id and self._path(key).is_file():
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
        try:
            procedure = pickle.loads(data)
            if not isinstance(procedure, Procedure):
                raise TypeError("not a procedure")
        except Exception:
            path.unlink(missing_ok=True)
            self.misses += 1
            return None
        self.hits += 1
        return procedure

    def put(self, key: str, procedure: Procedure) -> None:
        """Store a validated procedure; a cache that cannot be written is silently skipped."""
        path = self._path(key)
        try:
            write_atomic(path, pickle.dumps(procedure, protocol=pickle.HIGHEST_PROTOCOL))
            write_atomic(path.with_suffix(".id"), procedure.id)
        except OSError:
            return


def catalogue_fingerprint(files: list[Path]) -> str:
    """A hash of the catalogue files' names and bytes."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
