"""Commands that keep a library running: migrate, backup, restore, check-integrity."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from .. import backup as backups
from ..config import load_settings
from ..db import Database
from ..db.migrate import STORE_LABELS, upgrade
from ..library import Library
from .common import HomeOption, JsonOption, app, err, out, print_json, progress_bar

FolderArgument = Annotated[Path, typer.Argument(help="备份目录")]


@app.command()
def migrate(home: HomeOption = None) -> None:
    """升级数据库结构（PostgreSQL 必须先运行；内置 SQLite 库打开时自动升级）。"""
    settings = load_settings(home)
    for store in ("catalogue", "accounts"):
        db = Database(settings.database(store), store, check=False)
        before, after = upgrade(db)
        label = STORE_LABELS[store]
        if before == after:
            out.print(f"{label}（{escape(db.display)}）已是最新结构 {after}")
        else:
            out.print(f"{label}（{escape(db.display)}）：{before or '空'} → {after}")


@app.command("backup")
def backup_library(folder: FolderArgument, home: HomeOption = None, as_json: JsonOption = False) -> None:
    """备份：目录库、账号库与设置的一致快照（服务运行时也可以），附清单与 SHA-256 校验和。"""
    manifest = backups.backup(load_settings(home), folder)
    if as_json:
        print_json(manifest)
        return
    out.print(f"已备份到 {escape(str(folder))}：文档 {manifest['documents']} 篇，账号 {manifest['users']} 个，"
              f"审计记录 {manifest['audit_entries']} 条（{len(manifest['files'])} 个文件，见 {backups.MANIFEST}）")


@app.command("restore")
def restore_library(folder: FolderArgument, home: HomeOption = None,
                    force: Annotated[bool, typer.Option("--force", help="目标库已有内容时仍然覆盖")] = False) -> None:
    """从备份恢复（先核对校验和），然后重建检索索引。多节点部署时请先停止各节点。"""
    settings = load_settings(home)
    manifest = backups.restore(settings, folder, force=force)
    library = Library(load_settings(home))
    with progress_bar() as bar:
        task = bar.add_task("重建索引", total=None)
        library.reindex(lambda done, total: bar.update(task, completed=done, total=total))
    out.print(f"已从 {escape(str(folder))}（{manifest['created_at']}）恢复：文档 {manifest['documents']} 篇，"
              f"账号 {manifest['users']} 个，审计记录 {manifest['audit_entries']} 条；检索索引已重建")


@app.command("check-integrity")
def check_integrity(home: HomeOption = None, as_json: JsonOption = False,
                    repair: Annotated[bool, typer.Option("--repair/--no-repair", help="修复索引（默认修复）")] = True) -> None:
    """核对目录库与本机检索索引：缺失、多余或重复的条目，并修复索引。"""
    report = Library.open(home).check_integrity(repair=repair)
    if as_json:
        print_json(report)
    elif report["ok"]:
        out.print(f"目录库与索引一致：{report['documents']} 篇文档都已编入索引（已应用到变更 {report['applied']}）")
    else:
        out.print(f"索引缺少 {len(report['missing'])} 篇、多出 {len(report['extra'])} 篇、"
                  f"重复 {len(report['duplicated'])} 篇" + ("；已修复" if report["repaired"] else "；未修复"))
    if not report["ok"] and not report["repaired"]:
        err.print("[yellow]运行 sucai check-integrity --repair 修复索引[/yellow]")
        raise typer.Exit(2)
