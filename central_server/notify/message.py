"""What a notice says and to whom: built when it is sent, from the event that caused it, the
dossier's row and the contacts of its ``received`` payload. The words are the citizen's words
of the domain (``lifecycle.timeline_text``, ``citizen_status_text``) and of the dossier page."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.domain import lifecycle
from desk_app.domain.dossier import EventKind, Status
from desk_app.domain.i18n import N_, tr
from desk_app.domain.procedures import format_money

from ..models import DossierState, NotifyOutbox, NotifyPreference, ServerEvent, ZaloLink, ZaloUser
from . import ANSWERS, CODE_BLOCKED, HELP, LINK_CONFIRMED, REPLY, WAIT, WRONG_CODE

STATUS_OF = {
    EventKind.RECEIVED.value: Status.RECEIVED, EventKind.SUPPLEMENT_REQUESTED.value: Status.SUPPLEMENT_REQUESTED,
    EventKind.PAYMENT_REQUESTED.value: Status.PAYMENT_REQUESTED, EventKind.REFUSED.value: Status.REFUSED,
    EventKind.STOPPED.value: Status.STOPPED, EventKind.WITHDRAWN.value: Status.WITHDRAWN,
    EventKind.RESULT_READY.value: Status.RESULT_READY, EventKind.RETURNED.value: Status.RETURNED,
    EventKind.SUBMITTED_ONLINE.value: Status.SUBMITTED_ONLINE, EventKind.ACCEPTED_ONLINE.value: Status.RECEIVED,
}
OPENING = tuple(k.value for k in lifecycle.OPENING_KINDS)
TEXTS = {
    LINK_CONFIRMED: N_("Tài khoản Zalo này đã được liên kết với hồ sơ {code}. Ông/bà sẽ nhận thông báo khi hồ sơ "
                       "thay đổi và có thể nhắn tin cho Bộ phận Một cửa tại đây."),
    HELP: N_("Để nhận thông báo về hồ sơ, xin gửi mã liên kết hiển thị trên trang tra cứu hồ sơ (quét mã QR trên "
             "giấy tiếp nhận). Mã dùng một lần, có hiệu lực 24 giờ."),
    WAIT: N_("Bộ phận Một cửa chưa trả lời các tin nhắn trước của ông/bà. Xin ông/bà chờ trả lời trước khi gửi thêm."),
    WRONG_CODE: N_("Mã liên kết không đúng hoặc đã hết hạn. Xin kiểm tra lại mã trên trang tra cứu hồ sơ "
                   "(còn {left} lần thử)."),
    CODE_BLOCKED: N_("Ông/bà đã gửi sai mã liên kết nhiều lần. Để bảo vệ hồ sơ của công dân, xin thử lại sau "
                     "{until}."),
    "subject": N_("Hồ sơ {code}: {what}"),
    "dossier": N_("Hồ sơ {code}: {procedure}"),
    "reply": N_("Bộ phận Một cửa trả lời về hồ sơ {code}:"),
}
PHONE = re.compile(r"^84[35789]\d{8}$|^84\d{9,10}$")


def zalo_phone(raw: Any) -> str | None:
    """A Vietnamese phone number as ZNS wants it: 84..., digits only; None if it is not one."""
    if not isinstance(raw, str):
        return None
    digits = re.sub(r"[\s.\-()]", "", raw)
    if digits.startswith("+"):
        digits = digits[1:]
    if digits.startswith("0"):
        digits = "84" + digits[1:]
    return digits if digits.isdigit() and PHONE.match(digits) else None


@dataclass
class Notice:
    """One outbox row with what its channels need."""
    id: int
    event_id: str
    channel: str
    kind: str
    code: str
    attempts: int
    text: str = ""
    subject: str = ""
    template_data: dict[str, str] = field(default_factory=dict)
    phone: str | None = None
    email: str | None = None
    zalo_user: str | None = None          # whom a customer-service message goes to
    window_open: bool = False             # the user interacted lately: a CS message may go
    reply: bool = False                   # the counter's reply: CS only, no template
    muted: bool = False


def _owner(session: Session, code: str) -> dict:
    payload = session.execute(select(ServerEvent.payload).where(
        ServerEvent.dossier_code == code, ServerEvent.kind.in_(OPENING),
        ServerEvent.accepted.is_(True)).order_by(ServerEvent.server_seq).limit(1)).scalar()
    owner = payload.get("owner") if isinstance(payload, dict) else None
    return owner if isinstance(owner, dict) else {}


def _fmt(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%H:%M %d/%m/%Y")
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).strftime("%H:%M %d/%m/%Y")
        except ValueError:
            return value
    return ""


def build(session: Session, row: NotifyOutbox, now: datetime, window_hours: float) -> Notice:
    """The notice of ``row`` as it is to be sent now."""
    from ..web.texts import t
    n = Notice(id=row.id, event_id=row.event_id, channel=row.channel, kind=row.kind, code=row.dossier_code,
               attempts=row.attempts)
    dossier = session.get(DossierState, row.dossier_code)
    procedure = dossier.procedure_name if dossier is not None else ""
    data = row.data or {}
    pref = session.get(NotifyPreference, row.dossier_code)
    n.muted = pref is not None and not pref.notify and row.kind != REPLY and row.kind not in ANSWERS
    if row.kind in ANSWERS:
        n.text = tr(TEXTS[row.kind]).format(code=row.dossier_code, left=data.get("left", ""),
                                            until=data.get("until", ""))
        n.zalo_user = data.get("user_id")
        n.reply = True
        n.window_open = True   # the user just wrote
        return n
    event = session.execute(select(ServerEvent.payload, ServerEvent.unit).where(
        ServerEvent.id == row.event_id)).first()
    payload = event.payload if event is not None and isinstance(event.payload, dict) else {}
    if row.kind == REPLY:
        n.reply = True
        n.text = tr(TEXTS["reply"]).format(code=row.dossier_code) + "\n" + str(payload.get("text", ""))
        asked = None
        if isinstance(payload.get("reply_to"), str):
            asked = session.execute(select(ServerEvent.payload).where(
                ServerEvent.id == payload["reply_to"])).scalar()
        n.zalo_user = asked.get("zalo_user") if isinstance(asked, dict) and asked.get("zalo_user") else None
    what = lifecycle.timeline_text(row.kind, payload, event.unit if event is not None else None) or ""
    if row.kind != REPLY:
        lines = [tr(TEXTS["dossier"]).format(code=row.dossier_code, procedure=procedure)]
        if what:
            lines.append(what)
        status = STATUS_OF.get(row.kind)
        if status is not None:
            lines.append(lifecycle.citizen_status_text(status))
        if row.kind == EventKind.SUPPLEMENT_REQUESTED.value:
            missing = [m for m in payload.get("missing") or [] if isinstance(m, str)]
            if missing:
                lines.append(t("supplement_list"))
                lines.extend("- " + m for m in missing)
            if isinstance(payload.get("reason"), str) and payload["reason"]:
                lines.append(t("appointment_reason", reason=payload["reason"]))
        if row.kind == EventKind.PAYMENT_REQUESTED.value and isinstance(payload.get("amount"), int) \
                and payload["amount"]:
            lines.append(t("payment", amount=format_money(payload["amount"])))
        if row.kind in (EventKind.RECEIVED.value, EventKind.ACCEPTED_ONLINE.value) and payload.get("due_at"):
            lines.append(t("appointment") + ": " + _fmt(payload.get("due_at")))
        n.text = "\n".join(lines)
        n.subject = tr(TEXTS["subject"]).format(code=row.dossier_code, what=what or procedure)
        n.template_data = {"ma_ho_so": row.dossier_code, "thu_tuc": procedure[:100], "trang_thai": what[:100],
                           "ngay_hen": _fmt(dossier.appointment_at) if dossier is not None else ""}
        owner = _owner(session, row.dossier_code)
        n.phone = zalo_phone(owner.get("phone"))
        n.email = owner.get("email") if isinstance(owner.get("email"), str) and "@" in owner.get("email") else None
        link = session.execute(select(ZaloLink.user_id).where(
            ZaloLink.dossier_code == row.dossier_code, ZaloLink.unlinked_at.is_(None))
            .order_by(ZaloLink.id.desc()).limit(1)).scalar()
        n.zalo_user = link
    if n.zalo_user:
        user = session.get(ZaloUser, n.zalo_user)
        from datetime import timedelta
        n.window_open = bool(user is not None and user.follower and user.last_interaction_at is not None
                             and now - user.last_interaction_at <= timedelta(hours=window_hours))
    return n
