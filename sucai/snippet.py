"""Snippets: a short window of original text around the best matches, with highlight spans.

All offsets are in characters of the string they refer to, half-open ``[start, end)``.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    if any(needle.startswith(needle[-k:]) for k in range(1, len(needle))):
        return sum(1 for _ in _occurrences(text, needle, start, end))
    return text.count(needle, start, end)


def snippet_for(text: str, needles: list[str], width: int) -> Snippet:
    """The snippet of ``text`` for these normalised needles (see :func:`make_snippet`).

    Fast path: the window is chosen from the needles' verbatim occurrences (a plain
    ``str.find``, the common case for simplified-Chinese text), and only the window
    is normalised to compute its exact highlights. Texts where no needle occurs
    verbatim (other width, case, traditional characters) take the full path.
    """
    verbatim = _verbatim_spans(text, needles)
    if not verbatim:
        return make_snippet(text, find_spans(text, needles), width)
    start, end = _window(text, verbatim, width)
    margin = max(map(len, needles))
    lo = max(0, start - margin)
    exact = [(s + lo, e + lo, n) for s, e, n in find_spans(text[lo : end + margin], needles)]
    return _cut(text, exact, start, end)


_WIDEN = str.maketrans(",;:!?()", "，；：！？（）")


def _verbatim_spans(text: str, needles: list[str], most: int = 64) -> list[tuple[int, int, int]]:
    """The first ``most`` occurrences of each needle as written, or with the full-width
    punctuation usual in Chinese text (enough to place the window)."""
    spans = []
    for index, needle in enumerate(needles):
        for form in {needle, needle.translate(_WIDEN)} if needle else ():
            at, found = text.find(form), 0
            while at >= 0 and found < most:
                spans.append((at, at + len(form), index))
                at, found = text.find(form, at + 1), found + 1
    return sorted(spans)


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
    start = _best_start(text, spans, width) if spans else 0
    first = next(((s, e) for s, e, _ in spans if s >= start), (start, start))  # the window's first match
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
        cut = max(text.rfind(mark, low, anchor) for mark in ends)
        if cut >= 0:
            start = cut + 1
            break
    while start < anchor and text[start] in _NOT_FIRST:
        start += 1
    return start


def _cut(text: str, spans: list[tuple[int, int, int]], start: int, end: int) -> Snippet:
    inside = [(max(s, start) - start, min(e, end) - start) for s, e, _ in spans if s < end and e > start]
    return Snippet(text[start:end].replace("\n", " "), start, merge_spans(inside))


def _best_start(text: str, spans: list[tuple[int, int, int]], width: int) -> int:
    """Start of the window (sliding over the sorted spans, linear time) with the best cluster."""
    best_key, best_start = None, 0
    counts: dict[int, int] = {}
    right = 0
    for left, (anchor, _, _) in enumerate(spans):
        start = max(0, anchor - width // 4)
        while right < len(spans) and spans[right][0] < start + width:
            counts[spans[right][2]] = counts.get(spans[right][2], 0) + 1
            right += 1
        key = (len(counts), right - left, -start)
        if best_key is None or key > best_key:
            best_key, best_start = key, start
        needle = spans[left][2]
        counts[needle] -= 1
        if not counts[needle]:
            del counts[needle]
    return best_start


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
