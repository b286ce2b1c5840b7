"""Atom feeds: ``/feeds/updates.atom`` (all new documents, or one 文种 with ``?genre=``) and
``/feeds/saved/<token>.atom`` (the new matches of a saved search, reached by its secret token).

Every feed is made for a viewer without the member tier (see :mod:`sucai.feeds`): a
feed URL is read without a login, by readers and services that are not the member.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import partial
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ..collections import Collections, SavedSearch
from ..feeds import FEED_ENTRIES, atom
from ..library import Library
from ..metadata.genres import listed_genre
from ..model import Document
from ..updates import MAX_DAYS, added_since, newest_added, recent, window_start
from .deps import get_collections, get_library, searching, site_address

router = APIRouter(prefix="/feeds", include_in_schema=False)
ATOM = "application/atom+xml; charset=utf-8"


def _feed(data: bytes) -> Response:
    return Response(data, media_type=ATOM, headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"})


@router.get("/updates.atom")
def updates_feed(
    request: Request,
    library: Annotated[Library, Depends(get_library)],
    genre: Annotated[str | None, Query(max_length=100)] = None,
):
    rows, genre = None, listed_genre(genre)
    if genre:   # a visitor's 文种, from the listing of the window (its documents read once a change, not every time)
        listed = recent(library, False, window_start(library.settings.zone))
        rows = [(item.id, item.added_at) for item in listed if item.genre == genre]
    entries = newest_added(library, FEED_ENTRIES, rows)
    title = f"素材库更新 · {genre}" if genre else "素材库更新"
    site = site_address(request)
    feed_url = f"{site}/feeds/updates.atom" + (f"?{urlencode({'genre': genre})}" if genre else "")
    return _feed(atom(title=title, feed_url=feed_url, site_url=site, entries=entries))


@router.get("/saved/{token}.atom")
async def saved_search_feed(
    request: Request,
    token: Annotated[str, Path(max_length=100)],
    library: Annotated[Library, Depends(get_library)],
    collections: Annotated[Collections, Depends(get_collections)],
):
    """The new matches of a saved search (found as every search of the app is: :func:`~sucai.web.deps.searching`)."""
    saved = await run_in_threadpool(collections.search_for_feed, token)
    entries = await searching(request, partial(_new_entries, library, saved))
    site = site_address(request)
    return _feed(atom(title=f"素材库订阅 · {saved.name}", feed_url=f"{site}/feeds/saved/{token}.atom", site_url=site,
                      entries=entries, subtitle="已保存检索的新结果", feed_id=f"{site}/saved/{saved.id}"))


def _new_entries(library: Library, saved: SavedSearch) -> list[tuple[str, Document]]:
    """The feed entries of the documents of the last :data:`~sucai.updates.MAX_DAYS` days that ``saved`` finds
    for a viewer without the member tier, newest first."""
    since = datetime.now(timezone.utc) - timedelta(days=MAX_DAYS)
    rows = added_since(library, since)
    matched = set(library.matching_ids(saved.request(ids=[i for i, _ in rows]), member=False, limit=len(rows) or 1)[1])
    return newest_added(library, FEED_ENTRIES, rows=[row for row in rows if row[0] in matched])
