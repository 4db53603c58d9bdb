"""A small memo of recent results, keyed by the identity of the frozen models they were computed from.

Analyzing, simplifying and diffing one procedure ask the same questions of the same objects: the
fact supply of a procedure, its burden, its readiness. Models are frozen, so a result computed from an
object stays true for that object; the memo holds the objects, which keeps their ids from being reused
while their results are kept. It is small: what it holds lives as long as it does.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["RecentResults"]

T = TypeVar("T")


class RecentResults(Generic[T]):
    """The last ``size`` results, each for a tuple of objects (by identity) and hashable arguments.

    Examples
    --------
    >>> recent: RecentResults[int] = RecentResults(2)
    >>> numbers = [1, 2, 3]
    >>> recent.get((numbers,), ("sum",), lambda: sum(numbers))
    6
    >>> recent.get((numbers,), ("sum",), lambda: 0)  # remembered
    6
    >>> recent.get((list(numbers),), ("sum",), lambda: 0)  # an equal object is another object
    0
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[Hashable, ...], tuple[tuple[object, ...], T]] = OrderedDict()

    def get(self, objects: tuple[object, ...], arguments: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
        """The result for these objects and arguments: remembered, else ``compute()`` and remembered."""
        key = (*map(id, objects), *arguments)
        entry = self._entries.get(key)
        if entry is not None and all(held is given for held, given in zip(entry[0], objects, strict=True)):
            self._entries.move_to_end(key)
            return entry[1]
        result = compute()
        self._entries[key] = (objects, result)
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return result
