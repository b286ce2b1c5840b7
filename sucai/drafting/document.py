"""A draft as a document: its text with numbered headings, its 提纲, and the list of its sources.

:func:`draft_document` lays a :class:`.drafts.Draft` out as a
:class:`sucai.model.Document` — headings numbered by level and order as GB/T
9704-2012 §7.3.3 numbers them (一、 / （一） / 1., restarting under each parent:
:func:`.drafts.numbered`), one line per paragraph — so that the existing exports
(:mod:`sucai.export`: .docx in the GB/T 9704 layout, .md, .txt) download it. With
``sources``, a closing section of its own — the unnumbered heading "附：素材来源"
(a ``##`` heading in .md, a heading in .docx, a line of its own in .txt) — lists, per
paragraph, the document and section it was taken from and whether it was edited. A section without a heading
(the opening, 开头段, before the first; the closing, 结尾段, after the last heading's text: :func:`.drafts.closing_section`,
no part of that heading's) is paragraphs alone: no heading line, no number (:func:`.drafts.numbered`).
With ``signed`` (a day), a draft of a 文种 that ends with its writer's 落款 (:data:`SIGNED_GENRES`)
ends with it, after the last paragraph and before the sources: the writer's unit (发文机关署名, when
given; a 述职报告 is signed by its writer, 「述职人：【待补】」, :data:`PERSON_SIGNATURES`) and the 成文日期
in 公文 form (「2026年12月2日」, :func:`sucai.metadata.dates.official_day`), each a line of its own and a 公文
element of the document (``issuer_signature``, ``date``), which the .docx places right-aligned as GB/T
9704-2012 §7.3.5 says (:mod:`sucai.export.docx`); the .md and .txt have them as lines.
:func:`export_draft` is the download, signed on the day the draft was last saved on the site's clock
(:func:`drafting_day`); its 字数 is the draft's (:attr:`.drafts.Draft.chars`: the 落款 is not counted,
as the title is not).
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from ..check import CLOSING_PLACE, OPENING_PLACE, SOURCES_HEADING
from ..clean import xml_safe
from ..config import local_time
from ..export import export_document
from ..metadata import dates
from ..metadata.genres import written_genre
from ..model import Document, Element, OutlineNode
from .drafts import Draft, Paragraph, closing_section, numbered
from .placeholders import PLACEHOLDER

# 文种 that end with their writer's 落款 (GB/T 9704-2012 §7.3.5): the 法定公文 an organ signs and dates at the end, and the
# 事务文书 a unit or a person signs there. A speech (讲话稿, 发言提纲, 党课讲稿, 主持词, 致辞) names its speaker under the
# title instead; 决议, 公报 and 纪要 are dated under the title or carry no 署名 (§10.3), 命令 and 议案 are signed by a person's
# office, and news, laws, 心得体会 and 调研报告 name their author under the title when they do.
SIGNED_GENRES = frozenset({"决定", "公告", "通告", "意见", "通知", "通报", "报告", "请示", "批复", "函",
                           "工作总结", "工作计划", "实施方案", "述职报告", "对照检查材料", "汇报材料"})
# 文种 signed by a person rather than a unit: the 署名 of their 落款, its name left for the writer (a 述廉报告 is one).
PERSON_SIGNATURES = {"述职报告": "述职人：" + PLACEHOLDER}


def draft_document(draft: Draft, *, sources: bool = True, signed: date | None = None) -> Document:
    """``draft`` as a :class:`~sucai.model.Document` (text, numbered outline; ``signed``: the 成文日期 of its
    落款, None for none; see the module docstring)."""
    lines: list[str] = []
    offset = 0
    roots: list[OutlineNode] = []
    open_nodes: list[OutlineNode] = []
    elements: list[Element] = []
    closing = closing_section(draft)

    def add(line: str) -> int:
        nonlocal offset
        at = offset
        line = xml_safe(line)   # drafts saved before their text was made so (sucai.drafting.drafts)
        lines.append(line)
        offset += len(line) + 1
        return at

    for section, level, number in numbered(draft):
        if section is closing:   # the closing is no part of the last heading's
            while open_nodes:
                open_nodes.pop().end = max(offset - 1, 0)
        if section.heading.strip():   # a section without one (the opening) is paragraphs of the part above it
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
    genre = written_genre(draft.genre)   # a draft saved before its 文种 was (「对照检查」) is shown by its name
    if signed is not None and genre in SIGNED_GENRES:
        signature = PERSON_SIGNATURES.get(genre, draft.unit.strip())
        for kind, line in (("issuer_signature", signature), ("date", dates.official_day(signed))):
            if line:
                at = add(line)
                elements.append(Element(kind, lines[-1], at, at + len(lines[-1])))
    if sources and any(p.source for s in draft.sections for p in s.paragraphs):
        listed = OutlineNode(1, "", SOURCES_HEADING, add(SOURCES_HEADING), 0)   # a section of its own
        for line in source_lines(draft):
            add(line)
        listed.end = max(offset - 1, 0)
        roots.append(listed)
    return Document(title=xml_safe(draft.title), text="\n".join(lines), genre=genre or "其他", outline=roots,
                    elements=elements, id=draft.id)


def drafting_day(draft: Draft, zone: tzinfo) -> date:
    """The day ``draft`` was drafted on the site's clock ``zone``: the day it was last saved (``updated_at``, else
    ``created_at``), or today for a draft never saved (``sucai draft -o``)."""
    stamp = draft.updated_at or draft.created_at
    return date.fromisoformat(local_time(stamp, zone, "days")) if stamp else datetime.now(zone).date()


def source_lines(draft: Draft) -> list[str]:
    """One line per paragraph taken from the library: where it is in the draft — the heading it stands under
    (:data:`sucai.check.OPENING_PLACE`, 开头, before the first; :data:`sucai.check.CLOSING_PLACE`, 结尾, the closing
    after the last) and its place there — and where it came from."""
    out, place, count = [], OPENING_PLACE, 0
    closing = closing_section(draft)
    for section, _, number in numbered(draft):
        if section.heading.strip() or section is closing:
            place, count = CLOSING_PLACE if section is closing else number + section.heading, 0
        for paragraph in section.paragraphs:
            count += 1
            if paragraph.source is not None:
                out.append(f"{len(out) + 1}. {place} 第{count}段：{_source_text(paragraph)}")
    return out


def _source_text(paragraph: Paragraph) -> str:
    source = paragraph.source
    return f"《{source.title}》（编号 {source.doc_id}，{source.place}）；{paragraph.state}"


def export_draft(draft: Draft, fmt: str, *, zone: tzinfo, sources: bool = True) -> tuple[str, bytes]:
    """``(file name, bytes)`` of the draft as ``fmt`` (docx / md / txt, see :func:`sucai.export.export_document`),
    its 落款 dated :func:`drafting_day` on the site's clock ``zone`` (the setting ``timezone``), the .md's 字数 the
    draft's (:attr:`.drafts.Draft.chars`). Raises InvalidInput (``bad_format``) for another ``fmt``."""
    document = draft_document(draft, sources=sources, signed=drafting_day(draft, zone))
    return export_document(document, fmt, chars=draft.chars)
