"""What every request needs: the library, the accounts, the viewer, the CSRF token.

The viewer is resolved once per request by :func:`current_viewer`, from (in this
order) an ``Authorization: Bearer sc_…`` API token or the signed session cookie,
which holds only the account id, its user name and a CSRF token. The account is
read from the accounts database on every request, so a role or expiry change (or
a removed account, or a revoked token) takes effect at the next request.
What a viewer may see is decided by :func:`sucai.access.view` with
``member=viewer.member``.
"""

from __future__ import annotations

import secrets
import threading
from datetime import datetime
from typing import Callable

from fastapi import Request

from ..accounts import VISITOR, Accounts, Viewer
from ..config import Settings
from ..errors import Forbidden, NotFound
from ..library import Library
from ..suggest import TitleIndex

__all__ = ["Viewer", "VISITOR", "current_viewer", "peek_viewer", "require_admin", "get_library", "get_titles",
           "get_accounts", "csrf_token", "check_csrf", "client_ip", "login_session", "AccountsPool"]

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class AccountsPool:
    """One :class:`Accounts` (one SQLite connection) per thread, like the catalogue's connections."""

    def __init__(self, settings: Settings, now: Callable[[], datetime] | None = None):
        self.settings = settings
        self.now = now
        self._local = threading.local()
        self._all: list[Accounts] = []
        self._lock = threading.Lock()
        self.get()  # create the database (and fail early) in the starting thread

    def get(self) -> Accounts:
        accounts = getattr(self._local, "accounts", None)
        if accounts is None:
            accounts = Accounts.from_settings(self.settings, now=self.now)
            self._local.accounts = accounts
            with self._lock:
                self._all.append(accounts)
        return accounts

    def close(self) -> None:
        with self._lock:
            for accounts in self._all:
                try:
                    accounts.close()
                except Exception:  # noqa: BLE001 - closing at shutdown, from another thread
                    pass
            self._all.clear()
        self._local = threading.local()


def get_accounts(request: Request) -> Accounts:
    """This thread's :class:`Accounts` of the app."""
    return request.app.state.accounts.get()


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _session(request: Request) -> dict:
    return request.session if "session" in request.scope else {}


def current_viewer(request: Request) -> Viewer:
    """The viewer of ``request`` (an accounts :class:`~sucai.accounts.Viewer`; ``VISITOR`` when not logged in).

    A bearer token that is unknown or revoked is refused (403 ``bad_token``), never
    downgraded to a visitor, so a script notices at once.
    """
    cached = getattr(request.state, "viewer", None)
    if cached is not None:
        return cached
    accounts = get_accounts(request)
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Forbidden("Authorization 头应为 “Bearer sc_…” 形式的 API 令牌", code="bad_token")
        viewer = accounts.viewer_for_token(secret.strip())
        request.state.via_token = True
    else:
        viewer = _session_viewer(request, accounts)
    request.state.viewer = viewer
    return viewer


def _session_viewer(request: Request, accounts: Accounts) -> Viewer:
    session = _session(request)
    user_id = session.get("user_id")
    if not isinstance(user_id, int):
        return VISITOR
    try:
        viewer = accounts.viewer(user_id)
    except NotFound:
        viewer = None
    if viewer is None or viewer.username != session.get("username"):
        # the account is gone (or its id now belongs to someone else): log out
        session.pop("user_id", None)
        session.pop("username", None)
        return VISITOR
    return viewer


def peek_viewer(request: Request) -> Viewer:
    """The viewer for showing the page header; never raises (an error page must still render)."""
    try:
        return current_viewer(request)
    except Exception:  # noqa: BLE001
        return VISITOR


def require_admin(request: Request) -> Viewer:
    """The viewer, who must be an admin: 403 ``admin_only`` for anyone else."""
    viewer = current_viewer(request)
    if not viewer.admin:
        raise Forbidden("只有管理员可以访问此页面" if viewer.logged_in else "请先以管理员身份登录",
                        code="admin_only")
    return viewer


def csrf_token(request: Request) -> str:
    """The session's CSRF token (made on first use; the session cookie carries it)."""
    session = request.session
    token = session.get("csrf")
    if not isinstance(token, str) or len(token) < 20:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def check_csrf(request: Request, submitted: str | None) -> None:
    """Refuse (403 ``csrf_failed``) a form whose token is missing or not this session's."""
    expected = _session(request).get("csrf")
    if not (isinstance(expected, str) and isinstance(submitted, str) and submitted
            and secrets.compare_digest(expected.encode(), submitted.encode())):
        raise Forbidden("表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试", code="csrf_failed")


async def verify_csrf(request: Request) -> None:
    """Dependency for every state-changing form route: the form (or the X-CSRF-Token header) must carry
    the session's token. Requests authenticated by a bearer token carry no cookie and are exempt."""
    if request.headers.get("authorization"):
        current_viewer(request)  # a bad token is refused here
        return
    submitted = request.headers.get(CSRF_HEADER)
    if submitted is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            submitted = value if isinstance(value, str) else None
    check_csrf(request, submitted)


def login_session(request: Request, viewer: Viewer | None) -> None:
    """Start a fresh session for ``viewer`` (None: log out). A new CSRF token either way."""
    session = request.session
    session.clear()
    if viewer is not None:
        session["user_id"] = viewer.user_id
        session["username"] = viewer.username
    session["csrf"] = secrets.token_urlsafe(32)
    request.state.viewer = viewer or VISITOR


async def get_library(request: Request) -> Library:
    """The app's one :class:`Library` (its catalogue keeps one connection per thread)."""
    return request.app.state.library


async def get_titles(request: Request) -> TitleIndex:
    """The app's in-memory title list for type-ahead."""
    return request.app.state.titles
