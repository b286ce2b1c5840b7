"""Word .docx (Office Open XML, ECMA-376) → text, with automatic numbering put back.

Body blocks are read in document order: paragraphs (label from numbering.xml +
run text), tables (one line per row, cells joined by a tab) and content controls
(w:sdt, e.g. a table of contents). The zip is checked for bombs before parsing.
"""

from __future__ import annotations

import io
import zipfile

import docx
from docx.oxml.ns import qn
from docx.opc.exceptions import PackageNotFoundError
from lxml.etree import XMLSyntaxError

from sucai.errors import ReadError
from sucai.readers.numbering import Numbering
from sucai.readers.raw import RawDocument, finish

MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ENTRIES = 10_000
# Run content in document order; runs inside text boxes (w:txbxContent) are drawn objects, not body text.
_RUN_CONTENT = " | ".join(
    f".//w:r[not(ancestor::w:txbxContent)]/{tag}" for tag in ("w:t", "w:tab", "w:br", "w:cr"))
_RUN_TEXT = {qn("w:tab"): "\t", qn("w:br"): "\n", qn("w:cr"): "\n"}


def check_zip(data: bytes) -> None:
    """Refuse a zip bomb before any XML is parsed.

    Raises ReadError code "too_large" when the entries would expand past
    MAX_UNCOMPRESSED_BYTES (200 MB), the whole archive compresses better than
    MAX_COMPRESSION_RATIO (100:1), or it has more than MAX_ENTRIES entries; code
    "corrupt" when the zip directory cannot be read.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ReadError(
            f"Word 文件已损坏（无法读取 zip 压缩包：{exc}），请用 Word 或 WPS 打开后另存为 .docx 再试", code="corrupt"
        ) from exc
    total = sum(entry.file_size for entry in entries)
    packed = sum(entry.compress_size for entry in entries) or 1
    if len(entries) > MAX_ENTRIES or total > MAX_UNCOMPRESSED_BYTES or total / packed > MAX_COMPRESSION_RATIO:
        raise ReadError(
            f"Word 文件解压后过大，无法安全打开（{len(entries)} 个部件，解压后 {total / 2**20:.0f} MB，"
            f"压缩比 {total / packed:.0f}:1），请删去大图片或拆分文件后重试",
            code="too_large",
        )


def _paragraph_text(p, numbering: Numbering) -> str:
    parts = (_RUN_TEXT.get(node.tag, node.text or "") for node in p.xpath(_RUN_CONTENT))
    return numbering.label(p) + "".join(parts)


def _table_lines(tbl, numbering: Numbering):
    for tr in tbl.iterchildren(qn("w:tr")):
        cells = [" ".join(_block_lines(tc, numbering)).strip() for tc in tr.iterchildren(qn("w:tc"))]
        if any(cells):
            yield "\t".join(cells)


def _block_lines(container, numbering: Numbering):
    """Lines of the block-level children (w:p, w:tbl, w:sdt) of a body, cell or content control, in order."""
    for child in container.iterchildren():
        if child.tag == qn("w:p"):
            yield _paragraph_text(child, numbering)
        elif child.tag == qn("w:tbl"):
            yield from _table_lines(child, numbering)
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _block_lines(content, numbering)


def read_docx(data: bytes) -> RawDocument:
    """Read .docx bytes: body paragraphs with their numbering labels, tables as tab-separated rows.

    ``title`` is the core-properties title when set. Raises ReadError "too_large"
    (zip bomb, see ``check_zip``), "corrupt" (not a readable Word package) or
    "empty".
    """
    check_zip(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, XMLSyntaxError, zipfile.BadZipFile) as exc:
        raise ReadError(
            f"Word 文件已损坏，无法打开（{exc}），请用 Word 或 WPS 打开后另存为 .docx 再试", code="corrupt"
        ) from exc
    lines = _block_lines(document.element.body, Numbering(document))
    return finish("\n".join(lines), "docx", None, document.core_properties.title)
