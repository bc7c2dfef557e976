"""Events the server itself originates on a dossier: the citizen's rating and messages, sent
from the dossier's page.

They are stored exactly as a desk's pushed events are: under the push lock, with the next
``server_seq``, judged and applied by the desks' reducer (``lifecycle.apply``), the dossier's
row rewritten, and a hash chain of their own (desk ``web:<agency>``), so every desk that pulls
the dossier folds them like any other event. No unit becomes concerned by them: the units
already concerned with the dossier pull them (``pull.py``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from desk_app.domain import lifecycle
from desk_app.domain.chain import GENESIS, hash_of
from desk_app.domain.dossier import EventKind

from . import notify
from .db import insert_ignore
from .models import Counter, DossierState, DossierUnit, ServerEvent
from .push import agency_of, lock_agency, lock_sequence, read_state, write_state

ACTOR = "citizen"


class CitizenRefusal(Exception):
    """The reducer (or a limit) refuses the citizen's step; nothing was stored. ``message`` is
    for the citizen, in the current language."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class _Event:
    """The fields ``lifecycle.apply`` and ``chain.hash_of`` read."""
    id: str
    dossier_code: str
    kind: str
    payload: dict[str, Any]
    actor: str
    desk: str
    desk_time: datetime
    unit: str | None = None


def web_desk(agency_code: str) -> str:
    """The name the server's own events of an agency's dossiers carry as their desk."""
    return "web:" + agency_code


def append(session: Session, code: str, kind: EventKind, payload: dict[str, Any], now: datetime,
           check=None, concerned_unit: str | None = None) -> dict[str, Any]:
    """Append one event of ``kind`` the server originates to dossier ``code``, as a push would.

    ``check(state)``, if given, runs under the push lock on the dossier's current state and may
    raise ``CitizenRefusal`` (a limit that must not race, such as unanswered messages). The
    reducer's refusal becomes ``CitizenRefusal("refused", its message)``. Returns the stored
    event's fields (``server_seq``, ``id``, ``hash``...)."""
    # the dossier's agency's lock, then the counter: the order a push takes them in (push.py), so
    # neither waits for the other in a circle; the counter held to the commit numbers in order
    lock_agency(session, agency_of(code))
    seq = lock_sequence(session)
    row = session.get(DossierState, code, populate_existing=True)
    opening = EventKind(kind) in lifecycle.OPENING_KINDS   # an online submission opens its dossier here
    if row is None and not opening:
        raise CitizenRefusal("unknown", lifecycle.check(None, kind) or "")
    state = read_state(row) if row is not None else None
    if check is not None:
        check(state)
    agency = row.agency_code if row is not None else agency_of(code)
    desk = web_desk(agency or agency_of(code))
    event = _Event(id=str(uuid.uuid4()), dossier_code=code, kind=EventKind(kind).value, payload=payload,
                   actor=ACTOR, desk=desk, desk_time=now.replace(microsecond=0, tzinfo=None))
    try:
        new_state = lifecycle.apply(state, event)
    except (lifecycle.StepRefusal, lifecycle.PayloadError) as refusal:
        raise CitizenRefusal("refused", str(refusal)) from None
    prev_hash = session.execute(select(ServerEvent.hash).where(ServerEvent.desk == desk)
                                .order_by(ServerEvent.server_seq.desc()).limit(1)).scalar() or GENESIS
    seq += 1
    values = {"server_seq": seq, "id": event.id, "dossier_code": code, "agency_code": agency,
              "kind": event.kind, "payload": payload, "actor": ACTOR, "desk": desk,
              "desk_time": event.desk_time, "unit": None, "prev_hash": prev_hash,
              "hash": hash_of(prev_hash, event), "received_at": now, "accepted": True, "reason": None,
              "chain_ok": True}
    row = write_state(row, new_state, seq, now)
    if state is None:
        session.add(row)
    session.flush()
    if concerned_unit:  # the unit that must pull the new dossier (the counter that checks it)
        insert_ignore(session, DossierUnit.__table__, {"dossier_code": code, "unit": concerned_unit,
                                                       "since_seq": seq})
    session.execute(insert(ServerEvent), [values])
    session.execute(update(Counter).where(Counter.name == "server_seq").values(value=seq))
    notify.enqueue(session, [values], now)  # the notices it causes (a reply to Zalo), in this transaction
    return values
