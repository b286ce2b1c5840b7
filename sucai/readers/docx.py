"""Word .docx (Office Open XML, ECMA-376) → text, with automatic numbering put back.

Body blocks are read in document order: paragraphs (label from numbering.xml +
run text, tracked changes as accepted: insertions in, deletions out, a moved
passage once at its new place), tables (one line per row, cells joined by a tab), content controls
(w:sdt, e.g. a table of contents) and text boxes (w:txbxContent: a 版记, a 落款 or a heading drawn in a box),
whose blocks follow the line of the paragraph that anchors them. The zip is checked for bombs before parsing.
"""

from __future__ import annotations

import io
import zipfile

import docx
from docx.oxml.ns import nsmap, qn
from docx.opc.exceptions import PackageNotFoundError
from lxml.etree import XPath, XMLSyntaxError

from sucai.errors import ReadError
from sucai.readers.numbering import Numbering
from sucai.readers.raw import RawDocument, finish

MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ENTRIES = 10_000
MAX_XML_BYTES = 48 * 1024 * 1024  # markup that gets parsed (pictures are never parsed); a 2,000-page text is ~20 MB
_XML_PART = (".xml", ".rels")
# Run content in document order, the paragraph's own: the text boxes anchored in it are taken out of the tree first
# (:func:`_anchored_boxes`), their paragraphs read as blocks of their own. Runs inside w:moveFrom are the old place
# of a tracked move (the text is read at its w:moveTo); deleted runs hold w:delText, not w:t, so tracked deletions
# are absent and tracked insertions (w:ins) present. A w:t's text nodes are read, not its ``.text``: an entity
# reference in it (a DTD's — Word writes none; python-docx resolves none) is dropped and the text after it kept
# (``.text`` ends before it: the rest of the run was lost, attack29).
_NAMESPACES = {**nsmap, "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006"}
_RUN_CONTENT = XPath(" | ".join(f".//w:r[not(ancestor::w:moveFrom)]/{tag}"
                                for tag in ("w:t/text()", "w:tab", "w:br", "w:cr")), namespaces=_NAMESPACES)
_BOX, _PARAGRAPH = qn("w:txbxContent"), qn("w:p")
_DROPPED = {f"{{{_NAMESPACES['mc']}}}Fallback", qn("w:moveFrom")}   # a box within one is not read
_RUN_TEXT = {qn("w:tab"): "\t", qn("w:br"): "\n", qn("w:cr"): "\n"}


def check_zip(data: bytes) -> None:
    """Refuse a zip bomb, and markup too large to parse in bounded memory and time, before any XML is parsed.

    Raises ReadError code "too_large" when the entries would expand past
    MAX_UNCOMPRESSED_BYTES (200 MB), the whole archive compresses better than
    MAX_COMPRESSION_RATIO (100:1), it has more than MAX_ENTRIES entries, or its
    XML parts (which python-docx parses whole: the work grows with them, not
    with the file's size) expand past MAX_XML_BYTES (48 MB); code "corrupt" when
    the zip directory cannot be read.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ReadError(
            "Word 文件已损坏（无法读取 zip 压缩包），请用 Word 或 WPS 打开后另存为 .docx 再试", code="corrupt"
        ) from exc
    total = sum(entry.file_size for entry in entries)
    packed = sum(entry.compress_size for entry in entries) or 1
    if len(entries) > MAX_ENTRIES or total > MAX_UNCOMPRESSED_BYTES or total / packed > MAX_COMPRESSION_RATIO:
        raise ReadError(
            f"Word 文件解压后过大，无法安全打开（{len(entries)} 个部件，解压后 {total / 2**20:.0f} MB，"
            f"压缩比 {total / packed:.0f}:1），请删去大图片或拆分文件后重试",
            code="too_large",
        )
    markup = sum(entry.file_size for entry in entries if entry.filename.lower().endswith(_XML_PART))
    if markup > MAX_XML_BYTES:
        raise ReadError(
            f"Word 文件的正文标记解压后达 {markup / 2**20:.0f} MB（上限 {MAX_XML_BYTES // 2**20} MB），"
            "无法在限定的时间和内存内解析，请拆分文件后重试",
            code="too_large",
        )


# the paragraph mark itself deleted or moved away; a row deleted (compiled once: an empty paragraph asks each time)
_REMOVED_MARK = XPath("./w:pPr/w:rPr/w:del | ./w:pPr/w:rPr/w:moveFrom", namespaces=_NAMESPACES)
_REMOVED_ROW = XPath("./w:trPr/w:del", namespaces=_NAMESPACES)


def _anchored_boxes(body) -> dict:
    """The text boxes (w:txbxContent) of ``body`` by the paragraph anchoring each — the paragraph holding it —, in
    document order, every box moved out of the body (to the end of the document): a box's paragraphs are then read
    once, as blocks of their own, not again as runs of each paragraph around it (boxes nested 40 deep were read 40
    times: the work grew with depth × size). A box in no paragraph is not read. Word writes each box twice, a
    DrawingML box (wps:txbx) in mc:Choice and the same box in VML (v:textbox) in mc:Fallback (ECMA-376 Part 3
    §10.2.1): the Fallback's is dropped, as a box at the old place of a tracked move (w:moveFrom) is; a VML box of
    its own (older Word, WPS) is kept."""
    anchored: dict = {}
    for box in list(body.iter(_BOX)):   # a box before the boxes within it, which it takes along
        anchor, dropped = None, False
        for up in box.iterancestors():
            if up.tag == _PARAGRAPH:
                anchor = up
                break
            dropped = dropped or up.tag in _DROPPED
        body.getparent().append(box)   # kept in the document: an XPath over an element out of it costs its whole tree
        if anchor is not None and not dropped:
            anchored.setdefault(anchor, []).append(box)
    return anchored


def _paragraph_text(p, numbering: Numbering) -> str | None:
    """The paragraph's line (numbering label + run text); None for a paragraph that a tracked deletion or
    move took away (its mark is deleted and no text is left), so that it neither shows nor counts a number."""
    text = "".join(node if isinstance(node, str) else _RUN_TEXT[node.tag] for node in _RUN_CONTENT(p))
    if not text and _REMOVED_MARK(p):
        return None
    return numbering.label(p) + text


def _table_lines(tbl, numbering: Numbering, boxes: dict):
    for tr in tbl.iterchildren(qn("w:tr")):
        if _REMOVED_ROW(tr):
            continue
        cells = [" ".join(_block_lines(tc, numbering, boxes)).strip() for tc in tr.iterchildren(qn("w:tc"))]
        if any(cells):
            yield "\t".join(cells)


def _block_lines(container, numbering: Numbering, boxes: dict):
    """Lines of the block-level children (w:p, w:tbl, w:sdt) of a body, cell, content control or text box, in
    order; a paragraph's text boxes (``boxes``, :func:`_anchored_boxes`) after its line."""
    for child in container.iterchildren():
        if child.tag == _PARAGRAPH:
            line = _paragraph_text(child, numbering)
            if line is not None:
                yield line
            for box in boxes.get(child, ()):
                yield from _block_lines(box, numbering, boxes)
        elif child.tag == qn("w:tbl"):
            yield from _table_lines(child, numbering, boxes)
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _block_lines(content, numbering, boxes)


def read_docx(data: bytes) -> RawDocument:
    """Read .docx bytes: body paragraphs with their numbering labels, tables as tab-separated rows.

    ``title`` and ``meta["title"]`` are the core-properties title when set. Raises ReadError "too_large"
    (zip bomb, see ``check_zip``), "corrupt" (not a readable Word package) or
    "empty".
    """
    check_zip(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, XMLSyntaxError, zipfile.BadZipFile,
            AttributeError) as exc:   # python-docx: a [Content_Types].xml whose root is not <Types>
        raise ReadError("Word 文件已损坏，无法打开，请用 Word 或 WPS 打开后另存为 .docx 再试", code="corrupt") from exc
    body = document.element.body
    lines = _block_lines(body, Numbering(document), _anchored_boxes(body))
    title = document.core_properties.title
    return finish("\n".join(lines), "docx", None, title, {"title": title})
