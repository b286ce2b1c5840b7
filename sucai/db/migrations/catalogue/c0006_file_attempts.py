"""What a file that could not be read was tried with, so that an unchanged bad file is not read again.

``files.tried_with``: for a file that ended 跳过 or 失败, what its outcome depended on besides its bytes (the sucai
version, the per-file budget, the converters found: :func:`sucai.ingest.attempt`); an ingest tries the file
again only when its bytes or this changed (or with ``--retry-failed``). Records made before this revision have
none, so their files are tried once more.

Revision ID: c0006
Revises: c0005
"""

import sqlalchemy as sa
from alembic import op

revision = "c0006"
down_revision = "c0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("files", sa.Column("tried_with", sa.Text))
