"""Commands that keep a library running: migrate, backup, restore, check-integrity.

The database layer and the library are imported by the commands when they run (``sucai backup --help`` needs neither).
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from ..config import load_settings, local_time
from .common import (ExitCode, app, err, home_option, json_option, library_settings, open_library, out, print_json,
                     shown, step)

_folder_argument = click.argument("folder", metavar="备份目录", type=click.Path(path_type=Path))


@app.command()
@home_option
def migrate(home: Path | None) -> None:
    """升级数据库结构（PostgreSQL 须先运行本命令；内置 SQLite 库打开时自动升级）。"""
    from ..db import STORES, Database
    from ..db.migrate import STORE_LABELS, upgrade

    settings = load_settings(home)
    for store in STORES:
        db = Database(settings.database(store), store, check=False)
        before, after = upgrade(db)
        where = f"{STORE_LABELS[store]}（{escape(db.display)}）"
        out.print(f"{where}已是最新结构 {after}" if before == after else
                  f"{where}：结构 {before} → {after}" if before else f"{where}：已建表（结构 {after}）")


@app.command("backup")
@_folder_argument
@home_option
@json_option
def backup_library(folder: Path, home: Path | None, as_json: bool) -> None:
    """备份：目录库、账号库与设置的一致快照（服务运行时也可以），附清单与 SHA-256 校验和。

    备份位置须是新的或空的目录；不是空目录、是已有的文件或无法写入时，退出码 1。
    """
    from .. import backup as backups

    manifest = backups.backup(library_settings(home, "未备份"), folder)
    if as_json:
        print_json(manifest)
        return
    out.print(f"已备份到 {escape(shown(folder))}：文档 {manifest['documents']} 篇，账号 {manifest['users']} 个，"
              f"审计记录 {manifest['audit_entries']} 条（{len(manifest['files'])} 个文件，见 {backups.MANIFEST}）")


@app.command("restore")
@_folder_argument
@home_option
@click.option("--force", is_flag=True, help="目标库已有内容时仍然覆盖")
def restore_library(folder: Path, home: Path | None, force: bool) -> None:
    """从备份恢复（先核对校验和），然后重建检索索引。多节点部署时请先停止各节点。

    备份清单损坏、文件缺失或校验不符、目录中有清单未列出的文件时，什么也不恢复，退出码 1。
    """
    from .. import backup as backups

    with step(err, "正在核对备份并恢复数据库…"):
        manifest = backups.restore(load_settings(home), folder, force=force)
    library = open_library(home, reindexing=True)   # the settings as restored
    with step(err, "正在重建检索索引…", library.settings.progress_seconds) as update:
        library.reindex(lambda done, total: update(f"正在重建检索索引：{done}/{total}"))
    made = local_time(manifest["created_at"], library.settings.timezone)
    out.print(f"已从 {escape(shown(folder))}（备份于 {made}）恢复：文档 {manifest['documents']} 篇，"
              f"账号 {manifest['users']} 个，审计记录 {manifest['audit_entries']} 条；检索索引已重建")


@app.command("check-integrity")
@home_option
@json_option
@click.option("--repair/--no-repair", default=True, help="修复索引、隐藏只有标题的文档（默认修复）")
def check_integrity(home: Path | None, as_json: bool, repair: bool) -> int:
    """核对目录库与本机检索索引：缺失、多余或重复的条目，并修复索引；只有标题、没有正文的旧文档予以隐藏。"""
    report = open_library(home, outcome="未核对").check_integrity(repair=repair)
    title_only = report["title_only"]
    if as_json:
        print_json(report)
    elif report["ok"]:
        out.print(f"目录库与索引一致：{report['documents']} 篇文档都已编入索引（已应用到变更 {report['applied']}）")
    else:
        if report["missing"] or report["extra"] or report["duplicated"]:
            out.print(f"索引缺少 {len(report['missing'])} 篇、多出 {len(report['extra'])} 篇、"
                      f"重复 {len(report['duplicated'])} 篇" + ("；已修复" if report["repaired"] else "；未修复"))
        if title_only:
            out.print(f"只有标题、没有正文（0 字）的文档 {len(title_only)} 篇（入库时已不再收录这样的文件）"
                      + ("，已隐藏（管理员可在文档编辑页恢复显示）：" if report["repaired"] else "，未处理："))
            for doc in title_only:
                out.print(f"  {doc['id']}  {escape(shown(doc['title']))}", soft_wrap=True)
    if report["ok"] or report["repaired"]:
        return ExitCode.OK
    err.print("[yellow]运行 sucai check-integrity --repair 修复索引并隐藏只有标题的文档[/yellow]")
    return ExitCode.DAMAGED
