"""The data-access layer: the one way sucai talks to its databases, SQLite or PostgreSQL.

A :class:`Database` is one store (``"catalogue"`` or ``"accounts"``, tables in
:mod:`sucai.db.schema`) at one SQLAlchemy URL (:meth:`sucai.config.Settings.database`):
an embedded SQLite file (the default, no server) or a PostgreSQL database
(psycopg 3), chosen by the ``database_url`` setting. Statements are SQLAlchemy
Core, so the same code runs on both.

Transactions behave the same on both backends — writers wait, they never fail:

- :meth:`Database.transaction` is one write transaction. On SQLite it starts with
  ``BEGIN IMMEDIATE`` (writers queue there, with a 60 s busy timeout; WAL journal so
  readers never wait). On PostgreSQL it runs at ``SERIALIZABLE`` isolation, so a
  check-then-write (a quota, a lockout, a unique name) is as safe as on SQLite; a
  serialisation failure or deadlock raises :class:`Conflict`, and a method marked
  :func:`retried` runs again from the start (jittered back-off), so callers never see it.
- :meth:`Database.read` is a connection for reads outside a transaction (autocommit).

Schema versions are Alembic revisions (:mod:`sucai.db.migrate`): the embedded
SQLite files are migrated when opened; a PostgreSQL database must be migrated by
``sucai migrate`` first (a server refuses to start on an old schema). Opening a database whose version
table names the newest revision (:func:`newest_revision`) reads that one row and imports no Alembic
(about a tenth of a second of every command's start).
"""

from __future__ import annotations

import functools
import logging
import os
import random
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import (ColumnElement, Connection, Delete, Engine, Table, column, create_engine, event, insert, inspect,
                        select, table, tuple_)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from ..errors import InvalidInput, SucaiError, first_line

log = logging.getLogger(__name__)

STORES = ("catalogue", "accounts")
VERSION_TABLE = {store: f"{store}_version" for store in STORES}   # Alembic's version table of each store
MIGRATIONS = Path(__file__).parent / "migrations"
_RETRY_STATES = {"40001", "40P01"}      # serialization_failure, deadlock_detected
MAX_ATTEMPTS = 30
DELETE_BATCH = 10_000   # rows deleted per transaction by Database.delete_in_batches


class Conflict(SucaiError):
    """PostgreSQL gave up a transaction to keep it serialisable (SQLSTATE 40001 or 40P01); run it again."""

    status = 503
    default_code = "db_conflict"


class SchemaOutdated(SucaiError):
    """The database's schema is older (or newer) than this version of sucai."""

    status = 503
    default_code = "schema_outdated"


class Database:
    """Store ``store`` (``"catalogue"`` or ``"accounts"``) at SQLAlchemy URL ``url``.

    Opening checks the schema (:func:`sucai.db.migrate.ensure_current`): an embedded
    SQLite file is created or migrated on the spot; PostgreSQL raises
    :class:`SchemaOutdated` (naming ``sucai migrate``); ``check=False`` skips the check (for migrating).
    Raises InvalidInput (``bad_database``) when the database cannot be reached.
    One instance may be shared by every thread of a process.
    """

    def __init__(self, url: str, store: str, *, check: bool = True):
        if store not in STORES:
            raise ValueError(f"unknown store {store!r}")
        self.store = store
        self.engine = engine(url)
        self.url = self.engine.url
        self.postgres = self.engine.dialect.name == "postgresql"
        self._watcher: tuple[int, sqlite3.Connection] | None = None   # (process, connection) of data_version
        self._watching = threading.Lock()
        if check and self.stamped() != newest_revision(store):
            from .migrate import ensure_current   # Alembic: only when the schema may have to change
            ensure_current(self)

    def __repr__(self) -> str:
        return f"Database({self.display!r}, {self.store!r})"

    def stamped(self) -> str | None:
        """The revision this database's version table records (one statement, no Alembic); None when it has
        no version table (no sucai tables yet, or made by sucai 0.1) or not exactly one row in it."""
        name = VERSION_TABLE[self.store]
        with self.read() as conn:
            if not inspect(conn).has_table(name):
                return None
            rows = conn.execute(select(column("version_num")).select_from(table(name))).scalars().all()
        return rows[0] if len(rows) == 1 else None

    @property
    def display(self) -> str:
        """The URL without its password (nor the driver's name), for messages."""
        url = self.url.set(drivername="postgresql") if self.postgres else self.url
        return url.render_as_string(hide_password=True)

    @property
    def path(self) -> Path | None:
        """The SQLite file, or None on PostgreSQL."""
        return None if self.postgres else Path(self.url.database)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reading (each statement sees the latest commits)."""
        with _connected(self), self.engine.connect() as conn:
            yield conn

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One write transaction, committed at the end of the block, rolled back on an error.

        Raises :class:`Conflict` when PostgreSQL could not serialise it (see :func:`retried`).
        """
        with _connected(self), _conflicts(), self.engine.connect() as conn:
            if self.postgres:
                conn = conn.execution_options(isolation_level="SERIALIZABLE")
            else:
                conn = conn.execution_options(sucai_write=True)
            with conn.begin():
                yield conn

    def insert(self, table, *, ignore: bool = False, update: tuple[str, ...] | None = None, add: bool = False):
        """An INSERT into ``table`` for this backend: ``ignore`` skips rows that clash with a unique
        key (``ON CONFLICT DO NOTHING``); ``update`` names the key columns whose clash updates the
        other columns of the row instead (``ON CONFLICT (…) DO UPDATE``, an upsert) — with ``add``,
        the new values are added to those of the row (counters). Values are given with
        ``.values(...)`` or — cheaper: compiled once — as the parameters of ``execute``."""
        return self._insert(table, ignore, update, add)

    @functools.lru_cache(maxsize=64)  # noqa: B019 - a Database lives as long as its process uses it
    def _insert(self, table, ignore: bool, update: tuple[str, ...] | None, add: bool):
        """:meth:`insert`, made once per table and options: a statement is immutable, and executed with its
        values as parameters it is compiled once (``.values(...)`` makes a new statement, compiled per call)."""
        if not ignore and update is None:
            return insert(table)
        if self.postgres:   # the dialect's module here: on SQLite, PostgreSQL's is never imported
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        stmt = dialect_insert(table)
        if ignore:
            return stmt.on_conflict_do_nothing()
        keep = set(update)
        return stmt.on_conflict_do_update(index_elements=list(update),
                                          set_={c.name: c + stmt.excluded[c.name] if add else stmt.excluded[c.name]
                                                for c in table.columns if c.name not in keep})

    def delete_in_batches(self, table: Table, where: ColumnElement[bool], batch: int = DELETE_BATCH) -> int:
        """Delete the rows of ``table`` that ``where`` holds for, at most ``batch`` of them per transaction, in the
        order of its primary key, so that a large deletion — the first pruning of an old library's records, see
        :mod:`sucai.retention` — keeps no writer waiting and no PostgreSQL snapshot open for long; returns how many
        went. The same rows go as with one DELETE; linear in them when the key's order is their age's."""
        key = table.primary_key.columns
        chosen = select(*key).where(where).order_by(*key).limit(batch)
        deleted = 0
        while (went := _deleted(self, table.delete().where(tuple_(*key).in_(chosen)))) == batch:
            deleted += went
        return deleted + went

    def dispose(self) -> None:
        """Close the pooled connections of this database (they reopen when needed)."""
        self.engine.dispose()
        with self._watching:
            if self._watcher is not None and self._watcher[0] == os.getpid():
                self._watcher[1].close()
            self._watcher = None

    def data_version(self) -> int | None:
        """A number that changes whenever anything was committed to this database since the last call, by any
        connection of any process — SQLite's ``PRAGMA data_version`` on a connection of this process that
        only asks that (a few microseconds, where a read through the pool costs a tenth of a millisecond).
        None when there is nothing to compare: on PostgreSQL, which has no such cheap check (read what you
        need instead), and on the call that opens that connection (first, after :meth:`dispose`, or in a forked
        child) — every new connection starts at the same number, so a number from before would match it
        whatever was committed meanwhile."""
        if self.postgres:
            return None
        with self._watching:
            if self._watcher is None or self._watcher[0] != os.getpid():   # not a forked parent's connection
                self._watcher = (os.getpid(), sqlite3.connect(self.path, check_same_thread=False))
                self._watcher[1].execute("PRAGMA data_version").fetchone()
                return None
            return self._watcher[1].execute("PRAGMA data_version").fetchone()[0]


def utc_stamp(timespec: str = "microseconds") -> str:
    """Now in UTC as the stores keep a time: ISO 8601 text (they compare as text), to the microsecond — so "added
    since" compares exactly; older rows, to the second, still sort right against them — or to ``timespec``
    (:meth:`datetime.isoformat`'s: ``"seconds"``)."""
    return datetime.now(timezone.utc).isoformat(timespec=timespec)


@functools.cache
def newest_revision(store: str) -> str:
    """The newest revision of ``store``'s line by the names of its files in ``migrations/{store}/``: a revision
    file is named by its revision, each the next number (``c0007_counted_chars.py`` is ``c0007``; see
    ARCHITECTURE.md, "How to add storage"). The cheap check of every open; ``tests/test_db.py`` holds it to
    Alembic's head (:func:`sucai.db.migrate.head`, which reads and runs every revision file)."""
    return max(path.name[:5] for path in (MIGRATIONS / store).glob("[a-z][0-9][0-9][0-9][0-9]_*.py"))


def driver_rows(conn: Connection, statement: str, parameters: tuple | dict) -> list[tuple]:
    """The rows (plain tuples) of ``statement``, SQL in the driver's parameter style (compiled once for
    ``conn.dialect``), run with ``parameters`` on a DBAPI cursor of ``conn``: the rows
    ``conn.exec_driver_sql(statement, parameters).fetchall()`` gives, without the result object SQLAlchemy
    builds around the cursor for each statement (its column metadata made again from the cursor's description:
    about a fifth of the time a search takes to read its page of hits). A database error is raised as
    SQLAlchemy's (:class:`~sqlalchemy.exc.DBAPIError` or the subclass of the driver's error, as
    ``exec_driver_sql`` raises it), so that this module still explains it (:func:`_connected`)."""
    base = conn.dialect.loaded_dbapi.Error
    cursor = conn.connection.cursor()
    try:
        cursor.execute(statement, parameters)
        return cursor.fetchall()
    except base as error:
        raise DBAPIError.instance(statement, parameters, error, base, dialect=conn.dialect) from error
    finally:
        cursor.close()


def retried(method: Callable) -> Callable:
    """Run ``method`` again when its transaction hit a :class:`Conflict` (PostgreSQL only: SQLite
    writers queue instead), after a short random pause, up to :data:`MAX_ATTEMPTS` times.

    The whole method is repeated, so it must do its reads inside the transaction (or
    repeat them) and have no effect outside the database before it commits.
    """
    @functools.wraps(method)
    def run(*args, **kwargs):
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return method(*args, **kwargs)
            except Conflict:
                if attempt == MAX_ATTEMPTS:
                    raise
                time.sleep(random.uniform(0, min(0.2, 0.002 * 2 ** attempt)))
    return run


@retried
def _deleted(db: Database, statement: Delete) -> int:
    """``statement``, a DELETE, in a transaction of its own; how many rows it deleted."""
    with db.transaction() as conn:
        return conn.execute(statement).rowcount


@contextmanager
def _conflicts() -> Iterator[None]:
    try:
        yield
    except DBAPIError as error:
        if getattr(error.orig, "sqlstate", None) in _RETRY_STATES:
            raise Conflict("数据库并发冲突，请重试") from error
        raise


@contextmanager
def _connected(db: Database) -> Iterator[None]:
    """Turn "cannot reach the database" into one readable error."""
    try:
        yield
    except OperationalError as error:
        if getattr(error.orig, "sqlstate", None) in _RETRY_STATES or not _unreachable(error):
            raise
        raise InvalidInput(f"无法连接数据库 {db.display}：{_reason(error.orig)}", code="bad_database") from error


def _unreachable(error: OperationalError) -> bool:
    """Whether ``error`` says the database cannot be reached (not that a statement failed)."""
    if isinstance(error.orig, sqlite3.Error):   # SQLite has no SQLSTATE: only a file it cannot open
        return "unable to open" in str(error.orig)
    state = getattr(error.orig, "sqlstate", None)   # psycopg: None when the connection itself failed
    return error.connection_invalidated or state is None or str(state).startswith("08")


# What the drivers say → what it means to the operator. libpq's own messages are English; the server's are in
# its lc_messages (English, or Chinese such as 致命错误: 数据库 "x" 不存在, still behind libpq's English prefix).
_REASONS = (
    (re.compile(r"Connection refused"), "该地址和端口上没有 PostgreSQL 在运行（连接被拒绝），请检查主机、端口和服务是否已启动"),
    (re.compile(r'(?:role|角色) "([^"]*)" (?:does not exist|不存在)'), "PostgreSQL 中没有用户 {0}"),
    (re.compile(r'(?:database|数据库) "([^"]*)" (?:does not exist|不存在)'), "PostgreSQL 中没有数据库 {0}（先用 createdb 建库）"),
    (re.compile(r"password authentication failed|密码认证失败"), "用户名或密码不对"),
    (re.compile(r"no password supplied"), "服务器要求密码，database_url 中没有给出"),
    (re.compile(r"no pg_hba\.conf entry"), "服务器不接受从本机来的连接（见服务器的 pg_hba.conf）"),
    (re.compile(r"could not translate host name|Name or service not known"), "主机名无法解析"),
    (re.compile(r"timeout expired|timed out"), "连接超时"),
    (re.compile(r"unable to open database file"), "无法打开数据库文件（数据目录不存在，或没有读写权限）"),
)


def _reason(error: BaseException | None) -> str:
    """Why a connection failed, in Chinese when the driver's message is one of :data:`_REASONS`, else its first line."""
    said = str(error or "")
    for pattern, reason in _REASONS:
        if found := pattern.search(said):
            return reason.format(*found.groups())
    return _first_line(error)


def _first_line(error: BaseException | None) -> str:
    return (first_line(error) or type(error).__name__) if error else ""


# -- engines ----------------------------------------------------------------------

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def engine(url: str) -> Engine:
    """The process's one engine (connection pool) for ``url``, made on first use."""
    key = str(url)
    with _engines_lock:
        found = _engines.get(key)
        if found is None:
            found = _engines[key] = _create_engine(key)
        return found


def dispose_engine(url: str) -> None:
    """Close and forget the process's engine for ``url`` (before its database is dropped or replaced)."""
    with _engines_lock:
        found = _engines.pop(str(url), None)
    if found is not None:
        found.dispose()


def _create_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise InvalidInput(f"database_url 格式错误：{error}", code="bad_settings") from error
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg"):
        return create_engine(parsed.set(drivername="postgresql+psycopg"), pool_pre_ping=True, pool_size=10,
                             max_overflow=20, connect_args={"connect_timeout": 10, "application_name": "sucai"})
    if parsed.drivername != "sqlite" or not parsed.database:
        raise InvalidInput(f"不支持的数据库：{parsed.render_as_string(hide_password=True)}", code="bad_settings")
    path = Path(parsed.database)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InvalidInput(f"无法创建数据库目录 {path.parent}：{error}", code="bad_home") from error
    made = create_engine(parsed, connect_args={"timeout": 60, "check_same_thread": False})
    event.listen(made, "connect", _sqlite_connect)
    event.listen(made, "begin", _sqlite_begin)
    return made


_MMAP_BYTES = 1 << 30  # how much of an SQLite file a connection reads through a memory map


def _sqlite_connect(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None        # we say BEGIN ourselves (see _sqlite_begin)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA mmap_size={_MMAP_BYTES}")  # hits' texts read from the page cache, no copies
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    """Writes begin with BEGIN IMMEDIATE (the write lock at once: writers queue here, not at commit, so
    none fails with "database is locked"); reads run without a transaction of their own."""
    if conn.get_execution_options().get("sucai_write"):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _after_fork() -> None:
    """A forked child must not share its parent's pooled connections."""
    for made in list(_engines.values()):
        made.dispose(close=False)


os.register_at_fork(after_in_child=_after_fork)
