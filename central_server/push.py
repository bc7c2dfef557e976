"""Accepting a desk's events: each once by its id, in one order, judged by the workflow.

A push takes, in this order: its agency's lock (on PostgreSQL a transaction-level advisory
lock, ``lock_agency``: one write of an agency's dossiers at a time, a desk's pushes included, so
its hash chain goes on from its last push's), and only then, to number and write its events,
the row lock on the ``server_seq`` counter, held to the commit. Sequence numbers are therefore
handed out and committed in the same order: a puller that has seen number N has seen every
number below N, so the pull cursor can never step over an event that commits late. The judging
(the reducer, the permissions, the hash chain: most of a push's CPU) runs before the counter's
lock, under the agency's only, so the pushes of different agencies (a province has hundreds:
every commune's and department's office) are judged side by side on several workers. Every
dossier belongs to one agency (its code starts with it) and a desk writes only its own agency's
(``_forbidden``), so an agency's lock covers each of its dossiers' rows, events and leases. The
server's own events (``citizen.append``) take the dossier's agency's lock, then the counter: the
same order. A push that met another on a unique key (two agencies' desks sending one event id)
or a deadlock is run again whole (``run``). (On SQLite, BEGIN IMMEDIATE serialises every write:
the same order, one push at a time.)
"""

from __future__ import annotations

import enum
import functools
import re
import threading
import time
from datetime import datetime
from typing import Iterable

import psycopg
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from desk_app.domain.codes import parse_dossier_code
from desk_app.domain.dossier import EventKind
from desk_app.domain.i18n import tr
from desk_app.domain import chain, lifecycle

from . import notify
from .db import advisory_lock, among, bulk_insert
from .errors import ApiError
from .models import Counter, Desk, DossierState, DossierUnit, ServerEvent
from .schemas import WireEvent
from .security import DeskIdentity

GENESIS = "0" * 64
HEX64 = re.compile(r"^[0-9a-f]{64}$")
UNIT = re.compile(r"^[A-Za-z0-9_.-]{1,50}$")


def event_hash(prev_hash: str, e: WireEvent, payload_json: str | None = None) -> str:
    """The desk's hash of an event, recomputed (one definition: ``desk_app.domain.chain``)."""
    return chain.hash_of(prev_hash, e, payload_json)


def lock_agency(session: Session, agency: str) -> None:
    """Take ``agency``'s write lock until the transaction ends (PostgreSQL: an advisory lock, kept
    in memory, no row written; SQLite's write lock already serialises every write)."""
    advisory_lock(session, "push:" + agency)


def lock_sequence(session: Session) -> int:
    """Take the push lock and return the last sequence number handed out."""
    return session.execute(select(Counter.value).where(Counter.name == "server_seq")
                           .with_for_update()).scalar_one()


@functools.lru_cache(maxsize=65536)  # a pure function of the code, asked several times an event
def agency_of(code: str) -> str:
    parsed = parse_dossier_code(code)
    return parsed.agency if parsed else ""


def _transfer_target(e: WireEvent) -> str | None:
    to = e.payload.get("to_unit")
    return to.strip().upper() if isinstance(to, str) and UNIT.match(to.strip()) else None


def _forbidden(session: Session, desk: DeskIdentity, e: WireEvent, batch) -> str | None:
    """Why ``desk`` may not write ``e`` at all (None if it may): another desk's name, a unit
    not its own, another agency's dossier, or a dossier it has no concern with
    (``central_server.concern``)."""
    from . import concern
    if e.desk != desk.id:
        return tr("Sự kiện mang tên quầy khác ({desk}); mỗi quầy chỉ gửi sự kiện của mình.").format(desk=e.desk)
    if e.unit is not None and e.unit not in desk.units:
        return tr("Đơn vị {unit} không thuộc quầy này.").format(unit=e.unit)
    agency = agency_of(e.dossier_code)
    if agency != desk.agency_code:
        return tr("Hồ sơ {code} thuộc cơ quan khác ({agency}); quầy không được ghi hồ sơ này.").format(
            code=e.dossier_code, agency=agency)
    return concern.refusal(session, desk, e, batch)


def read_state(row: DossierState) -> lifecycle.DossierState:
    """The reducer's state from the server's row."""
    return lifecycle.from_columns({name: getattr(row, name) for name in lifecycle.STATE_FIELDS})


def write_state(row: DossierState | None, state: lifecycle.DossierState, seq: int, now: datetime,
                before: lifecycle.DossierState | None = None) -> DossierState:
    """Store the reducer's state in the server's row (a new row for a new dossier). With the
    state the row held ``before``, only the columns that changed are set."""
    if row is None:
        row = DossierState(agency_code=agency_of(state.code), **lifecycle.columns(state))
    else:
        old = before.__dict__ if before is not None else {}
        for name, value in state.__dict__.items():
            if name not in old or old[name] != value:
                setattr(row, name, value.value if isinstance(value, enum.Enum) else value)
    row.last_seq, row.updated_at = seq, now
    return row


def _units_of(e: WireEvent, desk: DeskIdentity) -> Iterable[str]:
    yield e.unit or desk.home_unit
    if e.kind is EventKind.TRANSFERRED and _transfer_target(e):
        yield _transfer_target(e)


def _changed(state: lifecycle.DossierState, before: lifecycle.DossierState | None) -> dict[str, object]:
    """The state's columns that differ from ``before`` (all of them for a new dossier)."""
    cols = lifecycle.columns(state)
    if before is None:
        return cols
    old = lifecycle.columns(before)
    return {name: value for name, value in cols.items() if old.get(name) != value}


def _write_states(session: Session, states: dict, current: dict, initial: dict, last_seq: dict,
                  now: datetime) -> None:
    """Each dossier's row written once, with where the batch left it, in bulk: new rows in one
    multi-row INSERT, changed rows in one executemany UPDATE per set of changed columns (only
    the columns that changed are set, as ``write_state`` does)."""
    table = DossierState.__table__
    new_rows: list[dict] = []
    updates: dict[tuple[str, ...], list[dict]] = {}
    for code, at in last_seq.items():
        if code not in states:
            new_rows.append({"agency_code": agency_of(code), **lifecycle.columns(current[code]),
                             "last_seq": at, "updated_at": now})
            continue
        changed = _changed(current[code], initial.get(code))
        names = tuple(sorted(changed))
        updates.setdefault(names, []).append({**{"v_" + n: v for n, v in changed.items()},
                                              "v_last_seq": at, "v_updated_at": now, "k_code": code})
    bulk_insert(session, table, new_rows)
    for names, params in updates.items():
        values = {n: bindparam("v_" + n) for n in names + ("last_seq", "updated_at")}
        session.execute(update(table).where(table.c.code == bindparam("k_code")).values(values), params)


def _insert_events(session: Session, rows: list[dict], payload_texts: list[str]) -> None:
    """The batch's events into the log (``bulk_insert``: COPY on PostgreSQL), each payload there
    as the text the hash check made of it, ``payload_texts``."""
    bulk_insert(session, ServerEvent.__table__, rows, texts={"payload": payload_texts})


RACES = frozenset({"23505", "40P01", "40001"})   # PostgreSQL: unique key, deadlock, serialization


class NotNext(ApiError):
    """An ``in_order`` batch whose first new event does not continue the desk's chain here."""

    def __init__(self):
        super().__init__(409, "not_next", tr("Lô sự kiện này không nối tiếp lô trước của quầy trên máy chủ (lô trước "
                                             "chưa được ghi); không sự kiện nào được nhận, quầy sẽ gửi lại."))


NEXT_WAIT = 2.0   # seconds an in_order batch waits for the batch it follows before 409 not_next
# A desk's in_order batches that wait at once in this process; one more is answered not_next
# at once. The desk's stream has two in flight at most (SyncClient.push_stream), so two may
# wait; without a bound, a desk sending batches that never follow held a request thread each
# for NEXT_WAIT seconds at the cost of a small request (the 40 threads: every desk's requests).
MAX_WAITING = 2
_waiting: dict[str, int] = {}
_waiting_lock = threading.Lock()


def _wait_slot(desk_id: str) -> bool:
    """Count one more of ``desk_id``'s batches waiting (False if it has ``MAX_WAITING`` already)."""
    with _waiting_lock:
        n = _waiting.get(desk_id, 0)
        if n >= MAX_WAITING:
            return False
        _waiting[desk_id] = n + 1
        return True


def _free_slot(desk_id: str) -> None:
    with _waiting_lock:
        n = _waiting.pop(desk_id) - 1
        if n:
            _waiting[desk_id] = n


def run(db, desk: DeskIdentity, events: list[WireEvent], now: datetime, daily_lease_max: int | None = None,
        attempts: int = 3, in_order: bool = False, next_wait: float = NEXT_WAIT) -> list[dict]:
    """``push`` in a transaction of its own, committed; run again whole if it met a concurrent
    write on a unique key (another agency's desk sending the same event id) or a deadlock
    (PostgreSQL only: SQLite runs one write at a time). Nothing of a failed attempt stays.

    An ``in_order`` batch that reached its agency's lock before the batch it follows (sent
    just before it, that batch was still being read) lets the lock go and tries again a few
    milliseconds later (the pause growing to 0.1 s), for ``next_wait`` seconds at most:
    answered 409 it would be read and sent again, a second request for nothing (2 to 6
    batches of 40 in one desk's push). ``MAX_WAITING`` of a desk's batches wait at once, here;
    one more is answered at once."""
    deadline = time.monotonic() + next_wait
    attempt, pause, waiting = 0, 0.004, False
    try:
        while True:
            try:
                with db.session() as s:
                    return push(s, desk, events, now, daily_lease_max, in_order)
            except NotNext:
                if not waiting and not (waiting := _wait_slot(desk.id)):
                    raise
                if time.monotonic() >= deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 1.5, 0.1)   # a desk whose batches never follow costs ~25 tries, not 500
            except (DBAPIError, psycopg.Error) as e:   # COPY raises psycopg's own errors
                attempt += 1
                if attempt == attempts or getattr(getattr(e, "orig", e), "sqlstate", None) not in RACES:
                    raise
    finally:
        if waiting:
            _free_slot(desk.id)


def push(session: Session, desk: DeskIdentity, events: list[WireEvent], now: datetime,
         daily_lease_max: int | None = None, in_order: bool = False) -> list[dict]:
    """Store each event once and judge it; one result per event, in the order sent.

    Every statement works on the whole batch: the known ids, the dossiers' states and units
    in one SELECT each, the new events by COPY, the states by one INSERT and grouped UPDATEs.
    The locks are taken as the module's docstring says. ``in_order``: the desk sent this
    batch before the answer to the one before it; unless its first new event continues the
    chain this server holds for the desk (that batch was written), nothing is stored (409
    ``not_next``) and the desk sends it again: judged before the batch it follows, its
    events would be conflicts for good (a transfer of a dossier not received yet)."""
    lock_agency(session, desk.agency_code)   # all that follows is read under it (module docstring)
    desk_table = Desk.__table__
    last_hash = session.execute(select(desk_table.c.last_hash).where(desk_table.c.id == desk.id)).scalar_one() \
        or GENESIS
    state_table = DossierState.__table__
    codes = {e.dossier_code for e in events}
    states = {s.code: s for s in session.execute(select(state_table).where(among(session, state_table.c.code, codes)))}
    ids = [e.id for e in events]
    known = {r.id: r for r in session.execute(
        select(ServerEvent.id, ServerEvent.server_seq, ServerEvent.accepted, ServerEvent.reason,
               ServerEvent.hash).where(among(session, ServerEvent.id, ids)))}
    fresh = [e for e in events if e.id not in known]
    if in_order and fresh and fresh[0].prev_hash != last_hash:
        raise NotNext()
    fresh_codes = {e.dossier_code for e in fresh}
    involved = {(r.dossier_code, r.unit) for r in session.execute(
        select(DossierUnit.dossier_code, DossierUnit.unit).where(among(session, DossierUnit.dossier_code, fresh_codes)))} \
        if fresh_codes else set()
    from .concern import Batch
    batch = Batch(states, now=now, daily_lease_max=daily_lease_max)
    refused = [{"id": e.id, "reason": why} for e in fresh if (why := _forbidden(session, desk, e, batch))]
    if refused:
        raise ApiError(403, "forbidden", tr("Quầy không có quyền ghi {n} sự kiện trong lần gửi này; "
                                            "không sự kiện nào được nhận.").format(n=len(refused)),
                       events=refused)
    seq = 0   # the batch's own numbers while it is judged; the counter's once it is locked, below
    results: list[dict] = []
    rows: list[dict] = []
    payload_texts: list[str] = []   # each row's payload as canonical JSON: hashed, and stored by COPY
    new_units: list[dict] = []
    done: dict[str, dict] = {}
    local: list[dict] = []   # the results numbered by the batch's own numbers (renumbered below)
    current: dict[str, lifecycle.DossierState] = {}   # each dossier's state as the batch goes
    initial: dict[str, lifecycle.DossierState] = {}   # ... and as its row held it before
    last_seq: dict[str, int] = {}                     # its last accepted event in the batch
    for e in events:
        old = known.get(e.id)
        if old is not None:
            results.append({"id": e.id, "status": "accepted" if old.accepted else "conflict",
                            "server_seq": old.server_seq, "duplicate": True,
                            "reason": old.reason if old.hash == e.hash else
                            (old.reason or tr("Mã sự kiện đã được dùng cho một nội dung khác."))})
            continue
        if e.id in done:  # the same event twice in one batch
            results.append({**done[e.id], "duplicate": True})
            local.append(results[-1])
            continue
        seq += 1
        code = e.dossier_code
        payload_json = chain.payload_text(e.payload)
        payload_texts.append(payload_json)
        chain_ok = event_hash(e.prev_hash, e, payload_json) == e.hash and e.prev_hash == last_hash
        last_hash = e.hash
        try:  # judged and applied by the one reducer the desks use
            if code not in current and code in states:
                current[code] = initial[code] = read_state(states[code])
            current[code] = lifecycle.apply(current.get(code), e, default_unit=desk.home_unit)
            reason = None
        except (lifecycle.StepRefusal, lifecycle.PayloadError) as refusal:
            reason = str(refusal)
        if reason is None:
            last_seq[code] = seq
            for unit in _units_of(e, desk):
                if (e.dossier_code, unit) not in involved:
                    involved.add((e.dossier_code, unit))
                    new_units.append({"dossier_code": e.dossier_code, "unit": unit, "since_seq": seq})
        rows.append({"server_seq": seq, "id": e.id, "dossier_code": e.dossier_code,
                     "agency_code": agency_of(e.dossier_code), "kind": e.kind.value, "payload": e.payload,
                     "actor": e.actor, "desk": e.desk, "desk_time": e.desk_time, "unit": e.unit,
                     "prev_hash": e.prev_hash, "hash": e.hash, "received_at": now,
                     "accepted": reason is None, "reason": reason, "chain_ok": chain_ok})
        result = {"id": e.id, "status": "accepted" if reason is None else "conflict", "server_seq": seq,
                  "duplicate": False, "reason": reason}
        done[e.id] = result
        results.append(result)
        local.append(result)
    desk_values: dict = {"last_seen_at": now}
    if rows:
        base = lock_sequence(session)   # held to the commit: numbers committed in the order given
        for r in rows:
            r["server_seq"] += base
        for r in local:
            r["server_seq"] += base
        for u in new_units:
            u["since_seq"] += base
        last_seq = {code: at + base for code, at in last_seq.items()}
        seq += base
        _write_states(session, states, current, initial, last_seq, now)  # new dossier states first
        _insert_events(session, rows, payload_texts)
        bulk_insert(session, DossierUnit.__table__, new_units)
        session.execute(update(Counter).where(Counter.name == "server_seq").values(value=seq))
        desk_values["last_hash"] = last_hash
        notify.enqueue(session, rows, now)  # the notices these events cause, in this transaction
    session.execute(update(desk_table).where(desk_table.c.id == desk.id).values(desk_values))
    return results
