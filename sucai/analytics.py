"""What members look for (用户在找什么): searches, reads and downloads, counted for the operator.

Recording never slows a request: the web app hands each event to a
:class:`Recorder`, which adds it to in-memory counts (a lock, no thread woken per
event) and writes the counts in one transaction every ``interval`` seconds (or at
:meth:`Recorder.flush`) from a thread of its own — counts per day in :class:`Analytics`' tables, and the
reading and download history of logged-in accounts (:mod:`sucai.collections`).
A crash loses at most the last interval's counts, never anything else.

Privacy: a search is counted as its normalised query text per day
(``search_stats``), with no account, address or time of day — nothing ties a
query to the person who typed it, and only admins see the counts. Searches by
admins are not counted. Days are the site's local days.

Nothing is kept for ever: the counts of the days before the last ``analytics_days`` (the setting) go once a local
day, with the other records sucai keeps for a time (:meth:`Analytics.prune`, called by :mod:`sucai.retention`).

A search with no result is told apart when it is recorded: ``missing`` counts those made as a member over the
whole library (no filter), which found nothing the library holds — the material to add; the others found nothing
only as filtered or in the free part. Telling them apart later by searching the normalised query again would not do:
the key is not the query as searched (``减负 -基层`` is counted as ``减负-基层``, which finds what the first left out).
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone, tzinfo

from sqlalchemy import func, select

from . import analysis
from .accounts import Accounts, Viewer
from .clean import plain
from .collections import Collections
from .config import Settings, day_start, local_time
from .db import retried, utc_stamp
from .db.schema import document_stats, search_stats, users

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 100

def query_key(query: str) -> str:
    """How a query is counted: control and format characters as spaces (:func:`sucai.clean.plain`;
    PostgreSQL takes no NUL), normalised (:func:`sucai.analysis.normalize`), white space runs as one
    space, cut to :data:`MAX_QUERY_CHARS` characters."""
    return " ".join(analysis.normalize(plain(query or "")).split())[:MAX_QUERY_CHARS]


class Analytics:
    """The counts, in the accounts database of ``accounts``; ``zone``: the site's time zone (local days);
    ``days``: how many local days of counts :meth:`prune` keeps (the ``analytics_days`` setting)."""

    def __init__(self, accounts: Accounts, zone: tzinfo, days: int = Settings.analytics_days):
        self.accounts = accounts
        self.zone = zone
        self.days = days

    @retried
    def write(self, searches: Counter, empty: Counter, missing: Counter, reads: Counter, downloads: Counter) -> None:
        """Add counts, keyed ``(day, query)`` for searches (``empty``: those with no result, ``missing``: those of
        them made as a member over the whole library) and ``(day, doc_id)`` for reads and downloads, in one
        transaction."""
        queries = [{"day": day, "query": q, "searches": n, "empty": empty.get((day, q), 0),
                    "missing": missing.get((day, q), 0)} for (day, q), n in searches.items()]
        documents = [{"day": day, "doc_id": doc, "reads": reads.get((day, doc), 0),
                      "downloads": downloads.get((day, doc), 0)} for day, doc in set(reads) | set(downloads)]
        with self.accounts.transaction() as conn:
            for table, keys, rows in ((search_stats, ("day", "query"), queries),
                                      (document_stats, ("day", "doc_id"), documents)):
                if rows:
                    conn.execute(self.accounts.db.insert(table, update=keys, add=True), rows)

    def prune(self, today: date) -> int:
        """Delete the counts of the local days before the last :attr:`days` (``today`` the last), in batches
        (:meth:`sucai.db.Database.delete_in_batches`); returns how many rows went."""
        first = (today - timedelta(days=self.days - 1)).isoformat()
        return sum(self.accounts.db.delete_in_batches(table, table.c.day < first)
                   for table in (search_stats, document_stats))

    def report(self, days: int = 30, limit: int = 20, today: date | None = None) -> dict:
        """The operator's guide over the last ``days`` local days: ``top_queries``, ``empty_queries`` (those a
        member's search over the whole library found nothing for: material to add) and ``narrowed_queries`` (those
        that found nothing only as filtered or in the free part, F14), each ``{"query", "searches", "empty"}``;
        ``most_read`` and ``most_downloaded`` (``{"doc_id", "count"}``), ``new_users`` (``{"date", "count"}``,
        newest first)."""
        today = today or datetime.now(timezone.utc).astimezone(self.zone).date()
        first = (today - timedelta(days=days - 1)).isoformat()
        read = self.accounts._read
        q, searches, nothing = search_stats.c.query, func.sum(search_stats.c.searches), func.sum(search_stats.c.empty)
        queries = select(q, searches, nothing).where(search_stats.c.day >= first).group_by(q)
        missing = func.sum(search_stats.c.missing)
        top = read(queries.order_by(searches.desc(), q).limit(limit))
        empty = read(queries.having(missing > 0).order_by(nothing.desc(), q).limit(limit))
        narrowed = read(queries.having(nothing > 0).having(missing == 0).order_by(nothing.desc(), q).limit(limit))

        def documents(column: str):
            doc, total = document_stats.c.doc_id, func.sum(document_stats.c[column])
            return read(select(doc, total).where(document_stats.c.day >= first).group_by(doc)
                        .having(total > 0).order_by(total.desc(), doc).limit(limit))

        joined = Counter(self.local_day(at) for (at,) in read(
            select(users.c.created_at).where(users.c.created_at >= self.day_start(first))))
        return {
            "since": first,
            "top_queries": [{"query": q, "searches": n, "empty": e} for q, n, e in top],
            "empty_queries": [{"query": q, "searches": n, "empty": e} for q, n, e in empty],
            "narrowed_queries": [{"query": q, "searches": n, "empty": e} for q, n, e in narrowed],
            "most_read": [{"doc_id": d, "count": n} for d, n in documents("reads")],
            "most_downloaded": [{"doc_id": d, "count": n} for d, n in documents("downloads")],
            "new_users": [{"date": d, "count": n} for d, n in sorted(joined.items(), reverse=True)],
        }

    def local_day(self, stamp: str) -> str:
        """The site's day (``YYYY-MM-DD``) of a stored UTC time."""
        return local_time(stamp, self.zone, "days")

    def day_start(self, day: str) -> str:
        """The UTC ISO time of local midnight starting ``day`` (``YYYY-MM-DD``)."""
        return day_start(date.fromisoformat(day), self.zone).astimezone(timezone.utc).isoformat(timespec="microseconds")


class Recorder:
    """Counts searches, reads and downloads off the request path (see the module docstring).

    ``open_stores()`` returns the ``(Analytics, Collections)`` the writing thread
    uses (opened in that thread). Safe to call from any thread: an event is added to
    the counts of the current interval under a lock (no queue, no thread woken per
    request); the writer thread takes the counts every ``interval`` seconds, or at once
    for :meth:`flush` and :meth:`close`, and writes them in one transaction.
    """

    def __init__(self, open_stores: Callable[[], tuple[Analytics, Collections]], zone: tzinfo,
                 interval: float = 1.0):
        self.zone = zone
        self.interval = interval
        self._open_stores = open_stores
        self._lock = threading.Lock()       # guards the batch, the flag below and the writer thread
        self._batch = _Batch()
        self._pending = threading.Event()   # the batch holds something: the writer waits for it
        self._now = threading.Event()       # a flush or a close: write without waiting for the interval
        self._thread = self._start()

    def _start(self) -> threading.Thread:
        self._stop = threading.Event()      # this writer's own: a writer started after a close has a new one
        thread = threading.Thread(target=self._run, args=(self._stop,), name="sucai-analytics", daemon=True)
        thread.start()
        return thread

    def _add(self, add: Callable[[_Batch], None]) -> None:
        """Apply ``add`` to the batch, starting a writer again after :meth:`close` (an app whose lifespan
        ended and began again, as tests and reloads do)."""
        with self._lock:
            if self._stop.is_set() or not self._thread.is_alive():
                self._thread = self._start()
            add(self._batch)
            if not self._pending.is_set():
                self._pending.set()

    def _day(self) -> str:
        return datetime.now(timezone.utc).astimezone(self.zone).date().isoformat()

    def searched(self, viewer: Viewer, query: str, total: int, filtered: bool) -> None:
        """A search (its first page) by ``viewer`` found ``total`` results; ``filtered``: it was narrowed (文种, 来源,
        年份…), so that finding nothing says nothing of the whole library. Admins' searches are not counted."""
        if query and not viewer.admin:   # normalised (query_key) by the writer thread, off the request path
            day, whole = self._day(), viewer.member and not filtered
            self._add(lambda batch: batch.search(day, query, total == 0, whole))

    def read(self, viewer: Viewer, doc_id: int) -> None:
        """``viewer`` opened document ``doc_id`` (counted; in the history of a logged-in viewer)."""
        day, at = self._day(), utc_stamp("seconds")
        self._add(lambda batch: batch.opened("read", day, [doc_id], viewer.user_id, at))

    def downloaded(self, viewer: Viewer, doc_ids: list[int]) -> None:
        """``viewer`` downloaded these documents."""
        day, at = self._day(), utc_stamp("seconds")
        self._add(lambda batch: batch.opened("download", day, doc_ids, viewer.user_id, at))

    def flush(self, timeout: float = 30) -> None:
        """Write everything recorded so far before returning."""
        done = threading.Event()
        self._add(lambda batch: batch.waiting.append(done))
        self._now.set()
        done.wait(timeout)

    def close(self) -> None:
        """Write what is recorded and stop the writer thread (a later event starts another)."""
        with self._lock:
            if self._stop.is_set() or not self._thread.is_alive():
                return
            self._stop.set()
            self._pending.set()
            self._now.set()
            thread = self._thread
        thread.join(30)

    def _take(self) -> _Batch:
        """The batch to write (a new one takes its place)."""
        with self._lock:
            batch, self._batch = self._batch, _Batch()
            self._pending.clear()
            self._now.clear()
            return batch

    def _run(self, stop: threading.Event) -> None:
        stores = None
        while True:
            while not (self._pending.wait(self.interval) or stop.is_set()):
                pass                        # idle (a writer started after a close may have taken the batch)
            self._now.wait(self.interval)   # gather an interval's events, unless asked to write now
            stopping = stop.is_set()        # before the batch is taken: nothing added before close() is left
            batch = self._take()
            if batch:
                try:
                    stores = stores or self._open_stores()
                    _write(stores, batch)
                except Exception:  # noqa: BLE001 - counts are not worth a failed request; the server log says why
                    log.exception("写入访问统计失败（%d 条）", len(batch))
            for done in batch.waiting:
                done.set()
            if stopping:
                return


class _Batch:
    """The events of one interval, counted: searches, searches with no result and those of them made as a member
    over the whole library per ``(day, query as typed)``, reads and downloads per ``(day, doc_id)``, the history
    entries of logged-in viewers, and the :meth:`Recorder.flush` calls waiting for them to be written."""

    def __init__(self):
        self.searches, self.empty, self.missing = Counter(), Counter(), Counter()
        self.reads, self.downloads = Counter(), Counter()
        self.history: list[tuple[int, int, str, str]] = []
        self.waiting: list[threading.Event] = []
        self.events = 0

    def search(self, day: str, key: str, nothing: bool, whole: bool) -> None:
        self.searches[(day, key)] += 1
        self.empty[(day, key)] += nothing
        self.missing[(day, key)] += nothing and whole
        self.events += 1

    def opened(self, kind: str, day: str, doc_ids: list[int], user_id: int | None, at: str) -> None:
        counts = self.reads if kind == "read" else self.downloads
        for doc_id in doc_ids:
            counts[(day, doc_id)] += 1
            if user_id is not None:
                self.history.append((user_id, doc_id, kind, at))
        self.events += len(doc_ids)

    def __len__(self) -> int:
        return self.events


def _write(stores: tuple[Analytics, Collections], batch: _Batch) -> None:
    analytics, collections = stores
    searches, empty, missing = Counter(), Counter(), Counter()
    for (day, query), n in batch.searches.items():   # as typed: counted by their query_key (none: not counted)
        if key := query_key(query):
            searches[(day, key)] += n
            empty[(day, key)] += batch.empty[(day, query)]
            missing[(day, key)] += batch.missing[(day, query)]
    if searches or batch.reads or batch.downloads:
        analytics.write(searches, empty, missing, batch.reads, batch.downloads)
    collections.record_history(batch.history)
