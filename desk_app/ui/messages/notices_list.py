"""Thông báo Zalo/e-mail, desk-wide: the notices to citizens that failed for good or are being
retried, with the reason in Vietnamese, and the dossiers linked to a citizen's Zalo. Asked of
the central server off the GUI thread when the tab is shown and on F5; Ctrl+O (or a double
click) opens the dossier."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHeaderView, QHBoxLayout, QLabel, QPushButton, QSplitter, QTableView, QVBoxLayout, QWidget

from ...domain.i18n import tr
from ...services import notices
from ...services.context import CurrentUser, DeskContext
from ...services.notices import LinkedDossier, NoticeProblem, Overview
from ..common.banner import Banner
from ..common.records import Column, RecordTableModel, fmt_moment, record_table, selected_record
from ..tasks import TaskRunner

RED, AMBER = "#b71c1c", "#b85c00"


def _state(p: NoticeProblem) -> str:
    text = tr("{label} ({n} lần thử)").format(label=p.status_label, n=p.attempts)
    if p.status == "pending" and p.next_attempt_at:
        text += " · " + tr("thử lại lúc {t}").format(t=p.next_attempt_at.strftime("%H:%M %d/%m"))
    return text


class NoticesListPanel(QWidget):
    """``open_requested(code)`` asks for the dossier window."""

    open_requested = Signal(str)
    loaded = Signal(object)        # the Overview shown

    def __init__(self, ctx: DeskContext, user: CurrentUser, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.user, self.runner = ctx, user, runner
        self.overview: Overview | None = None
        self.loading = False
        self.problems: RecordTableModel[NoticeProblem] = RecordTableModel([
            Column(tr("Mã hồ sơ"), lambda p: p.code, bold=lambda p: True),
            Column(tr("Người nộp"), lambda p: p.owner_name),
            Column(tr("Thông báo"), lambda p: p.what),
            Column(tr("Tình trạng"), _state, foreground=lambda p: RED if p.status == "failed" else AMBER),
            Column(tr("Lý do"), lambda p: p.reason, tooltip=lambda p: p.reason),   # what the clerk needs: in sight
            Column(tr("Cách gửi"), lambda p: p.via),
            Column(tr("Gửi đến"), lambda p: p.recipient)], self)
        self.problem_table = record_table(self.problems, stretch=4, widths={1: 150, 2: 140, 3: 170, 5: 150})
        self.problem_table.setWordWrap(True)   # the reason and the state read whole, on two lines if need be
        self.problem_table.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.problem_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.linked: RecordTableModel[LinkedDossier] = RecordTableModel([
            Column(tr("Mã hồ sơ"), lambda d: d.code, bold=lambda d: True),
            Column(tr("Người nộp"), lambda d: d.owner_name),
            Column(tr("Thủ tục"), lambda d: d.procedure, tooltip=lambda d: d.procedure),
            Column(tr("Liên kết Zalo từ"), lambda d: fmt_moment(d.linked_at), Qt.AlignmentFlag.AlignCenter)], self)
        self.linked_table = record_table(self.linked, stretch=2, widths={1: 180})
        for table in (self.problem_table, self.linked_table):
            table.doubleClicked.connect(lambda _i, t=table: self._open(t))
        self.problem_title, self.linked_title = QLabel(), QLabel()
        for label in (self.problem_title, self.linked_title):
            label.setObjectName("subtitle")
        self.heading = QLabel(tr("Thông báo cho công dân qua Zalo và thư điện tử"))
        self.heading.setObjectName("appTitle")
        self.banner = Banner()
        self.status = QLabel()
        self.status.setObjectName("subtitle")
        reload_button = QPushButton(tr("Tải lại (F5)"))
        reload_button.clicked.connect(self.load)
        self.open_button = QPushButton(tr("Mở hồ sơ (Ctrl+O)"))
        self.open_button.clicked.connect(lambda: self._open(self._focused_table()))
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(self.open_button)
        top.addWidget(reload_button)
        upper, lower = QWidget(), QWidget()
        for box, title, table in ((upper, self.problem_title, self.problem_table),
                                  (lower, self.linked_title, self.linked_table)):
            v = QVBoxLayout(box)
            v.setContentsMargins(0, 0, 0, 0)
            v.addWidget(title)
            v.addWidget(table, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(upper)
        split.addWidget(lower)
        split.setSizes([330, 230])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 6)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(split, 1)
        layout.addWidget(self.status)
        for keys, slot in (("F5", self.load), ("Ctrl+O", lambda: self._open(self._focused_table()))):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self._titles(0, 0)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.overview is None and not self.loading:
            self.load()

    def load(self) -> None:
        if self.loading:
            return
        self.loading = True
        self.status.setText(tr("Đang hỏi máy chủ trung tâm ..."))
        ctx, user = self.ctx, self.user
        self.runner.run(lambda: notices.overview(ctx, user), on_done=self._show, on_error=self._failed, parent=self)

    def _failed(self, error: BaseException) -> None:
        self.loading = False
        self.status.setText("")
        self.banner.say("error", str(error))

    def _show(self, view: Overview) -> None:
        self.loading = False
        self.overview = view
        self.status.setText("")
        self.banner.clear_message()
        if not view.available:
            self.banner.say("error", view.reason)
        elif view.zalo_awaiting_consent:
            self.banner.say("error", tr("Zalo OA đang chờ quản trị máy chủ cấp lại quyền: thông báo qua Zalo tạm dừng, "
                                        "sẽ gửi tiếp khi có quyền mới (lệnh desk-app server zalo-consent)."))
        elif view.truncated:
            self.banner.say("info", tr("Danh sách dài: chỉ hiện những mục mới nhất."))
        self.problems.set_records(view.problems)
        self.linked.set_records(view.linked)
        self._titles(len(view.problems), len(view.linked))
        self.open_button.setEnabled(bool(view.problems or view.linked))
        self.loaded.emit(view)

    def _titles(self, problems: int, linked: int) -> None:
        self.problem_title.setText(tr("Thông báo gửi không được hoặc đang gửi lại: {n}").format(n=problems)
                                   if problems else tr("Không có thông báo nào gửi không được."))
        self.linked_title.setText(tr("Hồ sơ đã liên kết Zalo của công dân: {n}").format(n=linked)
                                  if linked else tr("Chưa có hồ sơ nào liên kết Zalo."))

    def _focused_table(self) -> QTableView:
        return self.linked_table if self.linked_table.hasFocus() else self.problem_table

    def _open(self, table: QTableView) -> None:
        record = selected_record(table)
        if record is not None:
            self.open_requested.emit(record.code)
