"""Alembic environment of the central server: runs on the connection the program hands in."""

from alembic import context

from central_server.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # `alembic` command line: use the URL from the config
    from sqlalchemy import create_engine

    connection = create_engine(context.config.get_main_option("sqlalchemy.url")).connect()

context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite",
                  version_table="alembic_version_server")
with context.begin_transaction():
    context.run_migrations()
