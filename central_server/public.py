"""A dossier's status for whoever holds its receipt: by code and key, nothing personal.

A wrong key and an unknown code get the same answer, after the same work: the key's
SHA-256 is always compared, against a dummy when there is no dossier.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from sqlalchemy import and_, bindparam, select
from sqlalchemy.engine import Connection

from desk_app.domain.codes import KEY_PATTERN
from desk_app.domain.dossier import EventKind, Status, verdict

from .models import DossierState, ServerEvent

DUMMY = "f" * 64
PUBLIC_STEPS = {k.value for k in (
    EventKind.RECEIVED, EventKind.TRANSFERRED, EventKind.ARRIVED, EventKind.ASSIGNED,
    EventKind.SUPPLEMENT_REQUESTED, EventKind.SUPPLEMENT_RECEIVED, EventKind.PAYMENT_REQUESTED,
    EventKind.RESULT_READY, EventKind.RETURNED, EventKind.REFUSED, EventKind.WITHDRAWN,
    EventKind.STOPPED, EventKind.APPOINTMENT_MOVED)}
FINISHED = {Status.RESULT_READY, Status.RETURNED, Status.REFUSED, Status.WITHDRAWN, Status.STOPPED}


_STATE = DossierState.__table__
_EVENTS = ServerEvent.__table__
# One round trip: the dossier's row, joined with its public steps (none: one row of NULLs).
_QUERY = select(_STATE.c.code, _STATE.c.key_sha256, _STATE.c.procedure_code, _STATE.c.procedure_name,
                _STATE.c.status, _STATE.c.received_at, _STATE.c.due_at, _STATE.c.finished_at,
                _STATE.c.returned_at, _STATE.c.holder_unit, _STATE.c.updated_at,
                _EVENTS.c.kind, _EVENTS.c.desk_time, _EVENTS.c.unit) \
    .select_from(_STATE.outerjoin(_EVENTS, and_(_EVENTS.c.dossier_code == _STATE.c.code,
                                                _EVENTS.c.accepted.is_(True)))) \
    .where(_STATE.c.code == bindparam("code")).order_by(_EVENTS.c.server_seq)
# (the steps a citizen sees are picked in Python: a dossier has a few events, and an IN list
# of bound kinds would be re-rendered at every execution)


def status(conn: Connection, code: str, key: str, now: datetime) -> dict | None:
    """The dossier's public status, or None for an unknown code or a wrong key alike.

    One Core query on a plain connection: this is the hottest route, and an ORM session buys
    nothing for a few read-only rows."""
    code = (code or "").strip().upper()[:40]
    rows = conn.execute(_QUERY, {"code": code}).all()
    state = rows[0] if rows else None
    expected = state.key_sha256 if state is not None and state.key_sha256 else DUMMY
    given = hashlib.sha256((key or "").encode("utf-8")).hexdigest()
    match = hmac.compare_digest(given, expected)
    if not match or state is None or not KEY_PATTERN.match(key or ""):
        return None
    st = Status(state.status)
    finished = state.finished_at if st in FINISHED else None
    v = verdict(state.due_at, finished, now) if state.due_at else None
    return {
        "code": state.code, "procedure_code": state.procedure_code, "procedure_name": state.procedure_name,
        "status": st.value, "status_label": st.label,
        "received_at": _iso(state.received_at), "due_at": _iso(state.due_at),
        "finished_at": _iso(state.finished_at), "returned_at": _iso(state.returned_at),
        "verdict": v.value if v else "", "verdict_label": v.label if v else "",
        "holder_unit": state.holder_unit,
        "steps": [{"label": EventKind(r.kind).label, "at": r.desk_time.isoformat(), "unit": r.unit}
                  for r in rows if r.kind in PUBLIC_STEPS],
        "updated_at": state.updated_at.isoformat(),
    }


def _iso(t: datetime | None) -> str | None:
    return t.isoformat() if t else None
