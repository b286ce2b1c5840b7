"""The change log replaces ``indexed_version``: every node keeps its own search index.

``changes`` gets one row per addition, edit, hiding, showing or removal of a
document, numbered by a sequence that only grows; each search index records the
last number it applied (:mod:`sucai.index`). An existing library's documents are
logged as added (and its pending removals as removed), so every index, old or
new, catches up by the log alone. ``version``, ``indexed_version``,
``removed_ids`` and the ``changes`` / ``schema_version`` / ``index_generation`` rows of
``meta`` go (a node's index now reads what it lags behind from the log).

Revision ID: c0002
Revises: c0001
"""

import sqlalchemy as sa
from alembic import op

revision = "c0002"
down_revision = "c0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "changes",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("doc_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("at", sa.Text, nullable=False),
        sqlite_autoincrement=True,
    )
    op.execute("INSERT INTO changes (doc_id, kind, at) SELECT id, 'add', ingested_at FROM documents ORDER BY id")
    op.execute("INSERT INTO changes (doc_id, kind, at) SELECT id, 'remove', '' FROM removed_ids ORDER BY id")
    op.drop_table("removed_ids")
    if any(index["name"] == "documents_unindexed" for index in sa.inspect(op.get_bind()).get_indexes("documents")):
        op.drop_index("documents_unindexed", table_name="documents")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("indexed_version")
        batch.drop_column("version")
    op.execute("DELETE FROM meta WHERE key IN ('changes', 'schema_version', 'index_generation')")
