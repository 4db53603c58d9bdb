"""Shared fixtures and the hypothesis profiles: 'ci' has a fixed budget and prints reproducers."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from thutuc.model import Catalogue, Procedure
from thutuc.testing.examples import tiny_catalogue, tiny_procedure

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
