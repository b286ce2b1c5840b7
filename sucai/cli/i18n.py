"""The command line speaks Chinese: click's own messages through a gettext catalogue.

click marks every message it prints (usage, option list, errors) for gettext in
gettext's default domain (``messages``). :func:`install` binds that domain to
``locale/zh_CN/LC_MESSAGES/messages.mo`` of this package and selects Simplified
Chinese through ``LANGUAGE`` — GNU gettext's variable for the language of
messages only (number and date formats are untouched) — whatever the user's
locale. ``sucai.cli`` calls it when imported, so the process that runs the
command line speaks Chinese from the start. The catalogue's source is ``messages.po`` beside the ``.mo``; after
editing it run ``make messages`` (msgfmt) to rebuild the ``.mo``.
"""

from __future__ import annotations

import gettext
import os
import re
from pathlib import Path

import click

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "messages"  # gettext's default domain, where click looks its messages up
LANGUAGE = "zh_CN"


def install() -> None:
    """Make click's messages Simplified Chinese for the rest of this process."""
    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = LANGUAGE


_ENGLISH_STOP = re.compile(r"'\.(?=\s|$)")   # the full stop after the quoted name: "缺少参数 '用户名'."


def end_in_chinese(error: click.ClickException) -> None:
    """Make ``error`` end its sentence as Chinese does. click writes the full stop after the missing parameter's
    name (``MissingParameter.format_message``: "{missing} {param_hint}.") outside its catalogue, so
    "缺少参数 '用户名'." would end in an English one; it ends in "。" instead. And click joins an unknown option's or
    command's suggestions to its message with a space, each after a comma ("没有选项 '--so'。 是不是想用 '--json',
    '--scope'？"): they follow the full stop at once, joined by "、". Other errors are left as they are."""
    if isinstance(error, click.MissingParameter):
        said = error.format_message()
        error.format_message = lambda: _ENGLISH_STOP.sub("'。", said, count=1)
    elif isinstance(error, (click.NoSuchOption, click.exceptions.NoSuchCommand)) and error.possibilities:
        named = "、".join(repr(name) for name in sorted(error.possibilities))
        error.message = f"{error.message}是不是想用 {named}？"
        error.possibilities = None


DASH_HINT = "以 - 开头的检索词或内容请写在 -- 之后，例如：sucai search -- -形式主义"
NUMBER_HINT = "编号是正整数（sucai list 列出各篇的编号）"


def hint_dash(error: click.ClickException) -> None:
    """An unknown option given to a command that takes arguments (``sucai search -形式主义``) may be a word that
    starts with "-": its message then says how to give one (after ``--``); of a command that takes 编号 (``sucai
    show -1``), a negative number, it says what a 编号 is instead. A command without arguments (``sucai audit
    --since``) gets no such hint, nor an option spelt with "--" (``sucai token create 会员甲 --name``: a misspelt
    option) — there it could only mislead."""
    if not isinstance(error, click.NoSuchOption) or error.ctx is None or error.option_name.startswith("--"):
        return
    arguments = [param for param in error.ctx.command.params if isinstance(param, click.Argument)]
    if arguments and all(param.type.name == "编号" for param in arguments) and error.option_name[1:].isdigit():
        error.message = f"{error.message}{NUMBER_HINT}"
    elif arguments:
        error.message = f"{error.message}{DASH_HINT}"


def hint_placement(error: click.ClickException, args: list[str]) -> None:
    """An option of a command given before the command's name (``sucai --home ~/库 stats``, ``sucai user --json
    list``, ``sucai --home ~/库 user list``) is unknown to the group, and click suggested '--help' for it: its message
    says where the option goes instead — after the command named in ``args``, which takes it (a group's command,
    ``user list``, named by both words). Other errors are left as they are."""
    if not isinstance(error, click.NoSuchOption) or error.ctx is None or not isinstance(error.ctx.command, click.Group):
        return
    names, command = [], error.ctx.command
    for arg in args:
        if isinstance(command, click.Group) and arg in command.list_commands(error.ctx):
            names.append(arg)
            command = command.get_command(error.ctx, arg)
    options = [param for param in command.params if isinstance(param, click.Option)] if names else []
    option = next((option for option in options if error.option_name in option.opts), None)
    if option:
        value = "" if option.is_flag else f" {option.metavar or '…'}"
        error.message = (f"{error.message}{error.option_name} 是命令的选项，请写在命令名之后："
                         f"{error.ctx.command_path} {' '.join(names)} {error.option_name}{value}")
        error.possibilities = None
