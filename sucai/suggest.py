"""Type-ahead on titles (快速查找): which titles contain what the user has typed so far.

A viewer without the member tier is matched against, and shown, the title and
metadata of the free view (:func:`sucai.access.free_summaries`: a title found only
in the members-only part is not theirs). The titles are kept in memory,
normalised with :func:`sucai.analysis.normalize` (see :mod:`sucai.analysis`), so
a lookup is a plain substring scan: well under a millisecond for thousands of
titles. Each lookup reads the catalogue's change log
(:meth:`sucai.store.Catalogue.change_count`, the newest change's number) and, when
it moved — whichever process or node made the change: an addition, a title edit,
hiding or removal — reads the changed documents again first; each suggestion is read again
from the catalogue (and, for a viewer without the member tier, described again over its free
text) before it is returned, so a list a moment old shows nothing the catalogue no longer does.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from . import access, analysis
from .snippet import find_spans, merge_spans
from .store import Catalogue, Summary

MAX_SUGGESTIONS = 20
PATCH_MAX = 5000   # changes a refresh applies one document at a time; after more it reads every title again


@dataclass(frozen=True)
class Suggestion:
    """One title that matches. ``highlights`` are character spans of ``title``."""

    id: int
    title: str
    genre: str
    chars: int
    date: str | None
    source: str | None
    highlights: list[tuple[int, int]]


class TitleIndex:
    """The catalogue's titles, normalised, for :meth:`suggest`. Safe to share between threads.

    Each lookup first reads the catalogue's change count (one small read) and, when it moved, reads
    again the documents changed since (:meth:`refresh`): a title added, edited, hidden or removed by any
    process or node is in the next lookup's list.
    """

    def __init__(self, catalogue: Catalogue):
        self.catalogue = catalogue
        # member? → {document id: (normalised title, the row as that viewer sees it)}
        self._rows: dict[bool, dict[int, tuple[str, Summary]]] | None = None
        self._changes: int | None = None
        self._lock = threading.Lock()        # one refresh at a time

    def refresh(self, force: bool = False) -> None:
        """Bring the titles up to the catalogue's change log: the documents changed since the last refresh
        are read again (at most :data:`PATCH_MAX` changes; after more, at the first refresh, when the log no
        longer holds them all — :meth:`~sucai.store.Catalogue.prune_changes` —, or when ``force``, every title is)."""
        with self._lock:
            changes = self.catalogue.change_count()
            if not force and self._rows is not None and changes == self._changes:
                return
            pending = None if force or self._rows is None else self.catalogue.changes_since(self._changes, PATCH_MAX + 1)
            if pending is None or len(pending) > PATCH_MAX:   # None too when the log was pruned past the last refresh
                self._rows = self._read(self.catalogue.records(), {True: {}, False: {}})
            elif pending:
                changed = sorted({doc_id for _, doc_id, _ in pending})
                rows = {member: {i: row for i, row in held.items() if i not in changed}
                        for member, held in self._rows.items()}
                self._rows = self._read(self.catalogue.records(ids=changed), rows)
                changes = pending[-1][0]   # a change made between the two reads is applied at the next refresh
            self._changes = changes

    def _read(self, rows: list[Summary], into: dict[bool, dict[int, tuple[str, Summary]]]) -> dict:
        """``into`` with ``rows`` (visible documents as the catalogue holds them) added for both tiers."""
        for member, views in ((True, rows), (False, access.free_summaries(rows, self.catalogue))):
            into[member].update((v.id, (analysis.normalize(v.title), v)) for v in views)
        return into

    def suggest(self, q: str, limit: int = 8, *, member: bool = False) -> list[Suggestion]:
        """Titles containing every space-separated part of ``q`` (normalised), best first, as a viewer
        with (``member=True``) or without the member tier sees them.

        Order: titles that start with the first part, then by where the first part
        occurs, then shorter titles, then lower ids. Empty ``q`` gives no suggestions.
        """
        self.refresh()
        parts = [p for p in map(analysis.normalize, (q or "").split()) if p]
        if not parts:
            return []
        limit = max(1, min(limit, MAX_SUGGESTIONS))
        found = []
        first = parts[0]
        for norm, row in self._rows[member].values():
            at = norm.find(first)
            if at < 0 or any(p not in norm for p in parts[1:]):
                continue
            found.append((at, len(norm), row.id))
        found.sort()
        out = []
        for row in self._current([doc_id for _, _, doc_id in found], limit, parts, member):
            spans = merge_spans([(s, e) for s, e, _ in find_spans(row.title, parts)])
            out.append(Suggestion(row.id, row.title, row.genre, row.counted_chars, row.date, row.source, spans))
        return out

    def _current(self, found: list[int], limit: int, parts: list[str], member: bool) -> list[Summary]:
        """The first ``limit`` of the documents ``found`` (ids, best first) as the catalogue holds them now — read
        again, and for a viewer without the member tier described again over the free text — that are visible
        and whose title still holds every part: a title list a moment old never suggests a document hidden,
        removed or renamed since, nor shows what it held then (a date or 来源 in a part made members-only since)."""
        out: list[Summary] = []
        for start in range(0, len(found), 2 * limit):
            batch = found[start : start + 2 * limit]
            rows = self.catalogue.records(ids=batch)
            current = {row.id: row for row in (rows if member else access.free_summaries(rows, self.catalogue))}
            out += [current[i] for i in batch if i in current
                    and all(p in analysis.normalize(current[i].title) for p in parts)]
            if len(out) >= limit:
                break
        return out[:limit]
