"""The sync panel: is the central server reachable, what is waiting, when it last worked,
what went wrong (in plain Vietnamese), a button to sync now, progress of a catch-up.

The panel knows nothing of the database or the network. It is given two plain callables:
``status_provider()`` returning a ``desk_app.sync.status.SyncStatus``, and ``sync_now()``.
The background runner reports on its own thread; ``SyncEvents`` is the one crossing point
that brings those reports to the GUI thread as a Qt signal, where the panel refreshes.

Wiring (main window)::

    events = SyncEvents()
    runner = sync.start(ctx, listener=events)            # services.sync
    panel = SyncPanel(lambda: sync.status(ctx, runner), runner.poke)
    events.changed.connect(panel.on_runner_event)
"""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (QFormLayout, QGroupBox, QHBoxLayout, QLabel, QProgressBar, QPushButton,
                               QVBoxLayout, QWidget)

from ..domain.i18n import tr
from ..sync.status import SyncStatus


class SyncEvents(QObject):
    """Call it from any thread with a runner event; ``changed`` fires on the GUI thread."""

    changed = Signal(object)

    def __call__(self, event) -> None:
        self.changed.emit(event)  # queued across threads by Qt: the slot runs on the GUI thread


def _when(t: datetime | None) -> str:
    return t.strftime("%H:%M %d/%m/%Y") if t else tr("Chưa lần nào")


class SyncPanel(QWidget):
    def __init__(self, status_provider: Callable[[], SyncStatus], sync_now: Callable[[], None],
                 parent: QWidget | None = None, refresh_ms: int = 5000):
        super().__init__(parent)
        self._provider = status_provider
        self._sync_now = sync_now
        self.setObjectName("syncPanel")
        box = QGroupBox(tr("Đồng bộ với máy chủ trung tâm"))
        form = QFormLayout(box)
        self.server_label = QLabel()
        self.state_label = QLabel()
        self.waiting_label = QLabel()
        self.files_label = QLabel()
        self.last_success_label = QLabel()
        self.conflicts_label = QLabel()
        self.unseen_label = QLabel()
        for label in (self.server_label, self.state_label, self.waiting_label, self.files_label,
                      self.last_success_label, self.conflicts_label, self.unseen_label):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(tr("Máy chủ:"), self.server_label)
        form.addRow(tr("Trạng thái:"), self.state_label)
        form.addRow(tr("Sự kiện chờ gửi:"), self.waiting_label)
        form.addRow(tr("Tệp đính kèm:"), self.files_label)
        form.addRow(tr("Đồng bộ thành công gần nhất:"), self.last_success_label)
        form.addRow(tr("Xung đột cần xem:"), self.conflicts_label)
        form.addRow(tr("Hồ sơ mới từ nơi khác:"), self.unseen_label)
        self.error_label = QLabel()
        self.error_label.setObjectName("formError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.sync_button = QPushButton(tr("Đồng bộ ngay"))
        self.sync_button.setObjectName("primary")
        self.sync_button.clicked.connect(self._on_sync_clicked)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.sync_button)
        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addWidget(self.error_label)
        layout.addWidget(self.progress)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self.status: SyncStatus | None = None
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh)
        if refresh_ms > 0:
            self._timer.start(refresh_ms)
        self.refresh()

    # -- slots (GUI thread) -------------------------------------------------------------------
    def _on_sync_clicked(self) -> None:
        self.sync_button.setEnabled(False)  # until the runner reports back
        self.state_label.setText(tr("Đang đồng bộ…"))
        self._sync_now()

    def on_runner_event(self, _event=None) -> None:
        """Connected to ``SyncEvents.changed``: the runner started, progressed or finished."""
        self.refresh()

    def refresh(self) -> None:
        try:
            st = self._provider()
        except Exception as e:  # the panel must never take the window down
            self.error_label.setText(tr("Không đọc được trạng thái đồng bộ: {error}").format(error=e))
            self.error_label.show()
            return
        self.status = st
        self.show_status(st)

    def show_status(self, st: SyncStatus) -> None:
        if not st.enrolled:
            self.server_label.setText(tr("Chưa đăng ký"))
            self.state_label.setText(tr("Quầy làm việc độc lập; chưa kết nối máy chủ trung tâm."))
        else:
            self.server_label.setText(st.server_url)
            if st.running:
                self.state_label.setText(tr("Đang đồng bộ…"))
            elif st.reachable is None:
                self.state_label.setText(tr("Chưa thử kết nối"))
            elif st.reachable:
                self.state_label.setText(tr("Kết nối được máy chủ"))
            else:
                self.state_label.setText(tr("Không kết nối được máy chủ; quầy vẫn làm việc bình thường"))
        self.waiting_label.setText(tr("{n} sự kiện").format(n=st.waiting_events) if st.waiting_events
                                   else tr("Không có"))
        self.files_label.setText(tr("{up} chờ gửi, {down} chờ nhận").format(up=st.waiting_uploads,
                                                                            down=st.waiting_downloads))
        self.last_success_label.setText(_when(st.last_success))
        self.conflicts_label.setText(str(st.conflicts) if st.conflicts else tr("Không có"))
        if self.conflicts_label.objectName() != ("fieldError" if st.conflicts else ""):
            self.conflicts_label.setObjectName("fieldError" if st.conflicts else "")  # red while there are some
            self.conflicts_label.style().unpolish(self.conflicts_label)
            self.conflicts_label.style().polish(self.conflicts_label)
        self.unseen_label.setText(str(st.unseen) if st.unseen else tr("Không có"))
        self.error_label.setText(st.last_error or "")
        self.error_label.setVisible(bool(st.last_error))
        p = st.progress
        if st.running and p is not None:
            self.progress.setFormat("%s: %%v/%%m" % p.phase if p.total else p.phase)
            self.progress.setRange(0, max(p.total, 0))
            self.progress.setValue(min(p.done, p.total) if p.total else 0)
            self.progress.show()
        else:
            self.progress.hide()
        self.sync_button.setEnabled(st.enrolled and not st.running)
