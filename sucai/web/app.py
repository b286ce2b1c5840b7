"""The application factory and the one error envelope.

Every error a client sees has one shape, ``{"ok": false, "error": "...", "code":
"...", "status": N}`` (an HTML page with the same message for a browser asking
for a page). Unexpected exceptions become a 500 with a generic message: the
traceback goes to the server log, never to the client.
"""

from __future__ import annotations

import json
import logging
import os
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from ..accounts import TooManyRequests, session_secret
from ..config import Settings, load_settings
from ..errors import SucaiError
from . import render
from ..library import Library
from ..suggest import TitleIndex

log = logging.getLogger("sucai.web")

HERE = Path(__file__).parent
MAX_QUERY_CHARS = 1000   # longer query strings are refused (422); the library cuts at settings.max_query_chars
WORKER_THREADS = int(os.environ.get("SUCAI_WEB_THREADS", "0")) or max(8, 4 * (os.cpu_count() or 1))
PAGE_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

_HTTP_MESSAGES = {
    404: ("not_found", "找不到这个页面或资源"),
    405: ("method_not_allowed", "不支持这种请求方式"),
}


SESSION_COOKIE = "sucai_session"


def create_app(home: str | Path | None = None, settings: Settings | None = None, *, now=None) -> FastAPI:
    """The web app over the library in ``home`` (default: ``$SUCAI_HOME``, see :mod:`sucai.config`).

    ``now``: the accounts' clock (for tests; see :class:`sucai.accounts.Accounts`).
    """
    from .deps import AccountsPool

    settings = settings or load_settings(home)
    _error_log()
    library = Library(settings)
    titles = TitleIndex(library.catalogue)
    accounts = AccountsPool(settings, now=now)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Few worker threads: searches are CPU-bound and share the GIL, so many threads only
        # interleave them (every request gets slower); fewer threads serve the queue in order.
        anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
        yield
        accounts.close()
        library.close()

    app = FastAPIOffline(  # /docs served from the package's own Swagger UI files: no CDN needed
        title="sucai 素材库 API",
        description="公文材料的检索、阅读与下载。所有错误都以 `{ok: false, error, code, status}` 返回。",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.library = library
    app.state.titles = titles
    app.state.accounts = accounts
    app.state.templates = _templates()
    library.index.sync()  # a library ingested by an older run may have pending index work
    titles.refresh(force=True)

    app.add_exception_handler(SucaiError, _sucai_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_middleware(_Guard)
    # outside the guard, so that an error page still knows the session; HttpOnly is always set
    app.add_middleware(SessionMiddleware, secret_key=session_secret(settings.home).hex(),
                       session_cookie=SESSION_COOKIE, max_age=max(1, settings.session_max_age_days) * 86400,
                       same_site="lax", https_only=bool(settings.session_https_only))

    from .account import router as account_router
    from .admin import router as admin_router
    from .api import router as api_router
    from .pages import router as page_router

    app.include_router(api_router)
    app.include_router(page_router)
    app.include_router(account_router)
    app.include_router(admin_router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app


def _error_log() -> None:
    """Unexpected errors go to stderr (the server's log) unless logging was set up elsewhere."""
    if not log.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.WARNING)


def _templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["mark"] = render.mark
    env.filters["num"] = render.chinese_number
    env.globals["url"] = render.url
    env.globals["section_anchor"] = render.section_anchor
    return env


def render_page(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
    """Render a page template with the common context; pages get a strict CSP."""
    from .deps import csrf_token, peek_viewer

    env: Environment = request.app.state.templates
    if context.get("viewer") is None:
        context["viewer"] = peek_viewer(request)
    context.setdefault("registration_open", bool(request.app.state.settings.registration_open))
    html = env.get_template(template).render(
        request=request, csrf=lambda: csrf_token(request) if "session" in request.scope else "", **context)
    response = HTMLResponse(html, status_code=status)
    response.headers["Content-Security-Policy"] = PAGE_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"   # what a page shows depends on who is logged in
    response.headers["Referrer-Policy"] = "same-origin"
    return response


# -- errors --------------------------------------------------------------------


def envelope(status: int, code: str, message: str) -> dict:
    """The one error shape of the API."""
    return {"ok": False, "error": message, "code": code, "status": status}


def _wants_json(request: Request) -> bool:
    path = request.url.path
    if path.startswith("/api/") or path == "/api" or path.startswith("/docs") or path.startswith("/openapi"):
        return True
    return "text/html" not in request.headers.get("accept", "")


def error_response(request: Request, status: int, code: str, message: str) -> Response:
    """The error as the JSON envelope, or as an HTML page for a browser asking for a page."""
    if _wants_json(request):
        return JSONResponse(envelope(status, code, message), status_code=status)
    try:
        return render_page(request, "error.html", status=status, status_code=status, code=code, message=message)
    except Exception:  # noqa: BLE001 - a broken template must not hide the error itself
        log.exception("rendering the error page failed")
        return JSONResponse(envelope(status, code, message), status_code=status)


async def _sucai_error(request: Request, error: SucaiError) -> Response:
    response = error_response(request, error.status, error.code, error.message)
    if isinstance(error, TooManyRequests) and error.retry_after:
        response.headers["Retry-After"] = str(int(error.retry_after))
    return response


async def _http_error(request: Request, error: StarletteHTTPException) -> Response:
    code, message = _HTTP_MESSAGES.get(error.status_code, ("http_error", "请求无法完成"))
    if isinstance(error.detail, str) and error.status_code not in _HTTP_MESSAGES and error.detail:
        message = error.detail
    return error_response(request, error.status_code, code, message)


async def _validation_error(request: Request, error: RequestValidationError) -> Response:
    problems = []
    for item in error.errors():
        loc = [str(p) for p in item.get("loc", ()) if p not in ("query", "path", "body")]
        problems.append(f"参数“{'.'.join(loc) or '?'}”不合要求（{item.get('msg', '')}）")
    return error_response(request, 422, "invalid_input", "；".join(problems) or "请求参数不合要求")


class _Guard:
    """Pure ASGI middleware: any exception that escapes a route becomes the 500 envelope.

    The traceback is logged on the server; the client gets a generic message.
    Also catches Rust panics from native extensions (``BaseException`` subclasses).
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except (KeyboardInterrupt, SystemExit, GeneratorExit):
            raise
        except BaseException as error:  # noqa: BLE001 - the last line of defence
            if type(error).__name__ == "CancelledError":
                raise
            log.error("unexpected error on %s %s", scope.get("method"), scope.get("path"), exc_info=error)
            if started:
                return
            request = Request(scope)
            body = envelope(500, "internal_error", "服务器内部错误，请稍后再试")
            if _wants_json(request):
                await send({"type": "http.response.start", "status": 500,
                            "headers": [(b"content-type", b"application/json; charset=utf-8")]})
                await send({"type": "http.response.body", "body": json.dumps(body, ensure_ascii=False).encode()})
                return
            response = error_response(request, 500, body["code"], body["error"])
            await response(scope, receive, send)
