"""The collector is paused around work that builds no cycles, and a batch run freezes what lasts the run."""

from __future__ import annotations

import gc

import pytest

from thutuc import _gc


@pytest.fixture
def batch_run(monkeypatch):
    thresholds = gc.get_threshold()
    monkeypatch.setattr(_gc, "_batch_run", False)
    yield _gc.for_a_batch_run
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def long_lived_objects() -> list[dict[str, int]]:
    with _gc.paused_gc(long_lived=True):
        return [{"n": n} for n in range(100)]


def test_a_long_lived_block_is_not_frozen_in_a_library_callers_process(batch_run):
    long_lived_objects()
    assert gc.get_freeze_count() == 0
    assert gc.isenabled()


def test_a_batch_run_freezes_what_a_long_lived_block_builds(batch_run):
    batch_run()
    assert gc.get_threshold() == _gc._BATCH_THRESHOLDS
    kept = long_lived_objects()
    assert gc.get_freeze_count() > len(kept)
    assert gc.isenabled()
    with _gc.paused_gc():
        pass
    assert gc.get_freeze_count() > len(kept), "a short-lived block leaves the frozen objects as they are"


def test_a_block_inside_a_paused_one_leaves_the_collector_paused(batch_run):
    batch_run()
    with _gc.paused_gc():
        long_lived_objects()
        assert not gc.isenabled()
        assert gc.get_freeze_count() == 0, "only the outermost block decides"
    assert gc.isenabled()
