"""What the pages show, read from the server's tables: a dossier for the holder of its key,
the centres, their current announcements and their catalogue.

The dossier is found as the JSON lookup finds it (``central_server.public``): by its code and
its key's SHA-256 together, so an unknown code and a wrong key cost the same probe and find
nothing alike; its events are read only after that match.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import Session

from desk_app.domain import lifecycle
from desk_app.domain.dossier import EventKind, Rating, Status
from desk_app.domain.i18n import tr
from desk_app.domain.lifecycle import Stage, Verdict
from desk_app.domain.procedures import (Channel, CatalogueError, Procedure, describe_deadline, describe_fees,
                                        procedure_from_dict)
from desk_app.domain.scan_payloads import mask_name
from desk_app.domain.text import fold, search_tokens

from ..models import Announcement, CentreProfile, PublicProcedure, ServerEvent
from ..public import verdict_of

_EVENTS = ServerEvent.__table__
_HISTORY = select(_EVENTS.c.id, _EVENTS.c.kind, _EVENTS.c.desk_time, _EVENTS.c.unit, _EVENTS.c.payload,
                  _EVENTS.c.actor) \
    .where(_EVENTS.c.dossier_code == bindparam("code"), _EVENTS.c.accepted.is_(True)) \
    .order_by(_EVENTS.c.server_seq)


def when(t: datetime | None) -> str:
    """A time as the kiosk and the timeline write it."""
    return t.strftime("%H:%M %d/%m/%Y") if t else ""


# -- the dossier ---------------------------------------------------------------------------

@dataclass
class Step:
    at: str
    text: str


@dataclass
class Message:
    mine: bool            # the citizen's (else the counter's)
    at: str
    text: str


@dataclass(frozen=True)
class Place:
    """Where to go: the centre's counter, address, hours and phone (empty when unknown)."""
    name: str = ""
    counter: str = ""
    address: str = ""
    hours: str = ""
    phone: str = ""
    email: str = ""


@dataclass
class DossierPage:
    code: str
    procedure_name: str
    owner_masked: str
    received_at: str
    appointment_at: str
    first_due_at: str
    appointment_moved: bool
    apology_reason: str
    result_ready_at: str
    returned_at: str
    status_text: str
    holder_name: str
    verdict: Verdict
    steps: list[Step]
    messages: list[Message]
    unanswered: int
    rating: str | None
    supplement_missing: list[str] = field(default_factory=list)
    supplement_reason: str = ""
    payment_amount: int = 0
    result_here: bool = False         # the result waits (or soon will) at the counter
    by_post: bool = False
    fee: str = ""
    place: Place = field(default_factory=Place)
    announcements: list[Any] = field(default_factory=list)
    procedure_link: tuple[str, str] | None = None   # (agency, code) of its catalogue page
    online: bool = False              # submitted online
    waiting: bool = False             # submitted online, waiting for the counter's check (no appointment yet)
    never_received: bool = False      # submitted online and not accepted: waiting, or refused or withdrawn before it
    supplement_online: bool = False   # papers can be added on this page
    receipt: list[str] = field(default_factory=list)   # an accepted online dossier: the papers received

    @property
    def rating_label(self) -> str:
        try:
            return Rating(self.rating).label
        except ValueError:
            return self.rating or ""


# The dossier page's other reads, built once (a statement built per request costs more than
# the query itself on SQLite).
_PROFILE = select(*CentreProfile.__table__.c).where(CentreProfile.__table__.c.agency_code == bindparam("agency"))
_AN = Announcement.__table__.c
_AGENCY_NOTICES = select(*Announcement.__table__.c).where(
    _AN.deleted.is_(False), _AN.valid_from <= bindparam("now"),
    or_(_AN.valid_until.is_(None), _AN.valid_until > bindparam("now")),
    _AN.agency_code == bindparam("agency")).order_by(_AN.valid_from.desc(), _AN.id)
_PROCEDURE_DATA = select(PublicProcedure.__table__.c.data).where(
    PublicProcedure.__table__.c.agency_code == bindparam("agency"), PublicProcedure.__table__.c.code == bindparam("code"))


_OPENING = frozenset(k.value for k in lifecycle.OPENING_KINDS)


# (``verdict_of``, the dossier's verdict at ``now``, is ``public``'s: the JSON status and the
# page say the same; imported here, for the routes)


def dossier_page(conn: Session, row, now: datetime, parts=None, verdict: Verdict | None = None) -> DossierPage:
    """Everything the page shows of a dossier whose key matched.

    With ``parts`` (``pagecache.Parts``) and a ``row`` read by ``pagecache.statement``, the
    centre's profile, the dossier's catalogue entry and the agency's announcements in force are
    taken from those kept by this process under the versions the row carries, read only when
    a version is new."""
    def kept(key, build):
        return build() if parts is None or key is None else parts.get(key, build)
    agency = row.agency_code
    events = conn.execute(_HISTORY, {"code": row.code}).all()
    status = Status(row.status)
    stage = Stage(row.stage or Stage.RECEIVED.value)
    verdict = verdict_of(row, now) if verdict is None else verdict   # (the caller's, at the same ``now``)
    received = next((e for e in events if e.kind in _OPENING), None)
    rp = received.payload if received is not None and isinstance(received.payload, dict) else {}
    owner = rp.get("owner") if isinstance(rp.get("owner"), dict) else {}
    names: dict[str, str] = {}
    steps, messages = [], []
    supplement: dict = {}
    for e in events:
        p = e.payload if isinstance(e.payload, dict) else {}
        if e.kind == EventKind.TRANSFERRED.value and isinstance(p.get("to_unit"), str) \
                and isinstance(p.get("to_unit_name"), str) and p["to_unit_name"].strip():
            names[p["to_unit"].strip().upper()] = p["to_unit_name"].strip()
        elif e.kind == EventKind.ARRIVED.value and e.unit and isinstance(p.get("unit_name"), str) \
                and p["unit_name"].strip():
            names[e.unit] = p["unit_name"].strip()
        elif e.kind == EventKind.SUPPLEMENT_REQUESTED.value:
            supplement = p
        elif e.kind in (EventKind.CITIZEN_MESSAGE.value, EventKind.COUNTER_REPLY.value) \
                and isinstance(p.get("text"), str):
            messages.append(Message(e.kind == EventKind.CITIZEN_MESSAGE.value, when(e.desk_time), p["text"]))
        text = lifecycle.timeline_text(e.kind, p, e.unit)  # None for what the public need not see
        if text is not None:
            steps.append(Step(when(e.desk_time), text))
    place = kept(("profile", agency, row.v_profile) if parts else None,
                 lambda: _place(conn.execute(_PROFILE, {"agency": agency}).first()))
    holder = ""
    if stage is not Stage.RETURNED and stage not in lifecycle.ENDED_STAGES and row.holder_unit:
        if row.holder_unit == row.counter_unit:
            holder = place.name or tr("Bộ phận Một cửa")
        else:
            holder = names.get(row.holder_unit, "")
    procedure = kept(("procedure", agency, row.procedure_code, row.v_entry, row.v_base)
                     if parts and stamped_procedure(row.procedure_code) else None,
                     lambda: _procedure(conn, agency, row.procedure_code))
    channel = rp.get("channel") if rp.get("channel") in {c.value for c in Channel} else Channel.DIRECT.value
    page = DossierPage(
        code=row.code, procedure_name=row.procedure_name, owner_masked=_masked(owner.get("name")),
        received_at=when(row.received_at), appointment_at=when(row.appointment_at or row.due_at),
        first_due_at=when(row.first_due_at or row.due_at),
        appointment_moved=(row.appointment_at or row.due_at) != (row.first_due_at or row.due_at),
        apology_reason=row.apology_reason or "",
        result_ready_at=when(row.finished_at) if status in (Status.RESULT_READY, Status.RETURNED) else "",
        returned_at=when(row.returned_at), status_text=lifecycle.citizen_status_text(status),
        holder_name=holder, verdict=verdict, steps=steps, messages=messages,
        unanswered=row.unanswered_messages or 0, rating=row.rating, place=place,
        by_post=rp.get("collect_by_post") is True)
    page.online = channel == Channel.ONLINE.value
    page.waiting = stage in lifecycle.AWAITING_CHECK_STAGES
    page.never_received = lifecycle.never_received(stage)   # its time is the submission's, no appointment
    if page.online and not page.never_received and status not in (Status.REFUSED, Status.WITHDRAWN):
        page.receipt = [c["name"] for c in rp.get("components") or []
                        if isinstance(c, dict) and isinstance(c.get("name"), str)]
    if stage in (Stage.SUPPLEMENT, Stage.ONLINE_SUPPLEMENT):
        page.supplement_online = page.online
        page.supplement_missing = [m for m in supplement.get("missing") or [] if isinstance(m, str)]
        page.supplement_reason = supplement.get("reason") if isinstance(supplement.get("reason"), str) else ""
    if stage is Stage.PAYMENT:
        page.payment_amount = row.payment_amount or 0
    page.result_here = status is Status.RESULT_READY
    if procedure is not None:
        terms = procedure.terms(Channel(channel)) or procedure.terms(Channel.DIRECT)
        if terms is not None:
            page.fee = describe_fees(terms)  # an amount to be confirmed never reads as certain
        page.procedure_link = (row.agency_code, procedure.code)
    in_force = kept(("notices", agency, row.v_notices, row.v_next_notice) if parts else None,
                    lambda: current_announcements(conn, now, agency))
    page.announcements = [a for a in in_force
                          if _concerns(a, row.procedure_code, procedure.field if procedure else "")]
    return page




def _masked(name: Any) -> str:
    return mask_name(name) if isinstance(name, str) else ""


def _place(profile: CentreProfile | None) -> Place:
    if profile is None:
        return Place()
    return Place(profile.name or "", profile.counter_location or "", profile.address or "", profile.hours or "",
                 profile.phone or "", profile.email or "")


# -- the centres and their announcements ---------------------------------------------------

def centres(conn: Session) -> list[tuple[str, Place]]:
    return [(p.agency_code, _place(p)) for p in conn.scalars(
        select(CentreProfile).order_by(CentreProfile.name, CentreProfile.agency_code))]


def current_announcements(conn: Session, now: datetime, agency: str | None = None,
                          procedure_code: str | None = None, field_name: str = "") -> list[Announcement]:
    """The announcements in force at ``now`` (valid_from ≤ now < valid_until, or no end), not
    deleted; of one agency if given; those that concern a procedure (by its code or its field;
    an announcement naming neither concerns every one) if one is given. Newest first."""
    if agency is not None:  # the dossier page's case: one prepared statement, no ORM objects
        found = list(conn.execute(_AGENCY_NOTICES, {"agency": agency, "now": now}))
    else:
        a = Announcement
        found = list(conn.scalars(select(a).where(a.deleted.is_(False), a.valid_from <= now,
                                                  or_(a.valid_until.is_(None), a.valid_until > now))
                                  .order_by(a.valid_from.desc(), a.id)))
    if procedure_code is None:
        return found
    return [r for r in found if _concerns(r, procedure_code, field_name)]


def _concerns(a: Announcement, procedure_code: str, field_name: str) -> bool:
    procedures = [p for p in (a.procedures or []) if isinstance(p, str)]
    fields = [f for f in (a.fields or []) if isinstance(f, str)]
    if not procedures and not fields:
        return True
    base = procedure_code.split(".")
    base = ".".join(base[:2]) if len(base) >= 2 else procedure_code
    if any(p.strip().upper() in (procedure_code.upper(), base.upper()) for p in procedures):
        return True
    return bool(field_name) and fold(field_name) in {fold(f) for f in fields}


# -- the catalogue -------------------------------------------------------------------------

def _procedure(conn: Session, agency: str, code: str) -> Procedure | None:
    """A dossier's procedure in its centre's public catalogue (its local code, else the national one)."""
    for candidate in procedure_candidates(code):
        r = conn.execute(_PROCEDURE_DATA, {"agency": agency, "code": candidate}).first()
        if r is not None:
            return parse_procedure(r.data)
    return None


# A national procedure code is ``d.dddddd`` (the catalogue takes no other: ``procedures.PROCEDURE_CODE``),
# so the national code a local one extends (``1.001193`` of ``1.001193.H12``) is its first this
# many characters, followed by a dot. ``pagecache.statement`` reads the same prefix in SQL.
NATIONAL_CODE_LENGTH = len("1.001193")


def national_code(code: str) -> str | None:
    """The national code a local procedure code extends, or None (a national code, or a code of
    no catalogue's shape: the catalogue cannot hold the entry it would name)."""
    n = NATIONAL_CODE_LENGTH
    return code[:n] if code and len(code) > n and code[n] == "." else None


def stamped_procedure(code: str) -> bool:
    """Whether ``pagecache.statement``'s versions of the catalogue cover every entry
    ``procedure_candidates`` may read for ``code`` (its own, and its first NATIONAL_CODE_LENGTH
    characters)."""
    code = code or ""
    return set(procedure_candidates(code)) <= {code, code[:NATIONAL_CODE_LENGTH]}


def procedure_candidates(code: str) -> list[str]:
    """The catalogue codes a dossier's procedure is looked up by, in order: its own, then the
    national code a local one extends (``national_code``)."""
    if not code:
        return []
    base = national_code(code)
    return [code] + ([base] if base else [])


def parse_procedure(data: Any) -> Procedure | None:
    """The catalogue's JSON as a procedure, or None if it does not read as one."""
    if not isinstance(data, dict):
        return None
    try:
        return procedure_from_dict(data)
    except (CatalogueError, TypeError, ValueError, AttributeError):
        return None


def shown_only(component: Any, raw: dict | None = None) -> bool:
    """A paper the citizen only shows for checking and takes back (an ID card), not one handed
    in: the catalogue says so (``Component.use``; a format-1 entry naming it "xuất trình để đối
    chiếu" is read as such by ``procedure_from_dict``)."""
    return bool(getattr(component, "shown", False))


@dataclass
class ChannelView:
    label: str
    time: str
    fee: str


@dataclass
class ComponentView:
    name: str
    form: str
    count: int
    required: bool


@dataclass
class ProcedureView:
    agency: str
    code: str
    name: str
    field: str
    level: str
    handled_by: str
    result: str
    legal_basis: str
    channels: list[ChannelView]
    hand_in: list[ComponentView]
    shown: list[ComponentView]
    centre: str = ""
    online: bool = False              # takes online submissions: the page offers "Nộp hồ sơ trực tuyến"


def procedure_view(agency: str, data: Any, centre: str = "") -> ProcedureView | None:
    p = parse_procedure(data)
    if p is None:
        return None
    raws = [c for c in data.get("components") or [] if isinstance(c, dict)]
    hand_in, shown = [], []
    for i, c in enumerate(p.components):
        view = ComponentView(c.name, c.form.label, c.count, c.required)
        (shown if shown_only(c, raws[i] if i < len(raws) else None) else hand_in).append(view)
    # one line per channel, of each case when the procedure has several (their times differ)
    channels = [ChannelView("%s — %s" % (case.name, ch.label) if p.has_cases else ch.label,
                            describe_deadline(t.deadline), describe_fees(t))
                for case in p.cases for ch, t in case.channels.items()]
    return ProcedureView(agency, p.code, p.name, p.field, p.level, p.agency, p.result, p.legal_basis,
                         channels, hand_in, shown, centre, online=p.terms(Channel.ONLINE) is not None)


@dataclass
class Hit:
    agency: str
    code: str
    name: str
    field: str
    centre: str


SEARCH_LIMIT = 100


def search(conn: Session, query: str, agency: str | None = None) -> tuple[list[Hit], bool]:
    """Procedures whose folded text holds every folded word of ``query`` (all of them for an
    empty query), by name; and whether there were more than shown."""
    p = PublicProcedure
    q = select(p.agency_code, p.code, p.name, p.field, CentreProfile.name.label("centre")) \
        .join(CentreProfile, CentreProfile.agency_code == p.agency_code, isouter=True)
    words = search_tokens(query)[:8]
    if words:
        q = q.where(and_(*[p.search_text.like("%" + _like(w) + "%", escape="\\") for w in words]))
    if agency:
        q = q.where(p.agency_code == agency)
    rows = conn.execute(q.order_by(p.name, p.code, p.agency_code).limit(SEARCH_LIMIT + 1)).all()
    hits = [Hit(r.agency_code, r.code, r.name, r.field or "", r.centre or "") for r in rows[:SEARCH_LIMIT]]
    return hits, len(rows) > SEARCH_LIMIT


def _like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def procedure(conn: Session, agency: str, code: str) -> ProcedureView | None:
    r = conn.execute(select(PublicProcedure.data, CentreProfile.name.label("centre"))
                     .join(CentreProfile, CentreProfile.agency_code == PublicProcedure.agency_code, isouter=True)
                     .where(PublicProcedure.agency_code == agency, PublicProcedure.code == code)).first()
    return procedure_view(agency, r.data, r.centre or "") if r is not None else None
