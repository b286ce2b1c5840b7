"""Accounts schema 2 of sucai 0.1: created for a new library, or reached in place by an older one.

Schema 1 → 2 as ``Accounts.__init__`` did it: ``users.name_key`` (names unique up
to look-alikes; an older look-alike keeps its account with its id appended to its
key), server-side ``sessions``, ``attempts`` (was ``login_failures``).

Revision ID: a0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "a0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    tables = set(sa.inspect(bind).get_table_names())
    if "users" not in tables:
        op.create_table(
            "users",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("username", sa.Text, nullable=False, unique=True),
            sa.Column("name_key", sa.Text),
            sa.Column("password_hash", sa.Text, nullable=False),
            sa.Column("role", sa.Text, sa.CheckConstraint("role IN ('user', 'member', 'admin')", name="users_role"),
                      nullable=False),
            sa.Column("member_until", sa.Text),
            sa.Column("created_at", sa.Text, nullable=False),
            sa.Column("updated_at", sa.Text, nullable=False),
        )
    elif "name_key" not in {c["name"] for c in sa.inspect(bind).get_columns("users")}:
        with op.batch_alter_table("users", recreate="never") as batch:
            batch.add_column(sa.Column("name_key", sa.Text))
    _fill_name_keys(bind)
    if not any(i["name"] == "users_name_key" for i in sa.inspect(bind).get_indexes("users")):
        op.create_index("users_name_key", "users", ["name_key"], unique=True)
    if "tokens" not in tables:
        op.create_table(
            "tokens",
            sa.Column("id", sa.Text, primary_key=True),
            sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
            sa.Column("name", sa.Text, nullable=False),
            sa.Column("token_hash", sa.Text, nullable=False, unique=True),
            sa.Column("created_at", sa.Text, nullable=False),
            sa.Column("last_used_at", sa.Text),
            sa.Column("revoked_at", sa.Text),
        )
        op.create_index("tokens_user", "tokens", ["user_id"])
    if "attempts" not in tables:
        op.create_table(
            "attempts",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("kind", sa.Text, nullable=False),
            sa.Column("key", sa.Text, nullable=False),
            sa.Column("at", sa.Float, nullable=False),
        )
        op.create_index("attempts_key", "attempts", ["kind", "key", "at"])
    if "login_failures" in tables:
        op.drop_table("login_failures")
    if "sessions" not in tables:
        op.create_table(
            "sessions",
            sa.Column("id", sa.Text, primary_key=True),
            sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
            sa.Column("created_at", sa.Text, nullable=False),
            sa.Column("seen_at", sa.Text, nullable=False),
            sa.Column("source_ip", sa.Text),
        )
        op.create_index("sessions_user", "sessions", ["user_id"])
    if "audit" not in tables:
        op.create_table(
            "audit",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("at", sa.Text, nullable=False),
            sa.Column("event", sa.Text, nullable=False),
            sa.Column("user_id", sa.Integer),
            sa.Column("username", sa.Text),
            sa.Column("role", sa.Text),
            sa.Column("detail", sa.Text, nullable=False, server_default=""),
            sa.Column("source_ip", sa.Text),
        )
        op.create_index("audit_user_event", "audit", ["user_id", "event", "at"])


def _fill_name_keys(bind) -> None:
    from sucai.accounts import name_key

    rows = bind.execute(sa.text("SELECT id, username FROM users WHERE name_key IS NULL ORDER BY id")).fetchall()
    for user_id, username in rows:
        key = name_key(username)
        if bind.execute(sa.text("SELECT 1 FROM users WHERE name_key = :key"), {"key": key}).first():
            key = f"{key}#{user_id}"
        bind.execute(sa.text("UPDATE users SET name_key = :key WHERE id = :id"), {"key": key, "id": user_id})
