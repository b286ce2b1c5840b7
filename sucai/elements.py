"""The 公文 elements of a clean text, per GB/T 9704-2012 §7 and 《党政机关公文处理工作条例》 art. 9.

:func:`find_elements` finds, in the body text of a document (the title is not
part of it), the lines that are elements of a 公文 rather than paragraphs of its
正文, as :class:`~sucai.model.Element` spans in text order:

=================  ============  =====================================================
kind               element       recognised as
=================  ============  =====================================================
issuer_mark        发文机关标志  in the 版头 (first lines), "…文件" / "…令" / "…命令" alone
                                 on its line, followed by a 发文字号 (§7.2.4, §10.2);
                                 a joint 令's bodies each on a line above "…令"
                                 or "令" alone
doc_number         发文字号      in the 版头, a whole line "机关代字〔年份〕序号号"
                                 (国发〔2019〕4号, 京政发[2020]3号), or a 令's 令号
                                 "第707号" ("2023年第5号") under a "…令" mark (§7.2.5,
                                 §10.2)
signer             签发人        in the 版头, "签发人：姓名", alone or after the
                                 发文字号 on its line (上行文, §7.2.6)
addressee          主送机关      the line after the 版头 ending in "：" (§7.3.2); with
                                 no 版头, the first line when it names organs or
                                 persons ("各科室：", not "同志们："); "主送：…" in the
                                 版记 (§7.4.2)
attachment_note    附件说明      "附件：名称" and the numbered lines "2. 名称" that
                                 continue it (§7.3.4)
issuer_signature   发文机关署名  up to three short lines right above the 成文日期 —
                                 the organs, or the 签发人职务 and name that replace
                                 them ("总理　李克强", §7.3.5.3), or the person a
                                 述职报告 or 发言 is signed by ("述职人：张某某");
                                 with no 成文日期, the last line but the 版记's
                                 when it names a body (organs.signature) under a
                                 finished paragraph
date               成文日期      a whole-line date with year, month and day
                                 (2019年1月24日, 一九九六年六月二十九日) after the
                                 正文 (a finished sentence or a 署名 above it, §7.3.5)
note               附注          the parenthesised line right under the 成文日期
                                 ("（此件公开发布）", §7.3.6)
attachment         附件          an attachment's label line "附件" / "附件2" and the
                                 title line after it; and the title line of a document
                                 that follows the 落款 unlabelled (a 印发 notice's
                                 方案, a 令's 条例) (§7.3.7)
cc                 抄送机关      "抄送：…" (also 抄报, 分送) (§7.4.2)
printer            印发机关和    "机关 2019年1月9日印发" (§7.4.3)
                   印发日期
=================  ============  =====================================================

标题 is ``Document.title``; the 正文 is every line that is not an element. An
element never spans a line break; offsets are characters of ``text``, and
``element.text == text[element.start:element.end]`` (the line without its
indentation). Every rule looks at each line a bounded number of times, so the
cost is linear in the length of the text. Never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import Element
from .organs import signature

__all__ = ["find_elements"]

_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_SPACE = " \t\u3000"
_DIGIT = "0-9０-９"
# A non-blank line; group 1 is the line without its indentation and trailing spaces.
NONBLANK_LINE = re.compile(rf"(?m)^[{_SPACE}]*([^\n{_SPACE}](?:[^\n]*[^\n{_SPACE}])?)[{_SPACE}]*$")

# How far into the text the 版头 may reach (title lines left in the body, 份号, 密级…).
_HEAD_LINES = 8
_MARK_LINES = 2   # lines of a joint 令's bodies above its 「令」
# Longest line any rule looks at (a 主送机关 of every province is ~150 characters).
_MAX_LINE = 300
_MAX_SHORT = 40

_NUMBER = rf"[A-Za-z]{{0,4}}[{_HAN}][{_HAN}A-Za-z]{{0,11}}[〔\[［【（(](?:19|20|１９|２０)[{_DIGIT}]{{2}}[〕\]］】）)]第?[{_DIGIT}]{{1,5}}号"
_DOC_NUMBER = re.compile(_NUMBER)
# a 令号: 「第707号」, 「第十二号」, or a ministry's numbered by the year, 「2023年第5号」 (gov.cn's 交通运输部令)
_ORDER_NUMBER = re.compile(rf"(?:[{_HAN}]{{2,20}}令)?(?:(?:19|20)[{_DIGIT}]{{2}}年)?"
                           rf"第(?:[{_DIGIT}]{{1,5}}|[一二三四五六七八九十百千零〇]{{1,8}})号")
_NUMBER_AND_SIGNER = re.compile(rf"(\S.*?号)[{_SPACE}]+(签发人[：:].+)")
_ISSUER_MARK = re.compile(rf"[{_HAN}、]{{2,40}}(?:文件|命令|令)")
_SIGNER = re.compile(r"签发人[：:].+")
_ADDRESSEE = re.compile(r"[^。！？；!?;]+[：:]")
_ADDRESSEE_NAME = re.compile(
    r".*(?:政府|部|部门|委|厅|局|办|室|院|会|委员会|机构|机关|单位|党委|党组|工委|组织|处|科|所|站|队|中心|公司|集团"
    r"|学校|大学|学院|医院|银行|总部|军区|兵团|支部|小组|组|厂|社|代表|委员|主席|总理|部长|省长|市长|县长|主任"
    r"|书记|校长|经理|负责人|同志|先生|女士|省|市|县|区|州|盟|旗|镇|乡|街道|村|社区)"
    r"(?:[（(][^（()）：:]{1,12}[）)])?[：:]"   # an organ named in brackets after another: 县直各单位党组（党委）
)
# The opening of a speech's salutation ("同志们：", "各位代表："), never a 主送机关.
SALUTATION = re.compile(r"(?:各位|尊敬的|同志们|亲爱的|女士们|先生们|朋友们)")
_DATE = (
    rf"(?:19|20)[{_DIGIT}]{{2}}年[{_DIGIT}]{{1,2}}月[{_DIGIT}]{{1,2}}日"
    r"|[〇零○Ｏ一二三四五六七八九]{4}年(?:十[一二]?|[一二三四五六七八九])月(?:[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])日"
)
_DATE_LINE = re.compile(_DATE)
_PRINTER = re.compile(rf"[^。；，]{{2,40}}?(?:{_DATE})印发")
_NOTE = re.compile(r"[（(][^（()）]+[）)]")
_ATTACHMENT_NUMBER = rf"[{_DIGIT}一二三四五六七八九十]{{0,3}}"
_ATTACHMENT_NOTE = re.compile(rf"附(?:件{_ATTACHMENT_NUMBER}[：:]|件[{_DIGIT}]{{1,2}}[.．、]|[：:])[^。]+")
_ATTACHMENT_LABEL = re.compile(rf"附件{_ATTACHMENT_NUMBER}[：:.．]?|附[：:]")
_ATTACHMENT_PREFIX = re.compile(rf"^附(?:件{_ATTACHMENT_NUMBER})?[：:.．、]?(?:[{_DIGIT}]{{1,2}}[.．、])?|^[{_DIGIT}]{{1,2}}[.．、]")
_WIDE_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_FIRST_ENTRY = re.compile(rf"附件?[：:]?(?P<n>[{_DIGIT}]{{1,2}})[.．、]")
_LIST_ENTRY = re.compile(rf"(?P<n>[{_DIGIT}]{{1,2}})[.．、]\S[^。]*")
_CC = re.compile(r"(?:抄送|抄报|分送)[：:].+")
_MOVED_ADDRESSEE = re.compile(r"主送[：:].+")
# A 署名: organs or a name, after the role of the person who signs a 述职报告, 汇报 or 发言 (述职人：, 报告人：…) —
# a name the writer has yet to fill in (「述职人：【待补】」, the 落款 of a drafted 述职报告, sucai.drafting.document).
_NAMES = rf"[{_HAN}·•（）()、]+"
_SIGNATURE = re.compile(rf"(?:(?:述[职责廉学]){{1,3}}|报告|汇报|发言|承诺)人[：:](?:{_NAMES}|【待补】)|{_NAMES}")
_TITLE_END = re.compile(
    r"(?:通知|方案|意见|决定|规定|办法|细则|条例|规则|预案|报告|请示|纪要|批复|函|制度|清单|名单|目录|标准|要点"
    r"|计划|规划|纲要|指标|措施|说明|表|图|坐标)$"
)
_TITLE_BAD = re.compile(r"[。，；：！？,;:!?]")
_LABEL = re.compile(r"(?:[一二三四五六七八九十]+[、．.]|[（(][一二三四五六七八九十\d]+[）)]|\d+[.．、]|第[一二三四五六七八九十百千零〇\d]+[章节条编])")
_RECORD_KINDS = ("cc", "addressee", "printer")   # the 版记's elements (§7.4), under the 落款
# What a line closing a paragraph of 正文 ends with (a 署名 or a 成文日期 may follow it).
PARAGRAPH_END = "。！？!?；;…”’\"）)"


@dataclass
class _Line:
    start: int
    end: int
    text: str  # as written, without indentation
    compact: str  # without any spaces, for matching

    def element(self, kind: str) -> Element:
        return Element(kind, self.text, self.start, self.end)


def find_elements(text: str) -> list[Element]:
    """The 公文 elements of ``text`` (a document body), in text order. See the module docstring."""
    lines = [_Line(*m.span(1), line, _squeeze(line)) for m in NONBLANK_LINE.finditer(text) for line in [m.group(1)]]
    return _Finder(lines).run()


class _Finder:
    """One pass over the lines of a text; ``found`` maps a line index to the elements on that line."""

    def __init__(self, lines: list[_Line]):
        self.lines = lines
        self.found: dict[int, list[Element]] = {}
        self.listed: set[str] = set()  # attachment names given by an 附件说明

    def run(self) -> list[Element]:
        head_end = self.head()
        compacts = [line.compact for line in self.lines[head_end:]]
        # Only a line that opens with 附 or closes with 日 (a date) can start a closing element, and one that opens
        # with 抄, 分 or 主 or closes with 印发 a 版记 element: the rules' regexes are tried on those lines alone.
        for i in _lines_where(compacts, head_end, "附", "日"):
            if i not in self.found:
                self.closing(i)
        for i in _lines_where(compacts, head_end, ("抄", "分", "主"), "印发"):
            if i not in self.found:
                self.record(i)
        self.undated_signature(head_end)
        return sorted((e for elements in self.found.values() for e in elements), key=lambda e: e.start)

    def mark(self, i: int, kind: str) -> None:
        self.found[i] = [self.lines[i].element(kind)]

    def compact(self, i: int) -> str:
        return self.lines[i].compact if 0 <= i < len(self.lines) else ""

    # ------------------------------------------------------------ 版头 and 主送机关

    def head(self) -> int:
        """Mark the 版头 elements and the 主送机关; return the index of the first line after them."""
        marks, last = [], -1
        for i, line in enumerate(self.lines[:_HEAD_LINES]):
            compact = line.compact
            if len(compact) > _MAX_SHORT + 20:
                break
            if _ISSUER_MARK.fullmatch(compact) and "关于" not in compact or compact == "令":
                k = i - 1
                while compact.endswith("令") and k >= max(i - _MARK_LINES, 0) and signature(self.lines[k].text):
                    marks.append(k)   # a joint 令's bodies above it, each on a line of its own (§10.2)
                    k -= 1
                marks.append(i)
            elif _DOC_NUMBER.fullmatch(compact) or (_ORDER_NUMBER.fullmatch(compact) and (i == 0 or marks[-1:] == [i - 1])):
                self.mark(i, "doc_number")
                last = i
            elif (both := _NUMBER_AND_SIGNER.fullmatch(line.text)) and _DOC_NUMBER.fullmatch(_squeeze(both[1])):
                self.found[i] = [_part(line, both, 1, "doc_number"), _part(line, both, 2, "signer")]
                last = i
            elif last >= 0 and _SIGNER.fullmatch(compact):
                self.mark(i, "signer")
                last = i
            elif last >= 0:
                break
        for i in marks:
            if i < last:
                self.mark(i, "issuer_mark")
        start = last + 1
        if _is_addressee(self.compact(start), after_head=last >= 0):
            self.mark(start, "addressee")
            start += 1
        return start

    # ------------------------------------------------------------ 落款: 署名, 成文日期, 附注, 附件

    def closing(self, i: int) -> None:
        """Elements that line ``i`` starts: a 成文日期 (with its 署名 and 附注), an 附件说明 or an 附件."""
        compact = self.compact(i)
        if _DATE_LINE.fullmatch(compact):
            self.date_block(i)
        elif _ATTACHMENT_LABEL.fullmatch(compact):
            if compact[-1] in "：:" and _LIST_ENTRY.fullmatch(self.compact(i + 1)):
                self.attachment_note(i)
            else:
                self.mark(i, "attachment")
                self.attachment_title(i + 1)
        elif _ATTACHMENT_NOTE.fullmatch(compact):
            if _ATTACHMENT_PREFIX.sub("", compact) in self.listed:  # "附件1：名称" heading a listed attachment
                self.mark(i, "attachment")
            else:
                self.attachment_note(i)

    def date_block(self, i: int) -> None:
        """A date line is a 成文日期 when a finished paragraph (or an 附件说明) stands above it,
        directly or above up to three 署名 lines."""
        signatures = 0
        while signatures < 3 and self.is_signature(i - signatures - 1):
            signatures += 1
        while signatures >= 0 and not self.ends_text(i - signatures - 1):
            signatures -= 1
        if signatures < 0:
            return
        for k in range(i - signatures, i):
            self.mark(k, "issuer_signature")
        self.mark(i, "date")
        after = i + 1
        if len(self.compact(after)) <= 100 and _NOTE.fullmatch(self.compact(after)):
            self.mark(after, "note")
            after += 1
        if after < len(self.lines) and not _ATTACHMENT_LABEL.fullmatch(self.compact(after)):
            self.attachment_title(after, unlabelled=True)

    def undated_signature(self, first: int) -> None:
        """A 落款 with no 成文日期 (a 事务文书 signed by its unit alone, a date lost in copying): the last line of the
        text from line ``first`` but the 版记's, when a body's name (:func:`sucai.organs.signature`, the rule that gives
        the metadata its 来源) under a line closing the 正文, is the 发文机关署名."""
        i = len(self.lines) - 1
        while i >= first and i in self.found and self.found[i][0].kind in _RECORD_KINDS:
            i -= 1
        if i > first and i not in self.found and self.ends_text(i - 1) and signature(self.lines[i].text):
            self.mark(i, "issuer_signature")

    def is_signature(self, i: int) -> bool:
        compact = self.compact(i)
        return (i not in self.found and 2 <= len(compact) <= _MAX_SHORT and bool(_SIGNATURE.fullmatch(compact))
                and not _LABEL.match(compact))

    def ends_text(self, i: int) -> bool:
        """Whether line ``i`` closes the 正文 (or its 附件说明) above a 落款."""
        if i < 0:
            return False
        if i in self.found:
            return self.found[i][-1].kind == "attachment_note"
        return self.compact(i)[-1] in PARAGRAPH_END

    def attachment_note(self, i: int) -> None:
        """The 附件说明 line ``i`` and the numbered lines (2. 3. …) that continue its list."""
        self.mark(i, "attachment_note")
        self.listed.add(_ATTACHMENT_PREFIX.sub("", self.compact(i)))
        m = _FIRST_ENTRY.match(self.compact(i))
        expected, k = (_number(m) + 1 if m else 1), i + 1
        while (entry := _LIST_ENTRY.fullmatch(self.compact(k))) and _number(entry) == expected:
            self.mark(k, "attachment_note")
            self.listed.add(_ATTACHMENT_PREFIX.sub("", self.compact(k)))
            expected, k = expected + 1, k + 1

    def attachment_title(self, i: int, unlabelled: bool = False) -> None:
        """The title of an attachment at line ``i``: one line, or up to three when the first ones do
        not end in a 文种 word ("关于…的确定" + "和…工作意见的报告"). Only with text after it;
        without an "附件" label above it, only a title that ends in a 文种 word (方案, 条例…)."""
        k = i
        while k < i + 2 and _is_title(self.compact(k)) and not _TITLE_END.search(self.compact(k)):
            k += 1
        if not _TITLE_END.search(self.compact(k)):
            if unlabelled:
                return
            k = i
        if k + 1 >= len(self.lines) or not all(_is_title(self.compact(j)) and not _is_record(self.compact(j))
                                                for j in range(i, k + 1)):
            return
        for j in range(i, k + 1):
            self.mark(j, "attachment")

    # ------------------------------------------------------------ 版记

    def record(self, i: int) -> None:
        """A 版记 element on line ``i``: 抄送机关, a 主送机关 moved there, 印发机关和印发日期."""
        compact = self.compact(i)
        if _CC.fullmatch(compact):
            self.mark(i, "cc")
        elif _MOVED_ADDRESSEE.fullmatch(compact):
            self.mark(i, "addressee")
        elif compact.endswith("印发") and _PRINTER.fullmatch(compact):  # the test first: most lines end otherwise
            self.mark(i, "printer")


def _lines_where(compacts: list[str], first: int, opening: str | tuple[str, ...], closing: str) -> list[int]:
    """The numbers (``first`` for ``compacts[0]``) of the lines of at most :data:`_MAX_LINE` characters that open
    with ``opening`` or close with ``closing``, in order."""
    return [number for number, compact in enumerate(compacts, first)
            if (compact.startswith(opening) or compact.endswith(closing)) and len(compact) <= _MAX_LINE]


def _squeeze(line: str) -> str:
    """``line`` without any of the spaces of :data:`_SPACE` (three replacements: a regex per line cost more)."""
    return line.replace(" ", "").replace("\t", "").replace("\u3000", "")


def _part(line: _Line, match: re.Match[str], group: int, kind: str) -> Element:
    return Element(kind, match.group(group), line.start + match.start(group), line.start + match.end(group))


def _is_addressee(compact: str, after_head: bool) -> bool:
    if len(compact) > _MAX_LINE or not _ADDRESSEE.fullmatch(compact) or compact.startswith("签发人"):
        return False
    if not after_head and (len(compact) > 100 or SALUTATION.match(compact)):
        return False
    return "如下" not in compact and bool(_ADDRESSEE_NAME.fullmatch(compact))


def _number(entry: re.Match[str]) -> int:
    return int(entry.group("n").translate(_WIDE_DIGITS))


def _is_title(compact: str) -> bool:
    """A line that can be a title: short, no clause punctuation, not numbered, not a date."""
    return (2 <= len(compact) <= 60 and not _TITLE_BAD.search(compact) and not _LABEL.match(compact)
            and not _DATE_LINE.fullmatch(compact) and not _NOTE.fullmatch(compact))


def _is_record(compact: str) -> bool:
    return bool(_CC.fullmatch(compact) or _MOVED_ADDRESSEE.fullmatch(compact) or _PRINTER.fullmatch(compact))
