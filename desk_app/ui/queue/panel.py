"""Hồ sơ cần xử lý: the specialist's (and the leader's) two queues, scan to receive, F-keys to act.

A scanned receipt QR or control-slip barcode receives the dossier into the unit at once and
says so: "Đã nhận hồ sơ X lúc 14:02". In the main window its scanners hand scans to
``receive_scan`` while this screen shows; on its own, the panel listens to the ``wedge`` it is
given; a code can also be typed into the scan box.
F2-F8 and F10 take the next step on the selected dossier; each opens a small form for its inputs,
then the printed form's preview when the step has one.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QLineEdit, QMenu, QPushButton, QTableView, QTabWidget,
                               QVBoxLayout, QWidget)

from ...domain.codes import parse_capability_url, parse_dossier_code
from ...domain.i18n import tr
from ...services import admin, counter, queues
from ...services.context import CurrentUser, DeskContext
from ...services.counter import DossierDetails
from ...services.queues import QueueRow
from .. import live, printing
from ..common.banner import Banner
from ..common import table_export
from ..common.records import record_table, selected_record
from ..counter.dossier_dialog import DossierDialog
from ..scanning import WedgeDetector, public_base_url
from ..steps.catalogue import DEPARTMENT_KEYS, DEPARTMENT_MORE, STEPS, Step, Target
from ..steps.flow import Preview, StepFlow
from ..tasks import TaskRunner
from .model import PROCEDURE, WIDTHS, by_urgency, queue_model

# one key per next step, in the order a dossier usually walks (the dossier window offers the same)
KEYS, MORE = DEPARTMENT_KEYS, DEPARTMENT_MORE


def scanned_code(text: str, public_base_url: str | None = None) -> str | None:
    """The dossier code in a scanned receipt link (on this centre's public address) or
    barcode, or None."""
    link = parse_capability_url(text, public_base_url or "")
    if link is not None:
        return link.code
    code = parse_dossier_code(text)
    return str(code) if code is not None else None


def target_of(row: QueueRow) -> Target:
    return Target(row.code, row.owner_name, row.unit_name, row.stage, None, row.appointment_at)


class QueuePanel(QWidget):
    """``refreshed`` after every load; ``step_done(key, StepResult)`` after every step taken here."""

    refreshed = Signal()
    step_done = Signal(str, object)
    dossier_opened = Signal(object)

    def __init__(self, ctx: DeskContext, user: CurrentUser, runner: TaskRunner,
                 preview: Preview = printing.preview_pdf, wedge: WedgeDetector | None = None,
                 refresh_ms: int = live.FALLBACK_MS, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.user, self.runner, self.preview, self.wedge = ctx, user, runner, preview, wedge
        self.dialog: DossierDialog | None = None
        self._select_after: str | None = None
        self._scanned: str | None = None
        self.public_base_url = public_base_url(ctx)  # receipt links count only on this address
        self.flow = StepFlow(ctx, user, runner, preview, self)
        self.flow.said.connect(self.say)
        self.flow.finished.connect(self._step_finished)

        self.title = QLabel(tr("Hồ sơ cần xử lý"))
        self.title.setObjectName("appTitle")
        self.scan_box = QLineEdit()
        self.scan_box.setPlaceholderText(tr("Quét mã trên phiếu kiểm soát hoặc giấy tiếp nhận, hoặc gõ mã hồ sơ rồi Enter"))
        self.scan_box.setClearButtonEnabled(True)
        self.scan_box.setMinimumWidth(470)
        self.scan_box.returnPressed.connect(self._scan_box_entered)
        receive = QPushButton(tr("Nhận hồ sơ"))
        receive.setObjectName("primary")
        receive.clicked.connect(self._scan_box_entered)
        refresh = QPushButton(tr("Làm mới"))
        refresh.clicked.connect(self.refresh)
        self.banner = Banner()
        self.warning = Banner()

        viewer = (user.username, user.full_name)  # the rows this user holds say so
        self.mine_model = queue_model(ctx.clock, self, viewer)
        self.unit_model = queue_model(ctx.clock, self, viewer)
        self.mine_table = self._table(self.mine_model)
        self.unit_table = self._table(self.unit_model)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.mine_table, tr("Được giao cho tôi"))
        self.tabs.addTab(self.unit_table, tr("Đơn vị của tôi"))
        self.tabs.currentChanged.connect(lambda _i: self._update_actions())

        self.actions: dict[str, QAction] = {}
        self.buttons: dict[str, QPushButton] = {}
        bar = QHBoxLayout()
        bar.setSpacing(6)
        for key, shortcut in KEYS:
            step = STEPS[key]
            action = self._action(step, shortcut)
            button = QPushButton("%s  %s" % (shortcut, step.verb.replace("&", "&&")))  # "&" is no mnemonic
            button.setToolTip(tr("{title} (phím {key})").format(title=step.title, key=shortcut))
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(action.trigger)
            action.changed.connect(lambda b=button, a=action: b.setEnabled(a.isEnabled()))
            self.buttons[key] = button
            bar.addWidget(button)
        self.more_button = QPushButton(tr("Thao tác khác"))
        self.more_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        menu = QMenu(self.more_button)
        for key in MORE:
            menu.addAction(self._action(STEPS[key], None))
        self.more_button.setMenu(menu)
        bar.addWidget(self.more_button)
        bar.addStretch(1)
        self.legend = QLabel(tr("Enter: xem hồ sơ  ·  Ctrl+1 / Ctrl+2: chuyển danh sách  ·  "
                                "máy quét: quét mã là nhận hồ sơ"))
        self.legend.setObjectName("subtitle")
        for n in (0, 1):
            switch = QAction(self)
            switch.setShortcut(QKeySequence("Ctrl+%d" % (n + 1)))
            switch.setShortcutContext(Qt.ShortcutContext.WindowShortcut)  # whatever has focus in the window
            switch.triggered.connect(lambda _c=False, n=n: self._show_tab(n))
            self.addAction(switch)

        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.scan_box)
        top.addWidget(receive)
        top.addWidget(refresh)
        top.addWidget(table_export.menu_button(self.current_table))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 6)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(self.warning)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bar)
        layout.addWidget(self.legend)
        if wedge is not None:
            wedge.scanned.connect(self._wedge_scanned)
        # other desks hand dossiers over all day: the list reloads as soon as a step taken here or
        # a sync's pull commits (a form open on it puts that off until it closes)
        self.live = live.follow(self, ctx, self.refresh, self.refreshed, ready=self._free, fallback_ms=refresh_ms)
        self._update_actions()
        self.refresh()

    def _table(self, model) -> QTableView:
        view = record_table(model, stretch=PROCEDURE, widths=WIDTHS)
        table_export.attach(view, self.runner, lambda: "%s: %s" % (self.title.text(),
                            self.tabs.tabText(self.tabs.indexOf(view))), self.ctx, preview=self.preview)
        view.activated.connect(self._open_index)
        view.selectionModel().currentRowChanged.connect(lambda _a, _b: self._update_actions())
        return view

    def _action(self, step: Step, shortcut: str | None) -> QAction:
        verb = step.verb.replace("&", "&&")
        action = QAction(verb if shortcut is None else "%s  %s" % (shortcut, verb), self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            # the window's, not the list's: F5 acts with focus on the tab bar or the scan box too
            # (a hidden panel's actions stay quiet, so other tabs keep their own keys)
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(action)
        action.triggered.connect(lambda _c=False, s=step: self.take(s.key))
        self.actions[step.key] = action
        return action

    # -- loading -----------------------------------------------------------------------
    def _free(self) -> bool:
        return self.flow.form is None

    def refresh(self) -> None:
        ctx, user = self.ctx, self.user

        def load():
            mine = queues.my_queue(ctx, user) + queues.results_in_unit(ctx, user, holder=user.username)
            unit = queues.unit_queue(ctx, user) + queues.results_in_unit(ctx, user, unit_id=user.unit_id)
            name = next((u.name for u in admin.units(ctx) if u.id == user.unit_id), "")
            return mine, unit, name
        self.runner.run(load, on_done=self._loaded, parent=self)

    def _loaded(self, result) -> None:
        mine, unit, unit_name = result
        now = self.ctx.clock()
        keep = self._select_after or self._current_code()
        # a reload under the clerk's eyes leaves the lists where they were; after a step taken
        # here, the list shows the dossier just worked on instead
        scrolled = [] if self._select_after else [(t, t.verticalScrollBar().value())
                                                   for t in (self.mine_table, self.unit_table)]
        self._select_after = None
        self.mine_model.set_records(by_urgency(mine, now))
        self.unit_model.set_records(by_urgency(unit, now))
        self.title.setText(tr("Hồ sơ cần xử lý — {unit}").format(unit=unit_name) if unit_name
                           else tr("Hồ sơ cần xử lý — tất cả đơn vị"))
        self.tabs.setTabText(0, tr("Được giao cho tôi ({n})").format(n=len(mine)))
        self.tabs.setTabText(1, tr("Đơn vị của tôi ({n})").format(n=self.unit_model.rowCount()))
        for table in (self.mine_table, self.unit_table):
            if not self._select_code(table, keep) and table.model().rowCount():
                table.selectRow(0)
        for table, value in scrolled:
            table.verticalScrollBar().setValue(value)
        self._update_actions()
        self.refreshed.emit()

    def _select_code(self, table: QTableView, code: str | None) -> bool:
        if not code:
            return False
        model = table.model()
        for row in range(model.rowCount()):
            if model.record(row).code == code:
                table.selectRow(row)
                return True
        return False

    def _show_tab(self, n: int) -> None:
        self.tabs.setCurrentIndex(n)
        self.current_table().setFocus()

    def current_table(self) -> QTableView:
        return self.mine_table if self.tabs.currentIndex() == 0 else self.unit_table

    def current_row(self) -> QueueRow | None:
        return selected_record(self.current_table())

    def _current_code(self) -> str | None:
        row = self.current_row()
        return row.code if row else None

    def select(self, code: str) -> bool:
        """Show a dossier in whichever list holds it ("assigned to me" first)."""
        for n, table in enumerate((self.mine_table, self.unit_table)):
            if self._select_code(table, code):
                self.tabs.setCurrentIndex(n)
                return True
        return False

    # -- steps -------------------------------------------------------------------------
    def _update_actions(self) -> None:
        row = self.current_row()
        target = target_of(row) if row else None
        for key, action in self.actions.items():
            step = STEPS[key]
            action.setEnabled(step.applies(self.user.role, target))
            self.buttons.get(key, action).setVisible(step.applies(self.user.role, Target("", "")))
        self.more_button.setVisible(any(STEPS[k].applies(self.user.role, Target("", "")) for k in MORE))
        self.more_button.setEnabled(any(self.actions[k].isEnabled() for k in MORE))

    def take(self, key: str) -> None:
        """The next step ``key`` on the selected dossier (what the F-keys do)."""
        row = self.current_row()
        if row is None:
            self.say("error", tr("Chưa chọn hồ sơ nào."))
            return
        self.flow.start(STEPS[key], target_of(row))

    def _step_finished(self, step: Step, result) -> None:
        self._select_after = result.code
        self.step_done.emit(step.key, result)
        self.refresh()
        if step.key == "receive":
            self.select(result.code)

    def say(self, kind: str, text: str) -> None:
        if kind == "warning":
            self.warning.say(kind, text)
            return
        scanned, self._scanned = self._scanned, None
        if kind == "error" and scanned and self.select(scanned):
            text += " " + tr("Hồ sơ {code} có trong danh sách và đã được chọn.").format(code=scanned)
        self.warning.clear_message()
        self.banner.say(kind, text)

    # -- scanning ----------------------------------------------------------------------
    def _scan_box_entered(self) -> None:
        text = self.scan_box.text().strip()
        self.scan_box.clear()
        if text:
            self.receive_scan(text)

    def _wedge_scanned(self, text: str) -> None:
        if self.isVisible() and self.window().isActiveWindow():
            self.receive_scan(text)

    def receive_scan(self, text: str) -> None:
        """A scanned receipt or slip: receive the dossier into this unit (or show it if already here)."""
        code = scanned_code(text, self.public_base_url)
        if code is None:
            self.say("error", tr("Mã vừa quét không phải mã hồ sơ: {text}").format(text=text[:80]))
            return
        self._scanned = code
        self.flow.start(STEPS["receive"], Target(code, ""))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.wedge is not None:
            self.wedge.install()

    def hideEvent(self, event) -> None:
        if self.wedge is not None:
            self.wedge.uninstall()
        super().hideEvent(event)

    # -- details -----------------------------------------------------------------------
    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_dossier(index.model().record(index.row()).code)

    def open_dossier(self, code: str) -> None:
        self.runner.run(lambda: counter.details(self.ctx, code), on_done=self._show_dossier, parent=self)

    def _show_dossier(self, details: DossierDetails) -> None:
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = DossierDialog(self.ctx, self.user, self.runner, details, self, self.preview)
        self.dialog.finished.connect(lambda _r: self.refresh())
        self.dialog.open()
        self.dossier_opened.emit(self.dialog)
