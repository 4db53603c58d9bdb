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

__all__ = ["for_a_batch_run", "paused_gc"]


# Set by for_a_batch_run: then what a long-lived block builds is frozen out of the collector's reach.
_batch_run = False


@contextmanager
def paused_gc(*, long_lived: bool = False) -> Iterator[None]:
    """Pause the cyclic garbage collector for the block (or the decorated function), then resume it.

    Nested uses, and uses while the caller has paused it, leave the collector as they found it. With
    ``long_lived``, what the block builds is meant to last the whole run (a loaded set of procedures): in a
    batch run (``for_a_batch_run``) it is then frozen, so that no later collection scans it again.

    Examples
    --------
    >>> import gc
    >>> with paused_gc():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if long_lived and _batch_run:
            gc.freeze()
        gc.enable()


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
