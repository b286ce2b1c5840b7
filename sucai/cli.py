"""The ``sucai`` command: thin commands over :class:`sucai.library.Library`.

Errors are printed as one plain line (never a traceback) and exit with status 1;
``SUCAI_DEBUG=1`` shows the traceback of an unexpected error.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import asdict
from importlib import resources
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from . import access
from .accounts import ROLE_LABELS, Accounts
from .errors import SucaiError
from .export import export_document, export_zip
from .library import Library
from .model import Document, walk_outline
from .search import MODES, SCOPES, SORTS, SearchRequest

app = typer.Typer(
    help="sucai 素材库: 公文材料的入库、清洗、检索与下载。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

HomeOption = Annotated[Optional[Path], typer.Option("--home", help="数据目录（默认 $SUCAI_HOME 或用户数据目录）")]
JsonOption = Annotated[bool, typer.Option("--json", help="以 JSON 输出")]
FreeOption = Annotated[bool, typer.Option("--free", help="按免费用户（非会员）可见的内容输出")]


def _library(home: Path | None) -> Library:
    return Library.open(home)


def _print_json(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _progress() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeRemainingColumn(), console=err, transient=True,
    )


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="文件或文件夹（递归）")],
    home: HomeOption = None,
    as_json: JsonOption = False,
    workers: Annotated[Optional[int], typer.Option(help="解析进程数（默认 CPU 核数）")] = None,
) -> None:
    """入库：读取、清洗、解析结构、去重并建立索引。"""
    library = _library(home)
    with _progress() as bar:
        task = bar.add_task("入库", total=None)
        summary = library.ingest(paths, lambda done, total: bar.update(task, completed=done, total=total), workers)
    if as_json:
        _print_json(summary.to_dict())
        return
    problems = [o for o in summary.outcomes if o.status in ("skipped", "failed", "duplicate")]
    if problems:
        table = Table(title="需要留意的文件")
        table.add_column("文件", overflow="fold")
        table.add_column("结果", no_wrap=True)
        table.add_column("原因", overflow="fold")
        for o in problems:
            table.add_row(escape(o.path), _STATUS[o.status], escape(o.reason or ""))
        out.print(table)
    totals = Table(*[_STATUS[s] for s in summary.counts], title="入库结果")
    totals.add_row(*[str(n) for n in summary.counts.values()])
    out.print(totals)


_STATUS = {"ingested": "已入库", "duplicate": "重复", "unchanged": "未变化", "skipped": "跳过", "failed": "失败"}


@app.command("list")
def list_documents(home: HomeOption = None, as_json: JsonOption = False,
                   limit: Annotated[Optional[int], typer.Option(help="最多列出多少篇")] = None) -> None:
    """列出文档：编号、标题、文种、字数。"""
    rows = _library(home).catalogue.summaries(limit)
    if as_json:
        _print_json(rows)
        return
    table = Table("编号", "标题", "文种", "字数", "日期")
    for row in rows:
        table.add_row(str(row["id"]), escape(row["title"]), row["genre"], str(row["chars"]), row["date"] or "")
    out.print(table)


@app.command()
def stats(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """库内统计：文档数、字数、按文种、按来源。"""
    data = _library(home).catalogue.stats()
    if as_json:
        _print_json(data)
        return
    out.print(f"文档 {data['documents']} 篇，共 {data['chars']:,} 字")
    for key, title in (("by_genre", "按文种"), ("by_source", "按来源")):
        table = Table(title, "篇数")
        for name, count in data[key].items():
            table.add_row(escape(name), str(count))
        out.print(table)


@app.command()
def show(doc_id: int, home: HomeOption = None, as_json: JsonOption = False, free: FreeOption = False) -> None:
    """显示一篇文档：元数据、提纲、正文（标出会员内容的起点）。"""
    doc = _library(home).get(doc_id)
    view, notice = access.view(doc, member=not free)
    if as_json:
        _print_json({**view.to_dict(), "chars": doc.chars, "notice": notice})
        return
    out.print(Text(view.title, style="bold"))
    for label, value in _metadata(doc):
        out.print(f"[dim]{label}[/dim] {escape(str(value))}")
    if view.outline:
        out.print("\n[bold]提纲[/bold]")
        for node in walk_outline(view.outline):
            if node.kind == "heading":
                out.print("  " * node.level + escape(f"{node.label}{node.heading}"))
    out.print("\n[bold]正文[/bold]")
    if view.paid_from is None or free:
        out.print(Text(view.text))
    else:
        out.print(Text(view.text[: view.paid_from]))
        out.print("[yellow]──────── 以下为会员内容 ────────[/yellow]")
        out.print(Text(view.text[view.paid_from :]))
    if notice:
        out.print(f"[yellow]{escape(notice)}[/yellow]")


def _metadata(doc: Document) -> list[tuple[str, object]]:
    rows = [("编号", doc.id), ("文种", doc.genre), ("字数", doc.chars), ("标称字数", doc.declared_chars),
            ("文号", doc.doc_number), ("日期", doc.date), ("来源", doc.source), ("会员内容起点", doc.paid_from),
            ("文件", doc.source_path)]
    return [(k, v) for k, v in rows if v is not None]


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="检索词：空格分隔=同时包含，\"…\"=整体，-词=排除，A OR B")],
    mode: Annotated[str, typer.Option(help="ranked=智能 / precise=精准")] = "ranked",
    scope: Annotated[str, typer.Option(help="doc=全文 / section=段落")] = "doc",
    heading: Annotated[Optional[str], typer.Option(help="只在标题含此词的段落中查找（配合 --scope section）")] = None,
    genre: Annotated[Optional[str], typer.Option(help="文种")] = None,
    year: Annotated[Optional[int], typer.Option(help="年份")] = None,
    source: Annotated[Optional[str], typer.Option(help="来源")] = None,
    member_part: Annotated[Optional[bool], typer.Option("--member-part/--no-member-part",
                                                        help="只看含 / 不含会员内容的文档")] = None,
    sort: Annotated[str, typer.Option(help="relevance / date / length")] = "relevance",
    limit: Annotated[int, typer.Option(help="每页条数")] = 10,
    page: Annotated[int, typer.Option(help="页码")] = 1,
    home: HomeOption = None,
    as_json: JsonOption = False,
    free: FreeOption = False,
) -> None:
    """检索：精准（逐字包含）或智能（分词排序），按全文或段落。"""
    if mode not in MODES or scope not in SCOPES or sort not in SORTS:
        raise SucaiError(f"--mode 取 {'/'.join(MODES)}，--scope 取 {'/'.join(SCOPES)}，--sort 取 {'/'.join(SORTS)}",
                         code="bad_option")
    request = SearchRequest(q=query, mode=mode, scope=scope, heading=heading, genre=genre, year=year,
                            source=source, has_member_part=member_part, sort=sort, limit=limit, page=page)
    result = _library(home).search(request, member=not free)
    if as_json:
        _print_json(asdict(result))
        return
    for warning in result.warnings:
        err.print(f"[yellow]提示：{escape(warning)}[/yellow]")
    out.print(f"共 {result.total} 条结果（第 {result.page} 页，用时 {result.took_ms} 毫秒）")
    for number, hit in enumerate(result.hits, start=(result.page - 1) * result.limit + 1):
        head = Text(f"{number}. ")
        head.append(_highlighted(hit.title, hit.title_highlights, "bold"))
        head.append(f"  [{hit.genre} · {hit.chars}字 · 编号 {hit.id}]", style="dim")
        out.print(head)
        if hit.section_path:
            out.print(Text("   " + " › ".join(hit.section_path), style="cyan"))
        out.print(Text("   ").append(_highlighted(hit.snippet, hit.highlights)))


def _highlighted(text: str, spans: list[tuple[int, int]], style: str = "") -> Text:
    shown = Text(text, style=style)
    for start, end in spans:
        shown.stylize("bold red", start, end)
    return shown


@app.command()
def export(
    doc_id: Annotated[Optional[int], typer.Argument(help="文档编号（与 --query 二选一）")] = None,
    fmt: Annotated[str, typer.Option("--format", help="docx / md / txt")] = "docx",
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="输出文件（默认按标题命名，存到当前目录）")] = None,
    query: Annotated[Optional[str], typer.Option(help="把这次检索的结果打包下载")] = None,
    as_zip: Annotated[bool, typer.Option("--zip", help="打包为 zip（多篇或检索结果）")] = False,
    mode: Annotated[str, typer.Option(help="检索方式（配合 --query）")] = "ranked",
    genre: Annotated[Optional[str], typer.Option(help="文种（配合 --query）")] = None,
    year: Annotated[Optional[int], typer.Option(help="年份（配合 --query）")] = None,
    limit: Annotated[int, typer.Option(help="打包的最多篇数")] = 100,
    home: HomeOption = None,
    free: FreeOption = False,
) -> None:
    """下载：单篇导出为 Word（GB/T 9704 版式）、Markdown 或纯文本；检索结果打包为 zip。"""
    library = _library(home)
    if (doc_id is None) == (query is None):
        raise SucaiError("请给出一个文档编号，或用 --query 指定要打包的检索", code="bad_option")
    if doc_id is not None and not as_zip:
        view, notice = access.view(library.get(doc_id), member=not free)
        name, data = export_document(view, fmt, notice=notice)
    else:
        docs = [library.get(doc_id)] if doc_id is not None else _search_all(library, query, mode, genre, year, limit, free)
        if not docs:
            raise SucaiError("没有符合条件的文档，未生成压缩包", code="no_results")
        name, data = "素材打包.zip", export_zip([access.view(d, member=not free) for d in docs], fmt, limit=limit)
    target = _write(output, name, data)
    out.print(f"已导出：{escape(str(target))}（{len(data):,} 字节）")


def _write(output: Path | None, name: str, data: bytes) -> Path:
    """Write to ``output`` (a file, or a folder to put ``name`` in; default: ``name`` here)."""
    target = output / name if output and output.is_dir() else output or Path(name)
    try:
        target.write_bytes(data)
    except OSError as err:
        raise SucaiError(f"无法写入 {target}：{err.strerror or err}", code="cannot_write") from err
    return target


def _search_all(library: Library, query: str, mode: str, genre, year, limit: int, free: bool) -> list[Document]:
    request = SearchRequest(q=query, mode=mode, genre=genre, year=year)
    _, ids = library.matching_ids(request, member=not free, limit=limit)
    found = {d.id: d for d in library.catalogue.documents(ids)}
    return [found[i] for i in ids if i in found]


@app.command()
def rm(doc_id: int, home: HomeOption = None) -> None:
    """删除一篇文档（目录与索引）。"""
    _library(home).remove(doc_id)
    out.print(f"已删除文档 {doc_id}")


@app.command()
def reindex(home: HomeOption = None) -> None:
    """由目录重建检索索引。"""
    library = _library(home)
    with _progress() as bar:
        task = bar.add_task("重建索引", total=None)
        count = library.reindex(lambda done, total: bar.update(task, completed=done, total=total))
    out.print(f"已重建索引：{count} 篇文档")


@app.command()
def serve(
    home: HomeOption = None,
    host: Annotated[str, typer.Option(help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口")] = 8000,
    workers: Annotated[Optional[int], typer.Option(help="服务进程数（默认 CPU 核数：检索占 CPU）")] = None,
) -> None:
    """启动网页与 JSON API（浏览器打开 http://HOST:PORT/，接口文档在 /docs）。"""
    import uvicorn

    from .web import create_app

    workers = workers or os.cpu_count() or 1
    out.print(f"[bold]素材库网页[/bold]：http://{host}:{port}/ （接口文档 /docs，Ctrl+C 退出）")
    if workers > 1:  # each process opens the library itself, found through SUCAI_HOME
        if home is not None:
            os.environ["SUCAI_HOME"] = str(home)
        create_app(home)  # fail here, with a readable error, if the library cannot be opened
        uvicorn.run("sucai.web:create_app", factory=True, host=host, port=port, workers=workers, log_level="warning")
    else:
        uvicorn.run(create_app(home), host=host, port=port, log_level="warning")


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


# -- accounts: users, API tokens, audit log (issue 5) -------------------------

user_app = typer.Typer(help="账号管理：新增、列出、改角色、改会员到期日、改密码、删除。", no_args_is_help=True)
token_app = typer.Typer(help="API 令牌：创建（只显示一次）、列出、吊销。", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")

RoleOption = Annotated[str, typer.Option("--role", help="user=注册用户 / member=会员 / admin=管理员")]
UntilOption = Annotated[Optional[str], typer.Option("--until", help="会员到期日（含当天），YYYY-MM-DD")]
PasswordOption = Annotated[Optional[str], typer.Option("--password", help="密码（不给则提示输入两次；写在命令行会留在历史记录里）")]


def _accounts(home: Path | None) -> Accounts:
    from .config import load_settings

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
        _print_json([_user_row(v) for v in users])
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
        _print_json({"id": token_id, "name": label, "token": secret})
        return
    out.print(f"已创建令牌 {token_id}（{escape(label)}）。请立即保存，它不会再次显示：")
    sys.stdout.write(secret + "\n")


@token_app.command("list")
def token_list(name: Annotated[str, typer.Argument(help="用户名")], home: HomeOption = None,
               as_json: JsonOption = False) -> None:
    """列出用户的 API 令牌（不含密钥）。"""
    tokens = _accounts(home).tokens(name)
    if as_json:
        _print_json(tokens)
        return
    table = Table("令牌编号", "名称", "创建时间", "最近使用", "状态")
    for t in tokens:
        table.add_row(t["id"], escape(t["name"]), t["created_at"][:19], (t["last_used_at"] or "")[:19],
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
    from .accounts import EVENT_LABELS

    entries = _accounts(home).audit_log(limit)
    if as_json:
        _print_json(entries)
        return
    table = Table("时间（UTC）", "事件", "用户", "角色", "来源", "详情")
    for e in entries:
        who = e["username"] or ("命令行" if e["role"] == "cli" else "游客")
        table.add_row(e["at"][:19].replace("T", " "), EVENT_LABELS.get(e["event"], e["event"]), escape(who),
                      ROLE_LABELS.get(e["role"], e["role"] or ""), e["source_ip"] or "", escape(e["detail"]))
    out.print(table)


def main() -> None:
    """Console entry point: runs the app, turning errors into one readable line."""
    try:
        app()
    except SucaiError as error:
        err.print(f"[red]错误：{escape(error.message)}[/red] [dim]({error.code})[/dim]")
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("[yellow]已中断；已完成的部分都已保存，再次运行即可继续。[/yellow]")
        sys.exit(130)
    except BaseException as error:  # the last line of defence (also Rust panics): never a traceback
        if isinstance(error, SystemExit) or os.environ.get("SUCAI_DEBUG"):
            raise
        err.print(f"[red]内部错误：{escape(type(error).__name__)}: {escape(str(error))}[/red]（设置 SUCAI_DEBUG=1 查看详情）")
        sys.exit(1)
