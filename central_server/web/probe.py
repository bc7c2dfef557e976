"""The dossier page's probe on PostgreSQL, on the event loop.

A kept page (``pagecache``) is served after one query, the probe by code and key that reads
the page's stamp. Run in the page readers' threads, each probe handed the GIL back and forth
between a reader thread waiting on PostgreSQL and the event loop: at a thousand pages a second
that hand-off, not the query, was most of a page's cost (measured by ``bench_scale``: about
0.7-1.1 k pages/s on two workers with the probe in a thread, 1.3-1.9 k with it on the loop).
So on PostgreSQL the probe runs on the event loop, through psycopg's asynchronous connection,
as a statement prepared once per connection; the thread is taken only to render a page that
is not kept (or has changed), and that reads more.

At most ``size`` probes run at once per process (the database pool's size): one beyond that
takes the thread path, whose pool waits for a connection. Idle connections are kept, up to
``size``; a connection that failed is closed, never reused. A kept connection found dead
(PostgreSQL restarted, an idle timeout, a firewall) costs no page: every kept one is dropped,
as SQLAlchemy's pool does, and the probe runs once more on a new connection. Connections are
made with the arguments the server's engine makes its own with (the dialect's). They belong to
no event loop (psycopg asks for the running loop at each wait), so a test client that runs each
request in a loop of its own works the same.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.rows import namedtuple_row
from psycopg.conninfo import make_conninfo
from sqlalchemy.engine import Engine


class Busy(Exception):
    """Every connection of the probe is in use: take the thread path."""


class _DeadKept(Exception):
    """A kept connection failed: the server closed it while it was idle."""


def conninfo(engine: Engine) -> str:
    """The libpq connection string of ``engine``'s database, from the arguments its dialect
    connects with (a password with blanks, several hosts: as the engine reads them)."""
    _, kwargs = engine.dialect.create_connect_args(engine.url)
    kwargs.pop("context", None)   # psycopg's adaptation context: the engine's own, not a libpq key
    return make_conninfo(**{k: str(v) for k, v in kwargs.items() if v is not None})


class AsyncProbe:
    def __init__(self, engine: Engine, statement, size: int):
        compiled = statement.compile(dialect=engine.dialect)
        self.sql = str(compiled)
        self.fixed = dict(compiled.params)   # the statement's own values (a substring's bounds...)
        self.conninfo = conninfo(engine)
        self.size = max(1, size)
        self._idle: list[psycopg.AsyncConnection] = []
        self._busy = 0

    async def row(self, params: dict[str, Any]):
        """The statement's one row for ``params`` (a named tuple, as a Row reads), or None."""
        if self._busy >= self.size:
            raise Busy
        self._busy += 1
        try:
            try:
                return await self._row(params)
            except _DeadKept:
                await self.close()              # the others were kept as long: gone too, likely
                return await self._row(params)  # once more, on a new connection
        finally:
            self._busy -= 1

    async def _row(self, params: dict[str, Any]):
        reused = bool(self._idle)
        conn = self._idle.pop() if reused else await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True)
        try:
            async with conn.cursor(row_factory=namedtuple_row) as cur:
                await cur.execute(self.sql, {**self.fixed, **params}, prepare=True)
                found = await cur.fetchone()
        except psycopg.OperationalError as e:
            await _close(conn)
            if reused:
                raise _DeadKept from e
            raise
        except BaseException:
            await _close(conn)
            raise
        if len(self._idle) < self.size and not conn.closed:
            self._idle.append(conn)
        else:
            await _close(conn)
        return found

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for conn in idle:
            await _close(conn)


async def _close(conn: psycopg.AsyncConnection) -> None:
    try:
        await conn.close()
    except Exception:  # noqa: BLE001 - a connection that failed may fail to close too
        pass
