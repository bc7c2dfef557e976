"""The dossier row as a view of its events: ``domain.lifecycle``'s state, stored.

Every event a desk appends or pulls reaches the row through here: the row is read into a
``DossierState``, the event is applied by the domain's reducer, and the new state is written
back. The desk names units by id, the reducer by code, and people by account where the
reducer has an actor of a desk; this module translates.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from ..domain import lifecycle
from ..domain.lifecycle import DossierState
from .models import Dossier, EventRow, OutboxRow, Unit, User

UNIT_FIELDS = {"holder_unit": "holder_unit_id", "handling_unit": "handling_unit_id",
               "counter_unit": "counter_unit_id"}
# state fields the desk row keeps elsewhere (the procedure's row, the key itself, its desk id,
# the receiving clerk's account)
NOT_STORED = {"procedure_code", "procedure_name", "key_sha256", "origin_desk", "receiver"}


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=None)
    except ValueError:
        return None


class Units:
    """Unit codes and ids, read once per transaction; a unit this desk was not told about is
    known by its code until named. Also the accounts of the actors of desks (``account``).
    ``own_desk``: this desk's id, when the caller knows it (an event being appended here)."""

    def __init__(self, session: Session, own_desk: str | None = None):
        self.session = session
        self.by_code = {u.code: u for u in session.scalars(select(Unit))}
        self.by_id = {u.id: u for u in self.by_code.values()}
        self.own: dict[str, bool] = {own_desk: True} if own_desk else {}
        self.accounts: dict[tuple[str, str], User] = {}

    def code(self, unit_id: int | None) -> str | None:
        u = self.by_id.get(unit_id) if unit_id is not None else None
        return u.code if u is not None else None

    def id(self, code: str | None) -> int | None:
        if not code:
            return None
        u = self.by_code.get(code)
        if u is None:
            u = Unit(code=code, name=code, kind="department")
            self.session.add(u)
            self.session.flush()
            self.by_code[code], self.by_id[u.id] = u, u
        return u.id

    def counter_code(self) -> str | None:
        return next((u.code for u in self.by_code.values() if u.kind == "counter"), None)

    def is_own(self, desk: str) -> bool:
        """Whether ``desk`` is this desk: one it wrote events of (they have an outbox row)."""
        if desk not in self.own:
            self.own[desk] = self.session.scalar(
                select(EventRow.id).join(OutboxRow, OutboxRow.event_id == EventRow.id)
                .where(EventRow.desk == desk).limit(1)) is not None
        return self.own[desk]

    def account(self, actor: str, desk: str, now: datetime | None = None) -> User:
        """The account of ``actor`` at ``desk``: this desk's own user of that name, or for another
        desk's person (or the server's) a disabled account named ``actor@desk``, made at first sight."""
        key = (actor, desk)
        if key not in self.accounts:
            user = None
            if self.is_own(desk):
                user = self._user(actor)
            if user is None:
                username = ("%s@%s" % (actor, desk))[:100].lower()
                user = self._user(username)
                if user is None:
                    user = User(username=username, full_name=actor, role="clerk", password_hash="!", active=False,
                                created_at=now or datetime.now())
                    self.session.add(user)
                    self.session.flush()
            self.accounts[key] = user
        return self.accounts[key]

    def _user(self, username: str) -> User | None:
        return user_by_username(self.session, username)


def user_by_username(session: Session, username: str) -> User | None:
    """The account of that name, whatever its case (``repositories`` answers with this too)."""
    return session.scalars(select(User).where(func.lower(User.username) == username.strip().lower())).first()


def state_of(d: Dossier, units: Units) -> DossierState:
    """The row as the reducer's state."""
    values = {name: getattr(d, name, None) for name in lifecycle.STATE_FIELDS
              if name not in NOT_STORED and name not in UNIT_FIELDS}
    for name, column in UNIT_FIELDS.items():
        values[name] = units.code(getattr(d, column))
    values["origin_desk"] = d.desk_id
    return lifecycle.from_columns(values)


def stored_values(state: DossierState, units: Units) -> dict[str, Any]:
    """The reducer's state as the row's column values (by attribute name), in the order
    ``write`` sets them: what a row built in bulk gets, and what ``write`` stores."""
    out: dict[str, Any] = {}
    for name, value in lifecycle.columns(state).items():
        if name in NOT_STORED:
            continue
        if name in UNIT_FIELDS:
            out[UNIT_FIELDS[name]] = units.id(value)
        else:
            out[name] = value
    if state.origin_desk:  # the desk that received it (online: the counter desk that accepted it)
        out["desk_id"] = state.origin_desk
    if state.receiver:     # its receiving clerk (online: who accepted it; until then the opening's actor stays)
        out["clerk_id"] = units.account(state.receiver, state.origin_desk).id
    return out


def write(d: Dossier, state: DossierState, units: Units) -> None:
    """Store the reducer's state in the row."""
    for name, value in stored_values(state, units).items():
        setattr(d, name, value)


def apply(d: Dossier, event, units: Units) -> DossierState:
    """Apply one event to the row (StepRefusal / PayloadError if the reducer refuses it)."""
    state = lifecycle.apply(state_of(d, units), event)
    write(d, state, units)
    return state


def replay(d: Dossier, events: Iterable, units: Units) -> DossierState | None:
    """The row rebuilt from its whole history (server order); refused events are skipped."""
    state = lifecycle.fold(events, default_unit=units.counter_code())
    if state is not None:
        write(d, state, units)
    return state


# -- the verdict in SQL: the same rule as ``lifecycle.judge``, over the stored columns --------
# (a test holds the two in step over a population of dossiers)

def open_at(t: datetime):
    """Received before ``t`` and not finished by then."""
    return and_(Dossier.received_at < t, accepted(),
                or_(Dossier.finished_at.is_(None), Dossier.finished_at >= t))


def accepted():
    """Received as a dossier (not an online submission still waiting for the counter's check)."""
    return Dossier.stage.not_in([st.value for st in lifecycle.NOT_ACCEPTED_STAGES])


def running_at(t: datetime):
    """Open at ``t`` with the clock running (not waiting for the citizen)."""
    return and_(open_at(t), or_(Dossier.paused_since.is_(None), Dossier.paused_since >= t))


def overdue_at(t: datetime):
    """``Verdict.OVERDUE`` at ``t``: open, clock running, past the legal appointment."""
    return and_(running_at(t), Dossier.due_at < t)


def due_soon_at(t: datetime, soon_limit: datetime):
    """``Verdict.DUE_SOON`` at ``t`` (``soon_limit``: ``lifecycle.due_soon_limit(t, calendar)``)."""
    return and_(running_at(t), Dossier.due_at >= t, Dossier.due_at <= soon_limit)


def outcome_is(*verdicts: lifecycle.Verdict):
    return Dossier.outcome.in_([v.value for v in verdicts])
