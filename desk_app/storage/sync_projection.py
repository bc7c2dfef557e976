"""A dossier's row rebuilt from its events, for dossiers that other desks moved.

The services (``services/workflow.py``) update the row as they append each event; a desk
that receives those events from the server must reach the same row from the events alone.
This module replays each kind's effect from its payload, in the server's order. When a
calendar is given, the working-time figures (processing time, shifted appointments) are
computed as the services compute them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.dossier import EventKind, Status
from ..domain.workflow import next_status
from .models import Dossier, EventRow, Unit

FINISHING = {EventKind.RESULT_READY, EventKind.REFUSED, EventKind.WITHDRAWN, EventKind.STOPPED}


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=None)
    except ValueError:
        return None


def _set(d: Dossier, name: str, value: Any) -> None:
    if hasattr(type(d), name):  # the projection grows column by column
        setattr(d, name, value)


def _get(d: Dossier, name: str, default: Any = None) -> Any:
    return getattr(d, name, default) if hasattr(type(d), name) else default


def reset(session: Session, d: Dossier, received: EventRow, counter_unit_id: int | None = None) -> None:
    """The row as intake leaves it."""
    p = received.payload
    due = parse_time(p.get("due_at")) or d.received_at
    d.due_at = due
    d.status = Status.RECEIVED.value
    d.finished_at = None
    d.returned_at = None
    d.holder_unit_id = counter_unit_id
    for name, value in (("appointment_at", due), ("stage", "received"), ("holder_user", received.actor),
                        ("holder_since", received.desk_time), ("handling_unit_id", None), ("hop_due_at", None),
                        ("paused_since", None), ("supplement_count", 0), ("paused_seconds", 0),
                        ("processing_seconds", None)):
        _set(d, name, value)


class Replayer:
    """Applies events to a dossier's row, one at a time, as the services would have."""

    def __init__(self, session: Session, calendar=None):
        self.session = session
        self.calendar = calendar
        self._units = {u.code: u for u in session.scalars(select(Unit))}

    def unit(self, code: Any) -> Unit | None:
        if not isinstance(code, str) or not code:
            return None
        u = self._units.get(code)
        if u is None:  # a unit this desk was not told about: known by its code until named
            u = Unit(code=code, name=code, kind="department")
            self.session.add(u)
            self.session.flush()
            self._units[code] = u
        return u

    def _finish(self, d: Dossier, t: datetime) -> None:
        d.finished_at = t
        if self.calendar is not None and d.received_at is not None:
            worked = self.calendar.working_time_between(d.received_at, t).total_seconds()
            _set(d, "processing_seconds", max(0, int(worked) - (_get(d, "paused_seconds", 0) or 0)))

    def _shift(self, t: datetime | None, seconds: int) -> datetime | None:
        if t is None or self.calendar is None:
            return t
        return self.calendar.shift(t, timedelta(seconds=seconds))

    def apply(self, d: Dossier, e: EventRow, earlier: Sequence[EventRow]) -> None:
        kind = EventKind(e.kind)
        p, t = e.payload or {}, e.desk_time
        status = Status(d.status) if d.status else None
        if kind is EventKind.RECEIVED:
            return  # the base the row was reset to
        if kind is EventKind.TRANSFERRED:
            target = self.unit(p.get("to_unit"))
            d.holder_unit_id = target.id if target else d.holder_unit_id
            _set(d, "holder_user", None)
            _set(d, "holder_since", t)
            if target is not None and target.kind != "counter":
                _set(d, "handling_unit_id", target.id)
            _set(d, "stage", "result_transit" if status is Status.RESULT_READY else "transferring")
            _set(d, "hop_due_at", parse_time(p.get("hop_due_at")))
        elif kind is EventKind.ARRIVED:
            _set(d, "stage", "result" if _get(d, "stage") == "result_transit" else "in_unit")
            _set(d, "holder_user", e.actor)
            _set(d, "holder_since", t)
        elif kind in (EventKind.ASSIGNED, EventKind.FORWARDED):
            _set(d, "stage", "assigned" if kind is EventKind.ASSIGNED else "review")
            _set(d, "holder_user", p.get("to") or e.actor)
            _set(d, "holder_since", t)
        elif kind is EventKind.APPROVED:
            _set(d, "stage", "approved")
            _set(d, "holder_user", e.actor)
            _set(d, "holder_since", t)
        elif kind is EventKind.SUPPLEMENT_REQUESTED:
            count = p.get("number")
            _set(d, "supplement_count", count if isinstance(count, int) else (_get(d, "supplement_count", 0) or 0) + 1)
            _set(d, "paused_since", t)
            _set(d, "stage", "supplement")
        elif kind is EventKind.SUPPLEMENT_RECEIVED:
            paused = int(p.get("paused_seconds") or 0)
            old_due = d.due_at
            d.due_at = parse_time(p.get("new_due")) or self._shift(d.due_at, paused)
            appointment = _get(d, "appointment_at") or old_due
            _set(d, "appointment_at", self._shift(appointment, paused) if self.calendar else
                 (d.due_at if appointment == old_due else appointment))
            _set(d, "hop_due_at", self._shift(_get(d, "hop_due_at"), paused))
            last = [x for x in earlier if x.kind == EventKind.SUPPLEMENT_REQUESTED.value]
            _set(d, "stage", (last[-1].payload.get("resume_stage") if last else None) or "in_unit")
            _set(d, "paused_since", None)
            _set(d, "paused_seconds", (_get(d, "paused_seconds", 0) or 0) + paused)
        elif kind is EventKind.PAYMENT_REQUESTED:
            _set(d, "stage", "payment")
        elif kind is EventKind.RESULT_READY:
            self._finish(d, t)
            _set(d, "stage", "result_unit")
            if p.get("early"):
                _set(d, "appointment_at", t)
        elif kind is EventKind.APPOINTMENT_MOVED:
            moved = parse_time(p.get("new_appointment"))
            if moved is not None:
                _set(d, "appointment_at", moved)
        elif kind in (EventKind.REFUSED, EventKind.WITHDRAWN, EventKind.STOPPED):
            self._finish(d, t)
            _set(d, "stage", "closed")
            if kind is EventKind.REFUSED:
                _set(d, "holder_user", None)
        elif kind is EventKind.RETURNED:
            d.returned_at = t
            _set(d, "stage", "returned")
            _set(d, "holder_user", None)
            _set(d, "holder_since", t)
        new = next_status(kind, status)
        if new is not None:
            d.status = new.value
