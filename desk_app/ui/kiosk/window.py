"""The kiosk window: full screen, on top, frameless; the flow's screens; leaving needs an admin.

Nothing a citizen can press closes it: closing is refused, keys are swallowed, a minimised
window comes back. Staff leave by holding a finger on the header for three seconds, then
giving an administrator's name and password (checked by ``services.auth.check_admin``, which never locks the account); after three
wrong tries the door stays shut for a minute, so a passer-by cannot lock the admin account.
"""

from __future__ import annotations

import logging
import time
from typing import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QApplication, QDialog, QFormLayout, QFrame, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QStackedWidget, QVBoxLayout, QWidget)

from ...domain.i18n import tr
from ...services import announcements, auth, kiosk
from ...services.context import CurrentUser, DeskContext, ServiceError
from ..camera.feed import CameraFeed
from ..scanning import WedgeDetector, public_base_url as configured_public_base_url
from ..tasks import TaskRunner
from .flow import KioskFlow, Lookup, Screen, SendRating
from .pages import STYLESHEET, IdlePage, MessagePage, ProgressPage, RatingPage, scaled_stylesheet

log = logging.getLogger(__name__)

HOLD_TO_EXIT_MS = 3000
EXIT_TRIES = 3
EXIT_LOCK_S = 60


class Header(QFrame):
    """The agency's name and the time; holding it down is the staff's way out."""

    held = Signal()

    def __init__(self, agency_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("kioskHeader")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(28, 14, 28, 14)
        self.agency = QLabel(agency_name.upper() or tr("BỘ PHẬN MỘT CỬA"))
        layout.addWidget(self.agency, 1)
        self.clock = QLabel()
        self.clock.setObjectName("kioskClock")
        layout.addWidget(self.clock)
        self._hold = QTimer(self)
        self._hold.setSingleShot(True)
        self._hold.setInterval(HOLD_TO_EXIT_MS)
        self._hold.timeout.connect(self.held)

    def mousePressEvent(self, event) -> None:
        self._hold.start()
        event.accept()

    def mouseReleaseEvent(self, event) -> None:
        self._hold.stop()
        event.accept()


class ExitDialog(QDialog):
    """An administrator's name and password; ``try_exit`` on the window decides."""

    def __init__(self, window: "KioskWindow"):
        super().__init__(window, Qt.WindowType.Dialog | Qt.WindowType.WindowStaysOnTopHint)
        self.window_ = window
        self.setWindowTitle(tr("Thoát kiosk"))
        self.setStyleSheet("QLabel, QLineEdit, QPushButton { font-size: 16pt; }")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("Chỉ quản trị viên được thoát kiosk.")))
        form = QFormLayout()
        self.username = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(tr("Tên đăng nhập"), self.username)
        form.addRow(tr("Mật khẩu"), self.password)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        row = QHBoxLayout()
        cancel = QPushButton(tr("Hủy"))
        cancel.clicked.connect(self.reject)
        ok = QPushButton(tr("Thoát kiosk"))
        ok.clicked.connect(self._try)
        self.password.returnPressed.connect(self._try)
        row.addWidget(cancel)
        row.addWidget(ok)
        layout.addLayout(row)

    def _try(self) -> None:
        self.window_.try_exit(self.username.text(), self.password.text(), self._answer)

    def _answer(self, ok: bool, message: str) -> None:
        if ok:
            self.accept()
        else:
            self.password.clear()
            self.error.setText(message)


class KioskWindow(QWidget):
    screen_changed = Signal(str)
    left = Signal()

    def __init__(self, ctx: DeskContext, user: CurrentUser, runner: TaskRunner, feed: CameraFeed | None = None,
                 agency_name: str = "", wedge: WedgeDetector | None = None, mirror: bool = True,
                 clock: Callable[[], float] = time.monotonic, parent: QWidget | None = None,
                 public_base_url: str | None = None):
        super().__init__(parent, Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint)
        self.ctx, self.user, self.runner, self.feed, self.wedge = ctx, user, runner, feed, wedge
        # a receipt link counts only on the agency's public address (given, or as configured)
        self.flow = KioskFlow(public_base_url if public_base_url is not None else configured_public_base_url(ctx))
        self._clock = clock
        self._leaving = False
        self._exit_failures: list[float] = []
        self.last_scan_at: float | None = None       # when the frame with the accepted code was captured
        self.last_latency_s: float | None = None     # from that frame to the progress screen
        self.setObjectName("kiosk")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        # type and spacing for the screen it runs on, full screen (a 1366 x 768 kiosk gets them smaller)
        screen = QGuiApplication.primaryScreen()
        self.setStyleSheet(scaled_stylesheet(screen.geometry().height()) if screen is not None else STYLESHEET)
        self.setWindowTitle(tr("Tra cứu hồ sơ"))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.header = Header(agency_name)
        self.header.held.connect(self.ask_exit)
        layout.addWidget(self.header)
        self.pages = QStackedWidget()
        self.idle_page = IdlePage(mirror=mirror)
        self.progress_page = ProgressPage()
        self.rating_page = RatingPage()
        self.message_page = MessagePage()
        for page in (self.idle_page, self.progress_page, self.rating_page, self.message_page):
            self.pages.addWidget(page)
        layout.addWidget(self.pages, 1)

        self.progress_page.rate_clicked.connect(self._rate_clicked)
        self.progress_page.done_clicked.connect(self._act(self.flow.done))
        self.rating_page.back_clicked.connect(self._act(self.flow.back))
        self.rating_page.submitted.connect(self._submit_rating)
        self.message_page.back_clicked.connect(self._act(self.flow.done))

        self.inactivity = QTimer(self)
        self.inactivity.setSingleShot(True)
        self.inactivity.timeout.connect(self._act(self.flow.timed_out))
        self._tick = QTimer(self)
        self._tick.timeout.connect(self._show_time)
        self._tick.start(15_000)
        self._show_time()
        # the centre's announcements on the idle screen, read again every few minutes
        self._notices = QTimer(self)
        self._notices.timeout.connect(self.load_announcements)
        self._notices.start(5 * 60_000)
        self.load_announcements()
        if feed is not None:
            self.idle_page.camera.attach(feed)
            feed.accepted.connect(self._accepted)
        if wedge is not None:
            wedge.scanned.connect(self.scanned)
        QApplication.instance().installEventFilter(self)
        self._render()

    # -- input ------------------------------------------------------------------------------------
    def _accepted(self, code, captured_at: float) -> None:
        self.last_scan_at = captured_at
        self.scanned(code.text)

    def scanned(self, text: str) -> None:
        """A code from the camera or a handheld scanner."""
        try:
            command = self.flow.scanned(text)
        except Exception:  # whatever a citizen holds up, the kiosk stays up; never log the text
            log.exception("kiosk scan not handled (%s characters)", len(text) if isinstance(text, str) else "?")
            self.flow.not_found(tr("Mã này không phải mã QR trên giấy tiếp nhận hồ sơ. Xin ông/bà kiểm tra "
                                   "lại giấy tờ."))
            command = None
        if isinstance(command, Lookup):
            self.runner.run(lambda: kiosk.lookup(self.ctx, self.user, command.code, command.key),
                            on_done=self._found, on_error=self._lookup_failed, parent=self)
        self._render()

    def _found(self, view) -> None:
        self.flow.found(view)
        self._render()
        if self.last_scan_at is not None:
            self.last_latency_s = self._clock() - self.last_scan_at

    def _lookup_failed(self, error: BaseException) -> None:
        if not isinstance(error, ServiceError):
            log.error("kiosk lookup failed", exc_info=(type(error), error, error.__traceback__))
        # Whatever went wrong, the citizen hears the same thing: nothing about the dossier.
        self.flow.not_found(kiosk.not_found_message())
        self._render()

    def _rate_clicked(self) -> None:
        if self.flow.want_to_rate():
            self.rating_page.reset(self.flow.view.clerk_name)
        self._render()

    def _submit_rating(self, level: str, comment: str) -> None:
        command = self.flow.submit_rating(level, comment)
        if isinstance(command, SendRating):
            self.runner.run(lambda: kiosk.rate(self.ctx, self.user, command.code, command.key, command.level,
                                               command.comment),
                            on_done=lambda _=None: self._after(self.flow.rated),
                            on_error=self._rating_failed, parent=self)
        self._render()

    def _rating_failed(self, error: BaseException) -> None:
        if not isinstance(error, ServiceError):
            log.error("kiosk rating failed", exc_info=(type(error), error, error.__traceback__))
            message = tr("Chưa gửi được đánh giá. Xin ông/bà thử lại sau hoặc hỏi cán bộ tại quầy.")
        else:
            message = str(error)
        self.flow.rating_refused(message)
        self._render()

    def _act(self, step: Callable[[], None]) -> Callable[..., None]:
        return lambda *_args: self._after(step)

    def _after(self, step: Callable[[], None]) -> None:
        step()
        self._render()

    # -- output -----------------------------------------------------------------------------------
    def _render(self) -> None:
        flow = self.flow
        page = {Screen.IDLE: self.idle_page, Screen.PROGRESS: self.progress_page,
                Screen.RATING: self.rating_page, Screen.MESSAGE: self.message_page}[flow.screen]
        if flow.screen is Screen.PROGRESS and flow.view is not None:
            self.progress_page.show_view(flow.view)
        if flow.screen is Screen.MESSAGE:
            self.message_page.show_message(flow.message)
        self.idle_page.show_state(flow.busy and flow.screen is Screen.IDLE, flow.banner)
        changed = self.pages.currentWidget() is not page
        if changed:
            # The camera's validator is left alone: a receipt still held up after "Xong" does not
            # bring the dossier back; taken away for two seconds and shown again, it does.
            self.pages.setCurrentWidget(page)
        self._restart_inactivity()
        if changed:
            self.screen_changed.emit(flow.screen.value)

    def _restart_inactivity(self) -> None:
        seconds = self.flow.timeout_s
        if seconds:
            self.inactivity.start(seconds * 1000)
        else:
            self.inactivity.stop()

    def load_announcements(self) -> None:
        ctx = self.ctx

        def failed(error: BaseException) -> None:  # the kiosk stays up without them
            log.error("kiosk announcements not read", exc_info=(type(error), error, error.__traceback__))
        self.runner.run(lambda: [(a.title, a.body) for a in announcements.current(ctx, limit=IdlePage.MAX_NOTICES)],
                        on_done=self.idle_page.show_announcements, on_error=failed, parent=self)

    def _show_time(self) -> None:
        now = self.ctx.clock()
        self.header.clock.setText(now.strftime("%H:%M  %d/%m/%Y"))

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.KeyPress):
            if self.flow.screen is not Screen.IDLE and self.inactivity.isActive():
                self._restart_inactivity()
        return False

    # -- no way out for citizens --------------------------------------------------------------------
    def closeEvent(self, event) -> None:
        if self._leaving:
            QApplication.instance().removeEventFilter(self)
            event.accept()
            return
        event.ignore()

    def keyPressEvent(self, event) -> None:
        event.accept()  # Escape, Alt+F4 as a key, anything: swallowed

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.WindowStateChange and self.isMinimized() and not self._leaving:
            QTimer.singleShot(0, self._back_to_front)

    def _back_to_front(self) -> None:
        if self.isFullScreen() or self.windowState() & Qt.WindowState.WindowMinimized:
            self.showFullScreen()
        else:
            self.showNormal()
        self.raise_()
        self.activateWindow()

    def ask_exit(self) -> None:
        ExitDialog(self).exec()

    def try_exit(self, username: str, password: str, answer: Callable[[bool, str], None]) -> None:
        """Leave if an administrator's password is right; ``answer(ok, message)`` either way."""
        now = self._clock()
        self._exit_failures = [t for t in self._exit_failures if now - t < EXIT_LOCK_S]
        if len(self._exit_failures) >= EXIT_TRIES:
            answer(False, tr("Đã nhập sai nhiều lần. Xin thử lại sau một phút."))
            return

        def check():
            return auth.check_admin(self.ctx, username.strip(), password)

        def done(_user) -> None:
            self._leaving = True
            answer(True, "")
            self.left.emit()
            self.close()

        def failed(error: BaseException) -> None:
            self._exit_failures.append(self._clock())
            answer(False, str(error) if isinstance(error, ServiceError) else tr("Không kiểm tra được mật khẩu."))

        self.runner.run(check, on_done=done, on_error=failed, parent=self)

    @property
    def screen(self) -> Screen:
        return self.flow.screen

