"""Ingest: files and folders → clean, structured documents in the catalogue → search index.

For each file: read (:mod:`sucai.readers`) → clean (:mod:`sucai.clean`) →
structure (:mod:`sucai.outline`) → store (:mod:`sucai.store`), then the index is
brought up to date (:mod:`sucai.index`). Reading and parsing run in worker
processes, each file within its time and memory budget (:mod:`sucai.budget`);
.doc/.wps/.rtf/.odt files are first converted by one LibreOffice run per chunk
of the batch (:mod:`sucai.readers.office`). Storing runs in this process, one
transaction for the files whose parses are ready together (each document with its
file's record), so a kill at any moment leaves the catalogue consistent and the
next run finishes the job.

Every file gets an outcome, never an exception: ``ingested``, ``duplicate`` (the
same clean text, layout aside, is already stored: :func:`sucai.dedupe.text_hash`),
``unchanged`` (this path with these bytes was done before — or, read again, it gave what is stored; or these bytes
were, under a path that is gone: a file renamed or moved, its record moved, :func:`_moved`),
``updated`` (its parse replaces the stored one, the document's id kept: :meth:`sucai.store.Catalogue.add` — read
again, ``reread``, or changed but for its layout-free text, a parse that differs; or changed on disk, a new version
of the document its earlier text made, :func:`sucai.dedupe.same_document` — a text that is not is a new document,
the old one kept), ``kept`` (保留原有: such a replacement would lose a member boundary an admin may have drawn, over
text of another layout; the stored document stays as it is, with the reason), ``skipped`` (not a
readable document, with the reason),
``failed`` (an unexpected error, with the reason) or ``not_retried`` (this path with these bytes was
skipped or failed before, under the same conditions — :func:`attempt` —: not read again, its reason the
earlier one; ``retry_failed`` reads it again).

Each file's result is stored as soon as its parse is done, whatever the order of the input
(:func:`sucai.budget.run_budgeted_as_done`: a slow scan holds no file behind it); exact copies among a batch's
files end as storing them in input order would (:class:`_InputOrder`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import stat as st
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from functools import cache, lru_cache, partial
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__, access, analysis, clean, dedupe, fingerprint, index, metadata, outline, readers
from .budget import Budget, run_budgeted, run_budgeted_as_done, stop_fork_server
from .dedupe import text_hash
from .errors import ReadError, SucaiError, first_line, os_reason
from .interrupts import held
from .memory import give_back, give_back_if_grown
from .model import Document
from .readers import office

if TYPE_CHECKING:  # not imported: the parse workers' fork server imports this module, and no database layer
    from .store import Added, FileRecord

log = logging.getLogger(__name__)

OUTCOMES = ("ingested", "duplicate", "unchanged", "updated", "kept", "skipped", "failed", "not_retried")
OUTCOME_NAMES = {"ingested": "已入库", "duplicate": "重复", "unchanged": "未变化", "updated": "已更新", "kept": "保留原有",
                 "skipped": "跳过", "failed": "失败", "not_retried": "未再尝试"}
SOMETIMES = ("updated", "kept", "not_retried")   # the outcomes a display names only when some file has them
NOT_RETRIED_NAME = "上次已无法读取，未再尝试"   # the end report's line of the not_retried files
GONE_NAME = "消失的源文件"   # the end report's line of IngestSummary.gone
# The index feed commits every _FEED_CHARS characters or _FEED_FILES files (tantivy's writer heap bounds their
# memory), at once when an edit on this node waits for the index lock the batch holds (index.Feed.wanted), and at
# the latest _FEED_SECONDS after the batch's first document, so that searches see the new documents within that
# — also while this process waits for the parse workers. Few commits leave few segments: tantivy merges every
# eight segments of fewer than 10,000 documents into one, each merge rewriting the whole index so far (a commit
# every 10 s made the merges a third of an ingest's CPU on a loaded machine; over the corpus, bench/ingest.py, two
# runs a side under load ~8, every 60 s: merges 21.9/18.2 s of 66.3/64.5 s, every 300 s: 10.9/10.7 s of
# 55.9/57.6 s, tree PSS peak 494/541 → 507/536 MB — the same heap; issue 16).
_FEED_CHARS = 8_000_000
_FEED_FILES = 2_000
_FEED_SECONDS = 300
_CONVERT_CHUNK = 50  # office files converted by one LibreOffice run
# The parses that are done while this process stores others are stored together, in one transaction (a commit
# and a statement of signatures and one of changes for them all; :meth:`sucai.store.Catalogue.add_all`), up to
# _STORE_FILES files or _STORE_CHARS characters — and at once when it would wait for a worker.
_STORE_FILES = 16
_STORE_CHARS = 500_000
_ID_CHUNK = 500  # documents asked of the catalogue in one statement (as its file records are)


@dataclass(frozen=True)
class FileOutcome:
    path: str
    status: str
    doc_id: int | None = None
    title: str | None = None
    reason: str | None = None


@dataclass
class IngestSummary:
    """One outcome per file (:data:`OUTCOMES`); ``gone``: the files recorded under the folders read again
    (``reread``) that are gone from the disk, each with the document it made or matched (status ``gone``, 消失的源文件:
    the document stays)."""

    outcomes: list[FileOutcome] = field(default_factory=list)
    gone: list[FileOutcome] = field(default_factory=list)
    _counted: Counter = field(default_factory=Counter, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._counted.update(o.status for o in self.outcomes)

    def add(self, outcome: FileOutcome) -> None:
        self.outcomes.append(outcome)
        self._counted[outcome.status] += 1

    @property
    def counts(self) -> dict[str, int]:
        """Files per outcome, every key of OUTCOMES present (constant time: kept as outcomes are added)."""
        return {status: self._counted.get(status, 0) for status in OUTCOMES}

    def to_dict(self) -> dict:
        """The counts and each file's outcome, its path as text (:func:`path_text`), for ``--json``."""
        return {"counts": self.counts, "files": [{**asdict(o), "path": path_text(o.path)} for o in self.outcomes],
                "gone": [{"path": o.path, "doc_id": o.doc_id} for o in self.gone]}


@dataclass(frozen=True)
class IngestProgress:
    """What :func:`ingest` tells its ``progress`` callback: after each file's outcome, every second while
    the batch waits for a file's parse, and while the index catches up.

    ``done`` files of ``total`` (files found plus paths that do not exist) have an
    outcome; ``counts`` is files per outcome so far (the keys of OUTCOMES);
    ``path`` is the file whose outcome was just decided (None during an index
    sync). During an index sync, ``indexed`` of ``to_index`` documents are in. While the batch waits,
    ``reading`` is the file it waits for and ``page`` the ``(page, pages)`` its OCR reads now, or None.
    """

    done: int
    total: int
    counts: dict[str, int]
    path: str | None = None
    indexed: int | None = None
    to_index: int | None = None
    reading: str | None = None
    page: tuple[int, int] | None = None


def discover(paths: Iterable[str | Path], home: Path | None = None) -> tuple[list[Path], list[FileOutcome]]:
    """Files to ingest under ``paths`` (folders recursively, each folder's files in :func:`_keeping_order`; hidden
    entries, partial downloads and editors' files (:func:`passed_over`) and the library's own data directory ``home``
    are passed over). A symbolic link inside a folder is followed to what lies in that folder (a path named here may
    itself be a link: the operator chose it), each folder walked once: a link back to a folder above it is not followed
    again; a link out of it is not followed at all (:func:`link_out`: a folder from elsewhere — an unpacked archive —
    may link to secrets).

    Returns the files and the outcomes ("skipped", with the reason) of what is not read: paths that do
    not exist, and entries passed over — a link to nothing (a file on a share not mounted) or out of the folder
    named, what is not a regular file (a named pipe, never opened: reading it would wait for a writer; a device), a folder that
    cannot be read.
    """
    files, passed = [], []
    own = home.resolve() if home else None
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found: list[FileOutcome] = []
            files += sorted(_walk(path, own, found), key=partial(_keeping_order, path))
            passed += sorted(found, key=lambda outcome: outcome.path)
        elif (reason := _not_a_file(path)) is None:
            files.append(path)
        else:
            passed.append(FileOutcome(str(raw), "skipped", reason=reason))
    return files, passed


_COPY_NAME = re.compile(r"^copy(?: \(\d+\))? of\s|(?:[\s_-]*(?:[(（]\d+[)）]|(?:副本|copy)(?:\s*\d+)?))+$",
                        re.IGNORECASE)
"""The end of a file name (its stem) that a copy's name has: 「(1)」「（2）」「 - 副本」「副本」「 副本 2」「copy」, as browsers,
Windows Explorer and macOS Finder name a file saved or duplicated again — or its start, 「Copy of 」「Copy (2) of 」,
as Windows XP and Google Drive name one."""


def _keeping_order(top: Path, file: Path) -> tuple[bool, int, Path]:
    """The sort key of a file found in folder ``top``: a name that is not a copy's (:data:`_COPY_NAME`) first, then the
    shallower path, then the path. Of a batch's exact duplicates the first is the copy kept (the others are 重复,
    ``ingest``'s ties go to input order): ``人民城市.txt`` over ``sub/人民城市(1).txt``, though "sub/" sorts before
    Chinese names."""
    relative = file.relative_to(top)
    return _COPY_NAME.search(relative.stem) is not None, len(relative.parts), file


PARTIAL_SUFFIXES = (".part", ".partial", ".crdownload", ".download", ".tmp", ".temp", ".swp", ".swx", "~")


def passed_over(name: str) -> bool:
    """Whether a folder walk passes a file name over unreported: hidden (``.…``), an editor's lock or backup file
    (``~$…``, ``…~``) or a partial download (``.part``, ``.crdownload``, ``.tmp`` … :data:`PARTIAL_SUFFIXES`)."""
    return not name or name.startswith((".", "~$")) or name.lower().endswith(PARTIAL_SUFFIXES)


def _walk(top: Path, own: Path | None, passed: list[FileOutcome]) -> Iterator[Path]:
    """The regular files under ``top`` that are not :func:`passed_over` nor in ``own`` (:func:`os.walk` following links
    that stay in ``top``, :func:`link_out`; a folder already walked, known by its device and inode, is not walked
    again). Each other entry that is not passed over, and each folder that cannot be read, is added to ``passed``
    as "skipped" with the reason."""
    def unreadable(error: OSError) -> None:
        passed.append(FileOutcome(error.filename, "skipped",
                                  reason=f"无法读取此文件夹（{os_reason(error)}），其中的文件未入库"))

    def kept(entry: Path) -> bool:
        if (reason := link_out(entry, inside)) is not None:
            passed.append(FileOutcome(str(entry), "skipped", reason=reason))
        return reason is None

    inside = top.resolve()
    seen: set[tuple[int, int]] = set()
    for folder, dirs, names in os.walk(top, onerror=unreadable, followlinks=True):
        here = Path(folder)
        try:
            stat = here.stat()
        except OSError:   # gone since it was listed
            continue
        if (stat.st_dev, stat.st_ino) in seen:
            dirs.clear()
            continue
        seen.add((stat.st_dev, stat.st_ino))
        dirs[:] = [d for d in dirs if not d.startswith(".") and kept(here / d)]
        for name in names:
            file = here / name
            if passed_over(name) or (own and Path(os.path.realpath(file)).is_relative_to(own)) or not kept(file):
                continue   # (a loop is in ``own`` too)
            if (reason := _not_a_file(file)) is None:
                yield file
            else:
                passed.append(FileOutcome(str(file), "skipped", reason=reason))


def link_out(path: Path, folder: Path) -> str | None:
    """Why ``path`` is not followed — a symbolic link whose target (every link on the way followed) lies outside
    ``folder`` (resolved) —, in Chinese; None for a path that is no link or stays in ``folder``. A link to nothing
    or a loop is left to :func:`_not_a_file`, which says so."""
    if not path.is_symlink():
        return None
    target = Path(os.path.realpath(path))
    if target.is_relative_to(folder) or not os.path.exists(target):
        return None
    return f"链接指向所选文件夹之外（{target}），未读取；如需入库，请直接指定该路径"


_SPECIAL = ((st.S_ISFIFO, "命名管道"), (st.S_ISSOCK, "套接字"), (st.S_ISCHR, "字符设备"), (st.S_ISBLK, "块设备"),
            (st.S_ISDIR, "文件夹"))


def _not_a_file(path: Path) -> str | None:
    """Why ``path`` (a link followed) is not a regular file to read, in Chinese; None when it is one. Looks at
    its kind only (``stat``), never opens it."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        try:
            return f"链接指向的位置不存在（{os.readlink(path)}），可能是共享盘未连接或文件已移走"
        except OSError:
            return "文件不存在"
    except OSError as error:
        return f"无法访问（{os_reason(error)}）"
    if st.S_ISREG(mode):
        return None
    kind = next((kind for test, kind in _SPECIAL if test(mode)), "特殊文件")
    return f"不是普通文件（{kind}），未读取"


@dataclass(frozen=True)
class ParseJob:
    """One file to parse in a worker: its path, its budget, and for an office file the .docx LibreOffice made of
    it (with the original format) or the outcome of a failed conversion."""

    path: Path
    budget: Budget = Budget()
    converted: tuple[Path, str] | None = None
    refused: tuple[str, str] | None = None  # the outcome already known (LibreOffice could not convert it)
    source: str | None = None  # the 来源 the operator gave for the batch (``sucai ingest --source``)
    user_dictionary: Path | None = None  # the operator's terms (``SUCAI_HOME/userdict.txt``), segmented whole
    preview_chars: int | None = None  # the free preview setting, as the catalogue reads documents (Catalogue.preview_chars)


def parse_file(path: Path, limits: readers.Limits = readers.Limits(),
               converted: tuple[Path, str] | None = None, source: str | None = None) -> Document:
    """Read, clean and structure one file. ``converted`` is (the .docx LibreOffice made of it, its format);
    ``source`` the 来源 the operator gave for the batch, used when the file names none.

    Raises ReadError when it is not a readable document, "empty" also when nothing is left of it but its title
    (a 素材 with nothing to read, search or quote: refused with the reason, not stored with 0 字).
    """
    raw = readers.read_converted(*converted) if converted else readers.read(path, limits)
    markdown = raw.format == "md"
    origin = metadata.Origin(path=path_text(path), title=raw.title, meta=raw.meta,
                             source=clean.well_formed(source) if source else source, ocr=raw.ocr_confidence is not None)
    cleaned = clean.clean(raw.text, markdown=markdown)
    doc = outline.analyse(cleaned, markdown=markdown, origin=origin)
    if not doc.text.strip():
        raise ReadError(f"只有标题“{doc.title}”，没有正文" if cleaned.text.strip() else
                        "没有正文（文件中只有清理时去掉的链接、广告等内容）", code="empty")
    return replace(doc, source_path=path_text(path), format=raw.format, encoding=raw.encoding,
                   ocr_confidence=raw.ocr_confidence)


def path_text(path: Path | str) -> str:
    """``path`` as text that a database, a page or a report can hold. Linux gives a name that is not UTF-8
    with lone surrogates for its bytes; each such name is read as GB18030 — what a zip made on Chinese
    Windows unpacks to — or, failing that, has U+FFFD for its undecodable bytes. A UTF-8 path is unchanged."""
    text = str(path)
    if clean.well_formed(text) == text:
        return text
    return os.sep.join(_name_text(name) for name in text.split(os.sep))


def file_key(path: Path) -> str:
    """The key of ``path``'s file record (``files.path``): its resolved path as text (:func:`path_text`) — but, for a
    path that is not UTF-8 or whose key would pass :data:`KEY_BYTES`, as much of that text as leaves room for ``//``
    and the SHA-256 of the path's bytes after it (no resolved path holds ``//`` but at its start). So two files
    whose names read alike never share a record — 你好.txt in GBK bytes beside 你好.txt in UTF-8, two names whose
    undecodable bytes are U+FFFD each —, and a deep path's record is one PostgreSQL can index."""
    return _record_key(str(path.resolve()))


def _record_key(resolved: str) -> str:
    """:func:`file_key` of the path ``resolved`` (resolved already)."""
    text = path_text(resolved)
    if text == resolved and len(text.encode()) <= KEY_BYTES:
        return text
    start = text.encode()[: KEY_BYTES - 66].decode(errors="ignore")
    return f"{start}//{hashlib.sha256(os.fsencode(resolved)).hexdigest()}"


KEY_BYTES = 2000
"""The most UTF-8 bytes of a file record's key (:func:`file_key`): PostgreSQL indexes none past 2,704."""


def _name_text(name: str) -> str:
    if clean.well_formed(name) == name:
        return name
    try:
        return os.fsencode(name).decode("gb18030")
    except UnicodeDecodeError:
        return clean.well_formed(name)


@dataclass(frozen=True)
class Parsed:
    """A parsed document and what its worker derived from it for the steps that follow in the ingest's
    process, so that they run on every core: its :func:`text_hash`, its near-duplicate sketch
    (:func:`sucai.dedupe.sketch_of`), its index tokens (:func:`sucai.index.prepare`) and its 字数 (``doc``'s
    :attr:`~sucai.model.Document.counted_chars`, counted here and carried with it: the catalogue stores it and the
    index entry holds it, neither counts it again)."""

    doc: Document
    text_hash: str
    sketch: dedupe.Sketch
    tokens: index.Prepared

    @classmethod
    def of(cls, doc: Document, preview_chars: int | None = None) -> Parsed:
        """``doc`` as parsed, its tokens made for its free view as the catalogue will read it back (the free
        preview setting ``preview_chars`` gives a document without a members part one: review 16b)."""
        skeleton = fingerprint.skeleton_text(doc.text)  # for the sketch and the 查重 tokens both
        doc.counted_chars  # counted here, once: a cached property, pickled with the document
        as_read = replace(doc, paid_from=access.preview_boundary(doc.paid_from, doc.chars, preview_chars))
        return cls(doc, text_hash(doc), dedupe.sketch_of(skeleton), index.prepare(as_read, skeleton))


_WARM_TEXT = "关于做好2024年度工作的通知\n\n各单位：\n　　一、总体要求\n　　现将有关事项通知如下。Hello World ２０２４\n"


def warm_up() -> None:
    """Build what a parse makes on first use (the segmenter's dictionary, the folding and skeleton tables,
    OpenCC): the parse workers' fork server calls it once (:mod:`sucai.preload`), so that every worker,
    forked from it and replaced every few files, starts with them instead of building them again."""
    Parsed.of(outline.analyse(clean.clean(_WARM_TEXT), origin=metadata.Origin(path="通知.txt")))


def _parse_job(job: ParseJob) -> Parsed | tuple[str, ...]:
    """Worker entry: the document with what is derived from it, or ``(status, reason)``, or ``(status, reason,
    detail)`` with a library's own (English) words on the file, which the batch's process logs (a worker's
    logging goes nowhere)."""
    if job.refused:
        return job.refused
    if job.user_dictionary is not None:
        _use_user_dictionary(job.user_dictionary)
    budget = job.budget
    limits = readers.Limits(budget.max_pages, time.monotonic() + budget.seconds, budget.memory_mb)
    try:
        return Parsed.of(parse_file(job.path, limits, job.converted, job.source), job.preview_chars)
    except SucaiError as err:   # a library's own (English) words: for the log, never in the reason
        return ("skipped", err.message) if err.__cause__ is None else ("skipped", err.message, str(err.__cause__))
    except MemoryError:
        return "skipped", budget.memory_reason()
    except RecursionError:
        return "skipped", "文件结构嵌套过深，无法解析"
    except Exception as err:  # one bad file never stops the batch
        log.exception("解析 %s 时出现内部错误", job.path)
        return "failed", internal_reason(err)


@lru_cache(maxsize=4)
def _use_user_dictionary(path: Path) -> None:
    """The operator's terms in this worker's segmenter, once per worker: its index words must be those the
    ingest's process and every search make (:meth:`sucai.index.SearchIndex.__init__` loads the same file)."""
    analysis.use_user_dictionary(path)


def internal_reason(err: Exception) -> str:
    """Why a file failed for a reason sucai did not foresee (a bug, not the file): said as such in
    Chinese, with the exception's type and first line for the report (:func:`sucai.errors.first_line`)."""
    return f"内部错误（{type(err).__name__}: {first_line(err)}），请把此文件和这条信息反馈给维护者"


def ingest(
    library,
    paths: Iterable[str | Path],
    progress: Callable[[IngestProgress], None] | None = None,
    workers: int | None = None,
    source: str | None = None,
    retry_failed: bool = False,
    stop_parsers: bool = False,
    reread: bool = False,
) -> IngestSummary:
    """Ingest files and folders into ``library``; returns one outcome per file: the entries a folder walk reported,
    then the files known before (未变化, 未再尝试), then the others in input order.

    ``source`` is the 来源 of the files of this batch that name none themselves
    (``sucai ingest --source``). A file skipped or failed before, unchanged since (the same content hash) and
    tried under the same conditions (:func:`attempt`), is ``not_retried`` unless ``retry_failed``. ``reread``: the
    files stored before and unchanged since are read again as a changed file is (after an upgrade of sucai: its
    better parse replaces the stored one, ``updated``; the same parse is ``unchanged``, nothing written — a file
    renamed too, its record moved first: :func:`_moved`), and the files recorded under the folders of ``paths``
    that are gone are reported (:attr:`IngestSummary.gone`; their documents stay). ``progress``
    gets an :class:`IngestProgress` after each file's outcome and as the index takes in documents. Never raises for a bad
    file. Each stored document goes to the index writer at once, with the tokens its
    worker made (:class:`sucai.index.Feed`), and the writer commits a batch at a time
    (see ``_FEED_CHARS``) — while the worker processes go on parsing; the index is synced
    at the start (finishing an interrupted run) and at the end (changes of other processes). Ctrl+C and SIGTERM
    are taken between two steps — as the progress is told (after each file, as the index takes in documents, while
    waiting for the workers) —, never inside a database statement (:func:`sucai.interrupts.held`).
    ``stop_parsers``: this process parses nothing after this batch (the ``sucai ingest`` command): the parse
    workers' fork server is stopped once the last file is parsed and the tokens of the last commit's entries are
    made, before that commit, so that what it holds (65–90 MB of the corpus's ingest) is given back before the
    commit merges the index's segments, an ingest's peak of memory (:func:`sucai.budget.stop_fork_server`; a
    later parse starts it again).
    """
    with held() as take:   # Ctrl+C between two steps, never inside a database statement
        return _ingest(library, paths, take, progress, workers, source, retry_failed, stop_parsers, reread)


def _ingest(library, paths: Iterable[str | Path], take: Callable[[], None],
            progress: Callable[[IngestProgress], None] | None, workers: int | None, source: str | None,
            retry_failed: bool, stop_parsers: bool, reread: bool) -> IngestSummary:
    """:func:`ingest`, ``take()`` called where Ctrl+C may stop it."""
    found, missing = discover(paths, library.settings.home)
    # record key → the file as first named (named again after its folder, by a link beside it: read once) and its
    # resolved path as text, the key an older ingest recorded it under (path_text)
    named: dict[str, tuple[Path, str]] = {}
    for path in found:
        resolved = str(path.resolve())
        named.setdefault(_record_key(resolved), (path, path_text(resolved)))
    files, keys = [path for path, _ in named.values()], list(named)
    summary = IngestSummary(list(missing))
    total = len(files) + len(missing)

    def tell(path: str | None = None, indexed: int | None = None, to_index: int | None = None, *, stop: bool = True,
             **reading) -> None:
        """Take a Ctrl+C when ``stop``, then tell the progress."""
        if stop:
            take()
        if progress:
            progress(IngestProgress(len(summary.outcomes), total, summary.counts, path, indexed, to_index, **reading))

    batch = ParseJob(Path(), Budget.from_settings(library.settings), source=source,
                     user_dictionary=library.settings.user_dict_path, preview_chars=library.catalogue.preview_chars)
    tokens = partial(_tokens, batch=batch)

    def sync() -> None:
        library.index.sync(lambda indexed, to_index: tell(None, indexed, to_index), tokens=tokens)

    sync()  # opens the index now, not silently at the first sync below, and finishes an interrupted run
    todo = []
    earlier: dict[str, int] = {}   # record key → the document the file's earlier text made (its record 已入库)
    older = {key: text for key, (_, text) in named.items()}
    records = library.catalogue.file_records([*keys, *set(older.values()) - set(keys)])
    conditions = cache(partial(attempt, batch.budget))   # only when a refusal is met: it runs tesseract
    hashed = []
    for path, key in zip(files, keys):
        take()
        hashed.append((path, key, content_hash(path)))
    moved = _moved(library.catalogue, {key: content for _, key, content in hashed
                                       if content and key not in records and older[key] not in records})
    if reread:   # (after the moves: a file renamed is not gone)
        summary.gone = _gone(library.catalogue, paths, named)
    for path, key, content in hashed:
        known = [r for r in (records.get(key), records.get(older[key])) if r]   # a name not in UTF-8 (a deep path)
        record = next((r for r in known if r.content_hash == content), None)   # an older ingest recorded as text too
        if key in moved and not reread:
            summary.add(FileOutcome(str(path), "unchanged", moved[key].doc_id, reason=f"由 {moved[key].path} 改名或移来"))
            tell(str(path))
        elif record is not None and not reread and record.status in ("ingested", "duplicate"):
            summary.add(FileOutcome(str(path), "unchanged", record.doc_id))
            tell(str(path))
        elif record is not None and not retry_failed and record.status in ("skipped", "failed") and record.tried_with == conditions():
            summary.add(FileOutcome(str(path), "not_retried", reason=record.reason))
            tell(str(path))
        else:
            todo.append((path, key, content))
            if (own := next((r.doc_id for r in known if r.status == "ingested"), None)) is not None:
                earlier[key] = own
    library.clusters.catch_up()  # documents an earlier run stored but did not place in clusters
    feed = library.index.feed(lambda indexed, to_index: tell(None, indexed, to_index), tokens)

    def publish() -> None:
        """Commit the index feed when its batch is large or old, or an edit waits for it (the index lock is held
        for a batch)."""
        if feed.chars >= _FEED_CHARS or len(feed) >= _FEED_FILES or (
                len(feed) and (feed.wanted() or time.monotonic() - started >= _FEED_SECONDS)):
            feed.commit()

    ready: list[tuple[int, Parsed | tuple[str, ...]]] = []   # parses done and not stored yet, with their numbers
    unmarked: list[int] = []   # documents placed among near-duplicates, still remembered as not (Catalogue.placed)

    def store_ready() -> None:
        """Store the parses ready (the documents in one transaction, :func:`_store_all`, which also marks the
        documents of the batches before placed), then place each among near-duplicates, feed it to the index and
        tell it, in the order they were done."""
        nonlocal started
        stored = _store_all(library.catalogue, [(todo[number], parsed) for number, parsed in ready], conditions, earlier,
                            unmarked)
        placed, weighed, failures = [], [], library.clusters.failures
        for (number, parsed), (outcome, added) in zip(ready, stored):
            settled.outcomes[number] = outcome
            if added is not None:  # near-duplicates, better copies (indexed again at the commit)
                failed = library.clusters.failures
                outcome = settled.stored(number, outcome, parsed, added)
                if added.copy and library.clusters.failures == failed:   # a copy not weighed for an error: read
                    weighed.append(number)                                # and weighed again by the next ingest
                if added.stored is not None:
                    placed.append(added.stored.id)
                    if not len(feed):
                        started = time.monotonic()
                    feed.add(added.stored, parsed.tokens)
            summary.add(outcome)
            tell(outcome.path, stop=False)   # a Ctrl+C taken once all are told (all are stored): the report counts them
            publish()
            give_back_if_grown()   # also when this process is behind its workers and never waits for them
        if weighed:   # the copies' records (Catalogue.add leaves them): a kill before this has them read again
            library.catalogue.record_files(list(map(settled.record, weighed)))
        if library.clusters.failures == failures:   # all placed, marked so in the next batch's transaction: a
            unmarked.extend(placed)   # kill before it, or a failure to place one, leaves them to the next catch_up
        ready.clear()   # their tokens are in the index writer's heap now (or with the few the feed gives it next)
        take()

    def idle(job: ParseJob, page: tuple[int, int] | None) -> None:
        """While the workers parse ``job`` (``page``: what its OCR reads now): the parses ready stored, the display
        told, the batch committed when due, and what the stored documents held given back."""
        if ready:
            store_ready()
        tell(reading=str(job.path), page=page)
        publish()
        give_back()

    try:
        started = time.monotonic()
        settled = _InputOrder(library, todo)
        # the parse generator runs to its end, so the workers are gone before the last commit
        given = {} if source else _given_sources(library.catalogue, {path: earlier[key] for path, key, _ in todo
                                                                     if key in earlier})
        for number, parsed in _parse_all([p for p, _, _ in todo], batch, workers, idle=idle, given=given):
            ready.append((number, parsed))
            del parsed  # held by ready only: dropped once stored (its tokens then in the index writer's heap)
            if len(ready) >= _STORE_FILES or sum(_chars(result) for _, result in ready) >= _STORE_CHARS:
                store_ready()
        if ready:
            store_ready()
        if unmarked:
            library.catalogue.placed(unmarked)
        feed.commit(stop_fork_server if stop_parsers else None)   # the tokens of entries made again first
        # in input order; the counts stand: an earlier copy and a later one only swap 已入库 and 重复 (_precede)
        summary.outcomes[len(summary.outcomes) - len(todo):] = [settled.outcomes[n] for n in range(len(todo))]
    except BaseException:
        feed.abandon()
        raise
    sync()  # changes other processes made meanwhile
    return summary


def _moved(catalogue, unknown: dict[str, str]) -> dict[str, FileRecord]:
    """The files of ``unknown`` (record key → content hash: files without a record) that are recorded files renamed
    or moved: the same bytes as a file recorded with a document (made or matched) that no longer exists — key →
    that file's record, each taken once, by the first such file in input order. Their records take the new keys
    (:meth:`Catalogue.move_file_records <sucai.store.Catalogue.move_file_records>`): the file is its document's
    file still — edited later, its document's new version (:func:`sucai.dedupe.same_document`), no 重复 of it."""
    if not unknown:
        return {}
    vanished: dict[str, FileRecord] = {}   # content hash → the first record of it whose file is gone
    for record in catalogue.file_records_of(sorted(set(unknown.values()))):
        if "//" not in record.path and not os.path.lexists(record.path):   # (a key with "//" is no path: file_key)
            vanished.setdefault(record.content_hash, record)
    moved = {key: vanished.pop(content) for key, content in unknown.items() if content in vanished}
    if moved:
        catalogue.move_file_records({record.path: key for key, record in moved.items()})
    return moved


def _gone(catalogue, paths: Iterable[str | Path], named: dict[str, tuple[Path, str]]) -> list[FileOutcome]:
    """The files recorded under the folders of ``paths`` with a document (made or matched: 已入库, 重复) that the
    folder walk did not find (``named``: record key → the file and its older key, :func:`_ingest`) and that no
    longer exist, in path order (status ``gone``): one read per folder."""
    found = {*named, *(text for _, text in named.values())}
    folders = [path_text(str(Path(p).resolve())) for p in paths if Path(p).is_dir()]
    records = {r.path: r for folder in folders for r in catalogue.file_records_under(folder)}
    return [FileOutcome(key, "gone", record.doc_id) for key, record in sorted(records.items())
            if record.doc_id is not None and key not in found and not os.path.lexists(key)]


class _InputOrder:
    """Exact copies among the files of a batch, stored as each parse is done, end as storing them in input order
    would: the first copy in input order is 已入库 and the others 重复 of it, and the stored content is the best copy
    (:func:`sucai.dedupe.quality`), of equals the first in input order. (A copy stored before the batch stays the
    document and wins ties, as in input order.) ``todo``: the batch's ``(path, key, content hash)`` by number;
    ``outcomes``: each file's outcome by its number."""

    def __init__(self, library, todo: list[tuple[Path, str, str]]):
        self.library, self.todo = library, todo
        self.outcomes: dict[int, FileOutcome] = {}
        self.first: dict[int, int] = {}   # document id → number of the file that is 已入库 as it (this batch's)
        self.copy: dict[int, int] = {}    # document id → number of the file whose copy is stored (this batch's)

    def stored(self, number: int, outcome: FileOutcome, parsed: Parsed, added: Added) -> FileOutcome:
        """File ``number``'s document was stored with ``outcome`` by :meth:`Catalogue.add
        <sucai.store.Catalogue.add>` (which gave ``added``): placed among near-duplicates (a new document), or kept
        as the better copy and the first in input order (an exact copy; the document's own file, read again, wins a
        tie as the first did). Returns the file's outcome: 已更新 for its own file whose copy was kept."""
        doc_id = outcome.doc_id
        own = outcome.status == "unchanged"   # (a copy: its document holds another file's, Catalogue._stored_already)
        if self.library.clusters.after_store(added, parsed.doc, parsed.sketch,
                                             ties=own or number < self.copy.get(doc_id, -1)):
            self.copy[doc_id] = number
            if own:
                outcome = self.outcomes[number] = replace(outcome, status="updated")
        if outcome.status == "ingested":
            self.first[doc_id] = self.copy[doc_id] = number
        elif outcome.status == "duplicate" and number < self.first.get(doc_id, -1):
            self._precede(number, self.first[doc_id], doc_id)
        return outcome

    def _precede(self, number: int, later: int, doc_id: int) -> None:
        """File ``number``, a copy of document ``doc_id`` that a file ``later`` in input order stored first, is the
        one 已入库 as it, and that one 重复 (their records in one transaction)."""
        duplicate, ingested = self.outcomes[number], self.outcomes[later]
        self.outcomes[number] = replace(duplicate, status="ingested", reason=None)
        self.outcomes[later] = replace(ingested, status="duplicate", reason=duplicate.reason)
        self.library.catalogue.record_files([self.record(number), self.record(later)])
        self.first[doc_id] = number

    def record(self, number: int) -> tuple[str, str, str, int]:
        """The record of file ``number`` as its outcome stands (:meth:`Catalogue.record_files
        <sucai.store.Catalogue.record_files>`): ``duplicate`` when it is 重复, else ``ingested`` — its document's own
        file."""
        outcome = self.outcomes[number]
        return (*self.todo[number][1:], "duplicate" if outcome.status == "duplicate" else "ingested", outcome.doc_id)


def attempt(budget: Budget) -> str:
    """What a file's outcome depends on besides its bytes, as one text recorded with a file skipped or failed
    (``files.tried_with``): the sucai version, the per-file budget (seconds, MB, pages) and whether LibreOffice
    and Tesseract can read Chinese (its chi_sim model too: :func:`sucai.readers.ocr.missing`). Such a file,
    unchanged, is read again when this changed."""
    from .readers import ocr   # here: at the top it would load PIL, pypdfium2 and pytesseract in every process
    office_found = office.missing() is None
    ocr_found = ocr.missing() is None
    return (f"sucai {__version__}; {budget.seconds} s, {budget.memory_mb} MB, {budget.max_pages} pages; "
            f"LibreOffice {'yes' if office_found else 'no'}; Tesseract chi_sim {'yes' if ocr_found else 'no'}")


def _tokens(docs: Iterable[Document], batch: ParseJob) -> Iterator[tuple[Document, index.Prepared | None]]:
    """Each of ``docs`` (catalogue documents to index again) with its index tokens, made by a parse worker
    (:func:`_tokens_job`) within ``batch``'s budget, in order (:data:`sucai.index.Tokens`); None for one whose
    worker was stopped (the index segments it then). One worker, forked from the warmed-up fork server: the
    ingest's process segments no word (it never loads the segmenter's dictionary, 42 MB)."""
    waiting: deque[Document] = deque()

    def jobs() -> Iterator[tuple[Document, Path | None]]:
        for doc in docs:
            waiting.append(doc)
            yield doc, batch.user_dictionary

    for made in run_budgeted(_tokens_job, jobs(), batch.budget, 1):
        yield waiting.popleft(), made if isinstance(made, index.Prepared) else None


def _tokens_job(job: tuple[Document, Path | None]) -> index.Prepared:
    """Worker entry: the index tokens of a catalogue document (:func:`sucai.index.prepare`), segmented with the
    operator's dictionary (the path, or None)."""
    doc, user_dictionary = job
    if user_dictionary is not None:
        _use_user_dictionary(user_dictionary)
    return index.prepare(doc, fingerprint.skeleton_text(doc.text))


def content_hash(path: Path) -> str:
    """The SHA-256 of the bytes of the file ``path`` (hex; what a file's record keeps as ``content_hash``), "" for a
    file that cannot be read."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return ""
    return digest.hexdigest()


def _jobs(paths: list[Path], workdir: Path, batch: ParseJob, given: dict[Path, str]) -> Iterator[ParseJob]:
    """A job per path, in order, with the budget, 来源 and dictionary of ``batch`` (the 来源 of ``given`` for a
    path there); office files are converted a chunk at a time, just before their jobs are needed."""
    budget = batch.budget
    iterator = iter(paths)
    for chunk in iter(lambda: list(islice(iterator, _CONVERT_CHUNK)), []):
        kinds = {path: office.sniff(path) for path in chunk}
        sources = [path for path in chunk if kinds[path]]
        converted = office.convert_batch(sources, workdir, budget.seconds, budget.memory_mb) if sources else {}
        for path in chunk:
            result = converted.get(path)
            job = replace(batch, path=path, source=given.get(path, batch.source))
            if isinstance(result, ReadError):
                yield replace(job, refused=("skipped", result.message))
            else:
                yield replace(job, converted=(result, kinds[path]) if result else None)


def _parse_all(paths: list[Path], batch: ParseJob, workers: int | None,
               idle: Callable[[ParseJob, tuple[int, int] | None], None] | None = None,
               given: dict[Path, str] | None = None) -> Iterator[tuple[int, Parsed | tuple[str, str]]]:
    """Parse ``paths`` in worker processes within ``batch.budget``, each with the 来源 and dictionary of ``batch``
    (a :class:`ParseJob` without a path) — a path of ``given`` with its own 来源 instead —: ``(number, result)`` as
    each is done, ``number`` the path's place in ``paths`` (see :func:`sucai.budget.run_budgeted_as_done`);
    ``idle(job, page)`` is called while waiting for a result (see :func:`sucai.budget.run_budgeted`)."""
    if not paths:
        return
    workers = max(1, min(workers or os.cpu_count() or 1, len(paths)))
    with office.conversion_folder() as workdir:
        jobs = _jobs(paths, workdir, batch, given or {})
        yield from run_budgeted_as_done(_parse_job, jobs, batch.budget, workers, idle)


def _given_sources(catalogue, earlier: dict[Path, int]) -> dict[Path, str]:
    """Of the files read again (``earlier``: each with the document its earlier text made), those whose document
    was given its 来源 by the operator (``sucai ingest --source``, evidence of origin ``"option"``): each with that
    来源, so that a file read again without ``--source`` (``--reread`` after an upgrade, an edit on disk, the watch
    folder) keeps it rather than falling to 未注明."""
    ids = sorted(set(earlier.values()))
    given = {}
    for start in range(0, len(ids), _ID_CHUNK):
        for summary in catalogue.records(ids=ids[start:start + _ID_CHUNK], include_hidden=True):
            value = next((e.value for e in summary.evidence if e.origin == "option"), None)
            if value is not None:
                given[summary.id] = value
    return {path: given[doc_id] for path, doc_id in earlier.items() if doc_id in given}


def _chars(parsed: Parsed | tuple[str, ...]) -> int:
    return parsed.doc.chars if isinstance(parsed, Parsed) else 0


def _store_all(catalogue, ready: list[tuple[tuple[Path, str, str], Parsed | tuple[str, ...]]],
               conditions: Callable[[], str], earlier: dict[str, int], unmarked: list[int]
               ) -> list[tuple[FileOutcome, Added | None]]:
    """:func:`_store` of each ``((path, key, content hash), parse)`` of ``ready``, in order: the documents in one
    transaction (:meth:`Catalogue.add_all <sucai.store.Catalogue.add_all>`) — or, when it fails, each in its own,
    so that a bad file fails alone. ``earlier``: record key → the document a file's earlier text made
    (:func:`_versions`). ``unmarked``: documents placed among near-duplicates since an earlier batch, marked
    placed in that transaction (:meth:`Catalogue.placed <sucai.store.Catalogue.placed>`) — emptied when it
    commits, kept for the next one when no document is stored together."""
    from .store import Addition   # here: the parse workers' fork server imports this module, and no database layer

    versions = _versions(catalogue, ready, earlier)
    additions = [Addition(parsed.doc, parsed.text_hash, key, content, parsed.sketch.signature, versions.get(key))
                 for (_, key, content), parsed in ready if isinstance(parsed, Parsed)]
    try:
        added = iter(catalogue.add_all(additions, unmarked) if additions else [])
    except Exception:  # noqa: BLE001 - one bad file never stops the batch: stored one at a time below
        log.debug("%d 个文档未能一并保存，逐个保存", len(additions), exc_info=True)
        added = None
    if additions and added is not None:
        unmarked.clear()
    return [_store(catalogue, path, content, parsed, key, conditions,
                   next(added) if added is not None and isinstance(parsed, Parsed) else None, versions.get(key))
            for (path, key, content), parsed in ready]


def _versions(catalogue, ready: list[tuple[tuple[Path, str, str], Parsed | tuple[str, ...]]],
              earlier: dict[str, int]) -> dict[str, int]:
    """Record key → the document of which the parse of that file of ``ready`` is a new version
    (:func:`sucai.dedupe.same_document`), for the files whose earlier text made one (``earlier``: key → its id) and
    whose text is another now: one read of their text hashes, one of those documents, linear in their texts and the
    new ones (a file read again to the same text, ``reread``'s common case, costs no more)."""
    parses = {key: parsed for (_, key, _), parsed in ready if key in earlier and isinstance(parsed, Parsed)}
    stored = catalogue.text_hashes(sorted({earlier[key] for key in parses})) if parses else {}
    parses = {key: parsed for key, parsed in parses.items()
              if stored.get(earlier[key], parsed.text_hash) != parsed.text_hash}
    if not parses:
        return {}
    old = {doc.id: doc for doc in catalogue.documents(sorted({earlier[key] for key in parses}), outline=False)}
    return {key: earlier[key] for key, parsed in parses.items() if earlier[key] in old
            and dedupe.same_document(parsed.doc, parsed.sketch.shingles, old[earlier[key]])}


def _store(catalogue, path: Path, content: str, parsed: Parsed | tuple[str, ...], key: str | None = None,
           conditions: Callable[[], str] | None = None, added: Added | None = None,
           replaces: int | None = None) -> tuple[FileOutcome, Added | None]:
    """Store one parse's outcome (a refusal's detail logged, :func:`_parse_job`, and recorded with what
    ``conditions`` gives, :func:`attempt`); ``key`` is the file's record key (:func:`file_key`; made here
    when not given); ``added``: what :meth:`Catalogue.add_all <sucai.store.Catalogue.add_all>` gave for the document,
    stored already; ``replaces``: the document of which it is a new version. Returns the file's outcome and what
    :meth:`Catalogue.add <sucai.store.Catalogue.add>` gave (None: no document was stored)."""
    key = key or file_key(path)
    if isinstance(parsed, tuple):
        status, reason, *detail = parsed
        reason = clean.well_formed(reason.replace(path.name, _name_text(path.name)))   # a reason names the file
        if detail:   # the reading library's own words (English), for a developer: `logging` at DEBUG (the reason
            log.debug("%s：%s", path, detail[0])   # is the outcome's: a watcher logs it, sucai.watch.Batch.not_stored)
        catalogue.record_file(key, content, status, reason, conditions() if conditions else None)
        return FileOutcome(str(path), status, reason=reason), None
    try:
        added = added or catalogue.add(parsed.doc, parsed.text_hash, key, content, parsed.sketch.signature, replaces)
    except Exception as err:
        log.exception("保存 %s 时出现内部错误", path)
        return FileOutcome(str(path), "failed", reason=internal_reason(err)), None
    status, doc_id = added
    return FileOutcome(str(path), status, doc_id, parsed.doc.title, _REASONS.get(status, "").format(doc_id) or None), added


_REASONS = {"duplicate": "与文档 {} 内容相同",
            "kept": "文档 {} 的会员内容范围（可能由管理员划定）对不上新读出的文本，保留原有文档；"
                    "如需采用新文本，请删除该文档后重新入库"}
"""The reason an outcome gives, of the document's id (:func:`_store`)."""
