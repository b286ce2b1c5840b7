"""Titles: where the title of a clean text is, and what to call a document that has none.

The title (标题, GB/T 9704-2012 §7.3.1) is the first meaningful line, or several
lines when a long title is broken ("国务院办公厅关于有效发挥政府性" + "融资担保基金
作用…" + "“三农”发展的指导意见"): lines are joined while the title has not
reached the word that ends a title (its 文种: 通知, 意见, 办法…; a cover's 说明书, 手册, 指南…:
"政策信息发布平台" + "共性需求说明书") outside an open
《 or （ ("…暂时调整实施《中华人民共和国药品管理法" goes on to "实施条例》有关规定的决定"), and past it
to a line that opens with 的 or a conjunction ("…国家信息化规划" / "的通知"). A law's part
keeps its law ("中华人民共和国民法典" + "合同编" → "中华人民共和国民法典 合同编"),
as do consecutive ``#`` title lines of markdown. A 令 ("中华人民共和国国务院令" /
"第707号" / "现公布…《X》…" or "《X》已经…通过，现予公布") is titled by the regulation it promulgates; a joint
令's 发文机关标志 is read as one line whether written on one or on several ("中华人民共和国国务院" /
"中华人民共和国中央军事委员会" / "令").

A title line loses the reference marks of its notes ("关于辽沈战役⑴的作战方针" in an annotated edition),
and the markdown heading marker of a file that is not markdown ("# 关于做好防汛工作的通知" in a .docx).
A title line ending in exclamation marks loses them when the file's declared title or its name
is the line without them (a web article's emphasis: "公文写作常见错误更正对照表！").

A title line of a text read by OCR that is the file name's title cut short or garbled, as OCR reads a scan's cover
("标点符与" in 标点符号用法（GBT 15834-2011）.pdf), gives way to the file name (:func:`cut_short`); a typed file's title
line is its author's, whatever the file is named.

When the text has no title line, the title comes from what the file declares
(HTML ``<h1>``/``<title>``, docx core title), then from the file name — without
its numbering ("003_…", "2017_…") and never a bare number — and, for a report
that opens with "我代表…向大会作工作报告", from that opening ("政府工作报告").
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .issuers import DOC_NUMBER
from .lines import HAN, Line, head, lines

DECLARED = re.compile(r"\s*[（(]\s*(?:全文)?共?\s*(\d{2,7})\s*字\s*[）)]\s*$")
"""A declared length after a title: "（5350字）", "(全文共3200字)"."""

# Words a title ends with: the names of 文种, the usual closing words of titles, and of the covers of
# manuals and specifications ("政策信息发布平台" / "共性需求说明书").
_ENDS = (r"通知|方案|意见|决定|决议|报告|规划|纲要|办法|细则|规定|规则|条例|纪要|批复|函|通报|公告|通告|请示|议案|公报|命令|令"
         r"|总结|计划|要点|安排|打算|思路|设想|谋划|讲话|讲稿|致辞|贺词|主持词|材料|提纲|体会|心得|发言|事迹|简报|答复|解释|法|法典|标准|预案|汇报"
         r"|说明书|手册|指南|白皮书|章程|须知|守则|大纲|字典|词典")
END_WORD = re.compile(rf"(?:{_ENDS})$")
# What a joined title may end with besides: words that as often end a broken line as verbs or objects
# ("关于进一步加强和规范" / "政府采购活动的通知", "…的说明" / "和…的报告"), so they never stop a join early.
_LAST_WORD = re.compile(rf"(?:{_ENDS}|说明|规范)$")
_CLAUSE_END = "。，；：、,;:"
# A line that goes on with the line above it, whatever that ended with: it opens with 的 or a conjunction
# ("国务院办公厅关于印发“十四五”国家信息化规划" / "的通知", "某局2025年工作总结" / "和2026年工作计划的报告": a long
# title broken, GB/T 9704-2012 §7.3.1, after a word that could end one); joined only when the title then ends as one.
_GOES_ON = re.compile("[的和及与暨并]")
LABEL = re.compile(r"[（(]?(?:[一二三四五六七八九十]+|\d{1,3})[）)、.．]|第[一二三四五六七八九十百零\d]+[编章节条]")
_DASH = re.compile(r"[-—–－―]")
_LAW = re.compile(r"(?:法|法典)$")
_LAW_PART = re.compile(r"(?:第[一二三四五六七八九十]+编\s*)?[\u4e00-\u9fff]{1,8}编$|总则|分则|附则")
_DECREE_BODY = rf"(?:中华人民共和国)?[{HAN}]{{1,20}}"
_DECREE_HEAD = re.compile(rf"{_DECREE_BODY}(?:、{_DECREE_BODY}){{0,5}}令")   # a 令's 发文机关标志, its bodies joined by 、
_DECREE_MARK_LINES = 3
_RULE_END = re.compile(r"(?:规定|办法|细则|规则|条例|决定|标准|章程)$")   # what a 令 promulgates is called
# A 令号: 「第707号」, 「第十二号」, or a ministry's numbered by the year, 「2023年第5号」.
_DECREE_NUMBER = re.compile(r"(?:(?:19|20)\d{2}\s*年\s*)?第\s*[0-9一二三四五六七八九十百千零〇]{1,8}\s*号$")
_PROMULGATED = (re.compile(r"(?:公布|发布)[^《》。\n]{0,20}《(?P<name>[^《》\n]{2,60})》"),
                re.compile(r"《(?P<name>[^《》\n]{2,60})》(?:[^《》。\n]{0,6}|已(?:经|于)[^《》。\n]{0,100})(?:公布|发布)"))
_FILE_NUMBERING = re.compile(r"^(?:\d{1,8}|[（(]\d{1,4}[）)])(?:[_\-.、\s　]+|(?=[\u4e00-\u9fff《“])(?![年月日号]))")
_FILE_DATE = re.compile(r"[（(]\s*\d{4}(?:[-.]\d{1,2}){0,2}\s*[）)]$")
_BARE = re.compile(r"^[\d\s_\-.()（）年月日]*$")
_REPORT_OPENING = re.compile(rf"我代表[{HAN}]{{0,30}}?[，,]?\s*向(?:大会|会议)(?:作|报告)(?:政府)?工作(?:报告)?")
# Lines that are never a title nor part of one: a web address (a site's tag the cleaning did not know), a
# standard's cover furniture: its ICS classification ("ICS 01. 140. 10"), its CCS one alone or glued by OCR to
# the cover's heading ("A 19中华人民共和国国家标准"), that heading, and its number alone ("GB/T 15834一2011",
# "代替GB/T 15834一1995"; OCR's 工 or 丁 for the T, 「GB/工9704一2012」).
_STANDARD_HEADING = r"中华人民共和国(?:国家|[\u4e00-\u9fff]{1,8}行业)标准"
_FURNITURE = re.compile(rf"www\.|://|^(?:ICS|CCS)\s*[A-Z]?\d|^(?:[A-Z]\s?\d{{2}}\s*)?(?:{_STANDARD_HEADING})?$"
                        r"|^(?:代替\s*)?GB(?:/[TZ工丁])?\s*\d[\d.]*\s*[-—–一－]\s*\d{4}$")
_WORDED = re.compile(f"[{HAN}]")
# The 版头 (GB/T 9704-2012 §7.2): 份号 and 密级/紧急程度 lines (§7.2.1-3), a 发文机关标志 「…文件」 (§7.2.4; written spaced
# out, it is joined by the cleaning), what may follow a 发文字号 on its line or stand alone under it: the 签发人 of a
# 上行文 (§7.2.6).
_FRONT = re.compile(r"\d{6}|(?:绝密|机密|秘密)(?:[★＊*][^\n]{0,8})?|特急|加急")
_FILE_MARK = re.compile(rf"[{HAN}][{HAN}、 \t\u3000]{{1,39}}文件")   # a joint one's issuers parted by 、 or spaces
_SIGNED = re.compile(r"[ \t\u3000]*(?:签发人[：:][^\n]{1,30})?")
_MAX_LINES = 4
_CONTINUATION_CHARS = 40
_HINT_LINES = 5
_BROKEN_CHARS = 10   # a title's first line broken where the page's width ends is at least this long


@dataclass(frozen=True)
class TitleSplit:
    """Where the title is in a clean text.

    ``text`` is the title as written (its lines joined; "" when the text has no
    title line); ``start``/``end`` its span and ``body_start`` where the document
    text begins (offsets of the clean text; all 0 when there is no title line).
    ``hint`` is True when the title line was found because it equals a title the
    file declares (what stood before it is site navigation, not the document).
    """

    text: str
    start: int
    end: int
    body_start: int
    hint: bool = False


def is_title_line(line: str) -> bool:
    """A line that can be a title: short, no sentence inside, not ending in a clause mark,
    not a numbered heading, not a dash-led subtitle such as "——2017年2月11日在…会议上", no web
    address nor a standard's cover furniture (an ICS code, a GB number alone)."""
    return (0 < len(line) <= 80 and "。" not in line and line[-1] not in _CLAUSE_END
            and not LABEL.match(line) and not _DASH.match(line) and not DOC_NUMBER.fullmatch(line)
            and not _FURNITURE.search(line))


def split(text: str, hints: Sequence[str] = (), title_heads: Iterable[int] = ()) -> TitleSplit:
    """Find the title of ``text`` (a clean text, title still included); see the module docstring.

    ``hints`` are titles the file declares (a line equal to one is the title);
    ``title_heads`` the offsets of markdown ``#`` (depth 1) lines, which are
    title lines joined with a space. Never raises; linear in the text.
    """
    first = head(text, _HINT_LINES)
    for _ in range(_HINT_LINES):   # furniture above the title is passed over, as site navigation is
        if not first or not _FURNITURE.search(first[0].text):
            break
        first = first[1:] + head(text, 1, first[-1].end)
    wanted = {h.strip() for h in hints if h and h.strip()}
    heads = set(title_heads)
    for i, line in enumerate(first):
        if line.text in wanted:
            lead = _leading_title_lines(first[:i], heads)
            taken = [*lead, line] if lead else [*_broken_above(text, first[:i], line, heads), line]
            joined = (" " if lead else "").join(x.text for x in taken)
            return TitleSplit(joined, taken[0].start, line.end, _next_start(text, line.end), hint=True)
        broken = _broken_hint(first[i:i + _MAX_LINES], wanted)
        if broken:  # the declared title broken over lines, as a long title is on a page
            return TitleSplit("".join(x.text for x in broken), line.start, broken[-1].end,
                              _next_start(text, broken[-1].end), hint=True)
    opening = _after_masthead(first) or first[:1]
    if not opening or not is_title_line(opening[0].text):
        return TitleSplit("", 0, 0, 0)
    taken = _title_lines(text, opening[0], heads)
    title = (" " if taken[0].start in heads else "").join(x.text for x in taken)
    if len(taken) == 2 and _LAW.search(taken[0].text) and _LAW_PART.fullmatch(taken[1].text):
        title = f"{taken[0].text} {taken[1].text}"
    return TitleSplit(title, taken[0].start, taken[-1].end, _next_start(text, taken[-1].end))


def _after_masthead(first: list[Line]) -> list[Line]:
    """The lines of ``first`` after a 版头 that opens them (GB/T 9704-2012 §7.2: 份号, 密级 and 紧急程度 lines, the
    发文机关标志 「…文件」 on one line or more, then the 发文字号 alone on its line or with the 签发人, who may stand on
    the next line) — the title stands between the 版头 and the 主送机关 (§7.3.1), not the 标志 —; [] when no 版头
    opens them."""
    i = 0
    while i < len(first) and (_FRONT.fullmatch(first[i].text) or _FILE_MARK.fullmatch(first[i].text)):
        i += 1
    number = DOC_NUMBER.match(first[i].text) if i < len(first) else None
    if number is None or not _SIGNED.fullmatch(first[i].text, number.end()):
        return []
    i += 1
    return first[i + 1:] if i < len(first) and _SIGNED.fullmatch(first[i].text) else first[i:]


def _broken_hint(following: list[Line], wanted: set[str]) -> list[Line]:
    """The lines from the first of ``following`` that, joined without spaces, make a declared title
    (at least two lines); [] when none do."""
    joined = following[0].text if following else ""
    for n, line in enumerate(following[1:], 2):
        joined += line.text
        if joined in wanted:
            return following[:n]
        if not any(title.startswith(joined) for title in wanted):
            break
    return []


def _leading_title_lines(before: list[Line], heads: set[int]) -> list[Line]:
    """Of the lines before a declared title, those that are part of it: markdown ``#`` lines right
    above it — but a sentence (a case's 裁判要点 above its name: "为家庭生活消费需要购买汽车，…处理。") —, or a law's
    name above the part that matched ("中华人民共和国民法典" above "合同编")."""
    taken: list[Line] = []
    for line in reversed(before):
        if line.start in heads and "。" not in line.text or (
                not taken and _LAW.search(line.text) and is_title_line(line.text)):
            taken.insert(0, line)
        else:
            break
    return taken


def _broken_above(text: str, before: list[Line], line: Line, heads: set[int]) -> list[Line]:
    """Of the lines before a declared title, those of a title broken over lines that ends with it — the file named
    after its last line (「…关于印发2023年度预算绩效管理」/「工作方案的通知」, 「工作方案的通知.txt」): the lines right above
    it, read as a title from the first of them (:func:`_title_lines`) up to it, the first holding 关于 or
    :data:`_BROKEN_CHARS` characters or more, none closed (:func:`_closed`) — not a site's short section name, nor a
    版头's 标志; [] when none."""
    for j in range(max(0, len(before) - _MAX_LINES + 1), len(before)):
        lead = before[j:]
        opening = lead[0].text
        if ("关于" in opening or len(opening) >= _BROKEN_CHARS) and not any(_closed(x.text) for x in lead) \
                and _title_lines(text, lead[0], heads)[-1] == line:
            return lead
    return []


def _closed(line: str) -> bool:
    """Whether ``line`` ends as a title does (a 文种) or is a 版头's 发文机关标志 (「某某自治县人民政府办公室文件」, no
    关于 in it: 「…关于全面推行行政规范性文件」 is a title's opening): no title broken over lines goes on from it."""
    return bool(END_WORD.search(line) or _FILE_MARK.fullmatch(line) and "关于" not in line)


def _title_lines(text: str, first: Line, heads: set[int]) -> list[Line]:
    """The title's lines from ``first``: markdown ``#`` lines in a row, a law and its part, or lines
    joined while the title has not reached its closing word or a closing bracket (at most four)."""
    following = list(lines(text, first.end, first.end + 400))[: _MAX_LINES - 1]
    if first.start in heads:
        taken = [first]
        for line in following:
            if line.start not in heads:
                break
            taken.append(line)
        return taken
    if following and _LAW.search(first.text) and _LAW_PART.fullmatch(following[0].text):
        return [first, following[0]]
    taken = [first]
    for line in following:
        joined = DECLARED.sub("", "".join(x.text for x in taken))
        if _unclosed(joined):
            pass   # "…实施《中华人民共和国药品管理法" goes on: "实施条例》有关规定的决定"
        elif (END_WORD.search(joined) or joined.endswith(("）", ")"))) and not _GOES_ON.match(line.text):
            break   # closed: "…（20250224）", "…（试行）" — but "…国家信息化规划" goes on: "的通知"
        if len(line.text) > _CONTINUATION_CHARS or not is_title_line(line.text) or line.start in heads:
            break
        taken.append(line)
    joined = DECLARED.sub("", "".join(x.text for x in taken))
    if len(taken) > 1 and (_unclosed(joined) or not _LAST_WORD.search(joined)):
        return [first]
    return taken


def _unclosed(title: str) -> bool:
    """Whether a 《 or （ of ``title`` is still open (a title is not closed inside a book title)."""
    return title.count("《") > title.count("》") or title.count("（") + title.count("(") > title.count("）") + title.count(")")


def _next_start(text: str, pos: int) -> int:
    """The start of the first non-blank line after ``pos`` (the body), or the end of the text."""
    return next((line.start for line in lines(text, pos, pos + 4000)), len(text))


@dataclass(frozen=True)
class Decree:
    """A 令 opening a text (GB/T 9704-2012 §10.2): ``mark`` its 发文机关标志 as one line — a joint one's bodies joined
    with 「、」, 「中华人民共和国国务院、中华人民共和国中央军事委员会令」, however many lines it was written on —,
    ``start`` where the mark begins, ``number`` its 令号 line and ``title`` the line naming the regulation it
    promulgates (or the name in the 《》 of its text), None for a 令 that names none (a 主席令 announcing an
    appointment)."""

    mark: str
    start: int
    number: Line
    title: Line | None

    @property
    def number_text(self) -> str:
        """The 令号 as one string, 「中华人民共和国主席令第十二号」, 「中华人民共和国交通运输部令2023年第5号」."""
        return "".join(f"{self.mark}{self.number.text}".split())


def decree_title(text: str, body_start: int) -> Decree | None:
    """The 令 at the start of the body, with the regulation it promulgates; None when the body opens with none.

    The body opens with a 令's 标志 ("中华人民共和国国务院令"; a joint 令's bodies on one line joined with 「、」, or
    each on a line of its own, 「令」 closing the last or alone below them), its 令号 ("第707号", "2023年第5号") and a
    line at least. The regulation it promulgates: the line X that follows a text saying "公布…《X》" or "《X》已经…通过，
    现予公布" (the X inside the 《》 when no line follows), or the title line right under the 令号 (a 令 whose body is
    the rule itself, "必须招标的工程项目规定" / "第一条…"); none for a 令 that names none (a 主席令's "根据…的决定：任命…").
    """
    first = head(text, 12, body_start)
    marked = _decree_mark([line.text for line in first[:_DECREE_MARK_LINES]])
    if not marked or len(first) < marked[1] + 2 or not _DECREE_NUMBER.fullmatch(first[marked[1]].text):
        return None
    mark, n = marked   # the 令号 on line n, what it promulgates on the lines after it
    named = next((Line(m.group("name"), line.start + m.start("name"), line.start + m.end("name"))
                  for line in first[n + 1 : n + 4] for pattern in _PROMULGATED
                  for m in [pattern.search(line.text)] if m), None)
    if named is None:
        title = first[n + 1] if _rule_title(first[n + 1].text) else None
    else:
        title = next((line for line in first[n + 2 :] if line.text == named.text), named)
    return Decree(mark, first[0].start, first[n], title)


def _rule_title(line: str) -> bool:
    """Whether ``line``, right under a 令号, is the title of the rule the 令 is: a title line ending with the name of a
    regulation's kind (规定, 办法, 条例…), not another 令."""
    return is_title_line(line) and bool(_RULE_END.search(line))


def _decree_mark(first: list[str]) -> tuple[str, int] | None:
    """A 令's 发文机关标志 opening the lines ``first`` as one line (the bodies joined with 「、」) and the number of lines
    it takes, the fewest that make one; None when they open with none."""
    for n in range(1, len(first) + 1):
        alone = first[n - 1] == "令"
        mark = "、".join(first[: n - 1 if alone else n]) + ("令" if alone else "")
        if _DECREE_HEAD.fullmatch(mark):
            return mark, n
    return None


# A note's reference mark after a word of a title line (an annotated edition's "关于辽沈战役⑴的作战方针", a web copy's
# "…的通知[1]"): ⑴…⒇, ①…⑳ or a bracketed number of one or two digits. Never the label a title starts with.
_NOTE_MARK = re.compile(rf"(?<=[{HAN}》”）)])(?<!第)(?:[\u2474-\u2487\u2460-\u2473]|[\[［〔][0-9]{{1,2}}[\]］〕])")


def without_note_marks(title: str) -> str:
    """``title`` (a title line) without the reference marks of its notes: "关于辽沈战役⑴的作战方针" → 关于辽沈战役的作战方针."""
    return _NOTE_MARK.sub("", title)


_HEADING_MARK = re.compile(r"^#+[ \t\u3000]+")


def without_heading_mark(title: str) -> str:
    """``title`` (a title line) without a markdown heading marker it opens with, ``#`` (one or more) and a space: a
    .docx, .doc or .txt whose first paragraph is 「# 关于做好防汛工作的通知」 (text copied from a markdown editor) is
    titled 关于做好防汛工作的通知. A markdown file's own headings are read as such by :func:`sucai.clean.clean`."""
    return _HEADING_MARK.sub("", title)


def as_declared(title: str, declared: Iterable[str | None]) -> str:
    """``title`` (a title line) without the exclamation marks it ends with when one of the ``declared`` titles (the
    file's own, its name's) is just that: "公文写作常见错误更正对照表！" in 公文写作常见错误更正对照表.pdf is a web
    article's emphasis, not its title. A title line no declared one names so keeps them (a slogan may end in one)."""
    bare = title.rstrip("！!")
    return bare if bare != title and bare in {d.strip() for d in declared if d} else title


def file_title(stem: str) -> str | None:
    """A title from a file name stem: numbering dropped ("003_", "2017_", but not the year of "2024年工作要点"),
    underscores as spaces; None when nothing but numbers and dates is left ("2017", "20250224")."""
    name = _FILE_NUMBERING.sub("", stem.strip()).replace("_", " ").strip()
    name = _FILE_DATE.sub("", name).strip()
    name = re.sub(r"\s+", " ", name)
    return None if _BARE.match(name) else name


_NAME_NOTE = re.compile(r"\s*[（(][^（()）]*[）)]$")   # a file name's closing note: 「（GBT 15834-2011）」, 「（修订稿）」


def unworded(line: str) -> bool:
    """Whether title line ``line`` holds no Han character: in a text read by OCR, what it made of a cover's codes and
    marks (「(zB Al3」, a standard's CCS code), never its title. Linear in the line."""
    return _WORDED.search(line) is None


def cut_short(line: str, name: str) -> bool:
    """Whether title line ``line`` is the title of the file's name ``name`` (:func:`file_title`) cut short or garbled, as
    OCR reads a scan's cover — 「标点符与」 in 标点符号用法（GBT 15834-2011）.pdf: shorter than the name without its closing
    note, it opens as the name does for half its length at least (two characters or more), and it is no title by itself
    (no 文种 or closing word ends it, :data:`_LAST_WORD`)."""
    base = _NAME_NOTE.sub("", name)
    shared = len(os.path.commonprefix([line, base]))
    return len(line) < len(base) and shared >= max(2, len(line) / 2) and not _LAST_WORD.search(line)


def report_title(text: str, start: int) -> tuple[str, int, int] | None:
    """"政府工作报告" for a text that opens with "我代表…向大会作工作报告" within its first lines,
    with the span of that phrase; None otherwise."""
    window = text[start : start + 600]
    m = _REPORT_OPENING.search(window)
    return ("政府工作报告", start + m.start(), start + m.end()) if m else None


def distinguishing_notes(rows: Sequence[Mapping]) -> list[str]:
    """What to show after each title of a result list so that equal titles can be told apart.

    ``rows`` are list entries with ``id``, ``title``, ``source`` and ``date`` (several
    entries of one document, as sections are, count once). A title shared by
    another document gets "（发文机关 · 年份）" with the parts that are known; where
    that is still shared, the full date; then "编号 N". Other titles get "".
    Returns one note per row, in order.
    """
    documents = list({row["id"]: row for row in rows}.values())
    notes: dict[int, str] = {}
    shared = {row["id"] for row, n in zip(documents, _counts([row["title"] for row in documents])) if n > 1}
    for make in (_issuer_year, _issuer_date, _with_id):
        keys = [(row["title"], make(row)) for row in documents]
        for row, (_, note), n in zip(documents, keys, _counts(keys)):
            if row["id"] in shared and row["id"] not in notes and note and n == 1:
                notes[row["id"]] = f"（{note}）"
    return [notes.get(row["id"], "") for row in rows]


def _counts(keys: list) -> list[int]:
    counted = Counter(keys)
    return [counted[key] for key in keys]


def _issuer_year(row: Mapping) -> str:
    return " · ".join(p for p in (row.get("source"), (row.get("date") or "")[:4]) if p)


def _issuer_date(row: Mapping) -> str:
    return " · ".join(p for p in (row.get("source"), row.get("date")) if p)


def _with_id(row: Mapping) -> str:
    return " · ".join(p for p in (_issuer_date(row), f"编号 {row['id']}") if p)
