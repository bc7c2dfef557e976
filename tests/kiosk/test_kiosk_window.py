"""The kiosk with a fake camera: scan, see progress, rate, back to idle; refusals; no way out."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from desk_app.domain.codes import parse_capability_url
from desk_app.domain.roles import Role
from desk_app.scanner.sources import FakeSource
from desk_app.scanner.validator import TwoFrameValidator
from desk_app.services import auth, counter, intake, kiosk
from desk_app.ui.camera.feed import CameraFeed
from desk_app.ui.kiosk.flow import Screen
from desk_app.ui.kiosk.window import KioskWindow
from desk_app.ui.tasks import TaskRunner
from tests.conftest import birth_form
from tests.scanner.helpers import empty_frame, qr_frame


@pytest.fixture
def kiosk_user(desk):
    return auth.create_user(desk, "kiosk", "Kiosk sảnh A", Role.KIOSK, "matkhau-kiosk")


@pytest.fixture
def url(desk):
    code = intake.save(desk, desk.clerk, birth_form(), print_receipt=False).code
    return counter.details(desk, code).capability_url


@pytest.fixture
def errors():
    return []


@pytest.fixture
def runner(qapp, errors):
    r = TaskRunner(synchronous=True, show_error=lambda _parent, e: errors.append(e))
    yield r
    r.shutdown()


@pytest.fixture
def camera():
    return FakeSource([empty_frame()])


class Seconds:
    """The camera validator's clock, moved by hand."""

    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def seconds():
    return Seconds()


@pytest.fixture
def window(qtbot, desk, kiosk_user, runner, camera, errors, seconds):
    feed = CameraFeed(lambda: camera, validator=TwoFrameValidator(clock=seconds))
    w = KioskWindow(desk, kiosk_user, runner, feed, "Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa")
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    yield w
    w._leaving = True
    w.close()
    assert errors == []


def show(window: KioskWindow, camera: FakeSource, frames, pumps: int | None = None) -> None:
    """Hold something in front of the fake camera for a few frames."""
    camera.set_frames(frames)
    for _ in range(pumps or len(frames)):
        window.feed.pump()


def test_scan_progress_rate_and_back_to_idle(qtbot, window, camera, url) -> None:
    assert window.screen is Screen.IDLE
    show(window, camera, [empty_frame()])
    assert window.idle_page.camera.has_frame and window.idle_page.camera.message == ""
    with qtbot.wait_signal(window.screen_changed) as shown:
        show(window, camera, [qr_frame(url)], pumps=2)   # accepted on its second frame
    assert shown.args == ["progress"]
    page = window.progress_page
    assert page.values["owner"].text() == "Nguyễn T** H** Nhung"
    assert page.procedure.text() == "Thủ tục đăng ký khai sinh"
    assert page.values["holder"].text() == "Bộ phận Một cửa"
    shown = " ".join(label.text() for label in window.findChildren(QLabel) if label.isVisible())
    assert "Hồng Nhung" not in shown and "038190012345" not in shown   # the masked name, no ID number
    assert window.inactivity.isActive() and window.inactivity.interval() == 30_000
    qtbot.mouseClick(page.rate, Qt.MouseButton.LeftButton)
    assert window.screen is Screen.RATING
    rating = window.rating_page
    assert "Nguyễn Thị Thu Hương" in rating.clerk.text()
    assert not rating.send.isEnabled()
    qtbot.mouseClick(rating.buttons["very_satisfied"], Qt.MouseButton.LeftButton)
    rating.comment.setText("Cán bộ hướng dẫn tận tình")
    with qtbot.wait_signal(window.screen_changed) as back:
        qtbot.mouseClick(rating.send, Qt.MouseButton.LeftButton)
    assert back.args == ["idle"]
    assert window.idle_page.banner.isVisible() and "Cảm ơn" in window.idle_page.banner.text()
    link = parse_capability_url(url)
    view = kiosk.lookup(window.ctx, window.user, link.code, link.key)
    assert view.rated


def test_a_second_rating_for_the_same_dossier_is_refused(qtbot, window, camera, url, kiosk_user, seconds) -> None:
    show(window, camera, [qr_frame(url)], pumps=2)
    qtbot.mouseClick(window.progress_page.rate, Qt.MouseButton.LeftButton)
    link = parse_capability_url(url)
    kiosk.rate(window.ctx, kiosk_user, link.code, link.key, "satisfied")   # another kiosk, a moment earlier
    qtbot.mouseClick(window.rating_page.buttons["unsatisfied"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.rating_page.send, Qt.MouseButton.LeftButton)
    assert window.screen is Screen.MESSAGE
    assert "đã được đánh giá" in window.message_page.text.text()
    qtbot.mouseClick(window.message_page.back, Qt.MouseButton.LeftButton)
    assert window.screen is Screen.IDLE
    # Taken away, then scanned again: the dossier says it was rated and offers no second rating.
    show(window, camera, [empty_frame()], pumps=1)
    seconds.t += 3
    show(window, camera, [empty_frame()], pumps=1)
    show(window, camera, [qr_frame(url)], pumps=2)
    assert window.screen is Screen.PROGRESS
    assert not window.progress_page.rate.isEnabled()


def test_forged_or_unknown_qr_gets_a_friendly_message_revealing_nothing(qtbot, window, camera, url) -> None:
    forged = url[:-4] + ("AAAA" if not url.endswith("AAAA") else "BBBB")
    show(window, camera, [qr_frame(forged)], pumps=2)
    assert window.screen is Screen.MESSAGE
    text = window.message_page.text.text()
    assert text == kiosk.not_found_message()
    code = parse_capability_url(url).code
    assert code not in text and "Nhung" not in text
    assert window.inactivity.interval() == 10_000
    window.inactivity.timeout.emit()
    assert window.screen is Screen.IDLE


@pytest.mark.parametrize("text, expected", [
    ("000.00.06.H56-261110-0001", "mã vạch"),
    ("038190012345||Nguyễn Thị Hồng Nhung|12031990|Nữ|Thanh Hóa|15072021", "căn cước"),
    ("https://zalo.me/some-shop", "không phải mã QR trên giấy tiếp nhận"),
])
def test_other_codes_get_a_plain_explanation(window, text, expected) -> None:
    window.scanned(text)
    assert window.screen is Screen.MESSAGE and expected in window.message_page.text.text()


def test_back_to_idle_after_30_seconds_without_a_touch(qtbot, window, camera, url) -> None:
    show(window, camera, [qr_frame(url)], pumps=2)
    assert window.screen is Screen.PROGRESS
    qtbot.mouseClick(window.progress_page.rate, Qt.MouseButton.LeftButton)
    assert window.inactivity.remainingTime() > 29_000      # a touch started the 30 s again
    with qtbot.wait_signal(window.screen_changed) as idle:
        window.inactivity.timeout.emit()                    # 30 s pass
    assert idle.args == ["idle"] and window.flow.view is None


def test_the_same_receipt_held_still_is_looked_up_once(window, camera, url, monkeypatch) -> None:
    calls = []
    real = kiosk.lookup
    monkeypatch.setattr(kiosk, "lookup", lambda *a: calls.append(a) or real(*a))
    show(window, camera, [qr_frame(url)], pumps=8)
    assert len(calls) == 1


def test_camera_lost_and_back_shows_a_message_then_frames(window, camera) -> None:
    show(window, camera, [empty_frame()], pumps=1)
    camera.unplug()
    window.feed.pump()
    assert "Mất kết nối camera" in window.idle_page.camera.message
    camera.plug()
    window.feed.pump()
    assert window.idle_page.camera.message == "" and window.idle_page.camera.has_frame


def test_no_key_or_close_gets_out_and_only_an_admin_password_does(qtbot, window, desk) -> None:
    window.close()
    assert window.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.keyClick(window, Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert window.isVisible()
    flags = window.windowFlags()
    assert flags & Qt.WindowType.WindowStaysOnTopHint and flags & Qt.WindowType.FramelessWindowHint
    answers = []
    window.try_exit("tiepnhan", "matkhau-clerk", lambda ok, msg: answers.append((ok, msg)))  # a clerk: no
    window.try_exit("admin", "sai-mat-khau", lambda ok, msg: answers.append((ok, msg)))
    assert [ok for ok, _ in answers] == [False, False] and window.isVisible()
    with qtbot.wait_signal(window.left):
        window.try_exit("admin", "matkhau-admin", lambda ok, msg: answers.append((ok, msg)))
    assert answers[-1] == (True, "") and not window.isVisible()


def test_three_wrong_exit_passwords_shut_the_door_for_a_minute(window) -> None:
    t = [1000.0]
    window._clock = lambda: t[0]
    answers = []
    for _ in range(3):
        window.try_exit("admin", "sai", lambda ok, msg: answers.append(ok))
    window.try_exit("admin", "matkhau-admin", lambda ok, msg: answers.append((ok, msg)))
    assert answers[-1][0] is False and "một phút" in answers[-1][1]
    t[0] += 61
    window.try_exit("admin", "matkhau-admin", lambda ok, msg: answers.append((ok, msg)))
    assert answers[-1] == (True, "")


def test_a_receipt_still_held_after_done_does_not_come_back(qtbot, window, camera, url) -> None:
    show(window, camera, [qr_frame(url)], pumps=2)
    qtbot.mouseClick(window.progress_page.done, Qt.MouseButton.LeftButton)
    show(window, camera, [qr_frame(url)], pumps=6)
    assert window.screen is Screen.IDLE
