"""Opening the desk's SQLite database: WAL, foreign keys, and migrations on first run."""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
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
            keep_statistics(self.read_engine, self.engine)

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
    """Bring the database to the newest schema with Alembic (not even imported, a quarter of
    the desk's start-up, when the database is already at the newest revision)."""
    head = _head_revision()
    if head is not None and _current_revisions(engine) == [head]:
        return
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        conn.commit()


def keep_statistics(read_engine: Engine, engine: Engine, least: int = 5000) -> None:
    """Gather SQLite's planner statistics when the dossiers have doubled since they were last
    gathered (from ``least`` dossiers on; a sampled ANALYZE: a fraction of a second at a million).

    Without them SQLite picks an index by its shape alone and, at a million dossiers, read the
    wide table rows behind a narrow index instead of the index that carries every column.

    How many dossiers there were at the last gathering is kept in the file's header
    (``PRAGMA user_version``, which nothing else here uses): the sampled statistics' own row
    counts are estimates (370,944 for a million), which made every start of a million-dossier
    desk gather them again, a third of a second of its launch and a write lock.
    """
    with read_engine.connect() as conn:   # the check takes no write lock
        rows = conn.exec_driver_sql("SELECT max(rowid) FROM dossiers").scalar() or 0
        if rows < least:
            return
        gathered = conn.exec_driver_sql("PRAGMA user_version").scalar() or 0
        if not gathered:   # gathered before the count was kept: the estimate, as then
            try:
                stat = conn.exec_driver_sql("SELECT stat FROM sqlite_stat1 WHERE tbl = 'dossiers' "
                                            "AND idx = 'ix_dossiers_code_keys'").scalar()
            except OperationalError:  # never analysed: no table yet
                stat = None
            gathered = int(stat.split()[0]) if stat else 0
    if gathered * 2 > rows:
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA analysis_limit=1000")
        conn.exec_driver_sql("ANALYZE")
        conn.exec_driver_sql("PRAGMA user_version=%d" % min(rows, 2**31 - 1))
        conn.commit()


def _head_revision() -> str | None:
    """The newest revision, read from the migration scripts' ``revision`` / ``down_revision``
    lines; None if that is not plain (then Alembic decides)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        source = script.read_text("utf-8")
        revision = re.search(r"^revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]\s*$", source, re.M)
        down = re.search(r"^down_revision\s*(?::[^=]*)?=\s*(.+)$", source, re.M)
        if revision is None or down is None:
            return None
        revisions.add(revision.group(1))
        parents.update(re.findall(r"['\"]([^'\"]+)['\"]", down.group(1)))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _current_revisions(engine: Engine) -> list[str] | None:
    try:
        with engine.connect() as conn:
            return [row[0] for row in conn.exec_driver_sql("SELECT version_num FROM alembic_version")]
    except OperationalError:  # a new database: no table yet
        return None
