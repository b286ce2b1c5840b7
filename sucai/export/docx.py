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
- §7.3.1 title in 2号 (22 pt) 小标宋, centred, followed by one empty line.
- §7.3.3 body in 3号 (16 pt) 仿宋, each paragraph indented two characters;
  structure levels 一、 in 黑体, （一） in 楷体, 1. and （1） in the body font.
  The font follows the numbering as written, not the depth in the outline (a
  通知 whose attached 方案 title is the top heading still sets 一、 in 黑体):
  第X编/章/部分 like 一、, 第X节 like （一）; an article's 第X条 label alone
  is in the 一、 font and its sentence in the body font, as laws are printed;
  an unnumbered heading takes the font of its depth. Labels stay in the text
  as written, never Word automatic numbering.
- §7.5 page numbers in 4号 (14 pt) 宋体 Arabic digits between em dashes
  ("— 1 —"), the dash line 7 mm below the type area; odd pages right and even
  pages left, one character in from the edge of the type area.

Every style and every run names its font for East Asian text (``w:eastAsia``)
as well as for Latin text, otherwise Word falls back to 宋体 for Chinese.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt, Twips
from docx.styles.style import ParagraphStyle
from docx.text.font import Font
from docx.text.paragraph import Paragraph

from ..model import Document
from .blocks import Block, with_notice

# GB/T 9704-2012 §5.2.1–§5.2.2, in millimetres.
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
# §7.5: the em-dash line of the page number sits 7 mm below the type area.
PAGE_NUMBER_GAP_MM = 7
_TWIPS_PER_MM = 1440 / 25.4
# Longest text of a core property (docProps/core.xml) that python-docx writes.
CORE_PROPERTY_CHARS = 255
_THEME_FONT_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
# Paragraph properties of Word's built-in Title/Heading styles worth keeping.
_KEPT_STYLE_PPR = {qn("w:keepNext"), qn("w:keepLines"), qn("w:outlineLvl")}
# Heading labels (as sucai.outline writes them) → the structure level whose font they take.
_CN_NUM = "〇零一二三四五六七八九十百千两"
_LABEL_RANKS = (
    (re.compile(rf"第[{_CN_NUM}\d]+(?:分编|编|章|部分)"), 1),
    (re.compile(rf"第[{_CN_NUM}\d]+节"), 2),
    (re.compile(rf"[{_CN_NUM}]+[、．]"), 1),
    (re.compile(rf"[（(][{_CN_NUM}]+[）)]"), 2),
)
_ARTICLE = re.compile(rf"第[{_CN_NUM}\d]+条")
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

    Paragraphs are the non-empty lines of ``doc.text``; ``notice`` becomes a body
    paragraph where the members part was left out (:func:`~sucai.export.blocks.with_notice`).
    Core properties: title = ``doc.title``, subject and category
    = ``doc.genre`` (文种), comments and keywords = ``doc.source``, each cut to
    :data:`CORE_PROPERTY_CHARS` characters. Never raises for any Document.
    """
    style = style or DocxStyle()
    document = docx.Document()
    line_pitch, spacing = grid_pitches(style)
    _set_page(document, style, line_pitch)
    headings = _set_styles(document, style, Twips(line_pitch))
    _add_page_numbers(document, style)
    _add_run(document.add_paragraph(style="Title"), doc.title, style.title_font, style.title_size, spacing)
    for block in with_notice(doc, notice):
        _add_block(document, block, style, headings, spacing)
    _set_properties(document, doc)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _set_page(document, style: DocxStyle, line_pitch: int) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
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
    _set_first_line_indent(pf, style.body_size, 2)
    title = _reset(document.styles["Title"])
    _set_font(title.font, style.title_font, style.title_size)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = pitch
    _set_first_line_indent(title.paragraph_format, style.body_size, 0)
    headings = {level: _reset(document.styles[f"Heading {level}"]) for level in range(1, 10)}
    for level, heading in headings.items():
        _set_font(heading.font, style.heading_font(level), style.body_size)
    return headings


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


def _label_rank(block: Block) -> int:
    """The structure level (1 = 一、, 2 = （一）, 3 = body font) whose font a heading's label takes."""
    if _ARTICLE.fullmatch(block.label):
        return 1
    for pattern, rank in _LABEL_RANKS:
        if pattern.fullmatch(block.label):
            return rank
    return min(block.level, 3) if not block.label else 3


def _add_block(
    document, block: Block, style: DocxStyle, headings: dict[int, ParagraphStyle], spacing: int
) -> None:
    """A heading on its own line takes the Heading style (for Word's navigation pane) and the
    font of its label; a run-in heading styles only its lead run (only the label for 第X条)."""
    font = style.heading_font(_label_rank(block)) if block.level else style.body_font
    lead = len(block.label) if _ARTICLE.fullmatch(block.label) else block.lead
    if block.standalone and lead >= len(block.text):
        paragraph = document.add_paragraph(style=headings[min(block.level, 9)])
        _add_run(paragraph, block.text, font, style.body_size, spacing)
        return
    paragraph = document.add_paragraph()
    if lead:
        _add_run(paragraph, block.text[:lead], font, style.body_size, spacing)
    _add_run(paragraph, block.text[lead:], style.body_font, style.body_size, spacing)


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
