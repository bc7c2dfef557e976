"""The login dialog: username, password, Enter submits; the agency's name on top."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QDialog, QFormLayout, QFrame, QLabel, QLineEdit, QPushButton,
                               QVBoxLayout, QWidget)

from ...domain.i18n import tr
from ...services import auth
from ...services.context import CurrentUser, DeskContext, ServiceError
from ..tasks import TaskRunner


class LoginDialog(QDialog):
    """Accepted once ``auth.login`` accepts; ``user`` then holds who logged in."""

    logged_in = Signal(object)  # CurrentUser

    def __init__(self, ctx: DeskContext, runner: TaskRunner, agency_name: str = "",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.runner = ctx, runner
        self.user: CurrentUser | None = None
        self.setWindowTitle(tr("Đăng nhập - Bộ phận Một cửa"))
        self.setMinimumWidth(460)

        title = QLabel(tr("PHẦN MỀM BỘ PHẬN MỘT CỬA"))
        title.setObjectName("appTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        agency = QLabel(agency_name)
        agency.setObjectName("subtitle")
        agency.setAlignment(Qt.AlignmentFlag.AlignCenter)
        agency.setWordWrap(True)
        agency.setVisible(bool(agency_name))

        self.username = QLineEdit()
        self.username.setPlaceholderText(tr("tên đăng nhập"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(tr("mật khẩu"))
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.hide()
        self.submit = QPushButton(tr("Đăng nhập"))
        self.submit.setObjectName("primary")
        # Enter is handled per field (username -> password -> log in), not by a dialog default button
        self.submit.setAutoDefault(False)
        self.submit.clicked.connect(self.try_login)
        self.username.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self.try_login)

        panel = QFrame()
        panel.setObjectName("loginPanel")
        form = QFormLayout(panel)
        form.setContentsMargins(20, 18, 20, 18)
        form.setVerticalSpacing(10)
        form.addRow(tr("Tên đăng nhập"), self.username)
        form.addRow(tr("Mật khẩu"), self.password)
        form.addRow(self.error)
        form.addRow(self.submit)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 24)
        layout.setSpacing(8)
        layout.addWidget(title)
        layout.addWidget(agency)
        layout.addSpacing(8)
        layout.addWidget(panel)
        self.username.setFocus()

    def try_login(self) -> None:
        if not self.submit.isEnabled():
            return  # a check is already running
        username, password = self.username.text().strip(), self.password.text()
        if not username or not password:
            self._show_error(tr("Nhập tên đăng nhập và mật khẩu."))
            (self.username if not username else self.password).setFocus()
            return
        self.submit.setEnabled(False)
        self.runner.run(lambda: auth.login(self.ctx, username, password),
                        on_done=self._accepted, on_error=self._refused, parent=self)

    def _accepted(self, user: CurrentUser) -> None:
        self.submit.setEnabled(True)
        self.user = user
        self.error.hide()
        self.password.clear()
        self.logged_in.emit(user)
        self.accept()

    def _refused(self, error: BaseException) -> None:
        self.submit.setEnabled(True)
        if not isinstance(error, ServiceError):
            self.runner.report_error(error, self)
            return
        self._show_error(str(error))
        self.password.selectAll()
        self.password.setFocus()

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
