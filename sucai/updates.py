"""今日更新: what was added to the library, per day and per 文种, as a viewer sees it.

A document is *added* when it is first stored (``ingested_at``, UTC); days are
the site's local days (the ``timezone`` setting, Asia/Shanghai by default), so
"today" starts at local midnight. Hidden documents are never listed. Titles,
文种 and dates are the viewer's: a viewer without the member tier gets those of
:func:`sucai.access.free_view`, so nothing here shows what only the members part
says. The 字数 is the whole document's (as everywhere else: a count, no members text). At most
:data:`MAX_DAYS` days are looked back.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone, tzinfo

from . import access
from .config import day_start, local_time, parse_day
from .errors import BadValue, InvalidInput
from .metadata.genres import listed_genre
from .model import Document

MAX_DAYS = 31
MAX_DOCUMENTS = 100


@dataclass
class Added:
    """A document as listed among the updates: the viewer's metadata, when it was added (``added_at``,
    UTC ISO) and that time on the site's clock (``added_local``, ``YYYY-MM-DD HH:MM``)."""

    id: int
    title: str
    genre: str
    chars: int
    date: str | None
    source: str | None
    has_member_part: bool
    added_at: str
    added_local: str

    @classmethod
    def of(cls, doc: Document, view: Document, added_at: str, zone: tzinfo) -> Added:
        """``doc`` listed with the metadata of ``view`` (the viewer's: ``doc`` itself or its free view) and the
        字数 of the whole document (``doc.counted_chars``, as search hits and the document page show it)."""
        return cls(doc.id, view.title, view.genre, doc.counted_chars, view.date, view.source,
                   view.paid_from is not None, added_at, local_time(added_at, zone, "minutes"))


@dataclass
class Updates:
    """What was added from ``since`` (a local day) to now: ``days`` newest first, each
    ``{"date", "count", "by_genre": {文种: count}}``; ``documents`` the newest ``limit``."""

    since: str
    today: str
    today_count: int
    total: int
    days: list[dict]
    documents: list[Added]
    warnings: list[str] = field(default_factory=list)
    genre: str | None = None   # the 文种 listed alone (:func:`~sucai.metadata.genres.listed_genre`), None for all


def parse_since(raw: str | None, zone: tzinfo, today: date) -> datetime:
    """``since`` as typed: a date (from local midnight; as :func:`sucai.config.parse_day` reads one, the forms
    every date of sucai takes: 2026-11-01, 2026年11月1日, 今天, 昨天), a number of days N (the last N days, today included), an
    ISO date-time, or nothing (today). Raises InvalidInput (``bad_since``) for anything else, in words of its own: what
    was typed is not said back (the page would show a stranger's link's words as the site's)."""
    if raw is None or not raw.strip():
        return day_start(today, zone)
    text = raw.strip()
    if text.isascii() and text.isdigit() and len(text) <= 4:
        return day_start(today - timedelta(days=max(1, int(text)) - 1), zone)
    with suppress(BadValue):
        return day_start(parse_day(text, today), zone)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"since 应写作日期（如 {today.isoformat()}、{today.year}年{today.month}月{today.day}日、今天或昨天）、"
                           f"最近的天数（如 7）或带时区的时间（如 {today.isoformat()}T08:00:00+08:00）",
                           code="bad_since") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def added_since(library, since: datetime) -> list[tuple[int, str]]:
    """``(id, added_at)`` of the visible documents added at or after ``since`` (an aware datetime), newest first.
    A ``since`` before the first moment UTC can write — local midnight of 0001-01-01 in a zone east of UTC, which
    ``sync --since`` takes — is every document, one after its last (``9999-12-31T23:00-05:00``, a 今日更新 ``since``)
    none (each raised OverflowError)."""
    return library.catalogue.added_since(utc_stamp(since))


def utc_stamp(since: datetime) -> str:
    """``since`` (an aware datetime) as the ISO UTC timestamp ``ingested_at`` is compared with: one before the first
    moment UTC can write is that moment, one after its last that one (see :func:`added_since`)."""
    return min(max(since, _FIRST_MOMENT), _LAST_MOMENT).astimezone(timezone.utc).isoformat(timespec="seconds")


_FIRST_MOMENT, _LAST_MOMENT = datetime.min.replace(tzinfo=timezone.utc), datetime.max.replace(tzinfo=timezone.utc)


def viewer_documents(library, ids: list[int], member: bool, include_hidden: bool = False) -> dict[int, Document]:
    """The documents with these ids as the viewer sees them (text, title, 文种… of the free view
    for a viewer without the member tier), by id; hidden ones (and missing ids) left out unless
    ``include_hidden`` (admins). Outlines and elements are not read."""
    return {doc.id: _view(doc, member) for doc in _documents(library, ids) if include_hidden or not doc.hidden}


def _view(doc: Document, member: bool) -> Document:
    return doc if member else access.free_view(doc)


def _documents(library, ids) -> Iterator[Document]:
    """The whole documents with these ids (hidden ones too, missing ids left out), read :data:`_CHUNK` at a time
    (bounded IN lists) without outlines and elements; a chunk is read only when the one before it is used up."""
    ids = list(ids)
    for start in range(0, len(ids), _CHUNK):
        yield from library.catalogue.documents(ids[start:start + _CHUNK], outline=False)


def updates(library, *, member: bool, since: str | None = None, genre: str | None = None,
            limit: int = 20, now: datetime | None = None) -> Updates:
    """What was added since ``since`` (see :func:`parse_since`; at most :data:`MAX_DAYS` days back),
    for a viewer with or without the member tier; ``genre`` keeps one 文种 (the viewer's).

    Raises InvalidInput (``bad_since``) for an unreadable ``since``, (``bad_genre``) for a ``genre`` no 文种 has.
    """
    genre = listed_genre(genre)
    zone = library.settings.zone
    now = (now or datetime.now(timezone.utc)).astimezone(zone)
    today = now.date()
    start, warnings = parse_since(since, zone, today), []
    earliest = window_start(zone, now)
    if start < earliest:
        start = earliest
        warnings.append(f"最多查看最近 {MAX_DAYS} 天的更新，已从 {earliest.date().isoformat()} 起")
    after = utc_stamp(start)
    listed = [item for item in recent(library, member, earliest)
              if item.added_at >= after and (not genre or item.genre == genre)]
    by_day: dict[str, Counter] = {}
    for item in listed:
        by_day.setdefault(local_time(item.added_at, zone, "days"), Counter())[item.genre] += 1
    days = [{"date": day, "count": sum(c.values()), "by_genre": dict(c.most_common())} for day, c in by_day.items()]
    today_count = sum(d["count"] for d in days if d["date"] == today.isoformat())
    return Updates(start.date().isoformat(), today.isoformat(), today_count, len(listed), days,
                   listed[: max(1, min(limit, MAX_DOCUMENTS))], warnings, genre)


def recent(library, member: bool, earliest: datetime) -> list[Added]:
    """The visible documents added since ``earliest`` (an aware datetime), newest first, listed for a viewer with or
    without the member tier. Kept in the library's :attr:`~sucai.library.Library.results` until the catalogue
    changes (:meth:`~sucai.store.Catalogue.change_count`: an addition, edit, hiding or removal, by any process) or
    ``earliest`` moves (a new day): listing reads every document of the window whole (0.3 s of CPU for 1,559 laws
    added in a month, every request of a visitor's ``/api/updates?since=31`` or 文种 feed). Shared: read-only."""
    key = ("recent", member, library.catalogue.change_count(), earliest.isoformat())   # the count before the rows
    return library.results.get(key, lambda: _listed(library, member, earliest))[0]


def _listed(library, member: bool, earliest: datetime) -> list[Added]:
    zone = library.settings.zone
    rows = added_since(library, earliest)
    docs = {doc.id: (doc, _view(doc, member)) for doc in _documents(library, [i for i, _ in rows]) if not doc.hidden}
    return [Added.of(*docs[i], at, zone) for i, at in rows if i in docs]


def window_start(zone: tzinfo, now: datetime | None = None) -> datetime:
    """The first moment 今日更新 and the updates feed look back to: local midnight :data:`MAX_DAYS` − 1 days before
    today (``now``'s day, default now) on the clock of ``zone``."""
    today = (now or datetime.now(timezone.utc)).astimezone(zone).date()
    return day_start(today - timedelta(days=MAX_DAYS - 1), zone)


def newest_added(library, limit: int, rows: list[tuple[int, str]] | None = None) -> list[tuple[str, Document]]:
    """The newest ``limit`` documents added since :func:`window_start` (or of ``rows``, ``(id, added_at)`` newest
    first), as ``(added_at, document)``; whole documents (callers show them through :mod:`sucai.access`), read a
    chunk at a time."""
    if rows is None:
        rows = added_since(library, window_start(library.settings.zone))
    found: list[tuple[str, Document]] = []
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start:start + _CHUNK]
        docs = {d.id: d for d in library.catalogue.documents([i for i, _ in chunk], outline=False)}
        found += [(at, docs[i]) for i, at in chunk if i in docs]
        if len(found) >= limit:
            break
    return found[:limit]


_CHUNK = 200


def added_today(library, now: datetime | None = None) -> int:
    """How many visible documents were added today (the site's local day)."""
    zone = library.settings.zone
    today = (now or datetime.now(timezone.utc)).astimezone(zone).date()
    return len(added_since(library, day_start(today, zone)))
