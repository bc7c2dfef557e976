"""The sync panel, with plain callables for its status and its button (pytest-qt)."""

from __future__ import annotations

import os
import threading
from datetime import datetime

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from desk_app.sync.runner import RunnerEvent  # noqa: E402
from desk_app.sync.status import Progress, SyncStatus  # noqa: E402
from desk_app.ui.sync_panel import SyncEvents, SyncPanel  # noqa: E402

pytestmark = pytest.mark.qt_log_ignore(r"^This plugin does not support propagateSizeHints\(\)")


class Provider:
    def __init__(self, status: SyncStatus):
        self.status = status
        self.calls = 0

    def __call__(self) -> SyncStatus:
        self.calls += 1
        return self.status


def enrolled(**kw) -> SyncStatus:
    base = dict(enrolled=True, server_url="https://dvc.thanhhoa.gov.vn", desk_id="quay-1", reachable=True,
                last_success=datetime(2026, 11, 10, 9, 30))
    return SyncStatus(**{**base, **kw})


def test_the_panel_shows_where_things_stand(qtbot):
    provider = Provider(enrolled(waiting_events=12, waiting_uploads=2, waiting_downloads=1, conflicts=1, unseen=3))
    panel = SyncPanel(provider, lambda: None, refresh_ms=0)
    qtbot.addWidget(panel)
    assert panel.server_label.text() == "https://dvc.thanhhoa.gov.vn"
    assert panel.state_label.text() == "Kết nối được máy chủ"
    assert panel.waiting_label.text() == "12 sự kiện"
    assert panel.files_label.text() == "2 chờ gửi, 1 chờ nhận"
    assert panel.last_success_label.text() == "09:30 10/11/2026"
    assert panel.conflicts_label.text() == "1" and panel.unseen_label.text() == "3"
    assert panel.error_label.isHidden() and panel.progress.isHidden()

    provider.status = enrolled(reachable=False, waiting_events=3,
                               last_error="Không kết nối được máy chủ trung tâm (https://dvc.thanhhoa.gov.vn).")
    panel.refresh()
    assert "Không kết nối được máy chủ" in panel.state_label.text()
    assert not panel.error_label.isHidden() and "Không kết nối được" in panel.error_label.text()


def test_the_button_asks_for_a_sync_and_waits_for_the_runner(qtbot):
    asked = []
    provider = Provider(enrolled())
    panel = SyncPanel(provider, lambda: asked.append(True), refresh_ms=0)
    qtbot.addWidget(panel)
    assert panel.sync_button.isEnabled()
    panel.sync_button.click()
    assert asked == [True] and not panel.sync_button.isEnabled()
    assert panel.state_label.text() == "Đang đồng bộ…"


def test_runner_reports_from_another_thread_reach_the_panel_on_the_gui_thread(qtbot):
    provider = Provider(enrolled(running=True, progress=Progress("Đang nhận sự kiện", 1200, 5000)))
    panel = SyncPanel(provider, lambda: None, refresh_ms=0)
    qtbot.addWidget(panel)
    events = SyncEvents()
    seen_on = []
    events.changed.connect(lambda e: seen_on.append(threading.current_thread()))
    events.changed.connect(panel.on_runner_event)
    before = provider.calls
    with qtbot.waitSignal(events.changed, timeout=5000):
        threading.Thread(target=events, args=(RunnerEvent("progress", "Đang nhận sự kiện", 1200, 5000),)).start()
    assert seen_on == [threading.main_thread()] and provider.calls == before + 1
    assert not panel.progress.isHidden()
    assert panel.progress.maximum() == 5000 and panel.progress.value() == 1200
    assert not panel.sync_button.isEnabled()  # a round is running


def test_a_desk_not_enrolled_says_so(qtbot):
    panel = SyncPanel(Provider(SyncStatus(enrolled=False, waiting_events=4)), lambda: None, refresh_ms=0)
    qtbot.addWidget(panel)
    assert panel.server_label.text() == "Chưa đăng ký"
    assert not panel.sync_button.isEnabled() and panel.waiting_label.text() == "4 sự kiện"
