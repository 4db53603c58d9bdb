"""The JSON Schema of thutuc files, generated from the models, for editors and CI.

Procedure and catalogue files share one schema, told apart by their ``kind`` field.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import Field, TypeAdapter

from thutuc.model import CatalogueFile, Procedure

__all__ = ["SCHEMA_ID", "json_schema", "json_schema_text"]

SCHEMA_ID = "thutuc.schema.json"
ThutucFile = Annotated[Procedure | CatalogueFile, Field(discriminator="kind")]


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that every procedure and catalogue file follows."""
    schema = TypeAdapter(ThutucFile).json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "thutuc procedure or catalogue file",
        **schema,
    }


def json_schema_text() -> str:
    """The schema as stable, indented JSON text ending in a newline."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
