"""用户在找什么 (``/admin/insights``, admins only): top queries, queries with no results (a member's search over the
whole library found nothing, apart from those that found nothing only as filtered or in the free part: told apart
when recorded, :mod:`sucai.analytics`), most-read and most-downloaded documents, new users and redemptions per day."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from ..analytics import Analytics
from ..codes import Codes
from ..library import Library
from ..updates import viewer_documents
from .deps import Viewer, get_accounts, get_library, get_recorder, require_admin
from .templating import render_page

router = APIRouter(prefix="/admin", include_in_schema=False, dependencies=[Depends(require_admin)])


@router.get("/insights")
async def insights_page(request: Request, viewer: Annotated[Viewer, Depends(require_admin)],
                        library: Annotated[Library, Depends(get_library)],
                        days: Annotated[int, Query(ge=1, le=365)] = 30):
    report, docs = await run_in_threadpool(_report, request, library, days)
    return render_page(request, "admin_insights.html", viewer=viewer, section="insights", report=report, days=days,
                       docs=docs)


def _report(request: Request, library: Library, days: int) -> tuple[dict, dict]:
    """The counts of the last ``days`` days (everything recorded so far written first) and the documents they name."""
    get_recorder(request).flush()
    analytics = Analytics(get_accounts(request), library.settings.zone)
    report = analytics.report(days)
    report["redemptions"] = Codes(get_accounts(request)).redemptions_by_day(analytics.local_day,
                                                                            analytics.day_start(report["since"]))
    ids = {row["doc_id"] for key in ("most_read", "most_downloaded") for row in report[key]}
    return report, viewer_documents(library, ids, member=True, include_hidden=True)
