"""Commands over documents: ingest, list, stats, genres, show, search, export, rm, hide, unhide, reindex.

The library, its readers and the search are imported by the commands when they run, not with this module:
``sucai search --help`` needs only the choices of :mod:`sucai.choices`.
"""

from __future__ import annotations

import os
import sys
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import click
from click.core import ParameterSource
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..choices import EXPORT_FORMATS, MAX_PAGE, MODES, SCOPES, SORTS
from ..errors import NotFound, SucaiError
from .common import (DOC_ID, INT, MOST_WORKERS, POSITIVE, STDOUT, WORKERS, YEAR, Between, Day, ExitCode, GenreName,
                     NamedChoice, app, err, free_option, home_option, json_option, older_readings_said, open_library, out,
                     out_of_range, print_json, shown, site_day, source_option, step, write_file)

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..ingest import IngestSummary
    from ..library import Library
    from ..model import Document


def _mode_option(help_text: str = "检索方式：智能=分词排序（ranked，默认），精准=逐字包含（precise）",
                 default: str = "ranked"):
    return click.option("--mode", type=NamedChoice(MODES), default=default, help=help_text)


@app.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="文件或文件夹")
@home_option
@json_option
@click.option("--workers", type=WORKERS, metavar="个数", help=f"解析进程数（默认为处理器核数，最多 {MOST_WORKERS} 个）")
@source_option()
@click.option("--retry-failed", is_flag=True, help="再次读取上次跳过或失败、此后未改动的文件（默认不再尝试）")
@click.option("--reread", is_flag=True,
              help="重新读取已入库、此后未改动的文件（升级 sucai 后用新的解析更新文档，编号不变；结果相同的计为未变化），"
                   "并列出文件夹中已消失的源文件（其文档保留）")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], home: Path | None, as_json: bool = False,
           workers: int | None = None, source: str | None = None, retry_failed: bool = False,
           reread: bool = False) -> None:
    """入库：读取、清洗、解析结构、去重并建立索引。

    文件夹递归读取；重复运行是安全的（已入库的文件不再处理，上次无法读取且未改动的文件不再尝试）。退出码见 README.md。
    """
    ctx.exit(ingest_paths(paths, home, as_json, workers, source, retry_failed, reread))


def ingest_paths(paths: tuple[Path, ...], home: Path | None, as_json: bool = False,
                 workers: int | None = None, source: str | None = None, retry_failed: bool = False,
                 reread: bool = False) -> ExitCode:
    """Ingest with a progress display and the end report; returns the exit status it deserves.
    ``source``: the 来源 of the files that name none themselves; ``retry_failed``: read again the files that
    could not be read before; ``reread``: read again the files stored before (see :func:`sucai.ingest.ingest`)."""
    from .progress import IngestDisplay, counts_text

    library = open_library(home, create=True)
    given = [(absolute, _typed(path)) for path, absolute in zip(paths, _absolute(paths)) if path.exists()]
    base = _common_folder([typed for _, typed in given])
    name = partial(_shown_path, given=given, base=base)
    display = IngestDisplay(err, library.settings.progress_seconds, name)
    try:
        with display:   # the command's last parse (a demo's web server starts the parsers again for an upload)
            summary = library.ingest(_absolute(paths), display, workers, source=source,
                                     retry_failed=retry_failed, stop_parsers=True, reread=reread)
    except KeyboardInterrupt:
        if display.last:
            err.print(f"已中断：处理了 {display.last.done}/{display.last.total} 个文件"
                      f"（{counts_text(display.last.counts, '，')}）", markup=False)
        raise
    _prune(library)
    missing = [p for p in paths if not p.exists()]
    if as_json:
        print_json(summary.to_dict())
    else:
        _ingest_report(summary, base, name, missing)
    return _ingest_exit(summary, missing)


def _prune(library: Library) -> None:
    """The records past their days deleted, once a local day (:func:`sucai.retention.prune`), as a server does: a
    library only ever ingested into from cron is pruned too. A failure is said, the ingest's outcome stands."""
    from ..retention import prune

    try:
        prune(library)
    except Exception as error:  # noqa: BLE001 - what was ingested stays; the next ingest or server tries again
        reason = error.message if isinstance(error, SucaiError) else f"内部错误 {type(error).__name__}"
        err.print(f"[yellow]清理过期记录失败（下次入库时再试）：{escape(shown(reason))}[/yellow]")


def _absolute(paths: tuple[Path, ...]) -> list[Path]:
    """``paths`` made absolute and normalised (``./材料/../a.txt`` → ``/home/me/a.txt``), so that what is stored
    (``Document.source_path``, the folder names read as 来源) does not depend on the folder sucai was run in.
    The folder a path names is resolved as the system reads it (``link/../a.txt`` is the ``a.txt`` beside the
    link's target — review 17: a textual ``..`` named another file); the last name is kept, a linked file's own."""
    return [path.resolve() if path.name in ("", "..") else path.parent.resolve() / path.name for path in paths]


def _ingest_report(summary: IngestSummary, base: Path | None, name: Callable[[str], str],
                   missing: list[Path]) -> None:
    """The end table of the files to look at (paths as ``name`` says them: relative to ``base``, the folder of the
    ingested paths), the totals, the source files gone (``--reread``) with their documents' ids, and the paths that
    do not exist."""
    from ..ingest import GONE_NAME, NOT_RETRIED_NAME, OUTCOME_NAMES, SOMETIMES

    problems = [o for o in summary.outcomes if o.status in ("kept", "skipped", "failed", "duplicate")]
    if problems:
        title = "需要留意的文件" + (f"（在 {base} 之下）" if base else "")
        out.print(escape(shown(title)), soft_wrap=True)  # a long folder is wrapped by the terminal, not cut by us
        table = Table()
        table.add_column("文件", no_wrap=True, overflow="ellipsis")
        table.add_column("结果", no_wrap=True)
        table.add_column("原因", overflow="fold")
        for o in problems:
            table.add_row(escape(shown(name(o.path))), OUTCOME_NAMES[o.status], escape(shown(o.reason)))
        out.print(table)
    shown_counts = {s: n for s, n in summary.counts.items() if s != "not_retried" and (n or s not in SOMETIMES)}
    totals = Table(*[OUTCOME_NAMES[s] for s in shown_counts], title="入库结果")
    totals.add_row(*[str(n) for n in shown_counts.values()])
    out.print(totals)
    if summary.counts["not_retried"]:
        out.print(f"{NOT_RETRIED_NAME}：{summary.counts['not_retried']} 个文件（改动后会再读取；"
                  f"加 --retry-failed 全部再试）", markup=False, highlight=False)
    if summary.gone:
        out.print(f"{GONE_NAME} {len(summary.gone)} 份（其文档仍在库中，未删除；不再需要的可用 sucai hide 编号 隐藏或 "
                  f"sucai rm 编号 删除）：", markup=False, highlight=False)
        for o in summary.gone:
            out.print(f"  {shown(name(o.path))}（文档 {o.doc_id}）", markup=False, highlight=False)
    for path in missing:
        err.print(f"[red]路径不存在：{escape(shown(path))}[/red]")
    if not summary.outcomes:
        err.print("[yellow]没有找到可入库的文件（隐藏文件和数据目录本身不入库）[/yellow]")


def _typed(path: Path) -> Path:
    """``path`` made absolute as the user typed it, links not followed (``shared/a.txt``, ``shared`` a link to
    /work/shared, stays ``…/shared/a.txt``), but a ``..`` read as the system reads it: the folder above a link's
    target (the folder up to the last ``..`` resolved, as :func:`_absolute` does)."""
    absolute = Path.cwd() / path
    parts = absolute.parts
    if ".." not in parts:
        return absolute
    up = len(parts) - parts[::-1].index("..")
    return Path(os.path.realpath(Path(*parts[:up])), *parts[up:])


def _common_folder(paths: list[Path]) -> Path | None:
    """The folder that holds every given path (a folder itself, or a file's folder), by the paths as they are
    (``/work/wt/shared`` a link to /work/shared and ``/work/wt/samples``: ``/work/wt``, not ``/``); None when
    there is none."""
    folders = [str(p if p.is_dir() else p.parent) for p in paths]
    if not folders:
        return None
    try:
        return Path(os.path.commonpath(folders))
    except ValueError:
        return None


def _shown_path(path: str, given: list[tuple[Path, Path]], base: Path | None) -> str:
    """``path`` as the user typed it, relative to ``base`` (the folder of the ingested paths, named in the end
    table's title), as text (:func:`sucai.ingest.path_text`: a GBK name in Chinese) — in the table and in the
    progress line's 当前：, top-level files and files in subfolders alike. ``given``: each ingested path as stored
    (:func:`_absolute`) and as typed (:func:`_typed`); ``path`` lies under one as stored (a link by where it lies,
    not where it points: a dangling one, a loop, reported skipped) and is named under it as typed."""
    from ..ingest import path_text

    for stored, typed in given if base else ():
        if Path(path).is_relative_to(stored):
            return path_text((typed / Path(path).relative_to(stored)).relative_to(base))
    return path_text(path)


def _ingest_exit(summary: IngestSummary, missing: list[Path]) -> ExitCode:
    counts = summary.counts
    bad = counts["skipped"] + counts["failed"] - len(missing)
    good = sum(counts[s] for s in ("ingested", "duplicate", "unchanged", "updated", "kept", "not_retried"))
    if missing:
        return ExitCode.NO_SUCH_PATH
    if not good:
        return ExitCode.NOTHING
    return ExitCode.PARTIAL if bad else ExitCode.OK


@app.command("list")
@home_option
@json_option
@free_option
@click.option("--limit", type=POSITIVE, metavar="篇数", help="最多列出多少篇")
@click.option("--since", type=Day(), metavar="日期",
              help="只列出这天（2026-11-01、2026年11月1日、今天或昨天，本站时区，设置 timezone）以来入库的文档")
@click.option("--hidden", is_flag=True, help="只列出隐藏的文档（sucai unhide 编号 恢复显示）")
def list_documents(home: Path | None, as_json: bool = False, free: bool = False, limit: int | None = None,
                   since: str | None = None, hidden: bool = False) -> None:
    """列出文档：编号、标题、文种、字数、日期、来源（同名文档在标题后注明发文机关和年份）；--hidden 列出隐藏的文档。"""
    from ..config import day_start
    from ..metadata import titles
    from ..updates import utc_stamp

    library = open_library(home)
    day = None if since is None else site_day(since, library.settings)
    added = None if day is None else utc_stamp(day_start(day, library.settings.zone))   # as 今日更新 reads it
    rows = library.summaries(limit, member=not free, added_since=added, hidden_only=hidden)
    if as_json:
        print_json(rows)
        return
    if not rows and hidden:
        err.print("[yellow]没有隐藏的文档" + (f"（{day.isoformat()} 以来入库的）" if day else "") + "[/yellow]")
        return
    if not rows and day is not None:
        err.print(f"[yellow]{day.isoformat()} 以来没有新入库的文档[/yellow]")
        return
    if not rows:
        _empty_hint(library)
        return
    table = Table("编号", "标题", "文种", "字数", "日期", "来源")
    for row, note in zip(rows, titles.distinguishing_notes(rows)):
        table.add_row(str(row["id"]), escape(shown(row["title"] + note)), escape(shown(row["genre"])),
                      str(row["chars"]), escape(shown(row["date"])), escape(shown(row["source"])))
    out.print(table)


def _empty_hint(library: Library) -> None:
    err.print(f"[yellow]库是空的（数据目录 {escape(str(library.settings.home))}）。用 sucai ingest 文件夹 入库；"
              "已有的库请用 --home 目录 或环境变量 SUCAI_HOME 指定。[/yellow]")


@app.command()
@home_option
@json_option
@free_option
def stats(home: Path | None, as_json: bool = False, free: bool = False) -> None:
    """库内统计：数据目录、文档数、字数、按文种、按来源。"""
    library = open_library(home)
    data = library.stats(member=not free)
    older_readings_said(library)
    if as_json:
        print_json({**data, "home": str(library.settings.home)})
        return
    out.print(f"数据目录：{escape(str(library.settings.home))}")
    out.print(f"文档 {data['documents']} 篇，共 {data['chars']:,} 字")
    if not data["documents"]:
        _empty_hint(library)
        return
    for key, title in (("by_genre", "按文种"), ("by_source", "按来源")):
        table = Table(title, "篇数")
        for name, count in data[key].items():
            table.add_row(escape(shown(name)), str(count))
        out.print(table)


@app.command("genres")
@home_option
@json_option
@free_option
@click.option("--all", "all_genres", is_flag=True, help="列出整个文种表（包括库里还没有的文种）")
def list_genres(home: Path | None, as_json: bool = False, free: bool = False, all_genres: bool = False) -> None:
    """文种表：分组、文种、篇数（--genre 可用的取值）。"""
    from ..metadata import genres

    counts = open_library(home).stats(member=not free)["by_genre"]
    groups = genres.taxonomy(counts=None if all_genres else counts)
    if as_json:
        print_json(groups)
        return
    table = Table("分组", "文种", "篇数")
    for group in groups:
        for genre in group["genres"]:
            table.add_row(group["group"], genre["name"], str(counts.get(genre["name"], 0)))
    out.print(table)


@app.command()
@click.argument("doc_id", type=DOC_ID, metavar="编号")
@home_option
@json_option
@free_option
def show(doc_id: int, home: Path | None, as_json: bool = False, free: bool = False) -> None:
    """显示一篇文档：元数据、提纲、正文（标出会员内容的起点和终点）。"""
    from .. import access
    from ..model import walk_outline

    doc = open_library(home).get(doc_id)
    view, notice = access.view(doc, member=not free)
    if as_json:
        print_json({**view.to_dict(), "chars": doc.counted_chars, "notice": notice})
        return
    out.print(Text(shown(view.title), style="bold"))
    for label, value in _metadata(doc, view):
        out.print(f"[dim]{label}[/dim] {escape(shown(value))}")
    if view.outline:
        out.print("\n[bold]提纲[/bold]")
        for node in walk_outline(view.outline):
            if node.kind == "heading":
                summary = f"  [dim]{escape(shown(node.summary))}[/dim]" if node.summary else ""
                out.print("  " * node.level + escape(shown(node.title)) + summary)
    out.print("\n[bold]正文[/bold]")
    for part in _body_parts(view, notice):
        out.print(part)


def _body_parts(view: Document, notice: str | None) -> list[Text]:
    """The text cut at the member boundary, a line at each mark (:func:`sucai.access.boundary_marks`):
    for a member "以下/以上为会员内容" at ``paid_from``/``paid_until``, for others the notice."""
    from .. import access

    parts, pos = [], 0
    for at, kind, words in access.boundary_marks(view, notice):
        mark = words if kind == "notice" else f"──────── {words} ────────"
        parts += [Text(shown(view.text[pos:at].rstrip("\n"))), Text(shown(mark), style="yellow")]
        pos = at
    tail = view.text[pos:]
    return [*parts, Text(shown(tail))] if tail or not parts else parts


def _metadata(doc: Document, view: Document) -> list[tuple[str, object]]:
    """The metadata lines of ``show``: the viewer's derived fields (with how each was found) and the
    document's 字数, members span, file and how its text was read."""
    from ..model import found_by

    found = found_by(view.evidence)

    def how(value, name):
        return f"{value}（据{found[name]}）" if value is not None and found.get(name) else value

    rows = [("编号", doc.id), ("文种", how(view.genre, "genre")), ("字数", doc.counted_chars),
            ("标称字数", view.declared_chars), ("文号", view.doc_number), ("日期", how(view.date, "date")),
            ("来源", how(view.source, "source")), ("会员内容起点", doc.paid_from), ("会员内容终点", doc.paid_until),
            ("文件", doc.source_path)]
    if doc.ocr_confidence is not None:
        rows.append(("识别方式", f"文字识别（OCR），平均置信度 {doc.ocr_confidence:.0f}%"))
    return [(k, v) for k, v in rows if v is not None]


@app.command()
@click.argument("words", nargs=-1, required=True, metavar="检索词")
@_mode_option()
@click.option("--scope", type=NamedChoice(SCOPES), default="doc",
              help="范围：全文=整篇文档（doc，默认），段落=标题下的一段（section）")
@click.option("--heading", metavar="词", help="只在标题含此词的段落中查找（配合 --scope 段落）")
@click.option("--genre", type=GenreName(), metavar="文种", help="只看这一文种（取值见 sucai genres）")
@click.option("--year", type=YEAR, metavar="年份", help="只看这一年")
@click.option("--source", metavar="来源", help="只看这一来源")
@click.option("--member-part/--no-member-part", default=None, help="只看含 / 不含会员内容的文档")
@click.option("--sort", type=NamedChoice(SORTS), default="relevance",
              help="排序：相关度（relevance，默认）、日期（date）、字数（length）")
@click.option("--limit", type=INT, default=10, show_default=True, metavar="条数",
              help="每页条数（不超过设置 max_page_size，默认 100）")
@click.option("--page", type=Between(1, MAX_PAGE), default=1, show_default=True, metavar="页码", help="页码")
@home_option
@json_option
@free_option
def search(words: tuple[str, ...], mode: str = "ranked", scope: str = "doc", heading: str | None = None,
           genre: str | None = None, year: int | None = None, source: str | None = None,
           member_part: bool | None = None, sort: str = "relevance", limit: int = 10, page: int = 1,
           home: Path | None = None, as_json: bool = False, free: bool = False) -> None:
    """检索：精准（逐字包含）或智能（分词排序），按全文或段落。

    检索词：空格分隔=同时包含（可分成几个参数，也可整体加引号），"…"=整体，-词=排除，词1 OR 词2=任一。
    以 - 开头的检索词写在 -- 之后，例如：sucai search --mode 精准 -- -形式主义 作风
    """
    from ..analysis import load_segmenter
    from ..metadata import titles
    from ..search import SearchRequest

    request = SearchRequest(q=" ".join(words), mode=mode, scope=scope, heading=heading, genre=genre, year=year,
                            source=source, has_member_part=member_part, sort=sort, limit=limit, page=page)
    library = open_library(home)
    if not 1 <= limit <= library.settings.max_page_size:   # the API and the web read it leniently; a script is told (exit 2)
        raise click.BadParameter(f"{out_of_range(limit, 1, library.settings.max_page_size)}（设置 max_page_size）",
                                 param_hint="'--limit'")
    if mode == "ranked" or scope == "section":   # a precise search of whole documents segments no word
        load_segmenter()   # before the search, whose 用时 is then the search's own
    result = library.search(request, member=not free)
    if as_json:
        print_json(result.to_dict())
        return
    for warning in result.warnings:
        err.print(f"[yellow]提示：{escape(shown(warning))}[/yellow]")
    out.print(f"共 {result.total} 条结果（{MODES[result.mode]}，第 {result.page} 页，用时 {result.took_ms} 毫秒）")
    if not result.total:
        for hint in _empty_hints(request):
            err.print(f"[yellow]提示：{hint}[/yellow]")
    last = -(-result.total // result.limit)
    if result.page > last > 0:
        err.print(f"[yellow]提示：只有 {last} 页，第 {result.page} 页没有结果；用 --page {last} 看最后一页[/yellow]")
    notes = titles.distinguishing_notes([asdict(hit) for hit in result.hits])
    for number, (hit, note) in enumerate(zip(result.hits, notes), start=(result.page - 1) * result.limit + 1):
        head = Text(f"{number}. ")
        head.append(_highlighted(hit.title, hit.title_highlights, "bold"))
        head.append(shown(note))
        facts = [hit.genre, hit.date, hit.source, f"{hit.chars}字", f"编号 {hit.id}"]
        head.append(f"  [{shown(' · '.join(f for f in facts if f))}]", style="dim")
        out.print(head)
        if hit.section_path:
            out.print(Text("   " + shown(" › ".join(hit.section_path)), style="cyan"))
        out.print(Text("   ").append(_highlighted(hit.snippet, hit.highlights)))
        if hit.same_sections:
            out.print(f"   [dim]本文另有 {hit.same_sections} 处相同段落[/dim]")
        if hit.other_versions:
            out.print(f"   [dim]另有 {len(hit.other_versions)} 个相似版本：编号 {'、'.join(map(str, hit.other_versions))}[/dim]")


def _empty_hints(request) -> list[str]:
    """What to try when a search found nothing: the search page's own advice, as options of the command."""
    hints = []
    if request.mode == "precise":
        hints.append("精准检索要求每个词逐字出现（标点、括号也算）；改用智能检索（--mode 智能）也会列出部分匹配的材料")
    if request.genre or request.year or request.source or request.heading or request.has_member_part is not None:
        hints.append("去掉筛选条件（--genre、--year、--source、--heading、--member-part）再试")
    if request.scope == "section":
        hints.append("改为全文检索（去掉 --scope 段落）")
    return hints


def _highlighted(text: str, spans: list[tuple[int, int]], style: str = "") -> Text:
    marked = Text(shown(text), style=style)
    for start, end in spans:
        marked.stylize("bold red", start, end)
    return marked


def _export_format(fmt: str, output: Path | None, as_zip: bool) -> str:
    """The format of an exported document: without ``--format``, the one the name of ``output`` ends in
    (``-o 材料.md``: Markdown), else ``fmt``. Raises ``click.BadParameter`` (exit 2), before anything is written,
    for a name ending in another suffix than the file's: without ``--format``, any but .docx, .md and .txt
    (``a.xyz``, ``材料.pdf``); with it, another file type's (``--format md -o 材料.docx``; ``--format txt -o
    材料v1.2`` is a text file); for a zip, any but .zip. A folder, or a name without a suffix (``/dev/stdout``),
    takes ``fmt``."""
    from ..readers import SUPPORTED_SUFFIXES

    suffix = output.suffix.lower() if output is not None and not output.is_dir() else ""
    named = click.get_current_context().get_parameter_source("fmt") is not ParameterSource.DEFAULT
    if not suffix or (named and not as_zip and suffix not in SUPPORTED_SUFFIXES | {".zip"}):
        return fmt
    if not as_zip and not named:
        if suffix[1:] not in EXPORT_FORMATS:
            raise click.BadParameter(f"文件名 {output.name} 的扩展名不是 .docx、.md、.txt 之一："
                                     "请改用其中之一，或用 --format 指定格式", param_hint="'-o' / '--output'")
        return suffix[1:]
    wanted = ".zip" if as_zip else f".{fmt}"
    if suffix != wanted:
        raise click.BadParameter(f"文件名 {output.name} 与导出的格式不符：应以 {wanted} 结尾",
                                 param_hint="'-o' / '--output'")
    return fmt


@app.command()
@click.argument("doc_id", type=DOC_ID, required=False, metavar="[编号]")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="docx", show_default=True, metavar="格式",
              help="docx=Word（GB/T 9704 版式） / md=Markdown / txt=纯文本")
@click.option("-o", "--output", type=click.Path(path_type=Path), metavar="文件",
              help="输出文件或文件夹（默认按标题命名，存到当前目录；- 为标准输出）；不写 --format 时按扩展名"
                   "（.docx、.md、.txt）选择格式，其他扩展名不接受")
@click.option("--query", metavar="检索词", help="把这次检索的结果打包下载（与编号二选一）")
@click.option("--zip", "as_zip", is_flag=True, help="打包为 zip（多篇或检索结果）")
@_mode_option("检索方式（配合 --query）：精准（默认，只打包逐字包含检索词的文档）/ 智能", default="precise")
@click.option("--genre", type=GenreName(), metavar="文种", help="文种（配合 --query；取值见 sucai genres）")
@click.option("--year", type=YEAR, metavar="年份", help="年份（配合 --query）")
@click.option("--limit", type=POSITIVE, default=100, show_default=True, metavar="篇数", help="打包的最多篇数")
@home_option
@free_option
def export(doc_id: int | None = None, fmt: str = "docx", output: Path | None = None, query: str | None = None,
           as_zip: bool = False, mode: str = "precise", genre: str | None = None, year: int | None = None,
           limit: int = 100, home: Path | None = None, free: bool = False) -> None:
    """下载：导出为 Word、Markdown 或纯文本；检索结果打包为 zip。

    Word 文件按 GB/T 9704-2012 公文格式排版。
    """
    from .. import access
    from ..export import batch_stem, export_document, export_zip
    from ..search import SearchRequest

    if (doc_id is None) == (query is None):
        raise click.UsageError("请给出一个文档编号，或用 --query 指定要打包的检索（二选一）")
    search = SearchRequest(q=query or "", mode=mode, genre=genre, year=year)
    if query is not None and not search.narrowed:   # it would zip --limit documents of all, as `search ''` lists them
        raise click.BadParameter("没有要检索的词（只有空格、不可见字符或符号），请给出检索词，或用 --genre、--year 筛选",
                                 param_hint="'--query'")
    fmt = _export_format(fmt, output, as_zip or doc_id is None)
    if output == STDOUT and sys.stdout.isatty() and (fmt == "docx" or as_zip or doc_id is None):
        raise click.UsageError("Word 文件和压缩包不能输出到终端：请用 -o 指定文件名，或把输出重定向到文件（> 文件名）")
    library = open_library(home)
    if doc_id is not None and not as_zip:
        view, notice = access.view(library.get(doc_id), member=not free)
        name, data = export_document(view, fmt, notice=notice)
    else:
        total, docs = (1, [library.get(doc_id)]) if doc_id is not None else library.matching_documents(
            search, member=not free, limit=limit)
        if not docs:
            raise NotFound("没有符合条件的文档，未生成压缩包", code="no_results")
        if total > len(docs):   # new-user try 17: a 智能 query's long tail went in unsaid
            err.print(f"[yellow]提示：共 {total:,} 篇匹配，只打包了最相关的 {len(docs)} 篇（--limit）[/yellow]")
        err.print(f"打包 {len(docs)} 篇")
        name, data = f"{batch_stem(query)}.zip", export_zip([access.view(d, member=not free) for d in docs], fmt, limit=limit)
    target = write_file(output, name, data)
    if target == STDOUT:   # the standard output holds the file: the line goes to the standard error
        err.print(f"已导出到标准输出（{len(data):,} 字节）")
    else:
        out.print(f"已导出：{escape(shown(target))}（{len(data):,} 字节）")


@app.command()
@click.argument("doc_id", type=DOC_ID, metavar="编号")
@home_option
def rm(doc_id: int, home: Path | None) -> None:
    """删除一篇文档（目录与索引）。"""
    library = open_library(home)
    title = library.get(doc_id).title   # said with the 编号: a mistyped one shows what went
    library.remove(doc_id)
    out.print(f"已删除文档 {doc_id}：{escape(shown(title))}")


@app.command()
@click.argument("doc_ids", nargs=-1, required=True, type=DOC_ID, metavar="编号...")
@home_option
def hide(doc_ids: tuple[int, ...], home: Path | None) -> None:
    """隐藏文档：不再出现在检索、列表和阅读中（管理员在网页上仍可见；sucai list --hidden 列出，sucai unhide 恢复显示）。"""
    _set_hidden(doc_ids, home, hidden=True)


@app.command()
@click.argument("doc_ids", nargs=-1, required=True, type=DOC_ID, metavar="编号...")
@home_option
def unhide(doc_ids: tuple[int, ...], home: Path | None) -> None:
    """恢复显示隐藏的文档。"""
    _set_hidden(doc_ids, home, hidden=False)


def _set_hidden(doc_ids: tuple[int, ...], home: Path | None, hidden: bool) -> None:
    """Hide (or show again) each document of ``doc_ids`` as the admin page does (:meth:`Library.set_hidden
    <sucai.library.Library.set_hidden>`), each said with its title; one already so is said so. Raises NotFound,
    before any is changed, for a 编号 no document has."""
    from ..errors import no_document

    library = open_library(home)
    rows = {row.id: row for row in library.catalogue.records(ids=list(doc_ids), include_hidden=True)}
    if missing := [doc_id for doc_id in doc_ids if doc_id not in rows]:
        raise no_document(missing[0])
    for doc_id in dict.fromkeys(doc_ids):
        title = escape(shown(rows[doc_id].title))
        if rows[doc_id].hidden == hidden:
            out.print(f"文档 {doc_id} 本来就{'是隐藏的' if hidden else '没有隐藏'}：{title}")
            continue
        library.set_hidden(doc_id, hidden)
        out.print(f"已{'隐藏' if hidden else '恢复显示'}文档 {doc_id}：{title}")


@app.command()
@home_option
def reindex(home: Path | None) -> None:
    """由目录重建检索索引。"""
    library = open_library(home, outcome="未重建索引", reindexing=True)
    with step(err, "正在重建检索索引…", library.settings.progress_seconds) as update:
        count = library.reindex(lambda done, total: update(f"正在重建检索索引：{done}/{total}"))
    out.print(f"已重建索引：{count} 篇文档")
