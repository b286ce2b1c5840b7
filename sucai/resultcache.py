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
    """Up to ``entries`` values by key, shared by the threads of a process; ``entries`` 0: nothing is kept."""

    def __init__(self, entries: int):
        self._entries: LRUCache | None = LRUCache(maxsize=entries) if entries > 0 else None
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

    def __len__(self) -> int:
        return len(self._entries) if self._entries is not None else 0


_MISSING = object()
