"""The collector is paused around work that builds no cycles, and a batch run freezes what lasts the run."""

from __future__ import annotations

import gc
import weakref

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


class Cycle:
    def __init__(self) -> None:
        self.me = self


def test_settling_frees_each_items_cycles_while_the_collector_stays_paused(batch_run):
    kept = []
    with _gc.paused_gc(long_lived=True):
        for _ in range(3):
            _gc.settle()
            garbage = Cycle()
            gone = weakref.ref(garbage)
            del garbage
            kept.append({"item": len(kept)})
            assert gone() is not None, "a cycle outlives its item until the next settle"
            _gc.settle()
            assert gone() is None
            assert not gc.isenabled()
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0, "outside a batch run the set goes back to the collector"


def test_settling_outside_a_long_lived_block_does_nothing(batch_run):
    _gc.settle()
    assert gc.get_freeze_count() == 0


def test_no_block_counts_the_frozen_objects(batch_run, monkeypatch):
    # Counting walks every frozen object: a short block runs once per procedure after a load froze them all,
    # and a long-lived one in each process a validation forks from a caller holding a large frozen heap.
    def counted() -> int:
        raise AssertionError("a block counted the frozen objects")

    monkeypatch.setattr(_gc.gc, "get_freeze_count", counted)
    with _gc.paused_gc():
        pass
    long_lived_objects()
    batch_run()
    long_lived_objects()
    with _gc.frozen_for_fork():
        pass


def test_objects_are_frozen_for_a_fork_then_given_back_unless_the_caller_froze_them(batch_run):
    with _gc.frozen_for_fork():
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0, "a library caller's objects go back to the collector"
    gc.freeze()
    with _gc.frozen_for_fork():
        pass
    assert gc.get_freeze_count() > 0, "what the caller froze stays frozen"
    gc.unfreeze()
    batch_run()
    with _gc.frozen_for_fork():
        pass
    assert gc.get_freeze_count() > 0, "a batch run keeps its objects frozen"
