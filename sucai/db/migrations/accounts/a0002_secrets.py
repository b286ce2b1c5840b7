"""The cookie-signing key moves into the database (``secrets``), so every node signs and reads the same
cookies; the ``meta`` table of an accounts file made by sucai 0.1 goes (the version table says the
schema version; the catalogue's own ``meta``, in the same database on PostgreSQL, stays).

A library's old ``session.key`` file is read into ``secrets`` when the accounts
are first opened after this (:meth:`sucai.accounts.Accounts.session_secret`), so
nobody is logged out by the upgrade.

Revision ID: a0002
Revises: a0001
"""

import sqlalchemy as sa
from alembic import op

revision = "a0002"
down_revision = "a0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("secrets", sa.Column("name", sa.Text, primary_key=True),
                    sa.Column("value", sa.Text, nullable=False))
    tables = set(sa.inspect(op.get_bind()).get_table_names())
    if "meta" in tables and "documents" not in tables:
        op.drop_table("meta")
