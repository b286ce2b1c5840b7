"""The ``sucai`` command: thin commands over :class:`sucai.library.Library`.

One module per group of commands, each registering on the one Typer ``app`` of
:mod:`sucai.cli.common`: ``documents`` (ingest, list, stats, show, search,
export, rm, reindex), ``server`` (serve, demo), ``accounts`` (user, token,
audit), ``operations`` (migrate, backup, restore, check-integrity). A new capability adds its own module here and one import below.

Errors are printed as one plain line (never a traceback) and exit with status 1;
``SUCAI_DEBUG=1`` shows the traceback of an unexpected error.
"""

from __future__ import annotations

import os
import sys

from rich.markup import escape

from ..errors import SucaiError
from . import accounts, documents, operations, server  # noqa: F401 - each registers its commands on `app`
from .common import app, err, shown

__all__ = ["app", "main"]


def main() -> None:
    """Console entry point: runs the app, turning errors into one readable line."""
    try:
        app()
    except SucaiError as error:
        err.print(f"[red]错误：{escape(shown(error.message))}[/red] [dim]({error.code})[/dim]")
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("[yellow]已中断；已完成的部分都已保存，再次运行即可继续。[/yellow]")
        sys.exit(130)
    except BaseException as error:  # the last line of defence (also Rust panics): never a traceback
        if isinstance(error, SystemExit) or os.environ.get("SUCAI_DEBUG"):
            raise
        err.print(f"[red]内部错误：{escape(type(error).__name__)}: {escape(str(error))}[/red]（设置 SUCAI_DEBUG=1 查看详情）")
        sys.exit(1)
