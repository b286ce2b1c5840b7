"""Markdown (CommonMark) and plain-text exports of a document.

Markdown: ``# 标题``, one metadata line (文种/字数/来源/文号/日期), outline headings
as markdown headings one level below the title (level 1 → ``##``, level 2 →
``###`` …, capped at ``######``), every other line a paragraph. A run-in heading
("（一）理论学习方面。主要存在…") becomes a heading followed by the rest of its
paragraph, so the text is kept in full. Plain text: the title line, a blank line,
the clean text as stored. In both, a notice (when one is given) is a paragraph of
its own where the members part was left out (``doc.paid_from``; the end when None).
"""

from __future__ import annotations

import re

from ..model import Document
from .blocks import Block, with_notice

# ASCII characters that CommonMark would read as inline markup.
_INLINE_MARKUP = re.compile(r"([\\`*_\[\]<>])")
# Line starts that CommonMark would read as a heading, quote, list, rule or table.
_BLOCK_MARKUP = re.compile(r"^([#>+\-=|])")
_ORDERED_LIST = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")


def to_markdown(doc: Document, notice: str | None = None, chars: int | None = None) -> str:
    """The document as CommonMark text (``\\n`` line ends, trailing newline); ``chars``: the 字数 its metadata
    line states (default ``doc.counted_chars``). Never raises."""
    parts = [f"# {_escape(doc.title)}", _metadata(doc, doc.counted_chars if chars is None else chars)]
    for block in with_notice(doc, notice):
        parts.extend(_markdown_block(block))
    return "\n\n".join(parts) + "\n"


def to_text(doc: Document, notice: str | None = None) -> str:
    """The document as plain text: title, blank line, clean text with the notice in its place. Never raises."""
    if not notice:
        return f"{doc.title}\n\n{doc.text.strip()}\n"
    cut = len(doc.text) if doc.paid_from is None else doc.paid_from
    parts = [doc.title, doc.text[:cut].strip(), notice, doc.text[cut:].strip()]
    return "\n\n".join(part for part in parts if part) + "\n"


def _metadata(doc: Document, chars: int) -> str:
    fields = (
        ("文种", doc.genre),
        ("字数", str(chars)),
        ("来源", doc.source),
        ("文号", doc.doc_number),
        ("日期", doc.date),
    )
    return "> " + " ｜ ".join(f"{name}：{_escape(value)}" for name, value in fields if value)


def _markdown_block(block: Block) -> list[str]:
    if not block.level:
        return [_escape(block.text)]
    marks = "#" * min(block.level + 1, 6)
    head = [f"{marks} {_escape(block.text[: block.lead])}"]
    return head if block.standalone else [*head, _escape(block.text[block.lead :])]


def _escape(text: str) -> str:
    text = _INLINE_MARKUP.sub(r"\\\1", text)
    return _ORDERED_LIST.sub(r"\1\\\2", _BLOCK_MARKUP.sub(r"\\\1", text))
