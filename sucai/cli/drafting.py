"""The 写作台 on the command line: ``sucai draft`` (outline, paragraph candidates, a first draft)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.text import Text

from ..drafting import export_draft, first_draft, make_plan
from ..drafting.outline import SuggestedHeading
from ..drafting.plan import Plan
from ..errors import SucaiError
from .common import (FreeOption, HomeOption, JsonOption, app, err, open_library, out, print_json, progress_bar, shown,
                     write_file)

_FORMATS = {".docx": "docx", ".md": "md", ".txt": "txt"}


@app.command()
def draft(
    genre: Annotated[str, typer.Option("--genre", help="文种，如 对照检查材料")],
    topic: Annotated[str, typer.Option("--topic", help="主题，如 “2024年度民主生活会 财政局 党支部”")] = "",
    unit: Annotated[Optional[str], typer.Option(help="本单位名称（其名称不标为【待补】）")] = None,
    year: Annotated[Optional[int], typer.Option(help="本次材料的年份（该年份不标为【待补】）")] = None,
    candidates: Annotated[int, typer.Option(help="每个标题给出的候选段落数", min=0, max=20)] = 3,
    output: Annotated[Optional[Path], typer.Option("-o", "--output",
                                                   help="写出初稿（.docx / .md / .txt）：提纲加每个标题的首选段落")] = None,
    title: Annotated[Optional[str], typer.Option(help="初稿标题（默认用主题）")] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
    free: FreeOption = False,
) -> None:
    """写作台：按文种和主题给出提纲、每个标题的候选段落（注明出处），可写出初稿。"""
    if output is not None and output.suffix.lower() not in _FORMATS:
        raise SucaiError("初稿文件应以 .docx、.md 或 .txt 结尾", code="bad_option")
    library = open_library(home)
    with progress_bar() as bar:
        task = bar.add_task("查找候选段落", total=None)
        plan = make_plan(library, genre.strip(), topic.strip(), member=not free, unit=unit, year=year,
                         per_heading=candidates, progress=lambda done, total: bar.update(task, completed=done, total=total))
    for warning in plan.suggestion.warnings:
        err.print(f"[yellow]提示：{escape(shown(warning))}[/yellow]")
    if output is not None:
        name = title or topic.strip() or f"{genre}初稿"
        _, data = export_draft(first_draft(plan, name, unit=unit or "", year=year), _FORMATS[output.suffix.lower()])
        target = write_file(output, output.name, data)
        err.print(f"已写出初稿：{escape(str(target))}（其中【待补】处请按本单位实际填写）")
    if as_json:
        print_json(plan.to_dict())
        return
    _print_plan(plan)


def _print_plan(plan: Plan) -> None:
    suggestion = plan.suggestion
    titles = {d["id"]: d["title"] for d in suggestion.documents}
    out.print(Text(f"提纲（参考 {len(suggestion.documents)} 篇材料；[n] 为使用该标题的篇数）", style="bold"))
    if not suggestion.outline:
        out.print("  （没有找到可参考的提纲）")

    def show(nodes: list[SuggestedHeading], depth: int) -> None:
        for node in nodes:
            out.print(Text("  " * depth + shown(node.heading) + "  ").append(f"[{node.support}]", style="dim"))
            show(node.children, depth + 1)

    show(suggestion.outline, 1)
    for node, found in plan.candidates:
        if not found:
            continue
        out.print(Text("\n" + shown(node.heading), style="bold cyan"))
        for number, candidate in enumerate(found, start=1):
            source = shown(f"《{candidate.title}》（编号 {candidate.doc_id}）{' › '.join(candidate.section_path)}")
            out.print(Text(f"  {number}. ").append(source, style="dim"))
            out.print(Text("     " + "\n     ".join(shown(line) for line in candidate.marked.text.split("\n"))))
    if titles:
        out.print(Text("\n参考材料：", style="bold"))
        for doc_id, doc_title in titles.items():
            out.print(f"  {doc_id}  {escape(shown(doc_title))}")
