"""What the other printed forms hold, as plain data (the receipt is in ``receipt.py``), the kinds
of printed papers a dossier keeps, and their number series.

The fields follow Thông tư 01/2018/TT-VPCP, Mẫu 01-06, as described in docs/reference (TD-DVC and
OpenCPS templates). Not verified against the circular's own text: the exact sentences of Mẫu 04
and its signer's title ("THỦ TRƯỞNG CƠ QUAN"), the two agency lines of Mẫu 05, the "Ký nhận"
column of Mẫu 06, the wording of Mẫu 01's "Ghi chú"; the symbols of the number series (TB-BS,
TB-TC, XL-HL) are ours, the circular leaves "Số: …/…" to the agency; Thông tư 03/2025/TT-VPCP
may renumber the forms (04 and 05 change).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime

from .i18n import N_, tr
from .receipt import id_label


@dataclass(frozen=True)
class FormHeader:
    parent_agency: str      # "UBND TỈNH THANH HÓA"
    agency_name: str        # "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG"
    place: str              # "Thanh Hóa"
    issued_at: datetime


@dataclass(frozen=True)
class Party:
    """Whose dossier a form is about, with the contact lines the templates print."""

    name: str
    organisation: bool = False
    id_number: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""         # "" prints no Email line

    @property
    def id_label(self) -> str:
        return id_label(self.organisation)

    @property
    def salutation(self) -> str:
        """How the form addresses it: "Ông/Bà" for a person, never for a company."""
        return "Quý tổ chức" if self.organisation else "Ông/Bà"


class FormKind(str, enum.Enum):
    """The printed papers a dossier keeps ("Giấy tờ đã in")."""

    RECEIPT = "receipt"              # Mẫu 01
    SUPPLEMENT = "supplement"        # Mẫu 02
    REFUSAL = "refusal"              # Mẫu 03
    APOLOGY = "apology"              # Mẫu 04
    CONTROL_SLIP = "control_slip"    # Mẫu 05

    @property
    def label(self) -> str:
        return tr(_KIND_LABELS[self])

    @property
    def series(self) -> str | None:
        """The number series of the forms that carry a number ("15/2026/TB-BS"), else None."""
        return _SERIES.get(self)


_KIND_LABELS = {
    FormKind.RECEIPT: N_("Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
    FormKind.SUPPLEMENT: N_("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
    FormKind.REFUSAL: N_("Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
    FormKind.APOLOGY: N_("Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
    FormKind.CONTROL_SLIP: N_("Phiếu kiểm soát quá trình giải quyết hồ sơ"),
}

# The symbol after the year in a form's number. The circular leaves it to the agency
# ("Số: …/…"); these are our choice, one per form, so that numbers of different forms never mix.
_SERIES = {FormKind.SUPPLEMENT: "TB-BS", FormKind.REFUSAL: "TB-TC", FormKind.APOLOGY: "XL-HL"}
SERIES_NAMES = frozenset(_SERIES.values())
_NUMBER = re.compile(r"^(\d{1,7})/(\d{4})/([A-Z-]{2,12})$")


def form_number(number: int, year: int, series: str) -> str:
    """"15/2026/TB-BS": the number in the series of a form and a year."""
    return "%d/%d/%s" % (number, year, series)


def parse_form_number(text: str) -> tuple[int, int, str] | None:
    m = _NUMBER.match(text or "")
    return (int(m[1]), int(m[2]), m[3]) if m else None


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
    """Phiếu kiểm soát quá trình giải quyết hồ sơ (Mẫu 05)."""

    header: FormHeader
    dossier_code: str
    owner_name: str
    procedure_name: str
    received_at: datetime
    due_at: datetime
    hops: tuple[Hop, ...]
    handling_agency: str = ""                    # "Cơ quan (bộ phận) giải quyết hồ sơ"
    coordinating_agencies: tuple[str, ...] = ()  # "Cơ quan phối hợp giải quyết hồ sơ"


@dataclass(frozen=True)
class MissingPaper:
    """One line of Mẫu 02's table: a paper to add or complete, its form and how many."""

    name: str
    form_label: str = ""    # "Bản chính" / "Bản chứng thực" / "Bản photo" / ""
    count: int = 1


@dataclass(frozen=True)
class SupplementRequestData:
    """Mẫu 02: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ."""

    header: FormHeader
    number: str                          # "15/2026/TB-BS"
    dossier_code: str                    # "" when given at the counter before a dossier exists
    party: Party
    procedure_name: str
    received_at: datetime | None
    reason: str
    missing: tuple[MissingPaper, ...]
    signer_title: str                    # "NGƯỜI HƯỚNG DẪN" at the counter, the specialist's in a unit
    signer_name: str
    contact_name: str = ""               # whom to ask
    contact_phone: str = ""


@dataclass(frozen=True)
class RefusalData:
    """Mẫu 03: Phiếu từ chối tiếp nhận giải quyết hồ sơ."""

    header: FormHeader
    number: str
    dossier_code: str       # "" when refused at the counter before a code was given
    party: Party
    procedure_name: str
    reasons: tuple[str, ...]
    submitter_name: str     # who handed the papers in and signs: the owner or the proxy
    clerk_name: str


@dataclass(frozen=True)
class ApologyData:
    """Mẫu 04: Phiếu xin lỗi và hẹn lại ngày trả kết quả, from the agency that is late,
    sent to the citizen through the centre."""

    header: FormHeader      # parent agency and the LATE agency's name
    number: str
    dossier_code: str
    party: Party
    procedure_name: str
    received_at: datetime
    original_due: datetime  # the appointment the citizen was given
    reason: str
    new_due: datetime
    place: str              # where to collect
    centre_name: str        # the centre it goes through
    signer_title: str       # "THỦ TRƯỞNG CƠ QUAN" of the late agency
    signer_name: str


@dataclass(frozen=True)
class RegisterRow:
    """One line of the Sổ theo dõi hồ sơ."""

    number: str             # the receipt's "Số thứ tự" (``receipt.register_number``)
    dossier_code: str
    procedure_name: str
    sets: int
    owner_name: str
    address: str
    phone: str
    received_at: datetime
    due_at: datetime
    finished_at: datetime | None   # result ready; None for a refused, withdrawn or stopped one
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
