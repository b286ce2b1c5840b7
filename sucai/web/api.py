"""The JSON API under ``/api/``: the same library calls and result fields as the CLI's ``--json``.

Every answer is produced for the request's viewer (:func:`sucai.web.deps.current_viewer`):
text, snippets, outlines and downloads come from :func:`sucai.access.view`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, BeforeValidator, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from .. import access
from ..accounts import Accounts
from ..config import year_digits
from ..errors import InvalidInput, NotFound
from ..export import batch_stem, export_document, export_zip
from ..library import Library
from ..metadata import genres
from ..model import Document
from ..search import MAX_HEADING_FILTER, MAX_PAGE, MODES, SCOPES, SORTS, Hit, SearchRequest, choice_code
from ..similar import similar
from ..suggest import TitleIndex
from .deps import (Viewer, client_ip, current_viewer, get_accounts, get_library, get_recorder, get_titles,
                   same_site_download, searching, spends)
from .render import content_disposition
from .responses import JSONResponse, unmade

MAX_QUERY_CHARS = 1000  # longer query strings are refused (422); the library cuts at settings.max_query_chars

router = APIRouter(prefix="/api", tags=["api"])

MAX_BATCH = 100
MAX_ID = 2**62   # ids past this cannot be stored: refused as invalid (422), never passed to the database
_MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
}
Format = Literal["docx", "md", "txt"]
# A choice by its code or its Chinese name (精准 = precise), as everywhere else.
Mode = Literal[(*MODES, *MODES.values())]
Scope = Literal[(*SCOPES, *SCOPES.values())]
Sort = Literal[(*SORTS, *SORTS.values())]
DocId = Annotated[int, Path(ge=1, le=MAX_ID, description="文档编号")]


class SearchParams(BaseModel):
    """The search parameters of a request (the CLI's options): declared once, checked by pydantic in one call."""

    q: str = Field("", max_length=MAX_QUERY_CHARS, description="检索词：空格=同时包含，\"…\"=整体，-词=排除，A OR B")
    mode: Mode = Field("ranked", description="智能（ranked）/ 精准（precise）")
    scope: Scope = Field("doc", description="全文（doc）/ 段落（section）")
    heading: str | None = Field(None, max_length=MAX_HEADING_FILTER, description="只在标题含此词的段落中查找（scope=section）")
    genre: str | None = Field(None, max_length=100, description="文种")
    year: Annotated[int | None, BeforeValidator(year_digits)] = Field(None, ge=1, le=9999,
                                                                      description="年份（2024 或 2024年）")
    source: str | None = Field(None, max_length=200, description="来源")
    has_member_part: bool | None = Field(None, description="只要有（true）或没有（false）会员内容的文档")
    sort: Sort = Field("relevance", description="相关度（relevance）/ 日期（date）/ 字数（length）")
    limit: int = Field(10, ge=1, description="每页条数（不超过设置 max_page_size）")
    page: int = Field(1, ge=1, le=MAX_PAGE, description="页码，从 1 开始")
    facets: bool = Field(True, description="是否统计分面（文种、年份、来源）")

    def search(self, largest: int) -> SearchRequest:
        """The library's request; a page size over ``largest`` (setting ``max_page_size``) is refused (422,
        ``invalid_input``), a 文种 that is none of the table too (422, ``bad_genre``:
        :func:`~sucai.metadata.genres.listed_genre`)."""
        if self.limit > largest:
            raise InvalidInput(f"每页条数 limit 不能超过 {largest}", code="invalid_input")
        return SearchRequest(q=self.q, mode=choice_code(self.mode, MODES), scope=choice_code(self.scope, SCOPES),
                             heading=self.heading or None, genre=genres.listed_genre(self.genre), year=self.year,
                             source=self.source or None, has_member_part=self.has_member_part,
                             sort=choice_code(self.sort, SORTS), limit=self.limit, page=self.page, facets=self.facets)


# The parameters as /docs shows them (FastAPI lists a route's parameters only when it checks them itself).
SEARCH_PARAMETERS = [{"name": name, "in": "query", "required": False, "description": schema.pop("description"),
                      "schema": schema}
                     for name, schema in SearchParams.model_json_schema()["properties"].items()]


async def search_request(request: Request) -> SearchRequest:
    """The search parameters of ``request``, checked and bounded (async: it only reads the request, so it runs
    on the event loop instead of taking a worker thread).

    One pydantic call over the query string: FastAPI, checking twelve declared parameters one at a time in
    Python, spent about 0.07 ms of CPU per search on it. A bad value gets the same 422 (``invalid_input``,
    the Chinese message of :mod:`.errors`) as a declared parameter. A route using it shows the parameters in
    /docs with ``openapi_extra={"parameters": SEARCH_PARAMETERS}``."""
    return checked_search(request.query_params, request.app.state.settings.max_page_size)


def checked_search(query: Mapping[str, str], largest: int) -> SearchRequest:
    """The search a query string's parameters ask for (the last of a repeated one), with at most ``largest`` hits
    a page. Raises ``RequestValidationError`` (422, ``invalid_input``) for a bad value."""
    try:
        params = SearchParams.model_validate(query)
    except ValidationError as error:
        raise RequestValidationError([{**e, "loc": ("query", *e["loc"])} for e in error.errors()]) from None
    return params.search(largest)


async def declared_search_request(request: Request, params: Annotated[SearchParams, Query()]) -> SearchRequest:
    """:func:`search_request` with the parameters checked by FastAPI, for a route with parameters of its own:
    a request with mistakes in both kinds is told all of them, as before."""
    return params.search(request.app.state.settings.max_page_size)


def _json(data, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status)


def document_payload(doc: Document, viewer: Viewer) -> dict:
    """What the API shows of a document to ``viewer``: metadata, the viewer's text and outline, the notice.

    ``chars`` is the 字数 of the whole document (:attr:`sucai.model.Document.counted_chars`: no white space);
    ``visible_chars`` the length of ``text`` in characters (the unit of its offsets). The server's file path and the
    cleaning audit are not published; nor, but to an admin, the evidence found in the file's name, folders or
    metadata that is not the value shown (:func:`sucai.access.shown_evidence`).
    """
    view, notice = access.view(doc, viewer.member)
    data = view.to_dict()
    for private in ("source_path", "removed"):
        data.pop(private, None)
    if not viewer.admin:
        data["evidence"] = [e.to_dict() for e in access.shown_evidence(view)]
    data.update(chars=doc.counted_chars, visible_chars=view.chars, notice=notice)
    return data


@router.get("/search", summary="检索（与 sucai search --json 相同的字段）",
            openapi_extra={"parameters": SEARCH_PARAMETERS})
async def api_search(
    request: Request,
    search: Annotated[SearchRequest, Depends(search_request)],
    library: Annotated[Library, Depends(get_library)],
    viewer: Annotated[Viewer, Depends(current_viewer)],
):
    result = await searching(request, partial(library.search, search, member=viewer.member))
    record_search(request, viewer, search, result)
    return _json(result.to_dict())


def record_search(request: Request, viewer: Viewer, search: SearchRequest, result) -> None:
    """Count a search for 用户在找什么 (its first page only, so paging through is one search; nor the page a
    request past the last page was sent back to, ``past=N``; nor a HEAD, :func:`~.deps.spends`), and whether a filter
    narrowed it."""
    if search.page == 1 and "past" not in request.query_params and spends(request):
        filtered = any(value is not None for value in (search.genre, search.year, search.source, search.heading,
                                                       search.has_member_part, search.ids))
        get_recorder(request).searched(viewer, search.q, result.total, filtered)


@router.get("/documents", summary="最新入库的文档（不含正文），分页")
def api_documents(
    library: Annotated[Library, Depends(get_library)],
    viewer: Annotated[Viewer, Depends(current_viewer)],
    limit: Annotated[int, Query(ge=1, le=MAX_BATCH, description="每页条数")] = 20,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="页码，从 1 开始")] = 1,
):
    """``{"documents": [...], "total", "page", "limit"}``: the visible documents, newest first, paged as
    ``/api/search`` pages (``total``: how many there are for this viewer; a page past the last is empty)."""
    documents = library.summaries(limit, newest_first=True, member=viewer.member, offset=(page - 1) * limit)
    return _json({"documents": documents, "total": library.stats(member=viewer.member)["documents"],
                  "page": page, "limit": limit})


@router.get("/documents/{doc_id:int}", summary="一篇文档：元数据、正文、提纲（按查看者的权限）")
def api_document(
    doc_id: DocId,
    library: Annotated[Library, Depends(get_library)],
    viewer: Annotated[Viewer, Depends(current_viewer)],
):
    return _json(document_payload(library.get(doc_id, include_hidden=viewer.admin), viewer))


@router.get("/documents/{doc_id:int}/similar", summary="相似素材")
async def api_similar(
    request: Request,
    doc_id: DocId,
    library: Annotated[Library, Depends(get_library)],
    viewer: Annotated[Viewer, Depends(current_viewer)],
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
):
    _, hits = await similar_to(request, library, doc_id, viewer, limit)
    return _json({"id": doc_id, "hits": [asdict(h) for h in hits]})


async def similar_to(request: Request, library: Library, doc_id: int, viewer: Viewer, limit: int
                     ) -> tuple[Document, list[Hit]]:
    """Document ``doc_id`` (NotFound when there is none, or it is hidden and ``viewer`` no admin) and up to ``limit``
    documents most like it for ``viewer`` (:func:`sucai.similar.similar`), found as every search of the app is,
    one at a time (:func:`~sucai.web.deps.searching`)."""
    def found() -> tuple[Document, list[Hit]]:
        doc = library.get(doc_id, include_hidden=viewer.admin)
        return doc, similar(library, doc, member=viewer.member, limit=limit)
    return await searching(request, found)


@router.get("/documents/{doc_id:int}/download", summary="下载一篇文档（docx / md / txt；会员计入每日下载次数）",
            dependencies=[Depends(same_site_download)])
def api_download_one(
    request: Request,
    doc_id: DocId,
    library: Annotated[Library, Depends(get_library)],
    viewer: Annotated[Viewer, Depends(current_viewer)],
    accounts: Annotated[Accounts, Depends(get_accounts)],
    format: Annotated[Format, Query(description="docx / md / txt")] = "docx",  # noqa: A002 - the public name
):
    doc = library.get(doc_id, include_hidden=viewer.admin)
    view, notice = access.view(doc, viewer.member)
    count_downloads(request, viewer, accounts, [(doc_id, _download_detail(doc, format, notice))])
    name, data = export_document(view, format, notice=notice)
    return _download(name, f"document-{doc_id}.{format}", data, _MEDIA[format])


@router.get("/download", summary="打包下载（按编号列表或按一次检索）为 zip；会员每篇计入每日下载次数",
            dependencies=[Depends(same_site_download)])
async def api_download_many(
    request: Request,
    library: Annotated[Library, Depends(get_library)],
    viewer: Annotated[Viewer, Depends(current_viewer)],
    accounts: Annotated[Accounts, Depends(get_accounts)],
    search: Annotated[SearchRequest, Depends(declared_search_request)],
    ids: Annotated[str | None, Query(max_length=2000, description="逗号分隔的文档编号，如 1,2,3")] = None,
    format: Annotated[Format, Query(description="docx / md / txt")] = "md",  # noqa: A002
    max_docs: Annotated[int, Query(ge=1, le=MAX_BATCH, description="按检索打包时的最多篇数")] = MAX_BATCH,
):
    if ids:
        numbers = _parse_ids(ids)
        docs = await run_in_threadpool(lambda: [library.get(i) for i in numbers])
    elif search.narrowed:   # a condition: no blank q
        _, docs = await searching(request, partial(library.matching_documents, search, member=viewer.member,
                                                   limit=max_docs))
        if not docs:   # as sucai export --query says
            raise NotFound("没有符合条件的文档，未生成压缩包", code="no_results")
    else:
        raise InvalidInput("请给出文档编号 ids，或给出检索条件 q", code="invalid_input")
    return await run_in_threadpool(zip_download, request, docs, viewer, accounts, format,
                                   batch_stem(None if ids else search.q))


def zip_download(request: Request, docs: list[Document], viewer: Viewer, accounts: Accounts, format: str,  # noqa: A002
                 name: str) -> Response:
    """``docs`` as the viewer may have them, zipped as ``name.zip``: each counted against a member's daily
    quota, all at once (all refused with 429 ``quota_exceeded`` when fewer are left: :func:`count_downloads`),
    audited and recorded; a visitor's or free user's zip counted against the hour's (429 ``too_many_downloads``,
    :meth:`~sucai.accounts.Accounts.limit_free_batch`). A HEAD is refused as its GET would be, and makes no zip
    (:func:`~.responses.unmade`)."""
    views = [access.view(d, viewer.member) for d in docs]
    accounts.limit_free_batch(viewer, client_ip(request), spend=spends(request))
    count_downloads(request, viewer, accounts, [(doc.id, _download_detail(doc, format, notice, batch=True))
                                                for doc, (_, notice) in zip(docs, views)])
    if not spends(request):   # a HEAD: no zip made
        return unmade("application/zip", {"Content-Disposition": content_disposition(f"{name}.zip", "sucai.zip")})
    data = export_zip(views, format, limit=MAX_BATCH)
    return _download(f"{name}.zip", "sucai.zip", data, "application/zip")


def count_downloads(request: Request, viewer: Viewer, accounts: Accounts, downloads: list[tuple[int, str]]) -> None:
    """Spend one of ``viewer``'s downloads for each ``(document id, audit detail)`` of ``downloads``, all or none
    (:meth:`~sucai.accounts.Accounts.spend`: 429 ``quota_exceeded`` when fewer are left today, nothing spent; two zips
    at once never pass the quota) and record them as downloaded (:mod:`sucai.analytics`); a HEAD
    (:func:`~.deps.spends`) is refused the same, and spends nothing."""
    if not spends(request):
        accounts.refuse_over_quota(viewer, "download", len(downloads))
        return
    accounts.spend(viewer, "download", [detail for _, detail in downloads], client_ip(request))
    get_recorder(request).downloaded(viewer, [doc_id for doc_id, _ in downloads])


@router.get("/suggest", summary="快速查找：标题联想")
def api_suggest(
    titles: Annotated[TitleIndex, Depends(get_titles)],
    viewer: Annotated[Viewer, Depends(current_viewer)],
    q: Annotated[str, Query(max_length=100)] = "",
    limit: Annotated[int, Query(ge=1, le=20)] = 8,
):
    found = titles.suggest(q, limit, member=viewer.member)
    return _json({"q": q, "suggestions": [asdict(s) for s in found]})


@router.get("/me", summary="当前查看者：用户名、角色、会员等级（tier）与到期日、今日剩余下载次数")
def api_me(
    viewer: Annotated[Viewer, Depends(current_viewer)],
    accounts: Annotated[Accounts, Depends(get_accounts)],
):
    return _json({**viewer.to_dict(), "role_label": viewer.role_label, "tier": accounts.tier(viewer),
                  "svip_until": accounts.svip_until(viewer), "downloads_left": accounts.downloads_left(viewer)})


@router.get("/stats", summary="库内统计：文档数、字数、按文种、按来源")
def api_stats(library: Annotated[Library, Depends(get_library)], viewer: Annotated[Viewer, Depends(current_viewer)]):
    return _json(library.stats(member=viewer.member))


@router.get("/genres", summary="文种及篇数；taxonomy 为完整的文种表（分组、顺序、依据）")
def api_genres(library: Annotated[Library, Depends(get_library)], viewer: Annotated[Viewer, Depends(current_viewer)]):
    by_genre = library.stats(member=viewer.member)["by_genre"]
    return _json({"genres": [{"genre": g, "count": n} for g, n in by_genre.items()],
                  "taxonomy": genres.taxonomy(counts=by_genre)})


# -- helpers ----------------------------------------------------------------------


def _download_detail(doc: Document, format: str, notice: str | None, batch: bool = False) -> str:
    part = "免费部分" if notice else "全文"
    return f"文档 {doc.id}（{format}，{part}{'，打包' if batch else ''}）"


def _download(name: str, fallback: str, data: bytes, media_type: str) -> Response:
    return Response(data, media_type=media_type, headers={"Content-Disposition": content_disposition(name, fallback)})


def _parse_ids(raw: str) -> list[int]:
    try:
        ids = [int(part) for part in raw.replace("，", ",").split(",") if part.strip()]
    except ValueError:
        raise InvalidInput("ids 应为逗号分隔的文档编号，如 1,2,3", code="invalid_input") from None
    ids = list(dict.fromkeys(ids))
    if not ids or any(not 1 <= i <= MAX_ID for i in ids):
        raise InvalidInput("ids 应为逗号分隔的正整数编号", code="invalid_input")
    if len(ids) > MAX_BATCH:
        raise InvalidInput(f"一次最多打包下载 {MAX_BATCH} 篇，本次选择了 {len(ids)} 篇。", code="too_many")
    return ids
