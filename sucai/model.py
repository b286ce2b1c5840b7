"""Plain data shapes shared by every stage of the pipeline. No I/O here.

All offsets are in characters (Python ``str`` indices, i.e. Unicode code points),
never in bytes, and are half-open ``[start, end)``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from functools import cached_property

import regex

from .counting import count_chars

_WORDLIKE_END = re.compile("[\u4e00-\u9fff0-9０-９\u2160-\u217f]")
# a short heading spaced out character by character (总　则, 附　　则, 监 督 管 理): 2 to 8 Han characters
_SPACED_OUT = regex.compile(r"\p{Han}(?:\s+\p{Han}){1,7}")


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
    An article (第一条, 第十七条之一) has no heading of its own: its ``heading`` is
    "" and the entry is named by its label alone; ``summary`` holds its opening
    words ("为了惩罚犯罪", up to the first clause mark), to be shown apart from the
    label. ``summary`` is "" for every other entry (and in outlines stored before
    it existed).
    """

    level: int
    label: str
    heading: str
    start: int
    end: int
    kind: str = "heading"
    children: list[OutlineNode] = field(default_factory=list)
    summary: str = ""

    @property
    def title(self) -> str:
        """Label and heading as one heading line: "一、总体要求", "（一）指导思想", "第一章 总则", "第一条".

        A space separates a label that ends in a word or digit (第一章, 1.1, Ⅳ) from its heading; a short
        heading spaced out character by character loses its spaces ("第一章　总　则" → "第一章 总则"). For display
        (the CLI's and the web's 提纲): ``heading`` keeps the text as written.
        """
        heading = "".join(self.heading.split()) if _SPACED_OUT.fullmatch(self.heading) else self.heading
        gap = " " if self.label and heading and _WORDLIKE_END.match(self.label[-1]) else ""
        return f"{self.label}{gap}{heading}"

    def walk(self):
        """Yield this node and all its descendants, depth first, in text order."""
        yield self
        for child in self.children:
            yield from child.walk()

    def to_dict(self) -> dict:
        """Plain dict of this node and its descendants (JSON-ready)."""
        return {
            "level": self.level, "label": self.label, "heading": self.heading, "start": self.start,
            "end": self.end, "kind": self.kind, "summary": self.summary,
            "children": [child.to_dict() for child in self.children],
        }

    @classmethod
    def from_dict(cls, data: dict) -> OutlineNode:
        """The node :meth:`to_dict` wrote; dicts stored before ``summary`` existed read with ``summary=""``."""
        children = [cls.from_dict(c) for c in data.get("children", [])]
        return cls(**{**data, "children": children})


# The 公文 elements of GB/T 9704-2012 §7 that stay in the text but are not body
# paragraphs: 发文机关标志 (§7.2.4, §10.2), 发文字号 (§7.2.5; a 令's 令号, §10.2),
# 签发人 (§7.2.6), 主送机关 (§7.3.2, or "主送：" in the 版记, §7.4.2), 附件说明
# (§7.3.4), 发文机关署名 (§7.3.5), 成文日期 (§7.3.5), 附注 (§7.3.6), 附件 (§7.3.7),
# 抄送机关 (§7.4.2), 印发机关和印发日期 (§7.4.3). 标题 is ``Document.title`` and
# 正文 is everything else.
ELEMENT_KINDS = ("issuer_mark", "doc_number", "signer", "addressee", "attachment_note",
                 "issuer_signature", "date", "note", "attachment", "cc", "printer")


@dataclass
class Element:
    """One 公文 element of GB/T 9704-2012 §7 found in ``Document.text``.

    ``kind`` is one of :data:`ELEMENT_KINDS`; ``text`` is the element as written,
    ``== text[start:end]`` of the document, with ``start``/``end`` half-open
    offsets in characters. An element never spans a line break: an element
    written on several lines (a long 附件说明, joint 署名) is one element per
    line, and one line may hold two (上行文: 发文字号 left, 签发人 right).
    """

    kind: str
    text: str
    start: int
    end: int

    def to_dict(self) -> dict:
        return {"kind": self.kind, "text": self.text, "start": self.start, "end": self.end}


def walk_outline(roots: list[OutlineNode]):
    """Yield every node of an outline forest in text order."""
    for root in roots:
        yield from root.walk()


METADATA_FIELDS = ("title", "genre", "doc_number", "date", "source")
"""The derived fields that carry :class:`Evidence`: 标题, 文种, 发文字号, 成文日期, 来源/发文机关."""

OTHER = "其他"
"""The 文种 of a document that no rule of :mod:`sucai.metadata.genres` classifies."""

UNSTATED_SOURCE = "未注明"
"""The 来源 counted (statistics) and faceted (search) for a document that names none."""

EVIDENCE_ORIGINS = ("text", "title", "paid_title", "file_name", "folder", "meta", "option", "editor", "default")
"""Where a derived value was found:

- ``"text"``: in ``Document.text`` at ``[start, end)``; an empty span marks a line
  that cleaning removed there (a "来源：" line);
- ``"title"``: in the title line(s) above the text, which every viewer sees;
- ``"paid_title"``: in the title line(s) above the text, inside the members-only
  part (the member tag stood at or before the title);
- ``"file_name"`` / ``"folder"``: the name of the file, or of a folder it came from;
- ``"meta"``: metadata the file declares outside its text (HTML ``<meta>``, docx core
  properties: :attr:`sucai.readers.RawDocument.meta`);
- ``"option"``: given by the operator for a batch (``sucai ingest --source``);
- ``"editor"``: set by an admin;
- ``"default"``: a placeholder where nothing names the field ("无标题").
"""


@dataclass(frozen=True)
class Evidence:
    """One candidate value of a derived field and where it was found (see :data:`EVIDENCE_ORIGINS`).

    ``field`` is one of :data:`METADATA_FIELDS`; ``value`` is the value as stored
    (``date`` as ISO ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``); ``rule`` says in
    words how it was found ("落款", "标题", "文号前缀"…). ``start``/``end`` are
    character offsets of ``Document.text`` (half-open) for origin ``"text"``,
    else ``None``. A viewer without the member tier is given, per field, the
    first candidate whose evidence lies outside the members-only part
    (:func:`sucai.access.free_view`).
    """

    field: str
    value: str
    origin: str
    start: int | None = None
    end: int | None = None
    rule: str = ""

    def to_dict(self) -> dict:
        return {"field": self.field, "value": self.value, "origin": self.origin, "start": self.start,
                "end": self.end, "rule": self.rule}

    @classmethod
    def from_dict(cls, data: dict) -> Evidence:
        """The evidence :meth:`to_dict` gave (a missing ``start``, ``end`` or ``rule`` is the default).

        Its fields are put in the instance's ``__dict__`` instead of going through the frozen ``__init__``
        (one ``object.__setattr__`` per field, four times dearer): a search's page of hits reads about a
        hundred of them."""
        evidence = object.__new__(cls)
        vars(evidence).update(data)
        return evidence


def found_by(evidence: Sequence[Evidence]) -> dict[str, str]:
    """How each field's value was found, in words ("落款", "文号"…): the rule of its first candidate."""
    out: dict[str, str] = {}
    for e in evidence:
        out.setdefault(e.field, e.rule)
    return out


READING_VERSION = 1
"""The version of the reading — cleaning, metadata, outline: :func:`sucai.outline.analyse` — that makes a stored
document's text, its members span within it and its derived fields; the catalogue keeps it with each document
(``documents.reading_version``, NULL for one stored before it was kept: c0011) and counts those read by an older one
(:meth:`Catalogue.older_readings <sucai.store.Catalogue.older_readings>`), which only ``sucai ingest --reread`` of
their files makes again. Raise it with a change of the reading that makes what a document stored before holds wrong
to serve — above all where the free view starts, which its stored text fixes and nothing redoes without the file,
unlike the free metadata (:data:`sucai.access.FREE_METADATA_VERSION`). 1: where the title ends and the body starts
never depends on members text (sec30); a web page that tags a members part gives no free title, 来源 or date from
its members part (its ``<h1>``, a 信息公开 table: attack30)."""


def members_span(paid_from: int | None, paid_until: int | None, chars: int) -> tuple[int, int] | None:
    """The members-only part of a text of ``chars`` characters whose member boundary is ``paid_from``–``paid_until``
    (None: to the end), as ``(start, end)`` offsets (characters, half-open); None when there is no members text (no
    boundary, or an empty span)."""
    if paid_from is None:
        return None
    end = chars if paid_until is None else paid_until
    return (paid_from, end) if paid_from < end else None


@dataclass
class Document:
    """A clean, structured document as kept in the catalogue.

    ``text`` is the clean body (the title line is not part of it). ``chars`` is
    ``len(text)`` (the unit of every offset); ``counted_chars`` its 字数, what users are shown.
    The members-only part (会员内容) is ``text[paid_from:paid_until]``:
    ``paid_from`` is the offset where it starts (``None`` when the document has
    none), ``paid_until`` where free text starts again after it (``None``: the
    members part runs to the end; always ``None`` when ``paid_from`` is). See
    :attr:`members_span`. ``declared_chars`` is the
    length the source claimed in a "（5350字）" suffix. ``date`` is ISO
    ``YYYY-MM-DD`` (or ``YYYY-MM`` / ``YYYY`` when the text says no more).
    ``elements`` are the 公文 elements (:class:`Element`) found in ``text``, in
    text order; they stay part of ``text``.
    ``ocr_confidence`` is set when the text was recognised by OCR (a scan or an
    image): Tesseract's mean word confidence, 0–100; None otherwise.
    ``evidence`` lists the candidates of the derived fields (title, genre,
    doc_number, date, source), best first per field; the first of a field is its
    value here (see :class:`Evidence`).
    ``free_metadata`` is what the catalogue keeps of these fields as a viewer without the member tier sees
    them (:func:`sucai.access.keeping`), set on a document it reads (None otherwise: not an argument, not
    compared, not copied by ``dataclasses.replace``, not in :meth:`to_dict`).
    """

    title: str
    text: str
    genre: str = "其他"
    declared_chars: int | None = None
    paid_from: int | None = None
    paid_until: int | None = None
    doc_number: str | None = None
    date: str | None = None
    source: str | None = None
    outline: list[OutlineNode] = field(default_factory=list)
    elements: list[Element] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    id: int | None = None
    source_path: str | None = None
    format: str | None = None
    encoding: str | None = None
    ingested_at: str | None = None
    hidden: bool = False
    ocr_confidence: float | None = None
    free_metadata: dict | None = field(default=None, init=False, compare=False, repr=False)

    @property
    def chars(self) -> int:
        return len(self.text)

    @cached_property
    def counted_chars(self) -> int:
        """The 字数 of ``text``: its characters without white space, control or invisible ones
        (:func:`sucai.counting.count_chars`). A document the catalogue reads carries the count it stored of the whole
        text (:meth:`sucai.store.Catalogue.documents` may read a members part as spaces); a copy made with
        ``dataclasses.replace`` (a free view) counts its own text."""
        return count_chars(self.text)

    @property
    def members_span(self) -> tuple[int, int] | None:
        """The members-only part as ``(start, end)`` offsets of ``text`` (half-open), or None
        when there is no members text (no boundary, or an empty span)."""
        return members_span(self.paid_from, self.paid_until, self.chars)

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date else None

    def outline_entries(self) -> list[dict]:
        """The outline as plain dicts, :meth:`OutlineNode.to_dict`'s form (a document the catalogue reads gives the
        stored JSON parsed, without making its nodes)."""
        return [node.to_dict() for node in self.outline]

    def __eq__(self, other: object) -> bool:
        """Equal to a document — of a subclass too (a free view, one the catalogue read) — with the same fields."""
        if not isinstance(other, Document):
            return NotImplemented
        return all(getattr(self, f.name) == getattr(other, f.name) for f in fields(Document) if f.compare)

    def to_dict(self) -> dict:
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.init}
        data["outline"] = [node.to_dict() for node in self.outline]
        data["elements"] = [element.to_dict() for element in self.elements]
        data["removed"] = [{"rule": r.rule, "text": r.text} for r in self.removed]
        data["evidence"] = [e.to_dict() for e in self.evidence]
        data["chars"] = self.chars
        return data
