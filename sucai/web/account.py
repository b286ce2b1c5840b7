"""Account pages: 登录 ``/login``, 注册 ``/register``, 退出 ``/logout`` (POST), 我的账号 ``/account``
(修改密码, API 令牌). Logging in and registering go back to ``next`` (a path of this site only,
:func:`safe_next`: never another host), which their pages pass on to each other.

Every form carries the session's CSRF token (checked by :func:`sucai.web.deps.verify_csrf`
before the route runs). Logging in starts a fresh session (new CSRF token) that
holds only the account id and name; the account itself is read on every request.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request

from ..accounts import Accounts
from ..choices import TIER_LABELS
from ..errors import Forbidden, NotFound, SucaiError, Unauthorized
from .errors import with_error_headers
from .templating import render_page, see_other
from .deps import (Viewer, client_ip, current_viewer, get_accounts, login_session, verify_csrf)

router = APIRouter(include_in_schema=False)
Csrf = [Depends(verify_csrf)]
FormText = Annotated[str, Form(max_length=2000)]


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a path on this site only (never another host)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


@router.get("/login")
def login_page(request: Request, next: str = "/"):  # noqa: A002 - the public parameter name
    return render_page(request, "login.html", next=safe_next(next), error=None, username="")


@router.post("/login", dependencies=Csrf)
def login(
    request: Request,
    accounts: Annotated[Accounts, Depends(get_accounts)],
    username: FormText = "",
    password: FormText = "",
    next: FormText = "/",  # noqa: A002
):
    try:
        viewer = accounts.authenticate(username, password, client_ip(request))
    except SucaiError as error:
        return with_error_headers(render_page(request, "login.html", status=error.status, next=safe_next(next),
                                              error=error.message, username=username[:64]), error)
    login_session(request, viewer)
    return see_other(safe_next(next))


@router.get("/register")
def register_page(request: Request, next: str = "/"):  # noqa: A002 - the public parameter name
    _registration_open(request)
    return render_page(request, "register.html", next=safe_next(next), error=None, username="")


@router.post("/register", dependencies=Csrf)
def register(
    request: Request,
    accounts: Annotated[Accounts, Depends(get_accounts)],
    username: FormText = "",
    password: FormText = "",
    password2: FormText = "",
    next: FormText = "/",  # noqa: A002 - where to go once registered (a path of this site, as for logging in)
):
    _registration_open(request)
    try:
        if password != password2:
            raise Forbidden("两次输入的密码不一致", code="password_mismatch")
        viewer = accounts.register(username, password, client_ip(request))
    except SucaiError as error:
        status = 422 if error.status == 403 else error.status
        return with_error_headers(render_page(request, "register.html", status=status, next=safe_next(next),
                                              error=error.message, username=username[:64]), error)
    accounts.audit("login", viewer, "注册后登录", client_ip(request))
    login_session(request, viewer)
    return see_other("/account?registered=1" if safe_next(next) == "/" else safe_next(next))


def _registration_open(request: Request) -> None:
    if not request.app.state.settings.registration_open:
        raise Forbidden("本站暂未开放注册，请联系管理员开通账号", code="registration_closed")


@router.post("/logout", dependencies=Csrf)
def logout(
    request: Request,
    viewer: Annotated[Viewer, Depends(current_viewer)],
    accounts: Annotated[Accounts, Depends(get_accounts)],
):
    if viewer.logged_in:
        accounts.audit("logout", viewer, "", client_ip(request))
    login_session(request, None)
    return see_other("/")


def _logged_in(viewer: Viewer) -> Viewer:
    if not viewer.logged_in:
        raise Unauthorized("请先登录", code="login_required")
    return viewer


def account_page(request: Request, viewer: Viewer, accounts: Accounts, *, status: int = 200,
                 message: str | None = None, error: str | None = None, new_token: str | None = None,
                 back_to: str = "/"):
    """我的账号. ``back_to``: the page the user came from to redeem a 卡密 (a document's 会员 notice), a path of
    this site (:func:`safe_next`) carried by the redeem form; once redeemed, 继续阅读 leads back to it."""
    return render_page(
        request, "account.html", status=status, viewer=viewer, message=message, error=error, new_token=new_token,
        back_to=safe_next(back_to),
        tokens=accounts.tokens(viewer.user_id), downloads_left=accounts.downloads_left(viewer),
        daily_downloads=accounts.quota(viewer, "download"), tier=accounts.tier(viewer),
        svip_until=accounts.svip_until(viewer), tier_labels=TIER_LABELS,
    )


@router.get("/account")
def account(
    request: Request,
    viewer: Annotated[Viewer, Depends(current_viewer)],
    accounts: Annotated[Accounts, Depends(get_accounts)],
    registered: bool = False,
    next: str = "/",  # noqa: A002 - the public parameter name, as /login's
):
    if not viewer.logged_in:
        return see_other("/login?next=/account")
    return account_page(request, viewer, accounts, message="注册成功，已登录。" if registered else None, back_to=next)


@router.post("/account/password", dependencies=Csrf)
def change_password(
    request: Request,
    viewer: Annotated[Viewer, Depends(current_viewer)],
    accounts: Annotated[Accounts, Depends(get_accounts)],
    old_password: FormText = "",
    new_password: FormText = "",
    new_password2: FormText = "",
):
    _logged_in(viewer)
    try:
        if new_password != new_password2:
            raise Forbidden("两次输入的新密码不一致", code="password_mismatch")
        try:
            accounts.authenticate(viewer.username, old_password, client_ip(request))
        except Unauthorized:   # who asks is known: a wrong old password is not allowed, 403
            raise Forbidden("原密码不正确", code="bad_credentials") from None
        accounts.set_password(viewer.user_id, new_password, actor=viewer, source_ip=client_ip(request))
    except SucaiError as error:
        status = 422 if error.code == "password_mismatch" else error.status
        return account_page(request, viewer, accounts, status=status, error=error.message)
    login_session(request, viewer)
    return account_page(request, viewer, accounts, message="密码已修改。")


@router.post("/account/tokens", dependencies=Csrf)
def create_token(
    request: Request,
    viewer: Annotated[Viewer, Depends(current_viewer)],
    accounts: Annotated[Accounts, Depends(get_accounts)],
    name: FormText = "",
):
    _logged_in(viewer)
    try:
        secret = accounts.create_token(viewer.user_id, name, actor=viewer, source_ip=client_ip(request))
    except SucaiError as error:
        return account_page(request, viewer, accounts, status=error.status, error=error.message)
    return account_page(request, viewer, accounts, message="令牌已创建。它只显示这一次，请立即复制保存。",
                        new_token=secret)


@router.post("/account/tokens/{token_id}/revoke", dependencies=Csrf)
def revoke_token(
    request: Request,
    token_id: str,
    viewer: Annotated[Viewer, Depends(current_viewer)],
    accounts: Annotated[Accounts, Depends(get_accounts)],
):
    _logged_in(viewer)
    try:
        if token_id not in {t["id"] for t in accounts.tokens(viewer.user_id)}:  # only one's own tokens here
            raise NotFound("令牌不存在", code="token_not_found")
        accounts.revoke_token(token_id, actor=viewer, source_ip=client_ip(request))
    except NotFound as error:
        return account_page(request, viewer, accounts, status=404, error=error.message)
    return account_page(request, viewer, accounts, message=f"令牌 {token_id} 已吊销。")
