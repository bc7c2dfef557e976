"""A desk with a department for the workflow screens: units, a specialist, a leader, a route, a holiday.

Built once per session from the GUI tests' desk template (password hashing is slow) and
copied for each test, like ``conftest.desk``.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest

from desk_app.domain.intake import IntakeInput, PersonInput
from desk_app.domain.roles import Role
from desk_app.services import admin, auth, intake, setup
from desk_app.services.context import CurrentUser, DeskContext, open_desk
from desk_app.services.workflow import WorkflowStep, set_workflow

from .conftest import PASSWORD

# Mon 16/11/2026 is made a day off by a provincial decision: the walk's dates step over it.
HOLIDAY = date(2026, 11, 16)


@dataclass
class Office:
    ctx: DeskContext
    admin: CurrentUser
    clerk: CurrentUser
    specialist: CurrentUser
    leader: CurrentUser
    other: CurrentUser      # a specialist of another unit


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="session")
def office_template(desk_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("office") / "desk"
    shutil.copytree(desk_template[0], folder)
    ctx = open_desk(folder)
    boss = auth.login(ctx, "admin", PASSWORD)
    admin.save_unit(ctx, boss, "CAX", "Công an xã Quảng Phú")
    admin.save_unit(ctx, boss, "STP", "Sở Tư pháp")
    people = dict(
        admin=boss, clerk=desk_template[1],
        specialist=admin.add_person(ctx, boss, "chuyenvien", "Phạm Quốc Bảo", Role.SPECIALIST, PASSWORD, "CAX"),
        leader=admin.add_person(ctx, boss, "lanhdao", "Hoàng Thị Lan Anh", Role.SUPERVISOR, PASSWORD, "CAX"),
        other=admin.add_person(ctx, boss, "cv.tuphap", "Đặng Minh Châu", Role.SPECIALIST, PASSWORD, "STP"))
    set_workflow(ctx, boss, "1.004222", [WorkflowStep("CAX", 40), WorkflowStep("MOTCUA", 4)])
    setup.set_holiday(ctx, HOLIDAY, "off", "Nghỉ theo quyết định của UBND tỉnh")
    ctx.db.dispose()
    return folder, people


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 10, 9, 30))


@pytest.fixture
def office(tmp_path: Path, office_template, clock) -> Office:
    shutil.copytree(office_template[0], tmp_path / "desk")
    ctx = open_desk(tmp_path / "desk", clock=clock)
    yield Office(ctx, **office_template[1])
    ctx.db.dispose()


def residence_form(name: str = "Trần Thị Bích Ngọc", cccd: str = "038190012345") -> IntakeInput:
    """Đăng ký thường trú: 7 working days."""
    owner = PersonInput(name=name, id_number=cccd, birth_date="12/03/1990", phone="0912 345 678",
                        address="Số 8 đường Lê Hoàn, phường Quảng Phú, tỉnh Thanh Hóa")
    return IntakeInput(procedure_code="1.004222", owner=owner,
                       components={"Tờ khai thay đổi thông tin cư trú (CT01)": 1})


def take_in(office: Office, **owner) -> str:
    return intake.save(office.ctx, office.clerk, residence_form(**owner), print_receipt=False).code


def dossier(office: Office, code: str):
    """The dossier's row as the services keep it (stage, holder, dates)."""
    from desk_app.storage import repositories as repo
    with office.ctx.db.session(write=False) as s:
        d = repo.dossier_by_code(s, code)
        s.expunge(d)
        return d
