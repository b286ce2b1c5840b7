"""查重: how much of a draft is copied from the library, and from where.

One entry point, :func:`check_text` (and :func:`read_draft` for files, with the readers
of the ingest): the draft's 查重 fingerprints find candidate sources in the search index
(:mod:`.retrieve`), each candidate is aligned with the draft (:mod:`.align`, our own
seed-and-chain alignment), every draft character is credited to at most one source, and
:mod:`.report` computes the ratios. Sources are looked for in rounds: after
the best candidates are aligned, the fingerprints of what is still unmatched look for
more (up to ``ROUNDS``), each aligned with the whole draft: a source found late gets all it
shares with the draft, not only what is still unmatched. A 重合片段 that is a set phrase — short, and in many
documents (:class:`.retrieve.SetPhrases`): 「坚持以人民为中心的发展思想」 — is not counted: it is the wording of
a genre, not copied from one document; nor is what a better source leaves of a longer 重合片段 when that rest is a set
phrase (:func:`.align.resolve`'s ``counts``). Its stretch is looked for in the next round still, as anything unmatched
is: a law's penalty article is made of phrases sixty laws share, and copied from the one law that says them all
together (a 120-source draft's 会计法 article was found 39 % copied when set phrases closed their stretches).
The library is only read, never changed.

Everything is computed from what the viewer may see (:func:`sucai.access.view`): a member's
draft is compared with the sources' whole texts, anyone else's with their free views only —
looked for by the free views' fingerprints, aligned with the free texts. So every figure of a
non-member's report (ratios, 重合片段, paragraphs, sources, counts) is a function of free
text: a 查重 cannot be used to test guesses at members-only text.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .. import readers
from ..access import free_view
from ..budget import Budget, run_budgeted
from ..clean import xml_safe
from ..config import Settings
from ..counting import UNCOUNTED, count_chars, counted_mask
from ..errors import BadValue, ReadError, SucaiError
from ..fingerprint import Skeleton, skeleton
from ..model import Document
from .align import DraftSeeds, align, line_starts, resolve, seed_hashes
from .markdown import written_text
from .report import CLOSING_PLACE, OPENING_PLACE, CheckReport, Match, ParagraphRatio, build, place, section_paths
from .retrieve import DraftFingerprints, RareHolders, SetPhrases, Sources, candidates, local_candidates

if TYPE_CHECKING:
    from ..library import Library

__all__ = ["CLOSING_PLACE", "OPENING_PLACE", "SOURCES_HEADING", "UNCOUNTED", "check_length", "check_text", "copy_ratio", "copy_state", "count_chars",
           "place", "read_draft", "section_paths", "CheckReport", "Match", "ParagraphRatio"]

ROUNDS = 3
FIRST_CANDIDATES = 20   # sources aligned in the first round
MORE_CANDIDATES = 30    # in each further round, from what is still unmatched
CHARS_PER_CANDIDATE = 300
"""A longer draft has more sources: a round aligns at least one per this many skeleton characters of the draft
(:func:`_limit`). At 20 + 30 + 30 sources whatever its length, a 50,000-字 draft compiled from some 130 corpus
documents was found 72 % copied where 84 % was (75 of its 341 copied paragraphs missed)."""
# codes of a draft file that is the user's bad input, not a read failure
_BAD_INPUT = {"empty", "unsupported_format", "not_a_file", "draft_too_long"}
NO_TEXT = "草稿中没有可查重的文字（为空，或只有图片、符号）"   # the refusal of a draft with nothing to check (empty_draft)


def check_text(library: Library, text: str, viewer_member: bool = False, settings: Settings | None = None) -> CheckReport:
    """Check the draft ``text`` against ``library`` for a viewer with (``viewer_member``) or
    without the member tier; ``settings`` default to the library's.

    ``text`` is checked, and kept in the report, as :func:`sucai.clean.xml_safe` makes it (the same
    length: a vertical tab or form feed is a line break, another control character a space), so
    that offsets in the report are characters of ``text`` and every report file can carry it.
    A member's draft is compared with the sources' whole texts; anyone else's with their free
    views only (see the module docstring). Hidden documents are never sources. The draft's length is
    checked first (:func:`check_length`, on the whole ``text``), before anything else is done with it. A
    closing 附：素材来源 list (a 写作台 draft's download) is left out: the report's text is ``text`` without it,
    and :attr:`CheckReport.left_out` its 字数 (:func:`count_chars`). Raises BadValue, the user's
    bad input (exit status 2 on the command line): code ``draft_too_long`` when the draft's 字数 is over
    ``check_max_chars``, ``empty_draft`` when it has no letters, digits or Han characters.
    """
    settings = settings or library.settings
    check_length(text, settings)
    text, left_out = _without_sources_list(
        xml_safe(text), lambda ids: {row.id: row.title for row in library.records(member=viewer_member, ids=ids)})
    draft = skeleton(text)
    if not len(draft):
        raise BadValue(NO_TEXT, code="empty_draft")
    min_chars = settings.check_min_match_chars
    seeds = DraftSeeds(seed_hashes(draft))
    lines = line_starts(draft, text, min_chars)
    fingerprints = DraftFingerprints(draft.chars)
    indexed = Sources(viewer_member)   # the fingerprints of the texts this viewer may see
    searcher = library.index.searcher()
    catalogue = library.catalogue
    clusters = catalogue.cluster_rows(free=not viewer_member)   # the near-duplicates this viewer sees
    phrases = SetPhrases(searcher, fingerprints, indexed, min_chars, {row.doc_id: row.cluster_id for row in clusters})
    not_shown = {row.doc_id for row in clusters if not row.representative}
    rare = RareHolders(searcher, indexed)
    seen: set[int] = set()
    sources: dict[int, tuple[Document, Skeleton]] = {}
    fragments, kept = [], []
    taken = np.zeros(len(draft), dtype=bool)
    for round_ in range(ROUNDS):
        if round_ == 0:
            ids = candidates(searcher, fingerprints.all(), seen, _limit(FIRST_CANDIDATES, draft), indexed)
        else:
            ids = local_candidates(rare, fingerprints.open(taken), seen, _limit(MORE_CANDIDATES, draft))
        seen.update(ids)
        for doc in catalogue.documents(ids):   # with its outline: where each 重合片段 stands in it (Match.place)
            if doc.hidden:   # the index may not have caught up with a hiding yet
                continue
            shown = doc if viewer_member else free_view(doc)
            source = skeleton(shown.text)
            sources[doc.id] = (shown, source)
            fragments += [fragment for fragment in align(seeds, source, doc.id, min_chars, _bounds(doc, shown, source),
                                                          lines) if not phrases.holds(fragment.stretches)]
        kept = resolve(fragments, len(draft), min_chars, rank=lambda f: f.doc_id in not_shown,
                       counts=lambda piece: not phrases.holds(piece.stretches), lines=lines)
        now = np.zeros(len(draft), dtype=bool)   # a set phrase's stretch still open: a source may hold more of it
        for fragment in kept:
            now[fragment.i0:fragment.i1] = True
        if not ids or not (now & ~taken).any():
            break
        taken = now
    used = {f.doc_id for f in fragments}
    return replace(build(text, draft, fragments, kept, {i: sources[i] for i in used}, len(sources)), left_out=left_out)


SOURCES_HEADING = "附：素材来源"   # the closing list of a 写作台 draft's sources (sucai.drafting.document)
# what a cited paragraph is of its source (copy_state); 「已改写，复制比 N%」 as downloads before it wrote it
MARKED_STATE = "原文照录，仅标出待补项"   # a cited paragraph changed only by its 【待补】 (copy_state)
_COPY_STATE = rf"(?:{MARKED_STATE}|原文照录|已改写，与原文无重合|已改动，仍与原文重合 \d{{1,3}}%|已改写，复制比 \d+%)"
_SOURCE_LINE = re.compile(r"\d+\\?\. (?P<heading>(?:(?! 第\d+段：《).)*) 第\d+段：《(?P<title>(?:(?!》（编号 \d).)*)》"
                          r"（编号 (?P<id>\d{1,9})(?:，(?P<path>(?:(?!）；).){1,200}))?）；" + _COPY_STATE)
"""A line of the list as :func:`sucai.drafting.document.source_lines` writes it (``1. 一、… 第2段：《title》（编号 7，…）；原文照录``;
``1\\.`` as a Markdown download escapes it). Each part stops where the next fixed text starts, so a match takes
time linear in the line, whatever the line holds."""


def copy_state(edited: bool, ratio: float, marked: bool = False) -> str:
    """What a 写作台 paragraph is of the source it cites, in a writer's words: 「原文照录」 (its text, unchanged);
    :data:`MARKED_STATE` (``marked``: its text but for the 【待补】 standing for another unit's facts — the source's words
    and nothing else, which 「已改动，仍与原文重合 100%」 said the writer had changed);
    「已改写，与原文无重合」 (changed, no 重合片段 left: ``ratio`` 0); else 「已改动，仍与原文重合 N%」 — ``ratio``
    (:func:`copy_ratio`: the share of its 字数 in 重合片段 with the source, as 查重 counts a 文字复制比) in whole
    percent rounded down, at least 1: a paragraph cut short is changed and still all the source's words (100 %), never
    「已改写，复制比 100%」, and one 99.6 % the source's is not said to be all of it. The 写作台's page, its downloads'
    素材来源 list and this module's reading of that list (:data:`_SOURCE_LINE`) say it so."""
    if not edited:
        return "原文照录"
    if marked:
        return MARKED_STATE
    if ratio <= 0:
        return "已改写，与原文无重合"
    return f"已改动，仍与原文重合 {max(1, math.floor(round(ratio * 100, 6)))}%"   # 0.29 * 100 is 28.999…


def _without_sources_list(text: str, titles_of: Callable[[list[int]], dict[int, str]]) -> tuple[str, int]:
    """``text`` without a closing 附：素材来源 list, as a 写作台 draft's download ends, and the characters left out,
    as a 字数 counts them (:func:`count_chars`; 0 when there is none). Like the reference list a 查重 service leaves out
    of a thesis, it names the sources and is no part of the writing: counted, it lowered the draft's 文字复制比
    (new-user try 14: 99.9 % in the 写作台, 67 % for its .docx). It is the heading line, then only lines that
    name a source as the 写作台 writes them (:data:`_SOURCE_LINE`): the place a heading of the draft gives
    (a line of the text above, a Markdown heading's ``#`` aside) or :data:`OPENING_PLACE` or :data:`CLOSING_PLACE`, and a document by its number and its title as the viewer sees it
    (``titles_of(ids)``: id → title of the visible ones, read once for the whole list). So nothing but headings, titles and
    section names is ever left out; copied paragraphs put in such a list are checked, and every report says
    what was left out (:attr:`CheckReport.left_out`). Linear in the length of ``text``."""
    lines = text.split("\n")
    at = next((i for i in range(len(lines) - 1, 0, -1) if _bare(lines[i]) == SOURCES_HEADING), None)
    if at is None:
        return text, 0
    headings = {_bare(line) for line in lines[:at]} | {OPENING_PLACE, CLOSING_PLACE}
    found = [_SOURCE_LINE.fullmatch(line.strip()) for line in lines[at + 1:] if line.strip()]
    if not all(line and line["heading"] in headings for line in found):
        return text, 0
    titles = titles_of(sorted({int(line["id"]) for line in found}))
    if any(titles.get(int(line["id"])) != line["title"] for line in found):
        return text, 0
    kept = "\n".join(lines[:at])
    return kept, count_chars(text[len(kept):])


def _bare(line: str) -> str:
    """``line`` without white space around it and a Markdown heading's ``#`` marks (a .md download's headings)."""
    return line.strip().lstrip("#").strip()


def check_length(text: str, settings: Settings) -> None:
    """Refuse a draft longer than one 查重 takes: BadValue (code ``draft_too_long``, 422; exit status 2) when the 字数 of
    ``text`` (:func:`count_chars`, sources list included) is over ``settings.check_max_chars``. Linear in
    ``len(text)``: what the web routes and :func:`check_text` do first with a draft."""
    length = count_chars(text)
    if length > settings.check_max_chars:
        raise BadValue(f"草稿共 {length:,} 字，超过单次查重上限 {settings.check_max_chars:,} 字"
                           "（设置 check_max_chars），请分段查重", code="draft_too_long")


def copy_ratio(text: str, source: str, min_chars: int, blank: str = "") -> float:
    """The 文字复制比 (0–1) of ``text`` against the one text ``source``, counted as :func:`check_text`
    counts it: the counted characters (:func:`count_chars`) of ``text`` in 重合片段 of at least ``min_chars``
    characters, over all its counted characters (0.0 when it has none) — set phrases included: how much of a
    paragraph is the text of the source it cites, not whether it was copied. ``blank``: a mark that is no one's words
    (the 写作台's 【待补】, standing where the source named another unit's facts): wherever it stands in ``text`` it is
    counted on neither side of the ratio — copied or all — though a 重合片段 spans it (「检查经营主体【待补】家次」 is all
    the source's words, not 2 characters of the writer's; nor is it 100 % with them counted copied). Linear in the two
    lengths (plus sorting their seeds): a 写作台 paragraph against the source it cites."""
    draft = skeleton(text)
    if not len(draft):
        return 0.0
    source_skeleton = skeleton(source)
    fragments = align(DraftSeeds(seed_hashes(draft)), source_skeleton, 0, min_chars)
    kept = resolve(fragments, len(draft), min_chars)
    solid = counted_mask(text)
    for at in (re.finditer(re.escape(blank), text) if blank else ()):
        solid[at.start():at.end()] = False
    return build(text, draft, fragments, kept, {0: (Document(title="", text=source), source_skeleton)}, 1,
                 solid).copy_ratio


def read_draft(settings: Settings, path: Path | None = None, data: bytes | None = None, name: str = "") -> str:
    """The text of a draft file (a path, or uploaded ``data`` with its file ``name``), read as the
    ingest reads (txt/md/docx/pdf/html, .doc/.wps…, scans by OCR; any common encoding), in a worker
    process within the per-file budget (:mod:`sucai.budget`: ``parse_timeout_seconds``,
    ``parse_memory_mb``, ``parse_max_pages``); a Markdown file as the text its writer wrote, without its markup and
    our download's metadata line (:func:`.markdown.written_text`). Raises ReadError with the reason — BadValue
    for the user's bad input (exit status 2 on the command line): a draft with no text at all (code ``empty``), a file
    of a type no reader takes (``unsupported_format``), a path that is no regular file (``not_a_file``: a folder,
    ``/dev/null``, a named pipe), a text longer than a 查重 takes (``draft_too_long``, :func:`check_length`: refused
    in the worker, so that such a text never comes back — a 100 kB .docx of numbered paragraphs, each label 1,250
    letters, read as 125 M characters, and the web server's process that a visitor's upload made receive and count
    them took 1.9 GB; attack27).

    A plain-text draft of at most :data:`_INLINE_BYTES_PER_CHAR` bytes per character of ``settings.check_max_chars``,
    or a Markdown one of at most :data:`_INLINE_MARKDOWN_BYTES`, is read in this process instead (:func:`_small_text`):
    decoding it is linear in its bytes, whereas starting a worker (the readers, the word segmenter) took seconds on the
    command line — most of a 41-字 check's 20 s at load 5. Parsing Markdown (markdown-it-py) is linear too, but costs
    up to about 10 µs of CPU per byte of hostile markup (``[[[…``, ``*a*a…``: ``bench/hostile.py``), so a larger
    Markdown draft, which would hold a web server's process for seconds, is parsed within a worker's budget."""
    budget = Budget.from_settings(settings)
    small = _small_text(path, data, name, settings.check_max_chars * _INLINE_BYTES_PER_CHAR)
    if small is not None:
        result = _read_job((None, *small, budget, settings))
    else:
        [result] = run_budgeted(_read_job, [(path, data, name, budget, settings)], budget, 1)
    if isinstance(result, tuple):  # (status, reason[, code])
        code = result[2] if len(result) > 2 else "unreadable"
        raise (BadValue if code in _BAD_INPUT else ReadError)(result[1], code=code)
    return result


_INLINE_BYTES_PER_CHAR = 4   # UTF-8's longest character: a draft over it is over check_max_chars, or mostly blank
_INLINE_MARKDOWN_BYTES = 32 * 1024
"""The largest Markdown draft parsed in the calling process: about 10,000 字 of Chinese, at most about 0.3 s of CPU
however its markup is made (``bench/hostile.py``)."""


def _small_text(path: Path | None, data: bytes | None, name: str, limit: int) -> tuple[bytes, str] | None:
    """``(bytes, file name)`` of a draft of at most ``limit`` bytes that :func:`sucai.readers.detect_format` takes for
    plain text, or for Markdown within :data:`_INLINE_MARKDOWN_BYTES` too; None for any other draft, and for one that
    cannot be read or sniffed (its worker then gives the reason, as for any file). A path is read only when it is a
    regular file, and never past ``limit + 1`` bytes (:func:`sucai.readers.file_bytes`): ``/dev/zero`` or a named
    pipe is not read here, nor a file that grows."""
    if path is not None:
        try:
            data, name = readers.file_bytes(path, limit), Path(path).name
        except ReadError:
            return None
    if data is None or len(data) > limit:
        return None
    try:
        fmt = readers.detect_format(data, name)
    except ReadError:
        return None
    return (data, name) if fmt == "txt" or (fmt == "md" and len(data) <= _INLINE_MARKDOWN_BYTES) else None


def _read_job(job: tuple[Path | None, bytes | None, str, Budget, Settings]) -> str | tuple[str, str, str]:
    """Worker entry of :func:`read_draft`: the text, within ``settings.check_max_chars`` (:func:`check_length`), or
    ``("skipped", reason, code)``."""
    path, data, name, budget, settings = job
    limits = readers.Limits(budget.max_pages, time.monotonic() + budget.seconds, budget.memory_mb, again="重新查重")
    try:
        raw = readers.read(path, limits) if path is not None else readers.read_bytes(data or b"", name, limits)
        text = written_text(raw.text) if raw.format == "md" else raw.text
        check_length(text, settings)
    except SucaiError as err:
        return "skipped", err.message, err.code
    except MemoryError:
        return "skipped", budget.memory_reason(), "too_large"
    return text


def _bounds(doc: Document, shown: Document, source: Skeleton) -> list[int]:
    """Skeleton offsets (in ``source``, the skeleton of ``shown``) that no fragment may cross: the edges
    of ``doc``'s members-only part in its whole text, or where the free view ``shown`` left it out."""
    if doc.members_span is None:
        return []
    edges = doc.members_span if shown is doc else (shown.paid_from,)
    return [source.offset(edge) for edge in edges]


def _limit(least: int, draft: Skeleton) -> int:
    """How many sources a round aligns for ``draft``: ``least``, or one per :data:`CHARS_PER_CANDIDATE` of its
    skeleton characters when that is more (about 330 at ``check_max_chars``' default of 100,000 字)."""
    return max(least, len(draft) // CHARS_PER_CANDIDATE)
