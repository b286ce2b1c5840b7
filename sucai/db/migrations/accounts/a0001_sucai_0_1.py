"""The accounts of sucai 0.1 (its last schema before the data-access layer): created for a new library,
or reached in place by an older one.

Schema 1 → 2 as ``Accounts.__init__`` did it: ``users.name_key`` (names unique up
to look-alikes; an older look-alike keeps its account with its id appended to its
key), server-side ``sessions``, ``attempts`` (was ``login_failures``); 2 → 3:
``tiers`` (SVIP); then the tables later capabilities made in place, each when
missing: ``codes`` (卡密), ``saved_searches``, ``folders``, ``favourites``,
``history`` (:mod:`sucai.collections`), ``search_stats``, ``document_stats``
(:mod:`sucai.analytics`).

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
    if "tiers" not in tables:
        op.create_table("tiers",
                        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
                                  autoincrement=False),
                        sa.Column("svip_until", sa.Text))
    if "codes" not in tables:
        op.create_table(
            "codes",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("code_hash", sa.Text, nullable=False, unique=True),
            sa.Column("hint", sa.Text, nullable=False),
            sa.Column("batch", sa.Text, nullable=False),
            sa.Column("tier", sa.Text, nullable=False),
            sa.Column("days", sa.Integer, nullable=False),
            sa.Column("created_at", sa.Text, nullable=False),
            sa.Column("created_by", sa.Text),
            sa.Column("redeemed_at", sa.Text),
            sa.Column("redeemed_by", sa.Integer),
            sa.Column("redeemed_name", sa.Text),
        )
        op.create_index("codes_batch", "codes", ["batch"])
    if "saved_searches" not in tables:
        op.create_table(
            "saved_searches",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
            sa.Column("name", sa.Text, nullable=False),
            sa.Column("params", sa.Text, nullable=False),
            sa.Column("created_at", sa.Text, nullable=False),
            sa.Column("seen_at", sa.Text, nullable=False),
            sa.Column("feed_hash", sa.Text, unique=True),
            sa.Column("feed_created_at", sa.Text),
        )
        op.create_index("saved_searches_user", "saved_searches", ["user_id"])
    if "folders" not in tables:
        op.create_table(
            "folders",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
            sa.Column("name", sa.Text, nullable=False),
            sa.Column("created_at", sa.Text, nullable=False),
            sa.UniqueConstraint("user_id", "name", name="folders_user_name"),
        )
    if "favourites" not in tables:
        op.create_table(
            "favourites",
            sa.Column("folder_id", sa.Integer, sa.ForeignKey("folders.id", ondelete="CASCADE"), primary_key=True,
                      autoincrement=False),
            sa.Column("doc_id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("note", sa.Text, nullable=False, server_default=""),
            sa.Column("added_at", sa.Text, nullable=False),
        )
    if "history" not in tables:
        op.create_table(
            "history",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
            sa.Column("doc_id", sa.Integer, nullable=False),
            sa.Column("kind", sa.Text, sa.CheckConstraint("kind IN ('read', 'download')", name="history_kind"),
                      nullable=False),
            sa.Column("at", sa.Text, nullable=False),
        )
        op.create_index("history_user", "history", ["user_id", "at"])
    if "search_stats" not in tables:
        op.create_table("search_stats", sa.Column("day", sa.Text, primary_key=True),
                        sa.Column("query", sa.Text, primary_key=True),
                        sa.Column("searches", sa.Integer, nullable=False), sa.Column("empty", sa.Integer, nullable=False))
    if "document_stats" not in tables:
        op.create_table("document_stats", sa.Column("day", sa.Text, primary_key=True),
                        sa.Column("doc_id", sa.Integer, primary_key=True, autoincrement=False),
                        sa.Column("reads", sa.Integer, nullable=False),
                        sa.Column("downloads", sa.Integer, nullable=False))


def _fill_name_keys(bind) -> None:
    from sucai.accounts import name_key

    rows = bind.execute(sa.text("SELECT id, username FROM users WHERE name_key IS NULL ORDER BY id")).fetchall()
    for user_id, username in rows:
        key = name_key(username)
        if bind.execute(sa.text("SELECT 1 FROM users WHERE name_key = :key"), {"key": key}).first():
            key = f"{key}#{user_id}"
        bind.execute(sa.text("UPDATE users SET name_key = :key WHERE id = :id"), {"key": key, "id": user_id})
