"""Sync to a folder (会员每日同步): new documents written as .docx or .md files into a folder.

``sync(library, folder, since=…)`` writes each visible document added since a
day (and matching a query, if one is given) that the folder does not hold yet.
The folder's manifest (``.sucai-sync.json``) remembers what was written (document
id → file name, whether it holds the whole text), so running it again writes
only what is new — or what the viewer may now see more of (a free copy becomes
the whole text once the viewer is a member). The manifest is rewritten after
every file (atomically), so an interrupted sync resumes where it stopped. The manifest is not trusted: it
lies in a folder others may write to, so each entry must name a plain file of the folder itself (no path, no
``..``) — a manifest with any other entry is refused whole (``bad_manifest``), before anything is written —
and each file goes in through a new temporary file of its own (a link planted in the folder is replaced, never
followed).

Tier rules: by default a folder gets what a visitor gets — the free view of each
document with the 会员 notice (:func:`sucai.access.view`), so a folder shared
with anyone leaks nothing. With an account (``--as USER``), the folder gets what
that account sees today: a member's whole documents, each counted as one of the
member's downloads (audited, within the daily quota of the member's tier: the
sync stops at the quota and the next run goes on).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from . import access
from .accounts import Accounts, TooManyRequests, Viewer
from .choices import SYNC_FORMATS as FORMATS   # one of them: the format of a synced folder's files
from .config import day_start
from .errors import InvalidInput, ReadError, os_reason
from .interrupts import held
from .export import export_document
from .export.archive import unique_name
from .search import SearchRequest
from .updates import added_since

MANIFEST = ".sucai-sync.json"
MANIFEST_BYTES = 64 * 2**20   # ≈ 100 bytes a document: far more than any library's


@dataclass
class SyncSummary:
    """What a sync did: files ``written`` (names), documents ``kept`` (already there), and why it
    stopped early (``stopped``: a message, or None)."""

    written: list[str] = field(default_factory=list)
    kept: int = 0
    stopped: str | None = None


def sync(library, folder: str | Path, *, since: date, query: str | None = None, mode: str = "precise",
         fmt: str = "md", viewer: Viewer | None = None, accounts: Accounts | None = None) -> SyncSummary:
    """Write the documents added since local day ``since`` (matching ``query`` searched in ``mode``,
    精准 by default: every term verbatim) into ``folder`` as ``fmt``.

    ``viewer`` (with its ``accounts``) is whose view is written; None: a visitor's (the free view).
    Raises InvalidInput (``bad_format``, ``bad_folder``, ``bad_manifest``). Ctrl+C and SIGTERM are taken between two
    documents (:func:`sucai.interrupts.held`): each written is in the manifest.
    """
    if fmt not in FORMATS:
        raise InvalidInput(f"同步格式应为 {' / '.join(FORMATS)}：{fmt}", code="bad_format")
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InvalidInput(f"无法创建文件夹 {folder}：{os_reason(error)}", code="bad_folder") from error
    with held() as take:   # Ctrl+C between two documents, never inside a database statement
        return _sync(library, folder, take, since=since, query=query, mode=mode, fmt=fmt, viewer=viewer,
                     accounts=accounts)


def _sync(library, folder: Path, take, *, since: date, query: str | None, mode: str, fmt: str,
          viewer: Viewer | None, accounts: Accounts | None) -> SyncSummary:
    manifest = _load(folder)
    member = bool(viewer and viewer.member)
    ids = _added_ids(library, since, query, mode, member)
    summary = SyncSummary()
    taken = {entry["file"].casefold() for entry in manifest["documents"].values()}
    taken |= {p.name.casefold() for p in folder.iterdir()}
    for doc in _documents(library, ids):
        take()
        entry = manifest["documents"].get(str(doc.id))
        if entry and entry["full"] >= member and (folder / entry["file"]).exists():
            summary.kept += 1
            continue
        view, notice = access.view(doc, member)
        if viewer is not None and accounts is not None:
            try:
                what = f"文档 {doc.id}（{fmt}，{'全文' if member else '免费部分'}，同步）"
                accounts.count_download(viewer, what)
            except TooManyRequests as error:
                summary.stopped = error.message
                break
        name, data = export_document(view, fmt, notice=notice)
        if entry:
            taken.discard(entry["file"].casefold())
        file = (entry["file"] if entry and entry["file"].endswith(f".{fmt}")
                else unique_name(Path(name).stem, f".{fmt}", taken))
        _write(folder / file, data)
        manifest["documents"][str(doc.id)] = {"file": file, "full": member, "title": view.title}
        _save(folder, manifest)
        summary.written.append(file)
    return summary


def _added_ids(library, since: date, query: str | None, mode: str, member: bool) -> list[int]:
    """Ids of the documents added since local day ``since``, oldest first (an interrupted sync has written the
    earliest), kept to those matching ``query`` when one is given."""
    rows = added_since(library, day_start(since, library.settings.zone))
    ids = [doc_id for doc_id, _ in reversed(rows)]
    if not (query and query.strip() and ids):
        return ids
    request = SearchRequest(q=query, mode=mode, ids=ids, facets=False)
    matching = set(library.matching_ids(request, member=member, limit=len(ids))[1])
    return [i for i in ids if i in matching]


def _documents(library, ids: list[int], chunk: int = 200):
    """The documents with these ids, read a chunk at a time (bounded memory and IN lists)."""
    for start in range(0, len(ids), chunk):
        yield from library.catalogue.documents(ids[start:start + chunk])


def _load(folder: Path) -> dict:
    """The manifest of ``folder``: ``{"version": 1, "documents": {id: {"file": name, "full": bool, "title": …}}}``,
    each ``name`` a file of the folder itself, no two the same (ignoring case), read as a regular file of at most
    :data:`MANIFEST_BYTES` (:func:`sucai.readers.file_bytes`). Raises InvalidInput ``bad_manifest`` (saying which
    entry, or why the file cannot be read) for anything else."""
    path = folder / MANIFEST
    if not path.exists():
        return {"version": 1, "documents": {}}
    from .readers import file_bytes   # the readers' light package (≈ 80 ms): not for a first sync

    remedy = "删除它会重新写入全部文档"
    try:   # a regular file only, bounded: a pipe or device planted in its place is refused unread
        data = json.loads(file_bytes(path, MANIFEST_BYTES))
    except ReadError as error:
        raise InvalidInput(f"同步清单有误：{error.message}；{remedy}", code="bad_manifest") from error
    except (ValueError, RecursionError) as error:   # RecursionError: nested too deep to read
        data = error
    if not isinstance(data, dict) or not isinstance(data.get("documents"), dict):
        raise InvalidInput(f"同步清单 {path} 已损坏；{remedy}", code="bad_manifest")
    names: set[str] = set()
    for key, entry in data["documents"].items():
        file = entry.get("file") if isinstance(entry, dict) else None
        if not (_plain_name(file) and isinstance(entry.get("full"), bool)) or file.casefold() in names:
            shown = json.dumps(entry, ensure_ascii=False)
            raise InvalidInput(f"同步清单 {path} 中文档 {key} 的条目无效：{shown[:80]}（应为 "
                               f"{{\"file\": 本文件夹中的文件名, \"full\": true 或 false}}，文件名不重复）；{remedy}",
                               code="bad_manifest")
        names.add(file.casefold())
    return data


def _plain_name(file: object) -> bool:
    """Whether ``file`` names a file in the folder itself: one path component, not the manifest, no NUL."""
    return (isinstance(file, str) and file not in ("", ".", "..", MANIFEST) and os.sep not in file
            and (os.altsep is None or os.altsep not in file) and "\0" not in file)


def _save(folder: Path, manifest: dict) -> None:
    _write(folder / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))


def _write(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all: a new temporary file beside it (made here, never an existing one a
    link could lead elsewhere), renamed into place (a link at ``path`` is replaced, not followed)."""
    temp = None
    try:
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".part",
                                         delete=False) as handle:
            temp = Path(handle.name)
            handle.write(data)
        os.replace(temp, path)
    except OSError as error:
        if temp is not None:
            temp.unlink(missing_ok=True)
        raise InvalidInput(f"无法写入 {path}：{os_reason(error)}", code="bad_folder") from error
