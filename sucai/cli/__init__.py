"""The ``sucai`` command: thin click commands over :class:`sucai.library.Library`.

One module per group of commands, each registering on the one click group ``app``
of :mod:`sucai.cli.common`: ``documents`` (ingest, list, stats, genres, show, search,
export, rm, reindex), ``server`` (serve, demo), ``accounts`` (user, token,
audit), ``operations`` (migrate, backup, restore, check-integrity), ``check`` (check, dupes), ``drafting``
(draft), ``watch`` (watch), ``codes`` (codes create, codes list), ``sync`` (sync). Each is imported only when one
of its commands is used (:data:`sucai.cli.common.COMMANDS`, command → module): ``sucai --help`` imports none of
them. A new capability adds its own module here and its commands to ``COMMANDS``.

Everything is said in Chinese (click's messages through :mod:`sucai.cli.i18n`,
installed when this package is imported).
Errors are one plain line (never a traceback) and the exit status says what
happened (:class:`sucai.cli.common.ExitCode`); ``SUCAI_DEBUG=1`` shows the
traceback of an unexpected error. A stop signal (SIGTERM, as from a service
manager) is handled like Ctrl+C, and neither is lost where Python would ignore it (:func:`_interrupt_again`); an
interrupted command exits 130, also when Ctrl+C comes while the command line is still loading
(:mod:`sucai.__main__`); once a command is done, a signal no longer changes its status (:func:`_done_with_interrupts`). Output closed early (``sucai search … | head``) ends the command
quietly, killed by SIGPIPE as standard tools are (the shell sees 141).
"""

from __future__ import annotations

import _thread
import os
import signal
import sys
import threading

import click
from rich.markup import escape

from . import i18n

i18n.install()  # before any command is used: click builds some texts once (the --help option's) and keeps them

from ..errors import BadValue, NotFound, SucaiError, first_line  # noqa: E402
from .common import RESUMABLE, ExitCode, OutputClosed, app, err, shown  # noqa: E402

__all__ = ["ExitCode", "app", "main"]

QUIET_RESOURCE_TRACKER = "ignore::UserWarning:multiprocessing.resource_tracker"
"""A warnings option (``-W``) given to the Python processes multiprocessing starts for a command — its resource
tracker among them: the parse workers' locks are semaphores, and when a command is killed (SIGKILL, the OOM killer)
the tracker removes the ones it left, then warned in English on the operator's terminal ("resource_tracker: There
appear to be 2 leaked semaphore objects to clean up at shutdown"), after the shell's prompt. Only the tracker's own
warnings (a command line gives no message with a colon in it: its three are alike), in its process."""


def main() -> None:
    """Run ``sucai`` with this process's arguments and exit with its :class:`ExitCode` (the entry point, once
    :func:`sucai.__main__.main` has loaded the command line)."""
    sys.warnoptions.append(QUIET_RESOURCE_TRACKER)   # read by multiprocessing when it starts a process
    signal.signal(signal.SIGTERM, _interrupt)
    sys.unraisablehook = _interrupt_again
    status = run(sys.argv[1:])
    _done_with_interrupts()
    try:
        if sys.stdout is not None:   # None: started with its standard output closed (`sucai list >&-`)
            sys.stdout.flush()   # here, not at the interpreter's exit, where a closed pipe would be reported
    except BrokenPipeError:
        status = ExitCode.OUTPUT_CLOSED
    if status == ExitCode.OUTPUT_CLOSED:
        _end_by_sigpipe()
    sys.exit(status)


def run(args: list[str]) -> int:
    """Run ``sucai args`` in this process; returns the exit status (errors are printed, not raised)."""
    try:
        status = app.main(args, prog_name="sucai", standalone_mode=False)
    except click.ClickException as error:  # usage errors (2) and click's other errors (1)
        i18n.hint_placement(error, args)
        i18n.end_in_chinese(error)
        i18n.hint_dash(error)
        error.show()
        return error.exit_code
    except click.Abort as error:
        interrupted = isinstance(error.__cause__ or error.__context__, KeyboardInterrupt)   # a prompt's: from None
        err.print(f"[yellow]{_stopped(args)}[/yellow]" if interrupted else "已取消。")
        return ExitCode.INTERRUPTED if interrupted else ExitCode.ERROR
    except OutputClosed:  # the reader of our output is gone (| head): nothing to say, nobody to say it to
        return ExitCode.OUTPUT_CLOSED
    except SucaiError as error:
        err.print(f"[red]错误：{escape(shown(error.message))}[/red]")
        return _ERROR_STATUS.get(type(error), ExitCode.ERROR)
    except BaseException as error:  # the last line of defence (also Rust panics): never a traceback
        if isinstance(error, SystemExit) or os.environ.get("SUCAI_DEBUG"):
            raise
        said = first_line(error)  # not the statement and parameters a driver appends
        err.print(f"[red]内部错误：{escape(type(error).__name__)}: {escape(shown(said))}[/red]（设置 SUCAI_DEBUG=1 查看详情）")
        return ExitCode.ERROR
    return int(status) if isinstance(status, int) else ExitCode.OK


_ERROR_STATUS = {NotFound: ExitCode.NOT_FOUND, BadValue: ExitCode.USAGE}


def _stopped(args: list[str]) -> str:
    """What ``sucai args`` interrupted says: that the work done is kept for a run again to go on from, when its
    command is one of :data:`~sucai.cli.common.RESUMABLE`; else (a search, a 查重, a backup…) only that it stopped."""
    command = next((arg for arg in args if not arg.startswith("-")), None)   # the group's only options: --help, --version
    return "已中断；已完成的部分都已保存，再次运行即可继续。" if command in RESUMABLE else "已中断。"


def _end_by_sigpipe() -> None:
    """End this process as SIGPIPE ends a standard tool whose output was closed (Python ignores the signal:
    restore its default action, and send it). What is still buffered for stdout goes to /dev/null."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGPIPE)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _interrupt_again(unraisable) -> None:
    """``sys.unraisablehook`` of the command: a Ctrl+C or stop signal that came while Python ran a weakref callback
    or a ``__del__`` (imports run them: the import lock's) raised its KeyboardInterrupt there, where Python can only
    print it ("Exception ignored in …", a traceback) and go on — the command went on to the end (an ingest of every
    file). It is delivered to the main thread again instead, as if the signal came again (nothing when that signal
    is ignored by then), from a thread a moment later: from here it would be raised in this hook, and ignored again.
    Any other such exception is reported as Python reports it."""
    if issubclass(unraisable.exc_type, KeyboardInterrupt):
        threading.Timer(_AGAIN_SECONDS, _thread.interrupt_main).start()
    else:
        sys.__unraisablehook__(unraisable)


def _done_with_interrupts() -> None:
    """Let the command, done, end with its exit status (0, 130 when interrupted…), whatever Ctrl+C or stop signal
    comes now or came in its last moments.

    - CPython (3.11) takes a KeyboardInterrupt that left an ``exec`` of source text — dataclasses and namedtuple make
      their methods so, while a module is imported — for one that nobody handled, even when it was handled
      afterwards, and then ends the process by SIGINT, whatever status it was to exit with (a caller saw -2, not 130
      or 0). The next ``exec`` of source text clears that: an empty one.
    - A signal from now on, or one :func:`_interrupt_again` delivers again a moment later, would raise a
      KeyboardInterrupt outside :func:`run` — while standard output is flushed or at the interpreter's exit — and
      end the process by SIGINT too (an ingest stopped by Ctrl+C just as it ended: -2, without a word). Both are
      ignored: the command's work is done and its status known."""
    for stop in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop, signal.SIG_IGN)
    exec("")   # noqa: S102 (nothing is run)


_AGAIN_SECONDS = 0.05   # long enough for the main thread to leave the hook (where the interrupt would be lost)
