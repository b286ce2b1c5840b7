"""An admin's grouping decisions, kept through a regrouping (see :mod:`sucai.dedupe`).

``clusters.merged``: the admin group an admin merged the document into (documents named in one merge, joined
with earlier groups only through a document named in both; 0 for those placed by similarity; merges made before
this revision are not known). ``cluster_splits``: the documents an admin took out of their cluster, which join
none and none joins by similarity again until an admin merges them.

Revision ID: c0005
Revises: c0004
"""

import sqlalchemy as sa
from alembic import op

revision = "c0005"
down_revision = "c0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("clusters", sa.Column("merged", sa.Integer, nullable=False, server_default="0"))
    op.create_table(
        "cluster_splits",
        sa.Column("doc_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True,
                  autoincrement=False),
    )
