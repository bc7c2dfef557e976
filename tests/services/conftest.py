"""A desk with units, a specialist and a leader in the land office, and a workflow."""

import pytest

from desk_app.domain.roles import Role
from desk_app.services import admin, auth
from desk_app.services.workflow import WorkflowStep, set_workflow


@pytest.fixture
def office(desk):
    admin_user = auth.login(desk, "admin", "matkhau-admin")
    admin.save_unit(desk, admin_user, "VPDKDD", "Văn phòng Đăng ký đất đai")
    admin.save_unit(desk, admin_user, "PTNMT", "Phòng Tài nguyên và Môi trường")
    desk.admin = admin_user
    desk.specialist = admin.add_person(desk, admin_user, "chuyenvien", "Phạm Quốc Bảo", Role.SPECIALIST,
                                       "matkhau-spec", "VPDKDD")
    desk.leader = admin.add_person(desk, admin_user, "lanhdao", "Hoàng Thị Lan Anh", Role.SUPERVISOR,
                                   "matkhau-lead", "VPDKDD")
    desk.clerk_at_counter = auth.login(desk, "tiepnhan", "matkhau-clerk")
    set_workflow(desk, admin_user, "1.012783", [WorkflowStep("VPDKDD", 16), WorkflowStep("MOTCUA", 4)])
    return desk
