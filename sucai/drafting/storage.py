"""Drafts in the catalogue database: every SQL statement of the 写作台 is here.

The ``drafts`` table is part of the catalogue's schema (:mod:`sucai.store`:
``CREATE TABLE IF NOT EXISTS``, so an older catalogue gains it when opened). A draft belongs to its author, named by the account's id *and* user
name (an id freed by a removed account and given to a new one does not hand
over the old drafts); every statement is limited to that owner, so one writer
can never read, change or delete another's draft: for anyone else the draft does
not exist (NotFound). Plain SQL with ``?`` parameters.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from ..errors import InvalidInput, NotFound
from ..store import Catalogue
from .drafts import Draft, from_row

MAX_DRAFTS = 500   # drafts one author may keep


@dataclass(frozen=True)
class Owner:
    """The author of drafts: an account's id and user name."""

    user_id: int
    username: str


class DraftStore:
    """The drafts of the catalogue ``catalogue``."""

    def __init__(self, catalogue: Catalogue):
        self.catalogue = catalogue

    def create(self, owner: Owner, draft: Draft) -> int:
        """Store a new draft of ``owner``; its id. Raises InvalidInput (``too_many_drafts``) past :data:`MAX_DRAFTS`."""
        now = _now()
        with self.catalogue.transaction() as db:
            count = db.execute("SELECT count(*) FROM drafts WHERE owner_id = ? AND owner_name = ?",
                               (owner.user_id, owner.username)).fetchone()[0]
            if count >= MAX_DRAFTS:
                raise InvalidInput(f"草稿已达 {MAX_DRAFTS} 篇，请先删除不用的草稿", code="too_many_drafts")
            cursor = db.execute(
                "INSERT INTO drafts (owner_id, owner_name, title, genre, topic, body, created_at, updated_at)"
                " VALUES (?,?,?,?,?,?,?,?)",
                (owner.user_id, owner.username, draft.title, draft.genre, draft.topic, _dump(draft.body()), now, now))
            return cursor.lastrowid

    def update(self, owner: Owner, draft_id: int, draft: Draft) -> None:
        """Replace draft ``draft_id`` of ``owner``. Raises NotFound when ``owner`` has no such draft."""
        with self.catalogue.transaction() as db:
            changed = db.execute(
                "UPDATE drafts SET title = ?, genre = ?, topic = ?, body = ?, updated_at = ?"
                " WHERE id = ? AND owner_id = ? AND owner_name = ?",
                (draft.title, draft.genre, draft.topic, _dump(draft.body()), _now(), draft_id, owner.user_id,
                 owner.username)).rowcount
        if not changed:
            raise _missing(draft_id)

    def get(self, owner: Owner, draft_id: int) -> Draft:
        """Draft ``draft_id`` of ``owner``. Raises NotFound when ``owner`` has no such draft."""
        rows = self.catalogue.query(
            "SELECT id, title, genre, topic, body, created_at, updated_at FROM drafts"
            " WHERE id = ? AND owner_id = ? AND owner_name = ?", (draft_id, owner.user_id, owner.username))
        if not rows:
            raise _missing(draft_id)
        row = rows[0]
        return from_row((*row[:4], json.loads(row[4]), *row[5:]))

    def list(self, owner: Owner) -> list[dict]:
        """``owner``'s drafts, last changed first: id, title, 文种, topic, created_at, updated_at (no text)."""
        rows = self.catalogue.query(
            "SELECT id, title, genre, topic, created_at, updated_at FROM drafts WHERE owner_id = ? AND owner_name = ?"
            " ORDER BY updated_at DESC, id DESC", (owner.user_id, owner.username))
        keys = ("id", "title", "genre", "topic", "created_at", "updated_at")
        return [dict(zip(keys, row)) for row in rows]

    def delete(self, owner: Owner, draft_id: int) -> None:
        """Delete draft ``draft_id`` of ``owner``. Raises NotFound when ``owner`` has no such draft."""
        with self.catalogue.transaction() as db:
            removed = db.execute("DELETE FROM drafts WHERE id = ? AND owner_id = ? AND owner_name = ?",
                                 (draft_id, owner.user_id, owner.username)).rowcount
        if not removed:
            raise _missing(draft_id)


def _missing(draft_id: int) -> NotFound:
    return NotFound(f"没有编号为 {draft_id} 的草稿", code="draft_not_found")


def _dump(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")
