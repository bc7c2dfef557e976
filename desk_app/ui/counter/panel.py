"""Danh sách hồ sơ: today's dossiers, a search box, Enter or double-click opens one."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton,
                               QStackedWidget, QTableView, QVBoxLayout, QWidget)

from ...domain.i18n import tr
from ...services import counter
from ...services.context import CurrentUser, DeskContext
from ...services.counter import DossierDetails, DossierSummary
from .. import live, printing
from ..common import table_export
from ..tasks import TaskRunner
from .dossier_dialog import DossierDialog, Preview
from .model import CODE, OWNER, PROCEDURE, RECEIVED, DossierTableModel, SortRole


class CounterPanel(QWidget):
    """The counter's list; ``results_changed(n)`` after every load, ``dossier_opened`` with the dialog."""

    results_changed = Signal(int)
    dossier_opened = Signal(object)  # DossierDialog

    DEBOUNCE_MS = 250

    def __init__(self, ctx: DeskContext, user: CurrentUser, runner: TaskRunner,
                 preview: Preview = printing.preview_pdf, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.user, self.runner, self.preview = ctx, user, runner, preview
        self.dialog: DossierDialog | None = None
        self._loading = 0
        self._open_when_loaded = False
        self._shown_query: str | None = None

        self.title = QLabel()
        self.title.setObjectName("appTitle")
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Mã hồ sơ, họ tên, điện thoại hoặc số giấy tờ (không dấu cũng được)"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(560)
        self.refresh_button = QPushButton(tr("Làm mới"))
        self.refresh_button.clicked.connect(self.refresh)
        self.count = QLabel()
        self.count.setObjectName("subtitle")

        self.model = DossierTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SortRole)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(30)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(OWNER, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(PROCEDURE, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(OWNER, 220)
        self.table.sortByColumn(RECEIVED, Qt.SortOrder.DescendingOrder)  # newest first
        self.table.activated.connect(self._open_index)
        table_export.attach(self.table, runner, lambda: self.title.text(), ctx, preview=preview,
                            lines=lambda: [tr("Tìm: {query}").format(query=self.search.text().strip())]
                            if self.search.text().strip() else [])

        # nothing found: said in the middle of where the rows would be, not under a blank table
        self.empty = QLabel()
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setTextFormat(Qt.TextFormat.PlainText)
        self.results = QStackedWidget()
        self.results.addWidget(self.table)
        self.results.addWidget(self.empty)

        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.search)
        top.addWidget(self.refresh_button)
        top.addWidget(table_export.menu_button(lambda: self.table))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 6)
        layout.addLayout(top)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.count)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.DEBOUNCE_MS)
        self._timer.timeout.connect(self.refresh)
        self.search.textEdited.connect(lambda _t: self._timer.start())
        self.search.installEventFilter(self)
        self.table.installEventFilter(self)
        # a step taken in another window, or a sync's pull, shows at once (issue 13)
        self.live = live.follow(self, ctx, self.refresh, self.results_changed)
        self.refresh()

    # -- loading -----------------------------------------------------------------------
    def refresh(self) -> None:
        """Today's dossiers, or what the search box finds."""
        self._timer.stop()
        query = self.search.text().strip()
        self._loading += 1
        fn = (lambda: counter.search(self.ctx, query)) if query else (lambda: counter.today(self.ctx))
        self.runner.run(fn, on_done=lambda rows: self._loaded(query, rows), on_error=self._failed, parent=self)

    def _loaded(self, query: str, rows: list[DossierSummary]) -> None:
        self._loading -= 1
        if self._loading:
            return  # a newer load is coming
        self.title.setText(tr("Kết quả tìm kiếm") if query else
                           tr("Hồ sơ tiếp nhận hôm nay ({date})").format(date=self.ctx.clock().strftime("%d/%m/%Y")))
        # the same list reloaded stays where the clerk was; a new search starts at its first row
        place = live.kept_place(self.table, self._code_at, enabled=query == self._shown_query)
        self._shown_query = query
        with place:
            self.model.set_dossiers(rows)
        self.count.setText(tr("{n} hồ sơ").format(n=len(rows)) if rows else "")
        if not rows:
            self.empty.setText(tr("Không tìm thấy hồ sơ nào cho \"{query}\".\n\nThử mã hồ sơ, số điện thoại, số giấy tờ "
                                  "hoặc một phần họ tên (không dấu cũng được).").format(query=query[:80]) if query
                               else tr("Hôm nay chưa tiếp nhận hồ sơ nào."))
        self.results.setCurrentWidget(self.table if rows else self.empty)
        if rows and not place.found:
            self.table.selectRow(0)
        self.results_changed.emit(len(rows))
        if self._open_when_loaded:
            self._open_when_loaded = False
            self.open_current()

    def _failed(self, error: BaseException) -> None:
        self._loading -= 1
        self._open_when_loaded = False
        self.runner.report_error(error, self)

    # -- keyboard: Enter in the search box opens the selected dossier (scanners type code + Enter)
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if watched is self.search and (self._timer.isActive() or self._loading):
                    self._open_when_loaded = True
                    if self._timer.isActive():
                        self.refresh()
                else:
                    self.open_current()
                return True
            if watched is self.search and key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                self.table.setFocus()
                row = self.table.currentIndex().row()
                step = 1 if key == Qt.Key.Key_Down else -1
                self.table.selectRow(min(max(0, row + step), max(0, self.proxy.rowCount() - 1)))
                return True
        return super().eventFilter(watched, event)

    def _code_at(self, index: QModelIndex) -> str:
        return self.model.dossier(self.proxy.mapToSource(index).row()).code

    def open_current(self) -> None:
        index = self.table.currentIndex()
        if not index.isValid() and self.proxy.rowCount():
            index = self.proxy.index(0, CODE)
        self._open_index(index)

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_dossier(self.model.dossier(self.proxy.mapToSource(index).row()).code)

    def open_dossier(self, code: str) -> None:
        self.runner.run(lambda: counter.details(self.ctx, code), on_done=self._show_dossier, parent=self)

    def _show_dossier(self, details: DossierDetails) -> None:
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = DossierDialog(self.ctx, self.user, self.runner, details, self, self.preview)
        self.dialog.finished.connect(lambda _r: self.refresh())
        self.dialog.open()
        self.dossier_opened.emit(self.dialog)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

