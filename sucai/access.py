"""The member boundary: what a viewer without the member tier (会员) may see.

This module is the one place that decides how much of a document a viewer gets.
Every route and command that shows, searches or exports document text goes
through it — derived metadata included: a non-member's title, 文种, 文号, date
and 来源 are the best candidates whose :class:`~sucai.model.Evidence` lies outside
the members-only part (:func:`free_metadata`).

The members-only part of a document is one span of its text,
``text[paid_from:paid_until]`` (:attr:`sucai.model.Document.members_span`): it
runs to the end when ``paid_until`` is None, and free text may follow it
otherwise (a ``##paidend##`` tag followed by more text). The free view keeps
the text before the span and the text after it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .clean import Cleaned
from .counting import count_chars
from .elements import find_elements
from .model import METADATA_FIELDS, OTHER, Document, Element, Evidence, OutlineNode, walk_outline

if TYPE_CHECKING:  # not imported: the parse workers' fork server imports this module, and no database layer
    from .metadata import Origin
    from .store import Catalogue, Summary

MEMBER_NOTICE = "会员可见全文（剩余 {remaining} 字）"
MEMBER_NOTICE_INSIDE = "会员可见全文（此处略去会员内容 {hidden} 字）"
MEMBERS_START = "以下为会员内容"
MEMBERS_END = "以上为会员内容"


def view(doc: Document, member: bool) -> tuple[Document, str | None]:
    """What a viewer gets of ``doc``: ``(document, notice)``.

    A member (or admin) gets the whole document and no notice; anyone else gets
    :func:`free_view` and :func:`notice`.
    """
    return (doc, None) if member else (free_view(doc), notice(doc))


def viewed(doc: Document, member: bool) -> Document:
    """The document of :func:`view` without its notice, which counts the characters of the free text (~14 µs for
    a document of 7,000 characters): for what shows no notice (a search's hits, a 相似素材 query)."""
    return doc if member else free_view(doc)


def free_offset(doc: Document, offset: int) -> int:
    """Where the character at ``offset`` of ``doc``'s whole text (free text, not of its members part) stands in
    :func:`free_view`'s text: the same before the members part, moved back by what was left out after it."""
    return offset if doc.members_span is None else _Gap.of(doc).end_of(offset)


def preview_boundary(paid_from: int | None, chars: int, preview_chars: int | None) -> int | None:
    """Where a document's members part starts as it is read (characters): its own ``paid_from``, else — a
    document stored without one — the free preview setting's ``preview_chars`` when its text (``chars``
    characters) is longer; None: all free."""
    if paid_from is None and preview_chars is not None and preview_chars < chars:
        return preview_chars
    return paid_from


def free_view(doc: Document) -> Document:
    """The free view of ``doc``: its text without the members-only part, its elements and outline found in that text.

    Returns ``doc`` itself when it has no members-only text. Otherwise a copy where:

    - ``text`` is the part before the span, then the part after it
      (``doc.text[:paid_from] + doc.text[paid_until:]``), less the blank lines
      and spaces that open the span (the free text before it keeps its last
      line break: how many blank lines a tag at a line end is followed by is
      the members part's); when the span ends inside
      a line, a line break is put between the two parts, so that the text after
      the span starts a paragraph of its own (nothing is ever joined to the
      free text before it). Offsets of the free text before the span are
      unchanged; the text after it moves back by the span's length and those
      blank lines (less the line break put in, when one is).
    - ``paid_from`` is where the members part was left out (the place of the
      notice, :func:`notice`): ``len`` of the part before. ``paid_until`` equals
      ``paid_from`` when free text follows, else None. So a free view has no
      members text (:attr:`~sucai.model.Document.members_span` is None) and
      ``free_view`` of a free view is itself.
    - the 公文 elements and the outline are found again in this free text
      (:func:`sucai.elements.find_elements`, :func:`sucai.outline.parse_outline`),
      as :func:`sucai.outline.analyse` found them in the whole text: whether a
      free line is an element or a heading often depends on the lines around it
      (a 发文字号 above a 主送机关, a 成文日期 under a 署名, the next entry of a
      list), and those around it in the whole text may be members text. So they
      are functions of the free text alone, found when first read (a search
      hit reads neither). A markdown document's ``#`` heading lines are those of
      :func:`_markdown_headings`.
    - ``removed`` (the cleaning audit, which may quote members text) is empty.
    - the title, 文种, 文号, date, 来源, declared length and evidence are
      :func:`free_metadata`: described again over the free text.

    A document whose members part holds nothing of the text but its title (the
    tags around the title only) keeps its text and loses that title; one whose members part stands wholly above its
    title (a 版头 for members, closed by its end tag) keeps text and metadata, and loses the cleaning audit, where the
    lines above the title are kept.
    """
    span = doc.members_span
    if span is None:
        if _has_members_part(doc):
            return replace(doc, removed=[], **free_metadata(doc))
        return replace(doc, removed=[]) if any(r.rule == "paid_tags" for r in doc.removed) else doc
    gap = _Gap.of(doc)
    text = _free_text(doc, gap)
    described = free_metadata(doc)   # the fields it gives are not read from ``doc`` (nor its evidence parsed)
    changes = {f.name: getattr(doc, f.name) for f in fields(doc)
               if f.init and f.name not in ("outline", "elements") and f.name not in described}
    changes.update(
        text=text,
        paid_from=gap.start,
        paid_until=gap.start if gap.end < doc.chars else None,
        outline=None,
        elements=None,
        removed=[],
        **described,
    )
    view = _FreeView(**changes)
    if doc.format == "md":
        view.__dict__["_headings"] = _markdown_headings(doc, gap)
    return view


class _FreeView(Document):
    """A free view whose 公文 elements and outline (when ``None`` was given) are found in its text
    when first read: a search hit reads neither, and finding them costs ~1.5 ms per 10,000
    characters. A markdown document's heading lines (``_headings``, as :attr:`sucai.clean.Cleaned.headings`
    in the free text) are set by :func:`free_view`."""

    @property
    def elements(self) -> list[Element]:
        if self.__dict__["elements"] is None:
            self.__dict__["elements"] = find_elements(self.text)
        return self.__dict__["elements"]

    @elements.setter
    def elements(self, value: list[Element] | None) -> None:
        self.__dict__["elements"] = value

    @property
    def outline(self) -> list[OutlineNode]:
        if self.__dict__["outline"] is None:
            from .outline import parse_outline   # with the metadata rules: not for a command that only lists

            headings = self.__dict__.get("_headings")
            self.__dict__["outline"] = parse_outline(self.text, markdown=headings is not None, headings=headings,
                                                     elements=self.elements)
        return self.__dict__["outline"]

    @outline.setter
    def outline(self, value: list[OutlineNode] | None) -> None:
        self.__dict__["outline"] = value


FILE_ORIGINS = ("file_name", "folder", "meta")
"""The origins of :class:`~sucai.model.Evidence` found outside the text, in what the operator's file is: its name, its
folders (the source path, which may hold private words) and the metadata it declares (a .docx's core properties)."""


def shown_evidence(doc: Document) -> list[Evidence]:
    """The evidence of ``doc`` (as a viewer gets it, :func:`view`) that is published to a viewer who is no admin:
    every candidate but those of :data:`FILE_ORIGINS` whose value is not the field's value — the file's name, folders
    and metadata tell a viewer only how a value they are shown anyway was found, never a name the site does not
    show (``内部_张三批示`` of a document titled by its title line; attack 23). A new list, in order."""
    return [e for e in doc.evidence if e.origin not in FILE_ORIGINS or e.value == getattr(doc, e.field)]


def free_summaries(rows: list[Summary], catalogue: Catalogue) -> list[Summary]:
    """What a viewer without the member tier gets of catalogue rows: the metadata of the free view of each
    row's document (:func:`free_metadata`), for the rows with a members part (a row whose document is gone
    meanwhile: no metadata, :data:`HIDDEN_TITLE`). One row per row, in order.

    The metadata is the one kept with the document (``Summary.free_metadata``, read with the row); only a row
    without one made for its members span and the rules of :data:`FREE_METADATA_VERSION` (a library not yet
    opened since they changed) has its document read from ``catalogue`` and described (~1 ms; a document whose
    members part was taken away since the row was read gives its own metadata, all of it free now)."""
    described = {row.id: row.free_metadata for row in rows if _has_members_part(row)}
    missing = [doc_id for doc_id, found in described.items() if found is None]
    for doc in catalogue.documents(missing, outline=False) if missing else ():
        own = {name: getattr(doc, name) for name in (*METADATA_FIELDS, "declared_chars", "evidence")}
        described[doc.id] = free_metadata(doc) or own   # own: its members part was taken away meanwhile
    gone = {"title": HIDDEN_TITLE, "genre": OTHER, "doc_number": None, "date": None, "source": None,
            "declared_chars": None, "evidence": []}
    return [replace(row, **_copied(described[row.id] or gone)) if row.id in described else row for row in rows]


def _rules_digest() -> str:
    """A digest of the source of the code :func:`free_metadata` runs (this module, :mod:`sucai.metadata` and the
    modules it reads rules from — :mod:`sucai.organs`, :mod:`sucai.elements`, :mod:`sucai.analysis`,
    :mod:`sucai.numerals` —, :mod:`sucai.model`): 16 hex digits."""
    package = Path(__file__).parent
    files = [package / name for name in ("access.py", "numerals.py", "model.py", "organs.py", "elements.py",
                                         "analysis.py")] + sorted((package / "metadata").glob("*.py"))
    return hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()[:16]


FREE_METADATA_VERSION = _rules_digest()
"""The version of the rules of :func:`free_metadata` (with :func:`sucai.metadata.describe`'s): a digest of their
source, so that any change to them — a leak fix above all — has the metadata kept with every document made again
when a library is next opened (:meth:`Catalogue.describe_free <sucai.store.Catalogue.describe_free>`), without
anyone remembering to raise a number."""


def free_metadata(doc: Document) -> dict | None:
    """The derived fields a viewer without the member tier may see of ``doc`` (as the catalogue gives it: the
    free preview's boundary set), or None when it has no members part: ``title``, ``genre``, ``doc_number``,
    ``date``, ``source``, ``declared_chars`` and ``evidence`` (a new list).

    They are :func:`sucai.metadata.describe` of the free part of the text the document was made of — its
    title line when that is free (the free one after the title a 令 numbered in the members part gives members;
    or what stood above the text before the members part when the title is
    members text: a ``free_head`` removal, :func:`sucai.outline.analyse`), then the text of :func:`free_view` —
    and of what is known of its file (its path, the title, date and 来源 its metadata declared, ``--source``:
    the candidates of those origins in ``doc.evidence``); an admin's edit comes first. So they are a function
    of the free text and the file alone: what the members part holds, and whether a free line is a 落款 or a
    title by the lines around it, changes nothing. Without a title the field is :data:`HIDDEN_TITLE`; without
    a 文种 "其他". A document stored before evidence was kept (an empty list, what migration 6→7 leaves) is
    described the same way, nothing known of its file but its path: its stored title and 文种 were found over
    the whole text. The evidence returned has offsets of the free view's text (origin ``"title"`` for what
    the head holds).

    Describing takes ~1 ms, so the catalogue keeps the result with each document (column ``free_metadata``,
    made when the document is stored, edited, or the library opened after :data:`FREE_METADATA_VERSION` or the
    free preview's setting changed) and gives it as ``doc.free_metadata``, which is used when it was made for
    ``doc``'s members span and these rules (:func:`kept_metadata`)."""
    if not _has_members_part(doc):
        return None
    kept = kept_metadata(doc.free_metadata, doc.paid_from, doc.paid_until)
    return _copied(kept if kept is not None else _free_metadata(doc, _free_text(doc)))


def kept_metadata(stored: dict | None, paid_from: int | None, paid_until: int | None) -> dict | None:
    """``stored`` (what :func:`keeping` gave) when it was made under :data:`FREE_METADATA_VERSION` for a
    document read with the members span ``paid_from``–``paid_until``, else None."""
    made = stored and stored.get("made")
    return stored if made == [FREE_METADATA_VERSION, paid_from, paid_until] else None


def keeping(doc: Document) -> dict | None:
    """:func:`free_metadata` of ``doc`` as the catalogue keeps it (None without a members part): marked with
    the rules' version and the members span it was made for (``made``; :func:`kept_metadata` checks it)."""
    found = free_metadata(doc)
    return None if found is None else {**found, "made": [FREE_METADATA_VERSION, doc.paid_from, doc.paid_until]}


def _copied(found: dict) -> dict:
    """The metadata fields of ``found`` (without ``made``), with a new evidence list."""
    return {name: list(value) if name == "evidence" else value for name, value in found.items() if name != "made"}


def _free_text(doc: Document, gap: _Gap | None = None) -> str:
    """The text of :func:`free_view` (``gap``: ``doc``'s, when it has members text)."""
    if doc.members_span is None:
        return doc.text
    gap = gap or _Gap.of(doc)
    return doc.text[: gap.start] + gap.joint + doc.text[gap.end :]


def _free_metadata(doc: Document, text: str) -> dict:
    span = doc.members_span   # the title: the first free candidate (a free title line after a 令 the members part numbers)
    title = next((e for e in doc.evidence if e.field == "title" and _is_free(e, span)), None)
    above = ""
    if title is not None and title.origin == "title":
        head = title.value + (f"（{doc.declared_chars}字）" if doc.declared_chars else "")
        if span is not None:   # the members part in the text: what stood above the title is free
            above = next((f"{r.text}\n" for r in doc.removed if r.rule == "before_title"), "")
    else:
        head = next((r.text for r in doc.removed if r.rule == "free_head"), "")
    prefix = f"{above}{head}\n" if head else ""
    sources, published = _removed_line(doc, "source", "来源行", prefix), _removed_line(doc, "date", "发布时间", prefix)
    cleaned = Cleaned(prefix + text, None, [], sources[0][0] if sources else None,
                      headings=[(len(above), 1)] if head and doc.format == "md" else [], sources=sources,
                      published=published)
    from .metadata import describe   # the rules: when a row's free metadata is made, not for every list

    described = describe(cleaned, _origin(doc))
    shift = described.body_start - len(prefix)
    found = [e for e in doc.evidence if e.origin == "editor"]
    for e in described.evidence:
        if e.origin == "text" and e.start + shift < 0:
            e = replace(e, origin="title", start=None, end=None)
        elif e.origin == "text":
            e = replace(e, start=e.start + shift, end=e.end + shift)
        found.append(e)
    values = {name: next((e.value for e in found if e.field == name), None) for name in METADATA_FIELDS}
    named = next(e for e in found if e.field == "title")
    return {
        **values,
        "title": HIDDEN_TITLE if named.origin == "default" else named.value,
        "genre": values["genre"] or OTHER,
        "declared_chars": described.declared_chars,
        "evidence": found,
    }


def _origin(doc: Document) -> Origin:
    """What is known of ``doc``'s file besides its text, as :func:`sucai.metadata.describe` was given it
    (read back from the candidates it found there; a document made without a path: its file name's)."""
    def outside(rule: str, field: str = "title") -> str | None:
        return next((e.value for e in doc.evidence if e.rule == rule and e.field == field), None)

    meta = {name: value for name in ("title", "date", "source") if (value := outside("网页元数据", name))}
    stem = next((e.value for e in reversed(doc.evidence) if e.origin == "file_name" and e.field == "title"), None)
    from .metadata import Origin

    return Origin(doc.source_path or stem, outside("文件声明的标题"), meta,
                  next((e.value for e in doc.evidence if e.origin == "option"), None), doc.ocr_confidence is not None)


def _markdown_headings(doc: Document, gap: _Gap) -> list[tuple[int, int]]:
    """The markdown heading lines of ``doc``'s free text as ``(offset, depth)``: the unnumbered headings of
    its outline (what only a ``#`` line makes in markdown) that start in free text, offsets mapped. The depth
    of one before the members part is its level in the whole outline (as the ``#`` count, it places it among
    the headings before it, all free); one after it is at depth 1: its level there depends on the members
    headings before it, and the documents keep no ``#`` count to take it from (attack 13)."""
    return [(gap.end_of(node.start), node.level if node.start < gap.start else 1) for node in walk_outline(doc.outline)
            if node.kind == "heading" and not node.label and not gap.start <= node.start < gap.end]


HIDDEN_TITLE = "（标题仅会员可见）"


def _has_members_part(doc: Document | Summary) -> bool:
    return doc.members_span is not None or any(e.origin == "paid_title" for e in doc.evidence)


def _removed_line(doc: Document, name: str, rule: str, prefix: str) -> list[tuple[str, int]]:
    """The first free line of ``doc`` that cleaning removed and read field ``name`` from by ``rule`` (a source
    line, a page's info line: evidence at a point of the text), as ``(value, where in the free text with
    prefix)`` for :class:`~sucai.clean.Cleaned`; empty when there is none."""
    span = doc.members_span
    line = next((e for e in doc.evidence if e.field == name and e.rule == rule and e.origin == "text"
                 and e.start == e.end and _is_free(e, span)), None)
    if line is None:
        return []
    return [(line.value, len(prefix) + (line.start if span is None else _Gap.of(doc).end_of(line.start)))]


def _is_free(evidence: Evidence, span: tuple[int, int] | None) -> bool:
    """Whether ``evidence`` lies outside the members-only part ``span`` (see :data:`EVIDENCE_ORIGINS`):
    a span of the text before or after it (a removed line exactly at its edge counts as inside)."""
    if evidence.origin == "paid_title":
        return False
    if evidence.origin != "text" or span is None:
        return True
    start, end = span
    if evidence.end > evidence.start:
        return evidence.end <= start or evidence.start >= end
    return evidence.start < start or evidence.start > end


def notice(doc: Document) -> str | None:
    """The notice shown where the members-only part was left out, or None when there is none.

    Says the 字数 of what was left out (:func:`sucai.counting.count_chars`): "会员可见全文（剩余 N 字）" when the
    members part runs to the end, "会员可见全文（此处略去会员内容 N 字）" when free
    text follows it. ``doc`` is whole, or as the catalogue reads it for a viewer without the member tier (spaces
    for the members part, its 字数 of the whole text: :attr:`Document.counted_chars`).
    """
    span = doc.members_span
    if span is None:
        return None
    hidden = doc.counted_chars - count_chars(doc.text[:span[0]]) - count_chars(doc.text[span[1]:])
    if doc.paid_until is None:
        return MEMBER_NOTICE.format(remaining=hidden)
    return MEMBER_NOTICE_INSIDE.format(hidden=hidden)


def boundary_marks(doc: Document, notice: str | None) -> list[tuple[int, str, str]]:
    """Where a page or a terminal marks the member boundary in the text a viewer got from
    :func:`view`, as ``(offset in doc.text, kind, words)`` in text order.

    With a notice (``doc`` is a free view): ``(paid_from, "notice", notice)``,
    where the members part was left out. Without (a member's whole document):
    ``(paid_from, "start", "以下为会员内容")`` and, when free text follows the
    members part, ``(paid_until, "end", "以上为会员内容")``; nothing for a
    document without members text. Offsets may fall inside a paragraph.
    """
    if notice:
        return [(doc.chars if doc.paid_from is None else doc.paid_from, "notice", notice)]
    if doc.members_span is None:
        return []
    marks = [(doc.paid_from, "start", MEMBERS_START)]
    if doc.paid_until is not None:
        marks.append((doc.paid_until, "end", MEMBERS_END))
    return marks


@dataclass(frozen=True)
class _Gap:
    """The members span ``[start, end)`` of a full text, and the ``joint`` put in its place."""

    start: int
    end: int
    joint: str

    @classmethod
    def of(cls, doc: Document) -> _Gap:
        """The gap of ``doc``'s members span: it starts where the free text before it ends — its last
        line break kept, none of the blank lines or spaces after it (those open the members part: a tag
        ending a line may be followed by any number of them)."""
        start, end = doc.members_span
        text = doc.text
        kept = text[:start].rstrip()
        start = len(kept) + (1 if "\n" in text[len(kept) : start] else 0)
        mid_line = 0 < start and end < len(text) and text[start - 1] != "\n" and text[end] != "\n"
        return cls(start, end, "\n" if mid_line else "")

    def end_of(self, offset: int) -> int:
        """A (half-open) end offset mapped into the free text: inside the span it ends where the span was."""
        if offset <= self.start:
            return offset
        if offset < self.end:
            return self.start
        return offset - (self.end - self.start) + len(self.joint)
