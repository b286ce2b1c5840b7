"""What every request needs: the library, the accounts, the viewer, the CSRF token.

The viewer is resolved once per request by :func:`current_viewer`, from (in this
order) an ``Authorization: Bearer sc_…`` API token or the signed session cookie,
which holds only a CSRF token and, once logged in, the secret of a server-side
session (:meth:`sucai.accounts.Accounts.session_viewer`). The session and the
account are read from the accounts database on every request, so a logout, a
password or role change, a removed account, an expiry change or a revoked token
takes effect at the next request — a replayed old cookie reads as a visitor.

API tokens are for scripts reading the API: they never drive a form (account,
token and admin changes need a session and its CSRF token), and a download that
spends a member's quota must come from this site's own pages when a browser asks
(:func:`same_site_download`).
What a viewer may see is decided by :func:`sucai.access.view` with
``member=viewer.member``.
"""

from __future__ import annotations

import secrets
from typing import Callable, TypeVar
from urllib.parse import urlsplit

import anyio.to_thread
from fastapi import Request
from starlette.concurrency import run_in_threadpool

from ..accounts import VISITOR, Accounts, TooManyRequests, Viewer
from ..analytics import Recorder
from ..collections import Collections
from ..errors import Forbidden, Unauthorized
from ..library import Library
from ..suggest import TitleIndex

__all__ = ["Viewer", "VISITOR", "current_viewer", "viewer_of", "peek_viewer", "require_admin", "get_library", "get_titles",
           "get_accounts", "csrf_token", "check_csrf", "client_ip", "site_address", "login_session",
           "same_site_download", "searching", "spending", "spends", "refuse_spent", "verify_csrf_or_token",
           "check_session_csrf", "get_collections", "get_recorder", "require_login"]

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SESSION_KEY = "sid"
HEAD = "sucai.head"   # in the scope of a HEAD request that sucai.web.app._HeadAsGet answers as its GET
T = TypeVar("T")
TOKEN_REFUSED = "API 令牌只能用于读取接口；账号、令牌和管理操作请登录网页后进行"


def get_accounts(request: Request) -> Accounts:
    """The app's :class:`Accounts` (one for every thread: its database's connections are pooled per process)."""
    return request.app.state.accounts


def get_collections(request: Request) -> Collections:
    """The saved searches, favourites and history, over this thread's accounts database connection."""
    return Collections(get_accounts(request))


def get_recorder(request: Request) -> Recorder:
    """The app's recorder of searches, reads and downloads (:mod:`sucai.analytics`)."""
    return request.app.state.recorder


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def site_address(request: Request) -> str:
    """This site's address, without a trailing slash, which the links of report files and feeds start with: the
    ``site_url`` setting when set (``https://sucai.example.cn``), else the address ``request`` came to (its scheme
    and ``Host`` header: ``http://127.0.0.1:8000``)."""
    return (request.app.state.settings.site_url.strip() or str(request.base_url)).rstrip("/")


def _session(request: Request) -> dict:
    return request.session if "session" in request.scope else {}


async def current_viewer(request: Request) -> Viewer:
    """The viewer of ``request``, as the dependency of the routes (see :func:`viewer_of`).

    A visitor — no ``Authorization`` header, no login in the session — is settled on the
    event loop; anyone else is looked up in the accounts database on a worker thread.
    """
    cached = getattr(request.state, "viewer", None)
    if cached is not None:
        return cached
    if _bearer(request) is None and _session(request).get(SESSION_KEY) is None:
        request.state.viewer = VISITOR
        return VISITOR
    return await run_in_threadpool(viewer_of, request)


def viewer_of(request: Request) -> Viewer:
    """The viewer of ``request`` (an accounts :class:`~sucai.accounts.Viewer`; ``VISITOR`` when not logged in),
    for code that runs on a worker thread.

    A bearer token that is unknown or revoked is refused (401 ``bad_token``), never
    downgraded to a visitor, so a script notices at once. An ``Authorization`` header of another scheme
    (``Basic``, which a reverse proxy's password protection passes on) is not sucai's and is passed over.
    """
    cached = getattr(request.state, "viewer", None)
    if cached is not None:
        return cached
    accounts = get_accounts(request)
    secret = _bearer(request)
    if secret is not None:
        if not secret:
            raise Unauthorized("Authorization 头应为 “Bearer sc_…” 形式的 API 令牌", code="bad_token")
        viewer = accounts.viewer_for_token(secret)
        request.state.via_token = True
    else:
        viewer = _session_viewer(request, accounts)
    request.state.viewer = viewer
    return viewer


def _bearer(request: Request) -> str | None:
    """The API token of ``request``'s ``Authorization: Bearer …`` header (RFC 6750 §2.1; ``""`` when the header names
    the scheme and no token), ``None`` when it has no such header."""
    scheme, _, secret = request.headers.get("authorization", "").strip().partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else None


def _session_viewer(request: Request, accounts: Accounts) -> Viewer:
    session = _session(request)
    secret = session.get(SESSION_KEY)
    if secret is None:
        return VISITOR
    viewer = accounts.session_viewer(secret)
    if not viewer.logged_in:   # ended, expired or unknown: forget it
        session.pop(SESSION_KEY, None)
    return viewer


def _via_token(request: Request) -> bool:
    return _bearer(request) is not None


def peek_viewer(request: Request) -> Viewer:
    """The viewer for showing the page header; never raises (an error page must still render)."""
    try:
        return viewer_of(request)
    except Exception:  # noqa: BLE001
        return VISITOR


def require_login(request: Request) -> Viewer:
    """The viewer, who must be logged in: 401 ``login_required`` for a visitor."""
    viewer = viewer_of(request)
    if not viewer.logged_in:
        raise Unauthorized("请先登录", code="login_required")
    return viewer


def require_admin(request: Request) -> Viewer:
    """The viewer, who must be an admin signed in on the web: 401 ``login_required`` for a visitor (a page sends
    the browser to log in), 403 ``admin_only`` for anyone else, 403 ``token_not_allowed`` for an API token (even an
    admin's)."""
    if _via_token(request):
        viewer_of(request)  # a bad token is refused as such
        raise Forbidden(TOKEN_REFUSED, code="token_not_allowed")
    viewer = viewer_of(request)
    if not viewer.logged_in:
        raise Unauthorized("请先以管理员身份登录", code="login_required")
    if not viewer.admin:
        raise Forbidden("只有管理员可以访问此页面", code="admin_only")
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
    the session's token. A request with an API token is refused (403 ``token_not_allowed``): a token
    may not log in or out, change a password, create or revoke tokens, or manage anything."""
    if _via_token(request):
        viewer_of(request)  # a bad token is refused as such
        raise Forbidden(TOKEN_REFUSED, code="token_not_allowed")
    submitted = request.headers.get(CSRF_HEADER)
    if submitted is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            submitted = value if isinstance(value, str) else None
    check_csrf(request, submitted)


def check_session_csrf(request: Request, submitted: str | None) -> None:
    """For routes that read their own body (查重): a signed-in browser session must have sent its
    CSRF token ``submitted`` (403 ``csrf_failed`` otherwise). API tokens pass (no cookie), and so do
    visitors, who have nothing to spend."""
    if _via_token(request) or not viewer_of(request).logged_in:
        return
    check_csrf(request, submitted)


async def verify_csrf_or_token(request: Request) -> None:
    """Dependency for POST routes that only read (their question is a JSON body, e.g. the 写作台's
    outline and paragraphs): a request with an API token may ask (a bad token is refused as such);
    a session must carry its CSRF token, as for :func:`verify_csrf`."""
    if _via_token(request):
        viewer_of(request)
        return
    await verify_csrf(request)


def login_session(request: Request, viewer: Viewer | None) -> None:
    """End the request's server-side session, if any, and start a fresh one for ``viewer``
    (None: log out). A new CSRF token either way."""
    session = request.session
    accounts = get_accounts(request)
    old = session.get(SESSION_KEY)
    if old is not None:
        accounts.end_session(old)
    session.clear()
    if viewer is not None:
        session[SESSION_KEY] = accounts.start_session(viewer, client_ip(request))
    session["csrf"] = secrets.token_urlsafe(32)
    request.state.viewer = viewer or VISITOR


_SAME_SITE = ("same-origin", "none")   # Sec-Fetch-Site of our own pages, and of a typed URL or bookmark


def same_site_download(request: Request) -> None:
    """Dependency of the downloads: a signed-in browser's download must start on this site.

    Another site could otherwise spend a member's daily quota with a link, an ``<img>`` or a
    redirect that the browser sends with the session cookie. Browsers say where a request comes
    from in ``Sec-Fetch-Site`` (W3C Fetch Metadata); older ones are judged by ``Origin`` or
    ``Referer``. Scripts use API tokens (no cookie), visitors spend no quota: both pass.
    Raises Forbidden (403 ``cross_site``).
    """
    if _via_token(request) or not viewer_of(request).logged_in:
        return
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        allowed = fetch_site in _SAME_SITE
    else:
        origin = request.headers.get("origin") or request.headers.get("referer")
        allowed = origin is None or _same_origin(origin, request)
    if not allowed:
        raise Forbidden("为防止其他网站冒用您的下载或查重次数，请在本站的页面上点击下载或查重", code="cross_site")


def _same_origin(url: str, request: Request) -> bool:
    parts = urlsplit(url)
    return (parts.scheme, parts.netloc) == (request.url.scheme, request.url.netloc)


def spends(request: Request) -> bool:
    """Whether ``request`` may spend a quota and be recorded (audit log, analytics, 浏览记录, a saved search seen):
    not a HEAD, which :class:`sucai.web.app._HeadAsGet` answers as its GET. HEAD is a safe method (RFC 9110 §9.2.1):
    a download manager asks for a file's name and size before it downloads it, a link checker asks of every link —
    refused as the GET would be (:func:`refuse_spent`), it changes nothing."""
    return not request.scope.get(HEAD)


def refuse_spent(request: Request, viewer: Viewer, kind: str) -> None:
    """429 ``quota_exceeded`` (:meth:`~sucai.accounts.Accounts.refuse_over_quota`) when ``viewer`` has none of
    today's ``kind`` (:data:`sucai.accounts.QUOTA_KINDS`) left; nothing otherwise. For a worker thread."""
    get_accounts(request).refuse_over_quota(viewer, kind)


def spending(request: Request, viewer: Viewer, kind: str, detail: str | Callable[[T], str],
             work: Callable[[], T], undo: Callable[[T], None] | None = None) -> T:
    """``work()`` for ``viewer``, who must have one of today's ``kind`` (:data:`sucai.accounts.QUOTA_KINDS`)
    left — 429 ``quota_exceeded`` before any work otherwise —, then one spent (recorded in the audit log
    with ``detail``, or ``detail(result)``) only once ``work`` has succeeded: a failed export or check
    spends nothing. When another request spent the last one meanwhile, the 429 is raised after ``undo(result)``
    (a draft saved by ``work`` deleted). A visitor is not recorded (:meth:`~sucai.accounts.Accounts.spend`), nor a
    HEAD (:func:`spends`). For a worker thread."""
    refuse_spent(request, viewer, kind)
    result = work()
    if spends(request):
        try:
            get_accounts(request).use_quota(viewer, kind, detail(result) if callable(detail) else detail,
                                            client_ip(request))
        except TooManyRequests:
            if undo is not None:
                undo(result)
            raise
    return result


async def searching(request: Request, search: Callable[[], T]) -> T:
    """``search()`` (what a route does that searches the library, :meth:`~sucai.library.Library.search` or
    :meth:`~sucai.library.Library.matching_ids`: the API's and the search page's searches, 相似素材, saved searches
    and their feeds, downloads by a search, the 写作台's outlines and paragraphs) on a worker thread, after the
    searches of this process that came before it: one at a time, first come first served (the app's
    ``searches`` limiter). A route that searches several times (the 写作台's paragraphs, a heading each; the saved
    searches' new matches) passes once per search, so that others' searches are not held behind all of them.
    查重 (:mod:`sucai.web.check`) does not: its candidates are looked up by the index's 查重 fingerprints
    (:mod:`sucai.check`), and a long draft's alignment would hold every search behind it.

    Searches are CPU-bound and hold the GIL, except in tantivy and SQLite, which release it on every call;
    several at once in one process took the GIL from one another at each of those calls — thread switches
    and cold caches that cost a sixth more CPU per search at 50 concurrent clients, for no gain, since a
    process runs Python on one core whatever its threads (the server runs a process per core)."""
    return await anyio.to_thread.run_sync(search, limiter=request.app.state.searches)


async def get_library(request: Request) -> Library:
    """The app's one :class:`Library` (its catalogue keeps one connection per thread)."""
    return request.app.state.library


async def get_titles(request: Request) -> TitleIndex:
    """The app's in-memory title list for type-ahead."""
    return request.app.state.titles
