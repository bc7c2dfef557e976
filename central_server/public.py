"""A dossier's status for whoever holds its receipt: by code and key, nothing personal.

A wrong key and an unknown code get the same answer, after the same work: the key's
SHA-256 is always compared, against a dummy when there is no dossier.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.domain.codes import KEY_PATTERN
from desk_app.domain.dossier import EventKind, Status, verdict

from .models import DossierState, ServerEvent

DUMMY = "f" * 64
PUBLIC_STEPS = [k.value for k in (
    EventKind.RECEIVED, EventKind.TRANSFERRED, EventKind.ARRIVED, EventKind.ASSIGNED,
    EventKind.SUPPLEMENT_REQUESTED, EventKind.SUPPLEMENT_RECEIVED, EventKind.PAYMENT_REQUESTED,
    EventKind.RESULT_READY, EventKind.RETURNED, EventKind.REFUSED, EventKind.WITHDRAWN,
    EventKind.STOPPED, EventKind.APPOINTMENT_MOVED)]
FINISHED = {Status.RESULT_READY, Status.RETURNED, Status.REFUSED, Status.WITHDRAWN, Status.STOPPED}


def status(session: Session, code: str, key: str, now: datetime) -> dict | None:
    code = (code or "").strip().upper()[:40]
    state = session.get(DossierState, code)
    expected = state.key_sha256 if state is not None and state.key_sha256 else DUMMY
    given = hashlib.sha256((key or "").encode("utf-8")).hexdigest()
    match = hmac.compare_digest(given, expected)
    if not match or state is None or not KEY_PATTERN.match(key or ""):
        return None
    steps = session.execute(select(ServerEvent.kind, ServerEvent.desk_time, ServerEvent.unit).where(
        ServerEvent.dossier_code == code, ServerEvent.accepted.is_(True), ServerEvent.kind.in_(PUBLIC_STEPS))
        .order_by(ServerEvent.server_seq)).all()
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
        "steps": [{"label": EventKind(k).label, "at": t.isoformat(), "unit": u} for k, t, u in steps],
        "updated_at": state.updated_at.isoformat(),
    }


def _iso(t: datetime | None) -> str | None:
    return t.isoformat() if t else None
