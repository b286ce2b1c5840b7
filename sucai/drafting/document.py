"""A draft as a document: its text with numbered headings, its 提纲, and the list of its sources.

:func:`draft_document` lays a :class:`.drafts.Draft` out as a
:class:`sucai.model.Document` — headings numbered by level and order as GB/T
9704-2012 §7.3.3 numbers them (一、 / （一） / 1., restarting under each parent:
:func:`.drafts.numbered`), one line per paragraph — so that the existing exports
(:mod:`sucai.export`: .docx in the GB/T 9704 layout, .md, .txt) download it. With
``sources``, a closing section of its own — the unnumbered heading "附：素材来源"
(a ``##`` heading in .md, a heading in .docx, a line of its own in .txt) — lists, per
paragraph, the document and section it was taken from and whether it was edited.
:func:`export_draft` is the download; its 字数 is the draft's (:attr:`.drafts.Draft.chars`).
"""

from __future__ import annotations

from ..check import SOURCES_HEADING
from ..clean import xml_safe
from ..export import export_document
from ..model import Document, OutlineNode
from .drafts import Draft, Paragraph, numbered

def draft_document(draft: Draft, *, sources: bool = True) -> Document:
    """``draft`` as a :class:`~sucai.model.Document` (text, numbered outline; see the module docstring)."""
    lines: list[str] = []
    offset = 0
    roots: list[OutlineNode] = []
    open_nodes: list[OutlineNode] = []

    def add(line: str) -> int:
        nonlocal offset
        at = offset
        line = xml_safe(line)   # drafts saved before their text was made so (sucai.drafting.drafts)
        lines.append(line)
        offset += len(line) + 1
        return at

    for section, level, number in numbered(draft):
        while open_nodes and open_nodes[-1].level >= level:
            open_nodes.pop().end = max(offset - 1, 0)
        node = OutlineNode(level, number, section.heading, 0, 0)
        node.start = add(node.label + section.heading)
        (open_nodes[-1].children if open_nodes else roots).append(node)
        open_nodes.append(node)
        for paragraph in section.paragraphs:
            for line in paragraph.text.splitlines():
                if line.strip():
                    add(line.strip())
    body_end = max(offset - 1, 0)
    for node in open_nodes:
        node.end = body_end
    if sources and any(p.source for s in draft.sections for p in s.paragraphs):
        listed = OutlineNode(1, "", SOURCES_HEADING, add(SOURCES_HEADING), 0)   # a section of its own
        for line in source_lines(draft):
            add(line)
        listed.end = max(offset - 1, 0)
        roots.append(listed)
    return Document(title=xml_safe(draft.title), text="\n".join(lines), genre=draft.genre or "其他", outline=roots, id=draft.id)


def source_lines(draft: Draft) -> list[str]:
    """One line per paragraph taken from the library: where it is in the draft and where it came from."""
    out = []
    for section, _, number in numbered(draft):
        for place, paragraph in enumerate(section.paragraphs, start=1):
            if paragraph.source is not None:
                out.append(f"{len(out) + 1}. {number}{section.heading} 第{place}段：{_source_text(paragraph)}")
    return out


def _source_text(paragraph: Paragraph) -> str:
    source = paragraph.source
    path = " › ".join(source.section_path)
    state = f"已改写，复制比 {paragraph.copy_ratio:.0%}" if paragraph.edited else "原文照录"
    return f"《{source.title}》（编号 {source.doc_id}{'，' + path if path else ''}）；{state}"


def export_draft(draft: Draft, fmt: str, *, sources: bool = True) -> tuple[str, bytes]:
    """``(file name, bytes)`` of the draft as ``fmt`` (docx / md / txt, see :func:`sucai.export.export_document`),
    the .md's 字数 the draft's (:attr:`.drafts.Draft.chars`). Raises InvalidInput (``bad_format``) for another ``fmt``."""
    return export_document(draft_document(draft, sources=sources), fmt, chars=draft.chars)
