"""Readers: a file (path or uploaded bytes) → RawDocument (plain text + format + encoding + declared title).

The format is chosen by content as well as by extension: magic bytes decide
first (a zip holding word/document.xml is a docx, "%PDF-" is a pdf, a leading
``<!doctype html`` / ``<html`` is html), so renamed files are read correctly.
A file whose extension promises docx or pdf but whose content is neither is
refused with code "not_docx" / "not_pdf"; other binary content gets
"unsupported_format".

Every failure is a ``sucai.errors.ReadError`` with a ``code``: "not_found",
"unreadable", "too_large", "unsupported_format", "not_docx", "not_pdf",
"corrupt", "undecodable", "empty", "no_text_layer".
"""

from __future__ import annotations

import codecs
import io
import zipfile
from pathlib import Path, PurePath

from sucai.errors import ReadError
from sucai.readers.docx import read_docx
from sucai.readers.html import read_html
from sucai.readers.pdf import read_pdf
from sucai.readers.raw import RawDocument
from sucai.readers.text import read_text

__all__ = ["RawDocument", "SUPPORTED_SUFFIXES", "MAX_FILE_BYTES", "read", "read_bytes", "detect_format"]

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".txt", ".md", ".docx", ".pdf", ".html", ".htm"})
MAX_FILE_BYTES = 200 * 1024 * 1024
_SNIFF_BYTES = 1024
_BINARY_SIGNATURES = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Office file (.doc/.xls/.wps); save it as .docx"),
    (b"{\\rtf", "an RTF file; save it as .docx"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a program"),
    (b"PK\x03\x04", "a zip archive that is not a Word document"),
)
_READERS = {
    "txt": lambda data: read_text(data, "txt"),
    "md": lambda data: read_text(data, "md"),
    "html": read_html,
    "docx": read_docx,
    "pdf": read_pdf,
}
_CONTAINER_PROBLEM = {".docx": "it is not a zip package", ".pdf": "it does not start with %PDF-"}
_TEXT_FORMATS = {".txt": "txt", ".md": "md", ".html": "html", ".htm": "html", "": "txt"}


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def _looks_like_html(head: bytes) -> bool:
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            return _looks_like_html(head[len(bom):].decode(codec, errors="ignore").encode("utf-8"))
    start = head.removeprefix(codecs.BOM_UTF8).lstrip().lower()
    if start.startswith(b"<?xml"):
        return b"<html" in start
    return start.startswith((b"<!doctype html", b"<html"))


def _binary_kind(data: bytes) -> str | None:
    return next((kind for magic, kind in _BINARY_SIGNATURES if data.startswith(magic)), None)


def detect_format(data: bytes, name: str) -> str:
    """The reader format for ``data`` ("txt", "md", "docx", "pdf", "html"), by magic bytes first, then extension.

    ``name`` is used only for its extension. Raises ReadError "not_docx" /
    "not_pdf" (the extension promises a format the content is not) or
    "unsupported_format" (other binary content or an unknown extension).
    """
    suffix = PurePath(name).suffix.lower()
    if data.startswith(b"PK\x03\x04") and _is_docx(data):
        return "docx"
    if b"%PDF-" in data[:_SNIFF_BYTES]:
        return "pdf"
    kind = _binary_kind(data)
    if suffix in _CONTAINER_PROBLEM:
        what = kind or _CONTAINER_PROBLEM[suffix]
        raise ReadError(f"{PurePath(name).name!r} is not a real {suffix} file ({what})", code=f"not_{suffix[1:]}")
    if kind:
        raise ReadError(f"unsupported file: {PurePath(name).name!r} is {kind}", code="unsupported_format")
    if suffix not in _TEXT_FORMATS:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise ReadError(f"unsupported file type {suffix!r} (supported: {supported})", code="unsupported_format")
    return "html" if _looks_like_html(data[:_SNIFF_BYTES]) else _TEXT_FORMATS[suffix]


def read_bytes(data: bytes, name: str) -> RawDocument:
    """Read an uploaded file's bytes. ``name`` (the upload's file name) is used only for its extension, never as a path.

    Raises ReadError (see the module docstring for the codes); never returns
    garbage text.
    """
    if len(data) > MAX_FILE_BYTES:
        raise ReadError(f"the file is larger than {MAX_FILE_BYTES // 2**20} MB", code="too_large")
    return _READERS[detect_format(data, name)](data)


def read(path: Path) -> RawDocument:
    """Read the file at ``path`` (see ``read_bytes``).

    Raises ReadError "not_found" (no such file), "unreadable" (a directory or
    no permission), "too_large" (over MAX_FILE_BYTES, 200 MB), or any code of
    ``read_bytes``.
    """
    path = Path(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ReadError(f"{path.name} is larger than {MAX_FILE_BYTES // 2**20} MB", code="too_large")
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ReadError(f"file not found: {path}", code="not_found") from exc
    except OSError as exc:
        raise ReadError(f"cannot read {path}: {exc.strerror or exc}", code="unreadable") from exc
    return read_bytes(data, path.name)
