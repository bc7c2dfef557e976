"""Long tasks show progress and can be cancelled; the window keeps running meanwhile.

A real background runner (not the synchronous one of the other tests): the task waits on an
event the test sets, so nothing depends on timing but the order of things."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton, QWidget

from desk_app.ui.tasks import TaskRunner


def progress_dialogs() -> list[QProgressDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]


def background_runner(errors):
    return TaskRunner(show_error=lambda _parent, error: errors.append(error))


def test_a_long_task_shows_its_progress_and_a_cancel_throws_its_result_away(qtbot):
    errors: list = []
    runner = background_runner(errors)
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    reported, release = threading.Event(), threading.Event()
    done, cancelled, ticks = [], [], []

    def work(progress):
        progress.report(3, 10, "Hồ sơ 3/10")
        reported.set()
        release.wait(30)
        return "kết quả"
    ticker = QTimer()
    ticker.timeout.connect(lambda: ticks.append(1))
    ticker.start(10)
    try:
        progress = runner.run_long(work, "Đang xuất Sổ theo dõi hồ sơ...", on_done=done.append, parent=window,
                                   on_cancelled=lambda: cancelled.append(True), show_after_ms=50)
        qtbot.waitUntil(lambda: bool(progress_dialogs()), timeout=5000)
        (dialog,) = progress_dialogs()
        qtbot.waitUntil(lambda: dialog.maximum() == 10, timeout=5000)
        assert dialog.value() == 3 and "Hồ sơ 3/10" in dialog.labelText()
        assert "Đang xuất Sổ theo dõi hồ sơ..." in dialog.labelText()
        before = len(ticks)
        qtbot.waitUntil(lambda: len(ticks) > before + 3, timeout=5000)   # the event loop runs on
        (cancel,) = dialog.findChildren(QPushButton)
        assert cancel.text() == "Hủy"
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
        assert progress.cancelled and dialog.labelText() == "Đang dừng..."
        release.set()
        qtbot.waitUntil(lambda: bool(cancelled), timeout=5000)
        assert done == [] and errors == [] and progress_dialogs() == []
    finally:
        release.set()
        ticker.stop()
        runner.shutdown()


def test_a_quick_task_shows_no_dialog(qtbot):
    errors: list = []
    runner = background_runner(errors)
    done = []
    try:
        runner.run_long(lambda progress: 42, "Đang tính thống kê...", on_done=done.append, show_after_ms=10_000)
        qtbot.waitUntil(lambda: done == [42], timeout=5000)
        assert progress_dialogs() == [] and errors == [] and not runner._boxes
    finally:
        runner.shutdown()


def test_a_task_that_checks_stops_at_its_next_step_and_says_nothing(qtbot):
    errors: list = []
    runner = background_runner(errors)
    started, release = threading.Event(), threading.Event()
    steps, cancelled = [], []

    def work(progress):
        for n in range(1000):
            progress.check()
            steps.append(n)
            if n == 0:
                started.set()
                release.wait(30)
    try:
        progress = runner.run_long(work, "Đang xuất...", on_cancelled=lambda: cancelled.append(True),
                                   show_after_ms=10_000)
        assert started.wait(10)
        progress.cancel()
        release.set()
        qtbot.waitUntil(lambda: bool(cancelled), timeout=5000)
        assert steps == [0] and errors == []
    finally:
        release.set()
        runner.shutdown()


def test_a_failure_in_a_long_task_is_reported_as_any_other(qtbot):
    errors: list = []
    runner = background_runner(errors)

    def work(progress):
        raise ValueError("hỏng")
    try:
        runner.run_long(work, "Đang xuất...", show_after_ms=10_000)
        qtbot.waitUntil(lambda: bool(errors), timeout=5000)
        assert isinstance(errors[0], ValueError) and progress_dialogs() == []
    finally:
        runner.shutdown()


def test_a_sync_catch_up_says_how_far_it_is_in_the_status_bar():
    from desk_app.sync.status import Progress, SyncStatus
    from desk_app.ui.sync_view import summary
    st = SyncStatus(enrolled=True, running=True, progress=Progress("Đang nhận sự kiện", 1200, 5000))
    assert summary(st) == "Đang đồng bộ… Đang nhận sự kiện 1.200/5.000"
    assert summary(SyncStatus(enrolled=True, running=True)) == "Đang đồng bộ…"
