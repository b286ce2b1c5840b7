"""What the parse workers' fork server imports (:mod:`sucai.budget`): the ingest, warmed up
(:func:`sucai.ingest.warm_up`), and every format's reader, so that each worker process forked from it
starts ready. The database layer (SQLAlchemy) is not among them: the modules it imports name the store's
classes for type checking only, so no worker holds it.

Then every object made so far is moved out of the garbage collector's reach (``gc.freeze``, as the
Python documentation advises before forking): a worker's collections no longer walk the warmed
tables, and so no longer write to — and copy — the pages it shares with the fork server (measured on
twelve workers of 25 corpus files each: a quarter fewer page faults, 15 % less CPU).

And a worker forked from it no longer runs the parent's main script again. multiprocessing sends each new
process the path or name of the parent's ``__main__`` to run as ``__mp_main__`` (a spawned process may
need what it defines); the fork server was meant to run it once for all its workers (``__main__`` among
the preloaded modules), but CPython before 3.13.8 never passes it the path (CPython issues 126631,
137996), so every worker ran it anew: the ``sucai`` command's script imports the whole CLI — SQLAlchemy
and the web layer among it — 0.5 s of CPU and tens of MB of private memory per worker, a worker every
25 files (a third of the workers' CPU on the corpus, more than any stage of the parse). A worker runs
only what :func:`sucai.budget.run_budgeted` sends it, functions importable by name, so it needs
nothing of ``__main__``: the preparation step leaves it alone.

A worker whose pool was stopped while it was being started (an ingest interrupted as its workers start, or
ending just as one is replaced) finds the pool's semaphores removed already (pebble removes them before it
stops the workers): it ends quietly, with status 1, instead of writing multiprocessing's traceback
(``FileNotFoundError`` in ``SemLock._rebuild``) to the standard error the ingest's command shares.

The fork server is started with Ctrl+C (SIGINT) ignored (:func:`sucai.budget.start_fork_server`): multiprocessing
protects it from Ctrl+C only once its preloaded modules are imported, so a Ctrl+C in the terminal as an ingest started
wrote a traceback of the import it cut short beside the command's 已中断 line (the command itself ends as interrupted
and stops its workers). It stays ignored, in the fork server and in every worker forked from it: a Ctrl+C reaches the
whole process group, and a worker being started as it came wrote multiprocessing's traceback of its start cut short
(``Process pebble_pool_worker: … KeyboardInterrupt``, seen once in 80 interrupted ingests); the batch's own process,
which Ctrl+C interrupts, stops its workers (SIGTERM: :func:`sucai.budget._stop_worker`, which also kills the helper
programs they started — these inherit the ignored SIGINT).
"""

import gc
import importlib
import signal
import traceback
from multiprocessing import spawn, synchronize

from .ingest import warm_up
from .readers import READER_MODULES

_MAIN_KEYS = ("init_main_from_name", "init_main_from_path")
_prepare = spawn.prepare
_start = spawn._main


def _prepare_without_main(data: dict) -> None:
    """multiprocessing's preparation of a new process (``spawn.prepare``: its name, key, path, folder…) but
    for running the parent's ``__main__`` again (see the module docstring)."""
    _prepare({key: value for key, value in data.items() if key not in _MAIN_KEYS})


def _start_unless_pool_stopped(fd: int, parent_sentinel: int) -> int:
    """multiprocessing's start of a forked process (``spawn._main``: read what it is to run, run it; returns its
    exit status), but 1 without a word when the semaphores of its pool are gone (see the module docstring)."""
    try:
        return _start(fd, parent_sentinel)
    except FileNotFoundError as error:
        if traceback.extract_tb(error.__traceback__)[-1].filename != synchronize.__file__:
            raise
        return 1


spawn.prepare = _prepare_without_main   # in this fork server, so in every worker forked from it
spawn._main = _start_unless_pool_stopped

for module in READER_MODULES:  # imported by the readers at their first file otherwise (not in the ingest's process)
    importlib.import_module(module)
warm_up()
gc.freeze()
signal.signal(signal.SIGINT, signal.SIG_IGN)   # what the workers get (see the module docstring)
