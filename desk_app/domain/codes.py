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
# ASCII digits only ([0-9], not \d, which takes Arabic-Indic or full-width digits too), exactly
# four of them: ``format_dossier_code`` never writes a number above 9999. The central server
# hands ``.pattern`` to pydantic, so it keeps ``$``; the parsers below use ``fullmatch``, so a
# trailing newline does not slip through.
DOSSIER_CODE = re.compile(r"^(?P<agency>[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.H[0-9A-Z]{2})"
                          r"-(?P<day>[0-9]{6})-(?P<number>[0-9]{4})$")
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
    """The code in ``text`` (spaces around and lower case forgiven), or ``None``; never raises.

    ASCII only: ``str.upper`` turns some other letters into ASCII ones ("ı" into "I"), and
    ``int`` reads Arabic-Indic or full-width digits, so neither may see anything else.
    """
    if not isinstance(text, str) or len(text) > _MAX_CODE_TEXT:
        return None
    value = text.strip()
    if not value.isascii():
        return None
    m = DOSSIER_CODE.fullmatch(value.upper())
    if not m:
        return None
    d = m["day"]
    try:
        day = date(2000 + int(d[:2]), int(d[2:4]), int(d[4:6]))
    except ValueError:
        return None
    number = int(m["number"])
    if not 1 <= number <= 9999:
        return None
    return DossierCode(m["agency"], day, number)


_MAX_CODE_TEXT = 200  # a code is 27 characters; anything much longer is not one


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


class _AnyHost:
    def __repr__(self) -> str:
        return "ANY_HOST"


ANY_HOST = _AnyHost()
"""For ``parse_capability_url``: check the link's shape only, on whatever host. Only for links
this desk has just built itself (``capability_url`` of its own agency); never for scanned text."""

_MAX_URL = 1000
# A host as we write it: ASCII letters, digits, dots and hyphens, or a bracketed IPv6 address;
# then an optional port. No userinfo ("good.host@evil.example"), no percent-escapes, no
# backslashes, nothing a browser or a URL parser would read differently.
_NETLOC = re.compile(r"(?P<host>[a-z0-9](?:[a-z0-9.-]*[a-z0-9.])?|\[[0-9a-f:.]+\])(?::(?P<port>[1-9][0-9]{0,4}))?")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PATH = re.compile(r"/h/(?P<code>[^/?#]+)")


@dataclass(frozen=True)
class Origin:
    scheme: str
    host: str
    port: int
    path: str  # the base URL's path, without a trailing slash ("" for most)


def _ascii_lower(text: str) -> str:
    # str.lower maps some non-ASCII letters to ASCII ones (the Kelvin sign to "k"); this does not
    return text.translate(_LOWER)


_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


def _plain_ascii(text: str) -> bool:
    """Printable ASCII, no spaces or control characters, no backslash."""
    return text.isascii() and all("!" <= c <= "~" for c in text) and "\\" not in text


def _split(url: str):
    if not _plain_ascii(url) or len(url) > _MAX_URL:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    scheme = _ascii_lower(parts.scheme)
    if scheme not in _DEFAULT_PORTS:
        return None
    m = _NETLOC.fullmatch(_ascii_lower(parts.netloc))
    if not m:
        return None
    host = m["host"]
    if ".." in host or host.startswith("."):
        return None
    port = int(m["port"]) if m["port"] else _DEFAULT_PORTS[scheme]
    if port > 65535:
        return None
    return scheme, host, port, parts


def public_origin(public_base_url: str | None) -> Origin | None:
    """Where our receipt links live, from the agency's configured public address; ``None`` when
    none is configured or it is not a plain http(s) address (then no scanned link is ours)."""
    if not isinstance(public_base_url, str) or not public_base_url.strip():
        return None
    split = _split(public_base_url.strip())
    if split is None:
        return None
    scheme, host, port, parts = split
    if parts.query or parts.fragment:
        return None
    path = parts.path.rstrip("/")
    if path and not re.fullmatch(r"(/[A-Za-z0-9._~-]+)+", path):
        return None
    return Origin(scheme, host, port, path)


def parse_capability_url(url: str, public_base_url: str | None | _AnyHost = ANY_HOST) -> CapabilityLink | None:
    """Read a receipt link back; ``None`` when it is not one of ours. Never raises.

    ``public_base_url`` is the agency's configured public address: the link counts only if it
    is on exactly that origin (scheme, host, port) and under its path. A look-alike host (a
    Cyrillic "а", a punycode twin, "good.host@evil.example", a trailing dot, another port) is
    not ours; with no address configured (``None`` or ""), no link is. ``ANY_HOST`` checks the
    shape alone, for a link this desk built itself.
    """
    if not isinstance(url, str):
        return None
    split = _split(url.strip())
    if split is None:
        return None
    scheme, host, port, parts = split
    path = parts.path
    if not isinstance(public_base_url, _AnyHost):
        origin = public_origin(public_base_url)
        if origin is None or (scheme, host, port) != (origin.scheme, origin.host, origin.port):
            return None
        if not path.startswith(origin.path + "/h/"):
            return None
        path = path[len(origin.path):]
    else:
        # the shape alone: whatever base path the link was built on
        i = path.rfind("/h/")
        if i < 0:
            return None
        path = path[i:]
    m = _PATH.fullmatch(path)
    if m is None or parts.fragment:
        return None
    code = parse_dossier_code(m["code"])
    if code is None:
        return None
    keys = [value for name, _, value in (p.partition("=") for p in parts.query.split("&")) if name == "k"]
    if len(keys) != 1 or not KEY_PATTERN.fullmatch(keys[0]):
        return None
    return CapabilityLink(str(code), keys[0])
