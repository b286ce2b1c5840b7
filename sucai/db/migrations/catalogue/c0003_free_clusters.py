"""The clusters of near-duplicates as a viewer without the member tier sees them (``free_clusters``).

The same columns as ``clusters``, over the documents without a members part only (see :mod:`sucai.dedupe`).
Left empty here: the library groups its documents when it is next opened (meta ``free_grouping``).

Revision ID: c0003
Revises: c0002
"""

import sqlalchemy as sa
from alembic import op

revision = "c0003"
down_revision = "c0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "free_clusters",
        sa.Column("doc_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("cluster_id", sa.Integer, nullable=False),
        sa.Column("representative", sa.Integer, nullable=False, server_default="0"),
        sa.Column("pinned", sa.Integer, nullable=False, server_default="0"),
        sa.Column("similarity", sa.Float),
    )
    op.create_index("free_clusters_by_cluster", "free_clusters", ["cluster_id"])
