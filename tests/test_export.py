"""Downloads: .docx to GB/T 9704-2012, .md, .txt, zip; the member boundary in every format.

Documents are built by hand; outline offsets come from ``str.find`` on the text,
and every expected value below was worked out by hand, not by the exporter.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from dataclasses import replace
from itertools import accumulate
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor, Twips
from docx.styles.styles import Styles
from docx.text.paragraph import Paragraph

from sucai import access
from sucai.analysis import word_tags
from sucai.check.export import export_report
from sucai.check.report import CheckReport, Match, ParagraphRatio
from sucai.errors import InvalidInput
from sucai.export import FORMATS, DocxStyle, export_document, export_zip
from sucai.export.archive import MAX_STEM, safe_stem
from sucai.export.blocks import Block, blocks
from sucai.export.docx import grid_pitches
from sucai.export.fonts import fontconfig_aliases
from sucai.export.template import STYLES, blank_document
from sucai.export.title import em_width, title_lines
from sucai.model import Document, Element, Evidence, OutlineNode, walk_outline

TITLE = "某局党支部2023年专题组织生活会对照检查材料"
FREE = (
    "根据组织生活会要求，支部深入开展学习。\n"
    "一、主要问题\n"
    "（一）理论学习方面。主要存在学习不够深入的问题。\n"
    "1.学习不够全面\n"
    "（1）内容落项\n"
    "　　具体表现：一是学习不全面；二是学习不及时。\n"
)
PAID = (
    "二、整改措施\n"
    "（一）强化理论武装。红杉甲方案要求每周集中学习一次并形成记录。\n"
    "最后一段总结陈述文字保持不变。"
)
TEXT = FREE + PAID
# The paragraphs of TEXT, by hand: non-empty lines without their indentation.
FREE_LINES = [
    "根据组织生活会要求，支部深入开展学习。",
    "一、主要问题",
    "（一）理论学习方面。主要存在学习不够深入的问题。",
    "1.学习不够全面",
    "（1）内容落项",
    "具体表现：一是学习不全面；二是学习不及时。",
]
PAID_LINES = ["二、整改措施", "（一）强化理论武装。红杉甲方案要求每周集中学习一次并形成记录。", "最后一段总结陈述文字保持不变。"]
NOTICE = "会员可见全文（剩余 52 字）"   # the 字数 of PAID: 54 characters, 2 line ends


def _node(level: int, label: str, heading: str, end_marker: str | None, kind: str = "heading", children=()):
    start = TEXT.find(label + heading)
    assert start >= 0, label + heading
    end = TEXT.find(end_marker) if end_marker else len(TEXT)
    return OutlineNode(level, label, heading, start, end, kind, list(children))


def make_doc(**changes) -> Document:
    items = [_node(5, "一是", "学习不全面", "二是", "item"), _node(5, "二是", "学习不及时", "二、整改措施", "item")]
    level4 = _node(4, "（1）", "内容落项", "二、整改措施", children=items)
    level3 = _node(3, "1.", "学习不够全面", "二、整改措施", children=[level4])
    level2 = _node(2, "（一）", "理论学习方面", "二、整改措施", children=[level3])
    outline = [
        _node(1, "一、", "主要问题", "二、整改措施", children=[level2]),
        _node(1, "二、", "整改措施", None, children=[_node(2, "（一）", "强化理论武装", None)]),
    ]
    fields = dict(
        title=TITLE,
        text=TEXT,
        genre="对照检查材料",
        paid_from=len(FREE),
        source="墨林素材库",
        doc_number="财纪支〔2023〕1号",
        date="2023-12-20",
        outline=outline,
        id=42,
    )
    return Document(**{**fields, **changes})


def open_docx(data: bytes):
    return docx.Document(io.BytesIO(data))


def docx_part(document, name: str):
    """A part of an opened .docx (``word/fontTable.xml``…) as XML."""
    return parse_xml(next(p for p in document.part.package.iter_parts() if p.partname == f"/{name}").blob)


@pytest.fixture(scope="module")
def full_docx():
    doc = make_doc()
    return open_docx(export_document(doc, "docx")[1])


def _east_asia(element) -> str | None:
    fonts = element.find(qn("w:rPr")).find(qn("w:rFonts"))
    return fonts.get(qn("w:eastAsia"))


def _text(paragraph) -> str:
    """A paragraph's text without the line breaks of a title broken into lines."""
    return paragraph.text.replace("\n", "")


def _all_paragraphs(document) -> list[Paragraph]:
    """Every paragraph of the body in document order, those of a text box (the 版记's) too."""
    return [Paragraph(p, document._body) for p in document.element.body.iter(qn("w:p"))]


def _paragraph(document, prefix: str):
    return next(p for p in _all_paragraphs(document) if _text(p).startswith(prefix))


# ---------------------------------------------------------------- .docx layout


@pytest.mark.parametrize(
    ("attribute", "millimetres"),
    [
        ("page_width", 210),
        ("page_height", 297),
        ("top_margin", 37),
        ("bottom_margin", 35),
        ("left_margin", 28),
        ("right_margin", 26),
    ],
)
def test_docx_page_is_a4_with_standard_margins(full_docx, attribute, millimetres):
    # Word stores twips, so 1 mm ≈ 56.7 twips is kept to ±0.05 mm.
    assert getattr(full_docx.sections[0], attribute).mm == pytest.approx(millimetres, abs=0.05)


def test_grid_pitches_by_hand():
    # 225 mm = 12755.9 twips; / 22 = 579.8 → 579 (580 × 22 would overflow the type area).
    # 156 mm = 442.205 pt = 8844.1 twips; / 28 = 315.86 twips; − 16 pt (320 twips) = −4.14 → −5.
    # Check: 28 × (320 − 5) = 8820 ≤ 8844.1 fits; 29 × 315 = 9135 does not; −4 would give
    # 28 × 316 = 8848 > 8844.1, i.e. only 27 a line.
    assert grid_pitches(DocxStyle()) == (579, -5)


def test_docx_grid_is_lines_only_with_fixed_line_spacing(full_docx):
    grid = full_docx.sections[0]._sectPr.find(qn("w:docGrid"))
    assert (grid.get(qn("w:type")), grid.get(qn("w:linePitch")), grid.get(qn("w:charSpace"))) == (
        "lines",
        "579",
        None,
    )
    body = full_docx.styles["Normal"].paragraph_format
    assert body.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert body.line_spacing.pt == pytest.approx(28.95)


def _run_spacing(run) -> str | None:
    spacing = run._r.find(qn("w:rPr")).find(qn("w:spacing"))
    return None if spacing is None else spacing.get(qn("w:val"))


def test_docx_every_body_run_is_condensed_to_28_a_line(full_docx):
    runs = [r for p in full_docx.paragraphs for r in p.runs]
    assert len(runs) > len(full_docx.paragraphs)  # run-in headings have two runs
    assert {_run_spacing(r) for r in runs} == {"-5"}
    # the spacing element sits where the schema wants it (before w:sz), or Word calls the file corrupt
    tags = [child.tag for child in runs[0]._r.find(qn("w:rPr"))]
    assert tags == [qn("w:rFonts"), qn("w:spacing"), qn("w:sz")]
    # page numbers are not on the body's grid
    footer_runs = full_docx.sections[0].footer.paragraphs[0].runs
    assert {_run_spacing(r) for r in footer_runs} == {None}


def test_docx_first_line_indent_is_two_characters(full_docx):
    body = full_docx.styles["Normal"].paragraph_format
    assert body.first_line_indent == Pt(32)
    assert body.element.pPr.ind.get(qn("w:firstLineChars")) == "200"
    title = full_docx.styles["Title"].paragraph_format
    assert title.first_line_indent == Pt(0)
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER


@pytest.mark.parametrize(
    ("prefix", "run_texts", "fonts", "size_pt", "style"),
    [
        (TITLE, [TITLE], ["方正小标宋简体"], 22, "Title"),
        ("根据", [FREE_LINES[0]], ["仿宋_GB2312"], 16, "Normal"),
        ("一、", ["一、主要问题"], ["黑体"], 16, "Heading 1"),
        # run-in level-2 heading: label + heading sentence in 楷体, the rest in the body font
        ("（一）理论", ["（一）理论学习方面。", "主要存在学习不够深入的问题。"], ["楷体_GB2312", "仿宋_GB2312"], 16, "Normal"),
        ("1.", ["1.学习不够全面"], ["仿宋_GB2312"], 16, "Heading 3"),
        ("（1）", ["（1）内容落项"], ["仿宋_GB2312"], 16, "Heading 4"),
        # inline items (一是…二是…) stay body text
        ("具体表现", [FREE_LINES[5]], ["仿宋_GB2312"], 16, "Normal"),
    ],
)
def test_docx_fonts_by_level(full_docx, prefix, run_texts, fonts, size_pt, style):
    paragraph = _paragraph(full_docx, prefix)
    assert [r.text.replace("\n", "") for r in paragraph.runs] == run_texts
    assert [_east_asia(r._r) for r in paragraph.runs] == fonts
    assert [r.font.name for r in paragraph.runs] == fonts  # the Latin name too
    assert {r.font.size for r in paragraph.runs} == {Pt(size_pt)}
    assert paragraph.style.name == style


def test_docx_heading_font_follows_the_label_not_the_depth():
    # an attached 方案 title on top pushes 一、 to depth 2 and （一） to depth 3; a law's 第一条
    # (depth 2 under 第一章) has only its label in 黑体, the article itself in the body font
    text = "实施方案\n一、总体要求\n（一）指导思想。坚持稳中求进。\n第一章 总则\n第一条 为了规范管理，制定本办法。"
    at = text.find
    outline = [
        OutlineNode(1, "", "实施方案", 0, len(text), children=[
            OutlineNode(2, "一、", "总体要求", at("一、"), at("第一章"), children=[
                OutlineNode(3, "（一）", "指导思想", at("（一）"), at("第一章")),
            ]),
        ]),
        OutlineNode(1, "第一章", "总则", at("第一章"), len(text), children=[
            OutlineNode(2, "第一条", "为了规范管理", at("第一条"), len(text)),
        ]),
    ]  # fmt: skip
    document = open_docx(export_document(Document("标题", text, outline=outline), "docx")[1])
    runs = [[(r.text, _east_asia(r._r)) for r in p.runs] for p in document.paragraphs[1:]]
    assert runs == [
        [("实施方案", "黑体")],
        [("一、总体要求", "黑体")],
        [("（一）指导思想。", "楷体_GB2312"), ("坚持稳中求进。", "仿宋_GB2312")],
        [("第一章 总则", "黑体")],
        [("第一条", "黑体"), (" 为了规范管理，制定本办法。", "仿宋_GB2312")],
    ]
    assert [p.style.name for p in document.paragraphs[1:]] == ["Heading 1", "Heading 2", "Normal", "Heading 1", "Normal"]


def _outline_of(text: str, level: int, entries: list[tuple[str, str]]) -> list[OutlineNode]:
    """One outline level of ``entries`` (label, heading sentence), each running to the next."""
    starts = [text.index(label + heading) for label, heading in entries]
    return [OutlineNode(level, label, heading, start, end)
            for (label, heading), start, end in zip(entries, starts, [*starts[1:], len(text)])]


def test_docx_a_sentence_in_a_list_of_run_in_headings_stays_a_body_paragraph():
    """毛选's 「关于纠正党内的错误思想」 by hand: (一) and (二) are run-in headings (their text goes on after the first
    sentence), (三) is one sentence — the outline reads its heading as the whole line. It is a paragraph of the list
    as its siblings are (Normal style, its sentence in the （一） font as theirs are), not a Heading paragraph; a
    heading that is no sentence on its own line above its text (「（四）要定调查纲目」, 反对本本主义) and a list of headings
    on their own lines (「（一）统筹建设监管工作平台。」, the text under it) keep the Heading style."""
    lines = ["（一）政治水平低。因此不认识军队中政治领导的作用。", "（二）雇佣军队的思想。此种分子加入红军。",
             "（三）因有以上两个原因，便发生第三个原因，就是过分相信军事力量。", "（四）要定调查纲目", "纲目要事先准备。"]
    text = "\n".join(lines)
    outline = _outline_of(text, 2, [("（一）", "政治水平低"), ("（二）", "雇佣军队的思想"),
                                    ("（三）", "因有以上两个原因，便发生第三个原因，就是过分相信军事力量"),
                                    ("（四）", "要定调查纲目")])
    paragraphs = open_docx(export_document(Document("关于纠正党内的错误思想", text, outline=outline), "docx")[1]).paragraphs
    assert [p.style.name for p in paragraphs[1:]] == ["Normal"] * 3 + ["Heading 2", "Normal"]
    assert [(r.text, _east_asia(r._r)) for r in paragraphs[3].runs] == [(lines[2], "楷体_GB2312")]
    assert [(r.text, _east_asia(r._r)) for r in paragraphs[1].runs] == [
        ("（一）政治水平低。", "楷体_GB2312"), ("因此不认识军队中政治领导的作用。", "仿宋_GB2312")]
    own = "（一）统筹建设监管工作平台。\n各地区要依托全国一体化在线政务服务平台。\n（二）实行抽查事项清单管理。\n法律法规规章没有规定的，一律不得擅自开展检查。"
    outline = _outline_of(own, 2, [("（一）", "统筹建设监管工作平台"), ("（二）", "实行抽查事项清单管理")])
    paragraphs = open_docx(export_document(Document("意见", own, outline=outline), "docx")[1]).paragraphs
    assert [p.style.name for p in paragraphs[1:]] == ["Heading 2", "Normal", "Heading 2", "Normal"]


@pytest.mark.corpus
def test_real_mao_list_of_run_in_headings_has_no_heading_paragraph(corpus_dir):
    """关于纠正党内的错误思想 as the pipeline reads it: its lists of run-in headings (「（一）政治水平低。因此…」) hold lines of
    one sentence (「（五）打胜仗就骄傲，打败仗就消极。」; 11 numbered lines of one sentence, counted in the file with grep);
    each is a Normal paragraph — the Heading paragraphs are its eight parts' 关于… headings, and the two of 关于盲动主义
    残余's 纠正的方法, a run of one-clause sentences alone on their lines, as a plan's items are (write28: 「（三）打造过硬
    队伍。」), nothing else."""
    from sucai.ingest import parse_file

    doc = parse_file(corpus_dir / "mao_selected_works/004-关于纠正党内的错误思想.md")
    paragraphs = open_docx(export_document(doc, "docx")[1]).paragraphs
    headings = [p.text for p in paragraphs if p.style.name.startswith("Heading")]
    methods = ["（一）从思想上肃清盲动主义。", "（二）从制度上和政策上纠正盲动的行为。"]
    assert headings[-3:] == ["关于盲动主义残余", *methods], headings
    assert len(headings) == 10 and all(h.startswith("关于") for h in headings[:-2]), headings
    sentences = [p for p in paragraphs if re.fullmatch(r"（[一二三四五六七八]）[^。]+。", p.text)]
    assert len(sentences) == 11 and "（五）打胜仗就骄傲，打败仗就消极。" in [p.text for p in sentences]
    assert {p.style.name for p in sentences if p.text not in methods} == {"Normal"}


def test_docx_divisions_of_a_law_are_centred():
    """A 章 and a 节 heading on its own line centred with no indent, as laws and 规章 are printed; a 方案's
    第X部分 and an 一、 heading keep the Normal style's two characters, an article stays a body paragraph."""
    text = "第一部分 总体要求\n一、目标任务\n第一章 总则\n第一节 一般规定\n第一条 为了规范管理，制定本办法。"
    at = text.find
    outline = [
        OutlineNode(1, "第一部分", "总体要求", 0, at("第一章"), children=[
            OutlineNode(2, "一、", "目标任务", at("一、"), at("第一章")),
        ]),
        OutlineNode(1, "第一章", "总则", at("第一章"), len(text), children=[
            OutlineNode(2, "第一节", "一般规定", at("第一节"), len(text), children=[
                OutlineNode(3, "第一条", "为了规范管理", at("第一条"), len(text)),
            ]),
        ]),
    ]  # fmt: skip
    document = open_docx(export_document(Document("某某管理办法", text, outline=outline), "docx")[1])
    shown = [(p.text[:4], p.alignment, p.paragraph_format.first_line_indent) for p in document.paragraphs[1:]]
    assert shown == [("第一部分", None, None), ("一、目标", None, None), ("第一章 ", WD_ALIGN_PARAGRAPH.CENTER, Pt(0)),
                     ("第一节 ", WD_ALIGN_PARAGRAPH.CENTER, Pt(0)), ("第一条 ", None, None)]


@pytest.mark.parametrize(
    ("style", "font", "size_pt"),
    [
        ("Normal", "仿宋_GB2312", 16),
        ("Title", "方正小标宋简体", 22),
        ("Heading 1", "黑体", 16),
        ("Heading 2", "楷体_GB2312", 16),
    ],
)
def test_docx_styles_name_east_asian_fonts(full_docx, style, font, size_pt):
    element = full_docx.styles[style].element
    assert _east_asia(element) == font
    assert full_docx.styles[style].font.size == Pt(size_pt)
    assert element.find(qn("w:rPr")).find(qn("w:rFonts")).get(qn("w:eastAsiaTheme")) is None


def test_docx_style_is_configurable():
    house = DocxStyle(body_font="仿宋", level1_font="方正黑体_GBK")
    document = open_docx(export_document(make_doc(), "docx", style=house)[1])
    assert _east_asia(_paragraph(document, "一、").runs[0]._r) == "方正黑体_GBK"
    assert _east_asia(_paragraph(document, "根据").runs[0]._r) == "仿宋"


def test_docx_footer_has_page_field_between_em_dashes(full_docx):
    section = full_docx.sections[0]
    assert full_docx.settings.odd_and_even_pages_header_footer
    odd_even = ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT))
    for footer, alignment in odd_even:
        paragraph = footer.paragraphs[0]
        xml = paragraph._p.xml
        assert 'w:fldCharType="begin"' in xml and 'w:fldCharType="end"' in xml
        assert [t.text for t in paragraph._p.iter(qn("w:instrText"))] == [" PAGE "]
        assert paragraph.text == "— 1 —"
        assert paragraph.alignment == alignment
        assert {_east_asia(r._r) for r in paragraph.runs} == {"宋体"}
        assert {r.font.size for r in paragraph.runs} == {Pt(14)}


def test_docx_paragraphs_are_the_lines_in_order(full_docx):
    assert [_text(p) for p in full_docx.paragraphs] == [TITLE, *FREE_LINES, *PAID_LINES]


def test_docx_core_properties(full_docx):
    props = full_docx.core_properties
    assert (props.title, props.subject, props.category) == (TITLE, "对照检查材料", "对照检查材料")
    assert (props.comments, props.keywords) == ("墨林素材库", "墨林素材库")


def test_docx_notice_is_last_paragraph():
    document = open_docx(export_document(access.free_view(make_doc()), "docx", notice=NOTICE)[1])
    assert document.paragraphs[-1].text == NOTICE
    assert _east_asia(document.paragraphs[-1].runs[0]._r) == "仿宋_GB2312"


STYLE_REFERENCES = ("w:pStyle", "w:rStyle", "w:tblStyle", "w:basedOn", "w:next", "w:link")


def _check_report_docx() -> bytes:
    text = "第一段抄来的文字。\n第二段自己写的。"
    match = Match(0, 9, 7, "来源文件", 0, 9, 1.0, text[:9], "开头")
    report = CheckReport(text, 17, 0.5, 0.5, {"doc_id": 7, "title": "来源文件", "copy_ratio": 0.5}, [match],
                         [ParagraphRatio(0, 9, 1.0), ParagraphRatio(10, 18, 0.0)])
    return export_report(report, "docx")[1]


def test_template_has_every_style_the_downloads_use(monkeypatch):
    """The 公文 export and the 查重 report start from the slim template.docx: every style they ask for by name is
    in it and in STYLES (what scripts/make_docx_template.py keeps), and every style their parts refer to
    (the page-number footers' "Footer", a style's basedOn…) is defined, so nothing falls back to Normal unseen;
    and neither is made from python-docx's default template (its styles, twice ~438 KB, in every file)."""
    asked = []
    look_up = Styles.__getitem__
    monkeypatch.setattr(Styles, "__getitem__", lambda styles, name: asked.append(name) or look_up(styles, name))
    downloads = [open_docx(export_document(make_doc(), "docx")[1]), open_docx(_check_report_docx())]
    assert {"Normal", "Title", "Heading 1", "Heading 9", "Table Grid"} <= set(asked) <= set(STYLES)
    template = {style.name for style in blank_document().styles}
    assert set(STYLES) <= template
    for document, seen in zip(downloads, ({"Title", "Heading1", "Footer"}, {"Title", "Heading1", "TableGrid"})):
        parts = [p for p in document.part.package.iter_parts() if p.partname.startswith("/word/")]
        referred = {ref.get(qn("w:val")) for part in parts if part.partname.endswith(".xml")
                    for tag in STYLE_REFERENCES for ref in parse_xml(part.blob).iter(qn(tag))}
        assert seen <= referred
        assert "/word/stylesWithEffects.xml" not in {part.partname for part in parts}   # not python-docx's template
        assert not referred - {style.style_id for style in document.styles}


@pytest.mark.parametrize(
    ("text", "node", "expected"),
    [
        # an inline item at the start of a line is still body text
        ("一是加强学习。", OutlineNode(5, "一是", "加强学习", 0, 7, "item"), Block("一是加强学习。")),
        # a heading whose words were blanked at the member boundary styles only its label
        ("一、主要", OutlineNode(1, "一、", "", 0, 4), Block("一、主要", 1, 2)),
        # an unnumbered markdown heading with an indented line
        ("  总体要求", OutlineNode(1, "", "总体要求", 2, 6), Block("总体要求", 1, 4)),
        # a node that does not start its line is ignored
        ("前文一、主要问题", OutlineNode(1, "一、", "主要问题", 2, 8), Block("前文一、主要问题")),
    ],
)
def test_blocks_edge_cases(text, node, expected):
    assert blocks(Document("标题", text, outline=[node])) == [expected]


# ---------------------------------------------------------------- .md and .txt


def test_markdown_layout():
    doc = make_doc(text=FREE, paid_from=None, outline=make_doc().outline[:1])
    expected = (
        f"# {TITLE}\n\n"
        "> 文种：对照检查材料 ｜ 字数：85 ｜ 来源：墨林素材库 ｜ 文号：财纪支〔2023〕1号 ｜ 日期：2023-12-20\n\n"
        "根据组织生活会要求，支部深入开展学习。\n\n"
        "## 一、主要问题\n\n"
        "### （一）理论学习方面。\n\n"
        "主要存在学习不够深入的问题。\n\n"
        "#### 1.学习不够全面\n\n"
        "##### （1）内容落项\n\n"
        "具体表现：一是学习不全面；二是学习不及时。\n\n"
        f"{NOTICE}\n"
    )
    assert len(FREE) == 93
    assert export_document(doc, "md", notice=NOTICE) == (f"{TITLE}.md", expected.encode("utf-8"))


@pytest.mark.parametrize(
    ("line", "escaped"),
    [
        ("1. 列表样的正文", "1\\. 列表样的正文"),
        ("1.不是列表", "1.不是列表"),
        ("# 井号开头", "\\# 井号开头"),
        ("- 减号开头", "\\- 减号开头"),
        ("含*星号*与_下划线_", "含\\*星号\\*与\\_下划线\\_"),
    ],
)
def test_markdown_escapes_what_would_become_markup(line, escaped):
    markdown = export_document(Document("标题", line), "md")[1].decode("utf-8")
    assert markdown.split("\n\n")[2] == escaped + "\n"


def test_txt_layout():
    doc = make_doc(text="第一段。\n\n第二段。")
    assert export_document(doc, "txt", notice=NOTICE) == (
        f"{TITLE}.txt",
        f"{TITLE}\n\n第一段。\n\n第二段。\n\n{NOTICE}\n".encode("utf-8"),
    )


# ---------------------------------------------------------------- member boundary


def _visible_text(fmt: str, data: bytes) -> str:
    """Everything a reader of the file could see: all text, and for .docx every XML part as well."""
    if fmt != "docx":
        return data.decode("utf-8")
    document = open_docx(data)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        parts = [package.read(name).decode("utf-8") for name in package.namelist() if name.endswith(".xml")]
    return "\n".join([*(p.text for p in document.paragraphs), *parts])


def _windows(text: str, size: int = 6) -> set[str]:
    return {text[i : i + size] for i in range(len(text) - size + 1) if "\n" not in text[i : i + size]}


@pytest.mark.parametrize("fmt", FORMATS)
def test_free_export_has_no_members_text_and_has_notice(fmt):
    doc = make_doc()
    members = _windows(doc.text[doc.paid_from :])
    _, data = export_document(access.free_view(doc), fmt, notice=access.notice(doc))
    seen = _visible_text(fmt, data)
    assert access.notice(doc) == NOTICE
    assert NOTICE in seen
    assert [w for w in members if w in seen] == []
    # the check can fail: the full export does contain the members part
    full = _visible_text(fmt, export_document(doc, fmt)[1])
    assert "红杉甲方案要求" in full


# ---------------------------------------------------------------- names and zip


@pytest.mark.parametrize(
    ("title", "stem"),
    [
        ("关于A/B的通知", "关于A_B的通知"),
        ('a\\b:c*d?e"f<g>h|i', "a_b_c_d_e_f_g_h_i"),
        ("换行\n与\t制表", "换行 与 制表"),
        ("零宽\u200b与反向\u202e字符", "零宽与反向字符"),
        ("../../etc/passwd", "etc_passwd"),
        ("..", "文档-7"),
        ("   ", "文档-7"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("通" * 100, "通" * 80),
    ],
)
def test_safe_stem(title, stem):
    assert safe_stem(title, "文档-7") == stem
    assert MAX_STEM == 80


def test_export_name_falls_back_to_id():
    assert export_document(Document("???", "正文", id=7), "txt")[0] == "文档-7.txt"


def test_unknown_format_is_refused():
    with pytest.raises(InvalidInput) as err:
        export_document(make_doc(), "pdf")
    assert err.value.code == "bad_format"
    with pytest.raises(InvalidInput) as err:
        export_zip([(make_doc(), None)], "pdf")
    assert err.value.code == "bad_format"


def _read_zip(data: bytes):
    archive = zipfile.ZipFile(io.BytesIO(data))
    index = list(csv.reader(io.StringIO(archive.read("索引.csv").decode("utf-8-sig"))))
    return archive, index


def test_zip_names_flags_index_and_duplicates():
    first = make_doc(text=FREE, paid_from=None, outline=[], id=1)
    second = Document("通知", "短文。", genre="通知", id=2)
    third = make_doc(title=TITLE, text="另一篇。", paid_from=None, outline=[], source=None, id=3)
    archive, index = _read_zip(export_zip([(first, None), (second, "提示"), (third, None)], "txt"))
    names = [info.filename for info in archive.infolist()]
    assert names == ["索引.csv", f"{TITLE}.txt", "通知.txt", f"{TITLE} (2).txt"]
    assert all(info.flag_bits & 0x800 for info in archive.infolist())
    assert index == [
        ["序号", "标题", "文种", "字数", "来源", "文件名"],
        ["1", TITLE, "对照检查材料", "85", "墨林素材库", f"{TITLE}.txt"],   # 字数: 93 characters, 6 line ends, 2 U+3000
        ["2", "通知", "通知", "3", "", "通知.txt"],
        ["3", TITLE, "对照检查材料", "4", "", f"{TITLE} (2).txt"],
    ]
    assert archive.read("通知.txt").decode("utf-8") == "通知\n\n短文。\n\n提示\n"


def test_zip_ascii_names_have_no_utf8_flag_and_index_name_is_reserved():
    docs = [(Document("report", "x"), None), (Document("索引", "y"), None)]
    archive, _ = _read_zip(export_zip(docs, "md"))
    flags = {info.filename: bool(info.flag_bits & 0x800) for info in archive.infolist()}
    assert flags == {"索引.csv": True, "report.md": False, "索引.md": True}


def test_zip_of_docx_reopens():
    view = access.free_view(make_doc())   # its title as a visitor gets it (the document keeps no evidence)
    archive, _ = _read_zip(export_zip([(view, NOTICE)], "docx"))
    assert open_docx(archive.read(f"{view.title}.docx")).paragraphs[-1].text == NOTICE


def test_zip_limit():
    docs = [(Document(f"第{i}篇", "正文"), None) for i in range(3)]
    assert len(zipfile.ZipFile(io.BytesIO(export_zip(docs, "txt", limit=3))).namelist()) == 4
    with pytest.raises(InvalidInput) as err:
        export_zip(docs, "txt", limit=2)
    assert err.value.code == "too_many"


# ---------------------------------------------------------------- real input and other readers


@pytest.mark.corpus
def test_sample_exports_every_line(sample_path):
    lines = sample_path.read_text(encoding="utf-8").splitlines()
    doc = Document(lines[0], "\n".join(lines[1:]))
    expected = [line.strip() for line in lines[1:] if line.strip()]
    assert [_text(p) for p in open_docx(export_document(doc, "docx")[1]).paragraphs] == [lines[0], *expected]


def _has_cjk_font() -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    return bool(subprocess.run([fc_list, ":lang=zh"], capture_output=True, text=True).stdout.strip())


def _libreoffice_pdf(tmp_path: Path, name: str, data: bytes, fallbacks: bool = False) -> Path:
    """``data`` saved as ``name`` and converted to PDF by LibreOffice; skips when that cannot be done.

    With ``fallbacks``, LibreOffice finds fonts through a fontconfig file that adds the aliases of
    :func:`sucai.export.fonts.fontconfig_aliases` to the system's configuration (skips unless the open
    fonts they end with are installed: fonts-arphic-uming, fonts-arphic-ukai, fonts-noto-cjk).
    """
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed; apt-get install libreoffice-writer-nogui")
    if not _has_cjk_font():
        pytest.skip("no Chinese font for LibreOffice to render with; apt-get install fonts-wqy-microhei")
    pytest.importorskip("pdfplumber")
    env = dict(os.environ)
    if fallbacks:
        for family in OPEN_FONTS.values():
            if family not in subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True).stdout:
                pytest.skip(f"the open font {family} is not installed (scripts/system-packages.sh installs it)")
        (tmp_path / "50-sucai.conf").write_text(fontconfig_aliases(), encoding="utf-8")
        (tmp_path / "fonts.conf").write_text(
            '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>'
            f'<include>/etc/fonts/fonts.conf</include><include>{tmp_path / "50-sucai.conf"}</include></fontconfig>\n',
            encoding="utf-8")
        env["FONTCONFIG_FILE"] = str(tmp_path / "fonts.conf")
    (tmp_path / name).write_bytes(data)
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(tmp_path / name)],
        check=True, capture_output=True, timeout=120, env=env,
    )  # fmt: skip
    return tmp_path / (Path(name).stem + ".pdf")


# The open fonts that stand in, on a Linux machine, for the fonts a 公文 names (their PDF names in brackets).
OPEN_FONTS = {"仿宋_GB2312": "AR PL UMing CN", "楷体_GB2312": "AR PL UKai CN", "方正小标宋简体": "Noto Serif CJK SC",
              "黑体": "Noto Sans CJK SC"}


def _body_lines(page) -> list[int]:
    """Characters per printed line of 16 pt text on a PDF page, top to bottom (title and page number excluded)."""
    lines = Counter(round(c["top"]) for c in page.chars if c["text"].strip() and abs(c["size"] - 16) < 0.5)
    return [lines[top] for top in sorted(lines)]


def test_libreoffice_renders_the_docx(tmp_path):
    import pdfplumber

    name, data = export_document(make_doc(), "docx", notice=NOTICE)
    with pdfplumber.open(_libreoffice_pdf(tmp_path, name, data)) as pdf:
        assert len(pdf.pages) > 0
        first_page = re.sub(r"\s", "", pdf.pages[0].extract_text())
    assert first_page.startswith(TITLE)


def test_libreoffice_shows_28_characters_and_22_lines(tmp_path):
    """GB/T 9704-2012 §5.2.4 as LibreOffice lays it out (Word reads the same run spacing and line grid).

    1,500 Han characters (no punctuation, so nothing may be compressed or kept off a
    line start) in one paragraph: the first line holds 28 − 2 (indent) = 26, every
    other full line 28, the last line the rest. Page 1 has the title and the empty
    line after it, i.e. 20 body lines; page 2 is a full page of 22.
    """
    import pdfplumber

    han = "坚持以人民为中心的发展思想推进国家治理体系和治理能力现代化"
    text = (han * 60)[:1500]
    name, data = export_document(Document("版心测试", text), "docx")
    with pdfplumber.open(_libreoffice_pdf(tmp_path, name, data)) as pdf:
        pages = [_body_lines(page) for page in pdf.pages]
    per_line = [n for page in pages for n in page]
    assert sum(per_line) == 1500
    full_lines = (1500 - 26) // 28
    assert per_line == [26] + [28] * full_lines + [1500 - 26 - 28 * full_lines]
    assert [len(page) for page in pages[:2]] == [20, 22]


def _signed_document(han: str, lengths: tuple[int, ...]) -> Document:
    """A document of one heading, paragraphs of ``lengths`` Han characters (no punctuation: nothing compressed), and a
    落款 (署名 and 成文日期)."""
    lines = ["一、整改措施", *((han * 40)[:n] for n in lengths), "某县统计局党支部", "2026年12月5日"]
    text = "\n".join(lines)
    signature, date = text.index("某县统计局党支部"), text.index("2026年12月5日")
    return Document("工作总结", text, genre="工作总结",
                    outline=[OutlineNode(1, "一、", "整改措施", 0, signature - 1)],
                    elements=[Element("issuer_signature", lines[-2], signature, signature + len(lines[-2])),
                              Element("date", lines[-1], date, date + len(lines[-1]))])


def test_docx_keeps_the_text_before_the_signature_with_it(notice_docx):
    """write27: a 落款 alone on a page signs nothing (GB/T 9704-2012 §7.3.5): the paragraph before it — the 附件说明
    of the notice, the text's last paragraph when there is none — is kept with it (与下段同页), and no other body
    paragraph is."""
    kept = [p.text for p in notice_docx.paragraphs
            if p.paragraph_format.keep_with_next and not p.style.name.startswith("Heading")]
    assert kept == ["附件：1.春季农业生产任务分解表", "某县农业农村局"]   # the 署名 keeps with its date, as before
    document = open_docx(export_document(_signed_document("坚持以人民为中心", (40, 60)), "docx")[1])
    kept = [p.text for p in document.paragraphs
            if p.paragraph_format.keep_with_next and not p.style.name.startswith("Heading")]
    assert kept == [("坚持以人民为中心" * 40)[:60], "某县统计局党支部"]


def test_libreoffice_keeps_the_signature_with_the_text(tmp_path):
    """write27, seen on a drafted 对照检查材料: its 落款 alone at the top of page 2. A heading and paragraphs of 9 and
    10 lines fill page 1's 20 body lines (§5.2.4: 26 characters on a paragraph's first line, 28 on the others), so
    the 落款, one line below the text, went to page 2 alone; the last paragraph now goes with it (LibreOffice moves it
    whole) and page 1 keeps the heading and the first."""
    import pdfplumber

    han = "坚持以人民为中心的发展思想推进国家治理体系和治理能力现代化"
    name, data = export_document(_signed_document(han, (26 + 28 * 8, 26 + 28 * 9)), "docx")
    with pdfplumber.open(_libreoffice_pdf(tmp_path, name, data)) as pdf:
        pages = [re.sub(r"\s", "", page.extract_text()) for page in pdf.pages]
    signed = next(page for page in pages if "某县统计局党支部" in page)
    assert han[:10] in signed and len(pages) == 2 and han[:10] in pages[0]


# ---------------------------------------------------------------- real documents

CORPUS_DOCS = {
    "state_council_notice": "state_council_policies_govcn/txt/003_国务院关于印发国家职业教育改革实施方案的通知.txt",
    "work_report": "gov_work_reports_national_2024_2026/2025_政府工作报告_重建_部分.txt",
    "law": "laws_lawrefbook_national/行政法规/护士条例(2020-03-27).md",
}
# By hand, from reading each file: the first level-1 and level-2 paragraphs of GB/T 9704 §7.3.3
# and the (text, East Asian font) of their runs. In the notice the attached 方案 title is the top
# heading, so 一、 is at depth 2 and （一） at depth 3 of its outline: the font follows the label.
REAL_FONTS = {
    "sample": [
        ("一、主要问题", [("一、主要问题", "黑体")]),
        ("（一）理论学习方面", [("（一）理论学习方面。", "楷体_GB2312"), (None, "仿宋_GB2312")]),
    ],
    "state_council_notice": [
        ("一、完善国家职业教育制度体系", [("一、完善国家职业教育制度体系", "黑体")]),
        ("（一）健全国家职业教育制度框架。", [("（一）健全国家职业教育制度框架。", "楷体_GB2312")]),
    ],
    "work_report": [
        ("一、2024年工作回顾", [("一、2024年工作回顾", "黑体")]),
        (
            "（一）大力提振消费",
            [("（一）大力提振消费、提高投资效益，全方位扩大国内需求。", "楷体_GB2312"), (None, "仿宋_GB2312")],
        ),
    ],
    "law": [
        ("第一章 总则", [("第一章 总则", "黑体")]),
        ("第一条 ", [("第一条", "黑体"), (None, "仿宋_GB2312")]),
    ],
}
REAL_BODY = {
    "sample": "根据2023年专题组织生活会相关要求",
    "state_council_notice": "各省、自治区、直辖市人民政府",
    "work_report": "各位代表：",
    "law": "全社会应当尊重护士。",
}


def _source(name: str, corpus_dir: Path, sample_path: Path) -> Path:
    return sample_path if name == "sample" else corpus_dir / CORPUS_DOCS[name]


@pytest.fixture(scope="module", params=["sample", *CORPUS_DOCS])
def real(request, corpus_dir, sample_path):
    """(name, parsed Document, exported and reopened .docx) for each real document."""
    from sucai.ingest import parse_file

    doc = parse_file(_source(request.param, corpus_dir, sample_path))
    return request.param, doc, open_docx(export_document(doc, "docx")[1])


@pytest.mark.corpus
def test_real_docx_page_and_properties(real):
    _, doc, document = real
    section = document.sections[0]
    sizes = [section.page_width, section.page_height, section.top_margin, section.bottom_margin,
             section.left_margin, section.right_margin]  # fmt: skip
    assert [round(length.mm, 1) for length in sizes] == [210, 297, 37, 35, 28, 26]
    assert document.core_properties.title == doc.title


@pytest.mark.corpus
def test_real_docx_fonts(real):
    name, doc, document = real
    title = next(p for p in document.paragraphs if p.style.name == "Title")  # after a 版头 (发文字号) if any
    assert _text(title) == doc.title
    assert {_east_asia(r._r) for r in title.runs} == {"方正小标宋简体"}
    body = _paragraph(document, REAL_BODY[name])
    assert [_east_asia(r._r) for r in body.runs] == ["仿宋_GB2312"]
    for prefix, expected in REAL_FONTS[name]:
        runs = _paragraph(document, prefix).runs
        assert [_east_asia(r._r) for r in runs] == [font for _, font in expected], prefix
        assert [r.text for r, (text, _) in zip(runs, expected) if text] == [t for t, _ in expected if t]
        assert {r.font.size for r in runs} == {Pt(16)}
        assert {_run_spacing(r) for r in runs} == {"-5"}


@pytest.mark.corpus
def test_real_docx_keeps_every_line_and_heading_in_order(real):
    _, doc, document = real
    paragraphs = [_text(p) for p in document.paragraphs]
    lines = [line.strip() for line in doc.text.splitlines() if line.strip()]
    head = paragraphs.index(doc.title)  # the 版头's lines (发文字号…) stand above the title
    assert paragraphs[:head] == lines[:head] and paragraphs[head + 1:] == lines[head:]
    heads = [n for n in walk_outline(doc.outline) if n.kind == "heading"]
    assert len(heads) >= 9
    at = 0
    for node in heads:  # each heading starts a later paragraph: its label first, then its words
        later = (i for i in range(at + 1, len(paragraphs)) if paragraphs[i].startswith(node.label))
        at = next((i for i in later if node.heading in paragraphs[i]), None)
        assert at is not None, f"heading {node.label}{node.heading} missing or out of order"


@pytest.mark.corpus
def test_real_docx_in_libreoffice(corpus_dir, tmp_path):
    import pdfplumber

    from sucai.ingest import parse_file

    doc = parse_file(corpus_dir / CORPUS_DOCS["state_council_notice"])
    name, data = export_document(doc, "docx")
    with pdfplumber.open(_libreoffice_pdf(tmp_path, name, data)) as pdf:
        pages = [_body_lines(page) for page in pdf.pages]
        first_page = re.sub(r"\s", "", pdf.pages[0].extract_text())
    assert first_page.startswith("国发〔2019〕4号" + doc.title)  # the 发文字号 centred above the title
    # 8,922 characters at 28 × 22 a page, plus paragraph ends: more than 14 pages of at most 22 lines
    assert len(pages) > doc.chars // (28 * 22)
    assert max(len(page) for page in pages) == 22


@pytest.mark.corpus
def test_sample_round_trip_through_parse_file(sample_path, tmp_path):
    """The exported .docx, read back by the real pipeline, gives the same title, outline and text."""
    from sucai.ingest import parse_file

    doc = parse_file(sample_path)
    name, data = export_document(doc, "docx")
    (tmp_path / name).write_bytes(data)
    back = parse_file(tmp_path / name)
    assert back.title == doc.title
    shape = [(n.level, n.label, n.heading, n.kind) for n in walk_outline(back.outline)]
    assert shape == [(n.level, n.label, n.heading, n.kind) for n in walk_outline(doc.outline)]
    assert [line.strip() for line in back.text.splitlines() if line.strip()] == [
        line.strip() for line in doc.text.splitlines() if line.strip()
    ]


@pytest.mark.parametrize("fmt", ["docx", "txt"])
def test_round_trip_through_the_readers(fmt):
    """Export, then read, clean and structure the file again: same title, lines and outline.

    (.md is not round-tripped: its metadata line and split run-in headings are meant for reading.)
    """
    readers = pytest.importorskip("sucai.readers")
    clean = pytest.importorskip("sucai.clean")
    outline = pytest.importorskip("sucai.outline")
    if not all(hasattr(m, f) for m, f in ((readers, "read_bytes"), (clean, "clean"), (outline, "analyse"))):
        pytest.skip("needs sucai.readers.read_bytes, sucai.clean.clean and sucai.outline.analyse")
    doc = make_doc(paid_from=None)
    name, data = export_document(doc, fmt)
    raw = readers.read_bytes(data, name)
    back = outline.analyse(clean.clean(raw.text), title_hint=raw.title)
    assert back.title == TITLE
    assert [line.strip() for line in back.text.splitlines() if line.strip()] == FREE_LINES + PAID_LINES
    shape = [(n.level, n.label, n.heading, n.kind) for n in walk_outline(back.outline)]
    assert shape == [(n.level, n.label, n.heading, n.kind) for n in walk_outline(doc.outline)]


# ---------------------------------------------------------------- B27: a title longer than the core property


def long_title() -> str:
    head, tail, unit = "转发市财政局关于", "的通知", "进一步加强预算绩效管理和资金监督检查工作、"
    title = head + (unit * 20)[: 265 - len(head) - len(tail)] + tail
    assert len(title) == 265
    return title


def assert_long_title_docx(data: bytes, title: str) -> None:
    document = open_docx(data)
    assert _text(document.paragraphs[0]) == title                   # the visible title is whole
    assert document.core_properties.title == title[:254] + "…"      # the property is cut to 255 characters
    assert len(document.core_properties.title) == 255


def test_b27_long_title_exports_as_docx_from_the_cli_the_web_and_a_zip(tmp_path, home):
    from click.testing import CliRunner
    from fastapi.testclient import TestClient

    from sucai.cli import app as cli_app
    from sucai.library import Library
    from sucai.web import create_app

    title = long_title()
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "long.html").write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head><body><h1>{title}</h1>"
        "<div class='article'><p>各区县财政局：</p><p>现将市财政局有关文件转发给你们，请结合实际认真贯彻执行。"
        "各单位要高度重视预算绩效管理工作，切实加强组织领导，确保各项工作落到实处。</p><p>特此通知。</p></div>"
        "</body></html>", encoding="utf-8")
    library = Library.open(home)
    library.ingest([folder], workers=1)
    assert library.get(1).title == title
    runner = CliRunner()
    target = tmp_path / "out.docx"
    result = runner.invoke(cli_app, ["export", "1", "--format", "docx", "-o", str(target), "--home", str(home)])
    assert result.exit_code == 0, result.output
    assert_long_title_docx(target.read_bytes(), title)
    client = TestClient(create_app(home), raise_server_exceptions=False)
    response = client.get("/api/documents/1/download", params={"format": "docx"})
    assert response.status_code == 200
    assert_long_title_docx(response.content, title)
    packed = client.get("/api/download", params={"ids": "1", "format": "docx"})
    assert packed.status_code == 200
    archive, index = _read_zip(packed.content)
    assert index[1][1] == title and index[1][5] == f"{title[:MAX_STEM]}.docx"
    assert_long_title_docx(archive.read(index[1][5]), title)
    library.close()


# ---------------------------------------------------------------- B33: formula injection in 索引.csv


def test_b33_index_cells_never_start_a_formula():
    titles = ['=HYPERLINK("http://example.invalid","点击")', "@SUM(1+1)", "+86通知", "-1+2", "\t制表开头", "\r回车开头"]
    docs = [(Document(t, "正文。", genre="通知", id=n), None) for n, t in enumerate(titles, start=1)]
    docs.append((Document("普通标题", "正文。", genre="=1+1", source="@来源", id=9), None))
    data = export_zip(docs, "md")
    archive = zipfile.ZipFile(io.BytesIO(data))
    raw = archive.read("索引.csv")
    assert raw.startswith(b"\xef\xbb\xbf")                       # UTF-8 with BOM: spreadsheets read Chinese
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    names = [info.filename for info in archive.infolist()][1:]
    assert names[0] == "=HYPERLINK(_http___example.invalid_,_点击_).md"   # the file itself keeps its name
    assert rows[1:] == [
        ["1", "'" + titles[0], "通知", "3", "", "'" + names[0]],
        ["2", "'@SUM(1+1)", "通知", "3", "", "'@SUM(1+1).md"],
        ["3", "'+86通知", "通知", "3", "", "'+86通知.md"],
        ["4", "'-1+2", "通知", "3", "", "'-1+2.md"],
        ["5", "'\t制表开头", "通知", "3", "", "制表开头.md"],
        ["6", "'\r回车开头", "通知", "3", "", "回车开头.md"],
        ["7", "普通标题", "'=1+1", "3", "'@来源", "普通标题.md"],
    ]
    assert not [cell for row in rows for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]


# ---------------------------------------------------------------- title lines (GB/T 9704 §7.3.1)

TITLE_CAPACITY = 442.205 / (22 - 0.25)  # ems of 2号 with the run spacing in the 156 mm line: 20.3


@pytest.mark.parametrize(("title", "lines"), [
    # the two titles of the issue, by hand: no word cut ("组织生活会", "更大自主权" whole)
    ("某市财政局纪委党支部2023年专题组织生活会对照检查材料", ["某市财政局纪委党支部2023年", "专题组织生活会对照检查材料"]),
    ("国务院办公厅关于抓好赋予科研机构和人员更大自主权有关文件贯彻落实工作的通知",
     ["国务院办公厅关于抓好赋予科研机构和人员", "更大自主权有关文件贯彻落实工作的通知"]),
    ("关于加强作风建设的通知", ["关于加强作风建设的通知"]),  # fits: one line
    # 词意完整 (§7.3.1): no term of the segmenter's finer words cut — 职业/教育, 政府/性, 小微/企业, 三级/公立医院 were —
    # but the break after the verb that takes the term as its object, as these titles are printed
    ("国务院关于印发国家职业教育改革实施方案的通知", ["国务院关于印发", "国家职业教育改革实施方案的通知"]),
    ("国务院办公厅关于有效发挥政府性融资担保基金作用切实支持小微企业和“三农”发展的指导意见",
     ["国务院办公厅关于有效发挥", "政府性融资担保基金作用切实支持", "小微企业和“三农”发展的指导意见"]),
    ("国务院办公厅关于加强三级公立医院绩效考核工作的意见", ["国务院办公厅关于加强", "三级公立医院绩效考核工作的意见"]),
    # a space between a title's parts is where it breaks (not 党/旗飘扬 a character later, nor 打/好组合拳)
    ("天津抓实项目党建助力城市更新 党旗飘扬处 老街展新颜", ["天津抓实项目党建助力城市更新 ", "党旗飘扬处 老街展新颜"]),
    ("四川犍为用活“四小工作法”打好组合拳 未诉先办 主动靠前", ["四川犍为用活“四小工作法”打好组合拳 ", "未诉先办 主动靠前"]),
    # a conjunction binds what follows: no line ends with one where another break reads as well (they did: 放弃延安和 /
    # 保卫…, 香港地区或者 / 澳门地区…, 关于内地与 / 香港… in three lines; titles as the corpus gives them) …
    ("中共中央关于暂时放弃延安和保卫陕甘宁边区的两个文件", ["中共中央关于暂时放弃", "延安和保卫陕甘宁边区的两个文件"]),
    ("中国公民因私事往来香港地区或者澳门地区的暂行管理办法(1986-12-25)",
     ["中国公民因私事往来香港地区", "或者澳门地区的暂行管理办法(1986-12-25)"]),
    ("最高人民法院关于内地与香港特别行政区法院相互认可和执行民商事案件判决的安排(2024-01-25)",
     ["最高人民法院关于内地与香港特别行政区法院", "相互认可和执行民商事案件", "判决的安排(2024-01-25)"]),
    # … but where every other break of two lines cuts a word (机械化 / 和, 农机 / 装备) or ends with 驻 (a preposition
    # here: 外国驻 / 中国使馆), after 和 it is
    ("国务院关于加快推进农业机械化和农机装备产业转型升级的指导意见", ["国务院关于加快推进农业机械化和", "农机装备产业转型升级的指导意见"]),
    ("海关总署关于外国驻中国使馆和使馆人员进出境物品的规定", ["海关总署关于外国驻中国使馆和", "使馆人员进出境物品的规定"]),
])
def test_title_lines_by_hand(title, lines):
    assert title_lines(title, TITLE_CAPACITY) == lines


@pytest.mark.parametrize("opening, closing", [('"', '"'), ("„", "“"), ("＂", "＂")])
def test_a_title_is_not_broken_inside_quotation_marks_of_any_form(opening, closing):
    """A keyboard's "…" and German „…“ are quotations as “…” is: the title breaks where it breaks with “…” — it broke
    inside them, 「…"互联网＋政务」/「服务"…」, where a pair was only “”, 《》, （）, 「」 or 『』 and „ never closed (read22)."""
    title = "关于推进“放管服”改革和“互联网＋政务服务”一体化平台建设工作的实施意见"
    curly = ["关于推进“放管服”改革和“互联网＋政务服务”", "一体化平台建设工作的实施意见"]
    assert title_lines(title, TITLE_CAPACITY) == curly
    stray = title.replace("“", "", 1)   # a closing mark that closes nothing opens no quotation
    assert title_lines(stray, TITLE_CAPACITY) == [curly[0].replace("“", "", 1), curly[1]]
    typed = title.replace("“", opening).replace("”", closing)
    lines = title_lines(typed, TITLE_CAPACITY)
    assert "".join(lines) == typed and len(lines) >= 2
    marks = [sum(line.count(mark) for mark in {opening, closing}) for line in lines]
    assert all(sum(marks[:n]) % 2 == 0 for n in range(1, len(lines))), lines   # each break after a closed pair


def _title_titles(corpus_dir: Path) -> list[str]:
    """The titles of the State Council documents, as their publisher gives them (meta.jsonl)."""
    meta = (corpus_dir / "state_council_policies_govcn" / "meta.jsonl").read_text(encoding="utf-8")
    return [json.loads(line)["title"] for line in meta.splitlines() if line.strip()]


@pytest.mark.corpus
def test_title_lines_of_real_titles_break_between_words_in_a_trapezoid_or_diamond(corpus_dir):
    titles = [t for t in _title_titles(corpus_dir) if em_width(t) > TITLE_CAPACITY]
    assert len(titles) > 20
    for title in titles:
        lines = title_lines(title, TITLE_CAPACITY)
        assert "".join(lines) == title and len(lines) >= 2
        starts = {start for start, _ in word_tags(title)}
        breaks = list(accumulate(len(line) for line in lines[:-1]))
        assert set(breaks) <= starts, (title, lines)  # only where a word begins
        widths = [em_width(line) for line in lines]
        assert max(widths) <= TITLE_CAPACITY, (title, lines)
        rising = all(a <= b for a, b in zip(widths, widths[1:]))
        falling = all(a >= b for a, b in zip(widths, widths[1:]))
        top = widths.index(max(widths))
        diamond = 0 < top < len(widths) - 1 and all(a <= b for a, b in zip(widths[:top + 1], widths[1:top + 1])) \
            and all(a >= b for a, b in zip(widths[top:], widths[top + 1:]))
        assert rising or falling or diamond, (title, widths)  # 梯形 or 菱形, never 沙漏


def test_title_keeps_a_number_with_its_unit():
    lines = title_lines("某市财政局第三党支部2024年度组织生活会对照检查材料", TITLE_CAPACITY)
    assert lines == ["某市财政局第三党支部", "2024年度组织生活会对照检查材料"]   # not 2024 / 年度


@pytest.mark.parametrize("title", ["某县高标准农田建设项目区乡镇村组农户花名册", "某县湖北省巴东县地质灾害险情有关问题的复函"])
def test_title_has_no_stub_line(title):
    """fix27: where every break but the one after 「某县」 cuts a term of nominal words, 「某县」 stood alone over a line
    of 19 — a line shorter than a fifth of the longest now counts as a bad break; still two lines, between words."""
    lines = title_lines(title, TITLE_CAPACITY)
    widths = [em_width(line) for line in lines]
    assert "".join(lines) == title and len(lines) == 2 and min(widths) >= max(widths) / 5, lines
    assert len(lines[0]) in {start for start, _ in word_tags(title)}
    # a short line that is not a stub (4 of 18) keeps a 书名号 whole, as such titles are printed
    assert title_lines("某县印发《政府网站集约化试点工作方案》的通知", TITLE_CAPACITY) == ["某县印发", "《政府网站集约化试点工作方案》的通知"]


def test_docx_title_is_broken_into_its_lines():
    title = "国务院办公厅关于抓好赋予科研机构和人员更大自主权有关文件贯彻落实工作的通知"
    document = open_docx(export_document(Document(title, "正文。"), "docx")[1])
    assert document.paragraphs[0].runs[0].text == "\n".join(title_lines(title, TITLE_CAPACITY))
    assert document.core_properties.title == title


# ---------------------------------------------------------------- 公文 elements (GB/T 9704 §7)

NOTICE_TITLE = "某县农业农村局关于做好2024年春季农业生产工作的通知"
NOTICE_LINES = [
    ("某县农业农村局文件", "issuer_mark"),
    ("某农发〔2024〕12号", "doc_number"),
    ("各乡镇人民政府，县直有关单位：", "addressee"),
    ("当前，全县春耕备耕已全面展开。为切实抓好春季农业生产，现就有关事项通知如下。", None),
    ("一、压实粮食生产责任", None),
    ("（一）分解落实面积任务", None),
    ("各乡镇要将县下达的粮食播种面积任务分解到村、落实到户到田块。", None),
    ("附件：1.春季农业生产任务分解表", "attachment_note"),
    ("某县农业农村局", "issuer_signature"),
    ("2024年3月5日", "date"),
    ("（此件公开发布）", "note"),
    ("抄送：县委办公室，县人大常委会办公室。", "cc"),
    ("某县农业农村局办公室　　2024年3月5日印发", "printer"),
    ("附件1", "attachment"),
    ("春季农业生产任务分解表", "attachment"),
    ("各乡镇按表填报。", None),
]


def notice_document(lines=NOTICE_LINES) -> Document:
    """A 通知 whose elements are given by hand (each element is its whole line), with its outline."""
    text = "\n".join(line for line, _ in lines)
    elements, at = [], 0
    for line, kind in lines:
        start = text.index(line, at)
        at = start + len(line)
        if kind:
            elements.append(Element(kind, line, start, at))
    one, two, end = text.index("一、"), text.index("（一）"), text.index("附件：")
    outline = [OutlineNode(1, "一、", "压实粮食生产责任", one, end, children=[OutlineNode(2, "（一）", "分解落实面积任务", two, end)])]
    return Document(NOTICE_TITLE, text, genre="通知", outline=outline, elements=elements)


@pytest.fixture(scope="module")
def notice_docx():
    return open_docx(export_document(notice_document(), "docx")[1])


def test_docx_masthead_above_the_title(notice_docx):
    """§7.2: 发文机关标志 centred in red 小标宋, 发文字号 centred two lines below with the red rule
    under it, then the title two lines below; none of them indented."""
    mark, number, title = notice_docx.paragraphs[:3]
    assert (mark.text, number.text, _text(title)) == ("某县农业农村局文件", "某农发〔2024〕12号", NOTICE_TITLE)
    for paragraph in (mark, number):
        assert paragraph.alignment == WD_ALIGN_PARAGRAPH.CENTER
        assert paragraph.paragraph_format.first_line_indent == Pt(0)
    assert mark.runs[0].font.color.rgb == RGBColor(0xFF, 0, 0) and _east_asia(mark.runs[0]._r) == "方正小标宋简体"
    assert _east_asia(number.runs[0]._r) == "仿宋_GB2312"
    assert number.paragraph_format.space_before == Twips(2 * 579)
    rule = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert (rule.get(qn("w:color")), rule.get(qn("w:space"))) == ("FF0000", "11")  # red, 4 mm ≈ 11.3 pt under
    assert title.paragraph_format.space_before == Twips(2 * 579) and title.style.name == "Title"


@pytest.mark.parametrize("mark, number, drop_mm", [
    ("某县农业农村局文件", "某农发〔2024〕12号", 35),   # §7.2.4
    ("中华人民共和国国务院令", "第517号", 20),           # §10.2: a 命令（令）
])
def test_docx_issuer_mark_stands_below_the_top_of_the_type_area(mark, number, drop_mm):
    """The 发文机关标志's top edge "至版心上边缘为35mm" (20 mm for a 令): space before its line, the first of the page."""
    text = f"{mark}\n{number}\n现予公布，自2008年5月12日起施行。"
    elements = [Element("issuer_mark", mark, 0, len(mark)),
                Element("doc_number", number, len(mark) + 1, len(mark) + 1 + len(number))]
    first = open_docx(export_document(Document("标题", text, elements=elements), "docx")[1]).paragraphs[0]
    assert first.text == mark and round(first.paragraph_format.space_before.mm, 1) == drop_mm


def test_docx_doc_number_alone_is_centred_above_the_title():
    lines = [line for line in NOTICE_LINES if line[1] != "issuer_mark"]
    document = open_docx(export_document(notice_document(lines), "docx")[1])
    number, title = document.paragraphs[:2]
    assert number.text == "某农发〔2024〕12号" and number.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert number._p.pPr.find(qn("w:pBdr")) is None  # no red rule without a 发文机关标志
    assert _text(title) == NOTICE_TITLE and title.paragraph_format.space_before == Twips(579)  # one empty line


MASTHEAD_TEXT = "\n\n".join(["临安县人民政府办公室文件", "临政办发〔2024〕12号", "关于做好2024年春季农业生产工作的通知",
                             "各乡镇人民政府，县政府各部门：", "为切实做好今年春季农业生产工作，现将有关事项通知如下。",
                             "临安县人民政府办公室", "2024年3月1日"])


@pytest.mark.parametrize("changes, head", [
    ({}, ["临安县人民政府办公室文件", "临政办发〔2024〕12号"]),       # the 落款's 发文机关 and the 文号: §7.2.4, §7.2.5
    ({"doc_number": None}, []),                                  # both are needed
    ({"source": "中国政府网"}, []),                               # a site's 来源 is no 发文机关
    ({"doc_number": "中华人民共和国国务院令第517号"}, []),          # a 令号 is no 发文字号 (§7.2.5: 〔年份〕)
])
def test_docx_masthead_made_of_the_metadata_when_the_text_has_none(changes, head):
    """The text as analysed holds no 版头 (it stood above the title: a ``before_title`` removal); the .docx puts it
    back from the metadata — 发文机关标志 in red with the red rule under the 发文字号 — when the 来源 names the
    发文机关 and the 文号 is known; read again, the .docx gives the 文号 back."""
    clean, outline, readers = (pytest.importorskip(f"sucai.{name}") for name in ("clean", "outline", "readers"))
    doc = outline.analyse(clean.clean(MASTHEAD_TEXT), title_hint="关于做好2024年春季农业生产工作的通知")   # its file name
    assert (doc.doc_number, doc.source) == ("临政办发〔2024〕12号", "临安县人民政府办公室")
    assert not doc.text.startswith("临安")   # the 版头 is not in the text
    if "source" in changes:
        doc = replace(doc, evidence=[*doc.evidence, Evidence("source", changes["source"], "text", rule="来源行")])
    doc = replace(doc, **changes)
    name, data = export_document(doc, "docx")
    paragraphs = open_docx(data).paragraphs
    assert [p.text for p in paragraphs[:len(head)]] == head and _text(paragraphs[len(head)]) == doc.title
    if head:
        assert paragraphs[0].runs[0].font.color.rgb == RGBColor(0xFF, 0, 0)
        assert paragraphs[1]._p.pPr.find(qn("w:pBdr")) is not None   # the red rule
        back = readers.read_bytes(data, name)
        assert outline.analyse(clean.clean(back.text), title_hint=back.title).doc_number == doc.doc_number


def test_docx_addressee_is_flush_left(notice_docx):
    """§7.3.2 主送机关 顶格: no first-line indent (the body keeps its two characters)."""
    addressee = _paragraph(notice_docx, "各乡镇人民政府")
    assert addressee.paragraph_format.first_line_indent == Pt(0)
    assert addressee.paragraph_format.left_indent in (None, Pt(0))
    assert _paragraph(notice_docx, "当前，").paragraph_format.first_line_indent is None  # the Normal style's 2 characters


def test_docx_signature_and_date_right_aligned(notice_docx):
    """§7.3.5.2 by hand: 署名 "某县农业农村局" is 7 characters, the date "2024年3月5日" 6 (digits are half):
    the 署名 ends max(2, 4 + 6 − 7) = 3 characters in, the date 3 + 7 − 2 − 6 = 2 in — so the date starts
    two characters right of the 署名's first character. One body character is 15.75 pt on the grid."""
    signature, date = (next(p for p in notice_docx.paragraphs if p.text == text) for text in ("某县农业农村局", "2024年3月5日"))
    for paragraph, chars in ((signature, 3), (date, 2)):
        assert paragraph.alignment == WD_ALIGN_PARAGRAPH.RIGHT
        assert paragraph.paragraph_format.right_indent == Pt(15.75 * chars)
    assert signature.paragraph_format.space_before == Twips(579)  # one line below the text
    note = _paragraph(notice_docx, "（此件公开发布）")
    assert note.alignment is None and note.paragraph_format.first_line_indent is None  # 附注: two characters in


def test_docx_signature_without_a_date_is_right_aligned_below_the_text():
    """read28: a 落款 of the unit alone (a 事务文书) was a paragraph of 正文 in the .docx, two characters in from the left.
    §7.3.5.2 with no date under it: right-aligned two characters in, one line below the text."""
    clean, outline = (pytest.importorskip(f"sucai.{name}") for name in ("clean", "outline"))
    doc = outline.analyse(clean.clean("2023年度乡村振兴工作总结\n今年以来，我局扎实推进乡村振兴各项工作。\n"
                                      "下一步，我们将全面推进乡村振兴。\n\n　　　　　　　　某某县农业农村局\n"))
    signature = _paragraph(open_docx(export_document(doc, "docx")[1]), "某某县农业农村局")
    assert signature.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert signature.paragraph_format.right_indent == Pt(15.75 * 2)
    assert signature.paragraph_format.space_before == Twips(579)


@pytest.mark.parametrize("written", ["二〇二四年三月五日", "2024年03月05日", "２０２４年３月５日", "2024年3月5日"])
def test_docx_date_in_arabic_digits_without_leading_zeros(written):
    """§7.3.5.4: "用阿拉伯数字将年、月、日标全，年份应标全称，月、日不编虚位" — however the 成文日期 was written, the
    .docx says 2024年3月5日, placed as that date is (2 characters in, the 署名 3: see the test above); the 印发日期
    of the 版记 likewise (§7.4.3)."""
    lines = [(written, "date") if kind == "date" else (line, kind) for line, kind in NOTICE_LINES]
    lines = [(f"某县农业农村局办公室　　{written}印发", kind) if kind == "printer" else (line, kind) for line, kind in lines]
    document = open_docx(export_document(notice_document(lines), "docx")[1])
    assert _paragraph(document, "某县农业农村局办公室").text == "某县农业农村局办公室\t2024年3月5日印发"   # §7.4.3 too
    paragraphs = document.paragraphs
    at = [p.text for p in paragraphs].index("某县农业农村局")
    signature, date = paragraphs[at], paragraphs[at + 1]
    assert date.text == "2024年3月5日"
    assert [p.paragraph_format.right_indent for p in (signature, date)] == [Pt(15.75 * 3), Pt(15.75 * 2)]


@pytest.mark.parametrize("line", ["2024年3月", "二〇二四年三月五日起施行", "2024年2月30日"])
def test_official_date_leaves_what_is_not_one_day(line):
    from sucai.metadata.dates import official

    assert official(line) is None


WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"


def _record_box(document):
    """The 版记's text box: (its ``wp:anchor``, its paragraphs), from the last paragraph of the body."""
    anchor = document.element.body.findall(qn("w:p"))[-1].find(f".//{{{WP}}}anchor")
    return anchor, [Paragraph(p, document._body) for p in anchor.iter(qn("w:p"))]


def _rules(paragraphs) -> list[str | None]:
    """Each paragraph's bottom rule's width (eighths of a point), None for a paragraph without one."""
    rules = [p._p.find(f"{qn('w:pPr')}/{qn('w:pBdr')}/{qn('w:bottom')}") for p in paragraphs]
    return [rule.get(qn("w:sz")) if rule is not None else None for rule in rules]


def test_docx_record_reads_back_once():
    """The 版记 in its text box is text the readers keep: read back, its lines come once each, after the 附件's text
    (where the paragraph anchoring the box stands), the 印发机关 and date apart at their tab."""
    from sucai.readers import read_bytes

    lines = [line for line in read_bytes(export_document(notice_document(), "docx")[1], "通知.docx").text.splitlines()
             if line.strip()]
    assert lines[-3:] == ["各乡镇按表填报。", "抄送：县委办公室，县人大常委会办公室。", "某县农业农村局办公室\t2024年3月5日印发"]
    assert sum("抄送" in line for line in lines) == 1


def test_docx_record_and_attachment(notice_docx):
    """§7.4 by hand: the 版记 after the 附件 (§7.3.7 "附件…在版记之前"), in a text box at the foot of the type area
    (156 mm wide, 5,616,000 EMU; its bottom the type area's), 4号; 抄送 one character (14 pt) in on both sides, its
    wrapped lines under the first character after 抄送： ((1 + 3) × 14 pt = 1,120 twips, the first line 3 × 14 = 840
    less); the 印发机关 one character in, the date at a right tab one character from the right edge; rules as their
    own paragraphs (a paragraph's border is only as wide as its text): thick (8/8 pt), thin above the 印发 line (6/8),
    thick under it."""
    anchor, box = _record_box(notice_docx)
    assert [p.text for p in box] == ["", "抄送：县委办公室，县人大常委会办公室。", "", "某县农业农村局办公室\t2024年3月5日印发", ""]
    assert _rules(box) == ["8", None, "6", None, "8"]
    rules = box[::2]
    assert {_indent(p)["left"] for p in rules} == {None} and {p.paragraph_format.first_line_indent for p in rules} == {0}
    position = anchor.find(f"{{{WP}}}positionV")
    assert (position.get("relativeFrom"), position.find(f"{{{WP}}}align").text) == ("margin", "bottom")
    assert anchor.find(f"{{{WP}}}extent").get("cx") == "5616000"
    assert anchor.find(f"{{{WP}}}wrapTopAndBottom") is not None   # text above and below, never beside
    body = [_text(p) for p in notice_docx.paragraphs]
    assert body.index("各乡镇按表填报。") == len(body) - 2   # the 附件's text, then the paragraph holding the 版记
    cc, printer = box[1], box[3]
    assert {r.font.size for r in cc.runs + printer.runs} == {Pt(14)}  # 4号
    assert _indent(cc) == {"left": "1120", "hanging": "840", "leftChars": "400", "hangingChars": "300",
                           "firstLineChars": "0"}
    assert cc.paragraph_format.right_indent == Pt(14)
    assert printer.paragraph_format.left_indent == Pt(14)
    [stop] = printer.paragraph_format.tab_stops
    assert stop.alignment == WD_TAB_ALIGNMENT.RIGHT and stop.position.pt == pytest.approx(442.205 - 14, abs=0.05)
    label = _paragraph(notice_docx, "附件1")
    assert label.paragraph_format.page_break_before and _east_asia(label.runs[0]._r) == "黑体"
    assert label.paragraph_format.first_line_indent == Pt(0)
    title = _paragraph(notice_docx, "春季农业生产任务分解表")
    assert title.style.name == "Title" and not title.paragraph_format.page_break_before  # on the label's page
    assert title.paragraph_format.space_before == Twips(579)   # §7.3.7: on the third line, the label on the first


def test_docx_attachment_title_of_two_lines_starts_on_the_third():
    """A title written on two lines under its label: the first on the third line, the second right under it."""
    lines = [*NOTICE_LINES[:-3], ("附件1", "attachment"), ("春季农业生产任务", "attachment"), ("分解表", "attachment")]
    document = open_docx(export_document(notice_document(lines), "docx")[1])
    first, second = _paragraph(document, "春季农业生产任务"), _paragraph(document, "分解表")
    assert (first.paragraph_format.space_before, second.paragraph_format.space_before) == (Twips(579), None)


def test_docx_attachment_title_is_broken_into_lines_as_the_title_is():
    """fix27: an 附件's title too long for its line was one plain run, left to wrap mid-word (「…整治工」/「作方案」);
    its lines are the title's (§7.3.1: between words, 梯形 or 菱形), by hand."""
    title = "某县中小学校园及周边安全隐患排查整治工作方案"
    lines = [*NOTICE_LINES[:-3], ("附件1", "attachment"), (title, "attachment")]
    paragraph = _paragraph(open_docx(export_document(notice_document(lines), "docx")[1]), "某县中小学")
    assert paragraph.style.name == "Title" and paragraph.paragraph_format.space_before == Twips(579)
    assert [run.text for run in paragraph.runs] == ["某县中小学校园及周边\n安全隐患排查整治工作方案"]


def test_docx_attachment_without_a_label_starts_a_page():
    """A notice that 印发 a 方案: the 方案's title is the 附件, on a page of its own (§7.3.7)."""
    text = "现将《实施方案》印发给你们。\n实施方案\n一、总体要求"
    start = text.index("实施方案\n")
    doc = Document("关于印发实施方案的通知", text, elements=[Element("attachment", "实施方案", start, start + 4)])
    title = _paragraph(open_docx(export_document(doc, "docx")[1]), "实施方案")
    assert title.style.name == "Title" and title.paragraph_format.page_break_before


# A report's opening as printed (2024 政府工作报告), and lines that only look like its 题注 or 称谓, by hand.
REPORT_LINES = [
    "——2024年3月5日在第十四届全国人民代表大会第二次会议上",
    "国务院总理　李强",
    "各位代表：",
    "现在，我代表国务院，向大会报告政府工作，请予审议，并请全国政协委员提出意见。",
    "——经济总体回升向好。国内生产总值超过126万亿元。",
    "（二〇二四年三月五日）",
    "各位党员要做到以下几点：",
    "尊敬的各位领导，各位来宾，女士们，先生们：",
]


def _centred_in_kaiti(paragraph) -> bool:
    return (paragraph.alignment == WD_ALIGN_PARAGRAPH.CENTER and paragraph.paragraph_format.first_line_indent == Pt(0)
            and {_east_asia(r._r) for r in paragraph.runs} == {"楷体_GB2312"})


def test_docx_title_notes_are_centred_in_kaiti_and_salutations_flush_left():
    """A speech's or report's 题注 — the occasion after a dash and the speaker under it — centred in 楷体 with one
    empty line (579 twips) under them, as reports are printed; its 称谓 顶格 in the body font like a 主送机关 (§7.3.2).
    The same shapes later in the text are body paragraphs (two characters in, the Normal style's), and so is a
    sentence that opens like a 称谓."""
    document = open_docx(export_document(Document("政府工作报告", "\n".join(REPORT_LINES)), "docx")[1])
    occasion, speaker, salutation, opening, point, dated, sentence, greeting = document.paragraphs[1:]
    assert _centred_in_kaiti(occasion) and _centred_in_kaiti(speaker)
    assert occasion.paragraph_format.space_after is None and speaker.paragraph_format.space_after == Twips(579)
    for paragraph in (salutation, greeting):
        assert paragraph.paragraph_format.first_line_indent == Pt(0)
        assert [_east_asia(r._r) for r in paragraph.runs] == ["仿宋_GB2312"]
    for paragraph in (opening, point, dated, sentence):
        assert paragraph.alignment is None and paragraph.paragraph_format.first_line_indent is None, paragraph.text


@pytest.mark.parametrize("lines, notes", [
    (["（一九四二年五月）", "同志们！今天邀集大家来开座谈会。"], 1),   # a speech's date (毛泽东选集)
    (["2008年1月31日 中华人民共和国国务院令第517号公布", "2020年3月27日 国务院令第726号修订", "第一章 总则"], 2),
    (["1979年7月1日 第五届全国人民代表大会第二次会议通过",   # 刑法 (laws_lawrefbook_national): each amending act
      "2020年12月26日 第十三届全国人民代表大会常务委员会第二十四次会议通过的《中华人民共和国刑法修正案（十一）》",
      "第一编 总则"], 2),
    (["2020年12月25日 最高人民法院审判委员会第1825次会议通过", "2021年1月1日 施行", "为正确审理…，制定本解释。"], 2),
    (["2020年12月26日 会议通过的《某某法》规定，各地应当加强学习。", "第一条 总则"], 0),   # a sentence naming an act
    (["国务院总理　李强", "各位代表："], 0),   # a speaker's line is a 题注 only under an occasion
    (["2024年3月5日", "现将有关事项通知如下。"], 0),   # a date alone is no 题注 (a law's says what was done)
    (["——经济总体回升向好。国内生产总值超过126万亿元。", "——就业物价总体稳定。"], 0),   # dash-led sentences
    # what the .docx's own rule left out (laws_lawrefbook_national), read as the metadata reads them: a bracketed
    # note closing on a later line (证券公司风险处置条例), a joint adoption over two lines (a 司法解释 of both courts),
    # an amending act's title broken over lines (招标投标法), an act line with a full stop inside (公安部令)
    (["（2008年4月23日 中华人民共和国国务院令第523号公布",
      "2023年7月20日 《国务院关于修改和废止部分行政法规的决定》第二次修订）", "第一章 总 则"], 2),
    (["2018年7月30日 最高人民法院审判委员会第1745次会议", "2018年10月19日 最高人民检察院第十三届检察委员会第七次会议通过",
      "2018年12月1日 施行", "根据司法实践情况，现决定作如下修改："], 3),
    (["1999年8月30日 第九届全国人民代表大会常务委员会第十一次会议通过",
      "2017年12月27日 第十二届全国人民代表大会常务委员会第三十一次会议《关于修改<中华人民共和国招标投标法>",
      "<中华人民共和国计量法>的决定》修正", "第一章 总则"], 3),
    (["2012年12月13日 公安部令第127号修订发布。根据", "2020年07月20日 公安部令第159号《公安部关于修改〈某规定〉的决定》修正）",
      "第一章 任务和基本原则"], 2),
    # the lines the metadata reads with a 题注 but that are none: the title printed again above it, a heading
    (["中华人民共和国某某", "管理法", "2009年6月27日 第十一届全国人民代表大会常务委员会第九次会议通过", "第一章 总则"], 0),
    (["（一九四二年五月）", "引　　言", "（一九四二年五月二日）", "同志们！今天邀集大家来开座谈会。"], 1),
])
def test_docx_title_notes_of_speeches_and_laws(lines, notes):
    document = open_docx(export_document(Document("标题", "\n".join(lines)), "docx")[1])
    body = document.paragraphs[1:]
    assert [_centred_in_kaiti(p) for p in body] == [n < notes for n in range(len(body))]


@pytest.mark.corpus
def test_real_report_title_notes_and_salutation(corpus_dir):
    """海拉尔区 2013 政府工作报告 as the pipeline reads it: the occasion ("----2013年2月28日在…会议上") and the
    speaker centred in 楷体, "各位代表：" 顶格, the text after it two characters in."""
    from sucai.ingest import parse_file

    doc = parse_file(corpus_dir / "gov_work_reports_hailaer_district/utf8/2013_海拉尔区政府工作报告.txt")
    occasion, speaker, salutation, opening = open_docx(export_document(doc, "docx")[1]).paragraphs[1:5]
    assert occasion.text.startswith("----2013年2月28日在海拉尔区") and speaker.text.endswith("杜联合")
    assert _centred_in_kaiti(occasion) and _centred_in_kaiti(speaker)
    assert salutation.text == "各位代表：" and salutation.paragraph_format.first_line_indent == Pt(0)
    assert opening.text.startswith("现在，") and opening.paragraph_format.first_line_indent is None


LAW_TITLE = "中华人民共和国某某管理法"
ADOPTED = "2009年6月27日 第十一届全国人民代表大会常务委员会第九次会议通过"


@pytest.mark.parametrize("printed", [["中华人民共和国某某", "管理法"], ["中华人民共和国某某管理法"],
                                     ["中华人民共和国 某某管理法"]])
def test_docx_leaves_out_the_title_printed_again(printed):
    """The title printed again at the head of the text — on the lines it was broken into, or one — is not a body
    paragraph under the title (which it repeats), and the 题注 under it is centred in 楷体; the document's text keeps it."""
    doc = Document(LAW_TITLE, "\n".join([*printed, ADOPTED, "第一章 总则"]))
    paragraphs = open_docx(export_document(doc, "docx")[1]).paragraphs
    assert [_text(p) for p in paragraphs] == [LAW_TITLE, ADOPTED, "第一章 总则"]
    assert _centred_in_kaiti(paragraphs[1])
    assert doc.text.startswith(printed[0])


@pytest.mark.parametrize("lines", [
    ["中华人民共和国某某", ADOPTED],                       # a part of the title only
    ["中华人民共和国某某管理法实施条例", ADOPTED],          # more than the title
    ["中华人民共和国某某管理法", "中华人民共和国某某管理法"],  # once is left out, not twice
])
def test_docx_keeps_lines_that_do_not_print_the_title_again(lines):
    paragraphs = open_docx(export_document(Document(LAW_TITLE, "\n".join(lines)), "docx")[1]).paragraphs
    kept = lines[1:] if lines[0] == LAW_TITLE else lines
    assert [_text(p) for p in paragraphs[1:]] == kept


@pytest.mark.corpus
def test_real_law_title_printed_again_is_left_out(corpus_dir):
    """境外非政府组织境内活动管理法 as the pipeline reads it: its markdown title line, then the title printed again on
    two lines, then its adoption — the .docx prints the title once, the adoption right under it centred in 楷体."""
    from sucai.ingest import parse_file

    doc = parse_file(corpus_dir / "laws_lawrefbook_national/行政法/境外非政府组织境内活动管理法(2017-11-04).md")
    assert doc.text.startswith("中华人民共和国境外非政府组织\n")   # stored as written
    paragraphs = open_docx(export_document(doc, "docx")[1]).paragraphs
    assert _text(paragraphs[0]) == doc.title == "中华人民共和国境外非政府组织境内活动管理法"
    assert paragraphs[1].text.startswith("2016年4月28日 ") and _centred_in_kaiti(paragraphs[1])
    assert not [p for p in paragraphs[1:] if p.text in ("中华人民共和国境外非政府组织", "境内活动管理法")]


@pytest.mark.corpus
def test_real_law_chapters_centred_and_its_adoption_a_title_note(corpus_dir):
    """护士条例 as the pipeline reads it: its 6 chapters (counted by reading the file) centred, its articles body
    paragraphs, the line saying how it was adopted centred in 楷体 under the title."""
    from sucai.ingest import parse_file

    doc = parse_file(corpus_dir / CORPUS_DOCS["law"])
    paragraphs = open_docx(export_document(doc, "docx")[1]).paragraphs
    chapters = [p for p in paragraphs if re.match(r"第[一二三四五六]章 ", p.text)]
    assert len(chapters) == 6 and {p.alignment for p in chapters} == {WD_ALIGN_PARAGRAPH.CENTER}
    assert {p.alignment for p in paragraphs if re.match(r"第[一二三四五六七八九十]+条", p.text)} == {None}
    assert paragraphs[1].text == "2008年1月31日 中华人民共和国国务院令第517号公布" and _centred_in_kaiti(paragraphs[1])


def test_docx_upward_doc_number_and_signer_share_a_line():
    """§7.2.6: a 上行文's 发文字号 one character in from the left, 签发人 one in from the right (name in 楷体)."""
    text = "某农〔2024〕3号　　签发人：张三\n县人民政府：\n现将有关情况报告如下。"
    line = text.split("\n")[0]
    elements = [Element("doc_number", "某农〔2024〕3号", 0, 10), Element("signer", "签发人：张三", 12, len(line)),
                Element("addressee", "县人民政府：", len(line) + 1, len(line) + 7)]
    document = open_docx(export_document(Document("关于春耕工作的报告", text, elements=elements), "docx")[1])
    head = document.paragraphs[0]
    assert head.text == "某农〔2024〕3号\t签发人：张三"
    assert [_east_asia(r._r) for r in head.runs] == ["仿宋_GB2312", "楷体_GB2312"]
    assert head.paragraph_format.left_indent == Pt(15.75)
    [stop] = head.paragraph_format.tab_stops
    assert stop.alignment == WD_TAB_ALIGNMENT.RIGHT and stop.position.pt == pytest.approx(442.205 - 15.75, abs=0.05)


# ---------------------------------------------------------------- fonts and their fallbacks


def test_font_table_declares_each_font_with_its_fallback(full_docx):
    table = docx_part(full_docx, "word/fontTable.xml")
    declared = {f.get(qn("w:name")): f for f in table.findall(qn("w:font"))}
    for name, alt, family in (("仿宋_GB2312", "仿宋", "roman"), ("方正小标宋简体", "华文中宋", "roman"),
                              ("楷体_GB2312", "楷体", "roman"), ("黑体", "SimHei", "swiss"), ("宋体", "SimSun", "roman")):
        entry = declared[name]
        assert entry.find(qn("w:altName")).get(qn("w:val")) == alt
        assert entry.find(qn("w:charset")).get(qn("w:val")) == "86"  # GB2312
        assert entry.find(qn("w:family")).get(qn("w:val")) == family


def test_text_is_marked_chinese_and_pages_fill_their_lines(full_docx):
    defaults = full_docx.styles.element.find(qn("w:docDefaults"))
    assert defaults.find(f".//{qn('w:lang')}").get(qn("w:eastAsia")) == "zh-CN"
    assert full_docx.styles["Normal"].paragraph_format.widow_control is False
    assert full_docx.styles["Heading 1"].paragraph_format.keep_with_next  # a heading never ends a page
    assert full_docx.styles["Heading 1"].paragraph_format.keep_together is None


def test_fontconfig_aliases_list_the_fallbacks_in_order():
    config = fontconfig_aliases(["仿宋_GB2312"])
    assert ("<family>仿宋_GB2312</family><prefer><family>仿宋</family><family>FangSong</family>"
            "<family>STFangsong</family><family>华文仿宋</family><family>FandolFang</family>"
            "<family>AR PL UMing CN</family></prefer>") in config


# ---------------------------------------------------------------- rendered by LibreOffice


@pytest.fixture(scope="module")
def notice_pdf(tmp_path_factory):
    """The hand-built 通知 rendered by LibreOffice with the fonts' fallbacks: (path, pdfplumber pages' chars)."""
    import pdfplumber

    tmp_path = tmp_path_factory.mktemp("notice")
    name, data = export_document(notice_document(), "docx")
    pdf = _libreoffice_pdf(tmp_path, name, data, fallbacks=True)
    with pdfplumber.open(pdf) as opened:
        pages = [[(c["text"], c["x0"], c["x1"], round(c["top"]), c["fontname"]) for c in p.chars] for p in opened.pages]
    return pdf, pages


def _line(chars, text: str):
    """The characters of the printed line that starts with ``text`` (a whole line when ``text`` ends with $)."""
    whole = text.endswith("$")
    text = text.rstrip("$")
    for char in chars:
        if char[0] == text[0]:
            row = [c for c in chars if c[3] == char[3] and c[0].strip()]
            shown = "".join(c[0] for c in row)
            if shown == text or (not whole and shown.startswith(text)):
                return row
    raise AssertionError(f"no line {text!r}")


MM = 72 / 25.4
LEFT, RIGHT, CENTRE = 28 * MM, (210 - 26) * MM, (28 + 156 / 2) * MM  # type area (版心) edges and centre, pt


def test_pdf_uses_the_fonts_fallbacks(notice_pdf):
    """pdffonts lists what LibreOffice embedded: the open stand-ins of 仿宋, 楷体, 小标宋 and 黑体."""
    pdffonts = shutil.which("pdffonts")
    if pdffonts is None:
        pytest.skip("needs pdffonts (poppler-utils)")
    listed = subprocess.run([pdffonts, str(notice_pdf[0])], capture_output=True, text=True, check=True).stdout
    names = {line.split()[0].split("+", 1)[-1] for line in listed.splitlines()[2:]}
    assert any(n.startswith("UMingCN") for n in names), names        # 仿宋_GB2312 → AR PL UMing CN
    assert any(n.startswith("UKaiCN") for n in names), names         # 楷体_GB2312 → AR PL UKai CN
    assert any(n.startswith("NotoSerifCJK") for n in names), names   # 方正小标宋简体 → Noto Serif CJK SC
    assert any(n.startswith("NotoSansCJK") for n in names), names    # 黑体 → Noto Sans CJK SC
    assert not any("WenQuanYi" in n for n in names), names           # no sans-serif stand-in for the body
    body = _line(notice_pdf[1][0], "当前，全县")
    assert {c[4].split("+", 1)[-1] for c in body if c[0].strip()} == {"UMingCN"}


def test_pdf_places_the_elements(notice_pdf):
    """Measured on the page: 发文机关标志 and 发文字号 centred; 主送机关 at the left edge of the type area,
    the body two characters in; 署名 ending 3 characters and the date 2 characters (15.75 pt each)
    before its right edge."""
    chars = notice_pdf[1][0]
    for text in ("某县农业农村局文件", "某农发〔2024〕12号"):
        row = _line(chars, text)
        assert (row[0][1] + row[-1][2]) / 2 == pytest.approx(CENTRE, abs=3), text
    assert _line(chars, "各乡镇人民政府")[0][1] == pytest.approx(LEFT, abs=1.5)     # 顶格
    assert _line(chars, "当前，全县")[0][1] == pytest.approx(LEFT + 2 * 15.75, abs=1.5)  # the body: two in
    signature = next(p for p in notice_pdf[1] if any(c[0] == "此" for c in p))
    signed = _line(signature, "某县农业农村局$")
    assert signed[-1][2] == pytest.approx(RIGHT - 3 * 15.75, abs=2)
    date = _line(signature, "2024年3月5日$")
    assert date[-1][2] == pytest.approx(RIGHT - 2 * 15.75, abs=2)
    # (where the date starts depends on the width of the stand-in font's digits: half a character
    # in 仿宋_GB2312, a little more in AR PL UMing; the indents above are what the file says)


# A 附件说明 of two names, the first too long for its line (§7.3.4), after one line of text.
LISTED = ["现将有关事项通知如下，请认真贯彻执行。",
          "附件：1.某县2024年春季农业生产重点任务分解表及各乡镇完成时限一览表（试行）",
          "2.春季农业生产技术指导意见"]


def listed_document() -> Document:
    text = "\n".join(LISTED)
    return Document("某县农业农村局关于做好春季农业生产工作的通知", text, genre="通知",
                    elements=[Element("attachment_note", line, text.index(line), text.index(line) + len(line))
                              for line in LISTED[1:]])


def _indent(paragraph) -> dict[str, str]:
    ind = paragraph._p.pPr.find(qn("w:ind"))
    return {name: ind.get(qn(f"w:{name}")) for name in ("left", "hanging", "leftChars", "hangingChars", "firstLineChars")}


def test_docx_attachment_note_names_align_under_their_first_character():
    """§7.3.4 "附件名称较长需回行时，应当与上一行附件名称的首字对齐", and a second name under the first's number, by hand
    (16 pt a character as the body's indents count): "附件：" is 3 characters, "1." and "2." one (two half-width
    signs); the first line starts 2 characters in, so its name starts at 2 + 3 + 1 = 6 (1,920 twips) with a hanging
    first line of 4 (1,280); the second line's number stands at 2 + 3 = 5, its name at 6: a hanging line of 1."""
    first, second = open_docx(export_document(listed_document(), "docx")[1]).paragraphs[2:]
    assert _indent(first) == {"left": "1920", "hanging": "1280", "leftChars": "600", "hangingChars": "400",
                              "firstLineChars": "0"}
    assert _indent(second) == {"left": "1920", "hanging": "320", "leftChars": "600", "hangingChars": "100",
                               "firstLineChars": "0"}
    assert first.paragraph_format.space_before == Twips(579) and second.paragraph_format.space_before is None


def test_pdf_attachment_note_names_align(tmp_path):
    """As LibreOffice prints it: the first line two characters (15.75 pt each) in, its name's wrapped line starting
    where its name starts (under 某), and the number 2. under the number 1. (the half-width digits of the stand-in
    font are a little wider than half a character: within a quarter of one)."""
    import pdfplumber

    name, data = export_document(listed_document(), "docx")
    with pdfplumber.open(_libreoffice_pdf(tmp_path, name, data, fallbacks=True)) as pdf:
        chars = [(c["text"], c["x0"], c["x1"], round(c["top"])) for c in pdf.pages[0].chars]
    first, wrapped, second = _line(chars, "附件："), _line(chars, "镇完成时限"), _line(chars, "2.春季")
    assert first[0][1] == pytest.approx(LEFT + 2 * 15.75, abs=1.5)
    assert wrapped[0][1] == pytest.approx(next(c for c in first if c[0] == "某")[1], abs=4)
    assert second[0][1] == pytest.approx(next(c for c in first if c[0] == "1")[1], abs=4)


def test_pdf_issuer_mark_top_is_35_mm_below_the_type_area(notice_pdf):
    """Measured: the top of the 发文机关标志's characters (their em box) 37 + 35 = 72 mm from the top of the page."""
    assert _line(notice_pdf[1][0], "某县农业农村局文件")[0][3] == pytest.approx((37 + 35) * MM, abs=1.5 * MM)


BOTTOM = (297 - 35) * MM   # the type area's bottom edge, pt from the top of the page


def _record_rules(page) -> list[tuple[float, float, float, float]]:
    """(x0, x1, top, line width) of the rules across a PDF page, top to bottom."""
    lines = [line for line in page.lines if line["x1"] - line["x0"] > 300]
    return [(line["x0"], line["x1"], line["top"], line["linewidth"]) for line in sorted(lines, key=lambda x: x["top"])]


def test_pdf_record_at_the_foot_of_the_last_page(notice_pdf):
    """§7.4 measured: the 版记 on the last page, under the 附件's text (§7.3.7: the 附件 before it); three rules as
    wide as the type area, thick (0.35 mm ≈ 1 pt), thin (0.25 mm ≈ 0.7 pt) and thick, the last one on the type
    area's bottom edge ("末条分隔线与公文最后一面的版心下边缘重合"); 抄送 between the first two, one 4号 character (14 pt)
    in, 印发机关 and 印发日期 between the last two, one character in from either edge."""
    import pdfplumber

    with pdfplumber.open(notice_pdf[0]) as pdf:
        rules = _record_rules(pdf.pages[-1])
        assert not any("抄送" in page.extract_text() for page in pdf.pages[:-1])
    page = notice_pdf[1][-1]
    cc, printer = _line(page, "抄送："), _line(page, "某县农业农村局办公室")
    assert _line(page, "各乡镇按表填报")[0][3] < rules[0][2]
    assert [x for x0, x1, _, _ in rules for x in (x0, x1)] == pytest.approx([LEFT, RIGHT] * 3, abs=0.5)
    assert [width for *_, width in rules] == pytest.approx([0.99, 0.71, 0.99], abs=0.05)
    assert rules[-1][2] == pytest.approx(BOTTOM, abs=1)
    assert rules[0][2] < cc[0][3] < rules[1][2] < printer[0][3] < rules[2][2]
    assert cc[0][1] == pytest.approx(LEFT + 14, abs=1) and printer[0][1] == pytest.approx(LEFT + 14, abs=1)
    assert printer[-1][2] == pytest.approx(RIGHT - 14, abs=1.5)


# A 版记 of a 主送 moved there and a 抄送 too long for one line (§7.4.2), after a text of one line.
RECORD = ["现将有关事项通知如下，请认真贯彻执行。",
          "主送：各乡镇人民政府，县直有关单位。",
          "抄送：县委办公室，县人大常委会办公室，县政协办公室，县纪委监委，县法院，县检察院，县人武部，各乡镇党委。",
          "某县农业农村局办公室　　2024年3月5日印发"]


def record_document() -> Document:
    text = "\n".join(RECORD)
    kinds = {RECORD[1]: "addressee", RECORD[2]: "cc", RECORD[3]: "printer"}
    return Document("某县农业农村局关于做好春季农业生产工作的通知", text, genre="通知",
                    elements=[Element(kind, line, text.index(line), text.index(line) + len(line))
                              for line, kind in kinds.items()])


def test_docx_record_has_no_rule_between_its_addressee_and_cc():
    """§7.4.2 "既有主送机关又有抄送机关时，应当将主送机关置于抄送机关之上一行，之间不加分隔线": the rules are the first,
    the thin one above the 印发 line and the last; 主送 is set as 抄送 is."""
    _, box = _record_box(open_docx(export_document(record_document(), "docx")[1]))
    assert [p.text for p in box][1:3] == RECORD[1:3] and _rules(box) == ["8", None, None, "6", None, "8"]
    assert _indent(box[1]) == _indent(box[2])


@pytest.mark.parametrize("after, boxed", [(["附件2", "封面样式"], False), ([], True)])
def test_docx_record_line_inside_an_attachment_stays_there(after, boxed):
    """A 司法解释's 文书样式 (附件2) shows a form's 「抄送：××××。」 and 附件3 follows: a line of that 附件, in its place,
    no 版记 — but the 版记 typed at the very end, after the 附件, is the 版记."""
    lines = [("现将有关事项通知如下。", None), ("附件1", "attachment"), ("文书样式", "attachment"),
             ("××人民法院", None), ("抄送：××××。", "cc"), *((line, "attachment") for line in after)]
    text = "\n".join(line for line, _ in lines)
    elements = [Element(kind, line, text.index(line), text.index(line) + len(line)) for line, kind in lines if kind]
    document = open_docx(export_document(Document("关于印发文书样式的通知", text, elements=elements), "docx")[1])
    anchors = document.element.body.findall(f".//{{{WP}}}anchor")
    assert len(anchors) == boxed
    body = [_text(p) for p in document.paragraphs]
    assert ("抄送：××××。" in body) != boxed and body[-1 if boxed else -3] == ("" if boxed else "抄送：××××。")


def test_pdf_record_cc_wraps_after_its_label(tmp_path):
    """§7.4.2 "回行时与冒号后的首字对齐", measured: the 抄送's second line starts under the first character after
    抄送：, both lines between the rules that stand above and under them, the last rule on the type area's bottom."""
    import pdfplumber

    name, data = export_document(record_document(), "docx")
    with pdfplumber.open(_libreoffice_pdf(tmp_path, name, data, fallbacks=True)) as pdf:
        [page] = pdf.pages
        rules = _record_rules(page)
        chars = [(c["text"], c["x0"], c["x1"], round(c["top"])) for c in page.chars]
    first = _line(chars, "抄送：")
    below = min(c[3] for c in chars if c[3] > first[0][3])
    second = [c for c in chars if c[3] == below]
    assert "".join(c[0] for c in first + second) == RECORD[2]
    assert second[0][1] == pytest.approx(first[3][1], abs=1)   # under 县, the first character after 抄送：
    assert rules[0][2] < _line(chars, "主送：")[0][3] < first[0][3] < second[0][3] < rules[1][2]
    assert len(rules) == 3 and rules[-1][2] == pytest.approx(BOTTOM, abs=1)


def test_pdf_attachment_label_on_the_first_line_and_its_title_on_the_third(notice_pdf):
    """§7.3.7 measured on the 附件's page: the label's line starts the type area (37 mm), and the title's line is two
    line pitches (2 × 28.95 pt) below it — what lies between is one empty line (the tops of the 3号 label's and the
    2号 title's characters sit differently in their lines: less than half a line apart)."""
    page = notice_pdf[1][-1]   # the 附件 is the last page
    label, title = _line(page, "附件1$"), _line(page, "春季农业生产任务分解表$")
    assert label[0][3] == pytest.approx(37 * MM, abs=8)   # the em box of 3号 in the first 28.95 pt line
    assert title[-1][3] - label[-1][3] == pytest.approx(2 * 28.95, abs=28.95 / 2)


def test_pdf_title_lines_are_the_computed_lines(tmp_path):
    """The title breaks where :func:`title_lines` broke it and nowhere else (each line fits)."""
    import pdfplumber

    title = "国务院办公厅关于抓好赋予科研机构和人员更大自主权有关文件贯彻落实工作的通知"
    name, data = export_document(Document(title, "正文第一段。"), "docx")
    with pdfplumber.open(_libreoffice_pdf(tmp_path, name, data, fallbacks=True)) as pdf:
        text: dict[int, str] = {}
        for c in pdf.pages[0].chars:
            if abs(c["size"] - 22) < 0.5:
                text[round(c["top"])] = text.get(round(c["top"]), "") + c["text"]
    assert [text[top] for top in sorted(text)] == title_lines(title, TITLE_CAPACITY)


def test_pdf_pages_fill_their_22_lines_before_a_heading(tmp_path):
    """Page 1 holds 20 body lines under a one-line title (and the empty line after it). By hand: an
    18-line paragraph (26 + 17 × 28 = 502 characters), a heading on line 19, and a long paragraph whose
    first line is line 20. With widow/orphan control that first line may not stand alone at the foot
    of the page, and the heading (kept with it) goes too: page 1 would end 2 lines early. Without it,
    page 1 has its 20 lines and page 2 its 22."""
    import pdfplumber

    han = "坚持以人民为中心的发展思想推进国家治理体系和治理能力现代化"
    first, second = (han * 20)[:502], (han * 60)[:26 + 28 * 40]
    text = f"{first}\n三、强化组织保障\n{second}"
    outline = [OutlineNode(1, "三、", "强化组织保障", text.index("三、"), len(text))]
    name, data = export_document(Document("版心测试", text, outline=outline), "docx")
    with pdfplumber.open(_libreoffice_pdf(tmp_path, name, data)) as pdf:
        pages = [_body_lines(page) for page in pdf.pages]
        heading_page = next(i for i, p in enumerate(pdf.pages) if "三" in p.extract_text() and "强化组织保障" in
                            re.sub(r"\s", "", p.extract_text()))
    assert [len(page) for page in pages[:2]] == [20, 22]
    assert heading_page == 0
