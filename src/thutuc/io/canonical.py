"""Canonical YAML for models: stable field order, defaults left out, the schema line on top.

Writes are atomic: a temporary file in the same folder, then a rename.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import yaml
from pydantic import BaseModel

__all__ = ["SCHEMA_LINE_PREFIX", "dumps", "write_atomic"]

SCHEMA_LINE_PREFIX = "# yaml-language-server: $schema="
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dumps(model: BaseModel, *, schema_ref: str | None = None) -> str:
    """Canonical YAML text of a procedure or catalogue file.

    Fields keep the model's order, values equal to their default are left out, and
    strings that YAML could read as something else are quoted.

    Examples
    --------
    >>> from thutuc.model import Name
    >>> print(dumps(Name(vi="Đăng ký khai sinh", en="Birth registration")), end="")
    vi: Đăng ký khai sinh
    en: Birth registration
    """
    body = yaml.dump(
        model.model_dump(mode="json", exclude_defaults=True),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )
    header = f"{SCHEMA_LINE_PREFIX}{schema_ref}\n" if schema_ref else ""
    return header + body


def write_atomic(path: str | Path, content: str | bytes, *, durable: bool = True) -> None:
    """Write text (UTF-8) or bytes to ``path`` so that readers see the old file or the new one, never half.

    The file keeps the mode of the one it replaces, else gets the usual mode for a new file (0666 less the
    umask). ``durable=False`` skips the flush to disk: for cache entries, which are checked when read.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        mode = 0o666 & ~_umask()
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
