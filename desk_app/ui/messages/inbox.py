"""Tin nhắn công dân: the dossiers whose citizens wait for an answer, the longest waiting first,
beside the selected one's thread. Keyboard first: arrows pick, Enter goes to the reply box,
Ctrl+Enter sends, Escape comes back to the list, F5 reloads."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from ...domain.i18n import tr
from ...services import messages
from ...services.context import CurrentUser, DeskContext
from ...services.messages import InboxItem
from .. import live
from ..common import table_export
from ..common.records import Column, RecordTableModel, fmt_moment, record_table, selected_record
from ..tasks import TaskRunner
from .thread import ThreadView, channel_label


def _short(text: str, n: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


class InboxPanel(QWidget):
    """``count_changed(n)`` after every load; ``open_requested(code)`` asks for the dossier window."""

    count_changed = Signal(int)
    open_requested = Signal(str)

    def __init__(self, ctx: DeskContext, user: CurrentUser, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.user, self.runner = ctx, user, runner
        self.model: RecordTableModel[InboxItem] = RecordTableModel([
            Column(tr("Chờ từ"), lambda i: fmt_moment(i.waiting_since), Qt.AlignmentFlag.AlignCenter),
            Column(tr("Mã hồ sơ"), lambda i: i.code, bold=lambda i: True),
            Column(tr("Người nộp"), lambda i: i.owner_name),
            Column(tr("Số tin"), lambda i: str(i.unanswered), Qt.AlignmentFlag.AlignCenter,
                   foreground=lambda i: "#b85c00"),
            Column(tr("Tin nhắn mới nhất"), lambda i: _short(i.last_text),
                   tooltip=lambda i: "%s (%s)" % (i.last_text, channel_label(i.channel)))], self)
        self.table = record_table(self.model, stretch=4, widths={2: 170})
        table_export.attach(self.table, runner, lambda: self.heading.text(), ctx)
        self.table.selectionModel().currentRowChanged.connect(lambda _a, _b: self._picked())
        self.table.activated.connect(lambda _index: self.thread.reply_box.setFocus())
        self.heading = QLabel()
        self.heading.setObjectName("appTitle")
        self.hint = QLabel(tr("↑↓ chọn hồ sơ · Enter: viết trả lời · Ctrl+Enter: gửi · Esc: về danh sách · "
                              "F5: tải lại · Ctrl+O: mở hồ sơ"))
        self.hint.setObjectName("subtitle")
        self.thread = ThreadView(ctx, user, runner)
        self.thread.replied.connect(lambda _code: self.reload())
        self.thread.reply_box.escaped.connect(self.table.setFocus)
        reload_button = QPushButton(tr("Tải lại (F5)"))
        reload_button.clicked.connect(self.reload)
        self.open_button = QPushButton(tr("Mở hồ sơ (Ctrl+O)"))
        self.open_button.clicked.connect(self._open)
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(self.open_button)
        top.addWidget(reload_button)
        top.addWidget(table_export.menu_button(lambda: self.table))
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.thread)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([700, 460])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 6)
        layout.addLayout(top)
        layout.addWidget(self.hint)
        layout.addWidget(split, 1)
        for keys, slot in (("F5", self.reload), ("Ctrl+O", self._open)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self._show([])
        # a citizen's message pulled by the sync, or a reply from another window, shows at once
        self.live = live.follow(self, ctx, self.reload, self.count_changed)

    def reload(self) -> None:
        ctx, user = self.ctx, self.user
        self.runner.run(lambda: messages.inbox(ctx, user), on_done=self._show, parent=self)

    def _show(self, items: list[InboxItem]) -> None:
        keep = self.current_code()
        self.model.set_records(items)
        self.heading.setText(tr("Tin nhắn chờ trả lời ({n} hồ sơ)").format(n=len(items)) if items
                             else tr("Không có tin nhắn nào chờ trả lời"))
        self.open_button.setEnabled(bool(items))
        if items:
            codes = [i.code for i in items]
            row = codes.index(keep) if keep in codes else 0
            self.table.selectRow(row)
            self.table.setCurrentIndex(self.model.index(row, 0))
            self._picked()
        else:
            self.thread.load(None)
        self.count_changed.emit(len(items))

    def current_code(self) -> str | None:
        item = selected_record(self.table)
        return item.code if item is not None else None

    def _picked(self) -> None:
        code = self.current_code()
        if code != self.thread.code:
            self.thread.load(code)

    def _open(self) -> None:
        code = self.current_code()
        if code:
            self.open_requested.emit(code)

    def focus_list(self) -> None:
        self.table.setFocus()


class UnansweredLabel(QLabel):
    """The status bar's count of dossiers waiting for an answer, read on the worker every
    ``every_ms`` and whenever ``refresh`` is called (a sync round, a reply); ``clicked`` opens the inbox."""

    clicked = Signal()

    def __init__(self, ctx: DeskContext, runner: TaskRunner, every_ms: int = live.FALLBACK_MS,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.runner = ctx, runner
        self.count = 0
        self.setToolTip(tr("Bấm vào đây hoặc Ctrl+M: mở hộp tin nhắn của công dân"))
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.refresh)
        self.timer.start(every_ms)
        self.show_count(0)
        live.notifier(ctx).changed.connect(self._changed)  # messages are events: heard as they commit
        self.refresh()

    def _changed(self, _codes) -> None:
        self.refresh()

    def refresh(self, _event=None) -> None:
        if _event is not None and getattr(_event, "kind", "") != "succeeded":
            return
        ctx = self.ctx
        self.runner.run(lambda: messages.count_unanswered(ctx), on_done=self.show_count,
                        on_error=lambda _e: None, parent=self)

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mousePressEvent(event)

    def show_count(self, n: int) -> None:
        self.count = n
        if n:
            self.setText(tr("✉ {n} hồ sơ có tin nhắn chờ trả lời").format(n=n))
            self.setStyleSheet("color: #ffd166; font-weight: bold;")  # on the status bar's dark blue
        else:
            self.setText(tr("✉ Không có tin nhắn chờ trả lời"))
            self.setStyleSheet("")
