"""The catalogue: an embedded SQLite database, the source of truth for documents.

Everything else (the search index) is derived from it and can be rebuilt. Each
document row carries a ``version`` that grows with every change and the
``indexed_version`` the search index last saw, so the index knows what to catch
up on after a crash; removed documents leave a row in ``removed_ids`` until the
index has dropped them. The ``files`` table remembers every file ingested (by
path and content hash), so re-running an ingest skips what it has done.

Concurrency: WAL journal, a generous busy timeout, short transactions and one
connection per thread, so several processes and threads may ingest and search at
once; writers wait, they never fail with "database is locked".
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from .clean import plain
from .errors import InvalidInput, NotFound
from .model import Document, Element, Evidence, OutlineNode, Removal

SCHEMA_VERSION = 9
_MMAP_BYTES = 1 << 30  # how much of the catalogue file a connection reads through a memory map

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    genre TEXT NOT NULL,
    declared_chars INTEGER,
    chars INTEGER NOT NULL,
    paid_from INTEGER,
    paid_until INTEGER,
    doc_number TEXT,
    date TEXT,
    source TEXT,
    text TEXT NOT NULL,
    outline TEXT NOT NULL,
    elements TEXT NOT NULL DEFAULT '[]',
    removed TEXT NOT NULL,
    evidence TEXT NOT NULL DEFAULT '[]',
    source_path TEXT,
    format TEXT,
    encoding TEXT,
    text_hash TEXT NOT NULL UNIQUE,
    ingested_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    indexed_version INTEGER NOT NULL DEFAULT 0,
    hidden INTEGER NOT NULL DEFAULT 0,
    ocr_confidence REAL
);
CREATE INDEX IF NOT EXISTS documents_unindexed ON documents (indexed_version) WHERE indexed_version < version;
CREATE TABLE IF NOT EXISTS removed_ids (id INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    status TEXT NOT NULL,
    doc_id INTEGER,
    reason TEXT,
    seen_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS signatures (
    seq INTEGER PRIMARY KEY,
    doc_id INTEGER NOT NULL UNIQUE,
    minhash BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS clusters (
    doc_id INTEGER PRIMARY KEY,
    cluster_id INTEGER NOT NULL,
    representative INTEGER NOT NULL DEFAULT 0,
    pinned INTEGER NOT NULL DEFAULT 0,
    similarity REAL
);
CREATE INDEX IF NOT EXISTS clusters_by_cluster ON clusters (cluster_id);
CREATE TABLE IF NOT EXISTS drafts (
    id INTEGER PRIMARY KEY,
    owner_id INTEGER NOT NULL,
    owner_name TEXT NOT NULL,
    title TEXT NOT NULL,
    genre TEXT NOT NULL,
    topic TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS drafts_by_owner ON drafts (owner_id, updated_at);
"""

_DOC_COLUMNS = (
    "id, title, genre, declared_chars, paid_from, paid_until, doc_number, date, source, text,"
    " outline, elements, removed, source_path, format, encoding, ingested_at, hidden, ocr_confidence, evidence"
)
_EDITABLE = ("title", "genre", "paid_from", "paid_until", "doc_number", "date", "source")
_CONTENT = ("title", "genre", "declared_chars", "chars", "paid_from", "paid_until", "doc_number", "date", "source",
            "text", "outline", "elements", "removed", "source_path", "format", "encoding",
            "ocr_confidence", "evidence")  # what a file gives a document


@dataclass(frozen=True)
class ClusterRow:
    """One member of a cluster of near-duplicates (see :mod:`sucai.dedupe`)."""

    doc_id: int
    cluster_id: int
    representative: bool
    pinned: bool            # the representative was chosen by an admin
    similarity: float | None  # Jaccard similarity to the version it joined (None: merged by an admin)


_METADATA = ("title", "genre", "doc_number", "date", "source")
# 文种 names of sucai 0.1 and their names in the taxonomy (sucai.metadata.genres), renamed in place by schema 7.
_RENAMED_GENRES = (("讲话", "讲话稿"), ("工作方案", "实施方案"), ("先进事迹", "事迹材料"), ("规划", "工作计划"))


@dataclass
class Summary:
    """A document without its text (for lists, counts and title look-ups): its metadata, length,
    members span and the evidence of its metadata. What a viewer without the member tier gets of
    it is :func:`sucai.access.free_summary`."""

    id: int
    title: str
    genre: str
    chars: int
    date: str | None
    source: str | None
    doc_number: str | None
    declared_chars: int | None
    paid_from: int | None
    paid_until: int | None
    hidden: bool
    evidence: list[Evidence]

    @property
    def members_span(self) -> tuple[int, int] | None:
        """As :attr:`sucai.model.Document.members_span`."""
        if self.paid_from is None:
            return None
        end = self.chars if self.paid_until is None else self.paid_until
        return (self.paid_from, end) if self.paid_from < end else None

    @property
    def has_member_part(self) -> bool:
        return self.members_span is not None

    def to_dict(self) -> dict:
        """What lists publish: id, title, 文种, 字数, date, source, has_member_part, hidden."""
        return {"id": self.id, "title": self.title, "genre": self.genre, "chars": self.chars, "date": self.date,
                "source": self.source, "has_member_part": self.has_member_part, "hidden": self.hidden}


@dataclass(frozen=True)
class FileRecord:
    """What an earlier ingest did with a file."""

    path: str
    content_hash: str
    status: str
    doc_id: int | None
    reason: str | None


class Catalogue:
    """The document catalogue in ``path`` (created on first use).

    ``preview_chars``: the operator's setting that makes documents stored without
    a member boundary members-only after a free preview of that many characters;
    documents read from the catalogue then carry that boundary as ``paid_from``
    (None, the default: such documents are free to all). All methods are safe to
    call from several processes at once.
    """

    def __init__(self, path: Path, preview_chars: int | None = None):
        self.path = path
        self.preview_chars = preview_chars
        self._local = threading.local()
        self._create_schema()

    @property
    def _db(self) -> sqlite3.Connection:
        """This thread's connection (SQLite connections are not shared between threads)."""
        db = getattr(self._local, "db", None)
        if db is None:
            try:
                db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.execute(f"PRAGMA mmap_size={_MMAP_BYTES}")  # hits' texts read from the page cache, no copies
            except sqlite3.OperationalError as err:
                raise InvalidInput(f"无法打开目录数据库 {self.path}：{err}", code="bad_home") from err
            self._local.db = db
        return db

    def _create_schema(self) -> None:
        with self.transaction() as db:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            columns = {row[1] for row in db.execute("PRAGMA table_info(documents)")}
            if "hidden" not in columns:  # schema 1 → 2
                db.execute("ALTER TABLE documents ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0")
            if "elements" not in columns:  # schema 2 → 3: 公文 elements (read again on the next re-ingest)
                db.execute("ALTER TABLE documents ADD COLUMN elements TEXT NOT NULL DEFAULT '[]'")
            if "paid_until" not in columns:  # schema 3 → 4: the members part as a span (NULL: to the end)
                db.execute("ALTER TABLE documents ADD COLUMN paid_until INTEGER")
            if "ocr_confidence" not in columns:  # schema 4 → 5: OCR'd documents record their confidence
                db.execute("ALTER TABLE documents ADD COLUMN ocr_confidence REAL")
            # schema 5 → 6: the near-duplicate signatures and clusters tables (created above when missing)
            if "evidence" not in columns:  # schema 6 → 7: metadata evidence, the 文种 taxonomy's names
                db.execute("ALTER TABLE documents ADD COLUMN evidence TEXT NOT NULL DEFAULT '[]'")
                for old, new in _RENAMED_GENRES:
                    db.execute("UPDATE documents SET genre = ?, version = version + 1 WHERE genre = ?", (new, old))
            # schema 7 → 8: the drafts table of the 写作台 (created above; its SQL is in sucai.drafting.storage)
            # schema 8 → 9: what was added when (今日更新, feeds, new matches of saved searches)
            db.execute("CREATE INDEX IF NOT EXISTS documents_ingested ON documents (ingested_at)")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            db.execute("INSERT OR IGNORE INTO meta VALUES ('changes', '0')")
            db.execute("INSERT OR IGNORE INTO meta VALUES ('signature_seq', '0')")

    def close(self) -> None:
        """Close this thread's connection (others close with their threads)."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    def transaction(self):
        """One write transaction on this thread's connection (see :func:`transaction`)."""
        return transaction(self._db)

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """The rows of one reading statement on this thread's connection: for the storage module of a
        capability that keeps its own SQL (:mod:`sucai.drafting.storage`)."""
        return self._db.execute(sql, params).fetchall()

    # -- documents ---------------------------------------------------------

    def add(self, doc: Document, text_hash: str, path: str, content_hash: str) -> tuple[str, int]:
        """Store ``doc`` read from file ``path``, in one transaction with the file's record.

        Returns ``("ingested", new id)``, or ``("duplicate", id of the document with
        the same text)`` when one exists already (nothing is stored twice) — unless that
        document came from this very ``path`` (another process ingesting the same file
        stored it first): then ``("unchanged", its id)``, never a duplicate of itself.
        One-line fields (title, 文种, 文号, date, 来源, file name) are stored :func:`~sucai.clean.plain`.
        """
        doc = _plain_fields(doc)
        with self.transaction() as db:
            cur = db.execute(
                f"INSERT OR IGNORE INTO documents ({', '.join(_CONTENT)}, text_hash, ingested_at)"
                f" VALUES ({','.join('?' * (len(_CONTENT) + 2))})",
                (*_content(doc), text_hash, _now()),
            )
            if cur.rowcount:
                status, doc_id = "ingested", cur.lastrowid
                _count_change(db)
            else:
                doc_id = db.execute("SELECT id FROM documents WHERE text_hash = ?", (text_hash,)).fetchone()[0]
                own = db.execute("SELECT 1 FROM files WHERE path = ? AND status = 'ingested' AND doc_id = ?",
                                 (path, doc_id)).fetchone()
                status = "unchanged" if own else "duplicate"
            self._record_file(db, path, content_hash, "ingested" if status == "unchanged" else status, doc_id, None)
            return status, doc_id

    def get(self, doc_id: int, *, preview: bool = True) -> Document:
        """The document with this id. Raises NotFound.

        ``preview=False``: the member boundary as stored, without the one the
        ``preview_chars`` setting gives documents stored without a boundary (for
        editing the boundary itself).
        """
        row = self._db.execute(f"SELECT {_DOC_COLUMNS} FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            raise NotFound(f"没有编号为 {doc_id} 的文档", code="document_not_found")
        return self._document(row) if preview else _document(row)

    def documents(self, ids: list[int] | None = None, outline: bool = True) -> Iterator[Document]:
        """All documents in id order, or those with the given ids (in id order).

        ``outline=False`` skips reading the outline, the elements and the removal audit
        (faster, for callers that need only text and metadata; the lists are then empty).
        """
        columns = _DOC_COLUMNS if outline else _DOC_COLUMNS.replace("outline, elements, removed", "'[]', '[]', '[]'")
        if ids is None:
            rows = self._db.execute(f"SELECT {columns} FROM documents ORDER BY id")
        else:
            marks = ",".join("?" * len(ids))
            rows = self._db.execute(f"SELECT {columns} FROM documents WHERE id IN ({marks}) ORDER BY id", ids)
        for row in rows:
            yield self._document(row)

    def summaries(self, limit: int | None = None, newest_first: bool = False, include_hidden: bool = False) -> list[dict]:
        """Id, title, 文种, 字数, date, source of each document (no text); hidden ones only on request.

        The full metadata, for the operator: what a viewer without the member tier
        gets is :meth:`sucai.library.Library.summaries`.
        """
        return [row.to_dict() for row in self.records(limit, newest_first, include_hidden)]

    def records(self, limit: int | None = None, newest_first: bool = False, include_hidden: bool = False,
                ids: list[int] | None = None) -> list[Summary]:
        """Each document without its text, in id order (or newest first), hidden ones only on request;
        only the given ``ids`` when there are some. The member boundary is the one documents are read
        with (see :meth:`get`)."""
        order = "id DESC" if newest_first else "id"
        where = [] if include_hidden else ["hidden = 0"]
        if ids is not None:
            where.append(f"id IN ({','.join('?' * len(ids))})")
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        rows = self._db.execute(
            f"SELECT id, title, genre, chars, date, source, doc_number, declared_chars, paid_from, paid_until, hidden,"
            f" evidence FROM documents {clause} ORDER BY {order} LIMIT ?",
            (*(ids or ()), -1 if limit is None else limit),
        )
        return [self._summary(row) for row in rows]

    def _summary(self, row: tuple) -> Summary:
        (doc_id, title, genre, chars, date, source, number, declared, paid_from, paid_until, hidden, evidence) = row
        if paid_from is None and self.preview_chars is not None and self.preview_chars < chars:
            paid_from = self.preview_chars
        return Summary(doc_id, title, genre, chars, date, source, number, declared, paid_from, paid_until, bool(hidden),
                       [Evidence.from_dict(e) for e in json.loads(evidence)])

    def added_since(self, since: str, limit: int | None = None) -> list[tuple[int, str]]:
        """``(id, ingested_at)`` of the documents that are not hidden and were added at or after ``since``
        (an ISO UTC timestamp like ``ingested_at``), newest first, at most ``limit``."""
        return self._db.execute(
            "SELECT id, ingested_at FROM documents WHERE ingested_at >= ? AND hidden = 0"
            " ORDER BY ingested_at DESC, id DESC LIMIT ?", (since, -1 if limit is None else limit)).fetchall()

    def update(self, doc_id: int, **changes) -> None:
        """Change metadata of a document (any of title, genre, paid_from, paid_until, doc_number, date, source).

        The member boundary is checked as a whole (changes merged with what is
        stored): ``0 <= paid_from <= chars`` and ``paid_from < paid_until <= chars``;
        a ``paid_until`` with only white space after it is stored as None (to the
        end), removing ``paid_from`` removes ``paid_until``, an end without a start is
        refused. Raises NotFound, or InvalidInput (code ``bad_field`` /
        ``bad_boundary``) for an unknown field or a boundary outside those limits.
        The index picks the change up at its next sync.
        """
        unknown = set(changes) - set(_EDITABLE)
        if unknown:
            raise InvalidInput(f"不能修改的字段：{', '.join(sorted(unknown))}", code="bad_field")
        doc = self.get(doc_id, preview=False)
        if {"paid_from", "paid_until"} & set(changes):
            start = changes.get("paid_from", doc.paid_from)
            end = changes.get("paid_until", None if start is None else doc.paid_until)
            changes.update(_checked_boundary(doc, start, end))
        if not changes:
            return
        changes = {name: plain(value) if isinstance(value, str) else value for name, value in changes.items()}
        edited = [Evidence(name, str(value), "editor", rule="管理员修改") for name, value in changes.items()
                  if name in _METADATA and value not in (None, "")]
        kept = [e for e in doc.evidence if e.field not in changes]
        changes = {**changes, "evidence": _dump([e.to_dict() for e in edited + kept])}
        assignments = ", ".join(f"{name} = ?" for name in changes)
        with self.transaction() as db:
            db.execute(f"UPDATE documents SET {assignments}, version = version + 1 WHERE id = ?",
                       (*changes.values(), doc_id))
            _count_change(db)

    def set_hidden(self, doc_id: int, hidden: bool) -> None:
        """Hide a document from everyone but admins (or show it again). Raises NotFound."""
        with self.transaction() as db:
            if not db.execute("UPDATE documents SET hidden = ?, version = version + 1 WHERE id = ?",
                              (int(hidden), doc_id)).rowcount:
                raise NotFound(f"没有编号为 {doc_id} 的文档", code="document_not_found")
            _count_change(db)

    def remove(self, doc_id: int) -> None:
        """Delete a document (and forget the files that produced it). Raises NotFound."""
        with self.transaction() as db:
            if not db.execute("DELETE FROM documents WHERE id = ?", (doc_id,)).rowcount:
                raise NotFound(f"没有编号为 {doc_id} 的文档", code="document_not_found")
            db.execute("INSERT OR IGNORE INTO removed_ids VALUES (?)", (doc_id,))
            _count_change(db)
            db.execute("DELETE FROM files WHERE doc_id = ?", (doc_id,))
            db.execute("DELETE FROM signatures WHERE doc_id = ?", (doc_id,))
            self._leave(db, doc_id)

    def change_count(self) -> int:
        """How many times documents were added, edited, hidden or shown, or removed, or clusters of
        near-duplicates changed — by any process.

        Grows with every such change (one transaction each), so a process caching derived data
        (titles for type-ahead) compares it to know whether its copy is still current.
        """
        row = self._db.execute("SELECT value FROM meta WHERE key = 'changes'").fetchone()
        return int(row[0]) if row else 0

    def stats(self) -> dict:
        """Totals of the documents that are not hidden: documents, characters, by 文种 and by source."""
        db = self._db
        docs, chars = db.execute("SELECT count(*), coalesce(sum(chars), 0) FROM documents WHERE hidden = 0").fetchone()
        by_genre = db.execute(
            "SELECT genre, count(*) FROM documents WHERE hidden = 0 GROUP BY genre ORDER BY 2 DESC, 1"
        ).fetchall()
        by_source = db.execute(
            "SELECT coalesce(source, '未注明'), count(*) FROM documents WHERE hidden = 0 GROUP BY 1 ORDER BY 2 DESC, 1"
        ).fetchall()
        return {"documents": docs, "chars": chars, "by_genre": dict(by_genre), "by_source": dict(by_source)}

    def rehash(self, text_hash: Callable[[Document], str], version: int) -> int:
        """Recompute every document's duplicate key when the definition of ``text_hash`` changed.

        ``text_hash(Document(title, text))`` is the key (see
        :func:`sucai.ingest.text_hash`); ``version`` names its definition and is
        recorded in ``meta``, so this runs once per definition (a read when nothing
        is to do), in one transaction: a file stored under the old definition and
        ingested again is still 重复 of its document. Documents that now share a key
        (layout twins stored apart before) are all kept; the later ones get the key
        ``<hash>:<id>``, so the key stays unique and new copies are duplicates of
        the first. Returns how many documents were re-hashed.
        """
        if self._meta(self._db, "text_hash_version") == str(version):
            return 0
        with self.transaction() as db:
            if self._meta(db, "text_hash_version") == str(version):  # another process did it meanwhile
                return 0
            keys, seen = [], set()
            for doc_id, title, text in db.execute("SELECT id, title, text FROM documents ORDER BY id"):
                key = text_hash(Document(title=title, text=text))
                keys.append((f"{key}:{doc_id}" if key in seen else key, doc_id))
                seen.add(key)
            db.execute("UPDATE documents SET text_hash = 'rehash:' || id")  # no clash while keys are replaced
            db.executemany("UPDATE documents SET text_hash = ? WHERE id = ?", keys)
            db.execute("INSERT OR REPLACE INTO meta VALUES ('text_hash_version', ?)", (str(version),))
        return len(keys)

    @staticmethod
    def _meta(db: sqlite3.Connection, key: str) -> str | None:
        row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    # -- index bookkeeping --------------------------------------------------

    def pending(self, everything: bool = False) -> tuple[list[tuple[int, int]], list[int]]:
        """What the index has not seen: ``([(id, version) to (re)index], [ids removed])``.

        ``everything``: every document, for re-indexing all of them (the record of
        what the index holds is left as it is until :meth:`mark_indexed`).
        """
        where = "" if everything else " WHERE indexed_version < version"
        stale = self._db.execute(f"SELECT id, version FROM documents{where}").fetchall()
        removed = [r[0] for r in self._db.execute("SELECT id FROM removed_ids")]
        return stale, removed

    def index_state(self) -> tuple[list[int], int]:
        """``(changed, generation)``: ids of documents the index holds in an older state — changed
        (hidden, re-bounded, edited) or removed since they were indexed, whose index entries must
        not be trusted — and how many index commits have been recorded (:meth:`mark_indexed`).

        Read in that order: a reader that reloads its index when the generation moved never
        trusts an entry the catalogue had not yet recorded as up to date.
        """
        rows = self._db.execute(
            "SELECT id FROM documents WHERE indexed_version < version AND indexed_version > 0"
            " UNION SELECT id FROM removed_ids"
        )
        changed = [r[0] for r in rows]
        row = self._db.execute("SELECT value FROM meta WHERE key = 'index_generation'").fetchone()
        return changed, int(row[0]) if row else 0

    def visible_titles(self, ids: list[int]) -> dict[int, str]:
        """The current title of each of these documents that exists and is not hidden."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._db.execute(f"SELECT id, title FROM documents WHERE hidden = 0 AND id IN ({marks})", ids)
        return dict(rows.fetchall())

    def mark_indexed(self, versions: list[tuple[int, int]], removed: list[int]) -> None:
        """Record that the index now holds these document versions and has dropped these ids
        (after the index commit), as one more index generation (see :meth:`index_state`)."""
        with self.transaction() as db:
            db.executemany("UPDATE documents SET indexed_version = ? WHERE id = ?", [(v, i) for i, v in versions])
            db.executemany("DELETE FROM removed_ids WHERE id = ?", [(i,) for i in removed])
            if not db.execute("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)"
                              " WHERE key = 'index_generation'").rowcount:
                db.execute("INSERT INTO meta VALUES ('index_generation', '1')")

    # -- files ----------------------------------------------------------------

    def file_record(self, path: str) -> FileRecord | None:
        row = self._db.execute(
            "SELECT path, content_hash, status, doc_id, reason FROM files WHERE path = ?", (path,)
        ).fetchone()
        return FileRecord(*row) if row else None

    def record_file(self, path: str, content_hash: str, status: str, reason: str | None) -> None:
        """Remember a file that produced no document (skipped or failed, with the reason)."""
        with self.transaction() as db:
            self._record_file(db, path, content_hash, status, None, reason)

    @staticmethod
    def _record_file(db, path, content_hash, status, doc_id, reason) -> None:
        db.execute(
            "INSERT OR REPLACE INTO files VALUES (?,?,?,?,?,?)", (path, content_hash, status, doc_id, reason, _now())
        )

    # -- near-duplicate clusters (see sucai.dedupe) ----------------------------------

    def put_signature(self, doc_id: int, minhash: bytes) -> None:
        """Store (or replace) a document's MinHash signature under the next sequence number."""
        with self.transaction() as db:
            seq = int(db.execute("SELECT value FROM meta WHERE key = 'signature_seq'").fetchone()[0]) + 1
            db.execute("UPDATE meta SET value = ? WHERE key = 'signature_seq'", (str(seq),))
            db.execute("DELETE FROM signatures WHERE doc_id = ?", (doc_id,))
            db.execute("INSERT INTO signatures (seq, doc_id, minhash) VALUES (?, ?, ?)", (seq, doc_id, minhash))

    def signatures_since(self, seq: int) -> list[tuple[int, int, bytes]]:
        """``(seq, doc_id, minhash)`` of the signatures stored after sequence number ``seq``, in order."""
        return self._db.execute(
            "SELECT seq, doc_id, minhash FROM signatures WHERE seq > ? ORDER BY seq", (seq,)).fetchall()

    def unsigned_ids(self) -> list[int]:
        """Ids of the documents that have no signature yet, in id order."""
        return [r[0] for r in self._db.execute(
            "SELECT id FROM documents WHERE id NOT IN (SELECT doc_id FROM signatures) ORDER BY id")]

    def cluster_of(self, doc_id: int) -> int | None:
        row = self._db.execute("SELECT cluster_id FROM clusters WHERE doc_id = ?", (doc_id,)).fetchone()
        return row[0] if row else None

    def cluster_rows(self, cluster_id: int | None = None) -> list[ClusterRow]:
        """The members of one cluster, or of all clusters, ordered by cluster and document id."""
        where, args = ("WHERE cluster_id = ?", (cluster_id,)) if cluster_id is not None else ("", ())
        rows = self._db.execute(
            f"SELECT doc_id, cluster_id, representative, pinned, similarity FROM clusters {where}"
            " ORDER BY cluster_id, doc_id", args)
        return [ClusterRow(d, c, bool(r), bool(p), s) for d, c, r, p, s in rows]

    def join_cluster(self, doc_id: int, other_id: int, similarity: float | None) -> int:
        """Put ``doc_id`` into the cluster of ``other_id`` (made when ``other_id`` has none); returns its id.

        ``doc_id`` leaves the cluster it was in. One transaction.
        """
        with self.transaction() as db:
            row = db.execute("SELECT cluster_id FROM clusters WHERE doc_id = ?", (other_id,)).fetchone()
            if row is None:
                cluster = db.execute("SELECT coalesce(max(cluster_id), 0) + 1 FROM clusters").fetchone()[0]
                db.execute("INSERT INTO clusters (doc_id, cluster_id) VALUES (?, ?)", (other_id, cluster))
            else:
                cluster = row[0]
            self._leave(db, doc_id)
            db.execute("INSERT INTO clusters (doc_id, cluster_id, similarity) VALUES (?, ?, ?)",
                       (doc_id, cluster, similarity))
            _count_change(db)
            return cluster

    def merge_clusters(self, ids: list[int]) -> int:
        """One cluster of ``ids`` and every member of their clusters; returns its id. One transaction."""
        with self.transaction() as db:
            marks = ",".join("?" * len(ids))
            clusters = [r[0] for r in db.execute(
                f"SELECT DISTINCT cluster_id FROM clusters WHERE doc_id IN ({marks}) ORDER BY 1", ids)]
            target = clusters[0] if clusters else db.execute(
                "SELECT coalesce(max(cluster_id), 0) + 1 FROM clusters").fetchone()[0]
            db.executemany("UPDATE clusters SET cluster_id = ?, pinned = 0 WHERE cluster_id = ?",
                           [(target, c) for c in clusters[1:]])
            db.executemany("INSERT OR IGNORE INTO clusters (doc_id, cluster_id) VALUES (?, ?)",
                           [(i, target) for i in ids])
            _count_change(db)
            return target

    def leave_cluster(self, doc_id: int) -> int | None:
        """Take ``doc_id`` out of its cluster (a cluster left with one member is dissolved); returns
        the cluster it left, None when it was in none. One transaction."""
        with self.transaction() as db:
            _count_change(db)
            return self._leave(db, doc_id)

    def mark_representative(self, cluster_id: int, doc_id: int | None, pinned: bool) -> None:
        """Make ``doc_id`` the representative of ``cluster_id`` (pinned: an admin's choice)."""
        with self.transaction() as db:
            db.execute("UPDATE clusters SET representative = CASE WHEN doc_id = ? THEN 1 ELSE 0 END,"
                       " pinned = CASE WHEN doc_id = ? THEN ? ELSE 0 END WHERE cluster_id = ?",
                       (doc_id, doc_id, int(pinned), cluster_id))
            _count_change(db)

    @staticmethod
    def _leave(db: sqlite3.Connection, doc_id: int) -> int | None:
        row = db.execute("SELECT cluster_id FROM clusters WHERE doc_id = ?", (doc_id,)).fetchone()
        if row is None:
            return None
        db.execute("DELETE FROM clusters WHERE doc_id = ?", (doc_id,))
        if db.execute("SELECT count(*) FROM clusters WHERE cluster_id = ?", row).fetchone()[0] < 2:
            db.execute("DELETE FROM clusters WHERE cluster_id = ?", row)
        return row[0]

    def other_versions(self, ids: list[int]) -> dict[int, list[int]]:
        """For each of ``ids`` in a cluster: the ids of the other members that are not hidden."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._db.execute(
            f"SELECT a.doc_id, b.doc_id FROM clusters a JOIN clusters b ON a.cluster_id = b.cluster_id"
            f" JOIN documents d ON d.id = b.doc_id"
            f" WHERE a.doc_id IN ({marks}) AND b.doc_id <> a.doc_id AND d.hidden = 0 ORDER BY b.doc_id", ids)
        out: dict[int, list[int]] = {}
        for doc_id, other in rows:
            out.setdefault(doc_id, []).append(other)
        return out

    def replace_copy(self, doc_id: int, doc: Document) -> None:
        """Replace a stored document's content and metadata by another copy of the same text
        (id, hidden flag and ingest time stay). Raises NotFound."""
        doc = _plain_fields(doc)
        with self.transaction() as db:
            assignments = ", ".join(f"{name} = ?" for name in _CONTENT)
            if not db.execute(f"UPDATE documents SET {assignments}, version = version + 1 WHERE id = ?",
                              (*_content(doc), doc_id)).rowcount:
                raise NotFound(f"没有编号为 {doc_id} 的文档", code="document_not_found")
            _count_change(db)


    def _document(self, row: tuple) -> Document:
        document = _document(row)
        if document.paid_from is None and self.preview_chars is not None and self.preview_chars < document.chars:
            document.paid_from = self.preview_chars
        return document


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


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction (BEGIN IMMEDIATE: writers queue here, not at commit); rolled back on error."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _count_change(db: sqlite3.Connection) -> None:
    db.execute("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'changes'")


def _plain_fields(doc: Document) -> Document:
    """``doc`` with its one-line fields made :func:`~sucai.clean.plain` (no control characters)."""
    fields = {name: plain(value) for name in ("title", "genre", "doc_number", "date", "source", "source_path")
              if isinstance(value := getattr(doc, name), str)}
    evidence = [replace(e, value=plain(e.value)) for e in doc.evidence]
    return replace(doc, **fields, evidence=evidence)


def _document(row: tuple) -> Document:
    (doc_id, title, genre, declared, paid_from, paid_until, number, date, source, text, outline, elements, removed,
     source_path, fmt, encoding, ingested_at, hidden, ocr_confidence, evidence) = row
    return Document(
        id=doc_id, title=title, genre=genre, declared_chars=declared, paid_from=paid_from, paid_until=paid_until,
        doc_number=number, date=date, source=source, text=text,
        outline=[OutlineNode.from_dict(n) for n in json.loads(outline)],
        elements=[Element(**e) for e in json.loads(elements)],
        removed=[Removal(**r) for r in json.loads(removed)],
        evidence=[Evidence.from_dict(e) for e in json.loads(evidence)],
        source_path=source_path, format=fmt, encoding=encoding, ingested_at=ingested_at, hidden=bool(hidden),
        ocr_confidence=ocr_confidence,
    )


def _content(doc: Document) -> tuple:
    """The values of the ``_CONTENT`` columns for ``doc``."""
    return (doc.title, doc.genre, doc.declared_chars, doc.chars, doc.paid_from, doc.paid_until, doc.doc_number,
            doc.date, doc.source, doc.text, _dump([n.to_dict() for n in doc.outline]),
            _dump([e.to_dict() for e in doc.elements]), _dump([{"rule": r.rule, "text": r.text} for r in doc.removed]),
            doc.source_path, doc.format, doc.encoding, doc.ocr_confidence, _dump([e.to_dict() for e in doc.evidence]))


def _dump(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _now() -> str:
    """UTC ISO time to the microsecond (so "added since" compares exactly; older rows, to the second,
    still sort right against them as strings)."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")
