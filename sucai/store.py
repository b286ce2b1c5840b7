"""The catalogue: the source of truth for documents, on the data-access layer (:mod:`sucai.db`).

An embedded SQLite file by default, or the PostgreSQL database of ``database_url``
shared by several nodes. Everything else (each node's search index) is derived
from it and can be rebuilt. Every addition, edit, hiding, showing and removal of
a document, and every change of a cluster of near-duplicates (kind ``cluster``:
search results show one version per cluster), appends a row to the **change log**
(``changes``), in the same
transaction, under a sequence number that only grows and that no reader sees out
of order (on PostgreSQL the append takes a transaction-level advisory lock, so
numbers are handed out in commit order, and it notifies the channel
:data:`CHANNEL`). A search index records the last number it applied and follows
the log (:mod:`sucai.index`, :mod:`sucai.replica`). The log keeps the last ``change_log_days``
days of changes, and always the newest one (:meth:`Catalogue.prune_changes`, once a day by
:mod:`sucai.retention`): a reader that applied it only up to a change before the pruned point is told so
(:meth:`Catalogue.changes_since` gives None) and reads everything again. The ``files`` table remembers
every file ingested (by path and content hash), so re-running an ingest skips
what it has done.

Concurrency: short transactions; writers wait, they never fail (see :mod:`sucai.db`),
so several processes and nodes may ingest and search at once.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import groupby
from pathlib import Path
from typing import NamedTuple

import orjson
from sqlalchemy import BigInteger, Connection, Dialect, String, Text, and_, bindparam, case, cast, func, literal, literal_column, select, text

from . import access
from .clean import plain
from .counting import COUNT_VERSION, count_chars
from .db import DELETE_BATCH, Database, driver_rows, retried, utc_stamp
from .db.schema import changes, cluster_splits, clusters, documents, files, free_clusters, meta, signatures
from .errors import InvalidInput, no_document
from .model import READING_VERSION, UNSTATED_SOURCE, Document, Element, Evidence, OutlineNode, Removal, members_span

CHANNEL = "sucai_changes"        # PostgreSQL NOTIFY channel: the new sequence number as payload
_LOG_LOCK = 0x5C_A1_0002         # PostgreSQL advisory lock: sequence numbers in commit order
# Statements run for every file of an ingest, made once and given their values as parameters (compiled once)
_LOG_CHANGE = changes.insert().returning(changes.c.seq)
_META_VALUE = select(meta.c.value).where(meta.c.key == bindparam("key"))
# the characters str.strip() strips (all below U+3001), for SQL's trim: a text of these only is blank
_BLANKS = "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace())
_DROP_SIGNATURE = signatures.delete().where(signatures.c.doc_id == bindparam("doc_id"))
_NEXT_SIGNATURE_SEQ = (meta.update().where(meta.c.key == "signature_seq")   # the new value (None: no row yet)
                       .values(value=cast(cast(meta.c.value, BigInteger) + bindparam("count"), Text))
                       .returning(cast(meta.c.value, BigInteger)))
_SIGNATURES_SINCE = (select(signatures.c.seq, signatures.c.doc_id, signatures.c.minhash)
                     .where(signatures.c.seq > bindparam("seq")).order_by(signatures.c.seq))
_UNPLACED = "unplaced:"   # meta: the ids add_all stored (under the first), not placed among near-duplicates yet
_UNPLACED_IDS = select(meta.c.value).where(meta.c.key.startswith(_UNPLACED))
_PLACED = meta.delete().where(meta.c.key.in_(bindparam("keys", expanding=True)))   # built once: an ingest's batch each
_FILE_COLUMNS = (files.c.path, files.c.content_hash, files.c.status, files.c.doc_id, files.c.reason, files.c.tried_with)
_FILE_RECORDS = select(*_FILE_COLUMNS).where(files.c.path.in_(bindparam("paths", expanding=True)))
# the record key of the file a document's content was read from (one stored before c0008 has none: its source_path)
_SOURCE_KEY = func.coalesce(documents.c.source_key, documents.c.source_path)

# a document stored by an older reading than this one (NULL: before the version was kept, c0011)
_OLDER_READING = func.coalesce(documents.c.reading_version, 0) < READING_VERSION
_CHANGE_COUNT = select(func.coalesce(func.max(changes.c.seq), 0))
_DOC_COLUMNS = (documents.c.id, documents.c.title, documents.c.genre, documents.c.declared_chars,
                documents.c.paid_from, documents.c.paid_until, documents.c.doc_number, documents.c.date,
                documents.c.source, documents.c.text, documents.c.outline, documents.c.elements,
                documents.c.removed, documents.c.source_path, documents.c.format, documents.c.encoding,
                documents.c.ingested_at, documents.c.hidden, documents.c.ocr_confidence, documents.c.evidence,
                documents.c.free_metadata, documents.c.counted_chars)
_LISTS = ("outline", "elements", "removed")   # what documents(outline=False) leaves empty (never the evidence)
# …but the removals of a document whose members part starts where its text does: its title may be members
# text, and what stood above the text before the members part (a "free_head" removal) is its free view's head
_EMPTY_LISTS = {"outline": literal_column("'[]'"), "elements": literal_column("'[]'"),
                "removed": case((documents.c.paid_from == literal_column("0"), documents.c.removed), else_=literal_column("'[]'"))}
# Catalogue.documents(outline=…): built once (a search reads its hits with it: _documents_of)
_DOCUMENTS = {outline: select(*[c if outline or c.name not in _LISTS else _EMPTY_LISTS[c.name].label(c.name)
                                for c in _DOC_COLUMNS]).order_by(documents.c.id) for outline in (False, True)}
_EDITABLE = ("title", "genre", "paid_from", "paid_until", "doc_number", "date", "source")
_REQUIRED = {"title": ("标题", 200), "genre": ("文种", 50)}   # never blank: name shown, most characters
_METADATA = ("title", "genre", "doc_number", "date", "source")
_PER_COMMIT = 500   # documents describe_free and recount make again per transaction


@dataclass
class Summary:
    """A document without its text (for lists, counts and title look-ups): its metadata, length (``chars``, the
    unit of the members span) and 字数 (``counted_chars``, :attr:`sucai.model.Document.counted_chars`), members span
    and the evidence of its metadata. What a viewer without the member tier gets of
    it is :func:`sucai.access.free_summaries`."""

    id: int
    title: str
    genre: str
    chars: int
    counted_chars: int
    date: str | None
    source: str | None
    doc_number: str | None
    declared_chars: int | None
    paid_from: int | None
    paid_until: int | None
    hidden: bool
    evidence: list[Evidence]
    free_metadata: dict | None = None   # as Document.free_metadata, when made for this members span and rules

    @property
    def members_span(self) -> tuple[int, int] | None:
        """As :attr:`sucai.model.Document.members_span`."""
        return members_span(self.paid_from, self.paid_until, self.chars)

    @property
    def has_member_part(self) -> bool:
        return self.members_span is not None

    def to_dict(self) -> dict:
        """What lists publish: id, title, 文种, 字数 (``chars``: :attr:`counted_chars`), date, source, has_member_part,
        hidden."""
        return {"id": self.id, "title": self.title, "genre": self.genre, "chars": self.counted_chars, "date": self.date,
                "source": self.source, "has_member_part": self.has_member_part, "hidden": self.hidden}


@dataclass(frozen=True)
class ClusterRow:
    """One member of a cluster of near-duplicates (see :mod:`sucai.dedupe`)."""

    doc_id: int
    cluster_id: int
    representative: bool
    pinned: bool            # the representative was chosen by an admin
    similarity: float | None  # Jaccard similarity to the version it joined (None: merged by an admin)
    hidden: bool = False      # the document is hidden (or gone): never shown, not in the search index


@dataclass(frozen=True)
class FileRecord:
    """What an earlier ingest did with a file."""

    path: str
    content_hash: str
    status: str
    doc_id: int | None
    reason: str | None
    tried_with: str | None = None   # a file 跳过/失败: what its outcome depended on besides its bytes


class Added(tuple):
    """What :meth:`Catalogue.add` returns: the pair ``(status, doc_id)``; as ``signature_seq`` the sequence
    number the document's near-duplicate signature was stored under (None: none was stored), with which
    :class:`sucai.dedupe.Clusters` takes it into its LSH without reading it back; and as ``stored`` the document
    as :meth:`Catalogue.get` gives it back when it was stored (status ``ingested``; one-line fields plain, the free
    preview's boundary, its free metadata), made once, without a read, for the clusters and the index feed (None
    for a copy of a stored document)."""

    signature_seq: int | None
    stored: Document | None
    copy: str | None   # the file's parse is another file's copy of the stored text, kept if better
                       # (_stored_already): the key of the file's record, else None

    def __new__(cls, status: str, doc_id: int, stored: Document | None = None, signature_seq: int | None = None,
                copy: str | None = None) -> Added:
        added = super().__new__(cls, (status, doc_id))
        added.stored, added.signature_seq, added.copy = stored, signature_seq, copy
        return added


class Addition(NamedTuple):
    """A document to store with :meth:`Catalogue.add_all` (the arguments of :meth:`Catalogue.add`)."""

    doc: Document
    text_hash: str
    path: str
    content_hash: str
    signature: bytes | None = None
    replaces: int | None = None   # the document this file's earlier text made, of which its text is a new version


class Catalogue:
    """The document catalogue in ``target``: a :class:`~sucai.db.Database` (store ``"catalogue"``),
    a database URL, or the path of an SQLite file (created on first use).

    ``preview_chars``: the operator's setting that makes documents stored without
    a member boundary members-only after a free preview of that many characters;
    documents read from the catalogue then carry that boundary as ``paid_from``
    (None, the default: such documents are free to all). All methods are safe to
    call from several threads, processes and nodes at once.
    """

    def __init__(self, target: Database | Path | str, preview_chars: int | None = None):
        if isinstance(target, Path):
            target = f"sqlite:///{target}"
        self.db = target if isinstance(target, Database) else Database(target, "catalogue")
        self.path = self.db.path
        self.preview_chars = preview_chars

    def close(self) -> None:
        """Nothing to do: connections are pooled per process (see :meth:`sucai.db.Database.dispose`)."""

    def transaction(self):
        """One write transaction (see :meth:`sucai.db.Database.transaction`)."""
        return self.db.transaction()

    # -- documents ---------------------------------------------------------

    def add(self, doc: Document, text_hash: str, path: str, content_hash: str,
            signature: bytes | None = None, replaces: int | None = None) -> Added:
        """Store ``doc`` read from file ``path``, in one transaction with the file's record (but a copy's,
        ``Added.copy``, which the caller writes once the clusters weighed the copy: :meth:`record_files`) — and, when
        given, its near-duplicate ``signature`` (as :meth:`put_signature` stores it; the ingest has it from
        the parse worker, and saves a transaction per file).

        Returns ``("ingested", new id)``, or ``("duplicate", id of the document with
        the same text)`` when one exists already (nothing is stored twice) — unless that
        document came from this very ``path`` (another process ingesting the same file
        stored it first, or the file is read again): then ``("unchanged", its id)``, never a duplicate of itself —
        or ``("updated", its id)`` when this parse differs from the stored one, which it replaces
        (:meth:`_replaced`: an upgraded parse of a file read again, a file changed but for its layout) — but not
        when the document holds another file's copy (:meth:`_stored_already`: the clusters keep the better one,
        ``Added.copy``). ``replaces``:
        the document this file's earlier text made, of which ``doc`` is a new version (the file changed on disk;
        :func:`sucai.dedupe.same_document`): it takes ``doc``'s text in its place, ``("updated", its id)`` —
        unless the text is stored already, or another file holds the old text (:meth:`_new_version`). Either
        replacement is ``("kept", its id)`` when what an admin set cannot be kept (a member boundary over text of
        another layout): nothing is written then, not even the file's record. (An :class:`Added`:
        that pair, with the sequence number the signature was stored under.)
        One-line fields (title, 文种, 文号, date, 来源, file name) are stored :func:`~sucai.clean.plain`. Its metadata
        as a viewer without the member tier sees it (:func:`sucai.access.keeping`, ~1 ms) is stored with it, and
        set as the ``free_metadata`` of the document as stored (``Added.stored``, made once with its plain fields).
        """
        return self.add_all([Addition(doc, text_hash, path, content_hash, signature, replaces)])[0]

    @retried
    def add_all(self, additions: list[Addition], placed: list[int] = ()) -> list[Added]:
        """:meth:`add` of each of ``additions``, in order, in one transaction (an ingest stores the documents its
        workers have ready at once: one commit, and one statement for all their signatures, one for all their
        changes, instead of one each). A failure stores none of them. The new documents are remembered as not yet
        placed among near-duplicates until :meth:`placed` (:meth:`unplaced_ids`: an ingest killed in between).
        ``placed``: the documents an earlier :meth:`add_all` stored that are placed since, no longer
        :meth:`unplaced_ids` once this commits — :meth:`placed` in this transaction (an ingest's next batch: one
        transaction a batch, not two)."""
        made = []
        for doc, text_hash, path, *_ in additions:
            stored = self._previewed(_plain_fields(doc))   # a copy: the boundary as read, the stored one is doc's
            stored.free_metadata = access.keeping(stored)
            made.append((stored, {**_content(stored, stored.free_metadata), "paid_from": doc.paid_from,
                                  "text_hash": text_hash, "source_key": path, "ingested_at": utc_stamp(),
                                  "reading_version": READING_VERSION}))
        with self.transaction() as conn:
            _placed(conn, placed)
            added = [self._add(conn, addition, stored, values) for addition, (stored, values) in zip(additions, made)]
            new = [(a, addition.signature) for a, addition in zip(added, additions) if a.stored is not None]
            signed = [(a[1], signature) for a, signature in new if signature is not None]
            for a, seq in zip((a for a, signature in new if signature is not None), self._sign(conn, signed)):
                a.signature_seq = seq
            if new:
                ids = [a[1] for a, _ in new]
                _set_meta(self.db, conn, f"{_UNPLACED}{ids[0]}", ",".join(map(str, ids)))
                self._log(conn, ids, "add")
        return added

    def unplaced_ids(self) -> list[int]:
        """Ids of the documents :meth:`add_all` stored, signed, and that were not :meth:`placed` since (an ingest
        killed between the two), in id order."""
        with self.db.read() as conn:
            stored = [int(i) for value in conn.execute(_UNPLACED_IDS).scalars() for i in value.split(",")]
            return list(conn.execute(select(documents.c.id).where(documents.c.id.in_(stored))
                                     .order_by(documents.c.id)).scalars()) if stored else []

    @retried
    def placed(self, doc_ids: list[int]) -> None:
        """The documents ``doc_ids`` — all that one :meth:`add_all` stored, or what :meth:`unplaced_ids` gave — are
        placed among near-duplicates: no longer :meth:`unplaced_ids`."""
        with self.transaction() as conn:
            _placed(conn, doc_ids)

    def _add(self, conn: Connection, addition: Addition, stored: Document, values: dict) -> Added:
        """The document of ``addition`` stored as ``values`` with its file's record, within ``conn``'s transaction
        (see :meth:`add`; its signature and change are written by :meth:`add_all`, a new version's here)."""
        status = self._new_version(conn, addition, stored, values["text_hash"]) if addition.replaces else None
        new_id = None if status else conn.execute(self.db.insert(documents, ignore=True).returning(documents.c.id),
                                                  values).scalar()
        copy, recorded = False, "ingested"
        if status is not None:
            doc_id = addition.replaces
        elif new_id is not None:
            status, doc_id = "ingested", new_id
        else:
            status, doc_id, copy, recorded = self._stored_already(conn, addition, stored)
        if status != "kept" and not copy:   # (a file whose new text was not taken is read again next time, and told
            self._record_file(conn, addition.path, addition.content_hash, recorded, doc_id, None)   # again)
        if status != "ingested":
            return Added(status, doc_id, copy=addition.path if copy else None)
        stored.id, stored.hidden = doc_id, False
        return Added(status, doc_id, stored)

    def _stored_already(self, conn: Connection, addition: Addition, stored: Document) -> tuple[str, int, bool, str]:
        """The file of ``addition`` holds the text of a stored document (its text hash) — a copy, or its own file
        read again: ``(status, doc_id, copy, recorded)``, ``recorded`` the status of the file's record (``ingested``
        for the document's own file, the one 已入库 as it; else ``duplicate``). The stored content is this file's
        parse, read again, when it was read from this file's record key (``source_key``; not its ``source_path``,
        which two files' names may share and which is not the key of a name not in UTF-8, of a deep path or of a
        linked file: :func:`sucai.ingest.file_key`) — or, for its own file, when that key is no other file's
        recorded with the document (the file renamed since): it is then replaced when this parse differs
        (:meth:`_replaced`; ``updated``, ``unchanged`` or, for a copy, ``duplicate``). Else it is another file's copy,
        kept or not by the clusters' rule (``copy``: :meth:`Clusters.keep_better_copy
        <sucai.dedupe.Clusters.keep_better_copy>`): ``unchanged`` for its own file, ``duplicate`` for a copy, nothing
        written — so that a reread does not put a weaker copy back over the better one."""
        doc_id, source = conn.execute(select(documents.c.id, _SOURCE_KEY)
                                      .where(documents.c.text_hash == addition.text_hash)).one()
        own = _found(conn, select(files.c.path).where(
            files.c.path == addition.path, files.c.status == "ingested", files.c.doc_id == doc_id))
        recorded = "ingested" if own else "duplicate"
        read_again = source == addition.path or (own and not _found(conn, select(files.c.path).where(
            files.c.path == source, files.c.path != addition.path, files.c.doc_id == doc_id)))
        if not read_again:   # another file's copy: kept or not by the clusters
            return ("unchanged" if own else "duplicate"), doc_id, True, recorded
        status = self._replaced(conn, doc_id, _same_text(stored, paid_from=addition.doc.paid_from), addition.path,
                                only_if_changed=True)
        return ("duplicate" if status == "unchanged" and not own else status), doc_id, False, recorded

    def _new_version(self, conn: Connection, addition: Addition, stored: Document, text_hash: str) -> str | None:
        """The document ``addition.replaces`` — the one this file's earlier text made, of which the ingest found its
        new text a version (:func:`sucai.dedupe.same_document`) — takes the new text in its place (as
        :meth:`_replaced`, its new signature stored), within ``conn``'s transaction: ``"updated"``, or ``"kept"`` when
        what an admin set cannot be kept. None when it is to be stored as before: its text is stored already (a copy,
        or that document read again), another file's record holds the old text (nothing is lost), or the document
        is gone."""
        doc_id = addition.replaces
        if (_found(conn, select(documents.c.id).where(documents.c.text_hash == text_hash))
                or _found(conn, select(files.c.path).where(files.c.doc_id == doc_id, files.c.path != addition.path))
                or not _found(conn, select(documents.c.id).where(documents.c.id == doc_id))):
            return None
        status = self._replaced(conn, doc_id, _same_text(stored, paid_from=addition.doc.paid_from), addition.path,
                                text_hash=text_hash)
        if status == "updated" and addition.signature is not None:
            self._sign(conn, [(doc_id, addition.signature)])
        return status

    def _replaced(self, conn: Connection, doc_id: int, doc: Document, key: str, only_if_changed: bool = False,
                  text_hash: str | None = None) -> str:
        """Store ``doc``, read from the file of record key ``key``, in the place of document ``doc_id`` with what an
        admin set on it kept (:func:`_with_edits`), its id, hidden flag and ingest time kept, within ``conn``'s
        transaction — another parse or copy of its layout-free text, or (``text_hash``: the new text's) a new version
        of it. Returns ``"updated"``, or ``"kept"`` when the edits cannot be kept (a member boundary other than
        ``doc``'s over text of another layout: nothing written), or, ``only_if_changed``, ``"unchanged"`` when nothing
        would change but ``key`` and the reading's version (only that written: the document is of this reading
        now). The metadata a visitor sees is described again. Raises NotFound."""
        row = conn.execute(select(*_DOC_COLUMNS).where(documents.c.id == doc_id)).first()
        if row is None:
            raise no_document(doc_id)
        kept = _with_edits(_document(row), doc)
        if kept is None:
            return "kept"
        content = _content(kept, self._kept(kept))
        if only_if_changed:
            stored = conn.execute(select(*(documents.c[name] for name in content)).where(documents.c.id == doc_id)).one()
            if dict(zip(content, stored)) == content:
                conn.execute(documents.update().where(documents.c.id == doc_id, _OLDER_READING)
                             .values(reading_version=READING_VERSION))
                return "unchanged"
        conn.execute(documents.update().where(documents.c.id == doc_id)
                     .values(**content, source_key=key, reading_version=READING_VERSION,
                             **({"text_hash": text_hash} if text_hash else {})))
        self._log(conn, doc_id, "update")
        return "updated"

    def get(self, doc_id: int, *, preview: bool = True) -> Document:
        """The document with this id. Raises NotFound.

        ``preview=False``: the member boundary as stored, without the one the
        ``preview_chars`` setting gives documents stored without a boundary (for
        editing the boundary itself).
        """
        with self.db.read() as conn:
            row = conn.execute(select(*_DOC_COLUMNS).where(documents.c.id == doc_id)).first()
        if row is None:
            raise no_document(doc_id)
        return self._document(row) if preview else _document(row)

    def documents(self, ids: list[int] | None = None, outline: bool = True, free: bool = False) -> Iterator[Document]:
        """All documents in id order, or those with the given ids (in id order).

        ``outline=False`` skips reading the outline, the elements and the removal audit
        (faster, for callers that need only text and metadata; the lists are then empty — but the
        removals of a document whose members part starts at its text: its free view describes them).

        ``free=True`` (with ``ids``): a members-only part that runs to the end of a text (:attr:`Document.members_span`,
        the free preview's boundary included) is not read — the database cuts it off, so it is neither sent nor
        decoded — and spaces stand in its place: the text keeps its length and every offset, and
        :func:`sucai.access.free_view` of the document is the same as of the whole one. For what is shown to a
        viewer without the member tier (a search's hits: a members part is often most of a text). Raises
        ValueError for ``free=True`` without ``ids`` (a caller's mistake: it would get whole texts).
        """
        if free and ids is None:
            raise ValueError("Catalogue.documents(free=True) reads given ids only")
        if ids is not None:
            if not ids:
                return
            preview = self.preview_chars if free else _WHOLE
            with self.db.read() as conn:   # a search reads its hits here: see _documents_of
                rows = driver_rows(conn, _documents_of(conn.dialect, outline, len(ids), preview), tuple(ids)
                                   if conn.dialect.positional else {f"id{k}": i for k, i in enumerate(ids)})
            yield from map(self._document, rows if preview is _WHOLE else map(_blanked, rows))
            return
        query = _DOCUMENTS[outline]
        last = 0
        while True:   # all documents, a batch at a time (no connection held while the caller works)
            with self.db.read() as conn:
                rows = conn.execute(query.where(documents.c.id > last).limit(500)).fetchall()
            if not rows:
                return
            yield from map(self._document, rows)
            last = rows[-1][0]

    def summaries(self, limit: int | None = None, newest_first: bool = False, include_hidden: bool = False) -> list[dict]:
        """Id, title, 文种, 字数, date, source of each document (no text); hidden ones only on request.

        The full metadata, for the operator: what a viewer without the member tier
        gets is :meth:`sucai.library.Library.summaries`.
        """
        return [row.to_dict() for row in self.records(limit, newest_first, include_hidden)]

    def records(self, limit: int | None = None, newest_first: bool = False, include_hidden: bool = False,
                ids: list[int] | None = None, offset: int = 0, added_since: str | None = None,
                hidden_only: bool = False) -> list[Summary]:
        """Each document without its text, in id order (or newest first), hidden ones only on request (only they with
        ``hidden_only``: ``sucai list --hidden``, where an operator finds the 编号 to show one again); only the given
        ``ids`` when there are some, only those added at or after ``added_since`` (an ISO UTC
        timestamp like ``ingested_at``, :func:`sucai.updates.utc_stamp`) when it is given; at most ``limit`` of them
        after the first ``offset``. The member boundary is the one documents are read with (see :meth:`get`)."""
        d = documents.c
        query = select(d.id, d.title, d.genre, d.chars, d.counted_chars, d.date, d.source, d.doc_number,
                       d.declared_chars, d.paid_from, d.paid_until, d.hidden, d.evidence, d.free_metadata)
        query = query.order_by(d.id.desc() if newest_first else d.id).limit(limit).offset(offset or None)
        if hidden_only:
            query = query.where(d.hidden != 0)
        elif not include_hidden:
            query = query.where(d.hidden == 0)
        if ids is not None:
            query = query.where(d.id.in_(ids))
        if added_since is not None:
            query = query.where(d.ingested_at >= added_since)
        with self.db.read() as conn:
            return [self._summary(row) for row in conn.execute(query)]

    def _summary(self, row) -> Summary:
        (doc_id, title, genre, chars, counted, date, source, number, declared, paid_from, paid_until, hidden, evidence,
         described) = row
        paid_from = access.preview_boundary(paid_from, chars, self.preview_chars)
        return Summary(doc_id, title, genre, chars, counted, date, source, number, declared, paid_from, paid_until,
                       bool(hidden),
                       [Evidence.from_dict(e) for e in orjson.loads(evidence)],
                       access.kept_metadata(_kept_loaded(described), paid_from, paid_until))

    def added_since(self, since: str, limit: int | None = None) -> list[tuple[int, str]]:
        """``(id, ingested_at)`` of the documents that are not hidden and were added at or after ``since``
        (an ISO UTC timestamp like ``ingested_at``), newest first, at most ``limit``."""
        with self.db.read() as conn:
            return [tuple(row) for row in conn.execute(
                select(documents.c.id, documents.c.ingested_at)
                .where(documents.c.ingested_at >= since, documents.c.hidden == 0)
                .order_by(documents.c.ingested_at.desc(), documents.c.id.desc()).limit(limit))]

    def update(self, doc_id: int, **changes) -> None:
        """Change metadata of a document (any of title, genre, paid_from, paid_until, doc_number, date, source).

        Text values are stored :func:`~sucai.clean.plain`, without the white space around them; the title
        (1–200 characters) and the 文种 (1–50) are never blank, the 文种 is one of the taxonomy's, as it names it
        (:func:`sucai.metadata.genres.listed_genre`: 「讲话」 → 讲话稿 — a 文种 the table lacks would have a facet whose
        link no search takes), a blank 文号, date or 来源 is stored as None (unknown).
        The member boundary is checked as a whole (changes merged with what is
        stored): ``0 <= paid_from <= chars`` and ``paid_from < paid_until <= chars``;
        a ``paid_until`` with only white space after it is stored as None (to the
        end), removing ``paid_from`` removes ``paid_until``, an end without a start is
        refused. Raises NotFound, or InvalidInput (code ``bad_field`` / ``bad_title`` / ``bad_genre`` /
        ``bad_boundary``) for an unknown field, a blank or too long title or 文种, a 文种 not in the table, or a boundary outside
        those limits; nothing is written then.
        The metadata a viewer without the member tier sees is described again with the edit (the evidence
        and boundary it gives, :func:`sucai.access.keeping`). The index picks the change up at its next sync.
        """
        unknown = set(changes) - set(_EDITABLE)
        if unknown:
            raise InvalidInput(f"不能修改的字段：{', '.join(sorted(unknown))}", code="bad_field")
        changes = {name: _edited(name, value) for name, value in changes.items()}
        doc = self.get(doc_id, preview=False)
        if {"paid_from", "paid_until"} & set(changes):
            start = changes.get("paid_from", doc.paid_from)
            end = changes.get("paid_until", None if start is None else doc.paid_until)
            changes.update(_checked_boundary(doc, start, end))
        if not changes:
            return
        edited = [Evidence(name, str(value), "editor", rule="管理员修改") for name, value in changes.items()
                  if name in _METADATA and value not in (None, "")]
        evidence = edited + [e for e in doc.evidence if e.field not in changes]
        described = _kept_dump(self._kept(replace(doc, **changes, evidence=evidence)))
        self._change(doc_id, "update", {**changes, "evidence": _dump([e.to_dict() for e in evidence]),
                                        "free_metadata": described})

    def set_hidden(self, doc_id: int, hidden: bool) -> None:
        """Hide a document from everyone but admins (or show it again). Raises NotFound."""
        self._change(doc_id, "hide" if hidden else "show", {"hidden": int(hidden)})

    @retried
    def _change(self, doc_id: int, kind: str, values: dict) -> None:
        with self.transaction() as conn:
            if not conn.execute(documents.update().where(documents.c.id == doc_id).values(**values)).rowcount:
                raise no_document(doc_id)
            self._log(conn, doc_id, kind)

    @retried
    def remove(self, doc_id: int) -> None:
        """Delete a document (and forget the files that produced it). Raises NotFound."""
        with self.transaction() as conn:
            if not conn.execute(documents.delete().where(documents.c.id == doc_id)).rowcount:
                raise no_document(doc_id)
            conn.execute(files.delete().where(files.c.doc_id == doc_id))
            conn.execute(_DROP_SIGNATURE, {"doc_id": doc_id})
            _leave(conn, doc_id)
            _leave(conn, doc_id, free_clusters)
            self._log(conn, doc_id, "remove")

    def stats(self) -> dict:
        """Totals of the documents that are not hidden: documents, 字数 (``chars``: the sum of their
        ``counted_chars``), by 文种 and by source."""
        shown = documents.c.hidden == 0
        source = func.coalesce(documents.c.source, UNSTATED_SOURCE)
        count = func.count()
        with self.db.read() as conn:
            docs, chars = conn.execute(select(count, func.coalesce(func.sum(documents.c.counted_chars), 0))
                                       .where(shown)).one()
            by_genre = conn.execute(select(documents.c.genre, count).where(shown).group_by(documents.c.genre)
                                    .order_by(count.desc(), documents.c.genre)).fetchall()
            by_source = conn.execute(select(source, count).where(shown).group_by(source)
                                     .order_by(count.desc(), source)).fetchall()
        return {"documents": docs, "chars": int(chars), "by_genre": dict(by_genre), "by_source": dict(by_source)}

    def older_readings(self) -> tuple[int, int]:
        """How many documents that are not hidden were stored by a reading older than this sucai's
        (:data:`~sucai.model.READING_VERSION`; one stored before the version was kept counts as one), and how many
        of them have a members part of their own (a stored ``paid_from``: what their free view shows was cut by
        that reading, :func:`sucai.access.free_view`): ``(documents, with a members part)``. ``sucai ingest
        --reread`` of their files reads them again."""
        older = select(func.count(), func.count(documents.c.paid_from)).where(documents.c.hidden == 0, _OLDER_READING)
        with self.db.read() as conn:
            return tuple(conn.execute(older).one())

    @retried
    def rehash(self, text_hash: Callable[[Document], str], version: int) -> int:
        """Recompute every document's duplicate key when the definition of ``text_hash`` changed.

        ``text_hash(Document(title, text))`` is the key (see
        :func:`sucai.dedupe.text_hash`); ``version`` names its definition and is
        recorded in ``meta``, so this runs once per definition (a read when nothing
        is to do), in one transaction: a file stored under the old definition and
        ingested again is still 重复 of its document. Documents that now share a key
        (layout twins stored apart before) are all kept; the later ones get the key
        ``<hash>:<id>``, so the key stays unique and new copies are duplicates of
        the first. Returns how many documents were re-hashed.
        """
        return self._once("text_hash_version", str(version), lambda conn: self._rehash_all(conn, text_hash))

    def _rehash_all(self, conn: Connection, text_hash: Callable[[Document], str]) -> int:
        """:meth:`rehash`'s work within ``conn``'s transaction."""
        keys, seen = [], set()
        rows = conn.execute(select(documents.c.id, documents.c.title, documents.c.text).order_by(documents.c.id))
        for doc_id, title, body in rows.fetchall():
            key = text_hash(Document(title=title, text=body))
            keys.append({"key": f"{key}:{doc_id}" if key in seen else key, "doc": doc_id})
            seen.add(key)
        # no clash while keys are replaced
        conn.execute(documents.update().values(text_hash=literal("rehash:") + cast(documents.c.id, String)))
        if keys:
            conn.execute(documents.update().where(documents.c.id == bindparam("doc"))
                         .values(text_hash=bindparam("key")), keys)
        return len(keys)

    def _once(self, key: str, recorded: str, work: Callable[[Connection], int]) -> int:
        """Run ``work`` (given the connection; it returns a count) in one transaction when meta ``key`` does not
        hold ``recorded`` (the version of a rule, and what else a stored value derived by it depends on), then
        record it there: so a value kept for every document is made again once per rule and setting, a read
        when nothing is to do (:meth:`rehash`, :meth:`choose_representatives`, when a
        library is opened). Returns ``work``'s count, 0 when it did not run."""
        if self.meta(key) == recorded:
            return 0
        with self.transaction() as conn:
            if _meta(conn, key) == recorded:  # another process did it meanwhile
                return 0
            done = work(conn)
            _set_meta(self.db, conn, key, recorded)
        return done

    def describe_free(self, progress: Callable[[tuple[str, ...], int, int], None] | None = None) -> int:
        """Make again the metadata of every document as a viewer without the member tier sees it
        (column ``free_metadata``: :func:`sucai.access.keeping`, NULL for a document without a members part)
        when its rules (:data:`sucai.access.FREE_METADATA_VERSION`) or the free preview's setting (which moves
        what is free) changed since it was made — or it never was (migration c0004): recorded in meta
        ``free_metadata_version`` once every document is done. Only the documents with a members part, or kept with
        one (:meth:`_free_viewed`), are read: the others' column stays NULL. A transaction per :data:`_PER_COMMIT`
        of them, each reading the rows it writes, so that writers wait for one batch at most (~1 ms per
        document with a members part), and a value is never written over an edit made meanwhile; a value not yet
        made again is not used meanwhile (:func:`sucai.access.kept_metadata` checks what it was made for).
        Adding, editing and replacing a document keep it current. ``progress(changed, done, total)`` is called before
        each batch (``changed``: :meth:`free_changed`; ``done`` of the ``total`` documents made again), when there is
        work. Returns how many documents were described."""
        changed = self.free_changed()
        told = progress and (lambda done, total: progress(changed, done, total))
        return self._in_batches("free_metadata_version", self._free_recorded(), self._describe, told,
                                self._free_viewed)

    def free_changed(self) -> tuple[str, ...]:
        """Why :meth:`describe_free` has work: ``"rules"`` when the rules of the free metadata changed since it was made
        (an upgrade; or it never was: a library from before they were kept), ``"preview"`` when the free preview's
        setting did (``free_preview_chars``); empty when neither."""
        recorded = self.meta("free_metadata_version")
        rules, _, preview = (recorded or "").partition(":preview=")
        current, _, now = self._free_recorded().partition(":preview=")
        return (*(["rules"] if rules != current else []), *(["preview"] if recorded and preview != now else []))

    def _free_recorded(self) -> str:
        """What meta ``free_metadata_version`` holds once :meth:`describe_free` is done: its rules and the setting."""
        return f"{access.FREE_METADATA_VERSION}:preview={self.preview_chars}"

    def _free_viewed(self) -> list[int]:
        """The ids of the documents whose free view :meth:`describe_free` makes again: those with a members part as
        documents are read now (or with evidence marked ``paid_title``, found in its raw JSON: at worst one read in
        vain), and those kept with one (it may be gone: their column is cleared)."""
        d = documents.c
        query = (select(d.id, d.chars, d.paid_from, d.paid_until, d.free_metadata.is_not(None), d.evidence)
                 .order_by(d.id))
        with self.db.read() as conn:
            return [doc_id for doc_id, chars, paid_from, paid_until, kept, evidence in conn.execute(query)
                    if kept or '"paid_title"' in evidence
                    or members_span(access.preview_boundary(paid_from, chars, self.preview_chars), paid_until, chars)]

    def recount(self) -> int:
        """Count again the 字数 of every document (column ``counted_chars``: :attr:`sucai.model.Document.counted_chars`
        of its whole text) when the rule (:data:`sucai.counting.COUNT_VERSION`) changed since they were counted — or
        they never were (migration c0007): recorded in meta ``counted_chars_version`` once every document is done, a
        transaction per :data:`_PER_COMMIT` documents (~0.1 µs per character: bench/counting.py). Adding and replacing a
        document count it. Returns how many documents were counted."""
        return self._in_batches("counted_chars_version", str(COUNT_VERSION), self._count)

    def _in_batches(self, key: str, recorded: str, work: Callable[[list[int]], int],
                    progress: Callable[[int, int], None] | None = None,
                    chosen: Callable[[], list[int]] | None = None) -> int:
        """Run ``work`` (given ids; it returns a count) on every document (those ``chosen()`` gives, when given),
        :data:`_PER_COMMIT` ids at a time, when meta ``key`` does not hold ``recorded`` (as :meth:`_once`, but writers
        wait for one batch at most), then record it there; ``progress(ids gone through, all ids)`` before each batch.
        Returns the sum of ``work``'s counts, 0 when it did not run."""
        if self.meta(key) == recorded:
            return 0
        ids = (chosen or self._ids)()
        done = 0
        for start in range(0, len(ids), _PER_COMMIT):
            if progress is not None:
                progress(start, len(ids))
            done += work(ids[start:start + _PER_COMMIT])
        with self.transaction() as conn:
            _set_meta(self.db, conn, key, recorded)
        return done

    def _ids(self) -> list[int]:
        """The ids of all documents, in order."""
        with self.db.read() as conn:
            return list(conn.execute(select(documents.c.id).order_by(documents.c.id)).scalars())

    @retried
    def _count(self, ids: list[int]) -> int:
        """:meth:`recount`'s work on the documents ``ids``, in one transaction (each text counted as read in it)."""
        with self.transaction() as conn:
            counted = [{"doc": doc_id, "counted": count_chars(text)} for doc_id, text in
                       conn.execute(select(documents.c.id, documents.c.text).where(documents.c.id.in_(ids)))]
            if counted:
                conn.execute(documents.update().where(documents.c.id == bindparam("doc"))
                             .values(counted_chars=bindparam("counted")), counted)
        return len(counted)

    @retried
    def _describe(self, ids: list[int]) -> int:
        """:meth:`describe_free`'s work on the documents ``ids``, in one transaction. A document whose
        metadata came out other than what was kept is logged as changed (``update``), so that every node's
        index takes its visitor fields (``free_`` 文种, 来源, dates, title) from the new rules at its next sync."""
        with self.transaction() as conn:
            kept = [(row[0], _made_again(access.keeping(doc), doc.free_metadata))
                    for row in conn.execute(_DOCUMENTS[False].where(documents.c.id.in_(ids)))
                    for doc in [self._document(row)]]
            conn.execute(documents.update().where(documents.c.id == bindparam("doc"))
                         .values(free_metadata=bindparam("described")),
                         [{"doc": doc_id, "described": None if value is None else _kept_dump(value)}
                          for doc_id, (value, _) in kept])
            for doc_id, (_, changed) in kept:
                if changed:
                    self._log(conn, doc_id, "update")
        return sum(value is not None for _, (value, _) in kept)

    def meta(self, key: str) -> str | None:
        """A value of the catalogue's ``meta`` table (e.g. ``text_hash_version``), None when unset."""
        with self.db.read() as conn:
            return _meta(conn, key)

    @retried
    def set_meta(self, key: str, value: str) -> None:
        """Set a value of the catalogue's ``meta`` table (see :meth:`meta`)."""
        with self.transaction() as conn:
            _set_meta(self.db, conn, key, value)

    @retried
    def library_id(self) -> str:
        """A random name given to this catalogue when first asked, so that a search index can tell it
        follows this catalogue's change log and not another's (a restored or replaced database)."""
        found = self.meta("library_id")
        if found:
            return found
        with self.transaction() as conn:
            conn.execute(self.db.insert(meta, ignore=True).values(key="library_id", value=uuid.uuid4().hex))
            return _meta(conn, "library_id")

    # -- the change log -----------------------------------------------------

    def _log(self, conn: Connection, doc_id: int | list[int], kind: str) -> None:
        """Append a change of ``doc_id`` (or of each of a list, in order) to the log: the last statement of its
        transaction (on PostgreSQL it takes the log's lock, held to the commit, so numbers are committed in order)."""
        if self.db.postgres:
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOG_LOCK})
        at = utc_stamp()
        seqs = conn.execute(_LOG_CHANGE, [{"doc_id": one, "kind": kind, "at": at}
                                          for one in ([doc_id] if isinstance(doc_id, int) else doc_id)]).scalars().all()
        if self.db.postgres:
            conn.execute(select(func.pg_notify(CHANNEL, str(max(seqs)))))

    def change_count(self) -> int:
        """The number of the newest change in the log (0: none): it grows with every addition, edit,
        hiding, showing and removal of a document and every change of a cluster of near-duplicates —
        made by any process on any node — so a process caching derived data (type-ahead titles,
        search results, its search index) compares it to know whether its copy is current."""
        with self.db.read() as conn:
            return conn.execute(_CHANGE_COUNT).scalar_one()

    def changes_since(self, seq: int, limit: int | None = None) -> list[tuple[int, int, str]] | None:
        """``(seq, doc_id, kind)`` of the changes numbered after ``seq``, oldest first (at most ``limit``); None
        when :meth:`prune_changes` deleted some of them (``seq`` is before its point): the list would miss them."""
        with self.db.read() as conn:
            rows = [tuple(row) for row in conn.execute(select(changes.c.seq, changes.c.doc_id, changes.c.kind)
                                                       .where(changes.c.seq > seq).order_by(changes.c.seq).limit(limit))]
            return None if _pruned(conn) > seq else rows   # read after the rows: a pruning before them is seen

    def prune_changes(self, before: str, batch: int = DELETE_BATCH) -> int:
        """Delete the changes logged before ``before`` (an ISO UTC time, as the log's ``at``) but the newest
        change — :meth:`change_count` never goes back, so a cache keyed by it never takes an older state for the
        current one —, and record the newest number deleted (meta ``changes_pruned``): a reader that applied the
        log only up to a change before it learns that its changes since are gone (:meth:`changes_since` and
        :meth:`index_state` give it None) and reads everything again instead. Oldest first, at most ``batch``
        changes per transaction, each recording its own point (a first pruning of a large old log keeps no writer
        waiting long); the same changes go as in one. Returns how many went. Linear in the log."""
        through, deleted = None, 0
        while True:
            through, went = self._prune_batch(before, through, batch)
            deleted += went
            if went < batch:
                return deleted

    @retried
    def _prune_batch(self, before: str, through: int | None, batch: int) -> tuple[int | None, int]:
        """One transaction of :meth:`prune_changes`: the oldest ``batch`` changes numbered up to ``through`` (None:
        found here, the newest change logged before ``before`` but the newest of all) deleted and the point
        recorded; returns ``through`` and how many went."""
        with self.transaction() as conn:
            if self.db.postgres:   # after the appends committed before it, as a reader sees them
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOG_LOCK})
            if through is None:
                newest = conn.execute(_CHANGE_COUNT).scalar_one()
                through = conn.execute(select(func.max(changes.c.seq))
                                       .where(changes.c.at < before, changes.c.seq < newest)).scalar()
                if through is None:
                    return None, 0
            last = conn.execute(select(changes.c.seq).where(changes.c.seq <= through)
                                .order_by(changes.c.seq).offset(batch - 1).limit(1)).scalar()
            upto = through if last is None else last
            _set_meta(self.db, conn, "changes_pruned", str(max(upto, _pruned(conn))))
            return through, conn.execute(changes.delete().where(changes.c.seq <= upto)).rowcount

    def pruned_through(self) -> int:
        """The newest change number :meth:`prune_changes` deleted (0: none): a reader that applied the log up to a
        change before it must read everything again."""
        with self.db.read() as conn:
            return _pruned(conn)

    def index_state(self, applied: int) -> tuple[int, list[int] | None]:
        """:meth:`change_count`, and the ids of the documents that a search index which applied the log
        up to change ``applied`` holds in an older state — edited, hidden, shown, re-bounded or removed
        since — whose entries must not be trusted while it lags (documents only added since are not in
        it, or are in it as they are), in id order; None instead when :meth:`prune_changes` deleted changes
        after ``applied``: the log no longer says which, so no entry may be trusted. One read (a search asks
        for both)."""
        with self.db.read() as conn:
            count = conn.execute(_CHANGE_COUNT).scalar_one()
            changed = [] if count <= applied else list(conn.execute(
                select(changes.c.doc_id).distinct()
                .where(changes.c.seq > applied, changes.c.kind.not_in(("add", "cluster")))
                .order_by(changes.c.doc_id)).scalars())
            return count, None if count > applied and _pruned(conn) > applied else changed

    def text_hashes(self, ids: list[int]) -> dict[int, str]:
        """The :func:`~sucai.dedupe.text_hash` stored with each of these documents that exists, by id: one read."""
        with self.db.read() as conn:
            return dict(conn.execute(select(documents.c.id, documents.c.text_hash).where(documents.c.id.in_(ids))).all())

    def visible_titles(self, ids: list[int]) -> dict[int, str]:
        """The current title of each of these documents that exists and is not hidden."""
        if not ids:
            return {}
        with self.db.read() as conn:
            return dict(conn.execute(select(documents.c.id, documents.c.title)
                                     .where(documents.c.hidden == 0, documents.c.id.in_(ids))).fetchall())

    def title_only(self) -> list[tuple[int, str]]:
        """``(id, title)`` of the documents that are not hidden and have no text but blanks (only a title: stored
        before such files were refused, :func:`sucai.ingest.parse_file`; blanks as :meth:`str.strip` strips them),
        in id order — but those :meth:`hide_title_only` hid once (an admin may have shown them again)."""
        hid = orjson.loads(self.meta("title_only_hidden") or "[]")
        blank = func.trim(documents.c.text, _BLANKS) == ""
        with self.db.read() as conn:
            return [(doc_id, title) for doc_id, title in conn.execute(
                select(documents.c.id, documents.c.title).where(documents.c.hidden == 0, blank,
                                                                documents.c.id.not_in(hid))
                .order_by(documents.c.id))]

    @retried
    def hide_title_only(self, ids: list[int]) -> None:
        """Hide the documents ``ids`` (:meth:`title_only`) and remember it: :meth:`title_only` no longer lists
        them, hidden or shown again by an admin. One transaction; each hiding logged."""
        with self.transaction() as conn:
            hid = orjson.loads(_meta(conn, "title_only_hidden") or "[]")
            for doc_id in ids:
                conn.execute(documents.update().where(documents.c.id == doc_id).values(hidden=1))
                self._log(conn, doc_id, "hide")
            _set_meta(self.db, conn, "title_only_hidden", orjson.dumps(sorted({*hid, *ids})).decode())

    def existing_ids(self, ids: Iterable[int]) -> set[int]:
        """Which of these document ids the catalogue holds (hidden or not), read 10,000 at a time."""
        ids, held = sorted(set(ids)), set()
        with self.db.read() as conn:
            for start in range(0, len(ids), 10_000):
                held.update(conn.execute(select(documents.c.id).where(documents.c.id.in_(ids[start:start + 10_000])))
                            .scalars())
        return held

    def document_ids(self) -> list[int]:
        """Ids of every document that is not hidden (what a search index should hold), in order."""
        with self.db.read() as conn:
            return list(conn.execute(select(documents.c.id).where(documents.c.hidden == 0)
                                     .order_by(documents.c.id)).scalars())

    # -- near-duplicate clusters (see sucai.dedupe) ----------------------------------

    @retried
    def put_signature(self, doc_id: int, minhash: bytes) -> int:
        """Store (or replace) a document's MinHash signature under the next sequence number (numbers are
        given in commit order: the counter in ``meta`` is one row every writer updates); returns that number."""
        with self.transaction() as conn:
            return self._sign(conn, [(doc_id, minhash)])[0]

    def _sign(self, conn: Connection, minhashes: list[tuple[int, bytes]]) -> list[int]:
        """:meth:`put_signature` of each ``(doc_id, minhash)`` within ``conn``'s transaction, under the next numbers in
        this order (returned): two statements for them all — the counter moved on in its row (its first value written
        when there is none) and the signatures written over the documents' earlier ones."""
        if not minhashes:
            return []
        last = conn.execute(_NEXT_SIGNATURE_SEQ, {"count": len(minhashes)}).scalar()
        if last is None:
            last = len(minhashes)
            _set_meta(self.db, conn, "signature_seq", str(last))
        seqs = list(range(last - len(minhashes) + 1, last + 1))
        conn.execute(self.db.insert(signatures, update=("doc_id",)),
                     [{"seq": seq, "doc_id": doc_id, "minhash": minhash}
                      for seq, (doc_id, minhash) in zip(seqs, minhashes)])
        return seqs

    def signatures_since(self, seq: int) -> list[tuple[int, int, bytes]]:
        """``(seq, doc_id, minhash)`` of the signatures stored after sequence number ``seq``, in order."""
        with self.db.read() as conn:
            rows = conn.execute(_SIGNATURES_SINCE, {"seq": seq})
            return [(s, d, bytes(m)) for s, d, m in rows]

    def unsigned_ids(self) -> list[int]:
        """Ids of the documents that have no signature yet, in id order."""
        with self.db.read() as conn:
            return list(conn.execute(select(documents.c.id).where(documents.c.id.not_in(select(signatures.c.doc_id)))
                                     .order_by(documents.c.id)).scalars())

    def cluster_of(self, doc_id: int, *, free: bool = False) -> int | None:
        """The cluster of ``doc_id`` (``free``: as a viewer without the member tier sees them), None when in none."""
        with self.db.read() as conn:
            return _cluster_of(conn, doc_id, _table(free))

    def cluster_rows(self, cluster_id: int | None = None, *, doc_ids: list[int] | None = None,
                     free: bool = False) -> list[ClusterRow]:
        """The members of one cluster (``cluster_id``), the rows of some documents (``doc_ids``: of those in a
        cluster; one read), or the members of all clusters, ordered by cluster and document id; ``free``: of the
        clusters a viewer without the member tier sees (:mod:`sucai.dedupe`)."""
        with self.db.read() as conn:
            return _cluster_rows(conn, _table(free), cluster_id, doc_ids)

    @retried
    def join_cluster(self, doc_id: int, other_id: int, similarity: float | None, *, free: bool = False) -> int:
        """Put ``doc_id`` into the cluster of ``other_id`` (made when ``other_id`` has none); returns its id.

        ``doc_id`` leaves the cluster it was in. One transaction. ``free``: of the clusters a viewer without the
        member tier sees (as with every method here that takes it).
        """
        table = _table(free)
        with self.transaction() as conn:
            cluster = _cluster_of(conn, other_id, table)
            if cluster is not None and cluster == _cluster_of(conn, doc_id, table):
                return cluster   # in it already (placed again): leaving it first dissolved a cluster of two
            if cluster is None:
                cluster = _new_cluster(conn, table)
                conn.execute(table.insert().values(doc_id=other_id, cluster_id=cluster))
            _leave(conn, doc_id, table)
            conn.execute(table.insert().values(doc_id=doc_id, cluster_id=cluster, similarity=similarity))
            self._log(conn, doc_id, "cluster")
            return cluster

    @retried
    def merge_clusters(self, ids: list[int], *, free: bool = False) -> int:
        """One cluster of ``ids`` and every member of their clusters; returns its id. One transaction. Of the
        clusters as members see them (not ``free``), an admin's merge: ``ids`` get one new admin group (``merged``,
        kept through a regrouping, :meth:`admin_grouping`) with every document of the admin groups they were in —
        groups are joined only through a document named in both merges, never through sharing a cluster (placed
        by similarity of whole texts) — and are no longer split off."""
        table = _table(free)
        with self.transaction() as conn:
            found = list(conn.execute(select(table.c.cluster_id).distinct().where(table.c.doc_id.in_(ids))
                                      .order_by(table.c.cluster_id)).scalars())
            target = found[0] if found else _new_cluster(conn, table)
            if found[1:]:
                conn.execute(table.update().where(table.c.cluster_id.in_(found[1:]))
                             .values(cluster_id=target, pinned=0))
            conn.execute(self.db.insert(table, ignore=True), [{"doc_id": i, "cluster_id": target} for i in ids])
            if not free:
                joined = list(conn.execute(select(clusters.c.merged).distinct()
                                           .where(clusters.c.doc_id.in_(ids), clusters.c.merged != 0)).scalars())
                group = conn.execute(select(func.coalesce(func.max(clusters.c.merged), 0) + 1)).scalar_one()
                conn.execute(clusters.update().where(clusters.c.doc_id.in_(ids) | clusters.c.merged.in_(joined))
                             .values(merged=group))
                conn.execute(cluster_splits.delete().where(cluster_splits.c.doc_id.in_(ids)))
            self._log(conn, ids[0], "cluster")
            return target

    @retried
    def split_off(self, doc_id: int) -> tuple[int | None, int | None]:
        """An admin's split: take ``doc_id`` out of its cluster in both groupings (:meth:`leave_cluster`) and
        keep it out (:meth:`admin_grouping`). Returns the clusters it left — as members see them and the free
        one — (None, None) when it was in none (then nothing is kept). One transaction."""
        with self.transaction() as conn:
            left = _leave(conn, doc_id), _leave(conn, doc_id, free_clusters)
            if left != (None, None):
                conn.execute(self.db.insert(cluster_splits, ignore=True), {"doc_id": doc_id})
            self._log(conn, doc_id, "cluster")
            return left

    def admin_grouping(self) -> tuple[list[list[int]], set[int]]:
        """What admins decided of the grouping, which no regrouping may undo: the admin groups (the documents
        merged together, :meth:`merge_clusters`; each list in id order: ``[[3, 7], …]``), and the documents an
        admin split off (:meth:`split_off`) and has not merged since."""
        with self.db.read() as conn:
            merged = conn.execute(select(clusters.c.merged, clusters.c.doc_id).where(clusters.c.merged != 0)
                                  .order_by(clusters.c.merged, clusters.c.doc_id)).fetchall()
            apart = set(conn.execute(select(cluster_splits.c.doc_id)).scalars())
        return [[doc_id for _, doc_id in rows] for _, rows in groupby(merged, key=lambda row: row[0])], apart

    def admin_group(self, doc_id: int) -> list[int]:
        """The admin group of ``doc_id`` (:meth:`admin_grouping`): the documents merged with it, itself included,
        in id order; ``[]`` when an admin merged it with none. One read."""
        group = select(clusters.c.merged).where(clusters.c.doc_id == doc_id, clusters.c.merged != 0)
        with self.db.read() as conn:
            return list(conn.execute(select(clusters.c.doc_id).where(clusters.c.merged.in_(group))
                                     .order_by(clusters.c.doc_id)).scalars())

    def split_ids(self, ids: list[int]) -> set[int]:
        """Those of ``ids`` an admin split off and has not merged since (:meth:`split_off`)."""
        if not ids:
            return set()
        with self.db.read() as conn:
            return set(conn.execute(select(cluster_splits.c.doc_id).where(cluster_splits.c.doc_id.in_(ids))).scalars())

    @retried
    def leave_cluster(self, doc_id: int, *, free: bool = False) -> int | None:
        """Take ``doc_id`` out of its cluster (a cluster left with one member is dissolved); returns
        the cluster it left, None when it was in none. One transaction."""
        with self.transaction() as conn:
            left = _leave(conn, doc_id, _table(free))
            self._log(conn, doc_id, "cluster")
            return left

    @retried
    def mark_representative(self, cluster_id: int, doc_id: int | None, pinned: bool, *, free: bool = False) -> None:
        """Make ``doc_id`` the representative of ``cluster_id`` (pinned: an admin's choice)."""
        with self.transaction() as conn:
            self._mark(conn, cluster_id, doc_id, pinned, _table(free))

    def _mark(self, conn: Connection, cluster_id: int, doc_id: int | None, pinned: bool, table=clusters) -> None:
        chosen = table.c.doc_id == doc_id
        conn.execute(table.update().where(table.c.cluster_id == cluster_id).values(
            representative=case((chosen, 1), else_=0), pinned=case((chosen, int(pinned)), else_=0)))
        self._log(conn, doc_id or 0, "cluster")

    def public_ids(self, ids: list[int]) -> set[int]:
        """Those of ``ids`` whose document has no members part (as documents are read: the free preview's
        boundary set), hidden or not."""
        if not ids:
            return set()
        return {row.id for row in self.records(ids=ids, include_hidden=True) if not row.has_member_part}

    @retried
    def regroup_free(self, grouped: Callable[[], dict[int, tuple[int, float | None]]],
                     choose: Callable[[list[Document], int | None], tuple[int, bool]], recorded: str) -> bool:
        """Group the documents again as a viewer without the member tier sees them, when ``recorded`` (the rules
        and the free preview's setting) is not what meta ``free_grouping`` holds: ``grouped()`` gives each
        grouped document's cluster and its similarity to the member it joined (None for the first); every
        cluster's representative is ``choose(members, pinned)`` (see :meth:`choose_representatives`), the one
        pinned a member an admin pinned among the members' clusters. One transaction; logged as a change of
        a cluster. Returns whether it grouped."""
        if self.meta("free_grouping") == recorded:
            return False
        found = grouped()   # outside the transaction: it reads every document without a members part
        with self.transaction() as conn:
            if _meta(conn, "free_grouping") == recorded:  # another process did it meanwhile
                return False
            emptied = conn.execute(free_clusters.delete()).rowcount
            if found:
                conn.execute(free_clusters.insert(), [{"doc_id": doc_id, "cluster_id": cluster, "similarity": alike}
                                                      for doc_id, (cluster, alike) in found.items()])
                pinned = set(conn.execute(select(clusters.c.doc_id).where(clusters.c.pinned == 1)).scalars())
                self._choose_all(conn, choose, free_clusters, {doc_id for doc_id in found if doc_id in pinned})
            if found or emptied:
                self._log(conn, 0, "cluster")
            _set_meta(self.db, conn, "free_grouping", recorded)
        return True

    @retried
    def choose_representatives(self, choose: Callable[[list[Document], int | None], tuple[int, bool]],
                               version: int) -> int:
        """Choose every cluster's representative again (of both groupings: as members see them and as
        everyone else does) when the rules that choose it changed.

        ``choose(members, pinned)`` gives the representative of a cluster and whether it stays pinned, from its
        members (documents as :meth:`documents` gives them, without outline: the free preview's boundary set)
        and the one an admin pinned (None: none) — :func:`sucai.dedupe.representative`, the rule
        :class:`~sucai.dedupe.Clusters` follows. ``version`` names the rules; it is recorded in ``meta`` with
        the free preview's setting (which moves what a rule may see), so this runs once per rules and setting
        (a read when nothing is to do) — like :meth:`rehash`, when a library is opened —, in one transaction,
        one cluster's members read at a time. Each cluster whose representative changes appends a ``cluster``
        change to the log (every node's index sets its flags again). Returns how many clusters changed
        representative.
        """
        return self._once("representative_version", f"{version}:preview={self.preview_chars}",
                          lambda conn: sum(self._choose_all(conn, choose, table) for table in (clusters, free_clusters)))

    def _choose_all(self, conn: Connection, choose: Callable[[list[Document], int | None], tuple[int, bool]],
                    table, pinned: set[int] | None = None) -> int:
        """Mark the representative ``choose`` gives every cluster of ``table`` where it is not the one marked
        (``pinned``: the members pinned, instead of those the table marks); returns how many clusters changed."""
        members = (_DOCUMENTS[False].add_columns(table.c.cluster_id, table.c.representative, table.c.pinned)
                   .join(table, table.c.doc_id == documents.c.id).order_by(None)
                   .order_by(table.c.cluster_id, documents.c.id).execution_options(yield_per=64))
        changed = 0
        for cluster_id, rows in groupby(conn.execute(members), key=lambda row: row[-3]):
            docs, current, held = [], (None, False), None
            for *row, _, representative, was_pinned in rows:
                doc = self._document(row)
                docs.append(doc)
                if representative:
                    current = (doc.id, bool(was_pinned))
                if (doc.id in pinned) if pinned is not None else was_pinned:
                    held = doc.id
            chosen = choose(docs, held)
            if chosen != current:
                self._mark(conn, cluster_id, *chosen, table)
                changed += 1
        return changed

    @retried
    def replace_copy(self, doc_id: int, doc: Document, key: str) -> bool:
        """Replace a stored document's content and metadata by another copy of the same layout-free text, read from
        the file of record key ``key`` (id, hidden flag and ingest time stay), what an admin set on it kept
        (:func:`_with_edits`: a better copy had overwritten an admin's 标题 or member boundary — a members part drawn
        by hand made free); returns whether it did: not when the stored document has a member boundary of its own and the copy's text another layout,
        where those offsets would mean other characters. Raises NotFound."""
        with self.transaction() as conn:
            return self._replaced(conn, doc_id, _plain_fields(doc), key) == "updated"

    # -- files ----------------------------------------------------------------

    def file_records(self, paths: list[str]) -> dict[str, FileRecord]:
        """The :class:`FileRecord` of each of ``paths`` that has one, by path: one read per 500 paths (an ingest
        looks up every file it found before parsing any)."""
        found: dict[str, FileRecord] = {}
        with self.db.read() as conn:
            for start in range(0, len(paths), 500):
                found.update((row[0], FileRecord(*row)) for row in conn.execute(
                    _FILE_RECORDS, {"paths": paths[start : start + 500]}))
        return found

    def file_records_under(self, folder: str) -> list[FileRecord]:
        """The :class:`FileRecord` of every file recorded under ``folder`` (a resolved path as text, the form of the
        records' keys: :func:`sucai.ingest.file_key`), subfolders included, in path order: one read."""
        prefix = folder.rstrip("/") + "/"
        with self.db.read() as conn:   # (SQLite's LIKE ignores the case of ASCII letters: checked below)
            rows = conn.execute(select(*_FILE_COLUMNS).where(files.c.path.startswith(prefix, autoescape=True))
                                .order_by(files.c.path))
            return [FileRecord(*row) for row in rows if row[0].startswith(prefix)]

    def file_records_of(self, content_hashes: list[str]) -> list[FileRecord]:
        """The :class:`FileRecord` of every file recorded with one of ``content_hashes`` that made or matched a
        document, in path order: one read per 500 hashes (by the index ``files_by_content``)."""
        found: list[FileRecord] = []
        with self.db.read() as conn:
            for start in range(0, len(content_hashes), 500):
                found += [FileRecord(*row) for row in conn.execute(select(*_FILE_COLUMNS).where(
                    files.c.content_hash.in_(content_hashes[start : start + 500]), files.c.doc_id.is_not(None)))]
        return sorted(found, key=lambda record: record.path)

    def source_keys(self, ids: list[int]) -> dict[int, str]:
        """The record key (:func:`sucai.ingest.file_key`) of the file each of these documents' content was read from,
        by id, for those that exist: one read."""
        with self.db.read() as conn:
            return dict(conn.execute(select(documents.c.id, _SOURCE_KEY).where(documents.c.id.in_(ids))).all())

    @retried
    def forget_files(self, keys: list[str]) -> None:
        """Drop the records of the files of these keys (:func:`sucai.ingest.file_key`), in one transaction: files
        removed again that made no document (an admin's upload not kept), which no reader is to be told of."""
        with self.transaction() as conn:
            conn.execute(files.delete().where(files.c.path.in_(keys)))

    @retried
    def move_file_records(self, moves: dict[str, str]) -> None:
        """Each record of ``moves`` (its key → a new key) takes the new key, what it says kept (a file renamed or
        moved), in one transaction; a record under a new key is replaced."""
        with self.transaction() as conn:
            for old, new in moves.items():
                conn.execute(files.delete().where(files.c.path == new))
                conn.execute(files.update().where(files.c.path == old).values(path=new, seen_at=utc_stamp()))

    @retried
    def record_file(self, path: str, content_hash: str, status: str, reason: str | None,
                    tried_with: str | None = None) -> None:
        """Remember a file that produced no document (skipped or failed, with the reason and ``tried_with``, what
        the outcome depended on besides the file's bytes: :func:`sucai.ingest.attempt`)."""
        with self.transaction() as conn:
            self._record_file(conn, path, content_hash, status, None, reason, tried_with)

    @retried
    def record_files(self, records: list[tuple[str, str, str, int]]) -> None:
        """Remember files that made or matched a document — ``(path, content hash, status, document id)`` each, status
        ``ingested`` or ``duplicate`` —, in one transaction: the files an ingest found to be another file's copy of a
        stored text once the clusters weighed the copy (:attr:`Added.copy`, which :meth:`add` does not record: an
        ingest killed before is read again, and weighs it), or the first copy in input order and the one stored
        before it."""
        with self.transaction() as conn:
            for path, content_hash, status, doc_id in records:
                self._record_file(conn, path, content_hash, status, doc_id, None)

    def _record_file(self, conn: Connection, path, content_hash, status, doc_id, reason, tried_with=None) -> None:
        conn.execute(self.db.insert(files, update=("path",)), {"path": path, "content_hash": content_hash,
                     "status": status, "doc_id": doc_id, "reason": reason, "tried_with": tried_with,
                     "seen_at": utc_stamp()})

    def _document(self, row) -> Document:
        return self._previewed(_document(row))

    def _kept(self, doc: Document) -> dict | None:
        """:func:`sucai.access.keeping` of ``doc`` as this catalogue reads it back (the free preview's boundary)."""
        return access.keeping(self._previewed(replace(doc)))

    def _previewed(self, document: Document) -> Document:
        document.paid_from = access.preview_boundary(document.paid_from, document.chars, self.preview_chars)
        return document


_WHOLE = object()   # _documents_of: the whole texts (else: the preview setting of the free parts' read)
_TEXT = _DOC_COLUMNS.index(documents.c.text)


@lru_cache(maxsize=256)
def _documents_of(dialect: Dialect, outline: bool, count: int, preview: int | None | object = _WHOLE) -> str:
    """The SQL of :meth:`Catalogue.documents` for ``count`` ids, compiled for ``dialect`` once and run as
    driver SQL (:func:`sucai.db.driver_rows`: no compiling of an expanding ``IN`` on each search reading its hits,
    nor a result object around the cursor, and database errors still raised as SQLAlchemy's, which :mod:`sucai.db`
    explains in Chinese); its parameters are the ids, in order (``id0``…).

    ``preview`` (the catalogue's ``preview_chars``, None: no free preview) reads the free part of the texts
    (``free=True``): the text column is then the part before a members span that runs to the end (the free
    preview's too), and the length of the whole text follows the other columns (:func:`_blanked`). A text
    with free text after its members span is read whole (rare, and cutting it out would read the text twice:
    SQLite reads a column's value again for each use of it in a row)."""
    ids = [bindparam(f"id{k}") for k in range(count)]
    query = _DOCUMENTS[outline]
    if preview is not _WHOLE:
        d = documents.c
        start = d.paid_from if preview is None else func.coalesce(
            d.paid_from, case((literal_column(str(int(preview))) < d.chars, literal_column(str(int(preview))))))
        to_end = and_(d.paid_until.is_(None), start < d.chars)   # Document.members_span, running to the end
        head = case((to_end, func.substr(d.text, literal_column("1"), start)), else_=d.text).label("text")
        query = query.with_only_columns(*[head if c is d.text else c for c in query.selected_columns], d.chars)
    return str(query.where(documents.c.id.in_(ids)).compile(dialect=dialect))


def _blanked(row: tuple) -> tuple:
    """A row of :func:`_documents_of`'s free parts as a row of whole documents: spaces for the members
    part it did not read, up to the length of the whole text."""
    *row, chars = row
    row[_TEXT] += " " * (chars - len(row[_TEXT]))
    return row


def _edited(name: str, value):
    """``value`` of field ``name`` as :meth:`Catalogue.update` stores it (see there). Raises InvalidInput."""
    text = plain(value).strip() if isinstance(value, str) else value
    if name in _REQUIRED:
        label, most = _REQUIRED[name]
        if not isinstance(text, str) or not text:
            raise InvalidInput(f"{label}不能为空（也不能只有空白）", code=f"bad_{name}")
        if len(text) > most:
            raise InvalidInput(f"{label}最多 {most} 个字符，现有 {len(text)} 个", code=f"bad_{name}")
        if name == "genre":   # one of the table, as a search's filter and its facet's link ask for it
            from .metadata.genres import listed_genre   # the metadata rules, loaded by an edit only
            return listed_genre(text)
    elif name in _METADATA:
        return text or None
    return text


def _checked_boundary(doc: Document, start: int | None, end: int | None) -> dict[str, int | None]:
    """The member boundary ``start``–``end`` for ``doc``, normalised; raises InvalidInput when out of bounds."""
    if start is None:
        if end is not None:
            raise InvalidInput("请先设置会员内容起点，再设置终点", code="bad_boundary")
        return {"paid_from": None, "paid_until": None}
    if not 0 <= start <= doc.chars:
        raise InvalidInput(f"会员内容起点应在 0 到 {doc.chars} 之间", code="bad_boundary")
    if end is not None and not start < end <= doc.chars:
        raise InvalidInput(f"会员内容终点应大于起点（{start}），且不超过 {doc.chars}", code="bad_boundary")
    if end is not None and not doc.text[end:].strip():
        end = None
    return {"paid_from": start, "paid_until": end}


def _cluster_rows(conn: Connection, table, cluster_id: int | None, doc_ids: list[int] | None) -> list[ClusterRow]:
    """:meth:`Catalogue.cluster_rows` of ``table`` within ``conn``."""
    query = (select(table.c.doc_id, table.c.cluster_id, table.c.representative, table.c.pinned,
                    table.c.similarity, func.coalesce(documents.c.hidden, 1))
             .select_from(table.outerjoin(documents, documents.c.id == table.c.doc_id))
             .order_by(table.c.cluster_id, table.c.doc_id))
    if cluster_id is not None:
        query = query.where(table.c.cluster_id == cluster_id)
    if doc_ids is not None:
        query = query.where(table.c.doc_id.in_(doc_ids))
    return [ClusterRow(d, c, bool(r), bool(p), s, bool(h)) for d, c, r, p, s, h in conn.execute(query)]


def _table(free: bool):
    """The table of the clusters as members see them, or (``free``) as everyone else does."""
    return free_clusters if free else clusters


def _cluster_of(conn: Connection, doc_id: int, table=clusters) -> int | None:
    return conn.execute(select(table.c.cluster_id).where(table.c.doc_id == doc_id)).scalar()


def _new_cluster(conn: Connection, table=clusters) -> int:
    return conn.execute(select(func.coalesce(func.max(table.c.cluster_id), 0) + 1)).scalar_one()


def _leave(conn: Connection, doc_id: int, table=clusters) -> int | None:
    """Take ``doc_id`` out of its cluster of ``table`` within ``conn``'s transaction (dissolving a cluster of one)."""
    cluster = _cluster_of(conn, doc_id, table)
    if cluster is None:
        return None
    conn.execute(table.delete().where(table.c.doc_id == doc_id))
    members = conn.execute(select(func.count()).where(table.c.cluster_id == cluster)).scalar_one()
    if members < 2:
        conn.execute(table.delete().where(table.c.cluster_id == cluster))
    return cluster


def _content(doc: Document, kept: dict | None) -> dict:
    """The columns a file gives a document (all but its id, hash, ingest time and hidden flag); ``kept``: its
    free metadata (:meth:`Catalogue._kept`)."""
    return dict(free_metadata=_kept_dump(kept),
        title=doc.title, genre=doc.genre, declared_chars=doc.declared_chars, chars=doc.chars, counted_chars=doc.counted_chars,
        paid_from=doc.paid_from, paid_until=doc.paid_until, doc_number=doc.doc_number, date=doc.date,
        source=doc.source, text=doc.text, outline=_dump([n.to_dict() for n in doc.outline]),
        elements=_dump([e.to_dict() for e in doc.elements]),
        removed=_dump([{"rule": r.rule, "text": r.text} for r in doc.removed]),
        source_path=doc.source_path, format=doc.format, encoding=doc.encoding, ocr_confidence=doc.ocr_confidence,
        evidence=_dump([e.to_dict() for e in doc.evidence]))


def _found(conn: Connection, query) -> bool:
    """Whether ``query`` gives a row."""
    return conn.execute(query.limit(1)).first() is not None


def _placed(conn: Connection, doc_ids: list[int]) -> None:
    """:meth:`Catalogue.placed` of ``doc_ids`` within ``conn``'s transaction (nothing for none)."""
    if doc_ids:
        conn.execute(_PLACED, {"keys": [f"{_UNPLACED}{doc_id}" for doc_id in doc_ids]})


def _meta(conn: Connection, key: str) -> str | None:
    return conn.execute(_META_VALUE, {"key": key}).scalar()


def _set_meta(db: Database, conn: Connection, key: str, value: str) -> None:
    conn.execute(db.insert(meta, update=("key",)), {"key": key, "value": value})


def _pruned(conn: Connection) -> int:
    """:meth:`Catalogue.pruned_through` on ``conn``."""
    return int(_meta(conn, "changes_pruned") or 0)


def _plain_fields(doc: Document) -> Document:
    """``doc`` with its one-line fields made :func:`~sucai.clean.plain` (no control characters)."""
    fields = {name: plain(value) for name in ("title", "genre", "doc_number", "date", "source", "source_path")
              if isinstance(value := getattr(doc, name), str)}
    evidence = [e if (value := plain(e.value)) is e.value else replace(e, value=value) for e in doc.evidence]  # (frozen)
    return _same_text(doc, **fields, evidence=evidence)


def _with_edits(old: Document, new: Document) -> Document | None:
    """``new`` (another parse or copy of ``old``'s layout-free text) with what an admin set on ``old`` kept: a field
    with the editor's evidence keeps its value, and a member boundary other than ``new``'s (an admin may have drawn
    it) is kept — None when it cannot be, ``new``'s text being of another layout, where its offsets mean other
    characters. In another text a boundary around the same members text as ``new``'s (moved by an edit before it,
    as the file's own tags now stand) is ``new``'s."""
    edited = [e for e in old.evidence if e.origin == "editor"]
    changes = {e.field: getattr(old, e.field) for e in edited}
    if (old.paid_from, old.paid_until) != (new.paid_from, new.paid_until):
        if old.text == new.text:
            changes.update(paid_from=old.paid_from, paid_until=old.paid_until)
        elif not _same_members(old, new):
            return None
    if not changes:
        return new
    fields = {e.field for e in edited}
    return _same_text(new, **changes, evidence=[*edited, *(e for e in new.evidence if e.field not in fields)])


def _same_members(old: Document, new: Document) -> bool:
    """Whether ``old`` and ``new`` hold the same members text (the characters between their boundaries), each has
    some: a boundary of ``old`` where ``new``'s stands, whatever stands before it and after it."""
    spans = old.members_span, new.members_span
    return None not in spans and old.text[slice(*spans[0])] == new.text[slice(*spans[1])]


def _same_text(doc: Document, **changes) -> Document:
    """``dataclasses.replace(doc, **changes)`` for ``changes`` that keep its text: the copy has ``doc``'s 字数
    (:attr:`Document.counted_chars`) when ``doc`` has it counted already — an ingest's parse worker counts it —, not
    counted again (``replace`` leaves a cached property behind)."""
    copy = replace(doc, **changes)
    if "counted_chars" in doc.__dict__ and copy.text is doc.text:
        copy.counted_chars = doc.counted_chars
    return copy


def _document(row: tuple) -> Document:
    (doc_id, title, genre, declared, paid_from, paid_until, number, date, source, text, outline, elements, removed,
     source_path, fmt, encoding, ingested_at, hidden, ocr_confidence, evidence, described, counted) = row
    doc = _Stored(
        id=doc_id, title=title, genre=genre, declared_chars=declared, paid_from=paid_from, paid_until=paid_until,
        doc_number=number, date=date, source=source, text=text,
        outline=outline,
        elements=[Element(**e) for e in _loaded(elements)],
        removed=[Removal(**r) for r in _loaded(removed)],
        evidence=evidence,
        source_path=source_path, format=fmt, encoding=encoding, ingested_at=ingested_at, hidden=bool(hidden),
        ocr_confidence=ocr_confidence,
    )
    doc.free_metadata = described
    if counted is not None:   # the whole text's (a free read's text has spaces for a members part)
        doc.counted_chars = counted
    return doc


class _ReadWhenUsed:
    """A field of a :class:`_Stored` document given as its stored JSON (a str) and made into its value by ``make``
    when first read (then kept: the documents a snapshot keeps for its searches are shared by threads, and two that
    made it at once made the same value)."""

    def __init__(self, make: Callable[[str], object]):
        self.make = make

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, doc: Document | None, owner: type | None = None):
        if doc is None:
            return self
        value = doc.__dict__.get(self.name)   # free_metadata: not set by __init__ (a copy ``replace`` made has None)
        if isinstance(value, str):
            value = doc.__dict__[self.name] = self.make(value)
        return value

    def __set__(self, doc: Document, value) -> None:
        doc.__dict__[self.name] = value


class _Stored(Document):
    """A document the catalogue read, its outline, evidence and free metadata given as the stored JSON and made into
    their values when first read (:class:`_ReadWhenUsed`): a section search cuts most of the documents it scans by
    the parsed JSON alone (:meth:`outline_entries`), and making the nodes cost a search as much as cutting (~50
    headings a law, ~0.3 ms); a member's search hits read neither the evidence nor the free metadata (~8 evidence
    entries each: ~12 µs of the ~15 a hit's document took to make, a page of ten ~0.15 ms of a search's ~2.5 on a
    library of the corpus, issue 16), a visitor's the free metadata of a document with a members part, the
    evidence of one without."""

    outline = _ReadWhenUsed(lambda column: [OutlineNode.from_dict(n) for n in _loaded(column)])
    evidence = _ReadWhenUsed(lambda column: [Evidence.from_dict(e) for e in orjson.loads(column)])
    free_metadata = _ReadWhenUsed(lambda column: _kept_loaded(column))   # a name defined further down

    def outline_entries(self) -> list[dict]:
        value = self.__dict__["outline"]
        return _loaded(value) if isinstance(value, str) else super().outline_entries()


def _made_again(value: dict | None, before: dict | None) -> tuple[dict | None, bool]:
    """``value`` (:func:`sucai.access.keeping`) and whether it differs from ``before`` (the value it replaces)
    in anything but what it was made for."""
    return value, _kept_dump(value and {**value, "made": None}) != _kept_dump(before and {**before, "made": None})


def _kept_dump(kept: dict | None) -> str | None:
    """The ``free_metadata`` column of what :func:`sucai.access.keeping` gave (None: NULL)."""
    return None if kept is None else _dump({**kept, "evidence": [e.to_dict() for e in kept["evidence"]]})


def _kept_loaded(column: str | None) -> dict | None:
    """What :func:`_kept_dump` stored, as :func:`sucai.access.keeping` gave it."""
    if column is None:
        return None
    kept = orjson.loads(column)
    kept["evidence"] = [Evidence.from_dict(e) for e in kept["evidence"]]
    return kept


def _loaded(column: str) -> list:
    """A JSON list column as a list (the empty list without parsing: most rows, and every row that
    ``documents(outline=False)`` reads). The JSON columns are parsed by orjson (the same values as
    ``json.loads`` for what ``_dump`` writes, three times faster: a search's page of hits parses
    about a hundred evidence entries)."""
    return [] if column == "[]" else orjson.loads(column)


def _dump(value) -> str:
    return json.dumps(value, ensure_ascii=False)
