"""Lines of a text with their offsets, for the rules that look at the head or the tail of a document."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

HAN = "\u3400-\u4dbf\u4e00-\u9fff"
SPACE = " \t\u3000\xa0"


@dataclass(frozen=True)
class Line:
    """A non-blank line: ``text`` stripped of surrounding spaces, ``start``/``end`` its offsets (characters)."""

    text: str
    start: int
    end: int


def lines(text: str, start: int = 0, end: int | None = None) -> Iterator[Line]:
    """The non-blank lines of ``text[start:end]`` in order, offsets into ``text``."""
    stop = len(text) if end is None else min(end, len(text))
    pos = start
    while pos < stop:
        newline = text.find("\n", pos, stop)
        line_end = stop if newline < 0 else newline
        raw = text[pos:line_end]
        stripped = raw.strip(SPACE)
        if stripped:
            lead = len(raw) - len(raw.lstrip(SPACE))
            yield Line(stripped, pos + lead, pos + lead + len(stripped))
        pos = line_end + 1


def head(text: str, count: int, start: int = 0, window: int = 4000) -> list[Line]:
    """The first ``count`` non-blank lines from ``start`` (looking at most ``window`` characters on)."""
    found = []
    for line in lines(text, start, min(len(text), start + window)):
        found.append(line)
        if len(found) == count:
            break
    return found


def tail(text: str, count: int, start: int = 0, window: int = 2000) -> list[Line]:
    """The last ``count`` non-blank lines after ``start`` (looking at most ``window`` characters back)."""
    found: list[Line] = []
    limit = max(start, len(text) - window)
    end = len(text)
    while end > limit and len(found) < count:
        line_start = max(text.rfind("\n", limit, end) + 1, limit)
        if line_start == limit and limit > start and text[limit - 1] != "\n":
            break  # a line cut by the window
        found.extend(lines(text, line_start, end))
        end = line_start - 1
    return found[::-1]


def holds(text: str, words: Iterable[str], start: int, end: int) -> bool:
    """Whether one of ``words`` stands in ``text[start:end]`` — scans in C, which a search for a pattern whose every
    match holds one of them is spared on a text without (one opening with a line start has re try every character)."""
    return any(text.find(word, start, end) >= 0 for word in words)
