"""Structure: the outline (提纲) of a clean text, and the document it makes.

:func:`analyse` turns a :class:`~sucai.clean.Cleaned` into a
:class:`~sucai.model.Document`: its title and derived fields come from :func:`sucai.metadata.describe`, its
outline from :func:`parse_outline`. The outline follows the heading levels of
GB/T 9704-2012 §7.3.3 — 一、 / （一） / 1. / （1） — also written with
compatibility characters (⼀、 ㈠ ⒈ ⑴), plus ① / ㊀ / Ⅳ / ⅳ as levels of their
own, 第一编/分编/章/节/条/条之一 (条 under 节 under 章 under 分编 under 编; every
article an entry named by its label, its 项 and 目 not entries), markdown
headings (depth by ``#`` count) and inline enumerations 一是…；二是… or 第一，…第二，…
(``kind="item"``). A text that numbers its clauses as a standard does (GB/T
1.1-2020 §7.3, a line "5.2.1 页边与版心尺寸") also has its 章 "1 范围" and 附录
"附录A" at the top, its term entries "3.1\n字 word" (§8.5) below their 章, and
an 附录's 条 "A.1" in no 章. Levels are tree depths assigned by a stack of label styles in
order of appearance, so a document that starts at （一） still gets level 1 for
it. The 公文 elements (:mod:`sucai.elements`) are found first and are never
headings. All offsets are characters in the body text.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import chain

from . import metadata
from .analysis import quotation_marks, read_mark
from .clean import Cleaned
from .elements import NONBLANK_LINE, SALUTATION, find_elements
from .facts import line_name
from .metadata import DOC_NUMBER, genres
from .model import Document, Element, OutlineNode, Removal
from .numerals import LABEL_YEAR
from .numerals import cn_int as _cn_int

__all__ = ["analyse", "parse_outline"]

_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_CN_NUM = "[一二三四五六七八九十百千零〇]"
_SPACE = " \t\u3000"


# ====================================================================== outline: line labels

# Compatibility characters (Unicode compatibility forms, what NFKC folds) that
# write the same labels: ⼀⼆⼋⼗ (Kangxi radicals), 〸, 零 六 (CJK compatibility
# ideographs) as numerals; ㈠…㈩ = （一）…（十）; ⑴…⒇ = （1）…（20）; ⒈…⒛ = 1.…20.
_LABEL_CN = "[一二三四五六七八九十百千零〇\u2f00\u2f06\u2f0b\u2f17\u3038\uf9b2\uf9d1]"
_PAREN_IDEOGRAPH = "\u3220-\u3229"
_PAREN_DIGIT = "\u2474-\u2487"
_DIGIT_STOP = "\u2488-\u249b"
# Labels with no plain spelling, each its own level (placed by order of appearance
# like the others): circled numbers ①…⑳ ㉑…㊿ — in 公文 practice the level below
# （1） — with the negative and sans-serif circled digits ❶ ➀ ➊ and ⓫…⓴ written the
# same way; circled ideographs ㊀…㊉; Roman numerals Ⅰ…Ⅻ and ⅰ…ⅻ (followed by
# 、 . ． or a space).
_CIRCLED = "\u2460-\u2473\u24eb-\u24f4\u3251-\u325f\u32b1-\u32bf\u2776-\u2793"
_CIRCLED_IDEOGRAPH = "\u3280-\u3289"
_ROMAN = "\u2160-\u216b"
_ROMAN_LOWER = "\u2170-\u217b"

_CLAUSE_DEPTH = 5   # the levels of a 条 (GB/T 1.1-2020 §7.3: 条 subdivided to the fifth level at most, "5.1.1.1.1.1")

# A label must start a line (after indentation). Groups: art = 第X编/章/节/条/条之X/部分;
# cn = 一、; pcn = （一） ㈠; dec = 1.1 / 5.9.5 before a space, or 3.1. (its last stop before the heading, as Word's
# multilevel lists write it: 「3.1.成功——2xx」) (at most :data:`_CLAUSE_DEPTH` levels below a 章, as GB/T 1.1-2020
# §7.3 subdivides a 条: a deeper number is no heading, so an outline's depth is bounded whatever the text — 1,500 levels
# of "1.1.1…" ran its recursive walks out of stack); num = 1. 1、 １． ⒈; pnum = （1） ⑴;
# circ = ①; circ_cn = ㊀; roman = Ⅳ; roman_lower = ⅳ.
_LINE_LABEL = re.compile(
    rf"""[{_SPACE}]*(?:
      (?P<art>第(?:{_LABEL_CN}+|\d+)(?P<artk>分编|编|章|节|条(?:之{_LABEL_CN}+)?|部分))
     |(?P<cn>{_LABEL_CN}+[、．])
     |(?P<pcn>[（(]{_LABEL_CN}+[）)]|[{_PAREN_IDEOGRAPH}])
     |(?P<dec>\d{{1,2}}(?:\.\d{{1,2}}){{1,{_CLAUSE_DEPTH}}}(?:(?=[{_SPACE}])|[.．](?![0-9０-９])))
     |(?P<num>[0-9０-９]{{1,3}}[.．、](?!(?!{LABEL_YEAR})[0-9０-９])|[{_DIGIT_STOP}])
     |(?P<pnum>[（(][0-9０-９]{{1,3}}[）)]|[{_PAREN_DIGIT}])
     |(?P<circ>[{_CIRCLED}][、.．]?)
     |(?P<circ_cn>[{_CIRCLED_IDEOGRAPH}][、.．]?)
     |(?P<roman>[{_ROMAN}]{{1,2}}(?:[、.．]|(?=[{_SPACE}])))
     |(?P<roman_lower>[{_ROMAN_LOWER}]{{1,2}}(?:[、.．]|(?=[{_SPACE}])))
    )""",
    re.VERBOSE,
)
_LABEL_GROUPS = ("cn", "pcn", "dec", "num", "pnum", "circ", "circ_cn", "roman", "roman_lower")
_LINE_LABEL_M = re.compile(r"(?m)^(?=[^\n])" + _LINE_LABEL.pattern, re.VERBOSE)
_ARTICLE_RANK = {"编": 0, "分编": 1, "章": 2, "节": 3, "条": 4}
# Text right after a label that shows the label is a list of numbers, not a heading:
# "一、二等奖", "1、2号楼", "（一）至（三）项".
_NUMBER_LIST = re.compile(rf"[{_SPACE}]*(?:{_CN_NUM}|[0-9０-９])+[、等，,至到\-—~～.．]")
# Text right after a label "3." that shows the label is the whole part of a decimal split by a space (as PDF
# extraction splits "3.5 亿元" into "3. 5 亿元"): one or two digits followed by a space or a percent sign (「1. 12个重点项目」,
# 「2. 2023年工作回顾」, 「3. 5G 网络建设」 are headings).
_SPLIT_FRACTION = re.compile(rf"[{_SPACE}]+[0-9０-９]{{1,2}}(?=[{_SPACE}%％])")
_HEADING_END = re.compile(r"[。！？；：!?;:]")
_CLAUSE_END = re.compile(r"[。！？；：，、!?;:,]")
_SUMMARY_END = re.compile(r"[。！？；：，!?;:,]")  # an article's opening words run to the first clause
_MAX_HEADING = 60
_MAX_CLAUSE = 30
# A heading written as a sentence of its own, one or two short clauses and a 句号 (a plan's 「（一）围绕中心，提高服务决策
# 水平。」, 「（三）打造过硬队伍。」, GB/T 9704-2012 §7.3.3 allows a heading's 句号): what the part does, stated — no entry of
# a bare list, which names things (「（一）雷达设备」), nor a clause of one (「（四）对宗旨、业务范围相同相似的社会团体，予以合并。」).
_SENTENCE_HEADING = re.compile(rf"(?:[{_HAN}]{{2,12}}，)?[{_HAN}]{{2,12}}。")
# A first clause that names nothing on its own: a word or two (「同时」「目前」), or an adverbial of time, place or
# view opening the sentence (「这样看来」「三年以来」「在十二年内」「革命胜利以后」) — a paragraph is not named by it
# alone. (A short clause of more is a name: 「（五）编制红军法规，…」「（三）发展进步势力，…」.)
_EMPTY_CLAUSE = re.compile(r".{0,3}|在.*[内中里上]|.*(?:以来|看来|之内|以内|以后|之后|以前|之前|时候|期间)")


@dataclass
class _Mark:
    """A heading or item found in the body, before nesting."""

    start: int
    style: tuple
    label: str
    heading: str
    kind: str = "heading"
    number: int = 0
    line_end: int = 0
    summary: str = ""
    node: OutlineNode | None = None
    children: list[_Mark] = field(default_factory=list)   # the headings placed under it
    children_items: list[_Mark] = field(default_factory=list)
    run_in: bool = False   # run-in text (see _own_text)
    gap: bool = False      # text below its line, before the next heading
    sentence: bool = False   # its line a sentence heading, its words stated (:data:`_SENTENCE_HEADING`)
    below: bool = False    # text below its line in its section, once its sub-headings are settled


def _cut(text: str, pattern: re.Pattern[str], limit: int) -> str:
    """``text`` up to where ``pattern`` ends its clause (:func:`_clause_end`), stripped, at most ``limit`` characters."""
    return text[: _clause_end(text, pattern)].strip()[:limit].rstrip()


def _clause_end(text: str, pattern: re.Pattern[str]) -> int:
    """Where the first match of ``pattern`` (one punctuation mark) outside quotations and 书名号 starts — a stop in
    「将第九条中的“按照过错分担责任；双方均无过错的…”修改为…」 or 《…》 is the quoted text's (GB/T 15834-2011 §4.8,
    §4.15), marks read as :func:`sucai.analysis.read_mark` reads them. The first match anywhere
    when a quotation is left open at it all the same (an apostrophe, a mark the writer never closed); ``len(text)``
    when none. One pass over the marks of ``text``."""
    first = pattern.search(text)
    if first is None or not _quotes_or(pattern).search(text, 0, first.start()):
        return len(text) if first is None else first.start()
    opened: list[str] = []
    for m in _quotes_or(pattern).finditer(text):
        if not opened and pattern.match(m.group()):
            return m.start()
        read_mark(m.group(), opened, _BOOK_TITLES)
    return first.start()


_BOOK_TITLES = {"《": "》", "〈": "〉"}


@cache
def _quotes_or(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """A pattern of ``pattern``'s marks, the quotation marks and the 书名号."""
    marks = quotation_marks() + "".join(chain.from_iterable(_BOOK_TITLES.items()))
    return re.compile(f"{pattern.pattern}|[{re.escape(marks)}]")


def _label_mark(m: re.Match[str], body: str, line_end: int) -> _Mark | None:
    """The heading a line label starts, or None when the line is not a heading."""
    rest = body[m.end() : line_end]
    label = m.group().strip(_SPACE)
    start = line_end - len(body[m.start() : line_end].lstrip(_SPACE))
    if m.group("art"):
        kind = m.group("artk")
        if kind.startswith("条"):
            if not rest[:1] or rest[:1] not in _SPACE or not rest.strip():
                return None
            summary = _cut(rest, _SUMMARY_END, _MAX_CLAUSE)
            return _Mark(start, ("art", 4), label, "", line_end=line_end, summary=summary)
        text = rest.strip()
        if len(text) > 40 or "。" in text or (text and rest[:1] not in _SPACE and not text[0].isalpha()):
            return None
        style = ("gb", "部分") if kind == "部分" else ("art", _ARTICLE_RANK[kind])
        return _Mark(start, style, label, text, line_end=line_end)
    if not rest.strip() or _NUMBER_LIST.match(rest) or (label[-1] in ".．" and _SPLIT_FRACTION.match(rest)):
        return None
    group = next(g for g in _LABEL_GROUPS if m.group(g))
    style = ("gb", group, label.rstrip(".．").count(".")) if group == "dec" else ("gb", group)
    heading = _cut(rest, _HEADING_END, _MAX_HEADING + 1)
    if len(heading) > _MAX_HEADING:   # a sentence, no heading: the numbered paragraph is named by its first clause
        heading = _first_clauses(rest)
    if not heading:
        return None
    return _Mark(start, style, label, heading, number=_label_number(label), line_end=line_end,
                 sentence=bool(_SENTENCE_HEADING.fullmatch(rest.strip(_SPACE))))


def _first_clauses(rest: str) -> str:
    """The name of a numbered paragraph whose first sentence outruns a heading (``rest``: its line after the label):
    its first clause — with the next ones while what it says names nothing on its own (:data:`_EMPTY_CLAUSE`:
    「这样看来」「三年以来」「在十二年内」) and they end within :data:`_MAX_HEADING` characters. Linear in ``rest``
    (a pass for each clause taken, at most 30)."""
    end = _clause_end(rest, _SUMMARY_END)
    while end < _MAX_HEADING and _EMPTY_CLAUSE.fullmatch(rest[:end].strip(_SPACE)):
        following = end + 1 + _clause_end(rest[end + 1 :], _SUMMARY_END)
        if following > _MAX_HEADING:
            break
        end = following
    return rest[:end].strip()[:_MAX_HEADING].rstrip()


def _label_number(label: str) -> int:
    """The number a label writes (（三） ⑶ 3． ③ → 3), 0 when it writes none that reads so (Ⅳ, 1.2)."""
    return _cn_int(unicodedata.normalize("NFKC", label).strip("()、. "))


def _line_end(body: str, pos: int) -> int:
    end = body.find("\n", pos)
    return len(body) if end < 0 else end


def _label_marks(body: str) -> Iterator[_Mark]:
    for m in _LINE_LABEL_M.finditer(body):
        mark = _label_mark(m, body, _line_end(body, m.start()))
        if mark:
            yield mark


# A Chinese numeral and a space opening a markdown heading: its label, as collected works number their parts
# ("## 一　国内的政治状况", 毛泽东选集) — the line is a heading already, so no 、 is needed to tell the label from text.
_MD_NUMERAL = re.compile(rf"{_LABEL_CN}+(?=[{_SPACE}])")
# A markdown heading that is a number alone, its text in the paragraph below ("## 三", 毛泽东选集's parts; "## 2"):
# all label, no heading — as a line label 「三、」 or 「（2）」 alone is.
_MD_NUMBER = re.compile(rf"{_LABEL_CN}+|[0-9０-９]{{1,3}}")


# An unnumbered markdown heading line that is a sentence, not a heading: one ending in 「。」 or 「；」, what
# introduces the text below it (an addressee, a quotation: 「福斯特同志和美国共产党中央委员会：」, 「该谈话的结语说：」)
# or a salutation (「各位劳动英雄，各位模范工作者！」) — as 毛泽东选集's web copies mark some with ``##``. A heading may
# ask (「为什么是持久战？」) or exclaim (a news heading's 「…奋楫再出发！」); a numbered one may be a sentence
# (「（一）围绕中心，提高服务决策水平。」).
_MD_SENTENCE = re.compile(rf"[。；;：:]$|^(?:{SALUTATION.pattern}).*[！!]$")


def _md_marks(body: str, headings: Sequence[tuple[int, int]]) -> Iterator[_Mark]:
    """Markdown heading lines at ``(offset, depth)``; a label inside them is split off, a line of a label alone
    is the label with an empty heading. An unnumbered one that is a sentence is none (:data:`_MD_SENTENCE`)."""
    for pos, depth in headings:
        end = _line_end(body, pos)
        line = body[pos:end].lstrip("#").strip()
        m = _LINE_LABEL.match(line) or _MD_NUMERAL.match(line)
        if m and line[m.end() :].strip():
            label = m.group().strip(_SPACE)
        else:
            label = line if _LINE_LABEL.fullmatch(line) or _MD_NUMBER.fullmatch(line) else ""
        if label or not _MD_SENTENCE.search(line):
            yield _Mark(pos, ("md", depth), label, line[len(label) :].strip(), line_end=end)


# A line of a Chinese numeral alone, or a numeral, a space and a short title without a stop — 毛泽东选集's parts
# written as plain lines, 「　　一」 over a part's text, 「　　一 二十二个月的准备工作」 (no 、 after the numeral): a
# heading only in a run numbered on from 一 (一, 二, 三…), as a numeral alone says nothing in prose.
_NUMERAL_LINE = re.compile(
    rf"(?m)^[{_SPACE}]*(?P<label>{_CN_NUM}{{1,3}})(?:[{_SPACE}]+(?P<heading>[^\n。；：！？，;:!?,]{{1,{_MAX_CLAUSE}}}?))?"
    rf"[{_SPACE}]*$")
_NUMERAL_STYLE = ("gb", "numeral")


def _numeral_marks(body: str, skipped: set[int]) -> Iterator[_Mark]:
    """The headings of :data:`_NUMERAL_LINE` lines in runs numbered on from 一, at least two (lines starting at an
    offset in ``skipped`` — a markdown heading, a table of contents — not read)."""
    run: list[_Mark] = []
    for m in [*_NUMERAL_LINE.finditer(body), None]:
        mark = None
        if m is not None and _line_start(body, m.start()) not in skipped:
            mark = _Mark(m.start("label"), _NUMERAL_STYLE, m.group("label"), (m.group("heading") or "").strip(_SPACE),
                         number=_cn_int(m.group("label")), line_end=m.end())
        if mark is not None and mark.number == len(run) + 1:
            run.append(mark)
            continue
        if len(run) >= 2:
            yield from run
        run = [mark] if mark is not None and mark.number == 1 else []


# ====================================================================== outline: a standard's clauses

# A text that numbers its clauses as a standard does (GB/T 1.1-2020 §7.3.2–7.3.4): a line opens with a number of
# three levels or more before its title ("5.2.1 页边与版心尺寸"). Its 条 "5.1 幅面尺寸" are ``dec`` labels; the
# lines below are read in such a text only.
_CLAUSE_TEXT = re.compile(rf"(?m)^[{_SPACE}]*\d{{1,2}}(?:\.\d{{1,2}}){{2,}}[{_SPACE}]+[{_HAN}]")
# chapter: a 章, its number and title ("1 范围"); annex: an 附录 ("附录A（规范性附录）…", its title on the line
# or below); annex_clause: an 附录's 条 ("A.1 …"); term: a term entry (§8.5), its number alone on its line and the
# term with its English equivalent on the next ("3.1\n字 word").
_CLAUSE_LINE = re.compile(rf"""(?m)^[{_SPACE}]*(?:
    (?P<chapter>\d{{1,2}})[{_SPACE}]+(?=[{_HAN}])
   |(?P<annex>附录[{_SPACE}]*[A-Z])(?![A-Za-z])
   |(?P<annex_clause>[A-Z](?:\.\d{{1,2}}){{1,{_CLAUSE_DEPTH}}})[{_SPACE}]+(?=[{_HAN}])
   |(?P<term>(?:\d{{1,2}}|[A-Z])(?:\.\d{{1,2}}){{1,{_CLAUSE_DEPTH}}})[{_SPACE}]*\n[{_SPACE}]*(?=[{_HAN}])
)""", re.VERBOSE)

# A term and its English equivalent ("句子 Sentence"): in a standard, the line of a term entry (whose number, if
# misread, left it unnumbered), never a heading of its own.
_TERM_LINE = re.compile(rf"[{_HAN}][^A-Za-z\n]{{0,19}}[A-Za-z][A-Za-z -]*")
_CHAPTER = ("gb", "dec", 0)   # a 章; an 附录 and its 条 have "附录" added to their style


def _clause_marks(body: str, skipped: set[int]) -> Iterator[_Mark]:
    """The 章, 附录, 附录's 条 and term entries of a text that numbers its clauses (``_CLAUSE_TEXT``: read in no
    other text), as ``dec`` headings: a 章 or 附录 at depth 0 (the top, with 附录 after the 章), the others
    at their number's depth (A.1, 3.1 under their 附录 or 章). A title is the rest of its line, without clause
    or sentence punctuation, at most :data:`_MAX_HEADING` characters; a term entry's title is its term line. A 章
    is taken only in its place, numbered one more than the 章 before it (the first any): a line "12 万人参加" or a
    misread clause number after the first 章 is none. Lines starting at an offset in ``skipped`` (a table of
    contents) are not read."""
    chapter = None
    for m in _CLAUSE_LINE.finditer(body):
        if _line_start(body, m.start()) in skipped:
            continue
        group = next(g for g in ("chapter", "annex", "annex_clause", "term") if m.group(g))
        label = re.sub(rf"[{_SPACE}]", "", m.group(group))
        line_end = _line_end(body, m.end())
        heading = body[m.end("annex") if group == "annex" else m.end() : line_end].strip(_SPACE)
        if _HEADING_END.search(heading) or len(heading) > _MAX_HEADING or not (heading or group == "annex"):
            continue
        if group == "chapter":
            if chapter is not None and int(label) != chapter + 1:
                continue
            chapter = int(label)
        depth = 0 if group in ("chapter", "annex") else label.count(".")
        annex = group.startswith("annex") or label[0].isalpha()
        style = ("gb", "dec", depth, "附录") if annex else ("gb", "dec", depth)
        yield _Mark(m.start(group), style, label, heading, line_end=line_end)


# ====================================================================== outline: unnumbered headings

_PLAIN_BAD = re.compile(
    rf"[。；！？!?;，,|×=＝]|[:：、]$|^[—–\-－(（《<>\[]|^[{_HAN}]{{1,6}}[:：]"
    rf"|\d{{1,4}}\s*年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日|[〇零○一二三四五六七八九]{{4}}年"
)
_HAS_HAN = re.compile(f"[{_HAN}]")
_PARAGRAPH_END = re.compile(r"[。！？!?；;：:]")
_SENTENCE_CLOSE = "。！？!?；;：:”’\"'）)》】"
_PLAIN = ("gb", "plain")   # the style of an unnumbered heading
_BYLINE = re.compile(r"(?:调研|课题|调查|写作)组$")   # a 调研报告's writers, named under its title
_DATE_LINE = re.compile(rf"^[{_SPACE}（(]*(?:\d{{4}}\s*年|[〇零○一二三四五六七八九]{{4}}年)[^\n]{{0,12}}$")


def _plain_marks(body: str, taken: set[int], elements: set[int]) -> Iterator[_Mark]:
    """Unnumbered heading lines of plain text (no markup tells us).

    A candidate line is short (≤ 40 characters), holds Han characters and no
    clause or sentence punctuation, and is not a date, table or "名称：值" line.
    A run of one or two candidates (a heading and its sub-heading) is taken when
    the line before it ends a sentence, is a heading or a bare number/date line
    (or there is none), and the line after it is a paragraph or a numbered
    heading — not a date (落款), a salutation (the name line before
    "各位代表：") nor a 公文 element (``elements``: the starts of their lines; a 落款 without a date before the
    抄送 or the 附件说明, :func:`sucai.elements.find_elements`); a first line naming a person alone is the 题注
    under the title (a 述职报告's 「张三」: :func:`sucai.facts.line_name`), as is one naming the group that wrote it
    (a 调研报告's 「县委办公室调研组」, 「某县农业农村局课题组」: :data:`_BYLINE`). Longer runs are lists of names or places, signature blocks.
    """
    lines = [(m.start(1), m.end(1), m.group(1)) for m in NONBLANK_LINE.finditer(body)]
    flags = [start not in taken and _is_plain_candidate(text) for start, _, text in lines]
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and flags[j]:
            j += 1
        if i < j <= i + 2 and _opens_section(lines, i, j, taken, elements):
            for start, end, text in lines[i:j]:
                yield _Mark(start, _PLAIN, "", text, line_end=end)
        i = max(j, i + 1)


def _is_plain_candidate(line: str) -> bool:
    return (
        len(line) <= 40
        and not _PLAIN_BAD.search(line)
        and not _LINE_LABEL.match(line)
        and bool(_HAS_HAN.search(line))
        and not DOC_NUMBER.fullmatch(line)
    )


def _opens_section(lines: list[tuple[int, int, str]], i: int, j: int, taken: set[int], elements: set[int]) -> bool:
    """Whether candidate lines ``lines[i:j]`` stand between a finished text and a new paragraph."""
    if j >= len(lines):
        return False
    following, next_start = lines[j][2], lines[j][0]
    if SALUTATION.match(following) or _DATE_LINE.match(following) or next_start in elements:
        return False
    if not (_PARAGRAPH_END.search(following) or next_start in taken or _starts_label(following)):
        return False
    if i == 0:   # the body's first line: a 题注 naming the writer or speaker (「张三」, 「某镇党委副书记　张三」) is none,
        return not (line_name(lines[0][2]) or _BYLINE.search(lines[0][2]))   # nor the group that wrote (县委办公室调研组)
    previous_start, _, previous = lines[i - 1]
    return previous[-1] in _SENTENCE_CLOSE or previous_start in taken or not _HAS_HAN.search(previous)


def _starts_label(line: str) -> bool:
    m = _LINE_LABEL.match(line)
    return bool(m and line[m.end() :].strip())


# ====================================================================== outline: items 一是…二是…

# (?=…): tried only where a space, a numeral or 第 stands, not at every character (twice as fast). An item is
# 「一是」 or an ordinal and its comma, 「第一，」 (a speech's points: 「第一，军事方面，…。第二，政治方面，…」).
_ITEM = re.compile(rf"(?=[{_SPACE}{_CN_NUM[1:-1]}第])(?:^|(?<=[：:；;。，,！？!?\n]))[{_SPACE}]*"
                   rf"(?:(?P<label>(?P<n>{_CN_NUM}{{1,3}})是)(?!否|不是|指)|(?P<ordinal>第(?P<nth>{_CN_NUM}{{1,3}}))[，,、])")


_LEADING_SPACE = re.compile(r"\s*")


def _item_marks(body: str) -> Iterator[_Mark]:
    """The 一是/二是… and 第一，/第二，… items of ``body``, each with its clause (up to :data:`_CLAUSE_END`, at most :data:`_MAX_CLAUSE`
    characters). Linear in ``len(body)``: a line's end is found once for all its items, and an item's clause read
    from a window of :data:`_MAX_CLAUSE` characters after the white space following it, never from the rest of
    its line (a line of 10⁵ items was quadratic)."""
    rest_end = -1
    for m in _ITEM.finditer(body):
        label, number, style = ("label", "n", ("item",)) if m.group("label") else ("ordinal", "nth", ("item", "第"))
        start = m.start(label)
        if start > rest_end:
            rest_end = _line_end(body, start)
        opening = _LEADING_SPACE.match(body, m.end(), rest_end).end()
        heading = _cut(body[opening : min(rest_end, opening + _MAX_CLAUSE)], _CLAUSE_END, _MAX_CLAUSE)
        if heading:
            yield _Mark(start, style, m.group(label), heading, "item", _cn_int(m.group(number)), rest_end)


def _valid_items(items: list[_Mark]) -> list[_Mark]:
    """Keep runs numbered 一是, 二是, 三是… or 第一，第二，… (at least two in a row, of one style) under one heading."""
    kept: list[_Mark] = []
    run: list[_Mark] = []
    for item in items + [None]:
        if item is not None and run and item.number == run[-1].number + 1 and item.style == run[-1].style:
            run.append(item)
            continue
        if len(run) >= 2:
            kept.extend(run)
        run = [item] if item is not None and item.number == 1 else []
    return kept


# ====================================================================== outline: nesting


def _pop_for(stack: list[_Mark], style: tuple) -> None:
    """Pop ``stack`` to where a heading of ``style`` belongs (see the module docstring)."""
    kind = style[0]
    if kind == "md":
        while stack and not (stack[-1].style[0] == "md" and stack[-1].style[1] < style[1]):
            stack.pop()
    elif kind == "art":
        while stack and _yields_to_article(stack, style[1]):
            stack.pop()
    elif style[:3] == _CHAPTER:   # a standard's 章 or 附录 stands at the top of the numbered headings
        while stack and stack[-1].style[0] == "gb":
            stack.pop()
    else:   # a clause number (5.2, 5.2.1) closes the clauses as deep as it or deeper (its depth is written), and
        # those of the other part: an 附录's 条 (A.1) is in no 章
        closes = [mark.style == style or (style[1] == "dec" == mark.style[1]
                                          and (mark.style[2] >= style[2] or mark.style[3:] != style[3:]))
                  for mark in stack]
        if any(closes):
            del stack[closes.index(True) :]


_WORD = re.compile(rf"[{_HAN}A-Za-z0-9]")


def _yields_to_article(stack: list[_Mark], rank: int) -> bool:
    """Whether the top of ``stack`` closes before an article heading (编/章/节/条) of ``rank``.

    It does when it is a smaller or equal article unit, or a numbered heading
    inside an article (（一） under 第三条). Markdown headings and numbered
    headings above every article (a 司法解释's "一、管辖" holding 第一条…) stay open.
    """
    top = stack[-1].style
    if top[0] == "art":
        return top[1] >= rank
    return top[0] != "md" and any(mark.style[0] == "art" for mark in stack[:-1])


def _nest(marks: Iterable[_Mark], items: Iterable[_Mark], barriers: Iterable[_Mark], body: str) -> list[OutlineNode]:
    """Build the outline tree from heading marks, item marks and barriers (attachments, which
    close the articles and divisions above them: an annex's "一、" is not a 项 of the last 条).

    Every heading is placed first; then the entries of bare lists are left out, a list being all entries or
    none (:func:`_settle`, sub-lists before the lists they are in). Numbered lines inside an article (its 项
    （一）… and 目 1.…) are never entries. Markdown headings and articles (条) are always kept.
    """
    roots: list[OutlineNode] = []
    top = _Mark(-1, ("top",), "", "")   # holds the marks placed at the top, as a heading holds its sub-headings
    stack: list[_Mark] = []
    placed: list[_Mark] = []
    order = {"barrier": 0, "heading": 1, "item": 2}
    events = sorted([*marks, *items, *barriers], key=lambda mark: (mark.start, order[mark.kind]))
    for mark in events:
        if mark.kind == "item":
            (stack[-1] if stack else top).children_items.append(mark)
            continue
        if mark.kind == "barrier":
            while stack and stack[-1].style[0] == "art":
                stack.pop()
            continue
        _pop_for(stack, mark.style)
        if _in_article(stack, mark):
            continue
        mark.node = OutlineNode(len(stack) + 1, mark.label, mark.heading, mark.start, len(body), summary=mark.summary)
        (stack[-1].node.children if stack else roots).append(mark.node)
        (stack[-1] if stack else top).children.append(mark)
        stack.append(mark)
        placed.append(mark)
    for mark, following in zip(placed, [*placed[1:], None]):
        if mark.style[0] not in _NEVER_ENTRIES:
            mark.run_in, mark.gap = _own_text(body, mark, following.start if following else len(body))
    for mark in reversed(placed):   # sub-headings before their heading; a sub-list is text under a heading
        if mark.children:
            mark.below = _settle(mark.children, mark.node.children) or not _introduces(body, mark)
        mark.below = mark.below or mark.gap
    _settle(top.children, roots)
    _set_ends(roots, len(body))
    for owner in [mark for mark in placed if mark.node] + [None]:
        _attach_items(owner, (owner or top).children_items, roots)
    return roots


def _own_text(body: str, mark: _Mark, end: int) -> tuple[bool, bool]:
    """Whether a heading has run-in text, and text below its line up to ``end`` (the next heading).

    Text is a clause — a line and those it goes on to, a line ending in a 冒号 going on on the next
    ("3.人民日报评论员文章：\n忠实履行代表职责；") — that holds words and does not end in a 分号: what does is a
    list's clause (GB/T 15834-2011 §4.6.3), an entry's subtitle ("6.【奋斗者正青春】胡杨：消防救援冲锋在前；") or
    entries whose labels were not read ("5.2026年我国将…；"). Run-in text is the heading's own clause when it holds
    words past the heading (after a clause mark, see ``_HEADING_END``, or after the first clause of a sentence longer
    than :data:`_MAX_HEADING` characters: a paragraph's sentence, see ``_label_mark``); text below is any clause
    after it. Reads the lines up to the first clause of text below.
    """
    line = body[mark.start : mark.line_end].rstrip(_SPACE)
    words, last = bool(_WORD.search(line[len(mark.label) :].strip(_SPACE)[len(mark.heading) :])), line[-1:]
    run_in = None   # until the heading's clause ends
    for m in NONBLANK_LINE.finditer(body, mark.line_end, end):
        if last not in _COLON:   # a clause starts
            if run_in is None:
                run_in = words and last not in _LIST_CLAUSE_END
            elif words and last not in _LIST_CLAUSE_END:
                return run_in, True
            words = False
        line = m.group(1)
        words, last = words or bool(_WORD.search(line)), line[-1]
    text = words and last not in _LIST_CLAUSE_END
    return (text, False) if run_in is None else (run_in, text)


def _introduces(body: str, mark: _Mark) -> bool:
    """Whether a heading's line ends in a 冒号: what follows it, a sub-list, is the rest of its clause
    ("9.国内联播快讯：\n（1）…；"), not the text of a heading ("一、海事侵权纠纷案件\n1.船舶碰撞损害责任纠纷案件；")."""
    return body[mark.start : mark.line_end].rstrip(_SPACE)[-1:] in _COLON


_COLON = "：:"
_LIST_CLAUSE_END = "；;"


def _settle(marks: list[_Mark], nodes: list[OutlineNode]) -> bool:
    """Leave the entries of bare lists out of ``nodes``, where the sibling headings ``marks`` are placed (their
    sub-headings settled): each run of them (siblings in a row of one label style) that :func:`_is_list` finds
    a list loses all its entries, with their sub-lists. Returns whether what was left out held text below its
    lines (the text after a list, which its heading owns)."""
    dropped = []
    for run in _runs(marks):
        if _is_list(run):
            dropped += run
    for mark in dropped:
        mark.node = None
    nodes[:] = [mark.node for mark in marks if mark.node]
    return any(mark.below for mark in dropped)


def _runs(marks: list[_Mark]) -> Iterator[list[_Mark]]:
    """The runs of ``marks``: siblings in a row of one label style, each unnumbered (guessed) heading a run alone —
    a list of them is no list but table cells or a title and its subtitle — and numbered on from the one before
    where both numbers read: a list quoted in an entry ("2.将第一条修改为：\n“…：\n1.专利申请权权属纠纷案件；…")
    is a run of its own, and so are the entries after it ("3.删除第二条")."""
    run: list[_Mark] = []
    for mark in marks:
        previous = run[-1] if run else None
        if previous and (mark.style != previous.style or mark.style == _PLAIN
                         or previous.number and mark.number and mark.number != previous.number + 1):
            yield run
            run = []
        run.append(mark)
    if run:
        yield run


def _in_article(stack: list[_Mark], mark: _Mark) -> bool:
    """Whether a numbered heading falls inside an article (第X条), as one of its 项 or 目."""
    return bool(stack) and stack[-1].style == ("art", 4) and mark.style[0] == "gb" and mark.style != _PLAIN


_NEVER_ENTRIES = ("md", "art")   # markdown headings and articles: never list entries


def _is_list(run: list[_Mark]) -> bool:
    """Whether a run of sibling headings (see :func:`_runs`) is a bare list ("（一）雷达设备\n（二）导弹推进剂…"), not
    headings: none of them has sub-headings left, none but the last has text below its line (the last may be
    followed by the text after the list), and more of them have no text of their own than run-in text or a sentence
    heading's (see :func:`_own_text`, :data:`_SENTENCE_HEADING`; the last is not counted unless alone, as it may hold
    the text after the list): a run of run-in headings ("（二）奋勇前进，逮捕一切怙恶不悛的战争罪犯。不管他们逃至何处…")
    stays headings even where one is a sentence alone, and so does a plan's run of sentence headings
    ("（一）围绕中心，提高服务决策水平。\n（二）强化督查，推动工作落地见效。"). Markdown headings and articles are never
    list entries."""
    if run[0].style[0] in _NEVER_ENTRIES or any(mark.node.children for mark in run) \
            or any(mark.below for mark in run[:-1]):
        return False
    counted = run[:-1] if len(run) > 1 else [mark for mark in run if not mark.below]
    bare = sum(not (mark.run_in or mark.sentence) for mark in counted)
    return 2 * bare > len(counted)


def _set_ends(nodes: list[OutlineNode], end: int) -> None:
    for node, following in zip(nodes, [*nodes[1:], None]):
        node.end = following.start if following else end
        _set_ends(node.children, node.end)


def _attach_items(owner: _Mark | None, items: list[_Mark], roots: list[OutlineNode]) -> None:
    valid = _valid_items(items)
    level = owner.node.level + 1 if owner else 1
    limit = owner.node.end if owner else None
    nodes = []
    for item, following in zip(valid, [*valid[1:], None]):
        end = min(item.line_end, following.start) if following else item.line_end
        if limit is not None:
            end = min(end, limit)
        nodes.append(OutlineNode(level, item.label, item.heading, item.start, end, kind="item"))
    target = owner.node.children if owner else roots
    target.extend(nodes)
    target.sort(key=lambda node: node.start)


def parse_outline(
    body: str,
    *,
    markdown: bool = False,
    headings: Sequence[tuple[int, int]] | None = None,
    elements: Sequence[Element] = (),
) -> list[OutlineNode]:
    """The 提纲 of ``body`` as a forest of :class:`OutlineNode` (levels per GB/T 9704-2012 §7.3.3).

    ``body`` is clean text without the title. Headings are lines starting with a
    label 一、 / （一） / 1. 1、 １． / （1） / 1.1, their compatibility spellings
    ⼀、 / ㈠ / ⒈ / ⑴, the labels ① / ㊀ / Ⅳ / ⅳ (each a level of its own), or
    第X编/分编/章/节/条/条之X/部分, and in a text that numbers its clauses
    (GB/T 1.1-2020) its 章 "1 范围", 附录 "附录A", 附录's 条 "A.1" and term
    entries "3.1\n字 word" (named by the term line, no heading of its own);
    items are 一是、二是… or 第一，第二，… enumerations inside paragraphs (``kind="item"``, children of the heading whose section holds
    them, at least two in sequence). An article (第X条, 第X条之一) is an entry
    named by its label (``heading`` "") with its opening words as ``summary``;
    the numbered 项 and 目 inside an article are not entries. Lines that are
    ``elements`` (:func:`sucai.elements.find_elements`) are not headings, except
    attachment titles.
    The entries of a bare list ("（一）雷达设备\n（二）导弹推进剂…", a 新闻摘要's "1.…；") are not
    headings: a list is all entries or none (see ``_is_list``).
    ``markdown=True``: markdown headings are known, so unnumbered lines are not
    guessed as headings. Their positions come from ``headings`` — ``(offset,
    depth)`` pairs as in :attr:`Cleaned.headings` — or, when ``headings`` is None,
    from ``#`` marks still present in ``body`` (offsets then point at the ``#``).
    ``markdown=False``: short unpunctuated lines are taken as unnumbered headings.
    ``start``/``end`` are character offsets into ``body``; sections nest.
    Never raises.
    """
    if markdown and headings is None:
        headings = [(m.start(), len(m.group(1))) for m in re.finditer(r"(?m)^(#{1,6})[ \t]+\S", body)]
    md = list(_md_marks(body, headings or ()))
    taken = {mark.start for mark in md}
    contents = _contents_lines(body) | _note_lines(body)   # a table of contents, the notes: no headings
    no_label_lines = taken | contents
    clauses = bool(_CLAUSE_TEXT.search(body))
    clause_marks = [mark for mark in _clause_marks(body, no_label_lines) if mark.start not in taken] if clauses else []
    marks = md + clause_marks + [mark for mark in _label_marks(body)
                                 if mark.start not in taken and _line_start(body, mark.start) not in no_label_lines]
    marks += _numeral_marks(body, no_label_lines)
    if not markdown:   # a line of a heading (a term entry's term line) is no other heading
        lines = {line.start(1) for mark in clause_marks for line in NONBLANK_LINE.finditer(body, mark.start, mark.line_end)}
        starts = {element.start for element in elements}
        marks += [mark for mark in _plain_marks(body, {mark.start for mark in marks} | lines, starts)
                  if _line_start(body, mark.start) not in contents
                  and not (clauses and _TERM_LINE.fullmatch(mark.heading))]
    not_headings = {element.start for element in elements if element.kind != "attachment"}
    barriers = [_Mark(e.start, ("barrier",), "", "", "barrier") for e in elements if e.kind in _ATTACHMENT_KINDS]
    return _nest([mark for mark in marks if mark.start not in not_headings], _item_marks(body), barriers, body)


_ATTACHMENT_KINDS = ("attachment", "attachment_note")

# A table of contents (目录, a standard's 目次): a line "目录" (also "目 录", "目　录", "目次") and the entries
# under it, each ending in its page number after a tab, two spaces or dot leaders (two like dots in a row:
# "1.\t技术栈\t4", "第一章 总则……………1") or, without a page number, a line written again below (the heading it
# names: GB/T 9704-2012's 目次; they end at the first that repeats an earlier one: the body starts there) or a
# clause's number and title ("1 总则", "4.2 国家级（Ⅰ级）应急响应": a 预案 whose body lost its headings); or, with
# no such line, two or more entries in a row with dot leaders.
_CONTENTS_WORD = re.compile(rf"目[{_SPACE}]*[录次]")
_CONTENTS_HEAD = re.compile(rf"(?m)^[{_SPACE}]*目[{_SPACE}]*[录次][{_SPACE}]*$")
_PAGE_DIGITS = "0123456789０１２３４５６７８９"
_LEADER = re.compile(r"\.\.|……|··|．．|⋯⋯")
_LEADER_CHARS = ".…·．⋯"
_CLAUSE_ENTRY = re.compile(rf"\d{{1,2}}(?:\.\d{{1,2}})*[{_SPACE}]+[{_HAN}][^\n。；：，！？]{{0,39}}")
_CONTENTS_WINDOW = 20_000   # characters at the start of a text where its table of contents may begin


def _contents_lines(body: str) -> set[int]:
    """The starts of the lines of ``body`` that make a table of contents (see ``_CONTENTS_HEAD``): its
    "目录" line and its entries, none of which is a heading (the headings they name come later).
    A table of contents stands before what it lists: only the lines after the first 目录 line and those that hold
    dot leaders in the first ``_CONTENTS_WINDOW`` characters are looked at (entries after a 目录 line may run on
    past it; an entry written again ends them, being the heading it names). Linear in the text."""
    found: set[int] = set()
    head = _CONTENTS_HEAD.search(body, 0, _CONTENTS_WINDOW) if _CONTENTS_WORD.search(body, 0, _CONTENTS_WINDOW) else None
    if head:   # the first 目录 line only: the run under it ends where the body starts
        written = Counter(m.group(1) for m in NONBLANK_LINE.finditer(body))   # how often each line is written
        run, entries = [head.start()], {head.group().strip(_SPACE)}
        for line in NONBLANK_LINE.finditer(body, _line_end(body, head.start())):
            entry = line.group(1)
            if entry in entries or (_entry_leader(entry) is None and written[entry] < 2
                                    and not _CLAUSE_ENTRY.fullmatch(entry)):
                break   # an entry of the run written again is the heading it names: the body starts there
            entries.add(entry)
            run.append(line.start())
        found.update(run if len(run) >= 2 else ())
    dotted = [start for start in _lines_with(body, _LEADER, _CONTENTS_WINDOW) if start not in found]
    run, end = [], 0
    for start in dotted:   # entries with dot leaders in a row, 目录 line or not
        line_end = _line_end(body, start)
        entry = _entry_leader(body[start:line_end].strip(_SPACE))
        if body[end:start].strip() or not entry:
            found.update(run if len(run) >= 2 else ())
            run = []
        if entry:
            run.append(start)
        end = line_end
    found.update(run if len(run) >= 2 else ())
    return found


# The editor's notes at a text's end (注释, as collected works print them): a line 「注释」 (「注　　释」) and the notes under it,
# each opening with its number in brackets — 「〔1〕」, 「（2）」, 「〔1）」 as one was mistyped, 「⑶」 — answering the note
# marks of the text (「凯丰⑴同志」).
_NOTES_HEAD = re.compile(rf"(?m)^[{_SPACE}]*注[{_SPACE}]*释[{_SPACE}]*$")
_NOTE = re.compile(rf"[{_SPACE}]*(?:[〔（(\[［【][0-9０-９]{{1,3}}[〕）)\]］】]|[⑴-⒇])")


def _note_lines(body: str) -> set[int]:
    """The starts of the lines of ``body`` that make its notes (see ``_NOTES_HEAD``): the 注释 line and the notes in a
    row under it — none is a heading (a note 「（1）定息是…」 is no 提纲 level). Linear in the text."""
    head = _NOTES_HEAD.search(body)
    if not head:
        return set()
    found = {head.start()}
    for line in NONBLANK_LINE.finditer(body, _line_end(body, head.start())):
        if not _NOTE.match(line.group(1)):
            break
        found.add(line.start())
    return found


def _lines_with(body: str, pattern: re.Pattern[str], end: int) -> Iterator[int]:
    """The start of every line of ``body`` where ``pattern`` matches before offset ``end``, in order, each once
    (linear in the text)."""
    m = pattern.search(body, 0, end)
    while m:
        yield _line_start(body, m.start())
        m = pattern.search(body, _line_end(body, m.start()), end)


def _entry_leader(line: str) -> bool | None:
    """Whether a line ending in a page number of 1–4 digits is a contents entry: None when it is not (no text,
    or no tab, two spaces or dot leaders before the number), else whether its leader has dots."""
    rest = line.rstrip(_PAGE_DIGITS)
    text = rest.rstrip(_SPACE + _LEADER_CHARS)
    leader = rest[len(text):]
    dotted = bool(_LEADER.search(leader))
    spaced = "\t" in leader or leader.count(" ") + leader.count("\u3000") >= 2
    return dotted if text and 1 <= len(line) - len(rest) <= 4 and (dotted or spaced) else None


def _line_start(body: str, pos: int) -> int:
    return body.rfind("\n", 0, pos) + 1


# ====================================================================== analyse


def analyse(
    cleaned: Cleaned, *, markdown: bool = False, title_hint: str | None = None, origin: metadata.Origin | None = None
) -> Document:
    """Structure a cleaned text into a :class:`Document` (no I/O; never raises on odd text).

    The title, 文种, 文号, date and 来源 — with the evidence of each — come from
    :func:`sucai.metadata.describe` (``origin``: what is known of the file;
    ``title_hint``, e.g. the HTML <title>, is short for ``Origin(title=…)``).
    ``text`` is the body after the title; what stood before a title the file
    declares is recorded as a ``before_title`` removal; the members span
    (``paid_from``, ``paid_until``) is re-based onto it; ``elements`` (the 公文
    elements of GB/T 9704-2012 §7) from :func:`sucai.elements.find_elements`;
    ``outline`` from :func:`parse_outline`, using the markdown heading lines
    recorded by :func:`sucai.clean.clean` when ``markdown=True``, with element
    lines (but attachment titles) never headings.
    """
    described = metadata.describe(cleaned, origin or metadata.Origin(title=title_hint))
    body_start = described.body_start
    before = _before_title(cleaned, described.title_start, body_start)
    body = cleaned.text[body_start:]
    headings = [(pos - body_start, depth) for pos, depth in cleaned.headings if pos >= body_start]
    paid_from, paid_until = _paid_span(cleaned, body_start)
    elements = find_elements(body)
    return Document(
        title=described.value("title") or "",
        text=body,
        genre=described.value("genre") or genres.OTHER,
        declared_chars=described.declared_chars,
        paid_from=paid_from,
        paid_until=paid_until,
        doc_number=described.value("doc_number"),
        date=described.value("date"),
        source=described.value("source"),
        outline=parse_outline(body, markdown=markdown, headings=headings if markdown else None, elements=elements),
        elements=elements,
        removed=list(cleaned.removed) + before,
        evidence=described.evidence,
    )


def _before_title(cleaned: Cleaned, title_start: int, body_start: int) -> list[Removal]:
    """What stood before the title, as a ``before_title`` removal — or, when the members part starts before
    the document text (its title is members text), a ``free_head`` removal: what stood above the text before
    the members part (before the title and of the title's lines), which :func:`sucai.access.free_view`
    describes, and a ``before_title_members`` removal: what of the members part stood before the title."""
    paid_from, paid_until = cleaned.paid_from, cleaned.paid_until
    if paid_from is None or paid_from >= body_start or (paid_until is not None and paid_until <= title_start):
        parts = [("before_title", cleaned.text[:title_start])]
    else:
        parts = [("free_head", cleaned.text[:paid_from]), ("before_title_members", cleaned.text[paid_from:title_start])]
    return [Removal(rule, text.strip()) for rule, text in parts if text.strip()]


def _paid_span(cleaned: Cleaned, body_start: int) -> tuple[int | None, int | None]:
    """The members span of the cleaned text re-based onto the body (``None, None`` when none of it is in the body)."""
    if cleaned.paid_from is None:
        return None, None
    paid_from = max(cleaned.paid_from - body_start, 0)
    if cleaned.paid_until is None:
        return paid_from, None
    paid_until = cleaned.paid_until - body_start
    return (paid_from, paid_until) if paid_until > paid_from else (None, None)
