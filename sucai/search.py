"""Search: precise (精准) and ranked (智能) modes, over documents or sections.

- **Precise**: every term occurs verbatim, after normalisation, in the title or the
  text. Each term is a phrase query over the bigram tokens of the index, which is
  an exact substring test (see :mod:`sucai.analysis`); counts are exact. Ranked by
  tantivy's BM25 (Robertson & Zaragoza 2009), ties broken by document id.
- **Ranked** (the default): the precise matches first, then documents that match
  only in part — jieba words (title, headings, body), word proximity (a sloppy
  phrase over the words' leading bigrams; off at the shipped weights) and character bigrams, all scored by
  BM25 with the weights of :data:`RANKING` (question and function words — 如何, 哪些, 的,
  需要…: :data:`sucai.query.QUESTION_WORDS` — count only in the verbatim match), the first
  hits reordered by a prior on document length (``Ranking.length``). The clauses of every term are one flat
  disjunction, so that a document's score is summed in one pass over the postings; the
  documents it matches (counted for facets, ordered by date or length) are found by its
  term clauses alone — a document holding a term or its words near each other holds
  their bigrams — without reading positions.
- **Section scope**: the best documents (those holding a needle, up to
  ``section_scan_docs`` of them and ``section_scan_chars`` characters) are split
  into sections (a heading with its paragraphs, items 一是… included) and each
  matching section is a hit with its heading path; sections are scored by BM25
  over section lengths, and in ranked mode those holding more of the query's terms
  come first (:func:`_fit`), then those whose heading holds them. A document's identical sections (sub-sections
  included) are one hit, and a bare heading (its text in its sub-sections) comes after its matching sub-sections.

What a viewer may match is decided here with :mod:`sucai.access`: without the
member tier, the fields of the free view are searched (so matches and scores,
term statistics included, come from the free view alone), snippets, highlights
and facet counts come from the free part, and the 文种/年份/来源 filters, facets,
date sort and each hit's metadata use the metadata found in the free part (the
index's ``free_genre``/``free_source``/``free_year``/``free_date`` fields).
Documents the catalogue has changed since they were indexed (hidden, re-bounded,
edited, removed) are left out of every query until the index catches up
(:meth:`sucai.index.SearchIndex.snapshot`), and a hit is built from the
catalogue's current document.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from functools import cached_property, lru_cache

import tantivy
from tantivy import Occur, Query

from . import access, analysis
from .choices import MAX_PAGE, MODES, SCOPES, SORTS   # choices: code → the name users see
from .index import SCHEMA, SearchIndex, Snapshot, Versions, facet_fields
from .headings import heading_key, part_named, role, strip_label
from .errors import InvalidInput
from .metadata.genres import canonical, listed_genre
from .model import Document
from .query import QUESTION_WORDS, ParsedQuery, content_pieces, parse_query, topic_words
from .resultcache import ResultCache
from .snippet import count_occurrences, find_spans, merge_spans, snippet_for
from .store import Catalogue

_CHOICES = {"mode": ("检索方式", MODES), "scope": ("范围", SCOPES), "sort": ("排序", SORTS)}
_FACETS = {"genre": 50, "year": 50, "source": 30}
_K1, _B = 1.2, 0.75


@dataclass(frozen=True)
class Ranking:
    """Ranked-mode weights: BM25 boosts of each kind of match of a term (verbatim, words
    in the title, headings and body, words near each other, character bigrams), the
    slop of the proximity phrase (in tokens), and whether question and function words
    (:data:`sucai.query.QUESTION_WORDS`) are left out of the words, bigrams and proximity
    (they still count in the verbatim match). Compared and tuned with bench/relevance.py.
    A weight of 0 leaves that kind of match out of the query: proximity, since issue 16 —
    at 1.0 it changed no figure of bench/relevance.py (CMRC held-out, natural questions,
    headings) and its sloppy phrase was the dearest clause (~0.1 ms of 0.55 at 90 M characters).
    ``length``: a length prior (for members: the index knows whole documents' lengths only) — among the
    first :data:`_RESCORED` hits, each relevance is multiplied
    by the document's length in characters to this power (0: off); tantivy's BM25 normalises every
    field by its length with b = 0.75, which cannot be set, and this gives long documents part of it
    back (issue 16: with more weight on bigrams than on words, long reports and laws were ranked too low).
    ``feedback_*``: pseudo-relevance feedback (RM3, Abdul-Jaleel et al. 2004; :func:`_with_feedback`), off at
    ``feedback_docs`` 0: the words of the best passage (``feedback_passage`` characters) of each of the first
    ``feedback_docs`` hits, weighted by their share of the passage's words times the hit's share of those hits'
    relevance, summed; the ``feedback_terms`` heaviest words not asked and held by at most ``feedback_max_df`` of the
    documents are added as body-word clauses whose boosts add up to ``feedback_weight`` × their number. Off in
    :data:`RANKING` (bench/relevance.py phase 20: +0.004 nDCG@10 on the natural held-out half for ~4× the CPU)."""

    exact: float = 3.0
    title: float = 1.0
    heading: float = 1.0
    body: float = 1.0
    proximity: float = 0.0
    slop: int = 3
    bigram: float = 1.0
    question_words: bool = False
    length: float = 0.0
    feedback_docs: int = 0
    feedback_terms: int = 10
    feedback_weight: float = 0.25
    feedback_passage: int = 300
    feedback_max_df: float = 0.1


# Chosen on the natural questions' tune half (a joint grid of bigram, body, title and length; phase 9),
# proximity kept off (its cost): natural held-out half 0.901 → 0.910 nDCG@10 (the pools of both judged to
# depth 10); tuned on the held-out half instead, the grid picks nearly the same (length 0.1, bigram 2).
RANKING = Ranking(title=0.25, body=1.5, bigram=2.0, length=0.1, question_words=True)


@dataclass
class SearchRequest:
    """What to search for. ``page`` counts from 1; ``limit`` is the page size."""

    q: str = ""
    mode: str = "ranked"  # a code of MODES or its name (智能/精准); likewise scope and sort
    scope: str = "doc"
    heading: str | None = None
    genre: str | None = None
    year: int | None = None
    source: str | None = None
    has_member_part: bool | None = None
    sort: str = "relevance"
    limit: int = 10
    page: int = 1
    facets: bool = True
    ids: list[int] | None = None   # only among these documents (new ones, a folder…); None: all

    @property
    def narrowed(self) -> bool:
        """Whether the request asks for some documents, not all: a query with something to search for (one
        :func:`~sucai.query.parse_query` reads as not ``empty``: white space, invisible characters — U+200B, U+FEFF —,
        a lone "-" or "OR" search every document) or a filter of 文种, year or 来源. A zip of a search (the web's
        打包下载, ``sucai export --query``) and a saved search need one."""
        return not parse_query(self.q or "").empty or any(v not in (None, "") for v in (self.genre, self.year, self.source))


_ALL_FIELDS = tuple(f.name for f in fields(SearchRequest))


@dataclass
class Hit:
    """One result. Offsets are characters: ``highlights`` in ``snippet``, ``title_highlights``
    in ``title``, ``section_start``/``section_end`` in the text the viewer gets (the whole
    text for a member, the free view's text otherwise: :func:`sucai.access.view`). ``chars`` is the whole
    document's 字数 (:attr:`sucai.model.Document.counted_chars`)."""

    id: int
    title: str
    genre: str
    chars: int
    date: str | None
    source: str | None
    score: float
    snippet: str
    highlights: list[tuple[int, int]]
    title_highlights: list[tuple[int, int]]
    section_path: list[str] = field(default_factory=list)
    section_start: int | None = None
    section_end: int | None = None
    other_versions: list[int] = field(default_factory=list)  # 另有 N 个相似版本: ids of the cluster's other members
    same_sections: int = 0  # 本文另有 N 处相同段落: sections of the document identical to this one, not listed


@dataclass
class SearchResult:
    query: str
    mode: str
    scope: str
    total: int
    page: int
    limit: int
    hits: list[Hit]
    facets: dict[str, list[dict]]
    warnings: list[str]
    took_ms: float

    def to_dict(self) -> dict:
        """The result as plain data for JSON (the shape of ``dataclasses.asdict``), sharing its lists:
        a cached result is served without the deep copy ``asdict`` makes (milliseconds per request)."""
        return {**vars(self), "hits": [vars(hit) for hit in self.hits]}


def search(index: SearchIndex, request: SearchRequest, *, member: bool = False,
           cache: ResultCache | None = None) -> SearchResult:
    """Run ``request`` for a viewer with (``member=True``) or without the member tier.

    Never raises for anything in ``request.q``; invalid choices of mode, scope or
    sort are read as the default with a warning. With a ``cache``, a result (and a document
    search's facet counts, which do not depend on the page or the sort; a section search's count
    sections, :func:`_section_facets`) computed
    before for the same request, tier and :attr:`~sucai.index.Snapshot.state` is
    served again (:mod:`sucai.resultcache`); results are shared: treat them as read-only.
    """
    started = time.perf_counter()
    request, warnings = _sanitise(request, index.settings.max_page_size)
    snapshot = index.snapshot()
    cache = _NO_CACHE if cache is None else cache
    key = ("result", _request_key(request), tuple(warnings), member, RANKING, snapshot.state)  # weights: the bench tunes them
    result, _ = cache.get(key, lambda: _search(index, snapshot, request, warnings, member, cache))
    return replace(result, took_ms=round((time.perf_counter() - started) * 1000, 2))


def _search(index: SearchIndex, snapshot: Snapshot, request: SearchRequest, warnings: list[str], member: bool,
            cache: ResultCache) -> SearchResult:
    parsed = parse_query(request.q, index.settings.max_query_chars)
    warnings = warnings + parsed.warnings
    searcher = snapshot.searcher
    plan = _Plan(parsed, request, member, list(snapshot.changed), snapshot.split)
    versions = snapshot.versions_for(member)
    shared = _collapse_versions(searcher, plan, versions)
    scan = None
    if request.scope == "section":
        scan = _scan_sections(index, searcher, plan, warnings)
        total, hits = len(scan.found), _section_hits(scan, plan, index.settings.snippet_chars)
    else:
        total, hits = _document_hits(index, snapshot, plan)
    _add_versions(hits, versions)
    facets = {}
    if scan is not None and request.facets:
        facets = _section_facets(scan)
    elif request.facets:
        facet_key = ("facets", _request_key(request, _MATCHING), member, snapshot.state)
        facets, _ = cache.get(facet_key, lambda: _facets(searcher, plan, shared, versions))
    return SearchResult(request.q, request.mode, request.scope, total, request.page, request.limit,
                        hits, facets, warnings, 0.0)


_NO_CACHE = ResultCache(0)
# What the matching documents depend on (and so a document search's facet counts): not the page, sort, scope or heading.
_MATCHING = ("q", "mode", "genre", "year", "source", "has_member_part", "ids")


def _request_key(request: SearchRequest, names: tuple[str, ...] | None = None) -> tuple:
    """The fields ``names`` (default: all) of a sanitised request as a hashable key."""
    values = ((name, getattr(request, name)) for name in names or _ALL_FIELDS)
    return tuple((name, tuple(value) if isinstance(value, list) else value) for name, value in values)


def choice_code(value: str | None, choices: dict[str, str]) -> str | None:
    """The code of a choice written as its code or its name (``"精准"`` → ``"precise"``); None when neither."""
    value = (value or "").strip()
    if value in choices:
        return value
    return next((code for code, name in choices.items() if name == value), None)


MAX_HEADING_FILTER = 100   # characters of a heading filter (the API's own limit)


def _sanitise(request: SearchRequest, max_page_size: int) -> tuple[SearchRequest, list[str]]:
    """Read invalid choices as the defaults and out-of-range numbers as the nearest valid ones, saying so; a query of
    white space and invisible characters alone (U+200B, U+FEFF: nothing once normalised) as no query; a 文种 as the
    taxonomy names it (:func:`~sucai.metadata.genres.listed_genre`), one it has not kept and said in the site's words."""
    warnings = []
    if request.q and not analysis.normalize(request.q).strip():
        request.q = ""
    for name, (label, choices) in _CHOICES.items():
        value = getattr(request, name)
        code = choice_code(value, choices)
        if code is None:
            code = next(iter(choices))
            warnings.append(f"未知的{label}“{value}”，已按{choices[code]}处理")
        setattr(request, name, code)
    for name, label, low, high in (("limit", "每页条数", 1, max_page_size), ("page", "页码", 1, MAX_PAGE)):
        value = getattr(request, name)
        if not low <= value <= high:
            setattr(request, name, min(max(low, value), high))
            warnings.append(f"{label}应在 {low}–{high} 之间，已按 {getattr(request, name)} 处理")
    if request.year is not None and not 1 <= request.year <= 9999:
        warnings.append(f"年份 {request.year} 无效，已忽略")
        request.year = None
    try:
        request.genre = listed_genre(request.genre)
    except InvalidInput as error:   # kept as asked (an unknown 文种 finds nothing), not said back
        warnings.append(f"{error.message}，可能找不到结果")
    if request.heading and request.scope != "section":
        warnings.append("按标题筛选只在段落检索（scope=section）中生效")
    if request.heading and len(request.heading) > MAX_HEADING_FILTER:   # the filter's cost is its length × a heading's
        request.heading = request.heading[:MAX_HEADING_FILTER]
        warnings.append(f"按标题筛选的文字最多 {MAX_HEADING_FILTER} 字，已截取前 {MAX_HEADING_FILTER} 字")
    return request, warnings


# -- building queries ----------------------------------------------------------


@dataclass(frozen=True)
class _View:
    """The index fields of one view of the documents (see :mod:`sucai.index`)."""

    title: str
    text: str
    headings: str


_FREE = _View("free_title", "free", "free_head_w")   # every document's free view
_WHOLE = _View("title", "body", "head_w")            # documents with a members part, whole


class _Plan:
    """The tantivy queries for one request and viewer.

    ``changed``: ids whose index entries are older than the catalogue (hidden,
    re-bounded, edited or removed since indexed); they are left out of every query.
    ``split``: some index entry has the whole-document fields (a document with a members
    part); without any, a member's queries are a visitor's (the same matches and scores).
    """

    def __init__(self, parsed: ParsedQuery, request: SearchRequest, member: bool, changed: list[int],
                 split: bool = True):
        self.parsed, self.request, self.member, self.split = parsed, request, member, split
        self.filters = _filters(request, member)
        self.left_out: list[Query] = []   # see exclude
        self.changed = changed
        self._built: dict[str, Query] = {}
        self._segmented: dict[str, list[str]] = {}

    def exclude(self, query: Query) -> None:
        """Leave the documents ``query`` matches out of every query of the plan (built from now on), as a clause
        that must not match: it adds nothing to a score (an unweighted filter added 1 in the index segments where
        ``query`` has postings and nothing in the others, so an order depended on how the index happened to be cut
        into segments), and costs less than a filter of every document but those (issue 16: a filter of all but
        them cost a visitor's broad search 0.05 ms more in its ranked query, and as much in its facets)."""
        self.left_out.append(query)
        self._built.clear()

    def over(self, make: Callable[[_View], list[Query]]) -> list[Query]:
        """The clauses ``make(view)`` over the fields this viewer searches: the free view for a viewer
        without the member tier; for a member, the whole document where it differs (then one clause
        holding both views). A document matches when it matches a clause; its score is their sum."""
        free = make(_FREE)
        if not (self.member and self.split):
            return free
        # only split documents have the whole-document fields, so they need no filter
        return [_any([_any(make(_WHOLE)),
                      Query.boolean_query([(Occur.Must, _any(free)), (Occur.MustNot, _flag("split", True))])])]

    def visible(self, make: Callable[[str], list[Query]]) -> list[Query]:
        """The clauses ``make(field prefix)`` over the title and the text this viewer may search."""
        return self.over(lambda view: make(view.title) + make(view.text))

    def exact(self, term: str, among: Query | None = None) -> Query:
        """Documents holding ``term`` verbatim in the title or the text this viewer may search; with ``among``, only
        those of its documents (:func:`_among`)."""
        return _any(self.visible(lambda part: [_among(_substring(part, term), among)]))

    def precise(self) -> Query:
        """Documents where every group has a term occurring verbatim (and no excluded term does)."""
        if "precise" not in self._built:
            self._built["precise"] = self._combine([self._verbatim()])
        return self._built["precise"]

    def ranked(self, bonus: float | None = None) -> Query:
        """Documents matching any word, bigram or term, scored for relevance; with ``bonus``, the
        documents where every group has a term verbatim (the precise matches) score that much more."""
        key = f"ranked+{bonus}"
        if key not in self._built:
            self._built[key] = self._ranked(bonus)
        return self._built[key]

    def _verbatim(self, held: Callable[[str], Query] | None = None) -> Query:
        """Every group has a term verbatim (no filter: what precise mode adds to them): in the title or the text,
        or where ``held(term)`` finds it."""
        held = held or self.exact
        groups = [_any([held(t) for t in group]) for group in self.parsed.groups]
        if not groups:
            return Query.all_query()
        return groups[0] if len(groups) == 1 else Query.boolean_query([(Occur.Must, g) for g in groups])

    def _ranked(self, bonus: float | None) -> Query:
        """One flat disjunction of the clauses of every scored term (a 发文字号 once:
        :attr:`~sucai.query.ParsedQuery.scored_terms`; tantivy adds up the scores of the clauses a document
        matches in one pass over their postings; each nested disjunction would take a pass of its own) and the
        filters; the bonus a clause of the same disjunction when nothing else restricts the matches (the precise
        matches are among them).

        Its cost in tantivy (issue 16; 90 M characters, thread CPU at the median of 300 queries of common words, the
        bench's substrings in brackets): the phrases, evaluated twice — the exact clauses ~0.45 ms (0.13), the
        bonus's verbatim test ~0.43 ms (0.10) —, beside ~0.3 ms (0.24) for every word and bigram clause. Block-max
        WAND does not apply (tantivy prunes only a disjunction of plain term clauses: no phrase, constant or filter)
        and ``count=True`` costs nothing more, every match being scored anyway. The clauses' order is part of the
        scores: tantivy's buffered union adds up a document's clause scores in the order of its list of scorers as
        they run out, and the same clauses in reverse order changed the 32-bit scores of 298 pages of 300 and the
        order of 11 — a query that gives the same pages must keep this disjunction as it is."""
        if not self.parsed.groups:
            return self._combine([Query.all_query()])
        clauses = [c for term in self.parsed.scored_terms for c in self._ranked_clauses(term)]
        extra = [] if bonus is None else [Query.const_score_query(self._verbatim(), bonus)]
        if not (self.filters or self.left_out or self.parsed.excluded or self.changed):
            return _any(clauses + extra)
        return self._combine([_any(clauses)], extra)

    def _ranked_matches(self) -> Query:
        """The documents :meth:`ranked` finds, unscored and cheaper to find (to count them, facets, or to
        sort them by date or length): the clauses of single terms, without the phrases — a document
        with a term verbatim or its words near each other has all their bigrams."""
        if "matches" not in self._built:
            self._built["matches"] = self._combine([self._term_matches])
        return self._built["matches"]

    @cached_property
    def _term_matches(self) -> Query:
        """The term clauses of :meth:`_ranked_matches`, without the filters: built once per plan (they do not change
        when :meth:`exclude` adds a filter, after which the matches are asked for again)."""
        clauses = [c for term in self.parsed.scored_terms for c in self._ranked_clauses(term, scored=False)]
        return _any(clauses) if clauses else Query.all_query()

    def holding_needle(self, text: bool = False, among: Query | None = None) -> Query:
        """Documents where some needle occurs verbatim, in what this viewer may search (no filter): in the title
        or the text, or with ``text`` in the text alone (:meth:`in_text`); with ``among``, only those of its
        documents (:func:`_among`)."""
        held = self.in_text if text else self.exact
        return _any([held(n, among) for n in self.needles])

    def holding_terms(self, text: bool = False, among: Query | None = None) -> Query:
        """Documents where every group has a term verbatim (the precise matches without the filters), or with
        ``text`` has it in the text (:meth:`in_text`); with ``among``, only those of its documents (:func:`_among`)."""
        held = self.in_text if text else self.exact
        return self._verbatim(lambda term: held(term, among))

    def in_text(self, term: str, among: Query | None = None) -> Query:
        """Documents whose text, which sections are cut from, holds ``term`` verbatim, in what this viewer may
        search (a document holding it in its title alone has no section to show); with ``among``, only those of its
        documents (:func:`_among`)."""
        return _any(self.over(lambda view: [_among(_substring(view.text, term), among)]))

    @cached_property
    def needles(self) -> list[str]:
        """What to highlight: the terms, and in ranked mode also their words (computed once per search) —
        but not a question or function word (如何, 哪些…) when the ranking leaves them out of a term's
        partial matches (``Ranking.question_words``)."""
        needles = list(self.parsed.terms)
        if self.request.mode == "ranked":
            for term in self.parsed.scored_terms:
                needles += [w for w in self._ranked_words(term) if len(w) > 1]
        return list(dict.fromkeys(needles))

    @cached_property
    def topics(self) -> dict[str, list[str]]:
        """Term → the needles a section holding them all is on its topic by (:func:`sucai.query.topic_words`:
        "担当作为方面" → ``["担当作为"]``); ``[]`` when some of those words is no needle (then only the term
        verbatim is)."""
        needles = set(self.needles)
        return {term: words if set(words) <= needles else [] for term in self.parsed.terms
                for words in [topic_words(term)]}

    def matching(self) -> Query:
        """The documents this request finds, in precise mode by relevance, in ranked mode unscored."""
        return self._ranked_matches() if self.request.mode == "ranked" else self.precise()

    def scored(self) -> Query:
        """The documents this request finds, scored for relevance (no bonus)."""
        return self.ranked() if self.request.mode == "ranked" else self.precise()

    def _words(self, term: str) -> list[str]:
        """The search words of ``term`` (:func:`sucai.analysis.search_words`, segmented once per plan)."""
        if term not in self._segmented:
            self._segmented[term] = analysis.search_words(term)
        return self._segmented[term]

    def _ranked_words(self, term: str) -> list[str]:
        """The words of ``term`` that ranked mode matches in part: without its question and function words
        when ``Ranking.question_words`` (unless nothing else is left)."""
        found = self._words(term)
        if RANKING.question_words:
            return [w for w in found if w not in QUESTION_WORDS] or found
        return found

    def _ranked_clauses(self, term: str, scored: bool = True) -> list[Query]:
        """One term in ranked mode: its exact occurrence, its words (title, headings, body),
        their proximity, and every character bigram (for partial matches), as clauses whose scores
        add up. Without ``scored``: the term clauses only (no phrase), which match the same documents."""
        weights = RANKING
        found, grams = self._ranked_words(term), _bigrams(term)
        if weights.question_words:
            grams = sorted({g for piece in content_pieces(term) for g in _bigrams(piece)})
        words = [w for w in found if len(w) > 1] or found

        def boost(queries: list[Query], weight: float) -> list[Query]:
            return queries if not scored or weight == 1.0 else [Query.boost_query(q, weight) for q in queries]

        clauses = []
        if scored or not grams:  # the exact term of one character is no phrase
            clauses += boost(self.visible(lambda part: [_substring(part, term)]), weights.exact)
        if words:
            for field_of, weight in ((lambda view: f"{view.title}_w", weights.title),
                                     (lambda view: view.headings, weights.heading),
                                     (lambda view: f"{view.text}_w", weights.body)):
                clauses += boost(self.over(lambda view: _terms(field_of(view), words)), weight)
        if scored and weights.proximity:
            near = _proximity_terms(term)
            if weights.question_words:  # only bigrams of its pieces: a phrase match still holds one of ``grams``
                near = [p for p in near if p[1] in grams]
            if len(near) > 1:
                clauses += boost(self.visible(lambda part: [Query.phrase_query(SCHEMA, f"{part}_bi", near,
                                                                               slop=weights.slop)]), weights.proximity)
        if grams:
            clauses += boost(self.visible(lambda part: _terms(f"{part}_bi", grams)), weights.bigram)
        return clauses

    def current(self, query: Query) -> Query:
        """``query`` without the documents whose index entries are older than the catalogue."""
        if not self.changed:
            return query
        return Query.boolean_query([(Occur.Must, query),
                                    (Occur.MustNot, _id_set(self.changed))])

    def _combine(self, must: list[Query], should: list[Query] = ()) -> Query:
        """``must`` and the filters, without the excluded terms, the documents left out (:meth:`exclude`) and the
        documents changed since indexed; ``should`` adds to the score of the documents it matches."""
        clauses = [(Occur.Must, q) for q in must] + [(Occur.Must, f) for f in self.filters]
        clauses += [(Occur.MustNot, self.exact(t)) for t in self.parsed.excluded]
        clauses += [(Occur.MustNot, q) for q in self.left_out]
        clauses += [(Occur.Should, q) for q in should]
        return self.current(Query.boolean_query(clauses))


def _among(query: Query, among: Query | None) -> Query:
    """``query``'s documents that ``among`` matches too (``query`` when ``among`` is None). As a leaf of a disjunction,
    cheaper than the disjunction under one such filter when ``among`` is a single term: tantivy scores a disjunction
    over every document of a block of 4,096 as soon as it is opened, whereas an intersection leads with its rarest part
    and asks the phrase only about the documents of ``among`` (issue 16)."""
    return query if among is None else Query.boolean_query([(Occur.Must, among), (Occur.Must, query)])


def _substring(part: str, term: str) -> Query:
    """Documents whose ``part`` field contains the normalised ``term`` (exact; see analysis)."""
    if len(term) == 1:
        return Query.term_query(SCHEMA, f"{part}_uni", term)
    pairs = _phrase_terms(term)
    if len(pairs) == 1:
        return Query.term_query(SCHEMA, f"{part}_bi", pairs[0][1])
    return Query.phrase_query(SCHEMA, f"{part}_bi", pairs)


@lru_cache(maxsize=4096)  # these two are pure functions of a term, asked for by several clauses of it
def _phrase_terms(term: str) -> list[tuple[int, str]]:
    return analysis.phrase_terms(term)


@lru_cache(maxsize=4096)
def _bigrams(term: str) -> list[str]:
    """The character bigrams of ``term`` (each once, sorted)."""
    return sorted({t for t in analysis.bigrams(term).split() if len(t) == 2})


def _proximity_terms(term: str) -> list[tuple[int, str]]:
    """The first bigram of each word of ``term`` at its offset: a sloppy phrase over
    these finds the words near each other, in order ("担当作为" ~ "担当了作为")."""
    pairs, offset = [], 0
    for word in analysis.words(term):
        offset = term.find(word, offset)
        if len(word) > 1 and offset >= 0:
            pairs.append((offset, word[:2].replace(" ", analysis.SPACE_TOKEN)))
        offset = max(offset, 0) + len(word)
    return pairs


def _terms(field_name: str, tokens: list[str]) -> list[Query]:
    return [Query.term_query(SCHEMA, field_name, t) for t in tokens]


def _any(queries: list[Query]) -> Query:
    return queries[0] if len(queries) == 1 else Query.boolean_query([(Occur.Should, q) for q in queries])


_ID_TERMS = 256  # up to this many ids, their terms' postings are read; tantivy's term set reads every document's id


def _id_set(ids: list[int]) -> Query:
    """The documents with these ids."""
    if 0 < len(ids) <= _ID_TERMS:
        return _any([Query.term_query(SCHEMA, "id", i) for i in ids])
    return Query.term_set_query(SCHEMA, "id", ids)


def _flag(name: str, value) -> Query:
    return Query.term_query(SCHEMA, name, value)


def _facet_field(name: str, member: bool) -> str:
    """The index field of facet ``name`` (genre, source, year, date) for this viewer."""
    return name if member else f"free_{name}"


def _filters(request: SearchRequest, member: bool) -> list[Query]:
    found = []
    for name, value in (("genre", canonical(request.genre)), ("source", request.source), ("year", request.year)):
        if value not in (None, ""):
            found.append(Query.const_score_query(_flag(_facet_field(name, member), value), 0.0))
    if request.has_member_part is not None:
        found.append(Query.const_score_query(_flag("has_paid", request.has_member_part), 0.0))
    if request.ids is not None:
        found.append(Query.const_score_query(_id_set(list(request.ids)), 0.0))
    return found


# -- collecting hits -------------------------------------------------------------


def _ranked_ids(searcher: tantivy.Searcher, query: Query, offset: int, limit: int, chars: bool = False):
    """Total and the ``[offset, offset+limit)`` slice of hits ordered by (score desc, id asc);
    with ``chars``, also the length in characters of each hit of the slice (a third item).

    Fetches past the slice until the score changes, so that ties are ordered by id
    the same way on every page: twice as many hits as the slice ends at from the first search on, for
    scores often tie at its end (equal matches of equal lengths; tantivy's 32-bit scores keep about three
    decimals of an exact match's bonus, :func:`_exact_bonus`), and a second search is a second pass over
    every match (one query in eight of a 20 M library's bench, precise and ranked, needed it with one more).
    """
    want = offset + limit
    fetch = 2 * (want + 1)
    while True:
        result = searcher.search(query, limit=fetch, count=True)
        hits = result.hits
        ids = searcher.fast_field_values("id", [a for _, a in hits]) if hits else []
        scored = [(float(s), i, a) for (s, a), i in zip(hits, ids)]
        if len(hits) < fetch or want == 0 or scored[-1][0] != scored[want - 1][0]:
            break
        fetch *= 2
    scored.sort(key=lambda p: (-p[0], p[1]))
    page = scored[offset:want]
    if not chars:
        return result.count, [(s, i) for s, i, _ in page]
    lengths = searcher.fast_field_values("chars", [a for _, _, a in page]) if page else []
    return result.count, [(s, i) for s, i, _ in page], lengths


def _sorted_ids(searcher: tantivy.Searcher, query: Query, field_name: str, offset: int, limit: int):
    result = searcher.search(query, limit=limit, offset=offset, count=True, order_by_field=field_name)
    ids = searcher.fast_field_values("id", [a for _, a in result.hits]) if result.hits else []
    return result.count, [(0.0, i) for i in ids]


def _document_hits(index: SearchIndex, snapshot: Snapshot, plan: _Plan) -> tuple[int, list[Hit]]:
    request = plan.request
    total, scored = _ordered(snapshot.searcher, plan, (request.page - 1) * request.limit, request.limit,
                             index.catalogue)
    docs = _hit_documents(index.catalogue, snapshot, [i for _, i in scored], plan.member)
    return total, [_document_hit(docs[i], score, plan, index.settings.snippet_chars) for score, i in scored if i in docs]


def _hit_documents(catalogue: Catalogue, snapshot: Snapshot, ids: list[int], member: bool) -> dict[int, Document]:
    """Id → document of those of ``ids`` that are not hidden, as a viewer with (``member``) or without the member tier's
    hits read them (:meth:`Catalogue.documents <sucai.store.Catalogue.documents>`, no outline; a visitor's without a
    members part that runs to the end), in one read of those an earlier search of the same state did not read
    (:attr:`sucai.index.Snapshot.hit_documents`: kept by id and tier — a member's whole text never serves a visitor
    —, and made anew when the state moves, so a document hidden, edited or re-bounded since is read again). The
    documents are shared by the searches of the state: read-only."""
    free = not member
    found = snapshot.hit_documents.get_many(
        [(doc_id, free) for doc_id in ids],
        lambda keys: {(doc.id, free): doc for doc in catalogue.documents([i for i, _ in keys], outline=False, free=free)})
    return {doc_id: doc for (doc_id, _), doc in found.items() if not doc.hidden}


def _ordered(searcher: tantivy.Searcher, plan: _Plan, offset: int, limit: int, catalogue: Catalogue
             ) -> tuple[int, list[tuple[float, int]]]:
    """Total and one page of ``(score, id)`` in result order, for the request's mode and sort."""
    request = plan.request
    if request.sort != "relevance":
        field_name = _facet_field("date", plan.member) if request.sort == "date" else "counted_chars"
        return _sorted_ids(searcher, plan.matching(), field_name, offset, limit)
    if request.mode == "precise" or not plan.parsed.groups:
        return _ranked_ids(searcher, plan.precise(), offset, limit)
    return _precise_first(searcher, plan, offset, limit, catalogue)


def matching_ids(index: SearchIndex, request: SearchRequest, *, member: bool = False, limit: int = 1000) -> tuple[int, list[int]]:
    """Total and the first ``limit`` matching document ids in result order, without building hits.

    For batch work (a zip of a result set, saved-search feeds, sync) and checks; the same matching rules as
    :func:`search`: with section scope, the documents holding a matching section (under ``heading`` when
    given), in the order of their best section, within the same scan budget — the total counts those.
    """
    request, _ = _sanitise(request, index.settings.max_page_size)
    snapshot = index.snapshot()
    searcher = snapshot.searcher
    plan = _Plan(parse_query(request.q, index.settings.max_query_chars), request, member, list(snapshot.changed),
                 snapshot.split)
    _collapse_versions(searcher, plan, snapshot.versions_for(member))
    if request.scope == "section":
        found = list(dict.fromkeys(view.id for _, view, *_ in _scan_sections(index, searcher, plan, []).found))
        return len(found), found[:limit]
    total, scored = _ordered(searcher, plan, 0, limit, index.catalogue)
    visible = index.catalogue.visible_titles([i for _, i in scored])
    return total, [i for _, i in scored if i in visible]


_EXACT_BONUS = 10_000.0  # the least bonus that puts exact matches before partial ones (see _exact_bonus)
_K1 = 1.2   # tantivy's BM25 (not settable in tantivy-py): a term scores at most (k1 + 1) × its idf


_RESCORED = 30  # the first hits of ranked mode that the length prior (Ranking.length) reorders


def _precise_first(searcher: tantivy.Searcher, plan: _Plan, offset: int, limit: int, catalogue: Catalogue):
    """Ranked mode in one pass: exact matches first, then partial ones, each by relevance.

    Exact matches get a constant bonus larger than any BM25 score; it is taken off
    again, so a hit's score is its relevance (times the length prior). With a length prior (``Ranking.length``), the
    first :data:`_RESCORED` hits are reordered by relevance × length ** ``length`` (exact
    matches still first), for a viewer with the member tier only; the hits after them keep their
    order, so every page agrees. With feedback (``Ranking.feedback_docs``), the query has the feedback words of
    ``catalogue``'s first hits added (:func:`_with_feedback`).
    """
    bonus = _exact_bonus(plan, searcher.num_docs)
    query = plan.ranked(bonus)
    if RANKING.feedback_docs:
        query = _with_feedback(searcher, plan, query, bonus, catalogue)

    def relevance(score: float) -> float:
        return score - bonus if score >= bonus else score

    if not RANKING.length or not plan.member:  # the index holds whole documents' lengths only: a members part's
        # length must not move a visitor's hits (tests/test_leaks.py)
        total, scored = _ranked_ids(searcher, query, offset, limit)
        return total, [(relevance(s), i) for s, i in scored]
    total, scored, chars = _ranked_ids(searcher, query, 0, max(offset + limit, _RESCORED), chars=True)
    head = sorted(((s < bonus, -relevance(s) * max(n, 1) ** RANKING.length, i)
                   for (s, i), n in zip(scored[:_RESCORED], chars)))
    ordered = [(-s, i) for _, s, i in head] + [(relevance(s), i) for s, i in scored[_RESCORED:]]
    return total, ordered[offset:offset + limit]


def _with_feedback(searcher: tantivy.Searcher, plan: _Plan, query: Query, bonus: float, catalogue: Catalogue) -> Query:
    """``query`` (the ranked query with its exact-match ``bonus``) scored more where it holds the feedback words of
    its first hits (:func:`_feedback_words`), as body-word clauses: it matches the same documents (the clauses only
    add to the score of its matches), and the exact matches still come first (:func:`_exact_bonus` counts them)."""
    chosen = _feedback_words(searcher, plan, query, bonus, catalogue)
    if not chosen:
        return query
    scale = RANKING.feedback_weight * len(chosen) / sum(weight for _, weight in chosen)
    extra = [Query.boost_query(clause, scale * weight)
             for word, weight in chosen for clause in plan.over(lambda view: _terms(f"{view.text}_w", [word]))]
    return Query.boolean_query([(Occur.Must, query), (Occur.Should, _any(extra))])


def _feedback_words(searcher: tantivy.Searcher, plan: _Plan, query: Query, bonus: float, catalogue: Catalogue
                    ) -> list[tuple[str, float]]:
    """The feedback words of ``query``'s first ``Ranking.feedback_docs`` hits, heaviest first, each with its weight
    (RM3's P(w|R) up to a constant): over those hits, the word's share of the words (of two characters or more) of the
    hit's best passage (:func:`sucai.snippet.snippet_for` over the needles, ``Ranking.feedback_passage`` characters)
    times the hit's share of their summed relevance. Words of the query (:func:`sucai.analysis.search_words`) and
    question words are left out, and so are words in more than ``Ranking.feedback_max_df`` of the documents (by the
    free view's word field, the one every entry has). The passages come from the viewer's view of each hit: a
    visitor's from the free view only, so the members part of a document never moves a visitor's order."""
    weights = RANKING
    hits = searcher.search(query, limit=weights.feedback_docs).hits
    if not hits:
        return []
    ids = searcher.fast_field_values("id", [address for _, address in hits])
    relevance = {doc_id: score - bonus if score >= bonus else score for (score, _), doc_id in zip(hits, ids)}
    total = sum(relevance.values()) or 1.0
    weight: Counter = Counter()
    for doc in catalogue.documents(list(relevance), outline=False, free=not plan.member):
        passage = snippet_for(access.viewed(doc, plan.member).text, plan.needles, weights.feedback_passage).text
        found = Counter(w for w in analysis.words(analysis.normalize(passage)) if len(w) > 1)
        size = sum(found.values()) or 1
        for word, count in found.items():
            weight[word] += relevance[doc.id] / total * count / size
    asked = {w for term in plan.parsed.scored_terms for w in plan._words(term)}
    most = weights.feedback_max_df * searcher.num_docs
    chosen = []
    for word, found_weight in weight.most_common():
        if word not in asked and word not in QUESTION_WORDS and searcher.doc_freq("free_w", word) <= most:
            chosen.append((word, found_weight))
            if len(chosen) == weights.feedback_terms:
                break
    return chosen


def _exact_bonus(plan: _Plan, documents: int) -> float:
    """A bonus above any relevance the ranked clauses of ``plan`` can add up to in an index of ``documents``
    entries, so that the exact matches come first and a score at or above it is an exact match's: a power of
    ten, :data:`_EXACT_BONUS` unless the query is long (a pasted paragraph), for the larger the bonus, the
    less of the score tantivy's 32-bit floats keep.

    The bound (Robertson & Zaragoza 2009, BM25): a term matched in a field scores at most (k1 + 1) × idf,
    idf at most ln(1 + (N − 0.5) / 1.5) (a term of one document), a phrase the sum of its terms'; each
    term of ``L`` characters has at most ``L`` words and ``L − 1`` bigrams (its verbatim phrase too), in the
    title and the text, each clause times its weight in :data:`RANKING`; with feedback, its clauses, whose boosts add
    up to ``feedback_weight × feedback_terms`` (:func:`_with_feedback`)."""
    weights = RANKING
    per_field = (_K1 + 1) * math.log(1 + (max(documents, 1) - 0.5) / 1.5)
    total = 0.0
    for term in plan.parsed.scored_terms:
        grams, chars = max(len(term) - 1, 1), len(term)
        total += (2 * weights.exact * grams + (weights.title + weights.heading + weights.body) * chars
                  + 2 * weights.bigram * grams + 2 * weights.proximity * chars)
    if weights.feedback_docs and total:  # the feedback clauses' boosts add up to this
        total += weights.feedback_weight * weights.feedback_terms
    bound = total * per_field
    return max(_EXACT_BONUS, 10.0 ** math.ceil(math.log10(bound))) if bound > 0 else _EXACT_BONUS


def _document_hit(doc: Document, score: float, plan: _Plan, width: int) -> Hit:
    view = access.viewed(doc, plan.member)
    needles = plan.needles
    snippet = snippet_for(view.text, needles, width)
    title_spans = merge_spans([(s, e) for s, e, _ in find_spans(view.title, needles)])
    return Hit(doc.id, view.title, view.genre, doc.counted_chars, view.date, view.source, round(score, 4),
               snippet.text, snippet.highlights, title_spans)


# -- sections --------------------------------------------------------------------


@dataclass
class _Section:
    """A section: ``doc.text[start:end]`` under the headings ``path``; ``part_end``: where its part, the section with
    its sub-sections, ends (``end`` when it has none); ``bare`` when it holds nothing but its heading line (its text,
    if any, is in its sub-sections); ``copies``: the sections of its document identical to it that a search lists it
    for (:func:`_distinct`)."""

    start: int
    end: int
    path: list[str]
    part_end: int
    bare: bool = False
    copies: int = 0


def sections(doc: Document) -> list[_Section]:
    """The sections of a document: the text cut at every heading, each with its heading path.

    Text before the first heading is a section with an empty path. Items (一是…)
    stay inside their section. Offsets are characters of ``doc.text``.
    """
    bounds = _Bounds.of(doc)
    return [bounds.section(k) for k in range(len(bounds.starts))]


@dataclass
class _Bounds:
    """Where a document's sections (:func:`sections`) start and end, in the order of the text, without their heading
    paths: a section search makes the :class:`_Section` of the few that hold a needle (:meth:`section`), and only
    the lengths of the others count (BM25's average section length). ``owners[k]``: the heading (an outline entry,
    :meth:`sucai.model.Document.outline_entries`) whose section ``k`` is (``heads[k]``, its start cut) or whose
    parent's text resumes at ``k`` (its end cut); None for text under no heading — a heading as ``(parent's owner,
    entry)``, a chain of its ancestors."""

    text: str
    starts: list[int]
    ends: list[int]
    owners: list[tuple | None]
    heads: list[bool]

    @classmethod
    def of(cls, doc: Document) -> _Bounds:
        """The sections of ``doc``'s outline, blank ones (white space only) left out. One walk of the outline
        entries (no :class:`~sucai.model.OutlineNode` made of a document the catalogue read) and one search for a
        character that is not white space per section: linear in the headings."""
        text = doc.text
        cuts: list[tuple[int, tuple | None, bool]] = [(0, None, False)]
        stack: list[tuple] = [(iter(doc.outline_entries()), None)]   # the headings being walked, each with its owner
        while stack:
            entry = next(stack[-1][0], None)
            if entry is None:   # the top heading's children are walked: its parent's text resumes where it ends
                owner = stack.pop()[1]
                if owner is not None and owner[1]["end"] < len(text):
                    cuts.append((owner[1]["end"], owner, False))
            elif entry["kind"] == "heading":
                owner = (stack[-1][1], entry)
                cuts.append((entry["start"], owner, True))
                stack.append((iter(entry["children"]), owner))
        cuts.sort(key=lambda c: c[0])
        positions = [c[0] for c in cuts]
        kept = [k for k in range(len(cuts)) if k + 1 == len(cuts) or positions[k + 1] != positions[k]]
        bounds = cls(text, [], [], [], [])
        for n, k in enumerate(kept):
            start, owner, head = cuts[k]
            end = positions[kept[n + 1]] if n + 1 < len(kept) else len(text)
            if _SOLID.search(text, start, end):
                bounds.starts.append(start)
                bounds.ends.append(end)
                bounds.owners.append(owner)
                bounds.heads.append(head)
        return bounds

    def section(self, k: int) -> _Section:
        """The section ``k`` with its heading path, its part's end and whether it is bare."""
        start, end, owner = self.starts[k], self.ends[k], self.owners[k]
        chain = owner if self.heads[k] else owner[0] if owner else None
        path = []
        while chain is not None:
            chain, entry = chain
            path.append(f"{entry['label']}{entry['heading']}".strip())
        entry = owner[1] if self.heads[k] else None
        return _Section(start, end, path[::-1], entry["end"] if entry else end,
                        entry is not None and _bare(self.text, entry["start"], entry["heading"], end))


_SOLID = re.compile(r"\S")   # a character that is not white space (str.isspace's, as str.strip strips)


def _bare(text: str, start: int, heading: str, end: int) -> bool:
    """Whether the section ``text[start:end]`` of a heading with the words ``heading`` holds no letter, digit or Han
    character after them ("一、存在的主要问题" alone on its line before its first sub-heading). Linear in the section's
    length."""
    at = text.find(heading, start, end) if heading else -1
    return at >= 0 and not any(c.isalnum() for c in text[at + len(heading) : end])


@dataclass
class _Scan:
    """What a section search split: the sections it found, ``(score, view, section, 字数 of the whole document,
    fit: (the query's groups the section holds, whether every group has a term verbatim in it, the groups its
    heading holds, where it stands as to the parts the query names), :func:`_fit`)``
    best first, and how it matched their sections (the needles' ``idf``, the ``heading`` filter, :func:`_heading_filter`, and the
    ``parts`` the needles name, :func:`_parts_named`)."""

    found: list[tuple[float, Document, _Section, int, tuple[int, bool, int, int]]]
    idf: dict[str, float]
    heading: Callable[[str], bool] | None
    parts: dict[int, str]

    def sections(self, doc: Document, plan: _Plan
                 ) -> list[tuple[float, Document, _Section, int, tuple[int, bool, int, int]]]:
        """The sections of ``doc`` (as stored) that match, in the viewer's view of it, one of each set of identical
        ones (:func:`_distinct`), in the order of the text."""
        view = access.viewed(doc, plan.member)
        return _distinct([(score, view, part, doc.counted_chars, fit)
                          for score, view, part, fit in _matching_sections(view, plan, self.idf, self.heading,
                                                                             self.parts)],
                         _section_key)


def _scan_sections(index: SearchIndex, searcher: tantivy.Searcher, plan: _Plan, warnings: list[str]) -> _Scan:
    """Split the best documents the plan matches (up to the settings ``section_scan_docs`` and
    ``section_scan_chars``; a warning when some are left) and find their matching sections."""
    request, cap = plan.request, index.settings.section_scan_docs
    query = plan.precise()
    if request.mode == "ranked" and plan.needles:  # only documents with some needle can have a matching section
        query = Query.boolean_query([(Occur.Must, plan.ranked()), (Occur.Must, plan.holding_needle())])
    total_docs, scored, lengths = _ranked_ids(searcher, query, 0, cap, chars=True)
    docs = _within_budget(index.catalogue, [i for _, i in scored], index.settings.section_scan_chars, not plan.member,
                          lengths)
    if total_docs > len(docs):
        warnings.append(f"匹配文档较多，只在最相关的 {len(docs)} 篇中查找段落（段落数和分类计数只计这些文档）")
    idf = _idf(searcher, plan)
    scan = _Scan([], idf, _heading_filter(request.heading or ""), _parts_named(list(idf), plan.parsed.terms))
    for doc in docs:
        scan.found += scan.sections(doc, plan)
    scan.found = _in_section_order(scan.found, _section_key)
    return scan


def _section_key(f: tuple) -> tuple:
    """The order of a section search's matches ``(score, view, section, chars, fit)``: the sections holding more of
    the query's groups first (``fit[0]``, :func:`_fit`: "担当作为方面 存在问题" puts a section on 担当作为 in the
    problems before a short one sharing only 方面 and 问题, sec19); then, when a needle names a part of a document
    (存在问题 asks for the problems), by where the section stands (``fit[3]``: in such a part first); then the exact
    matches (``fit[1]``: every group has a term verbatim in the
    section) before the partial ones, as in document scope (F22: 第一百二十条之一 before 之五 and 之六, which hold
    only its words); then the sections whose heading holds more of the groups (``fit[2]``: 「廉洁自律方面」 puts
    「三、坚持廉洁自律，严守纪律规矩」 before an opening 「现将…廉洁自律情况报告如下」 that is shorter); then by score,
    document id and offset."""
    return -f[4][0], f[4][3], not f[4][1], -f[4][2], -f[0], f[1].id, f[2].start


def _distinct(found: list[tuple], order: Callable[[tuple], tuple]) -> list[tuple]:
    """Of the matching sections ``found`` of one document (``(score, view, section, chars, fit)``), one of each set
    whose parts (the section with its sub-sections: a bare heading's text is theirs) are the same but for their
    outline label and layout (:func:`sucai.analysis.layout_free`: a 汇编 that repeats a section ten times, F5) — the
    first in ``order`` —, with the number of the others as its ``section.copies``; in the order of the text. Linear
    in the sections' text times the depth of the outline: a part's layout-free form is built only when another part
    of the document has as many characters besides white space (:func:`_solid_length`: they cannot be the same
    otherwise), none for a document with one matching section."""
    if len(found) < 2:
        return found
    texts = [strip_label(f[1].text[f[2].start : f[2].part_end]) for f in found]
    lengths = [_solid_length(text) for text in texts]
    alike = Counter(lengths)
    keys = [analysis.layout_free(text) if alike[n] > 1 else n for text, n in zip(texts, lengths)]
    kept: dict[str | int, tuple] = {}
    for k in sorted(range(len(found)), key=lambda k: order(found[k])):
        same = kept.setdefault(keys[k], found[k])
        if same is not found[k]:
            same[2].copies += 1
    return sorted(kept.values(), key=lambda f: f[2].start)


def _solid_length(text: str) -> int:
    """``len(analysis.layout_free(text))`` without building it: the characters of ``text`` besides white space (the
    fold of full-width forms keeps the length)."""
    return sum(map(len, text.split()))


def _in_section_order(found: list[tuple], order: Callable[[tuple], tuple]) -> list[tuple]:
    """``found`` (each document's matching sections together, in the order of its text) sorted by ``order``
    (:func:`_section_key`), but a bare heading (``section.bare``: "一、存在的主要问题" with its text in its
    sub-sections) right after the last of its sub-sections that match — which follow it in its document — and where
    ``order`` puts it when none does. Linear in the sections times the depth of the outline."""
    keys = [(*order(f), 0) for f in found]
    for k in range(len(found) - 1, -1, -1):
        doc, part = found[k][1], found[k][2]
        if not part.bare:
            continue
        below = []
        for j in range(k + 1, len(found)):
            path = found[j][2].path
            if found[j][1] is not doc or len(path) <= len(part.path) or path[: len(part.path)] != part.path:
                break
            below.append(keys[j])
        if below:
            last = max(below)
            keys[k] = max(keys[k], (*last[:-1], last[-1] + 1))
    return [found[k] for k in sorted(range(len(found)), key=keys.__getitem__)]


def _section_hits(scan: _Scan, plan: _Plan, width: int) -> list[Hit]:
    """The hits of the request's page of the sections found."""
    offset = (plan.request.page - 1) * plan.request.limit
    return [_section_hit(d, s, score, plan, width, chars)
            for score, d, s, chars, _ in scan.found[offset : offset + plan.request.limit]]


def _within_budget(catalogue: Catalogue, ids: list[int], budget: int, free: bool, lengths: list[int],
                   batch: int = 50) -> list[Document]:
    """The visible documents of ``ids``, in that order, while their characters add up to at most
    ``budget`` (the first one always): what a section search may scan (``free``: for a viewer without the
    member tier, their members parts not read, :meth:`Catalogue.documents`). ``lengths``: their characters as the
    index holds them, so that a first read takes just the documents that fit and the one after them; the rest are
    read ``batch`` at a time only when some of those were hidden or have changed since the index read them."""
    out: list[Document] = []
    used = 0
    first = next((k for k, total in enumerate(itertools.accumulate(lengths)) if k and total > budget), len(ids)) + 1
    starts = [0, *range(first, len(ids), batch)]
    for start, end in zip(starts, [*starts[1:], len(ids)]):
        loaded = {d.id: d for d in catalogue.documents(ids[start:end], free=free) if not d.hidden}
        for doc in (loaded[i] for i in ids[start:end] if i in loaded):
            if out and used + doc.chars > budget:
                return out
            out.append(doc)
            used += doc.chars
    return out


def _idf(searcher: tantivy.Searcher, plan: _Plan) -> dict[str, float]:
    """BM25 idf of each needle, from how many documents contain it."""
    total = max(1, searcher.num_docs)
    idf = {}
    for needle in plan.needles:
        df = searcher.search(plan.current(plan.exact(needle)), limit=1, count=True).count
        idf[needle] = math.log(1 + (total - df + 0.5) / (df + 0.5))
    return idf


def _heading_filter(heading: str) -> Callable[[str], bool] | None:
    """Whether a heading (as written, with its label: "一、存在的主要问题") is one the filter ``heading`` asks
    for; None for a blank filter (every heading). Headings are compared as the 写作台 compares them, by their
    keys (:func:`sucai.headings.heading_key`: no outline label, no unit, year, date or person, no
    punctuation): a heading matches when the words of the filter's key (:func:`sucai.analysis.words`, without
    the function words of :data:`~sucai.query.QUESTION_WORDS` such as 的, unless nothing else is left) occur
    in its key in that order, anything before and after them, between two of them at most a modifier
    (:func:`_in_order`) — "存在问题" and "存在的问题" find "存在的主要问题", "担当作为" finds "强化担当作为", "组织实施"
    finds "组织领导和实施" but not "组织开展专项检查推动实施". A filter with no key (only a year, a unit, punctuation…) is found as
    typed, normalised, in the normalised heading. Never raises."""
    if not heading.strip():
        return None
    key = heading_key(heading)
    if not key:
        typed = analysis.normalize(heading)
        return lambda h: typed in analysis.normalize(h)
    found = analysis.words(key)
    words = [w for w in found if w not in QUESTION_WORDS] or found
    return lambda h: _in_order(words, heading_key(h))


def _parts_named(needles: list[str], terms: list[str]) -> dict[int, str]:
    """The needles (by index) that name a part of a document — 存在问题, 不足, 原因, 整改措施, 成效…
    (:func:`sucai.headings.part_named`) — → that part (问题, 原因, 措施, 成效, 目标); only within a query term that names
    that part as a whole: the word 问题 of 「解决群众急难愁盼问题」 or of 「问题产生的原因」 names none (review 17)."""
    naming = [term for term in terms if part_named(term)]
    return {n: part for n, needle in enumerate(needles)
            if (part := part_named(needle)) and any(needle in term and part_named(term) == part for term in naming)}


_GAP_CHARS = 2   # characters a heading may hold between two words of a heading filter, connectives aside …
_GAP_REACH = 8   # … and at most this many in all
_CONNECTIVES = frozenset("的和与及并之了")


def _in_order(words: list[str], text: str) -> bool:
    """Whether ``words`` occur in ``text`` one after another, in that order, not overlapping, with at most
    :data:`_GAP_CHARS` characters between two of them besides the connectives 的, 和, 与, 及…, and
    :data:`_GAP_REACH` in all (a modifier: "存在问题" in "存在的主要问题", "组织实施" in "组织领导和实施", not in
    "组织开展专项检查推动实施"). Each occurrence of a word is tried after every end of the one before within reach (a walk back of at most :data:`_GAP_REACH`
    characters from it): linear in the words times the text's length."""
    ends = None   # where the words so far can end: None before the first
    for word in words:
        found, at = set(), text.find(word)
        while at >= 0:
            if ends is None or _reached(ends, text, at):
                found.add(at + len(word))
            at = text.find(word, at + 1)
        if not found:
            return False
        ends = found
    return True


def _reached(ends: set[int], text: str, at: int) -> bool:
    """Whether some position of ``ends`` lies at most :data:`_GAP_CHARS` characters (connectives aside) and at most
    :data:`_GAP_REACH` characters before ``at``."""
    gap, k = 0, at
    while k >= max(0, at - _GAP_REACH) and gap <= _GAP_CHARS:
        if k in ends:
            return True
        k -= 1
        if k >= 0 and text[k] not in _CONNECTIVES:
            gap += 1
    return False


def _matching_sections(doc: Document, plan: _Plan, idf: dict[str, float], heading: Callable[[str], bool] | None,
                       named: dict[int, str]):
    """``(score, doc, section, fit)`` for each section of ``doc`` that matches (with ``heading``: only under a
    heading it accepts, :func:`_heading_filter`), with how it fits the query (:func:`_fit`), scored by BM25 over its
    text — but a needle that names a part of
    a document (``named``: 存在问题 → 问题, :func:`_parts_named`) is scored by the part its heading path stands in
    (:func:`sucai.headings.role`): in a section of that part as if it occurred (at least once), in a
    section of another part not at all ("担当作为方面 存在问题" puts the problems above the 整改措施 that name them);
    in a section of no part, by its text. Which sections match, and whether exactly (every group of the query has
    a term verbatim in the section's text, its heading line included), is decided by their text alone."""
    needles = list(idf)
    bounds = _Bounds.of(doc)
    if not bounds.starts:
        return []
    parts = {needles[n]: name for n, name in named.items()}
    titled = {needles[n] for *_, n in find_spans(doc.title, needles)}
    tf = _term_counts(doc.text, needles, bounds)
    average = (sum(bounds.ends) - sum(bounds.starts)) / len(bounds.starts)
    out = []
    # with a term to match, a section matches only when it holds a needle: only those are made
    for k in sorted(tf) if plan.parsed.groups else range(len(bounds.starts)):
        part, counts = bounds.section(k), tf.get(k, {})
        if heading and not any(heading(h) for h in part.path):
            continue
        present = {needles[n] for n in counts}
        if not _section_matches(plan, present):
            continue
        stands_in = role(part.path) if named else None
        headed = {needles[n] for *_, n in find_spans(part.path[-1], needles)} if part.path else set()
        fit = _fit(plan, present, titled, headed, stands_in, parts, doc.genre)
        if stands_in is not None:
            counts = {**{n: c for n, c in counts.items() if n not in named},
                      **{n: counts.get(n, 1) for n, name in named.items() if name == stands_in}}
        norm = (part.end - part.start) / average
        score = sum(idf[needles[n]] * c * (_K1 + 1) / (c + _K1 * (1 - _B + _B * norm)) for n, c in counts.items())
        out.append((round(score, 4), doc, part, fit))
    return out


def _fit(plan: _Plan, present: set[str], titled: set[str], headed: set[str], stands_in: str | None,
         parts: dict[str, str], genre: str) -> tuple[int, bool, int, int]:
    """How a section fits the query: how many of its groups the section holds, whether every group has a term
    verbatim in its text (``present``: the needles its text holds), how many of its groups its heading holds
    (``headed``: the needles its own heading line holds; a term verbatim or all its topic words, :func:`_on_topic`),
    and where it stands as to the parts the query names (:func:`_standing`). A group is held when one of its terms
    is: a term
    naming a part of a document (``parts``: 存在问题 → 问题) by a section standing in a part the query names and by no
    section of another (``stands_in``, :func:`sucai.headings.role`: "主要问题 原因" is held whole by the problems and by
    their causes, as both come first); else by the term verbatim, or all its topic words
    (:attr:`_Plan.topics`: 担当作为 of 担当作为方面), in the section's text or its document's title (``titled``: the
    needles the title holds; the title heads every section of it), or by being the document's 文种 (心得体会). In
    precise mode every section found holds every group verbatim: its order is left as it was but for its heading."""
    groups = plan.parsed.groups
    exact = _verbatim_in(plan, present)
    by_heading = sum(any(_on_topic(plan, term, headed) for term in group) for group in groups)
    asked = set(parts.values())
    if plan.request.mode == "precise":
        return len(groups), exact, by_heading, int(bool(asked) and stands_in not in asked)
    held = present | titled

    def by_words(term: str) -> bool:
        return _on_topic(plan, term, held) or canonical(term) == genre

    def holds(term: str) -> bool:
        return stands_in in asked if term in parts and stands_in is not None else by_words(term)

    # some of its words: a term naming a part itself (下一步, not only its word 一步, as 进一步 holds it), another as held
    worded = any(term in held if term in parts else by_words(term) for group in groups for term in group)
    return (sum(any(holds(term) for term in group) for group in groups), exact, by_heading,
            _standing(stands_in, asked, worded))


def _standing(stands_in: str | None, asked: set[str], worded: bool) -> int:
    """Where a section stands, as to the parts a ranked query names (``asked``: 「下一步」 the measures), in the order
    of a section search (:func:`_section_key`): 0 in such a part and holding some of the query's words (``worded``:
    a term naming the part itself, 下一步 — not only its word 一步, as 进一步 —, another as :func:`_fit` holds it), 1 in no
    part and holding some, 2 in such a part holding none (only standing in the part: season28, a 今后打算 that only
    says 进一步 came before a speech's opening saying 下一步), 3 in another part (a measure, when the problems are
    asked: sec19) or in none holding none; 0 for every section of a query naming no part."""
    if not asked:
        return 0
    if stands_in is not None and stands_in not in asked:
        return 3
    return (0 if stands_in else 1) + (0 if worded else 2)


def _on_topic(plan: _Plan, term: str, held: set[str]) -> bool:
    """Whether the needles ``held`` hold ``term`` verbatim or all its topic words (:attr:`_Plan.topics`)."""
    words = plan.topics[term]
    return term in held or bool(words) and held.issuperset(words)


def _term_counts(text: str, needles: list[str], bounds: _Bounds) -> dict[int, dict[int, int]]:
    """For each section (by index) holding a needle: how many times each needle (by index) occurs in it (an
    occurrence counts in the section where it starts when it ends there too), in the order of the needles' first
    occurrences in it — the order of :func:`~sucai.snippet.find_spans` — so that scores are summed in that order.

    Where the needles occur in ``text`` itself (:func:`sucai.analysis.matchable`: the common case),
    each needle is sought only in the sections that hold it (:func:`_first_in_sections`) and counted
    there in C (``str.count``) instead of listed one by one."""
    form, offsets = analysis.matchable(text, needles)
    tf: dict[int, dict[int, int]] = {}
    starts, ends = bounds.starts, bounds.ends
    if not offsets.identical:
        for s, e, n in find_spans(text, needles, (form, offsets)):
            k = bisect.bisect_right(starts, s) - 1
            if k >= 0 and e <= ends[k]:
                counts = tf.setdefault(k, {})
                counts[n] = counts.get(n, 0) + 1
        return tf
    first: dict[int, list[tuple[int, int, int]]] = {}
    for n, needle in enumerate(needles):
        for k, at in _first_in_sections(form, needle, starts, ends) if needle else ():
            first.setdefault(k, []).append((at, n, count_occurrences(form, needle, at, ends[k])))
    for k, found in first.items():
        tf[k] = {n: count for at, n, count in sorted(found, key=lambda f: (f[0], f[0] + len(needles[f[1]]), f[1]))}
    return tf


def _first_in_sections(form: str, needle: str, starts: list[int], ends: list[int]):
    """``(k, at)`` for each section ``k`` (``form[starts[k]:ends[k]]``, in order, not overlapping) that holds
    ``needle`` (not empty) whole: where its first occurrence in it starts. One ``str.find`` per section holding it,
    per section where an occurrence runs past the end, per gap between two sections holding one — not one per
    section."""
    pos, last = starts[0], ends[-1]
    while (at := form.find(needle, pos, last)) >= 0:
        k = bisect.bisect_right(starts, at) - 1
        if at >= ends[k]:  # in the gap after section k (white space only): the next section is sought
            pos = starts[k + 1]
            continue
        if at + len(needle) <= ends[k]:
            yield k, at
        pos = ends[k]  # an occurrence running past the end: so does every later one starting in section k


def _section_matches(plan: _Plan, present: set[str]) -> bool:
    if plan.request.mode == "precise":
        return _verbatim_in(plan, present)
    return bool(present) or not plan.parsed.groups


def _verbatim_in(plan: _Plan, present: set[str]) -> bool:
    """Whether every group of the query has a term among ``present`` (the needles a section holds verbatim)."""
    return all(any(t in present for t in group) for group in plan.parsed.groups)


def _section_hit(doc: Document, part: _Section, score: float, plan: _Plan, width: int, chars: int) -> Hit:
    """A section of ``doc`` (the viewer's view) as a hit; ``chars`` is the whole document's length."""
    text = doc.text[part.start : part.end]
    needles = plan.needles
    snippet = snippet_for(text, needles, width)
    title_spans = merge_spans([(s, e) for s, e, _ in find_spans(doc.title, needles)])
    return Hit(doc.id, doc.title, doc.genre, chars, doc.date, doc.source, score, snippet.text,
               snippet.highlights, title_spans, part.path, part.start, part.end, same_sections=part.copies)


# -- near-duplicates: one result per cluster --------------------------------------


def _collapse_versions(searcher: tantivy.Searcher, plan: _Plan, versions: Versions | None) -> list[list[int]]:
    """Let only one member of each cluster of near-duplicates (:mod:`sucai.dedupe`) match: of its members that
    match, the representative when it is one of them, else the best-scoring one — in ranked mode, of those that
    match best: with an exact match when some have one, so that the cluster stays among the exact matches, which
    come first (a version holding the query's phrase is shown, not a representative holding part of it); else
    holding some needle verbatim when some do, so that a section search, which looks only in those, finds the
    cluster's section (not a representative matching through a bigram alone). A section search asks the same
    of the members' texts alone (:meth:`_Plan.in_text`), in either mode: it shows a member whose text, which
    its sections are cut from, holds the query (else a needle) — no section of the cluster when none does —,
    never one holding it in its title alone, which has no section to show. Matches and scores are the
    viewer's (from the fields it may search). Excludes the others from the plan's queries, so totals and pages
    count each cluster once. Returns, for each cluster of which several members match, their ids, the one
    shown first (what :func:`_facets` counts beside the shown ones).

    ``versions``: the clusters this viewer sees (:meth:`sucai.index.Snapshot.versions_for`). The matching members
    are found through the index's ``clustered`` flag of those clusters (and the ``unflagged`` members of
    ``versions``, whose entries lag), unscored but for constants that rank how they match; members are scored only
    when several are left to choose from in a cluster whose representative is not among them. The others are left
    out through the index's ``version`` flag: the versions that match are left out but for those shown instead of
    their representative, and the matching members whose entries lag are named (see :class:`sucai.index.Versions`)."""
    if versions is None:
        return []
    version = versions.flags[1]
    candidates = _sought(versions)
    found = _matching_members(searcher, plan, candidates, None if versions.unflagged else candidates,
                              versions.candidates)
    matched: dict[int, list[int]] = {}   # cluster → its members that match
    for doc_id in found:
        row = versions.rows.get(doc_id)
        if row is not None:   # else flagged when indexed, in no cluster now
            matched.setdefault(row.cluster_id, []).append(doc_id)
    keep, unsettled = [], []
    for cluster, members in matched.items():
        best = max(found[doc_id] for doc_id in members)
        members = [doc_id for doc_id in members if found[doc_id] == best]
        representative = versions.representatives.get(cluster)
        if representative in members:
            keep.append(representative)
        elif len(members) == 1:
            keep.append(members[0])
        else:
            unsettled.append(members)
    if unsettled:   # scored: the best-scoring member of each, the lowest id of equals
        scored = [doc_id for members in unsettled for doc_id in members]
        score = _hit_scores(searcher, Query.boolean_query([(Occur.Must, plan.scored()), (Occur.Must, _id_set(scored))]),
                            len(scored))
        keep += [min(members, key=lambda doc_id: (-score.get(doc_id, 0.0), doc_id)) for members in unsettled]
    kept = set(keep)
    left_out = [doc_id for members in matched.values() for doc_id in members if doc_id not in kept]
    spared = sorted(doc_id for doc_id in found
                    if doc_id in versions.flagged and (doc_id in kept or doc_id not in versions.rows))
    named = sorted(doc_id for doc_id in left_out if doc_id not in versions.flagged)
    excluded = [_flag(version, True)]
    if spared:
        excluded = [Query.boolean_query([(Occur.Must, excluded[0]), (Occur.MustNot, _id_set(spared))])]
    if named:
        excluded.append(_id_set(named))
    if excluded:
        plan.exclude(_any(excluded))
    return [sorted(members, key=lambda doc_id: doc_id not in kept) for members in matched.values() if len(members) > 1]


def _sought(versions: Versions) -> Query:
    """The entries that may be members of the clusters of ``versions``: those with its ``clustered`` flag and its
    ``unflagged`` members (by id). Made once per state (``versions.sought``)."""
    if not versions.sought:
        flag = _flag(versions.flags[0], True)
        versions.sought.append(_any([flag, _id_set(list(versions.unflagged))]) if versions.unflagged else flag)
    return versions.sought[0]


def _matching_members(searcher: tantivy.Searcher, plan: _Plan, candidates: Query, among: Query | None, limit: int
                      ) -> dict[int, int]:
    """The documents (up to ``limit``) among ``candidates`` that the plan finds, each id → how well it matches
    (higher is better): + 2 for an exact match (every group has a term verbatim), + 1 for some needle verbatim
    (:attr:`_Plan.needles`) — in a section search, in the text (:meth:`_Plan.in_text`) —, in no particular order;
    those two asked only about the entries ``among`` matches too (:func:`_among`; None: asked of the whole index).
    Found in one pass: the matches score 0 plus those constants (in a precise document search every match is
    exact). ``among`` is the clusters' flag when no member's entry lags: the collapse's CPU at the median, a library
    of the corpus (3,330 documents), ranked: a visitor's 0.57 → 0.45 ms, a member's 1.6 → 1.2 ms. Asked about the
    flag and the lagging members' ids, it cost more than the whole index (20 ids: 2.1 ms, 129: 7.8 ms; the
    lagging members that match asked apart: 1.7 ms for 20 — in ranked mode most queries match some)."""
    matches = Query.boolean_query([(Occur.Must, plan.matching()), (Occur.Must, candidates)])
    sections = plan.request.scope == "section"
    if (plan.request.mode == "precise" and not sections) or not plan.parsed.groups:
        return dict.fromkeys(_hit_scores(searcher, matches, limit), 3)
    ranks = [(Occur.Must, Query.const_score_query(matches, 0.0)),
             (Occur.Should, Query.const_score_query(plan.holding_terms(sections, among), 2.0))]
    if plan.needles:
        ranks.append((Occur.Should, Query.const_score_query(plan.holding_needle(sections, among), 1.0)))
    return {doc_id: round(score) for doc_id, score in _hit_scores(searcher, Query.boolean_query(ranks), limit).items()}


def _hit_scores(searcher: tantivy.Searcher, query: Query, limit: int) -> dict[int, float]:
    """Id → score of (up to ``limit``) documents ``query`` matches, the best-scoring ones when it matches more."""
    hits = searcher.search(query, limit=max(1, limit)).hits
    return dict(zip(searcher.fast_field_values("id", [a for _, a in hits]) if hits else [], (s for s, _ in hits)))


def _add_versions(hits: list[Hit], versions: Versions | None) -> None:
    """Fill each hit's ``other_versions`` (the other members of its cluster that are not hidden)."""
    for hit in hits:
        hit.other_versions = list(versions.others.get(hit.id, ())) if versions else []


# -- facets ----------------------------------------------------------------------


def _facets(searcher: tantivy.Searcher, plan: _Plan, shared: list[list[int]], versions: Versions | None
            ) -> dict[str, list[dict]]:
    """Counts of 文种, 年份 and 来源 among the documents ``plan`` finds, from the metadata this viewer gets (the
    fields it may filter by); 文种 and 来源 most frequent first (the first 50 and 30), 年份 newest first (the
    newest 50; unknown years left out).

    A value's count is the total that filtering by it gives: the documents of that value, a cluster of
    near-duplicates counted once when some of its matching members has it, whichever member the search shows
    (filtered by the value, it shows one of those). A cluster whose matching members differ (a copy from another
    site, of another year) so counts under each of their values, and a facet's counts may add up to more than
    the total. ``shared``: the matching members of each cluster of which several match, the one shown first
    (:func:`_collapse_versions`). The shown documents are counted by tantivy; the values the others add are
    counted here (the members' values read once per index generation: :func:`_member_values`), but for a 文种
    or 来源 that a full facet left out, counted again over the matches and the members that add to it (a second
    aggregation)."""
    spec = {name: {"terms": {"field": _facet_field(name, plan.member), "size": size}} for name, size in _FACETS.items()}
    spec["year"]["terms"]["order"] = {"_key": "desc"}
    query = plan.matching()
    result = searcher.aggregate(query, spec)
    counts = {name: [(b["key"], b["doc_count"]) for b in result[name]["buckets"]] for name in _FACETS}
    if shared and versions is not None:
        for name, more in _other_values(_member_values(searcher, versions, plan.member), shared).items():
            added = _added(counts[name], more, _FACETS[name], by_key=name == "year")
            if added is None:
                again = searcher.aggregate(_any([query, _id_set([i for ids in more.values() for i in ids])]),
                                           {name: spec[name]})
                added = [(b["key"], b["doc_count"]) for b in again[name]["buckets"]]
            counts[name] = added
    return {name: [{"value": value, "count": count} for value, count in buckets if not (name == "year" and value == 0)]
            for name, buckets in counts.items()}


def _section_facets(scan: _Scan) -> dict[str, list[dict]]:
    """A section search's counts of 文种, 年份 and 来源: of the sections it lists (the unit of its total), each
    counted under the values of its document that this viewer gets (the fields it may filter by); listed as
    :func:`_facets` lists them. A cluster of near-duplicates counts the sections of the member the list shows, as
    the total does (F19: the sections of its other members, hidden from the list, counted 2,891 beside 196 listed),
    so that a facet's counts add up to the total (年份: but for sections of no known year)."""
    counts: dict[str, Counter] = {name: Counter() for name in _FACETS}
    views = {view.id: view for _, view, *_ in scan.found}
    for doc_id, found in Counter(view.id for _, view, *_ in scan.found).items():
        for name, value in _facet_values(views[doc_id]).items():
            counts[name][value] += found
    listed = {name: sorted(((v, n) for v, n in found.items() if n and not (name == "year" and v == 0)),
                           key=(lambda item: -item[0]) if name == "year" else (lambda item: (-item[1], item[0])))
              for name, found in counts.items()}
    return {name: [{"value": value, "count": count} for value, count in buckets[:_FACETS[name]]]
            for name, buckets in listed.items()}


def _facet_values(view: Document) -> dict:
    """Facet name → the value of ``view`` (a viewer's view of a document), as the index holds it."""
    found = facet_fields(view, "")
    return {name: found[name] for name in _FACETS}


def _member_values(searcher: tantivy.Searcher, versions: Versions, member: bool) -> dict[int, dict]:
    """Each member of a cluster (by id) → its facet values (name → value) in this viewer's fields of the index:
    read in one aggregation per 10,000 members (tantivy's limit: 65,000 buckets) when a generation first needs
    them, then kept in ``versions.values``."""
    values = versions.values.get(member)
    if values is not None:
        return values
    ids, values = list(versions.rows), {}
    fields_of = {name: _facet_field(name, member) for name in _FACETS}
    for start in range(0, len(ids), _VALUES_BATCH):
        batch = ids[start:start + _VALUES_BATCH]
        spec = {"id": {"terms": {"field": "id", "size": len(batch)},
                       "aggs": {name: {"terms": {"field": f, "size": 1}} for name, f in fields_of.items()}}}
        for bucket in searcher.aggregate(_id_set(batch), spec)["id"]["buckets"]:
            values[int(bucket["key"])] = {name: bucket[name]["buckets"][0]["key"] for name in _FACETS}
    versions.values[member] = values
    return values


_VALUES_BATCH = 10_000


def _other_values(values: dict[int, dict], shared: list[list[int]]) -> dict[str, dict]:
    """Facet name → each value that matching members of a cluster hold beside the member shown (``shared``, see
    :func:`_facets`) → one such member of each of those clusters."""
    found: dict[str, dict] = {}
    for name in _FACETS:
        for shown, *others in shared:
            seen = {values[shown][name]}
            for doc_id in others:
                value = values[doc_id][name]
                if value not in seen:
                    seen.add(value)
                    found.setdefault(name, {}).setdefault(value, []).append(doc_id)
    return found


def _added(buckets: list[tuple], more: dict, size: int, by_key: bool) -> list[tuple] | None:
    """``buckets`` (value, count) of an aggregation of at most ``size`` values — by count (ties in its order) or, with
    ``by_key``, by value, highest first — with ``len(more[value])`` more of each value, in the same order; None when
    a value it may have left out (``size`` listed) gains, whose count is then unknown."""
    counts = dict(buckets)
    complete = len(buckets) < size
    if by_key:   # a value left out is below the lowest listed: it stays out
        more = {value: ids for value, ids in more.items() if complete or value in counts or value > buckets[-1][0]}
    elif not complete and any(value not in counts for value in more):
        return None
    for value, ids in more.items():
        counts[value] = counts.get(value, 0) + len(ids)
    order = (lambda item: -item[0]) if by_key else (lambda item: -item[1])
    return sorted(counts.items(), key=order)[:size]
