"""Desks: one-time enrolment codes, enrolment, token checks and revocation."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from desk_app.domain.codes import AGENCY_CODE
from desk_app.domain.i18n import tr

from .errors import ApiError
from .models import Desk, EnrolmentCode
from .schemas import UNIT
from .security import DeskIdentity, new_enrolment_code, new_token, normalise_code, sha256_hex

_UNIT = re.compile(UNIT)
SEEN_EVERY = timedelta(seconds=60)


def create_enrolment_code(session: Session, desk_name: str, agency_code: str, units: list[str],
                          scope: str, now: datetime, hours: int,
                          readmit_desk_id: str | None = None) -> tuple[str, datetime]:
    """A new one-time code; only its hash is kept, so show it to the admin now or never.

    A plain code enrols a new desk. To re-admit a desk already known (a new machine, a
    revoked desk let back in), the admin names it: ``readmit_desk_id``; only that code may
    re-enrol that desk id."""
    agency_code = agency_code.strip().upper()
    if not AGENCY_CODE.match(agency_code):
        raise ApiError(422, "invalid_request", tr("Mã định danh cơ quan phải có dạng XXX.YY.ZZ.Hnn."))
    units = [u.strip().upper() for u in units if u.strip()]
    if not units or not all(_UNIT.match(u) for u in units):
        raise ApiError(422, "invalid_request", tr("Danh sách đơn vị của quầy không hợp lệ."))
    if scope not in ("units", "agency"):
        raise ApiError(422, "invalid_request", tr("Phạm vi phải là \"units\" hoặc \"agency\"."))
    if readmit_desk_id is not None:
        readmit_desk_id = readmit_desk_id.strip()
        known = session.get(Desk, readmit_desk_id)
        if known is None:
            raise ApiError(404, "unknown_desk", tr("Không có quầy {desk}.").format(desk=readmit_desk_id))
        if known.agency_code != agency_code:
            raise ApiError(409, "desk_id_taken",
                           tr("Mã quầy {desk} đã được dùng cho cơ quan khác.").format(desk=readmit_desk_id))
    code = new_enrolment_code()
    expires = now + timedelta(hours=hours)
    session.add(EnrolmentCode(code_hash=sha256_hex(normalise_code(code)), desk_name=desk_name.strip(),
                              agency_code=agency_code, units=units, scope=scope, created_at=now,
                              expires_at=expires, readmit_desk_id=readmit_desk_id))
    return code, expires


def enrol(session: Session, code: str, desk_id: str, desk_name: str | None, now: datetime,
          agency_code: str | None = None) -> tuple[str, Desk]:
    """Exchange a one-time code for the desk's token (kept hashed). A desk enrolled before may
    enrol again only with a code the admin made for it (``readmit_desk_id``): its old token
    stops working."""
    refused = ApiError(403, "enrolment_refused",
                       tr("Mã đăng ký không đúng, đã được dùng hoặc đã hết hạn. Xin quản trị viên mã mới."))
    h = sha256_hex(normalise_code(code))
    meant = session.scalar(select(EnrolmentCode.agency_code).where(EnrolmentCode.code_hash == h))
    if meant is not None and agency_code and agency_code.strip().upper() != meant:
        raise ApiError(409, "agency_mismatch", tr("Mã đăng ký này dành cho cơ quan {meant}, không phải {agency}; "
                                                  "mã vẫn còn hiệu lực.").format(meant=meant, agency=agency_code))
    # Take the code atomically: of two desks racing with one code, one gets it.
    taken = session.execute(update(EnrolmentCode).where(
        EnrolmentCode.code_hash == h, EnrolmentCode.used_at.is_(None), EnrolmentCode.expires_at > now)
        .values(used_at=now, used_by=desk_id))
    if taken.rowcount != 1:
        raise refused
    row = session.get(EnrolmentCode, h)
    desk = session.get(Desk, desk_id)
    # A plain code enrols a new desk only; re-admitting one needs the code the admin made for it.
    # (The refusals roll the transaction back: the code stays unused.)
    if row.readmit_desk_id is not None and row.readmit_desk_id != desk_id:
        raise ApiError(409, "readmit_other_desk",
                       tr("Mã đăng ký này dành để cấp lại quyền cho quầy {desk}, không phải {other}.").format(
                           desk=row.readmit_desk_id, other=desk_id))
    if desk is not None and row.readmit_desk_id != desk_id:
        raise ApiError(409, "desk_exists",
                       tr("Quầy {desk} đã đăng ký với máy chủ. Mã đăng ký chỉ dùng cho quầy mới; để cấp lại "
                          "quyền cho quầy này, quản trị viên phải tạo mã ghi rõ mã quầy "
                          "(desk-app server enrolment-code --readmit {desk}).").format(desk=desk_id))
    if desk is not None and desk.agency_code != row.agency_code:
        raise ApiError(409, "desk_id_taken",
                       tr("Mã quầy {desk} đã được dùng cho cơ quan khác.").format(desk=desk_id))
    token = new_token()
    if desk is None:
        desk = Desk(id=desk_id, name=desk_name or row.desk_name, agency_code=row.agency_code,
                    units=list(row.units), scope=row.scope, token_hash=sha256_hex(token), enrolled_at=now)
        session.add(desk)
    else:
        desk.name, desk.units, desk.scope = desk_name or row.desk_name, list(row.units), row.scope
        desk.token_hash, desk.enrolled_at, desk.revoked_at = sha256_hex(token), now, None
    session.flush()
    return token, desk


def authenticate(session: Session, token: str, now: datetime) -> DeskIdentity:
    desk = session.scalars(select(Desk).where(Desk.token_hash == sha256_hex(token))).first()
    if desk is None:
        raise ApiError(401, "unauthorized", tr("Mã xác thực của quầy không đúng. Hãy đăng ký lại quầy với máy chủ."),
                       headers={"WWW-Authenticate": "Bearer"})
    if desk.revoked_at is not None:
        raise ApiError(403, "desk_revoked",
                       tr("Quầy {desk} đã bị thu hồi quyền kết nối máy chủ. Liên hệ quản trị viên.").format(desk=desk.id))
    return DeskIdentity(desk.id, desk.name, desk.agency_code, tuple(desk.units), desk.scope)


def needs_seen_update(session: Session, desk_id: str, now: datetime) -> bool:
    seen = session.scalar(select(Desk.last_seen_at).where(Desk.id == desk_id))
    return seen is None or now - seen > SEEN_EVERY


def touch(session: Session, desk_id: str, now: datetime) -> None:
    session.execute(update(Desk).where(Desk.id == desk_id).values(last_seen_at=now))


def revoke(session: Session, desk_id: str, now: datetime) -> Desk:
    desk = session.get(Desk, desk_id)
    if desk is None:
        raise ApiError(404, "unknown_desk", tr("Không có quầy {desk}.").format(desk=desk_id))
    if desk.revoked_at is None:
        desk.revoked_at = now
    return desk


def all_desks(session: Session) -> list[Desk]:
    return list(session.scalars(select(Desk).order_by(Desk.agency_code, Desk.id)))
