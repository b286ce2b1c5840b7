"""Candidate sources of a draft: the documents that share the most 查重 fingerprints with it.

The search index holds the winnowed 5-gram fingerprints of every document's free view (field ``free_fp``), and
of the whole text of a document with a members part (``fp``; see :mod:`sucai.fingerprint` and :mod:`sucai.index`):
everyone else's sources are looked for in the first alone, a member's in the second and in the first for the other
documents (:class:`Sources`), so that a non-member's candidates, their ranking and the document frequencies used
depend on free text only. Two ways to find the sources worth aligning (:mod:`sucai.check.align`):

- :func:`candidates`: all the draft's fingerprints as one disjunction of term queries,
  ranking documents by BM25 over the fingerprints they share with the draft (rare
  fingerprints weigh more than boilerplate ones): the documents most of the draft
  comes from;
- :func:`local_candidates`: each rarer fingerprint of what is still unmatched looked up
  on its own, keeping the documents that share several of them close together in the
  draft: the sources of short passages, which a global ranking drowns.

The same document frequencies tell a set phrase (:class:`SetPhrases`): a short 重合片段 whose fingerprints are
in many documents — 「以习近平新时代中国特色社会主义思想为指导」 in 73 of 625 corpus documents — is the common
wording of a whole genre, copied from none of them in particular; :func:`sucai.check.check_text` does not count it.

Hidden documents are not in the index.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import tantivy
from tantivy import Occur, Query

from ..fingerprint import CHECK_K, CHECK_W, kgram_hashes, tokens, winnow
from ..index import SCHEMA

RARE = 50      # fingerprints in at most this many documents are looked up one by one
LOCAL = 48     # skeleton characters within which fingerprints of one source count as evidence
EVIDENCE = 1   # fingerprints needed within LOCAL characters
PHRASE_CHARS = 40     # a set phrase is at most this many skeleton characters long …
PHRASE_DOCS = 10      # … and common — its fingerprints in at least this many documents
PHRASE_SHARE = 0.01   # and this share of the index's — but for fewer than a 重合片段's characters
"""So a set phrase is common relative to the library above 1,000 documents, and in at least 10 texts below: on
200-document samples of the corpus (3 seeds), a share alone — 1 %, 2 texts — made 94–112 clauses set phrases that the
whole corpus (3,321 documents, least 34) has copied from their sources, 2 % (4 texts) 10–19, the floor of 10 none;
the genre's phrases (「以习近平新时代中国特色社会主义思想为指导」, 「构成犯罪的依法追究刑事责任」, 「国务院各部委、各直属机构」
in 1 of 200) are set phrases at both sizes: their fingerprints are each in many texts."""


@dataclass(frozen=True)
class Sources:
    """Where the 查重 fingerprints of the texts a viewer may see are (:mod:`sucai.index`): for a viewer without the
    member tier (``member`` False), every document's free view in ``free_fp``; for a member, the whole text — in ``fp``
    for a document with a members part (``split``), in ``free_fp`` for any other, whose free view is its whole text.
    So a non-member's queries and document frequencies read ``free_fp`` alone: nothing of them depends on members
    text."""

    member: bool

    def clauses(self, tokens: Iterable[str]) -> list[tuple[Occur, Query]]:
        """The clauses of a boolean query that match the documents holding any of ``tokens`` in the texts the viewer
        may see, each scored by BM25 over the one field holding its text (a member's: one clause of each field)."""
        tokens = list(tokens)
        free = [(Occur.Should, Query.term_query(SCHEMA, "free_fp", token)) for token in tokens]
        if not self.member:
            return free
        whole = [(Occur.Should, Query.term_query(SCHEMA, "fp", token)) for token in tokens]
        return [(Occur.Should, Query.boolean_query(whole)),   # only split documents have ``fp``: no filter
                (Occur.Should, Query.boolean_query([(Occur.Must, Query.boolean_query(free)),
                                                    (Occur.MustNot, Query.term_query(SCHEMA, "split", True))]))]

    def holding(self, token: str) -> Query:
        """The documents holding ``token`` in the texts the viewer may see."""
        clauses = self.clauses([token])
        return clauses[0][1] if len(clauses) == 1 else Query.boolean_query(clauses)

    def doc_freq(self, searcher: tantivy.Searcher, token: str) -> int:
        """tantivy's document frequency of ``token`` in the fields of the viewer's texts, summed: at least the
        documents holding it (see :func:`holding`; a member's also counts the free views of documents with a members
        part)."""
        return sum(searcher.doc_freq(field, token) for field in (("fp", "free_fp") if self.member else ("free_fp",)))


class DraftFingerprints:
    """The winnowed fingerprints of a draft skeleton: their positions (skeleton offsets) and tokens."""

    def __init__(self, chars: str):
        self.hashes = hashes = kgram_hashes(chars, CHECK_K)
        self.positions = winnow(hashes, CHECK_W)
        self.tokens = np.array(tokens(hashes[self.positions]), dtype=object)

    def all(self) -> list[str]:
        return sorted(set(self.tokens))

    def open(self, taken: np.ndarray) -> dict[str, list[int]]:
        """Token → draft positions of the fingerprints whose k-gram is not wholly inside ``taken`` (a
        boolean mask over the skeleton: what is matched already)."""
        covered = np.concatenate(([0], np.cumsum(taken, dtype=np.int64)))
        inside = covered[self.positions + CHECK_K] - covered[self.positions] == CHECK_K
        out: dict[str, list[int]] = {}
        for token, position in zip(self.tokens[~inside], self.positions[~inside]):
            out.setdefault(token, []).append(int(position))
        return out


class SetPhrases:
    """Which 重合片段 of a draft are set phrases (固定提法) in the texts of ``sources`` in the index ``searcher``
    reads: at most ``PHRASE_CHARS`` skeleton characters, with no stretch of ``min_chars`` — the shortest 重合片段 — outside the
    common part, where the fingerprints are in at least ``PHRASE_DOCS`` texts and ``PHRASE_SHARE`` of the index's
    documents. So a phrase with a few words that one document says around it (「会议强调，要以…为指导，扎实」) is a set
    phrase still, and one with a 重合片段's worth of a document's own words is not. A text is a group of
    near-duplicates (``group``: document id → its cluster's id, :mod:`sucai.dedupe`, in the clusters the viewer sees),
    or a document in none: the versions of one law, one notice reposted by ten sites, say their sentences once, and a
    sentence of them is copied from that text, not a genre's wording. A 重合片段 is judged on its exact stretches, the
    pieces of it that are the same text in the draft and the source (:attr:`sucai.check.align.Fragment.stretches`):
    its fingerprints are the smallest hash of each window of ``CHECK_W`` k-grams of it, of those wholly inside one
    stretch — in a window inside a stretch, one every text holding the stretch has in the index too (winnowing is
    local: Schleimer et al. 2003, see :mod:`sucai.fingerprint`) —, and the common part is the k-grams of the common
    ones. A k-gram across a gap of the source, or over the writer's own words, is in no text: winnowed with the rest,
    it took the place of a set phrase's fingerprint, and a draft's 「广泛宣传。本法自公布之日起施行」 — the closing of
    dozens of laws after four characters one of them says before its 「第二十条」 — counted as copied from that law.
    Each frequency is read once per draft."""

    def __init__(self, searcher: tantivy.Searcher, fingerprints: DraftFingerprints, sources: Sources, min_chars: int,
                 group: dict[int, int]):
        self.searcher, self.hashes, self.sources, self.min_chars = searcher, fingerprints.hashes, sources, min_chars
        self.group = group
        self.least = max(PHRASE_DOCS, math.ceil(PHRASE_SHARE * searcher.num_docs))
        self.common: dict[str, bool] = {}
        self.judged: dict[tuple[tuple[int, int], ...], bool] = {}

    def holds(self, stretches: tuple[tuple[int, int], ...]) -> bool:
        """Whether the 重合片段 made of the draft skeleton's exact ``stretches`` (``[start, end)`` each, in order of
        start) is a set phrase (each judged once: a phrase of many documents is a 重合片段 of each source that holds
        it)."""
        if stretches not in self.judged:
            self.judged[stretches] = self._judge(stretches)
        return self.judged[stretches]

    def _judge(self, stretches: tuple[tuple[int, int], ...]) -> bool:
        start, end = stretches[0][0], max(b for _, b in stretches)
        hashes = self.hashes[start:end - CHECK_K + 1].copy()
        if end - start > PHRASE_CHARS or len(hashes) < CHECK_W:
            return False
        exact = np.zeros(len(hashes), dtype=bool)   # the k-grams wholly inside one stretch
        for a, b in stretches:
            exact[a - start:max(a, b - CHECK_K + 1) - start] = True
        hashes[~exact] = np.iinfo(np.uint64).max   # winnowed only where a window holds none of them
        picked = winnow(hashes, CHECK_W)
        picked = picked[exact[picked]]
        common = np.zeros(end - start, dtype=bool)
        for position, token in zip(picked.tolist(), tokens(hashes[picked])):
            if self._common(token):
                common[position:position + CHECK_K] = True
        longest = stretch = 0
        for said in common.tolist():
            stretch = 0 if said else stretch + 1
            longest = max(longest, stretch)
        return longest < self.min_chars

    def _common(self, token: str) -> bool:
        """Whether at least ``least`` texts (groups of near-duplicates, or documents in none) hold ``token`` now. Its
        holders are read a batch at a time (:func:`holding`), until ``least`` texts are seen or none is left: a
        genre's phrase, in thousands of documents of a large library, is told by its first ``least`` holders (more
        only where near-duplicates make fewer texts), not all of them."""
        if token not in self.common:
            texts: set[int] = set()
            if (most := self.sources.doc_freq(self.searcher, token)) >= self.least:
                for ids in holding(self.searcher, self.sources, token, self.least, most):
                    texts.update(self.group.get(i, -i) for i in ids)
                    if len(texts) >= self.least:
                        break
            self.common[token] = len(texts) >= self.least
        return self.common[token]


def holding(searcher: tantivy.Searcher, sources: Sources, token: str, first: int, most: int) -> Iterator[list[int]]:
    """The ids of the documents holding ``token`` in the texts of ``sources`` now, in batches: ``first`` (≥ 1) of
    them, then each batch as many as all before it (doubling), until none is left — so a caller that stops once it
    knows has read ``first`` ids, or at most twice what it needed. The batches are pages of one query (``offset``), in
    the order of tantivy's top documents, stable on ties of the score (by document address: ``TopDocs`` is made for
    pagination), so no id is read twice or missed. ``most``: tantivy's ``doc_freq`` of ``token``
    (:meth:`Sources.doc_freq`), which the caller read to know whether to ask (none is searched for when it is 0). Not
    that alone: it also counts the documents deleted — hidden, removed, indexed again (another members boundary,
    another cluster flag) — until their segment is merged (11 hidden of 12 holders made a set phrase still); it only
    bounds the search, which finds live documents only."""
    query, read = sources.holding(token), 0
    while read < most:
        wanted = min(max(first, read), most - read)
        hits = searcher.search(query, limit=wanted, offset=read, count=False).hits
        yield _ids(searcher, hits)
        if len(hits) < wanted:   # the rest of doc_freq: deleted documents
            return
        read += wanted


def candidates(searcher: tantivy.Searcher, fingerprint_tokens: list[str], exclude: set[int], limit: int,
               sources: Sources) -> list[int]:
    """Ids of up to ``limit`` documents sharing the most (BM25-weighted) fingerprints in the texts of ``sources``,
    best first; ``exclude``: ids already looked at."""
    if not fingerprint_tokens:
        return []
    clauses = sources.clauses(fingerprint_tokens)
    if exclude:
        clauses.append((Occur.MustNot, Query.term_set_query(SCHEMA, "id", sorted(exclude))))
    hits = searcher.search(Query.boolean_query(clauses), limit=limit).hits
    return _ids(searcher, hits)


class RareHolders:
    """The live documents holding each rarer fingerprint of a draft in the texts of ``sources`` in the index
    ``searcher`` reads (at most ``RARE`` of them; None for a commoner one), each read once per check: a later round's
    open fingerprints are mostly the earlier's (about 1,280 of 1,350 of a 10,000-字 draft's on ``bench/check.py``'s
    40 M library), and each was read again — its ``doc_freq``, then up to ``RARE + 1`` ids (the same 200 reports:
    doc_freq asked 1,667 times a check, not 3,050; 6,384 ids read, not 8,008)."""

    def __init__(self, searcher: tantivy.Searcher, sources: Sources):
        self.searcher, self.sources = searcher, sources
        self.known: dict[str, list[int] | None] = {}

    def __call__(self, token: str) -> list[int] | None:
        if token not in self.known:
            most = self.sources.doc_freq(self.searcher, token)
            ids = next(holding(self.searcher, self.sources, token, RARE + 1, most), [])
            self.known[token] = ids if len(ids) <= RARE else None
        return self.known[token]


def local_candidates(rare: RareHolders, open_: dict[str, list[int]], exclude: set[int], limit: int) -> list[int]:
    """Ids of up to ``limit`` documents with local evidence: at least ``EVIDENCE`` of the draft's
    rarer fingerprints (``rare``: those in at most ``RARE`` documents) within ``LOCAL`` skeleton characters
    of each other. The evidence of a document is its strongest stretch: the sum of its fingerprints' weights there,
    each weighing as BM25's IDF weighs it (Robertson and Zaragoza 2009: ln(1 + (N − n + 0.5) / (n + 0.5)), n the
    documents holding it now, N all) — a 旅游法 article's 「吊销旅行社业务经营许可证」, in one law, outweighs
    「责令停业整顿」, which twenty laws' penalty articles share with it (ranked by their number alone, the sources of a
    120-source draft's other paragraphs and the library's second copies of them left no room for a 个人信息保护法
    article's). The strongest first. ``open_``: token → draft positions."""
    found: dict[int, list[tuple[int, float]]] = {}
    for token, positions in open_.items():
        ids = rare(token)
        if ids is None:
            continue
        weight = math.log(1 + (rare.searcher.num_docs - len(ids) + 0.5) / (len(ids) + 0.5))
        for doc_id in ids:
            if doc_id not in exclude:
                found.setdefault(doc_id, []).extend((position, weight) for position in positions)
    scored = [(*_densest(sorted(evidence)), doc_id) for doc_id, evidence in found.items()]
    ranked = sorted(scored, key=lambda p: (-p[1], p[2]))
    return [doc_id for count, _, doc_id in ranked if count >= EVIDENCE][:limit]


def _densest(evidence: list[tuple[int, float]]) -> tuple[int, float]:
    """Of ``(position, weight)`` pairs in order of position: the most of them, and the largest sum of their weights,
    within any stretch of ``LOCAL`` characters."""
    best, heaviest, first, weight = 0, 0.0, 0, 0.0
    for last, (position, add) in enumerate(evidence):
        weight += add
        while position - evidence[first][0] > LOCAL:
            weight -= evidence[first][1]
            first += 1
        best, heaviest = max(best, last - first + 1), max(heaviest, weight)
    return best, heaviest


def _ids(searcher: tantivy.Searcher, hits) -> list[int]:
    return list(searcher.fast_field_values("id", [address for _, address in hits])) if hits else []
