"""thutuc: model administrative procedures as step graphs and find what the state already knows.

Names are imported on first use, so that ``thutuc --help`` starts fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "AnalysisOptions": "thutuc.analysis",
    "Catalogue": "thutuc.model",
    "ErrorCode": "thutuc.errors",
    "LoadError": "thutuc.errors",
    "Problem": "thutuc.errors",
    "Procedure": "thutuc.model",
    "ProcedureDiff": "thutuc.diff",
    "ProcedureSet": "thutuc.io",
    "Simplified": "thutuc.transform",
    "ThutucError": "thutuc.errors",
    "ValidationReport": "thutuc.io",
    "analyze": "thutuc.analysis",
    "analyze_set": "thutuc.analysis",
    "check_procedure": "thutuc.checks",
    "diff": "thutuc.diff",
    "dumps": "thutuc.io",
    "load": "thutuc.io",
    "load_all": "thutuc.io",
    "load_catalogue": "thutuc.io",
    "loads": "thutuc.io",
    "simplify": "thutuc.transform",
    "to_graph": "thutuc.graph",
    "validate_paths": "thutuc.io",
}

__all__ = [
    "AnalysisOptions",
    "Catalogue",
    "ErrorCode",
    "LoadError",
    "Problem",
    "Procedure",
    "ProcedureDiff",
    "ProcedureSet",
    "Simplified",
    "ThutucError",
    "ValidationReport",
    "__version__",
    "analyze",
    "analyze_set",
    "check_procedure",
    "diff",
    "dumps",
    "load",
    "load_all",
    "load_catalogue",
    "loads",
    "simplify",
    "to_graph",
    "validate_paths",
]

if TYPE_CHECKING:
    from thutuc.analysis import AnalysisOptions, analyze, analyze_set
    from thutuc.checks import check_procedure
    from thutuc.diff import ProcedureDiff, diff
    from thutuc.errors import ErrorCode, LoadError, Problem, ThutucError
    from thutuc.graph import to_graph
    from thutuc.io import (
        ProcedureSet,
        ValidationReport,
        dumps,
        load,
        load_all,
        load_catalogue,
        loads,
        validate_paths,
    )
    from thutuc.model import Catalogue, Procedure
    from thutuc.transform import Simplified, simplify


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'thutuc' has no attribute '{name}'")


def __dir__() -> list[str]:
    return sorted(__all__)
