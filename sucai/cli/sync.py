"""``sucai sync DIR --since DATE [--query …] [--as USER]``: new documents into a folder, incrementally."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from ..accounts import Accounts
from ..errors import SucaiError
from ..sync import sync as sync_folder
from .common import HomeOption, app, err, open_library, out


@app.command()
def sync(
    folder: Annotated[Path, typer.Argument(help="同步到的文件夹（不存在则新建）")],
    since: Annotated[str, typer.Option("--since", help="同步这天（YYYY-MM-DD，本站时区）以来入库的文档")],
    query: Annotated[Optional[str], typer.Option("--query", help="只同步符合这个检索的文档")] = None,
    mode: Annotated[str, typer.Option("--mode", help="检索方式：precise=精准（默认，逐字包含）/ ranked=智能")] = "precise",
    fmt: Annotated[str, typer.Option("--format", help="md / docx")] = "md",
    as_user: Annotated[Optional[str], typer.Option("--as", help="按这个账号的权限写入（会员得全文，计入其每日下载）；默认只写免费部分")] = None,
    home: HomeOption = None,
) -> None:
    """同步到文件夹：把新入库的文档写成 .md / .docx；再次运行只写新增的（文件夹里的 .sucai-sync.json 记录已写入的）。"""
    try:
        day = date.fromisoformat(since.strip())
    except ValueError:
        raise SucaiError(f"--since 应为日期 YYYY-MM-DD：{since}", code="bad_option") from None
    library = open_library(home)
    accounts = Accounts.from_settings(library.settings) if as_user else None
    viewer = accounts.viewer(as_user) if accounts else None
    who = f"{viewer.username}（{viewer.role_label}）" if viewer else "免费部分（未指定账号）"
    summary = sync_folder(library, folder, since=day, query=query, mode=mode, fmt=fmt, viewer=viewer, accounts=accounts)
    out.print(f"已同步到 {escape(str(folder))}：新写入 {len(summary.written)} 篇，已有 {summary.kept} 篇未变；按{escape(who)}的权限")
    if summary.stopped:
        err.print(f"[yellow]提前停止：{escape(summary.stopped)}；明天再次运行会接着同步。[/yellow]")
        raise typer.Exit(1)
