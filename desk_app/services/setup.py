"""First start: the agency's details, the admin account, the holiday table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..domain.calendar import seed_from_holidays_package
from ..domain.codes import check_agency_code
from ..domain.i18n import tr
from ..domain.identity import InvalidValue
from ..domain.roles import Role
from ..domain.text import clean
from ..storage import repositories as repo
from ..storage.models import Agency, Holiday, Unit
from . import auth
from .context import CurrentUser, DeskContext, ServiceError


@dataclass(frozen=True)
class AgencyInput:
    code: str
    name: str
    parent_name: str
    place: str
    address: str
    public_base_url: str


def is_configured(ctx: DeskContext) -> bool:
    with ctx.db.session(write=False) as s:
        return repo.get_agency(s) is not None


def check_agency(a: AgencyInput) -> dict[str, str]:
    errors = {}
    try:
        check_agency_code(a.code)
    except InvalidValue as e:
        errors["code"] = str(e)
    if len(clean(a.name)) < 3:
        errors["name"] = tr("Chưa nhập tên cơ quan.")
    if len(clean(a.address)) < 5:
        errors["address"] = tr("Chưa nhập địa chỉ cơ quan.")
    url = a.public_base_url.strip()
    if not (url.startswith("https://") or url.startswith("http://")) or "." not in url and "localhost" not in url:
        errors["public_base_url"] = tr("Địa chỉ máy chủ trung tâm phải bắt đầu bằng https://")
    return errors


def configure(ctx: DeskContext, agency: AgencyInput, admin_username: str, admin_name: str,
              admin_password: str) -> CurrentUser:
    """Record the agency and create the first admin; refuses if already configured."""
    errors = check_agency(agency)
    if errors:
        raise ServiceError(" ".join(errors.values()))
    with ctx.db.session() as s:
        if repo.get_agency(s) is not None:
            raise ServiceError(tr("Cơ quan đã được thiết lập."))
        s.add(Agency(code=check_agency_code(agency.code), name=clean(agency.name),
                     parent_name=clean(agency.parent_name), place=clean(agency.place),
                     address=clean(agency.address), public_base_url=agency.public_base_url.strip().rstrip("/")))
        s.add(Unit(code="MOTCUA", name=tr("Bộ phận Một cửa"), kind="counter"))
        seed_holidays(s, ctx.clock().year)
    ctx.invalidate_calendar()
    return auth.create_user(ctx, admin_username, admin_name, Role.ADMIN, admin_password)


def seed_holidays(session, year: int) -> None:
    """Fill the holiday table from the ``holidays`` package (years around ``year``), keeping edits."""
    off, work = seed_from_holidays_package(range(year - 4, year + 3))
    existing = {h.day for h in repo.holidays(session)}
    for day, name in off.items():
        if day not in existing:
            session.add(Holiday(day=day, kind="off", name=name, source="package"))
    for day, name in work.items():
        if day not in existing:
            session.add(Holiday(day=day, kind="work", name=name, source="package"))


def set_holiday(ctx: DeskContext, day: date, kind: str, name: str) -> None:
    """Add or change a day off or a swapped working day (the government decides each year)."""
    if kind not in ("off", "work"):
        raise ServiceError(tr("Loại ngày phải là ngày nghỉ hoặc ngày làm bù."))
    with ctx.db.session() as s:
        h = s.get(Holiday, day)
        if h is None:
            s.add(Holiday(day=day, kind=kind, name=clean(name), source="user"))
        else:
            h.kind, h.name, h.source = kind, clean(name), "user"
    ctx.invalidate_calendar()


def remove_holiday(ctx: DeskContext, day: date) -> None:
    with ctx.db.session() as s:
        h = s.get(Holiday, day)
        if h is not None:
            s.delete(h)
    ctx.invalidate_calendar()


def agency(ctx: DeskContext) -> AgencyInput | None:
    """The agency's details as recorded (None before the first start's setup)."""
    with ctx.db.session(write=False) as s:
        a = repo.get_agency(s)
        if a is None:
            return None
        return AgencyInput(a.code, a.name, a.parent_name, a.place, a.address, a.public_base_url)
