"""The result cache of repeated searches (sucai.resultcache, issue 16): a repeated search is served from
it, but never a member's result to a visitor, never a hidden, removed or re-bounded document — even
while the index lags, or when another process made the change — and never a result of an older index
generation. Each test first puts the result it must not get into the cache, so it fails when the key
misses the tier or the state."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import store

from sucai.library import Library
from sucai.resultcache import ResultCache
from sucai.search import SearchRequest

FREE = "关于推进基层治理的通知。一、总体要求。加强统筹协调，推进基层治理现代化。"
SECRET = "会员部分写明红杉乙计划的具体测算口径。"



def hits(library: Library, q: str, member: bool, **kw) -> list[int]:
    result = library.search(SearchRequest(q=q, limit=50, **kw), member=member)
    return sorted(h.id for h in result.hits)


def test_a_repeated_search_is_served_from_the_cache(library):
    doc = store(library.catalogue, "基层治理通知", FREE)
    library.index.sync()
    first = library.search(SearchRequest(q="基层治理"), member=False)
    again = library.search(SearchRequest(q="基层治理"), member=False)
    assert [h.id for h in first.hits] == [doc]
    assert again.hits is first.hits and again.facets is first.facets   # the same objects: not computed again
    other_page = library.search(SearchRequest(q="基层治理", page=2), member=False)
    assert other_page.hits == [] and other_page.facets is first.facets   # facets do not depend on the page


def test_no_cache_computes_every_search(home):
    library = Library.open(home, search_cache_entries=0)
    store(library.catalogue, "基层治理通知", FREE)
    library.index.sync()
    first, again = (library.search(SearchRequest(q="基层治理"), member=False) for _ in range(2))
    assert first.hits == again.hits and again.hits is not first.hits
    assert len(library.results) == 0
    library.close()


@pytest.mark.parametrize("mode", ["ranked", "precise"])
def test_a_members_result_is_never_served_to_a_visitor(library, mode):
    doc = store(library.catalogue, "测算方案", FREE + SECRET, paid_from=len(FREE))
    library.index.sync()
    member = library.search(SearchRequest(q="红杉乙计划", mode=mode), member=True)
    assert [h.id for h in member.hits] == [doc] and "红杉乙计划" in member.hits[0].snippet
    counted = {"genre": [{"value": "其他", "count": 1}], "year": [], "source": [{"value": "未注明", "count": 1}]}
    assert member.facets == counted   # a document stored without them: 文种 其他, 来源 未注明, no year
    visitor = library.search(SearchRequest(q="红杉乙计划", mode=mode), member=False)
    assert visitor.total == 0 and visitor.hits == []
    assert visitor.facets == {"genre": [], "year": [], "source": []}   # nor the member's facet counts
    # and the other way round: a visitor's cached result, or facet counts, are not what a member gets
    assert library.search(SearchRequest(q="红杉乙计划", mode=mode), member=True).total == 1
    assert library.search(SearchRequest(q="测算口径", mode=mode), member=False).facets["genre"] == []
    assert library.search(SearchRequest(q="测算口径", mode=mode), member=True).facets == counted


def test_a_hidden_document_is_not_served_while_the_index_lags(library):
    doc = store(library.catalogue, "基层治理通知", FREE)
    library.index.sync()
    assert hits(library, "基层治理", member=False) == [doc]   # now in the cache
    library.catalogue.set_hidden(doc, True)   # the index is not synced: it lags
    assert library.catalogue.change_count() > library.index.applied
    assert hits(library, "基层治理", member=False) == []
    assert hits(library, "基层治理", member=True) == []
    library.index.sync()
    assert hits(library, "基层治理", member=False) == []


def test_a_removed_or_rebounded_document_is_not_served_from_the_cache(library):
    free = store(library.catalogue, "基层治理通知", FREE)
    bounded = store(library.catalogue, "红杉乙计划方案", "红杉乙计划的总体安排。" + SECRET)
    library.index.sync()
    assert hits(library, "测算口径", member=False) == [bounded]
    assert hits(library, "基层治理", member=False) == [free]
    library.catalogue.update(bounded, paid_from=len("红杉乙计划的总体安排。"))   # index lags
    assert hits(library, "测算口径", member=False) == []
    library.catalogue.remove(free)
    assert hits(library, "基层治理", member=False) == []


def test_a_new_index_generation_is_searched_afresh(library):
    first = store(library.catalogue, "基层治理通知一", FREE)
    library.index.sync()
    assert hits(library, "基层治理", member=False) == [first]
    second = store(library.catalogue, "基层治理通知二", FREE + "第二份。")
    assert hits(library, "基层治理", member=False) == [first]   # stored, not yet indexed: not searchable
    library.index.sync()
    assert hits(library, "基层治理", member=False) == [first, second]


def test_changes_made_by_another_process_reach_this_ones_cache(home, library):
    doc = store(library.catalogue, "基层治理通知", FREE)
    library.index.sync()
    assert hits(library, "基层治理", member=False) == [doc]
    other = Library.open(home)   # another server process: its own connections, index reader and cache
    other.set_hidden(doc, True)
    other.close()
    assert hits(library, "基层治理", member=False) == []


def test_a_search_after_another_process_committed_sees_its_change(home, library):
    """A search reuses the last snapshot while the catalogue and the index marker are unchanged (SQLite's
    data_version; PostgreSQL reads the state every time); a commit by another OS process — a document hidden
    there, its index lagging here, or one added and indexed there — is seen by the very next search."""
    doc = store(library.catalogue, "基层治理通知", FREE)
    library.index.sync()
    assert hits(library, "基层治理", member=False) == hits(library, "基层治理", member=False) == [doc]

    def elsewhere(code: str) -> None:
        subprocess.run([sys.executable, "-c", f"from sucai.library import Library\nlibrary = Library.open({str(home)!r})\n{code}"],
                       check=True)

    elsewhere(f"library.catalogue.set_hidden({doc}, True)")
    assert hits(library, "基层治理", member=False) == []
    elsewhere(f"library.catalogue.set_hidden({doc}, False)\nlibrary.index.sync()")
    assert hits(library, "基层治理", member=False) == [doc]
    elsewhere("from sucai.model import Document\nfrom sucai.ingest import text_hash\n"
              f"new = Document(title='基层治理续报', text={FREE!r} + '续报。')\n"
              "library.catalogue.add(new, text_hash(new), '/test/more', 'y')\nlibrary.index.sync()")
    assert len(hits(library, "基层治理", member=False)) == 2


def test_a_search_after_the_catalogue_was_reopened_sees_a_change_made_meanwhile(library):
    """SQLite's data_version of a new connection starts at the same number as every other one did: the last
    snapshot must not be given again on the number of a connection opened since (after ``dispose``, or in a
    forked child), though the catalogue changed in between (found by an attack: a forked child searched with
    its parent's snapshot, a document hidden in the child still counted)."""
    doc = store(library.catalogue, "基层治理通知", FREE)
    library.index.sync()
    assert hits(library, "基层治理", member=False) == [doc]   # the snapshot this process keeps
    library.catalogue.db.dispose()   # its connections closed, as a forked child has none of its parent's
    library.catalogue.set_hidden(doc, True)   # committed before the next search opens its own connection
    assert hits(library, "基层治理", member=False) == []


def test_merging_near_duplicates_is_seen_at_once(library):
    one = store(library.catalogue, "基层治理通知", FREE)
    two = store(library.catalogue, "基层治理通知（修订稿）", FREE + "（修订稿）")
    library.index.sync()
    assert hits(library, "基层治理", member=False) == [one, two]
    library.clusters.merge([one, two])   # an admin: the two are versions of one document
    assert len(hits(library, "基层治理", member=False)) == 1


def test_the_cache_keeps_at_most_its_entries():
    cache = ResultCache(2)
    computed = []
    for key in ("a", "b", "c", "a"):
        cache.get(key, lambda key=key: computed.append(key) or key)
    assert computed == ["a", "b", "c", "a"] and len(cache) == 2   # "a" was the least recently used
    assert cache.get("a", lambda: "other") == ("a", True)


def test_a_visitors_read_of_a_document_is_never_a_members_hit(home):
    """The documents a search's hits are read as are kept per state and tier (Snapshot.hit_documents), even with no
    result cache: a visitor's read of a document — its members part left unread, spaces in its place — first, then a
    member's search of the same state gets the whole text, and a visitor after the member still only the free part."""
    library = Library.open(home, search_cache_entries=0)
    doc = store(library.catalogue, "测算方案", FREE + SECRET, paid_from=len(FREE))
    library.index.sync()
    visitor = library.search(SearchRequest(q="基层治理"), member=False)
    assert [h.id for h in visitor.hits] == [doc] and "红杉" not in visitor.hits[0].snippet
    member = library.search(SearchRequest(q="红杉乙计划"), member=True)
    assert [h.id for h in member.hits] == [doc] and "红杉乙计划" in member.hits[0].snippet
    again = library.search(SearchRequest(q="基层治理"), member=False)
    assert again.hits == visitor.hits
    library.close()


def test_a_document_edited_since_a_search_read_it_is_read_again(home):
    """A later state (an edit applied to the index) reads a hit's document again: its new title, not the one an
    earlier search of the old state read."""
    library = Library.open(home, search_cache_entries=0)
    doc = store(library.catalogue, "基层治理通知", FREE)
    library.index.sync()
    assert [h.title for h in library.search(SearchRequest(q="基层治理"), member=False).hits] == ["基层治理通知"]
    library.update(doc, title="基层治理工作通知")
    assert [h.title for h in library.search(SearchRequest(q="基层治理"), member=False).hits] == ["基层治理工作通知"]
    assert [h.title for h in library.search(SearchRequest(q="基层治理"), member=True).hits] == ["基层治理工作通知"]
    library.close()


def test_many_keys_are_computed_once_and_kept_within_their_size():
    cache = ResultCache(10, size=len)
    asked = []

    def compute(keys):
        asked.append(keys)
        return {key: key * 3 for key in keys if key != "none"}   # "none" has no value

    assert cache.get_many(["ab", "c", "none"], compute) == {"ab": "ababab", "c": "ccc"}
    assert cache.get_many(["c", "ab", "d", "none"], compute) == {"ab": "ababab", "c": "ccc", "d": "ddd"}
    assert asked == [["ab", "c", "none"], ["d", "none"]]   # only what was not kept
    # 6 + 3 + 3 characters do not fit in 10: "c", read before "ab" by the second call, went first
    assert cache.get_many(["ab", "c", "d"], lambda keys: {key: "?" for key in keys}) == {"ab": "ababab", "c": "?",
                                                                                         "d": "ddd"}
    assert cache.get_many(["long"], compute) == {"long": "longlonglong"}   # 12 characters: not kept
    assert cache.get_many(["long"], lambda keys: {}) == {}
    assert ResultCache(0).get_many(["x"], lambda keys: {"x": 1}) == {"x": 1}
