"""今日更新: the page ``/updates`` and ``GET /api/updates`` — what was added, per day and per 文种.

Both are made by :func:`sucai.updates.updates` for the request's viewer (metadata of
the free view for a viewer without the member tier).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from ..library import Library
from ..metadata import titles
from ..updates import MAX_DAYS, MAX_DOCUMENTS, updates
from .deps import Viewer, current_viewer, get_library
from .responses import JSONResponse
from .templating import render_page

router = APIRouter()

Since = Annotated[str | None, Query(max_length=40, description=f"从哪天起（2026-11-01 或 2026年11月1日、今天或昨天、最近 N 天的天数，或带时区的时间；默认今天，最多 {MAX_DAYS} 天前）")]
Genre = Annotated[str | None, Query(max_length=100, description="只看这个文种")]


@router.get("/api/updates", tags=["api"], summary="今日更新：某日以来新入库的文档，按日、按文种统计")
def api_updates(
    library: Annotated[Library, Depends(get_library)],
    viewer: Annotated[Viewer, Depends(current_viewer)],
    since: Since = None,
    genre: Genre = None,
    limit: Annotated[int, Query(ge=1, le=MAX_DOCUMENTS, description="列出最新的多少篇")] = 20,
):
    return JSONResponse(asdict(updates(library, member=viewer.member, since=since, genre=genre or None, limit=limit)))


@router.get("/updates", include_in_schema=False)
def updates_page(
    request: Request,
    library: Annotated[Library, Depends(get_library)],
    viewer: Annotated[Viewer, Depends(current_viewer)],
    since: Since = None,
    genre: Genre = None,
):
    found = updates(library, member=viewer.member, since=since, genre=genre or None, limit=MAX_DOCUMENTS)
    notes = titles.distinguishing_notes([asdict(row) for row in found.documents])   # as the home page's list
    return render_page(request, "updates.html", viewer=viewer, updates=found, genre=found.genre, title_notes=notes,
                       params={"mode": "ranked"}, max_days=MAX_DAYS)
