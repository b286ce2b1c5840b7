"""The 查重 report: 文字复制比, 重合片段 and paragraphs, for one viewer.

Characters are counted as a 字数 counts them (:func:`sucai.counting.count_chars`: white space, control
and invisible characters not counted): ``chars`` is the 字数 of the draft, and a ratio is copied
counted characters over ``chars`` (0 … 1). A 重合片段 runs from its first to its last matching letter,
digit or Han character, and covers everything in between (punctuation and edited
characters included) — and the partner of a bracket or quotation mark it holds alone, right outside it
(:func:`text_span`: a copied 「（一）加强…」 is whole, not 「一）加强…」), and the sentence marks that follow it in both
texts alike, full- or half-width (:func:`_spans`: a sentence copied with its 「。」, or its 「.」). Offsets are
characters of the draft's text as read (half-open); a source span is in characters of the text the viewer gets
of that source (:func:`sucai.access.view`: the whole text for a member, the free view otherwise), which
is the text the draft was aligned with (:func:`sucai.check.check_text`): a report holds
nothing of a text its viewer may not read, and no figure of it depends on one.

- 总文字复制比 ``copy_ratio``: copied characters / ``chars``.
- 去除引用复制比 ``copy_ratio_excluding_quotes``: the same without characters inside
  quotation marks (“…”, 「…」, 『…』, "…") or in lines marked as a quote (``>``).
- 单篇最大文字复制比 ``max_source``: the source whose fragments cover the largest share
  of the draft's copied characters (counted before each character is credited to one source only, so
  two sources may both count a character; never above 总文字复制比: a character that no kept 重合片段
  covers — a remainder too short once a better fragment took its neighbours — counts for no source).
- per paragraph (a line with text): its copied share.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from ..counting import counted_mask
from ..fingerprint import Skeleton
from ..model import Document
from ..search import sections
from .align import Fragment

QUOTES = re.compile(r"“[^”\n]*”|「[^」\n]*」|『[^』\n]*』|\"[^\"\n]*\"|^[ \t\u3000]*>.*$", re.MULTILINE)
_PARAGRAPH = re.compile(r"[^\n]+")
_OPENING, _CLOSING = "（(〔［[【《〈「『“‘｛{", "）)〕］]】》〉」』”’｝}"
_PARTNER = dict(zip(_OPENING + _CLOSING, _CLOSING + _OPENING))
_MARKS = re.compile(f"[{re.escape(_OPENING + _CLOSING)}]")
_CLOSING_MARKS = frozenset("。！？；，、：…!?;,:.%％‰")   # and the percent signs a figure ends with
_MARK_FOLD = str.maketrans("!?;,:.、％", "！？；，：。，%")   # a mark and its half-width twin (、 written 「,」) are alike
_SPACES = frozenset(" \t\u3000\u00a0")   # between a 重合片段 and its mark: a space between every two characters
OPENING_PLACE = "开头"   # where a text before its document's first heading stands (place)
CLOSING_PLACE = "结尾"   # where a document's closing stands (the 写作台's 结尾段: sucai.drafting.paragraphs), its path


def place(section_path: Sequence[str]) -> str:
    """Where in its document a text of the library stands, as 查重 and the 写作台 say it wherever they name a source
    (a 重合片段's source; the 写作台's page, ``sucai draft``, a download's 素材来源 list): its section's headings
    「三、整改措施 › （一）加强理论武装」, or :data:`OPENING_PLACE` (开头) for the text before the first heading; a
    closing's path is :data:`CLOSING_PLACE` (结尾) alone."""
    return " › ".join(section_path) or OPENING_PLACE


@dataclass
class Match:
    """One 重合片段: draft ``[start, end)`` and ``source_text``, the source's ``[source_start, source_end)``
    in the text its viewer gets of it, which stands at ``place`` there (:func:`place`: the headings of the section
    where it starts, in that text's outline — a free view's own for a non-member, so no heading of a members part)."""

    start: int
    end: int
    doc_id: int
    title: str
    source_start: int
    source_end: int
    similarity: float
    source_text: str
    place: str
    quoted: bool = False

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "doc_id": self.doc_id, "title": self.title,
                "place": self.place, "source_start": self.source_start, "source_end": self.source_end,
                "similarity": self.similarity}


@dataclass
class ParagraphRatio:
    """A paragraph of the draft (a line with text, ``[start, end)`` without surrounding spaces)."""

    start: int
    end: int
    copy_ratio: float
    quoted_ratio: float = 0.0   # share of the paragraph copied inside quotation marks

    @property
    def level(self) -> str:
        """For colouring: "copied" (half or more copied), "some" (any), "quoted" (only quotations), "original"."""
        if self.copy_ratio - self.quoted_ratio >= 0.5:
            return "copied"
        if self.copy_ratio - self.quoted_ratio > 0:
            return "some"
        return "quoted" if self.quoted_ratio > 0 else "original"

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "copy_ratio": self.copy_ratio}


@dataclass
class CheckReport:
    """The report of one check (see the module docstring); :meth:`to_dict` is the JSON of
    ``sucai check --json`` and ``POST /api/check``."""

    text: str
    chars: int
    copy_ratio: float
    copy_ratio_excluding_quotes: float
    max_source: dict | None
    matches: list[Match] = field(default_factory=list)
    paragraphs: list[ParagraphRatio] = field(default_factory=list)
    sources_checked: int = 0
    left_out: int = 0   # the 字数 (count_chars) of a closing 附：素材来源 list not checked (see check_text)

    def to_dict(self) -> dict:
        return {"chars": self.chars, "copy_ratio": self.copy_ratio,
                "copy_ratio_excluding_quotes": self.copy_ratio_excluding_quotes, "max_source": self.max_source,
                "matches": [m.to_dict() for m in self.matches], "paragraphs": [p.to_dict() for p in self.paragraphs],
                "left_out_chars": self.left_out}

    @cached_property
    def _kinds(self) -> np.ndarray:
        """Per character of the text: 0 original, 1 copied, 2 copied inside quotation marks."""
        kind = np.zeros(len(self.text), dtype=np.int8)
        for m in self.matches:
            kind[m.start:m.end] = 1
        kind[(kind == 1) & _quote_mask(self.text)] = 2
        return kind

    def segments(self, start: int = 0, end: int | None = None) -> list[tuple[str, str]]:
        """``text[start:end]`` cut into ``(piece, kind)``, kind "copied", "quoted" (copied inside
        quotation marks) or "original": for colouring the draft."""
        end = len(self.text) if end is None else end
        kinds = self._kinds[start:end]
        if not len(kinds):
            return []
        cuts = [0, *(np.flatnonzero(np.diff(kinds)) + 1).tolist(), len(kinds)]
        names = ("original", "copied", "quoted")
        return [(self.text[start + a:start + b], names[kinds[a]]) for a, b in zip(cuts, cuts[1:])]


def build(text: str, draft: Skeleton, fragments: list[Fragment], kept: list[Fragment],
          sources: dict[int, tuple[Document, Skeleton]], checked: int, solid: np.ndarray | None = None) -> CheckReport:
    """The report of ``kept`` fragments (one source per draft character) out of all valid
    ``fragments``; ``sources``: each source as the viewer gets it (:func:`sucai.access.view`: the
    text the fragments were aligned with) with its skeleton; ``checked``: how many sources were aligned; ``solid``: the
    characters counted (a bool per character of ``text``), :func:`sucai.counting.counted_mask` when None."""
    solid = counted_mask(text) if solid is None else solid
    chars = int(solid.sum())
    quoted = _quote_mask(text)
    places: dict[int, Callable[[int], str]] = {}
    matches = [_match(draft, text, f, *sources[f.doc_id], places) for f in kept]
    for m in matches:
        m.quoted = bool(quoted[m.start:m.end].all())
    copied = np.zeros(len(text), dtype=bool)
    for m in matches:
        copied[m.start:m.end] = True
    copied &= solid
    return CheckReport(
        text=text, chars=chars, copy_ratio=_ratio(copied.sum(), chars),
        copy_ratio_excluding_quotes=_ratio((copied & ~quoted).sum(), chars),
        max_source=_max_source(draft, text, fragments, copied, chars, sources),
        matches=matches, paragraphs=_paragraphs(text, copied, quoted, solid), sources_checked=checked,
    )


def text_span(skeleton: Skeleton, text: str, start: int, end: int) -> tuple[int, int]:
    """The characters ``[a, b)`` of ``text`` that its ``skeleton``'s non-empty span ``[start, end)`` covers
    (:meth:`Skeleton.span`), widened over the opening brackets and quotation marks right before it whose closing
    partner it holds unpaired, and the closing ones right after it whose opening partner it holds unpaired:
    「（一）加强（试行）」, not 「一）加强（试行」. A pair around the whole span stays out, as other punctuation
    at its ends does."""
    a, b = skeleton.span(start, end)
    closing, opening = _unpaired(text[a:b])
    for mark in closing:   # the innermost first: its partner is nearest
        if a == 0 or text[a - 1] != _PARTNER[mark]:
            break
        a -= 1
    for mark in reversed(opening):
        if b == len(text) or text[b] != _PARTNER[mark]:
            break
        b += 1
    return a, b


def _unpaired(piece: str) -> tuple[list[str], list[str]]:
    """The closing marks of ``piece`` whose opening partner is not in it, and the opening marks it leaves open,
    each in the order they appear."""
    closing, opening = [], []
    for mark in _MARKS.findall(piece):
        if mark in _CLOSING and opening and _PARTNER[opening[-1]] == mark:
            opening.pop()
        elif mark in _CLOSING:
            closing.append(mark)
        else:
            opening.append(mark)
    return closing, opening


def _match(draft: Skeleton, text: str, fragment: Fragment, view: Document, source: Skeleton,
           places: dict[int, Callable[[int], str]]) -> Match:
    """The 重合片段 of ``fragment`` with the source ``view`` (the text the viewer gets, whose skeleton is ``source``);
    ``places``: :func:`_places` of each source, made when its first 重合片段 is."""
    (start, end), (s_start, s_end) = _spans(draft, text, fragment, source, view.text)
    if fragment.doc_id not in places:
        places[fragment.doc_id] = _places(view)
    return Match(start, end, fragment.doc_id, view.title, s_start, s_end, round(fragment.similarity, 3),
                 view.text[s_start:s_end], places[fragment.doc_id](s_start))


def _places(view: Document) -> Callable[[int], str]:
    """Where an offset of ``view.text`` stands (:func:`place` of its :func:`section_paths`)."""
    path_at = section_paths(view)
    return lambda offset: place(path_at(offset))


def section_paths(view: Document) -> Callable[[int], list[str]]:
    """The headings above an offset of ``view.text`` (characters): the heading path of its section — the sections
    a section search cuts (:func:`sucai.search.sections`), of the outline of ``view``, the text the viewer gets
    (a free view's is found in its free text: :func:`sucai.access.free_view`); a blank gap between two is the
    first's; ``[]`` before the first heading. Made once per source, each offset then found by bisection."""
    parts = sections(view)
    starts = [part.start for part in parts]

    def at(offset: int) -> list[str]:
        k = bisect_right(starts, offset) - 1
        return parts[k].path if k >= 0 else []
    return at


def _spans(draft: Skeleton, text: str, fragment: Fragment, source: Skeleton, source_text: str
           ) -> tuple[tuple[int, int], tuple[int, int]]:
    """The characters a 重合片段 covers in the draft and in the source (:func:`text_span`), each widened over the
    sentence and clause marks (。！？；，、：…) and percent signs (「增长10.4%。」: the skeleton holds the digits
    only) that follow it in both alike — the same mark, full- or half-width
    (「。」 and 「.」, 「，」, 「、」 and 「,」: :data:`_MARK_FOLD`), spaces before it aside: a sentence copied with its 「。」
    is copied whole (it was 99.8 % of a paragraph copied word for word; written with half-width marks, or a space
    between every two characters, 99.5 %)."""
    (a, b), (c, d) = text_span(draft, text, fragment.i0, fragment.i1), text_span(source, source_text, fragment.j0,
                                                                               fragment.j1)
    while (mark := _mark_after(text, b))[0] and mark[0] == (after := _mark_after(source_text, d))[0]:
        b, d = mark[1], after[1]
    return (a, b), (c, d)


def _mark_after(text: str, at: int) -> tuple[str, int]:
    """The sentence or clause mark at ``text[at]`` or after the spaces there (no line break), folded
    (:data:`_MARK_FOLD`), and the offset after it; ``("", at)`` when there is none."""
    end = at
    while end < len(text) and text[end] in _SPACES:
        end += 1
    mark = text[end:end + 1]
    return (mark.translate(_MARK_FOLD), end + 1) if mark and mark in _CLOSING_MARKS else ("", at)


def _max_source(draft: Skeleton, text: str, fragments: list[Fragment], copied: np.ndarray, chars: int,
                sources: dict[int, tuple[Document, Skeleton]]) -> dict | None:
    """The source covering the largest share of the ``copied`` characters (a bool per draft character: counted
    and inside a kept 重合片段) with all its fragments. Linear in the fragments and the text: each source's share is
    summed over its fragments' merged spans from running totals of ``copied`` (a mask of the whole text per source,
    filled from every fragment, took 1.9 s of CPU for a 50,000-字 draft of 220 sources)."""
    spans: dict[int, list[tuple[int, int]]] = {}
    for f in fragments:
        view, source = sources[f.doc_id]
        spans.setdefault(f.doc_id, []).append(_spans(draft, text, f, source, view.text)[0])
    before = np.concatenate(([0], np.cumsum(copied, dtype=np.int64))).tolist()
    best = None
    for doc_id in sorted(spans):
        share = sum(before[end] - before[start] for start, end in _merged(sorted(spans[doc_id])))
        if best is None or share > best[0]:
            best = (share, doc_id)
    if best is None:
        return None
    return {"doc_id": best[1], "title": sources[best[1]][0].title, "copy_ratio": _ratio(best[0], chars)}


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The union of ``(start, end)`` spans given in order of start, as disjoint spans in order."""
    out: list[list[int]] = []
    for start, end in spans:
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(start, end) for start, end in out]


def _paragraphs(text: str, copied: np.ndarray, quoted: np.ndarray, solid: np.ndarray) -> list[ParagraphRatio]:
    """Each line of ``text`` with counted characters (``solid``), without the white space at its ends, with the share
    of them ``copied`` and the share ``copied`` inside quotation marks (``quoted``). Linear in ``len(text)``: each
    line's counts are differences of running totals made once, never a mask of the whole text per line."""
    totals = [np.concatenate(([0], np.cumsum(mask, dtype=np.int64))).tolist()
              for mask in (solid, copied, copied & quoted)]
    out = []
    for m in _PARAGRAPH.finditer(text):
        line = m.group()
        start = m.start() + len(line) - len(line.lstrip())
        end = m.start() + len(line.rstrip())
        size, copy, quote = (total[end] - total[start] for total in totals)
        if size:
            out.append(ParagraphRatio(start, end, _ratio(copy, size), _ratio(quote, size)))
    return out


def _quote_mask(text: str) -> np.ndarray:
    mask = np.zeros(len(text), dtype=bool)
    for m in QUOTES.finditer(text):
        mask[m.start():m.end()] = True
    return mask


def _ratio(part, whole: int) -> float:
    return round(float(part) / whole, 4) if whole else 0.0

