"""The change log's retention (ops28): :meth:`sucai.store.Catalogue.prune_changes` deletes the changes older than
``change_log_days`` but never the newest, and a reader that applied the log only up to a change before the pruned
point — a search index (its sync, its snapshot, an ingest's batch) or the type-ahead titles — reads everything again
and ends as a library built from scratch does, never with what the deleted changes changed missing."""

from __future__ import annotations

import shutil
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from conftest import age, new_database, store

from sucai.index import SearchIndex
from sucai.replica import Follower
from sucai.search import SearchRequest, search
from sucai.store import Catalogue
from sucai.suggest import TitleIndex

SECRET = "会员部分写明红杉乙计划的具体测算口径。"
HEAD = "红杉乙计划的总体安排。"


def cut_off(days: int = 90) -> str:
    return (datetime.now(timezone.utc) - timedelta(days=days)).isoformat(timespec="microseconds")


def test_pruning_keeps_the_kept_days_and_always_the_newest_change(database_url, tmp_path):
    """Of five additions, the three dated long ago go and the two of today stay; the log then answers from the
    pruned point on and refuses (None) a reader from before it. Dated long ago all, the newest still stays: the
    change count never goes back, and the next change is numbered after it."""
    catalogue = Catalogue(database_url or tmp_path / "catalogue.sqlite3")
    ids = [store(catalogue, f"文档{n}", f"第{n}篇的正文。") for n in range(5)]
    log = catalogue.changes_since(0)
    assert [(doc_id, kind) for _, doc_id, kind in log] == [(doc_id, "add") for doc_id in ids]
    seqs = [seq for seq, _, _ in log]
    age(catalogue, seqs[2])

    assert catalogue.prune_changes(cut_off()) == 3
    assert catalogue.pruned_through() == seqs[2] and catalogue.change_count() == seqs[4]
    assert catalogue.changes_since(seqs[2]) == log[3:] and catalogue.changes_since(seqs[3], 1) == log[4:]
    assert catalogue.changes_since(0) is None and catalogue.changes_since(seqs[1], 1) is None
    assert catalogue.index_state(seqs[1]) == (seqs[4], None) and catalogue.index_state(seqs[2]) == (seqs[4], [])
    assert catalogue.prune_changes(cut_off()) == 0   # nothing older left

    age(catalogue)
    assert catalogue.prune_changes(cut_off()) == 1   # the newest stays
    assert catalogue.changes_since(seqs[3]) == log[4:] and catalogue.change_count() == seqs[4]
    assert catalogue.pruned_through() == seqs[3]
    catalogue.update(ids[0], title="改过的文档0")
    assert [kind for _, _, kind in catalogue.changes_since(seqs[4])] == ["update"]
    assert catalogue.change_count() > seqs[4]


def test_pruning_in_batches_deletes_what_one_pruning_does(database_url, backend, request, tmp_path, monkeypatch):
    """A first pruning of a large log goes a transaction per batch, oldest first: of seven changes five dated long
    ago go in batches of two (three transactions), each recording the newest it deleted — a reader between them is
    refused from that point on, never before —, and the log and its point end as one pruning leaves them (the
    oracle: a twin catalogue pruned in one transaction, and the two changes of today by hand)."""
    twins = [Catalogue(database_url or tmp_path / "batches.sqlite3"),
             Catalogue(new_database(backend, request) or tmp_path / "oracle.sqlite3")]
    for catalogue in twins:
        for n in range(7):
            store(catalogue, f"文档{n}", f"第{n}篇的正文。")
        age(catalogue, catalogue.change_count() - 2)
    batched, oracle = twins
    log = batched.changes_since(0)
    points = []
    prune = Catalogue._prune_batch
    monkeypatch.setattr(Catalogue, "_prune_batch", lambda self, *args: (
        (went := prune(self, *args)), points.append(self.pruned_through()))[0])

    assert batched.prune_changes(cut_off(), batch=2) == 5
    assert points == [log[1][0], log[3][0], log[4][0]]
    assert oracle.prune_changes(cut_off()) == 5 and len(points) == 4
    assert batched.changes_since(log[4][0]) == oracle.changes_since(log[4][0]) == log[5:]
    assert batched.pruned_through() == oracle.pruned_through() == log[4][0]


def answers(index: SearchIndex) -> list:
    """What searches and the index give: for a member and a visitor, each query's total, hits with snippets and
    facets; and the ids of the index's entries."""
    found = []
    for q in ("基层治理", "测算口径", "红杉乙计划", "安全生产", "通知"):
        for member in (True, False):
            result = search(index, SearchRequest(q=q, limit=50), member=member)
            found.append((q, member, result.total, [(h.id, h.title, h.snippet) for h in result.hits], result.facets))
    return [found, index.indexed_ids()]


def test_an_index_and_titles_behind_the_pruned_log_are_built_again_as_a_fresh_library_would_be(library, tmp_path):
    """An index and a type-ahead list that applied the log before a hiding, a re-bounding, a title edit and a
    removal, whose changes were then pruned: until the index syncs, a search trusts none of its entries (not the
    visitor's stale entry of the now members-only 测算口径); its sync re-indexes everything, and a new index opened
    over the stale one does too — both then answer as an index built from scratch; the titles are read again."""
    catalogue = library.catalogue
    removed = store(catalogue, "旧的基层治理通知", "基层治理旧办法。")   # not the highest id: SQLite gives that again
    free = store(catalogue, "基层治理通知", "关于推进基层治理的通知。加强统筹协调，推进基层治理现代化。")
    bounded = store(catalogue, "红杉乙计划方案", HEAD + SECRET)
    edited = store(catalogue, "安全生产通知", "关于安全生产大检查的通知。")
    library.index.sync()
    titles = TitleIndex(catalogue)
    assert [s.id for s in titles.suggest("通知")] == [free, edited, removed]   # 通知 at 4, 4 and 6
    assert [h.id for h in library.search(SearchRequest(q="测算口径"), member=False).hits] == [bounded]

    catalogue.set_hidden(free, True)
    catalogue.update(bounded, paid_from=len(HEAD))
    catalogue.update(edited, title="安全生产工作通知")
    catalogue.remove(removed)
    age(catalogue)
    added = store(catalogue, "基层治理新规定", "基层治理的新规定。")   # the newest change: kept
    assert catalogue.prune_changes(cut_off()) == 8
    assert library.index.applied < catalogue.pruned_through()

    assert library.index.snapshot().changed == (removed, free, bounded, edited)   # every entry of the stale index
    assert library.search(SearchRequest(q="测算口径"), member=False).hits == []
    assert [(s.id, s.title) for s in titles.suggest("工作通知")] == [(edited, "安全生产工作通知")]
    assert [s.id for s in titles.suggest("基层治理")] == [added]

    fresh_settings = replace(library.settings, home=tmp_path / "fresh")
    fresh_settings.home.mkdir()
    fresh = SearchIndex(fresh_settings, catalogue)   # an index built from scratch: the oracle
    assert fresh.indexed_ids() == [bounded, edited, added]
    expected = answers(fresh)
    stale = tmp_path / "stale"
    shutil.copytree(library.settings.index_dir, stale)
    assert library.index.sync() == 3   # every document that is not hidden
    assert answers(library.index) == expected

    shutil.rmtree(library.settings.index_dir)
    shutil.copytree(stale, library.settings.index_dir)   # the stale index again, opened anew
    reopened = SearchIndex(library.settings, catalogue)
    assert reopened.rebuilt == 3 and reopened.applied == catalogue.change_count()
    assert answers(reopened) == expected


def test_an_ingest_batch_begun_before_the_pruned_point_ends_as_a_rebuild(library):
    """A batch of an ingest (an index :class:`~sucai.index.Feed`) began before a hiding whose change was pruned
    while it ran: its commit indexes everything again, so the hidden document's entry goes and the batch's own
    document is there — the entries a fresh index holds."""
    catalogue = library.catalogue
    hidden = store(catalogue, "基层治理通知", "关于推进基层治理的通知。")
    kept = store(catalogue, "安全生产通知", "关于安全生产大检查的通知。")
    library.index.sync()
    feed = library.index.feed()
    fed = store(catalogue, "防汛工作通知", "关于做好防汛工作的通知。")
    feed.add(catalogue.get(fed))
    catalogue.set_hidden(hidden, True)
    age(catalogue, catalogue.change_count() - 1)
    last = store(catalogue, "乡村振兴通知", "关于乡村振兴的通知。")
    assert catalogue.prune_changes(cut_off()) > 0 and catalogue.pruned_through() > feed._applied
    feed.commit()
    assert library.index.indexed_ids() == catalogue.document_ids() == [kept, fed, last]
    assert library.index.applied == catalogue.change_count()


def test_a_servers_follower_prunes_the_log_once_a_day(library):
    """The follower thread of ``sucai serve`` deletes the changes older than ``change_log_days`` (90 by default)
    after a sync, once a day: the changes dated long ago after its first pruning stay that day."""
    catalogue = library.catalogue
    for n in range(3):
        store(catalogue, f"文档{n}", f"第{n}篇的正文。")
    age(catalogue)
    newest = catalogue.change_count()
    follower = Follower(library, poll_seconds=0.05).start()
    try:
        _wait(lambda: catalogue.pruned_through() > 0)
        first = catalogue.pruned_through()
        assert catalogue.changes_since(first) == [(newest, newest, "add")] and library.index.applied == newest
        store(catalogue, "文档3", "第3篇的正文。")
        age(catalogue)
        for n in (4, 5):   # a round of the follower begun after the dating ends before the last is applied
            _wait(lambda: library.index.applied == catalogue.change_count())
            store(catalogue, f"文档{n}", f"第{n}篇的正文。")
        _wait(lambda: library.index.applied == catalogue.change_count())
    finally:
        follower.stop()
    assert catalogue.pruned_through() == first and len(catalogue.changes_since(first)) == 4


def _wait(condition, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "等待超时"
        time.sleep(0.02)
