"""Plain data shapes shared by every stage of the pipeline. No I/O here.

All offsets are in characters (Python ``str`` indices, i.e. Unicode code points),
never in bytes, and are half-open ``[start, end)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields


@dataclass(frozen=True)
class Removal:
    """One piece of text dropped by a cleaning rule (for the operator's audit)."""

    rule: str
    text: str


@dataclass
class OutlineNode:
    """One entry of a document's 提纲 (outline).

    ``level`` is the depth in the tree, 1 for top-level headings. For documents
    written to GB/T 9704-2012 §7.3.3 this gives 一、 = 1, （一） = 2, 1. = 3,
    （1） = 4; 第一章 / 第一节 / 第一条 and markdown headings nest the same way.
    ``kind`` is ``"heading"`` for a heading line and ``"item"`` for an inline
    enumeration (一是…；二是…) inside a paragraph.
    ``label`` is the numbering exactly as written ("一、", "（一）", "1.", "第一章",
    "一是", or "" for an unnumbered markdown heading); ``heading`` is the text
    after the label up to the end of the heading sentence or line.
    ``start`` is where the label starts in the document text; ``end`` is where
    the section ends (the next heading of the same or a higher level, or the end
    of the text) — so ``text[start:end]`` is the whole section.
    """

    level: int
    label: str
    heading: str
    start: int
    end: int
    kind: str = "heading"
    children: list[OutlineNode] = field(default_factory=list)

    def walk(self):
        """Yield this node and all its descendants, depth first, in text order."""
        yield self
        for child in self.children:
            yield from child.walk()

    def to_dict(self) -> dict:
        """Plain dict of this node and its descendants (JSON-ready)."""
        return {
            "level": self.level, "label": self.label, "heading": self.heading, "start": self.start,
            "end": self.end, "kind": self.kind, "children": [child.to_dict() for child in self.children],
        }

    @classmethod
    def from_dict(cls, data: dict) -> OutlineNode:
        children = [cls.from_dict(c) for c in data.get("children", [])]
        return cls(**{**data, "children": children})


def walk_outline(roots: list[OutlineNode]):
    """Yield every node of an outline forest in text order."""
    for root in roots:
        yield from root.walk()


@dataclass
class Document:
    """A clean, structured document as kept in the catalogue.

    ``text`` is the clean body (the title line is not part of it). ``chars`` is
    ``len(text)``. ``paid_from`` is the offset in ``text`` where the members-only
    part starts, ``None`` when the document has none. ``declared_chars`` is the
    length the source claimed in a "（5350字）" suffix. ``date`` is ISO
    ``YYYY-MM-DD`` (or ``YYYY-MM`` / ``YYYY`` when the text says no more).
    """

    title: str
    text: str
    genre: str = "其他"
    declared_chars: int | None = None
    paid_from: int | None = None
    doc_number: str | None = None
    date: str | None = None
    source: str | None = None
    outline: list[OutlineNode] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    id: int | None = None
    source_path: str | None = None
    format: str | None = None
    encoding: str | None = None
    ingested_at: str | None = None
    hidden: bool = False

    @property
    def chars(self) -> int:
        return len(self.text)

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date else None

    def to_dict(self) -> dict:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["outline"] = [node.to_dict() for node in self.outline]
        data["removed"] = [{"rule": r.rule, "text": r.text} for r in self.removed]
        data["chars"] = self.chars
        return data
