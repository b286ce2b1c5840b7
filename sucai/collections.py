"""What a member keeps: saved searches (订阅), favourites in named folders (收藏夹) with notes,
and the reading and download history (浏览/下载记录).

Per-user data, stored in the accounts database (``accounts.sqlite3``; tables of
their own, removed with the account) through :class:`Collections`, which holds
every SQL statement of this capability. The schema has its own version
(``meta.collections_schema_version``), created and migrated in place.

A saved search keeps the search's parameters (query, mode, scope, heading and
the 文种/年份/来源 filters) and ``seen_at``, the time its owner last opened it:
the documents added since then that match are its *new* matches (新 N). Its
Atom feed is reached through a secret token in the URL (``/feeds/saved/<token>.atom``,
256 random bits): only the token's SHA-256 is stored, so the URL is shown once,
when the feed is made; making it again revokes the old URL, and the owner can
revoke it outright.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone

from .accounts import Accounts, Viewer
from .errors import Forbidden, InvalidInput, NotFound
from .search import SearchRequest

SCHEMA_VERSION = 1
SEARCH_FIELDS = ("q", "mode", "scope", "heading", "genre", "year", "source")
MAX_SAVED = 100        # saved searches per account
MAX_FOLDERS = 100      # folders per account
MAX_NOTE_CHARS = 500
HISTORY_KEPT = 1000    # newest history entries kept per account
FEED_PREFIX = "sf_"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS saved_searches (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    params TEXT NOT NULL,
    created_at TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    feed_hash TEXT UNIQUE,
    feed_created_at TEXT
);
CREATE INDEX IF NOT EXISTS saved_searches_user ON saved_searches (user_id);
CREATE TABLE IF NOT EXISTS folders (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (user_id, name)
);
CREATE TABLE IF NOT EXISTS favourites (
    folder_id INTEGER NOT NULL REFERENCES folders (id) ON DELETE CASCADE,
    doc_id INTEGER NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    added_at TEXT NOT NULL,
    PRIMARY KEY (folder_id, doc_id)
);
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    doc_id INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('read', 'download')),
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS history_user ON history (user_id, at);
"""


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


_installed: set[tuple[str, str]] = set()


def install_schema(accounts: Accounts, name: str, schema: str, version: int) -> None:
    """Create (idempotently) the tables of capability ``name`` in the accounts database and record their
    version as ``meta.<name>_schema_version``; done once per database and process."""
    key = (str(accounts.path.resolve()), name)
    if key in _installed:
        return
    with accounts.transaction() as db:
        for statement in schema.split(";"):
            if statement.strip():
                db.execute(statement)
        db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (f"{name}_schema_version", str(version)))
    _installed.add(key)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _name(raw: str, what: str, most: int = 60) -> str:
    name = " ".join((raw or "").split())
    if not 1 <= len(name) <= most:
        raise InvalidInput(f"{what}应为 1–{most} 个字符", code="bad_name")
    return name


class Collections:
    """Saved searches, favourites and history, in the database of ``accounts`` (same connection and lock)."""

    def __init__(self, accounts: Accounts):
        self.accounts = accounts
        install_schema(accounts, "collections", _SCHEMA, SCHEMA_VERSION)

    def _read(self, sql: str, params: tuple = ()) -> list:
        return self.accounts._read(sql, params)

    @staticmethod
    def _owner(viewer: Viewer) -> int:
        if viewer.user_id is None:
            raise Forbidden("请先登录", code="login_required")
        return viewer.user_id

    # -- saved searches ----------------------------------------------------

    def save_search(self, viewer: Viewer, name: str, params: dict) -> SavedSearch:
        """Save a search for ``viewer``; its new matches count from now. Raises Forbidden
        (``login_required``), InvalidInput (``bad_name``, ``empty_search``, ``too_many``)."""
        owner = self._owner(viewer)
        kept = {k: v.strip() or None if isinstance(v, str) else v for k in SEARCH_FIELDS for v in [params.get(k)]}
        if not any(kept.get(k) not in (None, "") for k in ("q", "genre", "year", "source")):
            raise InvalidInput("请先输入检索词或选择筛选条件，再保存检索", code="empty_search")
        name = _name(name or str(kept.get("q") or kept.get("genre") or "检索"), "名称")
        now = _now()
        with self.accounts.transaction() as db:
            if db.execute("SELECT COUNT(*) FROM saved_searches WHERE user_id = ?", (owner,)).fetchone()[0] >= MAX_SAVED:
                raise InvalidInput(f"最多保存 {MAX_SAVED} 个检索", code="too_many")
            cur = db.execute("INSERT INTO saved_searches (user_id, name, params, created_at, seen_at) VALUES (?,?,?,?,?)",
                             (owner, name, json.dumps(kept, ensure_ascii=False), now, now))
        return self.saved_search(viewer, cur.lastrowid)

    def saved_searches(self, viewer: Viewer) -> list[SavedSearch]:
        rows = self._read(f"SELECT {_SAVED} FROM saved_searches WHERE user_id = ? ORDER BY id DESC",
                          (self._owner(viewer),))
        return [_saved(row) for row in rows]

    def saved_search(self, viewer: Viewer, search_id: int) -> SavedSearch:
        """One of ``viewer``'s saved searches. Raises NotFound (``saved_search_not_found``), also for another's."""
        rows = self._read(f"SELECT {_SAVED} FROM saved_searches WHERE id = ? AND user_id = ?",
                          (search_id, self._owner(viewer)))
        if not rows:
            raise NotFound("没有这个已保存的检索", code="saved_search_not_found")
        return _saved(rows[0])

    def mark_seen(self, viewer: Viewer, search_id: int, at: str | None = None) -> None:
        """The owner opened the search: its new matches count from ``at`` (default now) on."""
        self.saved_search(viewer, search_id)
        with self.accounts.transaction() as db:
            db.execute("UPDATE saved_searches SET seen_at = ? WHERE id = ?", (at or _now(), search_id))

    def delete_search(self, viewer: Viewer, search_id: int) -> None:
        self.saved_search(viewer, search_id)
        with self.accounts.transaction() as db:
            db.execute("DELETE FROM saved_searches WHERE id = ?", (search_id,))

    def new_feed_token(self, viewer: Viewer, search_id: int) -> str:
        """A new secret feed token for the saved search (the old one stops working); shown once."""
        self.saved_search(viewer, search_id)
        token = FEED_PREFIX + secrets.token_urlsafe(32)
        with self.accounts.transaction() as db:
            db.execute("UPDATE saved_searches SET feed_hash = ?, feed_created_at = ? WHERE id = ?",
                       (_hash(token), _now(), search_id))
        return token

    def revoke_feed(self, viewer: Viewer, search_id: int) -> None:
        self.saved_search(viewer, search_id)
        with self.accounts.transaction() as db:
            db.execute("UPDATE saved_searches SET feed_hash = NULL, feed_created_at = NULL WHERE id = ?", (search_id,))

    def search_for_feed(self, token: str) -> SavedSearch:
        """The saved search whose feed token this is. Raises NotFound (``feed_not_found``) when unknown or revoked."""
        if not isinstance(token, str) or not token.startswith(FEED_PREFIX) or len(token) > 100:
            raise NotFound("订阅地址无效或已失效", code="feed_not_found")
        rows = self._read(f"SELECT {_SAVED} FROM saved_searches WHERE feed_hash = ?", (_hash(token),))
        if not rows:
            raise NotFound("订阅地址无效或已失效", code="feed_not_found")
        return _saved(rows[0])

    # -- favourites --------------------------------------------------------

    def folders(self, viewer: Viewer) -> list[Folder]:
        rows = self._read("SELECT f.id, f.name, COUNT(v.doc_id), f.created_at FROM folders f"
                          " LEFT JOIN favourites v ON v.folder_id = f.id WHERE f.user_id = ?"
                          " GROUP BY f.id, f.name, f.created_at ORDER BY f.id", (self._owner(viewer),))
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
        note = _note(note)
        now = _now()
        with self.accounts.transaction() as db:
            row = db.execute("SELECT id FROM folders WHERE user_id = ? AND name = ?", (owner, name)).fetchone()
            if row is None:
                if db.execute("SELECT COUNT(*) FROM folders WHERE user_id = ?", (owner,)).fetchone()[0] >= MAX_FOLDERS:
                    raise InvalidInput(f"最多建 {MAX_FOLDERS} 个收藏夹", code="too_many")
                folder_id = db.execute("INSERT INTO folders (user_id, name, created_at) VALUES (?,?,?)",
                                       (owner, name, now)).lastrowid
            else:
                folder_id = row[0]
            db.execute("INSERT INTO favourites (folder_id, doc_id, note, added_at) VALUES (?,?,?,?)"
                       " ON CONFLICT (folder_id, doc_id) DO UPDATE SET note = excluded.note",
                       (folder_id, doc_id, note, now))
        return self.folder(viewer, folder_id)

    def favourites(self, viewer: Viewer, folder_id: int) -> list[Favourite]:
        """The documents of one of ``viewer``'s folders, newest first. Raises NotFound."""
        self.folder(viewer, folder_id)
        rows = self._read("SELECT folder_id, doc_id, note, added_at FROM favourites WHERE folder_id = ?"
                          " ORDER BY added_at DESC, doc_id DESC", (folder_id,))
        return [Favourite(*row) for row in rows]

    def folders_holding(self, viewer: Viewer, doc_id: int) -> list[Folder]:
        """``viewer``'s folders that hold ``doc_id``."""
        ids = {row[0] for row in self._read("SELECT v.folder_id FROM favourites v JOIN folders f ON f.id = v.folder_id"
                                            " WHERE f.user_id = ? AND v.doc_id = ?", (self._owner(viewer), doc_id))}
        return [f for f in self.folders(viewer) if f.id in ids]

    def set_note(self, viewer: Viewer, folder_id: int, doc_id: int, note: str) -> None:
        self.folder(viewer, folder_id)
        with self.accounts.transaction() as db:
            if not db.execute("UPDATE favourites SET note = ? WHERE folder_id = ? AND doc_id = ?",
                              (_note(note), folder_id, doc_id)).rowcount:
                raise NotFound("收藏夹里没有这篇文档", code="favourite_not_found")

    def remove_favourite(self, viewer: Viewer, folder_id: int, doc_id: int) -> None:
        self.folder(viewer, folder_id)
        with self.accounts.transaction() as db:
            db.execute("DELETE FROM favourites WHERE folder_id = ? AND doc_id = ?", (folder_id, doc_id))

    def delete_folder(self, viewer: Viewer, folder_id: int) -> None:
        self.folder(viewer, folder_id)
        with self.accounts.transaction() as db:
            db.execute("DELETE FROM favourites WHERE folder_id = ?", (folder_id,))
            db.execute("DELETE FROM folders WHERE id = ?", (folder_id,))

    # -- history -----------------------------------------------------------

    def record_history(self, entries: list[tuple[int, int, str, str]]) -> None:
        """Append ``(user_id, doc_id, kind, at)`` entries (kind ``read`` or ``download``) in one transaction;
        each account keeps its newest :data:`HISTORY_KEPT`. Entries of removed accounts are dropped."""
        if not entries:
            return
        users = {user for user, *_ in entries}
        with self.accounts.transaction() as db:
            live = {row[0] for row in db.execute(
                f"SELECT id FROM users WHERE id IN ({','.join('?' * len(users))})", tuple(users))}
            db.executemany("INSERT INTO history (user_id, doc_id, kind, at) VALUES (?,?,?,?)",
                           [e for e in entries if e[0] in live])
            for user in live:
                db.execute("DELETE FROM history WHERE user_id = ? AND id NOT IN"
                           " (SELECT id FROM history WHERE user_id = ? ORDER BY id DESC LIMIT ?)",
                           (user, user, HISTORY_KEPT))

    def history(self, viewer: Viewer, kind: str | None = None, limit: int = 200) -> list[dict]:
        """``viewer``'s history, newest first: ``{"doc_id", "kind", "at"}``; one kind or both."""
        where, params = "user_id = ?", [self._owner(viewer)]
        if kind is not None:
            where += " AND kind = ?"
            params.append(kind)
        rows = self._read(f"SELECT doc_id, kind, at FROM history WHERE {where} ORDER BY id DESC LIMIT ?",
                          (*params, max(1, min(limit, HISTORY_KEPT))))
        return [{"doc_id": d, "kind": k, "at": a} for d, k, a in rows]


NEW_SCAN = 10_000   # newest documents looked at for the new matches of a saved search


def new_matches(library, saved: SavedSearch, member: bool) -> list[int]:
    """Ids of the documents added since the owner last opened ``saved`` (``seen_at``) that match it for a
    viewer with or without the member tier, best first (at most the :data:`NEW_SCAN` newest are looked at)."""
    rows = library.catalogue.added_since(saved.seen_at, NEW_SCAN)
    if not rows:
        return []
    return library.matching_ids(saved.request(ids=[i for i, _ in rows]), member=member, limit=len(rows))[1]


_SAVED = "id, user_id, name, params, created_at, seen_at, feed_hash IS NOT NULL"


def _saved(row: sqlite3.Row | tuple) -> SavedSearch:
    search_id, user_id, name, params, created, seen, has_feed = row
    return SavedSearch(search_id, user_id, name, json.loads(params), created, seen, bool(has_feed))


def _note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > MAX_NOTE_CHARS:
        raise InvalidInput(f"备注最多 {MAX_NOTE_CHARS} 个字", code="bad_note")
    return note
