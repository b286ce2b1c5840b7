"""A document's id is never given again (``documents`` with ``AUTOINCREMENT`` on SQLite).

SQLite gave the next document ``max(id) + 1``: the id of the document with the highest id, once removed, went to
the next one stored, and favourites, history, drafts' sources and links naming the removed document opened the new
one. PostgreSQL's sequences never go back: nothing to do there. On SQLite the table is made again (rows, indexes
and the unique ``text_hash`` kept); the ids an admin took out of their cluster (``cluster_splits``, whose rows the
dropped table's ``ON DELETE CASCADE`` takes with it, since foreign keys cannot be turned off inside the migration's
transaction) are put back; and the next id starts past the highest the table or the change log names (a document
removed before this revision is not given again either while the log still names it: the log keeps
``change_log_days`` and its newest change).

Revision ID: c0010
Revises: c0009
"""

import sqlalchemy as sa
from alembic import op

revision = "c0010"
down_revision = "c0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    splits = bind.exec_driver_sql("SELECT doc_id FROM cluster_splits").fetchall()
    with op.batch_alter_table("documents", recreate="always", table_kwargs={"sqlite_autoincrement": True}):
        pass   # no column changes: the table is made again with AUTOINCREMENT, its rows and indexes copied
    if splits:
        bind.execute(sa.text("INSERT INTO cluster_splits (doc_id) VALUES (:doc_id)"),
                     [{"doc_id": doc_id} for (doc_id,) in splits])
    highest = bind.exec_driver_sql("SELECT max(coalesce((SELECT max(doc_id) FROM changes), 0),"
                                   " coalesce((SELECT max(id) FROM documents), 0))").scalar()
    bind.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name = 'documents'")
    bind.execute(sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('documents', :seq)"), {"seq": highest})
