"""The reader result shape and the normalisation every reader applies last."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from sucai.errors import ReadError

log = logging.getLogger(__name__)

_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")


@dataclass(frozen=True)
class RawDocument:
    """A file turned into plain text, before cleaning and structure parsing.

    ``text`` uses "\\n" line endings and holds no BOM (U+FEFF), no NUL and no U+FFFD.
    ``format`` is one of "txt", "md", "docx", "pdf", "html". ``encoding`` is the
    Python codec name ("utf-8", "gb18030", "utf-16"…) for text formats, ``None``
    for docx and pdf. ``title`` is a title the container declares (html
    ``<h1>``/``<title>``, docx core property ``title``), else ``None``.

    ``meta`` is metadata found outside the body text, keys (all optional, values
    as found, stripped): "title" (html og:title/``<title>``, docx/pdf core
    title), "date" (publication date as written — never a file's creation
    date), "source" (publishing organisation or site), "url" (canonical URL).
    """

    text: str
    format: str
    encoding: str | None
    title: str | None = None
    meta: dict[str, str] = field(default_factory=dict)


def normalize_newlines(text: str) -> str:
    """Turn CRLF, CR and Unicode line/paragraph separators into "\\n"; drop BOMs (U+FEFF)."""
    return _LINE_BREAKS.sub("\n", text).replace("\ufeff", "")


def finish(text: str, fmt: str, encoding: str | None, title: str | None = None,
           meta: dict[str, str] | None = None) -> RawDocument:
    """Normalise ``text`` and wrap it in a RawDocument.

    Stray U+FFFD and NUL characters (present in the container itself, e.g. a
    docx run, or a text file with a stray zero byte) are dropped with a warning.
    Raises ReadError code "empty" when nothing but whitespace is left.
    """
    text = normalize_newlines(text)
    for stray in ("\ufffd", "\x00"):
        if stray in text:
            log.warning("dropped %d %r characters from a %s file", text.count(stray), stray, fmt)
            text = text.replace(stray, "")
    if not text.strip():
        raise ReadError("文件为空（没有文字内容）", code="empty")
    title = normalize_newlines(title).strip() if title else None
    meta = {key: " ".join(value.split()) for key, value in (meta or {}).items() if value and value.strip()}
    return RawDocument(text=text, format=fmt, encoding=encoding, title=title or None, meta=meta)
