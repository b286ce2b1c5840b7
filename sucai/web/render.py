"""Presentation helpers for the pages: escaping with highlights, the body as paragraphs, URLs.

A body line that is a 公文 element (:mod:`sucai.elements`) is not a body paragraph:
it carries its element kinds, and the page places it as GB/T 9704-2012 §7 says
(发文字号 centred, 主送机关 顶格, 署名 and 成文日期 right-aligned, 版记 apart).

Everything that ends up in HTML is escaped here or by Jinja2's autoescape; the
only markup we add ourselves is ``<mark>`` around highlight spans and the
member-boundary ``<span>`` inside a paragraph, built from escaped pieces (never
``|safe`` on raw text).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from markupsafe import Markup, escape

from .. import access
from ..export.blocks import attachment_label, blocks, in_record
from ..model import Document, OutlineNode



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


@dataclass(frozen=True)
class Marker:
    """A mark in the body at the member boundary: ``id`` (``member-start``, ``member-end`` or
    ``member-notice``) and the words shown."""

    id: str
    label: str


@dataclass
class Paragraph:
    """One paragraph of the body as the document page shows it.

    ``anchor`` is the element id (``o<offset>``, the offset in the text where the
    paragraph starts), ``level`` the heading level (0 = body text), ``lead`` the
    heading part of a run-in heading, ``rest`` the text after it. ``parts``
    are the ``(kind, text)`` pieces of a line made of 公文 elements, as laid out
    (empty for a body paragraph; two for a 上行文's 发文字号 and 签发人, or for the
    印发机关 and 印发日期 of one line), ``placement`` the CSS classes that place it
    (see :func:`paragraphs`). ``inline``: member-boundary markers inside the
    paragraph, as ``(offset in the paragraph's text, marker)``; ``before``: markers
    shown between the previous paragraph and this one (see :func:`place_markers`).
    """

    anchor: str
    offset: int
    level: int
    lead: str
    rest: str
    parts: list[tuple[str, str]] = field(default_factory=list)
    placement: str = ""
    inline: list[tuple[int, Marker]] = field(default_factory=list)
    before: list[Marker] = field(default_factory=list)

    @property
    def standalone(self) -> bool:
        return self.level > 0 and not self.rest

    @property
    def text(self) -> str:
        return self.lead + self.rest

    def lead_markup(self) -> Markup:
        """``lead`` escaped, with the inline markers that fall inside it."""
        return _with_markers(self.lead, 0, self.inline)

    def rest_markup(self) -> Markup:
        """``rest`` escaped, with the inline markers that fall inside it."""
        return _with_markers(self.rest, len(self.lead), self.inline)


@dataclass
class OutlineEntry:
    """A 提纲 entry: ``title`` is label and heading ("一、总体要求", "第一条"); an article's
    opening words are its ``summary``, shown apart from the title."""

    level: int
    title: str
    anchor: str
    children: list[OutlineEntry] = field(default_factory=list)
    summary: str = ""


def paragraphs(doc: Document) -> list[Paragraph]:
    """The body of ``doc`` as paragraphs (the same split as the downloads, :mod:`sucai.export.blocks`).

    A line holding 公文 elements gets their kinds as ``placement`` classes
    ``el-<kind>``, plus ``attachment-label`` ("附件2", 顶格) or ``attachment-title``
    (centred) for an 附件 line, and ``record`` with ``record-first`` /
    ``record-last`` for the lines of the 版记 (§7.4), which stand apart between rules.
    """
    out = []
    for block in blocks(doc):
        lead = block.text[: block.lead] if block.level else ""
        out.append(Paragraph(f"o{block.start}", block.start, block.level, lead, block.text[len(lead):],
                             list(block.parts)))
    _place(out)
    return out


def _place(paras: list[Paragraph]) -> None:
    """Set ``placement`` of the element lines: their kinds, the attachment line's role, the 版记 run."""
    record = [in_record(p.parts) for p in paras]
    for i, para in enumerate(paras):
        if not para.parts:
            continue
        classes = [f"el-{kind}" for kind, _ in para.parts]
        if para.parts[0][0] == "attachment":
            classes.append("attachment-label" if attachment_label(para.parts[0][1]) else "attachment-title")
        if record[i]:
            classes.append("record")
            if i == 0 or not record[i - 1]:
                classes.append("record-first")
            if i + 1 == len(paras) or not record[i + 1]:
                classes.append("record-last")
        para.placement = " ".join(classes)


def boundary_markers(doc: Document, notice: str | None) -> list[tuple[int, Marker]]:
    """The member-boundary markers of the page, as ``(offset in doc.text, marker)``: see
    :func:`sucai.access.boundary_marks` (ids ``member-notice``, ``member-start``, ``member-end``)."""
    return [(offset, Marker(f"member-{kind}", words)) for offset, kind, words in access.boundary_marks(doc, notice)]


def place_markers(paras: list[Paragraph], markers: list[tuple[int, Marker]]) -> list[Marker]:
    """Put each marker where its offset is: inside the paragraph whose text holds it, else before
    the first paragraph starting at or after it (also before a 公文 element line, which is laid
    out in parts). Returns the markers after the last paragraph."""
    after: list[Marker] = []
    for offset, marker in markers:
        holder = next((p for p in paras if offset < p.offset + len(p.text)), None)
        if holder is None:
            after.append(marker)
        elif offset > holder.offset and not holder.parts:
            holder.inline.append((offset - holder.offset, marker))
        else:
            holder.before.append(marker)
    return after


def _with_markers(text: str, base: int, inline: list[tuple[int, Marker]]) -> Markup:
    """``text`` (which starts at ``base`` in its paragraph) escaped, with the markers inside it as spans."""
    out, pos = [], 0
    for at, marker in sorted(inline, key=lambda m: m[0]):
        if base <= at < base + len(text):
            out.append(escape(text[pos : at - base]))
            out.append(Markup('<span class="member-boundary inline" id="{}">{}</span>').format(marker.id, marker.label))
            pos = at - base
    out.append(escape(text[pos:]))
    return Markup("").join(out)


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
            title = node.title or "（无标题）"
            out.append(OutlineEntry(node.level, title, anchor(node), convert(node.children), node.summary))
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
