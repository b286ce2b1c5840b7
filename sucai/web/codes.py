"""Membership codes on the web: the admin's ``/admin/codes`` (make a batch → CSV download; the batches) and
``POST /admin/codes/void`` (void a batch's unused codes, or single codes)
and the user's ``POST /account/redeem`` (on 我的账号). Every form carries the CSRF token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from ..accounts import Accounts
from ..choices import TIER_LABELS, TIERS
from ..codes import MAX_BATCH, MAX_VOID, Codes
from ..errors import SucaiError
from ..export.archive import safe_stem
from .account import account_page
from .deps import Viewer, client_ip, get_accounts, require_admin, require_login, verify_csrf
from .errors import with_error_headers
from .render import content_disposition
from .templating import render_page

router = APIRouter(include_in_schema=False)
Csrf = [Depends(verify_csrf)]
FormText = Annotated[str, Form(max_length=200)]
FormCodes = Annotated[str, Form(max_length=MAX_VOID * 30)]   # codes, one a line (25 characters and a few spaces)


def get_codes(request: Request) -> Codes:
    settings = request.app.state.settings
    return Codes(get_accounts(request), settings.redeem_max_failures)


def _codes_page(request: Request, viewer: Viewer, codes: Codes, *, error: str | None = None,
                message: str | None = None, status: int = 200):
    return render_page(request, "admin_codes.html", status=status, viewer=viewer, section="codes",
                       batches=codes.batches(), tiers=TIERS, tier_labels=TIER_LABELS, error=error, message=message,
                       max_batch=MAX_BATCH, max_void=MAX_VOID)


@router.get("/admin/codes")
def codes_page(request: Request, viewer: Annotated[Viewer, Depends(require_admin)],
               codes: Annotated[Codes, Depends(get_codes)]):
    return _codes_page(request, viewer, codes)


@router.post("/admin/codes", dependencies=Csrf)
def create_codes(request: Request, viewer: Annotated[Viewer, Depends(require_admin)],
                 codes: Annotated[Codes, Depends(get_codes)], tier: FormText = "member", days: FormText = "365",
                 count: FormText = "10", batch: FormText = ""):
    try:
        numbers = [int(v) if v.strip().isascii() and v.strip().isdigit() else 0 for v in (days, count)]
        rows = codes.create(tier, numbers[0], numbers[1], batch=batch, actor=viewer, source_ip=client_ip(request))
    except SucaiError as error:
        return _codes_page(request, viewer, codes, error=error.message, status=error.status)
    data = codes.csv(rows)
    name = f"卡密-{safe_stem(rows[0]['batch'], 'batch')}.csv"
    return Response(data, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": content_disposition(name, "codes.csv"), "Cache-Control": "no-store"})


@router.post("/admin/codes/void", dependencies=Csrf)
def void_codes(request: Request, viewer: Annotated[Viewer, Depends(require_admin)],
               codes: Annotated[Codes, Depends(get_codes)], batch: FormText = "", typed: FormCodes = ""):
    """Void the batch ``batch`` or the codes ``typed`` (one a line, or apart by spaces or commas), one of them."""
    try:
        done = codes.void(batch=batch or None, typed=typed.replace(",", " ").replace("，", " ").split() or None,
                          actor=viewer, source_ip=client_ip(request))
    except SucaiError as error:
        return _codes_page(request, viewer, codes, error=error.message, status=error.status)
    return _codes_page(request, viewer, codes, message=done.message)


@router.post("/account/redeem", dependencies=Csrf)
def redeem(request: Request, viewer: Annotated[Viewer, Depends(require_login)],
           accounts: Annotated[Accounts, Depends(get_accounts)], codes: Annotated[Codes, Depends(get_codes)],
           code: FormText = "", next: FormText = "/"):  # noqa: A002 - where 继续阅读 leads, as /login's next
    try:
        done = codes.redeem(viewer, code, client_ip(request))
    except SucaiError as error:
        return with_error_headers(account_page(request, viewer, accounts, status=error.status, error=error.message,
                                               back_to=next), error)
    return account_page(request, accounts.viewer(viewer.user_id), accounts, message=done.message, back_to=next)
