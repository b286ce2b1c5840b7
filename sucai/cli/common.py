"""What every command shares: the Typer app, the consoles, common options, the library."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ..errors import SucaiError
from ..library import Library

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


# C0/C1 controls (but \t and \n), zero-width and bidi formatting characters: never written to a terminal
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def shown(value: object) -> str:
    """``value`` as text that is safe to print: each control, zero-width or bidi character becomes
    U+FFFD (one for one, so highlight offsets stay right). Everything read from documents, file
    names or other people's input goes through here before it reaches the terminal."""
    return _UNSAFE.sub("\ufffd", "" if value is None else str(value))


def open_library(home: Path | None) -> Library:
    return Library.open(home)


def write_file(output: Path | None, name: str, data: bytes) -> Path:
    """Write to ``output`` (a file, or a folder to put ``name`` in; default: ``name`` here)."""
    target = output / name if output and output.is_dir() else output or Path(name)
    try:
        target.write_bytes(data)
    except OSError as err:
        raise SucaiError(f"无法写入 {target}：{err.strerror or err}", code="cannot_write") from err
    return target


def print_json(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def progress_bar() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeRemainingColumn(), console=err, transient=True,
    )
