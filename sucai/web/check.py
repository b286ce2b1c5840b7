"""查重 and 相似版本 on the web: ``POST /api/check``, ``GET /api/documents/{id}/versions`` and the
查重 page ``/check``.

A draft comes as JSON ``{"text": "…"}``, as a form (field ``text``, or an uploaded
``file`` read by the ingest's readers) or as ``text/plain``. A signed-in browser's request carries
its session's CSRF token (form field or ``X-CSRF-Token`` header): a 查重 spends the member's daily
quota, which another site must not do in their name; API tokens and visitors pass. The report is the JSON of
``sucai check --json``, or with ``?format=html|docx`` a report file to download. It is
computed for the request's viewer (:func:`sucai.check.check_text` with
``viewer.member``): a viewer without the member tier has the draft compared with the sources'
free views only. A draft longer than ``check_max_chars`` is refused first (:func:`sucai.check.check_length`:
422 ``draft_too_long``), before any quota is counted or anything else is done with it. A member's 查重
spends one of the tier's daily 查重 once the report is made (:func:`spend_check`: a failed check spends
none — but a member's uploaded file is read only while one is left, and one read to its time limit spends it); a
visitor's or free user's is counted
against ``free_checks_per_hour`` before it runs — an uploaded file's when its turn to be read comes, before it is
read (reading it, OCR of a scan up to the per-file budget, is most of the work: a file refused after it was read was
counted too; one that waited in vain is not). An uploader has one file in hand at a time. A check never changes the
library.
"""

from __future__ import annotations

import json
from contextlib import contextmanager, suppress
from dataclasses import replace
from typing import Annotated, Callable, Iterator, Literal, TypeVar

import anyio
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from ..accounts import TooManyRequests, account_key, address_key
from ..check import CheckReport, check_length, check_text, read_draft
from ..check.export import export_report, percent, report_section
from ..clean import well_formed
from ..config import Settings
from ..errors import InvalidInput, ReadError, SucaiError
from ..library import Library
from ..readers import SUPPORTED_SUFFIXES
from .api import DocId
from .deps import (CSRF_FIELD, CSRF_HEADER, Viewer, check_session_csrf, client_ip, current_viewer, get_accounts, get_library,
                   refuse_spent, site_address, spending, spends)
from .errors import with_error_headers
from .render import content_disposition
from .responses import JSONResponse
from .templating import render_page

router = APIRouter()

_MEDIA = {"html": "text/html; charset=utf-8",
          "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
_FORM_OVERHEAD = 1 << 16
_BODY = {"content": {
    "application/json": {"schema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}},
    "multipart/form-data": {"schema": {"type": "object", "properties": {
        "text": {"type": "string"}, "file": {"type": "string", "format": "binary"}}}},
    "text/plain": {"schema": {"type": "string"}},
}}


class TooLarge(InvalidInput):
    status = 413
    default_code = "too_large"


class ReadsBusy(TooManyRequests):
    """The uploaded files before this one are still being read (503 ``busy``, with ``Retry-After``)."""

    status = 503
    default_code = "busy"


class UploadInHand(TooManyRequests):
    """The same uploader's file before this one is still waiting for its turn or being read (429 ``upload_in_hand``,
    with ``Retry-After``)."""

    default_code = "upload_in_hand"


READ_WAIT_SECONDS = 60
"""How long an uploaded draft waits for the files uploaded before it to be read (:func:`draft_text`)."""


@router.post("/api/check", tags=["api"], summary="查重：草稿与库内材料比对（与 sucai check --json 相同的字段）",
             openapi_extra={"requestBody": _BODY})
async def api_check(
    request: Request,
    library: Annotated[Library, Depends(get_library)],
    viewer: Annotated[Viewer, Depends(current_viewer)],
    format: Annotated[Literal["json", "html", "docx"], Query(description="json=结果 / html、docx=下载报告")] = "json",  # noqa: A002
):
    text, token, counted = await draft_text(request, library.settings, viewer)
    check_session_csrf(request, token)
    check_length(text, library.settings)   # an over-long draft costs nothing more: not even a visitor's hourly 查重
    report, file = await run_in_threadpool(spend_check, request, viewer, f"查重 {len(text)} 字", text,
                                           lambda: with_file(request, check_text(library, text, viewer.member), format),
                                           counted, lambda made: made[0].text)
    if file is None:
        return JSONResponse(report.to_dict())
    name, data = file
    return Response(data, media_type=_MEDIA[format],
                    headers={"Content-Disposition": content_disposition(name, f"check-report.{format}")})


@router.get("/api/documents/{doc_id:int}/versions", tags=["api"], summary="相似版本：与这篇文档同组的近似重复文档")
def api_versions(
    doc_id: DocId,
    library: Annotated[Library, Depends(get_library)],
    viewer: Annotated[Viewer, Depends(current_viewer)],
):
    library.get(doc_id, include_hidden=viewer.admin)  # 404 for a missing or hidden document
    versions = library.clusters.versions(doc_id, member=viewer.member, include_hidden=viewer.admin)
    return JSONResponse({"id": doc_id, "versions": [v.to_dict() for v in versions]})


@router.get("/check", include_in_schema=False)
def check_page(request: Request, viewer: Annotated[Viewer, Depends(current_viewer)]):
    return _page(request, viewer)


@router.post("/check", include_in_schema=False)
async def check_submit(
    request: Request,
    library: Annotated[Library, Depends(get_library)],
    viewer: Annotated[Viewer, Depends(current_viewer)],
):
    try:
        text, token, counted = await draft_text(request, library.settings, viewer)
        check_session_csrf(request, token)
        check_length(text, library.settings)
        report = await run_in_threadpool(spend_check, request, viewer, f"查重 {len(text)} 字", text,
                                         lambda: check_text(library, text, viewer.member), counted,
                                         lambda report: report.text)
    except SucaiError as error:   # the page tells it, with the headers the API's answer has (429's Retry-After)
        return with_error_headers(_page(request, viewer, error=error.message, status=error.status), error)
    return _page(request, viewer, report=report, section=report_section(report), text=report.text)


T = TypeVar("T")


def spend_check(request: Request, viewer: Viewer, detail: str, text: str, work: Callable[[], T],
                counted: bool = False, report_text: Callable[[T], str] | None = None) -> T:
    """``work()`` (a 查重 of the draft ``text`` and what is made of it) for ``viewer``: a visitor's or free user's
    counted against ``free_checks_per_hour`` before it runs (429 ``too_many_checks``, :meth:`Accounts.limit_free_check`)
    unless ``counted`` already (an uploaded file's, :func:`draft_text`), a member's spending one of today's 查重 once it
    succeeded (:func:`~sucai.web.deps.spending`); a HEAD (a saved draft's, :func:`~sucai.web.deps.spends`) is only
    refused when none is left. A repeat of a 查重 charged for (:meth:`Accounts.repeated_check`: the report of the
    draft just checked downloaded) is not charged again — nor one of the text its report is made of
    (``report_text(result)``: an uploaded 写作台 draft's report leaves out its 附：素材来源 list, and the page's download
    forms send the report's text). For a worker thread."""
    accounts, address = get_accounts(request), client_ip(request)
    if accounts.repeated_check(viewer, address, text, spend=spends(request)):
        return work()
    if not counted:
        accounts.limit_free_check(viewer, address, spend=spends(request))
    result = spending(request, viewer, "check", detail, work)
    if spends(request):
        accounts.checked(viewer, address, text, *([report_text(result)] if report_text else []))
    return result


def with_file(request: Request, report: CheckReport, fmt: str) -> tuple[CheckReport, tuple[str, bytes] | None]:
    """``report`` and, unless ``fmt`` is "json", its file ``(name, bytes)`` (:func:`export_report`: its time on
    the site's clock, setting ``timezone``; its sources linked to this site, :func:`~sucai.web.deps.site_address`)."""
    if fmt == "json":
        return report, None
    return report, export_report(report, fmt, request.app.state.settings.timezone, site_address(request))


def _page(request: Request, viewer: Viewer, status: int = 200, **context):
    settings = request.app.state.settings
    return render_page(request, "check.html", status=status, viewer=viewer, params={"mode": "ranked"},
                       max_chars=settings.check_max_chars, max_mb=settings.upload_max_mb, percent=percent,
                       accept=",".join(sorted(SUPPORTED_SUFFIXES)), **context)


async def draft_text(request: Request, settings: Settings, viewer: Viewer) -> tuple[str, str | None, bool]:
    """The draft of a request — JSON ``{"text"}``, a form's ``file`` (read like an ingested file) or
    ``text`` field, or a ``text/plain`` body —, the CSRF token it carries (the header, else the
    form's field; None when neither), and whether ``viewer``'s free 查重 was counted: a file's is before it is read
    (:meth:`~sucai.accounts.Accounts.limit_free_check`), a form's CSRF token checked before that
    (:func:`~sucai.web.deps.check_session_csrf`: a forged upload is neither counted nor read). A server process reads
    one uploaded file at a time, first come first served (``app.state.draft_reads``): each is read in a worker of its
    own, OCR of a scan up to ``parse_timeout_seconds`` (a visitor's or free user's up to half of
    :data:`READ_WAIT_SECONDS`),
    and thirty scans sent at once ran thirty Tesseracts (attack 23); a file waits for those before it at most
    :data:`READ_WAIT_SECONDS`, and is counted when its turn comes (a file not read in time costs nothing). An uploader
    has one file in hand at a time (:func:`_one_upload`). Raises InvalidInput (413 ``too_large`` beyond the limits,
    422 otherwise), Forbidden (403 ``csrf_failed``: a form of a signed-in session without its token), TooManyRequests
    (429 ``too_many_checks``: a file, this hour's free 查重 spent; 429 ``quota_exceeded``: a member's file, none of
    the day's 查重 left; 429 ``upload_in_hand``: the uploader's file before it still in hand), ReadsBusy (503 ``busy``: the files before it not read in time) or ReadError (an unreadable
    file; a visitor's or free user's not read within half of :data:`READ_WAIT_SECONDS`)."""
    header = request.headers.get(CSRF_HEADER)
    text_cap = settings.check_max_chars * 8 + _FORM_OVERHEAD  # bytes: UTF-8, or JSON \\u escapes
    file_cap = settings.upload_max_mb * 2**20
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in ("multipart/form-data", "application/x-www-form-urlencoded"):
        length = request.headers.get("content-length")
        if length is None or not length.isdigit():
            raise InvalidInput("上传请求缺少长度信息（Content-Length）", code="length_required")
        if int(length) > max(text_cap, file_cap + _FORM_OVERHEAD):
            raise TooLarge(f"上传内容过大：文件不超过 {settings.upload_max_mb} MB")
        return await _form_draft(request, file_cap, viewer)
    if kind in ("application/json", "text/plain", ""):
        body = await read_body(request, text_cap, "草稿过长：请分段查重，或上传文件")
        if kind == "application/json":
            try:
                data = json.loads(body)
            except (ValueError, RecursionError):   # nested deeper than Python's reader goes: malformed too
                raise InvalidInput("请求体不是有效的 JSON，应为 {\"text\": \"草稿全文\"}", code="bad_json") from None
            if not isinstance(data, dict) or not isinstance(data.get("text"), str):
                raise InvalidInput("JSON 中应有字符串字段 text（草稿全文）", code="bad_json")
            return well_formed(data["text"]), header, False  # JSON may spell a lone surrogate
        try:
            return body.decode("utf-8"), header, False
        except UnicodeDecodeError:
            raise InvalidInput("纯文本请求体应为 UTF-8 编码；其他编码请以文件（file）上传", code="undecodable") from None
    raise InvalidInput("请以 JSON {\"text\": …}、表单字段 text、上传文件 file 或纯文本提交草稿", code="bad_content_type")


async def _form_draft(request: Request, file_cap: int, viewer: Viewer) -> tuple[str, str | None, bool]:
    try:
        form = await request.form(max_files=1, max_fields=10)
    except Exception:  # noqa: BLE001 - starlette's MultiPartException / a malformed body
        raise InvalidInput("无法读取提交的表单：格式不对、上传了不止一个文件，或文本框的内容超过 1 MB（长稿请以文件上传）",
                           code="bad_form") from None
    try:
        field = form.get(CSRF_FIELD)
        token = request.headers.get(CSRF_HEADER) or (field if isinstance(field, str) else None)
        check_session_csrf(request, token)   # a forged upload is neither counted nor read
        upload = form.get("file")
        uploaded = isinstance(upload, UploadFile) and bool(upload.filename or upload.size)
        if uploaded:
            with _one_upload(request, viewer):
                data = await upload.read(file_cap + 1)
                if len(data) > file_cap:
                    raise TooLarge(f"文件过大（超过 {file_cap // 2**20} MB 上限）")
                text = await _read_upload(request, viewer, data, upload.filename or "")
        else:
            text = form.get("text")
        return (text if isinstance(text, str) else ""), token, uploaded
    finally:
        await form.close()


@contextmanager
def _one_upload(request: Request, viewer: Viewer) -> Iterator[None]:
    """Hold ``viewer``'s one upload in hand (waiting for its turn or being read) for the ``with`` block; a second meanwhile
    is refused unread and uncounted: UploadInHand (429 ``upload_in_hand``, ``Retry-After``). One address queued its
    hour's uploads, each read up to ``parse_timeout_seconds``, ahead of everyone else's (fix24). A visitor or free user
    is one per client address (:func:`~sucai.accounts.address_key`, as the hourly limits count it: sign-up is free);
    a member or admin one per account (scarce, and colleagues behind one office address each have one). Per server
    process, as ``app.state.draft_reads`` is; only the event loop touches ``app.state.draft_uploaders``."""
    key = account_key(viewer) if viewer.member else f"ip:{address_key(client_ip(request))}"
    uploaders = request.app.state.draft_uploaders
    if key in uploaders:
        raise UploadInHand("你上传的上一个文件还在排队或读取中，请等它完成后再上传；也可以直接粘贴草稿文字查重",
                           retry_after=READ_WAIT_SECONDS)
    uploaders.add(key)
    try:
        yield
    finally:
        uploaders.discard(key)


async def _read_upload(request: Request, viewer: Viewer, data: bytes, name: str) -> str:
    """The text of an uploaded draft's file ``data`` named ``name`` (:func:`~sucai.check.read_draft`), read once the
    files before it are (``app.state.draft_reads``), waited for at most :data:`READ_WAIT_SECONDS`: then ReadsBusy (503
    ``busy``) — a visitor's hour of slow scans, each up to ``parse_timeout_seconds``, held every other upload of the
    process, a member's too, for hours (verify24). ``viewer``'s free 查重 is counted when the turn comes, before the
    read (:meth:`~sucai.accounts.Accounts.limit_free_check`): a 503 cost one (fix24), a refused file is never read; a
    member's file is read only with one of the day's 查重 left, and one read to its time limit spends it (a member's
    noise scans, each read for the whole 300 s and failing free, held the reads for ever: attack25), :func:`_turn`.
    A visitor's or free user's file is read within half of :data:`READ_WAIT_SECONDS` (``parse_timeout_seconds`` if less;
    past it, ReadError ``timeout``, said as a 查重's: not the ingest's setting to raise): the file behind it is then read
    in its time, the worker's start and the answer's making counted (read within the whole wait, the scan's 60 s and
    its start took 61 s, and the file sent 3 s after it was answered 503). A scan of noise OCRed for the whole 300 s budget, sent again as soon as it was answered, had every
    other upload of the process answered 503, one address alone (attack24)."""
    settings = request.app.state.settings
    if not viewer.member:
        settings = replace(settings, parse_timeout_seconds=min(settings.parse_timeout_seconds, READ_WAIT_SECONDS // 2))
    reads = request.app.state.draft_reads
    with anyio.move_on_after(READ_WAIT_SECONDS) as waiting:
        await reads.acquire()
    if waiting.cancelled_caught:
        raise ReadsBusy("服务器正在读取先前上传的文件，请稍后再试；也可以直接粘贴草稿文字查重",
                        retry_after=READ_WAIT_SECONDS)
    try:
        await run_in_threadpool(_turn, request, viewer)
        return await run_in_threadpool(read_draft, settings, None, data, name)
    except ReadError as error:
        if error.code != "timeout":
            raise
        if viewer.member:   # read to its limit: the work of a 查重, whatever came of it
            with suppress(TooManyRequests):   # the day's last spent meanwhile (another process): the timeout said
                await run_in_threadpool(get_accounts(request).use_quota, viewer, "check", "查重 文件未在时限内读完",
                                        client_ip(request))
        raise ReadError(f"文件在 {settings.parse_timeout_seconds} 秒内没有读完（扫描件的文字识别较慢），已停止；"
                        "请直接粘贴草稿文字查重，或分成几个较小的文件上传", code="timeout") from None
    finally:
        reads.release()


def _turn(request: Request, viewer: Viewer) -> None:
    """What an uploaded file's turn to be read costs ``viewer``, before it is read: a visitor's or free user's 查重 of
    the hour counted (:meth:`~sucai.accounts.Accounts.limit_free_check`); a member's refused unread when none of the
    day's 查重 is left (:func:`~sucai.web.deps.refuse_spent`: 429 ``quota_exceeded``). For a worker thread."""
    get_accounts(request).limit_free_check(viewer, client_ip(request))
    refuse_spent(request, viewer, "check")


async def read_body(request: Request, cap: int, too_large: str) -> bytes:
    """The body of ``request``, read until past ``cap`` bytes: then TooLarge (413 ``too_large``, message
    ``too_large``) — never more than ``cap`` bytes and a chunk held."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise TooLarge(too_large)
        chunks.append(chunk)
    return b"".join(chunks)
