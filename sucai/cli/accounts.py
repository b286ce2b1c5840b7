"""Account commands: users (user …), API tokens (token …) and the audit log (audit)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.markup import escape
from rich.table import Table

from ..choices import ROLE_LABELS, ROLES
from ..config import Settings, local_time
from ..errors import BadValue
from .common import (POSITIVE, NamedChoice, app, err, example_until, home_option, json_option, library_settings,
                     made_settings, out, print_json, shown)

if TYPE_CHECKING:   # imported by the commands when they run (sucai.accounts loads the database layer)
    from ..accounts import Accounts

_ROLE_HELP = "角色：注册用户（user）/ 会员（member）/ 管理员（admin）"


@app.group("user")
def user_app() -> None:
    """账号管理：新增、列出、改角色、改会员到期日、改密码、删除。"""


@app.group("token")
def token_app() -> None:
    """API 令牌：创建（只显示一次）、列出、吊销。"""


_ROLES = NamedChoice({role: ROLE_LABELS[role] for role in ROLES})
_role_option = click.option("--role", type=_ROLES, default="user", help=_ROLE_HELP + "；默认为注册用户")
_until_option = click.option("--until", metavar="日期", help="会员到期日（含当天），如 2027-12-31 或 2027年12月31日")
_password_option = click.option("--password", metavar="密码",
                                help="密码（不给则提示输入两次；写在命令行会留在历史记录里）")
_name_argument = click.argument("name", metavar="用户名")


def _accounts(home: Path | None, settings: Settings | None = None) -> Accounts:
    """The accounts of the library in ``home`` (refused as :func:`.common.library_settings` refuses a ``home`` holding
    none: a command that reads or changes accounts made an empty library there), or of the one whose ``settings``
    were read already."""
    from ..accounts import Accounts

    return Accounts.from_settings(settings or library_settings(home))


def _ask_password(password: str | None) -> str:
    """``password``, else the one typed twice at the prompt (or piped in as two lines). Raises BadValue
    (``no_password``, exit 2) when the standard input, not a terminal, ends first (``< /dev/null``, a script): it
    said 「已取消。」 as if the user had cancelled, and not how to give a password without a terminal."""
    if password is not None:
        return password
    try:   # piped in, nothing is echoed anyway, and getpass would print English warnings
        return click.prompt("密码", hide_input=sys.stdin.isatty(), confirmation_prompt="再次输入密码",
                            prompt_suffix="：")   # click's own suffix is ": "
    except click.Abort:
        if sys.stdin.isatty():   # Ctrl+C or Ctrl+D at the prompt: the user cancelled
            raise
        click.echo()   # end the prompt's line
        raise BadValue("没有读到密码：标准输入不是终端，且在输入两次密码之前已结束。请用 --password 密码 给出，"
                       "或从标准输入给两行（密码、再次输入的密码）", code="no_password") from None


def _user_row(viewer) -> dict:
    return {**viewer.to_dict(), "role_label": viewer.role_label}


@user_app.command("add")
@_name_argument
@_role_option
@_until_option
@_password_option
@home_option
def user_add(name: str, role: str = "user", until: str | None = None, password: str | None = None,
             home: Path | None = None) -> None:
    """新增账号。"""
    accounts = _accounts(home, made_settings(home))   # the first admin of a new site: before any document
    viewer = accounts.add_user(name, _ask_password(password), role, until)
    out.print(f"已新增用户 {escape(viewer.username)}（编号 {viewer.user_id}，{viewer.role_label}）")
    if role == "member" and not viewer.member_until:
        err.print("[yellow]提示：会员未设到期日，暂不享有会员权益；用 sucai user set-expiry 设置。[/yellow]")


@user_app.command("list")
@home_option
@json_option
def user_list(home: Path | None = None, as_json: bool = False) -> None:
    """列出账号：编号、用户名、角色、会员到期。"""
    users = _accounts(home).users()
    if as_json:
        print_json([_user_row(v) for v in users])
        return
    if not users:   # an empty table said nothing of how to make the first account (new-user try 21)
        err.print("[yellow]还没有账号。新增第一个管理员：sucai user add 用户名 --role 管理员；"
                  f"会员：sucai user add 用户名 --role 会员 --until {example_until()}[/yellow]")
        return
    table = Table("编号", "用户名", "角色", "会员到期")
    for v in users:
        table.add_row(str(v.user_id), escape(v.username), v.role_label, v.member_until or "")
    out.print(table)


@user_app.command("set-role")
@_name_argument
@click.argument("role", type=_ROLES, metavar="角色")
@home_option
def user_set_role(name: str, role: str, home: Path | None = None) -> None:
    """修改角色：注册用户 / 会员 / 管理员（也可写 user / member / admin）。"""
    viewer = _accounts(home).set_role(name, role)
    out.print(f"{escape(viewer.username)} 的角色已改为{viewer.role_label}")


@user_app.command("set-expiry")
@_name_argument
@click.argument("date", metavar="日期")
@home_option
def user_set_expiry(name: str, date: str, home: Path | None = None) -> None:
    """设置会员到期日：YYYY-MM-DD（含当天）；none=清除。"""
    viewer = _accounts(home).set_expiry(name, None if date.lower() == "none" else date)
    out.print(f"{escape(viewer.username)} 的会员到期日：{viewer.member_until or '无'}（{viewer.role_label}）")


@user_app.command("passwd")
@_name_argument
@_password_option
@home_option
def user_passwd(name: str, password: str | None = None, home: Path | None = None) -> None:
    """修改密码。"""
    accounts = _accounts(home)
    accounts.viewer(name)  # unknown name: say so before asking for a password
    accounts.set_password(name, _ask_password(password))
    out.print(f"已修改 {escape(name)} 的密码")


@user_app.command("remove")
@_name_argument
@home_option
def user_remove(name: str, home: Path | None = None) -> None:
    """删除账号（连同其 API 令牌；审计记录保留）。"""
    _accounts(home).remove_user(name)
    out.print(f"已删除用户 {escape(name)}")


@token_app.command("create")
@_name_argument
@click.option("--label", default="令牌", show_default=True, metavar="名称", help="令牌名称（用途）")
@home_option
@json_option
def token_create(name: str, label: str = "令牌", home: Path | None = None, as_json: bool = False) -> None:
    """为用户创建 API 令牌；令牌只显示这一次。"""
    secret = _accounts(home).create_token(name, label)
    token_id = secret.split("_")[1]
    if as_json:
        print_json({"id": token_id, "name": label, "token": secret})
        return
    out.print(f"已创建令牌 {token_id}（{escape(label)}）。请立即保存，它不会再次显示：")
    sys.stdout.write(secret + "\n")


@token_app.command("list")
@_name_argument
@home_option
@json_option
def token_list(name: str, home: Path | None = None, as_json: bool = False) -> None:
    """列出用户的 API 令牌（不含密钥）。"""
    settings = library_settings(home)
    tokens = _accounts(home, settings).tokens(name)
    if as_json:
        print_json(tokens)
        return
    zone = settings.timezone
    table = Table("令牌编号", "名称", "创建时间", "最近使用", "状态")
    for t in tokens:
        table.add_row(t["id"], escape(shown(t["name"])), local_time(t["created_at"], zone), local_time(t["last_used_at"], zone),
                      "有效" if t["active"] else f"已吊销 {local_time(t['revoked_at'], zone)}")
    out.print(table)


@token_app.command("revoke")
@click.argument("token_id", metavar="令牌编号")
@home_option
def token_revoke(token_id: str, home: Path | None = None) -> None:
    """吊销 API 令牌（编号见 token list），立即生效。"""
    _accounts(home).revoke_token(token_id)
    out.print(f"已吊销令牌 {escape(token_id)}")


@app.command("audit")
@click.option("--limit", type=POSITIVE, default=100, show_default=True, metavar="条数", help="显示最近多少条")
@home_option
@json_option
def audit_log(limit: int = 100, home: Path | None = None, as_json: bool = False) -> None:
    """审计日志：登录、下载、上传、令牌与账号变更。

    最新在前；时间为设置 timezone（默认 Asia/Shanghai）的当地时间。
    """
    settings = library_settings(home)
    entries = _accounts(home, settings).audit_log(limit)
    if as_json:
        print_json(entries)
        return
    if not entries:
        out.print("暂无审计记录")
        return
    from ..accounts import audit_rows

    table = Table("时间", "事件", "用户", "角色", "来源", "详情")
    for e in audit_rows(entries, settings.timezone):
        table.add_row(e["time"], e["event_label"], escape(shown(e["who"])), e["role_label"], escape(shown(e["source_ip"])),
                      escape(shown(e["detail"])))
    out.print(table)
