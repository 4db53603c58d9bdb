"""simplify on the benchmarks' synthetic catalogue: larger and more tangled flows than the strategies draw.

This catalogue found lookups placed where a branch went around them, a fallback made again on every
pass, and step days compared with a legal time limit; each procedure must simplify soundly, once.
"""

from __future__ import annotations

import datetime as dt
import importlib.util

import pytest

from thutuc.model import Catalogue, Procedure
from thutuc.soundness import check
from thutuc.transform import simplify

from .conftest import ROOT

AS_OF = dt.date(2026, 1, 1)
PROCEDURES = 120


def _synthetic():
    spec = importlib.util.spec_from_file_location("synthetic", ROOT / "benchmarks" / "synthetic.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def catalogue_and_generator():
    synthetic = _synthetic()
    data = {k: v for k, v in synthetic.catalogue_data().items() if k != "kind"}
    return Catalogue.model_validate(data), synthetic.procedure_data


@pytest.mark.parametrize("seed", range(PROCEDURES))
def test_a_synthetic_procedure_simplifies_soundly_and_once(catalogue_and_generator, seed: int):
    catalogue, procedure_data = catalogue_and_generator
    procedure = Procedure.model_validate(procedure_data(seed))
    once = simplify(procedure, catalogue=catalogue, as_of=AS_OF)
    assert check(procedure, once.procedure, catalogue) == []
    assert simplify(once.procedure, catalogue=catalogue, as_of=AS_OF).procedure == once.procedure
    made_fallback = [e.target for e in once.trace if e.change.value == "document-made-fallback"]
    assert len(made_fallback) == len(set(made_fallback)), "a document is made a fallback once"
