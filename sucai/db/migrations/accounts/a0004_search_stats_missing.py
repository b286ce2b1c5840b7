"""``search_stats.missing``: of a query's searches with no result, those made as a member over the whole library
(no 文种/来源/年份… filter) — what 用户在找什么 lists as 没有结果 (material to add), apart from those that found
nothing only as filtered or in the free part (:mod:`sucai.analytics`). Searches counted before are taken as
such, as they were listed until now.

Revision ID: a0004
Revises: a0003
"""

import sqlalchemy as sa
from alembic import op

revision = "a0004"
down_revision = "a0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("search_stats", sa.Column("missing", sa.Integer, nullable=False, server_default="0"))
    op.execute("UPDATE search_stats SET missing = empty")
