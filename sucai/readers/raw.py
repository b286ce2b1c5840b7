"""The reader result shape and the normalisation every reader applies last."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field

from sucai import radicals
from sucai.errors import ReadError

log = logging.getLogger(__name__)
EMPTY_FILE = "文件为空（没有文字内容）"   # the reason a file without text is skipped (code "empty")

_LINE_BREAKS = re.compile("[\r\u2028\u2029\x85]")  # after CRLF is replaced: a class the search skips to


@dataclass(frozen=True)
class RawDocument:
    """A file turned into plain text, before cleaning and structure parsing.

    ``text`` uses "\\n" line endings and holds no BOM (U+FEFF), no NUL and no U+FFFD.
    ``format`` is one of "txt", "md", "docx", "pdf", "html", "image", or the
    format of a file converted by LibreOffice: "doc", "wps", "rtf", "odt". ``encoding`` is the
    Python codec name ("utf-8", "gb18030", "utf-16"…) for text formats, ``None``
    for docx and pdf. ``title`` is a title the container declares (html
    ``<h1>``/``<title>``, docx core property ``title``), else ``None``.

    ``meta`` is metadata found outside the body text, keys (all optional, values
    as found, stripped): "title" (html og:title/``<title>``, docx/pdf core
    title), "date" (publication date as written — never a file's creation
    date), "source" (publishing organisation or site), "url" (canonical URL).

    ``ocr_confidence`` is set when the text was recognised from page images
    (OCR): Tesseract's mean word confidence, 0–100, weighted by characters.
    """

    text: str
    format: str
    encoding: str | None
    title: str | None = None
    meta: dict[str, str] = field(default_factory=dict)
    ocr_confidence: float | None = None


@dataclass(frozen=True)
class Limits:
    """Bounds on the work of reading one file.

    ``max_pages``: most pages of a PDF (or frames of a TIFF) that are read;
    longer files are refused. ``deadline``: a ``time.monotonic()`` instant by
    which a long reading step (OCR, page by page) gives up with ReadError
    "timeout"; None for no deadline. ``memory_mb``: the address-space limit
    given to helper programs (LibreOffice), None for none. (The hard time and
    memory limits of parsing are those of the worker process a file is parsed
    in, see ``sucai.budget``.) ``again``: how the user has the file read again once
    a setting is raised, the end of a sentence of a reason (「…后再次入库」; 查重's: 「重新查重」).
    """

    max_pages: int = 2000
    deadline: float | None = None
    memory_mb: int | None = None
    again: str = "再次入库，这个文件会重新读取"

    def seconds_left(self, default: float = 300) -> float:
        """Seconds until the deadline (at least 1), or ``default`` when there is none."""
        return default if self.deadline is None else max(1.0, self.deadline - time.monotonic())


def normalize_newlines(text: str) -> str:
    """Turn CRLF, CR and Unicode line/paragraph separators into "\\n"; drop BOMs (U+FEFF)."""
    return _LINE_BREAKS.sub("\n", text.replace("\r\n", "\n")).replace("\ufeff", "")


def finish(text: str, fmt: str, encoding: str | None, title: str | None = None,
           meta: dict[str, str] | None = None, ocr_confidence: float | None = None) -> RawDocument:
    """Normalise ``text`` and wrap it in a RawDocument.

    Stray U+FFFD and NUL characters (present in the container itself, e.g. a
    docx run, or a text file with a stray zero byte) are dropped with a warning.
    CJK radicals standing in for ideographs (PDF copies: ⼯ for 工) become the
    ideographs (:func:`sucai.radicals.fold`).
    Raises ReadError code "empty" when nothing but whitespace is left.
    """
    text = radicals.fold(normalize_newlines(text))
    for stray in ("\ufffd", "\x00"):
        if stray in text:
            log.warning("%s 文件中删去了 %d 个 %r 字符", fmt, text.count(stray), stray)
            text = text.replace(stray, "")
    if not text.strip():
        raise ReadError(EMPTY_FILE, code="empty")
    title = radicals.fold(normalize_newlines(title)).strip() if title else None
    meta = {key: " ".join(value.split()) for key, value in (meta or {}).items() if value and value.strip()}
    return RawDocument(text=text, format=fmt, encoding=encoding, title=title or None, meta=meta,
                       ocr_confidence=ocr_confidence)
