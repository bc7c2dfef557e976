"""The administrator's screen: units, people and roles, workflows, settings, holidays, the agency."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate, Qt

from desk_app.domain.roles import Role
from desk_app.services import admin, auth, settings, setup, workflow
from desk_app.services.context import ServiceError
from desk_app.services.workflow import WorkflowStep
from desk_app.ui.admin.panel import AdminPanel

from .conftest import PASSWORD, show_active
from .offices import clock, office, office_template  # noqa: F401 - fixtures


@pytest.fixture
def panel(qtbot, office, runner):
    widget = AdminPanel(office.ctx, office.admin, runner)
    qtbot.addWidget(widget)
    widget.resize(1400, 820)
    show_active(qtbot, widget)
    return widget


def click(qtbot, page, button_text: str) -> None:
    from PySide6.QtWidgets import QPushButton
    button = next(b for b in page.findChildren(QPushButton) if b.text() == button_text)
    with qtbot.waitSignal(page.changed, timeout=5000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def select(page, predicate) -> None:
    for row in range(page.model.rowCount()):
        if predicate(page.model.record(row)):
            page.table.selectRow(row)
            return
    raise AssertionError("no such row")


def test_units(qtbot, panel, office):
    page = panel.units
    assert {u.code for u in page.model.records()} == {"MOTCUA", "CAX", "STP"}
    page.code.setText("sxd")
    page.name.setText("Sở Xây dựng")
    click(qtbot, page, "Lưu đơn vị")
    assert ("SXD", "Sở Xây dựng", "department") in {(u.code, u.name, u.kind) for u in admin.units(office.ctx)}
    assert page.banner.text() == "Đã lưu đơn vị Sở Xây dựng (SXD)."
    # the new unit is offered at once where people and routes are chosen
    assert panel.people.new_unit.findData("SXD") >= 0 and panel.workflows.unit.findData("SXD") >= 0
    select(page, lambda u: u.code == "STP")
    assert page.name.text() == "Sở Tư pháp"
    page.name.setText("Sở Tư pháp tỉnh Thanh Hóa")
    click(qtbot, page, "Lưu đơn vị")
    assert next(u.name for u in admin.units(office.ctx) if u.code == "STP") == "Sở Tư pháp tỉnh Thanh Hóa"


def test_people_add_change_lock_reset(qtbot, panel, office):
    page = panel.people
    page.username.setText("cv.xaydung")
    page.full_name.setText("Trịnh Thị Phương Thảo")
    page.new_role.setCurrentIndex(page.new_role.findData(Role.SPECIALIST))
    page.new_unit.setCurrentIndex(page.new_unit.findData("STP"))
    page.password.setText("matkhau-moi-2026")
    click(qtbot, page, "Thêm cán bộ")
    person = next(p for p in admin.people(office.ctx) if p.username == "cv.xaydung")
    assert (person.full_name, person.role, person.unit_code) == ("Trịnh Thị Phương Thảo", Role.SPECIALIST, "STP")
    assert page.password.text() == ""

    select(page, lambda p: p.username == "cv.xaydung")
    assert page.edit_box.isEnabled() and page.selected.text() == "Trịnh Thị Phương Thảo (cv.xaydung)"
    page.role.setCurrentIndex(page.role.findData(Role.SUPERVISOR))
    page.unit.setCurrentIndex(page.unit.findData("CAX"))
    click(qtbot, page, "Lưu vai trò, đơn vị")
    person = next(p for p in admin.people(office.ctx) if p.username == "cv.xaydung")
    assert (person.role, person.unit_code) == (Role.SUPERVISOR, "CAX")

    click(qtbot, page, "Khóa tài khoản")
    assert not next(p for p in admin.people(office.ctx) if p.username == "cv.xaydung").active
    assert page.lock_button.text() == "Mở khóa tài khoản"
    assert page.model.index(page.table.currentIndex().row(), 4).data() == "Đã khóa"
    with pytest.raises(ServiceError):
        auth.login(office.ctx, "cv.xaydung", "matkhau-moi-2026")
    click(qtbot, page, "Mở khóa tài khoản")
    page.new_password.setText("doi-mat-khau-2026")
    click(qtbot, page, "Đặt lại mật khẩu")
    assert auth.login(office.ctx, "cv.xaydung", "doi-mat-khau-2026").role is Role.SUPERVISOR


def test_people_refusals_are_shown(qtbot, panel, office):
    page = panel.people
    select(page, lambda p: p.username == "admin")
    from PySide6.QtWidgets import QPushButton
    lock = next(b for b in page.findChildren(QPushButton) if b.text() == "Khóa tài khoản")
    qtbot.mouseClick(lock, Qt.MouseButton.LeftButton)
    assert page.banner.kind == "error" and page.banner.text() == "Không thể tự khóa tài khoản đang dùng."
    page.new_password.setText("ngan")
    qtbot.mouseClick(next(b for b in page.findChildren(QPushButton) if b.text() == "Đặt lại mật khẩu"),
                     Qt.MouseButton.LeftButton)
    assert page.banner.text() == "Mật khẩu phải có ít nhất 8 ký tự."
    assert auth.login(office.ctx, "admin", PASSWORD).username == "admin"


def test_a_procedure_route(qtbot, panel, office):
    page = panel.workflows
    page.pick("1.004222")
    assert [(s.unit_code, s.hours) for s in page.steps] == [("CAX", 40), ("MOTCUA", 4)]
    assert page.total.text() == "Tổng thời gian: 44 giờ làm việc (khoảng 5,9 ngày làm việc)"
    page.unit.setCurrentIndex(page.unit.findData("STP"))
    page.hours.setValue(12)
    page.add_step()
    page.table.selectRow(2)
    page.move(-1)                                         # Sở Tư pháp before the return to the counter
    assert [s.unit_code for s in page.steps] == ["CAX", "STP", "MOTCUA"]
    assert page.model.index(1, 1).data() == "Sở Tư pháp" and page.model.index(1, 2).data() == "12"
    click(qtbot, page, "Lưu quy trình")
    assert workflow.get_workflow(office.ctx, "1.004222") == [
        WorkflowStep("CAX", 40), WorkflowStep("STP", 12), WorkflowStep("MOTCUA", 4)]
    page.table.selectRow(0)
    page.remove_step()
    click(qtbot, page, "Lưu quy trình")
    assert [s.unit_code for s in workflow.get_workflow(office.ctx, "1.004222")] == ["STP", "MOTCUA"]
    page.pick("1.001193")
    assert page.steps == [] and "chưa có quy trình" in page.total.text()


def test_settings(qtbot, panel, office):
    page = panel.settings
    assert page.value("working_periods") == "07:30-11:30, 13:30-17:00"
    page.set_field("working_periods", "07:00-11:30, 13:30-17:00")
    page.set_field("director_name", "Nguyễn Văn Thắng")
    page.set_field("paper_size", "A5")
    click(qtbot, page, "Lưu thiết lập")
    assert page.banner.text() == "Đã lưu 3 thiết lập."
    assert settings.get(office.ctx, "working_periods") == "07:00-11:30, 13:30-17:00"
    assert settings.get(office.ctx, "director_name") == "Nguyễn Văn Thắng"
    assert office.ctx.calendar().day_length().total_seconds() == 8 * 3600
    page.set_field("working_periods", "sáng 7 giờ")
    from PySide6.QtWidgets import QPushButton
    qtbot.mouseClick(next(b for b in page.findChildren(QPushButton) if b.text() == "Lưu thiết lập"),
                     Qt.MouseButton.LeftButton)
    assert page.banner.kind == "error" and "07:30-11:30" in page.banner.text()


def test_holidays(qtbot, panel, office):
    page = panel.holidays
    page.year.setValue(2026)
    days = {h.day: h for h in page.model.records()}
    assert date(2026, 9, 2) in days and date(2026, 11, 16) in days       # national, and the province's
    assert page.count.text().endswith("ngày làm bù")
    page.day.setDate(QDate(2026, 12, 26))                              # a Saturday made a working day
    page.kind.setCurrentIndex(page.kind.findData("work"))
    page.name.setText("Làm bù cho ngày nghỉ 31/12/2026")
    click(qtbot, page, "Thêm / cập nhật")
    assert office.ctx.calendar().is_working_day(date(2026, 12, 26))
    row = next(r for r in range(page.model.rowCount()) if page.model.record(r).day == date(2026, 12, 26))
    assert [page.model.index(row, c).data() for c in range(5)] == [
        "26/12/2026", "Thứ Bảy", "Ngày làm bù", "Làm bù cho ngày nghỉ 31/12/2026", "Nhập tay"]
    select(page, lambda h: h.day == date(2026, 11, 16))
    click(qtbot, page, "Xóa ngày đang chọn")
    assert office.ctx.calendar().is_working_day(date(2026, 11, 16))
    assert date(2026, 11, 16) not in {h.day for h in admin.holidays(office.ctx, 2026)}


def test_agency(qtbot, panel, office):
    page = panel.agency
    assert page.fields["code"].text() == "000.00.06.H56"
    page.fields["address"].setText("Số 35 Đại lộ Lê Lợi, phường Hạc Thành, tỉnh Thanh Hóa")
    click(qtbot, page, "Lưu thông tin cơ quan")
    assert setup.agency(office.ctx).address == "Số 35 Đại lộ Lê Lợi, phường Hạc Thành, tỉnh Thanh Hóa"
    page.fields["code"].setText("000.00.06")
    from PySide6.QtWidgets import QPushButton
    qtbot.mouseClick(next(b for b in page.findChildren(QPushButton) if b.text() == "Lưu thông tin cơ quan"),
                     Qt.MouseButton.LeftButton)
    assert page.banner.kind == "error" and "XXX.YY.ZZ.Hnn" in page.banner.text()


def test_admin_models(qtmodeltester, panel):
    panel.workflows.pick("1.004222")
    for page in (panel.units, panel.people, panel.workflows, panel.holidays):
        assert page.model.rowCount() > 0
        qtmodeltester.check(page.model)
