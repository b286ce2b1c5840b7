"""What a member keeps: saved searches (订阅), favourites in named folders (收藏夹) with notes,
and the reading and download history (浏览/下载记录).

Per-user data, stored in the accounts database (tables of their own in
:mod:`sucai.db.schema`, removed with the account) through :class:`Collections`,
which holds every statement of this capability (SQLAlchemy Core: SQLite or PostgreSQL).

A saved search keeps the search's parameters (query, mode, scope, heading and
the 文种/年份/来源 filters) and ``seen_at``, the time its owner last opened it:
the documents added since then that match are its *new* matches (新 N). Its
Atom feed is reached through a secret token in the URL (``/feeds/saved/<token>.atom``,
256 random bits): only the token's SHA-256 is stored, so the URL is shown once,
when the feed is made; making it again revokes the old URL, and the owner can
revoke it outright.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select

from .accounts import Accounts, Viewer, token_hash
from .clean import plain
from .db import retried, utc_stamp
from .db.schema import document_stats, favourites, folders, history, saved_searches, users
from .errors import InvalidInput, NotFound, Unauthorized
from .query import parse_query
from .search import SearchRequest

SEARCH_FIELDS = ("q", "mode", "scope", "heading", "genre", "year", "source")
MAX_SAVED = 100        # saved searches per account
MAX_FOLDERS = 100      # folders per account
MAX_NOTE_CHARS = 500
HISTORY_KEPT = 1000    # newest history entries kept per account
FEED_PREFIX = "sf_"

@dataclass(frozen=True)
class SavedSearch:
    """A saved search: ``params`` are the search's fields (:data:`SEARCH_FIELDS`, None when not set)."""

    id: int
    user_id: int
    name: str
    params: dict
    created_at: str
    seen_at: str
    has_feed: bool

    def request(self, **extra) -> SearchRequest:
        """The search as a :class:`SearchRequest` (``extra`` overrides: ids, limit, page…)."""
        fields = {k: v for k, v in self.params.items() if v not in (None, "")}
        return SearchRequest(**{**fields, "facets": False, **extra})

    def query_string(self) -> dict:
        """The parameters for a ``/search`` URL."""
        return {k: v for k, v in self.params.items() if v not in (None, "")}


@dataclass(frozen=True)
class Folder:
    id: int
    name: str
    count: int
    created_at: str


@dataclass(frozen=True)
class Favourite:
    folder_id: int
    doc_id: int
    note: str
    added_at: str


def _name(raw: str, what: str, most: int = 60) -> str:
    """A folder's or a saved search's name as typed: one line (:func:`sucai.clean.plain`: no control characters —
    PostgreSQL's text holds no NUL —, no terminal escapes), its white space runs one space. Raises InvalidInput
    (``bad_name``) unless it is then 1 to ``most`` characters."""
    name = " ".join(plain(raw or "").split())
    if not 1 <= len(name) <= most:
        raise InvalidInput(f"{what}应为 1–{most} 个字符", code="bad_name")
    return name


class Collections:
    """Saved searches, favourites and history, in the database of ``accounts`` (same connection and lock)."""

    def __init__(self, accounts: Accounts):
        self.accounts = accounts

    def _read(self, query) -> list:
        return self.accounts._read(query)

    @staticmethod
    def _owner(viewer: Viewer) -> int:
        if viewer.user_id is None:
            raise Unauthorized("请先登录", code="login_required")
        return viewer.user_id

    # -- saved searches ----------------------------------------------------

    def save_search(self, viewer: Viewer, name: str, params: dict) -> SavedSearch:
        """Save a search for ``viewer``; its new matches count from now. A query with nothing to search for (white
        space or invisible characters alone — U+200B, U+FEFF —, as :func:`sucai.query.parse_query` reads it) is
        none, and a search needs a query or a filter (:attr:`~sucai.search.SearchRequest.narrowed`, as a zip of a
        search does). Raises Unauthorized (``login_required``), InvalidInput (``bad_name``, ``empty_search``: neither a query
        nor a filter, ``too_many``)."""
        owner = self._owner(viewer)
        kept = {k: v.strip() or None if isinstance(v, str) else v for k in SEARCH_FIELDS for v in [params.get(k)]}
        if not SearchRequest(**kept).narrowed:
            raise InvalidInput("请先输入检索词或选择筛选条件，再保存检索", code="empty_search")
        if parse_query(kept["q"] or "").empty:   # nothing to search for: invisible characters alone, "-", "OR"
            kept["q"] = None
        name = _name(name or str(kept.get("q") or kept.get("genre") or "检索"), "名称")
        return self.saved_search(viewer, self._insert_search(owner, name, kept))

    @retried
    def _insert_search(self, owner: int, name: str, params: dict) -> int:
        now = utc_stamp()
        with self.accounts.transaction() as conn:
            if conn.execute(select(func.count()).where(saved_searches.c.user_id == owner)).scalar_one() >= MAX_SAVED:
                raise InvalidInput(f"最多保存 {MAX_SAVED} 个检索", code="too_many")
            return conn.execute(saved_searches.insert().values(
                user_id=owner, name=name, params=json.dumps(params, ensure_ascii=False), created_at=now, seen_at=now)
                .returning(saved_searches.c.id)).scalar_one()

    @retried
    def _write(self, statement) -> int:
        """Run one writing statement in a transaction of its own; the rows it touched."""
        with self.accounts.transaction() as conn:
            return conn.execute(statement).rowcount

    def saved_searches(self, viewer: Viewer) -> list[SavedSearch]:
        rows = self._read(_SAVED.where(saved_searches.c.user_id == self._owner(viewer))
                          .order_by(saved_searches.c.id.desc()))
        return [_saved(row) for row in rows]

    def saved_search(self, viewer: Viewer, search_id: int) -> SavedSearch:
        """One of ``viewer``'s saved searches. Raises NotFound (``saved_search_not_found``), also for another's."""
        rows = self._read(_SAVED.where(saved_searches.c.id == search_id,
                                       saved_searches.c.user_id == self._owner(viewer)))
        if not rows:
            raise NotFound("没有这个已保存的检索", code="saved_search_not_found")
        return _saved(rows[0])

    def mark_seen(self, viewer: Viewer, search_id: int, at: str | None = None) -> None:
        """The owner opened the search: its new matches count from ``at`` (default now) on."""
        self.saved_search(viewer, search_id)
        self._write(saved_searches.update().where(saved_searches.c.id == search_id).values(seen_at=at or utc_stamp()))

    def delete_search(self, viewer: Viewer, search_id: int) -> None:
        self.saved_search(viewer, search_id)
        self._write(saved_searches.delete().where(saved_searches.c.id == search_id))

    def new_feed_token(self, viewer: Viewer, search_id: int) -> str:
        """A new secret feed token for the saved search (the old one stops working); shown once."""
        self.saved_search(viewer, search_id)
        token = FEED_PREFIX + secrets.token_urlsafe(32)
        self._write(saved_searches.update().where(saved_searches.c.id == search_id)
                    .values(feed_hash=token_hash(token), feed_created_at=utc_stamp()))
        return token

    def revoke_feed(self, viewer: Viewer, search_id: int) -> None:
        self.saved_search(viewer, search_id)
        self._write(saved_searches.update().where(saved_searches.c.id == search_id)
                    .values(feed_hash=None, feed_created_at=None))

    def search_for_feed(self, token: str) -> SavedSearch:
        """The saved search whose feed token this is. Raises NotFound (``feed_not_found``) when unknown or revoked."""
        if not isinstance(token, str) or not token.startswith(FEED_PREFIX) or len(token) > 100:
            raise NotFound("订阅地址无效或已失效", code="feed_not_found")
        rows = self._read(_SAVED.where(saved_searches.c.feed_hash == token_hash(token)))
        if not rows:
            raise NotFound("订阅地址无效或已失效", code="feed_not_found")
        return _saved(rows[0])

    # -- favourites --------------------------------------------------------

    def folders(self, viewer: Viewer) -> list[Folder]:
        f, v = folders.c, favourites.c
        rows = self._read(select(f.id, f.name, func.count(v.doc_id), f.created_at)
                          .select_from(folders.outerjoin(favourites, v.folder_id == f.id))
                          .where(f.user_id == self._owner(viewer)).group_by(f.id, f.name, f.created_at).order_by(f.id))
        return [Folder(*row) for row in rows]

    def folder(self, viewer: Viewer, folder_id: int) -> Folder:
        """One of ``viewer``'s folders. Raises NotFound (``folder_not_found``), also for another's."""
        for folder in self.folders(viewer):
            if folder.id == folder_id:
                return folder
        raise NotFound("没有这个收藏夹", code="folder_not_found")

    def add_favourite(self, viewer: Viewer, doc_id: int, folder: str, note: str = "") -> Folder:
        """Put document ``doc_id`` into ``viewer``'s folder named ``folder`` (made when new), with ``note``;
        a document already there gets the new note. Raises InvalidInput (``bad_name``, ``bad_note``, ``too_many``)."""
        owner = self._owner(viewer)
        name = _name(folder or "默认收藏夹", "收藏夹名称", 40)
        return self.folder(viewer, self._put_favourite(owner, doc_id, name, _note(note)))

    @retried
    def _put_favourite(self, owner: int, doc_id: int, name: str, note: str) -> int:
        now = utc_stamp()
        with self.accounts.transaction() as conn:
            folder_id = conn.execute(select(folders.c.id).where(folders.c.user_id == owner,
                                                                folders.c.name == name)).scalar()
            if folder_id is None:
                if conn.execute(select(func.count()).where(folders.c.user_id == owner)).scalar_one() >= MAX_FOLDERS:
                    raise InvalidInput(f"最多建 {MAX_FOLDERS} 个收藏夹", code="too_many")
                folder_id = conn.execute(folders.insert().values(user_id=owner, name=name, created_at=now)
                                         .returning(folders.c.id)).scalar_one()
            upsert = self.accounts.db.insert(favourites, update=("folder_id", "doc_id"))
            conn.execute(upsert.values(folder_id=folder_id, doc_id=doc_id, note=note, added_at=now))
            return folder_id

    def favourites(self, viewer: Viewer, folder_id: int) -> list[Favourite]:
        """The documents of one of ``viewer``'s folders, newest first. Raises NotFound."""
        self.folder(viewer, folder_id)
        v = favourites.c
        rows = self._read(select(v.folder_id, v.doc_id, v.note, v.added_at).where(v.folder_id == folder_id)
                          .order_by(v.added_at.desc(), v.doc_id.desc()))
        return [Favourite(*row) for row in rows]

    def folders_holding(self, viewer: Viewer, doc_id: int) -> list[Folder]:
        """``viewer``'s folders that hold ``doc_id``."""
        ids = {row[0] for row in self._read(
            select(favourites.c.folder_id).join(folders, folders.c.id == favourites.c.folder_id)
            .where(folders.c.user_id == self._owner(viewer), favourites.c.doc_id == doc_id))}
        return [f for f in self.folders(viewer) if f.id in ids]

    def set_note(self, viewer: Viewer, folder_id: int, doc_id: int, note: str) -> None:
        self.folder(viewer, folder_id)
        if not self._write(favourites.update().where(favourites.c.folder_id == folder_id,
                                                     favourites.c.doc_id == doc_id).values(note=_note(note))):
            raise NotFound("收藏夹里没有这篇文档", code="favourite_not_found")

    def remove_favourite(self, viewer: Viewer, folder_id: int, doc_id: int) -> None:
        self.folder(viewer, folder_id)
        self._write(favourites.delete().where(favourites.c.folder_id == folder_id, favourites.c.doc_id == doc_id))

    def delete_folder(self, viewer: Viewer, folder_id: int) -> None:
        self.folder(viewer, folder_id)
        self._write(folders.delete().where(folders.c.id == folder_id))   # its favourites go with it (cascade)

    # -- history -----------------------------------------------------------

    @retried
    def forget(self, doc_ids: list[int]) -> int:
        """Delete what the accounts keep of these documents, removed from the catalogue — their favourites, history
        entries and per-day counts of reads and downloads (``document_stats``, :mod:`sucai.analytics`) —, in one
        transaction; returns how many rows went."""
        with self.accounts.transaction() as conn:
            return sum(conn.execute(table.delete().where(table.c.doc_id.in_(doc_ids))).rowcount
                       for table in (favourites, history, document_stats))

    def documents_kept(self) -> set[int]:
        """The ids of the documents that favourites, history entries or counts of reads and downloads name."""
        return {doc_id for table in (favourites, history, document_stats)
                for (doc_id,) in self._read(select(table.c.doc_id).distinct())}

    @retried
    def record_history(self, entries: list[tuple[int, int, str, str]]) -> None:
        """Append ``(user_id, doc_id, kind, at)`` entries (kind ``read`` or ``download``) in one transaction;
        each account keeps its newest :data:`HISTORY_KEPT`. Entries of removed accounts are dropped."""
        if not entries:
            return
        with self.accounts.transaction() as conn:
            live = set(conn.execute(select(users.c.id).where(users.c.id.in_({u for u, *_ in entries}))).scalars())
            rows = [{"user_id": u, "doc_id": d, "kind": k, "at": a} for u, d, k, a in entries if u in live]
            if rows:
                conn.execute(history.insert(), rows)
            for user in live:
                newest = select(history.c.id).where(history.c.user_id == user).order_by(history.c.id.desc()) \
                    .limit(HISTORY_KEPT).scalar_subquery()
                conn.execute(history.delete().where(history.c.user_id == user, history.c.id.not_in(newest)))

    def history(self, viewer: Viewer, kind: str | None = None, limit: int = 200) -> list[dict]:
        """``viewer``'s history, newest first: ``{"doc_id", "kind", "at"}``; one kind or both."""
        query = select(history.c.doc_id, history.c.kind, history.c.at).where(history.c.user_id == self._owner(viewer))
        if kind is not None:
            query = query.where(history.c.kind == kind)
        rows = self._read(query.order_by(history.c.id.desc()).limit(max(1, min(limit, HISTORY_KEPT))))
        return [{"doc_id": d, "kind": k, "at": a} for d, k, a in rows]


NEW_SCAN = 10_000   # newest documents looked at for the new matches of a saved search


def new_matches(library, saved: SavedSearch, member: bool) -> list[int]:
    """Ids of the documents added since the owner last opened ``saved`` (``seen_at``) that match it for a
    viewer with or without the member tier, best first (at most the :data:`NEW_SCAN` newest are looked at)."""
    rows = library.catalogue.added_since(saved.seen_at, NEW_SCAN)
    if not rows:
        return []
    return library.matching_ids(saved.request(ids=[i for i, _ in rows]), member=member, limit=len(rows))[1]


_SAVED = select(saved_searches.c.id, saved_searches.c.user_id, saved_searches.c.name, saved_searches.c.params,
                saved_searches.c.created_at, saved_searches.c.seen_at, saved_searches.c.feed_hash.is_not(None))


def _saved(row: tuple) -> SavedSearch:
    search_id, user_id, name, params, created, seen, has_feed = row
    return SavedSearch(search_id, user_id, name, json.loads(params), created, seen, bool(has_feed))


def _note(note: str) -> str:
    """A favourite's note as typed, one line as :func:`_name` keeps one. Raises InvalidInput (``bad_note``) past
    :data:`MAX_NOTE_CHARS` characters."""
    note = plain(note or "").strip()
    if len(note) > MAX_NOTE_CHARS:
        raise InvalidInput(f"备注最多 {MAX_NOTE_CHARS} 个字", code="bad_note")
    return note
