"""Downloads: one document as .docx / .md / .txt, or many as a zip.

Callers pass a document already reduced to what the viewer may see
(:func:`sucai.access.free_view`) and the notice that replaces the members part
(:func:`sucai.access.notice`), so nothing here decides about members; the notice
is placed where the members part was left out (``paid_from`` of the free view).

    name, data = export_document(free_view(doc), "docx", notice=notice(doc))
    data = export_zip([(free_view(d), notice(d)) for d in docs], "md")
"""

from __future__ import annotations

from ..choices import EXPORT_FORMATS as FORMATS
from ..errors import InvalidInput
from ..model import Document
from .archive import index_csv, safe_stem, unique_name, zip_files
from .docx import DocxStyle, to_docx
from .markdown import to_markdown, to_text

__all__ = ["FORMATS", "DocxStyle", "batch_stem", "export_document", "export_zip"]

INDEX_NAME = "索引.csv"
INDEX_HEADER = ("序号", "标题", "文种", "字数", "来源", "文件名")


def export_document(
    doc: Document, fmt: str, *, notice: str | None = None, style: DocxStyle | None = None, chars: int | None = None
) -> tuple[str, bytes]:
    """``(file name, bytes)`` of ``doc`` in format ``fmt`` (one of :data:`FORMATS`).

    The name is the title made safe (see :mod:`sucai.export.archive`) plus
    ``.fmt``, or "文档-<id>.fmt" when the title has no usable character. Text
    formats are UTF-8. ``notice`` is a paragraph where the members part was left
    out (the end when ``doc.paid_from`` is None); ``style``
    only affects .docx (default: GB/T 9704-2012); ``chars`` is the 字数 the .md states
    (default ``doc.counted_chars``; a 写作台 draft's is its own, :attr:`sucai.drafting.drafts.Draft.chars`). Raises ``InvalidInput``
    (code ``"bad_format"``) when ``fmt`` is not in :data:`FORMATS`.
    """
    _check_format(fmt)
    stem = safe_stem(doc.title, _fallback_stem(doc))
    return f"{stem}.{fmt}", _render(doc, fmt, notice, style, chars)


def batch_stem(query: str | None) -> str:
    """The file-name stem of a batch download: the query it packs, made safe (「担当作为 存在问题」), or 素材打包 for
    one of numbers or filters alone — a second download lands beside the first, not over it."""
    return safe_stem((query or "").strip(), "素材打包")


def export_zip(items: list[tuple[Document, str | None]], fmt: str, *, limit: int = 200) -> bytes:
    """A zip of ``(document, notice)`` pairs exported as ``fmt``, plus an index ``索引.csv``.

    Each document is one file named by its title (equal names, compared
    ignoring case, become "标题 (2).md"…). The index has one row per document
    in the given order: 序号 (from 1), 标题, 文种, 字数 (of the exported text,
    ``doc.counted_chars``), 来源, 文件名. Raises ``InvalidInput``
    with code ``"bad_format"`` for an unknown ``fmt`` and ``"too_many"`` when
    there are more than ``limit`` documents.
    """
    _check_format(fmt)
    if len(items) > limit:
        raise InvalidInput(f"一次最多打包下载 {limit} 篇，本次选择了 {len(items)} 篇。", code="too_many")
    taken = {INDEX_NAME.casefold()}
    files, rows = [], []
    for number, (doc, notice) in enumerate(items, start=1):
        name = unique_name(safe_stem(doc.title, _fallback_stem(doc)), f".{fmt}", taken)
        files.append((name, _render(doc, fmt, notice, None, None)))
        rows.append((number, doc.title, doc.genre, doc.counted_chars, doc.source or "", name))
    return zip_files([(INDEX_NAME, index_csv(INDEX_HEADER, rows)), *files])


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise InvalidInput(f"不支持的下载格式“{fmt}”，可选：{'、'.join(FORMATS)}。", code="bad_format")


def _fallback_stem(doc: Document) -> str:
    return f"文档-{doc.id}" if doc.id is not None else "文档"


def _render(doc: Document, fmt: str, notice: str | None, style: DocxStyle | None, chars: int | None) -> bytes:
    if fmt == "docx":
        return to_docx(doc, notice, style)
    text = to_markdown(doc, notice, chars) if fmt == "md" else to_text(doc, notice)
    return text.encode("utf-8")
