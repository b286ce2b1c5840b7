"""The watch folder as a command: ``sucai watch DIR…`` (and the watcher process of ``sucai serve --watch``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..config import load_settings
from ..watch import watch_forever
from .common import HomeOption, app, err

WorkersOption = Annotated[Optional[int], typer.Option("--workers", help="每批入库的解析进程数（默认 CPU 核数）")]


@app.command()
def watch(
    folders: Annotated[list[Path], typer.Argument(help="要监视的文件夹（含子文件夹）")],
    home: HomeOption = None,
    workers: WorkersOption = None,
) -> None:
    """监视文件夹：新放入或改动的文件写完后自动入库（每批一行日志；Ctrl+C 停止）。"""
    settings = load_settings(home)
    err.print(f"监视 {len(folders)} 个文件夹，按 Ctrl+C 停止")
    watch_forever(settings.home, folders, settings.watch_settle_ms / 1000, workers)
