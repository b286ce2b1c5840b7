"""Schema versions: Alembic revisions, packaged with sucai and run from here (never by the ``alembic`` command).

Each store has its own line of revisions (``migrations/catalogue/``,
``migrations/accounts/``) and its own version table (``catalogue_version``,
``accounts_version``), so the two stores can share one PostgreSQL database or
live in two SQLite files. The first revision of each line adopts a library made
by sucai 0.1 (catalogue schema 1–4, accounts schema 1–2, migrated in place as
those versions did) or creates the tables of a new one.

:func:`ensure_current` runs whenever a :class:`~sucai.db.Database` opens whose version table does not name the
newest revision (:meth:`~sucai.db.Database.stamped`, :func:`~sucai.db.newest_revision`): an
embedded SQLite file is brought to the newest revision on the spot (so nobody has
to run anything), a PostgreSQL database that is not current is refused with a
message naming ``sucai migrate`` (:func:`upgrade`), since several nodes share it
and an operator decides when its schema changes.
"""

from __future__ import annotations

from functools import cache

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from . import MIGRATIONS, VERSION_TABLE, Database, SchemaOutdated, retried

STORE_LABELS = {"catalogue": "目录库", "accounts": "账号库"}
_LOCK_KEY = 0x5C_A1_0001   # PostgreSQL advisory lock: one `sucai migrate` at a time


def _config(store: str, conn: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(MIGRATIONS / store))
    config.attributes.update(store=store, connection=conn, version_table=VERSION_TABLE[store])
    return config


@cache
def head(store: str) -> str:
    """The newest revision of ``store``'s line (read from the installed scripts once per process: every thread's
    first open of a store asks it)."""
    return ScriptDirectory.from_config(_config(store)).get_current_head()


@cache
def known(store: str) -> frozenset[str]:
    return frozenset(script.revision for script in ScriptDirectory.from_config(_config(store)).walk_revisions())


def current(db: Database) -> str | None:
    """The revision ``db`` is at (None: no sucai tables yet, or made by sucai 0.1)."""
    with db.read() as conn:
        return _current(conn, db.store)


def _current(conn: Connection, store: str) -> str | None:
    context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE[store]})
    return context.get_current_revision()


@retried
def upgrade(db: Database) -> tuple[str | None, str]:
    """Bring ``db`` to the newest revision, in one transaction; returns ``(before, after)``.

    Safe to run from several processes at once (one waits for the other, then finds
    nothing to do). Raises SchemaOutdated when the database is newer than this sucai.
    """
    with db.transaction() as conn:
        if db.postgres:
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        before = _current(conn, db.store)
        _refuse_newer(db, before)
        if before != head(db.store):
            command.upgrade(_config(db.store, conn), "head")
        return before, head(db.store)


def ensure_current(db: Database) -> None:
    """Check ``db``'s schema when it opens (see the module docstring). Raises SchemaOutdated."""
    at = current(db)
    if at == head(db.store):
        return
    _refuse_newer(db, at)
    if db.postgres:
        raise SchemaOutdated(
            f"数据库 {db.display} 的{STORE_LABELS[db.store]}"
            f"{f'结构版本为 {at}，本版本需要 {head(db.store)}' if at else '还没有建表'}："
            f"请先运行 sucai migrate（备份后，在一台机器上运行一次即可）", code="schema_outdated")
    upgrade(db)


def _refuse_newer(db: Database, at: str | None) -> None:
    if at is not None and at not in known(db.store):
        raise SchemaOutdated(f"数据库 {db.display} 的{STORE_LABELS[db.store]}结构版本 {at} 比本版本 sucai 新，"
                             f"请升级 sucai", code="schema_newer")
