"""【待补】 placeholders: the unit names, years, dates, people, figures and themes of another unit in a picked paragraph.

A paragraph taken from the library speaks of its own unit ("某市财政局第三党支部",
"2023年度", "张三同志") and gives its own figures ("检查3260家次", "学习二十四次", "压减15%").
A paragraph of a 心得体会 or a speech studies the 全会 of its time ("二十届三中全会"), which a writer of another
(the topic's "二十届四中全会") must not hand in as theirs.
Kept silently, those facts end up in the writer's draft under their own name; so
:func:`mark_placeholders` replaces each of them with
:data:`PLACEHOLDER` and lists what was there, for the writer to fill in. Facts
come from :mod:`sucai.facts` (our own rules); the writer's own unit and year, when
given, are kept, and the source's own year and the one after it (its title's: a 2025年工作总结和2026年工作计划 is
of 2025, its plan of 2026) become the writer's year and the one after (「2026年上半年」 of that plan is 「2027年上半年」 in
a 2027 plan) — a year-end material speaks of its year and the next, whichever year it was written in —, but what
the source said its year was (「2026年是“十五五”规划开局之年」) is the source year's, not the writer's: 【待补】.
Offsets are characters of the marked text.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass

from .. import analysis
from ..facts import (BODY_SUFFIXES, KIND_NAMES, MEASURE_UNITS, NAMED_SUFFIXES, PLACE_SUFFIXES, Fact, Known, ending,
                     find_facts)

PLACEHOLDER = "【待补】"
PLACEHOLDER_KINDS = ("unit", "year", "date", "person", "session", "theme", "number")
_LABEL_ENDS = ".．、)）"
# the magnitude a number ends with (二十万, 1.5亿, 126万亿): kept after its 【待补】, so that the writer's 「20」 makes 「20万元」
_MAGNITUDE = re.compile(r"(?<=.)[万亿]+$")   # a list label's number is followed by one of these (1. 2、 （3）)
_LEVEL_CHARS = "市县区省旗盟州"
# numbers that name, not count — what every unit writes alike: a round-the-clock (24小时, 7×24小时), a national service
# number (1XX, 12XXX: 110, 12345) called (拨打…) or named as a line (…热线, …服务平台), in quotes or not (拨打“12356”,
# “12345”市民服务热线, 心理援助热线“12356”), one written with Latin letters (5G)
_ROUND_THE_CLOCK = re.compile(r"(?:7\s*[×xX*]\s*)?24\s*小时")
_SERVICE_NUMBER = re.compile(r"1[0-9]{2}|12[0-9]{3}")
_CALLING = re.compile(r"(?:拨[打通]了?[“\"]?|(?:热线|专线|电话)[“\"])$")   # before the number
_CALLED = re.compile(r"[”\"]?(?:政务|便民|市民|服务){0,4}(?:热线|专线|电话|平台|报警|急救|举报)")   # after it
# a count: a measure word that ends its clause (「廉政谈话四次，」「风险点九个。」) — a formula's measure word names what
# follows it (两个维护, 八项规定, 三个方面)
_COUNTED = re.compile(r"(?:人次|家次|[次个项件场期批名人家篇条份轮遍起处所户])(?=[，。；、！？,.;!?）)\s]|$)")
_PLACE_WORD_CHARS = 6   # the longest word naming a kind of place, 特别行政区, and one more
_PLACE_COUNTERS = ("个", "座", "所", "处")   # measure words counting places (三个村, 两座城市), not 「这两天河南省…」's 天
_DETERMINERS = ("全", "本", "我", "该", "各", "此", "其")   # a place so named is one, not a kind counted: 「三个全市率先」
# what a year is said to be, right after it in its clause (group 1): 「是“十五五”规划开局之年」, 「也是极不平凡的一年」, or
# its ordinal year of something with it, 「是全面实施“十三五”规划的第一年」 (the corpus's 2016 海拉尔 report: the 第一年
# of the 十三五 is 2016's, not the writer's) — never a 第一年's 一年 (an ordinal year of a plan, 「第一年至第三年免征」, is
# no date: kept)
_ROLE = r"([^，,。；;！？!?\n]{0,40}?第[一二三四五六七八九十]+年|[^，,。；;！？!?\n]{1,40}?(?=之年|的?一年))(?:之年|的?一年)?"
_YEAR_ROLE = re.compile(r"[，,]?[也既又更正]?(?:是|为|作为)" + _ROLE)
_THIS_YEAR_ROLE = re.compile("(?:今年|明年)" + _YEAR_ROLE.pattern)   # 「今年是…开局之年」: the source's year's
_ALSO_ROLE = re.compile(r"[，,][也又更还]是" + _ROLE)   # 「…之年，也是…的一年」
# the title a 全会 passed, right after it — 「（三中全会）审议通过的《中共中央关于…的决定》」, 「（三中全会）《决定》」 — or
# joined to it, what a 全会 passes (决定, 建议, 决议, 公报): 「（三中全会）精神和《…决定》」, 「（三中全会）上的重要讲话和全会
# 《决定》」 (the corpus's 心得体会 and reports' forms); not another paper, 「（三中全会）精神和《中国共产党章程》」
_SESSION_PAPER = re.compile(r"(?:(?:审议)?通过的|作出的|的)?《[^《》\n]{1,60}》"
                            r"|(?:精神|上的重要讲话(?:精神)?)?(?:和|及|以及|与)(?:全会)?《[^《》\n]{0,60}(?:决定|建议|决议|公报)》")


@dataclass(frozen=True)
class Placeholder:
    """One 【待补】 of a marked paragraph: ``start``/``end`` of the placeholder in the marked text,
    the ``kind`` of fact it replaced (unit / year / date / person), its name in Chinese (``kind_name``)
    and the ``original`` words."""

    kind: str
    kind_name: str
    original: str
    start: int
    end: int


@dataclass(frozen=True)
class Marked:
    """A paragraph with its placeholders: ``text`` holds :data:`PLACEHOLDER` where ``placeholders`` say."""

    text: str
    placeholders: list[Placeholder]

    def to_dict(self) -> dict:
        return {"text": self.text, "placeholders": [asdict(p) for p in self.placeholders]}


def mark_placeholders(text: str, *, known: Known = Known(), unit: str | None = None, year: int | None = None,
                      session: str | None = None, source_year: int | None = None,
                      source_unit: str | None = None) -> Marked:
    """``text`` with every unit name, year, date, person, figure and theme of another unit replaced by 【待补】, and
    every 全会 but the writer's when they name one.

    A figure is a number (:func:`sucai.facts.find_facts`) but those every unit writes alike (:func:`_formula`); the
    万 or 亿 it ends with stays after its 【待补】 (:func:`_amount_end`: 「突破【待补】万元」).

    ``known``: people and places learnt from the whole source document
    (:func:`sucai.facts.learn`), so that a name written in full only
    elsewhere in it is still found. ``unit``: the writer's unit (a unit fact
    that it contains, or that contains it, is theirs and kept: "财政局" for
    "市财政局党支部"). ``source_unit``: the unit the source is of (:func:`named_unit` of its title): with ``unit``, a
    unit fact that is it or part of it (「第三党支部」 of 某市财政局第三党支部), in the same role as both — the same kind
    of body or office (:func:`_role`: 党支部, 党委 or 党组, 局, 镇…) —, is the material's subject: the writer's unit
    (「县审计局党支部在会前…」), not 【待补】; its parent office (「某市财政局」) or a unit of another role stays 【待补】.
    ``year``: the writer's year (a year fact of that year is
    kept). ``source_year``: the year the source is of (:func:`named_year` of its title): with ``year``, a year fact
    of it, or of the year after it, written in Arabic digits (「2025年度」, 「2026年」), is the writer's year, or the one
    after it (「2026年度」, 「2027年」), not 【待补】 — before the writer's own is kept: a 2025 source's 「2026年」 is its
    next year, in a 2026 draft 「2027年」 (written in Chinese numerals, 「二〇二六年」: 【待补】); what a year so moved is
    said to be right after it (:data:`_YEAR_ROLE`: 「2026年是“十五五”规划开局之年」, 「…规划的第一年」 whole, and each 「，也是…的一年」 after
    that: :func:`_roles`) is 【待补】 (「2027年是【待补】之年」),
    and so is what a source of another year says its 今年 or 明年 is (「今年是【待补】之年」); a quoted theme is kept
    only from a source of the writer's year — a 2024年度 生活会's 「围绕“…”这一主题」 in a 2026 draft is that year's
    theme, not the writer's: 【待补】, as is one of a year unknown (a year as a year fact is). ``session``: the 全会
    the writer's topic names (:func:`writer_session`): another one is 【待补】 (三中全会 in a draft on the 二十届四中全会),
    with the title it passed right after it or joined to it (:data:`_SESSION_PAPER`: 「三中全会审议通过的《…决定》」,
    「三中全会精神和《…决定》」, one 【待补】), the
    same one kept (四中全会, its 届 not written); None: every 全会 kept. Linear in the text; never raises.
    """
    return _marked(text, heapq.merge(_fact_changes(text, known, unit, year, session, source_year, source_unit),
                                     _this_year_roles(text, year, source_year)))


def _fact_changes(text: str, known: Known, unit: str | None, year: int | None, session: str | None,
                  source_year: int | None, source_unit: str | None) -> Iterator[tuple[int, int, str, str]]:
    """The changes :func:`mark_placeholders` makes for the facts of ``text``, in order: ``(start, end, words, kind)``
    — a fact replaced by its moved year, the writer's unit (:func:`_subject`) or :data:`PLACEHOLDER` (a 全会 with the
    title it passed), and what a moved year is said to be (:data:`_YEAR_ROLE`)."""
    for fact in find_facts(text, known, PLACEHOLDER_KINDS):
        shifted = _shifted(fact, year, source_year)
        if shifted is None and (_own(fact, unit, year, session, source_year)
                                or (fact.kind == "number" and _formula(text, fact))):
            continue
        paper = _SESSION_PAPER.match(text, fact.end) if fact.kind == "session" else None
        words = shifted or _subject(fact, unit, source_unit) or PLACEHOLDER
        yield fact.start, paper.end() if paper else _amount_end(fact), words, fact.kind
        if shifted not in (None, fact.text):   # the source year's 定位, not the writer's year's
            yield from _roles(text, _YEAR_ROLE.match(text, fact.end))


def _amount_end(fact: Fact) -> int:
    """Where the 【待补】 of ``fact`` ends: before the magnitude a number ends with (:data:`_MAGNITUDE`: 「突破二十万元」 →
    「突破【待补】万元」, not 「突破【待补】元」), else at the fact's end."""
    magnitude = _MAGNITUDE.search(fact.text) if fact.kind == "number" else None
    return fact.end - len(magnitude.group()) if magnitude else fact.end


def _this_year_roles(text: str, year: int | None, source_year: int | None) -> Iterator[tuple[int, int, str, str]]:
    """What a source of another year than the writer's says its 今年 or 明年 is (:data:`_THIS_YEAR_ROLE`), as
    changes to :data:`PLACEHOLDER` in order."""
    if year is None or source_year in (None, year):
        return
    for said in _THIS_YEAR_ROLE.finditer(text):
        yield from _roles(text, said)


def _roles(text: str, said: re.Match | None) -> Iterator[tuple[int, int, str, str]]:
    """The change to :data:`PLACEHOLDER` of what a year is ``said`` to be (its group 1) and of each 定位 chained right
    after it (:data:`_ALSO_ROLE`: 「…开局之年，也是…的重要一年」), in order."""
    while said:
        yield said.start(1), said.end(1), PLACEHOLDER, "year"
        said = _ALSO_ROLE.match(text, said.end())


def _marked(text: str, changes: Iterable[tuple[int, int, str, str]]) -> Marked:
    """``text`` with ``changes`` ``(start, end, words, kind)``, in order of start, made — one within another made
    already passed over (a figure in what a year is said to be) — and its placeholders. Linear in the text."""
    pieces, placeholders, cursor, offset = [], [], 0, 0
    for start, end, words, kind in changes:
        if start < cursor:
            continue
        pieces.append(text[cursor:start])
        offset += start - cursor
        pieces.append(words)
        if words == PLACEHOLDER:
            placeholders.append(Placeholder(kind, KIND_NAMES[kind], text[start:end], offset, offset + len(words)))
        offset += len(words)
        cursor = end
    pieces.append(text[cursor:])
    return Marked("".join(pieces), placeholders)


def only_placeholders(text: str) -> bool:
    """Whether ``text`` holds a :data:`PLACEHOLDER` and nothing else but white space and punctuation (「【待补】。」): a
    paragraph the writer has yet to write, which copies nothing of the source it was taken from — it cites none
    (:func:`sucai.drafting.drafts.build_draft`, ``sucai draft -o``). Linear in the text."""
    return PLACEHOLDER in text and not any(char.isalnum() for char in text.replace(PLACEHOLDER, ""))


def only_marked(text: str, original: str) -> bool:
    """Whether ``text`` is ``original`` but for the :data:`PLACEHOLDER` marks in it, each standing for some of its
    words (at least one character): the source's text with another unit's facts marked (:func:`mark_placeholders`),
    nothing else changed — all of it still the source's words. False for a text without a mark. Linear in the two
    lengths: each piece between two marks is looked for once, where the one before it ends (the leftmost place of each
    is as good as any later one for those after it)."""
    pieces = text.split(PLACEHOLDER)
    if len(pieces) == 1 or not original.startswith(pieces[0]):
        return False
    head, *middle, tail = pieces
    at = len(head)
    for piece in middle:
        at = original.find(piece, at + 1)
        if at < 0:
            return False
        at += len(piece)
    return len(original) - len(tail) > at and original.endswith(tail)


def writer_year(topic: str, year: int | None) -> int | None:
    """The writer's year of a draft, the one rule of ``sucai draft`` and ``/api/drafts/…`` (and so the web page):
    ``year`` when given, else the year the ``topic`` names (:func:`named_year`). Linear in the topic; never raises."""
    return year if year is not None else named_year(topic)


def named_year(text: str) -> int | None:
    """The year ``text`` — a topic, a title — is of: the one year it names ("2024年度组织生活会", "二〇二四年…" →
    2024), or the first of two one after the other, a year's summary and the next year's plan ("2026年工作总结和2027年
    工作计划" → 2026); None when it names none, a range ("2021—2025年") or other years. Linear in the text; never
    raises."""
    found = sorted({fact.value for fact in find_facts(text, kinds=("year",))})
    if not found or len(found) > 2 or not all(value.isdigit() for value in found):
        return None
    return int(found[0]) if len(found) == 1 or int(found[1]) == int(found[0]) + 1 else None


def _shifted(fact: Fact, year: int | None, source_year: int | None) -> str | None:
    """A year fact of the source's year or the one after it as the writer's year or the one after it ("2025年度" →
    "2026年度" from a 2025 source into a 2026 draft), :data:`PLACEHOLDER` when not written in Arabic digits
    (「二〇二六年」); None for any other fact."""
    if fact.kind != "year" or year is None or source_year is None or not fact.value.isdigit():
        return None
    after = int(fact.value) - source_year
    if after not in (0, 1):
        return None
    return fact.text.replace(fact.value, str(year + after)) if fact.value in fact.text else PLACEHOLDER


def named_unit(title: str) -> str | None:
    """The unit a source is of: the unit fact its ``title`` opens with (「某市财政局第三党支部2024年度组织生活会对照检查
    材料」 → 某市财政局第三党支部, :func:`sucai.facts.find_facts`); None when it opens with none (「关于…的报告」). Linear in
    the title; never raises."""
    found = find_facts(title, kinds=("unit",))
    return found[0].text if found and found[0].start == 0 else None


# the kinds of body or office a unit's name ends with, longest first within each (党支部 before 部, 人民政府 before 政府)
_ROLE_SUFFIXES = BODY_SUFFIXES + NAMED_SUFFIXES + PLACE_SUFFIXES
_SAME_ROLE = {"支部": "党支部", "党总支": "党支部", "党组": "党委", "党工委": "党委"}   # a branch; a unit's leading body


def _role(unit: str) -> str | None:
    """The kind of body, office or place ``unit`` names, by the suffix its name ends with (:data:`_ROLE_SUFFIXES`):
    「第三党支部」 and 「县审计局党支部」 党支部, 「某镇党委」 and 「县审计局党组」 党委 (a unit's leading body,
    :data:`_SAME_ROLE`), 「市财政局」 局; None for none of them."""
    suffix = ending(unit, _ROLE_SUFFIXES)
    return _SAME_ROLE.get(suffix, suffix)


def _subject(fact: Fact, unit: str | None, source_unit: str | None) -> str | None:
    """The writer's ``unit`` for a unit ``fact`` that is the source's own unit or part of it (``source_unit``) in the
    role of both (:func:`_role`): the subject of the material; None for any other fact (a 【待补】)."""
    if fact.kind != "unit" or not unit or not unit.strip() or not source_unit or fact.text not in source_unit:
        return None
    role = _role(fact.text)
    return unit.strip() if role is not None and role == _role(source_unit) == _role(unit.strip()) else None


def writer_session(topic: str) -> str | None:
    """The 全会 of a draft: the one the ``topic`` names ("学习贯彻党的二十届四中全会精神" → its value "20届4中全会",
    :func:`sucai.facts.find_facts`); None when it names none or two. Linear in the topic; never raises."""
    found = {fact.value for fact in find_facts(topic, kinds=("session",))}
    return found.pop() if len(found) == 1 else None


_SESSION_VALUE = re.compile(r"(?:(\d+)届)?(?:中央)?(\d+)中全会")


def _same_session(value: str, session: str) -> bool:
    """Whether two 全会 values name one: the same ordinal, and the same 届 when both write it."""
    (term, ordinal), (own_term, own_ordinal) = (_SESSION_VALUE.fullmatch(v).groups() for v in (value, session))
    return ordinal == own_ordinal and (not term or not own_term or term == own_term)


def _formula(text: str, fact: Fact) -> bool:
    """Whether the number ``fact`` of ``text`` is one every unit writes alike, no figure of its own: one Chinese
    digit (两个维护, 八项规定, 三个方面, 三会一课 and 两学一做 are no number) but a count its clause ends with
    (「谈话四次，」「风险点九个。」: :data:`_COUNTED`) or one of the source's own places or works (:func:`_measured`: 三个村,
    八公里 — as 3个村 and 8公里 are figures), an ordinal (第一议题, 第十四届), a 届 (党的十九届), a list label at a line's
    start (1. （2）) or a bracketed one within a line, an inline list's (「…：（1）…；（2）…；（3）…」), or a number that
    names (:func:`_naming`: 24小时, 12345热线, 5G)."""
    before, after = text[fact.start - 1:fact.start], text[fact.end:fact.end + 1]
    bracketed = before in ("（", "(")
    label = fact.start - bracketed   # where a label would start
    counted = _COUNTED.match(text, fact.end) is not None or _measured(text, fact)
    return (len(fact.text) == 1 and not fact.text.isdigit() and not counted or before == "第" or after == "届"
            or (text[label - 1:label] in ("", "\n") and after != "" and after in _LABEL_ENDS)
            or (bracketed and after in ("）", ")") and fact.value.isdigit()) or _naming(text, fact))


def _measured(text: str, fact: Fact) -> bool:
    """Whether the number ``fact`` of ``text`` measures what is the source's own, as no formula does: a length, an area
    or a weight (:data:`sucai.facts.MEASURE_UNITS`: 八公里, 五亩), or places — a measure word of places
    (:data:`_PLACE_COUNTERS`) then a word naming a kind of place (:data:`sucai.facts.PLACE_SUFFIXES`, by the segmenter's
    word: 三个村, 两个乡镇, 四个社区; not 两个市场, 三个区分开来, nor one place, 三个全市率先: :data:`_DETERMINERS`). Reads
    at most :data:`_PLACE_WORD_CHARS` characters after the measure word."""
    if MEASURE_UNITS.match(text, fact.end):
        return True
    if text[fact.end:fact.end + 1] not in _PLACE_COUNTERS:
        return False
    after = fact.end + 1
    spans = analysis.word_spans(text[after:after + _PLACE_WORD_CHARS])
    word = text[after:after + spans[0][1]] if spans else ""
    return word.endswith(PLACE_SUFFIXES) and not word.startswith(_DETERMINERS)


def _naming(text: str, fact: Fact) -> bool:
    """Whether the number ``fact`` of ``text`` names rather than counts (:data:`_ROUND_THE_CLOCK`: 24小时, 7×24小时;
    :data:`_SERVICE_NUMBER`: 拨打12345, 110报警, 12345政务服务热线, “12350”举报电话, 热线“12356”; a Latin letter beside it:
    5G, G20)."""
    before, after = text[fact.start - 1:fact.start], text[fact.end:fact.end + 1]
    lettered = any(char.isascii() and char.isalpha() for char in before + after)
    called = _CALLING.search(text, max(0, fact.start - 4), fact.start) or _CALLED.match(text, fact.end)
    service = _SERVICE_NUMBER.fullmatch(fact.text) is not None and called is not None
    return lettered or service or _ROUND_THE_CLOCK.match(text, fact.start) is not None


def _own(fact: Fact, unit: str | None, year: int | None, session: str | None, source_year: int | None) -> bool:
    """Whether a fact is the writer's own: their unit (or part of it), their year, a 全会 kept (their own, or any
    when they name none), or the theme of a source of their year."""
    if fact.kind == "unit" and unit and unit.strip():
        core, mine = fact.text.lstrip(_LEVEL_CHARS), unit.strip()
        return bool(core) and (core in mine or mine in fact.text)
    if fact.kind == "year" and year is not None:
        return re.findall(r"\d+", fact.value) == [str(year)]   # values are in Arabic digits
    if fact.kind == "session":
        return session is None or _same_session(fact.value, session)
    if fact.kind == "theme":
        return year is not None and source_year == year
    return False
