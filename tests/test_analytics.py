"""The recorder of 用户在找什么 (:mod:`sucai.analytics`): events counted in memory, written in batches, none lost."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from sucai.accounts import VISITOR, Accounts
from sucai.analytics import Analytics, Recorder, query_key
from sucai.collections import Collections
from sucai.config import load_settings
from sucai.db.schema import document_stats, search_stats

QUERIES = ("基层减负", " 基层\u3000减负", "乡村振兴", "安全生产", "河長制", "\x00 ")   # one key for the first two; none for the last
THREADS, EACH = 8, 300


def test_events_from_many_threads_are_all_written_across_flushes_and_a_restart(home):
    """Eight threads record 300 events each (searches, reads, downloads; one member's go to the history) while
    other flushes and a close (the app's lifespan ending; the next event starts the writer again) happen in
    between: every count is written exactly once. The expected totals are counted here, independently."""
    settings = load_settings(home)
    accounts = Accounts.from_settings(settings)
    accounts.add_user("会员", "correct-horse-9", "member", "2099-12-31")
    member = accounts.viewer("会员")
    zone = settings.zone
    recorder = Recorder(lambda: (Analytics(Accounts.from_settings(settings), zone),
                                 Collections(Accounts.from_settings(settings))), zone, interval=0.05)
    searches, empty, missing, reads, downloads, history = Counter(), Counter(), Counter(), Counter(), Counter(), Counter()
    lock = threading.Lock()

    def work(n: int) -> None:
        viewer = member if n == 1 else VISITOR   # one member: their history (kept: the newest 1,000) holds all
        for i in range(EACH):
            kind = i % 3
            if kind == 0:
                query = QUERIES[(n + i) % len(QUERIES)]
                recorder.searched(viewer, query, total=i % 2, filtered=i % 4 == 2)
                with lock:
                    if query_key(query):
                        searches[query_key(query)] += 1
                        empty[query_key(query)] += i % 2 == 0
                        missing[query_key(query)] += i % 4 == 0 and viewer is member
            elif kind == 1:
                recorder.read(viewer, 1 + i % 5)
                with lock:
                    reads[1 + i % 5] += 1
                    history[("read", 1 + i % 5)] += viewer is member
            else:
                recorder.downloaded(viewer, [10, 11])
                with lock:
                    downloads.update([10, 11])
                    history.update({("download", 10): viewer is member, ("download", 11): viewer is member})
            if i == EACH // 2 and n == 0:
                recorder.close()     # the lifespan ends half-way; later events start another writer
            elif i % 97 == 0:
                recorder.flush()

    first_day = datetime.now(timezone.utc).astimezone(zone).date()   # the site's day of the first event
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(work, range(THREADS)))
    recorder.flush()
    recorder.close()

    today = datetime.now(timezone.utc).astimezone(zone).date()   # every day an event was recorded on (at 23:59:59: two)
    report = Analytics(accounts, zone).report(days=1 + (today - first_day).days, limit=100, today=today)
    assert {r["query"]: (r["searches"], r["empty"]) for r in report["top_queries"]} == \
           {q: (n, empty[q]) for q, n in searches.items()}
    assert {r["query"] for r in report["empty_queries"]} == {q for q, n in missing.items() if n}
    assert {r["query"] for r in report["narrowed_queries"]} == {q for q, n in empty.items() if n and not missing[q]}
    assert {r["doc_id"]: r["count"] for r in report["most_read"]} == dict(reads)
    assert {r["doc_id"]: r["count"] for r in report["most_downloaded"]} == dict(downloads)
    kept = Counter((e["kind"], e["doc_id"]) for e in Collections(accounts).history(member, limit=10_000))
    assert kept == +history
    assert len(searches) == len(QUERIES) - 2 and sum(reads.values()) == sum(downloads.values()) / 2 == THREADS * EACH // 3
    accounts.close()


def test_days_are_the_sites(home):
    """Beijing's 2026-12-02 begins at 2026-12-01 16:00 UTC; a time before that is its 12-01."""
    analytics = Analytics(Accounts.from_settings(load_settings(home)), load_settings(home).zone)
    assert analytics.day_start("2026-12-02") == "2026-12-01T16:00:00.000000+00:00"
    assert analytics.local_day("2026-12-01T16:00:00+00:00") == "2026-12-02"
    assert analytics.local_day("2026-12-01T15:59:59.999999+00:00") == "2026-12-01"


def test_prune_keeps_the_last_days_of_counts_and_the_audit_days(home):
    """With analytics_days 3, the counts of the three local days up to today stay and the day before goes, in both
    tables; with audit_days 180, an entry written 181 days ago goes and one of 179 days ago stays."""
    settings = load_settings(home, analytics_days=3, audit_days=180)
    now = datetime(2026, 12, 5, 12, tzinfo=timezone.utc)
    clock = [now]
    accounts = Accounts.from_settings(settings, now=lambda: clock[0])
    for age in (181, 179, 0):
        clock[0] = now - timedelta(days=age)
        accounts.audit("login_failed", VISITOR, f"{age} 天前")
    clock[0] = now
    analytics = Analytics(accounts, settings.zone, settings.analytics_days)
    today = date(2026, 12, 5)
    days = [(today - timedelta(days=back)).isoformat() for back in range(4)]   # today and the three days before
    analytics.write(Counter({(day, "河长制"): 1 for day in days}), Counter(), Counter(),
                    Counter({(day, 7): 1 for day in days}), Counter())

    assert analytics.prune(today) == 2 and accounts.prune_audit() == 1   # a day's row of each table; 181 days ago
    for table in (search_stats, document_stats):
        assert sorted(accounts._read(select(table.c.day))) == [(day,) for day in sorted(days[:3])]
    assert [e["detail"] for e in accounts.audit_log()] == ["0 天前", "179 天前"]
