"""Alembic environment: migrations run on the connection the program hands in."""

from alembic import context

from desk_app.storage.models import Base
import desk_app.storage.sync_models  # noqa: F401  (its tables belong to the metadata too)

connection = context.config.attributes.get("connection")
if connection is None:  # `alembic` command line: use the URL from the config
    from sqlalchemy import create_engine

    connection = create_engine(context.config.get_main_option("sqlalchemy.url")).connect()

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
