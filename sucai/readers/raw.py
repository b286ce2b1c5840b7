"""The reader result shape and the normalisation every reader applies last."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from sucai import radicals
from sucai.errors import ReadError

log = logging.getLogger(__name__)

_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")


@dataclass(frozen=True)
class RawDocument:
    """A file turned into plain text, before cleaning and structure parsing.

    ``text`` uses "\\n" line endings and holds no BOM (U+FEFF) and no U+FFFD.
    ``format`` is one of "txt", "md", "docx", "pdf", "html". ``encoding`` is the
    Python codec name ("utf-8", "gb18030", "utf-16"…) for text formats, ``None``
    for docx and pdf. ``title`` is a title the container declares (html
    ``<title>``/``<h1>``, docx core property ``title``), else ``None``.
    """

    text: str
    format: str
    encoding: str | None
    title: str | None = None


def normalize_newlines(text: str) -> str:
    """Turn CRLF, CR and Unicode line/paragraph separators into "\\n"; drop BOMs (U+FEFF)."""
    return _LINE_BREAKS.sub("\n", text).replace("\ufeff", "")


def finish(text: str, fmt: str, encoding: str | None, title: str | None = None) -> RawDocument:
    """Normalise ``text`` and wrap it in a RawDocument.

    Stray U+FFFD characters (present in the container itself, e.g. a docx run)
    are dropped with a warning. CJK radicals standing in for ideographs (PDF
    copies: ⼯ for 工) become the ideographs (:func:`sucai.radicals.fold`).
    Raises ReadError code "empty" when nothing but whitespace is left.
    """
    text = radicals.fold(normalize_newlines(text))
    if "\ufffd" in text:
        log.warning("dropped %d U+FFFD characters from a %s file", text.count("\ufffd"), fmt)
        text = text.replace("\ufffd", "")
    if not text.strip():
        raise ReadError("文件为空（没有文字内容）", code="empty")
    title = radicals.fold(normalize_newlines(title)).strip() if title else None
    return RawDocument(text=text, format=fmt, encoding=encoding, title=title or None)
