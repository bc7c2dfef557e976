"""Opening the desk's SQLite database: WAL, foreign keys, and migrations on first run."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across app crashes
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def _begin_immediate(conn) -> None:
    # Take the write lock at BEGIN: two desks saving at once queue instead of failing
    # with "database is locked" half-way through a transaction.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """One SQLite file; ``session()`` gives one unit of work, committed by the caller."""

    def __init__(self, path: Path | str, migrate: bool = True):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine("sqlite:///%s" % self.path, future=True)
        event.listen(self.engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling is switched off so BEGIN IMMEDIATE is ours
        event.listen(self.engine, "connect", lambda c, r: setattr(c, "isolation_level", None))
        event.listen(self.engine, "begin", _begin_immediate)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # Reads need no write lock: a second engine whose transactions are deferred.
        self.read_engine: Engine = create_engine("sqlite:///%s" % self.path, future=True)
        event.listen(self.read_engine, "connect", _sqlite_pragmas)
        self._read_sessions = sessionmaker(self.read_engine, expire_on_commit=False)
        if migrate:
            upgrade(self.engine)

    @contextmanager
    def session(self, write: bool = True) -> Iterator[Session]:
        """A session for one use case: committed if the block ends normally, else rolled back."""
        session = self._sessions() if write else self._read_sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
        self.read_engine.dispose()


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest schema with Alembic."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        conn.commit()
