"""PDF → text from its text layer (pdfplumber), laid out as paragraphs; scans go to OCR.

Pages are read one at a time and released at once (pdfplumber caches every
character of a page until it is closed), so memory stays flat however many
pages a file has; a file over ``Limits.max_pages`` pages is refused. Characters
painted twice at almost the same place (fake bold: the same glyph drawn again
with a small offset) are read once. The lines then go through ``layout``
(page furniture, paragraphs, CJK spacing). A PDF with pages but no text layer
(a scan) is OCR'd (``ocr``); one whose pages cannot be found at all (a broken
cross-reference table, a truncated download) is refused as damaged.
"""

from __future__ import annotations

import io
import re

import pdfplumber
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

from sucai.errors import ReadError
from sucai.readers import ocr
from sucai.readers.layout import mark_edges, page_lines_to_text
from sucai.readers.raw import Limits, RawDocument, finish

_CID = re.compile(r"\(cid:\d+\)")
_DUPLICATE_TOLERANCE = 2  # points: a glyph repeated closer than this to itself is one glyph drawn twice
_LINE_KEYS = ("text", "x0", "x1", "top", "bottom")
_DAMAGED = "PDF 文件已损坏"


def painted_twice(chars: list[dict], tolerance: float = _DUPLICATE_TOLERANCE) -> set[int]:
    """The ``id()`` of each character that repeats an earlier one — same text, font and size, both coordinates
    within ``tolerance`` points — the second stroke of fake bold. Linear: characters are bucketed on a grid of
    ``tolerance`` and compared with the neighbouring buckets only (pdfplumber's ``dedupe_chars`` is quadratic)."""
    buckets: dict[tuple, list[dict]] = {}
    doubles = set()
    for char in chars:
        key = (char["text"], char.get("fontname"), round(float(char.get("size") or 0), 1))
        col, row = int(char["x0"] // tolerance), int(char["top"] // tolerance)
        near = (other for dx in (-1, 0, 1) for dy in (-1, 0, 1) for other in buckets.get((key, col + dx, row + dy), ()))
        if any(abs(other["x0"] - char["x0"]) <= tolerance and abs(other["top"] - char["top"]) <= tolerance
               for other in near):
            doubles.add(id(char))
        else:
            buckets.setdefault((key, col, row), []).append(char)
    return doubles


def _raw_lines(page) -> list[dict]:
    """The text lines of a page (fake-bold doubles removed), each with "edge" set (see layout.Line)."""
    doubles = painted_twice(page.chars)
    deduped = page.filter(lambda obj: id(obj) not in doubles) if doubles else page
    lines = [{key: line[key] for key in _LINE_KEYS}
             for line in deduped.extract_text_lines(return_chars=False) if line["text"].strip()]
    return mark_edges(lines, float(page.height))


def _cid_free(pages: list[list[dict]]) -> list[list[dict]]:
    """Strip "(cid:N)" glyphs (fonts without a Unicode map); refuse the file when they are a large share."""
    text = "".join(line["text"] for page in pages for line in page)
    unmapped = sum(len(m) for m in _CID.findall(text))
    if text and unmapped > 0.3 * len(text):
        raise ReadError(
            "PDF 的字体缺少 Unicode 映射，无法提取文字，请改用原始 Word 文件或重新导出 PDF", code="undecodable"
        )
    if not unmapped:
        return pages
    cleaned = [[{**line, "text": _CID.sub("", line["text"])} for line in page] for page in pages]
    return [[line for line in page if line["text"].strip()] for page in cleaned]


def _core_title(pdf) -> dict[str, str]:
    title = (pdf.metadata or {}).get("Title")
    return {"title": title} if isinstance(title, str) and title.strip() else {}


def read_pdf(data: bytes, limits: Limits = Limits()) -> RawDocument:
    """Read a PDF's text layer as paragraphs, one per line; OCR it when it has none.

    ``meta["title"]`` is the document-information title when set. Raises
    ReadError "corrupt" (damaged: no pages found, or pdfminer cannot parse it;
    or encrypted), "too_large" (more than ``limits.max_pages`` pages),
    "undecodable" (glyphs without Unicode mapping), and for a scan the codes of
    ``ocr.ocr_pdf`` ("ocr_unavailable", "timeout", "empty").
    """
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            count, meta = len(pdf.pages), _core_title(pdf)
            if count > limits.max_pages:
                raise ReadError(f"PDF 共 {count} 页，超过每个文件 {limits.max_pages} 页的上限，请拆分后重试",
                                code="too_large")
            pages = []
            for page in pdf.pages:
                pages.append(_raw_lines(page))
                page.close()
    except (PdfminerException, MalformedPDFException) as exc:
        raise ReadError(
            f"{_DAMAGED}或已加密，无法读取，请解除密码保护或重新导出 PDF 后重试", code="corrupt"
        ) from exc
    if not count:
        raise ReadError(f"{_DAMAGED}：找不到任何页面（交叉引用表 xref 可能已损坏），请重新下载或重新导出 PDF", code="corrupt")
    text = page_lines_to_text(_cid_free(pages))
    if not text.strip():
        return ocr.ocr_pdf(data, count, limits, meta)
    return finish(text, "pdf", None, meta=meta)
