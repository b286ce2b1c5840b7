"""The application factory: the library, the accounts, the routers, the middleware.

Routers never import this module: what pages share is in :mod:`.templating`,
the error envelope in :mod:`.errors`, per-request state in :mod:`.deps`. A new
capability adds its router to ``ROUTERS``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import parse_qs

import anyio
import anyio.to_thread
from fastapi import FastAPI
from fastapi.exceptions import HTTPException
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.staticfiles import NotModifiedResponse
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from ..accounts import Accounts
from ..analytics import Analytics, Recorder
from ..collections import Collections
from ..config import Settings, load_settings
from ..drafting.drafts import MAX_BODY
from ..library import Library
from ..replica import Follower
from ..suggest import TitleIndex
from . import account, admin, api, check, codes, collections, drafting, dupes, errors, feeds, insights, pages, updates
from .deps import HEAD
from .templating import STATIC, static_version, templates

WORKER_THREADS = int(os.environ.get("SUCAI_WEB_THREADS", "0")) or max(8, 4 * (os.cpu_count() or 1))
SEARCH_THREADS = int(os.environ.get("SUCAI_SEARCH_THREADS", "0")) or 1   # searches at once per process (deps.searching)
SESSION_COOKIE = "sucai_session"
MAX_BODY_BYTES = 2 * MAX_BODY   # a request's body (_BodyCap): a form is a few KB, the 写作台's JSON at most MAX_BODY
TAKING_FILES = frozenset({"/api/check", "/check", "/admin/upload"})   # routes that refuse past the settings' limits
ROUTERS = (api.router, check.router, pages.router, account.router, admin.router, dupes.router, drafting.router,
           drafting.page_router, updates.router, feeds.router, collections.router, insights.router, codes.router)


def create_app(home: str | Path | None = None, settings: Settings | None = None, *, now=None,
               describing: Callable[[tuple[str, ...], int, int], None] | None = None) -> FastAPI:
    """The web app over the library in ``home`` (default: ``$SUCAI_HOME``, see :mod:`sucai.config`).

    ``now``: the accounts' clock (for tests; see :class:`sucai.accounts.Accounts`). ``describing``: told the
    documents gone through as the library describes them again at start (:class:`~sucai.library.Library`), for
    ``sucai serve`` to say so.
    """
    settings = settings or load_settings(home)
    library = Library(settings, describing)
    titles = TitleIndex(library.catalogue)
    accounts = Accounts.from_settings(settings, now=now)   # the database made (or refused) here, at start
    recorder = Recorder(lambda: _stores(settings), settings.zone)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Few worker threads: searches are CPU-bound and share the GIL, so many threads only
        # interleave them (every request gets slower); fewer threads serve the queue in order.
        anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
        follower = Follower(library).start()   # this node's index follows the shared change log
        yield
        recorder.close()
        follower.stop()
        accounts.close()
        library.close()

    app = FastAPIOffline(  # /docs served from the package's own Swagger UI files: no CDN needed
        title="sucai 素材库 API",
        description="公文材料的检索、阅读与下载。所有错误都以 `{ok: false, error, code, status}` 返回。",
        version="0.1.0",
        lifespan=lifespan,
        # a path one slash off a route's (/static, /search/) is 404, not Starlette's 307 to http://<Host header>/…:
        # a header the client chooses picked the address a visitor was sent to, and over http (sec28)
        redirect_slashes=False,
    )
    app.state.settings = settings
    app.state.library = library
    app.state.titles = titles
    app.state.accounts = accounts
    app.state.recorder = recorder
    app.state.templates = templates()
    app.state.searches = anyio.CapacityLimiter(SEARCH_THREADS)   # see deps.searching
    app.state.draft_reads = anyio.CapacityLimiter(1)   # an uploaded draft's file, see check.draft_text
    app.state.draft_uploaders = set()   # who has an uploaded draft in hand, see check._one_upload
    library.index.sync(edit=True)  # pending index work (an older run, a running ingest): served once applied
    titles.refresh(force=True)

    errors.install(app, settings.timezone)
    app.add_middleware(_NoStoreAPI)
    app.add_middleware(_BodyCap)
    # outside the guard, so that an error page still knows the session; HttpOnly is always set. The cookie
    # only carries the session's secret and CSRF token: the session itself lives in the accounts database.
    app.add_middleware(SessionMiddleware, secret_key=accounts.session_secret().hex(),
                       session_cookie=SESSION_COOKIE, max_age=settings.session_max_age_days * 86400,
                       same_site="lax", https_only=bool(settings.session_https_only))
    app.add_middleware(_SecureOverHttps)
    app.add_middleware(_HeadAsGet)
    if settings.trusted_proxies.strip():  # outermost: the client address is settled before anything reads it
        app.add_middleware(_ProxyHeaders, trusted_hosts=[str(net) for net in settings.proxy_networks])

    for router in ROUTERS:
        app.include_router(router)
    # gzip for a browser that takes it (all do): the CSS and scripts, 60,850 bytes, go as 18,661; a HEAD is a
    # GET here (_HeadAsGet), so its length is the compressed one a GET gets
    app.mount("/static", _Gzipped(_WholeFiles(directory=STATIC)), name="static")
    return app


class _Gzipped:
    """Pure ASGI app: the static ``files`` gzipped for a client that takes gzip (Starlette's ``GZipMiddleware``: a
    body of 500 bytes or more, ``Vary: Accept-Encoding``), the gzipped representation under an ETag of its own — the
    file's with ``-gzip`` (``"…-gzip"``): RFC 9110 §8.8.3, two representations of a resource never share a strong
    ETag, or a cache may give the gzipped bytes to a client that did not ask for them.

    ``If-None-Match`` (weak comparison, RFC 9110 §13.1.3) and ``If-Modified-Since`` are weighed here against the
    representation the client would get, the one the middleware made: 304 only for the ETag of that one, with its
    ETag, ``Vary`` and ``Cache-Control`` (§15.4.5; ``files`` answer every request whole, so the middleware decides
    alone). A conditional request (a browser asking again at an unversioned address) costs one compression (≈ 1 ms
    for the largest file, 31 kB).

    Whether the client takes gzip is :func:`_takes_gzip`'s answer, given to the middleware as an ``Accept-Encoding``
    of ``gzip`` or none: the middleware looks for the letters 「gzip」 in the header, so ``gzip;q=0`` — gzip refused
    (RFC 9110 §12.5.3) — was answered gzipped, under the gzipped ETag (sec29)."""

    DECIDED_HERE = frozenset({b"if-none-match", b"if-modified-since", b"accept-encoding"})   # not by files, middleware

    def __init__(self, files: StaticFiles):
        self.files = files
        self.app = GZipMiddleware(files)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        asked = Headers(scope=scope)
        gzip = [(b"accept-encoding", b"gzip")] if _takes_gzip(asked.getlist("accept-encoding")) else []
        whole = {**scope, "headers": [(name, value) for name, value in scope["headers"]
                                      if name not in self.DECIDED_HERE] + gzip}
        unchanged = False

        async def tagged(message):
            nonlocal unchanged
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-encoding") == "gzip" and "etag" in headers:
                    headers["etag"] = headers["etag"].removesuffix('"') + '-gzip"'   # FileResponse's are quoted
                unchanged = message["status"] == 200 and self.files.is_not_modified(headers, asked)
                if unchanged:
                    await NotModifiedResponse(headers)(scope, receive, send)
            if not unchanged:
                await send(message)

        await self.app(whole, receive, tagged)


def _takes_gzip(accepted: list[str]) -> bool:
    """Whether a client whose ``Accept-Encoding`` header lines are ``accepted`` takes a gzipped answer (RFC 9110
    §12.5.3): ``gzip`` (or ``x-gzip``, the same, §8.4.1.3) listed with a weight above 0 — the highest of its weights
    when it is listed more than once —, else ``*`` so listed; names and ``q`` in any case, a weight that is no number
    read as 0 (the file as it is is always acceptable). No header, or an empty one: False."""
    weights: dict[str, float] = {}
    for coding in ",".join(accepted).split(","):
        name, *params = (part.strip().lower() for part in coding.split(";"))
        name = "gzip" if name == "x-gzip" else name
        weights[name] = max(weights.get(name, 0.0), _weight(params))
    return weights.get("gzip", weights.get("*", 0.0)) > 0


def _weight(params: list[str]) -> float:
    """The weight (``q``) of an ``Accept-Encoding`` entry of parameters ``params``: 1 when none is given, 0 when it
    is no number from 0 to 1."""
    q = next((value.strip() for key, _, value in (p.partition("=") for p in params) if key.strip() == "q"), "1")
    try:
        weight = float(q)
    except ValueError:
        return 0.0
    return weight if 0 <= weight <= 1 else 0.0


class _WholeFiles(StaticFiles):
    """The app's own static files (a few kB each), always sent whole: a ``Range`` header is ignored and
    ``Accept-Ranges: none`` said (RFC 9110 §14.2 lets a server ignore it, §14.3). Starlette answered a malformed
    range with English plain text (400 「Range header: start must be less than end」) and one past the end with an
    empty 416, outside the error envelope.

    Asked for at the address the pages give (``?v=`` its version, :func:`.templating.static_url`), a file is kept by
    the browser for a year without asking again (``Cache-Control: public, max-age=31536000, immutable``, RFC 9111
    §5.2.2.1, RFC 8246): on a slow phone connection (Slow 3G: 2 s a round trip) every page after the first is one
    round trip, not two. At any other address (an old version's, none) it is checked each time (``no-cache``). A
    file's address one slash off (``/static/app.css/``) is the 404 of any unknown address, as a route's is (Starlette
    served the file there, a year's cache included)."""

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            if scope["path"].endswith("/"):
                raise HTTPException(status_code=404)
            scope = {**scope, "headers": [(name, value) for name, value in scope["headers"] if name != b"range"]}
        await super().__call__(scope, receive, send)

    def file_response(self, full_path, stat_result, scope, status_code=200):
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["accept-ranges"] = "none"
        asked = parse_qs(scope["query_string"].decode("latin-1")).get("v")
        fresh = asked == [static_version(Path(self.get_path(scope)).as_posix())]
        response.headers["cache-control"] = "public, max-age=31536000, immutable" if fresh else "no-cache"
        return response


class _NoStoreAPI:
    """Pure ASGI middleware: API answers and downloads depend on who asks, so no cache keeps them
    (``Cache-Control: no-store``, unless the route set its own). Pages set it in ``render_page``."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return

        async def no_store(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"cache-control" for name, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, no_store)


class _ProxyHeaders(ProxyHeadersMiddleware):
    """uvicorn's proxy middleware (the client's address and scheme as a ``trusted_proxies`` proxy says), with the scheme
    of ``X-Forwarded-Proto`` read as :func:`_client_scheme` reads it: uvicorn takes only a last header line of exactly
    ``https``, so a proxy's ``HTTPS`` (fix24) or a chain's ``https, http`` left the request plain HTTP — its cookies
    without ``Secure`` (:class:`_SecureOverHttps`), its links ``http://``."""

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            scope = {**scope, "headers": _client_scheme(scope["headers"])}
        await super().__call__(scope, receive, send)


def _client_scheme(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """``headers`` (an ASGI scope's) with ``X-Forwarded-Proto`` as one line, the scheme the client used: the first
    entry of the list its lines make together (RFC 9110 §5.3; each proxy of a chain adds its own after those it got —
    the order of RFC 7239 §5.4 ``proto`` and of ``X-Forwarded-For``), in lower case (RFC 3986 §3.1). The headers
    unchanged when there is none."""
    values = [value for name, value in headers if name == b"x-forwarded-proto"]
    if not values:
        return headers
    first = b",".join(values).split(b",")[0].strip().lower()
    return [(name, value) for name, value in headers if name != b"x-forwarded-proto"] + [(b"x-forwarded-proto", first)]


class _SecureOverHttps:
    """Pure ASGI middleware: a cookie set in the answer to a request that came over HTTPS — directly, or through a
    trusted proxy that says so (``X-Forwarded-Proto``, ``trusted_proxies``) — is ``Secure`` whatever the setting
    ``session_https_only`` says, so that the browser never sends the login over plain HTTP (a link or a network
    attacker's redirect to ``http://``): a site behind an HTTPS proxy whose operator left the setting at 0 sent it
    (attack 23). A request over plain HTTP (localhost) keeps the setting's cookie."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("scheme") != "https":
            await self.app(scope, receive, send)
            return

        async def secure(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [(name, _secured(value) if name.lower() == b"set-cookie" else value)
                                                  for name, value in message.get("headers", [])]}
            await send(message)

        await self.app(scope, receive, secure)


def _secured(cookie: bytes) -> bytes:
    """A ``Set-Cookie`` value with the ``Secure`` attribute (RFC 6265 §4.1.2.5), added unless it has it."""
    return cookie if b"secure" in (part.strip().lower() for part in cookie.split(b";")[1:]) else cookie + b"; secure"


class _HeadAsGet:
    """Pure ASGI middleware: a HEAD request is answered as the GET of the same URL would be, without its body — the
    same status and headers (``Content-Length`` too: it describes the body a GET would get; but for what a GET makes
    in seconds, a zip or a 查重 report, which a HEAD does not make: :func:`.responses.unmade`). RFC 9110 §9.3.2: a
    server answering GET answers HEAD; FastAPI's routes take only the methods they name, so a link checker or an
    uptime monitor got 405 from every page. A route without GET refuses HEAD as it refuses GET. The request's
    scope says it is a HEAD (:data:`~.deps.HEAD`): it spends no quota and is recorded nowhere (:func:`.deps.spends`)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message):
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET", HEAD: True}, receive, headers_only)


class _BodyCap:
    """Pure ASGI middleware: a request body is counted as the app reads it, which is refused past
    :data:`MAX_BODY_BYTES` (413 ``too_large``, :mod:`.errors`' words) — a form's body is read whole, its files written
    to the temporary folder, before its CSRF token is checked (FastAPI reads a route's form before its
    dependencies), so a visitor could otherwise send any number of GB to /login. The routes of :data:`TAKING_FILES`
    refuse past the settings' limits themselves. (Starlette's ``RequestBodyLimitMiddleware``, FastAPI's
    ``max_body_size``, counts the same way but answers in English plain text, over any answer of the app's.)"""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"] in TAKING_FILES:
            await self.app(scope, receive, send)
            return
        read = 0

        async def counted():
            nonlocal read
            message = await receive()
            read += len(message.get("body", b""))
            if read > MAX_BODY_BYTES:
                raise HTTPException(413)
            return message

        await self.app(scope, counted, send)


def _stores(settings: Settings) -> tuple[Analytics, Collections]:
    """The recorder's own connection to the accounts database (opened in its thread)."""
    accounts = Accounts.from_settings(settings)
    return Analytics(accounts, settings.zone, settings.analytics_days), Collections(accounts)
