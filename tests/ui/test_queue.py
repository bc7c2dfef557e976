"""The specialist's screen and the counter's steps: the whole walk of a dossier through the GUI.

Intake goes through the service; every later step is taken on screen (a button, an F-key,
a scan) and the services' state is checked after each one.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from desk_app.domain.dossier import EventKind, Status
from desk_app.services import counter, queues
from desk_app.ui.counter.panel import CounterPanel
from desk_app.ui.queue.panel import QueuePanel
from desk_app.ui.scanning import WedgeDetector

from .conftest import show_active
from .offices import clock, dossier, office, office_template, take_in  # noqa: F401 - fixtures


class Ticker:
    """A clock that moves ``step`` seconds each time it is read: a scanner's pace."""

    def __init__(self, step: float) -> None:
        self.step, self.t = step, 1000.0

    def __call__(self) -> float:
        self.t += self.step
        return self.t


def scan(widget, text: str) -> None:
    """A keyboard-wedge scanner typing ``text`` and Enter, through the application's event filters."""
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.instance().notify(widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier,
                                                             char))
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.instance().notify(widget, QKeyEvent(kind, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier))


def queue_panel(qtbot, office, user, runner, previews, wedge=None) -> QueuePanel:
    panel = QueuePanel(office.ctx, user, runner, preview=previews, wedge=wedge)
    qtbot.addWidget(panel)
    panel.resize(1400, 700)
    show_active(qtbot, panel)
    return panel


def counter_dialog(qtbot, office, runner, previews, code: str):
    """The clerk finds the dossier as a scanner would type its code into the search box, and opens it."""
    panel = CounterPanel(office.ctx, office.clerk, runner, preview=previews)
    qtbot.addWidget(panel)
    show_active(qtbot, panel)
    with qtbot.waitSignal(panel.dossier_opened, timeout=3000) as opened:
        qtbot.keyClicks(panel.search, code)
        qtbot.keyClick(panel.search, Qt.Key.Key_Return)
    return opened.args[0]


def take(qtbot, panel: QueuePanel, key: Qt.Key, code: str, **values):
    """Select the dossier, press the step's F-key, fill its form and confirm; wait for the step."""
    show_active(qtbot, panel)                               # the keys go to the window in front
    panel.refresh()
    assert panel.select(code)
    panel.current_table().setFocus()
    qtbot.keyClick(panel.current_table(), key)
    form = panel.flow.form
    assert form is not None and form.isVisible()
    for name, value in values.items():
        form.set_value(name, value)
    with qtbot.waitSignal(panel.step_done, timeout=3000) as done:
        qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
    assert panel.flow.form is None
    return done.args[1]


def press(qtbot, dialog, key: str, **values):
    """Click one of the counter's step buttons in the dossier dialog, fill its form, confirm."""
    actions = dialog.actions
    assert actions.buttons[key].isEnabled(), key
    with qtbot.waitSignal(actions.step_done, timeout=3000) as done:
        qtbot.mouseClick(actions.buttons[key], Qt.MouseButton.LeftButton)
        form = actions.flow.form                    # steps with inputs ask them first
        if form is not None:
            for name, value in values.items():
                form.set_value(name, value)
            qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
    return done.args[1]


def test_the_whole_walk_through_the_gui(qtbot, office, clock, runner, previews, error_boxes):
    o = office
    code = take_in(o)                                   # Tue 10/11/2026 09:30, 7 working days
    assert dossier(o, code).due_at == datetime(2026, 11, 20, 9, 30)   # skipping the weekend and Mon 16/11

    # 1. The counter transfers it from the dossier dialog; the control slip comes up for printing.
    clock.now = datetime(2026, 11, 10, 10, 0)
    dialog = counter_dialog(qtbot, o, runner, previews, code)
    qtbot.mouseClick(dialog.actions.buttons["transfer"], Qt.MouseButton.LeftButton)
    assert dialog.actions.flow.form.values()["unit"] == "CAX"      # the procedure's route says where
    with qtbot.waitSignal(dialog.actions.step_done, timeout=3000):
        qtbot.mouseClick(dialog.actions.flow.form.ok_button, Qt.MouseButton.LeftButton)
    d = dossier(o, code)
    assert d.stage == "transferring" and d.status == Status.PROCESSING.value
    assert previews.paths[-1].exists() and previews.paths[-1].suffix == ".pdf"
    assert dialog.actions.banner.text() == "Đã chuyển hồ sơ %s đến Công an xã Quảng Phú." % code
    assert not dialog.actions.buttons["transfer"].isEnabled()      # on its way: nothing to transfer
    dialog.close()

    # 2. The specialist scans the receipt's QR on arrival: received into the unit, said with the time.
    clock.now = datetime(2026, 11, 10, 10, 30)
    link = counter.details(o.ctx, code).capability_url
    wedge = WedgeDetector(max_gap_ms=40, min_length=6, clock=Ticker(0.004))
    specialist = queue_panel(qtbot, o, o.specialist, runner, previews, wedge)
    with qtbot.waitSignal(specialist.step_done, timeout=3000):
        scan(specialist.current_table(), link)
    assert specialist.banner.text() == "Đã nhận hồ sơ %s lúc 10:30." % code
    d = dossier(o, code)
    assert (d.stage, d.holder_user) == ("in_unit", "chuyenvien")
    assert specialist.current_row().code == code
    assert not error_boxes.shown
    specialist.close()                                  # hidden, the panel stops listening to the scanner
    specialist = queue_panel(qtbot, o, o.specialist, runner, previews)

    # 3. The leader assigns it (F3) to the specialist.
    clock.now = datetime(2026, 11, 10, 11, 0)
    leader = queue_panel(qtbot, o, o.leader, runner, previews)
    take(qtbot, leader, Qt.Key.Key_F3, code, to="chuyenvien")
    assert [r.code for r in queues.my_queue(o.ctx, o.specialist)] == [code]
    assert dossier(o, code).stage == "assigned"

    # 4. Thu 12/11 09:00: the specialist asks for a supplement (F5); the clock stops, Mẫu 02 prints.
    clock.now = datetime(2026, 11, 12, 9, 0)
    printed = len(previews.paths)
    take(qtbot, specialist, Qt.Key.Key_F5, code, reason="Thiếu giấy tờ chứng minh chỗ ở hợp pháp",
         missing=["Hợp đồng thuê nhà có công chứng", "Giấy xác nhận của chủ hộ"])
    assert dossier(o, code).status == Status.SUPPLEMENT_REQUESTED.value
    assert len(previews.paths) == printed + 1 and not specialist.warning.isVisible()

    # 5. Tue 17/11 09:00: the citizen brings the papers to the counter; the clock resumes.
    # Paused: Thu 6 h + Fri 7.5 h + (Mon 16/11 off) + Tue 1.5 h = 15 working hours. The due date
    # Fri 20/11 09:30 moves 15 h: Fri 5.5 h, Mon 23/11 7.5 h, (Tue 24/11 is Ngày Văn hóa Việt Nam,
    # a day off), Wed 25/11 2 h -> Wed 25/11 09:30.
    clock.now = datetime(2026, 11, 17, 9, 0)
    dialog = counter_dialog(qtbot, o, runner, previews, code)
    press(qtbot, dialog, "record_supplement", note="Hợp đồng thuê nhà, giấy xác nhận của chủ hộ")
    d = dossier(o, code)
    assert d.due_at == datetime(2026, 11, 25, 9, 30) and d.appointment_at == d.due_at
    assert d.status == Status.PROCESSING.value and d.stage == "assigned"
    assert "25/11/2026" in dialog.actions.banner.text()
    dialog.close()

    # 6. Mon 23/11: the leader sees it will be late: apology letter with a new appointment (F8).
    clock.now = datetime(2026, 11, 23, 9, 0)
    take(qtbot, leader, Qt.Key.Key_F8, code, reason="Cần xác minh thêm nơi ở tại địa phương",
         new_due=datetime(2026, 11, 27, 14, 0))
    d = dossier(o, code)
    assert d.appointment_at == datetime(2026, 11, 27, 14, 0) and d.due_at == datetime(2026, 11, 25, 9, 30)
    assert "14:00, 27/11/2026" in leader.banner.text()
    assert counter.details(o.ctx, code).history[-2].kind is EventKind.APPOINTMENT_MOVED  # then its letter printed
    assert counter.details(o.ctx, code).history[-1].kind is EventKind.FORM_PRINTED

    # 7. Thu 26/11 10:00: the result is ready (F6), a day before the apology's new date but after
    # the legal appointment (Wed 25/11 09:30): late, as the national statistics judge it. No date
    # is rewritten: the citizen reads "result ready since 26/11 10:00".
    clock.now = datetime(2026, 11, 26, 10, 0)
    r = take(qtbot, specialist, Qt.Key.Key_F6, code)
    assert r.status is Status.RESULT_READY and r.finished_at == datetime(2026, 11, 26, 10, 0)
    assert r.appointment_at == datetime(2026, 11, 27, 14, 0) and r.due_at == datetime(2026, 11, 25, 9, 30)
    assert "Trễ hạn" in specialist.banner.text()

    # 8. It stays in the specialist's lists until sent back to the counter (F7, the counter by default).
    clock.now = datetime(2026, 11, 26, 11, 0)
    specialist.refresh()
    assert specialist.select(code) and specialist.current_row().stage == "result_unit"
    take(qtbot, specialist, Qt.Key.Key_F7, code)
    d = dossier(o, code)
    assert (d.stage, d.status) == ("result_transit", Status.RESULT_READY.value)
    specialist.refresh()
    assert not specialist.select(code)

    # 9. 14:00: the counter receives the result, then (10.) hands it to a proxy with an authorisation.
    clock.now = datetime(2026, 11, 26, 14, 0)
    dialog = counter_dialog(qtbot, o, runner, previews, code)
    assert not dialog.actions.buttons["return"].isEnabled()
    assert dialog.actions.buttons["receive"].text() == "Nhận kết quả"
    press(qtbot, dialog, "receive")
    assert dossier(o, code).stage == "result"
    assert [q.code for q in queues.rows(o.ctx, o.clerk, queues.Filter(queues.Queue.RESULT_AT_COUNTER))] == [code]
    clock.now = datetime(2026, 11, 27, 8, 0)
    press(qtbot, dialog, "return", received_by="proxy", proxy_name="Trần Văn Nam", proxy_id="038085001111",
          authorisation="Giấy ủy quyền số 12/2026 ngày 25/11/2026")
    d = dossier(o, code)
    assert d.status == Status.RETURNED.value and d.returned_at == datetime(2026, 11, 27, 8, 0)
    assert dialog.details.summary.status is Status.RETURNED
    assert not any(b.isEnabled() for b in dialog.actions.buttons.values())
    assert [h.kind for h in counter.details(o.ctx, code).history if h.kind is not EventKind.FORM_PRINTED] == [
        EventKind.RECEIVED, EventKind.TRANSFERRED, EventKind.ARRIVED, EventKind.ASSIGNED,
        EventKind.SUPPLEMENT_REQUESTED, EventKind.SUPPLEMENT_RECEIVED, EventKind.APPOINTMENT_MOVED,
        EventKind.RESULT_READY, EventKind.TRANSFERRED, EventKind.ARRIVED, EventKind.RETURNED]
    assert not error_boxes.shown


def _received(office, code: str) -> None:
    from desk_app.services import workflow
    workflow.transfer(office.ctx, office.clerk, code, "CAX")
    workflow.receive(office.ctx, office.specialist, code)


def test_second_supplement_request_shows_the_warning(qtbot, office, runner, previews):
    code = take_in(office)
    _received(office, code)
    panel = queue_panel(qtbot, office, office.specialist, runner, previews)
    take(qtbot, panel, Qt.Key.Key_F5, code, reason="Thiếu", missing=["Tờ khai CT01 có xác nhận"])
    from desk_app.services import workflow
    workflow.record_supplement(office.ctx, office.clerk, code)
    take(qtbot, panel, Qt.Key.Key_F5, code, reason="Vẫn thiếu", missing=["Giấy xác nhận của chủ hộ"])
    assert panel.warning.isVisible() and "lần yêu cầu bổ sung thứ 2" in panel.warning.text()
    assert panel.banner.kind == "ok"


def test_a_form_keeps_its_inputs_when_the_service_refuses(qtbot, office, runner, previews, error_boxes):
    code = take_in(office)
    _received(office, code)
    from desk_app.services import workflow
    workflow.assign(office.ctx, office.leader, code, "chuyenvien")
    leader = queue_panel(qtbot, office, office.leader, runner, previews)
    leader.select(code)
    leader.current_table().setFocus()
    qtbot.keyClick(leader.current_table(), Qt.Key.Key_F8)
    form = leader.flow.form
    assert form.ok_button.text() == "Xin lỗi && hẹn lại"
    form.set_value("reason", "Cần xác minh")
    form.set_value("new_due", datetime(2026, 11, 22, 9, 0))     # a Sunday
    qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
    assert form.isVisible() and form.form_error.text() == "Ngày hẹn mới phải là ngày làm việc."
    form.set_value("reason", "")
    qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
    assert form._errors["reason"].text() == "Cần nhập mục này."
    assert not error_boxes.shown
    form.reject()


def test_scanning_something_else_says_so_and_a_dossier_already_here_is_selected(qtbot, office, runner, previews):
    code = take_in(office)
    _received(office, code)
    panel = queue_panel(qtbot, office, office.specialist, runner, previews)
    panel.scan_box.setText("https://example.com/khong-phai")
    qtbot.keyClick(panel.scan_box, Qt.Key.Key_Return)
    assert panel.banner.kind == "error" and "không phải mã hồ sơ" in panel.banner.text()
    panel.tabs.setCurrentIndex(1)
    panel.scan_box.setText(code.lower())                         # a typed code, lower case
    qtbot.keyClick(panel.scan_box, Qt.Key.Key_Return)
    assert panel.banner.kind == "error" and "đã được chọn" in panel.banner.text()
    assert panel.current_row().code == code and panel.tabs.currentIndex() == 0


def test_keys_follow_the_role_and_the_dossier(qtbot, office, runner, previews):
    code = take_in(office)
    from desk_app.services import workflow
    workflow.transfer(office.ctx, office.clerk, code, "CAX")
    panel = queue_panel(qtbot, office, office.specialist, runner, previews)
    panel.tabs.setCurrentIndex(1)
    assert panel.select(code) and panel.current_row().stage == "transferring"
    enabled = {k for k, a in panel.actions.items() if a.isEnabled()}
    assert enabled == {"receive"}
    # a specialist neither assigns nor apologises: those keys are not even shown
    assert panel.buttons["assign"].isHidden() and panel.buttons["apologise"].isHidden()
    assert not panel.buttons["receive"].isHidden() and panel.buttons["receive"].text() == "F2  Nhận"
    assert panel.buttons["apologise"].text() == "F8  Xin lỗi && hẹn lại"    # shown as "&", not a mnemonic
    with qtbot.waitSignal(panel.step_done, timeout=3000):
        qtbot.keyClick(panel.current_table(), Qt.Key.Key_F2)
    assert panel.current_row().code == code and panel.current_row().stage == "in_unit"
    assert {k for k, a in panel.actions.items() if a.isEnabled()} >= {"forward", "supplement", "result",
                                                                       "transfer", "refuse", "payment"}
    assert not panel.actions["receive"].isEnabled() and not panel.actions["approve"].isEnabled()


def test_queue_models(qtmodeltester, qtbot, office, runner, previews):
    for name in ("Lê Văn Hải", "Ngô Thị Thảo"):
        _received(office, take_in(office, name=name))
    panel = queue_panel(qtbot, office, office.specialist, runner, previews)
    assert panel.mine_model.rowCount() == 2 and panel.unit_model.rowCount() == 2
    assert panel.tabs.tabText(0) == "Được giao cho tôi (2)"
    assert [panel.mine_model.headerData(c, Qt.Orientation.Horizontal) for c in range(9)] == [
        "Mã hồ sơ", "Chủ hồ sơ", "Thủ tục", "Đang ở", "Người giữ", "Từ lúc", "Hạn bước", "Hẹn trả", "Tiến độ"]
    # held by the specialist who took it in: his to work on, not "Chờ phân công" (issue 13)
    assert panel.mine_model.index(0, 3).data() == "Công an xã Quảng Phú · Đã nhận, chờ xử lý"
    qtmodeltester.check(panel.mine_model)
    qtmodeltester.check(panel.unit_model)


@pytest.mark.parametrize("late_first", [True])
def test_the_most_urgent_comes_first(qtbot, office, clock, runner, previews, late_first):
    early = take_in(office, name="Lê Văn Hải")
    clock.now = datetime(2026, 11, 11, 9, 30)
    later = take_in(office, name="Ngô Thị Thảo")
    for code in (later, early):
        _received(office, code)
    clock.now = datetime(2026, 11, 20, 10, 0)                  # the first is past due, the second due soon
    panel = queue_panel(qtbot, office, office.specialist, runner, previews)
    rows = [panel.mine_model.record(r) for r in range(panel.mine_model.rowCount())]
    assert [r.code for r in rows] == [early, later]
    assert panel.mine_model.index(0, 8).data() == "Quá hạn"


def test_forward_for_signature_then_sign(qtbot, office, clock, runner, previews):
    code = take_in(office)
    _received(office, code)
    specialist = queue_panel(qtbot, office, office.specialist, runner, previews)
    take(qtbot, specialist, Qt.Key.Key_F4, code, to="lanhdao", note="Đề nghị lãnh đạo ký duyệt")
    d = dossier(office, code)
    assert (d.stage, d.holder_user) == ("review", "lanhdao")
    assert specialist.banner.text() == "Đã trình hồ sơ %s cho Hoàng Thị Lan Anh xem xét, ký duyệt." % code
    leader = queue_panel(qtbot, office, office.leader, runner, previews)
    assert leader.mine_model.record(0).code == code              # in the leader's own hands now
    take(qtbot, leader, Qt.Key.Key_F10, code, note="Đồng ý")
    assert dossier(office, code).stage == "approved"


def test_other_steps_from_the_menu(qtbot, office, runner, previews):
    code = take_in(office)
    _received(office, code)
    panel = queue_panel(qtbot, office, office.specialist, runner, previews)
    assert panel.select(code)
    assert [a.text() for a in panel.more_button.menu().actions()] == [
        "Yêu cầu nộp nghĩa vụ tài chính", "Đã nộp nghĩa vụ tài chính", "Từ chối", "Dừng xử lý"]
    assert not panel.actions["stop"].isVisible()                 # a specialist does not stop dossiers
    panel.actions["refuse"].trigger()
    form = panel.flow.form
    form.set_value("reasons", ["Hồ sơ không thuộc thẩm quyền giải quyết của Công an xã"])
    with qtbot.waitSignal(panel.step_done, timeout=3000):
        qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
    assert dossier(office, code).status == Status.REFUSED.value
    assert previews.paths and previews.paths[-1].suffix == ".pdf"   # the refusal slip
    assert not panel.select(code)


def test_the_main_windows_scanner_receives_into_the_queue(qtbot, office, clock, runner, previews):
    from desk_app.ui.main_window import MainWindow
    code = take_in(office)
    from desk_app.services import workflow
    workflow.transfer(office.ctx, office.clerk, code, "CAX")
    window = MainWindow(office.ctx, office.specialist, runner, "Trung tâm", preview=previews)
    qtbot.addWidget(window)
    assert window.tabs.currentWidget() is window.queue
    with qtbot.waitSignal(window.queue.step_done, timeout=3000):
        window.wedge.scanned.emit(counter.details(office.ctx, code).capability_url)
    assert dossier(office, code).stage == "in_unit"
    assert window.queue.banner.text() == "Đã nhận hồ sơ %s lúc 09:30." % code
    window.idle.stop()
    window.close()
