"""Account commands: users (user …), API tokens (token …) and the audit log (audit)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from ..accounts import EVENT_LABELS, ROLE_LABELS, Accounts
from ..config import load_settings
from .common import HomeOption, JsonOption, app, err, out, print_json, shown


user_app = typer.Typer(help="账号管理：新增、列出、改角色、改会员到期日、改密码、删除。", no_args_is_help=True)
token_app = typer.Typer(help="API 令牌：创建（只显示一次）、列出、吊销。", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")

RoleOption = Annotated[str, typer.Option("--role", help="user=注册用户 / member=会员 / admin=管理员")]
UntilOption = Annotated[Optional[str], typer.Option("--until", help="会员到期日（含当天），YYYY-MM-DD")]
PasswordOption = Annotated[Optional[str], typer.Option("--password", help="密码（不给则提示输入两次；写在命令行会留在历史记录里）")]


def _accounts(home: Path | None) -> Accounts:
    return Accounts.from_settings(load_settings(home))


def _ask_password(password: str | None) -> str:
    if password is not None:
        return password
    return typer.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")


def _user_row(viewer) -> dict:
    return {**viewer.to_dict(), "role_label": viewer.role_label}


@user_app.command("add")
def user_add(name: str, role: RoleOption = "user", until: UntilOption = None, password: PasswordOption = None,
             home: HomeOption = None) -> None:
    """新增账号。"""
    accounts = _accounts(home)
    viewer = accounts.add_user(name, _ask_password(password), role, until)
    out.print(f"已新增用户 {escape(viewer.username)}（编号 {viewer.user_id}，{viewer.role_label}）")
    if role == "member" and not viewer.member_until:
        err.print("[yellow]提示：会员未设到期日，暂不享有会员权益；用 sucai user set-expiry 设置。[/yellow]")


@user_app.command("list")
def user_list(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """列出账号：编号、用户名、角色、会员到期。"""
    users = _accounts(home).users()
    if as_json:
        print_json([_user_row(v) for v in users])
        return
    table = Table("编号", "用户名", "角色", "会员到期")
    for v in users:
        table.add_row(str(v.user_id), escape(v.username), v.role_label, v.member_until or "")
    out.print(table)


@user_app.command("set-role")
def user_set_role(name: str, role: Annotated[str, typer.Argument(help="user / member / admin")],
                  home: HomeOption = None) -> None:
    """修改角色。"""
    viewer = _accounts(home).set_role(name, role)
    out.print(f"{escape(viewer.username)} 的角色已改为{viewer.role_label}")


@user_app.command("set-expiry")
def user_set_expiry(name: str, date: Annotated[str, typer.Argument(help="会员到期日 YYYY-MM-DD（含当天）；none=清除")],
                    home: HomeOption = None) -> None:
    """设置会员到期日。"""
    viewer = _accounts(home).set_expiry(name, None if date.lower() == "none" else date)
    out.print(f"{escape(viewer.username)} 的会员到期日：{viewer.member_until or '无'}（{viewer.role_label}）")


@user_app.command("passwd")
def user_passwd(name: str, password: PasswordOption = None, home: HomeOption = None) -> None:
    """修改密码。"""
    accounts = _accounts(home)
    accounts.viewer(name)  # unknown name: say so before asking for a password
    accounts.set_password(name, _ask_password(password))
    out.print(f"已修改 {escape(name)} 的密码")


@user_app.command("remove")
def user_remove(name: str, home: HomeOption = None) -> None:
    """删除账号（连同其 API 令牌；审计记录保留）。"""
    _accounts(home).remove_user(name)
    out.print(f"已删除用户 {escape(name)}")


@token_app.command("create")
def token_create(name: Annotated[str, typer.Argument(help="用户名")],
                 label: Annotated[str, typer.Option("--label", help="令牌名称（用途）")] = "api",
                 home: HomeOption = None, as_json: JsonOption = False) -> None:
    """为用户创建 API 令牌；令牌只显示这一次。"""
    secret = _accounts(home).create_token(name, label)
    token_id = secret.split("_")[1]
    if as_json:
        print_json({"id": token_id, "name": label, "token": secret})
        return
    out.print(f"已创建令牌 {token_id}（{escape(label)}）。请立即保存，它不会再次显示：")
    sys.stdout.write(secret + "\n")


@token_app.command("list")
def token_list(name: Annotated[str, typer.Argument(help="用户名")], home: HomeOption = None,
               as_json: JsonOption = False) -> None:
    """列出用户的 API 令牌（不含密钥）。"""
    tokens = _accounts(home).tokens(name)
    if as_json:
        print_json(tokens)
        return
    table = Table("令牌编号", "名称", "创建时间", "最近使用", "状态")
    for t in tokens:
        table.add_row(t["id"], escape(shown(t["name"])), t["created_at"][:19], (t["last_used_at"] or "")[:19],
                      "有效" if t["active"] else f"已吊销 {t['revoked_at'][:19]}")
    out.print(table)


@token_app.command("revoke")
def token_revoke(token_id: Annotated[str, typer.Argument(help="令牌编号（见 token list）")],
                 home: HomeOption = None) -> None:
    """吊销 API 令牌，立即生效。"""
    _accounts(home).revoke_token(token_id)
    out.print(f"已吊销令牌 {escape(token_id)}")


@app.command("audit")
def audit_log(limit: Annotated[int, typer.Option(help="显示最近多少条")] = 100,
              home: HomeOption = None, as_json: JsonOption = False) -> None:
    """审计日志：登录、下载、令牌与账号变更（最新在前）。"""
    entries = _accounts(home).audit_log(limit)
    if as_json:
        print_json(entries)
        return
    table = Table("时间（UTC）", "事件", "用户", "角色", "来源", "详情")
    for e in entries:
        who = e["username"] or ("命令行" if e["role"] == "cli" else "游客")
        table.add_row(e["at"][:19].replace("T", " "), EVENT_LABELS.get(e["event"], e["event"]), escape(shown(who)),
                      ROLE_LABELS.get(e["role"], e["role"] or ""), escape(shown(e["source_ip"])), escape(shown(e["detail"])))
    out.print(table)
