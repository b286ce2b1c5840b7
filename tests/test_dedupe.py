"""Near-duplicates (sucai.dedupe): clusters, representatives, one result per cluster, admin changes;
on the corpus, pairing of variants and the State Council / 海拉尔区 copies."""

from __future__ import annotations

import itertools
import json
import random
import re
from collections import Counter
from dataclasses import replace
from importlib import resources
from pathlib import Path

import pytest
import tantivy
from fastapi.testclient import TestClient
from click.testing import CliRunner

from sucai import access, search
from sucai.accounts import Accounts
from sucai.analysis import search_words
from sucai.cli import ExitCode
from sucai.cli import app as cli_app
from sucai.cli import run as run_cli
from sucai.db.schema import clusters, meta, signatures
from sucai.dedupe import JACCARD, Clusters, jaccard, quality, repeated, shingles, shown_quality
from sucai.fingerprint import skeleton_text
from sucai.index import SCHEMA
from sucai.library import Library
from sucai.model import Document
from sucai.query import content_pieces, parse_query
from sucai.search import SearchRequest
from sucai.web import create_app

SAMPLES = Path(str(resources.files("sucai").joinpath("samples"))) / "src"
REPORT = ("　—2017年2月11日在区第十四届人民代表大会第六次会议上\n\n各位代表：\n\n"
          "现在，我代表区人民政府向大会作工作报告，请予审议。\n\n一、过去五年工作回顾\n\n"
          "过去五年，我们坚持稳中求进工作总基调，经济社会发展取得新成效，人民群众获得感不断增强。")


def sample(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


def edited(text: str, rate: float, seed: int = 1) -> str:
    """``text`` with about ``rate`` of its Han characters replaced (seeded)."""
    rng = random.Random(seed)
    return "".join("某" if "\u4e00" <= c <= "\u9fff" and rng.random() < rate else c for c in text)


def ingest(library: Library, folder: Path, files: dict[str, str], encoding: str = "utf-8"):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_bytes(text.encode(encoding))
    return library.ingest([folder / name for name in files], workers=1)


def by_title(library: Library, prefix: str) -> int:
    return next(r["id"] for r in library.catalogue.summaries(include_hidden=True) if r["title"].startswith(prefix))


def hits(library: Library, q: str, mode: str = "precise", member: bool = True):
    return library.search(SearchRequest(q=q, mode=mode, limit=50), member=member)



ANNEX = "本材料另附表格三份"


def make_trio(library: Library, folder: Path, original: str, copy: str) -> tuple[Library, int, int, int]:
    """The library with ``original`` (a.md), ``copy`` (titled by its file name) and an unrelated 通知; their ids."""
    ingest(library, folder, {"a.md": original, "工作总结转存.txt": copy, "c.txt": sample("09_通知.txt")})
    a, b = by_title(library, "某县农业农村局2023年"), by_title(library, "工作总结转存")
    return library, a, b, by_title(library, "某县农业农村局关于做好")


def make_pair(library: Library, tmp_path: Path, original: str, members_text: str, free_text: str, part: str):
    """:func:`make_trio` with a copy of ``original`` (3 % edited, titled by its file name) that has ``members_text``
    at the start of its members part (``part`` "members") or ``free_text`` in an added last section; the
    original is the representative."""
    copy = edited(original, 0.03).split("\n", 1)[1]
    copy = (copy.replace("##paidbegin##", f"##paidbegin##{members_text}", 1) if part == "members"
            else copy + f"\n\n四、附记\n{free_text}\n")
    library, a, b, c = make_trio(library, tmp_path / "in", original, copy)
    assert [(v.id, v.representative) for v in library.clusters.versions(a)] == [(a, True), (b, False)]
    return library, a, b, c


@pytest.fixture
def trio(library, tmp_path):
    """A 工作总结 (the original), its copy with 3 % of the characters changed, a paragraph added and the
    file name as title, and an unrelated 通知."""
    original = sample("05_工作总结.txt")
    copy = edited(original, 0.03).split("\n", 1)[1] + f"\n\n四、附记\n{ANNEX}，供参考。\n"
    return make_trio(library, tmp_path / "in", original, copy)


def test_near_duplicates_are_one_cluster_with_the_better_copy_as_representative(trio):
    library, a, b, c = trio
    assert jaccard(shingles(library.get(a).text), shingles(library.get(b).text)) >= JACCARD
    versions = library.clusters.versions(a)
    assert [(v.id, v.representative) for v in versions] == [(a, True), (b, False)]  # a real title beats a file name
    assert library.clusters.versions(c) == []
    assert versions[1].similarity == pytest.approx(jaccard(shingles(library.get(a).text), shingles(library.get(b).text)), abs=1e-4)


WATER_REPORT = ("关于全县农田水利建设情况的报告\n县人大常委会：\n今年以来，我县围绕高标准农田建设目标，新修渠道四十二公里，"
                "改造泵站十一座，灌溉面积扩大到三万六千亩。\n一、主要做法\n坚持规划先行，整合涉农资金，实行项目公示和群众监督。\n"
                "二、存在问题\n部分工程管护责任不清，个别乡镇配套资金到位较慢。\n三、下步打算\n健全长效管护机制，加快资金拨付进度。\n"
                "某县人民政府\n2024年5月20日\n")


def test_a_compilation_holding_a_document_five_times_is_not_its_representative(library, tmp_path):
    """F5: a 汇编 holding the report 5 times has the report's shingle set (a near-duplicate), the same title and
    metadata, and five times its text; the report itself is shown for the cluster."""
    ingest(library, tmp_path / "in", {"报告.txt": WATER_REPORT, "汇编.txt": "\n".join([WATER_REPORT] * 5)})
    report, compilation = (next(r["id"] for r in library.catalogue.summaries(include_hidden=True)
                                if Path(library.get(r["id"]).source_path).name == name) for name in ("报告.txt", "汇编.txt"))
    assert library.get(compilation).chars > 4 * library.get(report).chars
    assert [(v.id, v.representative) for v in library.clusters.versions(report)] == [(report, True), (compilation, False)]


@pytest.mark.parametrize("times, mostly", [(1, False), (2, False), (5, True)])
def test_a_text_is_mostly_a_repetition_when_fewer_than_a_third_of_its_shingles_are_distinct(times, mostly):
    assert repeated(skeleton_text("\n".join([WATER_REPORT] * times))) is mostly


@pytest.mark.parametrize("mode", ["precise", "ranked"])
def test_search_shows_one_entry_per_cluster(trio, mode):
    library, a, b, c = trio
    result = hits(library, "乡村振兴", mode)
    ids = [h.id for h in result.hits]
    assert a in ids and b not in ids
    assert next(h for h in result.hits if h.id == a).other_versions == [b]
    assert result.total == len(ids)   # facets: test_a_facet_count_is_the_total_its_filter_gives
    # text only the copy has: the copy itself is the result, with the original as its version
    only_b = hits(library, "本材料另附表格三份", mode)
    assert [h.id for h in only_b.hits][:1] == [b] and only_b.hits[0].other_versions == [a]
    assert library.matching_ids(SearchRequest(q="乡村振兴", mode=mode), member=True)[1].count(b) == 0
    # both have a members part: a visitor sees them apart (whether they are alike is for members to know)
    assert {a, b} <= set(library.matching_ids(SearchRequest(q="乡村振兴", mode=mode))[1])


@pytest.mark.parametrize("part", ["free", "members"])
def test_a_version_with_the_exact_match_is_shown_before_partial_matches(library, tmp_path, part):
    """Attack find 3 of stop 25: the representative holds 附表 (a partial match of 另附表格三份), its version holds
    the whole phrase — in its free text, or in its members part, which only a member may match. Ranked searches
    show exact matches first across clusters: the version, where the viewer may match it (as a member, or in free
    text) — else the representative; a section search finds the version's section."""
    original = sample("05_工作总结.txt").replace("##paidend##", "##paidend##各项数据详见附表。", 1)
    library, a, b, c = make_pair(library, tmp_path, original, f"{ANNEX}。", f"{ANNEX}，供参考。", part)
    for member in (True, False):
        views = {doc_id: access.view(library.get(doc_id), member)[0] for doc_id in (a, b, c)}
        together = library.catalogue.cluster_of(a, free=not member) is not None   # not for visitors: members parts
        assert together == member
        for q in ("另附表格三份", ANNEX, "详见附表", "附表格"):
            for mode in ("ranked", "precise"):
                assert_shown(library, q, [h.id for h in hits(library, q, mode, member).hits], mode, member)
            holding = {doc_id for doc_id, view in views.items() if q in view.text}
            expected = ({a} if a in holding else holding & {b}) | holding & {c} if together else holding
            sections = library.search(SearchRequest(q=q, scope="section", limit=50), member=member).hits
            assert {h.id for h in sections if q in views[h.id].text[h.section_start:h.section_end]} == expected, q
            assert not together or not {a, b} <= {h.id for h in sections}, q
        shown = hits(library, "另附表格三份", "ranked", member).hits
        if member or part == "free":
            assert [h.id for h in shown][:1] == [b]


@pytest.mark.parametrize("member", [True, False])
def test_a_version_holding_a_word_of_the_query_is_shown_before_one_matching_by_bigrams(library, tmp_path, member):
    """Found by an attack (phase 10): the representative matches 另附表格三份 through the bigram 附表 alone, its
    version holds 表格, a word of the query; neither holds the phrase. The version is shown — so that the section
    search, which looks only in documents holding some word of the query, finds its section (it found nothing)
    and the document search shows the same member."""
    original = sample("05_工作总结.txt").replace("##paidbegin##", "").replace("##paidend##", "")
    copy = edited(original, 0.03).split("\n", 1)[1]
    original = original.replace("二、存在的问题", "各项数据详见附表。\n\n## 二、存在的问题", 1)
    copy = copy.replace("二、存在的问题", "另有统计表格备查。\n\n## 二、存在的问题", 1)
    library, a, b, c = make_trio(library, tmp_path / "in", original, copy)
    assert [(v.id, v.representative) for v in library.clusters.versions(a)] == [(a, True), (b, False)]
    q, words = "另附表格三份", ("另附", "表格", "三份")
    texts = {doc_id: library.get(doc_id).text for doc_id in (a, b)}
    assert [w for w in words if w in texts[b]] == ["表格"] and not any(w in texts[a] for w in words)
    assert "附表" in texts[a] and q not in texts[b]
    shown = {h.id for h in hits(library, q, "ranked", member).hits} & {a, b}
    sections = library.search(SearchRequest(q=q, scope="section", limit=50), member=member).hits
    found = {h.id for h in sections} & {a, b}
    assert shown == found == {b}
    section = next(h for h in sections if h.id == b)
    assert "表格" in texts[b][section.section_start:section.section_end]


@pytest.mark.parametrize("part", ["free", "members"])
def test_a_section_search_shows_a_version_whose_text_holds_the_needle_not_one_holding_it_in_its_title(
        library, tmp_path, part):
    """Left undone at stop 26: the representative holds 稻渔种养 in its title alone, its version in a section of its
    text (free, or members-only). A document search shows the representative (a title match is a match); a
    section search, whose sections are cut from the text, showed the representative and so no section at all.
    It shows the version's section where the viewer may see it (a member, or the free text), else nothing of
    the cluster — in either mode, for members and visitors."""
    term = "稻渔种养"
    original = sample("05_工作总结.txt").replace("乡村振兴工作总结", f"乡村振兴和{term}工作总结", 1)
    added = f"今年推广{term}示范两千亩。"
    library, a, b, c = make_pair(library, tmp_path, original, added, added, part)
    for member in (True, False):
        views = {doc_id: access.view(library.get(doc_id), member)[0] for doc_id in (a, b, c)}
        assert term in views[a].title and term not in views[a].text and (term in views[b].text) == (member or part == "free")
        holding = {doc_id for doc_id, view in views.items() if term in view.text}
        for mode in ("ranked", "precise"):
            assert_shown(library, term, [h.id for h in hits(library, term, mode, member).hits], mode, member)
            sections = library.search(SearchRequest(q=term, mode=mode, scope="section", limit=50), member=member).hits
            assert {h.id for h in sections} == holding, (mode, member)
            assert all(term in views[h.id].text[h.section_start:h.section_end] for h in sections)



LAGGING = "member, an entry lagging"


@pytest.mark.parametrize("viewer", ["visitor", "member", LAGGING])
@pytest.mark.parametrize("scope", ["doc", "section"])
def test_matching_members_are_ranked_as_unrestricted_searches_find_them(home, tmp_path, scope, viewer, monkeypatch):
    """The oracle of ``search._matching_members``, whose candidates are the clusters' flag of the viewer's grouping
    (and the members whose entries lack it, by id): its verbatim tests asked about the candidates alone (issue 16)
    rank each matching member 2 when every group of the query is verbatim in it, + 1 when a needle is, as separate
    searches of the whole index find them; and every page is the one the tests asked of the whole index give (the
    path before, which members took until their clusters had flags too) — for seeded queries: substrings of the
    original, its copy (3 % of it changed, a paragraph added) and the 通知, some of two terms or with an excluded
    term. For a visitor and a member the original and its copy have no members part (both groupings make them one
    cluster, every entry flagged); for ``LAGGING`` they have one (a cluster of members alone), and an admin merged the
    通知 into it: its entry is not written again for that (no entry is, for the clusters members see), so it lacks
    the members' ``clustered`` flag and is named."""
    library = Library.open(home, search_cache_entries=0)   # every search computed (none served from an earlier one)
    original = sample("05_工作总结.txt")
    if viewer != LAGGING:
        original = original.replace("##paidbegin##", "").replace("##paidend##", "")
    copy = edited(original, 0.03).split("\n", 1)[1] + f"\n\n四、附记\n{ANNEX}，供参考。\n"
    library, a, b, c = make_trio(library, tmp_path / "in", original, copy)
    member = viewer != "visitor"
    if viewer == LAGGING:
        library.clusters.merge([a, c])
        assert library.index.sync() == 0   # nothing indexed again
    snapshot = library.index.snapshot()
    searcher, versions = snapshot.searcher, snapshot.versions_for(member)
    assert versions.flags == (("clustered", "version") if member else ("free_clustered", "free_version"))
    assert versions.unflagged == ((c,) if viewer == LAGGING else ()) and len(versions.rows) == 2 + (viewer == LAGGING)
    candidates = search._sought(versions)
    rows = library.catalogue.cluster_rows(free=not member)   # the clusters, as the catalogue has them
    cluster = {row.doc_id: row.cluster_id for row in rows}
    texts = [access.view(library.get(doc_id), member)[0].text.replace("\n", "") for doc_id in (a, b, c)]
    rng = random.Random(16)

    def piece() -> str:
        text = rng.choice(texts)
        start = rng.randrange(len(text) - 8)
        return text[start:start + rng.randint(2, 6)]

    def ids(query) -> set[int]:
        return set(search._hit_scores(searcher, query, 100))

    ranks = Counter()
    for n in range(60):
        q = piece() + (f" {piece()}" if n % 3 == 1 else "") + (f" -{piece()}" if n % 7 == 2 else "")
        for mode in ("ranked", "precise") if scope == "section" else ("ranked",):
            request = SearchRequest(q=q, mode=mode, scope=scope, limit=50)
            plan = search._Plan(parse_query(q, 200), request, member, [], snapshot.split)
            sections = scope == "section"
            found = ids(plan.matching()) & set(cluster)
            exact, needle = ids(plan.holding_terms(sections)), ids(plan.holding_needle(sections))
            expected = {doc_id: 2 * (doc_id in exact) + (doc_id in needle) for doc_id in found}
            among = None if versions.unflagged else candidates   # as search._collapse_versions asks
            assert search._matching_members(searcher, plan, candidates, among, versions.candidates) == expected, (q, mode)
            ranks.update(expected.values())
            page = replace(library.search(request, member=member), took_ms=0.0)
            shown = {hit.id: cluster[hit.id] for hit in page.hits if hit.id in cluster}
            assert len(shown) == len(set(shown.values())), (q, mode)   # one member per cluster (or its sections)
            assert all(hit.other_versions == sorted(set(cluster) - {hit.id}) for hit in page.hits if hit.id in cluster)
            with monkeypatch.context() as before:   # the verbatim tests asked of the whole index
                before.setattr(search, "_among", lambda query, among: query)
                assert replace(library.search(request, member=member), took_ms=0.0) == page, (q, mode)
    assert set(ranks) == {0, 1, 3}, ranks   # every rank a member can have (2 without 1: a term is a needle)
    library.close()

FACET_SIZES = {"genre": 50, "year": 50, "source": 30}   # how many values a facet lists (search._FACETS)


def assert_facets(library: Library, queries: tuple[str, ...], filter_by: str | None = None, clustered: bool = True
                  ) -> None:
    """The oracle of facet counts: for members and visitors, each query in both modes, with no filter and with each
    value of ``filter_by`` the matches hold, a value's count is the total its filter gives — the documents holding
    the query (precise) or a bigram of it (ranked) as the viewer sees them (:func:`sucai.access.view`), with that
    value in the metadata the viewer sees, a cluster counted once — and a facet lists the most frequent values
    (年份: the newest) up to its size, in that order. ``clustered``: each query matches several members of a cluster
    (for a viewer that sees clusters)."""
    for member in (True, False):
        cluster = {row.doc_id: row.cluster_id for row in library.catalogue.cluster_rows(free=not member)}

        def unit(doc_id: int):
            return ("cluster", cluster[doc_id]) if doc_id in cluster else ("document", doc_id)

        views = [access.view(library.get(row["id"]), member)[0] for row in library.catalogue.summaries()]
        values = {view.id: {"genre": view.genre, "source": view.source or "未注明", "year": view.year or 0}
                  for view in views}
        for q, mode in itertools.product(queries, ("ranked", "precise")):
            pairs = {q[k:k + 2] for k in range(len(q) - 1)} if mode == "ranked" else {q}
            matching = {view.id for view in views if any(p in view.text or p in view.title for p in pairs)}
            assert len(matching & set(cluster)) >= 2 or not (member or cluster) or not clustered, q
            narrowing = [{filter_by: value} for value in {values[doc_id][filter_by] for doc_id in matching}] if filter_by else []
            for filters in [{}] + narrowing:
                found = {doc_id for doc_id in matching if all(values[doc_id][k] == v for k, v in filters.items())}
                result = library.search(SearchRequest(q=q, mode=mode, **filters), member=member)
                assert result.total == len({unit(doc_id) for doc_id in found}), (q, mode, filters)
                for name, size in FACET_SIZES.items():
                    expected = Counter(value for _, value in {(unit(doc_id), values[doc_id][name]) for doc_id in found})
                    counts = [(b["value"], b["count"]) for b in result.facets[name]]
                    where = (q, mode, filters, name, member)
                    if name == "year":   # the newest, unknown years (0) not listed
                        assert counts == [(year, expected[year]) for year in sorted(expected, reverse=True)[:size] if year], where
                        continue
                    assert len(counts) == min(size, len(expected)) and all(expected[v] == n for v, n in counts), where
                    assert counts == sorted(counts, key=lambda c: -c[1]), where
                    assert all(n <= counts[-1][1] for v, n in expected.items() if v not in dict(counts)), where
                    for value, count in counts:
                        narrowed = SearchRequest(q=q, mode=mode, **{**filters, name: value})
                        assert library.search(narrowed, member=member).total == count, where + (value,)


def test_a_facet_count_is_the_total_its_filter_gives(library, tmp_path):
    """Left undone at stop 26: a search shows a cluster once, and its facets counted the member shown alone — but
    filtering by a value another matching member holds shows the cluster too (来源 未注明 said 1, filtering by it
    gave 2). A value's count is the total its filter gives: a cluster counts once under each value some matching
    member has, for members and visitors alike, each from the metadata they see (the version's 来源 and year in its
    members part are a member's only); under no filter and under each 文种 (see assert_facets)."""
    original = sample("05_工作总结.txt")
    copy = "来源：某市农业信息网\n\n" + edited(original.split("\n", 1)[1], 0.03).replace(
        "##paidbegin##", "##paidbegin##发布时间：2022年6月1日\n\n", 1)
    other = edited(original, 0.04, seed=2).replace("##paidbegin##", "##paidbegin##来源：某县人民政府网\n\n", 1)
    ingest(library, tmp_path / "in", {"a.md": original, "工作总结转存.txt": copy, "d.md": other,
                                      "c.txt": sample("09_通知.txt")})
    cluster = [row.doc_id for row in library.catalogue.cluster_rows()]
    assert len(cluster) == 3 and len({row.cluster_id for row in library.catalogue.cluster_rows()}) == 1
    for member in (True, False):
        views = [access.view(library.get(doc_id), member)[0] for doc_id in cluster]
        assert len({view.genre for view in views}) == 2
        # 某县农业农村局: the unit a's title opens with (a visitor's too); 某县人民政府网: d's, in its members part
        assert {view.source for view in views} == {"某县农业农村局", "某市农业信息网", "某县人民政府网" if member else None}
        assert {view.year for view in views} == ({2023, 2022} if member else {2023, None})   # 2022: members part
    assert_facets(library, ("乡村振兴", "粮食安全", "农业"), filter_by="genre")


def seeded_queries(library: Library, count: int, seed: int) -> list[str]:
    """``count`` distinct substrings (2–4 Han characters, seeded) of the documents' free texts whose ranked matches are
    the documents holding one of their bigrams (as :func:`assert_facets` counts them): no question or function word
    in them, and no search word of one character."""
    texts = [access.free_view(library.get(row["id"])).text for row in library.catalogue.summaries()]
    runs = [run for text in texts for run in re.findall(r"[\u4e00-\u9fff]{4,}", text)]
    rng, found = random.Random(seed), []
    while len(found) < count:
        run = rng.choice(runs)
        size = rng.randint(2, 4)
        start = rng.randrange(len(run) - size + 1)
        q = run[start:start + size]
        if q not in found and content_pieces(q) == [q] and all(len(w) > 1 for w in search_words(q)):
            found.append(q)
    return found


def assert_versions(library: Library, queries: list[str]) -> None:
    """For members and visitors, each query in both modes (every hit on one page): no two hits are members of one
    cluster (as the viewer's grouping has them), and each hit's other versions are the other members of its
    cluster, by id, that are not hidden — read from the catalogue's cluster rows."""
    for member in (True, False):
        rows = library.catalogue.cluster_rows(free=not member)
        cluster = {row.doc_id: row.cluster_id for row in rows}
        shown_members: dict[int, list[int]] = {}
        for row in rows:
            if not row.hidden:
                shown_members.setdefault(row.cluster_id, []).append(row.doc_id)
        for q, mode in itertools.product(queries, ("ranked", "precise")):
            hits = library.search(SearchRequest(q=q, mode=mode, limit=100), member=member).hits
            where = (q, mode, member)
            listed = [cluster[h.id] for h in hits if h.id in cluster]
            assert len(listed) == len(set(listed)), where
            for hit in hits:
                others = sorted(i for i in shown_members.get(cluster.get(hit.id), ()) if i != hit.id)
                assert hit.other_versions == others, where + (hit.id,)


def test_seeded_queries_count_facets_and_versions_as_a_scan_of_the_catalogue(library, tmp_path):
    """Issue 16 (the versions and facets made cheaper, the same answers): seeded queries over a library with
    clusters whose members differ in 文种, 来源 and year, against scans of the catalogue — totals and facets
    (:func:`assert_facets`, also under each 文种) and each hit's versions (:func:`assert_versions`)."""
    clustered_library(library, tmp_path / "in")
    queries = seeded_queries(library, 8, seed=16)
    assert_facets(library, tuple(queries), filter_by="genre", clustered=False)
    assert_versions(library, queries + ["乡村振兴", "农业", "春季"])


def clustered_library(library: Library, folder: Path) -> Library:
    """``library`` with the bundled sample library (09's 通知 and its 转存 a cluster) and a 工作总结 with two
    near-duplicates of another 文种, 来源 and year (a member's only, in its members part) and one without a 来源."""
    original = sample("05_工作总结.txt")
    copy = "来源：某市农业信息网\n\n" + edited(original.split("\n", 1)[1], 0.03).replace(
        "##paidbegin##", "##paidbegin##发布时间：2022年6月1日\n\n", 1)
    other = edited(original, 0.04, seed=2).replace("##paidbegin##", "##paidbegin##来源：某县人民政府网\n\n", 1)
    ingest(library, folder, {"a.md": original, "工作总结转存.txt": copy, "d.md": other})
    library.ingest([Path(str(resources.files("sucai").joinpath("samples/library")))], workers=1)
    return library


def assert_section_facets(library: Library, queries: tuple[str, ...], headings: tuple[str | None, ...] = (None,),
                          whole: bool = True) -> None:
    """Section scope, for members and visitors, each query in both modes under each heading filter: a facet value's
    count is the number of sections listed (all of them, on one page) under their document's value as the viewer sees
    it — a cluster of near-duplicates counted by the sections of the member listed, as the total counts it —, so a
    facet's counts add up to the total (年份: but for documents of no known year), and filtering by a value lists at
    least as many (it may show another member of a cluster, or split more documents of that value when the search
    splits only its best documents: ``whole`` False, ``section_scan_docs`` reached, which a warning says)."""
    for member in (True, False):
        views = [access.view(library.get(row["id"]), member)[0] for row in library.catalogue.summaries()]
        values = {"genre": {v.genre for v in views}, "source": {v.source or "未注明" for v in views},
                  "year": {v.year for v in views if v.year}}
        assert len(values["genre"]) >= 5 and len(values["year"]) >= 2 and len(values["source"]) >= 3
        for q, mode, heading in itertools.product(queries, ("ranked", "precise"), headings):
            asked = {"q": q, "mode": mode, "scope": "section", "heading": heading}
            result = library.search(SearchRequest(**asked, limit=100), member=member)
            where = (q, mode, heading, member)
            assert (result.total > 0 or heading) and whole == (not any("只在最相关" in w for w in result.warnings)), where
            assert result.total == len(result.hits), where
            shown = {view.id: view for view in views}
            listed_under: dict[str, Counter] = {name: Counter() for name in FACET_SIZES}
            for hit in result.hits:
                view = shown[hit.id]
                for name, value in (("genre", view.genre), ("source", view.source or "未注明"), ("year", view.year)):
                    listed_under[name][value] += 1
            for name, size in FACET_SIZES.items():
                counts = {b["value"]: b["count"] for b in result.facets[name]}
                assert len(counts) < size and all(n > 0 for n in counts.values()), where + (name,)
                assert counts == {v: n for v, n in listed_under[name].items() if v}, where + (name,)
                for value in values[name]:
                    total = library.search(SearchRequest(**asked, **{name: value}), member=member).total
                    assert counts.get(value, 0) <= total, where + (name, value)
                order = [b["value"] for b in result.facets[name]]
                assert order == (sorted(order, reverse=True) if name == "year"
                                 else sorted(order, key=lambda v: -counts[v])), where + (name,)


def test_a_section_facet_counts_the_sections_listed(library, tmp_path):
    """Section scope counts sections (找到 N 条段落), but its facets counted documents, and the same whatever the
    heading filter (找到 3 条段落 beside 文种 counts adding up to 7); then the sections a value's filter gives, a
    cluster's sections counted under a value its shown member lacks being those of another member, hidden from the
    list (F19: 2,891 counted beside 196 listed). A value's count is the sections listed under it."""
    clustered_library(library, tmp_path / "in")
    assert_section_facets(library, ("乡村振兴", "粮食安全", "存在问题", "工作"), headings=(None, "问题"))


def test_section_facets_when_only_the_best_documents_are_split(home, tmp_path):
    """A broad section search splits only its best documents (setting ``section_scan_docs``), and says so: its
    total and its facets count the sections of those; filtering by a value splits more of that value's documents."""
    library = clustered_library(Library.open(home, section_scan_docs=3), tmp_path / "in")
    try:
        assert_section_facets(library, ("工作", "问题"), whole=False)
    finally:
        library.close()


def test_facet_counts_of_clusters_where_a_facet_lists_only_some_values(library, tmp_path):
    """More 来源 (33) and years (54) than a facet lists (30, the newest 50): a value that only non-shown members of
    clusters add to is counted and listed where its total puts it (某市农业局: one document shown, two clusters'
    members beside; the year 2021 newer than all), and one older than the newest listed stays out (1962)."""
    rng = random.Random(5)

    def body(n: int) -> str:   # distinct text: no two documents are near-duplicates but for the pairs below
        return "".join(chr(rng.randrange(0x4e00, 0x9fa5)) for _ in range(n))

    def made(title: str, source: str, year: int, text: str) -> str:
        return f"{title}来源：{source}\n\n发布时间：{year}年3月1日\n\n{text}\n"

    files = {f"d{i}.md": made(f"# 第{i}号乡村振兴工作材料\n\n", f"某县第{i % 31}农业站", 1960 + i, f"乡村振兴{body(300)}")
             for i in range(52)}
    files["x.md"] = made("# 乡村振兴工作材料补遗\n\n", "某市农业局", 1990, f"乡村振兴{body(300)}")
    for k, (year, other_year) in enumerate(((2021, 2020), (1962, 1961))):
        text = f"乡村振兴{body(800)}"
        files[f"p{k}.md"] = made(f"# 乡村振兴工作材料之{k}\n\n", "某市农业局", year, text)
        files[f"材料{k}转存.txt"] = made("", "某市档案馆", other_year, text + "（转存）")   # a near-duplicate: the info
        # lines go whole (text17), so the same text would be an exact copy
    ingest(library, tmp_path / "in", files)
    assert len({row.cluster_id for row in library.catalogue.cluster_rows()}) == 2
    assert_facets(library, ("乡村振兴",))


def test_hidden_or_removed_versions(trio):
    library, a, b, c = trio
    library.set_hidden(a, True)
    assert [v.id for v in library.clusters.versions(b)] == [b]                  # hidden members are not listed
    assert [(v.id, v.representative) for v in library.clusters.versions(b, include_hidden=True)] == [(b, True), (a, False)]
    result = hits(library, "乡村振兴")
    shown = [h for h in result.hits if h.id in (a, b)]
    assert [h.id for h in shown] == [b] and shown[0].other_versions == []
    library.set_hidden(a, False)
    assert library.clusters.versions(b)[0].id == a
    library.remove(a)
    assert library.clusters.versions(b) == []                                   # a cluster of one is dissolved
    assert [h.id for h in hits(library, "乡村振兴").hits if h.id != c] == [b]


def index_flags(library: Library) -> dict[int, tuple[bool, ...]]:
    """Every entry of the index (its latest commit) → its flags of the free grouping (free_clustered,
    free_version), read from the index."""
    library.index.index.reload()
    searcher = library.index.searcher()

    def flagged(name: str) -> set[int]:
        found = searcher.search(tantivy.Query.term_query(SCHEMA, name, True), limit=max(1, searcher.num_docs)).hits
        return {searcher.doc(address)["id"][0] for _, address in found}

    flags = [flagged(name) for name in ("free_clustered", "free_version")]
    return {doc_id: tuple(doc_id in ids for ids in flags) for doc_id in library.index.indexed_ids()}


def roles(library: Library) -> dict[int, tuple[bool, ...]]:
    """What those flags must say, from the catalogue: every document that is not hidden → (in a cluster of the
    free grouping, in one and not its representative)."""
    rows = {row.doc_id: row for row in library.catalogue.cluster_rows(free=True)}
    return {row["id"]: (row["id"] in rows, row["id"] in rows and not rows[row["id"]].representative)
            for row in library.catalogue.summaries()}


def assert_shown(library: Library, q: str, ids: list[int], mode: str = "precise", member: bool = True) -> None:
    """The oracle of a search for ``q`` (a run of Han characters) by a viewer, whose hits in result order are
    ``ids``, from the documents that are not hidden as the viewer sees them (:func:`sucai.access.view`). They
    match when they hold ``q`` verbatim (precise mode), or a character bigram of it (ranked mode: a word of
    ``q`` holds its bigrams); matching documents are shown one per cluster, exact matches first (ranked mode) —
    of a cluster where some member holds ``q`` verbatim, one of those, else one of those that match; the
    representative when it is one of them, else the best-scoring one (which this oracle does not compute)."""
    views = [access.view(library.get(row["id"]), member)[0] for row in library.catalogue.summaries()]
    holding = {view.id for view in views if q in view.text or q in view.title}
    pairs = {q[k:k + 2] for k in range(len(q) - 1)} if mode == "ranked" else {q}
    matching = {view.id for view in views if any(p in view.text or p in view.title for p in pairs)}
    rows = library.catalogue.cluster_rows(free=not member)   # the clusters this viewer sees
    cluster = {row.doc_id: row.cluster_id for row in rows}
    representatives = {row.doc_id for row in rows if row.representative}

    def group(doc_id: int):
        return ("cluster", cluster[doc_id]) if doc_id in cluster else ("document", doc_id)

    groups = [group(doc_id) for doc_id in ids]
    assert len(set(groups)) == len(ids) and set(groups) == {group(doc_id) for doc_id in matching}, q
    exact = {group(doc_id) for doc_id in holding}
    assert set(ids[:len(exact)]) <= holding and {group(doc_id) for doc_id in ids[:len(exact)]} == exact, q
    for doc_id in ids:
        members = {other for other in matching if group(other) == group(doc_id)}
        preferred = members & holding or members
        assert doc_id in preferred and (doc_id in representatives or not representatives & preferred), q


def test_the_index_flags_follow_every_change_of_a_cluster(trio, tmp_path):
    """The flags of the free grouping in the index hold after an ingest (a committed document joined by one of a
    later batch, a document of the batch joined by a later one) and after each admin change once the index
    applied it; before it has, searches are what the catalogue's clusters say all the same (for members too, whose
    flags are never a reason to index an entry again: after the merge, the flags of c's cluster's members are stale).
    a and b have a members part: they are in no cluster of the free grouping."""
    library, a, b, c = trio
    assert index_flags(library) == roles(library) and index_flags(library)[c] == (False, False)
    ingest(library, tmp_path / "later", {"d.txt": edited(sample("09_通知.txt"), 0.02),   # joins c, indexed alone
                                         "e.txt": edited(sample("09_通知.txt"), 0.03, seed=3)})
    d = max(index_flags(library)) - 1
    assert library.catalogue.cluster_of(d) == library.catalogue.cluster_of(c) is not None
    assert library.catalogue.cluster_of(d, free=True) == library.catalogue.cluster_of(c, free=True) is not None
    assert library.catalogue.cluster_of(d + 1, free=True) == library.catalogue.cluster_of(c, free=True)
    assert index_flags(library) == roles(library) and sum(flags[0] for flags in index_flags(library).values()) == 3
    queries = ["乡村振兴", "本材料另附表格三份", "春季农业生产", "某县农业农村局"]
    changes = [lambda: library.clusters.merge([a, c]), lambda: library.clusters.set_representative(b),
               lambda: library.clusters.split(d), lambda: library.clusters.split(a),
               lambda: library.set_hidden(b, True), lambda: library.set_hidden(b, False)]
    for change in changes:
        change()   # an admin's change of the catalogue; the index applies it at the next sync
        for q in queries:
            assert_shown(library, q, [h.id for h in hits(library, q).hits])
        library.index.sync()
        assert index_flags(library) == roles(library)
        for q, member in itertools.product(queries, (True, False)):
            result = hits(library, q, member=member)
            assert_shown(library, q, [h.id for h in result.hits], member=member)
            assert result.total == len(result.hits), q
            rows = library.catalogue.cluster_rows(free=not member)
            for hit in result.hits:
                cluster = next((row.cluster_id for row in rows if row.doc_id == hit.id), None)
                assert hit.other_versions == [row.doc_id for row in rows if row.cluster_id == cluster
                                              and row.doc_id != hit.id and not row.hidden]


def test_representative_rules_in_order():
    base = Document(title="关于做好春季农业生产工作的通知", text="正文" * 50, genre="通知", date="2024-03-01",
                    source="县农业农村局", encoding="utf-8", source_path="/x/tongzhi.txt", id=5)
    worse = [
        replace(base, hidden=True),                                           # hidden
        replace(base, title="tongzhi", source_path="/x/tongzhi.txt"),         # no Han characters in the title
        replace(base, title="春季农业生产通知", source_path="/x/春季农业生产通知.txt"),  # the file name as title
    ]
    assert all(quality(w) < quality(base) for w in worse)
    assert quality(worse[1]) < quality(worse[2])
    numbered = replace(worse[2], doc_number="某农发〔2024〕12号")   # a 发文字号, whatever the title: the file name
    assert quality(base) < quality(numbered) and quality(replace(numbered, hidden=True)) < quality(base)
    ranked = [replace(base, paid_from=None), replace(base, paid_from=10)]     # the members part present
    assert quality(ranked[0]) < quality(ranked[1])
    assert quality(replace(base, source=None)) < quality(base)               # more metadata
    assert quality(replace(base, text="正文\ufffd" + "正文" * 49)) < quality(base)  # broken characters
    assert quality(replace(base, encoding="gb18030")) < quality(base)         # a legacy encoding
    assert quality(replace(base, text="正文" * 40)) < quality(base)           # less text
    assert quality(replace(base, id=9)) < quality(base)                       # the later document
    # a representative by the same rules, on what every viewer sees: the same without a members part …
    plain = [base, *worse, ranked[0], replace(base, source=None), replace(base, encoding="gb18030"),
             replace(base, id=9)]
    assert all(shown_quality(doc) == quality(doc) for doc in plain)
    # … and nothing of the members part but its length in characters (its notice says it)
    members = replace(base, paid_from=10)
    assert shown_quality(replace(members, text=members.text[:10] + "\ufffd" * 90)) == shown_quality(members)
    assert shown_quality(replace(members, text=members.text[:10] + "。" * 90)) == shown_quality(members)
    assert shown_quality(replace(members, text=members.text[:10] + "正文" * 44)) < shown_quality(members)  # shorter


def test_the_better_copy_of_an_exact_duplicate_is_kept(library, tmp_path):
    """The 海拉尔区 case: the same report as "2017.txt" (no title: the file name) and under a
    descriptive name; whichever comes first, the stored document is the properly named one."""
    summary = ingest(library, tmp_path / "gbk", {"2017.txt": REPORT}, "gb18030")
    summary2 = ingest(library, tmp_path / "utf8", {"2017_区政府工作报告.txt": REPORT})
    assert summary.counts["ingested"] == 1 and summary2.counts["duplicate"] == 1
    [doc] = library.catalogue.documents()
    # the file name gives the title, without the year the metadata reads from it
    assert (doc.title, doc.genre, doc.encoding) == ("区政府工作报告", "政府工作报告", "utf-8")
    assert doc.source_path.endswith("2017_区政府工作报告.txt")
    assert hits(library, "过去五年工作回顾").hits[0].title == "区政府工作报告"
    again = ingest(library, tmp_path / "again", {"2017.txt": REPORT})  # the worse copy later: nothing changes
    assert again.counts["duplicate"] == 1 and library.get(doc.id).source_path.endswith("2017_区政府工作报告.txt")


def test_an_exported_docx_read_back_keeps_the_document_number(library, tmp_path):
    """A 通知 saved as its title, its 版头 (发文机关标志, 发文字号) above the title; its .docx, ingested back, is an
    exact copy (the same text) — the document keeps its 文号, whichever copy holds it now."""
    from sucai.export import export_document

    title = "关于做好2024年春季农业生产工作的通知"
    text = "\n\n".join(["临安县人民政府办公室文件", "临政办发〔2024〕12号", title, "各乡镇人民政府，县政府各部门：",
                        "为切实做好今年春季农业生产工作，确保粮食稳产增产，现将有关事项通知如下。",
                        "一、抓好春耕备耕", "各乡镇要及早安排种子、化肥、农药等农资供应，确保春耕生产顺利进行。",
                        "临安县人民政府办公室", "2024年3月1日"])
    ingest(library, tmp_path / "in", {f"{title}.txt": text})
    [doc] = library.catalogue.documents()
    assert doc.doc_number == "临政办发〔2024〕12号"
    name, data = export_document(library.get(doc.id), "docx")
    (tmp_path / name).write_bytes(data)
    summary = library.ingest([tmp_path / name], workers=1)
    assert summary.counts["duplicate"] == 1 and library.get(doc.id).doc_number == "临政办发〔2024〕12号"


def test_different_document_numbers_are_different_documents(library, tmp_path):
    letter = ("国务院办公厅关于同意以{city}名义申办运动会的复函\n国办函〔2004〕{n}号\n{province}人民政府：\n"
              "你们《关于以{city}名义申请举办世界大学生运动会的请示》收悉。经国务院领导同志批准，现函复如下：\n"
              "同意以{city}名义申办世界大学生运动会。运动会申办全部经费由{province}人民政府承担，中央财政将视情况"
              "对国际大体联官员、特邀贵宾的接待费给予一定补助。请有关方面抓紧向国际大体联申报。\n国务院办公厅\n")
    files = {"a.txt": letter.format(city="甲市", n=36, province="甲省"),
             "b.txt": letter.format(city="乙市", n=88, province="乙省"),
             "c.txt": letter.format(city="甲市", n=36, province="甲省") + "（此件公开发布）\n"}
    ingest(library, tmp_path / "in", files)
    docs = {d.source_path[-5]: d for d in library.catalogue.documents()}
    assert jaccard(shingles(docs["a"].text), shingles(docs["b"].text)) >= JACCARD  # alike, yet two documents
    assert library.clusters.versions(docs["b"].id) == []
    assert {v.id for v in library.clusters.versions(docs["a"].id)} == {docs["a"].id, docs["c"].id}


def test_laws_with_different_titles_are_different_documents(library, tmp_path):
    """法官法 and 检察官法 share half their articles, as do the 香港 and 澳门 驻军法: two laws whose titles differ
    (neither holding the other) are never versions; a law's versions keep its title, or hold it (中华人民共和国法官法
    in 中华人民共和国法官法（2019年修订）). Documents of other 文种 with such titles are grouped by their text alone."""
    shared = "".join(f"第{n}条　{role}应当严格遵守宪法和法律，秉公办案，不得徇私枉法，依法保障当事人的诉讼权利第{n}项。\n"
                     for n, role in enumerate(["国家机关工作人员"] * 12, 1))
    own = {"法官": "法官依法履行审判职责，审理案件应当以事实为根据，以法律为准绳。\n",
           "检察官": "检察官依法履行法律监督职责，提起公诉，对诉讼活动实行法律监督。\n"}
    law = "中华人民共和国{who}法\n第一章　总则\n" + shared + "{own}" * 3
    report = "".join(f"{n}．今年以来，我们组织开展了第{n}期业务培训，参训人员认真学习，取得了良好成效。\n" for n in range(1, 13))
    files = {"a.txt": law.format(who="法官", own=own["法官"]), "b.txt": law.format(who="检察官", own=own["检察官"]),
             "c.txt": law.replace("法\n", "法（2019年修订）\n", 1).format(who="法官", own=own["法官"] + "第九十条　本法自公布之日起施行。\n"),
             **{f"{k}.txt": f"{who}培训工作总结\n" + report + own[who] * 3 for k, who in (("d", "法官"), ("e", "检察官"))}}
    ingest(library, tmp_path / "in", files)
    docs = {d.source_path[-5]: d for d in library.catalogue.documents()}
    assert [docs[k].genre for k in "abcde"] == ["法律"] * 3 + ["工作总结"] * 2
    assert jaccard(shingles(docs["a"].text), shingles(docs["b"].text)) >= JACCARD   # alike, yet two laws
    assert library.clusters.versions(docs["b"].id) == []
    assert {v.id for v in library.clusters.versions(docs["a"].id)} == {docs["a"].id, docs["c"].id}
    assert {v.id for v in library.clusters.versions(docs["d"].id)} == {docs["d"].id, docs["e"].id}


def test_signatures_survive_a_restart_and_an_old_library_catches_up(tmp_path, home):
    first = Library.open(home)
    ingest(first, tmp_path / "one", {"a.md": sample("05_工作总结.txt"), "c.txt": sample("09_通知.txt")})
    first.close()
    second = Library.open(home)  # a new process: its LSH is built from the stored signatures
    ingest(second, tmp_path / "two", {"b.md": edited(sample("05_工作总结.txt"), 0.02)})
    a, b = by_title(second, "某县农业农村局2023年"), 3
    assert {v.id for v in second.clusters.versions(a)} == {a, b}
    with second.catalogue.db.transaction() as conn:   # a library from before clusters existed
        conn.execute(signatures.delete())
        conn.execute(clusters.delete())
    third = Library.open(home)
    assert third.clusters.versions(a) == []
    output = CliRunner().invoke(cli_app, ["dupes", "--json", "--home", str(home)])
    assert output.exit_code == 0, output.output
    assert [[v["id"] for v in cluster] for cluster in json.loads(output.output)] == [[a, b]]


def test_two_processes_see_each_others_documents(library, tmp_path):
    """Each Clusters (one per process) tops its LSH up before a lookup, so a document placed by another
    process since is a candidate."""
    other = Clusters(library.catalogue)
    other.catch_up()                                       # its LSH is loaded (empty library)
    ingest(library, tmp_path / "one", {"a.md": sample("05_工作总结.txt")})
    b = library.catalogue.add(replace(library.get(1), id=None, text=edited(library.get(1).text, 0.02)),
                              "b-hash", "/b.txt", "b")[1]
    assert other.place(library.catalogue.get(b)) is not None
    assert {v.id for v in library.clusters.versions(1)} == {1, b}


def test_an_ingest_reads_back_no_signature_it_stored_itself(library, tmp_path, monkeypatch):
    """Each document's signature is stored with it under the next sequence number: the ingest's process takes it
    into its LSH as it is, without reading the signatures back (one read per document before), and still finds
    the near-duplicates among them; a signature another process stored in between is read (the test above)."""
    reads = []
    since = library.catalogue.signatures_since
    monkeypatch.setattr(library.catalogue, "signatures_since", lambda seq: reads.append(seq) or since(seq))
    original = sample("05_工作总结.txt")
    ingest(library, tmp_path / "in", {"a.md": original, "b.txt": edited(original, 0.02).split("\n", 1)[1],
                                      "c.txt": sample("09_通知.txt")})
    a, c = by_title(library, "某县农业农村局2023年"), by_title(library, "某县农业农村局关于做好")
    assert reads == []
    assert len(library.clusters.versions(a)) == 2 and library.clusters.versions(c) == []
    assert library.clusters.load() == 3 and reads == [3]   # (a look for newer ones reads from the last number)


def test_admins_merge_split_and_pick_in_the_cli(trio, capsys):
    library, a, b, c = trio
    runner = CliRunner(env={"COLUMNS": "200"})
    home = str(library.settings.home)

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(cli_app, [*args, "--home", home])
        assert result.exit_code == code, result.output
        return result.output

    assert "相似版本组（1 组）" in run("dupes")
    run("dupes", "split", str(b))
    assert sorted(h.id for h in hits(library, "乡村振兴").hits if h.id in (a, b)) == [a, b]
    # new-user try 29: the message did not name the representative (chosen, or the one given)
    merged = run("dupes", "merge", str(a), str(b))
    assert merged == f"已合并为一组：{'、'.join(map(str, sorted((a, b))))}（代表版本 {library.clusters.versions(a)[0].id}）\n"
    merged = run("dupes", "merge", str(a), str(b), str(c), "--representative", str(c))
    assert merged == f"已合并为一组：{'、'.join(map(str, sorted((a, b, c))))}（代表版本 {c}）\n"
    versions = library.clusters.versions(a)
    assert [(v.id, v.representative, v.pinned) for v in versions][0] == (c, True, True)
    assert [h.id for h in hits(library, "乡村振兴", "ranked").hits] == [c]
    run("dupes", "pick", str(a))
    assert library.clusters.versions(c)[0].id == a
    for args, status, message in ((["dupes", "merge", str(a)], ExitCode.ERROR, "至少要有两篇不同的文档才能合并"),
                                  (["dupes", "split", "999"], ExitCode.NOT_FOUND, "没有编号为 999 的文档"),
                                  (["dupes", "pick", "999"], ExitCode.NOT_FOUND, "没有编号为 999 的文档")):
        capsys.readouterr()
        assert run_cli([*args, "--home", home]) == status, args
        assert message in capsys.readouterr().err


def test_dupes_shows_each_versions_similarity_to_the_representative_as_it_is_now(trio):
    """F13: ``sucai dupes`` showed the similarity to the version a document joined when it joined, and relabelled the
    version the others were compared with 「管理员合并」 once an admin's merge named it. Every row but the representative's
    now has its Jaccard similarity to the representative of the moment — after a pick, a merge — and a version an
    admin's merge named says so in 说明."""
    library, a, b, c = trio
    texts = {i: shingles(library.get(i).text) for i in (a, b, c)}

    def rows() -> dict[int, tuple[str, str]]:
        return _dupes_rows(library)

    def to(i: int, rep: int) -> str:
        return f"{jaccard(texts[i], texts[rep]) * 100:.1f}%"

    assert rows() == {a: ("—", "代表版本"), b: (to(b, a), "")}
    library.clusters.merge([a, c])   # names the version b was compared with; c, with a 发文字号, represents them
    assert rows() == {c: ("—", "代表版本，管理员合并"), a: (to(a, c), "管理员合并"), b: (to(b, c), "")}
    library.clusters.set_representative(a)
    assert rows() == {a: ("—", "代表版本（管理员指定），管理员合并"), b: (to(b, a), ""), c: (to(c, a), "管理员合并")}


def _dupes_rows(library: Library) -> dict[int, tuple[str, str]]:
    """``sucai dupes`` as printed: document id → (与代表版本的相似度, 说明)."""
    result = CliRunner(env={"COLUMNS": "200"}).invoke(cli_app, ["dupes", "--home", str(library.settings.home)])
    assert result.exit_code == 0, result.output
    cells = [[cell.strip() for cell in line.split("│")[1:-1]] for line in result.output.splitlines()
             if line.startswith("│") and line.split("│")[2].strip().isdigit()]
    return {int(row[1]): (row[5], row[6]) for row in cells}


def test_dupes_json_the_admin_page_and_the_versions_route_show_the_similarity_to_the_representative(library, tmp_path):
    """``sucai dupes --json``, the admin page 相似版本组 and ``/api/documents/{id}/versions`` showed the similarity
    stored when a document joined — to the member it joined, not the representative. A chain: B a copy of A, C a
    copy of B (C joins B, nearer to it than to A); A, the properly titled one, represents the three. All four
    outputs (the route to a visitor and to an admin) give C's similarity to A."""
    original = sample("05_工作总结.txt")
    copy = edited(original, 0.03).split("\n", 1)[1]
    ingest(library, tmp_path / "a", {"a.md": original})
    ingest(library, tmp_path / "b", {"工作总结转存.txt": copy})
    ingest(library, tmp_path / "c", {"工作总结另存.txt": edited(copy, 0.03, seed=2)})
    a, b, c = _named(library, "a.md", "工作总结转存.txt", "工作总结另存.txt")
    texts = {i: shingles(library.get(i).text) for i in (a, b, c)}
    to_a = {i: jaccard(texts[i], texts[a]) for i in (b, c)}
    stored = {row.doc_id: row.similarity for row in library.catalogue.cluster_rows()}
    assert [v.id for v in library.clusters.versions(a)][0] == a
    assert stored[c] == pytest.approx(jaccard(texts[c], texts[b]), abs=1e-4)   # C joined B ...
    assert f"{stored[c] * 100:.1f}%" != f"{to_a[c] * 100:.1f}%"                 # ... which A is not
    shown = {i: f"{to_a[i] * 100:.1f}%" for i in (b, c)} | {a: "—"}
    assert {i: cells[0] for i, cells in _dupes_rows(library).items()} == shown
    result = CliRunner().invoke(cli_app, ["dupes", "--json", "--home", str(library.settings.home)])
    assert result.exit_code == 0, result.output
    listed = {v["id"]: v["similarity"] for cluster in json.loads(result.output) for v in cluster}
    assert listed[a] is None and listed[b] == pytest.approx(to_a[b], abs=1e-4)
    assert listed[c] == pytest.approx(to_a[c], abs=1e-4)
    accounts = Accounts.open(library.settings.home)
    accounts.add_user("管理员", "admin-password-1", "admin")
    accounts.close()
    web = create_app(library.settings.home)
    admin = _login(web, "管理员", "admin-password-1")
    page = admin.get("/admin/dupes", headers={"accept": "text/html"}).text
    cells = dict(re.findall(r'<tr><td>(\d+)</td><td><a [^\n]*</td>\s*<td>([^<]*)</td>', page))
    assert {int(i): text for i, text in cells.items()} == shown
    for doc_id in (a, b, c):
        routed = {v["id"]: v["similarity"] for v in admin.get(f"/api/documents/{doc_id}/versions").json()["versions"]}
        assert routed.keys() == listed.keys() and routed[a] is None
        assert routed[b] == pytest.approx(listed[b], abs=1e-9) and routed[c] == pytest.approx(listed[c], abs=1e-9)
    # a visitor: all three have a members part (the free preview's), so no group of the free grouping, no figure
    assert library.get(a).members_span is not None
    assert TestClient(web).get(f"/api/documents/{c}/versions").json()["versions"] == []


def _groups(library: Library, free: bool) -> list[list[int]]:
    """The clusters (``free``: of the free grouping), each a list of document ids."""
    found: dict[int, list[int]] = {}
    for row in library.catalogue.cluster_rows(free=free):
        found.setdefault(row.cluster_id, []).append(row.doc_id)
    return sorted(found.values())


def test_admins_merges_and_splits_survive_a_regrouping(library, tmp_path):
    """An admin's merge of two unlike documents and split of a near-duplicate were forgotten when the library was
    opened after the free grouping's rule (or the free preview's setting) changed: the free grouping — what
    visitors see of documents without a members part, all four here — was made again by similarity alone (the
    merged pair apart, the split copy back with its original), and so was it after an edit of the split copy. An
    operator's decision holds through both; the members' clusters are never regrouped; the search index's cluster
    flags follow (a visitor's search shows the merged pair as one entry, the split copy as one of its own)."""
    notice = sample("09_通知.txt")
    ingest(library, tmp_path / "in", {"n1.txt": notice, "n2.txt": notice + f"\n附：{ANNEX}。\n",
                                      "p.txt": sample("07_实施方案.txt"), "r.txt": sample("06_讲话稿.txt")})
    n1, n2, p, r = _named(library, "n1.txt", "n2.txt", "p.txt", "r.txt")
    texts = {doc_id: shingles(library.get(doc_id).text) for doc_id in (n1, n2, p, r)}
    assert jaccard(texts[n1], texts[n2]) >= JACCARD and jaccard(texts[p], texts[r]) < JACCARD   # p, r: by hand only
    assert all(library.get(doc_id).members_span is None for doc_id in texts)
    assert _groups(library, True) == [[n1, n2]]
    library.clusters.merge([p, r])
    library.clusters.split(n2)
    expected = [[p, r]]
    assert _groups(library, True) == expected and _groups(library, False) == expected
    members = library.catalogue.cluster_rows()

    def regrouped() -> Library:
        reopened = _regrouped(library)   # the rule changed (FREE_GROUPING_VERSION)
        assert reopened.catalogue.meta("free_grouping") is not None   # it did group again
        assert reopened.catalogue.cluster_rows() == members
        return reopened

    reopened = regrouped()
    assert _groups(reopened, True) == expected
    visitor = {h.id: h.other_versions for h in hits(reopened, "工作", member=False).hits}
    assert visitor[n1] == [] and visitor[n2] == []
    shown = {p, r} & set(visitor)   # one entry for the merged pair, the other its version
    assert len(shown) == 1 and sorted([*shown, *visitor[next(iter(shown))]]) == [p, r]
    reopened.update(n2, title="关于做好春季农业生产工作的通知（附件）")   # an edit places it again: not once split off
    assert _groups(reopened, True) == expected and reopened.clusters.versions(n2, member=False) == []
    reopened.clusters.merge([n1, n2])                    # merged again: no longer apart
    reopened.close()
    members = library.catalogue.cluster_rows()
    again = regrouped()
    assert _groups(again, True) == sorted([[n1, n2], [p, r]])
    again.close()


def test_an_admins_merge_through_a_members_document_groups_the_public_ones_alike_at_once_and_after(library, tmp_path):
    """Two merges through a document with a members part (工作总结, :func:`sample`'s paid tags): members see one
    cluster of three; visitors one of the two without a members part — at the second merge, and the same after a
    regrouping (one rule, ``Clusters._merged_public``: the documents an admin merged into the cluster)."""
    ingest(library, tmp_path / "in", {"n.txt": sample("09_通知.txt"), "w.txt": sample("05_工作总结.txt"),
                                      "p.txt": sample("07_实施方案.txt")})
    n, w, p = _named(library, "n.txt", "w.txt", "p.txt")
    assert library.get(w).members_span is not None and library.get(n).members_span is library.get(p).members_span is None
    library.clusters.merge([n, w])
    assert _groups(library, False) == [[n, w]] and _groups(library, True) == []
    library.clusters.merge([w, p])
    assert _groups(library, False) == [[n, w, p]] and _groups(library, True) == [[n, p]]
    with library.catalogue.transaction() as conn:
        conn.execute(meta.delete().where(meta.c.key == "free_grouping"))
    reopened = Library.open(library.settings.home)
    assert _groups(reopened, False) == [[n, w, p]] and _groups(reopened, True) == [[n, p]]
    reopened.close()


def test_admin_web_page_for_clusters(trio):
    library, a, b, c = trio
    accounts = Accounts.open(library.settings.home)
    accounts.add_user("管理员", "admin-password-1", "admin")
    accounts.add_user("读者", "reader-password-1", "member", "2999-01-01")
    accounts.close()
    app = create_app(library.settings.home)
    admin, reader = (_login(app, name, password) for name, password in
                     (("管理员", "admin-password-1"), ("读者", "reader-password-1")))
    assert reader.get("/admin/dupes", headers={"accept": "text/html"}).status_code == 403
    page = admin.get("/admin/dupes", headers={"accept": "text/html"})
    assert page.status_code == 200 and page.text.count("data-cluster") == 1
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert admin.post(f"/admin/dupes/{b}/split", data={}, headers={"accept": "text/html"}).status_code == 403  # no CSRF
    done = admin.post(f"/admin/dupes/{b}/split", data={"csrf_token": token}, headers={"accept": "text/html"})
    assert done.status_code == 200 and "已把文档" in done.text and library.clusters.versions(a) == []
    merged = admin.post("/admin/dupes/merge", data={"csrf_token": token, "ids": f"{a}，{c}", "representative": str(c)},
                        headers={"accept": "text/html"})
    assert merged.status_code == 200 and library.clusters.versions(a)[0].id == c
    for ids, representative in (("甲", ""), (f"{a},{10**20}", ""), (f"{a},{c}", str(2**63)), (f"{a},0", ""), (f"{a},-1", "")):
        # past what can be stored (2**63 - 1 in SQLite): a 500 page, the database driver's OverflowError
        bad = admin.post("/admin/dupes/merge", data={"csrf_token": token, "ids": ids, "representative": representative},
                         headers={"accept": "text/html"})
        assert bad.status_code == 422 and "文档编号应为正整数，用逗号分隔，如 12,34" in bad.text, (ids, representative)
    # what readers see: the API lists versions, the search page links them, the document page shows them
    versions = reader.get(f"/api/documents/{a}/versions").json()
    assert [v["id"] for v in versions["versions"]] == [c, a] and versions["versions"][0]["representative"]
    assert f'/documents/{c}#versions' in reader.get("/search", params={"q": "乡村振兴"}).text
    assert 'id="versions"' in reader.get(f"/documents/{c}").text


def _login(app, username: str, password: str) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login", headers={"accept": "text/html"}).text).group(1)
    assert client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       follow_redirects=False).status_code == 303
    return client


# -- the corpus ------------------------------------------------------------------------------------


def _layout(text: str) -> str:
    """Blank lines between paragraphs, 　　 indentation, half-width punctuation."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return "\n\n".join("　　" + line for line in lines).replace("，", ",").replace("：", ":").replace("；", ";")


def _paragraph_change(rng: random.Random, text: str, other: str, add: bool) -> str | None:
    """``text`` with one paragraph of at most a fifth of its length removed, or one of ``other`` added."""
    lines = [line for line in text.splitlines() if line.strip()]
    limit = len(text) // 5
    if add:
        pieces = [p for p in other.splitlines() if 20 <= len(p.strip()) <= limit]
        if not pieces:
            return None
        k = rng.randrange(len(lines) + 1)
        return "\n".join(lines[:k] + [rng.choice(pieces)] + lines[k:])
    small = [k for k, line in enumerate(lines) if len(line) <= limit]
    if not small:
        return None
    k = rng.choice(small)
    return "\n".join(lines[:k] + lines[k + 1:])


@pytest.mark.corpus
def test_variants_pair_with_their_originals_and_nothing_else(subset_library, tmp_path, make_home):
    """Corpus documents with variants (layout, 1–5 % of the characters edited, a paragraph added or
    removed) and other documents of the same 文种: precision and recall of pairing ≥ 0.98."""
    source, _ = subset_library
    rng = random.Random(20261201)
    clustered = {row.doc_id for row in source.catalogue.cluster_rows()}
    pool = [d for d in source.catalogue.documents(outline=False)
            if d.id not in clustered and 800 <= d.chars <= 30_000 and len(d.text.splitlines()) >= 6]
    by_genre: dict[str, list[Document]] = {}
    for doc in pool:
        by_genre.setdefault(doc.genre, []).append(doc)
    originals = rng.sample([d for d in pool if len(by_genre[d.genre]) >= 3], 120)
    files, family = {}, {}
    for n, doc in enumerate(originals):
        other = rng.choice(pool).text
        variants = {"orig": doc.text, "layout": _layout(doc.text),
                    "edit": edited(doc.text, rng.uniform(0.01, 0.05), seed=n),
                    "add": _paragraph_change(rng, doc.text, other, True),
                    "remove": _paragraph_change(rng, doc.text, other, False)}
        for kind, text in variants.items():
            if text is not None:
                files[f"{n:03d}_{kind}.txt"] = f"{doc.title}\n{text}"
                family[f"{n:03d}_{kind}.txt"] = n
    library = Library.open(make_home(tmp_path / "pairs"))
    summary = ingest(library, tmp_path / "files", files)
    assert summary.counts["failed"] == 0
    doc_of = {Path(o.path).name: o.doc_id for o in summary.outcomes}
    group = {}
    for name, doc_id in doc_of.items():
        cluster = library.catalogue.cluster_of(doc_id)
        group[name] = ("cluster", cluster) if cluster is not None else ("doc", doc_id)
    names = sorted(files)
    true_pairs = predicted = correct = found = 0
    for i, x in enumerate(names):
        for y in names[i + 1:]:
            same_family, same_group = family[x] == family[y], group[x] == group[y]
            true_pairs += same_family
            predicted += same_group
            correct += same_family and same_group
    recall, precision = correct / true_pairs, correct / predicted
    print(f"pairing: {len(originals)} originals, {len(files)} files, recall {recall:.4f}, precision {precision:.4f}")
    assert recall >= 0.98 and precision >= 0.98
    library.close()


@pytest.mark.corpus
def test_state_council_copies_are_one_result_each(subset_library):
    """The 60 notices of the shared corpus are there as .html and as .txt: each is one result."""
    library, _ = subset_library
    notices: dict[str, list[int]] = {}
    for doc in library.catalogue.documents(outline=False):
        match = re.search(r"state_council_policies_govcn/(?:html|txt)/(\d{3})_", doc.source_path or "")
        if match:
            notices.setdefault(match.group(1), []).append(doc.id)
    assert len(notices) == 60
    for number, ids in notices.items():
        doc = library.get(ids[0])
        phrase = max(re.findall(r"[\u4e00-\u9fff]{6,16}", doc.text[:600]), key=len)
        result = library.search(SearchRequest(q=phrase, mode="precise", limit=50), member=True)
        shown = [h for h in result.hits if h.id in ids or set(h.other_versions) & set(ids)]
        assert len(shown) == 1, (number, phrase, [(h.id, h.title) for h in result.hits])
        assert set(ids) <= {shown[0].id, *shown[0].other_versions}


@pytest.mark.corpus
def test_hailaer_reports_keep_the_properly_titled_copy(subset_library):
    library, summary = subset_library
    reports = [d for d in library.catalogue.documents(outline=False) if "hailaer" in (d.source_path or "")]
    assert len(reports) == 8
    assert all(d.title != "2017" and re.search(r"[\u4e00-\u9fff]", d.title) for d in reports)
    result = library.search(SearchRequest(q="海拉尔区人民政府", mode="precise", limit=50), member=True)
    assert "2017" not in [h.title for h in result.hits]


def test_signature_in_chunks_is_datasketchs_signature_of_the_whole_set():
    import numpy as np
    from datasketch import LeanMinHash, MinHash

    from sucai.dedupe import _SIGN_CHUNK, NUM_PERM, signature

    rng = np.random.default_rng(3)
    for size in (0, 1, _SIGN_CHUNK, _SIGN_CHUNK + 1, 3 * _SIGN_CHUNK + 17):
        shingle_set = np.unique(rng.integers(0, 2**32, size, dtype=np.uint64))
        whole = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=int, scheme="affine32")  # one update, fresh permutations
        whole.update_batch(shingle_set.tolist())
        assert np.array_equal(signature(shingle_set).hashvalues, LeanMinHash(whole).hashvalues), size


def test_lsh_bands_and_rows_are_datasketchs_optimum_and_no_process_imports_scipy_for_them():
    import subprocess
    import sys

    from datasketch.lsh import _optimal_param  # the grid search over scipy integrals that LSH_PARAMS stands for

    from sucai.dedupe import LSH_PARAMS, LSH_THRESHOLD, LSH_WEIGHTS, NUM_PERM

    assert _optimal_param(LSH_THRESHOLD, NUM_PERM, *LSH_WEIGHTS) == LSH_PARAMS
    probe = ("import sys, sucai.library, sucai.preload; from sucai.dedupe import Clusters, _datasketch; "
             "MinHashLSH = _datasketch().MinHashLSH; "
             "print('scipy.integrate' in sys.modules, MinHashLSH(threshold=0.4, num_perm=128, weights=(0.1, 0.9)).b, "
             "'scipy.integrate' in sys.modules)")
    # the ingest's process and the parse workers' fork server import no scipy.integrate; an LSH asked to
    # optimise its own parameters still gets the real one
    said = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert said == ["False", "42", "True"]


def test_choosing_again_follows_the_rule_of_the_clusters(trio, home):
    """One rule chooses a representative (:func:`sucai.dedupe.representative`), when a member joins or leaves
    (:class:`Clusters`) and when a library is opened after the rules changed (``Catalogue.choose_representatives``):
    an admin's pinned choice stays while it is visible. The second kept a pinned representative that was hidden
    (by a hiding the clusters were not told of: a sucai from before, another tool on the database); the best
    visible member is chosen instead, as :meth:`Clusters.refresh` chooses it."""
    library, a, b, c = trio
    library.clusters.set_representative(b)   # a is the better copy (a real title): b only by the admin's choice
    library.catalogue.set_hidden(b, True)     # not through Library: the clusters are not told
    with library.catalogue.transaction() as conn:
        conn.execute(meta.delete().where(meta.c.key == "representative_version"))
    library.close()
    reopened = Library.open(home)   # chooses again here
    rows = reopened.catalogue.cluster_rows()
    assert [(row.doc_id, row.representative, row.pinned) for row in rows] == [(a, True, False), (b, False, False)]
    reopened.clusters.refresh(reopened.catalogue.cluster_of(a))
    assert reopened.catalogue.cluster_rows() == rows
    reopened.close()


def test_scores_do_not_depend_on_how_the_index_is_cut_into_segments(tmp_path, make_home):
    """The filter that leaves a cluster's other versions out of a search scored 1 in the index segments where some
    entry is a version and nothing in the others, so a hit's score (and the order of hits) depended on whether the
    documents went in by one ingest or by two. The same three documents (two near-duplicates and an unrelated one
    whose 雷达 counts the same) ingested at once and in two ingests score alike, and the two equal-length hits
    score alike within each library."""
    body = "".join(f"第{i}项工作按计划推进并取得实效。" for i in range(40))
    files = {"a.txt": f"关于雷达设备的通知\n{body}\n", "b.txt": f"关于雷达设备的通知\n{body}另。\n",
             "c.txt": f"关于雷达设备的报告\n{body.replace('工作', '任务')}\n"}
    scores = []
    for layout, batches in (("one", [files]), ("two", [{k: files[k] for k in ("a.txt", "b.txt")},
                                                       {"c.txt": files["c.txt"]}])):
        library = Library.open(make_home(tmp_path / layout))
        for n, batch in enumerate(batches):
            ingest(library, tmp_path / f"{layout}-in{n}", batch)
        assert len(library.clusters.all()) == 1    # a and b are near-duplicates: one of them is a version
        scores.append({(member, mode): [(h.title, h.score) for h in hits(library, "雷达", mode, member).hits]
                       for member in (False, True) for mode in ("precise", "ranked")})
        library.close()
    assert scores[0] == scores[1]
    for (member, mode), found in scores[1].items():
        assert len(found) == 2, (member, mode)
        if mode == "precise" or not member:   # the two texts have 雷达 once in as many characters
            assert found[0][1] == pytest.approx(found[1][1]), (member, mode, found)


def _named(library: Library, *names: str) -> list[int]:
    return [next(doc.id for doc in library.catalogue.documents() if doc.source_path.endswith(name)) for name in names]


def _regrouped(library: Library) -> Library:
    """``library`` opened again after the free grouping's rule changed (it groups again)."""
    with library.catalogue.transaction() as conn:
        conn.execute(meta.delete().where(meta.c.key == "free_grouping"))
    return Library.open(library.settings.home)


def _two_merges(library: Library, folder: Path, members_part_like_a: bool) -> tuple[dict[str, int], list, list]:
    """Ingest a (public: 工作总结 without its paid tags, 3 % edited), m (工作总结 with its members part — or, not
    ``members_part_like_a``, another members part), e (通知) and f (实施方案); an admin merges [m, e], then [a, f].
    Returns the ids by name, members' grouping before the merges and visitors' grouping after, by names."""
    whole = sample("05_工作总结.txt")
    head, rest = whole.split("##paidbegin##", 1)
    paid, tail = rest.split("##paidend##", 1)
    if not members_part_like_a:
        paid = sample("06_讲话稿.txt").split("\n", 1)[1]
    public = edited(whole.replace("##paidbegin##", "").replace("##paidend##", ""), 0.03).split("\n", 1)[1]
    ingest(library, folder, {"a.txt": public, "m.txt": f"{head}##paidbegin##{paid}##paidend##{tail}",
                             "e.txt": sample("09_通知.txt"), "f.txt": sample("07_实施方案.txt")})
    ids = dict(zip("amef", _named(library, "a.txt", "m.txt", "e.txt", "f.txt")))
    assert library.get(ids["m"]).members_span is not None and library.get(ids["a"]).members_span is None
    names = {doc_id: name for name, doc_id in ids.items()}
    members = [[names[i] for i in group] for group in _groups(library, False)]
    library.clusters.merge([ids["m"], ids["e"]])
    library.clusters.merge([ids["a"], ids["f"]])
    return ids, members, [[names[i] for i in group] for group in _groups(library, True)]


def test_visitors_grouping_of_two_merges_does_not_hang_on_a_members_part(tmp_path, make_home):
    """Two admin merges that name no document in common — [m, e] and [a, f] — are two groups for visitors even
    when members' grouping puts a in m's cluster by whole-text similarity: two libraries differing only in m's
    members part give visitors the same grouping, [[a, f]], at the merges and after a regrouping. (Was
    [[a, e, f]] when m's members part was like a's text: members-only text decided what visitors see.)"""
    seen = {}
    for like in (True, False):
        library = Library.open(make_home(tmp_path / str(like)))
        ids, members, visitors = _two_merges(library, tmp_path / f"in{like}", like)
        assert (members == [["a", "m"]]) is like   # what only the members part decides
        reopened = _regrouped(library)
        names = {doc_id: name for name, doc_id in ids.items()}
        seen[like] = visitors, [[names[i] for i in group] for group in _groups(reopened, True)]
        reopened.close()
        library.close()
    assert seen[True] == seen[False] == ([["a", "f"]], [["a", "f"]])


def _split_pair(library: Library, tmp_path: Path) -> tuple[int, int]:
    notice = sample("09_通知.txt")
    ingest(library, tmp_path / "in", {"n1.txt": notice, "n2.txt": notice + f"\n附：{ANNEX}。\n"})
    n1, n2 = _named(library, "n1.txt", "n2.txt")
    assert _groups(library, True) == _groups(library, False) == [[n1, n2]]
    return n1, n2


def test_a_split_off_earlier_document_is_joined_by_none_after_a_regrouping(library, tmp_path):
    n1, n2 = _split_pair(library, tmp_path)
    library.clusters.split(n1)
    assert _groups(library, True) == _groups(library, False) == []
    reopened = _regrouped(library)
    assert _groups(reopened, True) == _groups(reopened, False) == []
    reopened.close()


def test_a_split_off_document_is_joined_by_none_after_an_edit_of_the_other_or_an_ingest(library, tmp_path):
    notice = sample("09_通知.txt")
    n1, n2 = _split_pair(library, tmp_path)
    library.clusters.split(n2)
    library.update(n1, title="关于做好春季农业生产工作的通知（修订）")
    assert _groups(library, True) == _groups(library, False) == []
    ingest(library, tmp_path / "more", {"n3.txt": notice + f"\n附：{ANNEX}。\n联系人：王明\n"})   # nearest n2: joins n1
    n3, = _named(library, "n3.txt")
    assert _groups(library, True) == _groups(library, False) == [[n1, n3]]


def test_lsh_with_compact_buckets_finds_what_datasketchs_own_storage_finds():
    """The LSH of :class:`Clusters` keeps a bucket of one document as its id (``dedupe._buckets``): it proposes the
    same candidates as datasketch's own storage (the oracle: a dict of sets) — buckets of one, of several (near-
    duplicates share bands) and after removals, the last of a bucket and one of a shared one — and holds the same
    ids under the same band hashes."""
    import numpy as np
    from datasketch import LeanMinHash, MinHashLSH

    from sucai.dedupe import _SCHEME, _SEED, LSH_PARAMS, LSH_THRESHOLD, LSH_WEIGHTS, NUM_PERM, _buckets

    rng = np.random.default_rng(7)
    minhashes = {}
    for family in range(40):   # each family: a signature and variants sharing most of its values (shared buckets)
        base = rng.integers(0, 2**32, NUM_PERM, dtype=np.uint64)
        for variant in range(int(rng.integers(1, 6))):
            values = base.copy()
            changed = rng.random(NUM_PERM) < 0.2 * variant
            values[changed] = rng.integers(0, 2**32, int(changed.sum()), dtype=np.uint64)
            minhashes[family * 10 + variant] = LeanMinHash(seed=_SEED, hashvalues=values, scheme=_SCHEME)
    own, oracle = (MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM, weights=LSH_WEIGHTS, params=LSH_PARAMS)
                   for _ in range(2))
    own.hashtables = [_buckets()() for _ in own.hashtables]
    for lsh in (own, oracle):
        with lsh.insertion_session() as session:
            for key, minhash in minhashes.items():
                session.insert(key, minhash, check_duplication=False)

    def same() -> None:
        for minhash in minhashes.values():
            assert sorted(own.query(minhash)) == sorted(oracle.query(minhash))
        for mine, theirs in zip(own.hashtables, oracle.hashtables):
            assert {key: set(mine.get(key)) for key in mine.keys()} == {key: theirs.get(key) for key in theirs.keys()}
            assert mine.itemcounts() == theirs.itemcounts()

    same()
    assert any(count > 1 for table in own.hashtables for count in table.itemcounts().values())   # shared buckets
    assert any(count == 1 for table in own.hashtables for count in table.itemcounts().values())
    for key in list(minhashes)[::3]:
        own.remove(key)
        oracle.remove(key)
    same()
    with own.insertion_session() as session, oracle.insertion_session() as other:
        for key in list(minhashes)[::6]:   # back in, into buckets of one and of several
            session.insert(key, minhashes[key], check_duplication=False)
            other.insert(key, minhashes[key], check_duplication=False)
    same()
