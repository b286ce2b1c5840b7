"""Ctrl+C (SIGINT) and SIGTERM taken where the work can stop cleanly.

CPython raises a signal's exception between any two bytecodes of the main thread: inside ``threading`` and
``queue``, whose locks it then leaves taken (bpo-29988: a process pool's scheduler then waits for ever), and
inside a database driver's wait for an answer — psycopg then cancels the statement, and SQLAlchemy, checking the
connection back in, finds it still busy and raises an error of its own in place of the KeyboardInterrupt
(``ProgrammingError: can't change 'autocommit' now``): an ingest interrupted on PostgreSQL ended as an 内部错误,
or with a file 失败 and the Ctrl+C lost. :func:`held` records the two signals while a block runs and takes them
where the block says it can stop, and as it ends.

A process that multiprocessing started and that works on its own — a parse worker, a web server's worker, the
watcher beside a server — ends with the process that started it (:func:`when_parent_ends`): killed by SIGKILL or
the OOM killer, that process stops nothing, and its children ran on orphaned (a scan's OCR with no time limit,
a server's workers answering on its port, a watcher ingesting). A program it runs goes with it the same way
(:func:`dying_with_parent`: LibreOffice, pg_dump, pg_restore).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import shutil
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def held() -> Iterator[Callable[[], None]]:
    """Hold Ctrl+C (SIGINT) and SIGTERM while the block runs; the block gets ``take()``, to call where it can stop.

    ``take()`` delivers the first signal that came since (the others are dropped: either stops) to the handler
    that was set before the block — Python's default raises KeyboardInterrupt for SIGINT there —, and the block
    holds again after it if that handler returned. As the block ends the handlers are put back and a signal still
    held is delivered the same way. Nested, an inner block delivers to the outer one, which holds it. Outside the
    main thread, where signals are neither handled nor set, the block runs as it is and ``take()`` does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield _nothing
        return
    came: list[int] = []

    def record(signum: int, _frame) -> None:
        came.append(signum)

    before = {signum: signal.signal(signum, record) for signum in _SIGNALS}

    def take() -> None:
        if not came:
            return
        signum = came[0]
        came.clear()
        signal.signal(signum, _handler(before[signum]))
        signal.raise_signal(signum)   # the handler runs now, in this call
        signal.signal(signum, record)

    try:
        yield take
    finally:
        for signum, handler in before.items():
            signal.signal(signum, _handler(handler))
        if came:
            signal.raise_signal(came[0])


def _handler(handler):
    """A handler as :func:`signal.signal` takes it back (None: one not set from Python, so none of ours)."""
    return signal.SIG_DFL if handler is None else handler


def _nothing() -> None:
    """``take()`` outside the main thread."""


def when_parent_ends(stop: Callable[[], None]) -> None:
    """Call ``stop`` (in a thread of its own) as soon as the process that started this one through multiprocessing
    has ended — its end of their pipe closed (``parent_process().sentinel``), however it ended. Nothing in a process
    multiprocessing did not start. ``stop`` is how the process is stopped otherwise (a stop signal sent to itself,
    a worker's own cleanup)."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    sentinel = parent.sentinel

    def wait_for_the_parent() -> None:
        multiprocessing.connection.wait([sentinel])
        stop()

    threading.Thread(target=wait_for_the_parent, name="sucai-parent-watch", daemon=True).start()


def dying_with_parent(command: list[str]) -> list[str]:
    """``command`` (a program and its arguments) run under ``setpriv --pdeathsig KILL --`` (util-linux; the kernel's
    ``PR_SET_PDEATHSIG``): killed when the process that starts it dies — SIGKILL, the OOM killer —, not left running
    orphaned. The signal comes when the starting *thread* ends: start it from a thread that lives while it runs (a
    command's main thread, a parse worker's). ``command`` as it is where setpriv is not installed."""
    return ["setpriv", "--pdeathsig", "KILL", "--", *command] if shutil.which("setpriv") else command


def stop_self() -> None:
    """Send this process SIGTERM, the stop signal it handles as a service stopped (:func:`when_parent_ends`)."""
    os.kill(os.getpid(), signal.SIGTERM)
