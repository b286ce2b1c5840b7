"""Commands that serve: the web app (serve) and the demo library (demo)."""

from __future__ import annotations

import errno
import os
import shutil
import socket
import sys
from contextlib import suppress
from importlib import resources
from pathlib import Path

import click
from platformdirs import user_cache_dir
from rich.markup import escape

from ..errors import InvalidInput, SucaiError, os_reason
from .common import (MOST_WORKERS, PORT, WORKERS, ExitCode, OutputClosed, app, describing_said, err, example_until,
                     home_option, older_readings_said, out, source_option)
from .documents import ingest_paths, search, stats
from .watch import folders_argument, watcher_process

_host_option = click.option("--host", default="127.0.0.1", show_default=True, metavar="地址", help="监听地址")
_port_option = click.option("--port", type=PORT, default=8000, show_default=True, metavar="端口", help="端口")


def check_port(host: str, port: int) -> None:
    """Raise SucaiError (code ``port_in_use``) unless ``host:port`` can be listened on now.

    Binds the way uvicorn will (``SO_REUSEADDR``, so a port in TIME_WAIT counts as
    free) and closes again; called before anything is printed about the address.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise SucaiError(f"无法识别监听地址 {host}", code="bad_host") from error
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except PermissionError as error:
            raise SucaiError(f"没有权限监听端口 {port}（1024 以下的端口需要管理员权限），请换一个端口，"
                             f"例如 --port 8000", code="port_forbidden") from error
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise SucaiError(f"无法监听 {host}:{port}：{os_reason(error)}", code="cannot_listen") from error
            raise SucaiError(f"端口 {port} 已被占用。请换一个端口，例如 --port {port + 1}，或先停止占用它的程序",
                             code="port_in_use") from error


@app.command()
@home_option
@_host_option
@_port_option
@click.option("--workers", type=WORKERS, metavar="个数", help=f"服务进程数（默认为处理器核数：检索占用处理器；最多 {MOST_WORKERS} 个）")
@click.option("--watch", "folders", multiple=True, type=folders_argument, metavar="文件夹",
              help="同时监视这个文件夹，新文件自动入库（可给多次）")
@source_option("--watch 文件夹里新入库文件")
@click.pass_context
def serve(ctx: click.Context, home: Path | None = None, host: str = "127.0.0.1", port: int = 8000,
          workers: int | None = None, folders: tuple[Path, ...] = (), source: str | None = None) -> None:
    """启动网页与 JSON API。

    浏览器打开 http://地址:端口/，接口文档在 /docs。Ctrl+C 或停止信号结束（标准错误上写“网页服务已停止”），退出码 130。
    """
    if source and not folders:
        raise click.UsageError("--source 是 --watch 所监视文件的来源，请与 --watch 同用")
    check_port(host, port)
    try:
        with watcher_process(home, folders, source):
            _serve(home, host, port, workers or os.cpu_count() or 1)
    except KeyboardInterrupt:   # stopped before uvicorn ran (the app still starting): a stop as any other, nothing to save
        pass
    with suppress(OutputClosed):   # a closed standard error changes no exit status
        err.print("[yellow]网页服务已停止。[/yellow]")
    ctx.exit(ExitCode.INTERRUPTED)   # uvicorn returns only when stopped (Ctrl+C, a stop signal)


def _serve(home: Path | None, host: str, port: int, workers: int) -> None:
    """Serve until stopped; 「正在启动…」 at once, then, on stderr, the documents described again at start (after an
    upgrade or the free preview's setting changed: seconds without a word, :func:`~sucai.cli.common.describing_said`),
    the address once the server answers (a loaded machine's start takes many seconds)."""
    out.print("正在启动网页服务…")
    from ..config import load_settings
    from ..web import create_app
    from ..web.serving import run_server, run_workers, served_app, uvicorn_options

    options = uvicorn_options(host, port, load_settings(home).timezone)
    if workers > 1:  # each process opens the library itself, found through SUCAI_HOME
        if home is not None:
            os.environ["SUCAI_HOME"] = str(home)
        with describing_said() as describing:   # fail here, with a readable error, if the library cannot be opened
            app = create_app(home, describing=describing)   # (and describe its documents once, not in every worker)
        older_readings_said(app.state.library)
        run_workers("sucai.web.serving:served_app", workers, lambda: _banner(host, port), factory=True, **options)
    else:
        with describing_said() as describing:
            served = served_app(home, describing)
        older_readings_said(served.state.library)
        run_server(served, lambda: _banner(host, port), **options)


def sucai_command() -> str:
    """How to call this sucai from a shell: ``sucai`` when that is on the PATH, else the path of the script
    (relative to the current folder when under it, as ``.venv/bin/sucai``)."""
    script = Path(sys.prefix) / "bin" / "sucai"
    found = shutil.which("sucai")
    if found and Path(found).resolve() == script.resolve():
        return "sucai"
    try:
        return str(script.relative_to(Path.cwd()))
    except ValueError:
        return str(script)


def _banner(host: str, port: int) -> None:
    out.print(f"[bold]素材库网页[/bold]：http://{host}:{port}/ （接口文档 /docs，Ctrl+C 退出）")


def _has_accounts(home: Path) -> bool:
    from ..accounts import Accounts

    accounts = Accounts.open(home)
    try:
        return bool(accounts.users())
    finally:
        accounts.close()


def _refuse_other_documents(home: Path, samples: Path, own: Path) -> None:
    """Raise InvalidInput (code ``not_demo_library``, exit 1) when the library in ``home`` holds a document that no
    file of ``samples`` made or matched (the bytes' SHA-256 its file record keeps, wherever sucai is installed): the
    demo adds its samples to a library of the demo's own only — ``SUCAI_HOME`` left pointing at a real library of 9
    documents made it 19. ``own``: the demo's default folder, offered instead. Nothing is made where there is no
    library; a library of accounts only, or of the demo (run again), passes."""
    from ..config import load_settings
    from ..ingest import content_hash
    from ..store import Catalogue

    settings = load_settings(home)
    if not settings.holds_library:
        return
    catalogue = Catalogue(settings.database("catalogue"))
    try:
        demo = {record.doc_id for record in catalogue.file_records_of(
            [content_hash(path) for path in samples.iterdir() if path.is_file()])}
        first = catalogue.records(limit=len(demo) + 1, include_hidden=True)   # one more than the demo's: any other?
    finally:
        catalogue.close()
    others = [summary for summary in first if summary.id not in demo]
    if others:
        where = "请用 --home 指定另一个文件夹" + (
            "" if home.expanduser().resolve() == own.resolve() else f"，或不设 SUCAI_HOME、不用 --home，演示库即在 {own}")
        raise InvalidInput(f"{home} 中的素材库已有示例素材以外的文档（如编号 {others[0].id}「{others[0].title}」），"
                           f"演示不往其中添加示例素材：{where}", code="not_demo_library")


@app.command()
@home_option
@click.option("--no-serve", is_flag=True, help="只建库和展示，不启动网页")
@_host_option
@_port_option
@click.pass_context
def demo(ctx: click.Context, home: Path | None = None, no_serve: bool = False, host: str = "127.0.0.1",
         port: int = 8000) -> None:
    """演示：用自带的示例素材建库，展示入库与检索，再启动网页。

    演示库默认在本用户的缓存目录（如 ~/.cache/sucai/demo），可用 --home 或 SUCAI_HOME 另指定。
    """
    if not no_serve:
        check_port(host, port)  # before the demo's output, not after it
    own = Path(user_cache_dir("sucai")) / "demo"
    home = home or Path(os.environ.get("SUCAI_HOME") or own)
    samples = Path(str(resources.files("sucai").joinpath("samples/library")))
    _refuse_other_documents(home, samples, own)
    out.print(f"[bold]演示库[/bold]：{escape(str(home))}（示例素材 {escape(str(samples))}）")
    if (home / "catalogue.sqlite3").exists() or (home / "sucai.toml").exists():
        out.print(f"[yellow]提示：沿用该文件夹中已有的素材库（示例素材已在其中的记为“重复”或“未变化”）；"
                  f"要从头演示，请先删除 {escape(str(home))} 或用 --home 指定新文件夹[/yellow]")
    ingest_paths((samples,), home)
    ctx.invoke(stats, home=home)
    for query, mode in (("担当作为方面 存在问题", "ranked"), ("基层减负", "precise")):
        out.print(f"\n[bold]检索[/bold] {query}（{'智能' if mode == 'ranked' else '精准'}）")
        ctx.invoke(search, words=(query,), mode=mode, scope="section" if mode == "ranked" else "doc", limit=3, home=home)
    command = sucai_command()
    activate = "" if command == "sucai" else f"（sucai 不在 PATH 上：可先 . {Path(command).parent}/activate，或直接用 {command}）"
    out.print(f"\n用命令行继续使用演示库：[bold]export SUCAI_HOME={escape(str(home))}[/bold]，"
              f"然后 [bold]{escape(command)} --help[/bold]{escape(activate)}")
    if not _has_accounts(home):   # the 写作台 and the members part need a login, and a demo library has no account
        out.print(f"网页上的写作台和会员全文要先登录：先建一个会员账号，如 [bold]{escape(command)} user add 写作者 --role 会员 "
                  f"--until {example_until()}[/bold]（管理员用 --role 管理员），再在网页上点“登录”")
    if not no_serve:
        out.print()
        ctx.invoke(serve, home=home, host=host, port=port)
