"""Accepting a desk's events: each once by its id, in one order, judged by the workflow.

Every push takes the lock on the ``server_seq`` counter row for its whole transaction, so
sequence numbers are handed out and committed in the same order. A puller that has seen
number N has therefore seen every number below N: the pull cursor can never step over an
event that commits late. (On SQLite, BEGIN IMMEDIATE gives the same order.)
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from desk_app.domain.codes import parse_dossier_code
from desk_app.domain.dossier import EventKind, Status
from desk_app.domain.i18n import tr
from desk_app.domain.workflow import check_step, next_status

from .errors import ApiError
from .models import Counter, Desk, DossierState, DossierUnit, ServerEvent
from .schemas import WireEvent
from .security import DeskIdentity

GENESIS = "0" * 64
HEX64 = re.compile(r"^[0-9a-f]{64}$")
UNIT = re.compile(r"^[A-Za-z0-9_.-]{1,50}$")
FINISHING = {EventKind.RESULT_READY, EventKind.REFUSED, EventKind.WITHDRAWN, EventKind.STOPPED}
HOLDING = {EventKind.ARRIVED, EventKind.ASSIGNED}


def event_hash(prev_hash: str, e: WireEvent) -> str:
    """The desk's hash of an event (``desk_app.storage.repositories.event_hash``), recomputed."""
    body = json.dumps([prev_hash, e.id, e.dossier_code, e.kind.value, e.payload, e.actor, e.desk,
                       e.desk_time.isoformat(), e.unit], ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def lock_sequence(session: Session) -> int:
    """Take the push lock and return the last sequence number handed out."""
    return session.execute(select(Counter.value).where(Counter.name == "server_seq")
                           .with_for_update()).scalar_one()


def agency_of(code: str) -> str:
    parsed = parse_dossier_code(code)
    return parsed.agency if parsed else ""


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        return None
    return t.replace(tzinfo=None) if t.tzinfo is None else None


def _transfer_target(e: WireEvent) -> str | None:
    to = e.payload.get("to_unit")
    return to.strip().upper() if isinstance(to, str) and UNIT.match(to.strip()) else None


def _forbidden(desk: DeskIdentity, e: WireEvent) -> str | None:
    """Why ``desk`` may not write ``e`` at all (None if it may)."""
    if e.desk != desk.id:
        return tr("Sự kiện mang tên quầy khác ({desk}); mỗi quầy chỉ gửi sự kiện của mình.").format(desk=e.desk)
    if e.unit is not None and e.unit not in desk.units:
        return tr("Đơn vị {unit} không thuộc quầy này.").format(unit=e.unit)
    agency = agency_of(e.dossier_code)
    if agency != desk.agency_code:
        return tr("Hồ sơ {code} thuộc cơ quan khác ({agency}); quầy không được ghi hồ sơ này.").format(
            code=e.dossier_code, agency=agency)
    return None


def _apply(state: DossierState | None, e: WireEvent, desk: DeskIdentity, seq: int,
           now: datetime) -> DossierState:
    """The dossier's state after an accepted event."""
    p = e.payload
    if e.kind is EventKind.RECEIVED:
        key = p.get("key_sha256")
        proc = p.get("procedure") if isinstance(p.get("procedure"), dict) else {}
        return DossierState(
            code=e.dossier_code, agency_code=agency_of(e.dossier_code), status=Status.RECEIVED.value,
            key_sha256=key if isinstance(key, str) and HEX64.match(key) else "",
            procedure_code=str(proc.get("code", ""))[:60], procedure_name=str(proc.get("name", "")),
            received_at=_time(p.get("received_at")) or e.desk_time, due_at=_time(p.get("due_at")),
            holder_unit=e.unit or desk.home_unit, origin_desk=desk.id, last_seq=seq, updated_at=now)
    assert state is not None
    status = next_status(e.kind, Status(state.status))
    if status is not None:
        state.status = status.value
    if e.kind is EventKind.KEY_REPLACED and isinstance(p.get("key_sha256"), str) and HEX64.match(p["key_sha256"]):
        state.key_sha256 = p["key_sha256"]
    if _time(p.get("due_at")):  # a moved appointment, or the new date after a supplement
        state.due_at = _time(p.get("due_at"))
    if e.kind is EventKind.TRANSFERRED and _transfer_target(e):
        state.holder_unit = _transfer_target(e)
    elif e.kind in HOLDING:
        state.holder_unit = e.unit or desk.home_unit
    if e.kind in FINISHING:
        state.finished_at = e.desk_time
    if e.kind is EventKind.RETURNED:
        state.returned_at = e.desk_time
    state.last_seq, state.updated_at = seq, now
    return state


def _units_of(e: WireEvent, desk: DeskIdentity) -> Iterable[str]:
    yield e.unit or desk.home_unit
    if e.kind is EventKind.TRANSFERRED and _transfer_target(e):
        yield _transfer_target(e)


def push(session: Session, desk: DeskIdentity, events: list[WireEvent], now: datetime) -> list[dict]:
    """Store each event once and judge it; one result per event, in the order sent."""
    seq = lock_sequence(session)
    ids = [e.id for e in events]
    known = {r.id: r for r in session.execute(
        select(ServerEvent.id, ServerEvent.server_seq, ServerEvent.accepted, ServerEvent.reason,
               ServerEvent.hash).where(ServerEvent.id.in_(ids)))}
    fresh = [e for e in events if e.id not in known]
    codes = {e.dossier_code for e in fresh}
    states = {s.code: s for s in session.scalars(select(DossierState).where(DossierState.code.in_(codes)))} \
        if codes else {}
    involved = {(r.dossier_code, r.unit) for r in session.execute(
        select(DossierUnit.dossier_code, DossierUnit.unit).where(DossierUnit.dossier_code.in_(codes)))} \
        if codes else set()
    refused = [{"id": e.id, "reason": why} for e in fresh if (why := _forbidden(desk, e))]
    if refused:
        raise ApiError(403, "forbidden", tr("Quầy không có quyền ghi {n} sự kiện trong lần gửi này; "
                                            "không sự kiện nào được nhận.").format(n=len(refused)),
                       events=refused)
    desk_row = session.get(Desk, desk.id)
    last_hash = desk_row.last_hash or GENESIS
    results: list[dict] = []
    rows: list[dict] = []
    new_units: list[dict] = []
    done: dict[str, dict] = {}
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
            continue
        seq += 1
        state = states.get(e.dossier_code)
        reason = check_step(e.kind, Status(state.status) if state is not None else None)
        chain_ok = event_hash(e.prev_hash, e) == e.hash and e.prev_hash == last_hash
        last_hash = e.hash
        if reason is None:
            state = _apply(state, e, desk, seq, now)
            if e.dossier_code not in states:
                states[e.dossier_code] = state
                session.add(state)
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
    if rows:
        session.flush()  # new dossier states first
        session.execute(insert(ServerEvent), rows)
        if new_units:
            session.execute(insert(DossierUnit), new_units)
        session.execute(update(Counter).where(Counter.name == "server_seq").values(value=seq))
        desk_row.last_hash = last_hash
    desk_row.last_seen_at = now
    return results
