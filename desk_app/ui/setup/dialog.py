"""First start: the agency's details and the first administrator, errors beside each field."""

from __future__ import annotations

from PySide6.QtWidgets import (QDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QVBoxLayout, QWidget)

from ...domain.i18n import tr
from ...services import auth, setup
from ...services.context import CurrentUser, DeskContext, ServiceError
from ..tasks import TaskRunner
from ..widgets import ErrorLabel, FieldErrors, with_error


class SetupDialog(QDialog):
    """Accepted once the agency is recorded and the admin account exists."""

    def __init__(self, ctx: DeskContext, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.runner = ctx, runner
        self.admin: CurrentUser | None = None
        self.agency_name = ""
        self.errors = FieldErrors()
        self.setWindowTitle(tr("Thiết lập lần đầu - Bộ phận Một cửa"))
        self.setMinimumWidth(640)

        intro = QLabel(tr("Máy này chưa được thiết lập. Nhập thông tin cơ quan và tạo tài khoản quản trị "
                          "đầu tiên."))
        intro.setWordWrap(True)
        self.fields: dict[str, QLineEdit] = {}

        agency_box = QGroupBox(tr("Thông tin cơ quan"))
        agency_form = QFormLayout(agency_box)
        for key, label, hint in (
            ("name", tr("Tên cơ quan *"), tr("Trung tâm Phục vụ hành chính công tỉnh ...")),
            ("code", tr("Mã định danh *"), "000.00.06.H56"),
            ("parent_name", tr("Cơ quan chủ quản"), tr("UBND tỉnh ...")),
            ("place", tr("Địa danh"), tr("Thanh Hóa")),
            ("address", tr("Địa chỉ *"), tr("Số nhà, đường, phường/xã, tỉnh")),
            ("public_base_url", tr("Địa chỉ máy chủ trung tâm *"), "https://dichvucong.example.gov.vn"),
        ):
            agency_form.addRow(label, self._field(key, hint))

        admin_box = QGroupBox(tr("Tài khoản quản trị"))
        admin_form = QFormLayout(admin_box)
        admin_form.addRow(tr("Tên đăng nhập *"), self._field("username", "admin"))
        admin_form.addRow(tr("Họ và tên *"), self._field("full_name", ""))
        admin_form.addRow(tr("Mật khẩu *"), self._field("password", tr("ít nhất 8 ký tự"), secret=True))
        admin_form.addRow(tr("Nhập lại mật khẩu *"), self._field("password2", "", secret=True))

        self.form_error = ErrorLabel()
        self.errors.fallback = self.form_error
        self.save_button = save = QPushButton(tr("Lưu thiết lập"))
        save.setObjectName("primary")
        save.setDefault(True)
        save.clicked.connect(self.submit)
        cancel = QPushButton(tr("Thoát"))
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(save)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(agency_box)
        layout.addWidget(admin_box)
        layout.addWidget(self.form_error)
        layout.addLayout(buttons)

    def _field(self, key: str, hint: str, secret: bool = False) -> QWidget:
        edit = QLineEdit()
        edit.setPlaceholderText(hint)
        if secret:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.fields[key] = edit
        box, error = with_error(edit)
        self.errors.add(key, error, edit, edit)
        return box

    def agency_input(self) -> setup.AgencyInput:
        f = {k: e.text() for k, e in self.fields.items()}
        return setup.AgencyInput(code=f["code"], name=f["name"], parent_name=f["parent_name"],
                                 place=f["place"], address=f["address"],
                                 public_base_url=f["public_base_url"])

    def check(self) -> dict[str, str]:
        """Errors the form can find before touching the database."""
        errors = setup.check_agency(self.agency_input())
        username, full_name = self.fields["username"].text().strip(), self.fields["full_name"].text().strip()
        password, again = self.fields["password"].text(), self.fields["password2"].text()
        if not username or " " in username:
            errors["username"] = tr("Tên đăng nhập không được để trống hoặc chứa dấu cách.")
        if len(full_name) < 2:
            errors["full_name"] = tr("Chưa nhập họ và tên.")
        try:
            auth.check_new_password(password)
        except ServiceError as e:
            errors["password"] = str(e)
        if password != again:
            errors["password2"] = tr("Hai lần nhập mật khẩu không khớp.")
        return errors

    def submit(self) -> None:
        if not self.save_button.isEnabled():
            return  # already saving
        errors = self.check()
        if errors:
            self.errors.show(errors)
            return
        self.errors.clear()
        agency = self.agency_input()
        f = {k: e.text() for k, e in self.fields.items()}
        self.save_button.setEnabled(False)
        self.runner.run(lambda: setup.configure(self.ctx, agency, f["username"], f["full_name"], f["password"]),
                        on_done=self._done, on_error=self._failed, parent=self)

    def _done(self, admin: CurrentUser) -> None:
        self.save_button.setEnabled(True)
        self.admin = admin
        self.agency_name = self.agency_input().name.strip()
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        if isinstance(error, ServiceError):
            self.form_error.show_message(str(error))
        else:
            self.runner.report_error(error, self)
