"""What the receipt (Mẫu 01, Giấy tiếp nhận hồ sơ và hẹn trả kết quả) prints: plain data, and
the rules of its lines written once (the register and the forms use them too)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from .i18n import tr

# The form's labels for whose papers these are (Thông tư 01/2018/TT-VPCP, Mẫu 01).
ID_LABEL_PERSON = "Số CCCD/CMND/Hộ chiếu"
ID_LABEL_ORGANISATION = "Mã số doanh nghiệp/Mã số thuế"


@dataclass(frozen=True)
class ReceiptLine:
    name: str
    form_label: str  # "Bản chính" / "Bản chứng thực" / "Bản photo"
    count: int


@dataclass(frozen=True)
class ReceiptData:
    parent_agency: str            # e.g. "UBND TỈNH THANH HÓA"
    agency_name: str              # e.g. "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG"
    place: str                    # e.g. "Thanh Hóa" for "Thanh Hóa, ngày ... tháng ... năm ..."
    dossier_code: str
    owner_name: str
    id_number: str
    address: str
    phone: str
    email: str                    # "" prints no Email line
    procedure_name: str
    components: tuple[ReceiptLine, ...]
    sets: int
    legal_time: str               # "05 ngày làm việc"
    received_at: datetime
    due_at: datetime
    collect_at: str               # "Bộ phận Một cửa ..." or "Qua dịch vụ bưu chính"
    fee: str                      # what this dossier owes (``fees.fee_line``); "" leaves a blank for the hand
    register_book: str            # "Quyển số 01/2026"
    register_number: str          # the dossier code's own number: "261127-0361"
    submitter_name: str
    clerk_name: str
    capability_url: str           # the QR
    check_progress_hint: str      # one line telling the citizen how to check progress
    id_label: str = ID_LABEL_PERSON
    organisation: bool = False
    proxy_name: str = ""          # a person who hands the dossier in for the owner
    proxy_id_number: str = ""


_CODE_NUMBER = re.compile(r"-(\d{6})-(\d{1,6})$")


def register_number(dossier_code: str) -> str:
    """The dossier's "Số thứ tự" in the Sổ theo dõi hồ sơ, as the receipt prints it.

    Taken from the dossier code's own day and number (``…-yyMMdd-NNNN``), which come from the
    server's leased blocks: the same on the receipt and in the register, never reused by another
    desk, and it does not change when the register is exported again.
    """
    m = _CODE_NUMBER.search(dossier_code or "")
    return "%s-%s" % (m[1], m[2]) if m else (dossier_code or "")


def id_label(organisation: bool) -> str:
    """The label of the owner's paper: an organisation's tax code is not a CCCD."""
    return ID_LABEL_ORGANISATION if organisation else ID_LABEL_PERSON


def outside_working_hours(calendar, moment: datetime) -> bool:
    """Whether ``moment`` falls outside the counter's working time (``WorkCalendar``): a day off,
    before opening, after closing or at lunch."""
    if not calendar.is_working_day(moment.date()):
        return True
    t = moment.time()
    return not any(a <= t < b for a, b in calendar.periods)


def intake_time_warning(calendar, moment: datetime) -> str | None:
    """The warning the counter sees when a dossier is taken in outside working hours (the
    receipt will print that time), or None."""
    if not outside_working_hours(calendar, moment):
        return None
    return tr("Giờ tiếp nhận {time} ngày {day} nằm ngoài giờ làm việc; giấy tiếp nhận sẽ in giờ này. "
              "Kiểm tra lại đồng hồ của máy.").format(time=moment.strftime("%H:%M"),
                                                    day=moment.strftime("%d/%m/%Y"))
