"""Which dossiers a desk may act on, and read: concern, not only agency.

A desk may write an event on a dossier only if

* it holds it: the dossier's holder unit is one of the desk's units (a dossier on its way
  to one of them counts: a transfer names its target as the holder),
* or its desk received it (the counter desk that took the dossier in),
* or the desk sees its whole agency (``scope == "agency"``: supervisors).

Replacing the citizen's QR key (``key_replaced``, or a ``receipt_printed`` that carries a
new ``key_sha256``) and withdrawing belong to the counter desk that received the dossier.
An online submission not accepted yet was received by no desk (its origin is the web,
``citizen.web_desk``): its withdrawal (asked at the counter or by phone before the check) belongs
to the agency's counter desks, those that hold its counter unit, as its acceptance does.
A ``received`` must carry a number from a block leased to that desk for that day. (A number
nobody was leased yet, as on a dossier taken before the desk was enrolled, is leased to the
desk then, with the numbers before it: within its daily allowance, as if it had asked.)

A desk reads a dossier's history only if one of its units is concerned with it
(``dossier_units``, written when an accepted event involves the unit) or its scope is the
agency: see ``pull.py``, and ``may_read`` for single look-ups (attachments).

The module reads the fields it needs from the dossier's state row (``status``,
``holder_unit``, ``origin_desk``, ``agency_code``) and from the event log; it never writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.domain import lifecycle
from desk_app.domain.codes import parse_dossier_code
from desk_app.domain.dossier import EventKind
from desk_app.domain.i18n import tr

from .citizen import web_desk
from .models import CodeLease, DossierUnit, ServerEvent
from .security import DeskIdentity

# Steps only the counter desk that received the dossier may take (a withdrawal before any desk
# received it: the agency's counter desks, ``awaits_its_counter``).
ORIGIN_ONLY = {EventKind.KEY_REPLACED, EventKind.WITHDRAWN}


def _kind(e: Any) -> EventKind:
    return e.kind if isinstance(e.kind, EventKind) else EventKind(e.kind)


@dataclass
class Batch:
    """What a push knows while judging its events: the states at the start of the batch, and
    the dossiers this desk takes in within the same batch (its ``received`` events that passed)."""

    states: dict[str, Any]
    now: datetime | None = None
    daily_lease_max: int | None = None
    taken_in: set[str] = field(default_factory=set)
    _leases: dict[tuple, list[tuple[int, int]]] = field(default_factory=dict)


def _leased_to(session: Session, batch: Batch, desk: DeskIdentity, agency: str, day) -> list[tuple[int, int]]:
    key = (agency, day)
    if key not in batch._leases:
        batch._leases[key] = [(r.first, r.last) for r in session.execute(
            select(CodeLease.first, CodeLease.last).where(
                CodeLease.desk_id == desk.id, CodeLease.agency_code == agency, CodeLease.day == day))]
    return batch._leases[key]


def _pending_transfer_to(session: Session, code: str) -> str | None:
    """The unit a dossier was last sent to, if it has not arrived anywhere since."""
    last = session.execute(
        select(ServerEvent.kind, ServerEvent.payload).where(
            ServerEvent.dossier_code == code, ServerEvent.accepted.is_(True),
            ServerEvent.kind.in_([EventKind.TRANSFERRED.value, EventKind.ARRIVED.value]))
        .order_by(ServerEvent.server_seq.desc()).limit(1)).first()
    if last is None or last.kind != EventKind.TRANSFERRED.value or not isinstance(last.payload, dict):
        return None
    to = last.payload.get("to_unit")
    return to.strip().upper() if isinstance(to, str) else None


def holds(desk: DeskIdentity, state: Any) -> bool:
    return bool(state.holder_unit) and state.holder_unit in desk.units


def awaits_its_counter(desk: DeskIdentity, state: Any) -> bool:
    """Whether ``state`` is an online submission of ``desk``'s agency that no desk has received
    (submitted on the web, waiting for the counter's check) and ``desk`` is one of that agency's
    counter desks (it holds the submission's counter unit): the desk that will receive it, if
    any does. The state is the batch's start; only an ``accepted_online`` moves it on, and one
    this desk sends in the batch makes the dossier its own (``Batch.taken_in``)."""
    try:
        waiting = lifecycle.Stage(state.stage) in lifecycle.AWAITING_CHECK_STAGES
    except ValueError:
        return False
    return (waiting and state.agency_code == desk.agency_code and state.origin_desk == web_desk(desk.agency_code)
            and bool(state.counter_unit) and state.counter_unit in desk.units)


def refusal(session: Session, desk: DeskIdentity, e: Any, batch: Batch) -> str | None:
    """Why ``desk`` may not write ``e`` on its dossier (None if it may). Agency, desk name and
    unit are checked before (``push._forbidden``)."""
    why = _refusal(session, desk, e, batch)
    if why is None and _kind(e) is EventKind.ACCEPTED_ONLINE:
        batch.taken_in.add(e.dossier_code)  # this desk received it: the origin's steps that follow are its own
    return why


def _refusal(session: Session, desk: DeskIdentity, e: Any, batch: Batch) -> str | None:
    kind = _kind(e)
    code = e.dossier_code
    state = batch.states.get(code)
    if kind is EventKind.RECEIVED:
        if state is not None:
            return None  # a second intake of a known dossier: a conflict, judged by the workflow
        parsed = parse_dossier_code(code)
        if parsed is None:
            return tr("Mã hồ sơ {code} không hợp lệ.").format(code=code)
        blocks = _leased_to(session, batch, desk, parsed.agency, parsed.day)
        if not any(first <= parsed.number <= last for first, last in blocks):
            from .leases import claim  # a dossier taken before the desk was enrolled, on a number nobody has
            block = claim(session, desk, parsed.day, parsed.number, batch.now, batch.daily_lease_max)
            if block is None:
                return tr("Số hồ sơ {code} không thuộc dãy số máy chủ đã cấp cho quầy này.").format(code=code)
            blocks.append(block)
        batch.taken_in.add(code)
        return None
    if state is None:
        if code in batch.taken_in:  # received by this desk earlier in the same batch
            return None
        return tr("Hồ sơ {code} chưa có trên máy chủ; quầy không được ghi hồ sơ này.").format(code=code)
    origin = state.origin_desk == desk.id or code in batch.taken_in
    new_key = kind is EventKind.RECEIPT_PRINTED and isinstance(e.payload, dict) and e.payload.get("key_sha256")
    if kind in ORIGIN_ONLY or new_key:
        if origin or (kind is EventKind.WITHDRAWN and awaits_its_counter(desk, state)):
            return None
        if kind is EventKind.WITHDRAWN:
            return tr("Chỉ quầy đã tiếp nhận hồ sơ {code} mới được ghi việc công dân rút hồ sơ.").format(code=code)
        return tr("Chỉ quầy đã tiếp nhận hồ sơ {code} mới được thay mã tra cứu (mã QR).").format(code=code)
    if origin or holds(desk, state):
        return None
    if desk.scope == "agency" and state.agency_code == desk.agency_code:
        return None
    target = _pending_transfer_to(session, code)  # on its way to one of the desk's units
    if target is not None and target in desk.units:
        return None
    return tr("Hồ sơ {code} không do đơn vị của quầy này giữ, cũng không do quầy này tiếp nhận; "
              "quầy không được ghi hồ sơ này.").format(code=code)


def readable(desk: DeskIdentity, code_column):
    """``may_read`` as a condition on a column of dossier codes, for lists: of the desk's agency,
    and (unless it sees the whole agency) one of its units concerned."""
    cond = code_column.startswith(desk.agency_code + "-", autoescape=True)
    if desk.scope == "agency":
        return cond
    return cond & code_column.in_(select(DossierUnit.dossier_code).where(DossierUnit.unit.in_(desk.units)))


def may_read(session: Session, desk: DeskIdentity, code: str) -> bool:
    """Whether ``desk`` may see what the dossier ``code`` holds (its history, its attachments)."""
    parsed = parse_dossier_code(code)
    if parsed is None or parsed.agency != desk.agency_code:
        return False
    if desk.scope == "agency":
        return True
    return session.execute(select(DossierUnit.unit).where(
        DossierUnit.dossier_code == code, DossierUnit.unit.in_(desk.units)).limit(1)).first() is not None
