"""The main window shows the sync state and opens the sync panel when the desk is enrolled."""

from datetime import datetime

from PySide6.QtWidgets import QLabel

from desk_app.sync.status import SyncStatus
from desk_app.ui.main_window import MainWindow
from desk_app.ui.sync_panel import SyncEvents
from desk_app.ui.sync_view import SyncHooks, SyncStatusLabel, summary


def test_summary_in_plain_words():
    assert summary(SyncStatus(enrolled=False)) == "Làm việc độc lập"
    st = SyncStatus(enrolled=True, server_url="https://dvc.example.vn", reachable=False, waiting_events=3,
                    conflicts=1, unseen=2, last_success=datetime(2026, 11, 27, 9, 0))
    assert summary(st) == "Mất kết nối máy chủ · 3 sự kiện chờ gửi · 1 xung đột · 2 hồ sơ mới"


def test_window_follows_the_runner(qtbot, desk, clerk, runner, previews):
    state = {"st": SyncStatus(enrolled=True, server_url="https://dvc.example.vn", reachable=True)}
    pokes = []
    events = SyncEvents()
    hooks = SyncHooks(lambda: state["st"], lambda: pokes.append(1), events)
    window = MainWindow(desk, clerk, runner, "Trung tâm", idle_ms=60_000, preview=previews, sync_hooks=hooks)
    qtbot.addWidget(window)
    label = window.findChild(SyncStatusLabel)
    assert label is not None and label.text() == "Đã đồng bộ"
    state["st"] = SyncStatus(enrolled=True, server_url="https://dvc.example.vn", reachable=False, waiting_events=5)
    with qtbot.waitSignal(events.changed):
        events("round finished")
    assert label.text() == "Mất kết nối máy chủ · 5 sự kiện chờ gửi"
    assert any(a.text().startswith("Đồng bộ với máy chủ") for a in window._actions)


def test_no_sync_line_when_not_enrolled(qtbot, desk, clerk, runner, previews):
    window = MainWindow(desk, clerk, runner, "Trung tâm", idle_ms=60_000, preview=previews)
    qtbot.addWidget(window)
    assert window.findChild(SyncStatusLabel) is None
