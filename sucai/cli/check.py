"""查重 and near-duplicates: check (a draft against the library), dupes (clusters of 相似版本)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..check import check_text, read_draft
from ..check.export import cite, export_report, percent
from ..errors import SucaiError
from .common import (FreeOption, HomeOption, JsonOption, app, err, open_library, out, print_json, progress_bar,
                     shown, write_file)

dupes_app = typer.Typer(help="相似版本组：列出、合并、拆分、指定代表版本。", invoke_without_command=True)
app.add_typer(dupes_app, name="dupes")
_EXCERPT = 40


@app.command()
def check(
    path: Annotated[Path, typer.Argument(help="草稿文件（.txt .md .docx .pdf .html，任意常见编码）")],
    home: HomeOption = None,
    as_json: JsonOption = False,
    free: FreeOption = False,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="另存查重报告（.html 或 .docx，按扩展名）")] = None,
) -> None:
    """查重：草稿与库内材料比对，给出文字复制比和重合片段。"""
    if output is not None and output.suffix.lower().lstrip(".") not in ("html", "docx"):
        raise SucaiError("查重报告只能保存为 .html 或 .docx", code="bad_option")
    library = open_library(home)
    report = check_text(library, read_draft(library.settings, path), viewer_member=not free)
    if output is not None:
        _, data = export_report(report, output.suffix.lower().lstrip("."))
        err.print(f"已保存查重报告：{escape(shown(write_file(output, output.name, data)))}")
    if as_json:
        print_json(report.to_dict())
        return
    top = report.max_source
    out.print(f"总文字复制比 [bold]{percent(report.copy_ratio)}[/bold]　去除引用复制比 "
              f"{percent(report.copy_ratio_excluding_quotes)}　总字数 {report.chars:,}")
    if top:
        out.print(f"单篇最大文字复制比 {percent(top['copy_ratio'])}：{escape(shown(cite(top['title'], top['doc_id'])))}")
    if not report.matches:
        out.print("没有发现重合片段。")
        return
    table = Table("草稿位置", "草稿中的文字", "来源", "来源位置", "相似度", title=f"重合片段（{len(report.matches)} 处）")
    for m in report.matches:
        where = f"{m.source_start}–{m.source_end}" if m.source_start is not None else "会员内容"
        table.add_row(f"{m.start}–{m.end}", Text(shown(_excerpt(report.text[m.start:m.end]))),
                      Text(shown(cite(m.title, m.doc_id))), where, percent(m.similarity))
    out.print(table)


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _EXCERPT else text[:_EXCERPT] + "…"


@dupes_app.callback()
def dupes(ctx: typer.Context, home: HomeOption = None, as_json: JsonOption = False) -> None:
    """相似版本组：列出内容相近的文档（检索结果中每组只显示代表版本）。"""
    if ctx.invoked_subcommand is not None:
        return
    library = open_library(home)
    with progress_bar() as bar:  # a library from before clusters existed is brought up to date first
        task = bar.add_task("比对相似版本", total=None)
        library.clusters.catch_up(lambda done, total: bar.update(task, completed=done, total=total))
    clusters = library.clusters.all()
    if as_json:
        print_json([[v.to_dict() for v in cluster] for cluster in clusters])
        return
    if not clusters:
        out.print("没有相似版本组。")
        return
    table = Table("组", "编号", "标题", "文种", "字数", "相似度", "说明", title=f"相似版本组（{len(clusters)} 组）")
    for number, cluster in enumerate(clusters, 1):
        for v in cluster:
            note = "代表版本（管理员指定）" if v.pinned else "代表版本" if v.representative else ""
            note += "，已隐藏" if v.hidden else ""
            table.add_row(str(number), str(v.id), Text(shown(v.title)), shown(v.genre), str(v.chars),
                          "" if v.similarity is None else percent(v.similarity), note)
    out.print(table)


@dupes_app.command("merge")
def dupes_merge(
    ids: Annotated[list[int], typer.Argument(help="要合并为一组的文档编号（两个或以上）")],
    representative: Annotated[Optional[int], typer.Option("--representative", help="指定代表版本的编号")] = None,
    home: HomeOption = None,
) -> None:
    """合并：把这些文档（及与它们同组的文档）并为一组相似版本。"""
    open_library(home).clusters.merge(ids, representative)
    out.print(f"已合并为一组：{'、'.join(map(str, sorted(set(ids))))}")


@dupes_app.command("split")
def dupes_split(doc_id: Annotated[int, typer.Argument(help="要移出所在组的文档编号")], home: HomeOption = None) -> None:
    """拆分：把一篇文档移出所在的相似版本组，单独显示。"""
    open_library(home).clusters.split(doc_id)
    out.print(f"已把文档 {doc_id} 移出相似版本组")


@dupes_app.command("pick")
def dupes_pick(doc_id: Annotated[int, typer.Argument(help="设为代表版本的文档编号")], home: HomeOption = None) -> None:
    """指定代表版本：检索结果中这一组显示这篇。"""
    open_library(home).clusters.set_representative(doc_id)
    out.print(f"已把文档 {doc_id} 设为所在组的代表版本")
