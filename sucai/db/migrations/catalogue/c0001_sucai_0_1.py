"""The catalogue of sucai 0.1 (its last schema before the data-access layer): created for a new library,
or reached in place by an older one.

What ``Catalogue._create_schema`` did before the data-access layer: schema 1 → 2
(``hidden``), 2 → 3 (``elements``, the 公文 elements), 3 → 4 (``paid_until``, the
members part as a span), 4 → 5 (``ocr_confidence``), 5 → 6 (``signatures`` and
``clusters``, near-duplicates, :mod:`sucai.dedupe`), 6 → 7 (``evidence``, where each
derived field came from, and the 文种 taxonomy's names), 7 → 8 (``drafts`` of the
写作台), 8 → 9 (the index of ``ingested_at``): each step taken when what it adds is
missing, so a library at any of schemas 1–9 is adopted. Each document row carried
``version`` / ``indexed_version`` for the one search index, removed ids waited in
``removed_ids``.

Revision ID: c0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

# 文种 names of sucai 0.1 and their names in the taxonomy (sucai.metadata.genres)
_RENAMED_GENRES = (("讲话", "讲话稿"), ("工作方案", "实施方案"), ("先进事迹", "事迹材料"), ("规划", "工作计划"))

revision = "c0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    tables = set(sa.inspect(bind).get_table_names())
    if "documents" not in tables:
        op.create_table(
            "documents",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("title", sa.Text, nullable=False),
            sa.Column("genre", sa.Text, nullable=False),
            sa.Column("declared_chars", sa.Integer),
            sa.Column("chars", sa.Integer, nullable=False),
            sa.Column("paid_from", sa.Integer),
            sa.Column("paid_until", sa.Integer),
            sa.Column("doc_number", sa.Text),
            sa.Column("date", sa.Text),
            sa.Column("source", sa.Text),
            sa.Column("text", sa.Text, nullable=False),
            sa.Column("outline", sa.Text, nullable=False),
            sa.Column("elements", sa.Text, nullable=False, server_default="[]"),
            sa.Column("removed", sa.Text, nullable=False),
            sa.Column("evidence", sa.Text, nullable=False, server_default="[]"),
            sa.Column("source_path", sa.Text),
            sa.Column("format", sa.Text),
            sa.Column("encoding", sa.Text),
            sa.Column("text_hash", sa.Text, nullable=False, unique=True),
            sa.Column("ingested_at", sa.Text, nullable=False),
            sa.Column("version", sa.Integer, nullable=False, server_default="1"),
            sa.Column("indexed_version", sa.Integer, nullable=False, server_default="0"),
            sa.Column("hidden", sa.Integer, nullable=False, server_default="0"),
            sa.Column("ocr_confidence", sa.Float),
        )
    else:
        columns = {c["name"] for c in sa.inspect(bind).get_columns("documents")}
        with op.batch_alter_table("documents", recreate="never") as batch:
            if "hidden" not in columns:       # schema 1 → 2
                batch.add_column(sa.Column("hidden", sa.Integer, nullable=False, server_default="0"))
            if "elements" not in columns:     # schema 2 → 3: 公文 elements (read again on the next re-ingest)
                batch.add_column(sa.Column("elements", sa.Text, nullable=False, server_default="[]"))
            if "paid_until" not in columns:   # schema 3 → 4: the members part as a span (NULL: to the end)
                batch.add_column(sa.Column("paid_until", sa.Integer))
            if "ocr_confidence" not in columns:   # schema 4 → 5: OCR'd documents record their confidence
                batch.add_column(sa.Column("ocr_confidence", sa.Float))
        if "evidence" not in columns:             # schema 6 → 7: metadata evidence, the 文种 taxonomy's names
            op.add_column("documents", sa.Column("evidence", sa.Text, nullable=False, server_default="[]"))
            for old, new in _RENAMED_GENRES:
                op.execute(sa.text("UPDATE documents SET genre = :new, version = version + 1 WHERE genre = :old")
                           .bindparams(new=new, old=old))
    if not any(i["name"] == "documents_ingested" for i in sa.inspect(bind).get_indexes("documents")):
        op.create_index("documents_ingested", "documents", ["ingested_at"])
    if "removed_ids" not in tables:
        op.create_table("removed_ids", sa.Column("id", sa.Integer, primary_key=True))
    if "files" not in tables:
        op.create_table(
            "files",
            sa.Column("path", sa.Text, primary_key=True),
            sa.Column("content_hash", sa.Text, nullable=False),
            sa.Column("status", sa.Text, nullable=False),
            sa.Column("doc_id", sa.Integer),
            sa.Column("reason", sa.Text),
            sa.Column("seen_at", sa.Text, nullable=False),
        )
    if "signatures" not in tables:
        op.create_table(
            "signatures",
            sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("doc_id", sa.Integer, nullable=False, unique=True),
            sa.Column("minhash", sa.LargeBinary, nullable=False),
        )
    if "clusters" not in tables:
        op.create_table(
            "clusters",
            sa.Column("doc_id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("cluster_id", sa.Integer, nullable=False),
            sa.Column("representative", sa.Integer, nullable=False, server_default="0"),
            sa.Column("pinned", sa.Integer, nullable=False, server_default="0"),
            sa.Column("similarity", sa.Float),
        )
        op.create_index("clusters_by_cluster", "clusters", ["cluster_id"])
    if "drafts" not in tables:
        op.create_table(
            "drafts",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("owner_id", sa.Integer, nullable=False),
            sa.Column("owner_name", sa.Text, nullable=False),
            sa.Column("title", sa.Text, nullable=False),
            sa.Column("genre", sa.Text, nullable=False),
            sa.Column("topic", sa.Text, nullable=False),
            sa.Column("body", sa.Text, nullable=False),
            sa.Column("created_at", sa.Text, nullable=False),
            sa.Column("updated_at", sa.Text, nullable=False),
        )
        op.create_index("drafts_by_owner", "drafts", ["owner_id", "updated_at"])
    if "meta" not in tables:
        op.create_table("meta", sa.Column("key", sa.Text, primary_key=True),
                        sa.Column("value", sa.Text, nullable=False))
