"""The command line: every word in Chinese, exit codes that tell what happened, progress without a
terminal, tables that do not wrap, errors as one line (never a traceback), settings validated."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import zipfile
from datetime import date, datetime, timezone
from importlib import resources
from pathlib import Path

import click
import psutil
import pytest

from sucai.cli import ExitCode, app, i18n
from sucai.cli.common import COMMANDS
from sucai.accounts import MAX_TOKENS, Accounts
from sucai.config import Settings, load_settings
from sucai.errors import InvalidInput
from sucai.ingest import IngestProgress
from sucai.library import Library
from sucai.model import READING_VERSION
from sucai.search import SearchRequest

from chinese import english_words, subcommands
from fixtures import docx_bytes, new_document

SAMPLE_TEXT = "关于加强作风建设的通知\n一、总体要求\n坚持问题导向，担当作为。\n"


# -- running the command line ---------------------------------------------------------------------


def sucai(home, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """``python -m sucai args`` in a child process, output piped (not a terminal)."""
    return subprocess.run([sys.executable, "-m", "sucai", *args], capture_output=True, text=True,
                          env={**os.environ, "SUCAI_HOME": str(home), **(env or {})})


def write(folder: Path, name: str, text: str = SAMPLE_TEXT) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def library_home(tmp_path_factory, make_home) -> Path:
    """A library with one document, shared by the tests that only read it (one per backend)."""
    root = tmp_path_factory.mktemp("library")
    write(root / "in", "a.txt")
    assert sucai(make_home(root / "home"), "ingest", str(root / "in")).returncode == 0
    return root / "home"


@pytest.fixture
def sample_home(library_home, home, monkeypatch) -> Path:
    monkeypatch.setenv("SUCAI_HOME", str(library_home))
    monkeypatch.delenv("SUCAI_DATABASE_URL", raising=False)   # the library's own database (its sucai.toml)
    return library_home


@pytest.fixture
def empty_library(home) -> Path:
    """``home`` made an empty library, as its first ingest makes it: a command that reads one refuses a data
    directory that holds none (fix23)."""
    Library.open(home)
    return home


# -- no English: one check (tests/chinese.py), applied to help, errors and tables -------------------

def test_the_check_finds_english():
    assert english_words("Usage: sucai search [OPTIONS] QUERY") == ["Usage", "OPTIONS", "QUERY"]
    assert english_words("错误：Missing argument 'PATHS'.") == ["Missing", "argument", "PATHS"]
    assert english_words("用法：sucai search [选项] 检索词 --mode 精准 a/b.docx http://x/y") == []


def _all_commands(command: click.Command = app, path: tuple[str, ...] = ()):
    yield path
    for name, sub in sorted(subcommands(command).items()):
        yield from _all_commands(sub, (*path, name))


@pytest.mark.parametrize("path", list(_all_commands()), ids=lambda p: " ".join(p) or "sucai")
def test_every_help_is_chinese(cli, path):
    """… and ``-h`` is ``--help`` everywhere (fix24: ``sucai -h``, ``sucai search -h`` said 没有选项 '-h', exit 2): no
    command takes ``-h`` for anything else."""
    status, output, errors = cli(*path, "--help")
    assert status == 0 and not errors
    assert cli(*path, "-h") == (status, output, errors)
    assert "用法：" in output and "选项：" in output and "显示本帮助后退出" in output
    assert english_words(output) == []


def _python(code: str) -> str:
    """The standard output of ``python -c code``, which must succeed and write nothing to standard error."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stderr, result.stderr
    return result.stdout


def test_sucai_help_lists_every_command_without_importing_them():
    """``sucai --help`` took 2–3 s: every command module was imported (the library, SQLAlchemy, the drafting's
    httpx). Now the commands are imported by name when used; the help lists every registered command, each with
    the short help click makes of its loaded command, and imports none of the command modules."""
    probe = ("import sys; from sucai.cli import run; status = run(['--help']); "
             "print('MODULES', *sorted(m for m in sys.modules if m.startswith(('sucai', 'sqlalchemy', 'httpx'))))")
    loaded = ("import importlib; from sucai.cli import run; from sucai.cli.common import COMMANDS; "
              "[importlib.import_module(f'sucai.cli.{module}') for module in set(COMMANDS.values())]; run(['--help'])")
    listing, modules, whole = (*_python(probe).split("\nMODULES "), _python(loaded))
    registered = subcommands(app)
    assert len(registered) == 27   # as main listed them before, and hide, unhide, help
    assert set(re.findall(r"^  (\S+)", listing.split("命令：\n", 1)[1], re.MULTILINE)) == set(registered)
    assert listing + "\n" == whole   # each command's short help as click makes it of the command itself
    assert set(modules.split()) == {"sucai", "sucai.cli", "sucai.cli.common", "sucai.cli.i18n", "sucai.config",
                                    "sucai.errors"}, modules



def test_help_and_version_say_it_in_chinese_with_the_status_a_script_expects(cli):
    """fix23: ``sucai help`` was an unknown command (exit 2, 是不是想用 '--help'？). It is ``sucai --help``, exit 0, and
    ``sucai help 命令…`` that command's ``--help``; ``sucai --version`` exits 0; ``sucai`` alone shows the help on
    stderr with exit 2 (no command given: bad usage, as the README says)."""
    whole = cli("--help")
    assert whole[0] == 0 and whole[1].startswith("用法： sucai [选项] 命令 [参数]...") and "  help " in whole[1]
    assert cli("help") == whole
    assert cli("help", "search") == cli("search", "--help") and cli("help", "search")[1].startswith("用法： sucai search")
    assert cli("help", "user", "set-role") == cli("user", "set-role", "--help")
    version = cli("--version")
    assert version[0] == 0 and re.fullmatch(r"sucai，版本 \S+\n", version[1])
    alone = cli()
    assert (alone[0], alone[1]) == (ExitCode.USAGE, "") and alone[2].startswith("用法： sucai [选项] 命令 [参数]...")
    for args, said in ((["help", "serach"], "没有命令 'serach'。是不是想用 'search'？"),
                       (["help", "search", "x"], "'sucai search' 没有子命令 'x'")):
        status, output, errors = cli(*args)
        assert (status, output) == (ExitCode.USAGE, "") and errors.rstrip().endswith(f"错误：{said}"), errors

def _modules_after(code: str) -> set[str]:
    """The names in ``sys.modules`` once ``code`` has run in a new interpreter."""
    listed = _python(f"import sys\n{code}\nprint('MODULES', *sys.modules)").rsplit("MODULES ", 1)[1]
    return set(listed.split())


def _beyond_help(modules: set[str], help_modules: set[str]) -> set[str]:
    """Of ``modules``, those that ``sucai --help`` (``help_modules``) did not need and that are neither the
    standard library nor the command line itself (``sucai.cli.*``) nor the named choices (``sucai.choices``).
    (``__mp_main__`` is multiprocessing's second name for the main module.)"""
    packages = {m.split(".")[0] for m in help_modules} - {"sucai"}
    light = {*sys.stdlib_module_names, "__mp_main__", *packages}
    return {m for m in modules - help_modules
            if m.split(".")[0] not in light and not m.startswith("sucai.cli.") and m != "sucai.choices"}


def test_a_commands_help_imports_neither_the_library_nor_its_packages():
    """``sucai search --help`` took 3–8 s: the command's module imported the library, the readers, the web layer
    at its top. Now each command module imports them when a command runs; the help of every command (and
    subcommand) of a module, all asked in one interpreter, loads no module of sucai but the command line's and
    the choices, and no package that ``sucai --help`` does not load already (SQLAlchemy, tantivy, jieba,
    FastAPI, httpx…) — while the same filter does see the library's packages."""
    help_modules = _modules_after("from sucai.cli import run; run(['--help'])")
    by_module: dict[str, list[tuple[str, ...]]] = {}
    for path in _all_commands():
        if path:
            by_module.setdefault(COMMANDS[path[0]], []).append(path)
    assert set(by_module) == set(COMMANDS.values())
    for module, paths in sorted(by_module.items()):
        asked = "; ".join(f"run({[*path, '--help']!r})" for path in paths)
        modules = _modules_after(f"from sucai.cli import run; {asked}")
        assert f"sucai.cli.{module}" in modules
        assert _beyond_help(modules, help_modules) == set(), (module, paths)
    library = {m.split(".")[0] for m in _beyond_help(_modules_after("import sucai.search"), help_modules)}
    assert {"sucai", "sqlalchemy", "tantivy"} <= library


_UNUSED_BY_ALL = {"alembic", "sucai.db.migrate", "sucai.ingest", "sucai.readers", "sucai.budget", "datasketch"}


@pytest.mark.parametrize("args, unused", [
    (["list"], _UNUSED_BY_ALL | {"sucai.search", "sucai.index", "tantivy", "rjieba"}),
    (["stats"], _UNUSED_BY_ALL | {"sucai.search", "sucai.index", "sucai.metadata", "sucai.outline", "rjieba"}),
    (["show", "1"], _UNUSED_BY_ALL | {"sucai.search", "sucai.index", "sucai.metadata", "sucai.outline", "rjieba"}),
    (["search", "作风建设"], _UNUSED_BY_ALL),
    (["search", "问题导向", "--scope", "段落"], _UNUSED_BY_ALL),   # a section holds it (作风建设 is the title's)
    (["search", "作风建设", "--mode", "精准"], _UNUSED_BY_ALL | {"rjieba"}),
])
def test_a_command_imports_only_what_its_answer_needs(library_home, backend, args, unused):
    """A writer runs ``sucai search …`` many times in a row; each started in 1.2–1.7 s of CPU, much of it imports
    its answer never used: Alembic to check a schema that was current (now one read of the version table,
    :meth:`sucai.db.Database.stamped`), the readers, the ingest and its worker pool with the analysis, the search
    and its index with the library, the metadata rules with the access rules, jieba for a precise search of whole
    documents, PostgreSQL's dialect on SQLite, datasketch (no signature made, no LSH asked). Each command, run on a library at the newest schema, answers (exit 0,
    a result) without them."""
    code = (f"import os; os.environ['SUCAI_HOME'] = {str(library_home)!r}\n"
            f"from sucai.cli import run; assert run({args!r}) == 0")
    modules = _modules_after(code)
    assert "sucai.library" in modules and "sqlalchemy" in modules
    assert unused & modules == set()
    assert ("sqlalchemy.dialects.postgresql" in modules) == (backend is not None)


_MOST_WORKERS = max(8, 4 * (os.cpu_count() or 1))   # --workers: what ingest, watch and serve take at most


@pytest.mark.parametrize("args, status, expected", [
    (["serach", "担当"], ExitCode.USAGE, "没有命令 'serach'。是不是想用 'search'？"),
    (["user", "role", "张三", "会员"], ExitCode.USAGE, "没有命令 'role'。是不是想用 'set-role'？"),
    (["user", "expiry", "张三", "none"], ExitCode.USAGE, "没有命令 'expiry'。是不是想用 'set-expiry'？"),
    (["user", "help"], ExitCode.USAGE, "没有命令 'help'。是不是想用 '--help'？"),
    (["search", "担当", "--so"], ExitCode.USAGE, "没有选项 '--so'。是不是想用 '--json'、'--scope'、'--sort'？"),
    # a command's option before the command's name said 是不是想用 '--help'？ (new-user try 19): where it goes instead
    (["--home", "/srv/库", "stats"], ExitCode.USAGE,
     "错误：没有选项 '--home'。--home 是命令的选项，请写在命令名之后：sucai stats --home 目录\n"),
    (["--json", "list"], ExitCode.USAGE, "错误：没有选项 '--json'。--json 是命令的选项，请写在命令名之后：sucai list --json\n"),
    (["--sort", "日期", "audit"], ExitCode.USAGE, "错误：没有选项 '--sort'。\n"),   # audit takes no --sort
    (["user", "--home", "/srv/库", "list"], ExitCode.USAGE, "请写在命令名之后：sucai user list --home 目录\n"),
    # before a group's command: the group, which takes no --home, was looked at alone — 是不是想用 '--help'？ (user25)
    (["--home", "/srv/库", "user", "list"], ExitCode.USAGE, "请写在命令名之后：sucai user list --home 目录\n"),
    (["--json", "codes", "list"], ExitCode.USAGE, "错误：没有选项 '--json'。--json 是命令的选项，请写在命令名之后：sucai codes list --json\n"),
    (["stats", "--jsn"], ExitCode.USAGE, "错误：没有选项 '--jsn'。是不是想用 '--json'？\n"),   # a command's: click's
    (["search"], ExitCode.USAGE, "缺少参数 '检索词'"),
    (["search", "-形"], ExitCode.USAGE, "请写在 -- 之后"),
    (["show", "-1"], ExitCode.USAGE, "错误：没有选项 '-1'。编号是正整数（sucai list 列出各篇的编号）\n"),
    (["dupes", "merge", "1", "-2"], ExitCode.USAGE, "错误：没有选项 '-2'。编号是正整数（sucai list 列出各篇的编号）\n"),
    (["show", "1", "2"], ExitCode.USAGE, "多出了参数（2）"),
    (["show", "第5篇"], ExitCode.USAGE, "'第5篇' 不是有效的编号"),
    # a 编号 no document can have is a missing document, in the same words (not the storage's 9223372036854775807)
    (["show", "99999999999999999999"], ExitCode.NOT_FOUND, "错误：没有编号为 99999999999999999999 的文档\n"),
    (["show", "0"], ExitCode.NOT_FOUND, "错误：没有编号为 0 的文档\n"),
    (["show", "--", "-5"], ExitCode.NOT_FOUND, "错误：没有编号为 -5 的文档\n"),
    (["rm", "0"], ExitCode.NOT_FOUND, "错误：没有编号为 0 的文档\n"),
    (["dupes", "merge", "1", "0"], ExitCode.NOT_FOUND, "错误：没有编号为 0 的文档\n"),
    (["export", "--query", "担当", "--zip", "--limit", str(2**63)], ExitCode.USAGE, f"{2**63} 超出范围：数值太大"),
    (["search", "担当", "--year", str(-2**63 - 1)], ExitCode.USAGE, f"{-2**63 - 1} 超出范围：应为 1 到 9999 之间的年份\n"),
    # a year no document can have was a warning, 年份 20244 无效，已忽略, and exit 0 as if the search had run
    (["search", "担当", "--year", "20244"], ExitCode.USAGE, "'--year' 的值无效：20244 超出范围：应为 1 到 9999 之间的年份\n"),
    (["export", "--query", "担当", "--year", "0"], ExitCode.USAGE, "'--year' 的值无效：0 超出范围：应为 1 到 9999 之间的年份\n"),
    (["search", "担当", "--year", "2024年度"], ExitCode.USAGE, "'--year' 的值无效：'2024年度' 不是有效的年份。\n"),
    # 0 started as many as the processors, -1 one (silently)
    (["ingest", "--workers", "0", "."], ExitCode.USAGE, f"'--workers' 的值无效：0 超出范围：应为 1 到 {_MOST_WORKERS} 之间"),
    (["ingest", "--workers", "-1", "."], ExitCode.USAGE, "'--workers' 的值无效：-1 超出范围：应为 1 到"),
    (["watch", "--workers", "0", "."], ExitCode.USAGE, "0 超出范围：应为 1 到"),
    (["serve", "--workers", "0"], ExitCode.USAGE, "0 超出范围：应为 1 到"),
    # 3000 started 3,000 processes: at most 4 a processor, at least 8
    (["ingest", "--workers", str(_MOST_WORKERS + 1), "."], ExitCode.USAGE,
     f"{_MOST_WORKERS + 1} 超出范围：应为 1 到 {_MOST_WORKERS} 之间的进程数"),
    (["watch", "--workers", "3000", "."], ExitCode.USAGE, f"3000 超出范围：应为 1 到 {_MOST_WORKERS} 之间的进程数"),
    (["serve", "--workers", "3000"], ExitCode.USAGE, f"3000 超出范围：应为 1 到 {_MOST_WORKERS} 之间的进程数"),
    # 0 said 没有符合条件的文档 (exit 3) and -2 packed 7 documents to end in 一次最多打包下载 -2 篇 (exit 1)
    (["export", "--query", "担当", "--zip", "--limit", "0"], ExitCode.USAGE, "0 超出范围：应不小于 1"),
    (["export", "--query", "担当", "--zip", "--limit", "-2"], ExitCode.USAGE, "-2 超出范围：应不小于 1"),
    # 0 said 库是空的 of a library that is not, -1 listed every document (LIMIT -1: no limit on SQLite)
    (["list", "--limit", "0"], ExitCode.USAGE, "0 超出范围：应不小于 1"),
    (["list", "--limit", "-1"], ExitCode.USAGE, "-1 超出范围：应不小于 1"),
    (["audit", "--limit", "0"], ExitCode.USAGE, "错误：'--limit' 的值无效：0 超出范围：应不小于 1\n"),   # 0 and -5 showed one entry
    (["search", "担当", "--limit", "abc"], ExitCode.USAGE, "'abc' 不是有效的整数"),
    # one wording for every number out of range: these said 「0 不在范围 1–1000 之内。」, the others 「超出范围」 (verify30)
    (["search", "担当", "--limit", "0"], ExitCode.USAGE,
     "'--limit' 的值无效：0 超出范围：应为 1 到 100 之间的整数（设置 max_page_size）\n"),
    (["search", "担当", "--limit", "101"], ExitCode.USAGE, "101 超出范围：应为 1 到 100 之间的整数（设置 max_page_size）\n"),
    (["search", "担当", "--page", "0"], ExitCode.USAGE, "错误：'--page' 的值无效：0 超出范围：应为 1 到 1000 之间的整数\n"),
    (["draft", "--genre", "讲话稿", "--candidates", "21"], ExitCode.USAGE,
     "错误：'--candidates' 的值无效：21 超出范围：应为 0 到 20 之间的整数\n"),
    (["search", "担当", "--mode", "fuzzy"], ExitCode.USAGE, "可选：智能（ranked）、精准（precise）"),
    (["export", "1", "--format", "pdf"], ExitCode.USAGE, "不是可选的值"),
    (["search", "担当", "--page"], ExitCode.USAGE, "后面要跟一个值"),
    (["user", "add", "张三", "--role", "boss", "--password", "x" * 8], ExitCode.USAGE, "可选：注册用户（user）"),
    (["user"], ExitCode.USAGE, "命令："),
    (["export"], ExitCode.USAGE, "二选一"),
    (["show", "99"], ExitCode.NOT_FOUND, "没有编号为 99 的文档"),
    (["rm", "99"], ExitCode.NOT_FOUND, "没有编号为 99 的文档"),
    (["hide", "1", "99"], ExitCode.NOT_FOUND, "没有编号为 99 的文档"),
    (["unhide"], ExitCode.USAGE, "缺少参数 '编号...'"),
    (["token", "revoke", "nosuch"], ExitCode.NOT_FOUND, "令牌"),
    (["user", "passwd", "nobody", "--password", "x" * 8], ExitCode.NOT_FOUND, "nobody"),
    (["user", "add", "张三", "--password", "short"], ExitCode.USAGE, "密码至少"),
    (["user", "add", "张三", "--until", "2027-13-45", "--password", "x" * 8], ExitCode.USAGE,
     "“2027-13-45”不是有效的日期，应写作 2027-12-31、2027年12月31日、今天或昨天（本站时区）"),
    (["serve", "--port", "99999"], ExitCode.USAGE, "应为 1 到 65535 之间的端口号"),
    (["sync", "同步", "--since", "2026-13-01"], ExitCode.USAGE,
     "“2026-13-01”不是有效的日期，应写作 2027-12-31、2027年12月31日、今天或昨天（本站时区）"),   # the words of --until's
    (["sync", "同步", "--since", "2026年2月30日"], ExitCode.USAGE, "“2026年2月30日”不是有效的日期"),
    (["export", "--query", "不存在的词语组合啊", "--zip"], ExitCode.NOT_FOUND, "没有符合条件的文档"),
    (["export", "--query", "不存在的词语组合", "--mode", "精准", "--zip"], ExitCode.NOT_FOUND, "没有符合条件的文档"),
    (["export", "1", "-o", "/nonexistent/dir/x.docx"], ExitCode.ERROR, "无法写入"),
    (["check", "/nonexistent/草稿.txt"], ExitCode.USAGE, "文件 '/nonexistent/草稿.txt' 不存在"),
    (["dupes", "split", "99"], ExitCode.NOT_FOUND, "没有编号为 99 的文档"),
    (["dupes", "merge", "1", "1"], ExitCode.ERROR, "至少要有两篇不同的文档"),
    (["dupes", "pick", "1"], ExitCode.ERROR, "文档 1 不属于任何相似版本组"),
])
def test_errors_are_chinese_with_distinct_exit_codes(cli, sample_home, args, status, expected):
    code, output, errors = cli(*args)
    assert code == status, (output, errors)
    assert expected in errors and "Traceback" not in errors
    assert english_words(errors, args) == [], errors


def test_a_year_is_taken_as_a_writer_types_it(cli, home, tmp_path):
    # 「--year 2024年」 was refused: '2024年' 不是有效的整数 (verify31 noticed)
    write(tmp_path / "in", "a.txt", "某县2024年度工作总结\n一、主要工作\n坚持问题导向，担当作为。\n")
    write(tmp_path / "in", "b.txt", "某县2023年度工作总结\n一、主要工作\n坚持问题导向，担当作为，狠抓落实。\n")
    assert cli("ingest", str(tmp_path / "in"))[0] == 0
    for written in ("2024", "2024年", "２０２４年", " 2024年 "):
        code, output, errors = cli("search", "担当", "--json", "--year", written)
        assert code == 0 and [hit["title"] for hit in json.loads(output)["hits"]] == ["某县2024年度工作总结"], errors


@pytest.mark.parametrize("args", [("search", "问题导向"), ("list",), ("list", "--json"), ("show", "1"),
                                  ("show", "1", "--json"), ("stats",), ("genres",), ("dupes",),
                                  ("export", "1", "--format", "md", "-o", "/dev/stdout"),   # review 17: 系统错误 32
                                  ("--help",), ("--version",), ("dupes", "--help")])   # click's exit status 1 (F20)
def test_output_closed_early_ends_quietly_as_by_sigpipe(sample_home, args):
    """``sucai … | head``: the reader is gone (here before sucai writes a byte, so it happens whatever the
    output's size); sucai says nothing and ends as standard tools do, killed by SIGPIPE (the shell's 141)."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        result = subprocess.run([sys.executable, "-m", "sucai", *args], stdout=writer, stderr=subprocess.PIPE,
                                text=True, env={**os.environ, "SUCAI_HOME": str(sample_home)})
    finally:
        os.close(writer)
    assert (result.returncode, result.stderr) == (-signal.SIGPIPE, "")


def test_a_broken_pipe_that_is_not_the_output_stays_an_error(cli, empty_library, monkeypatch):
    """A broken pipe to something else (a worker process that died) while the output is open is an error said in
    Chinese (exit status 1), not taken for ``| head``."""
    def broken(*args, **kwargs):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(Library, "summaries", broken)
    status, _, errors = cli("list")
    assert status == ExitCode.ERROR and "连接意外中断" in errors


def test_show_prints_the_outline_as_the_web_does(cli, home, tmp_path):
    """``sucai show``'s 提纲 and the document page's are one rendering (:attr:`OutlineNode.title`): a spaced-out
    chapter 「第一章　总　则」 is 「第一章 总则」 in both, an article its label with its opening words."""
    from fastapi.testclient import TestClient
    from sucai.web import create_app

    write(tmp_path / "in", "law.txt", "中华人民共和国某某法\n第一章　总　则\n第一条　为了规范管理，制定本法。\n"
                                      "第二章　附　　则\n第二条　本法自公布之日起施行。\n")
    assert cli("ingest", str(tmp_path / "in"))[0] == ExitCode.OK
    status, output, _ = cli("show", "1")
    outline = output.split("提纲\n", 1)[1].split("\n\n", 1)[0]
    assert [line.strip() for line in outline.splitlines()] == [
        "第一章 总则", "第一条  为了规范管理", "第二章 附则", "第二条  本法自公布之日起施行"]
    page = TestClient(create_app(home)).get("/documents/1").text
    entries = re.findall(r'<span class="entry">([^<]*)</span>(?: <span class="summary">([^<]*)</span>)?', page)
    assert entries == [("第一章 总则", ""), ("第一条", "为了规范管理"), ("第二章 附则", ""), ("第二条", "本法自公布之日起施行")]


def test_rm_names_the_document_it_removed(cli, home, tmp_path):
    """New-user try 29: 「已删除文档 5」 did not say which; a mistyped 编号 went unseen."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("关于开展档案清查的通知\n各单位：现将档案清查有关事项通知如下。\n", encoding="utf-8")
    assert cli("ingest", str(tmp_path / "in"))[0] == ExitCode.OK
    assert cli("rm", "1")[:2] == (ExitCode.OK, "已删除文档 1：关于开展档案清查的通知\n")
    assert cli("show", "1")[0] == ExitCode.NOT_FOUND


def test_hide_and_unhide_as_the_admin_page_does(cli, home, tmp_path):
    """``sucai hide`` takes documents out of lists, searches and reading (an admin still reads them), ``unhide`` puts
    them back; a 编号 no document has changes none of the others. ``list --hidden`` lists the hidden ones alone, for
    their 编号 (fix23: an operator who hid one could not find it to show it again)."""
    write(tmp_path / "in", "a.txt", "关于开展档案清查的通知\n各单位：现将档案清查有关事项通知如下，请认真落实。\n")
    write(tmp_path / "in", "b.txt", "关于开展安全生产检查的通知\n各乡镇：为消除事故隐患，定于下月对辖区企业开展安全生产检查。\n")
    assert cli("ingest", str(tmp_path / "in"))[0] == ExitCode.OK
    ids = {row["title"]: row["id"] for row in json.loads(cli("list", "--json")[1])}   # numbered as the workers finish
    a, b = ids["关于开展档案清查的通知"], ids["关于开展安全生产检查的通知"]

    def listed(*options: str) -> list[int]:
        return sorted(row["id"] for row in json.loads(cli("list", "--json", *options)[1]))

    def found() -> list[int]:
        return sorted(hit["id"] for hit in json.loads(cli("search", "通知", "--mode", "精准", "--json")[1])["hits"])

    assert listed() == found() == [1, 2] and listed("--hidden") == []
    assert cli("list", "--hidden") == (ExitCode.OK, "", "没有隐藏的文档\n")
    assert cli("hide", str(b), "9")[0] == ExitCode.NOT_FOUND and listed() == [1, 2]   # nothing hidden
    assert cli("hide", str(b), str(b)) == (ExitCode.OK, f"已隐藏文档 {b}：关于开展安全生产检查的通知\n", "")
    assert listed() == found() == [a] and cli("show", str(b))[0] == ExitCode.NOT_FOUND
    assert listed("--hidden") == listed("--hidden", "--free") == [b] and listed("--hidden", "--limit", "1") == [b]
    table = cli("list", "--hidden")[1]
    assert f"│ {b}" in table and "关于开展安全生产检查的通知" in table and "档案清查" not in table
    assert Library.open(home).get(b, include_hidden=True).hidden
    assert cli("hide", str(b))[1] == f"文档 {b} 本来就是隐藏的：关于开展安全生产检查的通知\n"
    assert cli("unhide", str(b), str(a))[:2] == (ExitCode.OK, f"已恢复显示文档 {b}：关于开展安全生产检查的通知\n"
                                                              f"文档 {a} 本来就没有隐藏：关于开展档案清查的通知\n")
    assert listed() == found() == [1, 2] and listed("--hidden") == []


def test_a_token_past_the_most_an_account_holds_is_an_error_not_bad_usage(cli, home):
    """Exit 2 is bad usage — a value typed that is refused —; an account holding all its API tokens in use is no
    mistake in the command: exit 1, as the other limits of what an account holds."""
    accounts = Accounts.from_settings(load_settings(home))
    accounts.add_user("张三", "correct-horse-9")
    for n in range(MAX_TOKENS):
        accounts.create_token("张三", f"令牌{n}")
    accounts.close()
    status, _, said = cli("token", "create", "张三", "--label", "多一个")
    assert (status, said) == (ExitCode.ERROR, f"错误：最多 {MAX_TOKENS} 个 API 令牌，请先吊销不用的令牌\n")


def test_errors_in_chinese_whatever_the_locale(sample_home):
    result = sucai(sample_home, "serach", env={"LANG": "en_US.UTF-8", "LANGUAGE": "en", "LC_ALL": "C.UTF-8"})
    assert result.returncode == ExitCode.USAGE and "没有命令 'serach'" in result.stderr
    # new-user try 29: in a new process (the commands not imported yet, as a user's) click suggested nothing
    assert "是不是想用 'search'？" in result.stderr
    assert english_words(result.stderr, ("serach",)) == []


def test_bad_settings_and_home_are_errors(tmp_path):
    file = tmp_path / "file"
    file.write_text("x")
    result = sucai(file, "list")
    assert (result.returncode, result.stderr) == (ExitCode.ERROR, f"错误：数据目录 {file} 不可用：这是一个文件，不是文件夹\n")
    # a file on the way to it, bad settings: said by ingest, which makes a data directory (list finds no library)
    result = sucai(file / "库", "ingest", str(tmp_path))
    assert (result.returncode, result.stderr) == (ExitCode.ERROR, f"错误：数据目录 {file / '库'} 不可用：路径中有一项不是文件夹\n")
    result = sucai(tmp_path / "h", "ingest", str(file), env={"SUCAI_SNIPPET_CHARS": "-5"})
    assert result.returncode == ExitCode.ERROR and "snippet_chars" in result.stderr
    assert english_words(result.stderr) == []


def test_tables_are_chinese_and_do_not_wrap_when_piped(home, tmp_path):
    long_title = "关于进一步加强和改进新时代基层党组织建设推动全面从严治党向纵深发展的实施意见（征求意见稿）"
    folder = tmp_path / "材料" / "二〇二四年" / "第一季度上报的全部文件"
    write(folder, "a.txt", f"{long_title}\n一、总体要求\n坚持问题导向。\n")
    write(folder, "b.txt", f"{long_title}\n一、总体要求\n坚持问题导向。\n")  # a duplicate: listed in the end table
    (folder / "损坏的文件.docx").write_bytes(b"PK\x03\x04 not really a zip")
    ingested = sucai(home, "ingest", str(tmp_path / "材料"))
    assert ingested.returncode == ExitCode.PARTIAL
    lines = ingested.stdout.splitlines()
    assert any(f"在 {tmp_path / '材料'} 之下" in line for line in lines)
    for name in ("二〇二四年/第一季度上报的全部文件/b.txt", "二〇二四年/第一季度上报的全部文件/损坏的文件.docx"):
        [row] = [line for line in lines if name in line]
        assert str(tmp_path) not in row  # relative, on one line
    outputs = [ingested.stdout]
    assert sucai(home, "user", "add", "张三", "--password", "zhangsan-pass-1").returncode == 0
    assert sucai(home, "token", "create", "张三", "--label", "脚本").returncode == 0
    for args in (["list"], ["stats"], ["search", "问题导向"], ["show", "1"], ["audit"], ["user", "list"],
                 ["token", "list", "张三"]):
        result = sucai(home, *args)
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout + result.stderr)
    listed = outputs[1]
    assert any(long_title in line and "│" in line for line in listed.splitlines())  # the whole title on its row
    for output in outputs:
        assert english_words(output) == [], output
        assert "no text layer" not in output


def test_ingest_report_is_chinese(home, tmp_path):
    pdf_folder = tmp_path / "scans" / "county-offices-2024-first-quarter-uploads"  # wider than the console
    pdf_folder.mkdir(parents=True)
    blank = docx_bytes(new_document())  # a Word file without text: skipped, with a Chinese reason
    (pdf_folder / "空白.docx").write_bytes(blank)
    result = sucai(home, "ingest", str(pdf_folder))
    assert result.returncode == ExitCode.NOTHING
    assert any(f"在 {pdf_folder} 之下" in line for line in result.stdout.splitlines())  # the folder is never cut
    assert english_words(result.stdout + result.stderr) == [], result.stdout + result.stderr


def test_ingest_report_names_paths_as_typed_through_a_link(home, tmp_path, monkeypatch):
    """season28: ``sucai ingest shared/corpus samples``, ``shared`` a link to a folder elsewhere, named the files
    from ``/`` (the common folder of the links' targets): the folder is the one the user typed them in, links not
    followed; a ``..`` after a link is the folder above its target, as the system reads it."""
    work, elsewhere = tmp_path / "work", tmp_path / "elsewhere" / "共享"
    for folder in (elsewhere / "corpus", work / "samples"):
        folder.mkdir(parents=True)
        (folder / "坏.docx").write_bytes(b"not a word file")
    (work / "shared").symlink_to(elsewhere)
    (work / "corpus").symlink_to(elsewhere / "corpus")
    (elsewhere / "上级.docx").write_bytes(b"not a word file")
    monkeypatch.chdir(work)

    def named(*paths: str) -> tuple[str, list[str]]:
        printed = sucai(home, "ingest", *paths).stdout
        title = next(line for line in printed.splitlines() if line.startswith("需要留意的文件"))
        return title, sorted(line.split("│")[1].strip() for line in printed.splitlines() if line.count("│") == 4)

    assert named("shared/corpus", "samples") == (f"需要留意的文件（在 {work} 之下）",
                                                 ["samples/坏.docx", "shared/corpus/坏.docx"])
    # corpus/.. is the folder above the link's target (共享), not work: 上级.docx is there
    assert named("corpus/../上级.docx") == (f"需要留意的文件（在 {elsewhere} 之下）", ["上级.docx"])


# -- exit codes of ingest ---------------------------------------------------------------------------


def test_a_relative_path_is_stored_absolute(home, tmp_path, monkeypatch):
    """``sucai ingest ./材料`` stores where the file is, not where it was seen from: ``show`` from another
    folder names it, and ingesting it again by its absolute path finds it 未变化."""
    write(tmp_path / "work" / "材料", "a.txt")
    monkeypatch.chdir(tmp_path / "work")
    assert sucai(home, "ingest", "./材料/../材料").returncode == ExitCode.OK
    monkeypatch.chdir(tmp_path)
    shown = json.loads(sucai(home, "show", "1", "--json").stdout)
    assert shown["source_path"] == str(tmp_path / "work" / "材料" / "a.txt")
    again = json.loads(sucai(home, "ingest", str(tmp_path / "work" / "材料"), "--json").stdout)
    assert [o["status"] for o in again["files"]] == ["unchanged"]
    # review 17: `link/../b.txt` is the b.txt beside the link's target, as `cat` reads it — not work/b.txt
    write(tmp_path / "real" / "sub", "x.txt")
    (tmp_path / "real" / "b.txt").write_text("关于甲文件的通知\n请认真贯彻落实。\n", encoding="utf-8")
    (tmp_path / "work" / "b.txt").write_text("关于乙文件的通知\n请认真贯彻落实。\n", encoding="utf-8")
    (tmp_path / "work" / "link").symlink_to(tmp_path / "real" / "sub")
    monkeypatch.chdir(tmp_path / "work")
    linked = json.loads(sucai(home, "ingest", "link/../b.txt", "--json").stdout)["files"]
    assert [(o["path"], o["title"]) for o in linked] == [(str(tmp_path / "real" / "b.txt"), "关于甲文件的通知")]


def test_ingest_exit_codes(cli, tmp_path):
    good = tmp_path / "good"
    write(good, "a.txt")
    bad = tmp_path / "bad"
    (bad / "sub").mkdir(parents=True)
    (bad / "sub" / "x.docx").write_bytes(b"not a word file")
    mixed = tmp_path / "mixed"
    write(mixed, "b.txt", "另一篇材料\n坚持稳中求进工作总基调。\n")
    (mixed / "y.docx").write_bytes(b"not a word file")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli("ingest", str(good))[0] == ExitCode.OK
    assert cli("ingest", str(good))[0] == ExitCode.OK  # nothing new: all unchanged
    assert cli("ingest", str(bad))[0] == ExitCode.NOTHING
    assert cli("ingest", str(mixed))[0] == ExitCode.PARTIAL
    status, _, errors = cli("ingest", str(empty))
    assert status == ExitCode.NOTHING and "没有找到可入库的文件" in errors
    status, _, errors = cli("ingest", str(good), str(tmp_path / "nowhere"))
    assert status == ExitCode.NO_SUCH_PATH and "路径不存在" in errors
    status, output, _ = cli("ingest", str(tmp_path / "nowhere"), "--json")
    assert status == ExitCode.NO_SUCH_PATH and json.loads(output)["counts"]["skipped"] == 1


def test_the_password_prompts_end_in_a_full_width_colon(home):
    """``user add`` without ``--password`` asks for it twice, each prompt closed by 「：」 as Chinese writes it."""
    added = subprocess.run([sys.executable, "-m", "sucai", "user", "add", "张三"], input="zhangsan-pass-1\n" * 2,
                           capture_output=True, text=True, env={**os.environ, "SUCAI_HOME": str(home)})
    assert added.returncode == ExitCode.OK, added.stderr
    assert added.stdout.startswith("密码：再次输入密码：") and ": " not in added.stdout, added.stdout


@pytest.mark.parametrize("given", ["", "zhangsan-pass-1\n"])
def test_a_password_not_given_without_a_terminal_says_how_to_give_it(home, given):
    """``user add`` with its standard input at an end (``< /dev/null``, a script; or one line of the two) said
    「已取消。」, exit 1, as if the user had cancelled: it says how to give the password without a terminal (exit 2,
    a usage error), and adds no one."""
    env = {**os.environ, "SUCAI_HOME": str(home)}
    added = subprocess.run([sys.executable, "-m", "sucai", "user", "add", "张三"], input=given, capture_output=True,
                           text=True, env=env)
    assert added.returncode == ExitCode.USAGE and "已取消" not in added.stderr
    assert added.stderr.startswith("错误：没有读到密码") and "请用 --password 密码 给出" in added.stderr, added.stderr
    listed = subprocess.run([sys.executable, "-m", "sucai", "user", "list", "--json"], capture_output=True, text=True,
                            env=env)
    assert json.loads(listed.stdout) == []


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="没有伪终端")
@pytest.mark.parametrize("key, status, said", [("\x03", ExitCode.INTERRUPTED, "已中断。\n"),
                                               ("\x04", ExitCode.ERROR, "已取消。\n")], ids=["Ctrl+C", "Ctrl+D"])
def test_ctrl_c_at_the_password_prompt_is_an_interrupt(home, key, status, said):
    """Ctrl+C at ``user add``'s password prompt on a terminal said 「已取消。」 and exited 1 (click raises its Abort
    ``from None`` there): an interrupted command exits 130 with its line, as the README's exit-code table says;
    Ctrl+D (the end of the input) stays a cancel. The terminal is a pseudo-terminal, the command's controlling one:
    the key is typed once the prompt waits for it (getpass writes the prompt there once the echo is off)."""
    import fcntl
    import termios

    terminal, command_side = os.openpty()
    added = subprocess.Popen([sys.executable, "-m", "sucai", "user", "add", "张三"], stdin=command_side,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
                             preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
                             env={**os.environ, "SUCAI_HOME": str(home)})
    os.close(command_side)
    try:
        shown = b""
        while not shown.endswith("密码：".encode()):   # written by getpass, once it has turned the echo off
            shown += os.read(terminal, 64)
        os.write(terminal, key.encode())
        _, errors = added.communicate(timeout=60)
    finally:
        added.kill()
        os.close(terminal)
    assert (added.returncode, errors) == (status, said)


_STAND_IN = """#!{python}
import os, signal, sys, time
stopped = {stopped}   # its exit status once interrupted; None: killed by SIGINT, as Python ends on a KeyboardInterrupt
try:
    print("开始", os.environ.get("TMPDIR", ""), flush=True)
    time.sleep(60)
except KeyboardInterrupt:
    print("已停止。", file=sys.stderr, flush=True)
    if stopped is None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    sys.exit(stopped)
"""


def _make_environment() -> dict[str, str]:
    """The environment of a `make` a test runs: this one's without what a `make` running the tests passes down
    (MAKELEVEL, MAKEFLAGS…: `make test` in CI), so the test's make is a top-level one, as a user's, and without the
    TMPDIR of the tests' own run (`make test` in CI: it exists until that run ends), so the one the stand-in names is
    the test-run target's own or none."""
    return {name: value for name, value in os.environ.items()
            if name not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES", "TMPDIR")}


@pytest.mark.skipif(shutil.which("make") is None, reason="没有 make")
@pytest.mark.parametrize("target, program, stopped, quiet", [
    ("demo", "sucai", ExitCode.INTERRUPTED, True), ("demo", "sucai", 3, False),
    ("test", "python", 2, True), ("test", "python", 3, False),   # pytest's 2: interrupted
    ("test-sqlite", "python", 2, True)])   # (`make bench`, whose Python dies by the SIGINT: make itself said, 1 run
# in 5, 「make: *** wait: 没有子进程。 停止。」 — make's own race on the signal, left out)
def test_make_stopped_by_ctrl_c_ends_with_the_command_s_line_alone(tmp_path, target, program, stopped, quiet):
    """`make demo`, `make test`, `make bench` stopped by Ctrl+C (SIGINT to the terminal's process group: make, its
    shells, the command) ended with make's English 「make: *** [Makefile:13: demo] Error 130」 (「Interrupt」, twice
    for `make test`, which also left its temporary directory) after the command's own line: the status by which the
    command says it was interrupted (sucai's 130, pytest's 2, a Python killed by SIGINT) ends the target quietly;
    another status still fails it, as make says. The command here is a stand-in (in BIN, the .venv taken as made)
    that stops as the real one does."""
    (tmp_path / program).write_text(_STAND_IN.format(python=sys.executable, stopped=stopped and int(stopped)),
                                    encoding="utf-8")
    (tmp_path / program).chmod(0o755)
    for _ in range(3):   # make's own race on the signal (「make: *** wait: 没有子进程。 停止。」, seen under load): again
        started, said = _make_stopped(tmp_path, target)
        if not any(race in said for race in _MAKE_RACE):
            break
    assert said == "已停止。\n" if quiet else said.startswith("已停止。\nmake"), said
    temporary = started.split()[1:]   # pytest's (TMPDIR), removed whatever its end
    assert not temporary or not Path(temporary[0]).exists()


_MAKE_RACE = ("wait: 没有子进程", "wait: No child processes")   # make's own race on a SIGINT, in its locale's words


def _make_stopped(tmp_path: Path, target: str) -> tuple[str, str]:
    """Run ``make target`` with the stand-in in ``tmp_path``, send its process group a SIGINT once the command has
    started; the line the command started with and what make and the command said on stderr."""
    root = Path(__file__).resolve().parents[1]
    made = ["-o", ".venv/.installed", "-o", ".venv/.installed-test", "-o", "system-packages"]
    make = subprocess.Popen(["make", "-s", "-C", str(root), *made, target, f"BIN={tmp_path}"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL), env=_make_environment())
    try:
        started = next(line for line in make.stdout if line.startswith("开始"))
        os.killpg(make.pid, signal.SIGINT)
        _, said = make.communicate(timeout=60)
    finally:
        make.kill()
    return started, said


@pytest.mark.skipif(shutil.which("make") is None, reason="没有 make")
def test_make_test_not_stopped_fails_on_pytest_s_2(tmp_path):
    """pytest's 2 is an interrupted run only after a Ctrl+C: without one it is an error (a test module that does
    not import, 「Interrupted: 1 error during collection」), and `make test` fails, as make says."""
    (tmp_path / "python").write_text(f"#!{sys.executable}\nimport sys\nsys.exit(2)\n", encoding="utf-8")
    (tmp_path / "python").chmod(0o755)
    root = Path(__file__).resolve().parents[1]
    made = subprocess.run(["make", "-s", "-C", str(root), "-o", ".venv/.installed-test", "-o", "system-packages",
                           "test", f"BIN={tmp_path}"], capture_output=True, text=True, timeout=60,
                          env=_make_environment())
    assert made.returncode == 2 and "pytest: exit 2" in made.stdout and "make: ***" in made.stderr, made


_LONG_TESTS = """import pathlib, time


def test_done():
    pass


def test_long():
    pathlib.Path({started!r}).touch()
    time.sleep(60)
"""


def test_pytest_stopped_by_ctrl_c_says_so_in_chinese(tmp_path):
    """ops27: a test run stopped by Ctrl+C ended with pytest's English 「!!! KeyboardInterrupt !!!」, the line it was at
    and 「(to show a full traceback on KeyboardInterrupt use --full-trace)」. The suite's plugin (tests/interrupted.py,
    whose hook tests/conftest.py takes) says 「测试已中断（Ctrl+C）」 in their place, before the count of the tests run;
    the status is still pytest's 2 (what `make test` takes for a run stopped)."""
    started = tmp_path / "started"
    (tmp_path / "test_long.py").write_text(_LONG_TESTS.format(started=str(started)), encoding="utf-8")
    path = os.pathsep.join(filter(None, [str(Path(__file__).parent), os.environ.get("PYTHONPATH")]))
    run = subprocess.Popen([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "interrupted",
                            "test_long.py"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           env={**os.environ, "PYTHONPATH": path}, start_new_session=True,
                           preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 120   # ends a hang only
        while not started.exists() and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(run.pid, signal.SIGINT)
        said, _ = run.communicate(timeout=60)
    finally:
        run.kill()
    lines = said.splitlines()
    assert run.returncode == 2 and "KeyboardInterrupt" not in said, said
    assert re.fullmatch(r"!+ 测试已中断（Ctrl\+C） !+", lines[-2]) and re.fullmatch(r"1 passed in [\d.]+s", lines[-1]), said


def test_the_end_table_on_80_columns_wraps_between_file_types(cli, tmp_path, monkeypatch):
    """An unsupported file's reason lists the types read; on an 80-column terminal the end table wraps it between
    two types, never inside one (「.p│df」 was a type no one could read)."""
    from sucai.cli.common import out
    from sucai.readers import SUPPORTED_SUFFIXES

    write(tmp_path / "in", "说明.xyz", "一段说明文字。\n")
    monkeypatch.setattr(out, "width", 80)
    status, output, _ = cli("ingest", str(tmp_path / "in"))
    table = [line for line in output.splitlines() if line[:1] in "┏┃┡│└"]   # not the title naming the folder (CI's is long)
    assert status == ExitCode.NOTHING and table and max(map(len, table)) <= 80, output
    cells = "".join(re.findall(r"│([^│]*)│\s*$", output, re.MULTILINE))   # the 原因 column, line by line
    assert sorted(re.findall(r"\.[a-z]+", cells)) == sorted([".xyz", *SUPPORTED_SUFFIXES]), output


def test_ingest_interrupted_says_what_was_done(cli, tmp_path, monkeypatch):
    write(tmp_path / "in", "a.txt")

    def interrupted(self, paths, progress=None, workers=None, source=None, retry_failed=False, stop_parsers=False,
                    reread=False):
        progress(IngestProgress(3, 10, {"ingested": 2, "duplicate": 0, "unchanged": 0, "skipped": 1, "failed": 0}, "x.txt"))
        raise KeyboardInterrupt

    monkeypatch.setattr(Library, "ingest", interrupted)
    status, _, errors = cli("ingest", str(tmp_path / "in"))
    assert status == ExitCode.INTERRUPTED
    assert "已中断：处理了 3/10 个文件（已入库 2，重复 0，未变化 0，跳过 1，失败 0）" in errors
    assert "再次运行即可继续" in errors


def test_an_ingest_killed_leaves_nothing_english_on_the_terminal(home, tmp_path):
    """Ops 23: after ``kill -9`` of an ingest, multiprocessing's resource tracker (which shares the command's standard
    error) removed the semaphores of its parse workers and said so in English: "UserWarning: resource_tracker: There
    appear to be 2 leaked semaphore objects to clean up at shutdown"."""
    for number in range(40):
        write(tmp_path / "in", f"{number:02d}.txt", SAMPLE_TEXT * 40 + f"第{number}号\n")
    ingest = subprocess.Popen([sys.executable, "-m", "sucai", "ingest", str(tmp_path / "in")], text=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "SUCAI_HOME": str(home)})
    deadline, workers = time.monotonic() + 120, []
    while not workers and time.monotonic() < deadline and ingest.poll() is None:   # its workers' pool made
        time.sleep(0.1)
        with contextlib.suppress(psutil.Error):
            workers = [p for p in psutil.Process(ingest.pid).children(recursive=True)
                       if p.parent() and p.parent().pid != ingest.pid]   # forked by its fork server
    assert workers and ingest.poll() is None, "the ingest did not start its workers"
    ingest.kill()
    _, said = ingest.communicate(timeout=60)   # to the end: the tracker and the workers, which share it, ended
    assert english_words(said) == [], said


@pytest.mark.parametrize("error, said, hidden", [
    (RuntimeError("(psycopg.DataError) text fields cannot contain NUL\n[SQL: SELECT secret FROM users]"),
     "内部错误：RuntimeError: (psycopg.DataError) text fields cannot contain NUL", "SELECT"),
    # attack 19b: the last line of defence printed a library's words as they were — a file name or a scraped title in
    # them (\x1b]0;…\x07, U+202E) reached the terminal whole, as no other line of sucai does
    (OSError("cannot map '/in/\x1b]0;已被接管\x07\x1b[2J坏\u202efdp.exe'"),
     "内部错误：OSError: cannot map '/in/\ufffd]0;已被接管\ufffd\ufffd[2J坏\ufffdfdp.exe'", "\x1b"),
])
def test_an_unexpected_error_is_one_harmless_line(cli, empty_library, monkeypatch, error, said, hidden):
    def broken(self, **options):
        raise error

    monkeypatch.setattr(Library, "stats", broken)
    status, out, errors = cli("stats")
    assert status == ExitCode.ERROR
    assert said in errors and "SUCAI_DEBUG=1" in errors
    assert hidden not in errors and "Traceback" not in errors


def test_stop_signal_is_an_interrupt():
    from sucai.cli import _interrupt

    with pytest.raises(KeyboardInterrupt):
        _interrupt(15, None)


# A command of the test (registered on `sucai` in the child process) that Ctrl+C interrupts in a weakref callback,
# where Python ignores the KeyboardInterrupt ("Exception ignored in …": the command went on). Its work after that is
# a bounded wait: interrupted, it never prints its last line.
_INTERRUPTED_IN_CALLBACK = """
import os, signal, sys, time, weakref
from sucai.cli import app, main

def interrupt():
    os.kill(os.getpid(), signal.SIGINT)
    return [n for n in range(1000)]   # bytecode to run: Python raises the KeyboardInterrupt in here

@app.command("stop")
def stop():
    held = type("Held", (), {})()
    reference = weakref.ref(held, lambda _: interrupt())   # its callback runs as held goes
    del held
    for _ in range(6000):
        time.sleep(0.01)
    print("没有中断")

sys.argv = ["sucai", "stop"]
main()
"""

# The command line being loaded (a finder asked for sucai.cli.common) when Ctrl+C comes.
_INTERRUPTED_LOADING = """
import os, runpy, signal, sys

class Interrupting:
    def find_spec(self, name, path=None, target=None):
        if name == "sucai.cli.common":
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, Interrupting())
sys.argv = ["sucai", "--help"]
runpy.run_module("sucai", run_name="__main__")
"""


# A command of the test that is done, and then meets Ctrl+C after Ctrl+C: another thread signals the process every
# millisecond from the moment ``sucai`` exits with the command's status (``sys.exit``, after standard output is
# flushed; a wait there lets the first signals land) until the process is gone.
_INTERRUPTED_WHEN_DONE = """
import os, signal, sys, threading, time
from sucai.cli import main

exiting = threading.Event()

def storm():
    exiting.wait()
    while True:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.001)

def exit_slowly(status):
    exiting.set()
    time.sleep(0.2)
    real_exit(status)

threading.Thread(target=storm, daemon=True).start()
real_exit, sys.exit = sys.exit, exit_slowly
sys.argv = ["sucai", "--version"]
main()
"""


def test_ctrl_c_after_a_command_is_done_keeps_its_status():
    """An ingest stopped by Ctrl+C just as it ended exited -2 (killed by SIGINT), without a word, once in a while
    (seen in CI): the KeyboardInterrupt came after the command, where nothing handles it, or after the interpreter
    had given SIGINT back to the system's default. A command done ends with its own status (0 here), whatever
    Ctrl+C comes then."""
    result = subprocess.run([sys.executable, "-c", _INTERRUPTED_WHEN_DONE], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stderr == "", (result.returncode, result.stderr)
    assert result.stdout.startswith("sucai")


@pytest.mark.parametrize("command, module, said", [
    (["ingest", "收文"], "sucai.library", "已中断；已完成的部分都已保存，再次运行即可继续。"),
    (["sync", "同步", "--since", "2026-12-01"], "sucai.library", "已中断；已完成的部分都已保存，再次运行即可继续。"),
    (["check", "收文/通知.txt"], "sucai.library", "已中断。"),
    (["search", "防汛"], "sucai.library", "已中断。"),
    (["backup", "备份"], "sucai.backup", "已中断。"),
])
def test_an_interrupted_command_says_it_kept_its_work_only_when_it_did(empty_library, tmp_path, command, module,
                                                                       said):
    """Ctrl+C as a command starts its work (held at its import of ``module`` by an audit hook in a ``sitecustomize``
    until the test's SIGINT comes): an ingest or a sync, which keep what they did and go on from there, say so; a
    search, a 查重 or a backup said the same "已完成的部分都已保存，再次运行即可继续", which they have nothing of — they
    say they stopped."""
    write(tmp_path / "收文", "通知.txt", "关于做好防汛工作的通知\n各单位要认真做好今年的防汛工作。\n")
    held = tmp_path / "held"
    (tmp_path / "site" / "sitecustomize.py").parent.mkdir()
    (tmp_path / "site" / "sitecustomize.py").write_text(
        "import sys, time\n"
        "def hold(event, args):\n"
        f"    if event == 'import' and args[0] == {module!r}:\n"
        f"        open({str(held)!r}, 'w').close()\n"
        "        time.sleep(60)\n"
        "sys.addaudithook(hold)\n", encoding="utf-8")
    path = os.pathsep.join(filter(None, [str(tmp_path / "site"), os.environ.get("PYTHONPATH")]))
    started = subprocess.Popen([sys.executable, "-m", "sucai", *command], cwd=tmp_path, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**os.environ, "SUCAI_HOME": str(empty_library), "PYTHONPATH": path})
    try:
        deadline = time.monotonic() + 120
        while not held.exists() and started.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert held.exists(), started.communicate()
        started.send_signal(signal.SIGINT)
        _, errors = started.communicate(timeout=50)   # before the hook's hold would have ended
    finally:
        started.kill()
    assert started.returncode == ExitCode.INTERRUPTED
    assert errors.strip().splitlines()[-1] == said, errors


@pytest.mark.parametrize("code, said", [(_INTERRUPTED_IN_CALLBACK, "已中断。"),
                                         (_INTERRUPTED_LOADING, "已中断。")],
                         ids=["in a weakref callback", "while loading"])
def test_ctrl_c_anywhere_is_one_chinese_line_and_130(code, said):
    """Ctrl+C as an ingest or a watch starts (a loop of runs, each signalled 0.1–2 s in) met Python where it
    mishandles a KeyboardInterrupt: the command line's imports (a traceback), a weakref callback of the import lock
    (the interrupt was lost: the ingest went on to the end, exit 5). Each is reproduced here at its place: the
    command ends with its Chinese line and 130, nothing else."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == ExitCode.INTERRUPTED, (result.returncode, result.stderr)
    assert said in result.stderr and "没有中断" not in result.stdout
    assert not re.search(r"Traceback|Exception ignored|KeyboardInterrupt", result.stderr), result.stderr
    assert english_words(result.stderr) == []


# -- progress without a terminal -------------------------------------------------------------------


def test_progress_lines_when_piped(home, tmp_path):
    folder = tmp_path / "in"
    for number in range(20):  # more than ingest parses in this process: worker processes are used
        write(folder, f"{number:02d}.txt", f"第{number}号材料\n一、总体要求\n第{number}条意见。\n")
    write(folder, "dup.txt", "第3号材料\n一、总体要求\n第3条意见。\n")
    result = sucai(home, "ingest", str(folder), env={"SUCAI_PROGRESS_SECONDS": "0"})
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("入库进度")]
    files = [line for line in lines if "当前：" in line]
    assert [int(re.match(r"入库进度 (\d+)/21：", line).group(1)) for line in files] == list(range(1, 22))
    assert all("已用 " in line and "剩余" in line for line in lines)
    assert "已入库 20，重复 1，未变化 0，跳过 0，失败 0" in files[-1]
    assert lines[-1].endswith("正在更新检索索引 20/20")  # the index sync reports its progress too
    assert "当前：dup.txt" in result.stderr   # relative to the folder ingested
    again = sucai(home, "ingest", str(folder))  # default: a line at the start and one at the end
    progress = [line for line in again.stderr.splitlines() if line.startswith("入库进度")]
    assert progress[0].startswith("入库进度 1/21：") and progress[-1].startswith("入库进度 21/21：")
    assert "未变化 21" in progress[-1]


def test_the_current_file_is_shown_relative_to_the_folder_ingested(home, tmp_path):
    """New-user try 14: 当前： showed a top-level file with the ingested folder's name ("收文/通知.txt") and a file of a
    subfolder with its subfolder only ("县局/请示.txt"). Both are now relative to the folder ingested, as the end
    table shows them."""
    folder = tmp_path / "收文"
    write(folder, "通知.txt", "关于做好防汛工作的通知\n各单位要认真做好今年的防汛工作。\n")
    write(folder / "县局" / "二季度", "请示.txt", "关于拨付防汛经费的请示\n请予批准。\n")
    result = sucai(home, "ingest", str(folder), env={"SUCAI_PROGRESS_SECONDS": "0"})
    assert result.returncode == 0, result.stderr
    current = {line.rsplit("当前：", 1)[1] for line in result.stderr.splitlines() if "当前：" in line}
    assert current == {"通知.txt", str(Path("县局") / "二季度" / "请示.txt")}, result.stderr


def test_progress_names_the_file_being_read_and_its_page():
    """While the batch waits for a scan's OCR, the line named the file done before it (review 14): it names the
    file being read and the page of its OCR, on a terminal and without one."""
    from io import StringIO

    from rich.console import Console

    from sucai.cli.progress import IngestDisplay

    waiting = IngestProgress(3, 10, {"ingested": 3}, reading="/data/扫描/会议纪要.pdf", page=(3, 25))
    for terminal in (False, True):
        console = Console(file=StringIO(), force_terminal=terminal, width=200)
        with IngestDisplay(console, every=0, shown_path=lambda path: str(Path(path).relative_to("/data"))) as display:
            display(IngestProgress(3, 10, {"ingested": 3}, path="/data/材料/通知.txt"))
            display(waiting)
            shown = display._live.status if terminal else console.file.getvalue().splitlines()[-1]
        assert shown.endswith("正在读取：扫描/会议纪要.pdf 第 3/25 页"), shown
        display(IngestProgress(3, 10, {"ingested": 3}, reading="/data/扫描/会议纪要.pdf"))   # not begun its OCR yet
        assert (display._live.status if terminal else console.file.getvalue().splitlines()[-1]).endswith(
            "正在读取：扫描/会议纪要.pdf")


def test_a_changed_free_preview_is_said_once_on_stderr_and_json_stays_json(home, tmp_path, cli):
    """The first command after ``free_preview_chars`` changed paused seconds without a word while every document's
    visitor metadata was made again (``Library``: ``describe_free``). It says so on stderr, once, naming the setting
    and how many documents (those the preview gives a members part: 2 of the 3 are longer than 20 characters); its
    ``--json`` output stays JSON, and the next command says nothing."""
    for number, body in enumerate(("短。", "第一条意见，要认真抓好落实，确保取得实效。", "第二条意见，要统筹推进各项工作，按时报送情况。")):
        write(tmp_path / "in", f"{number}.txt", f"第{number}号材料\n{body}\n")
    assert cli("ingest", str(tmp_path / "in"))[0] == ExitCode.OK
    with (home / "sucai.toml").open("a", encoding="utf-8") as toml:
        toml.write("free_preview_chars = 20\n")
    status, output, errors = cli("stats", "--json")
    assert status == ExitCode.OK and json.loads(output)["documents"] == 3
    assert errors == "免费预览字数设置（free_preview_chars）已改，正在重新生成 2 篇文档的免费预览…\n"
    status, output, errors = cli("stats", "--json")
    assert status == ExitCode.OK and json.loads(output)["documents"] == 3 and errors == ""


def test_an_upgrade_that_changed_the_free_rules_is_said_as_such(home, tmp_path, cli, monkeypatch):
    """After an upgrade (new rules of the free metadata, the operator changing nothing) the first command said
    「免费预览规则已改」 as if the operator had, counting every document: it names the upgrade, and counts only the
    documents whose free view is made again: 1 of 4 without a preview setting (the one with a members part), all 4 once
    the preview gives each one, and again when it is dropped (those kept with one are cleared); both changes said when
    both came at once."""
    from sucai import access

    for number in range(3):
        write(tmp_path / "in", f"{number}.txt", f"第{number}号材料\n一、总体要求\n第{number}条意见，要认真抓好落实。\n")
    write(tmp_path / "in", "3.txt", "第3号材料\n一、总体要求\n##paidbegin##\n第3条意见涉及内部测算口径，要认真抓好落实。\n")
    assert cli("ingest", str(tmp_path / "in"))[0] == ExitCode.OK
    monkeypatch.setattr(access, "FREE_METADATA_VERSION", "upgraded")
    status, _, errors = cli("stats")
    assert status == ExitCode.OK and errors == "程序升级后免费预览规则有变，正在重新生成 1 篇文档的免费预览…\n"
    with (home / "sucai.toml").open("a", encoding="utf-8") as toml:
        toml.write("free_preview_chars = 5\n")
    monkeypatch.setattr(access, "FREE_METADATA_VERSION", "upgraded again")
    status, _, errors = cli("stats")
    assert status == ExitCode.OK and errors == ("程序升级后免费预览规则有变，且免费预览字数设置（free_preview_chars）已改，"
                                                "正在重新生成 4 篇文档的免费预览…\n")
    settings = (home / "sucai.toml").read_text(encoding="utf-8")
    (home / "sucai.toml").write_text(settings.replace("free_preview_chars = 5\n", ""), encoding="utf-8")
    status, _, errors = cli("stats")
    assert status == ExitCode.OK and errors == "免费预览字数设置（free_preview_chars）已改，正在重新生成 4 篇文档的免费预览…\n"
    status, _, errors = cli("stats")
    assert status == ExitCode.OK and errors == ""


def test_documents_an_older_reading_stored_are_said_by_stats_and_serve_until_read_again(home, tmp_path, cli,
                                                                                          monkeypatch):
    """A change of the reading (sec30: where the free text starts) applies to documents read after it only: one an
    older sucai stored — its ``reading_version`` NULL (stored before it was kept) or lower — is counted, the one with a
    members part apart, by ``sucai stats`` (its ``--json`` too) and at ``sucai serve``'s start, on stderr, with how to
    read it again; ``ingest --reread`` of a file whose parse is the same marks its document read by this version,
    writing nothing else (no change logged), and the notice is gone."""
    import sqlalchemy as sa
    from sucai.db.schema import documents
    from sucai.web import serving

    write(tmp_path / "in", "a.txt", "关于做好测试工作的通知\n各单位：\n现将有关事项通知如下。\n##paidbegin##\n会员内容在此。\n")
    write(tmp_path / "in", "b.txt", "第二份材料\n一、总体要求\n要认真抓好落实。\n")
    write(tmp_path / "in", "c.txt", "第三份材料\n二、工作措施\n要统筹推进各项工作。\n")
    assert cli("ingest", str(tmp_path / "in"))[0] == ExitCode.OK
    assert cli("stats")[2] == ""
    catalogue = Library.open(home).catalogue
    with catalogue.db.transaction() as conn:   # a: before versions were kept, b: an older one, c: this one
        for name, version in (("a.txt", None), ("b.txt", 0)):
            conn.execute(documents.update().where(documents.c.source_path.endswith(name))
                         .values(reading_version=version))
    said = ("注意：有 2 篇文档由旧版程序读取（其中 1 篇含会员内容：免费部分从哪里开始仍按旧规则划分）；"
            "请对其源文件运行 sucai ingest 文件夹 --reread，以本版重新读取\n")
    for args in (("stats",), ("stats", "--json"), ("stats", "--free")):
        assert cli(*args)[2] == said
    monkeypatch.setattr(serving, "run_workers", lambda *args, **kwargs: None)   # started, then stopped at once
    status, _, errors = cli("serve", "--workers", "2", "--port", str(_free_port()))
    assert status == ExitCode.INTERRUPTED and errors.startswith(said)
    changes = catalogue.change_count()
    status, output, _ = cli("ingest", str(tmp_path / "in"), "--reread", "--json")
    assert status == ExitCode.OK and json.loads(output)["counts"]["unchanged"] == 3
    assert catalogue.change_count() == changes
    assert cli("stats")[2] == ""
    with catalogue.db.read() as conn:
        assert set(conn.execute(sa.select(documents.c.reading_version)).scalars()) == {READING_VERSION}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_changed_free_preview_is_described_with_its_progress_before_each_batch(home, tmp_path, cli, monkeypatch):
    """``Library(settings, describing)`` hears ``(why, documents gone through, all)`` before each batch, and only when
    the documents are described again."""
    from sucai import store

    for number in range(3):
        write(tmp_path / "in", f"{number}.txt", f"第{number}号材料\n一、总体要求\n第{number}条意见。\n")
    assert cli("ingest", str(tmp_path / "in"))[0] == ExitCode.OK
    monkeypatch.setattr(store, "_PER_COMMIT", 2)
    heard: list[tuple[tuple[str, ...], int, int]] = []
    Library(load_settings(home, free_preview_chars=5), lambda *told: heard.append(told))
    assert heard == [(("preview",), 0, 3), (("preview",), 2, 3)]
    Library(load_settings(home, free_preview_chars=5), lambda *told: heard.append(told))
    assert heard == [(("preview",), 0, 3), (("preview",), 2, 3)]   # nothing to do the second time


@pytest.mark.parametrize("every", [0, 3600])
def test_reindex_in_a_log_says_how_far_the_rebuild_is_every_progress_seconds(cli, home, tmp_path, monkeypatch, every):
    """`sucai reindex` piped (cron, a service's log) said nothing until it ended — 110 s for 14 M 字 —, and `sucai
    restore` only that it began: both say how far the rebuild is every ``progress_seconds`` (0: at each document),
    as a piped ingest does, and a rebuild shorter than that says only that it began."""
    for number, topic in enumerate(("防汛", "消防", "安全生产")):
        write(tmp_path / "in", f"{number}.txt", f"关于做好{topic}工作的通知\n各单位要认真抓好{topic}工作，确保落实到位。\n")
    assert cli("ingest", str(tmp_path / "in"))[0] == ExitCode.OK
    monkeypatch.setenv("SUCAI_PROGRESS_SECONDS", str(every))
    status, output, said = cli("reindex")
    assert status == ExitCode.OK and output.strip() == "已重建索引：3 篇文档"
    counted = [f"正在重建检索索引：{done}/3" for done in (1, 2, 3)] if every == 0 else []
    assert said.splitlines() == ["正在重建检索索引…", *counted]


def test_a_changed_free_preview_shows_its_count_as_batches_go(monkeypatch):
    """The message is one step (:func:`sucai.cli.common.step`: on a terminal a spinner), begun once, its text the
    count of documents gone through as batches go, ended when the library is open."""
    from contextlib import contextmanager

    from sucai.cli import common

    said: list[tuple[str, str]] = []

    @contextmanager
    def step(console, text):
        said.append(("begun", text))
        yield lambda update: said.append(("now", update))
        said.append(("ended", ""))

    monkeypatch.setattr(common, "step", step)
    with common.describing_said() as describing:
        for done in (0, 500, 1000):
            describing(("rules",), done, 1200)
    text = "程序升级后免费预览规则有变，正在重新生成 1200 篇文档的免费预览…"
    assert said == [("begun", text), *[("now", f"{text}{done}/1200") for done in (0, 500, 1000)], ("ended", "")]


# -- choices by their Chinese names, data directory, serve --------------------------------------


def test_words_of_a_query_may_be_separate_arguments(cli, sample_home):
    together = json.loads(cli("search", "担当 作为", "--json")[1])
    apart = json.loads(cli("search", "担当", "作为", "--json")[1])
    negated = json.loads(cli("search", "--mode", "精准", "--json", "--", "-形式主义", "担当")[1])
    assert apart["query"] == together["query"] == "担当 作为" and apart["total"] == together["total"] == 1
    assert negated["query"] == "-形式主义 担当" and negated["total"] == 1


def test_modes_and_scopes_by_their_chinese_names(cli, sample_home):
    status, output, _ = cli("search", "担当", "--mode", "精准", "--scope", "段落", "--sort", "字数", "--json")
    data = json.loads(output)
    assert status == 0 and (data["mode"], data["scope"]) == ("precise", "section")
    library = Library.open(sample_home)
    result = library.search(SearchRequest(q="担当", mode="精准", scope="全文"), member=True)
    assert (result.mode, result.scope, result.warnings) == ("precise", "doc", [])


def test_out_of_range_page_is_said(cli, sample_home):
    status, output, errors = cli("search", "担当", "--page", "5")
    assert status == 0 and "只有 1 页，第 5 页没有结果" in errors


def test_a_new_machine_has_no_library_until_an_ingest_makes_one(tmp_path, monkeypatch):
    """fix23: ``sucai search`` (``list``, ``stats``…) on a new machine made the default data directory
    (~/.local/share/sucai) and searched an empty library there. A command that reads a library says there is none
    and how to make one, exit 1, making nothing; ``ingest`` makes it, saying so, and then the others read it."""
    monkeypatch.delenv("SUCAI_DATABASE_URL", raising=False)   # an embedded library: PostgreSQL's is the server's
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "xdg"), "HOME": str(tmp_path)}
    env.pop("SUCAI_HOME", None)
    env.pop("SUCAI_DATABASE_URL", None)
    where = tmp_path / "xdg" / "sucai"

    def sucai_(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "sucai", *args], capture_output=True, text=True, env=env)

    for command in (["search", "作风"], ["list"], ["stats"], ["show", "1"], ["export", "1", "-o", "a.md"]):
        refused = sucai_(*command)
        assert (refused.returncode, refused.stdout) == (ExitCode.ERROR, ""), command
        assert refused.stderr == (f"错误：数据目录 {where} 中没有素材库（没有 catalogue.sqlite3 或 accounts.sqlite3）："
                                  "请检查 --home 或环境变量 SUCAI_HOME；新建素材库请用 sucai ingest 文件夹（或用 sucai demo "
                                  "试用示例库）\n")
        assert not (tmp_path / "xdg").exists(), command
    made = sucai_("ingest", str(write(tmp_path / "in", "a.txt")))
    assert made.returncode == ExitCode.OK and f"新建了空的数据目录 {where}" in made.stderr
    result = sucai_("stats")
    assert result.returncode == 0 and f"数据目录：{where}" in result.stdout and "文档 1 篇" in result.stdout
    assert "新建" not in result.stderr


def test_serve_refuses_a_busy_port_before_announcing_it(cli):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        status, output, errors = cli("serve", "--port", str(port))
    assert status == ExitCode.ERROR
    assert f"端口 {port} 已被占用" in errors and "--port" in errors
    assert "素材库网页" not in output
    assert english_words(errors) == []


@pytest.mark.parametrize("args, chosen", [
    (["-o", "材料.md"], "md"), (["-o", "材料.TXT"], "txt"), (["-o", "材料.docx"], "docx"),
    (["--format", "md", "-o", "材料.md"], "md"), (["--format", "txt", "-o", "材料v1.2"], "txt"),
])
def test_export_writes_the_format_its_file_name_names(cli, sample_home, tmp_path, monkeypatch, args, chosen):
    """New-user try 22: ``export 1 -o 材料.md`` wrote a Word file under a .md name. Without --format the name's
    suffix chooses the format; a name without a document suffix keeps the one --format gives."""
    monkeypatch.chdir(tmp_path)
    status, _, errors = cli("export", "1", *args)
    written = tmp_path / args[-1]
    assert status == ExitCode.OK, errors
    assert zipfile.is_zipfile(written) == (chosen == "docx")
    if chosen != "docx":
        text = written.read_text(encoding="utf-8")
        assert text.startswith("# 关于加强作风建设的通知\n") == (chosen == "md")
        assert text.startswith("关于加强作风建设的通知\n") == (chosen == "txt")


@pytest.mark.parametrize("args, wanted", [
    (["--format", "md", "-o", "材料.docx"], ".md"), (["--format", "docx", "-o", "材料.pdf"], ".docx"),
    (["--format", "txt", "-o", "材料.doc"], ".txt"), (["--zip", "-o", "材料.docx"], ".zip"),
    (["--zip", "-o", "材料.xyz"], ".zip"), (["--zip", "--format", "md", "-o", "材料.md"], ".zip"),
])
def test_export_refuses_a_file_name_of_another_format(cli, sample_home, tmp_path, monkeypatch, args, wanted):
    """A name that promises another file type than the one written is refused (exit 2), and nothing is written."""
    folder = tmp_path / "out"
    folder.mkdir()
    monkeypatch.chdir(folder)
    status, _, errors = cli("export", "1", *args)
    assert status == ExitCode.USAGE
    assert f"文件名 {args[-1]} 与导出的格式不符：应以 {wanted} 结尾" in errors
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("name", ["a.xyz", "材料.pdf", "材料v1.2", "材料.DOCX.bak"])
def test_export_refuses_a_file_name_of_no_format_it_writes(cli, sample_home, tmp_path, monkeypatch, name):
    """``export 1 -o a.xyz`` wrote a Word file under the name a.xyz. Without --format a name must end in a suffix
    of a format written (.docx, .md, .txt): any other is refused (exit 2), nothing written, and the message says
    how to write it anyway; with --format it is written in that format (a name not of a file type)."""
    folder = tmp_path / "out"
    folder.mkdir()
    monkeypatch.chdir(folder)
    status, _, errors = cli("export", "1", "-o", name)
    assert status == ExitCode.USAGE
    assert f"文件名 {name} 的扩展名不是 .docx、.md、.txt 之一：请改用其中之一，或用 --format 指定格式" in errors
    assert list(folder.iterdir()) == []
    if name != "材料.pdf":
        assert cli("export", "1", "--format", "txt", "-o", name)[0] == ExitCode.OK
        assert not zipfile.is_zipfile(folder / name) and (folder / name).read_text(encoding="utf-8").strip()


def test_a_refused_export_makes_no_library(tmp_path, monkeypatch):
    """A name refused, or neither a number nor --query, is said before the library is opened: no empty data
    directory is made for a command that could not run."""
    monkeypatch.chdir(tmp_path)
    for args in (["1", "-o", "a.xyz"], ["-o", "a.md"]):
        done = sucai(tmp_path / "库", "export", *args)
        assert done.returncode == ExitCode.USAGE and "新建了空的数据目录" not in done.stderr, done.stderr
        assert list(tmp_path.iterdir()) == []


def test_a_missing_argument_ends_with_a_chinese_full_stop(cli, sample_home):
    """click writes the full stop after the missing parameter's name itself, outside the catalogue."""
    for args, said in [(["search"], "缺少参数 '检索词'。"), (["token", "list"], "缺少参数 '用户名'。"),
                       (["draft", "--topic", "组织生活会"], "缺少选项 '--genre'。")]:
        status, _, errors = cli(*args)
        assert status == ExitCode.USAGE
        assert errors.rstrip().splitlines()[-1] == f"错误：{said}"


def test_the_dash_hint_only_where_a_word_may_start_with_a_dash(cli, sample_home):
    """An unknown option of a command that takes words or paths may be one starting with "-": its message says to
    give it after ``--``. Of a command without arguments (``audit``), or an option spelt with "--" (``--name`` for
    ``--label``), it was that hint, which could only mislead."""
    for args, option, hinted in [(["search", "-形式主义"], "-形", True), (["ingest", "-文件.txt"], "-文", True),
                                 (["audit", "--since", "2026-01-01"], "--since", False), (["list", "-x"], "-x", False),
                                 (["token", "create", "会员甲", "--name", "t1"], "--name", False)]:   # a misspelt option
        status, _, errors = cli(*args)
        assert status == ExitCode.USAGE
        assert f"错误：没有选项 '{option}'。" in errors
        assert ("请写在 -- 之后，例如：sucai search -- -形式主义" in errors) == hinted, errors


def test_a_taken_user_name_is_a_usage_error(cli, home):
    """README: a refused user name exits 2 — also one taken already, or a look-alike of it (會員甲 = 会员甲)."""
    assert cli("user", "add", "会员甲", "--password", "x" * 8)[0] == ExitCode.OK
    for name in ("会员甲", "會員甲"):
        status, _, errors = cli("user", "add", name, "--password", "x" * 8)
        assert status == ExitCode.USAGE
        assert f"用户名已存在或与已有用户名过于相似：{name}" in errors


def test_export_into_a_folder(sample_home, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    assert sucai(sample_home, "export", "1", "--format", "md", "-o", str(folder)).returncode == 0
    assert [p.name for p in folder.iterdir()] == ["关于加强作风建设的通知.md"]


def test_export_to_the_standard_output(sample_home, tmp_path):
    """``-o -`` writes the file to the standard output, as Unix tools take it (it wrote a file named "-"), and
    says so on the standard error; the bytes are the file ``-o`` writes."""
    for fmt in ("txt", "docx"):
        done = subprocess.run([sys.executable, "-m", "sucai", "export", "1", "--format", fmt, "-o", "-"],
                              capture_output=True, cwd=tmp_path, env={**os.environ, "SUCAI_HOME": str(sample_home)})
        assert done.returncode == ExitCode.OK, done.stderr.decode()
        assert sucai(sample_home, "export", "1", "--format", fmt, "-o", str(tmp_path / f"a.{fmt}")).returncode == 0
        written = (tmp_path / f"a.{fmt}").read_bytes()
        assert _members(done.stdout) == _members(written) if fmt == "docx" else done.stdout == written
        assert done.stderr.decode().strip() == f"已导出到标准输出（{len(done.stdout):,} 字节）"
        assert not (tmp_path / "-").exists()


def _members(docx: bytes) -> dict[str, bytes]:
    """A Word file's parts but the one holding the time it was written at (docProps/core.xml)."""
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name != "docProps/core.xml"}


# -- settings -------------------------------------------------------------------------------------


@pytest.mark.parametrize("toml, env", [
    ('snippet_chars = "abc"\n', {}),
    ("", {"SUCAI_SNIPPET_CHARS": "-5"}),
    ("", {"SUCAI_MAX_PAGE_SIZE": "0"}),
    ("no_such_setting = 1\n", {}),
    ('timezone = "Mars/Olympus"\n', {}),
    ("timezone = 8\n", {}),
    ("", {"SUCAI_TIMEZONE": "UTC+8"}),
    ('timezone = "Asia"\n', {}),          # a folder of zones, not one (was an IsADirectoryError traceback)
    ("", {"SUCAI_TIMEZONE": "../zoneinfo"}),
    ('site_url = "sucai.example.cn"\n', {}),   # no scheme: no link could start with it
    ("", {"SUCAI_SITE_URL": "javascript:alert(1)"}),
    ('site_url = "https://sucai.example.cn:99999"\n', {}),
    ('site_url = "https://sucai.example.cn/?from=feed"\n', {}),
    ("site_url = 443\n", {}),
    ("", {"SUCAI_SNIPPET_CHARS": "abc"}),
    ("login_known_ip_days = 800\n", {}),                      # longer than the audit log it reads (730 days)
    ("", {"SUCAI_AUDIT_DAYS": "180", "SUCAI_LOGIN_KNOWN_IP_DAYS": "181"}),
])
def test_bad_settings_are_refused(tmp_path, monkeypatch, toml, env):
    (tmp_path / "sucai.toml").write_text(toml, encoding="utf-8")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(InvalidInput) as caught:
        load_settings(tmp_path)
    assert caught.value.code == "bad_settings"
    assert english_words(str(caught.value).replace(str(tmp_path), ""), typed=(toml, *env.values())) == []


def test_a_known_address_window_within_the_audit_log_and_an_environment_number_are_said(tmp_path, monkeypatch):
    """verify28: the README says to keep login_known_ip_days below audit_days — the addresses a login is known by
    are read from the audit log, which keeps audit_days days —, but nothing held to it: a longer window was cut
    short silently. A bad number from the environment was said 「SUCAI_X 应为整数: 'abc'」, unlike every other
    setting's message."""
    assert load_settings(tmp_path, login_known_ip_days=180, audit_days=180).login_known_ip_days == 180
    with pytest.raises(InvalidInput) as caught:
        load_settings(tmp_path, login_known_ip_days=181, audit_days=180)
    assert str(caught.value) == ("设置 login_known_ip_days（181 天）不能长于 audit_days（180 天）："
                                 "登录过的地址从审计日志读出，审计日志只保留 audit_days 天")
    monkeypatch.setenv("SUCAI_SNIPPET_CHARS", "abc")
    with pytest.raises(InvalidInput) as caught:
        load_settings(tmp_path)
    assert str(caught.value) == "环境变量 SUCAI_SNIPPET_CHARS 应为整数，而不是 'abc'"


def test_unknown_settings_are_named(tmp_path):
    (tmp_path / "sucai.toml").write_text("no_such = 1\nsnipet_chars = 2\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_settings(tmp_path)
    assert str(caught.value) == f"{tmp_path / 'sucai.toml'} 含未知设置：no_such、snipet_chars"


def test_a_byte_of_an_argument_that_is_not_utf8_is_read_as_a_replacement_character(home, tmp_path):
    """A byte that is not UTF-8 in a text argument (a GBK terminal, a script's bytes) — Python keeps it as a lone
    surrogate — was an 内部错误 wherever the text went: ``search --source`` (tantivy's ValueError), ``codes create
    --batch`` and ``token create --label`` (UnicodeEncodeError: the database takes UTF-8). It is read as U+FFFD, as
    a JSON ``"\\udcff"`` is; a path keeps its bytes (``ingest`` says it does not exist, exit 4)."""
    write(tmp_path / "in", "a.txt")
    assert sucai(home, "ingest", str(tmp_path / "in")).returncode == 0
    found = sucai(home, "search", "作风", "--json", "--source", b"\xff")
    assert found.returncode == 0 and json.loads(found.stdout)["total"] == 0, found.stderr
    made = sucai(home, "codes", "create", "--batch", b"\xff\xfe", "-o", str(tmp_path / "codes.csv"))
    assert made.returncode == 0 and "批次“\ufffd\ufffd”" in made.stderr, made.stderr
    assert sucai(home, "user", "add", "甲乙", "--password", "correct-horse-9x").returncode == 0
    token = sucai(home, "token", "create", "甲乙", "--label", b"\xff")
    assert token.returncode == 0 and "（\ufffd）" in token.stdout, token.stderr
    missing = sucai(home, "ingest", os.fsencode(tmp_path) + b"/\xff")
    assert missing.returncode == ExitCode.NO_SUCH_PATH and "内部错误" not in missing.stderr


_MOST = {"max_page_size": (1, 1_000), "section_scan_docs": (1, 100_000), "session_max_age_days": (1, 36_500),
         "session_idle_hours": (1, 876_000), "login_known_ip_days": (0, 36_500), "audit_days": (180, 36_500),
         "analytics_days": (1, 36_500), "change_log_days": (1, 36_500)}


@pytest.mark.parametrize("name", sorted(_MOST))
def test_a_setting_past_what_can_work_is_refused_at_start(tmp_path, name):
    """These had no upper bound, and 10**12 of any broke the site: every search an 内部错误 (tantivy's
    PanicException: a page or a section scan that large), every login a 500 (OverflowError: a session's lifetime past
    Python's timedelta). One past the most is refused at start, in Chinese; the most itself is taken (the known
    addresses' window with the audit log it reads kept as long: no longer than audit_days)."""
    least, most = _MOST[name]
    kept = f"audit_days = {_MOST['audit_days'][1]}\n" if name == "login_known_ip_days" else ""
    (tmp_path / "sucai.toml").write_text(f"{name} = {most + 1}\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_settings(tmp_path)
    assert caught.value.message == f"设置 {name} 应为 {least:,} 到 {most:,} 之间的整数，而不是 {most + 1}"
    (tmp_path / "sucai.toml").write_text(f"{name} = {most}\n{kept}", encoding="utf-8")
    assert getattr(load_settings(tmp_path), name) == most


@pytest.mark.parametrize(("written", "shown"), [("true", "true"), ("1.5", "1.5"), ('["a", false]', '["a", false]'),
                                               ("2024-01-01", "2024-01-01"), ("2024-01-01T08:00:00", "2024-01-01T08:00:00")])
def test_a_setting_of_the_wrong_kind_is_named_as_sucai_toml_spells_it(tmp_path, written, shown):
    """``audit_days = true`` was refused 「…而不是 True」: Python's spelling, not the operator's. The value is shown as
    TOML writes it (TOML 1.0)."""
    (tmp_path / "sucai.toml").write_text(f"audit_days = {written}\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_settings(tmp_path)
    assert caught.value.message.endswith(f"的整数，而不是 {shown}")


def test_a_site_at_each_settings_most_serves_searches_and_logins(home, tmp_path):
    """At each of those settings' most (:func:`test_a_setting_past_what_can_work_is_refused_at_start`) the deepest
    page of the largest size, a section search and a login all work."""
    from fastapi.testclient import TestClient

    from sucai.web import create_app

    write(tmp_path / "in", "a.txt")
    Library.open(home).ingest([tmp_path / "in"], workers=1)
    Accounts.open(home).add_user("会员甲", "correct-horse-9x", "member", "2099-01-01")
    client = TestClient(create_app(settings=load_settings(home, **{name: most for name, (_, most) in _MOST.items()})))
    for params in ({"q": "作风", "limit": 1_000, "page": 1_000}, {"q": "作风", "limit": 1_000, "scope": "section"}):
        assert client.get("/api/search", params=params).status_code == 200, params
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login", headers={"accept": "text/html"}).text)[1]
    client.post("/login", data={"username": "会员甲", "password": "correct-horse-9x", "csrf_token": token})
    assert "会员甲" in client.get("/account", headers={"accept": "text/html"}).text


@pytest.mark.parametrize("name", ["Asia", "Mars/Olympus", "", "asia/shanghai"])
def test_a_zone_no_one_has_is_refused_in_chinese_at_start(tmp_path, name):
    """The site's clock is built in one place (``Settings.zone``, which ``Accounts``, 今日更新 and the pages use):
    a ``timezone`` no zone has stops the command at start with one Chinese line, never a traceback; and an
    ``Accounts`` given such a name refuses it the same way."""
    (tmp_path / "sucai.toml").write_text(f'timezone = "{name}"\n', encoding="utf-8")
    result = sucai(tmp_path, "list")
    assert result.returncode == ExitCode.ERROR, result.stderr
    assert f"设置 timezone 应为时区名称（如 Asia/Shanghai），而不是 {name!r}" in result.stderr
    assert "Traceback" not in result.stderr and english_words(result.stderr, ("timezone", "Asia", "Shanghai",
                                                                              "Mars", "Olympus", "asia", "shanghai")) == []
    for build in (lambda: Settings(home=tmp_path, timezone=name).zone,
                  lambda: Accounts(tmp_path / "accounts.sqlite3", zone=name)):
        with pytest.raises(InvalidInput) as caught:
            build()
        assert caught.value.code == "bad_settings"
    shanghai = Settings(home=tmp_path).zone
    assert Accounts(tmp_path / "accounts.sqlite3").zone is shanghai   # ZoneInfo keeps one object per name
    assert datetime(2026, 1, 1, 16, tzinfo=timezone.utc).astimezone(shanghai).date() == date(2026, 1, 2)


@pytest.mark.parametrize("toml, reason", [
    ('snippet_chars = 80\n  b = "x\n', "第 2 行第 9 列附近不是有效的 TOML 写法"),   # the line break ends the string
    ("snippet_chars = \n", "第 1 行第 17 列附近不是有效的 TOML 写法"),   # 16 characters, then the line break
    ("snippet_chars = 80\nfree_preview_chars", "文件在末尾不完整"),
])
def test_settings_that_are_not_toml_are_refused_in_chinese_with_the_place(tmp_path, toml, reason):
    """The parser's English ("Illegal character '\\n' (at line 2, column 9)") was the message; it says where now."""
    (tmp_path / "sucai.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_settings(tmp_path)
    assert reason in caught.value.message and english_words(caught.value.message, ("sucai.toml", "TOML", "UTF")) == []


def test_search_request_sanitised_with_warnings(sample_home):
    library = Library.open(sample_home)
    result = library.search(SearchRequest(q="担当", limit=10_000, page=0, year=-3), member=True)
    assert (result.limit, result.page, result.total) == (100, 1, 1)
    assert len(result.warnings) == 3
    assert all(english_words(w) == [] for w in result.warnings)



def test_a_genre_is_one_of_the_table(cli, sample_home, tmp_path):
    """fix23: ``--genre`` of a search (and of an export by one) is read as the web reads it
    (:func:`sucai.metadata.genres.listed_genre`): a shorthand as the name it stands for, any other refused (exit 2)
    before anything is searched or written, the names near it said."""
    said = "没有这个文种，请从文种表中选择（文种表见 sucai genres；相近的有“对照检查材料”）"
    zipped = tmp_path / "a.zip"
    for command in (["search", "作风"], ["export", "--query", "作风", "--zip", "-o", str(zipped)]):
        code, output, errors = cli(*command, "--genre", "检查")
        assert (code, output) == (ExitCode.USAGE, "") and said in errors, errors
    assert not zipped.exists()
    code, output, _ = cli("search", "作风", "--genre", " 通知 ", "--json")   # the library's one document, a 通知
    assert code == 0 and [h["genre"] for h in json.loads(output)["hits"]] == ["通知"]

PRECISE_HINT = "提示：精准检索要求每个词逐字出现（标点、括号也算）；改用智能检索（--mode 智能）也会列出部分匹配的材料"
FILTER_HINT = "提示：去掉筛选条件（--genre、--year、--source、--heading、--member-part）再试"
SCOPE_HINT = "提示：改为全文检索（去掉 --scope 段落）"


@pytest.mark.parametrize("args, hints", [
    (["（担当）", "--mode", "精准"], [PRECISE_HINT]),   # said only 共 0 条结果, where the search page advises
    (["担当", "--mode", "精准", "--year", "1999", "--scope", "段落"], [PRECISE_HINT, FILTER_HINT, SCOPE_HINT]),
    (["锕锕锕", "--member-part"], [FILTER_HINT]),
    (["锕锕锕"], []),   # ranked, nothing to take away: nothing to advise
    (["担当"], []),     # found
])
def test_a_search_that_finds_nothing_says_what_to_try(cli, sample_home, args, hints):
    code, output, errors = cli("search", *args)
    assert code == 0
    assert [line for line in errors.splitlines() if line in (PRECISE_HINT, FILTER_HINT, SCOPE_HINT)] == hints
    assert output.startswith("共 0 条结果") == (args != ["担当"])


def test_compiled_catalogue_matches_its_source(tmp_path):
    """messages.mo is what ``make messages`` builds from messages.po (so the two never drift apart)."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("needs msgfmt (Debian package gettext, see scripts/system-packages.sh)")
    source = i18n.LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po"
    subprocess.run([msgfmt, "--check-format", "-o", str(tmp_path / "messages.mo"), str(source)], check=True)
    assert (tmp_path / "messages.mo").read_bytes() == source.with_suffix(".mo").read_bytes()


def test_ingest_source_list_notes_genres_and_show(home, tmp_path):
    """`--source` fills the 来源 of files that name none; equal titles in `list` carry issuer and year;
    `genres` lists the taxonomy; `show` says where the date came from."""
    source = tmp_path / "in"
    source.mkdir()
    for year in (2023, 2024):
        (source / f"{year}.txt").write_text(f"政府工作报告\n——{year}年2月1日在某县人民代表大会上\n各位代表：\n现在，我代表县政府作报告。\n",
                                            encoding="utf-8")
    (source / "c.txt").write_text("关于某事的通知\n国办发〔2018〕127号\n各省人民政府：\n请认真落实。\n", encoding="utf-8")
    assert sucai(home, "ingest", str(source), "--source", "某县融媒体中心").returncode == 0
    listed = sucai(home, "list", env={"COLUMNS": "300"}).stdout
    assert "政府工作报告（某县融媒体中心 · 2023）" in listed and "政府工作报告（某县融媒体中心 · 2024）" in listed
    assert "国务院办公厅" in listed
    genres = sucai(home, "genres", env={"COLUMNS": "300"}).stdout
    assert "法定公文" in genres and "通知" in genres and "事务文书" in genres and "新闻与著作" not in genres   # 政府工作报告
    assert "新闻与著作" in sucai(home, "genres", "--all", env={"COLUMNS": "300"}).stdout   # is a 文种 (text17)
    shown = sucai(home, "show", "1", env={"COLUMNS": "300"}).stdout
    year = re.search(r"/(\d{4})\.txt", shown).group(1)   # ids follow the order parses finish (ingest17)
    assert f"{year}-02-01（据题注）" in shown and "某县融媒体中心（据入库指定）" in shown


def test_ingest_beside_a_folder_named_like_the_package(tmp_path):
    """Run from the folder that holds the clone (``~`` after ``git clone … ~/sucai``): the parsing
    workers must import the installed package, not the folder ``./sucai`` (the fork server of Python
    3.11 starts with the current folder first on its path)."""
    (tmp_path / "sucai").mkdir()
    source = tmp_path / "通知.txt"
    source.write_text("关于做好春季农业生产工作的通知\n各乡镇：现将有关事项通知如下。", encoding="utf-8")
    command = Path(sys.executable).with_name("sucai")
    result = subprocess.run([str(command), "ingest", source.name], capture_output=True, text=True, cwd=tmp_path,
                            env={**{k: v for k, v in os.environ.items() if k != "PYTHONSAFEPATH"},
                                 "SUCAI_HOME": str(tmp_path / "library")})
    assert result.returncode == ExitCode.OK, result.stdout + result.stderr
    assert "失败" not in result.stdout.split("入库结果")[0]


def test_export_by_a_search_says_how_many_it_packs_and_how_many_matched(cli, home, tmp_path):
    """New-user try 17: ``export --query … --mode 智能 --zip`` packed 53 of 57 documents, saying nothing of it. It says
    how many it packs and, when ``--limit`` leaves some out, how many matched (the search's own total)."""
    samples = Path(str(resources.files("sucai").joinpath("samples"))) / "library"
    assert cli("ingest", str(samples))[0] == ExitCode.PARTIAL   # its damaged .docx is skipped
    status, output, _ = cli("search", "工作", "--mode", "智能", "--json")
    total = json.loads(output)["total"]
    assert status == ExitCode.OK and total > 3
    status, _, errors = cli("export", "--query", "工作", "--mode", "智能", "--zip", "--limit", "3", "-o",
                            str(tmp_path / "a.zip"))
    assert status == ExitCode.OK and "打包 3 篇" in errors
    assert f"共 {total:,} 篇匹配，只打包了最相关的 3 篇（--limit）" in errors
    assert len(zipfile.ZipFile(tmp_path / "a.zip").namelist()) == 1 + 3   # 索引.csv and three documents
    # without -o, a folder given: each search's zip is named by its query, not all 素材打包.zip, one over the other
    for query in ("工作", "减负 OR 作风"):
        assert cli("export", "--query", query, "--zip", "--limit", "2", "-o", str(tmp_path))[0] == ExitCode.OK
    assert {"工作.zip", "减负 OR 作风.zip"} <= {p.name for p in tmp_path.iterdir()}



@pytest.mark.parametrize("query", ["", "  ", "\u200b\ufeff", "-", "OR"])
def test_an_export_by_a_search_of_nothing_is_refused(cli, sample_home, tmp_path, query):
    """fix23: ``export --query ''`` (white space, invisible characters, a lone "-" or "OR": what a search reads as no
    query, and lists every document for) zipped up to --limit documents of the whole library. It is refused as the
    web's 打包下载 refuses it (no 检索条件, :attr:`sucai.search.SearchRequest.narrowed`), exit 2, nothing written;
    a filter is a condition."""
    zipped = tmp_path / "a.zip"
    code, output, errors = cli("export", "--query", query, "--zip", "-o", str(zipped))
    assert (code, output, zipped.exists()) == (ExitCode.USAGE, "", False)
    assert "没有要检索的词（只有空格、不可见字符或符号），请给出检索词，或用 --genre、--year 筛选" in errors
    code, _, errors = cli("export", "--query", query, "--genre", "通知", "--zip", "-o", str(zipped))
    assert (code, "打包 1 篇" in errors, len(zipfile.ZipFile(zipped).namelist())) == (ExitCode.OK, True, 1 + 1)

@pytest.mark.parametrize("command", [("ingest",), ("watch",), ("serve",)])
def test_workers_help_names_its_bound(cli, command):
    """``--workers`` says in --help how many it takes at most (4 a processor, at least 8), as its error does."""
    code, output, _ = cli(*command, "--help")
    assert code == 0 and f"最多 {_MOST_WORKERS} 个" in output
