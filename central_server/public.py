"""A dossier's status for whoever holds its receipt: by code and key, nothing personal.

A wrong key and an unknown code get the same answer, after the same work: the dossier is
looked up by its code and its key's SHA-256 together, and its steps are read only for the
holder of the right key, so the time of a refusal says nothing about the dossier.
"""

from __future__ import annotations

import functools
import hashlib
from datetime import date, datetime

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection

from desk_app.domain.codes import DOSSIER_CODE, KEY_PATTERN
from desk_app.domain import lifecycle
from desk_app.domain.calendar import WorkCalendar
from desk_app.domain.dossier import Status

from .models import DossierState, ServerEvent

DUMMY = "f" * 64                 # a key hash no key has (sha256 of nothing known)
NO_CODE = "000.00.00.H00-000000-0000"  # a code no dossier has: day 00/00 does not parse


@functools.lru_cache(maxsize=1)
def calendar() -> WorkCalendar:
    """The working calendar the server judges "due soon" by (Vietnam's holidays, standard hours)."""
    today = date.today()  # the years a "due soon" can fall in: fewer years, less memory per worker
    return WorkCalendar.vietnam(years=range(today.year - 1, today.year + 3))


def verdict_of(row, now: datetime) -> lifecycle.Verdict:
    """The dossier's verdict at ``now``, by the server's calendar: what the JSON status and the
    citizen's page (``web.content``) both say."""
    return lifecycle.judge_row(row, now, lifecycle.due_soon_limit(now, calendar()))


_STATE = DossierState.__table__
_EVENTS = ServerEvent.__table__
# First the dossier's row, found by its code AND its key's hash together: an unknown code and
# a wrong key both find nothing, by the same primary-key probe, whatever the dossier's size.
_FIND = select(_STATE).where(_STATE.c.code == bindparam("code"), _STATE.c.key_sha256 == bindparam("key_sha256"))
# Only then, for the holder of the key, the steps.
_STEPS = select(_EVENTS.c.kind, _EVENTS.c.desk_time, _EVENTS.c.unit, _EVENTS.c.payload) \
    .where(_EVENTS.c.dossier_code == bindparam("code"), _EVENTS.c.accepted.is_(True)) \
    .order_by(_EVENTS.c.server_seq)
# (the steps a citizen sees are picked in Python: an IN list of bound kinds would be
# re-rendered at every execution)


def probe(code: str, key: str) -> tuple[dict[str, str], bool]:
    """The parameters of the one probe by code and key's hash (``code``, ``key_sha256``), and
    whether the two can be a dossier's at all: a code or key that cannot be one (bad shape,
    NUL...) still costs the probe, for a code that cannot exist."""
    code = (code or "").strip().upper()[:40]
    key = key or ""
    well_formed = bool(DOSSIER_CODE.match(code)) and bool(KEY_PATTERN.match(key))
    given = hashlib.sha256(key.encode("utf-8", "replace")).hexdigest() if well_formed else DUMMY
    return {"code": code if well_formed else NO_CODE, "key_sha256": given}, well_formed


def find(conn: Connection, code: str, key: str, statement=_FIND, **more):
    """The dossier's row for the holder of its key, else None: an unknown code and a wrong key
    alike, after the same probe. The one door of every public reading (the JSON status and the
    citizen's pages; the dossier page's ``statement`` reads more columns beside the row's, by
    the same ``code`` and ``key_sha256``, and the ``more`` parameters it needs)."""
    params, well_formed = probe(code, key)
    row = conn.execute(statement, {**params, **more}).first()
    return row if row is not None and well_formed else None


async def find_async(read_row, code: str, key: str, **more):
    """``find`` through ``read_row``, an awaitable reading the probe's one row by its parameters
    (the dossier page's probe on the event loop: ``web.probe``)."""
    params, well_formed = probe(code, key)
    row = await read_row({**params, **more})
    return row if row is not None and well_formed else None


def status(conn: Connection, code: str, key: str, now: datetime) -> dict | None:
    """The dossier's public status, or None for an unknown code or a wrong key alike.

    Core queries on a plain connection: this is the hottest route, and an ORM session buys
    nothing for a few read-only rows."""
    state = find(conn, code, key)
    if state is None:
        return None
    rows = conn.execute(_STEPS, {"code": state.code}).all()
    st = Status(state.status)
    v = verdict_of(state, now)
    return {
        "code": state.code, "procedure_code": state.procedure_code, "procedure_name": state.procedure_name,
        "status": st.value, "status_label": st.label, "status_text": lifecycle.citizen_status_text(st),
        "received_at": _iso(state.received_at), "due_at": _iso(state.due_at),
        "appointment_at": _iso(state.appointment_at or state.due_at),
        "first_due_at": _iso(state.first_due_at or state.due_at),
        "apology_reason": state.apology_reason or "",
        "finished_at": _iso(state.finished_at), "returned_at": _iso(state.returned_at),
        "result_ready_at": _iso(state.finished_at) if st in (Status.RESULT_READY, Status.RETURNED) else None,
        "stage": state.stage,
        "verdict": v.value, "verdict_label": v.label, "verdict_text": v.citizen_text, "verdict_tone": v.tone,
        "holder_unit": state.holder_unit,
        "steps": [{"label": text, "at": r.desk_time.isoformat(), "unit": r.unit}
                  for r in rows if (text := lifecycle.timeline_text(r.kind, r.payload, r.unit)) is not None],
        "updated_at": state.updated_at.isoformat(),
    }


def _iso(t: datetime | None) -> str | None:
    return t.isoformat() if t else None
