"""Reading and writing thutuc files: located YAML loading, canonical YAML, the JSON Schema, the caches.

The loader never prints; every problem reaches the caller as a ``LoadError``. Names are imported on first
use: a run served from the output cache needs only the light helpers, not the models.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "FileReport": "thutuc.io.loader",
    "ModelCache": "thutuc.io.cache",
    "OutputCache": "thutuc.io.cache",
    "PartStore": "thutuc.io.cache",
    "ProcedureSet": "thutuc.io.loader",
    "StoredProcedureSet": "thutuc.io.loader",
    "ValidationReport": "thutuc.io.loader",
    "changed_since": "thutuc.io.loader",
    "default_cache_folder": "thutuc.io.cache",
    "dumps": "thutuc.io.canonical",
    "find_catalogue": "thutuc.io.files",
    "inputs_fingerprint": "thutuc.io.files",
    "json_schema": "thutuc.io.schema",
    "json_schema_text": "thutuc.io.schema",
    "load": "thutuc.io.loader",
    "load_all": "thutuc.io.loader",
    "load_catalogue": "thutuc.io.loader",
    "load_paths": "thutuc.io.loader",
    "load_paths_on_demand": "thutuc.io.loader",
    "loads": "thutuc.io.loader",
    "parse": "thutuc.io.loader",
    "read_revision": "thutuc.io.loader",
    "validate_paths": "thutuc.io.loader",
    "write_atomic": "thutuc.io.files",
}

__all__ = [
    "FileReport",
    "ModelCache",
    "OutputCache",
    "PartStore",
    "ProcedureSet",
    "StoredProcedureSet",
    "ValidationReport",
    "changed_since",
    "default_cache_folder",
    "dumps",
    "find_catalogue",
    "inputs_fingerprint",
    "json_schema",
    "json_schema_text",
    "load",
    "load_all",
    "load_catalogue",
    "load_paths",
    "load_paths_on_demand",
    "loads",
    "parse",
    "read_revision",
    "validate_paths",
    "write_atomic",
]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'thutuc.io' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


if TYPE_CHECKING:
    from thutuc.io.cache import ModelCache, OutputCache, PartStore, default_cache_folder
    from thutuc.io.canonical import dumps
    from thutuc.io.files import find_catalogue, inputs_fingerprint, write_atomic
    from thutuc.io.loader import (
        FileReport,
        ProcedureSet,
        StoredProcedureSet,
        ValidationReport,
        changed_since,
        load,
        load_all,
        load_catalogue,
        load_paths,
        load_paths_on_demand,
        loads,
        parse,
        read_revision,
        validate_paths,
    )
    from thutuc.io.schema import json_schema, json_schema_text
