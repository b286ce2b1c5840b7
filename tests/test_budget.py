"""Issue 11, readers' items, written as attacks: #5 (a time budget per file, temp files always removed),
#6 (memory on many-page PDFs, web uploads parsed in a child process), #10 (bounded .docx work, honest skip
reasons). Each fails on sucai 0.1: there the file is parsed in the caller's process without limits.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import multiprocessing.forkserver
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import psutil
import pytest
from click.testing import CliRunner

from fixtures import docx_bytes, image_bytes, make_cjk_pdf, new_document, render_page
from sucai import budget, index
from sucai.budget import Budget, _socket_folder, exclusive, reading_page, run_budgeted, run_budgeted_as_done
from sucai.cli import app
from sucai.config import load_settings
from sucai.errors import ReadError
from sucai.library import Library
from sucai.readers import read_bytes
from sucai.search import SearchRequest
from sucai.web.app import create_app
from test_formats import needs_font, needs_tesseract

HAN = "为加强农业用水管理提高效率根据有关法律法规结合本省实际制定标准适用于全灌区定额编制和"


def many_page_pdf(pages: int, seed: int = 1) -> bytes:
    """A PDF of ``pages`` full pages of different Chinese text (32 lines of 31 characters each)."""
    rng = random.Random(seed)
    return make_cjk_pdf([[(72, 780 - 22 * i, "".join(rng.choice(HAN) for _ in range(30)) + "。") for i in range(32)]
                         for _ in range(pages)])


def parse_folders() -> set[str]:
    """The batch folders of this process (other processes on the machine run batches of their own)."""
    return {p.name for p in Path(tempfile.gettempdir()).glob(f"sucai-parse-{os.getpid()}-*")}


def ingest(home: Path, files: dict[str, bytes], **settings):
    folder = home.parent / "in"
    folder.mkdir(exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    library = Library.open(home, **settings)
    return library, {Path(o.path).name: o for o in library.ingest([folder / name for name in files]).outcomes}


# --- #5: a time budget on each file; the batch goes on; no temporary file is left ---------------------------------

def test_a_file_over_its_time_budget_is_skipped_and_the_batch_goes_on(home):
    before = parse_folders()
    library, outcomes = ingest(home, {"a.txt": "关于开展自查的通知\n各单位：请按要求开展自查。".encode(),
                                      "长文件.pdf": many_page_pdf(300), "z.txt": "第二份通知\n请各单位按时报送。".encode()},
                               parse_timeout_seconds=1)
    assert outcomes["长文件.pdf"].status == "skipped"
    assert outcomes["长文件.pdf"].reason == "解析超过每个文件 1 秒的时间上限，已停止（文件可能过大或结构异常）"
    assert outcomes["a.txt"].status == outcomes["z.txt"].status == "ingested"
    assert parse_folders() <= before


# Jobs for the budget itself (run in the worker processes, so defined at module level).
def _job(kind: str):
    if kind == "hog":
        return len(bytearray(900 * 2**20))  # past a 512 MB address space
    if kind == "crash":
        os._exit(3)
    if kind == "panic":   # pyo3's PanicException: a BaseException whose module ("pyo3_runtime") cannot be imported
        raise type("PanicException", (BaseException,), {})("PyObject pointer is null")
    if kind == "backtrace":
        return os.environ.get("RUST_BACKTRACE")
    if kind == "temp":
        handle = tempfile.NamedTemporaryFile(delete=False)  # left behind on purpose: the budget must remove it
        return Path(handle.name).parent.name
    return kind


def test_memory_limit_and_a_crashing_worker_end_as_outcomes_and_the_batch_goes_on():
    budget = Budget(seconds=60, memory_mb=512)
    before = parse_folders()
    results = list(run_budgeted(_job, ["ok", "hog", "crash", "temp", "last"], budget, 2))
    assert results[0] == "ok" and results[4] == "last"
    assert results[1] == ("skipped", "解析超出每个文件 512 MB 的内存上限，已停止（文件可能过大或结构异常）")
    assert results[2][0] == "failed" and "退出码 3" in results[2][1]
    assert results[3].startswith("sucai-parse-")  # the worker's temporary folder…
    assert parse_folders() <= before  # …is gone, with what was left in it


def test_a_rust_panic_in_a_worker_ends_as_an_outcome_and_the_batch_goes_on(caplog):
    """Attack 19b: a 42 MB one-line page spent a worker's address space inside the Rust segmenter, whose binding
    (pyo3) raised PanicException — a BaseException, past ``except Exception``, that the worker could not send
    back (PicklingError): the whole ingest stopped, 内部错误, exit 1. It is now the file's outcome, said in Chinese
    only (fix30: a web 查重 upload showed 「（PanicException）」 in its 422); the class is in the operator's log."""
    with caplog.at_level(logging.WARNING, logger="sucai.budget"):
        results = list(run_budgeted(_job, ["ok", "panic", "last"], Budget(seconds=60, memory_mb=512), 2))
    assert results == ["ok", ("failed", "解析组件异常中止，可能超出了每个文件 512 MB 的内存上限"), "last"]
    assert [r.getMessage() for r in caplog.records] == ["解析组件异常中止（PanicException）"]


def test_a_worker_takes_no_rust_backtrace_whatever_the_operator_set(monkeypatch):
    """Attack 19b: with RUST_BACKTRACE=1 in the operator's shell, the panic above tried to take a backtrace in a
    worker whose address space was spent, failed to allocate, and hung on a lock: the file held its worker for the
    whole time budget (300 s) instead of ending at once. A worker takes none (the message still says what panicked)."""
    monkeypatch.setenv("RUST_BACKTRACE", "1")
    assert list(run_budgeted(_job, ["backtrace"], Budget(seconds=60, memory_mb=512), 1)) == ["0"]


def _held(job: str | Path) -> str:
    """A job that holds its worker until the file ``job`` exists (at most 60 s: then "not released"); others are
    done at once."""
    if isinstance(job, str):
        return job
    deadline = time.monotonic() + 60
    while not job.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return "released" if job.exists() else "not released"


def test_results_as_done_a_slow_job_holds_none_behind_it(tmp_path):
    """A scan's OCR held the files behind it unstored (issue 17): as done, the jobs behind a job that holds its
    worker come back first, each with its place in the input — the held job is released only once they came
    back, so in input order it would wait for nothing and end "not released" —, and the caller waiting is told
    of the earliest job not done."""
    release = tmp_path / "release"
    jobs = [release, "a", "b", "c"]
    got, told = [], set()
    for number, result in run_budgeted_as_done(_held, jobs, Budget(seconds=120), 2,
                                               idle=lambda job, page: told.add(job)):
        got.append((number, result))
        if len(got) == 3:
            release.touch()
    assert got == [(1, "a"), (2, "b"), (3, "c"), (0, "released")]
    assert release in told


class _InterruptedPool(budget.ProcessPool):
    """pebble's pool, with a Ctrl+C (SIGINT to this process) arriving inside its ``schedule`` of the second job,
    before the task is queued; ``calls`` tells how far each ``schedule`` got."""
    calls: list[str] = []

    def schedule(self, function, args=(), kwargs={}, timeout=None):
        if len(self.calls) == 2:
            os.kill(os.getpid(), signal.SIGINT)
            self.calls.append("interrupted")
        future = super().schedule(function, args, kwargs, timeout)
        self.calls.append("scheduled")
        return future


def test_a_ctrl_c_inside_pebble_is_taken_once_its_call_is_done_and_the_batch_still_ends(monkeypatch):
    """A KeyboardInterrupt raised inside pebble's code (its queue's Condition half notified) left its scheduler
    thread waiting for ever, and an ingest stopped by Ctrl+C as it started never ended (seen once in 70 runs of
    the CLI's Ctrl+C test): the signal is now taken when pebble's call is done — the task queued — and the batch
    ends with the KeyboardInterrupt, its folders removed."""
    monkeypatch.setattr(budget, "ProcessPool", _InterruptedPool)
    monkeypatch.setattr(_InterruptedPool, "calls", [])
    before_handler = signal.signal(signal.SIGINT, signal.default_int_handler)
    before = parse_folders()
    try:
        with pytest.raises(KeyboardInterrupt):
            list(run_budgeted(_job, ["a", "b", "c", "d"], Budget(seconds=60), 1))
    finally:
        signal.signal(signal.SIGINT, before_handler)
    assert _InterruptedPool.calls == ["scheduled", "scheduled", "interrupted", "scheduled"]
    assert parse_folders() <= before
    assert signal.getsignal(signal.SIGINT) is before_handler


def _exit_with_interrupt_disposition() -> None:
    sys.exit(0 if signal.getsignal(signal.SIGINT) is signal.SIG_IGN else 1)


def test_a_worker_leaves_ctrl_c_to_the_batch_that_stops_it():
    """A Ctrl+C reaches the whole process group: a parse worker being started as it came (before pebble's own code
    ignores SIGINT) wrote multiprocessing's traceback beside the ingest's 已中断 line. A process forked from the
    fork server starts with SIGINT ignored (exit status 0 here; 1 if it is handled); the batch's process stops it."""
    process = budget._context().Process(target=_exit_with_interrupt_disposition)
    process.start()
    process.join(60)
    assert process.exitcode == 0


def _pages(pages: int) -> int:
    for page in range(1, pages + 1):
        reading_page(page, pages)
        time.sleep(1)
    return pages


def test_the_caller_waiting_for_a_job_is_told_the_page_its_worker_reads(monkeypatch):
    """A scan's OCR takes seconds a page; the batch's process is told, while it waits for a job, which page of how
    many the job's worker reads (review 14: a frozen bar for minutes). Outside a worker nothing is written. The
    caller looks every 50 ms here (a page lasts 1 s: twenty looks; at the default second, a loaded machine's late
    look could pass over a page of 2.5 s)."""
    monkeypatch.setattr(budget, "_IDLE_SECONDS", 0.05)
    told = []
    assert list(run_budgeted(_pages, [3], Budget(seconds=120), 1, idle=lambda job, page: told.append((job, page)))) == [3]
    assert {job for job, _ in told} == {3}
    assert [page for page in dict.fromkeys(page for _, page in told) if page] == [(1, 3), (2, 3), (3, 3)]
    before = set(Path(tempfile.gettempdir()).iterdir())
    reading_page(1, 3)
    assert set(Path(tempfile.gettempdir()).iterdir()) == before


_KILLED_BATCH = """
import sys, time
from sucai.budget import Budget, run_budgeted
for _ in run_budgeted(time.sleep, [600], Budget(seconds=900), 1):
    pass
"""


@pytest.mark.parametrize("deep", [False, True])
def test_the_temporary_folder_of_a_killed_batch_is_removed_by_the_next_one(tmp_path, monkeypatch, deep):
    """An ingest killed by SIGKILL (or the OOM killer) never reaches its ``finally`` nor its exit handlers: its
    batch folder stays in the temporary directory, and so did the folder of its fork server's socket (an empty
    ``pymp-*`` nobody could tell from another process's: in /tmp with a TMPDIR too long for a socket, ``deep``),
    until the next batch removes them; another running process's folders are left alone."""
    _socket_folder()   # this process's own, made where its tests' batches have it: not in ``temp`` below
    temp = tmp_path / ("很长的临时目录" * 6) if deep else Path(tempfile.mkdtemp(dir="/tmp"))   # short: sockets fit
    temp.mkdir(exist_ok=True)
    sockets = Path("/tmp") if deep else temp
    killed = subprocess.Popen([sys.executable, "-c", _KILLED_BATCH], env={**os.environ, "TMPDIR": str(temp)})
    deadline = time.monotonic() + 120
    while not list(temp.glob(f"sucai-parse-{killed.pid}-*/sucai-parse-0")) and time.monotonic() < deadline:
        time.sleep(0.2)
    left, socket = (list(temp.glob(f"sucai-parse-{killed.pid}-*")),
                    list(sockets.glob(f"sucai-socket-{killed.pid}-*/pymp-*")))   # the killed process's, named by it
    family = psutil.Process(killed.pid).children(recursive=True)
    killed.kill()
    killed.wait()
    for process in family:   # its fork server and worker, which end with it: not left to the next batch
        process.kill()
    psutil.wait_procs(family, timeout=30)
    [left], [socket] = left, socket
    running = subprocess.Popen(["sleep", "60"])
    try:
        others = [temp / f"sucai-parse-{running.pid}-other", sockets / f"sucai-socket-{running.pid}-other"]
        for other in others:
            other.mkdir()
        monkeypatch.setattr(tempfile, "tempdir", str(temp))
        assert list(run_budgeted(_job, ["ok"], Budget(seconds=60), 1)) == ["ok"]
        assert not left.exists() and not socket.parent.exists()
        assert [p.name for p in temp.glob("sucai-parse-*")] == [others[0].name]
        assert sorted(sockets.glob(f"sucai-socket-{running.pid}-*")) == [others[1]]
        assert list(temp.glob("pymp-*")) == []
    finally:
        running.kill()
        for other in others:
            other.rmdir()
        if not deep:
            shutil.rmtree(temp)   # the socket folder of this process's batch, if it made one, goes with it


_KILLED_WHILE_A_HELPER_RUNS = """
import subprocess
from sucai.budget import Budget, run_budgeted
for _ in run_budgeted(subprocess.call, [["sleep", "600"]], Budget(seconds=900), 1):
    pass
"""


def test_the_worker_of_a_killed_batch_and_its_helper_program_end_with_it():
    """An ingest killed by SIGKILL (the OOM killer) as a worker read a scan left that worker running its file on,
    orphaned — its time limit kept by the dead process —, Tesseract page after page for minutes beside the ingest
    run again to resume, and the fork server with it (ops21)."""
    killed = subprocess.Popen([sys.executable, "-c", _KILLED_WHILE_A_HELPER_RUNS])
    family = []
    try:
        deadline = time.monotonic() + 120
        while not any(process.name() == "sleep" for process in family) and time.monotonic() < deadline:
            time.sleep(0.2)   # the fork server, the worker and its helper program
            family = psutil.Process(killed.pid).children(recursive=True)
        killed.kill()
        killed.wait()
        # bounded only against a hang: the worker stops at once, its helper with it, then the fork server
        _, alive = psutil.wait_procs(family, timeout=30)
        assert alive == []
    finally:
        killed.kill()
        for process in family:
            with contextlib.suppress(psutil.Error):
                process.kill()


def test_files_are_parsed_under_a_temporary_folder_too_long_for_a_socket(tmp_path):
    """With a TMPDIR of more than about 75 characters every parse failed (内部错误：BrokenProcessPool, attack 14):
    the fork server's socket, in a folder of the temporary folder, passed the 107 bytes a socket's path holds. It
    goes to a private folder in /tmp then; the workers' own folders stay in TMPDIR."""
    long = tmp_path / ("很长的临时目录" * 6)   # 126 bytes more than tmp_path
    long.mkdir()
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "通知.txt").write_text("关于开展安全生产检查的通知\n各单位：请于本月底前完成自查。\n", encoding="utf-8")
    ingesting = subprocess.Popen([sys.executable, "-m", "sucai", "ingest", str(tmp_path / "in"), "--json"],
                                 env={**os.environ, "TMPDIR": str(long), "SUCAI_HOME": str(tmp_path / "home")},
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = ingesting.communicate(timeout=600)
    assert ingesting.returncode == 0, err
    assert json.loads(out)["counts"]["ingested"] == 1
    assert list(long.iterdir()) == []   # the batch's folder was there, and is removed
    assert list(Path("/tmp").glob(f"sucai-socket-{ingesting.pid}-*")) == []   # so is the socket's, at exit
    refused = subprocess.run([sys.executable, "-c", "from sucai import budget\nbudget._SHORT_TEMP = ()\n"
                              "try:\n    budget._socket_folder()\nexcept budget.InvalidInput as error:\n"
                              "    print(error.code, error.message)"],
                             env={**os.environ, "TMPDIR": str(long)}, capture_output=True, text=True, timeout=120)
    assert refused.stdout == (f"bad_tmpdir 临时目录 {long} 的路径太长，解析进程无法在其中建立通信套接字（路径上限 107 字节），"
                              "/tmp 也不可用：请把环境变量 TMPDIR 设为较短的目录\n")


def _fork_server() -> int | None:
    """The pid of this process's fork server of the parse workers when it runs, else None."""
    pid = multiprocessing.forkserver._forkserver._forkserver_pid
    return pid if pid is not None and psutil.pid_exists(pid) else None


def test_the_ingest_command_stops_the_fork_server_before_its_last_commit_and_a_later_ingest_starts_it(home,
                                                                                                    monkeypatch):
    """Issue 16: an ingest's peak of memory is its index's commit merging segments (the segment files read
    through a memory map) beside the fork server's preloaded readers and dictionary (65–90 MB of the corpus's).
    ``sucai ingest`` parses nothing after its batch: its fork server is stopped before the index's last commit
    (told by the index's give-back of memory, called as the writer has committed) — and an ingest after it in
    the same process (a demo's web server's upload) starts it again."""
    running_at_commit = []
    real = index.give_back
    monkeypatch.setattr(index, "give_back", lambda: running_at_commit.append(_fork_server() is not None) or real())
    folder = home.parent / "in"
    folder.mkdir()
    (folder / "通知.txt").write_text("关于开展安全生产检查的通知\n各单位：请于本月底前完成自查。\n", encoding="utf-8")
    (folder / "意见.txt").write_text("关于加强农田水利建设的意见\n各县：请按要求推进灌区改造。\n", encoding="utf-8")
    done = CliRunner().invoke(app, ["ingest", str(folder), "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["counts"]["ingested"] == 2
    assert running_at_commit[-2:] == [False, False]   # the last commit's, after the writer's commit and its reload
    assert _fork_server() is None
    (folder / "报告.txt").write_text("关于乡村振兴工作情况的报告\n今年以来，全县扎实推进乡村振兴。\n", encoding="utf-8")
    library = Library.open(home)
    assert library.ingest([folder]).counts["ingested"] == 1
    assert running_at_commit[-1] and _fork_server() is not None   # started again, and left running (not asked)
    assert [hit.title for hit in library.search(SearchRequest(q="乡村振兴")).hits] == ["关于乡村振兴工作情况的报告"]


def test_the_fork_server_is_left_running_while_a_pool_of_this_process_has_workers(tmp_path):
    """Stopping the fork server waits for every worker forked from it (each holds its "alive" pipe open): asked
    while a batch of this process runs, it is left alone instead of waiting for that batch's end, and the batch
    goes on."""
    release = tmp_path / "release"
    batch = run_budgeted_as_done(_held, ["a", release, "b"], Budget(seconds=120), 2)
    assert next(batch) == (0, "a")
    server = _fork_server()
    asked = threading.Thread(target=budget.stop_fork_server, daemon=True)
    asked.start()
    asked.join(10)
    alive = asked.is_alive()
    release.touch()
    assert sorted(batch) == [(1, "released"), (2, "b")]
    assert not alive and server is not None and _fork_server() == server



def _turns(kind: str):
    """A job that takes the batch's turn for a helper program: when it held it (monotonic seconds), or dies in it."""
    with exclusive():
        began = time.monotonic()
        if kind == "die":
            os._exit(3)  # a worker killed while it holds the turn must not keep the others waiting
        time.sleep(0.3)
        return began, time.monotonic()


def test_workers_of_a_batch_take_turns_for_a_helper_program_and_a_dead_worker_gives_its_turn_back():
    """Issue 16: one Tesseract at a time in a whole ingest — two at once set its peak memory."""
    results = list(run_budgeted(_turns, ["run", "die", "run", "run", "run"], Budget(seconds=60), 2))
    assert results[1][0] == "failed"
    spans = sorted(results[:1] + results[2:])
    assert all(end <= next_start for (_, end), (next_start, _) in zip(spans, spans[1:])), spans

# --- attack 12, find 2: a helper program never outlives its file's budget --------------------------------------

_MARK = "SUCAI_TEST_BUDGET_TREE"


def _starts_helpers(job: tuple[str, str]):
    """A job that starts long-running programs, each marked in its environment with ``job[1]``: a child with a
    child of its own; then overruns its time, with one more in a session of its own (as LibreOffice runs), or
    dies (a crash: what it started is found by its process group then, a session of its own is out of reach)."""
    kind, mark = job
    env = {**os.environ, _MARK: mark}
    subprocess.Popen(["sh", "-c", "sleep 600 & sleep 600"], env=env)
    if kind == "crash":
        time.sleep(0.5)
        os._exit(3)
    subprocess.Popen(["sleep", "600"], env=env, start_new_session=True)
    time.sleep(600)


def _marked(mark: str) -> list[int]:
    """Live processes (not zombies) whose environment holds ``_MARK=mark``."""
    found = []
    for process in psutil.process_iter():
        try:
            if process.status() != psutil.STATUS_ZOMBIE and process.environ().get(_MARK) == mark:
                found.append(process.pid)
        except psutil.Error:
            pass
    return found


@pytest.mark.parametrize("kind", ["overrun", "crash"])
def test_no_program_a_stopped_worker_started_outlives_it(kind):
    """Tesseract ran on for minutes, orphaned, after its worker was killed at the deadline (a 2 MB scan through
    POST /api/check with no account): pebble killed the worker, not what it had started."""
    mark = f"{os.getpid()}-{kind}-{time.monotonic_ns()}"
    try:
        [result] = run_budgeted(_starts_helpers, [(kind, mark)], Budget(seconds=3), 1)
        assert result[0] == ("skipped" if kind == "overrun" else "failed")
        # a killed process is a zombie until init collects it, and one a loaded machine has not yet scheduled to die
        # still runs a moment: not one may run on (they sleep 600 s), whenever the last of them is gone
        deadline = time.monotonic() + 30
        while _marked(mark) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _marked(mark) == []
    finally:
        for pid in _marked(mark):
            os.kill(pid, 9)


_NEVER_DONE = """#!{python}
import os, sys, time
if "--version" in sys.argv or "--list-langs" in sys.argv:   # pytesseract's checks: the real program answers
    os.execv({real!r}, [{real!r}, *sys.argv[1:]])
time.sleep(600)   # a page no machine reads within the file's budget
"""


@needs_tesseract
@needs_font
def test_tesseract_is_stopped_by_its_own_timeout_before_the_worker_is(home, tmp_path):
    """pytesseract's timeout was the file's whole deadline, the worker's too: the worker was always killed
    first, with Tesseract left running. Now the reader stops Tesseract and says why (its "timeout"), and no
    Tesseract reading from this batch's folders runs after the outcome. The Tesseract found first on the PATH
    never ends a page (the real one took 38 s of CPU here on the large scan this test used: a machine that read
    it within the 6 s it had read the file instead of stopping); the ingest is a process of its own, whose fork
    server sees that PATH and whose batch's folders are in ``tmp_path`` (TMPDIR)."""
    slow = tmp_path / "bin" / "tesseract"
    slow.parent.mkdir()
    slow.write_text(_NEVER_DONE.format(python=sys.executable, real=shutil.which("tesseract")), encoding="utf-8")
    slow.chmod(0o755)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "扫描件.png").write_bytes(image_bytes(render_page(["根据市直机关工委关于召开年度基层党组织组织生活会的通知要求"])))
    env = {**os.environ, "PATH": f"{slow.parent}{os.pathsep}{os.environ['PATH']}", "TMPDIR": str(tmp_path),
           "SUCAI_PARSE_TIMEOUT_SECONDS": "8"}
    try:
        ingesting = subprocess.run([sys.executable, "-m", "sucai", "ingest", str(tmp_path / "in"), "--json"],
                                   env=env, capture_output=True, text=True, timeout=600)
        [outcome] = json.loads(ingesting.stdout)["files"]
        assert (outcome["status"], outcome["reason"]) == (
            "skipped", "文字识别（OCR）读到第 1 页（共 1 页）时超出每个文件的时间上限，已停止；可调大设置 parse_timeout_seconds"
                       "（sucai.toml，或环境变量 SUCAI_PARSE_TIMEOUT_SECONDS）后再次入库，这个文件会重新读取"), ingesting.stderr
    finally:
        left = [p for p in psutil.process_iter(["cmdline"]) if str(tmp_path) in " ".join(p.info["cmdline"] or [])]
        for process in left:
            process.kill()
    assert left == []


_MAIN_PROBE = """
import sys
from pathlib import Path

import sqlalchemy   # as the sucai command's script does, through the CLI

import probe_jobs
from sucai.budget import Budget, run_budgeted

if __name__ == "__mp_main__":   # this script run again in a worker
    Path(sys.argv[1]).write_text("ran", encoding="utf-8")
if __name__ == "__main__":
    print(list(run_budgeted(probe_jobs.loaded, [("sqlalchemy", "sucai.library")] * 3, Budget(seconds=60), 2)))
"""


def test_a_worker_does_not_run_the_parents_main_script_again(tmp_path):
    """Issue 16: a parse worker ran the script that started the ingest anew (CPython before 3.13.8 never preloads
    ``__main__`` in the fork server) — the sucai command's imports the CLI and SQLAlchemy, 0.5 s of CPU per worker,
    a worker every 25 files. A worker runs only the jobs it is sent: none of the script, none of its imports."""
    (tmp_path / "probe_jobs.py").write_text(
        "import sys\n\ndef loaded(names):\n    return [name for name in names if name in sys.modules]\n", encoding="utf-8")
    (tmp_path / "probe.py").write_text(_MAIN_PROBE, encoding="utf-8")
    ran = tmp_path / "ran"
    said = subprocess.run([sys.executable, str(tmp_path / "probe.py"), str(ran)], capture_output=True, text=True,
                          check=True, timeout=120, env={**os.environ, "PYTHONPATH": str(tmp_path)}).stdout.strip()
    assert said == "[[], [], []]"
    assert not ran.exists()


# --- #6: memory on many-page PDFs; uploads parsed in a child process ----------------------------------------------

_PEAK = r"""
import re, sys
from pathlib import Path
from sucai.readers import read
read(Path(sys.argv[1]))
print(int(re.search(r'VmHWM:\s+(\d+)', open('/proc/self/status').read()).group(1)) // 1024)
"""


def test_a_many_page_pdf_is_read_in_flat_memory(tmp_path):
    """Reading 200 pages peaked near 600 MB in sucai 0.1 (about 2.5 MB a page was kept); pages are released now.
    (The peak is the new process's VmHWM: ru_maxrss would carry the forked test process's peak across exec.)"""
    path = tmp_path / "200页.pdf"
    path.write_bytes(many_page_pdf(200))
    peak_mb = int(subprocess.run([sys.executable, "-c", _PEAK, str(path)], capture_output=True, text=True,
                                 check=True).stdout)
    assert peak_mb < 250


def test_page_limit(home):
    _, outcomes = ingest(home, {"四页.pdf": many_page_pdf(4)}, parse_max_pages=3)
    assert (outcomes["四页.pdf"].status, outcomes["四页.pdf"].reason) == (
        "skipped", "PDF 共 4 页，超过每个文件 3 页的上限，请拆分后重试")


def test_a_web_upload_is_parsed_in_a_child_process_within_the_budget(home):
    """A thread of the server cannot be stopped; a child process can. The upload comes back, the file skipped."""
    from test_web_accounts import PASSWORD, csrf_of, logged_in, outcomes
    from sucai.accounts import Accounts

    Accounts.open(home).add_user("管理员", PASSWORD, "admin")
    app = create_app(settings=load_settings(home, parse_timeout_seconds=1, upload_max_mb=2))
    admin = logged_in(app, "管理员")
    before = parse_folders()
    pdf = many_page_pdf(300)
    page = admin.post("/admin/upload", data={"csrf_token": csrf_of(admin, "/admin/upload")},
                      files=[("files", ("长文件.pdf", pdf, "application/pdf")),
                             ("files", ("通知.txt", "关于开展自查的通知\n请按要求开展自查。".encode(), "text/plain"))])
    assert page.status_code == 200
    assert outcomes(page.text) == [("skipped", "长文件.pdf"), ("ingested", "通知.txt")]
    assert "解析超过每个文件 1 秒的时间上限" in page.text
    assert parse_folders() <= before
    assert not list(Path(tempfile.gettempdir()).glob("sucai-upload-*/*/上传文件.pdf"))


# --- #10: bound the work, not only the sizes; honest skip reasons --------------------------------------------------

def markup_bomb_docx() -> bytes:
    """A real .docx whose document.xml swells to 100 MB of tiny runs (deflating 1000:1), with 3 MB of
    incompressible "picture" so the whole file stays under the 100:1 zip-bomb ratio and the 200 MB size limit."""
    base = new_document()
    base.add_paragraph("正文")
    buffer = io.BytesIO()
    runs = b"<w:r><w:t>x</w:t></w:r>" * (100 * 2**20 // 23)
    with zipfile.ZipFile(io.BytesIO(docx_bytes(base))) as source, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body><w:p>" + runs + b"</w:p>", 1)
            target.writestr(entry, data)
        target.writestr("word/media/image1.png", random.Random(2).randbytes(3 * 2**20))
    return buffer.getvalue()


def test_a_docx_just_under_the_zip_bomb_limits_is_refused_before_parsing():
    data = markup_bomb_docx()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:  # the attack stays inside the old limits
        total = sum(e.file_size for e in archive.infolist())
        assert total < 200 * 2**20 and total / len(data) < 100 and len(data) < 6 * 2**20
    with pytest.raises(ReadError) as caught:
        read_bytes(data, "方案.docx")
    assert caught.value.code == "too_large"
    assert re.fullmatch(r"Word 文件的正文标记解压后达 10\d MB（上限 48 MB），无法在限定的时间和内存内解析，请拆分文件后重试",
                        caught.value.message)


def test_utf8_with_a_nul_byte_is_read_not_called_undecodable(home):
    data = "关于开展自查的通知\n各单位：请按要求开展自查。\x00\n".encode()
    library, outcomes = ingest(home, {"通知.txt": data})
    assert outcomes["通知.txt"].status == "ingested"
    doc = library.get(outcomes["通知.txt"].doc_id)
    assert (doc.title, doc.encoding) == ("关于开展自查的通知", "utf-8")
    assert "\x00" not in doc.text and "请按要求开展自查。" in doc.text


def test_a_pdf_with_a_broken_xref_is_called_damaged_not_a_scan():
    good = make_cjk_pdf([[(72, 700, "关于开展自查的通知")]])
    broken = re.sub(rb"\d{10} 00000 n", b"0000000000 00000 n", good)  # every xref offset points to byte 0
    with pytest.raises(ReadError) as caught:
        read_bytes(broken, "通知.pdf")
    assert caught.value.code == "corrupt"
    assert caught.value.message == "PDF 文件已损坏：找不到任何页面（交叉引用表 xref 可能已损坏），请重新下载或重新导出 PDF"


@pytest.mark.parametrize("depth", [300, 20_000])
def test_deeply_nested_html_is_read_not_called_empty(depth):
    page = ("<html><head><title>通知</title></head><body><p>关于开展自查的通知</p>" + "<div>" * depth
            + "<p>各单位：请按要求开展自查。</p>" + "</div>" * depth + "</body></html>")
    raw = read_bytes(page.encode(), "通知.html")
    assert raw.text == "关于开展自查的通知\n各单位：请按要求开展自查。"
