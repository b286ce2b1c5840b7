"""The per-file budget: every file is parsed in a worker process with a time and a memory limit.

A parse runs in a worker process (pebble's ProcessPool) started from a fork
server that has the ingest imported and warmed up (:mod:`sucai.preload`: tables
and dictionaries built once, not once per worker); a worker is replaced after
``_TASKS_PER_WORKER`` files, and all of them end with the batch, so their
memory goes back to the system (a web server never keeps a parse's memory).
A new worker costs ≈ 0.04 s of CPU (its start and the fork server's pages it copies as it writes to them), and a
worker's own memory settles near 19 MB after about 100 files of the corpus (9 MB after its first, 29 at most after
400): 100 files, not 25, saves three starts in four for about 5 MB more per worker.
Each worker gets:

- a wall-clock limit (``parse_timeout_seconds``): past it the worker is killed
  and the file ends as 跳过 with the reason;
- an address-space limit (``parse_memory_mb``, ``resource.setrlimit(RLIMIT_AS)``),
  inherited by the programs it starts (Tesseract): an allocation past it fails,
  and the file ends as 跳过;
- a temporary folder of its own (``TMPDIR``), made and removed by the worker,
  or removed by this process when the worker was stopped, and the batch's folder
  that holds them all at the end: a killed parse leaves no temporary file behind, and the folders of a batch
  whose process was killed (SIGKILL, the OOM killer) are removed by the next batch (:func:`scratch_folder`);
- a process group of its own: a stopped worker (past its time, cancelled, at the end of the batch: pebble
  stops it with SIGTERM) kills every process it started and theirs — also one in a session of its own
  (LibreOffice) — before it ends; a worker that died otherwise (a crash, SIGKILL) has its group killed by
  this process: no helper program (Tesseract) outlives the file it was started for;
- an end with its batch: a worker whose batch's process died (SIGKILL, the OOM killer) stops as pebble would
  stop it (:func:`_stop_worker`, :func:`sucai.interrupts.when_parent_ends`) at once — it ran its file on,
  orphaned, with no time limit (the limit is kept by the batch's process), Tesseract page after page beside the
  ingest run again to resume.

A worker that dies otherwise (a crash in a C library) gives 失败. The batch goes
on in every case. Results come back in the order the jobs were given (:func:`run_budgeted`) or as each is done
(:func:`run_budgeted_as_done`). The workers of a
batch run one heavy helper program at a time (:func:`exclusive`: Tesseract, 100 MB each).
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.forkserver
import multiprocessing.util
import os
import resource
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, TimeoutError as FutureTimeout, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import psutil
from filelock import FileLock
from pebble import ProcessExpired, ProcessPool

from .errors import InvalidInput
from .interrupts import held, when_parent_ends
from .memory import give_back_if_grown, map_large_blocks

log = logging.getLogger(__name__)
_PRELOAD = ["sucai.preload"]  # imported once by the fork server, so each worker starts with the ingest warmed up
_TASKS_PER_WORKER = 100  # files one worker parses before it is replaced (see the module docstring)
_IDLE_SECONDS = 1  # how often a caller waiting for a result is told so (``idle``)
_WINDOW_PER_WORKER = 4  # jobs in flight per worker: enough to keep workers busy, few enough to bound memory here
_PAGE = "page"  # in a job's temporary folder: "page pages", what its OCR reads now (see reading_page)
_turn: FileLock | None = None  # in a worker: the lock its batch's workers take for a helper program (see exclusive)


@dataclass(frozen=True)
class Budget:
    """What one file may cost: ``seconds`` of wall-clock time, ``memory_mb`` MB of address space, ``max_pages``
    pages (PDF pages, TIFF frames)."""

    seconds: int = 300
    memory_mb: int = 1024
    max_pages: int = 2000

    @classmethod
    def from_settings(cls, settings) -> Budget:
        return cls(settings.parse_timeout_seconds, settings.parse_memory_mb, settings.parse_max_pages)

    def timeout_reason(self) -> str:
        return f"解析超过每个文件 {self.seconds} 秒的时间上限，已停止（文件可能过大或结构异常）"

    def memory_reason(self) -> str:
        return f"解析超出每个文件 {self.memory_mb} MB 的内存上限，已停止（文件可能过大或结构异常）"

    def panic_reason(self) -> str:
        """What a file's reader or segmenter ending in a panic says (a user sees it: a web 查重 upload's 422), in
        Chinese only — the panic's class is for the operator's log (:func:`_outcome`)."""
        return f"解析组件异常中止，可能超出了每个文件 {self.memory_mb} MB 的内存上限"


class Panicked(Exception):
    """In a worker, a job's exception that is no ``Exception`` (pyo3's ``PanicException``: a Rust extension's
    panic, which a spent address space causes), by its class name — the panic itself cannot be sent back: its
    module ``pyo3_runtime`` cannot be imported to unpickle it."""


def _start_worker(memory_mb: int, turn: str) -> None:
    """Worker initializer: a process group of its own and :func:`_stop_worker` on SIGTERM, the address-space
    limit (soft, so that nothing can raise it), one OCR thread, no Rust backtrace (taken in a spent address space,
    it failed to allocate and hung on a lock until the time limit), large blocks unmapped when freed (a scan's
    page images), and the batch's lock file ``turn`` for :func:`exclusive`."""
    global _turn
    os.setpgid(0, 0)
    signal.signal(signal.SIGTERM, _stop_worker)
    map_large_blocks()
    limit = memory_mb * 2**20
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
    os.environ["OMP_THREAD_LIMIT"] = "1"
    os.environ["RUST_BACKTRACE"] = "0"
    _turn = FileLock(turn)
    when_parent_ends(_stop_worker)   # the batch's process killed (SIGKILL, the OOM killer): stop as pebble would


def _stop_worker(*_) -> None:
    """SIGTERM in a worker (how pebble stops one): kill every process this worker started and their children,
    wherever they are (a session of their own), then the worker's process group with the worker in it. (Its
    temporary folder is removed by the batch's process.) While a helper program runs, the worker waits for it
    in Python, so this handler runs at once."""
    for process in psutil.Process().children(recursive=True):
        with suppress(psutil.Error):
            process.kill()
    os.killpg(0, signal.SIGKILL)


def _kill_group(worker: int) -> None:
    """Kill what is left of the process group of ``worker`` (a dead worker's pid, its group's id): the helper
    programs of a worker that died without :func:`_stop_worker` (a crash, SIGKILL)."""
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(worker, signal.SIGKILL)


@contextmanager
def exclusive(seconds: float = 0) -> Iterator[None]:
    """Run the block when no other worker of this batch runs one: for a helper program that holds much memory
    (Tesseract: 100 MB), one at a time in a whole ingest. ``seconds``: the longest wait (0: no limit). Raises
    TimeoutError when it passes first. Outside a parse worker (a file read in its own process) there is no wait.
    The lock is a file lock (filelock): a worker killed while it holds it releases it."""
    if _turn is None:
        yield
        return
    with _turn.acquire(timeout=seconds or -1):
        yield


def _in_folder(function: Callable, job, folder: str):
    """Run ``function(job)`` with ``folder`` (made here, removed at the end) as the temporary folder of this
    worker and its children. The workers make and remove the folders, in parallel, not the batch's process
    (whose folder operations held up storing); it removes only those of workers that were stopped."""
    give_back_if_grown()   # what the previous result held, sent and freed since
    os.mkdir(folder)
    os.environ["TMPDIR"] = folder
    tempfile.tempdir = folder
    try:
        return function(job)
    except (Exception, KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        raise Panicked(type(exc).__name__) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        give_back_if_grown()   # a large file's memory, freed, not kept by this worker for the files after it


def _context():
    # The fork server runs `python -c`, which puts the current folder first on its path, and Python
    # 3.11 does not pass it the parent's path: started beside a folder named "sucai" (the clone of an
    # editable install) it would import that folder as the package. PYTHONSAFEPATH (3.11+) stops it.
    os.environ.setdefault("PYTHONSAFEPATH", "1")
    _socket_folder()
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    start_fork_server()
    return context


_SOCKET_PATH_MAX = 107   # bytes in the path of an AF_UNIX socket (Linux's sun_path holds 108 with the final NUL)
_SHORT_TEMP = ("/tmp", "/var/tmp")   # where the socket's folder goes when the temporary folder's path is too long
_SOCKET_PREFIX = "sucai-socket-"     # the folder that holds the fork server's socket folder, named by its process


def _socket_folder() -> str:
    """The folder of the fork server's socket (``listener-XXXXXXXX``): multiprocessing's private folder of this
    process (``pymp-XXXXXXXX``, mode 0700, removed when the process ends), made in a folder named by this process
    (``sucai-socket-{pid}-XXXXXXXX``, removed after it) — in :func:`tempfile.gettempdir`, or in /tmp (else
    /var/tmp) when the socket's path there would pass 107 bytes: a TMPDIR of more than about 75 characters made
    every parse fail (what Python 3.14 does, gh-132124). An ingest killed by SIGKILL leaves its folder: those of
    this user's processes that no longer run are removed when the next one is made (:func:`_sweep`). Made at the
    first call, the same after (when this process had a private folder already, that one). Raises InvalidInput
    (``bad_tmpdir``) when no folder short enough can be written."""
    named = f"{_SOCKET_PREFIX}{os.getpid()}-XXXXXXXX"

    def fits(folder: str) -> bool:
        return len(os.fsencode(os.path.join(folder, "listener-XXXXXXXX"))) <= _SOCKET_PATH_MAX

    base = tempfile.gettempdir()
    if not fits(os.path.join(base, named, "pymp-XXXXXXXX")):
        base = next((short for short in _SHORT_TEMP if os.access(short, os.W_OK | os.X_OK)), base)
    _sweep(base, _SOCKET_PREFIX)
    ours = tempfile.mkdtemp(prefix=named[:-8], dir=base)
    saved, tempfile.tempdir = tempfile.tempdir, ours
    try:
        folder = multiprocessing.util.get_temp_dir()
    finally:
        tempfile.tempdir = saved
    if os.path.dirname(folder) == ours:   # after multiprocessing's own removal of its folder (priority -100)
        multiprocessing.util.Finalize(None, shutil.rmtree, args=(ours,), kwargs={"ignore_errors": True},
                                      exitpriority=-101)
    else:                                 # made before: ours is not needed
        os.rmdir(ours)
    if not fits(folder):
        raise InvalidInput(f"临时目录 {tempfile.gettempdir()} 的路径太长，解析进程无法在其中建立通信套接字"
                           f"（路径上限 {_SOCKET_PATH_MAX} 字节），/tmp 也不可用：请把环境变量 TMPDIR 设为较短的目录",
                           code="bad_tmpdir")
    return folder


def start_early() -> None:
    """Start the fork server now, with the readers imported, instead of at the first file: a long-lived process
    (the watch folder) calls it once, so that its first file is not kept waiting seconds for the imports."""
    _context()


def start_fork_server() -> None:
    """Start the parse workers' fork server unless it runs (multiprocessing's ``ensure_running``), with Ctrl+C
    (SIGINT) ignored in it until :mod:`sucai.preload` has loaded (see there): ignored in this process while the
    server is started (a few milliseconds: the one disposition a started program inherits), then handled again.
    From another thread than the main one (an upload of the web server), where no disposition can be set, it is
    started as it is."""
    main = threading.current_thread() is threading.main_thread()
    before = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        multiprocessing.forkserver.ensure_running()
    finally:
        if main:   # None: a handler not set from Python, so none of ours
            signal.signal(signal.SIGINT, signal.SIG_DFL if before is None else before)


def stop_fork_server() -> None:
    """Stop the parse workers' fork server when it runs and no worker of it does (a pool of this process alive:
    left running), so that the memory of what it preloaded (:mod:`sucai.preload`: the segmenter's dictionary, the
    readers; 65–90 MB of a corpus ingest's) goes back to the system; a later parse starts it again
    (:func:`start_fork_server`: a second of CPU). For a process that parses nothing more (the ``sucai ingest``
    command once its last file is parsed). multiprocessing has no public way to stop it: this is its own
    (``ForkServer._stop``, which CPython's tests use), skipped where a Python lacks it."""
    server = multiprocessing.forkserver._forkserver
    pid, stop = getattr(server, "_forkserver_pid", None), getattr(server, "_stop", None)
    if pid is None or stop is None:
        return
    if _workers_alive(pid):   # stopping would wait for them: every worker holds its "alive" pipe open
        return
    with held():
        stop()


def _workers_alive(server: int) -> bool:
    """Whether a process forked from the fork server ``server`` (its pid) runs (an exited one not yet waited for
    does not)."""
    def running(process: psutil.Process) -> bool:
        with suppress(psutil.NoSuchProcess):
            return process.status() != psutil.STATUS_ZOMBIE
        return False

    with suppress(psutil.NoSuchProcess):
        return any(map(running, psutil.Process(server).children()))
    return False


def reading_page(page: int, pages: int) -> None:
    """In a parse worker: its file's page ``page`` (from 1) of ``pages`` is being read now (OCR, a page takes
    seconds), for the batch's progress (``idle`` of :func:`run_budgeted`): written to the job's temporary folder,
    a new file put in place of the last. Outside a worker (a file read in its own process) nothing."""
    if _turn is None:
        return
    told = os.path.join(tempfile.gettempdir(), _PAGE)
    with open(told + ".new", "w", encoding="ascii") as handle:
        handle.write(f"{page} {pages}")
    os.replace(told + ".new", told)


def _page_of(folder: str) -> tuple[int, int] | None:
    """``(page, pages)`` last told by the job of ``folder`` (:func:`reading_page`), None when none was."""
    with suppress(OSError, ValueError):
        with open(os.path.join(folder, _PAGE), encoding="ascii") as handle:
            page, pages = map(int, handle.read().split())
            return page, pages
    return None


def run_budgeted(function: Callable, jobs: Iterable, budget: Budget, workers: int,
                 idle: Callable[[object, tuple[int, int] | None], None] | None = None) -> Iterator:
    """Yield ``function(job)`` for each job, in order, each computed in a worker process within ``budget``.

    ``function`` must be importable by name (it is pickled) and catch its own
    errors. When a worker is stopped, the result is ``(status, reason)``
    instead: status "skipped" (time or memory limit) or "failed" (the worker
    died), with a Chinese reason. ``jobs`` is consumed lazily, a few jobs per
    worker ahead. ``idle(job, page)``, when given, is called while waiting for a result that is not ready, every
    ``_IDLE_SECONDS`` (the caller's chance to do work of its own meanwhile, and to show what is being read):
    ``job`` is the one waited for, ``page`` the ``(page, pages)`` its worker reads now (:func:`reading_page`) or None.
    """
    for _, result in _budgeted(function, jobs, budget, workers, idle, in_order=True):
        yield result


def run_budgeted_as_done(function: Callable, jobs: Iterable, budget: Budget, workers: int,
                         idle: Callable[[object, tuple[int, int] | None], None] | None = None
                         ) -> Iterator[tuple[int, object]]:
    """As :func:`run_budgeted`, but each result as soon as it is ready, with the job's place in ``jobs`` (from 0):
    ``(number, result)``, so that one slow file (a scan's OCR) holds none of the files behind it. Of results ready
    together, the earliest job's comes first; ``idle`` is told of the earliest job not done."""
    return _budgeted(function, jobs, budget, workers, idle, in_order=False)


def _budgeted(function: Callable, jobs: Iterable, budget: Budget, workers: int,
              idle: Callable[[object, tuple[int, int] | None], None] | None, in_order: bool
              ) -> Iterator[tuple[int, object]]:
    """``(number, result)`` of each job: in order (``in_order``) or as each is done (see the two callers).

    Every call into pebble and into the futures is made with Ctrl+C and SIGTERM held (:func:`sucai.interrupts.held`):
    a KeyboardInterrupt raised inside their code (a ``Condition`` half notified, a lock taken and never given
    back) left the pool's scheduler thread waiting for ever, and the ingest with it, as it ended. The caller's
    code — ``jobs``, ``idle``, whatever runs between two results — is interrupted as the caller allows; a wait is
    at most ``_IDLE_SECONDS``, so a held signal is taken within that."""
    pending: dict[int, tuple] = {}   # number → (future, folder, job), in the order the jobs were given

    def ready() -> int | None:
        first = next(iter(pending))
        if in_order:
            return first if pending[first][0].done() else None
        return next((number for number, (future, _, _) in pending.items() if future.done()), None)

    def next_result() -> tuple[int, object]:
        while True:
            with held():
                if (number := ready()) is not None:
                    future, folder, _ = pending.pop(number)
                    return number, _outcome(future, folder, budget)
                first_future, folder, job = next(iter(pending.values()))
            if idle is not None:
                idle(job, _page_of(folder))
            with held():
                futures = [first_future] if in_order else [entry[0] for entry in pending.values()]
                wait(futures, timeout=_IDLE_SECONDS, return_when=FIRST_COMPLETED)

    with scratch_folder("sucai-parse-") as root:
        with held():
            pool = ProcessPool(max_workers=max(1, workers), max_tasks=_TASKS_PER_WORKER, initializer=_start_worker,
                               initargs=(budget.memory_mb, os.path.join(root, "exclusive.lock")), context=_context())
        try:
            for number, job in enumerate(jobs):
                folder = os.path.join(root, f"sucai-parse-{number}")  # each job's folder is made by its worker
                with held():
                    pending[number] = (pool.schedule(_in_folder, (function, job, folder), timeout=budget.seconds),
                                       folder, job)
                if len(pending) >= _WINDOW_PER_WORKER * workers:
                    yield next_result()
            while pending:
                yield next_result()
        finally:
            with held():
                for future, _, _ in pending.values():  # the caller stopped early, or was interrupted
                    future.cancel()
                pool.stop()  # no task is left to wait for: its workers are stopped, its threads end
                pool.join()


@contextmanager
def scratch_folder(prefix: str, also: Callable[[Path], None] | None = None) -> Iterator[str]:
    """A new temporary folder ``{prefix}{pid}-…`` (in :func:`tempfile.gettempdir`), removed with all it holds on
    leaving; the folders of the same prefix that processes no longer running left there are removed first
    (:func:`_sweep`), ``also(folder)`` called for each before it goes (to remove what the process left elsewhere)."""
    _sweep(tempfile.gettempdir(), prefix, also)
    folder = tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-")
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _sweep(base: str, prefix: str, also: Callable[[Path], None] | None = None) -> None:
    """Remove the folders ``{prefix}{pid}-…`` in ``base`` that this user's processes left and that no longer run
    (an ingest killed by SIGKILL or the OOM killer never reaches its ``finally`` nor its exit handlers), each after
    ``also(folder)``; a folder of a running process — another ingest's — or of another user is left alone."""
    for left in Path(base).glob(f"{prefix}*-*"):
        owner = left.name[len(prefix):].split("-", 1)[0]
        with suppress(OSError):
            if owner.isdigit() and not psutil.pid_exists(int(owner)) and left.stat().st_uid == os.getuid():
                if also:
                    also(left)
                shutil.rmtree(left, ignore_errors=True)


def _outcome(future, folder: str, budget: Budget):
    try:
        return future.result()  # the worker removed its folder
    except FutureTimeout:
        return "skipped", budget.timeout_reason()
    except MemoryError:
        return "skipped", budget.memory_reason()
    except Panicked as exc:
        log.warning("解析组件异常中止（%s）", exc)
        return "failed", budget.panic_reason()
    except BrokenProcessPool as exc:
        log.error("解析进程池已损坏：%s", exc)
        return "failed", ("无法启动解析进程；在自己的脚本中调用时，请把入口代码放在 "
                          "if __name__ == \"__main__\": 之下")
    except ProcessExpired as exc:
        _kill_group(exc.pid)
        return "failed", f"解析进程意外退出（退出码 {exc.exitcode}），可能超出了每个文件 {budget.memory_mb} MB 的内存上限"
    finally:
        if future.exception() is not None:  # a stopped worker left its folder
            shutil.rmtree(folder, ignore_errors=True)
