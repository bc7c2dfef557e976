"""What the receipt (Mẫu 01, Giấy tiếp nhận hồ sơ và hẹn trả kết quả) prints: plain data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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
    email: str
    procedure_name: str
    components: tuple[ReceiptLine, ...]
    sets: int
    legal_time: str               # "05 ngày làm việc"
    received_at: datetime
    due_at: datetime
    collect_at: str               # "Bộ phận Một cửa ..." or "Qua dịch vụ bưu chính"
    fee: str                      # "Miễn phí" or "50.000 đồng, nộp trực tiếp"
    register_book: str            # "Quyển số 01/2026"
    register_number: int
    submitter_name: str
    clerk_name: str
    capability_url: str           # the QR
    check_progress_hint: str      # one line telling the citizen how to check progress
