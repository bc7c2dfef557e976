"""Dossiers, their events and the statuses the national portal knows."""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from .i18n import N_, tr
from .identity import IdKind
from .procedures import PaperForm


class Status(int, enum.Enum):
    """TrangThaiHoSo on the national public-service portal (DVCQG)."""

    SUBMITTED_ONLINE = 1
    RECEIVED = 2
    REFUSED = 3
    PROCESSING = 4
    SUPPLEMENT_REQUESTED = 5
    PAYMENT_REQUESTED = 6
    WITHDRAWN = 7
    STOPPED = 8
    RESULT_READY = 9
    RETURNED = 10

    @property
    def label(self) -> str:
        return {
            1: tr("Mới đăng ký"), 2: tr("Đã tiếp nhận"), 3: tr("Không được tiếp nhận"),
            4: tr("Đang xử lý"), 5: tr("Yêu cầu bổ sung"), 6: tr("Yêu cầu nghĩa vụ tài chính"),
            7: tr("Công dân rút hồ sơ"), 8: tr("Dừng xử lý"), 9: tr("Đã xử lý xong"),
            10: tr("Đã trả kết quả"),
        }[self.value]


class EventKind(str, enum.Enum):
    """Every change to a dossier is one of these, appended, never edited."""

    RECEIVED = "received"                # intake at the counter; payload: the dossier's data
    RECEIPT_PRINTED = "receipt_printed"  # payload: file, key_replaced
    KEY_REPLACED = "key_replaced"        # reprint with a new capability key
    ATTACHMENT_ADDED = "attachment_added"
    NOTE = "note"
    TRANSFERRED = "transferred"
    ARRIVED = "arrived"
    ASSIGNED = "assigned"
    FORWARDED = "forwarded"              # to a leader for review / signature
    APPROVED = "approved"                # reviewed and signed
    SUPPLEMENT_REQUESTED = "supplement_requested"
    SUPPLEMENT_RECEIVED = "supplement_received"
    RESULT_READY = "result_ready"
    RETURNED = "returned"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    STOPPED = "stopped"
    PAYMENT_REQUESTED = "payment_requested"
    PAYMENT_RECEIVED = "payment_received"  # the fee or financial obligation was met: the clock resumes
    APPOINTMENT_MOVED = "appointment_moved"
    RATED = "rated"
    CITIZEN_MESSAGE = "citizen_message"  # the citizen wrote to the counter (dossier page, Zalo, kiosk)
    COUNTER_REPLY = "counter_reply"      # the counter answered; the citizen reads it on the page
    FORM_PRINTED = "form_printed"        # a form (Mẫu 02-05) printed and kept, or printed again
    SUBMITTED_ONLINE = "submitted_online"  # the citizen submitted the e-form on the server; not yet accepted
    ACCEPTED_ONLINE = "accepted_online"    # the counter checked an online submission and accepted it

    @property
    def label(self) -> str:
        return tr(_EVENT_LABELS[self]) if self in _EVENT_LABELS else self.value


# Vietnamese; translated when asked (``EventKind.label``) so a language chosen later applies.
_EVENT_LABELS = {
    EventKind.RECEIVED: N_("Tiếp nhận hồ sơ"),
    EventKind.RECEIPT_PRINTED: N_("In giấy tiếp nhận"),
    EventKind.KEY_REPLACED: N_("In lại giấy tiếp nhận với mã QR mới"),
    EventKind.ATTACHMENT_ADDED: N_("Đính kèm tệp"),
    EventKind.NOTE: N_("Ghi chú"),
    EventKind.TRANSFERRED: N_("Chuyển hồ sơ"),
    EventKind.ARRIVED: N_("Nhận hồ sơ"),
    EventKind.ASSIGNED: N_("Phân công xử lý"),
    EventKind.FORWARDED: N_("Trình lãnh đạo xem xét, ký duyệt"),
    EventKind.APPROVED: N_("Lãnh đạo đã ký duyệt"),
    EventKind.SUPPLEMENT_REQUESTED: N_("Yêu cầu bổ sung"),
    EventKind.SUPPLEMENT_RECEIVED: N_("Nhận hồ sơ bổ sung"),
    EventKind.RESULT_READY: N_("Có kết quả"),
    EventKind.RETURNED: N_("Trả kết quả"),
    EventKind.REFUSED: N_("Từ chối tiếp nhận"),
    EventKind.WITHDRAWN: N_("Công dân rút hồ sơ"),
    EventKind.STOPPED: N_("Dừng xử lý"),
    EventKind.PAYMENT_REQUESTED: N_("Yêu cầu thực hiện nghĩa vụ tài chính"),
    EventKind.PAYMENT_RECEIVED: N_("Đã thực hiện nghĩa vụ tài chính"),
    EventKind.APPOINTMENT_MOVED: N_("Thay đổi ngày hẹn"),
    EventKind.RATED: N_("Đánh giá"),
    EventKind.CITIZEN_MESSAGE: N_("Công dân gửi tin nhắn"),
    EventKind.COUNTER_REPLY: N_("Trả lời công dân"),
    EventKind.SUBMITTED_ONLINE: N_("Công dân nộp hồ sơ trực tuyến"),
    EventKind.ACCEPTED_ONLINE: N_("Tiếp nhận hồ sơ trực tuyến"),
    EventKind.FORM_PRINTED: N_("In giấy tờ"),
}

class ApplicantType(str, enum.Enum):
    INDIVIDUAL = "individual"
    ORGANISATION = "organisation"

    @property
    def dvcqg(self) -> int:
        """LoaiDoiTuong on the national portal: 1 citizen, 2 business."""
        return 1 if self is ApplicantType.INDIVIDUAL else 2


@dataclass(frozen=True)
class Person:
    name: str
    id_kind: IdKind
    id_number: str
    birth_date: date | None = None
    phone: str = ""
    email: str = ""
    address: str = ""
    gender: str = ""  # "male", "female" or ""


def person_dict(p: Person | None) -> dict | None:
    """A person as an event's payload stores it (intake at the counter, an online submission)."""
    if p is None:
        return None
    d = dataclasses.asdict(p)
    d["id_kind"] = p.id_kind.value
    d["birth_date"] = p.birth_date.isoformat() if p.birth_date else None
    return d


@dataclass(frozen=True)
class ComponentHandedIn:
    name: str
    form: PaperForm
    count: int


@dataclass
class Event:
    """One appended fact about a dossier."""

    id: str
    dossier_code: str
    kind: EventKind
    payload: dict[str, Any]
    actor: str
    desk: str
    desk_time: datetime
    server_seq: int | None = None


class Rating(str, enum.Enum):
    """The citizen's rating of the clerk, once per dossier (payload "level" of a RATED event)."""

    VERY_SATISFIED = "very_satisfied"
    SATISFIED = "satisfied"
    UNSATISFIED = "unsatisfied"

    @property
    def label(self) -> str:
        return {Rating.VERY_SATISFIED: tr("Rất hài lòng"), Rating.SATISFIED: tr("Hài lòng"),
                Rating.UNSATISFIED: tr("Không hài lòng")}[self]
