"""How long what sucai records is kept, and the one place what is older is deleted.

Three records grow with use, each kept for a setting's time:

- the change log the search indexes follow (the catalogue's ``changes``): ``change_log_days`` days, and always its
  newest change (:meth:`sucai.store.Catalogue.prune_changes`; a reader behind the deleted changes builds itself
  again from the catalogue);
- the counts of 用户在找什么 (``search_stats``, ``document_stats``): the last ``analytics_days`` local days
  (:meth:`sucai.analytics.Analytics.prune`);
- the audit log: ``audit_days`` days (:meth:`sucai.accounts.Accounts.prune_audit`);

and what the accounts keep of a document removed (favourites, history, counts of reads) goes with it, here only when
a process ended between the removal and that (two databases, two commits).

:func:`prune` deletes what is older, at most once a local day of the site — the day of the last pruning is kept in
the catalogue (meta :data:`PRUNED_ON`), so one process a day does it whoever calls it: each ``sucai serve``'s index
follower, right after a sync (its node's index then holds every change deleted, :mod:`sucai.replica`), ``sucai
ingest`` at its end and a watcher after each run (a library fed by cron or ``sucai watch``, never served). Each
table is deleted from in transactions of at most :data:`sucai.db.DELETE_BATCH` rows, so the first pruning of a large
old library keeps no reader or writer waiting long.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from .accounts import Accounts
from .analytics import Analytics
from .collections import Collections

log = logging.getLogger(__name__)

PRUNED_ON = "pruned_on"   # catalogue meta: the site's local day (ISO) of the last pruning


def prune(library, now: datetime | None = None) -> dict[str, int] | None:
    """Delete from ``library`` (a :class:`sucai.library.Library`) and its accounts database the records older than
    their settings keep, unless done already on this local day of the site (``now``: an aware time, default the
    clock's). Returns how many rows went of each record — ``changes``; ``counts``, ``audit`` and ``removed`` (of
    removed documents) unless the library has no accounts database (an embedded library never served nor given a
    user: none is made here) —, or None when it was done today. Raises what the databases raise (the day is then not
    marked: the next call retries)."""
    settings, catalogue = library.settings, library.catalogue
    now = now or datetime.now(timezone.utc)
    today = now.astimezone(settings.zone).date()
    if catalogue.meta(PRUNED_ON) == today.isoformat():
        return None
    before = (now - timedelta(days=settings.change_log_days)).isoformat(timespec="microseconds")
    pruned = {"changes": catalogue.prune_changes(before)}
    if (accounts := Accounts.existing(settings, now=lambda: now)) is not None:
        pruned["counts"] = Analytics(accounts, settings.zone, settings.analytics_days).prune(today)
        pruned["audit"] = accounts.prune_audit()
        pruned["removed"] = _forget_removed(catalogue, Collections(accounts))
    catalogue.set_meta(PRUNED_ON, today.isoformat())
    if any(pruned.values()):
        log.info("已删除超过保留期限的记录：变更日志 %d 条，访问统计 %d 条，审计日志 %d 条；已删除文档的收藏、记录和统计 %d 条",
                 pruned["changes"], pruned.get("counts", 0), pruned.get("audit", 0), pruned.get("removed", 0))
    return pruned


def _forget_removed(catalogue, collections: Collections) -> int:
    """What the accounts keep of documents the catalogue no longer holds (:meth:`Collections.forget
    <sucai.collections.Collections.forget>`): a removal forgets it at once (:meth:`sucai.library.Library.remove`),
    but the two are two databases — a process ended between them, or another version's removal, leaves it here.
    Returns how many rows went."""
    kept = collections.documents_kept()
    gone = sorted(kept - catalogue.existing_ids(kept))
    return sum(collections.forget(gone[start:start + 1_000]) for start in range(0, len(gone), 1_000))
