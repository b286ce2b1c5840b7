"""Word (.docx) export laid out to GB/T 9704-2012 《党政机关公文格式》.

What the standard fixes and where this module does it:

- §5.2.1 paper A4, 210 mm × 297 mm; §5.2.2 type area 156 mm × 225 mm with top
  margin (天头) 37 mm and left margin (订口) 28 mm, hence bottom 35 mm, right 26 mm.
- §5.2.4 22 lines of 28 characters, filling the type area. Lines: a lines-only
  document grid (``w:docGrid type="lines"``) whose pitch is the type-area
  height / 22, plus a fixed ("exact") line spacing of the same pitch (python-docx
  has no API for the grid, so that element is written directly). Characters:
  every run of the body is condensed (``w:spacing``, see :func:`grid_pitches`)
  so that 28 characters of 3号 fit the 156 mm line and 29 do not. A character
  grid (``type="linesAndChars"`` with a negative ``w:charSpace``) would say the
  same to Word, but LibreOffice 7.4 gives each CJK character two grid cells of
  that pitch and shows only 12–14 characters a line; run spacing is read the
  same way by Word, WPS and LibreOffice (added after every character).
- §7.3.1 title in 2号 (22 pt) 小标宋, centred, followed by one empty line; a
  title longer than a line is broken between words into a 梯形 or 菱形
  (:mod:`sucai.export.title`).
- §7.2 the 版头 — the text's, else, when the document's metadata knows both, one made of them (the text
  has none when :func:`sucai.outline.analyse` left it above the title: :func:`_metadata_masthead`) —:
  发文机关标志 centred in red 小标宋, its top
  edge 35 mm below the type area's (a 命令（令）'s 20 mm, §10.2), the
  发文字号 centred two lines below it (a 上行文's 发文字号 left and 签发人 right,
  each one character in), a red rule 4 mm under it and the title two lines
  below; a 发文字号 alone is centred above the title.
- §7.3.2 主送机关 顶格 (no indent), and so a speech's or report's 称谓 on its own line ("各位代表：",
  "同志们：", :data:`sucai.elements.SALUTATION`), as they are printed; §7.3.4 附件说明 one line below the body,
  two characters in, a name too long for its line wrapping under its own first character and each further
  numbered name under the first one's number;
  §7.3.5.2 发文机关署名 one line below, right-aligned two characters in, and the
  成文日期 under it starting two characters right of the 署名's first character
  (the 署名 moving left when the date is longer), never alone on a page: the paragraph before the 落款 is kept
  with it (与下段同页, ``keep_with_next``); §7.3.6 附注 two characters in;
  §7.3.7 an 附件 on a new page, its label "附件1" 顶格 in 黑体 and its title
  centred like a title; §7.4 版记 (抄送机关, 印发机关和印发日期) after the 附件, at
  the foot of the last page (a text box whose bottom is the type area's), in 4号,
  one character in on both sides, 抄送's wrapped lines under the first character
  after 「抄送：」, between rules as wide as the type area, the 印发日期 right-aligned.
  These are the lines that ``Document.elements`` marks (see :mod:`sucai.export.blocks`).
- the 题注 of a speech, a report or a law — the lines between its title and its text that say when, where and
  by whom it was given or adopted: "——2024年3月5日在第十四届全国人民代表大会第二次会议上" and the
  speaker under it ("国务院总理　李强"), "（一九四二年五月）", "2008年1月31日 中华人民共和国国务院令第517号公布" —
  centred in 楷体 as they are printed (the standard has none: a 公文 opens with its 主送机关 or text), one
  empty line under the last: the lines :func:`sucai.metadata.title_notes` reads with a 题注's shape, the one
  reading the metadata and the 写作台 use too.
- §7.3.3 body in 3号 (16 pt) 仿宋, each paragraph indented two characters;
  structure levels 一、 in 黑体, （一） in 楷体, 1. and （1） in the body font.
  The font follows the numbering as written, not the depth in the outline (a
  通知 whose attached 方案 title is the top heading still sets 一、 in 黑体):
  第X编/章/部分 like 一、, 第X节 like （一）; an article's 第X条 label alone
  is in the 一、 font and its sentence in the body font, and a 编, 章 or 节 heading
  on its own line is centred, as laws are printed; an unnumbered heading takes
  the font of its depth. Labels stay in the text as written, never Word
  automatic numbering.
- §7.5 page numbers in 4号 (14 pt) 宋体 Arabic digits between em dashes
  ("— 1 —"), the dash line 7 mm below the type area; odd pages right and even
  pages left, one character in from the edge of the type area.

Every style and every run names its font for East Asian text (``w:eastAsia``)
as well as for Latin text, otherwise Word falls back to 宋体 for Chinese. The
font table declares each font with its fallback (:mod:`sucai.export.fonts`);
text is marked as zh-CN. Widow and orphan control is off (every page holds its
22 lines, §5.2.4); a heading on its own line is kept with the next line.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from itertools import accumulate
from datetime import UTC, datetime

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Length, Mm, Pt, RGBColor, Twips
from docx.styles.style import ParagraphStyle
from docx.text.font import Font
from docx.text.paragraph import Paragraph
from lxml import etree

from ..elements import SALUTATION
from ..metadata import dates, title_notes
from ..model import Document, walk_outline
from .blocks import Block, attachment_label, in_record, with_notice
from .fonts import FALLBACKS, family
from .template import PAGE_HEIGHT_MM, PAGE_WIDTH_MM, blank_document
from .title import em_width, title_lines

# GB/T 9704-2012 §5.2.2, in millimetres (§5.2.1's A4 page: blank_document).
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
# §7.2.4: the 发文机关标志's top edge 35 mm below the type area's; a 命令（令）'s 20 mm (§10.2).
MARK_DROP_MM, ORDER_MARK_DROP_MM = 35, 20
# §7.5: the em-dash line of the page number sits 7 mm below the type area.
PAGE_NUMBER_GAP_MM = 7
_TWIPS_PER_MM = 1440 / 25.4
# Longest text of a core property (docProps/core.xml) that python-docx writes.
CORE_PROPERTY_CHARS = 255
_THEME_FONT_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
# Paragraph properties of Word's built-in Title/Heading styles worth keeping.
_KEPT_STYLE_PPR = {qn("w:keepNext"), qn("w:outlineLvl")}
# Heading labels (as sucai.outline writes them) → the structure level whose font they take.
_CN_NUM = "〇零一二三四五六七八九十百千两"
_LABEL_RANKS = (
    (re.compile(rf"第[{_CN_NUM}\d]+(?:分编|编|章|部分)"), 1),
    (re.compile(rf"第[{_CN_NUM}\d]+节"), 2),
    (re.compile(rf"[{_CN_NUM}]+[、．]"), 1),
    (re.compile(rf"[（(][{_CN_NUM}]+[）)]"), 2),
)
_ARTICLE = re.compile(rf"第[{_CN_NUM}\d]+条")
# A law's or a 规章's divisions, whose headings are centred as they are printed (not a 方案's 第X部分).
_DIVISION = re.compile(rf"第[{_CN_NUM}\d]+(?:分编|编|章|节)")
# Elements that follow w:pBdr in a paragraph's properties (CT_PPr sequence, ECMA-376 §17.3.1.26).
_AFTER_BORDERS = tuple(
    f"w:{tag}"
    for tag in (
        "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct", "topLinePunct",
        "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind",
        "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection", "textAlignment",
        "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange",
    )
)  # fmt: skip
# Elements that follow w:spacing in a run's properties (CT_RPr sequence, ECMA-376 §17.3.2.28).
_AFTER_SPACING = tuple(
    f"w:{tag}"
    for tag in (
        "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText",
        "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath",
    )
)  # fmt: skip


@dataclass(frozen=True)
class DocxStyle:
    """House style for the .docx export; the defaults are GB/T 9704-2012.

    Font names are as installed on the reader's machine (Word substitutes a
    missing font). Sizes are in points: 二号 = 22, 三号 = 16, 四号 = 14.
    """

    title_font: str = "方正小标宋简体"
    body_font: str = "仿宋_GB2312"
    level1_font: str = "黑体"
    level2_font: str = "楷体_GB2312"
    page_number_font: str = "宋体"
    title_size: float = 22
    body_size: float = 16
    page_number_size: float = 14
    lines_per_page: int = 22
    chars_per_line: int = 28

    def heading_font(self, level: int) -> str:
        """Font of a heading of structure level ``level`` (1 = 一、, 2 = （一）); 3 and deeper use the body font."""
        return {1: self.level1_font, 2: self.level2_font}.get(level, self.body_font)


def grid_pitches(style: DocxStyle) -> tuple[int, int]:
    """``(line_pitch, char_spacing)`` for ``style`` (GB/T 9704-2012 §5.2.4), both in twips (1/20 pt).

    ``line_pitch`` is the type-area height divided by ``lines_per_page``, rounded
    down so that all the lines fit (225 mm / 22 → 579 twips = 28.95 pt).
    ``char_spacing`` is the ``w:spacing`` of a run: what Word, WPS and
    LibreOffice add after every character (negative = condensed). It is the
    character pitch minus the body font size, rounded down so that
    ``chars_per_line`` characters fit the type-area width: 156 mm = 442.205 pt,
    / 28 = 15.793 pt, − 16 pt = −0.207 pt = −4.14 twips → −5 (−0.25 pt), so
    28 characters take 441 pt and 29 would take 456.75 pt.
    """
    height_mm = PAGE_HEIGHT_MM - MARGINS_MM["top"] - MARGINS_MM["bottom"]
    width_mm = PAGE_WIDTH_MM - MARGINS_MM["left"] - MARGINS_MM["right"]
    line_pitch = math.floor(height_mm * _TWIPS_PER_MM / style.lines_per_page)
    char_pitch = width_mm * _TWIPS_PER_MM / style.chars_per_line
    return line_pitch, math.floor(char_pitch - style.body_size * 20)


def to_docx(doc: Document, notice: str | None = None, style: DocxStyle | None = None) -> bytes:
    """The document as .docx bytes laid out to GB/T 9704-2012 (see the module docstring).

    Paragraphs are the non-empty lines of ``doc.text``; lines that are 公文
    elements (``doc.elements``) are placed as the standard says, the 版头's
    (发文机关标志, 发文字号, 签发人) above the title when they open the text. The
    title printed again at the head of the text (a law's 「中华人民共和国境外非政府组织」
    / 「境内活动管理法」 under its title) is left out: the title stands above it.
    ``notice`` becomes a body paragraph where the members part was left out
    (:func:`~sucai.export.blocks.with_notice`). Core properties: title =
    ``doc.title``, subject and category = ``doc.genre`` (文种), comments and
    keywords = ``doc.source``, each cut to :data:`CORE_PROPERTY_CHARS`
    characters. Never raises for any Document.
    """
    style = style or DocxStyle()
    document = blank_document()
    line_pitch, spacing = grid_pitches(style)
    _set_page(document, style, line_pitch)
    headings = _set_styles(document, style, Twips(line_pitch))
    _declare_fonts(document, style)
    _add_page_numbers(document, style)
    items = with_notice(doc, notice)
    writer = _Writer(document, style, headings, line_pitch, spacing, _run_in_lists(doc, items))
    masthead = _masthead(items)
    writer.title(doc.title, writer.masthead(items[:masthead] or _metadata_masthead(doc)))
    body = masthead + _title_repeat(doc.title, items[masthead:])
    notes = body + _title_notes(doc.text, items[body:])
    writer.title_notes(items[body:notes])
    record = _record(items[notes:])
    for at, block in enumerate(items[notes:]):
        if at not in record:
            writer.block(block)
    writer.record([items[notes + at] for at in sorted(record)])
    _set_properties(document, doc)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


_MASTHEAD_KINDS = ("issuer_mark", "doc_number", "signer")
# The rules of a 来源 that name the 发文机关 (sucai.metadata: by the 文号's 代字, the title, the 落款), not a site.
_ISSUER_RULES = ("文号", "标题", "落款")
_FILE_NUMBER = re.compile(r"〔[0-9]{4}〕")   # a 发文字号's year (§7.2.5), as sucai.metadata.issuers writes it
_DIGITS = "0-9０-９"
# A 称谓 on its own line: short names of those addressed, each opening as one does ("各位代表、各位委员：",
# "尊敬的各位领导，女士们，先生们："), never a sentence ("各位党员要做到以下几点：").
_ADDRESSED = rf"(?:{SALUTATION.pattern})[^，、,；;：:。！？!?\s]{{0,8}}"
_SALUTATION_LINE = re.compile(rf"{_ADDRESSED}(?:[，、,]{_ADDRESSED})*[：:]")
# What an 附件说明 line's name follows (§7.3.4): the label "附件：" and a number "1." (a further line: the number).
_NOTE_PREFIX = re.compile(rf"(附件?[{_DIGITS}]{{0,2}}[：:])?([{_DIGITS}]{{1,2}}[.．、])?")
_SIGNATURE_KINDS = ("issuer_signature", "date")
_SENTENCE_ENDS = "。！？；"
# The namespace of Word 2010's shapes (a text box: wps:wsp), not in python-docx's table.
_WPS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
# §7.4.1's rules of the 版记, in eighths of a point: the first and the last 0.35 mm (1 pt), the others 0.25 mm.
_THICK_RULE, _THIN_RULE = 8, 6
# Room for each paragraph of the 版记 beyond the line pitch of its lines (a rule's paragraph: its 1 pt and the rule).
_RULE_ROOM_PT = 3
# What a 抄送 or 主送 line of the 版记 opens with, its continuation lines aligned after it (§7.4.2): "抄送：".
_RECORD_LABEL = re.compile(r"[^：:]{0,4}[：:]|")
_WHITE = re.compile(r"\s+")
_TITLE_LINES = 4   # the most lines of a title printed again (metadata.titles joins at most four into a title)
_RED = RGBColor(0xFF, 0x00, 0x00)


def _masthead(items: list[Block]) -> int:
    """How many leading lines are the 版头 (发文机关标志, 发文字号, 签发人): lines made of those elements only."""
    count = 0
    while count < len(items) and items[count].parts and all(k in _MASTHEAD_KINDS for k, _ in items[count].parts):
        count += 1
    return count


def _metadata_masthead(doc: Document) -> list[Block]:
    """The 版头 of ``doc``'s metadata (§7.2): its 发文机关标志 — the 发文机关 its 文号, title or 落款 names (its 来源;
    of a 联合行文, the first, the 主办机关 §7.2.4 allows) and 「文件」 — and its 发文字号; none unless both are known
    and the 文号 is a 发文字号 of §7.2.5, 代字〔年份〕序号 — not a 令号 (「中华人民共和国国务院令第517号」, whose
    令 is promulgated under its title's 题注). The fields are those of the ``doc`` given: a visitor's download, of the
    free view, shows those the free view has."""
    issuer = next((e.value for e in doc.evidence if e.field == "source" and e.rule in _ISSUER_RULES
                   and e.value == doc.source), None)
    if not issuer or not _FILE_NUMBER.search(doc.doc_number or ""):
        return []
    mark = issuer.split("、")[0] + "文件"
    return [Block(mark, parts=(("issuer_mark", mark),)), Block(doc.doc_number, parts=(("doc_number", doc.doc_number),))]


def _title_repeat(title: str, items: list[Block]) -> int:
    """How many leading lines print ``title`` again: the first lines that, joined and compared without white space,
    are the title (0 when none are)."""
    wanted = _WHITE.sub("", title)
    joined = accumulate(_WHITE.sub("", block.text) for block in items[:_TITLE_LINES])
    return next((count for count, text in enumerate(joined, start=1) if text == wanted), 0)


def _record(items: list[Block]) -> set[int]:
    """Which of ``items`` are the 版记's lines: lines of its elements (:func:`~sucai.export.blocks.in_record`) before
    the first 附件 or ending the text. One inside an 附件 that its text goes on after (a form's sample 「抄送：××××。」
    in a 司法解释's 文书样式) is a line of that 附件."""
    attachment = next((at for at, block in enumerate(items) if block.parts and block.parts[0][0] == "attachment"),
                      len(items))
    tail = len(items)
    while tail and in_record(items[tail - 1].parts):
        tail -= 1
    return {at for at, block in enumerate(items) if in_record(block.parts) and (at < attachment or at >= tail)}


def _run_in_lists(doc: Document, items: list[Block]) -> set[int]:
    """The starts of the heading lines in a list of run-in headings: the headings under one parent (or at the top)
    of which one at least has text after its heading sentence on its line (:attr:`Block.standalone` False)."""
    run_in = {block.start for block in items if block.level and not block.standalone}
    out: set[int] = set()
    for siblings in (doc.outline, *(node.children for node in walk_outline(doc.outline))):
        starts = [node.start for node in siblings if node.kind == "heading"]
        if run_in.intersection(starts):
            out.update(starts)
    return out


def _title_notes(text: str, items: list[Block]) -> int:
    """How many of the lines that follow the title (and the 版头) are its 题注: the body lines, in a row, that
    :func:`sucai.metadata.title_notes` reads in ``text`` as having a 题注's shape."""
    count = 0
    for line, shape in title_notes(text, items[0].start) if items else ():
        block = items[count] if count < len(items) else None
        if not shape or block is None or block.parts or (block.start, block.text) != (line.start, line.text):
            break
        count += 1
    return count


class _Writer:
    """Adds the paragraphs of one document, each placed by what it is (body, heading or 公文 element)."""

    def __init__(self, document, style: DocxStyle, headings: dict[int, ParagraphStyle], line_pitch: int,
                 spacing: int, run_in: set[int]):
        self.document, self.style, self.headings, self.run_in = document, style, headings, run_in
        self.pitch, self.spacing = Twips(line_pitch), spacing
        self.char = Pt(style.body_size + spacing / 20)  # one character of the body, in the grid
        self.previous: Block | None = None
        self._signed: tuple[Paragraph, float] | None = None  # the last 署名 and its width in characters
        self._numbers = 2.0  # where the numbers of the 附件说明's names stand, in characters from the margin

    # -- 版头 and title ------------------------------------------------------------------

    def masthead(self, lines: list[Block]) -> int:
        """§7.2: 发文机关标志 centred in red; 发文字号 centred (left, with 签发人 right, in a 上行文);
        the red rule under the 发文字号 when there is a 发文机关标志. Returns how many empty lines the
        title leaves above it: two under the red rule, one under a 发文字号 alone, else none."""
        marked = any(kind == "issuer_mark" for line in lines for kind, _ in line.parts)
        for line in lines:
            kinds = [kind for kind, _ in line.parts]
            if kinds[0] == "issuer_mark":
                self._issuer_mark(line.text)
                continue
            paragraph = self._paragraph(WD_ALIGN_PARAGRAPH.CENTER)
            if marked:
                paragraph.paragraph_format.space_before = self._lines(2)
            if "signer" in kinds and "doc_number" in kinds:
                self._number_and_signer(paragraph, dict(line.parts))
            else:
                self._run(paragraph, line.text, self.style.body_font)
            if marked and "doc_number" in kinds:
                _border(paragraph, "bottom", size=12, space=11, color="FF0000")  # 4 mm below: 11.3 pt
        return 2 if marked else 1 if lines else 0

    def _issuer_mark(self, text: str) -> None:
        size = min(2 * self.style.title_size, _type_width_pt() / max(em_width(text), 1))
        paragraph = self._paragraph(WD_ALIGN_PARAGRAPH.CENTER)
        paragraph.paragraph_format.line_spacing = self._lines(2)
        paragraph.paragraph_format.space_before = Mm(ORDER_MARK_DROP_MM if text.endswith("令") else MARK_DROP_MM)
        _off_grid(paragraph._p.get_or_add_pPr())
        run = _add_run(paragraph, text, self.style.title_font, math.floor(size))
        run.font.color.rgb = _RED

    def _number_and_signer(self, paragraph: Paragraph, parts: dict[str, str]) -> None:
        """A 上行文's 发文字号 one character in from the left and 签发人 one in from the right (§7.2.6),
        the signer's name in 楷体."""
        pf = paragraph.paragraph_format
        pf.alignment = WD_ALIGN_PARAGRAPH.LEFT
        pf.left_indent = self._chars(1)
        pf.tab_stops.add_tab_stop(Pt(_type_width_pt()) - self._chars(1), WD_TAB_ALIGNMENT.RIGHT)
        label, colon, name = parts["signer"].rpartition("：")
        self._run(paragraph, parts["doc_number"] + "\t" + label + colon, self.style.body_font)
        self._run(paragraph, name, self.style.level2_font)

    def title(self, title: str, space_before: int) -> None:
        """§7.3.1: the title centred, broken between words into a 梯形 or 菱形, ``space_before`` empty lines
        above it (two under the 版头's red rule)."""
        paragraph = self._title_paragraph(title)
        if space_before:
            paragraph.paragraph_format.space_before = self._lines(space_before)

    def _title_paragraph(self, title: str) -> Paragraph:
        """A paragraph in the title's style holding ``title`` broken into its lines (:func:`.title.title_lines`)."""
        paragraph = self.document.add_paragraph(style="Title")
        capacity = _type_width_pt() / (self.style.title_size + self.spacing / 20)
        _add_run(paragraph, "\n".join(title_lines(title, capacity)), self.style.title_font, self.style.title_size,
                 self.spacing)
        return paragraph

    def title_notes(self, lines: list[Block]) -> None:
        """The title's 题注 (see the module docstring), centred in 楷体, one empty line under the last."""
        for line in lines:
            paragraph = self._plain(line.text, WD_ALIGN_PARAGRAPH.CENTER, indent=0, font=self.style.level2_font)
        if lines:
            paragraph.paragraph_format.space_after = self._lines(1)

    # -- the body ---------------------------------------------------------------------

    def block(self, block: Block) -> None:
        kinds = [kind for kind, _ in block.parts]
        salutation = not kinds and not block.level and _SALUTATION_LINE.fullmatch(block.text)
        if not kinds and not salutation:
            self._body(block)
        elif salutation or kinds[0] == "addressee":   # 顶格
            self._plain(block.text, WD_ALIGN_PARAGRAPH.JUSTIFY, indent=0)
        elif kinds[0] in _SIGNATURE_KINDS:
            self._signature(block)
        elif kinds[0] == "attachment":
            self._attachment(block.text)
        elif kinds[0] == "attachment_note":
            self._attachment_note(block.text)
        else:  # 附注, 版头 elements inside the text: body lines
            self._body(block)
        self.previous = block

    def _body(self, block: Block) -> None:
        """A heading on its own line takes the Heading style (for Word's navigation pane) and the
        font of its label, centred for a 编, 章 or 节; a run-in heading styles only its lead run (only the
        label for 第X条) in a body paragraph, and so does a heading line that is a sentence in a list of run-in
        headings (:func:`_run_in_lists`: 「（五）打胜仗就骄傲，打败仗就消极。」 among 「（四）同时，在宣传工作上，
        忽视宣传队的重要性。在群众组织上，…」) — GB/T 9704-2012 §7.3.3 sets a 标题 on its own line, a run-in
        小标题 in its paragraph of 正文."""
        style = self.style
        font = style.heading_font(_label_rank(block)) if block.level else style.body_font
        lead = len(block.label) if _ARTICLE.fullmatch(block.label) else block.lead
        in_run_in = block.start in self.run_in and block.text[-1] in _SENTENCE_ENDS
        if block.standalone and lead >= len(block.text) and not in_run_in:
            paragraph = self.document.add_paragraph(style=self.headings[min(block.level, 9)])
            if _DIVISION.fullmatch(block.label):
                paragraph.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
                _set_first_line_indent(paragraph.paragraph_format, style.body_size, 0)
            self._run(paragraph, block.text, font)
            return
        paragraph = self.document.add_paragraph()
        if lead:
            self._run(paragraph, block.text[:lead], font)
        if lead < len(block.text):
            self._run(paragraph, block.text[lead:], style.body_font)

    def _attachment_note(self, text: str) -> None:
        """§7.3.4: the 附件说明 one line below the text, two characters in; a name too long for its line wraps
        under its own first character (a hanging indent as wide as the label and number before it), and each
        further line's number stands under the first line's number ("附件：1.…" / "2.…")."""
        label, number = _NOTE_PREFIX.match(text).groups()
        first = self._kind(self.previous) != "attachment_note"
        paragraph = self._plain(text, WD_ALIGN_PARAGRAPH.JUSTIFY, indent=0)
        if first:
            paragraph.paragraph_format.space_before = self._lines(1)  # one line below the text
            self._numbers = 2 + em_width(label or "")
        name = self._numbers + em_width(number or "")   # where every name starts
        start = 2 if first else self._numbers   # where the line starts
        _set_hanging_indent(paragraph.paragraph_format, self.style.body_size, name, name - start)

    def _signature(self, block: Block) -> None:
        """§7.3.5.2: 署名 one line below the text, right-aligned two characters in; 成文日期 on the next
        line with its first character two right of the 署名's first — with S and D their widths, the
        署名 ends max(2, 4 + D − S) characters in and the date 2 characters to the right of where the
        署名 starts plus D — at most the line's width less D: a 署名 too long for the rule leaves the date on the
        line. A date without a 署名 ends four characters in (§7.3.5.1). The paragraph before the 落款 is kept with
        it (:func:`_keep_with_next`): a 落款 alone on a page signs nothing. A 成文日期 that is one whole day is
        written as §7.3.5.4 says (:func:`sucai.metadata.dates.official`: 「二〇一九年一月二十四日」 → 「2019年1月24日」)."""
        text = block.text if self._kind(block) != "date" else dates.official(block.text) or block.text
        paragraph = self._plain(text, WD_ALIGN_PARAGRAPH.RIGHT, indent=0)
        pf = paragraph.paragraph_format
        signature = self._signed if self._kind(self.previous) == "issuer_signature" else None
        if self._kind(block) == "issuer_signature":
            self._signed = (paragraph, em_width(text))
            pf.right_indent = self._chars(2)
        elif signature is not None:
            signed, width = signature
            date = em_width(text)
            right = max(2.0, 4 + date - width)
            signed.paragraph_format.right_indent = self._chars(right)
            # the date never pushed past the line's start by a long 署名 (review 17)
            pf.right_indent = self._chars(max(0.0, min(right + width - 2 - date, self.style.chars_per_line - date)))
        else:
            pf.right_indent = self._chars(4)
        if signature is None and self._kind(self.previous) not in _SIGNATURE_KINDS:
            pf.space_before = self._lines(1)  # one line below the text (or the 附件说明)
            _keep_with_next(paragraph)   # the 落款 is never alone on a page
        pf.keep_with_next = self._kind(block) == "issuer_signature"

    def _attachment(self, text: str) -> None:
        """§7.3.7: an 附件 starts a new page ("附件应当另面编排"): its label 顶格 in 黑体 on the first line, its
        title centred like a title on the third ("附件标题居中编排在版心第三行"; the new page before the title when
        no label stands above it)."""
        if attachment_label(text):
            paragraph = self._plain(text, WD_ALIGN_PARAGRAPH.LEFT, indent=0, font=self.style.level1_font)
        else:
            paragraph = self._title_paragraph(text)   # broken into lines as the title is (§7.3.1)
            if self._kind(self.previous) == "attachment" and attachment_label(self.previous.text):
                paragraph.paragraph_format.space_before = self._lines(1)
        paragraph.paragraph_format.page_break_before = self._kind(self.previous) != "attachment"

    def record(self, lines: list[Block]) -> None:
        """§7.4 版记, after the 附件 (§7.3.7), at the foot of the last page: a text box as wide as the type area whose
        bottom is the type area's (§7.4.1 "末条分隔线与公文最后一面版心下边缘重合"; the text flows above it), its lines
        in 4号 set from its bottom up. 抄送 and a 主送 moved there one character in on both sides, a line too long
        wrapping under the first character after "抄送：" (§7.4.2); 印发机关 one in on the left and 印发日期, written as
        a 成文日期 is, one in on the right (§7.4.3). Rules as wide as the type area: thick above the first line and
        under the last (0.35 mm), thin above the 印发 line (0.25 mm; none between 主送 and 抄送)."""
        if not lines:
            return
        size = self.style.page_number_size
        paragraphs, rows = [self._rule(_THICK_RULE)], 0
        for count, block in enumerate(lines):
            if count and self._kind(block) == "printer":
                paragraphs.append(self._rule(_THIN_RULE))
            paragraph = self.document.add_paragraph()
            pf = paragraph.paragraph_format
            pf.alignment = WD_ALIGN_PARAGRAPH.LEFT
            _set_first_line_indent(pf, size, 0)
            parts = [text for _, text in block.parts]
            printer = self._kind(block) == "printer"
            if printer and len(parts) == 2:
                pf.left_indent = Pt(size)
                pf.tab_stops.add_tab_stop(Pt(_type_width_pt() - size), WD_TAB_ALIGNMENT.RIGHT)
                day = parts[1].removesuffix("印发")
                text = parts[0] + "\t" + (dates.official(day) or day) + "印发"
                rows += 1
            else:
                text = block.text
                label = em_width(_RECORD_LABEL.match(text).group())
                _set_hanging_indent(pf, size, 1 + label, label)
                pf.right_indent = Pt(size)
                rows += _wrapped_lines(em_width(text), _type_width_pt() / size - 2, label)
            _add_run(paragraph, text, self.style.body_font, size)
            paragraphs.append(paragraph._p)
        paragraphs.append(self._rule(_THICK_RULE))
        height = self.pitch * rows + Pt(_RULE_ROOM_PT) * len(paragraphs)   # generous: the lines stand at its bottom
        anchor = self.document.add_paragraph()   # what the text box is anchored to: on the last page
        anchor.add_run()._r.append(_foot_text_box(paragraphs, height))

    def _rule(self, size: int):
        """A rule of the 版记 as wide as the type area (a paragraph's borders are as wide as its text, so the rule is
        an empty paragraph of its own, 1 pt high, with no indent): ``size`` in eighths of a point."""
        paragraph = self.document.add_paragraph()
        pf = paragraph.paragraph_format
        _set_first_line_indent(pf, self.style.page_number_size, 0)
        pf.line_spacing = Pt(1)
        _border(paragraph, "bottom", size=size, space=0)
        return paragraph._p

    # -- helpers ----------------------------------------------------------------------

    def _lines(self, count: float) -> Length:
        return Length(round(self.pitch * count))

    def _chars(self, count: float) -> Length:
        """``count`` characters of the body on the grid (3号 with the run spacing: 15.75 pt each)."""
        return Length(round(self.char * count))

    @staticmethod
    def _kind(block: Block | None) -> str | None:
        return block.parts[0][0] if block is not None and block.parts else None

    def _paragraph(self, alignment) -> Paragraph:
        paragraph = self.document.add_paragraph()
        paragraph.paragraph_format.alignment = alignment
        _set_first_line_indent(paragraph.paragraph_format, self.style.body_size, 0)
        return paragraph

    def _plain(self, text: str, alignment, indent: int, font: str | None = None) -> Paragraph:
        paragraph = self._paragraph(alignment)
        if indent:
            _set_first_line_indent(paragraph.paragraph_format, self.style.body_size, indent)
        self._run(paragraph, text, font or self.style.body_font)
        return paragraph

    def _run(self, paragraph: Paragraph, text: str, font: str):
        return _add_run(paragraph, text, font, self.style.body_size, self.spacing)


def _keep_with_next(paragraph: Paragraph) -> None:
    """The paragraph before ``paragraph`` (when it is one, not a table) kept on the page of ``paragraph``'s first
    line (``keep_with_next``, 与下段同页: no page break between them; LibreOffice moves the paragraph whole to the
    next page when it fits there)."""
    before = paragraph._p.getprevious()
    if before is not None and before.tag == qn("w:p"):
        Paragraph(before, paragraph._parent).paragraph_format.keep_with_next = True


def _wrapped_lines(width: float, capacity: float, label: float) -> int:
    """How many lines a 版记 line of ``width`` ems takes in lines of ``capacity`` ems, the lines after the first
    ``label`` ems in (the characters after "抄送：")."""
    return 1 + max(0, math.ceil((width - capacity) / (capacity - label)))


def _foot_text_box(paragraphs: list, height: Length):
    """A ``w:drawing`` (python-docx has no API for text boxes): a DrawingML text box (``wps:wsp``, ECMA-376 and Word
    2010's schema) as wide as the type area and ``height`` high, at the foot of the type area of the page its
    paragraph is on, text above and below it but never beside, holding ``paragraphs`` (moved into it) set from its
    bottom (``anchor="b"``) without insets."""
    width = round((PAGE_WIDTH_MM - MARGINS_MM["left"] - MARGINS_MM["right"]) * 36000)   # EMU
    drawing = parse_xml(
        f'<w:drawing {nsdecls("w", "wp", "a")} xmlns:wps="{_WPS}">'
        '<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="1" behindDoc="0" '
        'locked="0" layoutInCell="1" allowOverlap="0"><wp:simplePos x="0" y="0"/>'
        '<wp:positionH relativeFrom="margin"><wp:posOffset>0</wp:posOffset></wp:positionH>'
        '<wp:positionV relativeFrom="margin"><wp:align>bottom</wp:align></wp:positionV>'
        f'<wp:extent cx="{width}" cy="{int(height)}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
        '<wp:wrapTopAndBottom/><wp:docPr id="1" name="版记"/><wp:cNvGraphicFramePr/>'
        f'<a:graphic><a:graphicData uri="{_WPS}">'
        '<wps:wsp><wps:cNvSpPr txBox="1"/><wps:spPr>'
        f'<a:xfrm><a:off x="0" y="0"/><a:ext cx="{width}" cy="{int(height)}"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/><a:ln><a:noFill/></a:ln></wps:spPr>'
        '<wps:txbx><w:txbxContent/></wps:txbx>'
        '<wps:bodyPr rot="0" vert="horz" wrap="square" lIns="0" tIns="0" rIns="0" bIns="0" anchor="b" anchorCtr="0">'
        '<a:noAutofit/></wps:bodyPr></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>')
    content = drawing.find(f".//{qn('w:txbxContent')}")
    for paragraph in paragraphs:
        content.append(paragraph)   # moved from the body
    return drawing


def _type_width_pt() -> float:
    """Width of the type area (版心), in points."""
    return (PAGE_WIDTH_MM - MARGINS_MM["left"] - MARGINS_MM["right"]) / 25.4 * 72


def _border(paragraph: Paragraph, side: str, size: int, space: int, color: str = "000000") -> None:
    """A single rule on ``side`` (top/bottom) of ``paragraph``: ``size`` in eighths of a point, ``space`` in points."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.insert_element_before(borders, *_AFTER_BORDERS)
    rule = OxmlElement(f"w:{side}")
    for name, value in (("val", "single"), ("sz", str(size)), ("space", str(space)), ("color", color)):
        rule.set(qn(f"w:{name}"), value)
    borders.append(rule)


def _set_page(document, style: DocxStyle, line_pitch: int) -> None:
    section = document.sections[0]   # on A4 (blank_document)
    for side, mm in MARGINS_MM.items():
        setattr(section, f"{side}_margin", Mm(mm))
    section.footer_distance = Mm(MARGINS_MM["bottom"] - PAGE_NUMBER_GAP_MM) - Pt(style.page_number_size)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.attrib.pop(qn("w:charSpace"), None)  # only read with a character grid
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(line_pitch))


def _set_styles(document, style: DocxStyle, pitch: Length) -> dict[int, ParagraphStyle]:
    """Normal = body text; Title = 标题; Heading n = outline level n (kept for Word's navigation pane).

    Returns the Heading styles by level (1–9), so paragraphs need no look-up by name.
    """
    normal = document.styles["Normal"]
    _set_font(normal.font, style.body_font, style.body_size)
    pf = normal.paragraph_format
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = pitch
    pf.space_before = pf.space_after = Pt(0)
    pf.widow_control = False  # §5.2.4: 22 lines on every page, a paragraph's last line alone or not
    _set_first_line_indent(pf, style.body_size, 2)
    _set_language(document, "zh-CN")
    title = _reset(document.styles["Title"])
    _set_font(title.font, style.title_font, style.title_size)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = pitch
    _set_first_line_indent(title.paragraph_format, style.body_size, 0)
    _off_grid(title.element.get_or_add_pPr())  # 2号 in the exact line pitch, not two grid lines a line
    headings = {level: _reset(document.styles[f"Heading {level}"]) for level in range(1, 10)}
    for level, heading in headings.items():
        _set_font(heading.font, style.heading_font(level), style.body_size)
    return headings


def _off_grid(ppr) -> None:
    """``w:snapToGrid w:val=0``: lines keep their exact spacing instead of taking whole grid lines
    (LibreOffice gives a line of a tall font two grid lines, Word one)."""
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    ppr.insert_element_before(snap, *_AFTER_BORDERS[_AFTER_BORDERS.index("w:spacing"):])


def _set_language(document, language: str) -> None:
    """The language of East Asian text (``w:lang w:eastAsia`` of the document defaults): line breaking
    and punctuation follow Chinese rules (python-docx's template says en-US)."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), language)


def _declare_fonts(document, style: DocxStyle) -> None:
    """Declare each font of ``style`` in the font table with its first fallback as ``w:altName``, the
    GB2312 character set and its family (:mod:`sucai.export.fonts`), replacing any entry of that name."""
    part = document.part.part_related_by(RT.FONT_TABLE)
    table = parse_xml(part.blob)
    names = dict.fromkeys((style.title_font, style.body_font, style.level1_font, style.level2_font,
                           style.page_number_font))
    for entry in table.findall(qn("w:font")):
        if entry.get(qn("w:name")) in names:
            table.remove(entry)
    for name in names:
        entry = OxmlElement("w:font")
        entry.set(qn("w:name"), name)
        fallbacks = FALLBACKS.get(name, ())
        if fallbacks:
            _child(entry, "w:altName", fallbacks[0])
        _child(entry, "w:charset", "86")
        _child(entry, "w:family", family(name))
        _child(entry, "w:pitch", "variable")
        table.append(entry)
    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)


def _child(parent, tag: str, value: str) -> None:
    child = OxmlElement(tag)
    child.set(qn("w:val"), value)
    parent.append(child)


def _reset(paragraph_style: ParagraphStyle) -> ParagraphStyle:
    """Strip Word's built-in look (colour, bold, borders, spacing) from a style, keeping its outline level."""
    element = paragraph_style.element
    for rpr in element.findall(qn("w:rPr")):
        element.remove(rpr)
    ppr = element.find(qn("w:pPr"))
    for child in list(ppr if ppr is not None else []):
        if child.tag not in _KEPT_STYLE_PPR:
            ppr.remove(child)
    return paragraph_style


def _set_font(font: Font, name: str, size: float) -> None:
    """Name ``name`` for Latin and East Asian text of a run or a style; ``size`` in pt."""
    fonts = font.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in _THEME_FONT_ATTRS:
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    font.size = Pt(size)


def _set_first_line_indent(paragraph_format, char_size: float, chars: int) -> None:
    """First-line indent of ``chars`` characters, also as ``w:firstLineChars`` so Word keeps it on the grid."""
    paragraph_format.first_line_indent = Pt(char_size * chars)
    ind = paragraph_format.element.get_or_add_pPr().get_or_add_ind()
    ind.set(qn("w:firstLineChars"), str(chars * 100))


def _set_hanging_indent(paragraph_format, char_size: float, left: float, hanging: float) -> None:
    """Lines ``left`` characters in but the first, ``hanging`` characters less; also as ``w:leftChars`` and
    ``w:hangingChars``. For a paragraph whose ``w:firstLineChars`` is 0 already (:meth:`_Writer._paragraph`), so
    that the Normal style's two characters do not hold in Word."""
    paragraph_format.left_indent = Pt(char_size * left)
    paragraph_format.first_line_indent = Pt(-char_size * hanging)
    ind = paragraph_format.element.get_or_add_pPr().get_or_add_ind()
    for name, chars in (("leftChars", left), ("hangingChars", hanging)):
        ind.set(qn(f"w:{name}"), str(round(chars * 100)))


def _label_rank(block: Block) -> int:
    """The structure level (1 = 一、, 2 = （一）, 3 = body font) whose font a heading's label takes."""
    if _ARTICLE.fullmatch(block.label):
        return 1
    for pattern, rank in _LABEL_RANKS:
        if pattern.fullmatch(block.label):
            return rank
    return min(block.level, 3) if not block.label else 3


def _add_run(paragraph: Paragraph, text: str, font: str, size: float, spacing: int = 0):
    """A run of ``text`` in ``font`` at ``size`` pt; ``spacing`` (twips, added after every character) when not 0."""
    run = paragraph.add_run(text)
    _set_font(run.font, font, size)
    if spacing:
        element = OxmlElement("w:spacing")
        element.set(qn("w:val"), str(spacing))
        run._r.get_or_add_rPr().insert_element_before(element, *_AFTER_SPACING)
    return run


def _add_page_numbers(document, style: DocxStyle) -> None:
    """"— n —" footers (§7.5): odd pages right-aligned, even pages left-aligned, one character in."""
    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    one_char = Pt(style.page_number_size)
    for footer, alignment, left, right in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT, Pt(0), one_char),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, one_char, Pt(0)),
    ):
        paragraph = footer.paragraphs[0]
        pf = paragraph.paragraph_format
        pf.alignment = alignment
        pf.left_indent, pf.right_indent = left, right
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = one_char
        _set_first_line_indent(pf, style.page_number_size, 0)
        _add_run(paragraph, "— ", style.page_number_font, style.page_number_size)
        _add_page_field(paragraph, style)
        _add_run(paragraph, " —", style.page_number_font, style.page_number_size)


def _add_page_field(paragraph: Paragraph, style: DocxStyle) -> None:
    """A complex field ``PAGE`` (python-docx has no field API) showing "1" until Word updates it."""
    for tag, value in (
        ("w:fldChar", "begin"),
        ("w:instrText", " PAGE "),
        ("w:fldChar", "separate"),
        ("w:t", "1"),
        ("w:fldChar", "end"),
    ):
        run = _add_run(paragraph, "", style.page_number_font, style.page_number_size)
        element = OxmlElement(tag)
        if tag == "w:fldChar":
            element.set(qn("w:fldCharType"), value)
        else:
            element.set(qn("xml:space"), "preserve")
            element.text = value
        run._r.append(element)


def _set_properties(document, doc: Document) -> None:
    """Core properties (docProps/core.xml); times in UTC as the OPC format wants.

    Text properties hold at most :data:`CORE_PROPERTY_CHARS` characters (python-docx
    refuses more); a longer value is cut and ends with "…" — only the property: the
    title paragraph of the document keeps the whole title.
    """
    props = document.core_properties
    props.title = _core_text(doc.title)
    props.subject = props.category = _core_text(doc.genre)
    props.comments = props.keywords = _core_text(doc.source or "")
    props.author = props.last_modified_by = "sucai"
    props.created = props.modified = datetime.now(UTC).replace(tzinfo=None)


def _core_text(value: str) -> str:
    """``value`` cut to :data:`CORE_PROPERTY_CHARS` characters, the last one "…" when cut."""
    return value if len(value) <= CORE_PROPERTY_CHARS else value[: CORE_PROPERTY_CHARS - 1] + "…"
