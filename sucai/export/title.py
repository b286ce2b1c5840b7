"""The lines of a 公文 title, as GB/T 9704-2012 §7.3.1 asks: "回行时，要做到词意完整，排列对称，
长短适宜，间距恰当，标题排列应当使用梯形或菱形" (break between words; a trapezoid or a diamond).

:func:`title_lines` breaks a title only where a word of the segmenter begins
(:func:`sucai.analysis.word_tags`), into as few lines of at most ``capacity``
ems as it can, and among those breaks chooses the lines whose lengths make a
梯形 (each line no shorter, or each no longer, than the one before) or, from
three lines, a 菱形 (longest in the middle) — never a 沙漏 (a middle line shorter
than both neighbours) — preferring breaks at a space and before 关于, and never
cutting a term made of nominal words (职业 / 教育, 政府 / 性, 小微 / 企业: the
segmenter's words are finer than the terms a reader reads, 词意完整) where a
phrase boundary will do (after the verb: 印发 / 国家职业教育改革实施方案的通知),
nor opening a line with a particle, a date unit or closing punctuation, nor
ending one with an opening bracket or a preposition, nor — where another break
reads as well — with a conjunction (和, 与, 及, 或), nor breaking inside
quotation marks or 《》 or between a number and its unit (2024 / 年度), nor
leaving a stub, a line shorter than a fifth of the longest (「某县」 alone). Widths
are in ems: a Chinese character or full-width sign is 1, other characters
(digits, Latin) ½.
"""

from __future__ import annotations

import math
import unicodedata

from ..analysis import read_mark, word_tags

_MOST_LINES = 4  # more lines than this: plain word wrap (no shape search), keeping the search small
# Words that never open a line (particles, locatives, date units, closing marks) or end one.
_NO_LINE_START = frozenset("的和与及或并等之了上中下里年月日号）》」』”’、，。；：！？")
_UNITS = "年月日号届次期批个项条款部"  # a number and its unit stay on one line ("2024 / 年度" is a bad break)
# A break inside a pair (a quoted name, a book title) counts as a bad break: a bracket or book title, or a quotation
# of any marks — “…”, 「…」, "…" typed on a keyboard, „…“ —, closed as sucai.analysis.closes_quotation reads them.
_BRACKETS = {"《": "》", "（": "）"}
_NO_LINE_END = frozenset(("（", "《", "「", "『", "“", "关于", "对于", "对", "在", "为", "向", "把", "将", "驻"))
# Conjunctions, which bind what follows (「…农业机械化和 / 农机装备…」): a line ending with one is a flaw weighed
# below a bad break (a break elsewhere may cut a compound the segmenter does not read as a term: 调查 / 处理).
_CONJUNCTIONS = frozenset(("和", "与", "及", "以及", "或", "或者", "并", "暨"))
# Parts of speech (jieba's tags) of the words that make up a term: nouns (n, names nr/ns/nt/nz/nrt, ng), verbal and
# adjectival nouns (vn, an), distinguishing words (b: 三级, 国有) and abbreviations (j); not set phrases (l), the
# commonest of which in titles is a verb and its object (适用法律).
_TERM_TAGS = frozenset(("n", "nr", "ns", "nt", "nz", "nrt", "ng", "vn", "an", "b", "j"))
# The verbs by which a 公文 issues another (关于印发…的通知): jieba tags 印发 as a name (nz).
_ISSUING_VERBS = frozenset(("印发", "转发", "批转", "发布", "颁布", "公布"))


def em_width(text: str) -> float:
    """Width of ``text`` in ems: East Asian wide and full-width characters 1, others ½."""
    return sum(1 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


def title_lines(title: str, capacity: float) -> list[str]:
    """``title`` as lines of at most ``capacity`` ems, broken between words in a 梯形 or 菱形 shape.

    A title that fits stays one line. A word longer than a line is cut at the
    capacity (nothing else can be done). Never raises; joining the lines gives ``title``.
    """
    title = title.strip()
    if em_width(title) <= capacity or not title:
        return [title]
    tagged = word_tags(title)
    cuts = [start for start, _ in tagged[1:]]
    words = {start: title[start:end] for (start, _), end in zip(tagged, [*cuts, len(title)])}
    inside = _inside_terms(tagged, words)
    fewest = math.ceil(em_width(title) / capacity)
    best: tuple[float, list[str]] | None = None
    for count in range(fewest, min(fewest + 1, _MOST_LINES) + 1):  # one line more if that reads better
        for lines in _candidates(title, cuts, count, capacity):
            cost = _cost(lines, words, inside) + 3 * (count - fewest)
            if best is None or cost < best[0]:
                best = (cost, lines)
        if best is not None and best[0] < 10:
            break
    return best[1] if best is not None else _wrap(title, cuts, capacity)


def _candidates(title: str, cuts: list[int], lines: int, capacity: float):
    """Every way of cutting ``title`` at ``cuts`` into ``lines`` lines of at most ``capacity`` ems."""

    def extend(start: int, left: int, taken: list[str]):
        if left == 1:
            if em_width(title[start:]) <= capacity:
                yield [*taken, title[start:]]
            return
        for cut in cuts:
            if cut <= start:
                continue
            line = title[start:cut]
            if em_width(line) > capacity:
                break
            yield from extend(cut, left - 1, [*taken, line])

    yield from extend(0, lines, [])


def _inside_terms(tagged: list[tuple[int, str]], words: dict[int, str]) -> set[int]:
    """The starts of the words that go on a term: a word of a term's part of speech after another (职业|教育,
    政府|性, 三级|公立医院), an issuing verb never part of one, nor a word ending in a space (the segmenter's words
    of normalised text take a space with them)."""
    return {start for (before, tag_before), (start, tag) in zip(tagged, tagged[1:])
            if tag_before in _TERM_TAGS and tag in _TERM_TAGS and words[before] not in _ISSUING_VERBS
            and not words[before][-1].isspace()}


def _cost(lines: list[str], words: dict[int, str], inside: set[int]) -> float:
    """Lower is better: a shape other than 梯形/菱形 first of all, then bad breaks (one inside a term counts as
    one: ``inside``, :func:`_inside_terms`), then unequal lengths (长短适宜: the shortest line as near the longest
    as the shape allows). ``words`` maps the start of each word of the title to the word."""
    widths = [em_width(line) for line in lines]
    cost = 0.0 if _trapezoid(widths) or _diamond(widths) else 100.0
    at = 0
    opened: list[str] = []
    for before, after in zip(lines, lines[1:]):
        at += len(before)
        last = next(word for start, word in reversed(words.items()) if start < at)
        _read_pairs(before, opened)
        split_number = before[-1].isdigit() and after[0] in _UNITS
        if words[at] in _NO_LINE_START or last in _NO_LINE_END or opened or split_number or at in inside:
            cost += 10
        if last in _CONJUNCTIONS:
            cost += 4
        if words[at] == "关于":
            cost -= 1
        elif before[-1].isspace():   # a space between the title's parts (「…城市更新 党旗飘扬处」): the break that cuts least
            cost -= 5
    if min(widths) < max(widths) / 5:   # a stub (「某县」 alone over a line of 19): as bad as a bad break
        cost += 10
    cost += 10 * (max(widths) - min(widths)) / max(widths)
    return cost + (1 if len(set(widths)) == 1 else 0)  # 长方形: allowed, a trapezoid reads better


def _read_pairs(text: str, opened: list[str]) -> None:
    """Read ``text`` onto ``opened``, the brackets and quotation marks open before it (innermost last), as
    :func:`sucai.analysis.read_mark` reads each character."""
    for char in text:
        read_mark(char, opened, _BRACKETS)


def _trapezoid(widths: list[float]) -> bool:
    pairs = list(zip(widths, widths[1:]))
    return all(a <= b for a, b in pairs) or all(a >= b for a, b in pairs)


def _diamond(widths: list[float]) -> bool:
    top = widths.index(max(widths))
    return 0 < top < len(widths) - 1 and _trapezoid(widths[: top + 1]) and _trapezoid(widths[top:])


def _wrap(title: str, cuts: list[int], capacity: float) -> list[str]:
    """Plain word wrap: each line as long as it can be (a word longer than a line is cut)."""
    lines, start = [], 0
    while em_width(title[start:]) > capacity:
        fits = [c for c in cuts if c > start and em_width(title[start:c]) <= capacity]
        end = fits[-1] if fits else start + max(1, int(capacity))
        lines.append(title[start:end])
        start = end
    return [*lines, title[start:]]
