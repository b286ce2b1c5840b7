"""Progress of an ingest: a live two-line display on a terminal, plain lines otherwise.

On a terminal (rich's live display, redrawn ten times a second by its own
thread, so the clock moves even while the index is being written)::

    入库 ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 120/5000  已用 0:00:40  剩余 0:12:00
    已入库 100 · 重复 5 · 未变化 0 · 跳过 15 · 失败 0  当前：材料/某某通知.docx

and while a file takes long (a scan's OCR), the file being read and its page: ``正在读取：扫描/会议纪要.pdf 第 3/25 页``
(a file's path relative to the folder ingested, for a file at its top as for one in a subfolder).

Without one (piped, a service's log), one plain line at the first file, then at
most one every ``every`` seconds, and one at the end, its time left as the live display's: rich's estimate
from the files done in the last 30 seconds (files are counted as each is done, whatever their order)::

    入库进度 120/5000：已入库 100，重复 5，未变化 0，跳过 15，失败 0；已用 0:00:40，剩余约 0:12:00；当前：材料/某某通知.docx
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from rich.cells import cell_len
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.text import Text

from ..ingest import OUTCOME_NAMES, OUTCOMES, SOMETIMES, IngestProgress, path_text
from .common import shown

_CURRENT_CELLS = 48  # longest current-file name shown, in terminal cells


def counts_text(counts: dict[str, int], sep: str = " · ") -> str:
    """``已入库 100 · 重复 5 · …`` for every outcome, in the order of OUTCOMES (已更新, 保留原有 and 未再尝试 only when
    there are some, :data:`~sucai.ingest.SOMETIMES`)."""
    return sep.join(f"{OUTCOME_NAMES[s]} {counts.get(s, 0)}" for s in OUTCOMES if s not in SOMETIMES or counts.get(s))


def short_name(name: str, cells: int = _CURRENT_CELLS) -> str:
    """``name`` (a path as shown), cut from the left, with …, to ``cells`` terminal cells."""
    if cell_len(name) <= cells:
        return name
    while cell_len(name) > cells - 1:
        name = name[1:]
    return "…" + name


class _Live(Progress):
    """A rich Progress with a second line under the bar: running counts and the current file."""

    status = ""

    def get_renderables(self):
        yield self.make_tasks_table(self.tasks)
        yield Text(self.status, no_wrap=True, overflow="ellipsis")


class IngestDisplay:
    """Call it with each :class:`~sucai.ingest.IngestProgress`; use it as a context manager.

    ``last`` holds the latest event (for the message when the run is interrupted); ``shown_path`` gives the text
    of a file's path in 当前： (default: the whole path, GBK names in Chinese; ``sucai ingest``: relative to the
    folder of the ingested paths, as its end table shows them).
    """

    def __init__(self, console: Console, every: float, shown_path: Callable[[str], str] = path_text):
        self.console = console
        self.shown_path = shown_path
        self.every = every
        self.last: IngestProgress | None = None
        self._live: _Live
        self._task = None
        self._started = time.monotonic()
        self._printed_at: float | None = None
        self._printed: IngestProgress | None = None

    def __enter__(self) -> IngestDisplay:
        self._live = _Live(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("已用"), TimeElapsedColumn(), TextColumn("剩余"), TimeRemainingColumn(),
            console=self.console, transient=True, disable=not self.console.is_terminal,
        )   # without a terminal it shows nothing, and keeps the count for the plain lines' estimate
        self._live.start()
        self._task = self._live.add_task("入库", total=None)
        return self

    def __exit__(self, exc_type, *_) -> None:
        self._live.stop()
        if self._live.disable and self.last is not None and self.last is not self._printed and exc_type is None:
            self._print_line(self.last)

    def __call__(self, event: IngestProgress) -> None:
        self.last = event
        self._live.update(self._task, completed=event.done, total=event.total or None)
        if not self._live.disable:
            self._live.status = f"{counts_text(event.counts)}  {self._doing(event)}"
        elif self._printed_at is None or time.monotonic() - self._printed_at >= self.every:
            self._print_line(event)

    def _print_line(self, event: IngestProgress) -> None:
        elapsed = time.monotonic() - self._started
        left = self._live.tasks[0].time_remaining
        remaining = f"剩余约 {_clock(left)}" if left is not None else "剩余时间未知"
        self.console.print(
            f"入库进度 {event.done}/{event.total}：{counts_text(event.counts, '，')}；"
            f"已用 {_clock(elapsed)}，{remaining}；{self._doing(event)}",
            markup=False, highlight=False, soft_wrap=True,
        )
        self._printed, self._printed_at = event, time.monotonic()

    def _doing(self, event: IngestProgress) -> str:
        if event.to_index is not None:
            return f"正在更新检索索引 {event.indexed}/{event.to_index}"
        if event.reading:
            page = f" 第 {event.page[0]}/{event.page[1]} 页" if event.page else ""
            return f"正在读取：{short_name(shown(self.shown_path(event.reading)))}{page}"
        return f"当前：{short_name(shown(self.shown_path(event.path)))}" if event.path else ""


def _clock(seconds: float) -> str:
    return str(timedelta(seconds=round(seconds)))
