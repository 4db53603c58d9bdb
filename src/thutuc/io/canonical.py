"""Canonical YAML for models: stable field order, defaults left out, the schema line on top.

Writes are atomic: a temporary file in the same folder, then a rename.
"""

from __future__ import annotations

import yaml
from pydantic import BaseModel

from thutuc.io.files import write_atomic

__all__ = ["SCHEMA_LINE_PREFIX", "dumps", "write_atomic"]

# write_atomic lives with the other light file helpers; it is re-exported here for existing imports.

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
