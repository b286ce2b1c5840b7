"""Alignment of a draft with its sources: seeds → runs → fragments (重合片段), the core of 查重.

Texts are compared on their skeletons (:mod:`sucai.fingerprint`: letters, digits and Han
characters, folded), so layout, spaces and punctuation — changed, swapped, full- or
half-width, missing — never break a match. Offsets here are skeleton offsets; the report
maps them back to characters of the texts as read.

1. **Seeds**: every ``SEED``-gram (4 characters) the draft and a source share, as pairs
   ``(i, j)`` of skeleton offsets. A 4-gram that occurs more than ``MAX_REPEAT`` times in
   the source is left out: it matches everywhere and locates nothing.
2. **Runs**: seeds on one diagonal (``j - i``) at consecutive offsets are one exact run:
   draft ``[i0, i1)``, source ``[j0, j0 + i1 - i0)``.
3. **Fragments**: runs chained in draft order when the next run begins at most
   ``MAX_GAP`` characters after the chain ends, in both texts, on a diagonal within
   ``MAX_SHIFT`` of the chain's — what a changed character, a changed or swapped word,
   or an inserted or dropped character leaves between two runs. A fragment counts when
   it holds a run of at least ``ANCHOR`` characters, spans at least the minimum match
   length in the draft, and its runs cover at least ``MIN_COVER`` of its span in both
   texts. Its similarity is the covered share of the longer of its two spans. A paragraph of the draft is a unit
   of its own: one that runs fewer than the minimum match length into a paragraph, or out of one, is cut at that
   paragraph's start (:func:`align`'s ``lines``), so a short heading or formula line every document has
   (「二、存在的问题」) is never a 重合片段, nor part of one, by standing next to a copied paragraph.
4. **Resolution** (:func:`resolve`): each draft character is credited to one fragment,
   the best first (most covered characters, then similarity); the rest of a fragment that
   overlaps a better one is kept only where it still forms a valid fragment, within paragraphs as in step 3.

All steps are linear in the lengths of the two texts (plus sorting the seeds).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..counting import counted_mask
from ..fingerprint import Skeleton, kgram_hashes
from ..headings import LABEL

SEED = 4
MAX_REPEAT = 64
MAX_GAP = 8
MAX_SHIFT = 4
ANCHOR = 6
MIN_COVER = 0.65
HEADING_LEVELS = 4   # headings one under another at most: 一、（一）1.（1）, GB/T 9704-2012 §7.3.3's 结构层次序数
# an outline label (its style, :data:`sucai.headings.LABEL`'s group, its level) opening a line, or standing after a
# sentence's end within a line (「…亲自抓。（二）强化督导…」: a text broken by width, not at its headings)
_LINE_LEVEL = re.compile(rf"\s*{LABEL}")
_INLINE_LEVEL = re.compile(rf"(?<=[。！？；!?;])[ \t\u3000]*{LABEL}")


@dataclass(frozen=True)
class Run:
    """An exact match: draft skeleton ``[i0, i1)`` = source skeleton ``[j0, j0 + i1 - i0)``."""

    i0: int
    i1: int
    j0: int

    @cached_property
    def j1(self) -> int:
        return self.j0 + self.i1 - self.i0

    def clip(self, a: int, b: int) -> Run | None:
        """The part of this run inside draft ``[a, b)``, or None."""
        start, end = max(self.i0, a), min(self.i1, b)
        return Run(start, end, self.j0 + start - self.i0) if start < end else None


@dataclass
class Fragment:
    """A 重合片段 of the draft and one source: runs in draft order (never changed once made), spans in
    skeleton offsets."""

    doc_id: int
    runs: list[Run]

    @cached_property
    def i0(self) -> int:
        return self.runs[0].i0

    @cached_property
    def i1(self) -> int:
        return max(r.i1 for r in self.runs)

    @cached_property
    def j0(self) -> int:
        return min(r.j0 for r in self.runs)

    @cached_property
    def j1(self) -> int:
        return max(r.j1 for r in self.runs)

    @cached_property
    def stretches(self) -> tuple[tuple[int, int], ...]:
        """Draft skeleton ``[start, end)`` of each run: the pieces that are the same text in the draft and the source,
        in order of start."""
        return tuple((r.i0, r.i1) for r in self.runs)

    @cached_property
    def covered(self) -> int:
        """Draft characters inside runs."""
        return _union_length((r.i0, r.i1) for r in self.runs)

    @cached_property
    def source_covered(self) -> int:
        """Source characters inside runs."""
        return _union_length(sorted((r.j0, r.j1) for r in self.runs))

    @cached_property
    def similarity(self) -> float:
        """Characters in runs over the longer of the two spans (1.0: an exact copy)."""
        return min(self.covered, self.source_covered) / max(self.i1 - self.i0, self.j1 - self.j0)

    def valid(self, min_chars: int) -> bool:
        """Long enough, anchored by one longer exact run, and mostly covered by runs in both texts."""
        if len(self.runs) == 1:   # most: an anchor alone, wholly covered
            return self.runs[0].i1 - self.runs[0].i0 >= max(min_chars, ANCHOR)
        draft, source = self.i1 - self.i0, self.j1 - self.j0
        return (draft >= min_chars and any(r.i1 - r.i0 >= ANCHOR for r in self.runs)
                and self.covered >= MIN_COVER * draft and self.source_covered >= MIN_COVER * source)

    def clip(self, a: int, b: int) -> Fragment | None:
        """The part of this fragment inside draft ``[a, b)``, or None."""
        runs = [c for c in (r.clip(a, b) for r in self.runs) if c is not None]
        return Fragment(self.doc_id, runs) if runs else None


def seed_hashes(skeleton: Skeleton) -> np.ndarray:
    """The hashes :func:`align` compares: one per ``SEED``-gram of the skeleton."""
    return kgram_hashes(skeleton.chars, SEED)


def align(draft_seeds: DraftSeeds, source: Skeleton, doc_id: int, min_chars: int,
          segments: list[int] | None = None, lines: np.ndarray | None = None) -> list[Fragment]:
    """The valid fragments shared by a draft (its :class:`DraftSeeds`) and ``source``.

    ``segments``: source skeleton offsets that no fragment may cross (the member
    boundary), so each fragment lies wholly in one part of the source. ``lines``: the draft's
    :func:`line_starts`, where its paragraphs start; a fragment running fewer than ``min_chars`` characters into a
    paragraph of the draft, or out of one, ends (begins) at that paragraph's start, as often as it does
    (:func:`_within_lines`). The skeleton has no line breaks, so a seed across one matched whenever the next
    paragraphs of both texts began alike (「…工作。\n我们」: the writer's own paragraph after a copied one reported
    「我们」 copied), and a heading every document of a genre has — 「一、2026年工作总结」, 「二、存在的问题」, shorter
    than a 重合片段 — was counted as copied with the paragraph under it. A 查重 service's report (CNKI, 维普) leaves
    no text of a draft out, and flags quotations (去除引用复制比 here); a heading is left out only when too short to be
    a 重合片段 by itself, which a 重合片段's minimum length means. A heading within a longer copied passage stays in.
    """
    runs = _runs(draft_seeds, seed_hashes(source))
    if segments:
        runs = _cut(runs, sorted(segments))
    fragments = _chain(runs, doc_id)
    return [f for f in (_within(f, lines, min_chars) for f in fragments) if f is not None and f.valid(min_chars)]


def line_starts(skeleton: Skeleton, text: str, min_chars: int) -> np.ndarray:
    """The skeleton offsets of ``text`` (whose skeleton is ``skeleton``) where a paragraph of it starts: a line break
    lies between this skeleton character and the one before — but for a break in mid-sentence, one alone after a line
    that ends with one of them (no punctuation after its last letter, digit or Han character, white space aside) and
    is no short heading (of fewer than ``min_chars`` skeleton characters and opening with an outline label,
    :data:`sucai.headings.LABEL`: 「二、存在的问题」, of a level that is one of the text's outline: no label of its
    level — 一、 （一） 1. （1）, 第…条, 第…章 — stands after a sentence's end within a line, as in a text broken by width, not
    at its headings, 「…亲自抓。（二）强化督导…」: there 「（一）加强组织领」 goes on in the next line as any line does): a text
    pasted from a PDF, broken where its lines ended, is one paragraph, however short its lines (a break every 12
    characters hid a copied paragraph from 查重, attack28; one every 8, its lines opening with labels now and then,
    lost its ends, write29), and a short heading one of its own. Linear in ``len(text)``."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    newlines = np.flatnonzero(codes == 10)
    line = np.searchsorted(newlines, skeleton.origin)   # the line of each skeleton character
    starts = np.flatnonzero(line[1:] > line[:-1]) + 1
    if not len(starts):
        return starts
    last = skeleton.origin[starts - 1]   # the last skeleton character of the line before each start, in the text
    before = line[starts - 1]   # the line before each start
    counted = np.concatenate(([0], np.cumsum(counted_mask(text), dtype=np.int64)))
    mid_sentence = (line[starts] - before == 1) & (counted[newlines[before]] == counted[last + 1])
    inline = {found.lastgroup for found in _INLINE_LEVEL.finditer(text)}   # levels no heading of the text is at
    for k in np.flatnonzero(mid_sentence & (np.bincount(line)[before] < min_chars)):
        mid_sentence[k] = not _heading_label(text[newlines[before[k] - 1] + 1 if before[k] else 0:newlines[before[k]]],
                                             inline)
    return starts[~mid_sentence]


def _heading_label(line: str, inline: set[str]) -> bool:
    """Whether ``line`` opens with an outline label (:data:`sucai.headings.LABEL`) of a level none among ``inline``
    (its groups)."""
    level = _LINE_LEVEL.match(line)
    return level is not None and level.lastgroup not in inline


def _within(fragment: Fragment | None, lines: np.ndarray | None, min_chars: int) -> Fragment | None:
    """:func:`_within_lines` of ``fragment`` when there are ``lines`` and a fragment."""
    if fragment is None or lines is None or not len(lines):
        return fragment
    return _within_lines(fragment, lines, min_chars)


def _within_lines(fragment: Fragment, lines: np.ndarray, min_chars: int) -> Fragment | None:
    """``fragment`` without a first or last piece of fewer than ``min_chars`` characters across a paragraph start in
    ``lines``, again while the next piece is as short (a heading under a heading) — :data:`HEADING_LEVELS` pieces at
    most at each end: a text copied with a line break every 12 characters, each line a paragraph shorter than a
    重合片段, was left out whole (attack28); None when nothing is left."""
    start, end = fragment.i0, fragment.i1
    first = int(np.searchsorted(lines, start, "right"))
    for first in range(first, min(first + HEADING_LEVELS, len(lines))):
        if lines[first] >= end or lines[first] - start >= min_chars:
            break
        start = int(lines[first])
    last = int(np.searchsorted(lines, end, "left")) - 1
    for last in range(last, max(last - HEADING_LEVELS, -1), -1):
        if lines[last] <= start or end - lines[last] >= min_chars:
            break
        end = int(lines[last])
    return fragment if (start, end) == (fragment.i0, fragment.i1) else fragment.clip(start, end)


def resolve(fragments: list[Fragment], length: int, min_chars: int, rank=None, counts=None,
            lines: np.ndarray | None = None) -> list[Fragment]:
    """Credit each draft skeleton character (``length`` in all) to at most one fragment, the best first.

    ``rank(fragment)``: an extra sort key for ties (smaller first), e.g. to prefer
    the representative of a cluster. ``counts(remainder)``: whether a valid remainder — what is left of a
    fragment where better ones took part of it — counts, e.g. not a set phrase: a remainder is a new
    重合片段, never judged as the whole fragment was, and kept within the draft's paragraphs (``lines``, as
    :func:`align` keeps a fragment). Returns the kept fragments (and counted remainders) in draft order.
    """
    taken = np.zeros(length, dtype=bool)
    kept: list[Fragment] = []
    order = sorted(fragments, key=lambda f: (-f.covered, -f.similarity, rank(f) if rank else 0, f.doc_id, f.i0))
    for fragment in order:
        free = ~taken[fragment.i0:fragment.i1]
        pieces = [fragment] if free.all() else [
            piece for a, b in _true_spans(free, fragment.i0)
            if b - a >= min_chars and (piece := _within(fragment.clip(a, b), lines, min_chars)) is not None
            and piece.valid(min_chars)
            and (counts is None or counts(piece))
        ]
        for piece in pieces:
            taken[piece.i0:piece.i1] = True
            kept.append(piece)
    return sorted(kept, key=lambda f: f.i0)


# -- steps -------------------------------------------------------------------------------


class _Runs:
    """Runs (draft start ``i0`` and end ``i1``, source start ``j0``), sorted by ``i0``, as lists;
    ``part``: which part of the source (between two ``cuts``) each run lies in."""

    def __init__(self, i0: np.ndarray, i1: np.ndarray, j0: np.ndarray, cuts: list[int] | None = None):
        order = np.lexsort((j0, i0))
        self.i0, self.i1, self.j0 = i0[order].tolist(), i1[order].tolist(), j0[order].tolist()
        self.part = np.searchsorted(np.array(cuts or [], dtype=np.int64), j0[order], "right").tolist()
        self.by_end = np.argsort(i1[order], kind="stable").tolist()
        self.ends = [self.i1[k] for k in self.by_end]

    def __len__(self) -> int:
        return len(self.i0)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return (np.array(self.i0, dtype=np.int64), np.array(self.i1, dtype=np.int64),
                np.array(self.j0, dtype=np.int64))

    def run(self, k: int) -> Run:
        return Run(self.i0[k], self.i1[k], self.j0[k])


class DraftSeeds:
    """A draft's seed hashes (:func:`seed_hashes`), sorted once for all the sources it is aligned with."""

    def __init__(self, hashes: np.ndarray):
        self.order = np.argsort(hashes)
        self.sorted = hashes[self.order]


def _runs(draft: DraftSeeds, source: np.ndarray) -> _Runs:
    """Maximal exact runs of shared seeds (steps 1 and 2)."""
    empty = np.zeros(0, dtype=np.int64)
    positions, wanted = draft.order, draft.sorted
    if not len(positions) or not len(source):
        return _Runs(empty, empty, empty)
    order = np.argsort(source)
    ordered = source[order]
    lo = np.searchsorted(ordered, wanted, "left")   # queries in order: one pass over the source
    count = np.searchsorted(ordered, wanted, "right") - lo
    count[count > MAX_REPEAT] = 0
    total = int(count.sum())
    if not total:
        return _Runs(empty, empty, empty)
    i = np.repeat(positions.astype(np.int64), count)
    within = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
    j = order[np.repeat(lo, count) + within].astype(np.int64)
    diagonal = j - i
    by = np.lexsort((i, diagonal))
    i, diagonal = i[by], diagonal[by]
    breaks = np.flatnonzero((np.diff(diagonal) != 0) | (np.diff(i) != 1)) + 1
    starts = np.concatenate(([0], breaks))
    ends = np.concatenate((breaks, [len(i)]))
    return _Runs(i[starts], i[ends - 1] + SEED, i[starts] + diagonal[starts])


def _cut(runs: _Runs, cuts: list[int]) -> _Runs:
    """Runs split where they cross a source offset in ``cuts``."""
    i0, i1, j0 = runs.arrays()
    for cut in cuts:
        crossing = (j0 < cut) & (j0 + i1 - i0 > cut)
        split = i0[crossing] + cut - j0[crossing]
        tails = (split, i1[crossing], np.full(len(split), cut, dtype=np.int64))
        i1 = np.where(crossing, i0 + cut - j0, i1)
        i0, i1, j0 = (np.concatenate((a, b)) for a, b in zip((i0, i1, j0), tails))
    return _Runs(i0, i1, j0, cuts)


def _chain(runs: _Runs, doc_id: int) -> list[Fragment]:
    """Fragments grown from each anchor (a run of at least ``ANCHOR`` characters) to the runs that
    continue it on both sides (step 3). Work is proportional to the anchors, not to all runs."""
    used = [False] * len(runs)
    fragments = []
    for anchor in [k for k in range(len(runs)) if runs.i1[k] - runs.i0[k] >= ANCHOR]:
        if used[anchor]:
            continue
        used[anchor] = True
        chain = [anchor]
        for forward in (True, False):
            current = anchor
            while (nearest := _next(runs, current, used, forward)) is not None:
                used[nearest] = True
                chain.append(nearest)
                current = nearest
        fragments.append(Fragment(doc_id, [runs.run(k) for k in sorted(chain, key=lambda k: (runs.i0[k], runs.j0[k]))]))
    return fragments


def _next(runs: _Runs, k: int, used: list[bool], forward: bool) -> int | None:
    """The unused run that best continues run ``k`` after (or before) it: in the same part of the
    source, within ``MAX_GAP`` characters in both texts and ``MAX_SHIFT`` diagonals, the smallest
    shift first."""
    i0, i1, j0 = runs.i0[k], runs.i1[k], runs.j0[k]
    j1, diagonal = j0 + i1 - i0, j0 - i0
    slack = SEED + MAX_SHIFT  # after a dropped character the next run overlaps a little
    if forward:
        near = range(bisect_left(runs.i0, i1 - slack), bisect_right(runs.i0, i1 + MAX_GAP))
    else:
        near = runs.by_end[bisect_left(runs.ends, i0 - MAX_GAP):bisect_right(runs.ends, i0 + slack)]
    best = None
    for r in near:
        if used[r] or runs.part[r] != runs.part[k]:
            continue
        a, b, c = runs.i0[r], runs.i1[r], runs.j0[r]
        shift = abs(c - a - diagonal)
        if shift > MAX_SHIFT:
            continue
        if forward:
            fits = b > i1 and c > j0 and c - j1 <= MAX_GAP
        else:
            fits = a < i0 and c < j0 and j0 - (c + b - a) <= MAX_GAP
        if fits and (best is None or (shift, -(b - a)) < best[0]):
            best = ((shift, -(b - a)), r)
    return None if best is None else best[1]


def _union_length(spans) -> int:
    """Total length of the union of ``(start, end)`` spans given in order of start."""
    total, reach = 0, None
    for start, end in spans:
        if reach is None or start >= reach:
            total += end - start
            reach = end
        elif end > reach:
            total += end - reach
            reach = end
    return total


def _true_spans(mask: np.ndarray, offset: int) -> list[tuple[int, int]]:
    """``[start, end)`` (plus ``offset``) of each run of True in ``mask``."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return [(offset + int(a), offset + int(b)) for a, b in zip(starts, ends)]
