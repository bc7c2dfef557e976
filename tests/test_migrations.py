"""The Alembic migrations build exactly the schema the models describe: autogenerate, run
against a freshly migrated database, finds nothing to change (types compared too), for the
desk and for the central server on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

# Not the models' business: SQLite's full-text index of the dossiers (a virtual table and its
# shadow tables, kept by triggers) and Alembic's own version tables.
NOT_MODELLED = ("dossier_fts", "alembic_version")


def _include(obj, name, type_, reflected, compare_to) -> bool:
    return not (type_ == "table" and name and name.startswith(NOT_MODELLED))


def _differences(connection, metadata) -> list:
    context = MigrationContext.configure(connection, opts={"compare_type": True, "include_object": _include})
    return compare_metadata(context, metadata)


def test_the_desks_migrations_match_its_models(tmp_path):
    from desk_app.storage import db
    from desk_app.storage import sync_models  # noqa: F401 - its tables belong to the metadata
    from desk_app.storage.models import Base
    engine = create_engine("sqlite:///%s" % (tmp_path / "desk.sqlite3"))
    db.upgrade(engine)
    with engine.connect() as conn:
        assert _differences(conn, Base.metadata) == []
    engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_servers_migrations_match_its_models(request, tmp_path, backend):
    from central_server.db import ServerDatabase
    from central_server.models import Base
    from central_server.settings import Settings
    from tests.central_server.conftest import database_url
    server = ServerDatabase(Settings(database_url=database_url(request.config, tmp_path, backend),
                                     data_dir=tmp_path))
    server.upgrade()
    with server.engine.connect() as conn:
        assert _differences(conn, Base.metadata) == []
    server.dispose()
