"""Reading and writing thutuc files: located YAML loading, canonical YAML, the JSON Schema.

The loader never prints; every problem reaches the caller as a ``LoadError``.
"""

from thutuc.io.cache import ModelCache, default_cache_folder
from thutuc.io.canonical import dumps, write_atomic
from thutuc.io.loader import (
    FileReport,
    ProcedureSet,
    ValidationReport,
    find_catalogue,
    load,
    load_all,
    load_catalogue,
    load_paths,
    loads,
    parse,
    read_revision,
    validate_paths,
)
from thutuc.io.schema import json_schema, json_schema_text

__all__ = [
    "FileReport",
    "ModelCache",
    "ProcedureSet",
    "ValidationReport",
    "default_cache_folder",
    "dumps",
    "find_catalogue",
    "json_schema",
    "json_schema_text",
    "load",
    "load_all",
    "load_catalogue",
    "load_paths",
    "loads",
    "parse",
    "read_revision",
    "validate_paths",
    "write_atomic",
]
