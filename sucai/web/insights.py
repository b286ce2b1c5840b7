"""用户在找什么 (``/admin/insights``, admins only): top queries, queries with no results (apart from those a search of
the query alone finds now: no result only as filtered or in the free part, :meth:`sucai.analytics.Analytics.with_found`), most-read
and most-downloaded documents, new users and redemptions per day (:mod:`sucai.analytics`)."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from ..analytics import Analytics
from ..codes import Codes
from ..library import Library
from ..search import SearchRequest
from ..updates import viewer_documents
from .deps import Viewer, get_accounts, get_library, get_recorder, require_admin, searching
from .templating import render_page

router = APIRouter(prefix="/admin", include_in_schema=False, dependencies=[Depends(require_admin)])


@router.get("/insights")
async def insights_page(request: Request, viewer: Annotated[Viewer, Depends(require_admin)],
                        library: Annotated[Library, Depends(get_library)],
                        days: Annotated[int, Query(ge=1, le=365)] = 30):
    report, docs = await run_in_threadpool(_report, request, library, days)
    found = {}
    for row in report["empty_queries"]:   # each a search of its own: others' searches are not held behind all of them
        ask = SearchRequest(q=row["query"], facets=False)
        found[row["query"]] = (await searching(request, partial(library.matching_ids, ask, member=True, limit=1)))[0]
    return render_page(request, "admin_insights.html", viewer=viewer, section="insights",
                       report=Analytics.with_found(report, found), days=days, docs=docs)


def _report(request: Request, library: Library, days: int) -> tuple[dict, dict]:
    """The counts of the last ``days`` days (everything recorded so far written first) and the documents they name."""
    get_recorder(request).flush()
    analytics = Analytics(get_accounts(request), library.settings.zone)
    report = analytics.report(days)
    report["redemptions"] = Codes(get_accounts(request)).redemptions_by_day(analytics.local_day,
                                                                            analytics.day_start(report["since"]))
    ids = {row["doc_id"] for key in ("most_read", "most_downloaded") for row in report[key]}
    return report, viewer_documents(library, ids, member=True, include_hidden=True)
