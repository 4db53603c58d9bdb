"""Reading and writing thutuc files: located YAML loading, canonical YAML, the JSON Schema.

The loader never prints; every problem reaches the caller as a ``LoadError``.
"""

from thutuc.io.cache import ModelCache, OutputCache, default_cache_folder
from thutuc.io.canonical import dumps, write_atomic
from thutuc.io.loader import (
    FileReport,
    ProcedureSet,
    ValidationReport,
    find_catalogue,
    inputs_fingerprint,
    load,
    load_all,
    load_catalogue,
    load_paths,
    loads,
    parse,
    validate_paths,
)
from thutuc.io.schema import json_schema, json_schema_text

__all__ = [
    "FileReport",
    "ModelCache",
    "OutputCache",
    "ProcedureSet",
    "ValidationReport",
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
    "loads",
    "parse",
    "validate_paths",
    "write_atomic",
]
