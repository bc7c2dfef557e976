"""Queries and writes the services compose; none of them commits."""

from __future__ import annotations

import logging
import threading
import uuid
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, Callable, Iterator, Sequence

from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from ..domain.dossier import EventKind
from ..domain import lifecycle
from ..domain.settings import OPTIONS, coerce
from ..domain.text import fold
from . import projection
from .models import (Agency, CodeBlock, CodeBlockRegistry, Dossier, EventRow, Holiday, OutboxRow,
                     ProcedureRow, ProcedureWorkflow, Setting, Unit, User)


# -- settings ---------------------------------------------------------------------------
def get_setting(session: Session, key: str) -> Any:
    row = session.get(Setting, key)
    return coerce(key, row.value if row else None)


def set_setting(session: Session, key: str, value: Any) -> None:
    if key not in OPTIONS:
        raise KeyError(key)
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


def get_agency(session: Session) -> Agency | None:
    return session.scalars(select(Agency).limit(1)).first()


# -- events -----------------------------------------------------------------------------
GENESIS = "0" * 64


def event_hash(prev_hash: str, e: EventRow) -> str:
    """SHA-256 over the previous hash and the event's fields, canonically encoded (the one
    definition, shared with the server, is ``desk_app.domain.chain``)."""
    from desk_app.domain.chain import hash_of
    return hash_of(prev_hash, e)


def append_event(session: Session, dossier: Dossier, kind: EventKind, payload: dict[str, Any],
                 actor: str, desk: str, desk_time: datetime, unit: str | None = None) -> EventRow:
    """Append one event with its outbox row, and bring the dossier's row up to date through
    the domain's reducer (``lifecycle.StepRefusal`` / ``PayloadError`` if it refuses the step:
    then nothing is written)."""
    row = EventRow(id=str(uuid.uuid4()), dossier_code=dossier.code, kind=kind.value,
                   payload=payload, actor=actor, desk=desk, desk_time=desk_time, unit=unit)
    units = projection.Units(session, own_desk=desk)   # the event is this desk's
    state = None if kind in lifecycle.OPENING_KINDS else projection.state_of(dossier, units)
    projection.write(dossier, lifecycle.apply(state, row, default_unit=units.counter_code()), units)
    prev = session.scalars(select(EventRow.hash).where(EventRow.desk == desk)
                           .order_by(EventRow.seq.desc()).limit(1)).first() or GENESIS
    row.prev_hash = prev
    row.hash = event_hash(prev, row)
    session.add(row)
    session.flush()
    session.add(OutboxRow(event_id=row.id, created_at=desk_time))
    return row


def events_of(session: Session, code: str) -> Sequence[EventRow]:
    """A dossier's history in the one order every desk agrees on: the server's sequence,
    then (not yet accepted by the server) the order they were written here."""
    return session.scalars(select(EventRow).where(EventRow.dossier_code == code)
                           .order_by(EventRow.server_seq.is_(None), EventRow.server_seq, EventRow.seq)).all()


# -- change notices ---------------------------------------------------------------------
# Whoever shows dossiers (the desk's screens) learns which ones changed as soon as the
# transaction that changed them commits: a service's step, a sync's pull, whatever wrote the
# event or the dossier's row. A plain registry of callables, no Qt: the screens subscribe
# through ``desk_app.services.changes`` and carry the news to their own thread themselves.
ChangeListener = Callable[[str, frozenset[str]], None]   # (database file, dossier codes)
_listeners: list[ChangeListener] = []
_listeners_lock = threading.Lock()
_gathering = threading.local()
_log = logging.getLogger(__name__)
_TOUCHED = "desk_touched_dossiers"


def listen_changes(listener: ChangeListener) -> Callable[[], None]:
    """Call ``listener(database, codes)`` after every commit that touched dossiers, on the
    committing thread; returns the function that stops it."""
    with _listeners_lock:
        _listeners.append(listener)

    def stop() -> None:
        with _listeners_lock:
            if listener in _listeners:
                _listeners.remove(listener)
    return stop


@contextmanager
def gathering_changes() -> Iterator[None]:
    """On this thread, hold the notices of the commits inside the block and give them once,
    together, at its end (a pull of 5,000 events in 10 pages is one notice, not 10)."""
    outer = getattr(_gathering, "held", None)
    if outer is not None:   # nested: the outermost block gives them
        yield
        return
    _gathering.held = held = {}
    try:
        yield
    finally:
        _gathering.held = None
        for database, codes in held.items():
            _tell(database, frozenset(codes))


def _tell(database: str, codes: frozenset[str]) -> None:
    with _listeners_lock:
        listeners = list(_listeners)
    for listener in listeners:
        try:
            listener(database, codes)
        except Exception:  # a broken screen must not undo, or stop, a commit
            _log.exception("change listener failed")


@event.listens_for(Session, "before_flush")
def _note_touched(session: Session, _flush_context, _instances) -> None:
    touched = None
    for obj in session.new:
        if isinstance(obj, EventRow):
            touched = touched or session.info.setdefault(_TOUCHED, set())
            touched.add(obj.dossier_code)
        elif isinstance(obj, Dossier):
            touched = touched or session.info.setdefault(_TOUCHED, set())
            touched.add(obj.code)
    for obj in session.dirty:
        if isinstance(obj, Dossier) and session.is_modified(obj, include_collections=False):
            touched = touched or session.info.setdefault(_TOUCHED, set())
            touched.add(obj.code)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    codes = session.info.pop(_TOUCHED, None)
    if not codes:
        return
    bind = session.get_bind()
    database = str(bind.url.database or "")
    held = getattr(_gathering, "held", None)
    if held is not None:
        held.setdefault(database, set()).update(codes)
    else:
        _tell(database, frozenset(codes))


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_TOUCHED, None)


# -- dossier numbers --------------------------------------------------------------------
def lease_block(session: Session, agency_code: str, day: date, size: int) -> tuple[int, int]:
    """Lease the next ``size`` numbers of the day from the site's registry.

    The UPDATE runs under the write lock the session took at BEGIN IMMEDIATE, so two
    desks sharing this database never get overlapping blocks. With a central server,
    the server plays this part (see ``sync``).
    """
    reg = session.get(CodeBlockRegistry, (agency_code, day))
    if reg is None:
        reg = CodeBlockRegistry(agency_code=agency_code, day=day, last_leased=0)
        session.add(reg)
        session.flush()
    from desk_app.domain.leasing import next_block
    block = next_block(reg.last_leased, size)
    if block is None:
        raise OverflowError("no dossier numbers left for %s on %s" % (agency_code, day))
    reg.last_leased = block[1]
    return block


def next_dossier_number(session: Session, agency_code: str, day: date, desk_id: str,
                        block_size: int, leaser=None) -> int:
    """Take the next number from this desk's block for the day, leasing a block if needed.

    Runs inside the saving transaction: if the save fails, the number goes back.
    """
    block = session.scalars(
        select(CodeBlock).where(CodeBlock.agency_code == agency_code, CodeBlock.day == day,
                                CodeBlock.desk_id == desk_id, CodeBlock.next_number <= CodeBlock.last)
        .order_by(CodeBlock.first).limit(1)).first()
    if block is None:
        first, last = (leaser or lease_block)(session, agency_code, day, block_size)
        block = CodeBlock(agency_code=agency_code, day=day, desk_id=desk_id, first=first,
                          last=last, next_number=first)
        session.add(block)
        session.flush()
    number = block.next_number
    block.next_number = number + 1
    return number


# -- holidays ---------------------------------------------------------------------------
def holidays(session: Session) -> Sequence[Holiday]:
    return session.scalars(select(Holiday).order_by(Holiday.day)).all()


# -- procedures -------------------------------------------------------------------------
def current_procedure(session: Session, code: str, on: date | None = None) -> ProcedureRow | None:
    """The version of a procedure in force on ``on`` (the newest if ``on`` is None)."""
    q = select(ProcedureRow).where(ProcedureRow.code == code)
    if on is not None:
        q = q.where(ProcedureRow.effective_from <= on)
    return session.scalars(q.order_by(ProcedureRow.effective_from.desc(),
                                      ProcedureRow.version.desc()).limit(1)).first()


def search_procedures(session: Session, query: str, limit: int = 50) -> Sequence[ProcedureRow]:
    words = fold(query).split()
    q = select(ProcedureRow)
    for w in words:
        q = q.where(ProcedureRow.search_text.like("%" + w + "%"))
    rows = session.scalars(q.order_by(ProcedureRow.code, ProcedureRow.version.desc())).all()
    latest: dict[str, ProcedureRow] = {}
    for r in rows:
        if r.code not in latest:
            latest[r.code] = r
    typed, folded = query.strip(), " ".join(words)

    def closeness(r: ProcedureRow) -> tuple:
        # a code typed first; then names holding the words as typed, earliest and shortest
        name = fold(r.name)
        at = name.find(folded) if folded else -1
        return (not (typed and r.code.startswith(typed)), at < 0, max(at, 0), len(name), r.code)

    return sorted(latest.values(), key=closeness)[:limit]


# -- dossiers ---------------------------------------------------------------------------
def dossier_by_code(session: Session, code: str) -> Dossier | None:
    return session.scalars(select(Dossier).where(Dossier.code == code.strip().upper())).first()


def dossier_search_text(code: str, names: list[str], numbers: list[str]) -> str:
    parts = [fold(code)] + [fold(n) for n in names] + [n for n in numbers if n]
    return " ".join(p for p in parts if p)


SUMMARY_COLUMNS = (Dossier.code, Dossier.owner_name, ProcedureRow.name.label("procedure_name"),
                   Dossier.received_at, Dossier.due_at, Dossier.status, Dossier.finished_at,
                   Dossier.owner_phone, Dossier.owner_id_number,
                   # what the verdict reads (``domain.lifecycle.judge_row``)
                   Dossier.stage, Dossier.supplement_count, Dossier.outcome, Dossier.appointment_at)


def _summaries(session: Session, *where, limit: int | None = None):
    """Only the columns a list shows: no JSON parsed, no ORM objects built."""
    q = (select(*SUMMARY_COLUMNS).join(ProcedureRow, ProcedureRow.id == Dossier.procedure_id)
         .where(*where).order_by(Dossier.received_at.desc(), Dossier.id.desc()))
    if limit:
        q = q.limit(limit)
    return session.execute(q).all()


def search_dossiers(session: Session, query: str, limit: int = 200):
    """Diacritics-insensitive search by code, name, phone or ID number, newest first.

    Returns summary rows (see ``SUMMARY_COLUMNS``).
    """
    words = [w for w in fold(query).split() if w]
    if not words:
        return []
    # whole words as typed, the last one also as a beginning ("nguyen van a" finds "Nguyễn Văn An"):
    # a prefix on every word made SQLite merge the lists of every token that begins so ("thi": thi,
    # thinh, thiet...), a third of the time of a name search at a million dossiers
    quoted = ['"%s"' % w.replace('"', "") for w in words]
    match = " ".join(quoted[:-1] + [quoted[-1] + "*"])
    ids = session.execute(text("SELECT rowid FROM dossier_fts WHERE dossier_fts MATCH :m "
                               "ORDER BY rowid DESC LIMIT :n"), {"m": match, "n": limit}).scalars().all()
    if not ids:
        return []
    return _summaries(session, Dossier.id.in_(ids))


def dossier_summaries_received_between(session: Session, start: datetime, end: datetime):
    return _summaries(session, Dossier.received_at >= start, Dossier.received_at < end)


def dossiers_received_between(session: Session, start: datetime, end: datetime) -> Sequence[Dossier]:
    return session.scalars(select(Dossier).where(Dossier.received_at >= start, Dossier.received_at < end)
                           .order_by(Dossier.received_at.desc())).unique().all()


def count_dossiers_in_year(session: Session, year: int) -> int:
    return session.scalar(select(func.count(Dossier.id)).where(
        Dossier.received_at >= datetime(year, 1, 1), Dossier.received_at < datetime(year + 1, 1, 1))) or 0


user_by_username = projection.user_by_username


def counter_unit_id(session: Session) -> int | None:
    return session.scalars(select(Unit.id).where(Unit.kind == "counter").order_by(Unit.id).limit(1)).first()


def unit_by_code(session: Session, code: str) -> Unit | None:
    return session.scalars(select(Unit).where(Unit.code == code)).first()


def workflow_of(session: Session, procedure_code: str) -> Sequence[ProcedureWorkflow]:
    return session.scalars(select(ProcedureWorkflow).where(ProcedureWorkflow.procedure_code == procedure_code)
                           .order_by(ProcedureWorkflow.step)).all()


# -- messages between citizens and the counter ------------------------------------------
MESSAGE_KINDS = (EventKind.CITIZEN_MESSAGE.value, EventKind.COUNTER_REPLY.value)


def _written_to() -> Any:
    """Codes of the dossiers a citizen ever wrote about: few, found through the events' kind index,
    so the inbox never scans the dossiers table."""
    return (select(EventRow.dossier_code).where(EventRow.kind == EventKind.CITIZEN_MESSAGE.value)
            .distinct().scalar_subquery())


def awaiting_reply(session: Session):
    """Dossiers with citizens' messages the counter has not answered yet (the reducer's
    ``unanswered_messages``): code, owner, procedure, how many."""
    return session.execute(
        select(Dossier.code, Dossier.owner_name, ProcedureRow.name.label("procedure_name"),
               Dossier.unanswered_messages)
        .join(ProcedureRow, ProcedureRow.id == Dossier.procedure_id)
        .where(Dossier.code.in_(_written_to()), Dossier.unanswered_messages > 0)).all()


def count_awaiting_reply(session: Session) -> int:
    return session.scalar(select(func.count(Dossier.id)).where(
        Dossier.code.in_(_written_to()), Dossier.unanswered_messages > 0)) or 0


def message_events(session: Session, codes: Sequence[str]) -> Sequence[EventRow]:
    """The citizens' messages and the counter's replies of these dossiers, in the order every
    desk agrees on (as ``events_of``)."""
    if not codes:
        return []
    return session.scalars(select(EventRow).where(EventRow.dossier_code.in_(list(codes)),
                                                  EventRow.kind.in_(MESSAGE_KINDS))
                           .order_by(EventRow.server_seq.is_(None), EventRow.server_seq, EventRow.seq)).all()


def withhold_from_outbox(session: Session, event_id: str) -> None:
    """An event written here as another party's (the demo's citizen messages, which the central
    server writes in real life): never pushed, since the server would refuse it as not this desk's."""
    session.execute(OutboxRow.__table__.delete().where(OutboxRow.event_id == event_id))
