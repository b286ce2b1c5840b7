"""The pages: 首页 ``/``, 搜索结果 ``/search``, 文档页 ``/documents/{id}``.

Server-rendered with Jinja2 (autoescape on); every page gets its data from the
same library calls as the JSON API, for the request's viewer.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from .. import access
from ..library import Library
from ..metadata import genres, titles
from ..model import Document, found_by
from ..search import MAX_PAGE, MODES, SCOPES, SORTS, Hit, SearchRequest
from ..updates import added_today
from .api import DocId, checked_search, record_search, similar_to
from .deps import Viewer, current_viewer, get_collections, get_library, get_recorder, searching, spends
from .render import boundary_markers, outline_entries, paragraphs, place_markers, url
from .templating import render_page

router = APIRouter(include_in_schema=False)

FACET_NAMES = {"genre": "文种", "year": "年份", "source": "来源"}
FILTER_NAMES = {**FACET_NAMES, "heading": "标题含"}  # the filter chips: facets and the heading filter
PAGE_SIZES = (10, 20, 50)
MAX_PAST = 40   # the digits of a page number a note repeats


@router.get("/")
def home_page(
    request: Request,
    library: Annotated[Library, Depends(get_library)],
    viewer: Annotated[Viewer, Depends(current_viewer)],
):
    stats = library.stats(member=viewer.member)
    newest = library.summaries(12, newest_first=True, member=viewer.member)
    return render_page(
        request, "index.html",
        stats=stats, genre_groups=genres.taxonomy(counts=stats["by_genre"]),
        newest=newest, newest_notes=titles.distinguishing_notes(newest),
        today_count=added_today(library),
        params={"mode": "ranked"}, viewer=viewer,
    )


def page_asked(asked: str | None) -> int:
    """The page the search page is asked for: 1 when none is (``page=`` too), 0 when ``asked`` is not a whole number
    (``abc``, ``-1``, ``1.5``), ``MAX_PAGE + 1`` when past the deepest page served (``10**30``: digits of any
    length)."""
    if not asked:
        return 1
    if not (asked.isascii() and asked.isdigit()):
        return 0
    digits = asked.lstrip("0")
    return int(digits or "0") if len(digits) <= len(str(MAX_PAGE)) else MAX_PAGE + 1


@dataclass(frozen=True)
class PageSearch:
    """The search page's request: ``search`` (of the page asked for when it is one served, else of the first) and
    ``wanted``, the page asked for as :func:`page_asked` reads it — read once, for the search and the redirect."""

    search: SearchRequest
    wanted: int


async def page_search(request: Request) -> PageSearch:
    """The search of the search page: of the page asked for (:func:`page_asked`) when it is one served, else of
    the first — a page number is never refused here, the page leads to one there is. Any other bad parameter is
    refused as the API refuses it (422)."""
    wanted = page_asked(request.query_params.get("page"))
    others = {name: value for name, value in request.query_params.items() if name != "page"}
    search = checked_search(others, request.app.state.settings.max_page_size)
    return PageSearch(replace(search, page=wanted) if 1 <= wanted <= MAX_PAGE else search, wanted)


def past_note(past: str | None, pages: int, shown: int) -> str | None:
    """What the page sent to instead of the one asked for (``past``, as asked) says: that one's number when it
    was a whole number, or what a page number is."""
    if not past:
        return None
    if past.isascii() and past.isdigit() and len(past) <= MAX_PAST:
        return f"没有第 {past} 页（共 {pages} 页），下面是第 {shown} 页。"
    return f"页码应为 1 到 {pages} 之间的整数，下面是第 {shown} 页。"


@router.get("/search")
async def search_page(
    request: Request,
    asked: Annotated[PageSearch, Depends(page_search)],
    library: Annotated[Library, Depends(get_library)],
    viewer: Annotated[Viewer, Depends(current_viewer)],
):
    """The search page: the search as the API's (:func:`~sucai.web.deps.searching`, one at a time per process),
    the page rendered on the event loop. A page that is not there (0, -1, ``abc``, past the last or the deepest
    served) is sent to the nearest one there is, which says so (``past``)."""
    search = asked.search
    result = await searching(request, partial(library.search, search, member=viewer.member))
    params = {
        "q": result.query, "mode": result.mode, "scope": result.scope, "heading": search.heading,
        "genre": search.genre, "year": search.year, "source": search.source, "sort": search.sort,
        "limit": result.limit if result.limit != 10 else None,
    }
    pages = max(1, min(MAX_PAGE, math.ceil(result.total / result.limit)))
    if (shown := min(max(asked.wanted, 1), pages)) != asked.wanted:
        past = request.query_params.get("page", "")[:MAX_PAST + 1]
        return RedirectResponse(url("/search", params, page=shown if shown > 1 else None, past=past), status_code=303)
    record_search(request, viewer, search, result)
    window = [p for p in range(result.page - 3, result.page + 4) if 1 <= p <= pages]
    first = (result.page - 1) * result.limit + 1
    return render_page(
        request, "search.html",
        result=result, params=params, pages=pages, window=window, first=first, viewer=viewer,
        title_notes=titles.distinguishing_notes([asdict(hit) for hit in result.hits]),
        mode_names=MODES, scope_names=SCOPES, sort_names=SORTS, filter_names=FILTER_NAMES, facet_names=FACET_NAMES,
        page_sizes=PAGE_SIZES, past_note=past_note(request.query_params.get("past"), pages, result.page),
        mode_switch_in_toolbar=True,
        page_ids=",".join(str(i) for i in dict.fromkeys(hit.id for hit in result.hits)),   # sections: once a document
        active_filters=[(k, params[k]) for k in FILTER_NAMES if params[k] not in (None, "")],
    )


@router.get("/documents/{doc_id:int}")
async def document_page(
    request: Request,
    doc_id: DocId,
    library: Annotated[Library, Depends(get_library)],
    viewer: Annotated[Viewer, Depends(current_viewer)],
):
    """The document page: the document and its 相似素材 found as every search is (one at a time,
    :func:`~sucai.web.api.similar_to`), the rest read and rendered on a worker thread."""
    doc, like = await similar_to(request, library, doc_id, viewer, 6)
    return await run_in_threadpool(_document_page, request, library, viewer, doc, like)


def _document_page(request: Request, library: Library, viewer: Viewer, doc: Document, like: list[Hit]):
    doc_id = doc.id
    view, notice = access.view(doc, viewer.member)
    if spends(request):   # a HEAD is no reading
        get_recorder(request).read(viewer, doc_id)
    paras = paragraphs(view)
    # the notice where the members part was left out, or (for a member) its start and end marked where they are
    markers_after = place_markers(paras, boundary_markers(view, notice))
    return render_page(
        request, "document.html",
        doc=view, found_by=found_by(view.evidence), chars=doc.counted_chars, visible_chars=view.chars,
        notice=notice, paragraphs=paras, markers_after=markers_after,
        outline=outline_entries(view, paras), similar=like,
        versions=library.clusters.versions(doc_id, member=viewer.member, include_hidden=viewer.admin),
        params={"mode": "ranked"}, viewer=viewer, hidden=doc.hidden,
        downloads_left=request.app.state.accounts.downloads_left(viewer),
        **_favourite_forms(request, viewer, doc_id),
    )


def _favourite_forms(request: Request, viewer: Viewer, doc_id: int) -> dict:
    """The viewer's folders (for 收藏) and those that hold the document already."""
    if not viewer.logged_in:
        return {"folders": [], "holding": []}
    collections = get_collections(request)
    return {"folders": collections.folders(viewer), "holding": collections.folders_holding(viewer, doc_id)}
