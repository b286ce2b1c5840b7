"""A document's metadata as a viewer without the member tier sees it, kept with it (``documents.free_metadata``).

JSON made by :func:`sucai.access.keeping` for a document with a members part, NULL for the others (see
:meth:`sucai.store.Catalogue.describe_free`). Left empty here: the library describes its documents when it is
next opened (meta ``free_metadata_version``); until then they are described when read.

Revision ID: c0004
Revises: c0003
"""

import sqlalchemy as sa
from alembic import op

revision = "c0004"
down_revision = "c0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("documents", sa.Column("free_metadata", sa.Text))
