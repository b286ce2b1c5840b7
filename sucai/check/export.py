"""The 查重 report as a file: a self-contained .html page, or a .docx.

Both show the summary (总文字复制比, 去除引用复制比, 单篇最大文字复制比), the draft with
copied text in red and copied quotations in green, each paragraph's ratio, and the table
of 重合片段 with their sources, the place of each in its source (its headings) and their text (as the report's
viewer gets it, see :mod:`sucai.check.report`).
:func:`report_section` is the same HTML without the page around it, for the web page. python-docx is imported
when a .docx is made: ``sucai check`` in the terminal and the web page need none of it.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, timezone

from markupsafe import Markup, escape

from ..config import DEFAULT_TIMEZONE, local_time
from ..errors import InvalidInput
from . import SOURCES_HEADING
from .report import CheckReport

FORMATS = ("html", "docx")
COLOURS = {"copied": "c0392b", "quoted": "1e8449", "original": "1f2328"}
KIND_NAMES = {"copied": "复制", "quoted": "引用", "original": "原创"}
_CSS = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; max-width: 960px; margin: 24px auto;
       color: #1f2328; line-height: 1.8; padding: 0 12px; }
.check-summary { display: flex; flex-wrap: wrap; gap: 12px; padding: 0; list-style: none; }
.check-summary li { border: 1px solid #e3e6ea; border-radius: 8px; padding: 8px 14px; }
.check-summary strong { font-size: 1.4rem; display: block; }
.draft > div { display: flex; gap: 8px; margin: 0 0 6px; padding: 2px 6px; border-radius: 4px; }
.draft p { margin: 0; flex: 1; } .draft .ratio { color: #6a737d; font-size: .8rem; white-space: nowrap; }
.seg-copied { color: #c0392b; } .seg-quoted { color: #1e8449; }
.para-copied { background: #fbeae9; } .para-some { background: #fff6e5; } .para-quoted { background: #eaf6ee; }
table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #e3e6ea; padding: 4px 8px; text-align: left; }
.muted { color: #6a737d; }
"""


def export_report(report: CheckReport, fmt: str, zone: str = DEFAULT_TIMEZONE,
                  site: str | None = None) -> tuple[str, bytes]:
    """``(file name, bytes)`` of the report as ``fmt`` ("html" or "docx"), each with its 生成时间 on the site's
    clock (``zone``, the ``timezone`` setting). ``site``: the address of the web app the report was asked of
    (``http://127.0.0.1:8000``), which the .html's links to its sources start with — a file opened from the disk
    resolves no link of the site's own (``/documents/1``) —; None: its sources are named, not linked (``sucai
    check -o``). Raises InvalidInput (code ``bad_format``) for another format."""
    made = f"生成时间：{local_time(datetime.now(timezone.utc).isoformat(), zone, 'minutes')} · sucai 素材库"
    if fmt == "html":
        return report_name(fmt), _page(report, made, site).encode("utf-8")
    if fmt == "docx":
        return report_name(fmt), _docx(report, made)
    raise InvalidInput(f"查重报告只能下载为 {' 或 '.join(FORMATS)}，不支持 {fmt}", code="bad_format")


def report_name(fmt: str) -> str:
    """The file name of a report as ``fmt`` ("html" or "docx")."""
    return f"查重报告.{fmt}"


def percent(ratio: float) -> str:
    return f"{ratio * 100:.1f}%"


def cite(title: str, doc_id: int) -> str:
    """A source as reports name it: 《title》（编号 N）."""
    return f"《{title}》（编号 {doc_id}）"


def report_section(report: CheckReport, site: str | None = "") -> Markup:
    """The report as escaped HTML (summary, coloured draft, 重合片段), without page or styles; its sources linked
    to ``site`` + ``/documents/N`` ("": the site's own pages), or named only (None)."""
    out = [Markup('<section class="check-report">'), _summary(report, site),
           Markup('<h2>全文对照</h2><p class="muted">红色：复制；绿色：引用（加引号或标为引文）的复制；'
                  '黑色：原创。段末为本段复制比。</p><div class="draft" id="check-draft">')]
    for para in report.paragraphs:
        out.append(Markup('<div class="para-{}"><p>').format(para.level))
        for piece, kind in report.segments(para.start, para.end):
            out.append(Markup('<span class="seg-{}">{}</span>').format(kind, piece) if kind != "original"
                       else escape(piece))
        out.append(Markup('</p><div class="ratio">{}</div></div>').format(percent(para.copy_ratio)))
    out.append(Markup("</div><h2>重合片段</h2>"))
    if not report.matches:
        out.append(Markup('<p id="check-no-matches">没有发现重合片段。</p>'))
    else:
        out.append(Markup('<table id="check-matches"><thead><tr><th>序号</th><th>草稿中的文字</th><th>来源</th>'
                          '<th>来源原文</th><th>相似度</th></tr></thead><tbody>'))
        for n, m in enumerate(report.matches, 1):
            out.append(Markup('<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>')
                       .format(n, report.text[m.start:m.end], _source(site, m.doc_id, m.title, m.place),
                               m.source_text, percent(m.similarity)))
        out.append(Markup("</tbody></table>"))
    out.append(Markup("</section>"))
    return Markup("").join(out)


def _source(site: str | None, doc_id: int, title: str, place: str | None = None) -> Markup:
    """A source as the report names it (:func:`cite`), a link to its page on ``site`` unless None; with the ``place``
    of a 重合片段 in it under its name (:attr:`.report.Match.place`), when given."""
    named = (escape(cite(title, doc_id)) if site is None
             else Markup('<a href="{}/documents/{}">{}</a>').format(site, doc_id, cite(title, doc_id)))
    return named if place is None else named + Markup('<div class="muted place">{}</div>').format(place)


def _summary(report: CheckReport, site: str | None) -> Markup:
    top = report.max_source
    items = [("总文字复制比", percent(report.copy_ratio)), ("去除引用复制比", percent(report.copy_ratio_excluding_quotes)),
             ("单篇最大文字复制比", percent(top["copy_ratio"]) if top else "0.0%"), ("总字数", f"{report.chars:,}"),
             ("重合片段", str(len(report.matches))), *_left_out(report)]
    out = [Markup('<ul class="check-summary" id="check-summary">')]
    out += [Markup("<li>{}<strong>{}</strong></li>").format(name, value) for name, value in items]
    out.append(Markup("</ul>"))
    if top:
        out.append(Markup('<p id="check-max-source">单篇最大文字复制比来自：{}</p>').format(
            _source(site, top["doc_id"], top["title"])))
    return Markup("").join(out)


def _left_out(report: CheckReport) -> list[tuple[str, str]]:
    """The summary's row for a closing 附：素材来源 list left out of the check (none when there was none)."""
    return [(f"未计入（文末{SOURCES_HEADING}）", f"{report.left_out:,} 字")] if report.left_out else []


def _page(report: CheckReport, made: str, site: str | None) -> str:
    return str(Markup('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>查重报告</title>'
                      '<style>{}</style></head><body><h1>查重报告</h1><p class="muted">{}</p>'
                      '{}</body></html>').format(Markup(_CSS), made, report_section(report, site)))


def _docx(report: CheckReport, made: str) -> bytes:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    from ..export.template import blank_document

    document = blank_document()
    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    style.font.size = Pt(11)
    document.add_heading("查重报告", level=0)
    document.add_paragraph(made)
    top = report.max_source
    rows = [("总文字复制比", percent(report.copy_ratio)), ("去除引用复制比", percent(report.copy_ratio_excluding_quotes)),
            ("单篇最大文字复制比", f"{percent(top['copy_ratio'])}：{cite(top['title'], top['doc_id'])}" if top else "0.0%"),
            ("总字数", f"{report.chars:,}"), ("重合片段", str(len(report.matches))), *_left_out(report)]
    _table(document, ("项目", "结果"), rows, (1, 2))
    document.add_heading("全文对照", level=1)
    document.add_paragraph("红色：复制；绿色：引用的复制；黑色：原创。")
    add_row = _row_adder(_table(document, ("段落", "复制比"), [], (5, 1)))
    for para in report.paragraphs:
        cells = add_row()
        paragraph = cells[0].paragraphs[0]
        for piece, kind in report.segments(para.start, para.end):
            paragraph.add_run(piece).font.color.rgb = RGBColor.from_string(COLOURS[kind])
        cells[1].text = percent(para.copy_ratio)
    document.add_heading("重合片段", level=1)
    _table(document, ("序号", "草稿中的文字", "来源", "来源原文", "相似度"), [
        (str(n), report.text[m.start:m.end], f"{cite(m.title, m.doc_id)}\n{m.place}",
         m.source_text, percent(m.similarity))
        for n, m in enumerate(report.matches, 1)], (3, 8, 5, 8, 4))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _table(document, header: tuple[str, ...], rows: list[tuple[str, ...]], weights: tuple[int, ...]):
    """A table of ``header`` and ``rows`` across the page's text width, its columns as wide as ``weights`` share it
    out (python-docx makes them equal: a 序号 as wide as the text it numbers, which stood four characters a line)."""
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    section = document.sections[-1]
    width = section.page_width - section.left_margin - section.right_margin
    for column, cell, text, weight in zip(table.columns, table.rows[0].cells, header, weights):
        column.width = cell.width = width * weight // sum(weights)
        cell.text = text
    add_row = _row_adder(table)
    for row in rows:
        for cell, text in zip(add_row(), row):
            cell.text = text
    return table


def _row_adder(table) -> Callable[[], list]:
    """A function that adds a last row to the python-docx ``table`` and returns its cells, as ``table.add_row().cells``
    does, the columns' widths read once: python-docx's ``add_row`` looks the table's grid up among all its rows each
    time, which made the .docx of a draft of 12,500 one-character lines take 12 s and of 25,000 lines 71 s."""
    from docx.table import _Cell

    widths = [column.w for column in table._tbl.tblGrid.gridCol_lst]

    def add_row() -> list:
        tr = table._tbl.add_tr()
        cells = []
        for width in widths:
            tc = tr.add_tc()
            if width is not None:
                tc.width = width
            cells.append(_Cell(tc, table))
        return cells
    return add_row
