"""Dates: 成文日期 and publication dates as written in Chinese documents, read into ISO form.

Written forms read: ``2023年12月5日`` (also ``5号``, full-width digits, spaces),
``二〇二三年十二月五日`` (the Chinese numerals of 成文日期 before GB/T 9704-2012, whose
§7.3.5.4 writes them in Arabic digits, and of 题注 such as "（一九四二年二月八日）"), ``2023-12-05`` / ``2023.12.05``
/ ``2023/12/05``, and — only where the context says it is a date (titles, file
names) — ``20231205`` and a bare year ``2024年``, but not the years of a period
(``（2018—2035年）``, ``2021至2025年``: the span a plan covers, not when it was
written). A date is ISO ``YYYY-MM-DD``,
or ``YYYY-MM`` / ``YYYY`` when the writing says no more; impossible dates
(2023年2月30日) are not dates.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..numerals import cn_digits, cn_int

_YEAR = r"(?:19|20)\d{2}"
_CN_DIGIT = "〇零○Ｏ0一二三四五六七八九"
DATE = re.compile(
    rf"(?<!\d)(?P<y>{_YEAR})\s*年\s*(?P<m>\d{{1,2}})\s*月(?:\s*(?P<d>\d{{1,2}})\s*[日号])?"
    rf"|(?P<cy>[{_CN_DIGIT}]{{4}})\s*年\s*(?P<cm>十[一二]?|[一二三四五六七八九])\s*月"
    rf"(?:\s*(?P<cd>[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])\s*日)?"
    rf"|(?<![\d.])(?P<ny>{_YEAR})(?P<sep>[-./／])(?P<nm>\d{{1,2}})(?P=sep)(?P<nd>\d{{1,2}})(?![\d.])"
)
# Only where the context makes it a date: a title "(20250224)", a file name "20250224.md", "2024年政府工作报告".
COMPACT = re.compile(rf"(?<!\d)(?P<y>{_YEAR})(?P<m>[01]\d)(?P<d>[0-3]\d)(?!\d)")
YEAR = re.compile(rf"(?<!\d)(?P<y>{_YEAR})(?:\s*年(?!\s*\d{{1,2}}\s*月)|(?=[_\-\s]|$))")
# A period, "2018—2035年", "2021年至2025年", "2023-2024学年": neither of its years is a date.
PERIOD = re.compile(rf"(?<!\d){_YEAR}\s*年?\s*(?:[-—–－―~～〜]+|至|到)\s*{_YEAR}(?!\d)")


@dataclass(frozen=True)
class Found:
    """A date found in a string: ISO ``value`` and the span ``[start, end)`` it was written at."""

    value: str
    start: int
    end: int

    @property
    def precision(self) -> int:
        """3 for a day, 2 for a month, 1 for a year."""
        return self.value.count("-") + 1


def iso(year: int, month: int | None = None, day: int | None = None) -> str | None:
    """ISO form of a (partial) date, or None when it is not a real date (month 13, 30 February…)."""
    if not 1900 <= year <= 2100:
        return None
    if month is None:
        return f"{year:04d}"
    if not 1 <= month <= 12:
        return None
    if day is None:
        return f"{year:04d}-{month:02d}"
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return None


def _value(m: re.Match[str]) -> str | None:
    if m.group("y"):
        return iso(int(m.group("y")), int(m.group("m")), int(m.group("d")) if m.group("d") else None)
    if m.group("cy"):
        day = m.group("cd")
        return iso(cn_digits(m.group("cy")), cn_int(m.group("cm")), cn_int(day) if day else None)
    return iso(int(m.group("ny")), int(m.group("nm")), int(m.group("nd")))


def dates(text: str, start: int = 0, end: int | None = None) -> Iterator[Found]:
    """Every date written in ``text[start:end]`` (forms of :data:`DATE`), in order, offsets into
    ``text``. Full-width digits count."""
    end = len(text) if end is None else min(end, len(text))
    folded = _fold_digits(text[start:end])
    for m in DATE.finditer(folded):
        value = _value(m)
        if value:
            yield Found(value, start + m.start(), start + m.end())


def context_dates(text: str) -> Iterator[Found]:
    """Dates in a title or a file name: the forms of :func:`dates`, then ``20250224``, then a bare
    year ``2024年`` / ``2024_`` outside a period (:data:`PERIOD`) — each span used once, in order of position."""
    folded = _fold_digits(text)
    found = list(dates(folded))
    taken = [(f.start, f.end) for f in found]
    for m in COMPACT.finditer(folded):
        value = iso(int(m.group("y")), int(m.group("m")), int(m.group("d")))
        if value and not _overlaps(m.start(), m.end(), taken):
            found.append(Found(value, m.start(), m.end()))
            taken.append((m.start(), m.end()))
    taken += [m.span() for m in PERIOD.finditer(folded)]
    for m in YEAR.finditer(folded):
        if not _overlaps(m.start(), m.end(), taken):
            found.append(Found(m.group("y"), m.start(), m.end()))
    return iter(sorted(found, key=lambda f: f.start))


def official_day(day: datetime.date) -> str:
    """``day`` as a 公文's 成文日期 is written (GB/T 9704-2012 §7.3.5.4: Arabic digits, the year in full, month and day
    without a leading zero): 2026-12-02 → 「2026年12月2日」."""
    return f"{day.year}年{day.month}月{day.day}日"


def official(text: str) -> str | None:
    """``text`` written as :func:`official_day` writes it when the whole of it is one day (forms of :data:`DATE`):
    「二〇一九年一月二十四日」 and 「2019年01月24日」 → 「2019年1月24日」; None for anything else (a month alone, a date
    inside a sentence)."""
    text = text.strip()
    found = next(dates(text), None)
    if found is None or found.precision < 3 or (found.start, found.end) != (0, len(text)):
        return None
    return official_day(datetime.date.fromisoformat(found.value))


def parse(value: str) -> str | None:
    """ISO form of a date given on its own (HTML metadata "2024-03-05T09:00:00+08:00", "2024年3月5日",
    "20240305"), or None."""
    value = value.strip()
    head = re.match(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]|$)", value)
    if head:
        return iso(int(head.group(1)), int(head.group(2)), int(head.group(3)))
    best = max(context_dates(value), key=lambda f: f.precision, default=None)
    return best.value if best else None


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < b and a < end for a, b in spans)


_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


_HAS_FULL_WIDTH_DIGIT = re.compile("[０-９]")


def _fold_digits(text: str) -> str:
    """Full-width digits as ASCII, keeping every offset (one character for one)."""
    return text.translate(_FULL_WIDTH_DIGITS) if _HAS_FULL_WIDTH_DIGIT.search(text) else text
