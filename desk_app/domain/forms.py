"""What the other printed forms hold, as plain data (the receipt is in ``receipt.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class FormHeader:
    parent_agency: str      # "UBND TỈNH THANH HÓA"
    agency_name: str        # "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG"
    place: str              # "Thanh Hóa"
    issued_at: datetime


@dataclass(frozen=True)
class Hop:
    """One hand-over block of the process-control slip."""

    giver_unit: str
    receiver_unit: str
    handed_at: datetime | None
    giver_name: str
    receiver_name: str
    verdict: str            # "Trước hạn" / "Đúng hạn" / "Quá hạn" / "" while the hop is open
    note: str = ""


@dataclass(frozen=True)
class ControlSlipData:
    """Phiếu kiểm soát quá trình giải quyết hồ sơ."""

    header: FormHeader
    dossier_code: str
    owner_name: str
    procedure_name: str
    received_at: datetime
    due_at: datetime
    hops: tuple[Hop, ...]


@dataclass(frozen=True)
class SupplementRequestData:
    """Mẫu 02: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ."""

    header: FormHeader
    dossier_code: str
    owner_name: str
    procedure_name: str
    received_at: datetime
    reason: str
    missing: tuple[str, ...]
    clerk_name: str
    counter_phone: str = ""


@dataclass(frozen=True)
class RefusalData:
    """Phiếu từ chối tiếp nhận giải quyết hồ sơ."""

    header: FormHeader
    dossier_code: str       # may be "" when refused before a code was given
    owner_name: str
    procedure_name: str
    reasons: tuple[str, ...]
    clerk_name: str


@dataclass(frozen=True)
class ApologyData:
    """Phiếu xin lỗi và hẹn lại ngày trả kết quả."""

    header: FormHeader
    dossier_code: str
    owner_name: str
    procedure_name: str
    received_at: datetime
    original_due: datetime
    late_unit: str
    reason: str
    new_due: datetime
    place: str              # where to collect
    director_title: str     # "GIÁM ĐỐC"
    director_name: str


@dataclass(frozen=True)
class RegisterRow:
    """One line of the Sổ theo dõi hồ sơ."""

    number: int
    dossier_code: str
    procedure_name: str
    sets: int
    owner_name: str
    address: str
    phone: str
    received_at: datetime
    due_at: datetime
    finished_at: datetime | None
    returned_at: datetime | None
    received_by: str        # who took the result
    note: str = ""


@dataclass(frozen=True)
class RegisterData:
    header: FormHeader
    period: str             # "Từ 01/11/2026 đến 30/11/2026"
    rows: tuple[RegisterRow, ...]


@dataclass(frozen=True)
class StatisticsTable:
    """A table of figures for export (XLSX and PDF)."""

    header: FormHeader
    title: str
    period: str
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]
    totals: tuple | None = None
