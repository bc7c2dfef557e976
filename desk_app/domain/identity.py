"""Citizen identity documents, phone numbers and e-mail addresses.

Each ``check_*`` function returns the normalised value or raises ``InvalidValue``
with a message in the user's language.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date

from .i18n import tr


class InvalidValue(ValueError):
    """A value typed by a user is not acceptable; the message says why."""


class IdKind(str, enum.Enum):
    CCCD = "cccd"
    CMND = "cmnd"
    PASSPORT = "passport"
    OTHER = "other"  # business registration number, tax code...

    @property
    def label(self) -> str:
        return {
            IdKind.CCCD: tr("CCCD (12 số)"),
            IdKind.CMND: tr("CMND (9 số)"),
            IdKind.PASSPORT: tr("Hộ chiếu"),
            IdKind.OTHER: tr("Mã số doanh nghiệp / giấy tờ khác"),
        }[self]


# Province codes in CCCD numbers (Circular 07/2016/TT-BCA, annex), used to check the
# first three digits. 001..096 with gaps.
CCCD_PROVINCES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn",
    "008": "Tuyên Quang", "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu",
    "014": "Sơn La", "015": "Yên Bái", "017": "Hòa Bình", "019": "Thái Nguyên",
    "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang", "025": "Phú Thọ",
    "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định",
    "037": "Ninh Bình", "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh",
    "044": "Quảng Bình", "045": "Quảng Trị", "046": "Thừa Thiên Huế", "048": "Đà Nẵng",
    "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định", "054": "Phú Yên",
    "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng",
    "070": "Bình Phước", "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu", "079": "TP. Hồ Chí Minh", "080": "Long An",
    "082": "Tiền Giang", "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long",
    "087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ",
    "093": "Hậu Giang", "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}


@dataclass(frozen=True)
class CccdInfo:
    province: str
    male: bool
    birth_year_short: int  # two digits
    century: int  # 1900, 2000, ...


def parse_cccd(number: str) -> CccdInfo:
    """Check a CCCD number's structure and return what it encodes."""
    digits = re.sub(r"\s", "", number)  # ASCII digits only: int() and \d take other scripts' too
    if not re.fullmatch(r"[0-9]{12}", digits):
        raise InvalidValue(tr("Số CCCD phải gồm đúng 12 chữ số."))
    province = CCCD_PROVINCES.get(digits[:3])
    if province is None:
        raise InvalidValue(tr("Ba số đầu của CCCD không phải mã tỉnh nơi đăng ký khai sinh."))
    g = int(digits[3])
    century = 1900 + 100 * (g // 2)
    if century > 2200:
        raise InvalidValue(tr("Số thứ tư của CCCD (giới tính, thế kỷ) không hợp lệ."))
    return CccdInfo(province, g % 2 == 0, int(digits[4:6]), century)


def check_id_number(kind: IdKind, number: str, birth_date: date | None = None,
                    male: bool | None = None) -> str:
    """Validate an ID number of the given kind; return it normalised."""
    value = re.sub(r"[\s.-]", "", number or "").upper()
    if not value:
        raise InvalidValue(tr("Chưa nhập số giấy tờ tùy thân."))
    if kind is IdKind.CCCD:
        info = parse_cccd(value)
        if birth_date is not None:
            if info.century + info.birth_year_short != birth_date.year:
                raise InvalidValue(tr("Năm sinh mã hóa trong số CCCD không khớp với ngày sinh."))
        if male is not None and info.male != male:
            raise InvalidValue(tr("Giới tính mã hóa trong số CCCD không khớp với giới tính đã chọn."))
    elif kind is IdKind.CMND:
        if not re.fullmatch(r"[0-9]{9}", value):
            raise InvalidValue(tr("Số CMND phải gồm đúng 9 chữ số."))
    elif kind is IdKind.PASSPORT:
        if not re.fullmatch(r"[A-Z0-9]{6,9}", value):
            raise InvalidValue(tr("Số hộ chiếu gồm 6 đến 9 chữ cái hoặc chữ số."))
    else:
        if not re.fullmatch(r"[A-Z0-9/]{3,20}", value):
            raise InvalidValue(tr("Số giấy tờ chỉ gồm chữ cái, chữ số và dấu /."))
    return value


# Vietnamese mobile prefixes after the 2018 renumbering, and landline area codes 02x.
_MOBILE_PREFIXES = ("03", "05", "07", "08", "09")


def check_phone(phone: str) -> str:
    """Normalise a Vietnamese phone number to ten digits starting with 0."""
    raw = re.sub(r"[\s.()-]", "", phone or "")
    if not raw:
        raise InvalidValue(tr("Chưa nhập số điện thoại."))
    if raw.startswith("+84"):
        raw = "0" + raw[3:]
    elif raw.startswith("84") and len(raw) == 11:
        raw = "0" + raw[2:]
    if not raw.isdigit():
        raise InvalidValue(tr("Số điện thoại chỉ gồm chữ số (có thể bắt đầu bằng +84)."))
    if len(raw) == 10 and raw.startswith(_MOBILE_PREFIXES):
        return raw
    if len(raw) == 11 and raw.startswith("02"):
        return raw  # landline with area code, e.g. 0237 xxx xxxx
    raise InvalidValue(tr("Số điện thoại không đúng định dạng Việt Nam (10 số, bắt đầu bằng 03, 05, 07, 08, 09)."))


def phone_international(phone: str) -> str:
    """0912345678 -> 84912345678, the form Zalo ZNS expects."""
    return "84" + check_phone(phone)[1:]


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_email(email: str) -> str:
    value = (email or "").strip()
    if not _EMAIL.match(value):
        raise InvalidValue(tr("Địa chỉ email không hợp lệ."))
    return value.lower()
