"""What every request needs: the library (one per worker thread) and the viewer.

The viewer is resolved once per request by :func:`current_viewer`; today every
web viewer is a visitor without the member tier. Accounts (next issue) only have
to replace that one function (or override it with ``app.dependency_overrides``).
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass

from fastapi import Request

from ..config import Settings
from ..library import Library
from ..suggest import TitleIndex


@dataclass(frozen=True)
class Viewer:
    """Who is looking: ``member`` decides what of a document they may see (see :mod:`sucai.access`)."""

    member: bool = False
    name: str | None = None


VISITOR = Viewer(member=False)


def current_viewer(request: Request) -> Viewer:
    """The viewer of ``request``. For now always a visitor without the member tier."""
    return VISITOR


class LibraryPool:
    """One :class:`Library` per thread over the same settings.

    FastAPI runs plain ``def`` endpoints in a thread pool; a SQLite connection and
    its cursors should not be used by two threads at once, so each thread opens its
    own catalogue connection (and index handle) the first time it needs one.
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self._local = threading.local()
        self._lock = threading.Lock()
        self.primary = Library(settings)
        self._all: list[Library] = [self.primary]
        self.titles = TitleIndex(settings.catalogue_path)

    def get(self) -> Library:
        """This thread's library: its own catalogue connection, the one shared tantivy index.

        The index handle is opened once (by the primary library) and shared:
        opening a :class:`~sucai.index.SearchIndex` per thread would re-register the
        segmentation dictionary while other threads segment queries, which rjieba
        refuses ("Already borrowed").
        """
        library = getattr(self._local, "library", None)
        if library is None:
            library = Library(self.settings)
            shared = copy.copy(self.primary.index)   # same tantivy index, lock and settings
            shared.catalogue = library.catalogue     # ... reading documents through this thread's connection
            library.__dict__["index"] = shared       # fills Library.index (a cached_property)
            self._local.library = library
            with self._lock:
                self._all.append(library)
        return library

    def close(self) -> None:
        """Close every library opened (at app shutdown)."""
        self.titles.close()
        with self._lock:
            for library in self._all:
                try:
                    library.close()
                except Exception:  # noqa: BLE001 - closing from another thread may be refused; nothing to do
                    pass
            self._all.clear()


async def get_pool(request: Request) -> LibraryPool:
    """The app's library pool. Call ``pool.get()`` inside the endpoint, in the thread that uses it."""
    return request.app.state.pool
