"""``codes.voided_at`` and ``codes.voided_by``: an admin voids the unused codes of a batch whose CSV leaked, or
single codes (:meth:`sucai.codes.Codes.void`); a voided code is never redeemed. Codes made before are not voided.

Revision ID: a0005
Revises: a0004
"""

import sqlalchemy as sa
from alembic import op

revision = "a0005"
down_revision = "a0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("codes", sa.Column("voided_at", sa.Text))
    op.add_column("codes", sa.Column("voided_by", sa.Text))
