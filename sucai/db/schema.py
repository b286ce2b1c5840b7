"""Every table sucai keeps, in one place (SQLAlchemy Core), for SQLite and PostgreSQL alike.

Two stores, each with its own :class:`~sqlalchemy.MetaData` and its own line of
migrations (:mod:`sucai.db.migrate`): the **catalogue** (documents, the files seen,
the change log) and the **accounts** (users, sessions, tokens, attempts, audit).
Embedded, they are two SQLite files in ``SUCAI_HOME``; with ``database_url`` they
share one PostgreSQL database (no table name is used by both).

Conventions: timestamps are ISO 8601 UTC text (they compare as text), JSON lists
are text, flags are integers 0/1 — the same values on both backends. A table
added here needs a migration (see ARCHITECTURE.md, "How to add storage").
"""

from __future__ import annotations

from sqlalchemy import (BigInteger, CheckConstraint, Column, Float, ForeignKey, Index, Integer, LargeBinary, MetaData,
                        Table, Text, UniqueConstraint)

catalogue = MetaData()
accounts = MetaData()
METADATA = {"catalogue": catalogue, "accounts": accounts}

# BIGINT on PostgreSQL, INTEGER (the rowid) on SQLite, where only INTEGER PRIMARY KEY counts up by itself
Sequence = BigInteger().with_variant(Integer(), "sqlite")

# -- the catalogue -------------------------------------------------------------

meta = Table(
    "meta", catalogue,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

documents = Table(
    "documents", catalogue,
    Column("id", Integer, primary_key=True),
    Column("title", Text, nullable=False),
    Column("genre", Text, nullable=False),
    Column("declared_chars", Integer),
    Column("chars", Integer, nullable=False),          # len(text): the unit of offsets and of the members span
    Column("counted_chars", Integer),   # 字数: characters without white space (sucai.counting; NULL until recounted, c0007)
    Column("paid_from", Integer),
    Column("paid_until", Integer),
    Column("doc_number", Text),
    Column("date", Text),
    Column("source", Text),
    Column("text", Text, nullable=False),
    Column("outline", Text, nullable=False),
    Column("elements", Text, nullable=False, server_default="[]"),
    Column("removed", Text, nullable=False),
    Column("evidence", Text, nullable=False, server_default="[]"),   # JSON: where each derived field came from
    Column("source_path", Text),
    Column("source_key", Text),   # the record key (files.path) of the file its content was read from (c0008; NULL before)
    Column("format", Text),
    Column("encoding", Text),
    Column("text_hash", Text, nullable=False, unique=True),
    Column("ingested_at", Text, nullable=False),
    Column("hidden", Integer, nullable=False, server_default="0"),
    Column("ocr_confidence", Float),   # mean Tesseract confidence (0–100) of an OCR'd document, else NULL
    Column("free_metadata", Text),     # JSON: its metadata as a non-member sees it (sucai.access.keeping), else NULL
    Column("reading_version", Integer),   # sucai.model.READING_VERSION of the parse stored (c0011; NULL before)
    Index("documents_ingested", "ingested_at"),   # what was added when (今日更新, feeds, saved searches)
    sqlite_autoincrement=True,               # a removed document's id is never given again (c0010)
)

files = Table(
    "files", catalogue,
    Column("path", Text, primary_key=True),
    Column("content_hash", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("doc_id", Integer),
    Column("reason", Text),
    Column("seen_at", Text, nullable=False),
    Column("tried_with", Text),   # a file 跳过/失败: what its outcome depended on besides its bytes (c0006)
    Index("files_by_content", "content_hash"),   # the records of a file's bytes: renamed or moved (c0009)
)

changes = Table(
    "changes", catalogue,
    Column("seq", Sequence, primary_key=True, autoincrement=True),
    Column("doc_id", Integer, nullable=False),
    Column("kind", Text, nullable=False),   # add / update / hide / show / remove / cluster
    Column("at", Text, nullable=False),
    sqlite_autoincrement=True,               # a sequence number is never given twice, even after pruning
)

# near-duplicates (sucai.dedupe): each document's MinHash, numbered in the order stored (meta
# "signature_seq"), and the clusters of versions of one text
signatures = Table(
    "signatures", catalogue,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("doc_id", Integer, nullable=False, unique=True),
    Column("minhash", LargeBinary, nullable=False),
)



def _clusters(name: str, *more: Column) -> Table:
    return Table(
        name, catalogue,
        Column("doc_id", Integer, primary_key=True, autoincrement=False),
        Column("cluster_id", Integer, nullable=False),
        Column("representative", Integer, nullable=False, server_default="0"),
        Column("pinned", Integer, nullable=False, server_default="0"),
        Column("similarity", Float),
        *more,
        Index(f"{name}_by_cluster", "cluster_id"),
    )


# as members see them (over whole texts; ``merged``: the admin group an admin merged the document into, 0: none), and as
# everyone else does: among documents without a members part only, grouped again when its rule changes
clusters = _clusters("clusters", Column("merged", Integer, nullable=False, server_default="0"))
free_clusters = _clusters("free_clusters")

# the documents an admin took out of their cluster (sucai.dedupe.Clusters.split): they join none and none joins
# them by similarity again — a regrouping, an edit, an ingest — until an admin merges them
cluster_splits = Table(
    "cluster_splits", catalogue,
    Column("doc_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True,
           autoincrement=False),
)

# the drafts of the 写作台 (sucai.drafting.storage)
drafts = Table(
    "drafts", catalogue,
    Column("id", Integer, primary_key=True),
    Column("owner_id", Integer, nullable=False),
    Column("owner_name", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("genre", Text, nullable=False),
    Column("topic", Text, nullable=False),
    Column("body", Text, nullable=False),        # JSON
    Column("created_at", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
    Index("drafts_by_owner", "owner_id", "updated_at"),
)


# -- the accounts ---------------------------------------------------------------

users = Table(
    "users", accounts,
    Column("id", Integer, primary_key=True),
    Column("username", Text, nullable=False, unique=True),
    Column("name_key", Text),
    Column("password_hash", Text, nullable=False),
    Column("role", Text, CheckConstraint("role IN ('user', 'member', 'admin')", name="users_role"), nullable=False),
    Column("member_until", Text),
    Column("created_at", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
    Index("users_name_key", "name_key", unique=True),
)

tokens = Table(
    "tokens", accounts,
    Column("id", Text, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", Text, nullable=False),
    Column("token_hash", Text, nullable=False, unique=True),
    Column("created_at", Text, nullable=False),
    Column("last_used_at", Text),
    Column("revoked_at", Text),
    Index("tokens_user", "user_id"),
)

attempts = Table(
    "attempts", accounts,
    Column("id", Integer, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("at", Float, nullable=False),   # seconds since the epoch
    Index("attempts_key", "kind", "key", "at"),
)

sessions = Table(
    "sessions", accounts,
    Column("id", Text, primary_key=True),   # SHA-256 of the cookie's secret
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", Text, nullable=False),
    Column("seen_at", Text, nullable=False),
    Column("source_ip", Text),
    Index("sessions_user", "user_id"),
)

audit = Table(
    "audit", accounts,
    Column("id", Integer, primary_key=True),
    Column("at", Text, nullable=False),
    Column("event", Text, nullable=False),
    Column("user_id", Integer),
    Column("username", Text),
    Column("role", Text),
    Column("detail", Text, nullable=False, server_default=""),
    Column("source_ip", Text),
    Index("audit_user_event", "user_id", "event", "at"),
)

secrets = Table(
    "secrets", accounts,
    Column("name", Text, primary_key=True),   # "session_key": signs the session cookies of every node
    Column("value", Text, nullable=False),
)

tiers = Table(
    "tiers", accounts,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False),
    Column("svip_until", Text),   # the last day of the SVIP tier (inclusive)
)

codes = Table(   # membership codes (卡密, sucai.codes): only the SHA-256 of a code is kept
    "codes", accounts,
    Column("id", Integer, primary_key=True),
    Column("code_hash", Text, nullable=False, unique=True),
    Column("hint", Text, nullable=False),
    Column("batch", Text, nullable=False),
    Column("tier", Text, nullable=False),
    Column("days", Integer, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("created_by", Text),
    Column("redeemed_at", Text),
    Column("redeemed_by", Integer),
    Column("redeemed_name", Text),
    Column("voided_at", Text),    # voided unused (a batch's CSV leaked): never redeemed
    Column("voided_by", Text),
    Index("codes_batch", "batch"),
)

# what a member keeps (sucai.collections)
saved_searches = Table(
    "saved_searches", accounts,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", Text, nullable=False),
    Column("params", Text, nullable=False),   # JSON
    Column("created_at", Text, nullable=False),
    Column("seen_at", Text, nullable=False),
    Column("feed_hash", Text, unique=True),
    Column("feed_created_at", Text),
    Index("saved_searches_user", "user_id"),
)

folders = Table(
    "folders", accounts,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    UniqueConstraint("user_id", "name", name="folders_user_name"),
)

favourites = Table(
    "favourites", accounts,
    Column("folder_id", Integer, ForeignKey("folders.id", ondelete="CASCADE"), primary_key=True, autoincrement=False),
    Column("doc_id", Integer, primary_key=True, autoincrement=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("added_at", Text, nullable=False),
)

history = Table(
    "history", accounts,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("doc_id", Integer, nullable=False),
    Column("kind", Text, CheckConstraint("kind IN ('read', 'download')", name="history_kind"), nullable=False),
    Column("at", Text, nullable=False),
    Index("history_user", "user_id", "at"),
)

# what members look for (sucai.analytics): counts per local day, no account
search_stats = Table(
    "search_stats", accounts,
    Column("day", Text, primary_key=True),
    Column("query", Text, primary_key=True),
    Column("searches", Integer, nullable=False),
    Column("empty", Integer, nullable=False),
    Column("missing", Integer, nullable=False, server_default="0"),   # of ``empty``: a member's, unfiltered
)

document_stats = Table(
    "document_stats", accounts,
    Column("day", Text, primary_key=True),
    Column("doc_id", Integer, primary_key=True, autoincrement=False),
    Column("reads", Integer, nullable=False),
    Column("downloads", Integer, nullable=False),
)
