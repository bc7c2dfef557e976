"""The citizens' messages at the desk: the count in the status bar, the inbox, the thread in the
dossier window, a reply sent with Ctrl+Enter."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from desk_app.services import messages
from desk_app.ui.main_window import MainWindow
from tests.services.test_messages import citizen_writes

from .conftest import AGENCY, show_active, type_text
from .offices import clock, office, office_template, take_in  # noqa: F401 - fixtures


@pytest.fixture
def written(office, clock):
    """Two dossiers; the citizens of both wrote, one of them twice, one with markup."""
    a, b = take_in(office, name="Trần Thị Bích Ngọc"), take_in(office, name="Lê Văn Tám", cccd="038090012399")
    citizen_writes(office.ctx, a, "Cho tôi hỏi hồ sơ đã chuyển sang công an xã chưa?", clock.now + timedelta(minutes=3))
    citizen_writes(office.ctx, b, "<b>Gấp</b> <img src=x onerror=alert(1)> cần nhận sớm", clock.now + timedelta(minutes=5),
                   channel="zalo")
    citizen_writes(office.ctx, a, "Xin cảm ơn.", clock.now + timedelta(minutes=7))
    clock.now += timedelta(minutes=30)
    return a, b


@pytest.fixture
def window(qtbot, office, runner, previews, written):
    w = MainWindow(office.ctx, office.clerk, runner, AGENCY.name, idle_ms=3_600_000, preview=previews)
    qtbot.addWidget(w)
    w.resize(1300, 800)
    show_active(qtbot, w)
    yield w
    w.idle.stop()


def open_inbox(qtbot, window) -> None:
    window.show_inbox()
    show_active(qtbot, window.inbox_dialog)   # offscreen windows are not activated on show


def ctrl_enter(qtbot, widget) -> None:
    qtbot.keyClick(widget, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def test_the_count_the_inbox_and_a_reply_with_ctrl_enter(qtbot, window, office, written, error_boxes):
    a, b = written
    assert window.unanswered.isVisible() and window.unanswered.count == 2
    assert window.unanswered.text() == "✉ 2 hồ sơ có tin nhắn chờ trả lời"
    qtbot.keyClick(window, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)      # the menu's shortcut
    inbox = window.inbox
    assert inbox is not None and window.inbox_dialog.isVisible()
    qtbot.waitUntil(lambda: inbox.table.hasFocus() or window.inbox_dialog.isActiveWindow(), timeout=3000)
    assert [inbox.model.record(r).code for r in range(inbox.model.rowCount())] == [a, b]   # longest waiting first
    assert inbox.model.data(inbox.model.index(0, 3)) == "2"
    assert inbox.thread.code == a and "công an xã" in inbox.thread.view.toPlainText()
    assert inbox.heading.text() == "Tin nhắn chờ trả lời (2 hồ sơ)"

    # the second one: its markup is shown as text, never rendered
    inbox.table.selectRow(1)
    assert inbox.thread.code == b
    assert "<b>Gấp</b> <img src=x onerror=alert(1)>" in inbox.thread.view.toPlainText()
    assert "qua Zalo" in inbox.thread.view.toPlainText()

    # Enter on the list goes to the reply box; Ctrl+Enter sends
    inbox.table.selectRow(0)
    qtbot.keyClick(inbox.table, Qt.Key.Key_Return)
    assert inbox.thread.reply_box.hasFocus()
    type_text(inbox.thread.reply_box, "Hồ sơ đã chuyển sang Công an xã Quảng Phú ngày 10/11.")
    with qtbot.waitSignal(inbox.thread.replied, timeout=3000):
        ctrl_enter(qtbot, inbox.thread.reply_box)
    assert error_boxes.shown == []
    assert [inbox.model.record(r).code for r in range(inbox.model.rowCount())] == [b]
    assert window.unanswered.count == 1 and window.unanswered.text() == "✉ 1 hồ sơ có tin nhắn chờ trả lời"
    thread = messages.thread(office.ctx, office.clerk, a)
    assert [(m.from_citizen, m.author) for m in thread][-1] == (False, "Nguyễn Thị Thu Hương")
    assert thread[-1].text == "Hồ sơ đã chuyển sang Công an xã Quảng Phú ngày 10/11."


def test_a_reply_too_long_or_empty_is_refused_where_it_was_typed(qtbot, window, office, written):
    open_inbox(qtbot, window)
    box = window.inbox.thread
    with qtbot.assertNotEmitted(box.replied):
        ctrl_enter(qtbot, box.reply_box)
    assert box.banner.kind == "error" and box.banner.text() == "Chưa nhập nội dung trả lời."
    box.reply_box.setPlainText("x" * 1001)
    assert box.length.text() == "1001/1000 ký tự"
    with qtbot.assertNotEmitted(box.replied):
        qtbot.mouseClick(box.send_button, Qt.MouseButton.LeftButton)
    assert "tối đa 1000 ký tự" in box.banner.text()
    assert messages.count_unanswered(office.ctx) == 2
    with qtbot.waitSignal(box.reply_box.escaped, timeout=1000):   # back to the list (the window's
        qtbot.keyClick(box.reply_box, Qt.Key.Key_Escape)           # Escape, clearing the intake form, not fired)
    assert window.intake.owner.name.text() == "" and window.inbox_dialog.isVisible()


def test_the_thread_tab_of_the_dossier_window(qtbot, window, office, written):
    a, _b = written
    window.counter.open_dossier(a)
    dialog = window.counter.dialog
    tab = dialog.tabs.indexOf(dialog.thread)
    assert dialog.tabs.tabText(tab) == "Tin nhắn (2, 2 chờ trả lời)"
    assert "Xin cảm ơn." in dialog.thread.view.toPlainText()
    dialog.show_messages()
    assert dialog.tabs.currentWidget() is dialog.thread
    dialog.thread.reply_box.setPlainText("Đã nhận, xin cảm ơn ông/bà.")
    with qtbot.waitSignal(dialog.thread.replied, timeout=3000):
        ctrl_enter(qtbot, dialog.thread.reply_box)
    assert dialog.tabs.tabText(tab) == "Tin nhắn (3)"
    assert "Trả lời của Nguyễn Thị Thu Hương" in dialog.thread.view.toPlainText()
    assert "chờ gửi lên máy chủ" in dialog.thread.view.toPlainText()   # not synced yet
    assert window.unanswered.count == 1
    dialog.close()


def test_opening_a_dossier_from_the_inbox_shows_its_messages(qtbot, window, written):
    a, _b = written
    open_inbox(qtbot, window)
    qtbot.mouseClick(window.inbox.open_button, Qt.MouseButton.LeftButton)   # or Ctrl+O
    dialog = window.counter.dialog
    assert dialog is not None and dialog.details.summary.code == a
    assert dialog.tabs.currentWidget() is dialog.thread
    dialog.close()


def test_a_specialist_reads_the_thread_but_has_no_inbox_nor_reply_box(qtbot, office, runner, previews, written):
    a, _b = written
    w = MainWindow(office.ctx, office.specialist, runner, AGENCY.name, idle_ms=3_600_000, preview=previews)
    qtbot.addWidget(w)
    assert w.unanswered is None
    w.show_inbox()
    assert w.inbox is None
    w.counter.open_dossier(a)
    dialog = w.counter.dialog
    assert "công an xã" in dialog.thread.view.toPlainText()
    assert dialog.thread.reply_box.isHidden() and dialog.thread.send_button.isHidden()
    dialog.close()
    w.idle.stop()


def test_the_lock_closes_the_inbox(qtbot, window, written):
    window.show_inbox()
    assert window.inbox_dialog.isVisible()
    window.lock()
    assert not window.inbox_dialog.isVisible()
    window.show_inbox()
    assert not window.inbox_dialog.isVisible()
