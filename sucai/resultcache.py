"""Repeated searches: results kept per process, keyed by what they depend on.

A search result depends on the request, the viewer's tier (member or not) and the state of the
catalogue and the index it was computed in (:attr:`sucai.index.Snapshot.state`: the index
generation, the catalogue's change count and the documents changed since indexed). Every key holds
all three, so a result is only ever served to a viewer of the same tier, and never once a document
was hidden, removed, edited or re-bounded, or the index committed again (the state moved: the old
entries are no longer asked for, and age out). Least recently used entries go first (cachetools).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

from cachetools import LRUCache

T = TypeVar("T")


class ResultCache:
    """Up to ``entries`` values by key, shared by the threads of a process; ``entries`` 0: nothing is kept.
    With ``size`` (value → its size, at least 1), ``entries`` bounds the sum of the sizes instead, and a value larger
    than that is not kept."""

    def __init__(self, entries: int, size: Callable[[T], int] | None = None):
        self._entries: LRUCache | None = LRUCache(maxsize=entries, getsizeof=size) if entries > 0 else None
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> tuple[T, bool]:
        """``(value, True)`` when ``key`` is kept, else ``(compute(), False)`` with the value kept.

        ``compute`` runs outside the lock (two threads may compute the same value once each).
        """
        if self._entries is None:
            return compute(), False
        with self._lock:
            value = self._entries.get(key, _MISSING)
        if value is not _MISSING:
            return value, True
        value = compute()
        with self._lock:
            self._entries[key] = value
        return value, False

    def get_many(self, keys: list[Hashable], compute: Callable[[list[Hashable]], dict]) -> dict:
        """Key → value of those of ``keys`` that are kept or that ``compute(the others)`` gives (a dict of some of
        them: a key it leaves out has no value), the computed ones kept. ``compute`` runs once, outside the lock, only
        when some key is not kept."""
        if self._entries is None:
            return compute(keys)
        with self._lock:
            found = {key: value for key in keys if (value := self._entries.get(key, _MISSING)) is not _MISSING}
        missing = [key for key in keys if key not in found]
        if missing:
            computed = compute(missing)
            with self._lock:
                for key, value in computed.items():
                    if self._entries.getsizeof(value) <= self._entries.maxsize:
                        self._entries[key] = value
            found.update(computed)
        return found

    def __len__(self) -> int:
        return len(self._entries) if self._entries is not None else 0


_MISSING = object()
