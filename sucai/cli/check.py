"""查重 and near-duplicates: check (a draft against the library), dupes (clusters of 相似版本).

查重's readers and the comparison are imported by the commands when they run, not for ``sucai check --help``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from .common import (DOC_ID, app, err, free_option, home_option, json_option, open_library, out, print_json, shown,
                     write_file)

_EXCERPT = 40
_REPORT_FORMATS = ("html", "docx")
_PASTED = "粘贴的草稿.txt"   # the name standard input is read under (its format is still told by its content)


@app.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path),
                metavar="草稿文件")
@home_option
@json_option
@free_option
@click.option("-o", "--output", type=click.Path(path_type=Path), metavar="文件",
              help="另存查重报告（.html 或 .docx，按扩展名）")
def check(path: Path, home: Path | None = None, as_json: bool = False, free: bool = False,
          output: Path | None = None) -> None:
    """查重：草稿与库内材料比对，给出文字复制比和重合片段。

    草稿可以是 Word、PDF、网页、纯文本或 Markdown 文件（任意常见编码，扫描件经文字识别）；写 - 则从标准输入读取
    （粘贴的一段文字，或经管道传入的文件）。查重只读取素材库，不做任何改动。
    """
    if output is not None and output.suffix.lower().lstrip(".") not in _REPORT_FORMATS:
        raise click.BadParameter("查重报告只能保存为 .html 或 .docx", param_hint="'-o' / '--output'")
    from ..check import SOURCES_HEADING, check_text, read_draft
    from ..check.export import cite, export_report, percent

    library = open_library(home)
    draft = (read_draft(library.settings, data=_pasted(), name=_PASTED) if str(path) == "-"
             else read_draft(library.settings, path))
    report = check_text(library, draft, viewer_member=not free)
    if output is not None:
        _, data = export_report(report, output.suffix.lower().lstrip("."), library.settings.timezone)
        err.print(f"已保存查重报告：{escape(shown(write_file(output, output.name, data)))}")
    if as_json:
        print_json(report.to_dict())
        return
    if report.left_out:
        out.print(f"已略去文末的“{SOURCES_HEADING}”（{report.left_out:,} 字），不计入查重")
    top = report.max_source
    out.print(f"总文字复制比 [bold]{percent(report.copy_ratio)}[/bold]　去除引用复制比 "
              f"{percent(report.copy_ratio_excluding_quotes)}　总字数 {report.chars:,}")
    if top:
        out.print(f"单篇最大文字复制比 {percent(top['copy_ratio'])}：{escape(shown(cite(top['title'], top['doc_id'])))}")
    if not report.matches:
        out.print("没有发现重合片段。")
        return
    table = Table("草稿位置（第几字）", "草稿中的文字", "来源", "来源位置（第几字）", "相似度",
                  title=f"重合片段（{len(report.matches)} 处）")
    for m in report.matches:
        table.add_row(_span(m.start, m.end), Text(shown(_excerpt(report.text[m.start:m.end]))),
                      Text(shown(f"{cite(m.title, m.doc_id)}\n{m.place}")), _span(m.source_start, m.source_end),
                      percent(m.similarity))
    out.print(table)


def _pasted() -> bytes:
    """Standard input's bytes, at most :data:`sucai.readers.MAX_FILE_BYTES` (a larger stream is refused, ReadError
    "too_large", after reading one byte more: ``sucai check - < /dev/zero`` ends). Nothing but white space is
    refused as the 查重 page refuses an empty paste (BadValue ``empty_draft``), not as an empty file."""
    from ..check import NO_TEXT
    from ..errors import BadValue
    from ..readers import MAX_FILE_BYTES, refuse_large

    data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    refuse_large(len(data), "粘贴的草稿", MAX_FILE_BYTES)
    if not data.strip():
        raise BadValue(NO_TEXT, code="empty_draft")
    return data


def _span(start: int, end: int) -> str:
    """A span of characters (offsets from 0, the end excluded, as the JSON gives them) as a writer counts them:
    from the first character, both ends included (0, 27 → 「1–27」)."""
    return f"{start + 1}–{end}"


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _EXCERPT else text[:_EXCERPT] + "…"


@app.group("dupes", invoke_without_command=True, no_args_is_help=False,
           subcommand_metavar="[命令 [参数]...]")
@home_option
@json_option
@click.pass_context
def dupes(ctx: click.Context, home: Path | None = None, as_json: bool = False) -> None:
    """相似版本组：列出内容相近的文档（检索结果中每组只显示代表版本）。

    不带子命令时列出所有组；管理员用 merge、split、pick 调整。
    """
    if ctx.invoked_subcommand is not None:
        return
    from ..dedupe import similarity_text, version_notes

    library = open_library(home)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err, transient=True, disable=not err.is_terminal) as bar:  # a library from before clusters existed is caught up first
        task = bar.add_task("比对相似版本", total=None)
        library.clusters.catch_up(lambda done, total: bar.update(task, completed=done, total=total))
    clusters = library.clusters.all()
    if as_json:
        print_json([[v.to_dict() for v in cluster] for cluster in clusters])
        return
    if not clusters:
        out.print("没有相似版本组。")
        return
    merged = library.clusters.merged_ids()
    table = Table("组", "编号", "标题", "文种", "字数", "与代表版本的相似度", "说明", title=f"相似版本组（{len(clusters)} 组）")
    for number, cluster in enumerate(clusters, 1):
        for v in cluster:
            table.add_row(str(number), str(v.id), Text(shown(v.title)), shown(v.genre), str(v.chars),
                          similarity_text(v), version_notes(v, merged))
    out.print(table)


@dupes.command("merge")
@click.argument("ids", nargs=-1, required=True, type=DOC_ID, metavar="编号...")
@click.option("--representative", type=DOC_ID, metavar="编号", help="指定代表版本的编号")
@home_option
def dupes_merge(ids: tuple[int, ...], representative: int | None = None, home: Path | None = None) -> None:
    """合并：把这些文档（两篇或以上，及与它们同组的文档）并为一组相似版本。"""
    clusters = open_library(home).clusters
    clusters.merge(list(ids), representative)
    group = clusters.versions(ids[0], include_hidden=True)   # those named, those clustered with them; representative first
    out.print(f"已合并为一组：{'、'.join(str(v.id) for v in sorted(group, key=lambda v: v.id))}（代表版本 {group[0].id}）")


@dupes.command("split")
@click.argument("doc_id", type=DOC_ID, metavar="编号")
@home_option
def dupes_split(doc_id: int, home: Path | None = None) -> None:
    """拆分：把一篇文档移出所在的相似版本组，单独显示。"""
    open_library(home).clusters.split(doc_id)
    out.print(f"已把文档 {doc_id} 移出相似版本组")


@dupes.command("pick")
@click.argument("doc_id", type=DOC_ID, metavar="编号")
@home_option
def dupes_pick(doc_id: int, home: Path | None = None) -> None:
    """指定代表版本：检索结果中这一组显示这篇。"""
    open_library(home).clusters.set_representative(doc_id)
    out.print(f"已把文档 {doc_id} 设为所在组的代表版本")
