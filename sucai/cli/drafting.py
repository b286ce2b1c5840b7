"""The 写作台 on the command line: ``sucai draft`` (outline, paragraph candidates, a first draft).

The 写作台 itself (:mod:`sucai.drafting`, and 查重 with it) is imported when the command runs, not for its help.
"""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.text import Text

from ..errors import NotFound
from .common import STDOUT, YEAR, Between, app, err, free_option, home_option, json_option, open_library, out, print_json, shown, write_file

if TYPE_CHECKING:
    from rich.console import Console

    from ..check import CheckReport
    from ..drafting import Draft
    from ..drafting.outline import SuggestedHeading
    from ..drafting.plan import Plan

_FORMATS = {".docx": "docx", ".md": "md", ".txt": "txt"}


def _draft_file(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    if value is not None and value != STDOUT and value.suffix.lower() not in _FORMATS:
        raise click.BadParameter("初稿文件应以 .docx、.md 或 .txt 结尾（- 为标准输出）", ctx, param)
    return value


def _draft_format(output: Path) -> str:
    """The format of a first draft written to ``output``: its suffix's, Markdown to the standard output (``-o -``)."""
    return "md" if output == STDOUT else _FORMATS[output.suffix.lower()]


@app.command()
@click.option("--genre", required=True, metavar="文种", help="文种，如 对照检查材料")
@click.option("--topic", default="", metavar="主题", help="主题，如 “2024年度民主生活会 财政局 党支部”")
@click.option("--unit", metavar="单位", help="本单位名称（其名称不标为【待补】）")
@click.option("--year", type=YEAR, metavar="年份", help="本次材料的年份（该年份不标为【待补】）")
@click.option("--candidates", type=Between(0, 20), default=3, show_default=True, metavar="段数",
              help="每个标题给出的候选段落数")
@click.option("-o", "--output", type=click.Path(path_type=Path), callback=_draft_file, metavar="文件",
              help="写出初稿（.docx / .md / .txt；- 为标准输出，Markdown）：开头、提纲加每个标题的首选段落、结尾")
@click.option("--title", metavar="标题", help="初稿标题（默认：单位、年份、主题和文种，如 “县审计局党支部2024年度组织生活会对照检查材料”）")
@click.option("--length", type=Between(1, 1_000_000), metavar="字数",
              help="初稿的字数要求（配合 -o 或 --check；字数计各级标题连同编号和段落，不计空白、标题和素材来源，与查重的总字数相同）：不足时每个标题依次再取候选段落")
@click.option("--check", "check", is_flag=True, help="初稿查重：与库内材料比对，给出文字复制比（JSON 中为 check 字段）")
@home_option
@json_option
@free_option
def draft(genre: str, topic: str = "", unit: str | None = None, year: int | None = None, candidates: int = 3,
          output: Path | None = None, title: str | None = None, length: int | None = None, check: bool = False,
          home: Path | None = None, as_json: bool = False, free: bool = False) -> None:
    """写作台：按文种和主题给出提纲、每个标题的候选段落（注明出处），可写出初稿。

    候选段落逐字取自所注明的材料；其他单位的名称、年份、人名、数字等标为【待补】。
    初稿（-o 写出，--check 查重）为开头、每个标题的首选段落和结尾。
    """
    if length is not None and output is None and not check:
        raise click.UsageError("--length 是初稿的字数要求，请同时用 -o 写出初稿或用 --check 查重初稿")
    if output == STDOUT and as_json:
        raise click.UsageError("-o - 把初稿写到标准输出，--json 也写到标准输出：请只用其一，或用 -o 指定文件名")
    from ..drafting import asked_genre, check_draft, draft_title, first_draft, make_plan
    from ..drafting.placeholders import writer_year

    named, genre = genre, asked_genre(genre)
    year = writer_year(topic, year)
    library = open_library(home)
    if not err.is_terminal:   # the bar shows nothing then: one plain line, as ingest's first one
        err.print("正在检索素材，查找候选段落…", markup=False, highlight=False)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task("查找候选段落", total=None)
        plan = make_plan(library, genre, topic.strip(), member=not free, unit=unit, year=year,
                         per_heading=candidates, progress=lambda done, total: bar.update(task, completed=done, total=total))
    for warning in plan.warnings:
        err.print(f"[yellow]提示：{escape(shown(warning))}[/yellow]")
    first = first_draft(plan, title or draft_title(named, topic.strip(), unit, year), unit=unit or "", year=year,
                        target_chars=length)
    if not first.sections and (output is not None or check):   # a file of a title alone, a 查重 of nothing
        raise NotFound(f"没有找到可放进初稿的段落（初稿只取文种为“{genre}”的材料里与提纲标题相合的段落），未写出初稿；"
                       "可换一个主题或文种再试，不加 -o 和 --check 可先看提纲", code="no_paragraphs")
    if output is not None:
        _write_first_draft(first, output, length, library.settings.zone)
    report = check_draft(library, first, member=not free) if check else None
    if as_json:
        print_json({**plan.to_dict(), "check": report.to_dict()} if report else plan.to_dict())
        return
    if output != STDOUT:   # the standard output holds the draft: its 查重 goes to the standard error
        _print_plan(plan)
    if report:
        _print_check(report, err if output == STDOUT else out)


def _write_first_draft(first: Draft, output: Path, length: int | None, zone: tzinfo) -> None:
    from ..drafting import export_draft
    from ..drafting.placeholders import PLACEHOLDER

    _, data = export_draft(first, _draft_format(output), zone=zone)
    target = write_file(output, output.name, data)
    size = f"{first.chars:,} 字" + (f"，要求 {length:,} 字" if length else "")
    texts = [first.title, *(s.heading for s in first.sections), *(p.text for s in first.sections for p in s.paragraphs)]
    blanks = sum(text.count(PLACEHOLDER) for text in texts)
    where = "到标准输出" if target == STDOUT else f"：{escape(shown(target))}"
    err.print(f"已写出初稿{where}（{size}" + (f"；其中 {blanks} 处【待补】请按本单位实际填写）" if blanks else "）"))
    if length and first.chars < length:
        err.print(f"[yellow]提示：候选段落不够，初稿比要求少 {length - first.chars:,} 字；可用 --candidates 多取候选段落[/yellow]")
    elif length and first.chars > length:   # every heading takes one paragraph, however short the length asked
        err.print(f"[yellow]提示：提纲的每个标题至少取一段，初稿比要求多 {first.chars - length:,} 字；请删减段落，"
                  "或在写作台上删去不需要的标题[/yellow]")


def _print_plan(plan: Plan) -> None:
    from ..check import CLOSING_PLACE, OPENING_PLACE
    from ..metadata.titles import distinguishing_notes

    suggestion = plan.suggestion
    out.print(Text(f"提纲（参考 {len(suggestion.documents)} 篇材料；[n] 为使用该标题的篇数）", style="bold"))
    if not suggestion.outline:
        out.print("  （没有找到可参考的提纲）")

    def show(nodes: list[SuggestedHeading], depth: int) -> None:
        for node in nodes:
            out.print(Text("  " * depth + shown(node.heading) + "  ").append(f"[{node.support}]", style="dim"))
            show(node.children, depth + 1)

    show(suggestion.outline, 1)
    for heading, found in ([(OPENING_PLACE, plan.opening)] + [(node.heading, found) for node, found in plan.candidates]
                           + [(CLOSING_PLACE, plan.closing)]):
        if not found:
            continue
        out.print(Text("\n" + shown(heading), style="bold cyan"))
        for number, candidate in enumerate(found, start=1):
            source = shown(f"《{candidate.title}》（编号 {candidate.doc_id}）{candidate.place}")
            out.print(Text(f"  {number}. ").append(source, style="dim"))
            out.print(Text("     " + "\n     ".join(shown(line) for line in candidate.marked.text.split("\n"))))
    if suggestion.documents:   # equal titles told apart as `sucai list` does: 政府工作报告（海拉尔区人民政府 · 2016）
        out.print(Text("\n参考材料：", style="bold"))
        for doc, note in zip(suggestion.documents, distinguishing_notes(suggestion.documents)):
            out.print(f"  {doc['id']}  {escape(shown(doc['title'] + note))}")


def _print_check(report: CheckReport, console: Console) -> None:
    from ..check.export import percent

    console.print(Text(f"\n初稿查重（共 {report.chars:,} 字）", style="bold"))
    console.print(f"  总文字复制比 {percent(report.copy_ratio)}，去除引用复制比 {percent(report.copy_ratio_excluding_quotes)}")
    if report.max_source:
        top = report.max_source
        console.print(Text(f"  单篇最大文字复制比 {percent(top['copy_ratio'])}："
                           + shown(f"《{top['title']}》（编号 {top['doc_id']}）")))
    console.print("  （初稿由库内段落组成，复制比高是正常的：请改写、补充本单位的实际内容）")
