"""The main window's view of sync: a line in the status bar and the sync panel in a dialog."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from ..domain.i18n import tr
from ..sync.status import SyncStatus
from .sync_panel import SyncEvents, SyncPanel


@dataclass
class SyncHooks:
    """What the window needs of a running sync: plain callables and the GUI-thread signal."""

    status: Callable[[], SyncStatus]
    sync_now: Callable[[], None]
    events: SyncEvents


def summary(st: SyncStatus) -> str:
    if not st.enrolled:
        return tr("Làm việc độc lập")
    if st.running:
        p = st.progress   # a long catch-up says how far it is, in the status bar too
        if p is not None and p.total > 0:
            return tr("Đang đồng bộ… {phase} {done}/{total}").format(
                phase=p.phase, done=_number(min(p.done, p.total)), total=_number(p.total))
        return tr("Đang đồng bộ…")
    if st.reachable is False:
        text = tr("Mất kết nối máy chủ")
    else:
        text = tr("Đã đồng bộ")
    if st.waiting_events:
        text += tr(" · {n} sự kiện chờ gửi").format(n=st.waiting_events)
    if st.conflicts:
        text += tr(" · {n} xung đột").format(n=st.conflicts)
    if st.unseen:
        text += tr(" · {n} hồ sơ mới").format(n=st.unseen)
    return text


def _number(n: int) -> str:
    return "{:,}".format(n).replace(",", ".")


class SyncStatusLabel(QLabel):
    """A status-bar line that follows the runner's reports."""

    def __init__(self, hooks: SyncHooks, parent: QWidget | None = None):
        super().__init__(parent)
        self.hooks = hooks
        hooks.events.changed.connect(self.refresh)
        self.refresh()

    def refresh(self, _event=None) -> None:
        try:
            self.setText(summary(self.hooks.status()))
        except Exception:  # the status bar must never take the window down
            self.setText(tr("Không đọc được trạng thái đồng bộ"))


def open_panel(parent: QWidget, hooks: SyncHooks) -> None:
    dialog = QDialog(parent)
    dialog.setWindowTitle(tr("Đồng bộ với máy chủ trung tâm"))
    layout = QVBoxLayout(dialog)
    panel = SyncPanel(hooks.status, hooks.sync_now, dialog)
    hooks.events.changed.connect(panel.on_runner_event)
    layout.addWidget(panel)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    dialog.finished.connect(lambda _r: hooks.events.changed.disconnect(panel.on_runner_event))
    dialog.resize(560, 420)
    dialog.exec()
