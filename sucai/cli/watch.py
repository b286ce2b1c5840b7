"""The watch folder as a command: ``sucai watch DIR…``, and the watcher process of ``sucai serve --watch``."""

from __future__ import annotations

import multiprocessing
import signal
from contextlib import contextmanager, suppress
from pathlib import Path

import click
from rich.markup import escape

from ..config import load_settings
from .common import MOST_WORKERS, WORKERS, ExitCode, OutputClosed, app, err, home_option, shown, source_option

folders_argument = click.Path(exists=True, file_okay=False, path_type=Path)
"""A folder to watch: one that does not exist is refused by click, in Chinese (exit 2)."""


@app.command()
@click.argument("folders", nargs=-1, required=True, type=folders_argument, metavar="文件夹")
@home_option
@click.option("--workers", type=WORKERS, metavar="个数", help=f"每批入库的解析进程数（默认为处理器核数，最多 {MOST_WORKERS} 个）")
@source_option()
@click.pass_context
def watch(ctx: click.Context, folders: tuple[Path, ...], home: Path | None = None, workers: int | None = None,
          source: str | None = None) -> None:
    """监视文件夹：放入或改动的文件写完后自动入库。

    含子文件夹；每批入库一行日志（写到标准错误）；Ctrl+C 或停止信号结束，退出码 130。
    文件大小和修改时间保持 watch_settle_ms 毫秒不变才算写完。
    """
    from ..watch import watch_forever   # the watcher and the ingest it runs: not for `sucai watch --help`

    settings = load_settings(home)
    with suppress(OutputClosed):   # a closed standard error stops no watcher (its log lines go nowhere then)
        err.print(f"监视 {len(folders)} 个文件夹，按 Ctrl+C 停止")
    watch_forever(settings.home, list(folders), settings.watch_settle_ms / 1000, workers, source)
    ctx.exit(ExitCode.INTERRUPTED)   # the watcher ends only when stopped (Ctrl+C, a stop signal)


STOP_SECONDS = 30
"""How long ``sucai serve`` waits for its watcher to end after asking it to stop (it ends in a second or two,
its parsing workers stopped; one that is hung is killed after this)."""


@contextmanager
def watcher_process(home: Path | None, folders: tuple[Path, ...], source: str | None = None):
    """The watcher of ``sucai watch`` in a process of its own while the block runs (nothing when no folders), the
    files that name no 来源 given ``source`` (``sucai serve --watch DIR --source 来源``):
    its ingest work does not share the web process's interpreter, and a crash of one leaves the other.
    On leaving (the server stopped by Ctrl+C or a stop signal) the watcher is stopped with SIGTERM and waited
    for (:func:`sucai.watch.watch_beside_server`); killed only when it has not ended in :data:`STOP_SECONDS`."""
    if not folders:
        yield
        return
    from ..watch import STOP_SIGNALS, watch_beside_server

    settings = load_settings(home)
    # not a daemon: it starts processes of its own (each file is parsed in a worker), which a daemon may not
    process = multiprocessing.get_context("spawn").Process(
        target=watch_beside_server, args=(settings.home, list(folders), settings.watch_settle_ms / 1000, source),
        name="sucai-watch")
    before = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)   # until the watcher has a group of its own
    try:
        process.start()
    except BaseException:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)
        raise
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)   # a stop signal that came meanwhile acts here: stopped below
        with suppress(OutputClosed):   # nor a server, whose watcher would outlive it (review 17)
            err.print(f"监视文件夹：{escape(shown('、'.join(map(str, folders))))}（新文件自动入库）")
        yield
    finally:
        process.terminate()
        process.join(STOP_SECONDS)
        if process.is_alive():
            process.kill()
