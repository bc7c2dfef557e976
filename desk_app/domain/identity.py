"""Citizen identity documents, phone numbers and e-mail addresses.

Each ``check_*`` function returns the normalised value or raises ``InvalidValue``
with a message in the user's language.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from .i18n import N_, tr


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

    def accepted_on(self, day: date) -> bool:
        """Whether a paper of this kind may be presented for a new dossier on ``day``."""
        return not (self is IdKind.CMND and day > CMND_VALID_UNTIL)


# The 9- and 12-digit ID cards (CMND) stopped being valid after this day (Law on Identification
# 2023, art. 46): old dossiers keep their CMND numbers, new ones may not be opened with one.
CMND_VALID_UNTIL = date(2024, 12, 31)


def id_kinds_for_new(day: date) -> list[IdKind]:
    """The papers a form offers for a new dossier on ``day``, in the form's order."""
    return [k for k in IdKind if k.accepted_on(day)]


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
                    male: bool | None = None, presented_on: date | None = None) -> str:
    """Validate an ID number of the given kind; return it normalised.

    ``presented_on``: the day the paper is handed in for a new dossier (None: reading old data,
    where an ID card that has since expired is still what the citizen showed then)."""
    value = re.sub(r"[\s.-]", "", number or "").upper()
    if not value:
        raise InvalidValue(tr("Chưa nhập số giấy tờ tùy thân."))
    if presented_on is not None and not kind.accepted_on(presented_on):
        raise InvalidValue(tr("Chứng minh nhân dân đã hết giá trị sử dụng từ ngày 01/01/2025: "
                              "dùng căn cước (CCCD) hoặc hộ chiếu."))
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


MAX_AGE_YEARS = 120


def check_birth_date(birth: date, today: date) -> date:
    """A person's birth date: not after today, not more than 120 years ago; else why not."""
    if birth > today:
        raise InvalidValue(tr("Ngày sinh không được sau ngày hôm nay ({today}).")
                           .format(today=today.strftime("%d/%m/%Y")))
    if (today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))) > MAX_AGE_YEARS:
        raise InvalidValue(tr("Ngày sinh {date} quá xa: người này đã hơn {n} tuổi. Kiểm tra lại năm sinh.")
                           .format(date=birth.strftime("%d/%m/%Y"), n=MAX_AGE_YEARS))
    return birth


# A person's name: letters of any script (with their accents), spaces, and the few marks names
# carry (apostrophe, hyphen, dot as in "Th. Nguyễn"). Organisation names may hold digits and more.
_NAME_MARKS = " '-.’"


def check_person_name(name: str) -> str:
    """A person's full name as typed (already cleaned); else why not."""
    if len(name) < 2:
        raise InvalidValue(tr("Chưa nhập họ và tên."))
    for ch in name:
        if ch in _NAME_MARKS or unicodedata.category(ch)[0] in ("L", "M"):
            continue
        if ch.isdigit() or unicodedata.category(ch) == "Nd":
            raise InvalidValue(tr("Họ và tên không được có chữ số."))
        raise InvalidValue(tr("Họ và tên chỉ gồm chữ cái và dấu cách (không có ký hiệu như \"{char}\").")
                           .format(char=ch if ch.isprintable() else "?"))
    if not any(unicodedata.category(ch)[0] == "L" for ch in name):
        raise InvalidValue(tr("Họ và tên phải có chữ cái."))
    return name


def check_organisation_name(name: str) -> str:
    """An organisation's name (digits allowed: "Công ty TNHH 3A"); else why not."""
    if len(name) < 2:
        raise InvalidValue(tr("Chưa nhập tên tổ chức."))
    if not any(ch.isalnum() for ch in name) or any(not ch.isprintable() for ch in name):
        raise InvalidValue(tr("Tên tổ chức không hợp lệ."))
    return name


# What a phone field takes as typed (the rest is refused at the key, not at save)
PHONE_TYPED = r"[0-9+. ]*"
PHONE_TYPED_HINT = N_("Số điện thoại chỉ gồm chữ số, dấu cách, dấu + và dấu chấm.")


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
