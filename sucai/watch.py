"""The watch folder: files dropped into folders are ingested as they appear or change.

:class:`Watcher` follows one or more folders with watchfiles (inotify on Linux,
recursively). A file is ingested once it is *settled*: its size and modification
time have not changed for ``settle_seconds`` (a file still being copied, written
or downloaded keeps changing and waits). Settled files are ingested together
(:meth:`sucai.library.Library.ingest`), so a burst of 1,000 files dropped at
once makes a few ingest runs, not 1,000; each run logs one line in Chinese
(logger ``sucai.watch``), and one that lasts a line every ``progress_seconds`` meanwhile. When it starts, the
watcher first ingests what is already in the folders (files dropped while it was not running) — a file
modified less than ``settle_seconds`` ago waits as a changed one does, so a
file being copied then is ingested once, whole —; what was done before is
recognised and passed over (未变化).

What happens to a file follows the ingest rules (:mod:`sucai.ingest`): a new
file becomes a document (or 重复 of the document with the same text); a file
*renamed* or moved inside a watched folder is the same bytes under a new path:
its record moves with it, 未变化 (logged as 改名或移动; nothing is stored twice, and the file is its document's
still — edited later, as below); a file
*rewritten in place* with a new version of its text is that document's new text (已更新, its id kept:
:func:`sucai.dedupe.same_document`), another document written over it a new document beside the old one, as a
plain ingest takes them; a rewrite that changes only the layout is still its document (已更新 when its parse
differs from the stored one, else 未变化). Deleting a file from a watched folder removes nothing from the library:
the deletion of a file that made or matched a document is logged with the document's id, a debounce of changes
(1.6 s) later (a rename — a deletion and an addition of the same bytes in one batch of changes, or in batches up to
that far apart: a slow move across filesystems —, only as the move). Hidden files and the partial files of downloads and editors
(``.part``, ``.crdownload``, ``.tmp``, ``~`` …) are passed over.

A bad file never stops the watcher (ingest gives it an outcome, 跳过 or 失败);
an unexpected error of a whole run (the database, the disk) is logged and its
files are tried again :data:`RETRY_SECONDS` later.
"""

from __future__ import annotations

import itertools
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path

import watchfiles

from .budget import start_early
from .errors import InvalidInput
from .ingest import (OUTCOME_NAMES, OUTCOMES, IngestProgress, IngestSummary, content_hash, discover, file_key, link_out,
                     passed_over)
from .interrupts import stop_self, when_parent_ends
from .logs import PlainFormatter

log = logging.getLogger(__name__)

_WAKE_MS = 250   # how often pending files are looked at again when nothing else happens
_DEBOUNCE_MS = 1600   # the longest watchfiles groups changes over; a deletion is told this much later (_tell_gone)
RETRY_SECONDS = 30   # after a run failed as a whole (not a bad file: the database, the disk)


@dataclass
class Batch:
    """One ingest run of the watcher: its outcomes and how long it took (seconds)."""

    summary: IngestSummary
    seconds: float

    def line(self) -> str:
        """The run as one log line: counts by outcome and the first files renamed or moved (未变化 with a reason:
        :func:`sucai.ingest._moved`); the files not stored have a line each (:meth:`not_stored`)."""
        outcomes = self.summary.outcomes
        text = f"入库 {len(outcomes)} 个文件：{_counted(self.summary.counts)}（{self.seconds:.1f} 秒）"
        return text + _named("改名或移动", [o for o in outcomes if o.status == "unchanged" and o.reason])

    def not_stored(self) -> list[str]:
        """A log line per file of the run that was not stored (跳过, 失败, 保留原有): its outcome, path and reason —
        ``跳过 /srv/收件箱/说明.xyz：不支持的文件类型 .xyz（…）``, as the watcher's other 跳过 lines."""
        return [f"{OUTCOME_NAMES[o.status]} {o.path}：{o.reason}" for o in self.summary.outcomes
                if o.status in ("kept", "skipped", "failed")]

    @property
    def told(self) -> bool:
        """Whether the run is worth a log line: some file's outcome is not 未变化, or is one with a reason."""
        return any(o.status != "unchanged" or o.reason for o in self.summary.outcomes)


def _counted(counts: dict[str, int]) -> str:
    """``已入库 998，重复 2``: the outcomes that files had, in the order of OUTCOMES (``无`` when none)."""
    return "，".join(f"{OUTCOME_NAMES[s]} {counts[s]}" for s in OUTCOMES if counts.get(s)) or "无"


def _named(label: str, outcomes: list) -> str:
    """``；label：name：reason；…`` for the first three of ``outcomes`` (``等 N 个`` when there are more), or ""."""
    if not outcomes:
        return ""
    named = "；".join(f"{Path(o.path).name}：{o.reason}" for o in outcomes[:3])
    return f"；{label}：{named}" + (f" 等 {len(outcomes)} 个" if len(outcomes) > 3 else "")


def watchable(path: str | Path) -> bool:
    """Whether a changed path may be a document to ingest: not hidden, not a partial download or editor file
    (:func:`sucai.ingest.passed_over`, the rule of every folder walk too)."""
    return not passed_over(Path(path).name)


class Watcher:
    """Ingest files dropped into ``folders`` into ``library`` until :meth:`stop` is called.

    ``settle_seconds``: how long a file's size and modification time must stay
    the same before it is ingested. ``workers``: parsing processes of an ingest
    run (default: ingest's). ``source``: the 来源 of the files that name none
    themselves (``sucai ingest --source``). ``on_batch(batch)`` is called after each run (the
    run is also logged; a run that lasts logs how far it is every ``progress_seconds``, the library's setting).
    Raises InvalidInput (``bad_folder``) at construction for a folder that does not exist.
    """

    def __init__(self, library, folders: Iterable[str | Path], *, settle_seconds: float = 1.0,
                 workers: int | None = None, source: str | None = None,
                 on_batch: Callable[[Batch], None] | None = None):
        self.library = library
        self.folders = [Path(f).resolve() for f in folders]
        for folder in self.folders:
            if not folder.is_dir():
                raise InvalidInput(f"监视的文件夹不存在：{folder}", code="bad_folder")
        self.settle = settle_seconds
        self.workers = workers
        self.source = source
        self.on_batch = on_batch
        self.ready = threading.Event()   # set once the settled files already there are ingested and watching began
        self._stop = threading.Event()
        self._home = Path(library.settings.home).resolve()
        self._pending: dict[Path, tuple[tuple[int, int], float]] = {}   # path → ((size, mtime), since when)
        self._deleted: dict[Path, float] = {}   # deleted path → when seen, until told (_tell_gone)

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        """Watch until :meth:`stop` (or Ctrl+C): first the files already there, then every change."""
        log.info("开始监视：%s（文件大小和修改时间 %.1f 秒不变后入库）", "、".join(map(str, self.folders)), self.settle)
        changes = watchfiles.watch(*self.folders, watch_filter=lambda _, path: watchable(path), stop_event=self._stop,
                                   rust_timeout=_WAKE_MS, yield_on_timeout=True, debounce=_DEBOUNCE_MS, step=100,
                                   raise_interrupt=False)
        first = next(changes, set())   # the watch begins here: nothing dropped from now on is missed
        try:
            start_early()   # the parsing workers' fork server, so the first file dropped does not wait for it
            self._run_batch(self._there_already())   # what was dropped while no one watched
            self.ready.set()
            for batch in itertools.chain([first], changes):
                now = time.monotonic()
                for change, path in batch:
                    if change == watchfiles.Change.deleted:
                        self._deleted[Path(path)] = now
                    else:
                        self._note(Path(path), change == watchfiles.Change.added)
                self._tell_gone(now - _DEBOUNCE_MS / 1000)
                self._run_batch(self._settled())
            self._tell_gone(time.monotonic())   # (stopped: what is still held)
        finally:   # also when Ctrl+C or a stop signal cuts a run short (ingest keeps what was done: resumable)
            log.info("停止监视")

    def _there_already(self) -> list[str]:
        """The files already in the folders when the watch began (what the folder walk of an ingest finds,
        :func:`sucai.ingest.discover`; what it passes over logged as 跳过) that are settled: modified ``settle``
        seconds ago or earlier, by their modification time. The others are pending as a changed file is: a file
        being copied as the watcher starts is ingested once it is whole, not also as it was at the start."""
        files, passed = discover(self.folders, self._home)
        for outcome in passed:
            log.warning("跳过 %s：%s", outcome.path, outcome.reason)
        now, clock = time.monotonic(), time.time()
        for path in files:
            try:
                stat = path.stat()
            except OSError:   # gone since it was listed
                continue
            unchanged_for = min(max(clock - stat.st_mtime, 0.0), self.settle)   # a time in the future: just changed
            self._pending[path] = ((stat.st_size, stat.st_mtime_ns), now - unchanged_for)
        return self._settled()

    def _note(self, path: Path, added: bool = True) -> None:
        """Remember a changed path (a folder added or moved in: each file in it); a link out of the watched folder
        is logged as 跳过 and never read (:func:`sucai.ingest.link_out`)."""
        folder = next((f for f in self.folders if path.is_relative_to(f)), None)
        if folder and (reason := link_out(path, folder)) is not None:
            log.warning("跳过 %s：%s", path, reason)
        elif path.is_dir():
            files, _ = discover([path], self.library.settings.home) if added else ([], [])
            for file in files:
                self._note(file)
        elif watchable(path) and path not in self._pending and not path.is_relative_to(self._home):
            self._pending[path] = ((-1, -1), time.monotonic())

    def _tell_gone(self, before: float) -> None:
        """Log each path deleted ``before`` then (:func:`time.monotonic`) that is still gone and whose record holds a
        document (made or matched it), with the document's id: it stays in the library (nothing is removed). A file
        renamed or moved is not gone: a file noted with it, before it or up to one debounce of changes after it
        (``_DEBOUNCE_MS``: a slow move across filesystems) still to be ingested — pending — holds its bytes, or was
        ingested already, its record moved; its ingest logs the move (改名或移动) — not a deletion, then a move."""
        paths = [path for path, seen in self._deleted.items() if seen <= before]
        for path in paths:
            del self._deleted[path]
        gone = {file_key(path): path for path in paths if not os.path.lexists(path)}
        records = self.library.catalogue.file_records(list(gone)) if gone else {}
        told = {key: record for key, record in records.items() if record.doc_id is not None}
        moved = {content_hash(path) for path in self._pending} if told else set()
        for key, record in told.items():
            if record.content_hash not in moved:
                log.info("源文件已删除：%s（文档 %d 仍在库中，未删除）", gone[key], record.doc_id)

    def _settled(self) -> list[str]:
        """Pending files whose size and modification time stayed the same for ``settle`` seconds."""
        now, settled = time.monotonic(), []
        for path, (seen, since) in list(self._pending.items()):
            if since > now:   # to be tried again later
                continue
            try:
                stat = path.stat()
            except OSError:   # gone again (a temporary file renamed into place, deleted)
                del self._pending[path]
                continue
            state = (stat.st_size, stat.st_mtime_ns)
            if state != seen:
                self._pending[path] = (state, now)
            elif now - since >= self.settle:
                settled.append(str(path))
                del self._pending[path]
        return settled

    def _run_batch(self, paths: list[str]) -> None:
        if not paths:
            return
        started = time.monotonic()
        try:
            summary = self.library.ingest(paths, progress=self._progress(started), workers=self.workers,
                                          source=self.source)
        except Exception:  # noqa: BLE001 - the watcher goes on and tries these files again later
            log.exception("入库出错（%d 个文件），%d 秒后重试", len(paths), RETRY_SECONDS)
            later = time.monotonic() + RETRY_SECONDS
            self._pending.update({Path(p): ((-1, -1), later) for p in paths})
            return
        from .retention import prune   # the accounts' modules, once a batch is in

        try:
            prune(self.library)   # once a day, as sucai ingest: a library fed by a watcher alone too
        except Exception:  # noqa: BLE001 - what was ingested stays; the next batch or a server tries again
            log.warning("清理过期记录失败，下次入库后再试", exc_info=True)
        batch = Batch(summary, time.monotonic() - started)
        for line in batch.not_stored():
            log.warning(line)
        if batch.told:
            log.info(batch.line())
        if self.on_batch:
            self.on_batch(batch)


    def _progress(self, started: float) -> Callable[[IngestProgress], None]:
        """The progress callback of a run that began at ``started``: a log line every ``progress_seconds`` (the
        first that long after the run began), so that a long run — 1,000 files dropped at once, a scan's OCR — is
        no silence in a service's log: ``入库中 400/1000 个文件：已入库 398，重复 2（已用 30 秒）``, and the file
        the run waits for (``；正在读取：会议纪要.pdf 第 3/25 页``)."""
        every, told = self.library.settings.progress_seconds, started

        def tell(event: IngestProgress) -> None:
            nonlocal told
            now = time.monotonic()
            if now - told < every:
                return
            told = now
            page = f" 第 {event.page[0]}/{event.page[1]} 页" if event.page else ""
            reading = f"；正在读取：{Path(event.reading).name}{page}" if event.reading else ""
            log.info("入库中 %d/%d 个文件：%s（已用 %d 秒）%s", event.done, event.total, _counted(event.counts),
                     now - started, reading)
        return tell


def watch_forever(home: str | Path | None, folders: list[str | Path], settle_seconds: float = 1.0,
                  workers: int | None = None, source: str | None = None) -> None:
    """Open the library in ``home`` and watch ``folders`` until interrupted (the body of ``sucai watch``
    and of the watcher process of ``sucai serve --watch``), the files that name no 来源 given ``source``; log lines
    go to standard error (:func:`log_to_stderr`), the first when the library's start makes the free previews again
    (after an upgrade: seconds without a line, :func:`sucai.library.describing_message`)."""
    from .config import load_settings
    from .library import Library, describing_message

    def describing(changed: tuple[str, ...], done: int, total: int) -> None:
        if not done:   # before the first batch
            log.info(describing_message(changed, total))

    settings = load_settings(home)
    log_to_stderr(settings.zone)
    library = Library(settings, describing)
    try:
        Watcher(library, folders, settle_seconds=settle_seconds, workers=workers, source=source).run()
    finally:
        library.close()


STOP_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})
"""The signals that stop a watcher: Ctrl+C, and a service manager's stop (systemd's SIGTERM)."""


def watch_beside_server(home: str | Path | None, folders: list[str | Path], settle_seconds: float,
                        source: str | None = None) -> None:
    """The body of the watcher process of ``sucai serve --watch`` (:func:`watch_forever`, ``source`` its
    ``--source``), which the server starts with :data:`STOP_SIGNALS` blocked and stops with SIGTERM.

    The process takes a process group of its own first (its fork server and parsing workers too), so a
    terminal's Ctrl+C reaches the server alone, which then stops it; then the stop signals are unblocked (one
    that came meanwhile takes effect now). The first stop signal — the server's, or systemd's to every process
    of the service — ends the watcher as Ctrl+C ends ``sucai watch`` (the run in progress is cut short, what was
    stored stays; 停止监视 is logged), and later ones are ignored, so the cleanup is not cut short in its turn:
    the parsing workers are stopped and the process ends normally, leaving no semaphore or temporary folder
    behind and writing nothing more to standard error. A server that ended without stopping it (SIGKILL, the OOM
    killer) stops it too (:func:`sucai.interrupts.when_parent_ends`): it watched and ingested on, orphaned."""
    os.setpgid(0, 0)
    for stop in STOP_SIGNALS:
        signal.signal(stop, _stop_once)
    when_parent_ends(stop_self)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    try:
        watch_forever(home, folders, settle_seconds, source=source)
    except KeyboardInterrupt:
        pass


def _stop_once(signum, frame) -> None:
    for stop in STOP_SIGNALS:
        signal.signal(stop, signal.SIG_IGN)
    raise KeyboardInterrupt


def log_to_stderr(zone: tzinfo) -> None:
    """Send sucai's own log lines (Chinese, from INFO up) to standard error, each stamped
    ``YYYY-MM-DD HH:MM:SS`` on the site's clock ``zone``, its message one line without control, zero-width or
    bidi characters (:class:`sucai.logs.PlainFormatter`); the libraries' lines (English: Alembic's
    ``Context impl SQLiteImpl.``) only from WARNING up, watchfiles' from ERROR up. Nothing is
    changed when the process's logging is set up already."""
    if logging.getLogger().handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(PlainFormatter("%(asctime)s %(message)s", "%Y-%m-%d %H:%M:%S", zone))
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    logging.getLogger("sucai").setLevel(logging.INFO)
    logging.getLogger("watchfiles").setLevel(logging.ERROR)   # warns "KeyboardInterrupt caught, stopping watch"
