"""The server's database: SQLite (WAL) for a demo, PostgreSQL in production; Alembic migrations."""

from __future__ import annotations

import functools
import hashlib
import json
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import JSON, String, any_, bindparam, create_engine, event, insert, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from .settings import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def tolerant_json(text):
    """Stored JSON back to Python; a value that no longer parses comes back as null instead of
    failing the whole query (and with it every pull page that holds it)."""
    try:
        return json.loads(text)
    except (TypeError, ValueError, RecursionError):
        return None


def advisory_lock(session: Session, name: str) -> None:
    """A lock named ``name``, held until the transaction ends: PostgreSQL's advisory lock (kept in
    memory, no row written; its 64-bit key from the name's SHA-256). Nothing on SQLite, whose
    BEGIN IMMEDIATE already runs one write at a time."""
    if session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def among(session: Session, column, values):
    """``column IN values``; on PostgreSQL as ``= ANY(array)``, one parameter: psycopg parses a
    statement anew at every execution when it is longer than 4 KB (a push's 500 ids as 500
    placeholders are 6 KB: 1.3 ms each time), and prepares it on the server only if the text
    repeats. Texts go as ``varchar[]``, not the column's ``varchar(n)[]``: a length on the
    array's type is a coercion of each element (~15 us of PostgreSQL's CPU a pushed event more,
    measured), and it truncates."""
    if session.get_bind().dialect.name == "postgresql":
        kind = ARRAY(String()) if isinstance(column.type, String) else ARRAY(column.type)
        return column == any_(bindparam(None, list(values), type_=kind))
    return column.in_(values)


def bulk_insert(session: Session, table, rows: list[dict], texts: dict[str, list[str]] | None = None) -> None:
    """Many new rows into ``table``: on PostgreSQL by COPY, elsewhere by one executemany INSERT.

    psycopg's executemany sends one INSERT a row (pipelined), and PostgreSQL starts its
    executor for each: a push's 100 new dossiers' states and 200 units waited on PostgreSQL as
    long as its 500 events' COPY (measured). A column the rows leave out takes its scalar
    Python default, as an INSERT would; a JSON column's value goes as its JSON text, as
    SQLAlchemy's INSERT does (None as JSON's null unless the type says SQL NULL); every other
    value as psycopg dumps it. ``texts``: a JSON column's values already as their text, one a
    row, for COPY (the events' payloads: the canonical text the hash check made of each)."""
    if not rows:
        return
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), rows)
        return
    names = list(rows[0])
    fixed = {}
    for column in table.columns:
        if column.name not in rows[0] and column.default is not None:
            if not column.default.is_scalar:
                raise ValueError("bulk_insert: %s.%s has a default only an INSERT computes"
                                 % (table.name, column.name))
            fixed[column.name] = column.default.arg
    dumps = functools.partial(json.dumps, ensure_ascii=False, separators=(",", ":"))

    def encoder(column):
        if not isinstance(column.type, JSON):
            return None
        if column.type.none_as_null:
            return lambda v: None if v is None else dumps(v)
        return dumps   # None as JSON's null, as SQLAlchemy's INSERT stores it
    texts = texts or {}
    encoders = [None if n in texts else encoder(table.c[n]) for n in names]
    cursor = conn.connection.driver_connection.cursor()
    quote = conn.dialect.identifier_preparer.quote
    statement = "COPY %s (%s) FROM STDIN" % (quote(table.name), ", ".join(map(quote, names + list(fixed))))
    tail = tuple(fixed.values())
    with cursor.copy(statement) as copy:
        for i, row in enumerate(rows):
            values = tuple(texts[n][i] if n in texts else row[n] if enc is None else enc(row[n])
                           for n, enc in zip(names, encoders))
            copy.write_row(values + tail)


def insert_ignore(session: Session, table, values: dict) -> None:
    """INSERT that does nothing if the row's key is already there (both dialects)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(insert(table).values(**values).on_conflict_do_nothing())


class ServerDatabase:
    """Both engines hide statement parameters in their errors: an event's payload is personal
    data and must not reach a log.

    ``session()`` is one unit of work, committed when the block ends normally.

    On SQLite, write sessions start with BEGIN IMMEDIATE (one writer at a time, taken at
    the start so a transaction never fails half-way on the lock); reads use a second
    engine with ordinary deferred transactions. PostgreSQL needs neither: pushes lock the
    ``server_seq`` counter row instead.
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        url = settings.sqlalchemy_url
        if settings.is_sqlite:
            path = settings.sqlite_path
            if path is not None:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            args = {"check_same_thread": False}
            self.engine: Engine = create_engine(url, connect_args=args, hide_parameters=True,
                                                  json_deserializer=tolerant_json)
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "connect", lambda c, r: setattr(c, "isolation_level", None))
            event.listen(self.engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
            self.read_engine: Engine = create_engine(url, connect_args=args, hide_parameters=True,
                                                  json_deserializer=tolerant_json)
            event.listen(self.read_engine, "connect", _sqlite_pragmas)
            self.autocommit: Engine | None = None   # (PostgreSQL only: one statement committed alone, no BEGIN/COMMIT)
        else:
            # No pre-ping: it would add a round trip to every request; a connection that died is
            # replaced on its error (the request fails with 5xx and the desk retries).
            self.engine = create_engine(url, pool_size=settings.pool_size, max_overflow=settings.pool_size,
                                        pool_recycle=1800, hide_parameters=True,
                                        json_deserializer=tolerant_json)
            # Reads run statement by statement (autocommit): no BEGIN/COMMIT round trips. Each
            # statement sees what was committed when it began, which is all pull needs (it reads
            # the sequence counter first; see pull.py).
            self.autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")
            self.read_engine = self.autocommit
        self._write = sessionmaker(self.engine, expire_on_commit=False)
        self._read = sessionmaker(self.read_engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self, write: bool = True) -> Iterator[Session]:
        session = self._write() if write else self._read()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A plain connection for reads that need no ORM (the public status lookup)."""
        with self.read_engine.connect() as conn:
            yield conn

    def upgrade(self) -> None:
        """Bring the schema to the newest revision."""
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.connect() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            conn.commit()

    def dispose(self) -> None:
        self.engine.dispose()
        if self.settings.is_sqlite:
            self.read_engine.dispose()
