"""``sucai sync DIR --since DATE [--query …] [--as USER]``: new documents into a folder, incrementally."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from ..choices import MODES, SYNC_FORMATS
from .common import Day, ExitCode, NamedChoice, app, err, home_option, open_library, out, shown, site_day


@app.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), metavar="文件夹")
@click.option("--since", required=True, type=Day(), metavar="日期",
              help="同步这天（2026-11-01、2026年11月1日、今天或昨天，本站时区，设置 timezone）以来入库的文档")
@click.option("--query", metavar="检索词", help="只同步符合这个检索的文档")
@click.option("--mode", type=NamedChoice(MODES), default="precise",
              help="检索方式（配合 --query）：精准=逐字包含（precise，默认），智能=分词排序（ranked）")
@click.option("--format", "fmt", type=click.Choice(SYNC_FORMATS), default="md", show_default=True, metavar="格式",
              help="md=Markdown / docx=Word（GB/T 9704 版式）")
@click.option("--as", "as_user", metavar="用户名",
              help="按这个账号的权限写入（会员得全文，计入其每日下载）；默认只写免费部分")
@home_option
@click.pass_context
def sync(ctx: click.Context, folder: Path, since: str, query: str | None = None, mode: str = "precise",
         fmt: str = "md", as_user: str | None = None, home: Path | None = None) -> None:
    """同步到文件夹：把新入库的文档写成 .md 或 .docx。

    再次运行只写新增的（文件夹里的 .sucai-sync.json 记录已写入的）。
    达到账号的每日下载上限时提前停止，退出码 5；明天再次运行会接着同步。
    同步清单损坏，或有条目不是本文件夹中的文件名时，不写入任何文件，退出码 1。
    """
    from ..accounts import Accounts
    from ..sync import sync as sync_folder

    library = open_library(home)
    accounts = Accounts.from_settings(library.settings) if as_user else None
    viewer = accounts.viewer(as_user) if accounts else None
    who = f"{viewer.username}（{viewer.role_label}）" if viewer else "免费部分（未指定账号）"
    summary = sync_folder(library, folder, since=site_day(since, library.settings), query=query, mode=mode, fmt=fmt,
                          viewer=viewer, accounts=accounts)
    out.print(f"已同步到 {escape(shown(folder))}：新写入 {len(summary.written)} 篇，已有 {summary.kept} 篇未变；"
              f"按{escape(shown(who))}的权限")
    if summary.stopped:
        err.print(f"[yellow]提前停止：{escape(summary.stopped)}；明天再次运行会接着同步。[/yellow]")
        ctx.exit(ExitCode.PARTIAL)
