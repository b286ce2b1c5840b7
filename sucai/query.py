"""Reading what a user typed into the search box, leniently.

Syntax: terms separated by spaces must all occur (but Chinese characters typed one by one with spaces
between them are one word: "基 层 减 负" is 基层减负, unless an OR touches them); ``"…"`` (or “…”) keeps spaces inside one term; ``-term`` excludes; ``A OR B`` (also ``A | B``) accepts either.
Nothing a user types raises: what cannot be read as syntax is read as text and
reported in ``warnings`` (in Chinese, for the search page).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from . import analysis

_TOKEN = re.compile(r'(-?)"([^"]*)("?)|(\S+)')
_SYNTAX_FOLD = str.maketrans({"“": '"', "”": '"', "＂": '"', "－": "-", "｜": "|"})
_OR = {"OR", "|"}


@dataclass
class ParsedQuery:
    """``groups``: every group must match, a group matches when any of its terms does.

    Terms are normalised (:func:`sucai.analysis.normalize`), non-empty, and listed once.
    """

    groups: list[list[str]] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def terms(self) -> list[str]:
        """All positive terms, in the order typed."""
        return [t for group in self.groups for t in group]

    @property
    def empty(self) -> bool:
        return not self.groups and not self.excluded


def parse_query(text: str, max_chars: int = 500) -> ParsedQuery:
    """Parse a search-box string; never raises (see the module docstring)."""
    parsed = ParsedQuery()
    if len(text) > max_chars:
        parsed.warnings.append(f"查询过长，只使用前 {max_chars} 个字符")
        text = text[:max_chars]
    pending_or = False
    for negated, quoted, closed, bare in _spaced_words(_tokens(text.translate(_SYNTAX_FOLD), parsed), parsed):
        if bare in _OR and not quoted:
            if not parsed.groups or pending_or:
                parsed.warnings.append(f"“{bare}” 两边需要有检索词，已忽略")
            pending_or = bool(parsed.groups)
            continue
        term = analysis.normalize(quoted if quoted is not None else bare)
        if not term:
            if negated:
                parsed.warnings.append("“-” 后面需要跟要排除的词，已忽略")
            continue
        if negated:
            parsed.excluded.append(term)
        elif pending_or:
            parsed.groups[-1].append(term)
        else:
            parsed.groups.append([term])
        pending_or = False
    if pending_or:
        parsed.warnings.append("“OR” 后面缺少检索词，已忽略")
    parsed.groups = _dedupe_groups(parsed.groups)
    return parsed


def _tokens(text: str, parsed: ParsedQuery):
    """Yield ``(negated, quoted_text_or_None, closed, bare_text)`` for each token."""
    for m in _TOKEN.finditer(text):
        if m.group(4) is not None:
            bare = m.group(4)
            if bare.startswith("-") and len(bare) > 1:
                yield True, None, True, bare[1:]
            elif bare == "-":
                yield True, None, True, ""
            else:
                yield False, None, True, bare
            continue
        if not m.group(3):
            parsed.warnings.append("引号没有闭合，已把引号后的内容当作一个词")
        yield bool(m.group(1)), m.group(2), bool(m.group(3)), m.group(2)


def _spaced_words(tokens, parsed: ParsedQuery):
    """Join each run of two or more bare one-character Han tokens into one token: a word typed, or pasted from
    a PDF, with spaces between its characters ("基 层 减 负" is 基层减负, as the same spacing in a document's
    text is), reported in ``warnings``. A run that an ``OR`` touches (one before its first token or after its
    last) is left as it was typed, one term per character: in "市 县 OR 乡" the user wrote syntax, 市 and
    (县 or 乡). Other tokens pass as they are."""
    run: list[tuple] = []
    after_or = False

    def flush(before_or: bool):
        joined = len(run) > 1 and not after_or and not before_or
        if joined:
            words = [token[3] for token in run]
            parsed.warnings.append(f"已把“{' '.join(words)}”当作一个词“{''.join(words)}”检索")
            yield False, None, True, "".join(words)
        else:
            yield from run
        run.clear()

    for token in tokens:
        negated, quoted, _, bare = token
        if not negated and quoted is None and len(bare) == 1 and unicodedata.name(bare, "").startswith("CJK UNIFIED"):
            run.append(token)
            continue
        is_or = not negated and quoted is None and bare in _OR
        yield from flush(before_or=is_or)
        after_or = is_or
        yield token
    yield from flush(before_or=False)


def _dedupe_groups(groups: list[list[str]]) -> list[list[str]]:
    seen: set[tuple[str, ...]] = set()
    out = []
    for group in groups:
        key = tuple(dict.fromkeys(group))
        if key not in seen:
            seen.add(key)
            out.append(list(key))
    return out


# Words that ask rather than name what is sought, and function words: a document answering
# "外国人在中国工作需要办理什么手续" need not hold 什么, 需要 or 在. Ranked mode with
# ``Ranking.question_words`` leaves them out of a term's partial matches (word and bigram
# clauses); they still count in its verbatim match.
QUESTION_WORDS = frozenset(
    "如何 怎样 怎么 怎么样 怎么办 哪些 哪个 哪种 哪几 哪几个 哪里 哪 什么 什么样 是否 能否 可否 为什么 为何 "
    "多少 多久 多长 多大 是不是 有没有 能不能 由谁 由谁来 请问 几 谁 吗 呢 "
    "需要 要 会 能 可以 应该 应当 是 在 有 的 了".split()
)


def content_pieces(term: str) -> list[str]:
    """The runs of ``term`` between its question and function words (:data:`QUESTION_WORDS`,
    where the segmenter :func:`sucai.analysis.word_spans` cuts one out whole), in order:
    "外国人在中国工作需要办理什么手续" → ``["外国人", "中国工作", "办理", "手续"]``;
    ``[term]`` when nothing else is left. Linear in the term; never raises."""
    pieces, kept = [], 0
    for start, end in analysis.word_spans(term):
        if term[start:end] in QUESTION_WORDS:
            pieces.append(term[kept:start])
            kept = end
    pieces = [p for p in [*pieces, term[kept:]] if p.strip()]
    return pieces or [term]
