"""Commands that serve: the web app (serve) and the demo library (demo)."""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from ..config import load_settings
from ..errors import SucaiError
from ..watch import watch_forever
from .common import HomeOption, app, out
from .documents import ingest, search, stats


@app.command()
def serve(
    home: HomeOption = None,
    host: Annotated[str, typer.Option(help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口")] = 8000,
    workers: Annotated[Optional[int], typer.Option(help="服务进程数（默认 CPU 核数：检索占 CPU）")] = None,
    watch: Annotated[Optional[list[Path]], typer.Option("--watch", help="同时监视此文件夹，新文件自动入库（可给多次）")] = None,
) -> None:
    """启动网页与 JSON API（浏览器打开 http://HOST:PORT/，接口文档在 /docs）。"""
    workers = workers or os.cpu_count() or 1
    out.print(f"[bold]素材库网页[/bold]：http://{host}:{port}/ （接口文档 /docs，Ctrl+C 退出）")
    with watcher_process(home, watch or []):
        _serve(home, host, port, workers)


@contextmanager
def watcher_process(home: Path | None, folders: list[Path]):
    """The watcher of ``sucai watch`` in a process of its own while the block runs (nothing when no folders):
    its ingest work does not share the web process's interpreter, and a crash of one leaves the other."""
    if not folders:
        yield
        return
    settings = load_settings(home)
    for folder in folders:
        if not folder.is_dir():
            raise SucaiError(f"监视的文件夹不存在：{folder}", code="bad_folder")
    process = multiprocessing.get_context("spawn").Process(
        target=watch_forever, args=(settings.home, folders, settings.watch_settle_ms / 1000), name="sucai-watch")
    # not a daemon: it starts processes of its own (each file is parsed in a worker), which a daemon may not
    process.start()
    out.print(f"监视文件夹：{escape('、'.join(map(str, folders)))}（新文件自动入库）")
    try:
        yield
    finally:
        process.terminate()
        process.join(10)
        if process.is_alive():
            process.kill()


def _serve(home: Path | None, host: str, port: int, workers: int) -> None:
    import uvicorn

    from ..web import create_app

    # X-Forwarded-For is believed only from the trusted_proxies setting (the app applies it), never by uvicorn
    # itself, which by default believes any local peer — a bypass of the per-IP login lockout.
    options = {"host": host, "port": port, "log_level": "warning", "proxy_headers": False}
    if workers > 1:  # each process opens the library itself, found through SUCAI_HOME
        if home is not None:
            os.environ["SUCAI_HOME"] = str(home)
        create_app(home)  # fail here, with a readable error, if the library cannot be opened
        uvicorn.run("sucai.web:create_app", factory=True, workers=workers, **options)
    else:
        uvicorn.run(create_app(home), **options)


@app.command()
def demo(
    home: HomeOption = None,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="只建库和展示，不启动网页")] = False,
    host: Annotated[str, typer.Option(help="网页监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="网页端口")] = 8000,
) -> None:
    """用自带的示例素材建一个演示库，展示入库结果与检索，然后启动网页浏览它。"""
    home = home or Path(os.environ.get("SUCAI_HOME") or Path(tempfile.gettempdir()) / "sucai-demo")
    samples = resources.files("sucai").joinpath("samples/library")
    out.print(f"[bold]演示库[/bold]：{home}（示例素材 {samples}）")
    ingest([Path(str(samples))], home=home)
    stats(home=home)
    for query, mode in (("担当作为方面 存在问题", "ranked"), ("基层减负", "precise")):
        out.print(f"\n[bold]检索[/bold] {query}（{'智能' if mode == 'ranked' else '精准'}）")
        search(query, mode=mode, scope="section" if mode == "ranked" else "doc", limit=3, home=home)
    out.print(f"\n用命令行继续使用演示库：[bold]export SUCAI_HOME={escape(str(home))}[/bold]，然后 sucai --help")
    if not no_serve:
        out.print()
        serve(home=home, host=host, port=port)
