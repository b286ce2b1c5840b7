"""What sucai records is kept for its settings' time (:mod:`sucai.retention`): the change log, the counts of
用户在找什么 and the audit log are pruned together, once a local day, by a server's index follower whether or not it
counts anything, and by ``sucai ingest`` (a library run from cron alone); a library without accounts gets none."""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

from conftest import age, store
from sqlalchemy import select

from sucai.accounts import VISITOR, Accounts
from sucai.analytics import Analytics
from sucai.config import load_settings
from sucai.db.schema import document_stats, search_stats
from sucai.library import Library
from sucai.replica import Follower
from sucai.retention import PRUNED_ON, prune


def audited(settings, *ages: int, now: datetime) -> Accounts:
    """The accounts of ``settings``, an audit entry written ``age`` days before ``now`` for each of ``ages`` (its
    detail the age)."""
    clock = [now]
    accounts = Accounts.from_settings(settings, now=lambda: clock[0])
    for days in ages:
        clock[0] = now - timedelta(days=days)
        accounts.audit("login_failed", VISITOR, str(days))
    return accounts


def test_each_record_goes_past_its_days_once_a_local_day(home):
    """With analytics_days 3 and audit_days 180 (change_log_days 90): the two changes dated long ago go (not the two
    of today), one day's row of each table of counts (today and the two days before stay) and the audit entry of
    181 days ago (not 179). The same day again nothing is done, though an entry of 181 days ago was written since;
    the next local day it goes, and the counts of the day that left the three."""
    settings = load_settings(home, analytics_days=3, audit_days=180)
    library = Library(settings)
    read = [store(library.catalogue, f"文档{n}", f"第{n}篇的正文。") for n in range(4)][0]
    age(library.catalogue, library.catalogue.change_count() - 2)
    now = datetime.now(timezone.utc)
    today = now.astimezone(settings.zone).date()
    accounts = audited(settings, 181, 179, 0, now=now)
    days = [(today - timedelta(days=back)).isoformat() for back in range(4)]
    Analytics(accounts, settings.zone).write(Counter({(day, "河长制"): 1 for day in days}), Counter(), Counter(),
                                             Counter({(day, read): 1 for day in days}), Counter())

    assert prune(library, now) == {"changes": 2, "counts": 2, "audit": 1, "removed": 0}
    assert library.catalogue.pruned_through() == library.catalogue.change_count() - 2
    assert [e["detail"] for e in accounts.audit_log()] == ["0", "179"]
    audited(settings, 181, now=now)
    assert prune(library, now + timedelta(hours=1)) is None and len(accounts.audit_log()) == 3
    assert library.catalogue.meta(PRUNED_ON) == today.isoformat()

    assert prune(library, now + timedelta(days=1)) == {"changes": 0, "counts": 2, "audit": 1, "removed": 0}
    for table in (search_stats, document_stats):
        assert sorted(accounts._read(select(table.c.day))) == [(day,) for day in sorted(days[:2])]
    library.close()


def test_a_library_without_accounts_has_its_change_log_pruned_and_no_accounts_made(library, database_url):
    """An embedded library only ever ingested into has no accounts database: its change log is pruned and none is
    made for it (on PostgreSQL the accounts' tables are the library database's, pruned of nothing)."""
    store(library.catalogue, "文档", "正文。")
    store(library.catalogue, "文档二", "正文二。")
    age(library.catalogue)
    accounts = {"counts": 0, "audit": 0, "removed": 0} if database_url else {}
    assert prune(library) == {"changes": 1, **accounts}
    assert not library.settings.accounts_path.exists()


def test_sucai_ingest_prunes_at_its_end_once_a_day(cli, home, tmp_path):
    """cron's daily `sucai ingest` on a library never served: the first ingest of a day deletes the changes and the
    audit entries past their days (730 days by default: one of 731 days ago goes, one of 729 stays), a second that
    day none."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()

    def ingest(name: str) -> None:
        (inbox / name).write_text(f"{Path(name).stem}通知\n\n{name}的正文。\n", encoding="utf-8")
        assert cli("ingest", str(inbox))[0] == 0

    ingest("甲.txt")
    library = Library.open(home)
    catalogue = library.catalogue
    age(catalogue)
    accounts = audited(library.settings, 731, 729, now=datetime.now(timezone.utc))
    catalogue.set_meta(PRUNED_ON, "2000-01-01")   # the day of the last pruning: long ago
    first = catalogue.change_count()
    ingest("乙.txt")
    assert catalogue.pruned_through() == first and [e["detail"] for e in accounts.audit_log()] == ["729"]
    age(catalogue)
    ingest("丙.txt")
    assert catalogue.pruned_through() == first
    library.close()


def test_a_server_that_counts_nothing_prunes_the_audit_log(library):
    """The audit log went only when the analytics writer wrote counts: a server nobody searched kept it for ever.
    The index follower of every `sucai serve` prunes it."""
    accounts = audited(library.settings, 731, 1, now=datetime.now(timezone.utc))
    follower = Follower(library, poll_seconds=0.05).start()
    try:
        deadline = time.monotonic() + 20   # ends a hang only
        while len(accounts.audit_log()) > 1 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        follower.stop()
    assert [e["detail"] for e in accounts.audit_log()] == ["1"]
