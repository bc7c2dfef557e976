"""Administration: units, people and roles, the agency's data, the holiday table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..domain.codes import check_agency_code
from ..domain.i18n import tr
from ..domain.roles import Action, Role
from ..domain.text import clean
from ..storage import repositories as repo
from ..storage.models import Unit, User
from . import auth, setup
from .context import CurrentUser, DeskContext, ServiceError, require


@dataclass(frozen=True)
class UnitView:
    id: int
    code: str
    name: str
    kind: str


@dataclass(frozen=True)
class PersonView:
    username: str
    full_name: str
    role: Role
    unit_code: str | None
    active: bool


@dataclass(frozen=True)
class HolidayView:
    day: date
    kind: str
    name: str
    source: str


def units(ctx: DeskContext) -> list[UnitView]:
    with ctx.db.session(write=False) as s:
        return [UnitView(u.id, u.code, u.name, u.kind) for u in s.scalars(select(Unit).order_by(Unit.kind, Unit.name))]


def save_unit(ctx: DeskContext, user: CurrentUser, code: str, name: str, kind: str = "department") -> UnitView:
    require(user, Action.MANAGE_UNITS)
    code, name = clean(code).upper(), clean(name)
    if not code or not name:
        raise ServiceError(tr("Cần nhập mã và tên đơn vị."))
    if kind not in ("counter", "department"):
        raise ServiceError(tr("Loại đơn vị không hợp lệ."))
    with ctx.db.session() as s:
        u = repo.unit_by_code(s, code)
        if u is None:
            u = Unit(code=code, name=name, kind=kind)
            s.add(u)
        else:
            u.name, u.kind = name, kind
        s.flush()
        return UnitView(u.id, u.code, u.name, u.kind)


def people(ctx: DeskContext) -> list[PersonView]:
    with ctx.db.session(write=False) as s:
        codes = {u.id: u.code for u in s.scalars(select(Unit))}
        # people who acted at other desks are copied here with an unusable password ("!")
        # so histories can name them; they are not this desk's accounts to manage
        return [PersonView(u.username, u.full_name, Role(u.role), codes.get(u.unit_id), u.active)
                for u in s.scalars(select(User).where(User.password_hash != "!").order_by(User.full_name))]


def add_person(ctx: DeskContext, user: CurrentUser, username: str, full_name: str, role: Role,
               password: str, unit_code: str | None = None) -> CurrentUser:
    require(user, Action.MANAGE_USERS)
    unit_id = None
    if unit_code:
        with ctx.db.session(write=False) as s:
            u = repo.unit_by_code(s, unit_code)
            if u is None:
                raise ServiceError(tr("Không có đơn vị {unit}.").format(unit=unit_code))
            unit_id = u.id
    return auth.create_user(ctx, username, full_name, role, password, unit_id)


def update_person(ctx: DeskContext, user: CurrentUser, username: str, role: Role | None = None,
                  unit_code: str | None = None, active: bool | None = None,
                  new_password: str | None = None) -> None:
    require(user, Action.MANAGE_USERS)
    with ctx.db.session() as s:
        u = repo.user_by_username(s, username)
        if u is None:
            raise ServiceError(tr("Không có tài khoản {user}.").format(user=username))
        if role is not None:
            u.role = role.value
        if unit_code is not None:
            unit = repo.unit_by_code(s, unit_code) if unit_code else None
            if unit_code and unit is None:
                raise ServiceError(tr("Không có đơn vị {unit}.").format(unit=unit_code))
            u.unit_id = unit.id if unit else None
        if active is not None:
            if not active and u.username == user.username:
                raise ServiceError(tr("Không thể tự khóa tài khoản đang dùng."))
            u.active = active
            if active:
                u.failed_logins = 0
        if new_password is not None:
            auth.check_new_password(new_password)
            u.password_hash = auth.hash_password(new_password)
            u.failed_logins = 0


def holidays(ctx: DeskContext, year: int | None = None) -> list[HolidayView]:
    with ctx.db.session(write=False) as s:
        rows = repo.holidays(s)
        return [HolidayView(h.day, h.kind, h.name, h.source) for h in rows if year is None or h.day.year == year]


def set_holiday(ctx: DeskContext, user: CurrentUser, day: date, kind: str, name: str) -> None:
    require(user, Action.MANAGE_CALENDAR)
    setup.set_holiday(ctx, day, kind, name)


def remove_holiday(ctx: DeskContext, user: CurrentUser, day: date) -> None:
    require(user, Action.MANAGE_CALENDAR)
    setup.remove_holiday(ctx, day)


def update_agency(ctx: DeskContext, user: CurrentUser, agency: setup.AgencyInput) -> None:
    require(user, Action.MANAGE_AGENCY)
    errors = setup.check_agency(agency)
    if errors:
        raise ServiceError(" ".join(errors.values()))
    with ctx.db.session() as s:
        a = repo.get_agency(s)
        a.code, a.name, a.parent_name = check_agency_code(agency.code), clean(agency.name), clean(agency.parent_name)
        a.place, a.address = clean(agency.place), clean(agency.address)
        a.public_base_url = agency.public_base_url.strip().rstrip("/")
