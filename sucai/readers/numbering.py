"""Word automatic numbering (ECMA-376 Part 1 §17.9, numbering.xml) rendered back into text.

Word stores a numbered paragraph's label ("一、", "（一）", "第一条", "1.") not in
the text but as a reference (numId, ilvl) to a level definition (numFmt,
lvlText, start). ``Numbering`` replays the counters in document order so the
reader can put the labels back. Counters belong to the abstract list, as in Word:
two w:num sharing an abstractNum continue one sequence unless a
lvlOverride/startOverride restarts it. A level restarts when a shallower level
advances (the default w:lvlRestart).

A hostile numbering part cannot make a label long or slow: levels are 0–8 only (Word loads no other, [MS-OI29500]
§2.1.280), a list starts at 0 to :data:`MAX_START`, a label's template is at most :data:`MAX_TEMPLATE` characters
and a number in letters or Roman numerals no longer than it — a 3 kB .docx whose list started at 10⁷ in letters
read as 69 M characters, one starting below 0 in Chinese numerals never ended (RecursionError) —, and a label is at
most :data:`MAX_LABEL` characters, each level's number in it written once: a template of 25 numbers of 50 letters
made 1,250 characters a paragraph, a 100 kB .docx of 100,000 numbered paragraphs 125 M characters in 10 s of CPU.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cache, cached_property

from docx.document import Document as DocxDocument
from docx.oxml.ns import qn

_CN_DIGITS = "零一二三四五六七八九"
_CN_UNITS = "十百千"
_LEGAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_LEGAL_UNITS = "拾佰仟"
_STEMS = "甲乙丙丁戊己庚辛壬癸"
_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
          (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))
_WORDLIKE_END = re.compile(r"[0-9A-Za-z\u3400-\u9fff]$")  # "第一条" / "Article 1" take a space; "一、" "①" do not
MAX_START = 32_767   # the largest start of a list (w:start, w:startOverride) read as given; a larger one is read as it
MAX_TEMPLATE = 50    # characters of a level's label template (w:lvlText) read; a 公文's are a few ("第%1条", "（%1）")
# characters of a label: a template's with a number or two in it, a 公文's a few (「第一百二十三条」). An empty numbered
# paragraph is ~90 bytes of markup, so a label gives no more characters per byte of the file than a run's own text
MAX_LABEL = 2 * MAX_TEMPLATE
_PLACEHOLDER = re.compile(r"%([1-9])")   # %1–%9 in a template: the number of level 0–8
_LEVELS = range(9)   # ilvl 0–8
_ENCLOSED = {"decimalEnclosedCircle": 0x2460, "decimalEnclosedCircleChinese": 0x2460,
             "decimalEnclosedParen": 0x2474, "decimalEnclosedFullstop": 0x2488}


def _below_10000(n: int, digits: str, units: str) -> str:
    parts: list[str] = []
    pending_zero = False
    for power, unit in ((1000, units[2]), (100, units[1]), (10, units[0]), (1, "")):
        digit = n // power % 10
        if digit:
            parts.append((digits[0] if pending_zero else "") + digits[digit] + unit)
            pending_zero = False
        elif parts:
            pending_zero = True
    return "".join(parts)


def chinese_number(n: int, digits: str = _CN_DIGITS, units: str = _CN_UNITS, short_ten: bool = True) -> str:
    """Write a non-negative integer in Chinese numerals: 1 → 一, 11 → 十一, 20 → 二十, 105 → 一百零五, 10010 → 一万零一十.

    ``short_ten`` writes 10–19 as 十… (chineseCounting); the legal form
    (``digits=_LEGAL_DIGITS``) keeps 壹拾壹.
    """
    if n == 0:
        return digits[0]
    high, low = divmod(n, 10000)
    if high:
        rest = (digits[0] if 0 < low < 1000 else "") + (_below_10000(low, digits, units) if low else "")
        return chinese_number(high, digits, units, short_ten) + "万" + rest
    text = _below_10000(n, digits, units)
    return text[1:] if short_ten and 10 <= n < 20 else text


def roman_number(n: int) -> str:
    """Lower-case Roman numeral for 1 ≤ n < 4000 (4 → "iv"); another ``n`` in decimal."""
    if not 1 <= n < 4000:
        return str(n)
    out = []
    for value, letters in _ROMAN:
        count, n = divmod(n, value)
        out.append(letters * count)
    return "".join(out)


def letter_number(n: int) -> str:
    """Word's lowerLetter sequence: 1 → a, 26 → z, 27 → aa, 28 → bb; at most :data:`MAX_TEMPLATE` letters."""
    return chr(ord("a") + (n - 1) % 26) * min((n - 1) // 26 + 1, MAX_TEMPLATE)


def _enclosed(base: int, n: int) -> str:
    return chr(base + n - 1) if 1 <= n <= 20 else str(n)


_FORMATS = {
    "decimal": str,
    "decimalZero": lambda n: f"{n:02d}",
    "chineseCounting": chinese_number,
    "chineseCountingThousand": chinese_number,
    "japaneseCounting": chinese_number,
    "taiwaneseCounting": chinese_number,
    "taiwaneseCountingThousand": chinese_number,  # what LibreOffice writes for 一、二、… after a .doc round trip
    "chineseLegalSimplified": lambda n: chinese_number(n, _LEGAL_DIGITS, _LEGAL_UNITS, short_ten=False),
    "ideographDigital": lambda n: "".join(_CN_DIGITS[int(d)] for d in str(n)),
    "ideographTraditional": lambda n: _STEMS[(n - 1) % 10],
    "ideographZodiac": lambda n: _BRANCHES[(n - 1) % 12],
    "lowerLetter": letter_number,
    "upperLetter": lambda n: letter_number(n).upper(),
    "lowerRoman": roman_number,
    "upperRoman": lambda n: roman_number(n).upper(),
    "none": lambda n: "",
    **{name: (lambda n, base=base: _enclosed(base, n)) for name, base in _ENCLOSED.items()},
}


def format_number(n: int, num_fmt: str) -> str:
    """Render counter ``n`` in the OOXML ST_NumberFormat ``num_fmt``; unknown formats fall back to decimal."""
    return _FORMATS.get(num_fmt, str)(n)


@dataclass(frozen=True)
class Level:
    """One w:lvl: number format, label template ("%1、"), start value, suffix and isLgl."""

    num_fmt: str = "decimal"
    text: str = "%1."
    start: int = 1
    suffix: str = "tab"
    legal: bool = False

    @cached_property
    def pieces(self) -> tuple[str | int, ...]:
        """The template as its text and the levels whose numbers fill it, in order: "第%1条" → ("第", 0, "条")."""
        split = _PLACEHOLDER.split(self.text)   # text, digit, text, digit, …, text
        return tuple(int(piece) - 1 if n % 2 else piece for n, piece in enumerate(split) if piece)


@dataclass(frozen=True)
class NumDef:
    """One w:num: its abstract list and the levels its lvlOverride elements replace."""

    abstract_id: str
    overrides: dict[int, Level] = field(default_factory=dict)


_name = cache(qn)   # a tag's qualified name ("w:numId" → "{…/main}numId"), made once: every paragraph looks up four


def _val(element, tag: str) -> str | None:
    child = element.find(_name(tag)) if element is not None else None
    return child.get(_name("w:val")) if child is not None else None


def _int(value: str | None, default: int | None) -> int | None:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _level(lvl, base: Level = Level()) -> Level:
    return Level(
        num_fmt=_val(lvl, "w:numFmt") or base.num_fmt,
        text=(_val(lvl, "w:lvlText") or "")[:MAX_TEMPLATE] if lvl.find(qn("w:lvlText")) is not None else base.text,
        start=_start(_val(lvl, "w:start"), base.start),
        suffix=_val(lvl, "w:suff") or base.suffix,
        legal=lvl.find(qn("w:isLgl")) is not None and _val(lvl, "w:isLgl") not in ("0", "false"),
    )


def _start(value: str | None, default: int | None) -> int | None:
    """A list's start as read (``default`` when none), within 0–:data:`MAX_START`."""
    start = _int(value, default)
    return None if start is None else min(max(start, 0), MAX_START)


def _levels(parent) -> dict[int, Level]:
    return {ilvl: _level(lvl) for lvl in parent.findall(qn("w:lvl"))
            if (ilvl := _int(lvl.get(qn("w:ilvl")), 0)) in _LEVELS}


def _num_def(num, abstract: dict[str, dict[int, Level]]) -> NumDef:
    abstract_id = _val(num, "w:abstractNumId") or ""
    base = abstract.get(abstract_id, {})
    overrides = {}
    for override in num.findall(qn("w:lvlOverride")):
        ilvl = _int(override.get(qn("w:ilvl")), 0)
        if ilvl not in _LEVELS:
            continue
        lvl = override.find(qn("w:lvl"))
        level = _level(lvl, base.get(ilvl, Level())) if lvl is not None else base.get(ilvl, Level())
        start = _start(_val(override, "w:startOverride"), None)
        overrides[ilvl] = replace(level, start=start) if start is not None else level
    return NumDef(abstract_id, overrides)


def _style_numbering(document: DocxDocument) -> dict[str, tuple[str | None, str | None]]:
    """styleId → (numId, ilvl) of each paragraph style: its own, else the first its basedOn chain gives — each style
    resolved once, so that a paragraph looks its style up rather than walking the chain (4,000 chained styles took
    2 s to read, 40,000 would take minutes). The styles of a loop of basedOn, which no editor writes, take their own."""
    own = {}
    for style in document.styles.element.findall(qn("w:style")):
        num_pr = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        own[style.get(qn("w:styleId"))] = (_val(num_pr, "w:numId"), _val(num_pr, "w:ilvl"), _val(style, "w:basedOn"))
    resolved: dict[str, tuple[str | None, str | None]] = {}
    for style_id in own:
        chain, at = {}, style_id   # the styles along the chain not resolved yet, in order
        while at in own and at not in resolved and at not in chain:
            chain[at] = None
            at = own[at][2]
        links = list(chain)
        if at in chain:   # a loop: the styles from where the chain came back
            loop = links.index(at)
            resolved.update((link, own[link][:2]) for link in links[loop:])
            links = links[:loop]
        num_id, ilvl = resolved.get(at, (None, None))
        for link in reversed(links):
            num_id, ilvl = own[link][0] or num_id, own[link][1] or ilvl
            resolved[link] = (num_id, ilvl)
    return resolved


class Numbering:
    """Replays a document's list counters; call ``label`` for each paragraph in document order."""

    def __init__(self, document: DocxDocument):
        """Read numbering.xml and styles.xml of a python-docx Document (a document without numbering is fine)."""
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError):
            root = None
        abstract = {}
        nums = {}
        if root is not None:
            abstract = {a.get(qn("w:abstractNumId")): _levels(a) for a in root.findall(qn("w:abstractNum"))}
            nums = {n.get(qn("w:numId")): _num_def(n, abstract) for n in root.findall(qn("w:num"))}
        self._abstract = abstract
        self._nums = nums
        self._styles = _style_numbering(document) if nums else {}
        self._counters: dict[str, dict[int, int]] = {}
        self._started: set[str] = set()

    def _reference(self, p) -> tuple[str, int] | None:
        """(numId, ilvl) of a w:p, from its own w:numPr or its paragraph style chain; None when unnumbered."""
        p_pr = p.find(_name("w:pPr"))
        num_pr = p_pr.find(_name("w:numPr")) if p_pr is not None else None
        num_id, ilvl = _val(num_pr, "w:numId"), _val(num_pr, "w:ilvl")
        style_num, style_ilvl = self._styles.get(_val(p_pr, "w:pStyle"), (None, None))
        num_id, ilvl = num_id or style_num, ilvl or style_ilvl
        if num_id is None or num_id == "0" or num_id not in self._nums:
            return None
        return num_id, _int(ilvl, 0)

    def label(self, p) -> str:
        """The rendered label of w:p element ``p`` ("一、", "（一）", "①", "第三条 "), "" when it is not numbered.

        A label ending in a letter, digit or Han character is followed by one
        space (unless w:suff is "nothing"); one ending in punctuation is not.

        Advances the counters, so call it once per paragraph, in document order.
        Bullets give "" (the bullet glyph is dropped).
        """
        reference = self._reference(p)
        if reference is None:
            return ""
        num_id, ilvl = reference
        num = self._nums[num_id]
        levels = {**self._abstract.get(num.abstract_id, {}), **num.overrides}
        level = levels.get(ilvl)
        if level is None:
            return ""
        counters = self._counters.setdefault(num.abstract_id, {})
        if num_id not in self._started:
            self._started.add(num_id)
            for restarted in [k for k in counters if num.overrides and k >= min(num.overrides)]:
                del counters[restarted]
        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else level.start
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if level.num_fmt == "bullet":
            return ""
        return self._render(level, levels, counters)

    @staticmethod
    def _render(level: Level, levels: dict[int, Level], counters: dict[int, int]) -> str:
        numbers: dict[int, str] = {}   # each level's number written once, however often the template names it
        for piece in level.pieces:
            if isinstance(piece, int) and piece not in numbers:
                ref = levels.get(piece, Level())
                numbers[piece] = format_number(counters.get(piece, ref.start), "decimal" if level.legal else ref.num_fmt)
        text = "".join(numbers[piece] if isinstance(piece, int) else piece for piece in level.pieces)[:MAX_LABEL]
        spaced = level.suffix != "nothing" and _WORDLIKE_END.search(text)
        return text + " " if spaced else text
