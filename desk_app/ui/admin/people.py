"""Units and people: add a unit or a person, change a role or unit, lock or unlock, reset a password."""

from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout,
                               QWidget)

from ...domain.i18n import tr
from ...domain.roles import Role
from ...services import admin
from ...services.admin import PersonView, UnitView
from ..common import table_export
from ..common.records import Column, RecordTableModel, record_table, selected_record
from .page import Page, fill_units, group, hint


def kind_label(kind: str) -> str:
    return tr("Bộ phận Một cửa") if kind == "counter" else tr("Phòng, ban chuyên môn")


class UnitsPage(Page):
    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.model: RecordTableModel[UnitView] = RecordTableModel([
            Column(tr("Mã đơn vị"), lambda u: u.code), Column(tr("Tên đơn vị"), lambda u: u.name),
            Column(tr("Loại"), lambda u: kind_label(u.kind))], self)
        self.table = record_table(self.model, stretch=1)
        table_export.attach(self.table, self.runner, tr("Danh sách đơn vị"), self.ctx)
        self.table.selectionModel().currentRowChanged.connect(lambda _a, _b: self._picked())
        self.code = QLineEdit()
        self.code.setPlaceholderText(tr("Ví dụ: STP"))
        self.name = QLineEdit()
        self.name.setPlaceholderText(tr("Ví dụ: Sở Tư pháp"))
        self.kind = QComboBox()
        for kind in ("department", "counter"):
            self.kind.addItem(kind_label(kind), kind)
        save = QPushButton(tr("Lưu đơn vị"))
        save.setObjectName("primary")
        save.clicked.connect(self.save)
        new = QPushButton(tr("Đơn vị mới"))
        new.clicked.connect(self.new)
        form = QFormLayout()
        form.addRow(tr("Mã đơn vị"), self.code)
        form.addRow(tr("Tên đơn vị"), self.name)
        form.addRow(tr("Loại"), self.kind)
        buttons = QHBoxLayout()
        buttons.addWidget(new)
        buttons.addStretch(1)
        buttons.addWidget(save)
        side = group(tr("Thêm hoặc sửa đơn vị"), form, buttons,
                     hint(tr("Nhập mã của một đơn vị đã có để đổi tên hoặc loại của đơn vị đó.")))
        side.setFixedWidth(420)
        row = QHBoxLayout()
        row.addWidget(self.table, 1)
        column = QVBoxLayout()
        column.addWidget(side)
        column.addStretch(1)
        row.addLayout(column)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(row, 1)

    def reload(self) -> None:
        ctx = self.ctx
        self.load(lambda: admin.units(ctx), self.model.set_records)

    def _picked(self) -> None:
        u = selected_record(self.table)
        if u is not None:
            self.code.setText(u.code)
            self.name.setText(u.name)
            self.kind.setCurrentIndex(self.kind.findData(u.kind))

    def new(self) -> None:
        self.table.clearSelection()
        self.code.clear()
        self.name.clear()
        self.code.setFocus()

    def save(self) -> None:
        ctx, user = self.ctx, self.user
        code, name, kind = self.code.text(), self.name.text(), self.kind.currentData()
        self.apply(lambda: admin.save_unit(ctx, user, code, name, kind),
                   lambda u: tr("Đã lưu đơn vị {name} ({code}).").format(name=u.name, code=u.code))


class PeoplePage(Page):
    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.units: list[UnitView] = []
        self.model: RecordTableModel[PersonView] = RecordTableModel([
            Column(tr("Tài khoản"), lambda p: p.username), Column(tr("Họ và tên"), lambda p: p.full_name),
            Column(tr("Vai trò"), lambda p: p.role.label), Column(tr("Đơn vị"), lambda p: self._unit_name(p.unit_code)),
            Column(tr("Trạng thái"), lambda p: tr("Đang hoạt động") if p.active else tr("Đã khóa"),
                   foreground=lambda p: None if p.active else "#b71c1c", bold=lambda p: not p.active)], self)
        self.table = record_table(self.model, stretch=1)
        table_export.attach(self.table, self.runner, tr("Danh sách cán bộ"), self.ctx)
        self.table.selectionModel().currentRowChanged.connect(lambda _a, _b: self._picked())

        # a new person
        self.username = QLineEdit()
        self.username.setPlaceholderText(tr("Ví dụ: cv.tuphap"))
        self.full_name = QLineEdit()
        self.new_role = self._roles()
        self.new_unit = QComboBox()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        add = QPushButton(tr("Thêm cán bộ"))
        add.setObjectName("primary")
        add.clicked.connect(self.add)
        new_form = QFormLayout()
        new_form.addRow(tr("Tên đăng nhập"), self.username)
        new_form.addRow(tr("Họ và tên"), self.full_name)
        new_form.addRow(tr("Vai trò"), self.new_role)
        new_form.addRow(tr("Đơn vị"), self.new_unit)
        new_form.addRow(tr("Mật khẩu ban đầu"), self.password)
        new_form.addRow("", add)

        # the selected person
        self.selected = QLabel(tr("Chưa chọn cán bộ nào."))
        self.selected.setStyleSheet("font-weight: bold;")
        self.role = self._roles()
        self.unit = QComboBox()
        save = QPushButton(tr("Lưu vai trò, đơn vị"))
        save.clicked.connect(self.save_role)
        self.lock_button = QPushButton(tr("Khóa tài khoản"))
        self.lock_button.setObjectName("danger")
        self.lock_button.clicked.connect(self.toggle_lock)
        self.new_password = QLineEdit()
        self.new_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_password.setPlaceholderText(tr("Mật khẩu mới"))
        reset = QPushButton(tr("Đặt lại mật khẩu"))
        reset.clicked.connect(self.reset_password)
        edit_form = QFormLayout()
        edit_form.addRow(self.selected)
        edit_form.addRow(tr("Vai trò"), self.role)
        edit_form.addRow(tr("Đơn vị"), self.unit)
        edit_form.addRow("", save)
        edit_form.addRow(tr("Mật khẩu mới"), self.new_password)
        edit_form.addRow("", reset)
        edit_form.addRow("", self.lock_button)
        self.edit_box = group(tr("Cán bộ đang chọn"), edit_form)
        self.edit_box.setEnabled(False)

        side = QWidget()
        side.setFixedWidth(430)
        column = QVBoxLayout(side)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(group(tr("Thêm cán bộ"), new_form))
        column.addWidget(self.edit_box)
        column.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.table, 1)
        row.addWidget(side)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(row, 1)

    @staticmethod
    def _roles() -> QComboBox:
        box = QComboBox()
        for role in (Role.CLERK, Role.SPECIALIST, Role.SUPERVISOR, Role.ADMIN, Role.KIOSK):
            box.addItem(role.label, role)
        return box

    def _unit_name(self, code: str | None) -> str:
        return next((u.name for u in self.units if u.code == code), code or "")

    def reload(self) -> None:
        ctx = self.ctx
        self.load(lambda: (admin.units(ctx), admin.people(ctx)), self._show)

    def _show(self, loaded) -> None:
        self.units, people = loaded
        for box in (self.new_unit, self.unit):
            fill_units(box, self.units, tr("(không thuộc đơn vị nào)"))
        keep = selected_record(self.table)
        self.model.set_records(people)
        if keep is not None:
            for row, p in enumerate(people):
                if p.username == keep.username:
                    self.table.selectRow(row)
        self._picked()

    def person(self) -> PersonView | None:
        return selected_record(self.table)

    def _picked(self) -> None:
        p = self.person()
        self.edit_box.setEnabled(p is not None)
        if p is None:
            return
        self.selected.setText("%s (%s)" % (p.full_name, p.username))
        self.role.setCurrentIndex(self.role.findData(p.role))
        self.unit.setCurrentIndex(max(0, self.unit.findData(p.unit_code or "")))
        self.lock_button.setText(tr("Khóa tài khoản") if p.active else tr("Mở khóa tài khoản"))

    def add(self) -> None:
        ctx, user = self.ctx, self.user
        username, name, role = self.username.text(), self.full_name.text(), Role(self.new_role.currentData())
        password, unit = self.password.text(), self.new_unit.currentData() or None
        if not name.strip():
            self.banner.say("error", tr("Chưa nhập họ và tên."))
            return

        def done(person) -> str:
            for w in (self.username, self.full_name, self.password):
                w.clear()
            return tr("Đã thêm cán bộ {name} ({username}).").format(name=person.full_name, username=person.username)
        self.apply(lambda: admin.add_person(ctx, user, username, name, role, password, unit), done)

    def save_role(self) -> None:
        p = self.person()
        if p is None:
            return
        ctx, user, role, unit = self.ctx, self.user, Role(self.role.currentData()), self.unit.currentData() or ""
        self.apply(lambda: admin.update_person(ctx, user, p.username, role=role, unit_code=unit),
                   tr("Đã lưu vai trò và đơn vị của {name}.").format(name=p.full_name))

    def toggle_lock(self) -> None:
        p = self.person()
        if p is None:
            return
        ctx, user, active = self.ctx, self.user, not p.active
        said = (tr("Đã mở khóa tài khoản {username}.") if active else tr("Đã khóa tài khoản {username}.")) \
            .format(username=p.username)
        self.apply(lambda: admin.update_person(ctx, user, p.username, active=active), said)

    def reset_password(self) -> None:
        p = self.person()
        if p is None:
            return
        ctx, user, password = self.ctx, self.user, self.new_password.text()
        self.new_password.clear()
        self.apply(lambda: admin.update_person(ctx, user, p.username, new_password=password),
                   tr("Đã đặt lại mật khẩu cho {username}; hãy báo mật khẩu mới cho cán bộ.").format(
                       username=p.username))
