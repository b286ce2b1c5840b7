"""Admin pages for the clusters of near-duplicates (相似版本组): ``/admin/dupes``.

Lists every cluster with its representative; an admin merges documents into one
cluster, takes one out (split) or pins the representative. Admins only (403 for
everyone else); every form carries the session's CSRF token.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request

from ..dedupe import similarity_text, version_notes
from ..library import Library
from .api import MAX_ID, DocId
from .deps import Viewer, get_library, require_admin, verify_csrf
from .templating import after_change, render_page

router = APIRouter(prefix="/admin/dupes", include_in_schema=False, dependencies=[Depends(require_admin)])
Csrf = [Depends(verify_csrf)]
Admin = Annotated[Viewer, Depends(require_admin)]
Lib = Annotated[Library, Depends(get_library)]
FormText = Annotated[str, Form(max_length=2000)]


@router.get("")
def dupes_page(request: Request, viewer: Admin, library: Lib):
    return _page(request, viewer, library)


@router.post("/merge", dependencies=Csrf)
def dupes_merge(request: Request, viewer: Admin, library: Lib, ids: FormText = "", representative: FormText = ""):
    try:
        numbers = [_document_id(part) for part in ids.replace("，", ",").replace("、", ",").split(",") if part.strip()]
        chosen = _document_id(representative) if representative.strip() else None
    except ValueError:
        return _page(request, viewer, library, error="文档编号应为正整数，用逗号分隔，如 12,34", status=422)
    return _change(request, viewer, library, lambda: library.clusters.merge(numbers, chosen),
                   f"已合并为一组：{'、'.join(map(str, dict.fromkeys(numbers)))}")


@router.post("/{doc_id:int}/split", dependencies=Csrf)
def dupes_split(request: Request, doc_id: DocId, viewer: Admin, library: Lib):
    return _change(request, viewer, library, lambda: library.clusters.split(doc_id), f"已把文档 {doc_id} 移出相似版本组")


@router.post("/{doc_id:int}/pick", dependencies=Csrf)
def dupes_pick(request: Request, doc_id: DocId, viewer: Admin, library: Lib):
    return _change(request, viewer, library, lambda: library.clusters.set_representative(doc_id),
                   f"已把文档 {doc_id} 设为代表版本")


def _document_id(typed: str) -> int:
    """A document's id as an admin typed it. Raises ValueError unless it is a whole number from 1 to ``MAX_ID`` (one
    past what can be stored never reaches the database: its driver raised OverflowError, a 500 page)."""
    number = int(typed)
    if not 1 <= number <= MAX_ID:
        raise ValueError(typed)
    return number


def _change(request: Request, viewer: Viewer, library: Library, change, done: str):
    return after_change(change, done, partial(_page, request, viewer, library))


def _page(request: Request, viewer: Viewer, library: Library, *, message: str | None = None,
          error: str | None = None, status: int = 200):
    return render_page(request, "admin_dupes.html", status=status, viewer=viewer, section="dupes",
                       clusters=library.clusters.all(), merged=library.clusters.merged_ids(),
                       similarity_text=similarity_text, version_notes=version_notes, message=message, error=error)
