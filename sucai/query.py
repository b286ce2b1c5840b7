"""Reading what a user typed into the search box, leniently.

Syntax: terms separated by spaces must all occur; ``"…"`` (or “…”) keeps spaces
inside one term; ``-term`` excludes; ``A OR B`` (also ``A | B``) accepts either.
Nothing a user types raises: what cannot be read as syntax is read as text and
reported in ``warnings`` (in Chinese, for the search page).
"""

from __future__ import annotations

import re
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
    for negated, quoted, closed, bare in _tokens(text.translate(_SYNTAX_FOLD), parsed):
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


def _dedupe_groups(groups: list[list[str]]) -> list[list[str]]:
    seen: set[tuple[str, ...]] = set()
    out = []
    for group in groups:
        key = tuple(dict.fromkeys(group))
        if key not in seen:
            seen.add(key)
            out.append(list(key))
    return out
