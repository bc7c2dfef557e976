"""Fixtures: the central server as a real uvicorn process, on SQLite and on PostgreSQL.

PostgreSQL runs as a throwaway cluster started from the machine's binaries. Without them the
PostgreSQL half is skipped, except in CI (CI=true) or with DESK_REQUIRE_PG=1, where it fails:
those tests must never be skipped silently there.
"""

from __future__ import annotations

import os

import pytest

from tests.central_server import kit

BACKENDS = ["sqlite", "postgresql"]


def database_url(config, tmp, backend: str) -> str:
    if backend == "sqlite":
        return "sqlite:///%s" % (tmp / "server.sqlite3")
    cluster = kit.postgres(config)
    if cluster is None:
        message = "PostgreSQL binaries not found (/usr/lib/postgresql/*/bin or DESK_PG_BINDIR)"
        if os.environ.get("DESK_REQUIRE_PG") == "1" or os.environ.get("CI") == "true":
            pytest.fail(message + " (CI or DESK_REQUIRE_PG=1): the PostgreSQL tests must run", pytrace=False)
        pytest.skip(message)
    return cluster.create_database()


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def server_factory(request, tmp_path_factory):
    """``start(backend, **options)``: a fresh server on a fresh database; stopped after the test."""
    started: list[kit.ServerProcess] = []

    def start(backend: str, **options) -> kit.ServerProcess:
        tmp = tmp_path_factory.mktemp("server")
        server = kit.ServerProcess(database_url(request.config, tmp, backend), tmp, **options).start()
        started.append(server)
        return server
    yield start
    for server in started:
        server.stop()


@pytest.fixture
def server(server_factory, backend) -> kit.ServerProcess:
    return server_factory(backend)


@pytest.fixture(scope="module", params=BACKENDS)
def shared_server(request, tmp_path_factory):
    """One server per module and backend, for tests that do not kill it (each test uses its
    own agency and desks)."""
    tmp = tmp_path_factory.mktemp("shared-server")
    server = kit.ServerProcess(database_url(request.config, tmp, request.param), tmp,
                               public_rate=5, public_burst=20).start()
    server.backend = request.param
    yield server
    server.stop()
