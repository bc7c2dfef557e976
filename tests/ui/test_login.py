"""Logging in, the idle lock, and the first-start setup dialog."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from desk_app.services import auth, setup
from desk_app.services.context import open_desk
from desk_app.ui.login.dialog import LoginDialog
from desk_app.ui.main_window import MainWindow
from desk_app.ui.setup.dialog import SetupDialog

from .conftest import AGENCY, PASSWORD, show_active, type_text


def test_wrong_password_shows_message_right_one_logs_in(qtbot, desk, clerk, runner):
    dialog = LoginDialog(desk, runner, agency_name=AGENCY.name)
    qtbot.addWidget(dialog)
    show_active(qtbot, dialog)
    qtbot.keyClicks(dialog.username, "tiepnhan")
    qtbot.keyClick(dialog.username, Qt.Key.Key_Return)
    assert dialog.password.hasFocus()
    with qtbot.assertNotEmitted(dialog.logged_in):
        qtbot.keyClicks(dialog.password, "sai-mat-khau")
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.error.isVisible()
    assert dialog.error.text() == "Sai tên đăng nhập hoặc mật khẩu."
    assert dialog.result() != QDialog.DialogCode.Accepted

    dialog.password.clear()
    with qtbot.waitSignal(dialog.logged_in, timeout=3000) as blocker:
        qtbot.keyClicks(dialog.password, PASSWORD)
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert blocker.args[0].username == "tiepnhan"
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_empty_fields_are_refused_without_asking_the_database(qtbot, desk, runner):
    dialog = LoginDialog(desk, runner)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.submit, Qt.MouseButton.LeftButton)
    assert dialog.error.text() == "Nhập tên đăng nhập và mật khẩu."


def test_idle_lock_engages_and_unlocks_with_the_password(qtbot, desk, clerk, runner, previews):
    window = MainWindow(desk, clerk, runner, AGENCY.name, idle_ms=30, preview=previews)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.locked, timeout=3000):
        window.show()
    assert window.is_locked
    assert not window.tabs.isVisible()  # the citizen's data is hidden
    lock = window.lock_screen
    assert "Nguyễn Thị Thu Hương" in lock.who.text()

    with qtbot.assertNotEmitted(window.unlocked):
        qtbot.keyClicks(lock.password, "sai-mat-khau")
        qtbot.keyClick(lock.password, Qt.Key.Key_Return)
    assert lock.error.text() == "Mật khẩu không đúng."
    assert window.is_locked

    lock.password.clear()
    with qtbot.waitSignal(window.unlocked, timeout=3000):
        qtbot.keyClicks(lock.password, PASSWORD)
        qtbot.keyClick(lock.password, Qt.Key.Key_Return)
    assert not window.is_locked and window.tabs.isVisible()
    assert window.idle.active  # counting again
    window.idle.stop()


def test_lock_offers_another_account(qtbot, desk, clerk, runner, previews):
    window = MainWindow(desk, clerk, runner, AGENCY.name, idle_ms=60_000, preview=previews)
    qtbot.addWidget(window)
    window.show()
    window.lock()
    assert all(not a.isEnabled() for a in window._actions)  # no menu shortcut works behind the lock
    with qtbot.waitSignal(window.logout_requested, timeout=1000):
        qtbot.mouseClick(window.lock_screen.other_button, Qt.MouseButton.LeftButton)
    window.idle.stop()


def test_menus_follow_the_role(qtbot, desk, runner, previews):
    from desk_app.domain.roles import Role
    specialist = auth.create_user(desk, "chuyenvien", "Phạm Quốc Bảo", Role.SPECIALIST, PASSWORD)
    window = MainWindow(desk, specialist, runner, AGENCY.name, preview=previews)
    qtbot.addWidget(window)
    assert window.intake is None and window.counter is not None
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == ["Danh sách hồ sơ", "Hồ sơ cần xử lý"]
    window.idle.stop()


def test_first_start_setup_shows_errors_beside_fields_then_configures(qtbot, tmp_path, runner):
    ctx = open_desk(tmp_path / "new-desk")
    try:
        dialog = SetupDialog(ctx, runner)
        qtbot.addWidget(dialog)
        dialog.show()
        f = dialog.fields
        f["code"].setText("000.00.06")
        f["password"].setText("ngan")
        qtbot.mouseClick(_save_button(dialog), Qt.MouseButton.LeftButton)
        assert "XXX.YY.ZZ.Hnn" in dialog.errors.message("code")
        assert dialog.errors.message("password") == "Mật khẩu phải có ít nhất 8 ký tự."
        assert dialog.errors.message("name") == "Chưa nhập tên cơ quan."
        assert not setup.is_configured(ctx)

        for key, value in (("name", AGENCY.name), ("code", AGENCY.code), ("parent_name", AGENCY.parent_name),
                           ("place", AGENCY.place), ("address", AGENCY.address),
                           ("public_base_url", AGENCY.public_base_url), ("username", "quantri"),
                           ("password", PASSWORD), ("password2", PASSWORD)):
            f[key].setText(value)
        f["full_name"].clear()
        type_text(f["full_name"], "Lê Văn Quản")
        _save_button(dialog).click()
        assert dialog.result() == QDialog.DialogCode.Accepted
        assert setup.is_configured(ctx)
        assert dialog.admin is not None and dialog.admin.full_name == "Lê Văn Quản"
        assert auth.login(ctx, "quantri", PASSWORD).username == "quantri"
    finally:
        ctx.db.dispose()


def _save_button(dialog):
    from PySide6.QtWidgets import QPushButton
    return next(b for b in dialog.findChildren(QPushButton) if b.text() == "Lưu thiết lập")


def test_session_goes_login_window_logout_login(qtbot, desk, clerk, runner, monkeypatch):
    from desk_app.ui import app as app_module

    monkeypatch.setattr(app_module.MainWindow, "showMaximized", app_module.MainWindow.show)
    session = app_module.DeskSession(desk, runner, AGENCY.name)
    session.show_login()
    login = session.login
    qtbot.addWidget(login)
    assert login.isVisible() and session.window is None
    login.username.setText("tiepnhan")
    login.password.setText(PASSWORD)
    login.try_login()
    window = session.window
    assert window is not None and window.isVisible() and window.user.username == "tiepnhan"
    assert AGENCY.name in window.windowTitle()

    with qtbot.waitSignal(session.login_shown, timeout=3000):  # logout: the window goes, login comes back
        window.logout_requested.emit()
    assert session.window is None and session.login is not None and session.login.isVisible()
    assert not window.isVisible()
    qtbot.addWidget(session.login)
