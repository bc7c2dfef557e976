"""The idle lock: an application-wide watch on user input, and the lock screen it raises.

A counter is left alone while the clerk fetches papers; after the idle time the window
hides the citizen's data until the same clerk types the password again, or someone
else logs in.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (QApplication, QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QVBoxLayout, QWidget)

from ...domain.i18n import tr
from ...services import auth
from ...services.context import CurrentUser, DeskContext
from ..tasks import TaskRunner

_INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel,
    QEvent.Type.TouchBegin, QEvent.Type.TabletPress, QEvent.Type.ShortcutOverride,
})


class IdleWatcher(QObject):
    """Emits ``idle`` once no key, click or mouse move has reached the application for ``timeout_ms``."""

    idle = Signal()

    def __init__(self, timeout_ms: int, parent: QObject | None = None):
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(max(1, timeout_ms))
        self._timer.timeout.connect(self.idle)
        self._app = QApplication.instance()

    @classmethod
    def minutes(cls, minutes: float, parent: QObject | None = None) -> IdleWatcher:
        return cls(int(minutes * 60_000), parent)

    def start(self) -> None:
        self._app.installEventFilter(self)
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self._app.removeEventFilter(self)

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS and self._timer.isActive():
            self._timer.start()  # restart the countdown
        return False


class LockScreen(QWidget):
    """Full-window page asking the logged-in user's password again."""

    unlocked = Signal()
    switch_user = Signal()

    def __init__(self, ctx: DeskContext, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.runner = ctx, runner
        self.user: CurrentUser | None = None

        title = QLabel(tr("Màn hình đã khóa"))
        title.setObjectName("appTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.who = QLabel()
        self.who.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.who.setWordWrap(True)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(tr("mật khẩu"))
        self.password.returnPressed.connect(self.try_unlock)
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.error.hide()
        self.unlock_button = QPushButton(tr("Mở khóa"))
        self.unlock_button.setObjectName("primary")
        self.unlock_button.clicked.connect(self.try_unlock)
        self.other_button = QPushButton(tr("Đăng nhập tài khoản khác"))
        self.other_button.clicked.connect(self.switch_user)

        panel = QFrame()
        panel.setObjectName("lockPanel")
        panel.setFixedWidth(440)
        inner = QVBoxLayout(panel)
        inner.setContentsMargins(24, 20, 24, 20)
        inner.setSpacing(10)
        inner.addWidget(title)
        inner.addWidget(self.who)
        inner.addWidget(self.password)
        inner.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addWidget(self.other_button)
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        inner.addLayout(buttons)

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(panel)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

    def lock_for(self, user: CurrentUser) -> None:
        self.user = user
        self.who.setText(tr("Đang đăng nhập: {name} ({username}). Nhập mật khẩu để tiếp tục làm việc.")
                         .format(name=user.full_name, username=user.username))
        self.password.clear()
        self.error.hide()
        self.password.setFocus()

    def try_unlock(self) -> None:
        if self.user is None:
            return
        password, user = self.password.text(), self.user
        if not password:
            self._wrong(tr("Nhập mật khẩu để mở khóa."))
            return
        self.runner.run(lambda: auth.verify_password(self.ctx, user, password),
                        on_done=self._checked, parent=self)

    def _checked(self, ok: bool) -> None:
        if ok:
            self.password.clear()
            self.error.hide()
            self.unlocked.emit()
        else:
            self._wrong(tr("Mật khẩu không đúng."))

    def _wrong(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
        self.password.selectAll()
        self.password.setFocus()
