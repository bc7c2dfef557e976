"""Desk tokens and enrolment codes (both kept only as SHA-256), and who is calling."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from desk_app.domain.i18n import tr

from .errors import ApiError

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A desk's bearer token: 256 random bits. Stored as SHA-256, which is enough for a
    random secret of this size (a password hash would only slow every request)."""
    return secrets.token_urlsafe(32)


def new_enrolment_code() -> str:
    """15 characters in 3 groups (75 bits), typed by a person; one use, expires."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(15))
    return "-".join(raw[i:i + 5] for i in range(0, 15, 5))


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def bearer(authorization: str | None) -> str:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise ApiError(401, "unauthorized", tr("Thiếu mã xác thực của quầy (Authorization: Bearer ...)."),
                       headers={"WWW-Authenticate": "Bearer"})
    return authorization[7:].strip()


def check_admin(authorization: str | None, admin_token: str) -> None:
    if not admin_token:
        raise ApiError(403, "admin_disabled",
                       tr("Chức năng quản trị qua mạng đang tắt; dùng lệnh desk-app server trên máy chủ."))
    if not hmac.compare_digest(sha256_hex(bearer(authorization)), sha256_hex(admin_token)):
        raise ApiError(403, "forbidden", tr("Mã quản trị không đúng."))


@dataclass(frozen=True)
class DeskIdentity:
    id: str
    name: str
    agency_code: str
    units: tuple[str, ...]
    scope: str

    @property
    def home_unit(self) -> str:
        return self.units[0]
