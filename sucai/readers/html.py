"""HTML pages → main text (trafilatura), honouring the page's declared charset.

Encoding order: BOM, strict UTF-8, the ``<meta charset>`` /
``<meta http-equiv="Content-Type" content="…; charset=…">`` label (GB2312/GBK
read as GB18030), then detection (see ``text.decode``).

Before trafilatura picks the main text, the page is prepared in place:
layout tables (a cell holding paragraphs or another table, as on gov.cn) are
unwrapped so their paragraphs keep their line breaks; link lists (相关文章,
热点新闻 sidebars: blocks of four or more links with almost no other text) and
their label headings are dropped (case B39); data tables become one line per
row, cells separated by a tab, as the .docx reader writes them (case B40).
Metadata outside the body (``<meta>``, ``<title>``, canonical link, the gov.cn
信息公开 table) goes to ``RawDocument.meta`` (see ``htmlmeta``); the 信息公开 tables are then dropped.
Every run of text gets a tag of its own while trafilatura reads the page, so that it keeps every copy of a
paragraph the page says again (``tag_text_runs``); its ``deduplicate`` option, a cache of the texts seen by
the process, stays off, so that no page is read differently for the pages the worker read before it.

A page nested deeper than the HTML parser's limit (255 levels) is read as flat
text with the standard library's tokenizer instead, so none of its text is lost.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import lxml.html
import trafilatura
from lxml.etree import ParserError

from sucai.clean import tagged_span, xml_safe
from sucai.errors import ReadError
from sucai.readers.htmlmeta import article_meta, drop_info_tables, page_meta
from sucai.readers.raw import RawDocument, finish
from sucai.readers.text import decode

_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# An XHTML page's prolog, which the HTML parser would read as text: the XML declaration, and a DOCTYPE's internal
# subset (``<!DOCTYPE html [ <!ENTITY …> ]>``: libxml2 ends the DOCTYPE at its first ``>``, and the subset's tail
# 「]>」 was the page's first text — its title when it has no <title>). Quoted values may hold ``]`` and ``>``.
_PROLOG = re.compile(r"""\s*(?:<\?xml[^>]*\?>)?\s*(?:<!DOCTYPE[^\[>]*\[(?:[^\]"']|"[^"]*"|'[^']*')*\]\s*>)?""", re.I)
_BLOCKS = ("p", "div", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre")
_ROW_PARTS = ("thead", "tbody", "tfoot", "tr", "td", "th")   # a table's own parts, not the tables nested in it
_LINE_TAGS = {*_BLOCKS, "br", "li", "tr", "section", "article", "header", "footer"}
_BLOCK_XPATH = " | ".join(f".//{tag}" for tag in _BLOCKS if tag != "table")
_LAYOUT_CELL_BLOCKS = 3
_HEAD_SEARCH_BYTES = 4096
_HIDDEN_TAGS = ("script", "style", "noscript", "template", "head")
_CELL_SEPARATOR = "\u241f"  # "␟" stands for the tab between cells while trafilatura collapses whitespace
# Labels of link lists that are not part of the article, with optional brackets and colon.
_LINK_LIST_LABEL = re.compile(
    r"[【\[]?(相关(文章|阅读|新闻|链接|报道|推荐|稿件)|热点(新闻|推荐|文章|关注)|热门(文章|新闻|推荐)|推荐阅读|延伸阅读"
    r"|猜你喜欢|最新(文章|新闻|动态|发布)|精彩推荐|图片新闻|更多(新闻|阅读)|友情链接|上一篇|下一篇)[】\]]?[：:]?")
_LINK_LIST_MIN_LINKS = 4
_LABELLED_LIST_MIN_LINKS = 2
_LABEL_REACH = 40   # characters at the start of a block where its label may stand
_LINK_LIST_MAX_OTHER_CHARS = 10  # text outside the links, digits, dates and punctuation not counted
_FILE_LINK = re.compile(r"\.(docx?|wps|pdf|xlsx?|et|zip|rar|ofd|txt)$", re.IGNORECASE)  # attachments are content
_NOT_COUNTED = re.compile(r"[\W\d_年月日]+")
# Byzantine musical symbols: printable symbols trafilatura keeps and reads as no word (its share-button filter,
# "\W*(QQ|WeChat|…)$", still matches a tagged run), found on no Chinese page.
_TAG_ALPHABET = "".join(map(chr, range(0x1D000, 0x1D0F6)))
_TAG_SYMBOL = re.compile(f"[{_TAG_ALPHABET[0]}-{_TAG_ALPHABET[-1]}]")
_CONTAINERS = ("ul", "ol", "dl", "div", "table", "section", "aside", "nav", "td", "p")


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
    (paragraphs, divs, headings, lists) — a page column rather than a datum. A table nested in one is judged on
    its own cells (gov.cn puts the body's paragraphs in a table inside the page's layout table): renamed with its
    parent's rows and cells, it had no cells of its own to judge, and its rows were read as one table row.
    """
    for table in list(tree.iter("table")):
        if any(_is_layout_cell(cell) for cell in _own_cells(table)):
            for element in [table, *(e for e in table.iter(*_ROW_PARTS)
                                     if next(e.iterancestors("table"), None) is table)]:
                element.tag = "div"


def _is_link_list(element, heads: dict, links: dict) -> bool:
    count, other, heading = links[element]
    labelled = _LINK_LIST_LABEL.match(heads.get(element, "")) is not None   # 「热点新闻」 heads it
    least = _LABELLED_LIST_MIN_LINKS if labelled else _LINK_LIST_MIN_LINKS
    return count >= least and other <= _LINK_LIST_MAX_OTHER_CHARS and not heading


def _link_counts(root) -> dict:
    """Each element under ``root`` (itself included) → (its links — ``a`` elements but those to attached files —,
    the characters of its text outside them that count — labels, digits, dates and punctuation set aside —, whether
    an h1 is in it). One pass from the leaves up, each text read once: linear in the page, however deep its blocks
    (each block's text read with each of its links taken out of it took 37 s of CPU for a 386 kB page of 4,000 links
    in 100 nested divs). A label is set aside within one run of text; a comment is no text."""
    found: dict = {}
    for element in reversed(list(root.iter())):
        link = element.tag == "a" and not _FILE_LINK.search((element.get("href") or "").split("?")[0])
        count, other, heading = int(link), _counted(element.text) if isinstance(element.tag, str) else 0, False
        for child in element:
            below, outside, h1 = found[child]
            count, other = count + below, other + outside + _counted(child.tail)
            heading = heading or h1 or child.tag == "h1"
        found[element] = (count, 0 if link else other, heading)
    return found


def _counted(text: str | None) -> int:
    return len(_NOT_COUNTED.sub("", _LINK_LIST_LABEL.sub("", text))) if text else 0


def drop_link_lists(tree) -> None:
    """Remove link lists and the labels that head them, in place (case B39).

    A link list is a block (ul, ol, div, table, td…) with at least four links — two when its text opens
    with a label such as 「热点新闻」 — (links to attached files do not count: those are content) and at most ten
    characters of other text once digits, dates, punctuation and a label such as
    "相关文章" are set aside; the outermost such block goes. A block whose whole
    text is such a label ("相关文章", "【热点新闻】", "上一篇：") goes too.
    """
    body = tree.find("body")
    root = body if body is not None else tree
    heads = _text_heads(root, _LABEL_REACH)   # blocks are visited outermost first: none read after a drop below it
    links = _link_counts(root)
    for element in list(root.iter(*_CONTAINERS)):
        if element.getparent() is not None and _is_link_list(element, heads, links):
            element.drop_tree()
    heads = _text_heads(tree, _LABEL_REACH)
    for element in list(tree.iter("h1", "h2", "h3", "h4", "h5", "h6", "p", "div", "span", "li", "b", "strong",
                                  "td", "th", "dt")):
        if element.getparent() is not None and _LINK_LIST_LABEL.fullmatch(heads[element]):
            element.drop_tree()


def _text_heads(root, reach: int) -> dict:
    """Each element under ``root`` (itself included) → the first ``reach`` characters of its text, white space
    removed. One pass from the leaves up, each text read once: linear in the page, however deep its blocks."""
    heads: dict = {}
    for element in reversed(list(root.iter())):
        head = _squeezed(element.text, reach) if isinstance(element.tag, str) else ""   # not a comment's
        for child in element:
            if len(head) >= reach:
                break
            head += heads.get(child, "") + _squeezed(child.tail, reach)
        heads[element] = head[:reach]
    return heads


def _squeezed(text: str | None, reach: int) -> str:
    return "".join(text[:reach * 4].split()) if text else ""


def _cell_text(cell) -> str:
    return " ".join(cell.text_content().split())


def tables_as_rows(tree) -> None:
    """Replace each (data) table by one paragraph per row, its cells joined by a placeholder for the tab (case B40).

    Nested tables are flattened into their cell's text. Rows whose cells are all
    empty are left out.
    """
    for table in list(tree.iter("table")):
        if table.getparent() is None or next(table.iterancestors("table"), None) is not None:
            continue
        rows = [[_cell_text(cell) for cell in row.iterchildren("td", "th")] for row in table.iter("tr")
                if next(row.iterancestors("table"), None) is table]
        block = lxml.html.Element("div")
        for cells in rows:
            if any(cells):
                lxml.html.etree.SubElement(block, "p").text = _CELL_SEPARATOR.join(cells)
        block.tail = table.tail
        table.getparent().replace(table, block)


class _FlatText(HTMLParser):
    """Visible text of a page without building a tree: one line per block tag (for pages too deep to parse)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in _HIDDEN_TAGS
        if tag in _LINE_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        self.hidden = max(0, self.hidden - (tag in _HIDDEN_TAGS))
        if tag in _LINE_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def flat_text(markup: str) -> str:
    """All visible text of ``markup``, one line per block element, read by a tokenizer (no depth limit)."""
    parser = _FlatText()
    parser.feed(markup)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def _text_runs(tree) -> list[tuple]:
    """(element, "text" or "tail") of every run of text in the page's body that is not blank, in page order;
    no script's, style's or comment's own text."""
    body = tree.find("body")
    return [(element, side) for element in (body if body is not None else tree).iter() for side in ("text", "tail")
            if not (side == "text" and (not isinstance(element.tag, str) or element.tag in _HIDDEN_TAGS))
            and (getattr(element, side) or " ").strip()]


def tag_text_runs(tree, markup: str) -> dict[int, None]:
    """Put a tag of its own before every run of text in the page's body, in place; the ``str.translate`` table
    that removes the tags again.

    trafilatura drops a block whose text equals one it took (next to it, past 50 characters; anywhere, when it
    gathers a page's loose paragraphs) or, past 50 characters, lies inside one taken — a block it met twice, it
    reasons —, and so lost a paragraph, a table row or a heading the page says again (case html19). Tagged, two
    blocks read alike only when they are one run of the page: a block trafilatura meets twice is still dropped,
    a repeat is kept. A tag is a fixed number of Byzantine musical symbols (``_TAG_ALPHABET``) the page does not
    hold. Blank runs (a space between two spans, tagged, became a line break) and scripts (trafilatura reads a
    page's JSON-LD) are left alone (``_text_runs``); a page holding all but one of those symbols is left untagged
    (an empty table). A run is tagged as XML can carry it (:func:`sucai.clean.xml_safe`: lxml sets no text holding a C0
    control — a hostile title's ESC — or U+FFFE; trafilatura drops a paragraph holding one).
    """
    alphabet = sorted(set(_TAG_ALPHABET) - set(_TAG_SYMBOL.findall(markup)))
    if len(alphabet) < 2:
        return {}
    runs = _text_runs(tree)
    width = 1
    while len(alphabet) ** width < len(runs):
        width += 1
    for number, (element, side) in enumerate(runs):
        tag = "".join(alphabet[number // len(alphabet) ** place % len(alphabet)] for place in range(width))
        setattr(element, side, tag + xml_safe(getattr(element, side)))
    return dict.fromkeys(map(ord, alphabet))


def _plain_text(tree) -> str:
    """All visible text of the page, one line per block element (the fallback when trafilatura finds nothing)."""
    for element in tree.iter(*_HIDDEN_TAGS):
        element.drop_tree()
    for element in tree.iter(*_LINE_TAGS):
        element.tail = "\n" + (element.tail or "")
    lines = (" ".join(line.split()) for line in tree.text_content().splitlines())
    return "\n".join(line for line in lines if line)


def _title(tree) -> str | None:
    """The first ``<h1>`` (the page's own heading) when it is free text, else ``<title>`` (often with a site name
    appended)."""
    heading = tree.find(".//h1")
    free = heading is not None and not _members_text(tree, heading)
    for element in (heading if free else None, tree.find(".//title")):
        if element is not None and element.text_content().strip():
            return " ".join(element.text_content().split())
    return None


def _members_text(tree, element) -> bool:
    """Whether ``element`` stands in the members part the page's tags mark (:func:`sucai.clean.tagged_span` of its
    text), whose title no one but a member is shown (attack 30)."""
    span = tagged_span(tree.text_content())
    at = span and sum(map(len, element.xpath("preceding::text()")))
    return span is not None and span[0] <= at and (span[1] is None or at < span[1])


def _parse(markup: str):
    """The lxml.html tree of ``markup``, or None when the page nests deeper than the parser's limit (it would
    silently drop the deeper text). Raises ReadError "corrupt" for markup it cannot parse at all."""
    parser = lxml.html.HTMLParser()
    try:
        tree = lxml.html.document_fromstring(markup, parser=parser)
    except (ParserError, ValueError) as exc:
        raise ReadError("无法解析该 HTML 网页，可将正文复制到 .txt 文件后重试", code="corrupt") from exc
    too_deep = any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log)
    return None if too_deep else tree


def read_html(data: bytes) -> RawDocument:
    """Read an .html/.htm page: its main text, one paragraph (or table row) per line, blank lines dropped.

    ``encoding`` is the charset the bytes were decoded with; ``title`` comes from
    the first ``<h1>`` or ``<title>``; ``meta`` from the page's metadata (see
    ``htmlmeta.page_meta``). Raises ReadError "undecodable" (see
    ``text.decode``), "corrupt" (unparseable markup) or "empty".
    """
    text, encoding = decode(data, declared=declared_charset(data))
    markup = text[_PROLOG.match(text).end():]
    tree = _parse(markup)
    if tree is None:
        return finish(flat_text(markup), "html", encoding)
    meta = page_meta(tree)
    title = _title(tree)
    drop_info_tables(tree)
    unwrap_layout_tables(tree)
    drop_link_lists(tree)
    tables_as_rows(tree)
    untag = tag_text_runs(tree, markup)
    body = trafilatura.extract(tree, include_tables=True, include_comments=False, deduplicate=False) or _plain_text(tree)
    lines = (line.strip() for line in body.translate(untag).replace(_CELL_SEPARATOR, "\t").splitlines())
    text = "\n".join(line for line in lines if line)
    return finish(text, "html", encoding, title, article_meta(meta, text))
