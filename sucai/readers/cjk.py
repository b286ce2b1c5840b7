"""CJK character classes and the CJK-space rule shared by the readers.

"CJK" here means Han ideographs (URO, Ext. A–G, compatibility), CJK symbols and
punctuation (U+3001–U+303F), full-width forms (U+FF01–U+FF60, U+FFE0–U+FFEE) and
the general punctuation Chinese text uses (— … “ ” ‘ ’ ·).
"""

from __future__ import annotations

import re

CJK_CLASS = (
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
    "\u3001-\u303f\uff01-\uff60\uffe0-\uffee"
    "\u2014\u2026\u201c\u201d\u2018\u2019\u00b7"
)
_CJK = re.compile(f"[{CJK_CLASS}]")
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_LEVEL = r"\.[^\S\n]?\d{1,2}"   # a level of a clause number after its first: ".2", ". 1" (glyphs set apart)
_TITLE = rf"[{_HAN}][^\n。，；：！？,;:!?]{{0,40}}$"   # the rest of a title line: Han first, no clause punctuation
# horizontal whitespace with a CJK character on one side and any visible character on the other
_GAP = f"(?<=[{CJK_CLASS}])[^\\S\\n]+(?=\\S)|(?<=\\S)[^\\S\\n]+(?=[{CJK_CLASS}])"
# a text that numbers its clauses (GB/T 1.1): a line opens with a number of three levels or more, written without a
# gap, before a title ("5.2.1 页边与版心尺寸"), which no quantity or list item is ("12.5 万人", "2. 3.5 亿元" may be)
_CLAUSE_TEXT = re.compile(rf"^\d{{1,2}}(?:\.\d{{1,2}}){{2,}}[^\S\n]+(?={_TITLE})", re.MULTILINE)
# the gaps, and a number alone on its line, closed ("3. 1"); in a text that numbers its clauses also a clause number
# opening a title line, closed, with the gap before its title kept as one space ("5. 1 幅面尺寸" → "5.1 幅面尺寸"), a
# 章's ("1 范围") and an 附录's ("A. 1 幅面" → "A.1 幅面") too; and a term entry's (GB/T 1.1-2020 §8.5: its number
# alone on a line, then the term and its English equivalent) gap between the term and the English kept ("字 word")
_SPACE_BY_CJK = re.compile(rf"^(?P<clause>\d{{1,2}}(?:{_LEVEL})+)$|{_GAP}", re.MULTILINE)
_CLAUSE_NUMBER = rf"(?:\d{{1,2}}(?:{_LEVEL})*|[A-Z](?:{_LEVEL})+)"
_SPACE_BY_CJK_IN_CLAUSES = re.compile(
    rf"^(?P<term_number>\d{{1,2}}(?:{_LEVEL})+)(?P<term>\n[{_HAN}]{{1,20}})[^\S\n]+(?=[A-Za-z][A-Za-z -]*$)"
    rf"|^(?P<clause>{_CLAUSE_NUMBER})(?:[^\S\n]+(?={_TITLE})|$)|{_GAP}", re.MULTILINE)


def is_cjk(char: str) -> bool:
    """True when the one-character string ``char`` is a CJK character or CJK punctuation."""
    return bool(_CJK.fullmatch(char))


def remove_cjk_spaces(text: str) -> str:
    """Remove horizontal whitespace between a CJK character and any other visible character.

    For text laid out on a page (PDF, OCR), where such spaces are gaps of the
    layout, not typed characters: spacing between Han characters ("农业用 水定额"
    → "农业用水定额", case B16) and Word's quarter-em gap or "pangu" spacing at
    Han/Latin and Han/digit boundaries ("全市 2023 年 … 增长 5.2% ，完成 GDP 目标"
    → "全市2023年…增长5.2%，完成GDP目标", case B31). A space between two
    non-CJK characters ("hello world", "DB41/T 958") is kept; line breaks are
    never removed; a number alone on its line is closed ("3. 1" → "3.1"). In a
    text that numbers its clauses (a line opens with a number of three levels or
    more, without a gap, before a title), a clause number opening a title line
    keeps the gap before the title, which tells the outline it is a label:
    "5.2.1 页边与版心尺寸" and "5.1 幅面尺寸" stay, "5. 1 幅面尺寸" → "5.1 幅面尺寸"
    (a GB/T 9704 PDF's headings had become "5.2.1页边与版心尺寸", which no outline
    rule reads as numbered); so do a 章's "1 范围" and an 附录's "A.1 …", and a
    term entry keeps the gap between its term and English equivalent ("3. 1\n字 word"
    → "3.1\n字 word", GB/T 1.1-2020 §8.5). Elsewhere a number opening a line is a quantity or a
    list item like any other: "12.5 万人" → "12.5万人", "3. 5 亿元" → "3. 5亿元".
    """
    spaces = _SPACE_BY_CJK_IN_CLAUSES if _CLAUSE_TEXT.search(text) else _SPACE_BY_CJK
    return spaces.sub(_kept, text)


def _kept(m: re.Match[str]) -> str:
    groups = m.groupdict()
    if groups.get("term"):
        return "".join(groups["term_number"].split()) + groups["term"] + " "
    clause = groups["clause"]
    if clause is None:
        return ""
    number = "".join(clause.split())
    return number + " " if m.end() > m.end("clause") else number


def join_fragments(before: str, after: str) -> str:
    """Join two pieces of one paragraph: directly when either side of the seam is CJK, else with one space."""
    if not before or not after:
        return before + after
    if is_cjk(before[-1]) or is_cjk(after[0]):
        return before + after
    return f"{before} {after}"
