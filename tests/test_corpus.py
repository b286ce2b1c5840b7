"""The whole of ../shared/corpus ingested once: precise search checked against a brute-force oracle, and the
metadata (文种 against a gold set, dates, 来源, titles, what a visitor gets of it) measured.

The oracle is a substring scan over the normalised title and text of every stored
document — computed here, independently of the index — for 1,000 seeded random
queries: substrings of length 1–20, two-term queries, and negations. Near-duplicates
(clusters of sucai.dedupe) are one result: the oracle counts each cluster once.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from collections import Counter
from dataclasses import asdict
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conftest import setup_home
from sucai import access, analysis, readers
from sucai.library import Library
from sucai.search import SearchRequest
from sucai.store import Catalogue
from sucai.web import create_app

pytestmark = pytest.mark.corpus

_SYNTAX = re.compile(r'[\s"“”＂－|｜,，;；、。?？!！-]')   # query syntax: spaces, quotes, minus, OR bars, separating punctuation


@pytest.fixture(scope="module")
def corpus_library(corpus_dir, tmp_path_factory):
    """The whole corpus in one library, built once, on the embedded SQLite files (not once per backend).

    Ingesting the corpus is the longest step of the suite (667 s on SQLite and 1063 s on PostgreSQL
    measured on the shared 2-core machine under load), and nearly all of it is reading and parsing, which
    no backend changes; what these tests check — outcomes, search against an oracle, what a visitor sees,
    the web app over it — is the same code above the catalogue. The catalogue on PostgreSQL is covered by
    every test built on the ``home`` / ``make_home`` fixtures, and real documents on it by the corpus subset
    (``subset_library``).
    """
    home = setup_home(tmp_path_factory.mktemp("corpus-home"), "")
    # the per-file time budget is wall-clock: the 25-page scan's OCR (≈ 71 s of CPU) beside the suite's other workers
    # on two cores once passed the default 300 s and was skipped; these tests are about outcomes, not the budget
    # (tests/test_budget.py)
    library = Library.open(home, database_url="", parse_timeout_seconds=1800)
    summary = library.ingest([corpus_dir])
    yield library, summary
    library.close()


@pytest.fixture(scope="module")
def normalised(corpus_library):
    library, _ = corpus_library
    return {d.id: (analysis.normalize(d.title), analysis.normalize(d.text)) for d in library.catalogue.documents()}


def test_every_file_has_an_explained_outcome(corpus_library):
    library, summary = corpus_library
    counts = summary.counts
    assert counts["failed"] == 0, [o for o in summary.outcomes if o.status == "failed"][:5]
    assert counts["ingested"] > 3_300
    for outcome in summary.outcomes:
        if outcome.status in ("skipped", "duplicate"):
            assert outcome.reason, outcome
    scan = [o for o in summary.outcomes if o.path.endswith("GBT 15834-2011）.pdf")]
    assert scan and scan[0].status == "ingested"  # the image-only scan is read by OCR (issue 9)
    assert library.get(scan[0].doc_id).ocr_confidence > 60
    assert library.catalogue.stats()["documents"] == counts["ingested"]


def test_reingest_changes_nothing(corpus_library, corpus_dir):
    library, first = corpus_library
    before = library.catalogue.stats()
    again = library.ingest([corpus_dir / "gov_work_reports_hailaer_district"])
    assert again.counts["ingested"] == 0
    assert library.catalogue.stats() == before


def _draw_term(rng: random.Random, texts: list[str]) -> str:
    while True:
        text = texts[rng.randrange(len(texts))]
        if not text:
            continue
        length = rng.randint(1, 20)
        start = rng.randrange(max(1, len(text) - length))
        term = text[start : start + length].strip()
        if term and not _SYNTAX.search(term) and term.upper() != "OR":
            return term


def _oracle(normalised, include: list[str], exclude: list[str]) -> set[int]:
    def visible(doc_id, term):
        title, text = normalised[doc_id]
        return term in title or term in text

    return {
        doc_id for doc_id in normalised
        if all(visible(doc_id, t) for t in include) and not any(visible(doc_id, t) for t in exclude)
    }


def test_precise_search_equals_substring_oracle(corpus_library, normalised):
    library, _ = corpus_library
    rows = library.catalogue.cluster_rows()
    group = {row.doc_id: -row.cluster_id for row in rows}   # a cluster's members share a key
    representatives = {row.doc_id for row in rows if row.representative}

    def matching_groups(matching: set[int]) -> set[int]:
        """Clusters whose representative matches (then it is the one shown)."""
        return {group[d] for d in matching & representatives}
    rng = random.Random(20261129)
    texts = [text for _, text in normalised.values()]
    mismatches = []
    for n in range(1_000):
        a, b = _draw_term(rng, texts), _draw_term(rng, texts)
        while len(a) == len(b) == 1:   # 「心 物」 is read as 心物 (spaced characters joined: tests/test_search.py)
            b = _draw_term(rng, texts)
        kind = n % 4
        if kind < 2:
            q, include, exclude = a, [a], []
        elif kind == 2:
            q, include, exclude = f"{a} {b}", [a, b], []
        else:
            q, include, exclude = f"{a} -{b}", [a], [b]
        include, exclude = [analysis.normalize(t) for t in include], [analysis.normalize(t) for t in exclude]
        # near-duplicates are one result: the cluster's representative when it matches, else another member
        matching = _oracle(normalised, include, exclude)
        expected = {group.get(d, d) for d in matching}
        total, ids = library.matching_ids(SearchRequest(q=q, mode="precise"), member=True, limit=10_000)
        got = {group.get(d, d) for d in ids}
        shown_right = all(d in matching and (d in representatives or group.get(d) not in matching_groups(matching))
                          for d in ids)
        if got != expected or total != len(expected) or len(ids) != len(got) or not shown_right:
            mismatches.append((q, total, len(expected), sorted(got ^ expected)[:5]))
    assert mismatches == []


def test_layout_twins_of_the_state_council_texts_are_one_document_b35(corpus_library):
    """The State Council texts come as a .txt and as the page's .html, which differ in layout only (blank
    lines, indentation, spaces) for most of them (issue 12 counted 36): each such pair is one document."""
    library, summary = corpus_library
    folder = "state_council_policies_govcn"
    doc_of = {}
    for outcome in summary.outcomes:
        path = outcome.path.replace("\\", "/")
        if f"/{folder}/" in path and outcome.doc_id is not None:
            kind, stem = path.split(f"/{folder}/")[1].split("/")[0], path.rsplit("/", 1)[1].rsplit(".", 1)[0]
            doc_of[kind, stem] = outcome.doc_id
    stems = {stem for kind, stem in doc_of if kind == "txt"}
    one = [s for s in stems if doc_of.get(("txt", s)) == doc_of.get(("html", s))]
    assert len(one) >= 36, len(one)
    ids = [doc_of["txt", stem] for stem in one]
    assert len(set(ids)) == len(ids) and len(set(doc_of.values())) == len(doc_of) - len(one)   # each listed once
# -- metadata (issue 9: 文种, dates, 来源, titles; issue 11 #1: nothing from the members part) ---------------------

GOLD = Path(__file__).with_name("genre_gold.tsv")
_CN_YEAR = str.maketrans("0123456789", "〇一二三四五六七八九")


@pytest.fixture(scope="module")
def corpus_docs(corpus_library, corpus_dir):
    """Corpus path (relative) → the document its file became (a duplicate file → the document it repeats)."""
    library, summary = corpus_library
    docs = {d.id: d for d in library.catalogue.documents(outline=False)}
    root = corpus_dir.resolve()
    return {Path(o.path).resolve().relative_to(root).as_posix(): docs[o.doc_id]
            for o in summary.outcomes if o.doc_id in docs}


def test_genre_gold_set_accuracy(corpus_docs):
    """文种 of the documents of tests/genre_gold.tsv (labelled by reading, see its header) vs. the classifier."""
    gold = [line.rstrip("\n").split("\t") for line in GOLD.read_text(encoding="utf-8").splitlines(True)
            if line.strip() and not line.startswith("#")]
    assert len(gold) >= 300 and all(path in corpus_docs for path, _ in gold)
    misses = [(path, label, corpus_docs[path].genre) for path, label in gold if corpus_docs[path].genre != label]
    accuracy = 1 - len(misses) / len(gold)
    print(f"\n文种 gold accuracy: {len(gold) - len(misses)}/{len(gold)} = {accuracy:.1%}; misses: {misses}")
    assert accuracy >= 0.95, misses


def test_other_and_unstated_shares_and_date_coverage(corpus_docs):
    """其他 ≤ 10 % and 未注明 ≤ 20 % of the documents; the date coverage of each folder's files (reported)."""
    docs = list({d.id: d for d in corpus_docs.values()}.values())
    other = sum(d.genre == "其他" for d in docs) / len(docs)
    unstated = sum(d.source is None for d in docs) / len(docs)
    folders = Counter(path.split("/")[0] for path in corpus_docs)
    dated = Counter(path.split("/")[0] for path, d in corpus_docs.items() if d.date)
    coverage = {folder: f"{dated[folder]}/{n}" for folder, n in sorted(folders.items())}
    print(f"\n其他 {other:.1%}, 未注明 {unstated:.1%} of {len(docs)} documents; dated per folder: {coverage}")
    assert other <= 0.10 and unstated <= 0.20
    assert dated["xinwenlianbo_cctv_transcripts"] == folders["xinwenlianbo_cctv_transcripts"]


def test_every_xinwenlianbo_transcript_has_its_broadcast_date(corpus_docs):
    transcripts = {path: d for path, d in corpus_docs.items() if path.startswith("xinwenlianbo_cctv_transcripts/")}
    assert len(transcripts) == 1423
    wrong = {path: d.date for path, d in transcripts.items()
             if d.date != f"{path[-11:-7]}-{path[-7:-5]}-{path[-5:-3]}"}   # YYYYMMDD.md
    assert wrong == {}


def test_national_reports_carry_their_year_and_are_found_by_it(corpus_library, corpus_docs):
    library, _ = corpus_library
    reports = {path: d for path, d in corpus_docs.items() if path.startswith("gov_work_reports_national_2024_2026/")}
    assert sorted((d.date, d.genre, d.source) for d in reports.values()) == [
        ("2024", "政府工作报告", "国务院"), ("2025", "政府工作报告", "国务院"), ("2026", "政府工作报告", "国务院")]
    for member in (True, False):
        found = library.search(SearchRequest(q="", year=2024, genre="政府工作报告"), member=member)
        assert [h.title for h in found.hits] == ["2024年政府工作报告（国务院）"]
        years = [b["value"] for b in found.facets["year"]]
        assert years == sorted(years, reverse=True)


def test_titles_say_what_the_document_is(corpus_docs):
    hailaer = {d.id: d for path, d in corpus_docs.items() if path.startswith("gov_work_reports_hailaer_district/")}
    # every report says 政府工作报告; the 2017 one has no title line and is kept as its better-named copy
    # (issue 12: "2017.txt" and "2017_海拉尔区政府工作报告.txt" hold the same text), titled by that file's name
    named = [d for d in hailaer.values() if d.source_path.endswith("2017_海拉尔区政府工作报告.txt")]
    assert [d.title for d in named] == ["海拉尔区政府工作报告"]
    assert {d.title for d in hailaer.values() if d not in named} == {"政府工作报告"}
    parts = {d.title for path, d in corpus_docs.items() if path.startswith("laws_lawrefbook_national/民法典/")}
    assert parts == {f"中华人民共和国民法典 {part}" for part in
                     ("总则", "物权编", "合同编", "人格权编", "婚姻家庭编", "继承编", "侵权责任编", "附则")}
    assert not [d.title for d in corpus_docs.values() if d.title.strip().isdigit()]


def _year_written(year: str, material: str) -> bool:
    material = unicodedata.normalize("NFKC", material).replace("零", "〇").replace("○", "〇")
    return year in material or year.translate(_CN_YEAR) in material


def test_no_visitor_sees_a_date_found_only_in_the_members_part(corpus_library, corpus_docs):
    """Issue 11 #1: with free_preview_chars = 150 every long document is members-only after 150
    characters. The date a visitor gets must be written in what the visitor may read — the title, the
    first 150 characters, the file's name and folders, and a web page's own metadata (public on the page
    it came from; read again here by the readers) — checked independently of the metadata module
    (its year written in Arabic — full or half width — or Chinese digits). Reported: how many documents would show such a date
    if the full document's date were shown (the behaviour of sucai 0.1)."""
    library, _ = corpus_library
    preview = Catalogue(library.settings.database("catalogue"), preview_chars=150)
    before = after = total = 0
    for doc in preview.documents(outline=False):
        if doc.paid_from is None:
            continue
        total += 1
        view = access.free_view(doc)
        page_meta = list(readers.read(Path(doc.source_path)).meta.values()) if doc.format == "html" else []
        material = "\n".join([view.title, view.text, doc.source_path, *page_meta])
        before += bool(doc.date) and not _year_written(doc.date[:4], material)
        after += bool(view.date) and not _year_written(view.date[:4], material)
    print(f"\nfree_preview_chars=150: {before} of {total} documents would show a date found only in their "
          f"members part; now {after}")
    assert before > 0 and after == 0


# -- the web app over the corpus ------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_client(corpus_library):
    """The web app over the whole-corpus library (on SQLite: the pages and the API on PostgreSQL are tested in
    ``test_web_api.py``): ``(client, library)``."""
    library, _ = corpus_library
    with TestClient(create_app(library.settings.home), raise_server_exceptions=False) as client:
        yield client, library


def test_corpus_suggest_finds_titles(corpus_client):
    """Type-ahead against a title-scan oracle (its speed is measured in bench/serve.py, not here)."""
    client, library = corpus_client
    titles = [analysis.normalize(row["title"]) for row in library.catalogue.summaries()]
    assert len(titles) > 3300
    for q in ("政府工作报告", "国务院", "关于", "中华人民共和国", "新闻联播", "意见", "法"):
        response = client.get("/api/suggest", params={"q": q})
        assert response.status_code == 200
        found = response.json()["suggestions"]
        assert len(found) == min(8, sum(q in t for t in titles))
        for item in found:
            assert q in analysis.normalize(item["title"])


def test_corpus_search_and_pages(corpus_client):
    client, library = corpus_client
    for params in ({"q": "高质量发展"}, {"q": "乡村振兴", "mode": "precise", "scope": "section"}):
        got = client.get("/api/search", params=params).json()
        expected = json.loads(json.dumps(asdict(library.search(SearchRequest(**params), member=False))))
        for data in (got, expected):
            del data["took_ms"]
        assert got == expected and got["total"] > 10
    hit = client.get("/api/search", params={"q": "政府工作报告"}).json()["hits"][0]
    page = client.get(f"/documents/{hit['id']}")
    assert page.status_code == 200 and "相似素材" in page.text
    view, _ = access.view(library.get(hit["id"]), False)
    assert client.get(f"/api/documents/{hit['id']}").json()["text"] == view.text
