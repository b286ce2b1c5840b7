"""What every command shares: the click group, the consoles, common options, exit codes, the library.

Every word a user reads is Chinese: click's own messages come from the catalogue
of :mod:`sucai.cli.i18n`; the placeholders click would derive from English names
(``[OPTIONS]``, ``COMMAND``, ``INTEGER``, argument names) are given here —
each parameter names its ``metavar`` and integers use :data:`INT`.
"""

from __future__ import annotations

import ast
import difflib
import importlib
import importlib.util
import json
import os
import re
import select
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from enum import IntEnum
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click
from rich.cells import cell_len
from rich.console import Console

from ..config import Settings, data_dir, load_settings, no_library, parse_day, year_digits
from ..errors import BadValue, InvalidInput, SucaiError, no_document, os_reason

if TYPE_CHECKING:
    from ..library import Library

T = TypeVar("T")

_CLOSE_COMMAND = 0.75   # difflib's similarity ratio of a mistyped command name to a command suggested for it
_WIDE = 100_000  # columns of a console that is not a terminal: tables and text never wrap when piped


class ExitCode(IntEnum):
    """The exit status of ``sucai`` (documented in the README): 0 only when it went as asked."""

    OK = 0
    ERROR = 1          # 出错：无法写入、设置有误、端口被占用、意外错误…
    USAGE = 2          # 用法不对：没有这个命令或选项、缺少参数、值无效（click 的约定）
    NOT_FOUND = 3      # 找不到：文档编号、用户、令牌，或没有符合条件的文档
    NO_SUCH_PATH = 4   # 入库：给出的路径有不存在的
    PARTIAL = 5        # 入库：本次有文件跳过或失败（其余已入库；上次已无法读取、未再尝试的不算）
    NOTHING = 6        # 入库：本次所有文件都跳过或失败，没有一个入库
    DAMAGED = 7        # 核对：检索索引与目录库不一致，且未修复（check-integrity --no-repair）
    INTERRUPTED = 130  # 被 Ctrl+C 或停止信号中断（入库、同步、监视：已完成的部分已保存，见 RESUMABLE）
    OUTPUT_CLOSED = 141  # 输出提前被关闭（如 sucai search … | head）：像标准工具一样由 SIGPIPE 结束，不报错


class OutputClosed(Exception):
    """The reader of our output went away (``sucai search … | head``): the command ends quietly with
    :attr:`ExitCode.OUTPUT_CLOSED` (:func:`sucai.cli.run`). Not an ``OSError``, which click would turn into
    exit status 1."""


class _Console(Console):
    """A rich console whose closed output raises :class:`OutputClosed` instead of rich's ``SystemExit(1)``."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise OutputClosed


_TOKEN = re.compile(r"\[[^\]]{0,20}\]|[\w\-./$=|:'\"]+|\s+|.", re.ASCII)


_NO_LINE_START = set("，。、；：？！）》」』”’…")  # closing punctuation stays at the end of its line


def wrap_cells(text: str, width: int) -> list[str]:
    """``text`` cut into lines of at most ``width`` terminal cells (a Chinese character takes two),
    between characters of Chinese text and between words of Latin text (a closing mark may overhang)."""
    lines, line = [], ""
    for token in _TOKEN.findall(text):
        if line and cell_len(line + token) > width and token not in _NO_LINE_START:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
    return [*lines, line.rstrip()] if line.strip() or not lines else lines


class ChineseHelpFormatter(click.HelpFormatter):
    """click's help layout, measured in terminal cells so that Chinese text lines up and wraps in place."""

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        for paragraph in text.split("\n"):
            for line in wrap_cells(paragraph, max(self.width - self.current_indent, 20)):
                self.write(f"{indent}{line}\n" if line else "\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        first = min(max((cell_len(term) for term, _ in rows), default=0), col_max) + col_spacing
        for term, definition in rows:
            self.write(f"{'':>{self.current_indent}}{term}")
            if cell_len(term) > first - col_spacing:
                self.write("\n" + " " * (first + self.current_indent))
            else:
                self.write(" " * (first - cell_len(term)))
            lines = wrap_cells(definition, max(self.width - first - self.current_indent, 20)) if definition else [""]
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(" " * (first + self.current_indent) + line + "\n")


class ChineseContext(click.Context):
    formatter_class = ChineseHelpFormatter


class ChineseGroup(click.Group):
    """The ``sucai`` group: usage placeholders in Chinese; subcommands get :class:`ChineseCommand`.

    ``lazy``: command name → the module of ``sucai.cli`` that defines it (registering it on this group), imported
    when the command is looked up (click's lazy-loading group): ``sucai ingest`` imports what ingest needs, not the
    web layer or the accounts. The group's own help lists them without importing them: each command's short help is
    made by click from the docstring of its function, read from the module's source (:func:`_docstrings`)."""

    command_class = None  # set below, once ChineseCommand exists
    group_class = type
    context_class = ChineseContext

    def __init__(self, *args, lazy: dict[str, str] | None = None, **kwargs):
        kwargs.setdefault("options_metavar", "[选项]")
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        kwargs.setdefault("no_args_is_help", True)
        super().__init__(*args, **kwargs)
        self.lazy = lazy or {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            importlib.import_module(f"{__package__}.{self.lazy[cmd_name]}")
        return super().get_command(ctx, cmd_name)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        """click's, an unknown command's error suggesting the close names among every command (「没有命令 'serach'。
        是不是想用 'search'？」): click suggests among those imported (``self.commands``), which in a new process are
        none of the lazy ones — and with difflib's default cutoff, 0.6, 'user' for 'serach' too. A command whose
        name holds the one typed is suggested as well (「sucai user role」: 'set-role'), and ``--help`` for a group's
        ``help`` (``sucai user help``; ``sucai help`` is a command of its own)."""
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as error:
            name, commands = error.command_name, self.list_commands(ctx)
            error.possibilities = ["--help"] if name == "help" else list(dict.fromkeys(
                [*difflib.get_close_matches(name, commands, cutoff=_CLOSE_COMMAND),
                 *(c for c in commands if len(name) >= 3 and name in c)]))
            raise

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's list of commands, each not imported yet by a stand-in with its docstring as the help."""
        listed = [self.commands.get(name) or click.Command(name, help=_docstrings(self.lazy[name]).get(name))
                  for name in self.list_commands(ctx)]
        click.Group.format_commands(click.Group(commands=listed), ctx, formatter)

    def invoke(self, ctx: click.Context):
        """Run the command; a write to a closed output (a ``BrokenPipeError`` while stdout or stderr is a pipe
        nobody reads) becomes :class:`OutputClosed`. Another broken pipe (a worker process that died) stays an
        error (exit status 1; click itself would exit 1 without a word)."""
        return _closed_output_ends(partial(super().invoke, ctx))

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        """Parse the group's own options as click does; its ``--help`` or ``--version`` printed into a closed output
        (``sucai --help | head``) ends as a command's output does (:class:`OutputClosed`), not click's exit status 1."""
        return _closed_output_ends(partial(super().make_context, info_name, args, parent, **extra))


@cache
def _docstrings(module: str) -> dict[str, str | None]:
    """Command name → the docstring of its function, of the commands that module ``module`` of ``sucai.cli``
    registers on ``app`` (``@app.command(…)``, ``@app.group(…)``; named as click names them when no name is given),
    read from its source without importing it."""
    spec = importlib.util.find_spec(f"{__package__}.{module}")
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    found = {}
    for node in ast.walk(tree):
        for decorator in getattr(node, "decorator_list", []):
            call = decorator.func if isinstance(decorator, ast.Call) else None
            if isinstance(call, ast.Attribute) and isinstance(call.value, ast.Name) and call.value.id == "app":
                named = [arg.value for arg in decorator.args if isinstance(arg, ast.Constant)]
                found[named[0] if named else node.name.lower().replace("_", "-")] = ast.get_docstring(node)
    return found


def _closed_output_ends(call: Callable[[], T]) -> T:
    """``call()``, its ``BrokenPipeError`` raised again as :class:`OutputClosed` when our output is what was closed
    (:func:`_output_closed`), else as a SucaiError (``broken_pipe``)."""
    try:
        return call()
    except BrokenPipeError as error:
        if _output_closed():
            raise OutputClosed from error
        raise SucaiError(f"与子进程或服务的连接意外中断（{os_reason(error)}）", code="broken_pipe") from error


def _output_closed() -> bool:
    """Whether stdout or stderr is a pipe whose reader is gone (poll reports an error condition on it)."""
    if not hasattr(select, "poll"):
        return True   # no way to ask: a broken pipe here is most likely our output
    for stream in (sys.stdout, sys.stderr):
        try:
            fd = stream.fileno()
        except (AttributeError, OSError, ValueError):   # replaced by a buffer (tests), or closed
            continue
        poller = select.poll()
        poller.register(fd, select.POLLOUT)
        if any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0)):
            return True
    return False


class ChineseCommand(click.Command):
    """A command whose usage line reads ``[选项]`` instead of ``[OPTIONS]``."""

    context_class = ChineseContext

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """click's parsing, then every text value but a path made well formed (:func:`sucai.clean.well_formed`): a
        byte of an argument that is not UTF-8, which Python keeps as a lone surrogate, was an 内部错误 wherever the
        text went on (``search --genre``, ``codes create --batch``, ``token create --label``, ``draft --genre``:
        tantivy, the database, UTF-8 output refuse it); a path keeps its bytes, to be found as it was named."""
        rest = super().parse_args(ctx, args)
        from ..clean import well_formed   # here, not for ``--help`` (answered inside click's parsing)

        def formed(value):
            return well_formed(value) if isinstance(value, str) else value

        for param in self.params:
            if not isinstance(param.type, click.Path) and param.name in ctx.params:
                value = ctx.params[param.name]
                ctx.params[param.name] = tuple(map(formed, value)) if isinstance(value, tuple) else formed(value)
        return rest


ChineseGroup.command_class = ChineseCommand


_SMALLEST, _LARGEST = -(2**63), 2**63 - 1   # what a 64-bit signed column (SQLite INTEGER, tantivy) holds


class _Integer(click.types.IntParamType):
    """An integer from ``smallest`` to ``largest`` (default: what a 64-bit signed column holds); others are refused in
    Chinese (exit 2) instead of failing deep inside. The storage's limits are never named: ``数值太大``."""

    def __init__(self, smallest: int = _SMALLEST, largest: int = _LARGEST, name: str = "整数"):
        self.smallest, self.largest, self.name = smallest, largest, name  # name: "'第5篇' 不是有效的整数。"

    def convert(self, value, param, ctx):
        return _within(self, value, self.smallest, self.largest, param, ctx)


def out_of_range(number: int, smallest: int, largest: int = _LARGEST, name: str = "整数") -> str:
    """The one wording of a ``number`` outside ``smallest``–``largest`` on the command line (every integer
    option's, ``search --limit``'s past max_page_size): 「0 超出范围：应为 1 到 1000 之间的整数」, 「应不小于 1」 without
    an upper bound; past what the storage holds 「数值太大」 — its limits are never named."""
    if number > largest == _LARGEST:
        expected = "数值太大"
    elif number < smallest == _SMALLEST:
        expected = "数值太小"
    elif largest == _LARGEST:
        expected = f"应不小于 {smallest}"
    else:
        expected = f"应为 {smallest} 到 {largest} 之间的{name}"
    return f"{number} 超出范围：{expected}"


def _within(kind: click.ParamType, value, smallest: int, largest: int, param, ctx) -> int:
    """``value`` as a whole number from ``smallest`` to ``largest``; else ``kind`` fails (exit 2) with
    :func:`out_of_range`'s words, or with click's 「不是有效的整数」 for no whole number."""
    number = click.types.IntParamType.convert(kind, value, param, ctx)
    if not smallest <= number <= largest:
        kind.fail(out_of_range(number, smallest, largest, kind.name), param, ctx)
    return number


class _DocumentId(_Integer):
    """A document's 编号: a whole number; one no document can have (0, -3, more than the storage holds) is
    a document that does not exist — NotFound (exit 3), as for any other missing 编号."""

    def __init__(self):
        super().__init__(1, name="编号")

    def convert(self, value, param, ctx):
        number = click.types.IntParamType.convert(self, value, param, ctx)
        if not self.smallest <= number <= self.largest:
            raise no_document(number)
        return number


INT = _Integer()
POSITIVE = _Integer(1, name="正整数")  # a count that 0 or less would make no sense of (list/export --limit)
DOC_ID = _DocumentId()
# parsing and searching use a processor each: past 4 per processor more processes only cost memory (each holds the
# segmenter's dictionaries); at least 8, so a small machine may still overlap the waits of a few (OCR, LibreOffice)
MOST_WORKERS = max(8, 4 * (os.cpu_count() or 1))
WORKERS = _Integer(1, MOST_WORKERS, name="进程数")
PORT = _Integer(1, 65535, name="端口号")


class Between(click.IntRange):
    """A whole number from ``min`` to ``max`` (both included), described as ``0–20`` in help and errors."""

    name = "整数"

    def _describe_range(self) -> str:
        return f"{self.min}–{self.max}"

    def convert(self, value, param, ctx):   # refused in the words of every integer option, not click's
        return _within(self, value, self.min, self.max, param, ctx)


class _Year(Between):
    """A year from 1 to 9999 as a writer types it — 2024, ２０２４ or 2024年 (:func:`sucai.config.year_digits`, the web's
    reading too) —; another value is refused in Chinese (exit 2), as any whole number is."""

    name = "年份"   # 「'2024年度' 不是有效的年份」, 「0 超出范围：应为 1 到 9999 之间的年份」

    def __init__(self):
        super().__init__(1, 9999)

    def convert(self, value, param, ctx):
        return super().convert(year_digits(value), param, ctx)


YEAR = _Year()


class Day(click.ParamType):
    """A day as :func:`sucai.config.parse_day` reads it (2026-11-01, 2026年11月1日, 今天, 昨天: the forms every date of
    sucai takes), checked here — another value is refused in Chinese, naming the forms (exit 2) — and kept as written:
    今天 is the site's, known once the library's settings are (:func:`site_day`)."""

    name = "日期"

    def convert(self, value, param, ctx) -> str:
        try:
            parse_day(value, date.today())
        except BadValue as error:
            self.fail(error.message, param, ctx)
        return value


def site_day(written: str, settings: Settings) -> date:
    """The day of a :class:`Day` option, 今天 and 昨天 on the site's clock (setting ``timezone``)."""
    return parse_day(written, settings.today())


class GenreName(click.ParamType):
    """A 文种 as :func:`sucai.metadata.genres.listed_genre` reads it, by the taxonomy's name (``--genre 讲话`` →
    讲话稿); one that is none of the table is refused in its words (exit 2), as the web refuses it."""

    name = "文种"

    def convert(self, value, param, ctx) -> str | None:
        from ..metadata.genres import listed_genre   # the taxonomy: not for ``sucai --help``

        try:
            return listed_genre(value)
        except InvalidInput as error:
            self.fail(error.message, param, ctx)


class NamedChoice(click.ParamType):
    """One of ``choices`` (code → name), given by its code or its name: ``--mode 精准`` = ``--mode precise``."""

    name = "选项值"

    def __init__(self, choices: dict[str, str]):
        self.choices = choices
        self.metavar = "|".join(choices.values())

    def get_metavar(self, param, ctx) -> str:
        return self.metavar

    def convert(self, value, param, ctx) -> str:
        for code, name in self.choices.items():
            if value in (code, name):
                return code
        options = "、".join(f"{name}（{code}）" for code, name in self.choices.items())
        self.fail(f"“{value}”不是可选的值，可选：{options}", param, ctx)

COMMANDS = {
    **dict.fromkeys(["ingest", "list", "stats", "genres", "show", "search", "export", "rm", "hide", "unhide", "reindex"],
                    "documents"),
    **dict.fromkeys(["serve", "demo"], "server"), **dict.fromkeys(["user", "token", "audit"], "accounts"),
    **dict.fromkeys(["migrate", "backup", "restore", "check-integrity"], "operations"),
    **dict.fromkeys(["check", "dupes"], "check"), "draft": "drafting", "watch": "watch", "codes": "codes",
    "sync": "sync", "help": "common",
}
"""Each command of ``sucai`` → the module of this package that defines it, imported when the command is used."""
RESUMABLE = frozenset({"ingest", "sync", "watch", "demo"})
"""The commands that keep their work as they go and go on from there when run again (files stored, documents
written): an interrupted one says so; any other only that it stopped."""

app = ChineseGroup(name="sucai", help="sucai 素材库：公文材料的入库、清洗、检索与下载。", lazy=COMMANDS,
                   context_settings={"max_content_width": 100, "help_option_names": ["-h", "--help"]})
click.version_option(package_name="sucai", prog_name="sucai")(app)



@app.command("help")
@click.argument("names", nargs=-1, metavar="[命令]...")
@click.pass_context
def help_command(ctx: click.Context, names: tuple[str, ...]) -> None:
    """显示帮助：sucai help 列出全部命令，sucai help 命令 显示该命令的用法（同 --help）。"""
    shown_ctx = ctx.parent
    for name in names:   # sucai help user set-role: each name a command of the one before
        group = shown_ctx.command
        if not isinstance(group, click.Group):
            raise click.UsageError(f"'{shown_ctx.command_path}' 没有子命令 '{name}'", ctx)
        _, command, _ = group.resolve_command(shown_ctx, [name])   # an unknown name: click's error, close names said
        shown_ctx = command.context_class(command, info_name=command.name, parent=shown_ctx)
    click.echo(shown_ctx.get_help())


out = _Console(highlight=False, width=None if sys.stdout and sys.stdout.isatty() else _WIDE)   # None: fd 1 closed
err = _Console(stderr=True, highlight=False, width=None if sys.stderr and sys.stderr.isatty() else _WIDE)

home_option = click.option("--home", type=click.Path(path_type=Path), metavar="目录",
                           help="数据目录（默认 $SUCAI_HOME，未设时为用户数据目录）")
json_option = click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
free_option = click.option("--free", is_flag=True, help="按免费用户（非会员）可见的内容输出")


def source_option(files: str = "入库文件") -> Callable:
    """``--source`` of ``sucai ingest``, ``sucai watch`` and ``sucai serve --watch``: the 来源 of the ``files`` (as its
    help names them: serve's are those of its ``--watch``) that name none themselves (None: none given, or only
    spaces)."""
    return click.option("--source", metavar="来源", callback=lambda _ctx, _param, value: (value or "").strip() or None,
                        help=f"{files}的来源（发文机关、网站等；文件本身未注明来源时使用，再次读取时沿用）")


# C0/C1 controls (but \t and \n), zero-width and bidi formatting characters: never written to a terminal
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def shown(value: object) -> str:
    """``value`` as text that is safe to print: each control, zero-width or bidi character becomes
    U+FFFD (one for one, so highlight offsets stay right). Everything read from documents, file
    names or other people's input goes through here before it reaches the terminal."""
    return _UNSAFE.sub("\ufffd", "" if value is None else str(value))


def example_until() -> date:
    """The ``--until`` a hint suggests for a new 会员 (who has member rights only with a last day): the last day of
    next year, as the README's examples (2027-12-31) — the demo's end and an empty ``user list`` say it."""
    return date(date.today().year + 1, 12, 31)


def library_settings(home: Path | None, outcome: str = "") -> Settings:
    """The settings of the library in ``home`` (see :func:`sucai.config.load_settings`) for a command that needs
    one (all that read or change the documents: search, list, show, export, backup, reindex…): raises InvalidInput
    (``no_library``, exit 1; ``outcome`` saying what was not done: "未备份") when ``home`` holds none — a new machine's
    default data directory, a mistyped ``--home`` or ``SUCAI_HOME`` —, making nothing there. A PostgreSQL library
    (``SUCAI_DATABASE_URL``) is one wherever its node's data directory is, even a new one."""
    if not data_dir(home).exists() and not os.environ.get("SUCAI_DATABASE_URL", "").strip():
        raise no_library(data_dir(home), outcome)
    settings = load_settings(home)
    if not settings.holds_library:
        raise no_library(settings.home, outcome)
    return settings


def open_library(home: Path | None, *, create: bool = False, outcome: str = "", reindexing: bool = False) -> Library:
    """The library in ``home`` (see :func:`sucai.config.load_settings`); ``reindexing``: the command rebuilds its index
    next (:class:`~sucai.library.Library`'s).

    ``create`` (ingest, which fills one): a new, empty data directory is made when there is none, said on stderr when
    the user did not name it. Any other command reads or changes a library that is there: a ``home`` holding none
    is refused as :func:`library_settings` refuses it (``outcome``: what was not done, "未重建索引"), making nothing —
    ``sucai search`` on a new machine made ~/.local/share/sucai and searched an empty library."""
    settings = made_settings(home) if create else library_settings(home, outcome)
    from ..library import Library   # the commands' heaviest import: not for `sucai --help`

    with describing_said() as describing:   # what is said stays until the library is open (its index updated too)
        return Library(settings, describing, reindexing=reindexing)


def older_readings_said(library: Library) -> None:
    """Say on stderr, in yellow, how many documents an older reading stored and how to read them again
    (:func:`sucai.library.older_readings_message`); nothing when there is none."""
    from ..library import older_readings_message   # loaded already: the library is open

    message = older_readings_message(*library.catalogue.older_readings())
    if message:
        err.print(f"[yellow]注意：{message}[/yellow]")


@contextmanager
def step(console: Console, text: str, every: float | None = None) -> Iterator[Callable[[str], None]]:
    """A slow step's message: on a terminal a spinner with ``text`` (the yielded function replaces it, e.g. with
    a count), without one ``text`` as one plain line when the step begins, as ingest's first line is, so that a
    piped or logged run is never silent for a long while (``sucai restore``, the free previews made again as a library
    opens: :func:`describing_said`) — and, given ``every``
    (seconds, the ``progress_seconds`` setting), the replacing text as a line of its own at most that often, as
    ingest's progress lines are (``sucai reindex``, ``sucai restore``: 正在重建检索索引：1200/8251)."""
    if not console.is_terminal:
        console.print(text, markup=False, highlight=False, soft_wrap=True)
        printed = time.monotonic()

        def update(line: str) -> None:
            nonlocal printed
            if every is not None and time.monotonic() - printed >= every:
                console.print(line, markup=False, highlight=False, soft_wrap=True)
                printed = time.monotonic()
        yield update
        return
    with console.status(text) as status:
        yield status.update


@contextmanager
def describing_said() -> Iterator[Callable[[tuple[str, ...], int, int], None]]:
    """The ``describing(changed, done, total)`` of :class:`~sucai.library.Library` for a command that opens a library
    in the block (``sucai serve``: its web app): says on stderr, once, why the free previews are made again (an
    upgrade changed their rules, or the operator the free preview's setting) and of how many documents (``total``:
    those with a members part) — a command paused seconds without a word —, on a terminal with a spinner and the
    count (until the block ends), otherwise as one plain line (:func:`step`)."""
    update: Callable[[str], None] | None = None

    def describing(changed: tuple[str, ...], done: int, total: int) -> None:
        nonlocal update
        from ..library import describing_message   # loaded already: the library being opened calls this

        text = describing_message(changed, total)
        if update is None:
            update = shown.enter_context(step(err, text))
        update(f"{text}{done}/{total}")

    with ExitStack() as shown:
        yield describing


def made_settings(home: Path | None) -> Settings:
    """The settings of the library in ``home`` for a command that makes one (ingest; ``user add`` and ``codes create``,
    a new site's first admin and 卡密): a new, empty data directory is made when there is none, said on stderr when the
    user did not name it."""
    fresh = not data_dir(home).exists()
    settings = load_settings(home)
    if fresh and home is None:
        origin = "由环境变量 SUCAI_HOME 指定" if os.environ.get("SUCAI_HOME") else "没有 --home，也未设 SUCAI_HOME"
        err.print(f"[yellow]提示：新建了空的数据目录 {settings.home}（{origin}）[/yellow]")
    return settings


STDOUT = Path("-")   # ``-o -``: the standard output, as Unix tools take it


def write_file(output: Path | None, name: str, data: bytes) -> Path:
    """Write to ``output`` (a file, or a folder to put ``name`` in; default: ``name`` here; :data:`STDOUT`: the
    standard output) and return where it went."""
    target = output / name if output and output.is_dir() else output or Path(name)
    try:
        if target == STDOUT:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            target.write_bytes(data)
    except BrokenPipeError:   # -o /dev/stdout into `| head`: the output closed early (ChineseGroup.invoke)
        raise
    except OSError as err:
        raise SucaiError(f"无法写入 {target}：{os_reason(err)}", code="cannot_write") from err
    return target


# What a terminal may act on, or that rewrites a line, once JSON has escaped C0: C1 controls (U+009B is a CSI) and
# DEL, format characters (bidi embeddings, overrides and isolates, zero-width ones…), line and paragraph separators,
# lone surrogates (a file name not in UTF-8). Found only inside strings: JSON's own syntax is ASCII.
_ACTIVE = r"[\x7f-\x9f\p{Cf}\p{Zl}\p{Zp}\p{Cs}]"


@cache
def _active():
    import regex   # Unicode's categories; 9 ms to import, which `sucai --help` need not spend

    return regex.compile(_ACTIVE)


def _escaped(found) -> str:
    """A code point as JSON's ``\\uXXXX`` escape (RFC 8259 §7: a UTF-16 surrogate pair beyond the BMP)."""
    units = found[0].encode("utf-16-le", "surrogatepass")
    return "".join(f"\\u{int.from_bytes(units[i:i + 2], 'little'):04x}" for i in range(0, len(units), 2))


def print_json(data) -> None:
    """``data`` as indented JSON on the standard output, Chinese as it is, and every code point :data:`_ACTIVE`
    matches as an escape, so that the JSON shown on a terminal cannot act on it; ``json.loads`` of it is ``data``.
    One pass over the encoded text."""
    sys.stdout.write(_active().sub(_escaped, json.dumps(data, ensure_ascii=False, indent=2)) + "\n")
