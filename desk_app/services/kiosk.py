"""The citizen kiosk: where a dossier is, for whoever holds its receipt, and the rating of the clerk.

Holding the receipt's QR (code and capability key) is the only way in: an unknown code and a
wrong key get the same answer, in the same time, so the kiosk cannot be used to guess codes.
What comes back is plain data for a public screen: the owner's name masked, no staff notes,
no ID or phone numbers.
"""

from __future__ import annotations

import hmac
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..domain.codes import parse_capability_url
from ..domain.dossier import EventKind, Rating, Status, Verdict, verdict
from ..domain.i18n import N_, tr
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
    due_at: datetime                 # the appointment now in force
    first_due_at: datetime           # the one printed on the receipt
    status: Status
    status_text: str                 # one plain sentence for the citizen
    holder: str                      # the unit that holds the dossier now
    verdict: Verdict
    verdict_text: str
    timeline: list[TimelineStep]
    clerk_name: str                  # the clerk who received it: the one the citizen rates
    rated: bool

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


def _open(session, code: str, key: str):
    """The dossier if ``key`` is its capability key; NotFound otherwise, alike in both cases."""
    dossier = repo.dossier_by_code(session, code or "")
    expected = dossier.capability_key if dossier is not None else _DUMMY_KEY
    matches = hmac.compare_digest((key or "").encode("utf-8"), expected.encode("utf-8"))
    if dossier is None or not matches:
        raise NotFound(not_found_message())
    return dossier


def lookup_link(ctx: DeskContext, user: CurrentUser, url: str) -> KioskView:
    """The dossier behind a scanned receipt QR."""
    _require_kiosk(user)
    link = parse_capability_url(url)
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
        first_due = d.due_at
        for e in events:
            if e.kind == EventKind.RECEIVED.value and e.payload.get("due_at"):
                first_due = datetime.fromisoformat(e.payload["due_at"])
                break
        status = Status(d.status)
        finished = d.finished_at if status in _FINISHED else None
        v = verdict(d.due_at, finished, now)
        return KioskView(
            code=d.code, procedure_name=d.procedure.name, owner_masked=mask_name(d.owner_name),
            received_at=d.received_at, due_at=d.due_at, first_due_at=first_due, status=status,
            status_text=_status_text(status), holder=holder_unit.name if holder_unit else counter,
            verdict=v, verdict_text=_verdict_text(v, finished is not None),
            timeline=[step for e in events if (step := _step(e, units)) is not None],
            clerk_name=d.clerk.full_name, rated=any(e.kind == EventKind.RATED.value for e in events))


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
        already = s.scalars(select(EventRow.seq).where(EventRow.dossier_code == d.code,
                                                       EventRow.kind == EventKind.RATED.value).limit(1)).first()
        if already is not None:
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


_FINISHED = (Status.RESULT_READY, Status.RETURNED, Status.REFUSED, Status.WITHDRAWN, Status.STOPPED)


def _status_text(status: Status) -> str:
    return {
        Status.SUBMITTED_ONLINE: tr("Hồ sơ đã được đăng ký, đang chờ tiếp nhận."),
        Status.RECEIVED: tr("Hồ sơ đã được tiếp nhận và đang chờ chuyển đi giải quyết."),
        Status.PROCESSING: tr("Hồ sơ đang được giải quyết."),
        Status.SUPPLEMENT_REQUESTED: tr("Hồ sơ cần bổ sung giấy tờ. Xin mời ông/bà liên hệ quầy tiếp nhận."),
        Status.PAYMENT_REQUESTED: tr("Xin mời ông/bà nộp phí, lệ phí để tiếp tục giải quyết."),
        Status.RESULT_READY: tr("Đã có kết quả. Xin mời ông/bà mang giấy hẹn đến quầy để nhận."),
        Status.RETURNED: tr("Ông/bà đã nhận kết quả."),
        Status.REFUSED: tr("Hồ sơ không được tiếp nhận. Xin mời ông/bà hỏi cán bộ tại quầy."),
        Status.WITHDRAWN: tr("Hồ sơ đã được rút theo đề nghị của người nộp."),
        Status.STOPPED: tr("Hồ sơ đã dừng giải quyết. Xin mời ông/bà hỏi cán bộ tại quầy."),
    }[status]


def _verdict_text(v: Verdict, finished: bool) -> str:
    if finished:
        return {Verdict.EARLY: tr("Xong trước hẹn"), Verdict.ON_TIME: tr("Xong đúng hẹn"),
                Verdict.LATE: tr("Xong muộn hơn hẹn")}.get(v, v.label)
    return {Verdict.IN_TIME: tr("Đang trong thời hạn"), Verdict.DUE_SOON: tr("Sắp đến ngày hẹn"),
            Verdict.LATE: tr("Đã quá ngày hẹn")}.get(v, v.label)


def _step(e: EventRow, units: dict[str, str]) -> TimelineStep | None:
    """One event in plain words, or None for what the public need not see (prints, files, notes)."""
    kind = EventKind(e.kind)
    p = e.payload or {}
    unit = units.get(e.unit or "", "")
    if kind is EventKind.RECEIVED:
        text = tr("Bộ phận Một cửa nhận hồ sơ")
    elif kind is EventKind.TRANSFERRED:
        target = next((str(p[k]) for k in ("to_unit_name", "to_name", "unit_name") if p.get(k)), "")
        if not target and p.get("to_unit"):
            target = units.get(str(p["to_unit"]), "")
        text = (tr("Chuyển hồ sơ đến {unit}").format(unit=target) if target
                else tr("Chuyển hồ sơ đi giải quyết"))
    elif kind is EventKind.ARRIVED:
        text = tr("{unit} nhận hồ sơ").format(unit=unit) if unit else tr("Hồ sơ được nhận để giải quyết")
    elif kind is EventKind.APPOINTMENT_MOVED:
        due = p.get("due_at") or p.get("new_due_at")
        text = (tr("Ngày hẹn trả đổi sang {date}").format(date=datetime.fromisoformat(due).strftime("%d/%m/%Y"))
                if due else tr("Ngày hẹn trả được thay đổi"))
    else:
        text = _PLAIN.get(kind)
        if text is None:
            return None
        text = tr(text)
    return TimelineStep(e.desk_time, text)


_PLAIN = {
    EventKind.ASSIGNED: N_("Cán bộ chuyên môn bắt đầu giải quyết"),
    EventKind.SUPPLEMENT_REQUESTED: N_("Yêu cầu bổ sung giấy tờ"),
    EventKind.SUPPLEMENT_RECEIVED: N_("Nhận giấy tờ bổ sung"),
    EventKind.PAYMENT_REQUESTED: N_("Yêu cầu nộp phí, lệ phí"),
    EventKind.RESULT_READY: N_("Có kết quả"),
    EventKind.RETURNED: N_("Trả kết quả"),
    EventKind.REFUSED: N_("Hồ sơ không được tiếp nhận"),
    EventKind.WITHDRAWN: N_("Rút hồ sơ"),
    EventKind.STOPPED: N_("Dừng giải quyết"),
    EventKind.RATED: N_("Ông/bà đã đánh giá cán bộ"),
}
