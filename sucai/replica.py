"""How a server's search index follows the shared catalogue (several web nodes, one database).

Each ``sucai serve`` process runs one :class:`Follower`: a thread that applies the
catalogue's change log to this node's index (:meth:`sucai.index.SearchIndex.sync`)
as soon as it grows. On PostgreSQL it waits on ``LISTEN`` for the notification
every change sends (:data:`sucai.store.CHANNEL`); on both backends it also polls
every ``index_poll_seconds``, so a lost notification, a dropped connection or a
proxy that does not pass notifications (PgBouncer in transaction mode) delays a
change by that much at most. A document ingested on any node (or by ``sucai
ingest`` / ``sucai watch`` on a separate worker) is thus searchable on every node
within about a second. A node that starts, or comes back after a crash, catches
up the same way: its index remembers the last change it applied.

Once a day, right after a sync (so that its own node's index holds every change it deletes), the follower deletes
what is older than its settings keep (:func:`sucai.retention.prune`): the changes older than ``change_log_days``
from the log (:meth:`sucai.store.Catalogue.prune_changes`, which keeps the newest), whose only readers are the nodes'
indexes and caches following it — one that comes back further behind builds itself again from the catalogue
(:meth:`sucai.index.SearchIndex.sync`); 今日更新 and the feeds read the documents' own times, not the log —, and the
counts of 用户在找什么 and the audit entries past their days.
"""

from __future__ import annotations

import logging
import threading

import psycopg

from . import retention
from .store import CHANNEL

log = logging.getLogger(__name__)


class Follower:
    """Keeps ``library.index`` up to date with ``library.catalogue`` from a background thread."""

    def __init__(self, library, poll_seconds: float | None = None):
        self.library = library
        self.poll_seconds = poll_seconds or library.settings.index_poll_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Follower:
        self._thread = threading.Thread(target=self._run, name="sucai-follower", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        listener = None
        while not self._stop.is_set():
            try:
                self.library.index.sync()   # searches read the new commit (SearchIndex.snapshot)
                retention.prune(self.library)   # once a day: its catalogue remembers the day
            except Exception:  # noqa: BLE001 - keep following; the next round retries
                log.warning("跟随变更日志失败", exc_info=True)
            if self.library.catalogue.db.postgres:
                listener = self._wait_for_notification(listener)
            else:
                self._stop.wait(self.poll_seconds)
        if listener is not None:
            listener.close()

    def _wait_for_notification(self, listener: psycopg.Connection | None) -> psycopg.Connection | None:
        """Wait up to ``poll_seconds`` for a change notification; returns the listening connection
        (None when it could not be opened: then this was a plain pause)."""
        try:
            if listener is None or listener.closed:
                url = self.library.catalogue.db.url.set(drivername="postgresql")
                listener = psycopg.connect(url.render_as_string(hide_password=False), autocommit=True,
                                           connect_timeout=10, application_name="sucai-follower")
                listener.execute(f"LISTEN {CHANNEL}")
            for _ in listener.notifies(timeout=self.poll_seconds, stop_after=1):
                pass
            return listener
        except psycopg.Error:
            log.warning("监听变更通知失败，暂改为定时查询", exc_info=True)
            if listener is not None:
                listener.close()
            self._stop.wait(self.poll_seconds)
            return None
