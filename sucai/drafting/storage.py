"""Drafts in the catalogue database: every statement of the 写作台 is here (SQLAlchemy Core on the
data-access layer, so SQLite and PostgreSQL alike; the table is ``drafts`` of :mod:`sucai.db.schema`).

A draft belongs to its author, named by the account's id *and* user name, made since the
account was (an id freed by a removed account and given to a new one, even with the same
name, does not hand over the old drafts); every statement is limited to that owner, so one writer can never read,
change or delete another's draft: for anyone else the draft does not exist (NotFound).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from ..db import retried, utc_stamp
from ..db.schema import drafts
from ..errors import InvalidInput, NotFound
from ..store import Catalogue
from .drafts import Draft, from_row

MAX_DRAFTS = 500   # drafts one author may keep


@dataclass(frozen=True)
class Owner:
    """The author of drafts: an account's id and user name, and when the account was made (``since``, UTC ISO 8601
    as :attr:`sucai.accounts.Viewer.since`; None: not known)."""

    user_id: int
    username: str
    since: str | None = None

    def owns(self, reused_ids: bool):
        """The condition that limits a statement to this owner's drafts: of its id and name, made since the account
        was where ids are given again (``reused_ids``: SQLite gives the newest account's id again once it is removed)
        — a removed account's drafts stay its own when a new account takes its id and name again."""
        owned = (drafts.c.owner_id == self.user_id) & (drafts.c.owner_name == self.username)
        return owned & (drafts.c.created_at >= self.since) if reused_ids and self.since is not None else owned


class DraftStore:
    """The drafts of the catalogue ``catalogue``."""

    def __init__(self, catalogue: Catalogue):
        self.db = catalogue.db

    def _of(self, owner: Owner):
        """:meth:`Owner.owns` on this database: PostgreSQL never gives an id twice — and its nodes' clocks, which stamp
        the accounts and the drafts, may be seconds apart: a draft saved just after its account was made would be lost."""
        return owner.owns(reused_ids=not self.db.postgres)

    @retried
    def create(self, owner: Owner, draft: Draft) -> int:
        """Store a new draft of ``owner``; its id. Raises InvalidInput (``too_many_drafts``) past :data:`MAX_DRAFTS`."""
        now = utc_stamp()
        with self.db.transaction() as conn:
            self._refuse_full(conn, owner)
            return conn.execute(drafts.insert().values(
                owner_id=owner.user_id, owner_name=owner.username, created_at=now, updated_at=now, **_fields(draft))
                .returning(drafts.c.id)).scalar_one()

    def _refuse_full(self, conn: Connection, owner: Owner) -> None:
        if conn.execute(select(func.count()).where(self._of(owner))).scalar_one() >= MAX_DRAFTS:
            raise InvalidInput(f"草稿已达 {MAX_DRAFTS} 篇，请先删除不用的草稿", code="too_many_drafts")

    @retried
    def update(self, owner: Owner, draft_id: int, draft: Draft) -> None:
        """Replace draft ``draft_id`` of ``owner``. Raises NotFound when ``owner`` has no such draft."""
        with self.db.transaction() as conn:
            changed = conn.execute(drafts.update().where(drafts.c.id == draft_id, self._of(owner))
                                   .values(updated_at=utc_stamp(), **_fields(draft))).rowcount
        if not changed:
            raise _missing(draft_id)

    def get(self, owner: Owner, draft_id: int) -> Draft:
        """Draft ``draft_id`` of ``owner``. Raises NotFound when ``owner`` has no such draft."""
        with self.db.read() as conn:
            row = conn.execute(select(drafts.c.id, drafts.c.title, drafts.c.genre, drafts.c.topic, drafts.c.body,
                                      drafts.c.created_at, drafts.c.updated_at)
                               .where(drafts.c.id == draft_id, self._of(owner))).first()
        if row is None:
            raise _missing(draft_id)
        return from_row((*row[:4], json.loads(row[4]), *row[5:]))

    def list(self, owner: Owner) -> list[dict]:
        """``owner``'s drafts, last changed first: id, title, 文种, topic, created_at, updated_at (no text)."""
        with self.db.read() as conn:
            rows = conn.execute(select(drafts.c.id, drafts.c.title, drafts.c.genre, drafts.c.topic,
                                       drafts.c.created_at, drafts.c.updated_at).where(self._of(owner))
                                .order_by(drafts.c.updated_at.desc(), drafts.c.id.desc()))
            return [dict(row._mapping) for row in rows]

    @retried
    def delete(self, owner: Owner, draft_id: int) -> None:
        """Delete draft ``draft_id`` of ``owner``. Raises NotFound when ``owner`` has no such draft."""
        with self.db.transaction() as conn:
            removed = conn.execute(drafts.delete().where(drafts.c.id == draft_id, self._of(owner))).rowcount
        if not removed:
            raise _missing(draft_id)


def _fields(draft: Draft) -> dict:
    return {"title": draft.title, "genre": draft.genre, "topic": draft.topic,
            "body": json.dumps(draft.body(), ensure_ascii=False)}


def _missing(draft_id: int) -> NotFound:
    return NotFound(f"没有编号为 {draft_id} 的草稿", code="draft_not_found")
