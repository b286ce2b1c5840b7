"""Admin pages under ``/admin`` (role admin only; 403 for everyone else).

- ``/admin`` overview (totals, latest audit entries);
- ``/admin/upload``: upload several files at once; each is kept under the library's
  home as ``uploads/YYYY-MM-DD/<its name>`` (the site's day; only the last part of
  the uploaded name, no leading dot, never over another file: "名称 (2).pdf"; shown
  escaped), capped at ``upload_max_mb``, then ingested with :meth:`Library.ingest` — which parses each file in a worker
  process within its time and memory budget (:mod:`sucai.budget`), never in this
  server process; the page lists each file's outcome, the audit log records it (who, when, the file's name, its
  outcome); a file not ingested is removed again;
- ``/admin/documents`` and ``/admin/documents/{id}``: hide / show, delete, edit the
  title, 文种 and member boundary (会员起点);
- ``/admin/users``: add, set role, set membership expiry, remove;
- ``/admin/audit``: the audit log.

Every POST carries the session's CSRF token; user changes are audited with the admin
as actor.
"""

from __future__ import annotations

import os
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path as PathParam, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from ..accounts import ROLE_LABELS, ROLES, Accounts, audit_rows
from ..clean import display_name
from ..errors import InvalidInput, os_reason
from ..ingest import OUTCOME_NAMES, FileOutcome, file_key
from ..library import Library
from ..metadata import UPLOADS
from ..readers import MAX_FILE_BYTES, SUPPORTED_SUFFIXES
from ..readers.raw import EMPTY_FILE
from .api import MAX_ID, DocId
from .templating import after_change, render_page, see_other
from .deps import Viewer, check_csrf, client_ip, get_accounts, get_library, require_admin, verify_csrf

router = APIRouter(prefix="/admin", include_in_schema=False, dependencies=[Depends(require_admin)])
Csrf = [Depends(verify_csrf)]
Admin = Annotated[Viewer, Depends(require_admin)]
FormText = Annotated[str, Form(max_length=2000)]
UserId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="用户编号")]

_MAX_NAME_BYTES = 200      # a kept upload's file name, in bytes of UTF-8 (file systems allow 255)
# The outcomes of an upload whose file the catalogue names after the ingest (a record of it with a document): kept.
_KEPT = ("ingested", "unchanged", "updated")
FORM_OVERHEAD = 1 << 20   # bytes of a multipart request besides the files themselves


def _refresh_titles(request: Request) -> None:
    request.app.state.titles.refresh(force=True)


# -- overview -----------------------------------------------------------------------


@router.get("")
def overview(request: Request, viewer: Admin, library: Annotated[Library, Depends(get_library)],
             accounts: Annotated[Accounts, Depends(get_accounts)]):
    users = accounts.users()
    roles = {role: sum(1 for u in users if u.role == role) for role in ROLES}
    hidden = sum(1 for r in library.catalogue.summaries(include_hidden=True) if r["hidden"])
    return render_page(request, "admin.html", viewer=viewer, section="overview", stats=library.catalogue.stats(),
                       hidden=hidden, roles=roles, role_labels=ROLE_LABELS, users=len(users),
                       audit=_audit(request, accounts, 20))


@router.get("/audit")
def audit_page(request: Request, viewer: Admin, accounts: Annotated[Accounts, Depends(get_accounts)],
               limit: Annotated[int, Query(ge=1, le=5000)] = 200):
    return render_page(request, "admin_audit.html", viewer=viewer, section="audit",
                       audit=_audit(request, accounts, limit))


def _audit(request: Request, accounts: Accounts, limit: int) -> list[dict]:
    """The latest audit entries as shown: local time (setting ``timezone``), Chinese names."""
    return audit_rows(accounts.audit_log(limit), request.app.state.settings.timezone)


# -- upload -------------------------------------------------------------------------


@router.get("/upload")
def upload_page(request: Request, viewer: Admin):
    return _upload_page(request, viewer)


def _upload_page(request: Request, viewer: Viewer, results=None, error: str | None = None, status: int = 200):
    settings = request.app.state.settings
    return render_page(request, "admin_upload.html", status=status, viewer=viewer, section="upload",
                       results=results, error=error, max_mb=_cap(settings) // 2**20,
                       max_files=settings.upload_max_files, suffixes=sorted(SUPPORTED_SUFFIXES),
                       status_labels=OUTCOME_NAMES)


def _cap(settings) -> int:
    return max(1, min(settings.upload_max_mb * 2**20, MAX_FILE_BYTES))


@router.post("/upload")
async def upload(request: Request, viewer: Admin, accounts: Annotated[Accounts, Depends(get_accounts)]):
    settings = request.app.state.settings
    library: Library = request.app.state.library
    cap = _cap(settings)
    limit = settings.upload_max_files * cap + FORM_OVERHEAD
    length = request.headers.get("content-length")
    if length is None or not length.isdigit():
        return _upload_page(request, viewer, error="上传请求缺少长度信息（Content-Length）", status=411)
    if int(length) > limit:
        return _upload_page(request, viewer, status=413,
                            error=f"上传内容过大：每个文件不超过 {cap // 2**20} MB，一次不超过 {settings.upload_max_files} 个")
    try:
        form = await request.form(max_files=settings.upload_max_files, max_fields=20)
    except Exception:  # noqa: BLE001 - starlette's MultiPartException / malformed body
        return _upload_page(request, viewer, status=400,
                            error=f"无法读取上传内容；一次最多 {settings.upload_max_files} 个文件")
    try:
        token = form.get("csrf_token")
        check_csrf(request, token if isinstance(token, str) else None)
        uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
        if not uploads or all(not (f.filename or "") and not f.size for f in uploads):
            return _upload_page(request, viewer, status=422, error="请选择要上传的文件")
        results = await _ingest_uploads(library, uploads, cap)
    finally:
        await form.close()
    await run_in_threadpool(accounts.audit_all, "upload", viewer, [_audited(entry) for entry in results],
                            client_ip(request))
    _refresh_titles(request)
    return _upload_page(request, viewer, results=results)


async def _ingest_uploads(library: Library, uploads: list[UploadFile], cap: int) -> list[dict]:
    """Keep each upload under the library's home (:func:`keep_upload`), ingest them all, report per file.

    A file that is not ingested (skipped, failed, a duplicate of a stored document) is removed again, and its record
    with it: the catalogue names only what it stores, and the admin still has the original — but a duplicate whose
    text the document took as the better copy (:meth:`sucai.dedupe.Clusters.keep_better_copy`), which its document
    names now. One whose bytes a recorded file
    that is gone held is that file moved (``unchanged``, :func:`sucai.ingest._moved`: its record names the upload
    now) and is kept, as one ingested is."""
    folder = library.settings.home / UPLOADS / datetime.now(library.settings.zone).date().isoformat()
    results: list[dict] = []
    stored: dict[str, dict] = {}
    for upload in uploads:
        name = display_name(upload.filename)
        entry = {"name": name, "status": "skipped", "doc_id": None, "title": None, "reason": None}
        results.append(entry)
        data = await upload.read(cap + 1)
        if len(data) > cap:
            entry["reason"] = f"文件过大（超过 {cap // 2**20} MB 上限），未入库"
            continue
        if not data:
            entry["reason"] = EMPTY_FILE   # as the ingest says of a file of white space
            continue
        try:
            path = await run_in_threadpool(keep_upload, folder, name, data)
        except OSError as err:
            entry["reason"] = f"无法保存上传的文件：{os_reason(err)}"
            continue
        stored[str(path)] = entry
    if stored:
        try:
            # an upload asks for its file to be read: one that failed the same day, same name, is tried again
            summary = await run_in_threadpool(partial(library.ingest, [Path(p) for p in stored], None, 1,
                                                      retry_failed=True))
            for outcome in summary.outcomes:
                entry = stored.get(outcome.path)
                if entry is not None:
                    _apply(entry, outcome, folder.parent)
        finally:   # nothing left of a file not kept, neither the file nor its record — but a copy kept as the
            # better one (Clusters.keep_better_copy), its document's file now
            left = {file_key(Path(path)): path for path, entry in stored.items() if entry["status"] not in _KEPT}
            sources = await run_in_threadpool(library.catalogue.source_keys,
                                              [stored[path]["doc_id"] for path in left.values() if stored[path]["doc_id"]])
            dropped = [key for key in left if key not in sources.values()]
            for key in dropped:
                Path(left[key]).unlink(missing_ok=True)
            await run_in_threadpool(library.catalogue.forget_files, dropped)
    return results


def _audited(entry: dict) -> str:
    """The audit log's detail of an uploaded file (its row of the upload page): its shown name, its outcome
    (「已入库」…), the document it made or matched, why — 「通知.txt：重复，编号 12」."""
    said = f"{entry['name']}：{OUTCOME_NAMES.get(entry['status'], entry['status'])}"
    said += f"，编号 {entry['doc_id']}" if entry["doc_id"] is not None else ""
    return said + (f"（{entry['reason']}）" if entry["reason"] else "")


def keep_upload(folder: Path, name: str, data: bytes) -> Path:
    """Write ``data`` as ``folder/name`` (a :func:`display_name`), made safe as a file name — no leading dot,
    at most ``_MAX_NAME_BYTES`` bytes of UTF-8 — and never over another file: "名称 (2).pdf", "名称 (3).pdf"…
    Returns the path written. Raises OSError when the folder cannot be made or the file written."""
    folder.mkdir(parents=True, exist_ok=True)
    name = name.lstrip(".") or "上传文件"
    suffix = Path(name).suffix if len(Path(name).suffix.encode()) <= 16 else ""
    stem = name[: len(name) - len(suffix)] if suffix else name
    stem = stem.encode()[: _MAX_NAME_BYTES - len(suffix.encode()) - 8].decode(errors="ignore") or "上传文件"
    path, number = folder / f"{stem}{suffix}", 1
    while True:
        try:
            with path.open("xb") as file:
                file.write(data)
            return path
        except FileExistsError:
            number += 1
            path = folder / f"{stem} ({number}){suffix}"


def _apply(entry: dict, outcome: FileOutcome, uploads: Path) -> None:
    """``entry`` (a file's row of the upload page) as ``outcome`` says, its reason naming no server path: the file
    itself by its shown name, another upload — the one this file's bytes were moved from, kept on any day — by its path
    under the ``uploads`` folder ("2026-12-04/通知.txt")."""
    entry.update(status=outcome.status, doc_id=outcome.doc_id, title=outcome.title)
    reason = outcome.reason or ""
    if reason:
        reason = reason.replace(outcome.path, entry["name"]).replace(f"{uploads}{os.sep}", "")
    entry["reason"] = reason or None


# -- documents ------------------------------------------------------------------------


@router.get("/documents")
def documents_page(request: Request, viewer: Admin, library: Annotated[Library, Depends(get_library)],
                   deleted: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None):
    """Every document; ``deleted``: the one just removed, said so (in the site's words, never a link's)."""
    rows = library.catalogue.summaries(newest_first=True, include_hidden=True)
    return render_page(request, "admin_documents.html", viewer=viewer, section="documents", rows=rows,
                       message=None if deleted is None else f"已删除文档 {deleted}")


@router.get("/documents/{doc_id:int}")
def document_edit_page(request: Request, doc_id: DocId, viewer: Admin,
                       library: Annotated[Library, Depends(get_library)]):
    return _document_edit(request, viewer, library, doc_id)


def _document_edit(request: Request, viewer: Viewer, library: Library, doc_id: int, *, error: str | None = None,
                   message: str | None = None, status: int = 200):
    doc = library.get(doc_id, include_hidden=True, preview=False)  # the boundary as stored, which is what is edited
    around = {name: (doc.text[max(0, at - 40): at], doc.text[at: at + 40])
              for name, at in (("起点", doc.paid_from), ("终点", doc.paid_until)) if at is not None}
    preview = library.settings.free_preview_chars
    return render_page(request, "admin_document.html", status=status, viewer=viewer, section="documents", doc=doc,
                       around=around, preview=preview if 0 <= preview < doc.chars else None,
                       error=error, message=message)


@router.post("/documents/{doc_id:int}/edit", dependencies=Csrf)
def document_edit(
    request: Request, doc_id: DocId, viewer: Admin, library: Annotated[Library, Depends(get_library)],
    title: FormText = "", genre: FormText = "", paid_from: FormText = "", paid_until: FormText = "",
):
    try:
        start = _offset_field(paid_from, "会员起点应为字数（非负整数），留空表示全文免费")
        end = _offset_field(paid_until, "会员终点应为字数（非负整数），留空表示会员内容直到文末")
        library.update(doc_id, title=title, genre=genre, paid_from=start, paid_until=end)
    except InvalidInput as error:
        return _document_edit(request, viewer, library, doc_id, error=error.message, status=422)
    _refresh_titles(request)
    return _document_edit(request, viewer, library, doc_id, message="已保存。")


def _offset_field(value: str, message: str) -> int | None:
    """A character offset typed into a form: None when empty; InvalidInput (``bad_boundary``) when not a whole number."""
    value = value.strip()
    if value and not (value.isascii() and value.isdigit()):
        raise InvalidInput(message, code="bad_boundary")
    return int(value) if value else None


@router.post("/documents/{doc_id:int}/hide", dependencies=Csrf)
def document_hide(request: Request, doc_id: DocId, viewer: Admin,
                  library: Annotated[Library, Depends(get_library)], hidden: FormText = "1"):
    library.set_hidden(doc_id, hidden != "0")
    _refresh_titles(request)
    return _document_edit(request, viewer, library, doc_id, message="已隐藏。" if hidden != "0" else "已恢复显示。")


@router.post("/documents/{doc_id:int}/delete", dependencies=Csrf)
def document_delete(request: Request, doc_id: DocId, viewer: Admin,
                    library: Annotated[Library, Depends(get_library)]):
    library.remove(doc_id)
    _refresh_titles(request)
    return see_other(f"/admin/documents?deleted={doc_id}")


# -- users -------------------------------------------------------------------------------


def _users_page(request: Request, viewer: Viewer, accounts: Accounts, *, message: str | None = None,
                error: str | None = None, status: int = 200):
    return render_page(request, "admin_users.html", status=status, viewer=viewer, section="users",
                       users=accounts.users(), roles=ROLES, role_labels=ROLE_LABELS, message=message, error=error)


@router.get("/users")
def users_page(request: Request, viewer: Admin, accounts: Annotated[Accounts, Depends(get_accounts)]):
    return _users_page(request, viewer, accounts)


def _user_change(request: Request, viewer: Viewer, accounts: Accounts, change, done: str):
    return after_change(change, done, partial(_users_page, request, viewer, accounts))


@router.post("/users", dependencies=Csrf)
def user_add(request: Request, viewer: Admin, accounts: Annotated[Accounts, Depends(get_accounts)],
             username: FormText = "", password: FormText = "", role: FormText = "user", until: FormText = ""):
    return _user_change(request, viewer, accounts, lambda: accounts.add_user(
        username, password, role, until.strip() or None, actor=viewer, source_ip=client_ip(request)),
        f"已添加用户 {username.strip()[:32]}。")


@router.post("/users/{user_id:int}/role", dependencies=Csrf)
def user_role(request: Request, user_id: UserId, viewer: Admin, accounts: Annotated[Accounts, Depends(get_accounts)],
              role: FormText = ""):
    return _user_change(request, viewer, accounts, lambda: accounts.set_role(
        user_id, role, actor=viewer, source_ip=client_ip(request)), "角色已修改。")


@router.post("/users/{user_id:int}/expiry", dependencies=Csrf)
def user_expiry(request: Request, user_id: UserId, viewer: Admin, accounts: Annotated[Accounts, Depends(get_accounts)],
                until: FormText = ""):
    return _user_change(request, viewer, accounts, lambda: accounts.set_expiry(
        user_id, until.strip() or None, actor=viewer, source_ip=client_ip(request)), "会员到期日已修改。")


@router.post("/users/{user_id:int}/remove", dependencies=Csrf)
def user_remove(request: Request, user_id: UserId, viewer: Admin, accounts: Annotated[Accounts, Depends(get_accounts)]):
    return _user_change(request, viewer, accounts, lambda: accounts.remove_user(
        user_id, actor=viewer, source_ip=client_ip(request)), "用户已删除。")
