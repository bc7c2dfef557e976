"""Finding the procedure: type a code, name or field (diacritics optional), arrows, Enter."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (QAbstractListModel, QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt,
                            QTimer, Signal)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QListView, QVBoxLayout, QWidget

from ...domain.i18n import tr
from ...services import catalogue
from ...services.catalogue import ProcedureSummary
from ...services.context import DeskContext
from ..tasks import TaskRunner

SummaryRole = Qt.ItemDataRole.UserRole + 1
_Index = QModelIndex | QPersistentModelIndex


class ProcedureListModel(QAbstractListModel):
    """The procedures a search found, one row each: "code — name"."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._rows: list[ProcedureSummary] = []

    def set_procedures(self, rows: list[ProcedureSummary]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def procedure(self, row: int) -> ProcedureSummary:
        return self._rows[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        p = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return "%s  —  %s" % (p.code, p.name)
        if role == Qt.ItemDataRole.ToolTipRole:
            return tr("Lĩnh vực: {field}. Cấp thực hiện: {level}.").format(field=p.field, level=p.level)
        if role == SummaryRole:
            return p
        return None


class ProcedurePicker(QWidget):
    """Search box above a result list; ``picked(code)`` when the clerk chooses one."""

    picked = Signal(str)
    results_changed = Signal(int)  # number of results, after each search

    DEBOUNCE_MS = 150

    def __init__(self, ctx: DeskContext, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.runner = ctx, runner
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Gõ mã, tên hoặc lĩnh vực thủ tục (có dấu hoặc không dấu), "
                                          "ví dụ: khai sinh, 1.001193, đất đai"))
        self.search.setClearButtonEnabled(True)
        self.model = ProcedureListModel(self)
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setUniformItemSizes(True)
        self.list.setMaximumHeight(150)
        self.list.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # arrows work from the search box
        self.list.activated.connect(self._pick_index)
        self.list.doubleClicked.connect(self._pick_index)
        self.hint = QLabel()
        self.hint.setObjectName("subtitle")
        self.list.hide()
        self.hint.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        layout.addWidget(self.hint)

        self._searching = 0
        self._pick_when_ready = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.DEBOUNCE_MS)
        self._timer.timeout.connect(self.search_now)
        self.search.textEdited.connect(lambda _text: self._timer.start())
        self.search.installEventFilter(self)
        self.list.installEventFilter(self)

    def search_now(self) -> None:
        self._timer.stop()
        query = self.search.text().strip()
        self._searching += 1
        self.runner.run(lambda: catalogue.search(self.ctx, query, limit=50) if query else [],
                        on_done=self._show_results, on_error=self._search_failed, parent=self)

    def _search_failed(self, error: BaseException) -> None:
        self._searching -= 1
        self._pick_when_ready = False
        self.runner.report_error(error, self)

    def _show_results(self, rows: list[ProcedureSummary]) -> None:
        self._searching -= 1
        if self._searching:
            return  # a newer search is on its way
        self.model.set_procedures(rows)
        self.list.setVisible(bool(rows))
        self.hint.setVisible(True)
        if rows:
            self.list.setCurrentIndex(self.model.index(0, 0))
            self.hint.setText(tr("{n} thủ tục. Dùng phím ↑ ↓ để chọn, Enter để lấy.").format(n=len(rows)))
        else:
            self.hint.setText(tr("Không tìm thấy thủ tục phù hợp.") if self.search.text().strip() else "")
        self.results_changed.emit(len(rows))
        if self._pick_when_ready:
            self._pick_when_ready = False
            self._pick_index(self.list.currentIndex())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if watched is self.search and key in (Qt.Key.Key_Down, Qt.Key.Key_Up,
                                                  Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
                self._move(key)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self._timer.isActive() or self._searching:
                    # Enter before the results came: take the first one when they come
                    self._pick_when_ready = True
                    if self._timer.isActive():
                        self.search_now()
                else:
                    self._pick_index(self.list.currentIndex())
                return True
        return super().eventFilter(watched, event)

    def _move(self, key: int) -> None:
        count = self.model.rowCount()
        if not count:
            return
        if self.list.isHidden():
            self.list.show()
            self.hint.setText(tr("{n} thủ tục. Dùng phím ↑ ↓ để chọn, Enter để lấy.").format(n=count))
        row = self.list.currentIndex().row()
        step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 5, Qt.Key.Key_PageUp: -5}[key]
        row = min(max(0, (row if row >= 0 else -1) + step), count - 1)
        self.list.setCurrentIndex(self.model.index(row, 0))
        self.list.scrollTo(self.model.index(row, 0))

    def _pick_index(self, index: QModelIndex) -> None:
        if not index.isValid() and self.model.rowCount():
            index = self.model.index(0, 0)
        if index.isValid():
            self.collapse()
            self.picked.emit(self.model.procedure(index.row()).code)

    def collapse(self) -> None:
        """Fold the result list away once a procedure is picked (arrows bring it back)."""
        self.list.hide()
        self.hint.setText(tr("Gõ để tìm thủ tục khác, hoặc phím ↓ để mở lại danh sách.")
                          if self.model.rowCount() else "")
        self.hint.setVisible(bool(self.model.rowCount()))

    def reset(self) -> None:
        self._timer.stop()
        self._pick_when_ready = False
        self.search.clear()
        self.model.set_procedures([])
        self.hint.clear()
        self.collapse()
