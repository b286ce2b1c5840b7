"""The one error envelope: every error a client sees has one shape.

``{"ok": false, "error": "...", "code": "...", "status": N}`` for the API (an HTML
page with the same message for a browser asking for a page). Unexpected
exceptions become a 500 with a generic message: the traceback goes to the server
log, never to the client. :func:`install` puts the handlers and the last-resort
guard on an app.
"""

from __future__ import annotations

import json
import logging
import re
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from ..accounts import TooManyRequests
from ..errors import SucaiError
from .responses import JSONResponse
from .serverlog import ChineseFormatter
from .templating import render_page, see_other

log = logging.getLogger("sucai.web")

_HTTP_MESSAGES = {   # FastAPI's and Starlette's own (English) details are never shown; another status: "http_error"
    400: ("bad_body", "请求体无法解析：不是有效的 JSON，或嵌套过深、数字过长"),
    401: ("unauthorized", "服务器没有权限读取这个文件"),   # Starlette's for a static file it may not read
    404: ("not_found", "找不到这个页面或资源"),
    405: ("method_not_allowed", "不支持这种请求方式"),
    413: ("too_large", "请求内容过大，超出了这个表单或接口能接收的大小（查重和上传的文件另有上限）"),
}
_BAD_FORM = "表单无法解析：格式不对，或其中一项（文件以外）超过 1 MB"   # Starlette's limits of a multipart part
SHOWN_PROBLEMS = 3   # a 422 names at most this many problems of a body (the rest counted)
MAX_LOCATION = 2000   # characters of a redirect to /login: a proxy's buffer for response headers holds it (nginx: 4 KB)


def install(app: FastAPI, zone: str) -> None:
    """Route every error of ``app`` through the envelope (and log unexpected ones to stderr, stamped on the site's clock
    ``zone``, the ``timezone`` setting's name), and document it so (:func:`_documented`)."""
    _error_log(zone)
    app.add_exception_handler(SucaiError, _sucai_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_middleware(_Guard)
    _documented(app)


ERROR_SCHEMA = {
    "title": "错误", "type": "object", "required": ["ok", "error", "code", "status"],
    "properties": {"ok": {"type": "boolean", "description": "总是 false"},
                   "error": {"type": "string", "description": "说明（中文）"},
                   "code": {"type": "string", "description": "代码，供程序判断：invalid_input、not_found……"},
                   "status": {"type": "integer", "description": "HTTP 状态码"}},
}
_DESCRIPTIONS = {"Successful Response": "成功"}


def _documented(app: FastAPI) -> None:
    """``/openapi.json`` (shown at ``/docs``) as the API answers: a 422 documented as the envelope it is
    (:data:`ERROR_SCHEMA`, not FastAPI's ``{"detail": [...]}``, which no client gets), and FastAPI's English
    descriptions of answers in Chinese. Swagger UI's own buttons stay in English: /docs is the developers' page."""
    made = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            _in_the_apis_words(made())
        return app.openapi_schema

    app.openapi = openapi


def _in_the_apis_words(schema: dict) -> None:
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    schemas["Error"] = ERROR_SCHEMA
    refused = {"description": "参数或请求体不合要求（invalid_input，说明其中最多三处）",
               "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for operation in (operation for path in schema.get("paths", {}).values() for operation in path.values()):
        answers = operation.get("responses", {})
        for answer in answers.values():
            answer["description"] = _DESCRIPTIONS.get(answer.get("description"), answer.get("description"))
        if "422" in answers:
            answers["422"] = refused


def _error_log(zone: str) -> None:
    """Unexpected errors go to stderr (the server's log) unless logging was set up elsewhere, written as uvicorn's
    lines are (:class:`~sucai.web.serverlog.ChineseFormatter`: the level in Chinese, a request's path never acting on
    the terminal)."""
    if not log.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(ChineseFormatter(zone))
        log.addHandler(handler)
        log.setLevel(logging.WARNING)



def envelope(status: int, code: str, message: str) -> dict:
    """The one error shape of the API."""
    return {"ok": False, "error": message, "code": code, "status": status}


def _wants_json(request: Request) -> bool:
    path = request.url.path
    if path.startswith("/api/") or path == "/api" or path.startswith("/docs") or path.startswith("/openapi"):
        return True
    return "text/html" not in request.headers.get("accept", "")


def error_response(request: Request, status: int, code: str, message: str) -> Response:
    """The error as the JSON envelope, or as an HTML page for a browser asking for a page — or, when a
    visitor opens a page that needs an account (``login_required``), the login page, which comes back here (to the
    page without its query when the address would pass :data:`MAX_LOCATION` characters — a proxy would answer 502)."""
    if _wants_json(request):
        return JSONResponse(envelope(status, code, message), status_code=status)
    if code == "login_required" and request.method == "GET":
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        location = "/login?" + urlencode({"next": here})
        return see_other(location if len(location) <= MAX_LOCATION else "/login?" + urlencode({"next": request.url.path}))
    try:
        return render_page(request, "error.html", status=status, status_code=status, code=code, message=message)
    except Exception:  # noqa: BLE001 - a broken template must not hide the error itself
        log.exception("错误页面生成失败")
        return JSONResponse(envelope(status, code, message), status_code=status)


async def _sucai_error(request: Request, error: SucaiError) -> Response:
    return with_error_headers(error_response(request, error.status, error.code, error.message), error)


def with_error_headers(response: Response, error: SucaiError) -> Response:
    """``response`` (answering ``error``, a page or the envelope) with the headers its status asks for: a 429's
    ``Retry-After`` (seconds) when the error knows it, a 401's ``WWW-Authenticate`` (RFC 9110 §15.5.2)."""
    if isinstance(error, TooManyRequests) and error.retry_after:
        response.headers["Retry-After"] = str(int(error.retry_after))
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = _bearer_challenge(error.code)
    return response


def _bearer_challenge(code: str) -> str:
    """The ``WWW-Authenticate`` of a 401 (RFC 6750 §3): the API takes bearer tokens; a token that was sent and
    refused (``bad_token``) is named ``invalid_token``."""
    return 'Bearer realm="sucai"' + (', error="invalid_token"' if code == "bad_token" else "")


async def _http_error(request: Request, error: StarletteHTTPException) -> Response:
    code, message = _HTTP_MESSAGES.get(error.status_code, ("http_error", "请求无法完成"))
    if error.status_code == 400 and _is_form(request):
        message = _BAD_FORM
    response = error_response(request, error.status_code, code, message)
    response.headers.update(error.headers or {})   # a 405's Allow (RFC 9110 §15.5.6)
    return response


def _is_form(request: Request) -> bool:
    """Whether ``request`` sends a form (multipart or URL-encoded), whose parse errors are no JSON's."""
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return kind in ("multipart/form-data", "application/x-www-form-urlencoded")


async def _validation_error(request: Request, error: RequestValidationError) -> Response:
    items = error.errors()
    message = "；".join(validation_message(item) for item in items[:SHOWN_PROBLEMS]) or "请求参数不合要求"
    if len(items) > SHOWN_PROBLEMS:
        message += f"……等 {len(items)} 处"
    return error_response(request, 422, "invalid_input", message)


# pydantic's error types (https://docs.pydantic.dev/latest/errors/validation_errors/) in Chinese;
# the placeholders are the error's ``ctx``. pydantic's own English ``msg`` is never shown.
_VALIDATION = {
    "missing": "缺少参数“{loc}”",
    "int_parsing": "参数“{loc}”应为整数",
    "int_parsing_size": "参数“{loc}”数值太大",   # a number of more than 4,300 digits
    "int_from_float": "参数“{loc}”应为整数",
    "float_parsing": "参数“{loc}”应为数字",
    "bool_parsing": "参数“{loc}”应为 true 或 false",
    "greater_than_equal": "参数“{loc}”应不小于 {ge}",
    "greater_than": "参数“{loc}”应大于 {gt}",
    "less_than_equal": "参数“{loc}”应不大于 {le}",
    "less_than": "参数“{loc}”应小于 {lt}",
    "string_too_long": "参数“{loc}”最多 {max_length} 个字符",
    "string_too_short": "参数“{loc}”至少 {min_length} 个字符",
    "too_long": "参数“{loc}”最多 {max_length} 项",
    "too_short": "参数“{loc}”至少 {min_length} 项",
    "list_type": "参数“{loc}”应为列表",
    "model_type": "参数“{loc}”应为 JSON 对象",
    "model_attributes_type": "参数“{loc}”应为 JSON 对象",
    "literal_error": "参数“{loc}”应为 {expected} 之一",
    "enum": "参数“{loc}”应为 {expected} 之一",
    "string_type": "参数“{loc}”应为文字",
    "int_type": "参数“{loc}”应为整数",
}
_QUOTED = re.compile(r"'([^']*)'")
_STORAGE_BOUND = 2**53   # an upper bound from here up is a storage limit (api.MAX_ID, 2**62), not named


def validation_message(item: dict) -> str:
    """One pydantic validation error (an item of ``errors()``) as a Chinese sentence naming the parameter."""
    if item.get("type") == "value_error":   # a check of our own models (sucai.drafting.DraftBody): its message is ours
        return str(item["ctx"]["error"])
    if item.get("type") == "json_invalid":   # FastAPI's: the body is not JSON (its loc is the position in it)
        return "请求体不是有效的 JSON（应为 UTF-8 编码的 JSON 对象）"
    loc = ".".join(str(p) for p in item.get("loc", ()) if p not in ("query", "path", "body", "form"))
    if not loc:   # the body as a whole: missing, or not what the route reads
        return "缺少请求体（JSON）" if item.get("type") == "missing" else "请求体不合要求，应为 JSON 对象"
    context = {k: v for k, v in (item.get("ctx") or {}).items()}
    if any(isinstance(context.get(bound), int) and context[bound] >= _STORAGE_BOUND for bound in ("le", "lt")):
        return f"参数“{loc}”数值太大"   # the bound is what can be stored (api.MAX_ID), not a figure for the reader
    if "expected" in context:
        context["expected"] = "、".join(_QUOTED.findall(str(context["expected"]))) or context["expected"]
    template = _VALIDATION.get(item.get("type", ""), "参数“{loc}”不合要求")
    if _is_query_year(item) and template == _VALIDATION["int_parsing"]:   # read by config.year_digits first
        template = "参数“{loc}”应为年份（如 2024 或 2024年）"
    try:
        return template.format(loc=loc, **context)
    except (KeyError, IndexError):
        return f"参数“{loc}”不合要求"


def _is_query_year(item: dict) -> bool:
    """Whether a validation error is of a query's ``year``, which takes 2024年 too (:func:`sucai.config.year_digits`):
    its refusal names a year, not a whole number — a JSON body's year (the 写作台's) is a number and says so."""
    loc = tuple(item.get("loc", ()))
    return loc[:1] == ("query",) and loc[-1:] == ("year",)


class _Guard:
    """Pure ASGI middleware: any exception that escapes a route becomes the 500 envelope.

    The traceback is logged on the server; the client gets a generic message. A client that went away while
    sending its body (Starlette's ``ClientDisconnect``) is no error: nothing is logged or sent.
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
        except ClientDisconnect:   # the client went away before its body was read (a tab closed): no error, no one to answer
            return
        except BaseException as error:  # noqa: BLE001 - the last line of defence
            if type(error).__name__ == "CancelledError":
                raise
            log.error("处理请求 %s %s 时出现内部错误", scope.get("method"), scope.get("path"), exc_info=error)
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
