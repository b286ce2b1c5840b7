"""The paragraphs of a document as every export format lays them out.

A document's text is split into its non-empty lines; each line is one paragraph.
A line that starts where an outline heading starts (GB/T 9704-2012 §7.3.3
structure numbers 一、/（一）/1./（1）, or 第一章…) is a heading paragraph: either a
heading on its own line, or a run-in heading ("（一）理论学习方面。主要存在…") whose
label and heading sentence are styled as the heading and the rest as body text.
Inline enumerations (``kind == "item"``, 一是…二是…) stay plain text. A line that
holds 公文 elements (``Document.elements``: 发文字号, 主送机关, 署名, 成文日期…) carries
them as ``parts``, for the renderer to place as GB/T 9704-2012 §7 says.

A download for a viewer without the member tier holds the free view of the
document (:func:`sucai.access.free_view`) and a notice, which
:func:`with_notice` places where the members part was left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Document, Element, OutlineNode, walk_outline

# Punctuation that closes a run-in heading sentence and is styled with it.
_HEADING_CLOSERS = "。：:"
_LINE = re.compile(r"[^\n]+")
# 印发机关 and 印发日期 written on one line (§7.4.3): the organ left, the date right.
_PRINTER_SPLIT = re.compile(r"(.+?)[ \t\u3000]+(\S+印发)")
_ATTACHMENT_LABEL = re.compile(r"附(?:件|[：:])")


@dataclass(frozen=True)
class Block:
    """One paragraph: ``text`` without surrounding whitespace.

    ``level`` is 0 for body text, else the outline level of the heading the
    paragraph starts with. ``lead`` is how many leading characters of ``text``
    (label + heading sentence) take the heading style; ``lead == len(text)`` for a
    heading on its own line, 0 for body text. ``label`` is the heading's
    numbering as written ("一、", "（一）", "第一条", "" when unnumbered);
    ``start`` is the offset in the document text (characters) where ``text``
    starts. ``parts`` are the ``(kind, text)`` pieces of a line made of 公文
    elements (kinds of :data:`sucai.model.ELEMENT_KINDS`), in order: one per
    element that starts on the line, two for a 上行文's 发文字号 and 签发人, and
    the 印发机关 and the 印发日期 of one ``printer`` line as two; empty for a body
    line. ``label``, ``start`` and ``parts`` are not compared, so
    ``Block(text, level, lead)`` stays the identity of a block.
    """

    text: str
    level: int = 0
    lead: int = 0
    label: str = field(default="", compare=False)
    start: int = field(default=0, compare=False)
    parts: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    @property
    def standalone(self) -> bool:
        """True for a heading that is the whole paragraph."""
        return self.level > 0 and self.lead >= len(self.text)


def blocks(doc: Document) -> list[Block]:
    """Split ``doc.text`` into paragraphs (non-empty lines, in order) marked by outline level.

    Never raises. An outline node whose label does not start a line, or that has
    neither label nor heading text, leaves its line as body text.
    """
    heads = {node.start: node for node in walk_outline(doc.outline) if node.kind == "heading"}
    elements = sorted(doc.elements, key=lambda e: e.start)
    out, taken = [], 0
    for match in _LINE.finditer(doc.text):
        line = match.group()
        text = line.strip()
        if not text:
            continue
        start = match.start() + len(line) - len(line.lstrip())
        on_line = []
        while taken < len(elements) and elements[taken].start < match.end():
            if elements[taken].start >= match.start():
                on_line.append(elements[taken])
            taken += 1
        parts = tuple(part for element in on_line for part in _parts(element))
        node = heads.get(start)
        lead = _lead(node, text) if node is not None and text.startswith(node.label) else 0
        out.append(Block(text, node.level, lead, node.label, start, parts) if lead else Block(text, start=start, parts=parts))
    return out


def in_record(parts: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> bool:
    """Whether a line made of these element ``parts`` belongs to the 版记 (§7.4): 抄送机关, 印发机关和印发日期,
    or a 主送机关 moved there ("主送：…")."""
    if not parts:
        return False
    kind, text = parts[0]
    return kind in ("cc", "printer") or (kind == "addressee" and text.startswith("主送"))


def attachment_label(text: str) -> bool:
    """Whether an 附件 line is its label ("附件2", "附件：…", set 顶格) rather than its title (centred), §7.3.7."""
    return bool(_ATTACHMENT_LABEL.match(text))


def _parts(element: Element) -> list[tuple[str, str]]:
    split = _PRINTER_SPLIT.fullmatch(element.text) if element.kind == "printer" else None
    return [(element.kind, piece) for piece in split.groups()] if split else [(element.kind, element.text)]


def with_notice(doc: Document, notice: str | None) -> list[Block]:
    """:func:`blocks` of ``doc`` with ``notice`` as a body paragraph where the members part was left out.

    That is before the first paragraph that starts at or after ``doc.paid_from``
    (in a free view, where the members part was; see :func:`sucai.access.free_view`),
    or at the end when ``doc.paid_from`` is None. Without a notice, just the blocks.
    """
    out = blocks(doc)
    if notice:
        at = len(out) if doc.paid_from is None else sum(block.start < doc.paid_from for block in out)
        out.insert(at, Block(notice))
    return out


def _lead(node: OutlineNode, line: str) -> int:
    """Length of the heading part of ``line``: the label, the heading sentence, and its closing stop."""
    end = len(node.label)
    rest = line[end:]
    gap = len(rest) - len(rest.lstrip())
    if node.heading and rest[gap:].startswith(node.heading):
        end += gap + len(node.heading)
        if end < len(line) and line[end] in _HEADING_CLOSERS:
            end += 1
    return end
