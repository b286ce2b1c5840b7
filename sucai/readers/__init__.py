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
_UNZIP = "请先解压，再导入其中的文件"
_SAVE_AS_DOCX = "请用 Word 或 WPS 另存为 .docx 后重试"
_BINARY_SIGNATURES = (  # (magic, what the file really is, what the user can do)
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "旧版 Office 文件（.doc/.xls/.wps）", _SAVE_AS_DOCX),
    (b"{\\rtf", "RTF 文件", _SAVE_AS_DOCX),
    (b"\x89PNG", "PNG 图片", None),
    (b"\xff\xd8\xff", "JPEG 图片", None),
    (b"GIF8", "GIF 图片", None),
    (b"Rar!", "RAR 压缩包", _UNZIP),
    (b"7z\xbc\xaf", "7-Zip 压缩包", _UNZIP),
    (b"\x1f\x8b", "gzip 压缩包", _UNZIP),
    (b"\x7fELF", "可执行程序", None),
    (b"MZ", "可执行程序", None),
    (b"PK\x03\x04", "zip 压缩包（不是 Word 文档）", "如果是压缩包，请先解压再导入其中的文件"),
)
_READERS = {
    "txt": lambda data: read_text(data, "txt"),
    "md": lambda data: read_text(data, "md"),
    "html": read_html,
    "docx": read_docx,
    "pdf": read_pdf,
}
_CONTAINER_PROBLEM = {".docx": ("Word", "不是 zip 压缩包"), ".pdf": ("PDF", "文件开头不是 %PDF-")}
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


def _binary_kind(data: bytes) -> tuple[str, str | None] | None:
    """(what the content really is, a hint for the user) by magic bytes, None for text-like content."""
    return next(((kind, hint) for magic, kind, hint in _BINARY_SIGNATURES if data.startswith(magic)), None)


def _really(kind: str) -> str:
    """"实际是 PNG 图片" / "实际是旧版 Office 文件": a space between Chinese and a Latin word, as in the other messages."""
    return f"实际是 {kind}" if kind[0].isascii() else f"实际是{kind}"


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
        label, problem = _CONTAINER_PROBLEM[suffix]
        what = f"：{_really(kind[0])}{f'；{kind[1]}' if kind[1] else ''}" if kind else f"（{problem}）"
        raise ReadError(f"“{PurePath(name).name}” 不是有效的 {label} 文件{what}", code=f"not_{suffix[1:]}")
    supported = "、".join(sorted(SUPPORTED_SUFFIXES))
    if kind:
        what, hint = kind
        raise ReadError(
            f"不支持的文件：“{PurePath(name).name}” {_really(what)}；{hint or f'目前只支持 {supported} 文件'}",
            code="unsupported_format",
        )
    if suffix not in _TEXT_FORMATS:
        raise ReadError(f"不支持的文件类型 {suffix}（支持 {supported}）", code="unsupported_format")
    return "html" if _looks_like_html(data[:_SNIFF_BYTES]) else _TEXT_FORMATS[suffix]


def read_bytes(data: bytes, name: str) -> RawDocument:
    """Read an uploaded file's bytes. ``name`` (the upload's file name) is used only for its extension, never as a path.

    Raises ReadError (see the module docstring for the codes); never returns
    garbage text.
    """
    if len(data) > MAX_FILE_BYTES:
        raise ReadError(
            f"文件过大（{len(data) / 2**20:.1f} MB，上限 {MAX_FILE_BYTES // 2**20} MB），请拆分后重试", code="too_large"
        )
    return _READERS[detect_format(data, name)](data)


def read(path: Path) -> RawDocument:
    """Read the file at ``path`` (see ``read_bytes``).

    Raises ReadError "not_found" (no such file), "unreadable" (a directory or
    no permission), "too_large" (over MAX_FILE_BYTES, 200 MB), or any code of
    ``read_bytes``.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ReadError(
                f"“{path.name}” 过大（{size / 2**20:.1f} MB，上限 {MAX_FILE_BYTES // 2**20} MB），请拆分后重试",
                code="too_large",
            )
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ReadError(f"找不到文件：{path}，请检查路径是否正确", code="not_found") from exc
    except OSError as exc:
        raise ReadError(
            f"无法读取 {path}（{exc.strerror or exc}），请确认它是文件而不是文件夹，并且有读取权限", code="unreadable"
        ) from exc
    return read_bytes(data, path.name)
