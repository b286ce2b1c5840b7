"""Alembic's environment for sucai: run programmatically by :mod:`sucai.db.migrate`, never by the
``alembic`` command. The connection, the store and its version table come in ``config.attributes``."""

from alembic import context

from sucai.db.schema import METADATA

config = context.config
store = config.attributes["store"]
context.configure(connection=config.attributes["connection"], target_metadata=METADATA[store],
                  version_table=config.attributes["version_table"], render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
