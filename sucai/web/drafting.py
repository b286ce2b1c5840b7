"""The 写作台: its page ``/drafts`` and its JSON API under ``/api/drafts``.

Every route first asks :func:`sucai.drafting.require_drafting` (setting
``drafting_tier``) — but the page, which shows a visitor what the 写作台 is, whether it needs 会员 or
only an account, and where to log in or register, both coming back to it (``drafting_visitor.html``);
what a writer receives is computed for their member tier
(:func:`sucai.access.view` inside :mod:`sucai.drafting`). A save's body is :class:`sucai.drafting.DraftBody`,
checked by FastAPI (422 ``invalid_input`` in Chinese, :mod:`.errors`) as it is documented; a body past
``MAX_BODY`` bytes is refused unread (413 ``too_large``). Drafts belong to their
author (:class:`sucai.drafting.DraftStore`): another account's draft is a 404. A draft and each row of the list carry
``saved``: when it was last saved on the site's clock (setting ``timezone``, :func:`sucai.config.local_time`), the time
the page shows — the 落款 of its download is dated on that clock too —; ``updated_at`` stays the stored UTC time.
Every route but the GET ones needs the session's CSRF token in ``X-CSRF-Token``, as every
POST route of the app does; an API token may ask for outlines and paragraphs (they only read),
but saves, changes, deletes and 润笔 need a logged-in session (tokens are for reading).
A draft's 查重 (``/api/drafts/{id}/check``) is :func:`sucai.drafting.check_draft` of the draft as
its author may see it now, for their tier; a draft past ``check_max_chars`` is refused first (422
``draft_too_long``), before any quota is counted. Its 查重 spends a daily quota — only once the report is
made —; its download spends a download only when the draft is at least half library text
(:attr:`~sucai.drafting.drafts.Draft.copied_share`, by its cited paragraphs' 复制比: as the documents it holds would;
the writer's own text is no library document: not counted, never refused for a spent quota). Both, like every
download, must start on this site (:func:`~sucai.web.deps.same_site_download`): another site cannot spend them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, BeforeValidator, Field, StrictBool, StrictInt, WithJsonSchema
from starlette.types import Message

from ..check import UNCOUNTED, check_length
from ..check.export import report_name
from ..config import Settings, local_time
from ..drafting import (DraftBody, DraftStore, Owner, asked_genre, build_draft, check_draft, checked_text, draft_title,
                        export_draft, paragraph_candidates, require_drafting, rewrite_paragraph, shown, suggest_outline)
from ..drafting.drafts import MAX_BODY, MAX_LEVEL, MAX_TITLE, Draft
from ..drafting.outline import SPOKEN
from ..drafting.placeholders import writer_year
from ..drafting.rewrite import MODE_NAMES, enabled
from ..export.archive import safe_stem
from ..library import Library
from .check import read_body, spend_check, with_file
from .deps import (Viewer, current_viewer, get_library, same_site_download, searching, spending, spends,
                   verify_csrf, verify_csrf_or_token, viewer_of)
from .render import content_disposition
from .responses import JSONResponse, unmade
from .templating import render_page

MAX_HEADINGS = 30
COUNTED_SHARE = 0.5   # a draft at least this much library text (Draft.copied_share) spends a download
_MEDIA = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
          "md": "text/markdown; charset=utf-8", "txt": "text/plain; charset=utf-8", "html": "text/html; charset=utf-8"}
DraftId = Annotated[int, Path(ge=1, le=2**62, description="草稿编号")]
Csrf = [Depends(verify_csrf)]
Reading = [Depends(verify_csrf_or_token)]


async def writer(request: Request) -> Viewer:
    """The viewer (a visitor settled on the event loop, :func:`~.deps.current_viewer`), who must be allowed to draft
    (401 ``login_required`` / 403 ``drafting_tier`` otherwise)."""
    viewer = await current_viewer(request)
    require_drafting(viewer, request.app.state.settings)
    return viewer


Writer = Annotated[Viewer, Depends(writer)]


class _Capped(APIRoute):
    """A route of the 写作台 API that takes a body (POST, PUT, PATCH): whoever may not draft is refused (:func:`writer`:
    401, 403) before the body is read — FastAPI parses a JSON body before the route's dependencies, so a visitor's
    malformed one was told 422, not to log in —, and a body past :data:`~sucai.drafting.drafts.MAX_BODY` bytes is
    refused (413 ``too_large``) before it is read whole or parsed (pydantic would otherwise check every item of it)."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()
        if not self.methods & {"POST", "PUT", "PATCH"}:   # no body to cap: GET and DELETE go straight through
            return handler

        async def capped(request: Request) -> Response:
            await writer(request)
            body = await read_body(request, MAX_BODY, f"请求体过大：写作台的请求最多 {MAX_BODY // 2**20} MB")

            async def replay() -> Message:
                return {"type": "http.request", "body": body, "more_body": False}

            return await handler(Request(request.scope, replay))

        return capped


# the writer first: a visitor or a free account is told so (401 login_required / 403 drafting_tier), not that a form's
# CSRF token is missing (the routes' own dependencies come after the router's)
router = APIRouter(tags=["写作台"], dependencies=[Depends(writer)], route_class=_Capped)
page_router = APIRouter()   # the page, which also tells a visitor what the 写作台 is
Lib = Annotated[Library, Depends(get_library)]


def _store(library: Library) -> DraftStore:
    return DraftStore(library.catalogue)


def _owner(viewer: Viewer) -> Owner:
    return Owner(viewer.user_id, viewer.username, viewer.since)


class OutlineAsk(BaseModel):
    genre: str = Field("", max_length=100, description="文种")
    topic: str = Field("", max_length=500, description="主题")
    unit: str | None = Field(None, max_length=200, description="本单位名称（不标为【待补】）")
    year: StrictInt | None = Field(None, ge=1, le=9999, description="年份（该年份不标为【待补】；不填时取主题中的年份）")

    @property
    def own_year(self) -> int | None:
        """The writer's year: ``year``, else the one the topic names (:func:`sucai.drafting.placeholders.writer_year`)."""
        return writer_year(self.topic, self.year)


def _as_path(value: Any) -> Any:
    """A heading asked alone is a path of one heading; a path as it is; anything else refused in Chinese."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return value
    raise ValueError("参数“headings”的每一项应为标题（文字）或标题的路径（文字的列表）")


_HEADING_SCHEMA = {"type": "string", "maxLength": MAX_TITLE}
HeadingPath = Annotated[list[Annotated[str, Field(max_length=MAX_TITLE)]], Field(min_length=1, max_length=MAX_LEVEL),
                        BeforeValidator(_as_path),
                        WithJsonSchema({"anyOf": [_HEADING_SCHEMA, {"type": "array", "items": _HEADING_SCHEMA,
                                                                     "minItems": 1, "maxItems": MAX_LEVEL}]})]


class ParagraphsAsk(OutlineAsk):
    headings: list[HeadingPath] = Field(
        max_length=MAX_HEADINGS, description="标题（不含序号），或其完整路径：上级标题依次在前、该标题在后"
                                             "（如 [\"存在的主要问题\", \"（一）某某方面\"]，据此分辨问题与措施）；"
                                             "空标题 \"\" 问开头段（第一个标题之前的段落，同文种材料的开头，与主题相合的在前）")
    limit: StrictInt = Field(5, ge=1, le=20, description="每个标题的候选段落数")
    subheadings: StrictBool = Field(False, description="所问标题在提纲中有下级标题：只取材料中该部分的导语"
                                                       "（否则取整个部分，连同其下级标题的文字）；所问的一条路径是另一条的上级时亦然")
    closing: StrictBool = Field(False, description="空标题 \"\" 问结尾段而非开头段（最后一个标题的文字之后：讲话的"
                                                   "“同志们，让我们……”、心得体会的最后一段、对照检查材料的表态；出处为“结尾”）")

    def parted(self, path: list[str]) -> bool:
        """Whether ``path`` has sub-headings in the writer's outline: said so, or another asked path extends it."""
        return self.subheadings or any(len(other) > len(path) and other[:len(path)] == path for other in self.headings)


class RewriteAsk(BaseModel):
    text: str = Field(max_length=3000, description="要润笔的一段")
    mode: Literal["polish", "shorten", "formal", "plain", "adapt"] = Field("polish", description="润笔方式")
    unit: str | None = Field(None, max_length=200, description="本单位名称（adapt 时必填）")


# -- the page ---------------------------------------------------------------------------------


@page_router.get("/drafts", include_in_schema=False)
def drafting_page(request: Request, library: Lib):
    """The 写作台; for a visitor, a page in the site's layout that says what it is and where to log in or
    register (a free account without the tier gets the 403 page that says whose feature it is)."""
    settings: Settings = request.app.state.settings
    viewer = viewer_of(request)
    if not viewer.logged_in:
        return render_page(request, "drafting_visitor.html", tier=settings.drafting_tier)
    require_drafting(viewer, settings)
    genres = library.catalogue.stats()["by_genre"]
    return render_page(request, "drafting.html", viewer=viewer, genres=genres, params={"mode": "ranked"},
                       rewrite_modes=MODE_NAMES if enabled(settings) else {}, uncounted=UNCOUNTED, spoken=SPOKEN,
                       this_year=datetime.now(settings.zone).year)


# -- the API ----------------------------------------------------------------------------------


@router.post("/api/drafts/outline", summary="写作台：按文种和主题建议提纲（与 sucai draft 的 outline 相同）",
             dependencies=Reading)
async def api_outline(request: Request, ask: OutlineAsk, viewer: Writer, library: Lib):
    found = await searching(request, partial(suggest_outline, library, asked_genre(ask.genre), ask.topic.strip(),
                                             member=viewer.member, unit=ask.unit, year=ask.own_year))
    return JSONResponse({"genre": found.genre, "topic": found.topic,
                         "title": draft_title(ask.genre, found.topic, ask.unit, ask.own_year)[:MAX_TITLE],   # as saved
                         "outline": [node.to_dict() for node in found.outline],
                         "documents": found.documents, "warnings": found.warnings})


@router.post("/api/drafts/paragraphs", summary="写作台：每个标题的候选段落（注明出处；marked 为标出【待补】后的文字）",
             dependencies=Reading)
async def api_paragraphs(request: Request, ask: ParagraphsAsk, viewer: Writer, library: Lib):
    found = []
    for asked in ask.headings:   # a search each, one at a time as every search of the app (other requests' between)
        *above, heading = asked
        found += await searching(request, partial(paragraph_candidates, library, heading, genre=ask.genre.strip() or None,
                                                  member=viewer.member, limit=ask.limit, unit=ask.unit, year=ask.own_year,
                                                  above=above, subheadings=ask.parted(asked), topic=ask.topic,
                                                  closing=ask.closing))
    return JSONResponse({"candidates": [c.to_dict(marked=True) for c in found]})


@router.post("/api/drafts/rewrite", summary="写作台：润笔一段（需配置 llm_base_url；改动数字、日期、名称的改写会被拒绝）",
             dependencies=Csrf)
def api_rewrite(request: Request, ask: RewriteAsk, viewer: Writer):
    result = rewrite_paragraph(request.app.state.settings, ask.text, ask.mode, ask.unit)
    return JSONResponse(result.to_dict())


@router.get("/api/drafts", summary="写作台：我的草稿（最近修改的在前）")
def api_list_drafts(viewer: Writer, library: Lib):
    return JSONResponse({"drafts": [_with_saved(library, row) for row in _store(library).list(_owner(viewer))]})


@router.post("/api/drafts", summary="写作台：保存新草稿", status_code=201, dependencies=Csrf)
def api_save_draft(request: Request, viewer: Writer, library: Lib, data: DraftBody):
    store, owner = _store(library), _owner(viewer)

    def saved() -> tuple[Draft, int]:
        draft = build_draft(library, data, member=viewer.member)
        return draft, store.create(owner, draft)   # the count of the writer's drafts and the new one: one transaction

    # the tier's daily drafts, spent once the draft is stored (a writer who keeps all the drafts they may spends none,
    # however many saves come at once); a save that lost the day's last to another meanwhile keeps no draft
    _, draft_id = spending(request, viewer, "draft", lambda made: f"草稿：{made[0].title}", saved,
                           undo=lambda made: store.delete(owner, made[1]))
    return _draft_json(library, viewer, draft_id, 201)


@router.get("/api/drafts/{draft_id:int}", summary="写作台：打开一篇草稿")
def api_get_draft(draft_id: DraftId, viewer: Writer, library: Lib):
    return _draft_json(library, viewer, draft_id)


@router.put("/api/drafts/{draft_id:int}", summary="写作台：保存修改", dependencies=Csrf)
def api_update_draft(draft_id: DraftId, viewer: Writer, library: Lib, data: DraftBody):
    _store(library).update(_owner(viewer), draft_id, build_draft(library, data, member=viewer.member))
    return _draft_json(library, viewer, draft_id)


@router.delete("/api/drafts/{draft_id:int}", summary="写作台：删除草稿", dependencies=Csrf)
def api_delete_draft(draft_id: DraftId, viewer: Writer, library: Lib):
    _store(library).delete(_owner(viewer), draft_id)
    return JSONResponse({"ok": True, "id": draft_id})


@router.get("/api/drafts/{draft_id:int}/download", summary="写作台：下载草稿（docx 为 GB/T 9704 版式；一半以上是素材原文的草稿计入每日下载次数，自己写的不计）",
            dependencies=[Depends(same_site_download)])
def api_download_draft(
    request: Request,
    draft_id: DraftId,
    viewer: Writer,
    library: Lib,
    format: Annotated[Literal["docx", "md", "txt"], Query(description="docx / md / txt")] = "docx",  # noqa: A002 - the public name
    sources: Annotated[bool, Query(description="是否附上素材来源")] = True,
):
    draft = shown(library, _store(library).get(_owner(viewer), draft_id), member=viewer.member)

    def export() -> tuple[str, bytes]:
        return export_draft(draft, format, sources=sources, zone=library.settings.zone)

    if draft.copied_share >= COUNTED_SHARE:   # mostly cited library text: a library download (review 17)
        name, data = spending(request, viewer, "download", f"草稿 {draft_id}（{format}）", export)
    else:   # the writer's own
        name, data = export()
    return Response(data, media_type=_MEDIA[format],
                    headers={"Content-Disposition": content_disposition(name, f"draft-{draft_id}.{format}")})


@router.get("/api/drafts/{draft_id:int}/check",
            summary="写作台：草稿查重（字段同 POST /api/check，另有 text：查重的草稿全文；html、docx 为查重报告）",
            dependencies=[Depends(same_site_download)])
def api_check_draft(
    request: Request,
    draft_id: DraftId,
    viewer: Writer,
    library: Lib,
    format: Annotated[Literal["json", "html", "docx"], Query(description="json=结果 / html、docx=下载报告")] = "json",  # noqa: A002
):
    draft = shown(library, _store(library).get(_owner(viewer), draft_id), member=viewer.member)
    text = checked_text(draft)
    check_length(text, library.settings)   # an over-long draft spends no 查重, not even a free user's hourly one
    if not spends(request):   # a HEAD: refused as its GET would be, and no 查重 run
        spend_check(request, viewer, "", text, lambda: None)
        return unmade(*_report_head(draft, draft_id, format))
    report, file = spend_check(request, viewer, f"草稿 {draft_id}", text,
                               lambda: with_file(request, check_draft(library, draft, member=viewer.member), format))
    if file is None:
        return JSONResponse({"text": report.text, **report.to_dict()})
    return Response(file[1], media_type=_MEDIA[format], headers=_report_head(draft, draft_id, format)[1])


def _report_head(draft, draft_id: int, fmt: str) -> tuple[str, dict[str, str]]:
    """The type and headers of a draft's 查重 as ``fmt``: JSON, or a report named after the draft (「…对照检查材料
    查重报告.docx」: whose report it is)."""
    if fmt == "json":
        return "application/json", {}
    name = f"{safe_stem(draft.title, f'草稿{draft_id}')} {report_name(fmt)}"
    return _MEDIA[fmt], {"Content-Disposition": content_disposition(name, f"draft-{draft_id}-check.{fmt}")}


def _draft_json(library: Library, viewer: Viewer, draft_id: int, status: int = 200) -> JSONResponse:
    draft = shown(library, _store(library).get(_owner(viewer), draft_id), member=viewer.member)
    return JSONResponse(_with_saved(library, draft.to_dict()), status_code=status)


def _with_saved(library: Library, draft: dict) -> dict:
    """``draft`` (a draft's JSON or a row of the list) with ``saved``: its ``updated_at`` on the site's clock."""
    return {**draft, "saved": local_time(draft["updated_at"], library.settings.zone)}
