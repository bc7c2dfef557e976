"""What a scanned text is: our receipt link, a bare dossier code, a chip ID card's QR, or not ours.

Pure rules, no devices: the scanner and the screens call ``recognise`` on whatever a camera or
a handheld scanner read, and act on the kind. A payload is only reported as ours when every
part of it checks out; anything doubtful is "not ours", because acting on a wrong payload is
worse than asking the person to scan again.

Scanned text comes from anyone: ``recognise`` answers every string (NUL, lone surrogates, a
megabyte of digits) with a payload and never raises. A receipt link is ours only on the agency's
configured public address, which the caller passes in; digits are ASCII digits only.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from .codes import CapabilityLink, parse_capability_url, parse_dossier_code
from .i18n import tr
from .identity import InvalidValue, parse_cccd
from .text import clean


class PayloadKind(str, enum.Enum):
    RECEIPT_LINK = "receipt_link"   # the receipt's QR: dossier code and capability key
    DOSSIER_CODE = "dossier_code"   # the receipt's barcode, or a code typed by staff
    ID_CARD = "id_card"             # the QR on a chip citizen ID card (CCCD gắn chip)
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class IdCard:
    """The fields of a chip ID card's QR: ``CCCD|CMND|name|ddmmyyyy|gender|address|ddmmyyyy``."""

    id_number: str          # the 12-digit CCCD number
    old_id_number: str      # the 9-digit CMND it replaced, or ""
    name: str
    birth_date: date
    gender: str             # as printed: "Nam" or "Nữ"
    male: bool
    address: str
    issued_on: date | None

    @property
    def birth_date_text(self) -> str:
        """dd/mm/yyyy, the way the intake form takes dates."""
        return self.birth_date.strftime("%d/%m/%Y")


@dataclass(frozen=True)
class Payload:
    kind: PayloadKind
    text: str
    link: CapabilityLink | None = None
    dossier_code: str | None = None
    id_card: IdCard | None = None

    @property
    def message(self) -> str:
        """One plain Vietnamese sentence saying what was scanned, for a status line or the kiosk."""
        if self.kind is PayloadKind.RECEIPT_LINK:
            return tr("Mã QR trên giấy tiếp nhận hồ sơ {code}.").format(code=self.dossier_code)
        if self.kind is PayloadKind.DOSSIER_CODE:
            return tr("Mã hồ sơ {code}.").format(code=self.dossier_code)
        if self.kind is PayloadKind.ID_CARD:
            return tr("Mã QR trên căn cước công dân.")
        return not_ours()


def not_ours() -> str:
    return tr("Mã này không phải mã trên giấy tiếp nhận hồ sơ hay căn cước công dân.")


_DDMMYYYY = re.compile(r"[0-9]{8}")  # ASCII digits: \d would take Arabic-Indic or full-width ones
_GENDERS = {"nam": True, "nữ": False, "nu": False, "male": True, "female": False}
# letters (any script's: "Nguyễn", "H'Hen Niê"), spaces, apostrophes and hyphens; no digits
_NAME = re.compile(r"[^\W\d_]+(?:[ '-][^\W\d_]+)*")
MAX_TEXT = 2000  # a chip ID card's QR is under 400 characters, a receipt link under 200


def _plain_text(text: str) -> bool:
    """No control characters, lone surrogates, invisible format characters or unassigned code
    points, and no digits but ASCII ones: nothing a real card or receipt carries."""
    for c in text:
        if c.isascii():
            if c < " " or c == "\x7f":
                return False
            continue
        if c.isdigit() or unicodedata.category(c) in ("Cc", "Cs", "Cf", "Co", "Cn"):
            return False
    return True


def _date(text: str) -> date | None:
    if not _DDMMYYYY.fullmatch(text):
        return None
    try:
        return date(int(text[4:]), int(text[2:4]), int(text[:2]))
    except ValueError:
        return None


def parse_id_card_qr(text: str) -> IdCard | None:
    """The card's fields if ``text`` is a chip ID card's QR whose parts agree; else ``None``.

    The CCCD number encodes the province of birth, the century and sex, and the year of
    birth: all must match the other fields, so a misread or a made-up text is refused.
    """
    if not isinstance(text, str) or len(text) > MAX_TEXT or not _plain_text(text):
        return None
    parts = [clean(p) for p in text.strip().split("|")]
    # Cards issued since 2024 append further fields; the first seven keep their meaning.
    if len(parts) < 7:
        return None
    number, old, name, birth, gender, address, issued = parts[:7]
    if not re.fullmatch(r"[0-9]{12}", number) or (old and not re.fullmatch(r"[0-9]{9}", old)):
        return None
    try:
        info = parse_cccd(number)
    except InvalidValue:
        return None
    born = _date(birth)
    male = _GENDERS.get(gender.lower())
    if born is None or male is None or not address or not (2 <= len(name) <= 100 and _NAME.fullmatch(name)):
        return None
    if info.century + info.birth_year_short != born.year or info.male != male:
        return None
    issued_on = _date(issued) if issued else None
    if issued and issued_on is None:
        return None
    if issued_on is not None and issued_on < born:
        return None
    return IdCard(number, old, name, born, gender, male, address, issued_on)


def recognise(text: str, *, public_base_url: str | None) -> Payload:
    """Say what a scanned text is; any text gets an answer, never an exception.

    ``public_base_url`` is the agency's configured public address (``Agency.public_base_url``):
    a receipt link counts only on exactly that origin; with none configured, no link does.
    """
    if not isinstance(text, str):
        return Payload(PayloadKind.UNKNOWN, "")
    raw = text.strip().lstrip("\ufeff").strip()  # some scanners send a byte order mark first
    if len(raw) > MAX_TEXT or not _plain_text(raw):
        return Payload(PayloadKind.UNKNOWN, raw[:MAX_TEXT])
    if public_base_url:
        link = parse_capability_url(raw, public_base_url)
        if link is not None:
            return Payload(PayloadKind.RECEIPT_LINK, raw, link=link, dossier_code=link.code)
    code = parse_dossier_code(raw)
    if code is not None:
        return Payload(PayloadKind.DOSSIER_CODE, raw, dossier_code=str(code))
    card = parse_id_card_qr(raw)
    if card is not None:
        return Payload(PayloadKind.ID_CARD, raw, id_card=card)
    return Payload(PayloadKind.UNKNOWN, raw)


def mask_name(name: str) -> str:
    """Hide a name from passers-by: "Nguyễn Văn A" -> "Nguyễn V** A".

    The family name and the given name stay; every middle name keeps only its first letter,
    followed by two stars whatever its length.
    """
    words = clean(name).split(" ")
    if len(words) <= 2:
        return " ".join(words)
    return " ".join([words[0]] + [w[0] + "**" for w in words[1:-1]] + [words[-1]])
