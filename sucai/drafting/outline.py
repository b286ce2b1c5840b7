"""提纲 suggestion: the headings that recur across the most similar documents of a 文种.

:func:`suggest_outline` finds the documents most like the writer's topic among
those of the 文种 (a ranked search, :mod:`sucai.search`, filtered by 文种; hidden
documents never, and each document as the viewer may see it, :func:`sucai.access.view`),
and merges their outlines level by level: the headings of one level (the top
level, then the children of each kept heading) are clustered
(:func:`sucai.headings.cluster`), those naming one part in different documents joined (主要任务, 重点任务:
:func:`_one_per_part`); a cluster is kept when enough of the documents use it
(:func:`needed`); kept headings are ordered by where they usually stand among
their siblings. Each suggested heading carries its ``support`` (how many source
documents use it) and their ids. Law articles (第X条, whose ``heading`` is "")
are no headings to suggest; the parts, chapters and sections above them are. A 生活会's materials (:data:`THEMED`)
take their aspects (四个方面, 六个方面) from the sources of one theme, one year's (:func:`_off_theme`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from .. import access
from ..library import Library
from ..errors import BadValue, InvalidInput
from ..metadata.genres import GENRES, LAWS, canonical, listed_genre, title_genre, written_genre
from ..model import Document, OutlineNode
from ..search import SearchRequest
from ..facts import find_facts
from ..headings import Cluster, Item, Similarity, cluster, heading_key, named_part, strip_label
from .placeholders import mark_placeholders, named_unit, named_year, writer_session

SOURCE_DOCS = 20        # documents whose outlines are merged
MAX_DEPTH = 3           # levels suggested: 一、 / （一） / 1.
MAX_HEADINGS = 12       # headings kept per level (the best supported)
SUPPORT_SHARE = 0.2     # a heading is kept when at least this share of the documents at its level use it (and 2)
_CLOSERS = "。：:；;，,、 \u3000"
# 文种 spoken at an occasion and named by it (「在全县经济工作会议上的讲话」): 文种 → the word its titles end with
SPOKEN = {"讲话稿": "讲话", "致辞": "致辞"}
STUDY = "调研报告"   # named by what it studied: 「关于…的调研报告」
_OCCASION = re.compile(r"(?:会议?|论坛|仪式|典礼|[开闭]幕式|开班式|结业式)$")   # a topic naming a meeting or ceremony
_SPOKEN_END = r"(?:稿|材料)?$"   # a topic ending with the speech's name, as written (「研讨发言材料」, 「讲话稿」)
# each 文种's names at the end of a title (「述职述廉报告」, 「述责述廉报告」: a 述职报告's)
_NAME_ENDS = {genre.name: re.compile(f"(?:{genre.words})$") for genre in GENRES if genre.words}
# a 生活会's materials, whose aspects (四个方面, 六个方面: 「（一）理论学习方面」) are those set by its year's theme
THEMED = ("对照检查材料", "发言提纲")
_ASPECT = "方面"


@dataclass
class SuggestedHeading:
    """One heading of a suggested 提纲: ``heading`` without its label (labels follow the final order),
    ``support`` (how many source documents use it), their ids (``sources``, most similar first)."""

    heading: str
    support: int
    sources: list[int]
    children: list[SuggestedHeading] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"heading": self.heading, "support": self.support, "sources": self.sources,
                "children": [child.to_dict() for child in self.children]}

    def walk(self):
        """This heading and those under it, in outline order."""
        return (node for node, _ in self.places())

    def places(self, above: tuple[str, ...] = ()):
        """This heading and those under it, in outline order, each with the headings above it: ``(node, above)``."""
        yield self, above
        for child in self.children:
            yield from child.places(above + (self.heading,))


@dataclass
class OutlineSuggestion:
    """A suggested 提纲 and what it was made from: ``documents`` (id, title, 来源 and date, as the viewer may see
    them, most similar first) and ``warnings`` in Chinese."""

    genre: str
    topic: str
    outline: list[SuggestedHeading]
    documents: list[dict]
    warnings: list[str] = field(default_factory=list)


def asked_genre(genre: str) -> str:
    """The 文种 a 提纲 is asked for: ``genre`` without white space around it, a shorthand the search filter takes
    read as its name (「讲话」 → 讲话稿), a name of none as a title ending with it is classed (「研讨发言」 → 讲话稿:
    :func:`sucai.metadata.genres.written_genre`). Raises BadValue (exit status 2 on the command line, 422 on the web)
    when nothing is left (code ``no_genre``: without a 文种 the outline would mix the headings of every kind of
    document), and for a name no 文种 has (code ``bad_genre``, in the words a search's filter refuses it with:
    :func:`sucai.metadata.genres.listed_genre` — an outline of every 文种 would have given no draft)."""
    genre = written_genre(genre)
    if not genre:
        raise BadValue("请给出文种，如 对照检查材料", code="no_genre")
    try:
        return listed_genre(genre)
    except InvalidInput as refused:
        raise BadValue(refused.message, code=refused.code) from None


def draft_title(genre: str, topic: str, unit: str | None, year: int | None) -> str:
    """A draft's title as such materials are named (``sucai draft -o``, and the 写作台's title field to begin with):
    unit, year, topic, then the 文种 unless the topic holds it ("县审计局党支部" + "2024年度" + "组织生活会" +
    "对照检查材料"), or only the rest of it when the topic ends with its first characters (at least two: "2024年度
    个人述职" + 述职报告 → "2024年度个人述职报告", not "…述职述职报告"), or its closing word alone when the topic holds its
    head in a name of it ("述职述廉" + 述职报告 → "述职述廉报告": :func:`_named_head`), or none when the topic is a title of the 文种
    already (:func:`sucai.metadata.genres.title_genre`: "2026年度述职述廉报告", a 述职报告); parts already in the topic are not
    repeated — the year however the topic writes it (「２０２４年度」, 「二〇二四年」: its facts' values) —, nor the
    topic's words (split at white space) that the unit holds, and the topic's words are joined without spaces (unit
    "县司法局党支部", topic "2025年度组织生活会 县司法局 党支部": "县司法局党支部2025年度组织生活会对照检查材料").

    A speech (:data:`SPOKEN`) is named by its occasion, its speaker standing under the title: a topic naming a
    meeting (「2026年全县经济工作会议」, 「全县优化营商环境大会」: :data:`_OCCASION`) is 「在…上的讲话」 (the year given
    before it, 「在2026年全县经济工作会议上的讲话」; no unit); a topic ending with its name (「…讲话」, 「研讨发言材料」:
    :data:`_SPOKEN_END`) is not named again (「在…上的讲话」 is the title as written; another gets the unit before it); a topic naming no occasion is titled as any 文种 but without
    a year (a speech is dated under its title, not by a 「2026年度」 of its own) and ends with the speech's name, never
    「讲话稿」 (「某县县委作风建设讲话」: no meeting is made up for it).
    A 调研报告 is named by what it studied, 「关于{topic}的调研报告」 (「关于乡镇基层减负的调研报告」), its writers
    standing under the title (「县委办公室调研组」: no unit, no year but the topic's), unless the topic holds the 文种,
    ends with its first characters (「村级集体经济调研」: 「…调研报告」, not 「关于村级集体经济调研的调研报告」)
    or is empty (then as any 文种: 「县委办公室2026年度调研报告」, never 「关于的调研报告」).
    A 文种 asked for by the words its titles end with is named by them (「研讨发言」: 「…研讨发言」, 「在…上的研讨发言」)."""
    genre, named = written_genre(genre) or "", canonical(genre) or ""   # 研讨发言: a 讲话稿, named so
    topic = "".join(word for word in topic.split() if not (unit and word in unit))
    said = [topic, *(fact.value for fact in find_facts(topic, kinds=("year",)))]   # values in Arabic digits
    dated = bool(year) and not any(str(year) in text for text in said)
    spoken = (SPOKEN[genre] if named == genre else named) if genre in SPOKEN else None
    titled = bool(spoken) and re.search(re.escape(spoken) + _SPOKEN_END, topic) is not None   # 「…研讨发言材料」
    if titled and topic.startswith("在"):
        return topic
    if spoken and _OCCASION.search(topic):
        return f"在{f'{year}年' if dated else ''}{topic.removeprefix('在')}上的{spoken}"
    if genre == STUDY and topic and genre not in topic and not _ends_with_head(topic, genre):
        return f"关于{topic.removeprefix('关于')}的{genre}"
    parts = [unit or "", f"{year}年度" if dated and not spoken else "", topic]
    parts[0] = "" if parts[0] and parts[0] in topic else parts[0]
    title = "".join(parts)
    if titled:
        return title
    if spoken:
        named = spoken   # no 「…讲话稿」: a speech's title names the speech (「…讲话」), even a topic's 「…重要讲话精神」
    elif named in topic:
        return title
    shared = _ends_with_head(title, named)
    if not shared and title_genre(topic) == genre:   # 「2026年度述职述廉报告」: a title of the 文种 already
        return title
    return title + named[shared or _named_head(title, genre, named):]


def _ends_with_head(title: str, named: str) -> int:
    """How many of the first characters of the 文种 name ``named`` (at least two, not all) ``title`` ends with
    (「2024年度个人述职」, 述职报告: 2), else 0."""
    return next((n for n in range(len(named) - 1, 1, -1) if title.endswith(named[:n])), 0)


def _named_head(title: str, genre: str, named: str) -> int:
    """How much of the 文种 name ``named`` (of ``genre``) a ``title`` names already, as a part of a name of the 文种
    that the closing word of ``named`` (its last two characters) would end: its head (all but that word) — 「…述职述廉」
    and 报告 make 「述职述廉报告」, a 述职报告's name holding 述职, so only 报告 is added (not 「…述职述廉述职报告」) —,
    else 0 (「党史学习」 and 体会 make 「学习体会」, a 心得体会's name, but without 心得: 「党史学习心得体会」)."""
    head, closing = named[:-2], named[-2:]
    found = _NAME_ENDS[genre].search(title + closing) if genre in _NAME_ENDS and len(head) >= 2 else None
    return len(head) if found and head in found.group() and found.start() < len(title) else 0


def suggest_outline(library: Library, genre: str, topic: str, *, member: bool, unit: str | None = None,
                    year: int | None = None, sources: int = SOURCE_DOCS, exclude: tuple[int, ...] = ()) -> OutlineSuggestion:
    """A 提纲 for a document of ``genre`` on ``topic``, for a viewer with (``member``) or without the member tier.

    ``unit``/``year``: the writer's own (kept in headings; another unit's name or year in a heading becomes 【待补】,
    as another 全会 than the one ``topic`` names does — but the source's own unit in the writer's role is ``unit``, and
    its year and the next ``year`` and the next, as in the paragraphs); of a 生活会's materials (:data:`THEMED`), the
    aspects of the sources of ``year``'s theme only, else of the year most sources are of. ``exclude``: document ids
    left out (to test on held-out documents). When none of the 文种 is like the topic, its others are used; when the
    文种 has one document with headings, the 提纲 is its headings, and a warning says so; when it has none, all 文种
    are searched and a warning says so (another 文种's headings: a first draft keeps only those that get paragraphs
    of the asked 文种). Never raises for any ``topic``.
    """
    docs, warnings = _sources(partial(similar_documents, library, member=member, count=sources, exclude=exclude),
                              genre, topic)
    keys = _Keys()
    groups = [(doc.id, doc.outline) for doc in docs]
    similarity = Similarity(keys(node) for _, nodes in groups for node in _headings(nodes))
    titles = {doc.id: doc.title for doc in docs}
    themed = written_genre(genre) in THEMED
    off = _off_theme({i: named_year(title) for i, title in titles.items()}, year) if themed else frozenset()
    outline = _merge(groups, similarity, keys, 1, (unit, year, writer_session(topic), titles), off)
    documents = [{"id": doc.id, "title": doc.title, "source": doc.source, "date": doc.date} for doc in docs]
    return OutlineSuggestion(genre, topic, outline, documents, warnings)


def _sources(find: Callable[[str | None, str], list[Document]], genre: str, topic: str) -> tuple[list[Document], list[str]]:
    """The documents a 提纲 is merged from (``find(genre, topic)``: :func:`similar_documents`) and what to tell the
    writer of them: those of the 文种 most like the topic; none on the topic: the 文种's others, whose headings are
    the 文种's own (another 文种's get no paragraph in a first draft); none of the 文种: those of every 文种 most like the topic — but a law's or a regulation's (总则, 法律责任, 附则: a model for
    none but another law) when the 文种 asked is no law."""
    warnings = []
    docs = find(genre, topic)
    if not docs and genre and topic:
        docs = find(genre, "")
        if docs:
            warnings.append(f"库中文种为“{genre}”的材料都与主题“{topic}”无关，提纲取自该文种的其他材料")
    if len(docs) == 1 and genre:
        warnings.append(f"库中文种为“{genre}”且有提纲的材料只有一篇，提纲取自该篇")
    if not docs and genre:
        warnings.append(f"库中没有文种为“{genre}”且有提纲的材料，已在全部文种中查找")
        docs = find(None, topic, laws=genre in LAWS)
    if not docs:
        warnings.append("库中没有可供参考的提纲")
    return docs, warnings


def similar_documents(library: Library, genre: str | None, topic: str, *, member: bool, count: int,
                      exclude: tuple[int, ...] = (), laws: bool = True) -> list[Document]:
    """Up to ``count`` documents with headings, most like ``topic`` first (ranked search, 文种 filter),
    each as the viewer may see it; hidden and excluded documents left out, and those of a law's or a regulation's
    文种 (:data:`~sucai.metadata.genres.LAWS`) unless ``laws``."""
    request = SearchRequest(q=topic, mode="ranked", genre=genre or None, facets=False)
    _, ids = library.matching_ids(request, member=member, limit=4 * count + len(exclude))
    found: list[Document] = []
    for start in range(0, len(ids), count):
        chunk = [i for i in ids[start : start + count] if i not in exclude]
        loaded = {doc.id: doc for doc in library.catalogue.documents(chunk)}
        for doc_id in chunk:
            doc = loaded.get(doc_id)
            if doc is None or doc.hidden:
                continue
            view = access.viewed(doc, member)
            if not laws and view.genre in LAWS:
                continue
            if _headings(view.outline):
                found.append(view)
            if len(found) == count:
                return found
    return found


def needed(documents: int) -> int:
    """How many of ``documents`` must use a heading for it to be suggested: all of one, else
    ``SUPPORT_SHARE`` of them and at least two."""
    return 1 if documents <= 1 else max(2, math.ceil(SUPPORT_SHARE * documents))


def _headings(nodes: list[OutlineNode]) -> list[OutlineNode]:
    """The nodes that are headings with words (not items, not articles named by their label alone)."""
    return [node for node in nodes if node.kind == "heading" and display(node.heading)]


def display(heading: str) -> str:
    """A heading as suggested: without its label and the stops around it."""
    return strip_label(heading).strip(_CLOSERS)


class _Keys:
    """Heading keys, computed once per node."""

    def __init__(self):
        self._cache: dict[int, str] = {}

    def __call__(self, node: OutlineNode) -> str:
        key = self._cache.get(id(node))
        if key is None:
            key = self._cache[id(node)] = heading_key(node.heading)
        return key


def _off_theme(years: dict[int, int | None], year: int | None) -> frozenset[int]:
    """The sources (by id, most similar first, with the year each is of: ``years``) of another theme than the
    draft's: the year of a 生活会 sets its theme and so its aspects (2023年度: 六个方面, 2024年度: 四个方面) — the
    writer's ``year`` when a source is of it, else the year most of the sources are of (on a tie, the most similar
    one's). Sources of no year are of none: empty when fewer than two years are named."""
    named = [y for y in years.values() if y is not None]
    counts = Counter(named)
    theme = year if year in counts else max(counts, key=lambda y: (counts[y], -named.index(y)), default=None)
    return frozenset(doc for doc, y in years.items() if y not in (None, theme))


def _merge(groups: list[tuple[int, list[OutlineNode]]], similarity: Similarity, keys: _Keys, depth: int,
           own: tuple[str | None, int | None, str | None, dict[int, str]],
           off: frozenset[int]) -> list[SuggestedHeading]:
    """The suggested headings of one level from the sibling lists ``groups`` ((doc id, nodes), best document first);
    ``own``: the writer's unit, year and 全会, kept in their wording, and each source's title (by id), whose year and
    the next are made the writer's, and whose own unit the writer's unit (:func:`_wording`). ``off``: sources of
    another theme (:func:`_off_theme`), whose headings are left out of a level of aspects (a heading naming a 方面:
    「（一）理论学习方面」) — one theme's aspects, not two themes' mixed."""
    items = []
    for doc_id, nodes in groups:
        heads = _headings(nodes)
        items += [Item(keys(node), doc_id, i / max(len(heads) - 1, 1), node) for i, node in enumerate(heads)]
    if off and any(_ASPECT in item.payload.heading for item in items):
        items = [item for item in items if item.doc not in off]
    clusters = _one_per_part(cluster(items, similarity))
    if not clusters:
        return []
    least = needed(len({item.doc for item in items}))
    best = items[0].doc   # the most similar document with headings here: its own are always suggested
    kept = [c for c in clusters if len(c.docs) >= least or best in c.docs]
    kept = sorted(kept, key=lambda c: (-len(c.docs), best not in c.docs))[:MAX_HEADINGS]
    kept.sort(key=lambda c: c.position)
    out = []
    for found in kept:
        children = []
        if depth < MAX_DEPTH:
            children = _merge([(item.doc, item.payload.children) for item in found.items], similarity, keys,
                              depth + 1, own, off)
        out.append(SuggestedHeading(_wording(found.items, *own), len(found.docs), found.docs, children))
    return out


def _one_per_part(clusters: list[Cluster]) -> list[Cluster]:
    """``clusters`` (in order) with those whose headings all name the same part and nothing else
    (:func:`sucai.headings.named_part` ``alone``: 主要任务 and 重点任务, 措施) and that share no document joined, the first
    taking the others: the words of one part in different documents, not two parts. Clusters naming no part, more than
    a part (在理论学习方面存在的问题, 在担当作为方面存在的问题: two aspects) or different parts stay."""
    out: list[tuple[str | None, Cluster]] = []
    for found in clusters:
        parts = {named_part(item.payload.heading, alone=True) for item in found.items}
        part = parts.pop() if len(parts) == 1 else None
        into = next((c for p, c in out if part and p == part and not set(c.docs) & set(found.docs)), None)
        if into is None:
            out.append((part, found))
        else:
            into.items += found.items
    return [found for _, found in out]


def _wording(items: list[Item], unit: str | None, year: int | None, session: str | None,
             titles: dict[int, str]) -> str:
    """The most used wording of a cluster (one without another unit's facts preferred, then the most
    similar document's); facts left in it become 【待补】 — its source's year and the next the writer's
    (:func:`.placeholders.mark_placeholders`: 「2025年工作总结」 of a 2025 source is 「2026年工作总结」 in a 2026 draft), its
    source's own unit in the writer's role the writer's ``unit``, as in the paragraphs (「第三党支部存在的问题」 of a
    某市财政局第三党支部's material is 「县审计局党支部存在的问题」: :func:`.placeholders.named_unit` of its title)."""
    wordings = [display(item.payload.heading) for item in items]
    counts = Counter(wordings)
    order = {wording: i for i, wording in reversed(list(enumerate(wordings)))}
    best = max(counts, key=lambda w: (counts[w], not find_facts(w, kinds=("unit", "year", "date", "person")), -order[w]))
    title = titles[items[order[best]].doc]
    return mark_placeholders(best, unit=unit, year=year, session=session, source_year=named_year(title),
                             source_unit=named_unit(title)).text
