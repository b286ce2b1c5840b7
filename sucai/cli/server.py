"""Commands that serve: the web app (serve) and the demo library (demo)."""

from __future__ import annotations

import os
import tempfile
from importlib import resources
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from .common import HomeOption, app, out
from .documents import ingest, search, stats


@app.command()
def serve(
    home: HomeOption = None,
    host: Annotated[str, typer.Option(help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口")] = 8000,
    workers: Annotated[Optional[int], typer.Option(help="服务进程数（默认 CPU 核数：检索占 CPU）")] = None,
) -> None:
    """启动网页与 JSON API（浏览器打开 http://HOST:PORT/，接口文档在 /docs）。"""
    import uvicorn

    from ..web import create_app

    workers = workers or os.cpu_count() or 1
    # X-Forwarded-For is believed only from the trusted_proxies setting (the app applies it), never by uvicorn
    # itself, which by default believes any local peer — a bypass of the per-IP login lockout.
    options = {"host": host, "port": port, "log_level": "warning", "proxy_headers": False}
    out.print(f"[bold]素材库网页[/bold]：http://{host}:{port}/ （接口文档 /docs，Ctrl+C 退出）")
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
