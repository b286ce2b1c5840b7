"""A draft (草稿): headings and paragraphs, each paragraph with the source it was taken from.

:class:`DraftBody` checks what a writer sends (JSON: title, 文种, topic, unit,
year, target length, sections: shapes and sizes), and :func:`build_draft` turns it into
a :class:`Draft`, every paragraph's cited source looked up again *for that writer*
(:func:`sucai.access.view`), so that a draft records whether the paragraph is
still the source's text (``edited``), how much of it is (``copy_ratio``), and
whether it came from a members-only part (``members``). :func:`shown` gives a
viewer what they may see of a stored draft: paragraphs from members-only parts
are withheld from a viewer without the member tier, and source titles are the
ones that viewer may see now.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Annotated, Any

import regex
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, model_validator

from .. import access
from ..check import CLOSING_PLACE, copy_ratio, copy_state, place, section_paths
from ..clean import xml_safe
from ..counting import count_chars
from ..errors import InvalidInput
from ..library import Library
from ..metadata.genres import written_genre
from ..model import Document
from .placeholders import PLACEHOLDER, only_marked, only_placeholders

MAX_TITLE = 200
MAX_SECTIONS = 200
MAX_PARAGRAPHS = 500
MAX_CHARS = 100_000      # all paragraph text of a draft
MAX_COMPARED = 1_000_000  # all source text that edited paragraphs of a draft cite (each compared when saved)
MAX_LEVEL = 3
MAX_PATH = 10            # headings of a source's section path
MAX_ID = 2**62           # a document number or offset past any the catalogue holds (an int64 of the databases)
MAX_BODY = 2**20         # bytes of a save's JSON body (a draft of MAX_CHARS characters is about 0.3 MB of UTF-8 JSON)
WITHHELD = "（此段取自会员内容，会员可见）"


@dataclass
class Source:
    """Where a paragraph was taken from: ``text[start:end]`` of document ``doc_id`` as the writer saw it
    (characters), its ``title`` and ``section_path``."""

    doc_id: int
    start: int
    end: int
    title: str = ""
    section_path: list[str] = field(default_factory=list)

    @property
    def place(self) -> str:
        """Where in its document it stands (:func:`place`)."""
        return place(self.section_path)


@dataclass
class Paragraph:
    """One paragraph: its ``text`` (as the writer left it) and ``source`` (None: the writer's own).

    Derived when saved: ``edited`` (the text is no longer the source's), ``marked`` (edited only by its 【待补】:
    :func:`~.placeholders.only_marked`), ``copy_ratio`` (0–1: the text's 文字复制比 against the source span, as 查重
    counts it — :func:`sucai.check.copy_ratio` with 重合片段 of at least the setting ``check_min_match_chars``, its 【待补】
    counted on neither side; 1.0 for a text unchanged or only marked: all its words are the source's), ``members`` (taken
    from a members-only part).
    ``withheld``: set by :func:`shown` when the viewer may not see it.
    """

    text: str
    source: Source | None = None
    edited: bool = True
    copy_ratio: float = 0.0
    members: bool = False
    withheld: bool = False
    marked: bool = False

    @property
    def state(self) -> str:
        """What it is of its source, in a writer's words (:func:`sucai.check.copy_state`: 原文照录, or how much of it
        is still the source's)."""
        return copy_state(self.edited, self.copy_ratio, self.marked)


@dataclass
class Section:
    """A heading (without its label: labels follow the order) at ``level`` 1–3, and its paragraphs."""

    heading: str
    level: int = 1
    paragraphs: list[Paragraph] = field(default_factory=list)


@dataclass
class Draft:
    """A draft as stored. ``genre``: the 文种 by its name (a shorthand the writer typed, 「对照检查」, read as
    :func:`sucai.metadata.genres.written_genre` reads it); ``unit``, ``year``, ``target_chars``: what the writer said
    at the start."""

    title: str
    genre: str
    topic: str
    sections: list[Section]
    unit: str = ""
    year: int | None = None
    target_chars: int | None = None
    id: int | None = None
    created_at: str | None = None
    updated_at: str | None = None

    @property
    def chars(self) -> int:
        """The draft's 字数 (one definition for the 写作台, ``sucai draft`` and the downloads): the characters
        of its headings with their numbers (一、, （一）, 1.: :func:`numbered`) and of its paragraphs as a 字数
        counts them (:func:`sucai.counting.count_chars`: no white space, control or invisible character, the rule of
        the 写作台's counter too) — its text as it downloads without the title and the list of sources, which is
        the text its 查重 counts (``CheckReport.chars``)."""
        return count_chars("".join(number + section.heading + "".join(p.text for p in section.paragraphs)
                                   for section, _, number in numbered(self)))

    @property
    def copied_share(self) -> float:
        """The share (0 … 1) of :attr:`chars` that is library text: each cited paragraph's 字数 but its 【待补】 times
        its ``copy_ratio``; 0 for an empty draft."""
        copied = sum(count_chars(p.text.replace(PLACEHOLDER, "")) * p.copy_ratio
                     for s in self.sections for p in s.paragraphs if p.source)
        return copied / self.chars if self.chars else 0.0

    def to_dict(self) -> dict:
        """The draft's JSON: its fields and ``chars``, each cited paragraph with its ``state`` (:attr:`Paragraph.state`)
        and its source with its ``place`` in its document (:func:`place`)."""
        data = {**asdict(self), "chars": self.chars}
        for section, shaped in zip(self.sections, data["sections"]):
            for paragraph, out in zip(section.paragraphs, shaped["paragraphs"]):
                if paragraph.source is not None:
                    out["state"] = paragraph.state
                    out["source"]["place"] = paragraph.source.place
        return data

    def body(self) -> dict:
        """What is stored besides the title, 文种 and topic columns (JSON)."""
        data = asdict(self)
        return {k: data[k] for k in ("sections", "unit", "year", "target_chars")}


_CN = "零一二三四五六七八九"


def chinese_ordinal(number: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (1–99; larger numbers in Arabic digits)."""
    if not 1 <= number <= 99:
        return str(number)
    tens, ones = divmod(number, 10)
    return (("" if tens == 1 else _CN[tens]) + "十" if tens else "") + (_CN[ones] if ones else "")


def label(level: int, number: int) -> str:
    """The GB/T 9704 structure number of the ``number``-th heading of ``level``: 一、 / （一） / 1."""
    if level == 1:
        return f"{chinese_ordinal(number)}、"
    if level == 2:
        return f"（{chinese_ordinal(number)}）"
    return f"{number}."


def numbered(draft: Draft) -> list[tuple[Section, int, str]]:
    """Each section with the level it takes (never deeper than one below the heading before it) and its label; a
    section without a heading — the opening (开头段) before the first — has no label and is counted by none, at the
    level of the heading above it (1 before any)."""
    out = []
    counters = [0] * 5
    depth = 0
    for section in draft.sections:
        if not section.heading.strip():
            out.append((section, max(depth, 1), ""))
            continue
        level = max(1, min(section.level, depth + 1))
        counters[level] += 1
        counters[level + 1:] = [0] * (len(counters) - level - 1)
        out.append((section, level, label(level, counters[level])))
        depth = level
    return out


def closing_section(draft: Draft) -> Section | None:
    """The draft's closing (结尾段): its last section when it has no heading and is not its first (the opening) —
    what the 写作台 puts after the last heading's text, the downloads before the 落款; None when there is none."""
    sections = draft.sections
    return sections[-1] if len(sections) > 1 and not sections[-1].heading.strip() else None


def build_draft(library: Library, body: DraftBody, *, member: bool) -> Draft:
    """The :class:`Draft` of a writer's validated ``body`` (see the module docstring).

    ``member``: whether the writer has the member tier (their sources are looked up
    in their view). A source that is missing, hidden or out of range is dropped
    (the paragraph counts as the writer's own). Work is linear in the draft and
    the cited source text (at most :data:`MAX_COMPARED` characters for edited
    paragraphs). Raises InvalidInput (code ``bad_draft``) past :data:`MAX_COMPARED`.
    """
    sections = [Section(s.heading.strip(), s.level,
                        [Paragraph(p.text, p.source and Source(p.source.doc_id, p.source.start, p.source.end,
                                                               section_path=list(p.source.section_path)))
                         for p in s.paragraphs])
                for s in body.sections]
    _check_sources(library, [p for s in sections for p in s.paragraphs], member)
    return Draft(title=body.title.strip() or "未命名草稿", genre=written_genre(body.genre), topic=body.topic.strip(),
                 sections=sections, unit=body.unit.strip(), year=body.year, target_chars=body.target_chars)


def from_row(row: tuple) -> Draft:
    """A stored draft from its row ``(id, title, genre, topic, body, created_at, updated_at)``."""
    doc_id, title, genre, topic, body, created, updated = row
    sections = [Section(s["heading"], s["level"], [_stored_paragraph(p) for p in s["paragraphs"]])
                for s in body["sections"]]
    return Draft(title, genre, topic, sections, body.get("unit", ""), body.get("year"), body.get("target_chars"),
                 doc_id, created, updated)


def shown(library: Library, draft: Draft, *, member: bool) -> Draft:
    """``draft`` as a viewer with (``member``) or without the member tier may see it now: paragraphs taken
    from members-only parts withheld for a non-member — :data:`WITHHELD` and nothing else of them: no source, and
    ``edited``, ``marked`` and ``copy_ratio`` as of a paragraph of the writer's own (how close the writer's text is to
    members text is a fact of that text);
    source titles and places as the viewer may see them (:func:`_seen_path`), sources of documents since hidden or
    removed dropped."""
    ids = sorted({p.source.doc_id for s in draft.sections for p in s.paragraphs if p.source})
    views = {d.id: (d, access.viewed(d, member)) for d in library.catalogue.documents(ids) if not d.hidden}
    paths: dict[int, Callable[[int], list[str]]] = {}   # a free view's section_paths, made at its first paragraph
    sections = []
    for section in draft.sections:
        paragraphs = []
        for paragraph in section.paragraphs:
            if paragraph.members and not member:
                paragraphs.append(Paragraph(WITHHELD, members=True, withheld=True))
                continue
            source = paragraph.source
            if source is not None:
                doc, view = views.get(source.doc_id, (None, None))
                source = None if view is None else replace(
                    source, title=view.title, section_path=_seen_path(source, doc, view, paths))
            paragraphs.append(replace(paragraph, source=source))
        sections.append(replace(section, paragraphs=paragraphs))
    return replace(draft, sections=sections)


def _seen_path(source: Source, doc: Document, view: Document, paths: dict[int, Callable[[int], list[str]]]
               ) -> list[str]:
    """The headings above ``source``'s paragraph of ``doc`` as the viewer's ``view`` of it shows them: its saved path
    in the whole document; in a free view those its outline puts above the paragraph, as 查重 places a 重合片段 in it
    (:func:`section_paths`, made once per document in ``paths``). Free text after a members part stands under a
    heading of that part in the whole text: a member's place of it, saved, named the heading to the writer once the
    membership lapsed (attack24); only the headings the free text held left none above it there, 开头. A closing's
    path, :data:`~sucai.check.CLOSING_PLACE` (结尾), is the same in every view."""
    if view is doc or source.section_path == [CLOSING_PLACE]:   # a closing is at 结尾 in any view of it
        return source.section_path
    if doc.id not in paths:
        paths[doc.id] = section_paths(view)
    return paths[doc.id](access.free_offset(doc, source.start))


# -- what a writer sends: the one model that validates a save ---------------------------------


# Unicode's Default_Ignorable_Code_Point characters (the invisible ones of counting.UNCOUNTED: a pasted BOM, U+200B,
# joiners, soft hyphen, bidi marks…) but a joiner between two emoji (👨‍👩‍👧) and the variation selectors, which
# pick the glyph of the character before them (an emoji's, an ideograph's: 葛 U+E0100)
INVISIBLE = regex.compile(r"(?V1)[\p{Default_Ignorable_Code_Point}--[\u200d\ufe00-\ufe0f\U000e0100-\U000e01ef]]"
                          r"|(?<!\p{Extended_Pictographic}\ufe0f?)\u200d|\u200d(?!\p{Extended_Pictographic})")


def _safe(value: Any) -> Any:
    """A text of a draft as it is saved, before pydantic reads it (which refuses a lone surrogate): without the
    :data:`INVISIBLE` characters, then as :func:`sucai.clean.xml_safe` makes it (the same length). Linear."""
    return xml_safe(INVISIBLE.sub("", value)) if isinstance(value, str) else value


Safe = Annotated[str, BeforeValidator(_safe)]   # JSON may spell a lone surrogate (no database takes it) or a control character (no .docx)


def _one_line(value: str) -> str:
    """``value`` with each line break as a space (the same length)."""
    return value.translate(_LINE_BREAKS)


_LINE_BREAKS = {ord(c): " " for c in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"}
Line = Annotated[Safe, AfterValidator(_one_line)]   # a title, 文种, topic, unit or heading: one line (a unit's line
# break made a 落款 of three lines, one of them a fake 附：素材来源 — review 17)


class DraftSource(BaseModel):
    doc_id: StrictInt = Field(ge=1, le=MAX_ID, description="来源文档编号")
    start: StrictInt = Field(ge=0, le=MAX_ID, description="段落在该文档正文中的起点（字符）")
    end: StrictInt = Field(ge=0, le=MAX_ID, description="终点（字符，不含）")
    # each heading Safe, its limit checked on the text itself (a limit after the validator would be a generic too_long)
    section_path: list[Annotated[str, Field(max_length=MAX_TITLE), BeforeValidator(_safe)]] = Field(
        [], max_length=MAX_PATH, description="所在章节标题（依次）")


class DraftParagraph(BaseModel):
    """A paragraph: an object, or its text alone (the writer's own: no source)."""

    model_config = ConfigDict(json_schema_extra={"description": "段落：带来源的对象"})
    text: Safe = Field(max_length=MAX_CHARS, description="段落文字")
    source: DraftSource | None = Field(None, description="取自库内哪篇材料的哪一段（null：自己写的）")

    @model_validator(mode="before")
    @classmethod
    def _text_alone(cls, data: Any) -> Any:
        return {"text": data} if isinstance(data, str) else data

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema, handler) -> dict:
        return {"anyOf": [{"type": "string", "maxLength": MAX_CHARS, "description": "段落文字（自己写的）"},
                          handler(core_schema)]}


class DraftSection(BaseModel):
    heading: Line = Field("", max_length=MAX_TITLE, description="标题（不含序号，序号按层级自动编排）")
    level: StrictInt = Field(1, ge=1, le=MAX_LEVEL, description="层级：1 = 一、，2 = （一），3 = 1.")
    paragraphs: list[DraftParagraph] = Field([], max_length=MAX_PARAGRAPHS, description="段落：文字，或带来源的对象")


class DraftBody(BaseModel):
    """A draft as the 写作台 sends it (``POST``/``PUT /api/drafts``): the one model that checks a save's body, its
    JSON schema the API's documentation; :func:`build_draft` reads it. Text fields lose their invisible characters
    (:data:`INVISIBLE`) and are made XML-safe (:func:`sucai.clean.xml_safe`, the same length); numbers are JSON integers (not ``true`` nor ``"2024"``). Raises pydantic's ValidationError (the web app's 422
    ``invalid_input``, in Chinese) on a body that is not this shape, or longer than :data:`MAX_PARAGRAPHS`
    paragraphs or :data:`MAX_CHARS` characters of paragraph text in all."""

    model_config = ConfigDict(json_schema_extra={"description": "草稿（保存时逐项核对，不合要求为 422 invalid_input）"})
    title: Line = Field("", max_length=MAX_TITLE, description="草稿标题（空为“未命名草稿”）")
    genre: Line = Field("", max_length=100, description="文种")
    topic: Line = Field("", max_length=500, description="主题")
    unit: Line = Field("", max_length=200, description="本单位")
    year: StrictInt | None = Field(None, ge=1, le=9999, description="年份")
    target_chars: StrictInt | None = Field(None, ge=1, le=1_000_000, description="字数要求")
    sections: list[DraftSection] = Field([], max_length=MAX_SECTIONS,
                                         description=f"各级标题及其段落（合计最多 {MAX_PARAGRAPHS} 段、{MAX_CHARS:,} 字）")

    @model_validator(mode="after")
    def _not_too_long(self) -> DraftBody:
        paragraphs = [p for s in self.sections for p in s.paragraphs]
        if len(paragraphs) > MAX_PARAGRAPHS or sum(len(p.text) for p in paragraphs) > MAX_CHARS:
            raise ValueError(f"草稿过长：最多 {MAX_PARAGRAPHS} 段、{MAX_CHARS:,} 字")
        return self


# -- checking a draft against its sources ------------------------------------------------------


def _check_sources(library: Library, paragraphs: list[Paragraph], member: bool) -> None:
    """Look every cited source up again in the writer's view; set edited, marked, copy_ratio and members
    (:class:`Paragraph`). A paragraph of nothing but 【待补】 cites none
    (:func:`~sucai.drafting.placeholders.only_placeholders`): it copies nothing."""
    ids = sorted({p.source.doc_id for p in paragraphs if p.source})
    docs: dict[int, Document] = {d.id: d for d in library.catalogue.documents(ids) if not d.hidden}
    min_chars = library.settings.check_min_match_chars   # as 查重 counts a 重合片段
    views = {doc_id: access.viewed(doc, member) for doc_id, doc in docs.items()}
    free_texts = {doc_id: access.free_view(doc).text for doc_id, doc in docs.items()} if member else {}
    compared = 0
    for paragraph in paragraphs:
        source = paragraph.source
        view = views.get(source.doc_id) if source else None
        if view is None or not 0 <= source.start < source.end <= len(view.text) or only_placeholders(paragraph.text):
            paragraph.source, paragraph.edited, paragraph.marked, paragraph.copy_ratio = None, True, False, 0.0
            continue
        original = view.text[source.start:source.end]
        source.title = view.title
        paragraph.edited = paragraph.text != original
        paragraph.marked = only_marked(paragraph.text, original)
        if paragraph.edited and not paragraph.marked:
            compared += len(original)
            if compared > MAX_COMPARED:
                raise InvalidInput(f"改写过的段落引用的原文合计过长（最多 {MAX_COMPARED:,} 字），请缩小引用的范围",
                                   code="bad_draft")
        paragraph.copy_ratio = copied_ratio(paragraph.text, original, min_chars)
        paragraph.members = member and docs[source.doc_id].paid_from is not None and original not in free_texts[source.doc_id]


def copied_ratio(text: str, original: str, min_chars: int) -> float:
    """A cited paragraph's ``copy_ratio`` (:class:`Paragraph`): 1.0 for ``text`` that is the source's ``original`` or
    only marks it (:func:`~.placeholders.only_marked`), else its :func:`sucai.check.copy_ratio` against it with
    重合片段 of at least ``min_chars`` characters (the setting ``check_min_match_chars``, as 查重's), its 【待补】
    counted on neither side."""
    if text == original or only_marked(text, original):
        return 1.0
    return copy_ratio(text, original, min_chars, blank=PLACEHOLDER)


def _stored_paragraph(data: dict) -> Paragraph:
    source = Source(**data["source"]) if data.get("source") else None
    return Paragraph(data["text"], source, data.get("edited", True), data.get("copy_ratio", 0.0),
                     data.get("members", False), marked=data.get("marked", False))
