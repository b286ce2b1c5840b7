"""Readers: a file (path or uploaded bytes) → RawDocument (plain text + format + encoding + title + meta).

The format is chosen by content as well as by extension: magic bytes decide
first (a zip holding word/document.xml is a docx, one whose ``mimetype`` is ODF
text is an odt, "%PDF-" is a pdf, an OLE2 compound file holding a Word stream is
a doc/wps, ``{\\rtf`` is RTF, PNG/JPEG/TIFF signatures are images, a leading
``<!doctype html`` / ``<html`` is html), so renamed files are read correctly.
A file whose extension promises a container format its content is not is
refused with code "not_docx" / "not_pdf" / "not_office"; other binary content
gets "unsupported_format".

.doc, .wps, .rtf and .odt are converted to .docx by LibreOffice (``office``)
and read by the .docx reader; images and PDFs without a text layer are OCR'd
by Tesseract (``ocr``).

Every failure is a ``sucai.errors.ReadError`` with a ``code``: "not_found",
"not_a_file", "unreadable", "too_large", "unsupported_format", "not_docx", "not_pdf",
"not_office", "corrupt", "undecodable", "empty", "timeout",
"converter_unavailable", "ocr_unavailable".
"""

from __future__ import annotations

import codecs
import importlib
import io
import os
import stat
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path, PurePath

from sucai.clean import display_name
from sucai.errors import ReadError, os_reason
from sucai.readers import office
from sucai.readers.raw import Limits, RawDocument
from sucai.readers.text import read_text

__all__ = ["RawDocument", "Limits", "SUPPORTED_SUFFIXES", "OFFICE_FORMATS", "MAX_FILE_BYTES", "read", "read_bytes",
           "file_bytes", "refuse_large", "read_converted", "detect_format"]

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({
    ".txt", ".md", ".docx", ".pdf", ".html", ".htm", ".doc", ".wps", ".rtf", ".odt",
    ".png", ".jpg", ".jpeg", ".tif", ".tiff",
})
OFFICE_FORMATS = frozenset(office.FORMATS)  # converted by LibreOffice first
OFFICE_SUFFIXES = frozenset(f".{kind}" for kind in OFFICE_FORMATS)
MAX_FILE_BYTES = 200 * 1024 * 1024
_SNIFF_BYTES = 1024
_UNZIP = "请先解压，再使用其中的文件"   # 导入 or 查重: the same words fit both (new-user try 26)
_IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")
_ZIP = "zip 压缩包"
_BINARY_SIGNATURES = (  # (magic, what the file really is, what the user can do)
    (b"GIF8", "GIF 图片", "请另存为 PNG 或 JPEG 后重试"),
    (b"BM", "BMP 图片", "请另存为 PNG 或 JPEG 后重试"),
    (b"Rar!", "RAR 压缩包", _UNZIP),
    (b"7z\xbc\xaf", "7-Zip 压缩包", _UNZIP),
    (b"\x1f\x8b", "gzip 压缩包", _UNZIP),
    (b"\x7fELF", "可执行程序", None),
    (b"MZ", "可执行程序", None),
)
_NAMED_BY = {_ZIP: {".zip"}, "GIF 图片": {".gif"}, "BMP 图片": {".bmp"}, "RAR 压缩包": {".rar"}, "7-Zip 压缩包": {".7z"},
             "gzip 压缩包": {".gz", ".tgz"}, "可执行程序": {".exe", ".com", ".bin"}}   # suffixes that say the kind
_OOXML_OTHER = (("xl/", "Excel 电子表格（.xlsx）"), ("ppt/", "PowerPoint 演示文稿（.pptx）"))
# The readers of .docx, .html, .pdf and images are imported at their first file (python-docx, trafilatura,
# pdfplumber, pypdfium2, Pillow: ≈ 60 MB), so that a process that never reads one — the ingest's own, whose
# parse workers read the files, and the web server's — does not hold them; the parse workers' fork server
# imports them ahead (:data:`READER_MODULES`, :mod:`sucai.preload`).
READER_MODULES = ("sucai.readers.docx", "sucai.readers.html", "sucai.readers.ocr", "sucai.readers.pdf")


def _imported_at_first_file(module: str, name: str, *, limits: bool) -> Callable[[bytes, Limits], RawDocument]:
    """The reader ``module.name`` as ``read(data, limits)``, its module imported at the first call;
    ``limits``: whether that reader takes the file's :class:`Limits`."""
    def read(data: bytes, given: Limits) -> RawDocument:
        reader = getattr(importlib.import_module(module), name)
        return reader(data, given) if limits else reader(data)
    return read


_READERS = {
    "txt": lambda data, limits: read_text(data, "txt"),
    "md": lambda data, limits: read_text(data, "md"),
    "html": _imported_at_first_file("sucai.readers.html", "read_html", limits=False),
    "docx": _imported_at_first_file("sucai.readers.docx", "read_docx", limits=False),
    "pdf": _imported_at_first_file("sucai.readers.pdf", "read_pdf", limits=True),
    "image": _imported_at_first_file("sucai.readers.ocr", "read_image", limits=True),
}
_CONTAINER_PROBLEM = {
    ".docx": ("Word", "not_docx", "不是 zip 压缩包"),
    ".pdf": ("PDF", "not_pdf", "文件开头不是 %PDF-"),
    **{suffix: ("Word/WPS", "not_office", "既不是 Office 文档也不是网页") for suffix in (".doc", ".wps", ".rtf", ".odt")},
}
_TEXT_FORMATS = {".txt": "txt", ".md": "md", ".html": "html", ".htm": "html", "": "txt"}


def _zip_names(data: bytes) -> list[str] | None:
    """The names in the zip ``data``, None when its directory cannot be read (damaged, cut short)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return None


def _zip_kind(data: bytes) -> str | None:
    """"docx" or an office kind ("odt") for a document zip, None for another zip; refuses other Office zips."""
    names = _zip_names(data)
    if names is None:
        return None
    if "word/document.xml" in names:
        return "docx"
    other = next((what for folder, what in _OOXML_OTHER if any(n.startswith(folder) for n in names)), None)
    if other:
        raise ReadError(f"不支持的文件：实际是 {other}，目前只能导入文字文档", code="unsupported_format")
    return office.office_kind(data, "")


def _looks_like_html(head: bytes) -> bool:
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            return _looks_like_html(head[len(bom):].decode(codec, errors="ignore").encode("utf-8"))
    start = head.removeprefix(codecs.BOM_UTF8).lstrip().lower()
    if start.startswith(b"<?xml"):
        return b"<html" in start
    return start.startswith((b"<!doctype html", b"<html"))


def _binary_kind(data: bytes) -> tuple[str, str | None] | None:
    """(what the content really is, a hint for the user) by magic bytes, None for text-like content."""
    if data.startswith(b"PK\x03\x04"):
        return _ZIP, _UNZIP
    return next(((kind, hint) for magic, kind, hint in _BINARY_SIGNATURES if data.startswith(magic)), None)


def _really(kind: str, suffix: str = "") -> str:
    """"实际是 RAR 压缩包" / "实际是可执行程序", or "是 zip 压缩包" when the file's ``suffix`` (".zip", lower case) names
    that kind already (:data:`_NAMED_BY`); a space between Chinese and a Latin word, as in the other messages."""
    verb = "是" if suffix in _NAMED_BY.get(kind, ()) else "实际是"
    return f"{verb} {kind}" if kind[0].isascii() else f"{verb}{kind}"


def _by_content(data: bytes, name: str) -> str | None:
    """The format the magic bytes prove, None when they prove none."""
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if b"%PDF-" in data[:_SNIFF_BYTES]:
        return "pdf"
    if data.startswith(_IMAGE_SIGNATURES):
        return "image"
    return office.office_kind(data, name)


def detect_format(data: bytes, name: str) -> str:
    """The reader format for ``data``: "txt", "md", "html", "docx", "pdf", "image", or an office format
    converted first ("doc", "wps", "rtf", "odt") — by magic bytes first, then extension.

    ``name`` is used only for its extension, and shown in a message only as :func:`sucai.clean.display_name` shows it.
    Raises ReadError "not_docx" /
    "not_pdf" / "not_office" (the extension promises a format the content is
    not), "corrupt" (a Word/WPS name on a zip whose directory cannot be read: a download cut short, not "实际是
    zip 压缩包") or "unsupported_format" (other binary content — spreadsheets, presentations, archives, programs —
    or an unknown extension).
    """
    suffix = PurePath(name).suffix.lower()
    fmt = _by_content(data, name)
    if fmt:
        return fmt
    kind = _binary_kind(data)
    if suffix in OFFICE_SUFFIXES and kind is None and _looks_like_html(data[:_SNIFF_BYTES]):
        return "html"  # a web page saved by Word with a .doc name
    if suffix in _CONTAINER_PROBLEM:
        label, code, problem = _CONTAINER_PROBLEM[suffix]
        if code != "not_pdf" and kind and kind[0] == _ZIP and _zip_names(data) is None:   # a Word file cut short
            raise ReadError(f"“{display_name(name)}” 已损坏或不完整（可能没有下载完），无法读取，请重新获取该文件后再试",
                            code="corrupt")
        hint = "" if kind is None or kind[0] == _ZIP else kind[1]   # a zip named as a Word file: no 请先解压
        what = f"：{_really(kind[0])}{f'；{hint}' if hint else ''}" if kind else f"（{problem}）"
        raise ReadError(f"“{display_name(name)}” 不是有效的 {label} 文件{what}", code=code)
    supported = " ".join(sorted(SUPPORTED_SUFFIXES))   # spaces: a table wraps between types, never in one
    if kind:
        what, hint = kind
        raise ReadError(
            f"不支持的文件：“{display_name(name)}” {_really(what, suffix)}；{hint or f'目前只支持 {supported} 文件'}",
            code="unsupported_format",
        )
    if suffix not in _TEXT_FORMATS:
        shown = PurePath(display_name(name)).suffix.lower()
        raise ReadError(f"不支持的文件类型 {shown}（支持 {supported}）", code="unsupported_format")
    return "html" if _looks_like_html(data[:_SNIFF_BYTES]) else _TEXT_FORMATS[suffix]


def read_converted(docx: Path, fmt: str) -> RawDocument:
    """Read the .docx that LibreOffice made of an office document of format ``fmt`` ("doc", "wps"…)."""
    return replace(_READERS["docx"](Path(docx).read_bytes(), Limits()), format=fmt)


def read_bytes(data: bytes, name: str, limits: Limits = Limits()) -> RawDocument:
    """Read an uploaded file's bytes. ``name`` (the upload's file name) is used only for its extension, never as a path.

    Office documents are converted one at a time here (a batch goes through
    ``office.convert_batch`` instead, see ``sucai.ingest``). Raises ReadError
    (see the module docstring for the codes); never returns garbage text.
    """
    refuse_large(len(data), "文件")
    fmt = detect_format(data, name)
    if fmt in OFFICE_FORMATS:
        docx = office.convert_bytes(data, fmt, limits.seconds_left(), limits.memory_mb)
        return replace(_READERS["docx"](docx, limits), format=fmt)
    return _READERS[fmt](data, limits)


def refuse_large(size: int, what: str, limit: int = MAX_FILE_BYTES) -> None:
    """Raise ReadError "too_large" when ``size`` bytes of ``what`` (a file's name in quotes, or "文件") are over
    ``limit`` bytes (:data:`MAX_FILE_BYTES`, 200 MB)."""
    if size > limit:
        raise ReadError(f"{what}过大（{size / 2**20:.1f} MB，上限 {limit / 2**20:.4g} MB），请拆分后重试", code="too_large")


def file_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` bytes: one that holds more when opened, or has
    grown past ``limit`` by the time it is read, is refused after ``limit + 1`` bytes, never read to its end.
    Anything else is refused unread, without waiting: a named pipe is opened without waiting for a writer, and a
    device (``/dev/zero``: endless), a pipe or a folder is not read.

    Raises ReadError "not_found" (no such file), "not_a_file" (a folder, a device — /dev/null — or a named pipe),
    "unreadable" (no permission, an I/O error), "too_large"."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError as exc:
        raise ReadError(f"找不到文件：{path}，请检查路径是否正确", code="not_found") from exc
    except OSError as exc:
        raise _unreadable(path, os_reason(exc)) from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _unreadable(path, "不是普通文件，而是文件夹、设备或命名管道", code="not_a_file")
        refuse_large(info.st_size, f"“{path.name}” ", limit)
        with os.fdopen(fd, "rb", closefd=False) as file:
            data = file.read(limit + 1)
    except OSError as exc:
        raise _unreadable(path, os_reason(exc)) from exc
    finally:
        os.close(fd)
    refuse_large(len(data), f"“{path.name}” ", limit)
    return data


def _unreadable(path: Path, reason: str, code: str = "unreadable") -> ReadError:
    return ReadError(f"无法读取 {path}（{reason}），请确认它是文件而不是文件夹，并且有读取权限", code=code)


def read(path: Path, limits: Limits = Limits()) -> RawDocument:
    """Read the file at ``path`` (see ``read_bytes``), a regular file only (:func:`file_bytes`).

    Raises ReadError "not_found" (no such file), "not_a_file" (a directory, a device or a named pipe), "unreadable"
    (no permission), "too_large" (over MAX_FILE_BYTES, 200 MB), or any code of ``read_bytes``.
    """
    path = Path(path)
    return read_bytes(file_bytes(path), path.name, limits)
