"""Type-ahead on titles (快速查找): which titles contain what the user has typed so far.

Titles are not members-only text, so every viewer gets the same answers. The
titles are kept in memory, normalised with :func:`sucai.analysis.normalize`
(width, case, traditional → simplified, spaces between Han), so a lookup is a
plain substring scan: well under a millisecond for thousands of titles. The list
is rebuilt when the catalogue changes (checked at most every ``recheck_seconds``).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from . import analysis
from .snippet import find_spans
from .store import Catalogue

MAX_SUGGESTIONS = 20


@dataclass(frozen=True)
class Suggestion:
    """One title that matches. ``highlights`` are character spans of ``title``."""

    id: int
    title: str
    genre: str
    chars: int
    highlights: list[tuple[int, int]]


class TitleIndex:
    """The catalogue's titles, normalised, for :meth:`suggest`. Safe to share between threads."""

    def __init__(self, recheck_seconds: float = 2.0):
        self.recheck_seconds = recheck_seconds
        self._rows: list[tuple[str, dict]] = []
        self._signature: tuple | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def refresh(self, catalogue: Catalogue, force: bool = False) -> None:
        """Reload the titles when the catalogue's size or newest id changed (or ``force``)."""
        now = time.monotonic()
        if not force and now - self._checked < self.recheck_seconds:
            return
        with self._lock:
            self._checked = now
            newest = catalogue.summaries(1, newest_first=True)
            signature = (catalogue.stats()["documents"], newest[0]["id"] if newest else 0)
            if force or signature != self._signature:
                rows = catalogue.summaries()
                self._rows = [(analysis.normalize(r["title"]), r) for r in rows]
                self._signature = signature

    def suggest(self, catalogue: Catalogue, q: str, limit: int = 8) -> list[Suggestion]:
        """Titles containing every space-separated part of ``q`` (normalised), best first.

        Order: titles that start with the first part, then by where the first part
        occurs, then shorter titles, then lower ids. Empty ``q`` gives no suggestions.
        """
        self.refresh(catalogue)
        parts = [p for p in analysis.normalize(q or "").split(" ") if p]
        if not parts:
            return []
        limit = max(1, min(limit, MAX_SUGGESTIONS))
        found = []
        first = parts[0]
        for norm, row in self._rows:
            at = norm.find(first)
            if at < 0 or any(p not in norm for p in parts[1:]):
                continue
            found.append((at, len(norm), row["id"], row))
        found.sort(key=lambda f: f[:3])
        out = []
        for _, _, _, row in found[:limit]:
            spans = _merge([(s, e) for s, e, _ in find_spans(row["title"], parts)])
            out.append(Suggestion(row["id"], row["title"], row["genre"], row["chars"], spans))
        return out


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
