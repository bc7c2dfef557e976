"""The desk's main window: screens by role in tabs, a menu, the status bar and the idle lock."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QApplication, QDialog, QFrame, QHBoxLayout, QInputDialog, QLabel, QMainWindow,
                               QStackedWidget, QTabWidget, QVBoxLayout, QWidget)

from ..domain.i18n import tr
from ..domain.roles import Action, Role, may
from ..services import admin, receipts
from ..services.context import CurrentUser, DeskContext
from . import printing
from .admin.panel import AdminPanel
from .counter.panel import CounterPanel
from .intake.panel import IntakePanel
from .login.idle_lock import IdleWatcher, LockScreen
from .messages.inbox import InboxPanel, UnansweredLabel
from .online.panel import OnlinePanel
from .queue.panel import QueuePanel
from .supervisor.dashboard import Dashboard
from .supervisor.statistics import StatisticsPanel
from .tasks import TaskRunner
from ..domain.scan_payloads import PayloadKind
from ..scanner.settings import SERIAL
from .camera.settings import load_device_settings
from .scanning import SerialScanner, WedgeDetector, public_base_url, recognise_scan
from .sync_view import SyncHooks, SyncStatusLabel, open_panel

Preview = Callable[[QWidget, Path], object]


class MainWindow(QMainWindow):
    """What a logged-in user works in; ``logout_requested`` when they leave or switch user."""

    logout_requested = Signal()
    locked = Signal()
    unlocked = Signal()

    def __init__(self, ctx: DeskContext, user: CurrentUser, runner: TaskRunner, agency_name: str = "",
                 idle_ms: int = 10 * 60_000, preview: Preview = printing.preview_pdf,
                 parent: QWidget | None = None, sync_hooks: SyncHooks | None = None):
        super().__init__(parent)
        self.ctx, self.user, self.runner, self.preview = ctx, user, runner, preview
        self.sync_hooks = sync_hooks
        # receipt links count only on the agency's own public address; read again when edited
        self.public_base_url = public_base_url(ctx)
        self.setWindowTitle(tr("Bộ phận Một cửa — {agency}").format(agency=agency_name) if agency_name
                            else tr("Bộ phận Một cửa"))

        # Each tab's panel is built when it is first shown (or asked for: ``window.counter``),
        # the first visible one at once: a leader's or an admin's six panels each load their
        # data, and building them all made the login wait 2-3 s for screens nobody had opened.
        self.tabs = QTabWidget()
        self._panels: dict[str, QWidget] = {}
        self._pending: dict[str, tuple[QWidget, Callable[[], QWidget]]] = {}
        if may(user.role, Action.INTAKE):
            self._add_tab("intake", tr("Tiếp nhận hồ sơ"), lambda: IntakePanel(ctx, user, runner, preview=preview))
        if may(user.role, Action.VIEW_DOSSIERS):
            self._add_tab("counter", tr("Danh sách hồ sơ"), lambda: CounterPanel(ctx, user, runner, preview=preview))
        if may(user.role, Action.INTAKE):  # online submissions wait for the counter's check
            self._add_tab("online", tr("Hồ sơ trực tuyến"), lambda: OnlinePanel(ctx, user, runner, preview=preview))
        # the departments' and supervisors' screens (issue 4), each for the roles that use it
        if may(user.role, Action.PROCESS):  # scans reach it through handle_scan while it shows
            self._add_tab("queue", tr("Hồ sơ cần xử lý"), lambda: QueuePanel(ctx, user, runner, preview=preview))
        if may(user.role, Action.ASSIGN):
            self._add_tab("dashboard", tr("Điều hành"), lambda: Dashboard(ctx, user, runner, preview=preview))
        if may(user.role, Action.VIEW_STATISTICS):
            self._add_tab("statistics", tr("Thống kê, báo cáo"), lambda: StatisticsPanel(ctx, user, runner))
        if may(user.role, Action.MANAGE_USERS):
            self._add_tab("admin", tr("Quản trị"), lambda: AdminPanel(ctx, user, runner))
        # the citizens' messages (issue 9): a window of its own (Ctrl+M, or a click on the count
        # in the status bar) for those who answer them
        self.answers_citizens = may(user.role, Action.ANSWER_CITIZENS)
        self.inbox: InboxPanel | None = None
        self.inbox_dialog: QDialog | None = None
        if self._offers("queue") and not self._offers("intake"):
            self.tabs.setCurrentWidget(self._pending["queue"][0])
        if self.tabs.count() == 0:
            note = QLabel(tr("Tài khoản {role} không dùng màn hình này.").format(role=user.role.label))
            note.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.tabs.addTab(note, user.role.label)
        else:
            self._tab_shown(self.tabs.currentIndex())
        self.tabs.currentChanged.connect(self._tab_shown)

        workspace = QWidget()
        work_layout = QVBoxLayout(workspace)
        work_layout.setContentsMargins(0, 0, 0, 0)
        work_layout.setSpacing(0)
        work_layout.addWidget(self._header(agency_name))
        work_layout.addWidget(self.tabs, 1)
        self.lock_screen = LockScreen(ctx, runner)
        self.lock_screen.unlocked.connect(self.unlock)
        self.lock_screen.switch_user.connect(self.logout_requested)
        self.pages = QStackedWidget()
        self.pages.addWidget(workspace)
        self.pages.addWidget(self.lock_screen)
        self.setCentralWidget(self.pages)

        self._menus()
        status = self.statusBar()
        status.setSizeGripEnabled(False)
        status.addWidget(QLabel(tr("Cán bộ: {name} ({username})").format(name=user.full_name,
                                                                         username=user.username)))
        status.addWidget(QLabel(tr("Vai trò: {role}").format(role=user.role.label)))
        self.unanswered: UnansweredLabel | None = None
        if self.answers_citizens:
            self.unanswered = UnansweredLabel(ctx, runner)
            self.unanswered.setObjectName("unanswered")
            self.unanswered.clicked.connect(self.show_inbox)
            status.addPermanentWidget(self.unanswered)
            if sync_hooks is not None:  # a round may bring new messages
                sync_hooks.events.changed.connect(self.unanswered.refresh)
        if sync_hooks is not None:
            status.addPermanentWidget(SyncStatusLabel(sync_hooks))
        if agency_name:
            status.addPermanentWidget(QLabel(agency_name))

        self.idle = IdleWatcher(idle_ms, self)
        self.idle.idle.connect(self.lock)
        self.idle.start()
        self._start_scanners()
        self._shown_once = False

    # -- the tabs, each built when first shown ---------------------------------------------
    def _add_tab(self, name: str, title: str, build: Callable[[], QWidget]) -> None:
        placeholder = QWidget()
        self._pending[name] = (placeholder, build)
        self.tabs.addTab(placeholder, title)

    def _offers(self, name: str) -> bool:
        """Whether this user has the tab ``name``, built or not (without building it)."""
        return name in self._panels or name in self._pending

    def _panel(self, name: str):
        panel = self._panels.get(name)
        if panel is None and name in self._pending:
            panel = self._build(name)
        return panel

    def _tab_shown(self, index: int) -> None:
        page = self.tabs.widget(index)
        name = next((n for n, (p, _b) in self._pending.items() if p is page), None)
        if name is not None:
            self._build(name)

    def _build(self, name: str) -> QWidget:
        placeholder, build = self._pending.pop(name)
        panel = build()
        self._panels[name] = panel
        index = self.tabs.indexOf(placeholder)
        current = self.tabs.currentIndex() == index
        blocked = self.tabs.blockSignals(True)  # the swap is not the user changing tabs
        try:
            self.tabs.insertTab(index, panel, self.tabs.tabText(index))
            self.tabs.removeTab(index + 1)
            if current:
                self.tabs.setCurrentIndex(index)
        finally:
            self.tabs.blockSignals(blocked)
        placeholder.deleteLater()
        self._connect(name, panel, index)
        return panel

    def _connect(self, name: str, panel, index: int) -> None:
        """What ties a panel to the window and to the other panels, once it exists."""
        if name == "intake":
            # a new dossier shows in the list (if the list was opened; else it loads fresh)
            panel.saved.connect(lambda _saved: self._panels["counter"].refresh() if "counter" in self._panels
                                else None)
            if self._offers("counter"):
                panel.open_requested.connect(self._open_saved)
        elif name == "counter":
            panel.dossier_opened.connect(self._dossier_opened)
        elif name == "online":
            panel.count_changed.connect(lambda n, i=index: self.tabs.setTabText(
                i, tr("Hồ sơ trực tuyến ({n})").format(n=n) if n else tr("Hồ sơ trực tuyến")))
        elif name == "admin":
            panel.agency.changed.connect(self._reload_public_base_url)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            # the online tab shows how many submissions wait: its panel comes right after the window
            if "online" in self._pending:
                QTimer.singleShot(0, lambda: self._panel("online") if not self.is_locked else None)

    intake = property(lambda self: self._panel("intake"))
    counter = property(lambda self: self._panel("counter"))
    online = property(lambda self: self._panel("online"))
    queue = property(lambda self: self._panel("queue"))
    dashboard = property(lambda self: self._panel("dashboard"))
    statistics = property(lambda self: self._panel("statistics"))
    admin = property(lambda self: self._panel("admin"))

    def _header(self, agency_name: str) -> QWidget:
        header = QFrame()
        header.setObjectName("header")
        layout = QHBoxLayout(header)
        layout.setContentsMargins(14, 8, 14, 8)
        # whose screen this is: the counter's, a department's (its own name), or the centre's
        self.header_title = QLabel(self._header_words(agency_name, None))
        self.header_title.setObjectName("headerTitle")
        self.header_title.setStyleSheet("font-size: 13pt; font-weight: bold;")
        layout.addWidget(self.header_title)
        layout.addStretch(1)
        self.header_agency = QLabel(agency_name.upper())
        self.header_agency.setStyleSheet("font-weight: bold;")
        layout.addWidget(self.header_agency)
        self._show_header(agency_name, None)
        if self.user.unit_id is not None:
            ctx, unit_id = self.ctx, self.user.unit_id
            self.runner.run(lambda: next((u for u in admin.units(ctx) if u.id == unit_id), None),
                            on_done=lambda unit: self._show_header(agency_name, unit), parent=self)
        return header

    def _show_header(self, agency_name: str, unit) -> None:
        self.header_title.setText(self._header_words(agency_name, unit))
        # the centre's name once: on the right only when the left names a part of it
        self.header_agency.setVisible(self.header_title.text() != agency_name.upper())

    def _header_words(self, agency_name: str, unit) -> str:
        """The counter's clerks: the counter; a department's people: their unit; the leader and the
        admin (of the whole centre): the centre."""
        if unit is not None and unit.kind != "counter" and self.user.role in (Role.SPECIALIST, Role.SUPERVISOR):
            return unit.name.upper()
        if self.user.role is Role.CLERK or (unit is not None and unit.kind == "counter"):
            return tr("BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ")
        return (agency_name or tr("Bộ phận Một cửa")).upper()

    def _menus(self) -> None:
        self._actions: list[QAction] = []
        dossiers = self.menuBar().addMenu(tr("&Hồ sơ"))
        if self._offers("intake"):
            self._action(dossiers, tr("Tiếp nhận hồ sơ mới"), "Ctrl+N", lambda: self.tabs.setCurrentWidget(self.intake))
        if self._offers("counter"):
            self._action(dossiers, tr("Tìm hồ sơ"), "Ctrl+F", self._find)
        if may(self.user.role, Action.PRINT_RECEIPT):
            dossiers.addSeparator()
            self._action(dossiers, tr("In lại giấy tiếp nhận..."), "Ctrl+P", self.reprint_receipt)
        self._action(dossiers, tr("Quét mã bằng camera..."), "F9", self.scan_with_camera)
        if self.answers_citizens:
            dossiers.addSeparator()
            self._action(dossiers, tr("Tin nhắn của công dân..."), "Ctrl+M", self.show_inbox)
        system = self.menuBar().addMenu(tr("&Hệ thống"))
        if self.sync_hooks is not None:
            self._action(system, tr("Đồng bộ với máy chủ trung tâm..."), "Ctrl+Shift+Y",
                         lambda: open_panel(self, self.sync_hooks))
        self._action(system, tr("Khóa màn hình"), "Ctrl+L", self.lock)
        self._action(system, tr("Đăng xuất"), None, self.logout_requested.emit)
        system.addSeparator()
        self._action(system, tr("Thoát"), "Ctrl+Q", self.close)

    def _action(self, menu, text: str, shortcut: str | None, slot) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        self._actions.append(action)
        return action

    # -- the citizens' messages ----------------------------------------------------------
    def show_inbox(self) -> None:
        """The inbox in its own window beside the tabs (closed by the idle lock, like every dialog)."""
        if not self.answers_citizens or self.is_locked:
            return
        if self.inbox_dialog is None:
            self.inbox_dialog = QDialog(self)
            self.inbox_dialog.setWindowTitle(tr("Tin nhắn của công dân"))
            self.inbox_dialog.resize(1180, 640)
            self.inbox = InboxPanel(self.ctx, self.user, self.runner)
            self.inbox.open_requested.connect(self._open_from_inbox)
            if self.unanswered is not None:
                self.inbox.count_changed.connect(self.unanswered.show_count)
            from .messages.notices_list import NoticesListPanel  # the second tab: notices desk-wide
            self.inbox_tabs = QTabWidget()
            self.inbox_tabs.addTab(self.inbox, tr("Tin nhắn chờ trả lời"))
            self.notices_list = NoticesListPanel(self.ctx, self.user, self.runner)
            self.notices_list.open_requested.connect(
                lambda code: self.counter.open_dossier(code) if self._offers("counter") else None)
            self.inbox_tabs.addTab(self.notices_list, tr("Thông báo Zalo/e-mail"))
            QVBoxLayout(self.inbox_dialog).addWidget(self.inbox_tabs)
        self.inbox_dialog.show()
        self.inbox_dialog.raise_()
        self.inbox_dialog.activateWindow()
        self.inbox.reload()
        self.inbox.focus_list()

    def _open_from_inbox(self, code: str) -> None:
        if self._offers("counter"):
            self._open_messages = code
            self.counter.open_dossier(code)

    def _dossier_opened(self, dialog) -> None:
        if self.unanswered is not None:
            dialog.thread.replied.connect(lambda _code: self.unanswered.refresh())
        if self.inbox is not None:
            dialog.thread.replied.connect(lambda _code: self.inbox.reload() if self.inbox_dialog.isVisible() else None)
        if getattr(self, "_open_messages", None) == dialog.details.summary.code:
            self._open_messages = None
            dialog.show_messages()

    def _open_saved(self, code: str) -> None:
        assert self.counter is not None
        self.tabs.setCurrentWidget(self.counter)
        self.counter.open_dossier(code)

    def _find(self) -> None:
        assert self.counter is not None
        self.tabs.setCurrentWidget(self.counter)
        self.counter.focus_search()

    def reprint_receipt(self) -> None:
        code, ok = QInputDialog.getText(self, tr("In lại giấy tiếp nhận"),
                                        tr("Mã hồ sơ (quét mã vạch hoặc gõ):"))
        code = code.strip().upper()
        if ok and code:
            self.runner.run(lambda: receipts.produce(self.ctx, self.user, code),
                            on_done=lambda path: self.preview(self, path), parent=self)

    # -- scans: handheld scanner (keyboard or serial) and camera ----------------------------
    def _start_scanners(self) -> None:
        self.devices = load_device_settings()
        # Window-wide; a screen that installs its own detector while shown takes precedence
        # (the last filter installed is asked first).
        self.wedge = WedgeDetector(self, max_gap_ms=self.devices.wedge_gap_ms)
        self.wedge.scanned.connect(self.handle_scan)
        self.wedge.install()
        self.serial_scanner: SerialScanner | None = None
        if self.devices.scanner_mode == SERIAL and self.devices.serial_port:
            self.serial_scanner = SerialScanner(self.devices.serial_port, self.devices.serial_baud, parent=self)
            self.serial_scanner.scanned.connect(self.handle_scan)
            self.serial_scanner.start()

    def handle_scan(self, text: str) -> None:
        """A receipt or slip opens its dossier; a chip ID card's QR fills the intake form."""
        if self.is_locked:
            return
        queue = self._panels.get("queue")  # only a built panel can be the one showing
        if queue is not None and self.tabs.currentWidget() is queue:
            queue.receive_scan(text)  # a department receives the dossier it was handed
            return
        payload = recognise_scan(text, self.public_base_url)
        if payload.kind in (PayloadKind.RECEIPT_LINK, PayloadKind.DOSSIER_CODE) and self._offers("counter"):
            self.tabs.setCurrentWidget(self.counter)
            self.counter.open_dossier(payload.dossier_code or "")
        elif payload.kind is PayloadKind.ID_CARD and self._offers("intake") and payload.id_card is not None:
            self.tabs.setCurrentWidget(self.intake)
            self.intake.fill_from_id_card(payload.id_card)
        else:
            self.statusBar().showMessage(payload.message, 8000)

    def _reload_public_base_url(self) -> None:
        ctx = self.ctx
        self.runner.run(lambda: public_base_url(ctx), on_done=self._set_public_base_url, parent=self)

    def _set_public_base_url(self, url: str | None) -> None:
        self.public_base_url = url

    def scan_with_camera(self) -> None:
        from .camera.dialog import CameraDialog
        dialog = CameraDialog(self)
        dialog.scanned.connect(self.handle_scan)
        dialog.exec()

    # -- the idle lock -----------------------------------------------------------------
    @property
    def is_locked(self) -> bool:
        return self.pages.currentWidget() is self.lock_screen

    def lock(self) -> None:
        """Hide the citizen's data until the same user types the password again."""
        if self.is_locked:
            return
        self.idle.stop()
        for widget in QApplication.topLevelWidgets():  # open dialogs would show data over the lock
            if isinstance(widget, QDialog) and widget.isVisible() and widget is not self:
                widget.reject()
        self._set_actions_enabled(False)
        self.wedge.enabled = False
        self.pages.setCurrentWidget(self.lock_screen)
        self.lock_screen.lock_for(self.user)
        self.locked.emit()

    def unlock(self) -> None:
        self.pages.setCurrentIndex(0)
        self._set_actions_enabled(True)
        self.wedge.enabled = True
        self.idle.start()
        self.unlocked.emit()

    def _set_actions_enabled(self, enabled: bool) -> None:
        # shortcuts of a disabled menu bar still fire: disable the actions themselves
        self.menuBar().setEnabled(enabled)
        for action in self._actions:
            action.setEnabled(enabled)

    def closeEvent(self, event) -> None:
        self.idle.stop()
        self.wedge.uninstall()
        if self.serial_scanner is not None:
            self.serial_scanner.stop()
        super().closeEvent(event)
