"""The dossier page's probe on the event loop (``web.probe``) against two holes a review found
in its first version, now closed:

1. ``web.probe.conninfo`` writes the SQLAlchemy URL back as a libpq URI; SQLAlchemy quotes
   only ``:@/`` (and ``%``), so a password with a space (or anything non-ASCII after a space)
   makes a URI libpq refuses, and a multi-host URL names one wrong host. The thread path
   connects with the dialect's own arguments and works: on such a database every dossier page
   answers 500 while the rest of the server works.
2. A dead idle probe connection (PostgreSQL restarted, an idle timeout, a firewall) fails the
   page that takes it, and each of them does so in turn; the thread path's pool drops all its
   older connections at the first disconnect (SQLAlchemy's pool invalidation), so one page.
"""

from __future__ import annotations

import asyncio

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict
from sqlalchemy import create_engine, text

from central_server.web.probe import AsyncProbe, conninfo
from tests.central_server.conftest import database_url


def _terminate(url: str, pids: list[int]) -> None:
    """End those backends, as a PostgreSQL restart or an idle timeout would, and wait until gone."""
    with psycopg.connect(url, autocommit=True) as admin:
        for pid in pids:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        _gone(admin, pids)


def _gone(admin, pids) -> None:
    """Wait until the terminated backends have exited (pg_terminate_backend only signals)."""
    from tests.central_server.kit import wait_until
    wait_until(lambda: admin.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)",
                                     (pids,)).fetchone()[0] == 0, what="backends gone")


def _dialect_args(url: str) -> dict:
    engine = create_engine(url)
    _, kwargs = engine.dialect.create_connect_args(engine.url)
    kwargs.pop("context", None)
    return {k: str(v) for k, v in kwargs.items()}





@pytest.mark.parametrize("url", [
    "postgresql+psycopg://u:two%20words@db.example:5432/d",          # a passphrase
    "postgresql+psycopg://u:m%E1%BA%ADt%20kh%E1%BA%A9u@db.example/d",  # "mật khẩu"
    "postgresql+psycopg://u:pw@/d?host=h1:5432&host=h2:5433",          # SQLAlchemy's multi-host form
])
def test_the_probe_connects_with_what_the_thread_path_connects_with(url):
    expected = _dialect_args(url)
    got = conninfo_to_dict(conninfo(create_engine(url)))    # ProgrammingError for a password with a space
    assert got == expected



def test_a_page_on_a_database_whose_password_has_a_space(request, tmp_path):
    """Trust authentication ignores the password: the thread path serves the page, the probe
    cannot even parse its connection string."""
    from fastapi.testclient import TestClient
    from central_server.app import create_app
    from central_server.settings import Settings
    url = database_url(request.config, tmp_path, "postgresql")
    url = url.replace("postgresql://postgres@", "postgresql://postgres:two%20words@")
    settings = dict(database_url=url, data_dir=tmp_path / "web", public_rate_per_second=1000, public_burst=1000)
    missing = "/h/000.00.01.H01-261110-0001?k=" + "k" * 22
    with TestClient(create_app(Settings(web_page_probe_async=0, **settings))) as threaded:
        assert threaded.get(missing).status_code == 404
    with TestClient(create_app(Settings(**settings), migrate=False), raise_server_exceptions=False) as on_loop:
        assert on_loop.get(missing).status_code == 404     # 500: ProgrammingError (unexpected spaces)



def test_dead_idle_probe_connections_fail_no_page(request, tmp_path):
    url = database_url(request.config, tmp_path, "postgresql")
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"), pool_size=2)
    probe = AsyncProbe(engine, text("SELECT 1 AS one WHERE %s = :code" % "'x'"), 2)

    async def two_at_once():
        await asyncio.gather(probe.row({"code": "y"}), probe.row({"code": "y"}))
    asyncio.run(two_at_once())
    assert len(probe._idle) == 2
    _terminate(url, [c.info.backend_pid for c in probe._idle])
    failures = 0
    for _ in range(2):
        try:
            asyncio.run(probe.row({"code": "y"}))
        except psycopg.OperationalError:
            failures += 1
    asyncio.run(probe.close())
    engine.dispose()
    assert failures == 0, "a dead idle connection failed a page"   # dropped, and the probe ran again


def test_the_thread_paths_pool_drops_its_dead_connections_at_the_first(request, tmp_path):
    """The thread path's pool, for comparison: it fails one page and drops its other dead ones."""
    url = database_url(request.config, tmp_path, "postgresql")
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"), pool_size=2,
                           isolation_level="AUTOCOMMIT")
    a, b = engine.connect(), engine.connect()
    pids = [c.connection.driver_connection.info.backend_pid for c in (a, b)]
    a.close(), b.close()
    _terminate(url, pids)
    failures = 0
    for _ in range(2):
        try:
            with engine.connect() as c:
                c.execute(text("SELECT 1"))
        except Exception:   # noqa: BLE001 - sqlalchemy.exc.OperationalError
            failures += 1
    engine.dispose()
    assert failures == 1
