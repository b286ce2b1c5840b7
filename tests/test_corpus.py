"""The whole of ../shared/corpus ingested once, and precise search checked against a brute-force oracle.

The oracle is a substring scan over the normalised title and text of every stored
document — computed here, independently of the index — for 1,000 seeded random
queries: substrings of length 1–20, two-term queries, and negations.
"""

from __future__ import annotations

import random
import re

import pytest

from sucai import analysis
from sucai.library import Library
from sucai.search import SearchRequest

pytestmark = pytest.mark.corpus

_SYNTAX = re.compile(r'[\s"“”＂－|｜-]')


@pytest.fixture(scope="module")
def corpus_library(corpus_dir, tmp_path_factory, make_home):
    home = make_home(tmp_path_factory.mktemp("corpus-home"))
    library = Library.open(home)
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
    rng = random.Random(20261129)
    texts = [text for _, text in normalised.values()]
    mismatches = []
    for n in range(1_000):
        a, b = _draw_term(rng, texts), _draw_term(rng, texts)
        kind = n % 4
        if kind < 2:
            q, include, exclude = a, [a], []
        elif kind == 2:
            q, include, exclude = f"{a} {b}", [a, b], []
        else:
            q, include, exclude = f"{a} -{b}", [a], [b]
        include, exclude = [analysis.normalize(t) for t in include], [analysis.normalize(t) for t in exclude]
        expected = _oracle(normalised, include, exclude)
        total, ids = library.matching_ids(SearchRequest(q=q, mode="precise"), member=True, limit=10_000)
        got = set(ids)
        if got != expected or total != len(expected) or len(ids) != len(got):
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
