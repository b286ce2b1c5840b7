"""Presentation helpers for the pages: escaping with highlights, the body as paragraphs, URLs.

Everything that ends up in HTML is escaped here or by Jinja2's autoescape; the
only markup we add ourselves is ``<mark>`` around highlight spans, built from
escaped pieces (never ``|safe`` on raw text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from markupsafe import Markup, escape

from ..export.blocks import blocks
from ..model import Document, OutlineNode

_LINE = re.compile(r"[^\n]+")


def mark(text: str | None, spans) -> Markup:
    """``text`` escaped, with each ``[start, end)`` span (characters) wrapped in ``<mark>``.

    Overlapping or out-of-range spans are merged and clipped; never raises.
    """
    text = text or ""
    merged: list[list[int]] = []
    for start, end in sorted((max(0, int(s)), min(len(text), int(e))) for s, e in (spans or [])):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, pos = [], 0
    for start, end in merged:
        out.append(escape(text[pos:start]))
        out.append(Markup("<mark>") + escape(text[start:end]) + Markup("</mark>"))
        pos = end
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def chinese_number(value: int | None) -> str:
    """``12345`` → ``"12,345"`` (empty for None)."""
    return "" if value is None else f"{value:,}"


@dataclass
class Paragraph:
    """One paragraph of the body as the document page shows it.

    ``anchor`` is the element id (``o<offset>``, the offset in the text where the
    paragraph starts), ``level`` the heading level (0 = body text), ``lead`` the
    heading part of a run-in heading, ``rest`` the text after it.
    """

    anchor: str
    offset: int
    level: int
    lead: str
    rest: str

    @property
    def standalone(self) -> bool:
        return self.level > 0 and not self.rest

    @property
    def text(self) -> str:
        return self.lead + self.rest


@dataclass
class OutlineEntry:
    level: int
    title: str
    anchor: str
    children: list[OutlineEntry] = field(default_factory=list)


def paragraphs(doc: Document) -> list[Paragraph]:
    """The body of ``doc`` as paragraphs (the same split as the downloads, :mod:`sucai.export.blocks`)."""
    starts = []
    for match in _LINE.finditer(doc.text):
        line = match.group()
        if line.strip():
            starts.append(match.start() + len(line) - len(line.lstrip()))
    out = []
    for start, block in zip(starts, blocks(doc)):
        lead = block.text[: block.lead] if block.level else ""
        out.append(Paragraph(f"o{start}", start, block.level, lead, block.text[len(lead):]))
    return out


def outline_entries(doc: Document, paras: list[Paragraph]) -> list[OutlineEntry]:
    """The headings of ``doc.outline`` as a tree whose anchors point at the paragraph holding each heading."""
    offsets = [p.offset for p in paras]

    def anchor(node: OutlineNode) -> str:
        holder = None
        for offset in offsets:
            if offset > node.start:
                break
            holder = offset
        return f"o{holder if holder is not None else (offsets[0] if offsets else 0)}"

    def convert(nodes: list[OutlineNode]) -> list[OutlineEntry]:
        out = []
        for node in nodes:
            if node.kind != "heading":
                continue
            title = f"{node.label}{node.heading}".strip() or node.label or "（无标题）"
            out.append(OutlineEntry(node.level, title, anchor(node), convert(node.children)))
        return out

    return convert(doc.outline)


def section_anchor(start: int | None) -> str:
    """The fragment of the paragraph where a section hit starts (``#o<offset>``), or ""."""
    return "" if start is None else f"#o{start}"


def url(path: str, params: dict, **changes) -> str:
    """``path`` with ``params`` updated by ``changes``; empty values are left out. Always a relative URL."""
    merged = {**params, **changes}
    query = {k: v for k, v in merged.items() if v not in (None, "", False)}
    return path + ("?" + urlencode(query) if query else "")


def content_disposition(name: str, fallback: str) -> str:
    """An ``attachment`` header with an ASCII ``filename`` and the real name as RFC 5987 ``filename*``."""
    ascii_name = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in fallback) or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
