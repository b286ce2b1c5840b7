"""What a logged-in viewer keeps: 订阅 (saved searches, ``/saved``), 收藏夹 (``/favourites``) and
浏览/下载记录 (``/history``).

Storage and rules are in :mod:`sucai.collections`; documents are always shown as the
viewer may see them (:func:`sucai.updates.viewer_documents`), hidden ones left out. A
folder is downloaded as a zip through the same quota and audit as every download
(:func:`sucai.web.api.zip_download`), by POST with the CSRF token (a cross-site
link cannot spend a member's quota). Every form carries the CSRF token.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from ..accounts import Accounts
from ..collections import Collections, new_matches
from ..config import local_time, year_digits
from ..library import Library
from ..updates import viewer_documents
from .api import MAX_ID, DocId, zip_download
from .deps import (Viewer, current_viewer, get_accounts, get_collections, get_library, get_recorder, same_site_download,
                   searching, site_address, spends, verify_csrf)
from .templating import render_page, see_other

router = APIRouter(include_in_schema=False)
Csrf = [Depends(verify_csrf)]
FormText = Annotated[str, Form(max_length=1000)]
Store = Annotated[Collections, Depends(get_collections)]
Lib = Annotated[Library, Depends(get_library)]
NEW_SHOWN = 50
DONE = {"deleted": "已删除", "revoked": "订阅地址已停用"}   # what /saved?done=… says: the site's words, never a link's


def _login_first(viewer: Viewer, here: str) -> RedirectResponse | None:
    return None if viewer.logged_in else see_other(f"/login?next={here}")


# -- saved searches ---------------------------------------------------------------


async def _saved_page(request: Request, viewer: Viewer, store: Collections, library: Library, *,
                      message: str | None = None, feed: tuple[int, str] | None = None, status: int = 200,
                      saved: int | None = None):
    """The list of saved searches, each with its number of new matches (a search each, one at a time as every
    search of the app: :func:`~sucai.web.deps.searching`); ``saved``: the one just saved, said so by its name."""
    searches = await run_in_threadpool(store.saved_searches, viewer)
    message = next((f"已保存检索“{s.name}”" for s in searches if s.id == saved), message)
    counts = {s.id: len(await searching(request, partial(new_matches, library, s, viewer.member))) for s in searches}
    feed_url = (feed[0], f"{site_address(request)}/feeds/saved/{feed[1]}.atom") if feed else None
    return render_page(request, "saved.html", status=status, viewer=viewer, searches=searches, counts=counts,
                       message=message, feed=feed_url)


@router.get("/saved")
async def saved_page(request: Request, viewer: Annotated[Viewer, Depends(current_viewer)], store: Store, library: Lib,
                     done: str | None = None, saved: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None):
    """The saved searches; ``done`` (a key of :data:`DONE`) or ``saved`` (the id of one of the viewer's, just saved)
    names what a form just did — the words are the site's: a link's own text in the page's message box would speak
    for the site (attack 19)."""
    return _login_first(viewer, "/saved") or await _saved_page(request, viewer, store, library,
                                                               message=DONE.get(done or ""), saved=saved)


@router.post("/saved", dependencies=Csrf)
def save_search(request: Request, viewer: Annotated[Viewer, Depends(current_viewer)], store: Store,
                name: FormText = "", q: FormText = "", mode: FormText = "ranked", scope: FormText = "doc",
                heading: FormText = "", genre: FormText = "", year: FormText = "", source: FormText = ""):
    if not viewer.logged_in:
        return see_other("/login?next=/saved")
    digits = year_digits(year)   # 2024年, as the search took it
    params = {"q": q, "mode": mode if mode in ("ranked", "precise") else "ranked",
              "scope": scope if scope in ("doc", "section") else "doc", "heading": heading or None,
              "genre": genre or None, "year": int(digits) if digits.isascii() and digits.isdigit() else None,
              "source": source or None}
    saved = store.save_search(viewer, name, params)
    return see_other(f"/saved?saved={saved.id}")


@router.get("/saved/{search_id:int}")
async def saved_search_page(request: Request, search_id: DocId, viewer: Annotated[Viewer, Depends(current_viewer)],
                            store: Store, library: Lib):
    """A saved search's new matches (found as every search of the app is: :func:`~sucai.web.deps.searching`),
    which are then seen (not by a HEAD: :func:`~sucai.web.deps.spends`)."""
    if redirect := _login_first(viewer, f"/saved/{search_id}"):
        return redirect
    saved = await run_in_threadpool(store.saved_search, viewer, search_id)

    def found():
        fresh = new_matches(library, saved, viewer.member)
        return fresh, library.search(saved.request(ids=fresh[:NEW_SHOWN], limit=NEW_SHOWN), member=viewer.member)
    fresh, result = await searching(request, found)
    if spends(request):
        await run_in_threadpool(store.mark_seen, viewer, search_id)
    return render_page(request, "saved_search.html", viewer=viewer, saved=saved, new_count=len(fresh),
                       hits=result.hits if fresh else [], params={"mode": "ranked"})


@router.post("/saved/{search_id:int}/delete", dependencies=Csrf)
def delete_saved(search_id: DocId, viewer: Annotated[Viewer, Depends(current_viewer)], store: Store):
    store.delete_search(viewer, search_id)
    return see_other("/saved?done=deleted")


@router.post("/saved/{search_id:int}/feed", dependencies=Csrf)
async def new_feed(request: Request, search_id: DocId, viewer: Annotated[Viewer, Depends(current_viewer)], store: Store,
                   library: Lib):
    token = await run_in_threadpool(store.new_feed_token, viewer, search_id)
    return await _saved_page(request, viewer, store, library, feed=(search_id, token),
                       message="已生成订阅地址（旧地址随即失效）。它只显示这一次，请复制到阅读器中。")


@router.post("/saved/{search_id:int}/feed/revoke", dependencies=Csrf)
def revoke_feed(search_id: DocId, viewer: Annotated[Viewer, Depends(current_viewer)], store: Store):
    store.revoke_feed(viewer, search_id)
    return see_other("/saved?done=revoked")


# -- favourites -------------------------------------------------------------------


@router.get("/favourites")
def favourites_page(request: Request, viewer: Annotated[Viewer, Depends(current_viewer)], store: Store):
    return _login_first(viewer, "/favourites") or render_page(request, "favourites.html", viewer=viewer,
                                                              folders=store.folders(viewer))


@router.post("/favourites", dependencies=Csrf)
def add_favourite(viewer: Annotated[Viewer, Depends(current_viewer)], store: Store, library: Lib,
                  doc_id: Annotated[int, Form(ge=1, le=2**62)], folder: FormText = "", note: FormText = ""):
    library.get(doc_id, include_hidden=viewer.admin)   # 404 for a missing or hidden document
    kept = store.add_favourite(viewer, doc_id, folder, note)
    return see_other(f"/favourites/{kept.id}")


@router.get("/favourites/{folder_id:int}")
def folder_page(request: Request, folder_id: DocId, viewer: Annotated[Viewer, Depends(current_viewer)],
                store: Store, library: Lib):
    if redirect := _login_first(viewer, f"/favourites/{folder_id}"):
        return redirect
    folder = store.folder(viewer, folder_id)
    items = store.favourites(viewer, folder_id)
    docs = viewer_documents(library, [i.doc_id for i in items], viewer.member, include_hidden=viewer.admin)
    return render_page(request, "folder.html", viewer=viewer, folder=folder, items=items, docs=docs,
                       downloads_left=get_accounts(request).downloads_left(viewer))


@router.post("/favourites/{folder_id:int}/items/{doc_id:int}/note", dependencies=Csrf)
def set_note(folder_id: DocId, doc_id: DocId, viewer: Annotated[Viewer, Depends(current_viewer)], store: Store,
             note: FormText = ""):
    store.set_note(viewer, folder_id, doc_id, note)
    return see_other(f"/favourites/{folder_id}")


@router.post("/favourites/{folder_id:int}/items/{doc_id:int}/remove", dependencies=Csrf)
def remove_favourite(folder_id: DocId, doc_id: DocId, viewer: Annotated[Viewer, Depends(current_viewer)],
                     store: Store):
    store.remove_favourite(viewer, folder_id, doc_id)
    return see_other(f"/favourites/{folder_id}")


@router.post("/favourites/{folder_id:int}/delete", dependencies=Csrf)
def delete_folder(folder_id: DocId, viewer: Annotated[Viewer, Depends(current_viewer)], store: Store):
    store.delete_folder(viewer, folder_id)
    return see_other("/favourites")


@router.post("/favourites/{folder_id:int}/download", dependencies=[*Csrf, Depends(same_site_download)])
def download_folder(request: Request, folder_id: DocId, viewer: Annotated[Viewer, Depends(current_viewer)],
                    store: Store, library: Lib, accounts: Annotated[Accounts, Depends(get_accounts)],
                    format: Annotated[Literal["docx", "md", "txt"], Form()] = "md"):  # noqa: A002
    folder = store.folder(viewer, folder_id)
    ids = [i.doc_id for i in store.favourites(viewer, folder_id)]
    found = {d.id: d for d in library.catalogue.documents(ids) if viewer.admin or not d.hidden}
    docs = [found[i] for i in ids if i in found]
    return zip_download(request, docs, viewer, accounts, format, folder.name)


# -- history ----------------------------------------------------------------------


@router.get("/history")
def history_page(request: Request, viewer: Annotated[Viewer, Depends(current_viewer)], store: Store, library: Lib):
    if redirect := _login_first(viewer, "/history"):
        return redirect
    get_recorder(request).flush()   # what this viewer just did is listed too
    zone = library.settings.zone
    entries = [{**e, "time": local_time(e["at"], zone, "minutes")} for e in store.history(viewer)]
    docs = viewer_documents(library, {e["doc_id"] for e in entries}, viewer.member, include_hidden=viewer.admin)
    return render_page(request, "history.html", viewer=viewer, entries=entries, docs=docs)

