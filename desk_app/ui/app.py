"""Starting the desk application: first-start setup, login, the main window, logout and back.

The login window comes first and fast: only what it needs is imported before it shows (the
desk's database, the login service, the dialog). The screens behind it (cameras and image
decoders, PDFs, the sync client, spreadsheets) are imported on a background thread while the
user types, and the background sync starts once that is done; the login waits for them only
if it comes sooner.
"""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path
from typing import Callable

# The storage and the services before Qt, on purpose: once PySide6 is imported it reads the
# source of every module imported after it (for its ``__feature__`` switches), which costs a
# third of a second for SQLAlchemy alone.
from ..services.context import CurrentUser, DeskContext, open_desk  # isort: skip
from ..services import setup  # isort: skip

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QDialog

from ..domain.i18n import set_language, tr
from . import desk_info
from .login.dialog import LoginDialog
from .style import apply_style
from .tasks import TaskRunner

log = logging.getLogger(__name__)

# imported behind the login window, in this order (what the main window and the sync need)
BEHIND_LOGIN = ("desk_app.ui.main_window", "desk_app.services.sync", "desk_app.ui.sync_panel",
                "desk_app.ui.sync_view")


def __getattr__(name: str):
    if name == "MainWindow":  # ``app.MainWindow`` as before, imported on first use
        from .main_window import MainWindow
        return MainWindow
    raise AttributeError(name)


class Preloader(QObject):
    """Imports ``modules`` on a background thread; ``done`` on the GUI thread afterwards."""

    done = Signal()

    def __init__(self, modules: tuple[str, ...] = BEHIND_LOGIN):
        super().__init__()
        self.modules = modules
        self.finished = threading.Event()
        self._thread = threading.Thread(target=self._run, name="desk-preload", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        import importlib
        try:
            for name in self.modules:
                importlib.import_module(name)
        except Exception:  # the GUI thread imports again when it needs them, and reports there
            log.exception("preloading the screens failed")
        finally:
            self.finished.set()
            self.done.emit()


class DeskSession(QObject):
    """Login → main window → logout → login..., for one open desk database."""

    login_shown = Signal()

    def __init__(self, ctx: DeskContext, runner: TaskRunner, agency_name: str = "", sync_hooks=None,
                 before_window: Callable[[], None] | None = None):
        super().__init__()
        self.ctx, self.runner, self.agency_name = ctx, runner, agency_name
        self.sync_hooks = sync_hooks
        self.before_window = before_window  # e.g. start the sync, if the preloading has not yet
        self.window = None
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
        if self.before_window is not None:
            self.before_window()
        from .main_window import MainWindow
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
    started: list = []   # the sync runner, once started
    try:
        agency_name = desk_info.agency_name(ctx)
        if not setup.is_configured(ctx):
            from .setup.dialog import SetupDialog
            dialog = SetupDialog(ctx, runner)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return 0
            agency_name = dialog.agency_name
        # the sync starts once its modules are in, or at the login if that comes first
        session = DeskSession(ctx, runner, agency_name, before_window=lambda: _start_sync_once(ctx, session, started))
        session.show_login()
        preloader = Preloader()
        preloader.done.connect(lambda: _start_sync_once(ctx, session, started))
        preloader.start()
        return app.exec()
    finally:
        if started and started[0] is not None:
            started[0].stop()
        runner.shutdown()
        ctx.db.dispose()


def _start_sync_once(ctx: DeskContext, session: DeskSession, started: list) -> None:
    if started:
        return
    try:
        sync_runner, hooks = _start_sync(ctx)
    except Exception:  # the desk works without its server: the sync panel says why later
        log.exception("starting the background sync failed")
        sync_runner, hooks = None, None
    started.append(sync_runner)
    session.sync_hooks = hooks


def _start_sync(ctx: DeskContext):
    """With the desk enrolled, numbers come from the server and a background sync runs."""
    from ..services import sync
    from .sync_panel import SyncEvents
    from .sync_view import SyncHooks
    if not sync.attach(ctx):
        return None, None
    events = SyncEvents()
    sync_runner = sync.start(ctx, listener=events)
    return sync_runner, SyncHooks(lambda: sync.status(ctx, sync_runner), sync_runner.poke, events)
