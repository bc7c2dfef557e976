"""The kiosk's idle screen shows the centre's current announcements: titles and bodies, a few at most."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desk_app.domain.roles import Role
from desk_app.services import announcements, auth
from desk_app.services.announcements import AnnouncementInput
from desk_app.ui.kiosk.window import KioskWindow
from desk_app.ui.tasks import TaskRunner


@pytest.fixture
def boss(desk):
    return auth.login(desk, "admin", "matkhau-admin")


@pytest.fixture
def open_kiosk(qtbot, qapp, desk):
    user = auth.create_user(desk, "kiosk", "Kiosk sảnh A", Role.KIOSK, "matkhau-kiosk")
    errors: list[BaseException] = []
    runner = TaskRunner(synchronous=True, show_error=lambda _parent, e: errors.append(e))
    windows = []

    def open_() -> KioskWindow:
        w = KioskWindow(desk, user, runner, None, "Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa")
        qtbot.addWidget(w)
        w.resize(1280, 800)
        w.show()
        windows.append(w)
        return w
    yield open_
    for w in windows:
        w._leaving = True
        w.close()
    runner.shutdown()
    assert errors == []


def texts(window: KioskWindow) -> list[str]:
    return [label.text() for label in window.idle_page.notice_labels]


def test_the_idle_screen_shows_the_current_ones(open_kiosk, desk, boss, clock):
    now = clock.now
    announcements.save(desk, boss, AnnouncementInput("Đã hết hạn", "Cũ", now - timedelta(days=9), now - timedelta(days=8)))
    announcements.save(desk, boss, AnnouncementInput(
        "Nghỉ tiếp nhận chiều thứ Sáu", "Bộ phận Một cửa nghỉ chiều thứ Sáu 13/11 để tập huấn.",
        now - timedelta(hours=2), now + timedelta(days=3)))
    announcements.save(desk, boss, AnnouncementInput(
        "<b>Giờ mới</b>", "Làm việc cả sáng thứ Bảy. " + "Chi tiết xem trên trang công khai. " * 20,
        now - timedelta(hours=1), None))
    window = open_kiosk()
    assert window.idle_page.notices.isVisible()
    shown = texts(window)
    assert shown[:3] == ["THÔNG BÁO CỦA TRUNG TÂM", "<b>Giờ mới</b>", shown[2]]   # newest first, markup as text
    assert shown[2].startswith("Làm việc cả sáng thứ Bảy.") and shown[2].endswith("…") and len(shown[2]) <= 160
    assert shown[3:] == ["Nghỉ tiếp nhận chiều thứ Sáu", "Bộ phận Một cửa nghỉ chiều thứ Sáu 13/11 để tập huấn."]
    assert "Đã hết hạn" not in shown


def test_at_most_three_and_none_hides_the_box(open_kiosk, desk, boss, clock):
    window = open_kiosk()
    assert not window.idle_page.notices.isVisible() and texts(window) == []
    for i in range(5):
        announcements.save(desk, boss, AnnouncementInput("Thông báo %d" % i, "Nội dung %d" % i,
                                                         clock.now - timedelta(minutes=10 - i)))
    window.load_announcements()          # what the timer does every five minutes
    assert window.idle_page.notices.isVisible()
    assert [t for t in texts(window) if t.startswith("Thông báo")] == ["Thông báo 4", "Thông báo 3", "Thông báo 2"]
