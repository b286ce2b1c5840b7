"""The record key of the file a document's content was read from (``documents.source_key``, a ``files.path``).

``source_path`` is the path as read, for people; it is not the file's record key for a name not in UTF-8, a deep
path or a linked file (:func:`sucai.ingest.file_key`), and two files' names may read alike. A reread told a file's
copy from its own by it, and put a weaker copy back over the better one. Left empty here: a document stored before
this revision has its ``source_path`` stand for it until its content is written again.

Revision ID: c0008
Revises: c0007
"""

import sqlalchemy as sa
from alembic import op

revision = "c0008"
down_revision = "c0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("documents", sa.Column("source_key", sa.Text))
