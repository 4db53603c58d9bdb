"""The hypothesis profiles of the plugin: a bounded one for CI and a deep one for nightly runs.

Registered when hypothesis loads thutuc's entry point, so ``pytest --hypothesis-profile=thutuc-ci``
works for your own property tests too.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

__all__ = ["register_profiles"]


def register_profiles() -> None:
    """Register ``thutuc-ci`` and ``thutuc-deep`` with hypothesis."""
    quiet = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
    # CI: a fixed budget, the same examples on every run (so a failure reproduces by running again),
    # and the blob to replay it with printed.
    settings.register_profile(
        "thutuc-ci",
        max_examples=60,
        derandomize=True,
        print_blob=True,
        deadline=None,
        database=None,
        suppress_health_check=quiet,
    )
    # Nightly: many more examples, new ones each night, remembered in the example database.
    settings.register_profile(
        "thutuc-deep",
        max_examples=2000,
        print_blob=True,
        deadline=None,
        suppress_health_check=quiet,
    )
