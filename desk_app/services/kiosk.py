"""The citizen kiosk: where a dossier is, for whoever holds its receipt, and the rating of the clerk.

Holding the receipt's QR (code and capability key) is the only way in: an unknown code and a
wrong key get the same answer, in the same time, so the kiosk cannot be used to guess codes.
What comes back is plain data for a public screen: the owner's name masked, no staff notes,
no ID or phone numbers.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..domain.codes import parse_capability_url
from ..domain import lifecycle
from ..domain.dossier import EventKind, Rating, Status
from ..domain.i18n import tr
from ..domain.lifecycle import Verdict, due_soon_limit, judge_row
from ..domain.roles import Action
from ..domain.scan_payloads import mask_name
from ..domain.text import clean
from ..storage import repositories as repo
from ..storage.models import EventRow, Unit
from .context import CurrentUser, DeskContext, ServiceError, require

MAX_COMMENT = 500
_DUMMY_KEY = "x" * 22


class NotFound(ServiceError):
    """No dossier for this receipt: unknown code or wrong key, never saying which."""


class AlreadyRated(ServiceError):
    pass


RatingLevel = Rating  # the levels the statistics count: one definition, in the domain


@dataclass(frozen=True)
class TimelineStep:
    at: datetime
    text: str


@dataclass(frozen=True)
class KioskView:
    code: str
    procedure_name: str
    owner_masked: str
    received_at: datetime
    due_at: datetime                 # the appointment the citizen is told now
    first_due_at: datetime           # the one printed on the receipt
    status: Status
    status_text: str                 # one plain sentence for the citizen
    holder: str                      # the unit that holds the dossier now
    verdict: Verdict
    verdict_text: str
    timeline: list[TimelineStep]
    clerk_name: str                  # the clerk who received it: the one the citizen rates
    rated: bool
    result_ready_at: datetime | None = None   # "result ready since …"
    apology_reason: str = ""                  # why the appointment was moved, when it was

    @property
    def appointment_moved(self) -> str | None:
        """"earlier", "later", or None when the appointment is still the one on the receipt."""
        if self.due_at == self.first_due_at:
            return None
        return "earlier" if self.due_at < self.first_due_at else "later"


def not_found_message() -> str:
    return tr("Không tìm thấy hồ sơ theo mã QR này. Xin ông/bà kiểm tra lại giấy tiếp nhận hồ sơ.")


def _require_kiosk(user: CurrentUser) -> None:
    require(user, Action.KIOSK)


def _key_hash(session, code: str) -> str:
    """The SHA-256 of the dossier's current key, as the state machine reads it from the events."""
    state = lifecycle.fold(repo.events_of(session, code))
    return state.key_sha256 if state is not None else ""


def _open(session, code: str, key: str):
    """The dossier if ``key`` is its capability key; NotFound otherwise, alike in both cases."""
    dossier = repo.dossier_by_code(session, code or "")
    if dossier is not None and not dossier.capability_key:
        # taken in elsewhere (another desk, or submitted online): only the key's hash travelled
        expected = _key_hash(session, dossier.code)
        given = hashlib.sha256((key or "").encode("utf-8")).hexdigest()
        matches = bool(expected) and hmac.compare_digest(given.encode(), expected.encode())
    else:
        expected = dossier.capability_key if dossier is not None else _DUMMY_KEY
        matches = hmac.compare_digest((key or "").encode("utf-8"), expected.encode("utf-8"))
    if dossier is None or not matches:
        raise NotFound(not_found_message())
    return dossier


def lookup_link(ctx: DeskContext, user: CurrentUser, url: str) -> KioskView:
    """The dossier behind a scanned receipt QR."""
    _require_kiosk(user)
    with ctx.db.session(write=False) as s:
        agency = repo.get_agency(s)
    # ours only on this centre's public address: a look-alike link from elsewhere finds nothing
    link = parse_capability_url(url, agency.public_base_url if agency else "")
    if link is None:
        raise NotFound(not_found_message())
    return lookup(ctx, user, link.code, link.key)


def lookup(ctx: DeskContext, user: CurrentUser, code: str, key: str) -> KioskView:
    _require_kiosk(user)
    now = ctx.clock()
    with ctx.db.session(write=False) as s:
        d = _open(s, code, key)
        events = list(repo.events_of(s, d.code))
        units = {u.code: u.name for u in s.scalars(select(Unit))}
        holder_unit = s.get(Unit, d.holder_unit_id) if d.holder_unit_id else None
        counter = repo.get_setting(s, "counter_location")
        status = Status(d.status)
        v = judge_row(d, now, due_soon_limit(now, ctx.calendar()))
        timeline = [TimelineStep(e.desk_time, text) for e in events
                    if (text := lifecycle.timeline_text(e.kind, e.payload, e.unit, units)) is not None]
        return KioskView(
            code=d.code, procedure_name=d.procedure.name, owner_masked=mask_name(d.owner_name),
            received_at=d.received_at, due_at=d.appointment_at or d.due_at, first_due_at=d.first_due_at or d.due_at,
            status=status, status_text=lifecycle.citizen_status_text(status),
            holder=holder_unit.name if holder_unit else counter,
            verdict=v, verdict_text=v.citizen_text, timeline=timeline,
            clerk_name=d.clerk.full_name, rated=d.rating is not None,
            result_ready_at=d.finished_at if status in (Status.RESULT_READY, Status.RETURNED) else None,
            apology_reason=d.apology_reason or "")


def rate(ctx: DeskContext, user: CurrentUser, code: str, key: str, level: RatingLevel | str,
         comment: str = "") -> None:
    """Record the citizen's rating of the clerk who received the dossier; once per dossier."""
    _require_kiosk(user)
    try:
        level = RatingLevel(level)
    except ValueError:
        raise ServiceError(tr("Mức đánh giá không hợp lệ.")) from None
    comment = clean(comment)[:MAX_COMMENT]
    now = ctx.clock().replace(microsecond=0)
    # One write transaction (BEGIN IMMEDIATE): two kiosks rating at once queue, and the second
    # sees the first one's event.
    with ctx.db.session() as s:
        d = _open(s, code, key)
        if d.rating is not None:  # the reducer refuses a second rating; say it in the kiosk's words
            raise AlreadyRated(tr("Hồ sơ này đã được đánh giá. Mỗi hồ sơ chỉ được đánh giá một lần."))
        repo.append_event(s, d, EventKind.RATED,
                          {"level": level.value, "comment": comment, "clerk": d.clerk.username,
                           "channel": "kiosk"}, user.username, ctx.desk_id, now)


def clerk_ratings(ctx: DeskContext, user: CurrentUser) -> dict[str, Counter]:
    """Ratings per clerk (by username), each a count per level."""
    require(user, Action.VIEW_DOSSIERS)
    counts: dict[str, Counter] = {}
    with ctx.db.session(write=False) as s:
        for payload in s.scalars(select(EventRow.payload).where(EventRow.kind == EventKind.RATED.value)):
            counts.setdefault(payload.get("clerk", ""), Counter())[payload.get("level", "")] += 1
    return counts
