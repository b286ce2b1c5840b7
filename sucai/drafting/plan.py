"""The whole first step at once, for the command line: a 提纲 and paragraph candidates for each heading.

:func:`make_plan` suggests the outline (:func:`.outline.suggest_outline`) and asks
for candidates (:func:`.paragraphs.paragraph_candidates`) for every heading of it,
in outline order, and for the draft's opening and closing; :meth:`Plan.to_dict` is the JSON shape of
``sucai draft --json``; :func:`first_draft` makes a draft of it (the best opening, each heading with its best
candidate, the best closing, another unit's facts as 【待补】; more candidates while shorter than a required length;
only candidates of documents on the writer's topic — all of them, likest first, when none is on it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from ..config import Settings
from ..library import Library
from ..counting import count_chars
from .drafts import Draft, Paragraph, Section, Source, copied_ratio
from .outline import OutlineSuggestion, SuggestedHeading, suggest_outline
from .paragraphs import Candidate, paragraph_candidates, topic_genres
from .placeholders import PLACEHOLDER, only_marked, only_placeholders


@dataclass
class Plan:
    """The outline, the candidates of each of its headings, and those of the draft's opening (开头段, before the first
    heading) and closing (结尾段, after the last one's text); ``min_chars``: the library's shortest 重合片段 (the setting
    ``check_min_match_chars``), a first draft's paragraphs' 复制比 counted as 查重 counts it; ``elsewhere``: when no
    candidate is on the writer's topic, the other 文种 of documents on it, with their numbers
    (:func:`.paragraphs.topic_genres`)."""

    suggestion: OutlineSuggestion
    candidates: list[tuple[SuggestedHeading, list[Candidate]]]
    opening: list[Candidate] = field(default_factory=list)
    closing: list[Candidate] = field(default_factory=list)
    min_chars: int = Settings.check_min_match_chars
    elsewhere: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """``{"genre", "topic", "outline": [{"heading", "support", "sources", "children"}], "candidates":
        [{"heading", "text", "doc_id", "title", "section_path", "place", "start", "end"}], "warnings": [提示]}`` — the
        opening's first, their ``heading`` "" and ``section_path`` [], ``place`` 开头
        (:attr:`.paragraphs.Candidate.place`); the closing's last, their ``heading`` "" and ``section_path`` and
        ``place`` 结尾; ``warnings``: :attr:`warnings`."""
        return {"genre": self.suggestion.genre, "topic": self.suggestion.topic,
                "outline": [node.to_dict() for node in self.suggestion.outline],
                "candidates": [c.to_dict() for c in self.opening]
                + [c.to_dict() for _, found in self.candidates for c in found] + [c.to_dict() for c in self.closing],
                "warnings": self.warnings}

    @property
    def warnings(self) -> list[str]:
        """What ``sucai draft`` says of the plan, in Chinese, as text and as JSON alike: the outline's warnings
        (:attr:`.outline.OutlineSuggestion.warnings`) and, when candidates were found but none of a document on the
        writer's topic (:attr:`on_topic`), that they — and a first draft — are the likest of other topics', and which
        other 文种 have documents on it (:attr:`elsewhere`), if any: the library may have them, not of this 文种."""
        offered = any([self.opening, self.closing, *(found for _, found in self.candidates)])
        if not offered or self.on_topic:
            return list(self.suggestion.warnings)
        where = f"库中文种为“{self.suggestion.genre}”的材料" if self.elsewhere else "库中"
        others = "、".join(f"“{genre}” {count} 篇" for genre, count in self.elsewhere.items())
        return [*self.suggestion.warnings, f"{where}没有与主题“{self.suggestion.topic}”相关的段落，候选段落和初稿按标题相近"
                                           "取自其他主题的材料，请逐段核对是否切题"
                + (f"；其他文种中有 {sum(self.elsewhere.values())} 篇与该主题相关的材料（{others}），可换文种再试"
                   if self.elsewhere else "")]

    @property
    def on_topic(self) -> bool:
        """Whether a candidate (the opening's, a heading's or the closing's) is of a document on the writer's topic
        (:attr:`.paragraphs.Candidate.on_topic`): when none is, a first draft takes them all (:func:`first_draft`)."""
        return any(c.on_topic for found in [self.opening, *(found for _, found in self.candidates), self.closing]
                   for c in found)


def make_plan(library: Library, genre: str, topic: str, *, member: bool, unit: str | None = None,
              year: int | None = None, per_heading: int = 3,
              progress: Callable[[int, int], None] | None = None) -> Plan:
    """The outline for ``genre``/``topic`` and up to ``per_heading`` candidates for each of its headings (those of
    documents on ``topic`` first) and for the opening and the closing (:func:`.paragraphs.paragraph_candidates` of a
    blank heading, without and with ``closing``); when none is on ``topic``, the other 文种 of documents on it
    (:attr:`Plan.elsewhere`)."""
    suggestion = suggest_outline(library, genre, topic, member=member, unit=unit, year=year)
    headings = [place for root in suggestion.outline for place in root.places()]
    opening, closing = (paragraph_candidates(library, "", genre=genre, member=member, limit=per_heading, unit=unit,
                                             year=year, topic=topic, closing=end) for end in (False, True))
    found = []
    for done, (node, above) in enumerate(headings, start=1):
        found.append((node, paragraph_candidates(library, node.heading, genre=genre, member=member, limit=per_heading,
                                                 unit=unit, year=year, above=above, subheadings=bool(node.children),
                                                 topic=topic)))
        if progress:
            progress(done, len(headings))
    plan = Plan(suggestion, found, opening, closing, library.settings.check_min_match_chars)
    if not plan.on_topic:
        plan.elsewhere = dict(topic_genres(library, topic, genre=genre, member=member).most_common())
    return plan


def first_draft(plan: Plan, title: str, *, unit: str = "", year: int | None = None,
                target_chars: int | None = None) -> Draft:
    """A draft of the plan: its opening (a section without a heading), every heading (at its level) and, after
    them, its closing (a section without a heading: :func:`.drafts.closing_section`; the best one — no heading's
    candidate holds it: :mod:`.paragraphs` offers a source's closing once, as the closing), each with its best
    candidate of a document on the writer's topic (:func:`_on_topic`) — its best of all when no candidate of the plan
    is on the topic (:attr:`Plan.on_topic`: a library holding nothing on it, fix40) —, marked (【待补】); a heading
    with no such candidate under it or its sub-headings is left out, and so is the closing of a draft without a
    heading left — but a heading of no sub-heading offered no candidate at all among siblings offered some, which its
    sources leave bare (a plan's item stated in its heading, 「（三）打造过硬队伍。」), is kept with a body of
    :data:`~.placeholders.PLACEHOLDER` alone, the writer's to write (a paragraph citing no source); an outline borrowed
    from other 文种, none of whose headings is offered any, is left out whole.

    With ``target_chars`` (the required length, characters without white space), while the
    draft is shorter, each heading in outline order takes its next candidate, round after
    round, until the draft is long enough or the candidates run out; the opening and the closing keep their one (two
    openings are two speeches' 「同志们：今天我们召开…」, two reports' 「现将…报告如下」; two closings two 「同志们，让我们…」).
    """
    taken = _on_topic if plan.on_topic else list   # nothing on the topic: the likest, as offered
    as_paragraph = partial(_paragraph, min_chars=plan.min_chars)
    opening = taken(plan.opening)[:1]   # one opening: its other candidates are other ways to open, not more of it
    sections, queues = ([Section("", 1, [as_paragraph(opening[0])])], [[]]) if opening else ([], [])

    def visit(nodes: list[SuggestedHeading], level: int) -> None:
        offers = [next((found for n, found in plan.candidates if n is node), []) for node in nodes]
        among = any(offers)   # a bare one among siblings offered some is its sources' own (a plan's item)
        for node, offered in zip(nodes, offers):
            found = taken(offered)
            at = len(sections)
            sections.append(Section(node.heading, level, [as_paragraph(found.pop(0))] if found
                                    else [] if offered or node.children or not among else [Paragraph(PLACEHOLDER)]))
            queues.append(found)
            visit(node.children, level + 1)
            if not any(section.paragraphs for section in sections[at:]):   # nothing under it: left out
                del sections[at:], queues[at:]

    visit(plan.suggestion.outline, 1)
    closing = taken(plan.closing)[:1]
    if closing and any(section.heading for section in sections):   # one closing, after the last heading's text
        sections.append(Section("", 1, [as_paragraph(closing[0])]))
        queues.append([])
    draft = Draft(title, plan.suggestion.genre, plan.suggestion.topic, sections, unit, year, target_chars)
    length = draft.chars
    while target_chars and length < target_chars and any(queues):
        for section, queue in zip(sections, queues):
            if queue and length < target_chars:
                paragraph = as_paragraph(queue.pop(0))
                section.paragraphs.append(paragraph)
                length += count_chars(paragraph.text)
    return draft


def _on_topic(candidates: list[Candidate]) -> list[Candidate]:
    """The ``candidates`` of documents on the writer's topic (:attr:`.paragraphs.Candidate.on_topic`), in order: the
    others fill no section of a first draft (season28: a 心得体会 on 基层减负 filled one on the 四中全会)."""
    return [c for c in candidates if c.on_topic]


def _paragraph(candidate: Candidate, min_chars: int) -> Paragraph:
    """A candidate as a draft paragraph: its marked text, its source (none for nothing but 【待补】, a copy of
    nothing: :func:`~sucai.drafting.placeholders.only_placeholders`), edited when its marked text is not the
    source's — a placeholder set, or a year moved to the writer's (:func:`~.placeholders.mark_placeholders`) —, marked
    when its placeholders are all that changed (:func:`~.placeholders.only_marked`), its 复制比 of 重合片段 of at least
    ``min_chars`` characters, as a save of the page says it (:func:`~.drafts.build_draft`)."""
    source = Source(candidate.doc_id, candidate.start, candidate.end, candidate.title, candidate.section_path)
    return Paragraph(candidate.marked.text, None if only_placeholders(candidate.marked.text) else source,
                     edited=candidate.marked.text != candidate.text,
                     copy_ratio=copied_ratio(candidate.marked.text, candidate.text, min_chars),
                     marked=only_marked(candidate.marked.text, candidate.text))
