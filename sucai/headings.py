"""Headings compared across documents: their key, their similarity, and clusters of near-identical ones.

Two documents of a 文种 seldom word a heading alike: "一、存在的主要问题" and
"一、存在问题", "（一）2023年理论学习方面" and "（一）在理论学习方面". So a
heading is compared by its **key** (:func:`heading_key`): normalised
(:func:`sucai.analysis.normalize`), without its outline label (一、 （一） 1.
第一章…), without the unit names, years, dates and people of its document
(:mod:`.facts`), without punctuation and spaces. Two keys are compared by the
**weighted Dice coefficient of their characters and character bigrams**
(:class:`Similarity`), each weighted by its inverse document frequency among the
headings compared, so that 方面, 工作, 问题 count for less than 理论, 担当, 根源;
characters let "存在问题" meet "存在的问题", bigrams keep word order.

:func:`cluster` groups items whose keys are near-identical (similarity ≥
:data:`THRESHOLD`), never two items of the same document (two headings of one
document are two sections, however alike they read).

:func:`role` tells which part of a document a heading stands in — its problems (问题),
their causes (原因), the measures (措施), the results (成效), the goals (目标), the steps (步骤) — so that a paragraph is
taken only from a part of the same role: the part its highest heading names as a part
heading does (:func:`named_part`: 存在的主要问题, 问题产生的根源, 下步打算), not as a
topic (关于防灾抗灾和移民安置问题) or a measure does (开展案例剖析).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from . import analysis
from .facts import find_facts
from .numerals import LABEL_YEAR

THRESHOLD = 0.5
# An outline label, each style a group: a part of a law or a book (第一编, 第二章, 第三节, 第一部分), an article
# (第五条, 第五条之一), GB/T 9704-2012 §7.3.3's four levels (一、 （一） 1. （1）: ``cn``, ``pcn``, ``num``, ``pnum`` — a
# bracketed label that is not all Chinese numerals ``pnum``) and circled numbers (① ⑴ ㈠) — the one reading of a
# heading's label (:func:`strip_label`) and of its level in 查重 (:func:`sucai.check.align.line_starts`).
LABEL = (r"(?:(?P<part>第[〇零一二三四五六七八九十百千0-9]+(?:编|分编|章|节|部分|篇)(?:之[一二三四五六七八九十]+)?)"
         r"|(?P<article>第[〇零一二三四五六七八九十百千0-9]+条(?:之[一二三四五六七八九十]+)?)"
         r"|(?P<cn>[一二三四五六七八九十百]+\s*[、.．])|(?P<pcn>[（(]\s*[一二三四五六七八九十百]+\s*[)）])"
         r"|(?P<pnum>[（(]\s*[一二三四五六七八九十百0-9]+\s*[)）])"
         rf"|(?P<num>[0-9]+(?:\.[0-9]+)*\s*[、.．](?!(?!{LABEL_YEAR})[0-9]))|(?P<circled>[①-⑳⑴-⒇㈠-㈩]))")
_LABEL = re.compile(rf"^\s*{LABEL}\s*")
_NOT_KEY = re.compile(r"[\W_]+")
_FACT_KINDS = ("unit", "year", "date", "person")
# a 实施方案's steps, as plans head them (实施步骤, 工作步骤, 方法步骤, 进度安排, 时间安排, 实施进度): one part, after the tasks
# and before the 保障措施 — whole: 安排 alone is a measure's (2014年工作安排), 步骤 alone a topic's (和平统一的步骤和安排)
_STEPS = ("实施步骤", "工作步骤", "方法步骤", "推进步骤", "步骤安排", "进度安排", "时间安排", "时间进度", "实施进度")
# the words a query names a part with (a narrower list than ROLES: 安排, 做法 or 回顾 in a query name no part; 计划 and
# 任务 do, a 工作总结's 下一步工作计划, a 政府工作报告's or 实施方案's 主要任务 — whole: 计划生育, 招生计划 name none), and
# the words that may stand beside them without naming anything else (存在的主要问题, 主要不足, 原因分析, 根源剖析)
PART_NAMES = (("原因", ("原因", "根源")),
              ("措施", ("整改", "措施", "举措", "努力方向", "打算", "计划", "任务", "下一步", "下步")),
              ("问题", ("问题", "不足", "差距", "短板")), ("成效", ("成效", "成绩")), ("目标", ("目标", "总体目标")),
              ("步骤", _STEPS))
_PART_FILLERS = ("存在", "主要", "突出", "产生", "方面", "具体", "分析", "剖析", "取得", "工作", "政府工作", "今后", "今年",
                 "预期", "的")
# a key made of a part's words and the fillers, each whole (no word is a prefix of another: possessive, linear)
_PART_KEYS = tuple((name, re.compile(f"(?:{'|'.join((*words, *_PART_FILLERS))})++"), words) for name, words in PART_NAMES)


# the parts of a document and the words that name them, each at the end of a part heading (存在的问题, 原因分析,
# 下步打算, 2023年工作回顾, 2024年政府工作任务): the part of a heading naming more is that of its last ("问题产生的原因"
# is a cause, "针对问题的整改措施" a measure)
ROLES = (("原因", ("原因", "根源", "症结")),
         ("措施", ("整改", "措施", "举措", "打算", "计划", "任务", "下一步", "下步", "努力方向", "对策", "思路", "安排")),
         ("问题", ("问题", "不足", "差距", "短板")),
         # and a 工作总结和工作计划's summary part (一、2025年工作总结), no measure: its plan part names 计划
         ("成效", ("回顾", "总结", "成效", "成绩", "做法", "进展", "完成情况", "开展情况", "工作情况")),
         # a 实施方案's or 指导意见's 主要目标, 工作目标, 发展目标 (fix29), 总体目标 — whole: 总体 leads no other part's word
         # (a 实施方案's 总体思路 stands with its 指导思想, no measure)
         ("目标", ("目标", "总体目标")),
         ("步骤", (*_STEPS, "进度")))   # and 工作进度 (of a query, 进度 alone names no part)
_PART_OF = {word: name for name, words in ROLES for word in words}
_JOINS = ("和", "及", "与")
# words that may follow a part's word in its heading (原因分析, 问题表现, 问题清单, 对策建议, 主要做法和经验, 下一步工作)
_TRAILING = ("分析", "剖析", "表现", "清单", "建议", "经验", "工作", *_JOINS)
# words that say a part is at hand (存在的问题, 在担当作为方面的不足, 深刻剖析问题根源, 一年来取得的成绩, 工作措施,
# 扎实做好下一步工作)…
_STATING = ("存在", "方面", "查摆", "检视", "剖析", "分析", "查找", "取得", "面临", "采取", "工作", "做好", "抓好")
# … and those that may stand with them before it (存在的主要问题, 问题产生的根源, 存在的困难和问题, 今后打算, a
# 实施方案's 重点任务, an 指导意见's 发展目标)
_LEADING = (*_STATING, *_PART_OF, *_PART_FILLERS, "困难", "今后", "重点", "发展", *_JOINS)


def _ending(text: str, words: Iterable[str]) -> str:
    """The longest of ``words`` that ``text`` ends with; "" when none does."""
    return max((word for word in words if text.endswith(word)), key=len, default="")


def strip_label(heading: str) -> str:
    """``heading`` without a leading outline label (一、 （一） 1. 第一章 ①…) and surrounding spaces."""
    return _LABEL.sub("", heading.strip(), count=1).strip()


@lru_cache(maxsize=100_000)
def heading_key(heading: str) -> str:
    """The comparable form of a heading (see the module docstring); "" when nothing is left."""
    text = strip_label(heading)
    for fact in reversed(find_facts(text, kinds=_FACT_KINDS)):
        text = text[: fact.start] + text[fact.end :]
    return _NOT_KEY.sub("", analysis.normalize(text))


def role(path: Sequence[str]) -> str | None:
    """The part of a document (问题, 原因, 措施, 成效, 目标, 步骤: :data:`ROLES`) a heading stands in, given its ``path``
    (the headings above it, then itself): that of the highest heading of the path naming a part
    (:func:`named_part`) — "（一）思想认识问题" under "二、问题产生的原因" is a cause, "2.深入剖析问题根源" under
    "三、整改措施" a measure; None when none does."""
    return next(filter(None, map(named_part, path)), None)


@lru_cache(maxsize=100_000)
def named_part(heading: str, *, alone: bool = False) -> str | None:
    """The part of a document (:data:`ROLES`) that ``heading`` names as a part heading of a 对照检查材料, 发言提纲,
    述职报告, 整改方案, 实施方案 or 工作报告 does: its key (:func:`heading_key`) ends with a part's word, after the words
    that may follow one (:data:`_TRAILING`: 原因分析, 问题表现), and what comes before that word is made of the
    words that may lead it (:data:`_LEADING`: 存在的主要问题, 问题产生的根源), or holds one saying a part is at
    hand (:data:`_STATING`: 在担当作为方面存在的问题, 一年来取得的成绩) or another part's word (针对问题的整改措施). None for a topic heading — a noun before
    the part's word ("关于防灾抗灾和移民安置问题", "土地问题", "强制措施"), a title ("…若干问题的规定") — and for a
    measure that merely holds such a word ("开展案例剖析", "全力补短板强基础"). With ``alone``, None too for a heading
    naming more than the part (在担当作为方面存在的问题, 一年来取得的成绩: what is left beside its words). Linear in the
    heading's length."""
    key = heading_key(heading)
    while trailing := _ending(key, _TRAILING):
        key = key[: -len(trailing)]
    word = _ending(key, _PART_OF)
    if not word:
        return None
    name, key, stated = _PART_OF[word], key[: -len(word)], False
    while word := _ending(key, _LEADING):
        key, stated = key[: -len(word)], stated or word in _STATING or word in _PART_OF
    return name if not key or (stated and not alone) else None


def part_named(text: str) -> str | None:
    """The part of a document (问题, 原因, 措施, 成效, 目标, 步骤) that ``text`` — a word or term of a query — names and does
    nothing but name (:data:`PART_NAMES`, beside 存在, 主要, 分析, 的…): "存在问题", "不足", "整改措施", "努力方向",
    "原因分析";
    None when it names none, or more than a part ("担当作为方面存在问题", "问题产生的原因"), or when its words are not
    whole ("存问题在"). Compared by its key (:func:`heading_key`). Linear in ``text``."""
    key = heading_key(text)
    return next((name for name, whole, words in _PART_KEYS
                 if whole.fullmatch(key) and any(word in key for word in words)), None)


def features(key: str) -> set[str]:
    """The characters and character bigrams of a key."""
    return set(key) | {key[i : i + 2] for i in range(len(key) - 1)}


class Similarity:
    """Weighted Dice similarity of heading keys over :func:`features`, weights from ``keys``
    (idf: ``log(1 + N / (df + 1))``, N keys, df of them holding the feature)."""

    def __init__(self, keys: Iterable[str]):
        df: Counter = Counter()
        count = 0
        for key in keys:
            count += 1
            df.update(features(key))
        self._unseen = math.log(1 + max(count, 1))
        self._weights = {f: math.log(1 + max(count, 1) / (n + 1)) for f, n in df.items()}
        self._vectors: dict[str, tuple[set[str], float]] = {}

    def weight(self, feature: str) -> float:
        return self._weights.get(feature, self._unseen)

    def _vector(self, key: str) -> tuple[set[str], float]:
        """A key's features and their total weight (computed once per key)."""
        found = self._vectors.get(key)
        if found is None:
            found = self._vectors[key] = (feats := features(key), sum(self.weight(f) for f in feats))
        return found

    def __call__(self, a: str, b: str) -> float:
        """0 (nothing shared) to 1 (the same characters and bigrams)."""
        if a == b:
            return 1.0 if a else 0.0
        (fa, wa), (fb, wb) = self._vector(a), self._vector(b)
        shared = sum(self.weight(f) for f in fa & fb)
        return 2 * shared / (wa + wb) if wa + wb else 0.0


@dataclass
class Item:
    """One heading to cluster: its ``key``, the ``doc`` it comes from, its ``position`` among its
    siblings (0 = first, 1 = last) and what the caller attaches (``payload``)."""

    key: str
    doc: int
    position: float
    payload: object = None


@dataclass
class Cluster:
    """Near-identical headings of different documents."""

    items: list[Item] = field(default_factory=list)

    @property
    def docs(self) -> list[int]:
        return list(dict.fromkeys(item.doc for item in self.items))

    @property
    def position(self) -> float:
        """Where the heading usually stands among its siblings (mean position, 0 to 1)."""
        return sum(item.position for item in self.items) / len(self.items)


def cluster(items: Sequence[Item], similarity: Similarity, threshold: float = THRESHOLD) -> list[Cluster]:
    """Group ``items`` greedily, in the given order: each joins the cluster with the most similar member
    (at least ``threshold``) that holds no item of its document yet, or starts a new one.

    Candidate clusters are found through the bigrams they hold (a one-character key: through
    that character), so the cost is about linear in the items for headings of a few words.
    Clusters come in order of creation.
    """
    clusters: list[Cluster] = []
    by_gram: dict[str, set[int]] = defaultdict(set)
    for item in items:
        if not item.key:
            continue
        grams = {item.key[i : i + 2] for i in range(len(item.key) - 1)} or {item.key}
        best, best_score = None, threshold
        for index in sorted(set().union(*(by_gram.get(g, set()) for g in grams))):
            found = clusters[index]
            if any(other.doc == item.doc for other in found.items):
                continue
            score = max(similarity(item.key, other.key) for other in found.items)
            if score > best_score or (best is None and score == best_score):
                best, best_score = index, score
        if best is None:
            best = len(clusters)
            clusters.append(Cluster())
        clusters[best].items.append(item)
        for gram in grams:
            by_gram[gram].add(best)
    return clusters
