"""The admin's page of public announcements: publish, edit, withdraw."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QDateTime, Qt

from desk_app.services import announcements
from desk_app.ui.admin.panel import AdminPanel

from .conftest import show_active, type_text
from .offices import clock, office, office_template  # noqa: F401 - fixtures


@pytest.fixture
def page(qtbot, office, runner):
    panel = AdminPanel(office.ctx, office.admin, runner)
    qtbot.addWidget(panel)
    panel.resize(1400, 820)
    show_active(qtbot, panel)
    panel.tabs.setCurrentWidget(panel.announcements)
    yield panel.announcements   # the panel stays alive while the test runs


def save(qtbot, page) -> None:
    with qtbot.waitSignal(page.changed, timeout=3000):
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)


def test_publish_edit_and_withdraw(qtbot, page, office, clock):
    assert page.model.rowCount() == 0 and page.count.text() == "0 thông báo, 0 đang hiển thị"
    type_text(page.title, "Nghỉ tiếp nhận chiều thứ Sáu 13/11")
    page.body.setPlainText("Bộ phận Một cửa nghỉ chiều thứ Sáu để tập huấn.\nSáng vẫn làm việc bình thường.")
    page.fields.setText("Hộ tịch; Cư trú")
    page.procedures.setText("1.001193")
    save(qtbot, page)
    assert page.banner.kind == "ok" and page.banner.text() == "Đã đăng thông báo \"Nghỉ tiếp nhận chiều thứ Sáu 13/11\"."
    (a,) = announcements.listed(office.ctx, office.admin)
    assert (a.fields, a.procedures, a.valid_from, a.valid_until) == (
        ["Hộ tịch", "Cư trú"], ["1.001193"], clock.now, clock.now + timedelta(days=7))
    assert page.model.rowCount() == 1 and page.model.data(page.model.index(0, 3)) == "Đang hiển thị"
    assert page.model.data(page.model.index(0, 4)) == "Chờ gửi"

    page.table.selectRow(0)                         # the form shows it; the button says "save changes"
    assert page.title.text() == a.title and page.form_box.title() == "Sửa thông báo"
    page.has_end.setChecked(False)
    page.title.setText("Nghỉ tiếp nhận cả ngày thứ Sáu 13/11")
    save(qtbot, page)
    (edited,) = announcements.listed(office.ctx, office.admin)
    assert edited.id == a.id and edited.valid_until is None and edited.title.startswith("Nghỉ tiếp nhận cả ngày")
    assert page.model.data(page.model.index(0, 2)) == "Không thời hạn"

    page.table.selectRow(0)
    page.confirm_delete = lambda _a: True
    with qtbot.waitSignal(page.changed, timeout=3000):
        qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    assert announcements.listed(office.ctx, office.admin) == [] and page.model.rowCount() == 0


def test_refusals_are_said_on_the_page(qtbot, page, office, clock):
    page.title.setText("Thông báo")
    page.body.setPlainText("Nội dung")
    page.valid_until.setDateTime(QDateTime(2026, 11, 1, 8, 0, 0))      # before it starts
    page.procedures.setText("1.001193, 9.999999")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.banner.kind == "error"
    assert "Ngày hết hiệu lực phải sau ngày bắt đầu." in page.banner.text()
    assert "Không có thủ tục mã 9.999999 trong danh mục." in page.banner.text()
    assert announcements.listed(office.ctx, office.admin) == []
    page.confirm_delete = lambda _a: pytest.fail("nothing is selected")
    qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)  # disabled for a new one
    assert not page.delete_button.isEnabled()


def test_past_and_future_ones_are_marked(qtbot, page, office, clock):
    boss = office.admin
    for title, start, end in (("Đã qua", -10, -9), ("Sắp tới", 3, None)):
        announcements.save(office.ctx, boss, announcements.AnnouncementInput(
            title, "Nội dung", clock.now + timedelta(days=start), clock.now + timedelta(days=end) if end else None))
    page.reload()
    states = {page.model.record(r).title: page.model.data(page.model.index(r, 3)) for r in range(page.model.rowCount())}
    assert states == {"Đã qua": "Hết hiệu lực", "Sắp tới": "Chưa đến ngày"}
    assert page.count.text() == "2 thông báo, 0 đang hiển thị"

