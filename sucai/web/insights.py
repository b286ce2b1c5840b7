"""用户在找什么 (``/admin/insights``, admins only): top queries, queries with no results, most-read
and most-downloaded documents, new users and redemptions per day (:mod:`sucai.analytics`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from ..analytics import Analytics
from ..codes import Codes
from ..library import Library
from ..updates import viewer_documents
from .deps import Viewer, get_accounts, get_library, get_recorder, require_admin
from .templating import render_page

router = APIRouter(prefix="/admin", include_in_schema=False, dependencies=[Depends(require_admin)])


@router.get("/insights")
def insights_page(request: Request, viewer: Annotated[Viewer, Depends(require_admin)],
                  library: Annotated[Library, Depends(get_library)],
                  days: Annotated[int, Query(ge=1, le=365)] = 30):
    get_recorder(request).flush()
    analytics = Analytics(get_accounts(request), library.settings.zone)
    report = analytics.report(days)
    report["redemptions"] = Codes(get_accounts(request)).redemptions_by_day(analytics.local_day,
                                                                            analytics.day_start(report["since"]))
    ids = {row["doc_id"] for key in ("most_read", "most_downloaded") for row in report[key]}
    docs = viewer_documents(library, ids, member=True, include_hidden=True)
    return render_page(request, "admin_insights.html", viewer=viewer, section="insights", report=report, days=days,
                       docs=docs)
