"""A document's 字数: its characters without white space, control or invisible ones (``documents.counted_chars``).

``chars`` stays the text's length, the unit of every offset (the member boundary, the free view's read). Left
empty here: the library counts its documents when it is next opened (meta ``counted_chars_version``, see
:meth:`sucai.store.Catalogue.recount`).

Revision ID: c0007
Revises: c0006
"""

import sqlalchemy as sa
from alembic import op

revision = "c0007"
down_revision = "c0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("documents", sa.Column("counted_chars", sa.Integer))
