"""User names compared with traditional characters as simplified: ``users.name_key`` made again for every account
(:func:`sucai.accounts.name_key` now folds 管理員 to 管理员, F15), so that no look-alike in the other script is
registered beside an existing name.

Two accounts that the older rule let exist side by side (管理员 and 管理員) both stay, each logging in by its own
spelling: the keys are given in the order the accounts were made, the older one the new key, a later look-alike
its key with its id appended (``…#7``, the rule of a0001) — so a new registration of either spelling is refused.

Revision ID: a0003
Revises: a0002
"""

import sqlalchemy as sa
from alembic import op

revision = "a0003"
down_revision = "a0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from sucai.accounts import name_key

    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, username FROM users ORDER BY id")).fetchall()
    bind.execute(sa.text("UPDATE users SET name_key = NULL"))   # a new key may be another account's old one
    taken: set[str] = set()
    for user_id, username in rows:
        key = name_key(username)
        key = f"{key}#{user_id}" if key in taken else key
        taken.add(key)
        bind.execute(sa.text("UPDATE users SET name_key = :key WHERE id = :id"), {"key": key, "id": user_id})
