"""Light helpers on files and folders: atomic writes, finding catalogues, and hashes of a run's inputs.

They import nothing heavy, so that a run served from the output cache starts fast.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

__all__ = [
    "CATALOGUE_FOLDER",
    "YAML_SUFFIXES",
    "catalogue_fingerprint",
    "expand_paths",
    "find_catalogue",
    "inputs_fingerprint",
    "shown_path",
    "write_atomic",
    "yaml_files",
]

CATALOGUE_FOLDER = "catalogue"
YAML_SUFFIXES = (".yaml", ".yml")


def write_atomic(path: str | Path, content: str | bytes, *, durable: bool = True) -> None:
    """Write text (UTF-8) or bytes to ``path`` so that readers see the old file or the new one, never half.

    The file keeps the mode of the one it replaces, else gets the usual mode for a new file (0666 less the
    umask). ``durable=False`` skips the flush to disk: for cache entries, which are checked when read.
    """
    path = Path(path)
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        mode = 0o666 & ~_umask()
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except FileNotFoundError:  # the folder is made only when missing: a cache writes thousands of files
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
            os.fchmod(stream.fileno(), mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    # The umask can only be read by setting it; it is put back at once.
    current = os.umask(0o022)
    os.umask(current)
    return current


def find_catalogue(start: str | Path) -> Path | None:
    """The nearest ``catalogue/`` folder beside ``start`` or beside one of its parents."""
    here = Path(start).resolve()
    for folder in [here, *here.parents] if here.is_dir() else here.parents:
        candidate = folder / CATALOGUE_FOLDER
        if candidate.is_dir():
            return candidate
    return None


def yaml_files(folder: Path) -> list[Path]:
    """The YAML files under ``folder``, recursively, in path order."""
    return sorted(p for p in folder.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())


def shown_path(path: Path) -> Path:
    """The path as reports show it: relative to the working folder when inside it."""
    absolute = path.absolute()
    try:
        return absolute.relative_to(Path.cwd())
    except ValueError:
        return absolute


def expand_paths(paths: Iterable[str | Path]) -> Iterator[tuple[Path, bool]]:
    """Each file given, and each YAML file under each folder given, as shown; with whether it exists."""
    for raw in paths:
        path = shown_path(Path(raw))
        if path.is_dir():
            yield from ((p, True) for p in yaml_files(path))
        else:
            yield path, path.is_file()


def catalogue_fingerprint(files: list[Path]) -> str:
    """A hash of the catalogue files' names and bytes."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def inputs_fingerprint(paths: Iterable[str | Path], *, catalogue_folder: str | Path | None = None) -> str | None:
    """A hash of every file a run over ``paths`` reads: each file's name as shown and bytes, and its catalogue's.

    ``None`` when a path is missing or unreadable: such a run reports the problem and is not cached.
    """
    digest = hashlib.sha256()
    explicit = Path(catalogue_folder) if catalogue_folder is not None else None
    catalogue_of: dict[Path, Path | None] = {}
    seen: set[Path] = set()
    folders: set[Path] = set()
    for path, exists in expand_paths(paths):
        if not exists:
            return None
        try:
            content = path.read_bytes()
        except OSError:
            return None
        for part in (str(path).encode(), content):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
        if explicit is None and path.parent not in catalogue_of:
            catalogue_of[path.parent] = find_catalogue(path)
        folder = explicit or catalogue_of[path.parent]
        if folder is not None and folder not in seen:  # once per folder: resolving it per file cost a tenth of a run
            seen.add(folder)
            if folder.is_dir():
                folders.add(folder.resolve())
    for folder in sorted(folders):
        try:
            digest.update(f"{folder}:{catalogue_fingerprint(yaml_files(folder))}".encode())
        except OSError:
            return None
    return digest.hexdigest()
