"""The version of the reading a document was stored with (``documents.reading_version``,
:data:`sucai.model.READING_VERSION`).

A change of the reading — sec30's: where a text's title ends and its body starts never depends on members text —
applies to the documents read after it only: one stored before keeps the free view its stored text starts, until
``sucai ingest --reread`` reads its file again. Left empty here: nothing tells which reading a document stored before
this revision was made by, so each counts as an older one (``sucai stats`` and ``sucai serve`` say how many).

Revision ID: c0011
Revises: c0010
"""

import sqlalchemy as sa
from alembic import op

revision = "c0011"
down_revision = "c0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("documents", sa.Column("reading_version", sa.Integer))
