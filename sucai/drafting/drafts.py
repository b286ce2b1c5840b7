"""A draft (草稿): headings and paragraphs, each paragraph with the source it was taken from.

:func:`build_draft` turns what a writer sends (JSON: title, 文种, topic, unit,
year, target length, sections) into a checked :class:`Draft`: sizes bounded, and
every paragraph's cited source looked up again *for that writer*
(:func:`sucai.access.view`), so that a draft records whether the paragraph is
still the source's text (``edited``), how much of it is (``copy_ratio``), and
whether it came from a members-only part (``members``). :func:`shown` gives a
viewer what they may see of a stored draft: paragraphs from members-only parts
are withheld from a viewer without the member tier, and source titles are the
ones that viewer may see now.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

from .. import access
from ..check import copy_ratio, count_chars
from ..clean import xml_safe
from ..errors import InvalidInput
from ..library import Library
from ..model import Document

MAX_TITLE = 200
MAX_SECTIONS = 200
MAX_PARAGRAPHS = 500
MAX_CHARS = 100_000      # all paragraph text of a draft
MAX_COMPARED = 1_000_000  # all source text that edited paragraphs of a draft cite (each compared when saved)
MAX_LEVEL = 3
MIN_COPIED_RUN = 13      # 复制比: 重合片段 shorter than this (characters) are not counted as copied
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


@dataclass
class Paragraph:
    """One paragraph: its ``text`` (as the writer left it) and ``source`` (None: the writer's own).

    Derived when saved: ``edited`` (the text is no longer the source's), ``copy_ratio``
    (0–1: the text's 文字复制比 against the source span, as 查重 counts it —
    :func:`sucai.check.copy_ratio` with 重合片段 of at least :data:`MIN_COPIED_RUN`
    characters), ``members`` (taken from a members-only part).
    ``withheld``: set by :func:`shown` when the viewer may not see it.
    """

    text: str
    source: Source | None = None
    edited: bool = True
    copy_ratio: float = 0.0
    members: bool = False
    withheld: bool = False


@dataclass
class Section:
    """A heading (without its label: labels follow the order) at ``level`` 1–3, and its paragraphs."""

    heading: str
    level: int = 1
    paragraphs: list[Paragraph] = field(default_factory=list)


@dataclass
class Draft:
    """A draft as stored. ``unit``, ``year``, ``target_chars``: what the writer said at the start."""

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
        counts them (:func:`sucai.check.count_chars`: no white space, control or invisible character, the rule of
        the 写作台's counter too) — its text as it downloads without the title and the list of sources, which is
        the text its 查重 counts (``CheckReport.chars``)."""
        return count_chars("".join(number + section.heading + "".join(p.text for p in section.paragraphs)
                                   for section, _, number in numbered(self)))

    def to_dict(self) -> dict:
        return {**asdict(self), "chars": self.chars}

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
    """Each section with the level it takes (never deeper than one below the heading before it) and its label."""
    out = []
    counters = [0] * 5
    depth = 0
    for section in draft.sections:
        level = max(1, min(section.level, depth + 1))
        counters[level] += 1
        counters[level + 1:] = [0] * (len(counters) - level - 1)
        out.append((section, level, label(level, counters[level])))
        depth = level
    return out


def build_draft(library: Library, data: dict, *, member: bool) -> Draft:
    """A checked :class:`Draft` from the writer's JSON ``data`` (see the module docstring).

    ``member``: whether the writer has the member tier (their sources are looked up
    in their view). A source that is missing, hidden or out of range is dropped
    (the paragraph counts as the writer's own). Work is linear in the draft and
    the cited source text (at most :data:`MAX_COMPARED` characters for edited
    paragraphs). Raises InvalidInput (code ``bad_draft``) with a message naming
    what is wrong.
    """
    if not isinstance(data, dict):
        raise InvalidInput("草稿应为 JSON 对象", code="bad_draft")
    title = _text(data.get("title"), "标题", MAX_TITLE).strip() or "未命名草稿"
    sections_data = data.get("sections") or []
    if not isinstance(sections_data, list) or len(sections_data) > MAX_SECTIONS:
        raise InvalidInput(f"草稿的标题（sections）应为列表，最多 {MAX_SECTIONS} 个", code="bad_draft")
    sections = [_section(item) for item in sections_data]
    paragraphs = [p for s in sections for p in s.paragraphs]
    if len(paragraphs) > MAX_PARAGRAPHS or sum(len(p.text) for p in paragraphs) > MAX_CHARS:
        raise InvalidInput(f"草稿过长：最多 {MAX_PARAGRAPHS} 段、{MAX_CHARS:,} 字", code="bad_draft")
    _check_sources(library, paragraphs, member)
    return Draft(title=title, genre=_text(data.get("genre"), "文种", 100).strip(),
                 topic=_text(data.get("topic"), "主题", 500).strip(), sections=sections,
                 unit=_text(data.get("unit"), "单位", 200).strip(), year=_number(data.get("year"), "年份", 1, 9999),
                 target_chars=_number(data.get("target_chars"), "字数要求", 1, 1_000_000))


def from_row(row: tuple) -> Draft:
    """A stored draft from its row ``(id, title, genre, topic, body, created_at, updated_at)``."""
    doc_id, title, genre, topic, body, created, updated = row
    sections = [Section(s["heading"], s["level"], [_stored_paragraph(p) for p in s["paragraphs"]])
                for s in body["sections"]]
    return Draft(title, genre, topic, sections, body.get("unit", ""), body.get("year"), body.get("target_chars"),
                 doc_id, created, updated)


def shown(library: Library, draft: Draft, *, member: bool) -> Draft:
    """``draft`` as a viewer with (``member``) or without the member tier may see it now: paragraphs taken
    from members-only parts withheld (text replaced by :data:`WITHHELD`, source dropped) for a non-member;
    source titles as the viewer may see them, sources of documents since hidden or removed dropped."""
    ids = sorted({p.source.doc_id for s in draft.sections for p in s.paragraphs if p.source})
    titles = {d.id: access.view(d, member)[0].title for d in library.catalogue.documents(ids) if not d.hidden}
    sections = []
    for section in draft.sections:
        paragraphs = []
        for paragraph in section.paragraphs:
            if paragraph.members and not member:
                paragraphs.append(replace(paragraph, text=WITHHELD, source=None, withheld=True))
                continue
            source = paragraph.source
            if source is not None:
                source = replace(source, title=titles[source.doc_id]) if source.doc_id in titles else None
            paragraphs.append(replace(paragraph, source=source))
        sections.append(replace(section, paragraphs=paragraphs))
    return replace(draft, sections=sections)


# -- checking what the writer sent -----------------------------------------------------------


def _text(value, name: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"草稿的{name}应为文字", code="bad_draft")
    if len(value) > limit:
        raise InvalidInput(f"草稿的{name}过长（最多 {limit:,} 字）", code="bad_draft")
    return xml_safe(value)  # JSON may spell a lone surrogate (no database takes it) or a control character (no .docx)


def _number(value, name: str, low: int, high: int) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"草稿的{name}应为整数", code="bad_draft") from None
    if not low <= number <= high or isinstance(value, bool):
        raise InvalidInput(f"草稿的{name}应在 {low}–{high} 之间", code="bad_draft")
    return number


def _section(item) -> Section:
    if not isinstance(item, dict):
        raise InvalidInput("草稿的每个标题应为 JSON 对象（heading, level, paragraphs）", code="bad_draft")
    paragraphs = item.get("paragraphs") or []
    if not isinstance(paragraphs, list):
        raise InvalidInput("段落（paragraphs）应为列表", code="bad_draft")
    level = _number(item.get("level", 1), "标题层级", 1, MAX_LEVEL) or 1
    return Section(_text(item.get("heading"), "标题", MAX_TITLE).strip(), level, [_paragraph(p) for p in paragraphs])


def _paragraph(item) -> Paragraph:
    if isinstance(item, str):
        return Paragraph(_text(item, "段落", MAX_CHARS))
    if not isinstance(item, dict):
        raise InvalidInput("段落应为文字或 JSON 对象（text, source）", code="bad_draft")
    text = _text(item.get("text"), "段落", MAX_CHARS)
    source = item.get("source")
    if source is None:
        return Paragraph(text)
    if not isinstance(source, dict):
        raise InvalidInput("段落来源（source）应为 JSON 对象（doc_id, start, end）", code="bad_draft")
    numbers = [_number(source.get(k), "来源位置", 0, 2**62) for k in ("doc_id", "start", "end")]
    if None in numbers:
        raise InvalidInput("段落来源应给出 doc_id、start、end", code="bad_draft")
    path = source.get("section_path") or []
    if not isinstance(path, list) or not all(isinstance(p, str) for p in path):
        raise InvalidInput("段落来源的 section_path 应为文字列表", code="bad_draft")
    return Paragraph(text, Source(*numbers, section_path=[xml_safe(p[:MAX_TITLE]) for p in path[:10]]))


def _check_sources(library: Library, paragraphs: list[Paragraph], member: bool) -> None:
    """Look every cited source up again in the writer's view; set edited, copy_ratio and members."""
    ids = sorted({p.source.doc_id for p in paragraphs if p.source})
    docs: dict[int, Document] = {d.id: d for d in library.catalogue.documents(ids) if not d.hidden}
    views = {doc_id: access.view(doc, member)[0] for doc_id, doc in docs.items()}
    free_texts = {doc_id: access.free_view(doc).text for doc_id, doc in docs.items()} if member else {}
    compared = 0
    for paragraph in paragraphs:
        source = paragraph.source
        view = views.get(source.doc_id) if source else None
        if view is None or not 0 <= source.start < source.end <= len(view.text):
            paragraph.source, paragraph.edited, paragraph.copy_ratio = None, True, 0.0
            continue
        original = view.text[source.start:source.end]
        source.title = view.title
        paragraph.edited = paragraph.text != original
        if paragraph.edited:
            compared += len(original)
            if compared > MAX_COMPARED:
                raise InvalidInput(f"改写过的段落引用的原文合计过长（最多 {MAX_COMPARED:,} 字），请缩小引用的范围",
                                   code="bad_draft")
        paragraph.copy_ratio = copy_ratio(paragraph.text, original, MIN_COPIED_RUN) if paragraph.edited else 1.0
        paragraph.members = member and docs[source.doc_id].paid_from is not None and original not in free_texts[source.doc_id]


def _stored_paragraph(data: dict) -> Paragraph:
    source = Source(**data["source"]) if data.get("source") else None
    return Paragraph(data["text"], source, data.get("edited", True), data.get("copy_ratio", 0.0),
                     data.get("members", False))
