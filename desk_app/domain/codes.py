"""Agency codes, dossier codes and the capability link printed as the receipt's QR."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from .i18n import tr
from .identity import InvalidValue

AGENCY_CODE = re.compile(r"^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.H[0-9A-Z]{2}$")
DOSSIER_CODE = re.compile(r"^(?P<agency>[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.H[0-9A-Z]{2})"
                          r"-(?P<day>\d{6})-(?P<number>\d{4,})$")
KEY_BYTES = 16  # 128 bits: the design asks for at least 80
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{22,64}$")


def check_agency_code(code: str) -> str:
    value = (code or "").strip().upper()
    if not AGENCY_CODE.match(value):
        raise InvalidValue(tr("Mã định danh cơ quan phải có dạng XXX.YY.ZZ.Hnn, ví dụ 000.00.06.H56."))
    return value


def format_dossier_code(agency_code: str, day: date, number: int) -> str:
    if not 1 <= number <= 9999:
        raise ValueError("dossier number out of range for the day: %d" % number)
    return "%s-%s-%04d" % (agency_code, day.strftime("%y%m%d"), number)


@dataclass(frozen=True)
class DossierCode:
    agency: str
    day: date
    number: int

    def __str__(self) -> str:
        return format_dossier_code(self.agency, self.day, self.number)


def parse_dossier_code(text: str) -> DossierCode | None:
    m = DOSSIER_CODE.match((text or "").strip().upper())
    if not m:
        return None
    d = m["day"]
    try:
        day = date(2000 + int(d[:2]), int(d[2:4]), int(d[4:6]))
    except ValueError:
        return None
    return DossierCode(m["agency"], day, int(m["number"]))


def new_key() -> str:
    """A random capability key (URL-safe base64 of 128 random bits)."""
    return secrets.token_urlsafe(KEY_BYTES)


def capability_url(base_url: str, code: str, key: str) -> str:
    """The link printed as the receipt's QR: whoever holds it may see the dossier."""
    return "%s/h/%s?k=%s" % (base_url.rstrip("/"), code, key)


@dataclass(frozen=True)
class CapabilityLink:
    code: str
    key: str


def parse_capability_url(url: str) -> CapabilityLink | None:
    """Read a receipt link back; ``None`` when it is not one of ours in shape."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https"):
        return None
    m = re.search(r"/h/([^/?#]+)$", parts.path)
    if not m or not parse_dossier_code(m.group(1)):
        return None
    query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
    key = query.get("k", "")
    if not KEY_PATTERN.match(key):
        return None
    return CapabilityLink(m.group(1).upper(), key)
