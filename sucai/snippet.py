"""Snippets: a short window of original text around the best matches, with highlight spans.

All offsets are in characters of the string they refer to, half-open ``[start, end)``.

What a hit's snippet costs (issue 16; ranked searches of bench/search.py's 20 M-character library, hits of ~12,000
characters with ~3 needles, CPU): ~50 µs, of which ~19 are the searches of its text — one per form that holds no
shorter one (:func:`_verbatim_spans`), ~9.5 µs each — and the rest places and cuts the window; reading the text from
the catalogue is ~36 µs more (SQLite ~15, decoding its UTF-8 ~21). Measured and left: the UTF-8 bytes searched before
decoding (1.6× the searches' CPU, and the offsets in characters still to count: ~20 µs a text), the ``regex`` module
(searches a quarter faster, but compiling a form costs 39 µs against 11: a search's new forms cost what its ten hits
gain), one alternation of all the forms (2–4× the searches it replaces), a window placed within the text's first
characters (4,000: half of the snippets change) and only the parts of the text around the needles read: even knowing
where every occurrence is, the blocks of 500 characters holding one or the window are 30% of a hit's text (of 1,000:
45%).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice, repeat

from . import analysis


@dataclass(frozen=True)
class Snippet:
    text: str                          # a slice of the original text (line breaks shown as spaces)
    start: int                         # where ``text`` starts in the original text
    highlights: list[tuple[int, int]]  # spans of ``text`` covering exactly the matched characters


def find_spans(text: str, needles: list[str], matchable: tuple[str, analysis.OffsetMap] | None = None
               ) -> list[tuple[int, int, int]]:
    """Every occurrence of each normalised needle in ``text``, as original-text spans.

    Returns ``(start, end, needle_index)`` sorted by start; matching is done on the
    normalised text (:func:`sucai.analysis.normalize`), spans are in ``text``.
    Needles are searched in :func:`sucai.analysis.matchable` (the same matches,
    cheaper to compute; ``matchable``: its result for ``text`` and ``needles``, when known).
    """
    form, offsets = matchable or analysis.matchable(text, needles)
    span = _same_span if offsets.identical else offsets.span   # ``text`` itself: no offsets to map
    return sorted((*span(at, at + len(needle)), index) for index, needle in enumerate(needles)
                  for at in _occurrences(form, needle))


def _same_span(start: int, end: int) -> tuple[int, int]:
    return start, end


def _occurrences(text: str, needle: str, start: int = 0, end: int | None = None):
    """Start of every occurrence of ``needle`` in ``text[start:end]``, overlapping ones included."""
    at = text.find(needle, start, end) if needle else -1
    while at >= 0:
        yield at
        at = text.find(needle, at + 1, end)


def count_occurrences(text: str, needle: str, start: int, end: int) -> int:
    """How many occurrences of ``needle`` (not empty), overlapping ones included, lie in ``text[start:end]``:
    ``str.count`` (one scan in C) unless an occurrence can overlap another (a proper prefix of ``needle``
    is also its suffix, as in "哈哈")."""
    if _overlapping(needle):
        return sum(1 for _ in _occurrences(text, needle, start, end))
    return text.count(needle, start, end)


def _overlapping(needle: str) -> bool:
    """Whether two occurrences of ``needle`` can overlap: a proper prefix of it is also its suffix ("哈哈")."""
    return any(needle.startswith(needle[-k:]) for k in range(1, len(needle)))


def snippet_for(text: str, needles: list[str], width: int) -> Snippet:
    """The snippet of ``text`` for these normalised needles (see :func:`make_snippet`).

    Fast path: the window is chosen from the needles' verbatim occurrences (found in C,
    the common case for simplified-Chinese text: :func:`_verbatim_spans`), and only the window
    is normalised to compute its exact highlights. Texts where no needle occurs
    verbatim (other width, case, traditional characters) take the full path.
    """
    verbatim = _verbatim_spans(text, needles)
    if not verbatim:
        return make_snippet(text, find_spans(text, needles), width)
    start, end = _window(text, verbatim, width)
    margin = max(map(len, needles))
    return _cut(text, _spans_between(text, needles, verbatim, max(0, start - margin), end + margin), start, end)


def _spans_between(text: str, needles: list[str], verbatim: list[tuple[int, int, int]], lo: int, hi: int
                   ) -> list[tuple[int, int, int]]:
    """:func:`find_spans` of ``text[lo:hi]``, in offsets of ``text``: when that part is plain for the needles
    (:func:`sucai.analysis.is_plain`: they occur in it as written) and ``verbatim`` (:func:`_verbatim_spans`) holds
    fewer spans than one form's limit of occurrences (so it holds every occurrence), the spans ``verbatim`` has in it
    — no search of the part again (issue 16: ~2 µs of a hit's ~65). Those are the needles as written: a form with
    the full-width punctuation of Chinese text holds a character whose image is a needle's, and a part holding one
    is not plain. Else the part is searched."""
    part = text[lo:hi]
    if len(verbatim) < _MOST and analysis.is_plain(part, needles):
        return [(s, e, n) for s, e, n in verbatim if lo <= s and e <= hi]
    return [(s + lo, e + lo, n) for s, e, n in find_spans(part, needles)]


_MOST = 64   # occurrences of each form that place a snippet's window (:func:`_verbatim_spans`)
_WIDEN = str.maketrans(",;:!?()", "，；：！？（）")


def _verbatim_spans(text: str, needles: list[str], most: int = _MOST) -> list[tuple[int, int, int]]:
    """The first ``most`` occurrences of each needle as written, or with the full-width
    punctuation usual in Chinese text (enough to place the window), overlapping ones included, as
    ``(start, end, needle index)`` sorted.

    A form holding a shorter one whose occurrences were all found (fewer than ``most``) is not sought in the text
    again: each of its occurrences holds one of the other at the same offset, so they are the other's occurrences
    (fewer than ``most`` too), moved back by that offset, where the form starts (an occurrence of the other nearer the text's start than the
    offset gives a negative start, whose slice is shorter than the form: never a match). A ranked search's needles
    are a term and its words, which mostly hold one another: each search of the whole text saved is ~9 µs of a hit's
    snippet of ~65 (issue 16). The others are sought in the text (:func:`_occurrences_of`)."""
    spans = []
    found: dict[str, list[int]] = {}
    for index, form, holds in _forms(tuple(needles)):
        starts = next(([at - offset for at in found[other] if text.startswith(form, at - offset)]
                       for other, offset in holds if len(found[other]) < most), None)
        starts = found[form] = _occurrences_of(text, form, most) if starts is None else starts
        size = len(form)
        spans += [(at, at + size, index) for at in starts]
    spans.sort()
    return spans


def _occurrences_of(text: str, form: str, most: int) -> list[int]:
    """Where the first ``most`` occurrences of ``form`` start in ``text``, overlapping ones included: a form that
    cannot overlap itself is sought by a literal regex (one call into C for all its occurrences; a third less CPU
    for a ranked search's snippets, issue 16), one that can ("哈哈") one ``str.find`` after another."""
    finditer = _literal(form)
    if finditer is not None:
        return [m.start() for m in islice(finditer(text), most)]
    starts, at = [], text.find(form)
    while at >= 0 and len(starts) < most:
        starts.append(at)
        at = text.find(form, at + 1)
    return starts


@lru_cache(maxsize=1024)
def _literal(form: str) -> Callable | None:
    """``finditer`` of ``form`` as a literal pattern (compiled when a text is first searched for it), whose successive
    matches are all its occurrences; None for a form whose occurrences can overlap (:func:`_overlapping`)."""
    return None if _overlapping(form) else re.compile(re.escape(form)).finditer


@lru_cache(maxsize=256)
def _forms(needles: tuple[str, ...]) -> tuple[tuple[int, str, tuple[tuple[str, int], ...]], ...]:
    """``(needle index, form, holds)`` of each form :func:`_verbatim_spans` looks for (made once per search), the
    shorter first: ``holds``, the shorter forms this one holds, each with its offset in it, the longest first."""
    forms = sorted(((index, form) for index, needle in enumerate(needles) if needle
                    for form in dict.fromkeys((needle, needle.translate(_WIDEN)))), key=lambda item: len(item[1]))
    shorter = [form for _, form in forms]
    return tuple((index, form, tuple((other, form.find(other)) for other in sorted(shorter[:k], key=len, reverse=True)
                                     if other in form))
                 for k, (index, form) in enumerate(forms))


def make_snippet(text: str, spans: list[tuple[int, int, int]], width: int) -> Snippet:
    """Cut a window of ``width`` characters around the best cluster of ``spans``.

    The best window is the one covering the most distinct needles, then the most
    occurrences, then the earliest. With no spans, the start of the text. The
    window then starts where a sentence or clause does (:func:`_aligned_start`).
    Highlights are clipped to the window and merged where they overlap.
    """
    return _cut(text, spans, *_window(text, spans, width))


def _window(text: str, spans: list[tuple[int, int, int]], width: int) -> tuple[int, int]:
    """``[start, end)`` of the window of :func:`make_snippet`."""
    width = max(1, width)
    start = _best_start(spans, width) if spans else 0
    at = bisect_left(spans, (start,))   # the window's first match
    first = spans[at][:2] if at < len(spans) else (start, start)
    start = _aligned_start(text, max(0, min(start, len(text) - width)), first, width)
    return start, min(len(text), start + width)


_SENTENCE_ENDS = "。！？；!?;\n"
_CLAUSE_ENDS = "，、：,:"
_NOT_FIRST = " \u3000\t" + _SENTENCE_ENDS + _CLAUSE_ENDS + "”’）】》〕」』.)"  # never the first character shown


def _aligned_start(text: str, start: int, first: tuple[int, int], width: int) -> int:
    """Move a window start to where a sentence begins, else a clause: just after the last 。！？；
    (else ，、：) between a quarter width before ``start`` and the window's ``first`` match, as long as
    that match stays in the window; then past spaces and punctuation, so a snippet never opens with
    "，". Linear in ``width``."""
    if start <= 0:
        return 0
    anchor, anchor_end = first
    low = max(0, start - width // 4, anchor_end - width)
    for ends in (_SENTENCE_ENDS, _CLAUSE_ENDS):
        cut = max(map(text.rfind, ends, repeat(low), repeat(anchor)))
        if cut >= 0:
            start = cut + 1
            break
    while start < anchor and text[start] in _NOT_FIRST:
        start += 1
    return start


def _cut(text: str, spans: list[tuple[int, int, int]], start: int, end: int) -> Snippet:
    inside = [(max(s, start) - start, min(e, end) - start) for s, e, _ in spans if s < end and e > start]
    return Snippet(text[start:end].replace("\n", " "), start, merge_spans(inside))


def _best_start(spans: list[tuple[int, int, int]], width: int) -> int:
    """Start of the window (sliding over the sorted spans, linear time) with the best cluster: the most
    distinct needles, then the most spans, then the earliest (window starts never decrease as it slides).
    Spans of one needle alone (a query of one word): every window holds one, so the most spans win, counted
    by bisection in C (:func:`_fullest_start`)."""
    quarter = width // 4
    if spans and spans[0][2] == spans[-1][2] and len({needle for _, _, needle in spans}) == 1:
        return _fullest_start([anchor for anchor, _, _ in spans], width, quarter)
    counts: defaultdict[int, int] = defaultdict(int)   # spans in the window, by needle
    best_distinct = best_spans = best_start = distinct = right = 0
    for left, (anchor, _, needle) in enumerate(spans):
        start = anchor - quarter if anchor > quarter else 0
        limit = start + width
        while right < len(spans) and spans[right][0] < limit:
            entering = spans[right][2]
            distinct += not counts[entering]
            counts[entering] += 1
            right += 1
        if distinct > best_distinct or (distinct == best_distinct and right - left > best_spans):
            best_distinct, best_spans, best_start = distinct, right - left, start
        counts[needle] -= 1
        distinct -= not counts[needle]
    return best_start


def _fullest_start(anchors: list[int], width: int, quarter: int) -> int:
    """:func:`_best_start` of spans starting at ``anchors`` (sorted), all of one needle: the first window (from a
    quarter width before an anchor, or 0) holding the most of them from its anchor on."""
    held = [bisect_left(anchors, (anchor - quarter if anchor > quarter else 0) + width, left) - left
            for left, anchor in enumerate(anchors)]
    anchor = anchors[held.index(max(held))]
    return anchor - quarter if anchor > quarter else 0


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
