"""Pausing Python's cyclic garbage collector around work that builds many small objects and no cycles.

Reading a file, analyzing, simplifying and diffing each create tens of thousands of tuples, dicts and
models that the collector would scan again and again as the heap of a large run grows, which made these
stages grow faster than the work itself. They create no reference cycles that must be freed before they
end, so the collector is paused for their duration and resumed after, when anything left is collected
as usual.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["for_a_batch_run", "frozen_for_fork", "paused_gc", "settle"]


# Set by for_a_batch_run: then what a long-lived block builds stays frozen out of the collector's reach.
_batch_run = False
# Inside a long-lived block: ``settle`` frees the last item's cycles.
_settling = False


@contextmanager
def paused_gc(*, long_lived: bool = False) -> Iterator[None]:
    """Pause the cyclic garbage collector for the block (or the decorated function), then resume it.

    Nested uses, and uses while the caller has paused it, leave the collector as they found it. With
    ``long_lived``, the block builds a set meant to last (a load of many procedures) and calls ``settle``
    between its items, which frees the last item's reference cycles (networkx graphs made by the checks)
    scanning that item's objects only. In a batch run (``for_a_batch_run``) the set is then frozen out of the
    collector's reach for the rest of the run; elsewhere it is the collector's again, like any object.

    Examples
    --------
    >>> import gc
    >>> with paused_gc():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    global _settling
    if not gc.isenabled():
        yield
        return
    gc.disable()
    _settling = long_lived
    try:
        yield
    finally:
        if long_lived:
            _settling = False
            gc.collect(0)
            if _batch_run:
                gc.freeze()
        gc.enable()


def settle() -> None:
    """Between the items of a long-lived ``paused_gc`` block: free the cycles the last item left. Scanning the
    youngest generation only, it scans what was made since the last call. Elsewhere, nothing."""
    if _settling:
        gc.collect(0)


@contextmanager
def frozen_for_fork() -> Iterator[None]:
    """Freeze every object for the block, so that the processes forked in it share the parent's memory: left to
    their collectors, objects they only read would be touched and copied. After the block, what the caller had
    not frozen goes back to the collector, except in a batch run, where it stays frozen for the run."""
    # Counting the frozen objects walks them all: a batch run, which has frozen its loaded set, need not ask.
    caller_froze = _batch_run or gc.get_freeze_count() > 0
    gc.freeze()
    try:
        yield
    finally:
        if not caller_froze:
            gc.unfreeze()


# Young objects are scanned after this many more allocations than frees, instead of CPython's 700.
_BATCH_THRESHOLDS = (100_000, 20, 20)


def for_a_batch_run() -> None:
    """Tune the collector for a process that builds one large, long-lived heap and then exits (the CLI).

    Such a run keeps what it reads until it writes its output; with the default thresholds the collector
    scanned that growing heap again and again, and took a third of a whole `thutuc analyze` on a large
    folder. Cyclic garbage is still collected, only less often, and a loaded set is frozen once loaded: a
    single pass over the 10,000 procedures of a national catalogue took seconds. Not for a library
    caller's process.
    """
    global _batch_run
    _batch_run = True
    gc.set_threshold(*_BATCH_THRESHOLDS)
