"""Starting the desk application: first-start setup, login, the main window, logout and back."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QDialog

from ..domain.i18n import set_language, tr
from ..services import setup
from ..services.context import CurrentUser, DeskContext, open_desk
from . import desk_info
from .login.dialog import LoginDialog
from .main_window import MainWindow
from .setup.dialog import SetupDialog
from .style import apply_style
from .tasks import TaskRunner
from ..services import sync
from .sync_panel import SyncEvents
from .sync_view import SyncHooks

log = logging.getLogger(__name__)


class DeskSession(QObject):
    """Login → main window → logout → login..., for one open desk database."""

    login_shown = Signal()

    def __init__(self, ctx: DeskContext, runner: TaskRunner, agency_name: str = "",
                 sync_hooks: SyncHooks | None = None):
        super().__init__()
        self.ctx, self.runner, self.agency_name = ctx, runner, agency_name
        self.sync_hooks = sync_hooks
        self.window: MainWindow | None = None
        self.login: LoginDialog | None = None

    def show_login(self) -> None:
        self.login = LoginDialog(self.ctx, self.runner, self.agency_name)
        self.login.logged_in.connect(self._logged_in)
        self.login.rejected.connect(self._login_cancelled)
        self.login.show()
        self.login.raise_()
        self.login.activateWindow()
        if self.window is not None:  # after the login dialog is up, so the app does not quit
            old, self.window = self.window, None
            old.close()
            old.deleteLater()
        self.login_shown.emit()

    def _login_cancelled(self) -> None:
        if self.window is None:
            QApplication.quit()

    def _logged_in(self, user: CurrentUser) -> None:
        minutes = float(desk_info.setting(self.ctx, "idle_lock_minutes") or 10)
        self.window = MainWindow(self.ctx, user, self.runner, self.agency_name, idle_ms=int(minutes * 60_000),
                                 sync_hooks=self.sync_hooks)
        self.window.logout_requested.connect(lambda: QTimer.singleShot(0, self.show_login))
        self.window.resize(1360, 860)
        self.window.showMaximized()
        if self.login is not None:
            self.login.deleteLater()
            self.login = None


def run(data_dir: Path | str) -> int:
    """Open the desk in ``data_dir`` and run the application until the user quits."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("desk_app").setLevel(logging.INFO)
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("desk-app")
    app.setApplicationDisplayName(tr("Bộ phận Một cửa"))
    apply_style(app)
    ctx = open_desk(data_dir)
    language = desk_info.setting(ctx, "language")
    if language:
        set_language(str(language))
    runner = TaskRunner()
    sync_runner = None
    try:
        agency_name = desk_info.agency_name(ctx)
        if not setup.is_configured(ctx):
            dialog = SetupDialog(ctx, runner)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return 0
            agency_name = dialog.agency_name
        sync_runner, hooks = _start_sync(ctx)
        session = DeskSession(ctx, runner, agency_name, hooks)
        session.show_login()
        return app.exec()
    finally:
        if sync_runner is not None:
            sync_runner.stop()
        runner.shutdown()
        ctx.db.dispose()


def _start_sync(ctx: DeskContext):
    """With the desk enrolled, numbers come from the server and a background sync runs."""
    if not sync.attach(ctx):
        return None, None
    events = SyncEvents()
    sync_runner = sync.start(ctx, listener=events)
    return sync_runner, SyncHooks(lambda: sync.status(ctx, sync_runner), sync_runner.poke, events)
