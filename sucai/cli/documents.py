"""Commands over documents: ingest, list, stats, show, search, export, rm, reindex."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from .. import access
from ..errors import SucaiError
from ..export import export_document, export_zip
from ..library import Library
from ..model import Document, walk_outline
from ..search import MODES, SCOPES, SORTS, SearchRequest
from .common import FreeOption, HomeOption, JsonOption, app, err, open_library, out, print_json, progress_bar, shown


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="文件或文件夹（递归）")],
    home: HomeOption = None,
    as_json: JsonOption = False,
    workers: Annotated[Optional[int], typer.Option(help="解析进程数（默认 CPU 核数）")] = None,
) -> None:
    """入库：读取、清洗、解析结构、去重并建立索引。"""
    library = open_library(home)
    with progress_bar() as bar:
        task = bar.add_task("入库", total=None)
        summary = library.ingest(paths, lambda done, total: bar.update(task, completed=done, total=total), workers)
    if as_json:
        print_json(summary.to_dict())
        return
    problems = [o for o in summary.outcomes if o.status in ("skipped", "failed", "duplicate")]
    if problems:
        table = Table(title="需要留意的文件")
        table.add_column("文件", overflow="fold")
        table.add_column("结果", no_wrap=True)
        table.add_column("原因", overflow="fold")
        for o in problems:
            table.add_row(escape(shown(o.path)), _STATUS[o.status], escape(shown(o.reason)))
        out.print(table)
    totals = Table(*[_STATUS[s] for s in summary.counts], title="入库结果")
    totals.add_row(*[str(n) for n in summary.counts.values()])
    out.print(totals)


_STATUS = {"ingested": "已入库", "duplicate": "重复", "unchanged": "未变化", "skipped": "跳过", "failed": "失败"}


@app.command("list")
def list_documents(home: HomeOption = None, as_json: JsonOption = False,
                   limit: Annotated[Optional[int], typer.Option(help="最多列出多少篇")] = None) -> None:
    """列出文档：编号、标题、文种、字数。"""
    rows = open_library(home).catalogue.summaries(limit)
    if as_json:
        print_json(rows)
        return
    table = Table("编号", "标题", "文种", "字数", "日期")
    for row in rows:
        table.add_row(str(row["id"]), escape(shown(row["title"])), escape(shown(row["genre"])), str(row["chars"]),
                      escape(shown(row["date"])))
    out.print(table)


@app.command()
def stats(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """库内统计：文档数、字数、按文种、按来源。"""
    data = open_library(home).catalogue.stats()
    if as_json:
        print_json(data)
        return
    out.print(f"文档 {data['documents']} 篇，共 {data['chars']:,} 字")
    for key, title in (("by_genre", "按文种"), ("by_source", "按来源")):
        table = Table(title, "篇数")
        for name, count in data[key].items():
            table.add_row(escape(shown(name)), str(count))
        out.print(table)


@app.command()
def show(doc_id: int, home: HomeOption = None, as_json: JsonOption = False, free: FreeOption = False) -> None:
    """显示一篇文档：元数据、提纲、正文（标出会员内容的起点和终点）。"""
    doc = open_library(home).get(doc_id)
    view, notice = access.view(doc, member=not free)
    if as_json:
        print_json({**view.to_dict(), "chars": doc.chars, "notice": notice})
        return
    out.print(Text(shown(view.title), style="bold"))
    for label, value in _metadata(doc):
        out.print(f"[dim]{label}[/dim] {escape(shown(value))}")
    if view.outline:
        out.print("\n[bold]提纲[/bold]")
        for node in walk_outline(view.outline):
            if node.kind == "heading":
                out.print("  " * node.level + escape(shown(f"{node.label}{node.heading}")))
    out.print("\n[bold]正文[/bold]")
    for part in _body_parts(view, notice):
        out.print(part)


def _body_parts(view: Document, notice: str | None) -> list[Text]:
    """The text cut at the member boundary, a line at each mark (:func:`sucai.access.boundary_marks`):
    for a member "以下/以上为会员内容" at ``paid_from``/``paid_until``, for others the notice."""
    parts, pos = [], 0
    for at, kind, words in access.boundary_marks(view, notice):
        mark = words if kind == "notice" else f"──────── {words} ────────"
        parts += [Text(shown(view.text[pos:at].rstrip("\n"))), Text(shown(mark), style="yellow")]
        pos = at
    tail = view.text[pos:]
    return [*parts, Text(shown(tail))] if tail or not parts else parts


def _metadata(doc: Document) -> list[tuple[str, object]]:
    rows = [("编号", doc.id), ("文种", doc.genre), ("字数", doc.chars), ("标称字数", doc.declared_chars),
            ("文号", doc.doc_number), ("日期", doc.date), ("来源", doc.source), ("会员内容起点", doc.paid_from),
            ("会员内容终点", doc.paid_until), ("文件", doc.source_path)]
    if doc.ocr_confidence is not None:
        rows.append(("识别方式", f"文字识别（OCR），平均置信度 {doc.ocr_confidence:.0f}%"))
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
    result = open_library(home).search(request, member=not free)
    if as_json:
        print_json(asdict(result))
        return
    for warning in result.warnings:
        err.print(f"[yellow]提示：{escape(warning)}[/yellow]")
    out.print(f"共 {result.total} 条结果（第 {result.page} 页，用时 {result.took_ms} 毫秒）")
    for number, hit in enumerate(result.hits, start=(result.page - 1) * result.limit + 1):
        head = Text(f"{number}. ")
        head.append(_highlighted(hit.title, hit.title_highlights, "bold"))
        head.append(f"  [{shown(hit.genre)} · {hit.chars}字 · 编号 {hit.id}]", style="dim")
        out.print(head)
        if hit.section_path:
            out.print(Text("   " + shown(" › ".join(hit.section_path)), style="cyan"))
        out.print(Text("   ").append(_highlighted(hit.snippet, hit.highlights)))


def _highlighted(text: str, spans: list[tuple[int, int]], style: str = "") -> Text:
    marked = Text(shown(text), style=style)
    for start, end in spans:
        marked.stylize("bold red", start, end)
    return marked


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
    library = open_library(home)
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
    open_library(home).remove(doc_id)
    out.print(f"已删除文档 {doc_id}")


@app.command()
def reindex(home: HomeOption = None) -> None:
    """由目录重建检索索引。"""
    library = open_library(home)
    with progress_bar() as bar:
        task = bar.add_task("重建索引", total=None)
        count = library.reindex(lambda done, total: bar.update(task, completed=done, total=total))
    out.print(f"已重建索引：{count} 篇文档")
