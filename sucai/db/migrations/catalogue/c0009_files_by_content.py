"""An index of the files' records by content hash (``files_by_content``).

An ingest looks up the records of the bytes of every file it found without one (a file renamed or moved:
:meth:`sucai.store.Catalogue.file_records_of`, 500 hashes a statement): each statement scanned every record.

Revision ID: c0009
Revises: c0008
"""

from alembic import op

revision = "c0009"
down_revision = "c0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("files_by_content", "files", ["content_hash"])
