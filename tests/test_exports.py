"""The public surface: what `thutuc` exports, on purpose and nothing more."""

from __future__ import annotations

import importlib

import pytest

import thutuc

PUBLIC = {
    "ProcedureDiff",
    "Simplified",
    "diff",
    "simplify",
    "AnalysisOptions",
    "analyze",
    "analyze_set",
    "Catalogue",
    "ErrorCode",
    "LoadError",
    "Problem",
    "Procedure",
    "ProcedureSet",
    "ThutucError",
    "ValidationReport",
    "__version__",
    "check_procedure",
    "dumps",
    "load",
    "load_all",
    "load_catalogue",
    "loads",
    "to_graph",
    "validate_paths",
}


def test_the_public_names_are_exactly_these():
    assert set(thutuc.__all__) == PUBLIC


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_every_public_name_resolves(name: str):
    assert getattr(thutuc, name) is not None


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = thutuc.nothing


@pytest.mark.parametrize(
    "module",
    [
        "thutuc.model",
        "thutuc.io",
        "thutuc.graph",
        "thutuc.checks",
        "thutuc.errors",
        "thutuc.testing.strategies",
        "thutuc.summary",
        "thutuc.analysis",
        "thutuc.transform",
        "thutuc.soundness",
        "thutuc.scenarios",
        "thutuc.testing.plugin",
        "thutuc.diff",
    ],
)
def test_submodule_all_is_importable(module: str):
    imported = importlib.import_module(module)
    for name in imported.__all__:
        assert hasattr(imported, name), f"{module}.{name}"


def test_the_strategies_are_exactly_these():
    from thutuc.testing import strategies

    assert set(strategies.__all__) == {"catalogue_and_procedure", "catalogues", "procedures", "scenarios"}


def test_load_error_is_a_thutuc_error():
    assert issubclass(thutuc.LoadError, thutuc.ThutucError)
