"""Helpers shared by the benchmarks in bench/: where the data is, a scratch home, timing and tables."""

from __future__ import annotations

import contextlib
import functools
import math
import os
import resource
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def _stopped(kind, value, trace) -> None:
    """Ctrl+C ends a benchmark with one line, 「已中断。」 (sucai's), not Python's traceback; the process still dies by
    the SIGINT, as Python ends on a KeyboardInterrupt nothing caught (`make bench` takes that for a run stopped)."""
    if issubclass(kind, KeyboardInterrupt):
        sys.stderr.write("\n已中断。\n")
    else:
        sys.__excepthook__(kind, value, trace)


sys.excepthook = _stopped   # every benchmark imports this module


def corpus_dir(sub: str = "") -> Path:
    """``../shared/corpus[/sub]``, or exit with a clear message when it is absent."""
    path = SHARED / "corpus" / sub
    if not path.is_dir():
        sys.exit(f"bench: {path} not found — the benchmarks need the shared corpus next to the repo (../shared)")
    return path


@contextlib.contextmanager
def scratch_home(home: str | None) -> Iterator[Path]:
    """``home`` when given (created; should be empty), else a temporary directory removed afterwards."""
    if home:
        path = Path(home).expanduser()
        path.mkdir(parents=True, exist_ok=True)
        if any(path.iterdir()):
            print(f"note: {path} is not empty; results include what is already there")
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="sucai-bench-") as tmp:
        yield Path(tmp)


class Timer:
    """``with Timer() as t: ...`` then ``t.seconds``."""

    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self.start


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0–100) of ``values``."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def peak_rss_mb() -> tuple[float, float]:
    """Peak resident memory in MB of this process and of its (waited-for) children (Linux: KB units)."""
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return me, kids


def cpu_seconds() -> tuple[float, float]:
    """CPU seconds (user + system) used so far by this process (all its threads) and by the parse workers with
    their fork server: the children of this process that ended and were waited for (a fork server the ingest
    stopped, with the workers it waited for) and a fork server still running, its own time and its waited-for
    children's, the workers (Linux /proc). CPU time hardly depends on what else the machine runs, unlike wall time."""
    import multiprocessing.forkserver

    me, ended = time.process_time(), resource.getrusage(resource.RUSAGE_CHILDREN)
    children = ended.ru_utime + ended.ru_stime
    pid = getattr(multiprocessing.forkserver._forkserver, "_forkserver_pid", None)
    if not pid:
        return me, children
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return me, children
    # utime, stime, cutime, cstime: fields 14 to 17 of stat(5)
    return me, children + sum(map(int, fields[11:15])) / os.sysconf("SC_CLK_TCK")


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def table(headers: Sequence[str], rows: Sequence[Sequence], title: str | None = None) -> None:
    """Print a plain aligned table (numbers right-aligned)."""
    cells = [[_fmt(c) for c in row] for row in rows]
    widths = [max(_width(h), *(_width(r[i]) for r in cells)) for i, h in enumerate(headers)]
    if title:
        print(f"\n{title}")
    print("  ".join(_pad(h, w, False) for h, w in zip(headers, widths)))
    print("  ".join("-" * w for w in widths))
    for row, raw in zip(cells, rows):
        print("  ".join(_pad(c, w, isinstance(r, (int, float))) for c, w, r in zip(row, widths, raw)))


def _fmt(value) -> str:
    if isinstance(value, float):
        if value == 0 or abs(value) >= 100:
            return f"{value:,.0f}"
        return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _width(text: str) -> int:
    """Display width: wide (CJK) characters take two columns."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * (width - _width(text))
    return gap + text if right else text + gap


class TreeMemory:
    """Peak resident memory of this process and of all its descendants (the parse workers are
    grandchildren, under multiprocessing's fork server), sampled every ``interval`` seconds from
    Linux /proc: ``with TreeMemory() as memory: ...`` then ``memory.peaks()`` (MB).

    Resident sizes count the pages a worker shares with the fork server it was forked from in each
    of them; the proportional set size (PSS, ``smaps_rollup``) splits shared pages between the
    processes that share them, so the sum of the tree's PSS is what the ingest occupies as a whole.

    At the tree's PSS peak it keeps ``at_peak``: each process's role (``this process``, ``fork server``,
    ``parse worker`` or the program's name, e.g. ``tesseract``) with its PSS in MB, split into anonymous
    memory and file pages (mapped libraries, the index's mapped segment files), and ``peak_phase``: what
    the caller had set ``phase`` to at that sample (e.g. "index commit"); ``phase_peaks``: the tree's PSS
    peak within each phase, and ``own_peaks``: this process's (the index writer's heap is in it); ``tree_anon``: the
    tree's peak of anonymous memory alone (``Pss_Anon``: without mapped files — the libraries, and the index's
    segment files a merge reads through its memory map, page cache the system may take back), in MB.

    ``threads``: the CPU seconds (user + system) each thread of this process used since the block began, at the
    last sample — native thread id → (its name as the kernel has it, 15 bytes at most, seconds) —, the sampling
    thread's own left out; a thread that ended counts what it had used by the sample before it ended.
    """

    def __init__(self, interval: float = 0.2):
        import threading

        self.interval, self.root = interval, os.getpid()
        self.parent = self.worker = self.tree_rss = self.tree_pss = self.tree_anon = 0.0
        self.cpu = 0.0  # CPU seconds the sampling took (in this process: subtract them from its CPU)
        self.phase = self.peak_phase = ""
        self.at_peak: list[tuple[str, float, float, float]] = []  # (role, PSS, anonymous, file) MB per process
        self.phase_peaks: dict[str, float] = {}  # phase → the tree's PSS peak in it (MB)
        self.own_peaks: dict[str, float] = {}  # phase → this process's PSS peak in it (MB)
        self.threads: dict[int, tuple[str, float]] = {}
        self._threads_before: dict[int, tuple[str, float]] = {}
        self._children: dict[int, list[int]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._threads_before = _thread_cpu(self.root)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        import threading

        own = threading.get_native_id()
        while not self._stop.wait(self.interval):
            self.sample()
            self._sample_threads(own)
        self._sample_threads(own)
        self.cpu = time.thread_time()

    def _sample_threads(self, own: int) -> None:
        for tid, (name, seconds) in _thread_cpu(self.root).items():
            if tid != own:
                self.threads[tid] = (name, seconds - self._threads_before.get(tid, (name, 0.0))[1])

    def sample(self) -> None:
        phase, tree = self.phase, self._tree()
        rss = {pid: _kb(pid, "status", "VmRSS:") / 1024 for pid in tree}
        rollups = {pid: _rollup(pid) for pid in tree}
        pss = sum(rollup.get("Pss:", 0.0) for rollup in rollups.values()) / 1024
        self.parent = max(self.parent, rss.get(self.root, 0.0))
        self.worker = max([self.worker, *(v for pid, v in rss.items() if pid != self.root)])
        self.tree_rss = max(self.tree_rss, sum(rss.values()))
        self.tree_anon = max(self.tree_anon, sum(rollup.get("Pss_Anon:", 0.0) for rollup in rollups.values()) / 1024)
        self.phase_peaks[phase] = max(self.phase_peaks.get(phase, 0.0), pss)
        self.own_peaks[phase] = max(self.own_peaks.get(phase, 0.0), rollups[self.root].get("Pss:", 0.0) / 1024)
        if pss > self.tree_pss:
            self.tree_pss, self.peak_phase = pss, phase
            self.at_peak = sorted(((self._role(pid), *(rollup.get(key, 0.0) / 1024 for key in
                                                       ("Pss:", "Pss_Anon:", "Pss_File:")))
                                   for pid, rollup in rollups.items()), key=lambda row: -row[1])

    def _role(self, pid: int) -> str:
        if pid == self.root:
            return "this process"
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return "?"
        if b"from multiprocessing.forkserver import main" in b" ".join(command):
            return "fork server" if pid in self._children.get(self.root, []) else "parse worker"
        return Path(command[0].decode(errors="replace")).name

    def _tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                children.setdefault(ppid, []).append(int(entry.name))
        self._children = children
        found, todo = [], [self.root]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo += children.get(pid, [])
        return found


def _thread_cpu(pid: int) -> dict[int, tuple[str, float]]:
    """Each thread of process ``pid``: native thread id → (name, CPU seconds used, user + system), from /proc."""
    tick, threads = os.sysconf("SC_CLK_TCK"), {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            stat = (task / "stat").read_text()
        except OSError:  # ended since the folder was listed
            continue
        name, fields = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :].split()
        threads[int(task.name)] = (name, (int(fields[11]) + int(fields[12])) / tick)  # utime, stime: fields 14, 15
    return threads


def _rollup(pid: int) -> dict[str, float]:
    """The kB figures of /proc/<pid>/smaps_rollup by key (``"Pss:"``, ``"Pss_Anon:"``…); empty when it is gone."""
    try:
        lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]
    except OSError:
        return {}
    return {key: float(value) for key, value, *_ in (line.split() for line in lines)}


def _kb(pid: int, name: str, key: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
            if line.startswith(key):
                return float(line.split()[1])
    except OSError:
        pass
    return 0.0


class Stages:
    """The CPU each function ``names`` of ``module`` took since :meth:`clear`, in seconds (``spent``: name → seconds;
    ``clock``: :func:`time.thread_time`, or :func:`time.process_time` to count the other threads too), by
    wrapping those functions in ``module`` for the rest of the process."""

    def __init__(self, module, names, clock=time.thread_time):
        self.names, self.clock = tuple(names), clock
        self.clear()
        for name in self.names:
            setattr(module, name, self._timed(name, getattr(module, name)))

    def _timed(self, name, function):
        @functools.wraps(function)
        def timed(*args, **kwargs):
            started = self.clock()
            try:
                return function(*args, **kwargs)
            finally:
                self.spent[name] += self.clock() - started
        return timed

    def clear(self) -> None:
        self.spent = dict.fromkeys(self.names, 0.0)
