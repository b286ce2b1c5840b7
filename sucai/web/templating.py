"""Pages: the Jinja2 environment and :func:`render_page`, which every HTML route uses."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cache
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape

from ..drafting.tier import may_draft
from ..config import local_time
from ..errors import SucaiError
from . import render
from .deps import csrf_token, peek_viewer

HERE = Path(__file__).parent
STATIC = HERE / "static"
PAGE_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; base-uri 'none';"
            " form-action 'self'; frame-ancestors 'none'")


def see_other(url: str) -> RedirectResponse:
    """303 See Other to ``url`` (a path on this site): where a form or a page sends the browser next."""
    return RedirectResponse(url, status_code=303)


def templates() -> Environment:
    """The Jinja2 environment of the pages (autoescaped), with sucai's filters and globals."""
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["mark"] = render.mark
    env.filters["num"] = render.chinese_number
    env.filters["local_time"] = _local_time
    env.globals["url"] = render.url
    env.globals["static_url"] = static_url
    env.globals["section_anchor"] = render.section_anchor
    return env


def static_url(name: str) -> str:
    """The address of the static file ``name`` (``app.css``), with its :func:`static_version`: ``/static/app.css?v=…``.

    A browser keeps the file under that address as long as it likes (``app._WholeFiles``), so that a phone on a slow
    connection asks for the page alone, and an upgrade's new file, at an address of its own, is fetched at once
    rather than the old one kept (a browser guesses how long a file without ``Cache-Control`` stays fresh: a tenth
    of its age, days for a file installed weeks ago — the old drafting.js against the new API)."""
    return f"/static/{name}?v={static_version(name)}"


@cache
def static_version(name: str) -> str:
    """The first 12 hex digits of the SHA-256 of the static file ``name``: changes with its content, read once."""
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


@pass_context
def _local_time(context, stamp: str | None, precision: str = "seconds") -> str:
    """A stored UTC time in the app's time zone (setting ``timezone``), as :func:`sucai.config.local_time`
    gives it (``YYYY-MM-DD HH:MM:SS``; ``precision`` "minutes": ``YYYY-MM-DD HH:MM``)."""
    return local_time(stamp, context["request"].app.state.settings.timezone, precision)


def render_page(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
    """Render a page template with the common context; pages get a strict CSP."""
    env: Environment = request.app.state.templates
    if context.get("viewer") is None:
        context["viewer"] = peek_viewer(request)
    context.setdefault("registration_open", bool(request.app.state.settings.registration_open))
    context.setdefault("drafting_open", may_draft(context["viewer"], request.app.state.settings))
    html = env.get_template(template).render(
        request=request, csrf=lambda: csrf_token(request) if "session" in request.scope else "", **context)
    response = HTMLResponse(html, status_code=status)
    response.headers["Content-Security-Policy"] = PAGE_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"   # what a page shows depends on who is logged in
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def after_change(change: Callable[[], object], done: str, page: Callable[..., HTMLResponse]) -> HTMLResponse:
    """The answer to an admin's form: runs ``change()``, then returns ``page(message=done)``, or
    ``page(error=…, status=…)`` with the message and HTTP status of the SucaiError it raised."""
    try:
        change()
    except SucaiError as error:
        return page(error=error.message, status=error.status)
    return page(message=done)
