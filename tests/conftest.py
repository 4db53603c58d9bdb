"""Shared fixtures and the hypothesis profiles: 'ci' has a fixed budget and prints reproducers."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import thutuc.transform as transform
from thutuc.model import Catalogue, Procedure
from thutuc.testing.examples import tiny_catalogue, tiny_procedure
from thutuc.transform import _Draft

settings.register_profile(
    "ci",
    max_examples=80,
    derandomize=True,
    print_blob=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("dev", max_examples=40, print_blob=True, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
# The CLI caches validation results; the tests keep theirs out of the user's cache.
os.environ["THUTUC_CACHE_DIR"] = tempfile.mkdtemp(prefix="thutuc-test-cache-")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture
def catalogue() -> Catalogue:
    return tiny_catalogue()


@pytest.fixture
def procedure() -> Procedure:
    return tiny_procedure()


@pytest.fixture(scope="session")
def shipped_set():
    """The shipped catalogue, services and baselines."""
    from thutuc.io import load_all

    return load_all(ROOT / "procedures")


@pytest.fixture(scope="session")
def shipped_site(shipped_set) -> dict[str, bytes]:
    """The HTML report of the shipped procedures, as path → bytes; built once, it takes seconds."""
    import datetime as dt

    from thutuc.analysis import AnalysisOptions
    from thutuc.render.site import build_site

    return build_site(shipped_set, options=AnalysisOptions(as_of=dt.date(2026, 11, 28)))


@contextmanager
def every_pass_validated_in_full() -> Iterator[list[str]]:
    """Each pass of simplify takes what no edit changed from the original instead of validating it again. Within
    this block, each pass also validates its whole draft and checks both give the same procedure: an edit that
    failed to say what it changed would show here. Yields the ids of the procedures checked."""
    reusing = _Draft.validated
    checked: list[str] = []

    def validated(draft: _Draft) -> Procedure:
        result = reusing(draft)
        assert result.model_dump(mode="json") == Procedure.model_validate(draft.data).model_dump(mode="json")
        checked.append(result.id)
        return result

    _Draft.validated = validated  # type: ignore[method-assign]
    try:
        yield checked
    finally:
        _Draft.validated = reusing  # type: ignore[method-assign]


@contextmanager
def every_skipped_finding_applied() -> Iterator[list[str]]:
    """A pass of simplify whose findings all change nothing ends without applying them. Within this block, each
    finding said to change nothing is applied on its own as well, which must change nothing. Yields the rules of
    the findings checked."""
    judging = transform._changes_nothing
    checked: list[str] = []

    def changes_nothing(supply, finding) -> bool:
        nothing = judging(supply, finding)
        if nothing:
            applied = transform._apply(supply.procedure, supply.catalogue, [finding], supply.options)
            assert not applied.changed, (finding.rule, finding.target.id, applied.trace)
            checked.append(finding.rule)
        return nothing

    transform._changes_nothing = changes_nothing  # type: ignore[assignment]
    try:
        yield checked
    finally:
        transform._changes_nothing = judging  # type: ignore[assignment]
