"""段落 candidates for a heading: the text under matching headings of the library, with its source.

:func:`paragraph_candidates` runs a section search (:mod:`sucai.search`,
``scope="section"``, filtered by 文种) for the heading's words, keeps the sections
whose own heading reads like the asked one (:class:`sucai.headings.Similarity` at least
:data:`MIN_SIMILARITY`; the likest first, then those of the documents on the writer's topic, then by the search's
score) — a heading that names a part and nothing else
(原因剖析, 整改措施: :func:`sucai.headings.part_named`) is asked with that part's words and is like every heading naming
the part (问题产生的根源, 原因分析: :func:`sucai.headings.named_part`) — and stands in a part
of the same role as the asked one (:func:`sucai.headings.role`: no measure under a problem), and cuts each
section's body — the text after its heading line or run-in heading sentence — to at most :data:`MAX_CHARS`
characters at a paragraph or sentence end. A body ends before the source's 公文 elements
(its 落款: 署名 and 成文日期, :mod:`sucai.elements`) and before a closing formula line
(以上…请批评指正, 谢谢大家) or a speech's closing exhortation — a line that opens with 「同志们」 or 「各位代表」 and calls
on its hearers (「同志们，让我们更加紧密地团结在…周围，…！」, 「…任务艰巨、使命光荣…」, 「希望大家…」) in the document's end
part: after its last heading and within its last :data:`CLOSING_TAIL` characters (:func:`_closing`; a 「同志们」 that
opens a paragraph mid-speech stays) — and before the document's closing (:func:`_closing_span`, offered once: as
the closing); an opening formula line (下面我…, 现将…报告如下) at its start is passed
over: a source's opening and ending are no paragraphs of a draft's middle. A blank heading asks for the draft's
opening instead (开头段): the openings of the 文种's documents (:func:`_ends`); with ``closing``, its closing (结尾段):
their closings (:func:`_closing_span`: a speech's 「同志们，…让我们…」, a 心得体会's last paragraph, an 对照检查材料's
表态), cited at the place 结尾 (:data:`sucai.check.CLOSING_PLACE`). A candidate's ``text`` is exactly
``text[start:end]`` of its source document *as the viewer may see it*
(:func:`sucai.access.view`: the whole text for a member, the free view otherwise),
so a candidate never holds members-only text for a non-member, and hidden
documents are never sources. Each candidate also comes with the same text
:func:`marked <.placeholders.mark_placeholders>` for picking: another unit's
names, years, dates, people and figures as 【待补】 — the source's writer or speaker too, introduced (本人张三，现任…) or named
under its title (:func:`_known`) —, and a 全会 other than the one the writer's topic names (:func:`.placeholders.writer_session`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from .. import access
from ..analysis import normalize, word_tags
from ..check import CLOSING_PLACE, place
from ..library import Library
from ..model import Document, OutlineNode, walk_outline
from ..query import QUESTION_WORDS
from ..search import Hit, SearchRequest
from ..facts import Known, learn, line_name
from ..headings import PART_NAMES, Similarity, heading_key, named_part, part_named, role, strip_label
from ..metadata import title_note_lines
from ..metadata.genres import written_genre
from .placeholders import Marked, mark_placeholders, named_unit, named_year, writer_session

MAX_CHARS = 600         # longest candidate, in characters
MIN_CHARS = 20          # shorter bodies are no candidates, but a whole sentence of MIN_SENTENCE_CHARS or more
MIN_SENTENCE_CHARS = 10  # a plan's item: 「2.从严管理干部。落实干部日常考核，开展谈心谈话全覆盖。」
MIN_SIMILARITY = 0.4    # sections under headings less like the asked one are no candidates
SCANNED_SECTIONS = 60   # section hits looked at per heading
_LEARN_CHARS = 2000     # names are learnt from the title, the opening and the section itself
CLOSING_TAIL = 1000     # a speech's closing exhortation starts within this many characters of its end
_SENTENCE_END = re.compile(r"[。！？；]")
# the words a topic is said in, not what it is on: 学习贯彻党的二十届四中全会精神 is on 四中全会
FORMULA_WORDS = frozenset(("学习", "贯彻", "落实", "精神"))
# the parts of speech (jieba's tags, their first letter) of words that name nothing of a topic: conjunctions, adverbs,
# interjections, locatives, onomatopoeia, prepositions, quantifiers, pronouns, particles, modal particles, non-words
_FUNCTION_TAGS = ("c", "d", "e", "f", "o", "p", "q", "r", "u", "y", "x")
_HEAD_ELEMENTS = ("issuer_mark", "doc_number", "signer", "addressee")   # 公文 elements before an opening (sucai.elements)
# a line that opens or closes a whole speech or report, not a part of it
_FORMULA = re.compile(r"(?m)^[ \t\u3000]*(?:以上[^。\n]{0,40}?(?:请[^。\n]{0,12}?(?:批评指正|指正|审议|审阅|评议)|汇报完毕|发言完毕)"
                      r"|谢谢大家|我的发言完毕|我就讲这些|下面[，,]?(?:由)?我[^。\n]{0,30}?(?:讲|谈|报告|汇报|发言|作)"
                      r"|现将[^。\n]{0,40}?(?:报告|汇报)如下).*$")
# a speech's closing exhortation: 「同志们」 (a report's 「各位代表」) addressed, then a call to act together (in the
# document's end part only)
_EXHORTATION = re.compile(r"(?m)^[ \t\u3000]*(?:同志们|各位代表)[，,！!：:][^\n]*?(?:让我们|希望大家|团结奋斗|奋勇前进|奋力|使命光荣|任务艰巨"
                          r"|新征程|新篇章|新的更大|再创|开创|谱写|夺取)")
# a line that closes no body: a contact (联系人：…，电话：…) or an attribution (——2024年4月10日，在…上的发言)
_NO_CLOSING_LINE = re.compile(r"[ \t\u3000]*(?:——|(?:联系人|联系电话|联系方式|电话|传真|电子邮箱|邮箱|通讯地址|地址|邮编)[：:])")


@dataclass
class Candidate:
    """One candidate paragraph: ``text == view.text[start:end]`` of document ``doc_id`` as the viewer sees it
    (offsets in characters), the ``heading`` it was asked for, the source's ``title`` and ``section_path`` (an
    opening's: none; a closing's: ``[CLOSING_PLACE]``, 结尾), ``marked``: the text with another unit's facts as
    【待补】, and ``on_topic``: whether its document is on the writer's topic (:func:`holds_topic`: offered, but it
    fills no section of a first draft when not and another candidate is: :func:`.plan.first_draft`)."""

    heading: str
    text: str
    doc_id: int
    title: str
    section_path: list[str]
    start: int
    end: int
    marked: Marked
    on_topic: bool = True

    @property
    def place(self) -> str:
        """Where in its document it stands, as every view of the 写作台 says it (:func:`sucai.check.place`: its
        headings, 开头 or 结尾)."""
        return place(self.section_path)

    def to_dict(self, *, marked: bool = False) -> dict:
        """The JSON shape of ``sucai draft --json`` (plus ``marked`` and ``placeholders`` when asked)."""
        data = {"heading": self.heading, "text": self.text, "doc_id": self.doc_id, "title": self.title,
                "section_path": self.section_path, "place": self.place, "start": self.start, "end": self.end}
        if marked:
            data.update(marked=self.marked.text, placeholders=self.marked.to_dict()["placeholders"])
        return data


def paragraph_candidates(library: Library, heading: str, *, genre: str | None, member: bool, limit: int = 5,
                         unit: str | None = None, year: int | None = None, exclude: tuple[int, ...] = (),
                         above: Sequence[str] = (), subheadings: bool = False, topic: str = "",
                         closing: bool = False) -> list[Candidate]:
    """Up to ``limit`` candidate paragraphs for ``heading`` (see the module docstring); for a blank ``heading``, the
    draft's opening (开头段, :func:`_ends`) — with ``closing``, its closing (结尾段) —, those of documents on ``topic``
    first. Among sections under headings
    as like ``heading``, those of the documents a search for ``topic`` ranks higher (:func:`_on_topic`) come first.

    ``genre``: only documents of this 文种 (None: all; a name as a writer gives it, 研讨发言 → 讲话稿:
    :func:`sucai.metadata.genres.written_genre`). ``unit``/``year``: the
    writer's own, kept when marking, as the 全会 ``topic`` names is. ``exclude``: document ids left out.
    ``above``: the headings above ``heading`` in the writer's outline (its part's
    role is read from them). ``subheadings``: whether ``heading`` has sub-headings of
    its own: then a candidate is only a source section's lead-in before sub-headings
    of its own, never a body that says what the sub-headings will; else a source
    section with sub-headings gives its whole part, sub-headings and their text
    included, from its lead-in (cut to :data:`MAX_CHARS` as any). Never raises for
    any ``heading``; a heading with no key (a label alone, 「（一）」) has no candidates.
    """
    genre = written_genre(genre.strip()) if genre else None
    if not heading.strip():
        return _ends(library, topic, genre=genre, member=member, limit=limit, unit=unit, year=year, exclude=exclude,
                     closing=closing)
    key = heading_key(heading)
    if not key:
        return []
    named = part_named(heading)   # 原因剖析, 整改措施: a part and nothing else, as any heading naming that part does
    asked = " ".join([key, *dict(PART_NAMES)[named]]) if named else key   # …in its words: 问题产生的根源
    request = SearchRequest(q=asked, mode="ranked", scope="section", genre=genre or None, limit=SCANNED_SECTIONS,
                            facets=False)
    part = role([*above, heading])
    hits = [h for h in library.search(request, member=member).hits if h.section_path and h.id not in exclude
            and (part is None or role(h.section_path) in (None, part))]
    similarity = Similarity([key] + [heading_key(h.section_path[-1]) for h in hits])
    likeness = {id(h): max(similarity(key, heading_key(h.section_path[-1])),
                           MIN_SIMILARITY if named and named_part(h.section_path[-1]) == named else 0.0) for h in hits}
    on_topic = {h.id: h.score for h in _on_topic(library, topic, genre=genre, member=member)} if topic.strip() else {}
    ranked = sorted((h for h in hits if likeness[id(h)] >= MIN_SIMILARITY),
                    key=lambda h: (-likeness[id(h)], -on_topic.get(h.id, 0.0), -h.score))
    return _candidates(library, heading, ranked, member=member, limit=limit, unit=unit, year=year,
                       session=writer_session(topic), words=topic_words(topic, genre), subheadings=subheadings)


def _ends(library: Library, topic: str, *, genre: str | None, member: bool, limit: int, unit: str | None,
         year: int | None, exclude: tuple[int, ...], closing: bool = False) -> list[Candidate]:
    """The openings (开头段) of documents of ``genre`` — with ``closing``, their closings (结尾段,
    :func:`_closing_span`) —: the text before their first heading — the why and what
    that a 对照检查材料, 心得体会 or 工作总结 opens with (「根据…要求，…现将对照检查情况报告如下」), a speech's
    「同志们：今天我们召开…」 —, of the documents a search for ``topic`` and the 文种 ranks first. An opening keeps
    its formula (现将…报告如下: where it belongs) and starts after the 版头, the 主送机关 and the 题注 under the title
    (「——2024年3月5日在第十四届全国人民代表大会第二次会议上」, 「国务院总理　李强」: :func:`_body`): the first paragraphs
    of the body, never the title's date, occasion or speaker. None
    without a 文种 or topic to search by."""
    hits = [h for h in _on_topic(library, topic, genre=genre, member=member) if h.id not in exclude]
    return _candidates(library, "", hits, member=member, limit=limit, unit=unit, year=year,
                       session=writer_session(topic), words=topic_words(topic, genre), opening=not closing,
                       closing=closing)


def _on_topic(library: Library, topic: str, *, genre: str | None, member: bool) -> list[Hit]:
    """The documents of ``genre`` (None: all) a ranked search for ``topic`` and the 文种's name finds, best first, at
    most :data:`SCANNED_SECTIONS`, as the viewer may search them; none without a 文种 or topic to search by."""
    asked = " ".join(part for part in (topic.strip(), (genre or "").strip()) if part)
    if not asked:
        return []
    request = SearchRequest(q=asked, mode="ranked", genre=genre or None, limit=SCANNED_SECTIONS, facets=False)
    return library.search(request, member=member).hits


def _candidates(library: Library, heading: str, hits: list[Hit], *, member: bool, limit: int, unit: str | None,
                year: int | None, session: str | None, words: frozenset[str], subheadings: bool = False,
                opening: bool = False, closing: bool = False) -> list[Candidate]:
    """The candidates of section ``hits`` in their order — with ``opening``, of document hits: their openings; with
    ``closing``, their closings (:func:`_closing_span`) — (:func:`_body` of each, in the viewer's view of its
    document; a text met before is passed over), at most ``limit``,
    another unit's facts marked (:func:`.placeholders.mark_placeholders`: ``unit``, ``year``, ``session``; the source's
    year and the one after it, its title's, as the writer's year and the one after), each on the topic or not as its
    document (that view) holds one of the topic's ``words`` (:func:`holds_topic`)."""
    docs = {d.id: (access.viewed(d, member), d) for d in library.catalogue.documents(sorted({h.id for h in hits}))
            if not d.hidden}
    out: list[Candidate] = []
    seen: set[str] = set()
    for hit in hits:
        doc, whole = docs.get(hit.id, (None, None))
        if doc is None:
            continue
        if closing:
            section = span = _closing_span(whole, doc)
        else:
            section = (0, _first_heading(doc)) if opening else (hit.section_start, hit.section_end)
            span = _body(doc, *section, subheadings, whole, opening)
        if span is None or doc.text[span[0]:span[1]] in seen:
            continue
        start, end = span
        text = doc.text[start:end]
        seen.add(text)
        known = _known(doc, *section)
        path = [CLOSING_PLACE] if closing else [] if opening else hit.section_path
        out.append(Candidate(heading, text, doc.id, doc.title, path, start, end,
                             mark_placeholders(text, known=known, unit=unit, year=year, session=session,
                                               source_year=named_year(doc.title), source_unit=named_unit(doc.title)),
                             holds_topic(doc, words)))
        if len(out) == limit:
            break
    return out


def topic_genres(library: Library, topic: str, *, genre: str, member: bool) -> Counter[str]:
    """The other 文种 than ``genre`` of the documents on ``topic`` (:func:`holds_topic`, in the viewer's view of each;
    hidden ones left out), each with the number of them, among those a ranked search for ``topic`` finds
    (:func:`_on_topic`, at most :data:`SCANNED_SECTIONS`): where a writer finds what ``genre`` lacks."""
    words = topic_words(topic, genre)
    hits = _on_topic(library, topic, genre=None, member=member)
    return Counter(doc.genre for doc in library.catalogue.documents(sorted({h.id for h in hits}))
                   if not doc.hidden and doc.genre != genre and holds_topic(access.viewed(doc, member), words))


def topic_words(topic: str, genre: str | None) -> frozenset[str]:
    """The content words of the writer's ``topic`` (normalised, :func:`sucai.analysis.normalize`) that a document on
    it holds: its words (jieba, :func:`sucai.analysis.word_tags`) of two characters or more — or, when it has none,
    its words of one character that name something (廉, 党: none of a function word's part of speech,
    :data:`_FUNCTION_TAGS` — 的, 和, 与 —, nor of :data:`sucai.query.QUESTION_WORDS` — 要, 是 —), which were lost and
    left every document on it (write30) —, but numerals (二十 of 二十届, a year), the words of the 文种's name
    ``genre`` (心得体会) and :data:`FORMULA_WORDS` — 学习贯彻党的二十届四中全会精神: {四中全会}; 基层减负: {基层减负}; 廉:
    {廉}; 县 审计局: {审计局}; none of a topic that is the 文种's name alone."""
    tags = word_tags(topic)
    ends = [start for start, _ in tags[1:]] + [len(topic)]
    found = [(word, tag) for (start, tag), end in zip(tags, ends) if not tag.startswith("m")
             for word in [normalize(topic[start:end]).strip()]
             if word not in FORMULA_WORDS and word not in (genre or "")]
    return (frozenset(word for word, _ in found if len(word) >= 2)
            or frozenset(word for word, tag in found if len(word) == 1 and not tag.startswith(_FUNCTION_TAGS)
                         and word not in QUESTION_WORDS))


def holds_topic(doc: Document, words: frozenset[str]) -> bool:
    """Whether ``doc`` (a viewer's view: a non-member's is judged by its free text) is on the topic of ``words``
    (:func:`topic_words`): its title or text holds one of them, normalised; any is when there are none. Linear in
    the text."""
    if not words:
        return True
    text = normalize(doc.title + "\n" + doc.text)
    return any(word in text for word in words)


def _known(doc: Document, start: int, end: int) -> Known:
    """The people and places of ``doc`` (a viewer's view) that a candidate of its section ``start:end`` marks wherever
    it names them (:func:`sucai.facts.learn`): learnt from the title, the opening and the section, and the people its
    题注 names alone — the speaker or writer under the title, 「张三」, 「述职人：张三」 (:func:`sucai.facts.line_name`) —,
    whom a writer must not hand in as themself."""
    known = learn(doc.title + "\n" + doc.text[:_LEARN_CHARS] + "\n" + doc.text[start:end])
    signed = {name for line in title_note_lines(doc.text) if (name := line_name(line.text))}
    return Known(known.people | signed, known.places, known.towns)


def _body(doc: Document, start: int | None, end: int | None, subheadings: bool = False,
          whole: Document | None = None, opening: bool = False) -> tuple[int, int] | None:
    """The span of a section's body in ``doc`` — the viewer's view of the document ``whole`` (``doc`` itself when
    None) — (see the module docstring), cut to :data:`MAX_CHARS`; None when too
    short (under :data:`MIN_CHARS`, but a heading's whole sentence of :data:`MIN_SENTENCE_CHARS` or more: a plan's
    short item), or when ``subheadings`` is asked and the section's heading has none. A section whose heading has
    sub-headings is its lead-in when ``subheadings`` is asked, else its whole part (the sub-headings and their
    text too, to the part's end). An ``opening`` (the section before the first heading) starts after the 公文
    elements heading a document (:data:`_HEAD_ELEMENTS`: 发文字号, 主送机关…) and the 题注 under its title (its date,
    occasion and speaker: :func:`sucai.metadata.title_note_lines`), and keeps its formula lines."""
    if start is None or end is None:
        return None
    if opening:
        start = max([start] + [e.end for e in doc.elements if e.kind in _HEAD_ELEMENTS and start <= e.start < end])
        start = max([start] + [line.end for line in title_note_lines(doc.text, start) if line.end <= end])
    node = None if opening else next((n for n in walk_outline(doc.outline) if n.start == start and n.kind == "heading"),
                                     None)
    parted = node is not None and any(child.kind == "heading" for child in node.children)
    if subheadings and not parted:
        return None
    if node is not None:
        start = _after_heading(doc.text, node, end)
    if parted and not subheadings:   # a heading alone takes the whole part: lead-in and sub-parts
        end = node.end
    text = doc.text
    closing = None if opening else _closing_span(whole or doc, doc)   # offered once: as the closing
    end = min([end, _closing(doc, start, end, _end_part(whole or doc, doc))]
              + [e.start for e in doc.elements if start <= e.start < end]
              + ([closing[0]] if closing and closing[0] > start else []))
    for formula in () if opening else _FORMULA.finditer(text, start, end):
        if text[start:formula.start()].strip():
            end = formula.start()
            break
        start = formula.end()
    while start < end and text[start].isspace():
        start += 1
    if end - start > MAX_CHARS:
        end = _cut(text, start, start + MAX_CHARS)
    while end > start and text[end - 1].isspace():
        end -= 1
    sentence = not opening and end - start >= MIN_SENTENCE_CHARS and text[end - 1] in "。！？"   # a heading's item
    return (start, end) if end - start >= MIN_CHARS or sentence else None


def _before_closing_lines(text: str, start: int, end: int) -> int:
    """Where the text of ``text[start:end]`` ends: before its trailing white space and the lines after it that
    close no body (:data:`_NO_CLOSING_LINE`: a contact, an attribution). Linear in ``end - start``."""
    while True:
        while end > start and text[end - 1].isspace():
            end -= 1
        line = max(start, text.rfind("\n", start, end) + 1)
        if end == start or not _NO_CLOSING_LINE.match(text, line):
            return end
        end = line


def _closing_span(whole: Document, view: Document) -> tuple[int, int] | None:
    """The span of the closing (结尾段) of the document ``whole`` in the viewer's ``view`` of it, or None
    (:func:`_closing_in`, found in ``view``). For a non-member, only one that stands in the free text after a members
    part: a free view's last paragraph where the members part starts, or runs to the end, is no closing; and what the
    closing is — whether one stands there, where it begins — is a function of the free text alone, never of the
    headings, 落款 or exhortation of the members part (attack27: one found in the whole text was none when the members
    part held a 落款 or an exhortation). Linear in the text."""
    if view is whole or whole.members_span is None:
        return _closing_in(view, _end_part(whole, view))
    if view.paid_until is None:   # nothing free after the members part
        return None
    found = _closing_in(view, _end_part(whole, view))
    return found if found and found[0] >= view.paid_until else None


def _closing_in(doc: Document, end_part: int) -> tuple[int, int] | None:
    """The span of the closing (结尾段) of ``doc``, or None: its body's end part — after the words of its outline's
    last entry, a heading or an item (一是…: :func:`_after_heading`; with none, after its opening's 公文 elements and
    题注, :func:`_body`), up to its 公文 elements (its 落款) —, from its closing exhortation (「同志们，…让我们…」,
    :func:`_closing` at or after ``end_part``), else its last paragraph — before a contact or an attribution line
    (:func:`_before_closing_lines`), with the one before while it is shorter than :data:`MIN_CHARS` (「谢谢大家！」
    alone; a closing formula line is one however short, 「以上报告，请各位领导和同志们批评指正。」 after the last heading's
    text) —, never the first paragraph of that part (the last entry's own text: a measure, not a 表态 — nor the one
    after a formula line opening that part, 「下面我…」) but after a heading a line each (:func:`_a_line_each`), nor one
    opening with an outline label (「（三）强化管理，…。」: the last heading's list of items, one a line); a closing keeps
    its formula (以上…请批评指正, 谢谢大家). Cut to :data:`MAX_CHARS`. Linear in the text."""
    text = doc.text
    last = max(walk_outline(doc.outline), key=lambda n: n.start, default=None)   # a heading or an item (一是…)
    if last is not None:
        start = _after_heading(text, last, len(text))
    else:
        opening = _body(doc, 0, len(text), opening=True)
        start = opening[0] if opening else len(text)
    end = min([len(text)] + [e.start for e in doc.elements if e.start >= start])
    while start < end:   # past a heading alone on its line, and a formula line opening the part (「下面我…」)
        formula = _FORMULA.match(text, start, end)
        if not (formula or text[start].isspace()):
            break
        start = formula.end() if formula else start + 1
    end = _before_closing_lines(text, start, end)
    begin = _closing(doc, start, end, end_part)
    if begin == end:   # no exhortation: the last paragraph, not the part's first, and the one before while short
        # where the part's first paragraph ends (it starts it when the last entry has no text of its own)
        first = start if last is not None and _a_line_each(doc, last) else text.find("\n", start, end)
        if first < 0:
            return None
        begin = max(text.rfind("\n", first, end) + 1, start)
        while end - begin < MIN_CHARS and (before := text.rfind("\n", first, begin - 1)) >= first:
            begin = before + 1
        if strip_label(text[begin:end]) != text[begin:end].strip():   # the last heading's items (（二）…（三）…), no 表态
            return None
    while begin < end and text[begin].isspace():
        begin += 1
    if end - begin < MIN_CHARS and not _FORMULA.fullmatch(text[begin:end]):   # short, but 以上…请批评指正 alone is one
        return None
    if end - begin > MAX_CHARS:
        end = _cut(text, begin, begin + MAX_CHARS)
    return begin, end


def _a_line_each(doc: Document, last: OutlineNode) -> bool:
    """Whether the last outline entry ``last`` is the last of a run of headings a line each, with no text of their own
    (a plan's 「（一）围绕中心，提高服务决策水平。」「（二）突出重点，加强督查督办。」…): ``last`` is a heading alone on its line
    and every entry before it on its level holds nothing past its line — so the paragraph after ``last`` is no text of
    its own either. One bare heading among headings with text (「（二）打造过硬队伍。」 between two with a paragraph,
    write30) makes no run: the paragraph after the last is its own. Linear in the outline and the entries' text."""
    levels = (doc.outline, *(node.children for node in walk_outline(doc.outline)))
    k, siblings = next(((k, nodes) for nodes in levels for k, node in enumerate(nodes) if node is last), (0, []))
    if last.kind != "heading" or k == 0:
        return False
    text = doc.text
    after = _after_heading(text, last, len(text))
    return not (text[after : _line_end(text, after)].strip()
                or any(text[_line_end(text, before.start) : before.end].strip() for before in siblings[:k]))


def _line_end(text: str, pos: int) -> int:
    """Where the line holding offset ``pos`` ends (the text's end for its last line)."""
    end = text.find("\n", pos)
    return len(text) if end < 0 else end


def _first_heading(doc: Document) -> int:
    """Where the first heading of ``doc`` starts (the end of its opening); the text's end when it has none."""
    return min((n.start for n in walk_outline(doc.outline) if n.kind == "heading"), default=len(doc.text))


def _closing(doc: Document, start: int, end: int, end_part: int) -> int:
    """Where a speech's closing exhortation (:data:`_EXHORTATION`) starts in ``doc.text[start:end]``: the first
    one after the document's last heading and at or after ``end_part`` (:func:`_end_part`); ``end`` when none."""
    last_heading = max((n.start for n in walk_outline(doc.outline) if n.kind == "heading"), default=0)
    found = _EXHORTATION.search(doc.text, max(start, last_heading, end_part), end)
    return found.start() if found else end


def _end_part(whole: Document, view: Document) -> int:
    """Where the end part of the viewer's ``view`` of the document ``whole`` starts, as an offset of ``view``: its
    last :data:`CLOSING_TAIL` characters; for a non-member of a document with a members part, those of the free
    text after that part only (the whole text's length — the members part's — is not the free view's to read:
    a tail counted from it moved with the members part's white space, attack27). The free text after a members
    span ends ``view.text`` unchanged."""
    span = whole.members_span if view is not whole else None
    if span is None:
        return len(view.text) - CLOSING_TAIL
    after = len(whole.text) - span[1]   # free characters after the span, the end of the view
    return len(view.text) - min(after, CLOSING_TAIL)


def _after_heading(text: str, node: OutlineNode, end: int) -> int:
    """Where the body starts after a heading: past its label, its words and their closing stop."""
    at = node.start + len(node.label)
    words = re.compile(r"\s*" + re.escape(node.heading) + r"[。：:]?") if node.heading else None
    found = words.match(text, at, end) if words else None
    return found.end() if found else at


def _cut(text: str, start: int, end: int) -> int:
    """``end`` moved back to the last line break, else the last sentence end, in ``[start, end)``."""
    line = text.rfind("\n", start, end)
    if line > start + MIN_CHARS:
        return line
    stops = [m.end() for m in _SENTENCE_END.finditer(text, start, end)]
    return stops[-1] if stops and stops[-1] > start + MIN_CHARS else end
