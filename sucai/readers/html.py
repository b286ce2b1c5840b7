"""HTML pages → main text (trafilatura), honouring the page's declared charset.

Encoding order: BOM, strict UTF-8, the ``<meta charset>`` /
``<meta http-equiv="Content-Type" content="…; charset=…">`` label (GB2312/GBK
read as GB18030), then detection. Layout tables (a cell holding paragraphs or
another table, as on gov.cn) are unwrapped first so their paragraphs keep their
line breaks; data tables stay tables.
"""

from __future__ import annotations

import re

import lxml.html
import trafilatura
from lxml.etree import ParserError

from sucai.errors import ReadError
from sucai.readers.raw import RawDocument, finish
from sucai.readers.text import decode

_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_BLOCKS = ("p", "div", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre")
_TABLE_PARTS = ("table", "thead", "tbody", "tfoot", "tr", "td", "th")
_LINE_TAGS = {*_BLOCKS, "br", "li", "tr", "section", "article", "header", "footer"}
_BLOCK_XPATH = " | ".join(f".//{tag}" for tag in _BLOCKS if tag != "table")
_LAYOUT_CELL_BLOCKS = 3
_HEAD_SEARCH_BYTES = 4096


def declared_charset(data: bytes) -> str | None:
    """The charset label a page declares in a ``<meta>`` tag within its first 4 KB ("gb2312"), else None."""
    match = _META_CHARSET.search(data[:_HEAD_SEARCH_BYTES])
    return match.group(1).decode("ascii").lower() if match else None


def _own_cells(table):
    """The td/th of ``table`` itself, not of tables nested in it."""
    return [cell for cell in table.iter("td", "th")
            if next(cell.iterancestors("table"), None) is table]


def _is_layout_cell(cell) -> bool:
    return cell.find(".//table") is not None or len(cell.xpath(_BLOCK_XPATH)) >= _LAYOUT_CELL_BLOCKS


def unwrap_layout_tables(tree) -> None:
    """Turn layout tables into divs, in place; data tables are left alone.

    A layout table has a cell holding another table or three or more blocks
    (paragraphs, divs, headings, lists) — a page column rather than a datum.
    """
    for table in list(tree.iter("table")):
        if any(_is_layout_cell(cell) for cell in _own_cells(table)):
            for element in [table, *(e for e in table.iter(*_TABLE_PARTS)
                                     if next(e.iterancestors("table"), None) is table)]:
                element.tag = "div"


def _plain_text(tree) -> str:
    """All visible text of the page, one line per block element (the fallback when trafilatura finds nothing)."""
    for element in tree.iter("script", "style", "noscript", "template", "head"):
        element.drop_tree()
    for element in tree.iter(*_LINE_TAGS):
        element.tail = "\n" + (element.tail or "")
    lines = (" ".join(line.split()) for line in tree.text_content().splitlines())
    return "\n".join(line for line in lines if line)


def _title(tree) -> str | None:
    """The first ``<h1>`` (the page's own heading), else ``<title>`` (often with a site name appended)."""
    for element in (tree.find(".//h1"), tree.find(".//title")):
        if element is not None and element.text_content().strip():
            return " ".join(element.text_content().split())
    return None


def read_html(data: bytes) -> RawDocument:
    """Read an .html/.htm page: its main text, one paragraph (or table row) per line, blank lines dropped.

    ``encoding`` is the charset the bytes were decoded with; ``title`` comes from
    the first ``<h1>`` or ``<title>``. Raises ReadError "undecodable" (see
    ``text.decode``), "corrupt" (unparseable markup) or "empty".
    """
    text, encoding = decode(data, declared=declared_charset(data))
    try:
        tree = lxml.html.document_fromstring(_XML_DECLARATION.sub("", text))
    except (ParserError, ValueError) as exc:
        raise ReadError(f"无法解析该 HTML 网页（{exc}），可将正文复制到 .txt 文件后重试", code="corrupt") from exc
    title = _title(tree)
    unwrap_layout_tables(tree)
    body = trafilatura.extract(tree, include_tables=True, include_comments=False) or _plain_text(tree)
    lines = (line.strip() for line in body.splitlines())
    return finish("\n".join(line for line in lines if line), "html", encoding, title)
