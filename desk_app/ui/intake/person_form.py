"""One person's fields (the dossier's owner, or who submits it on the owner's behalf)."""

from __future__ import annotations

import re
from datetime import date

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QWidget

from ...domain.i18n import tr
from ...domain.identity import PHONE_TYPED, PHONE_TYPED_HINT, IdKind, id_kinds_for_new
from ...domain.intake import PersonInput
from ..widgets import ErrorLabel, FieldErrors, with_error

DATE_MASK = "99/99/9999;_"


def date_text(edit: QLineEdit) -> str:
    """The date as typed, or "" when the mask holds no digit at all."""
    text = edit.text()
    return text if re.search(r"\d", text) else ""


class PersonForm(QWidget):
    """Name, ID document, birth date, phone, email, address; errors under each field."""

    def __init__(self, prefix: str, need_contact: bool = True, parent: QWidget | None = None,
                 today: date | None = None):
        super().__init__(parent)
        self.prefix = prefix  # "owner." or "submitter.", as the intake rules key their errors
        self._slots: list[tuple[str, ErrorLabel, QWidget, QWidget]] = []
        self.need_contact = need_contact
        self.name = QLineEdit()
        self.name.setMaxLength(200)
        self.id_kind = QComboBox()
        # only the papers valid for a new dossier today (no more CMND); old data still shows its own
        for kind in id_kinds_for_new(today or date.today()):
            self.id_kind.addItem(kind.label, kind.value)  # Qt would turn the str enum into a plain str
        self.id_number = QLineEdit()
        self.id_number.setMaxLength(20)
        self.id_number.setPlaceholderText(tr("ví dụ 038090012345"))
        self.birth_date = QLineEdit()
        self.birth_date.setInputMask(DATE_MASK)
        self.birth_date.setFixedWidth(120)
        self.gender = QComboBox()
        for label, value in ((tr("—"), ""), (tr("Nam"), "male"), (tr("Nữ"), "female")):
            self.gender.addItem(label, value)
        self.gender_label = QLabel(tr("Giới tính"))
        self.gender_label.setBuddy(self.gender)
        birth_row = QWidget()
        birth_layout = QHBoxLayout(birth_row)
        birth_layout.setContentsMargins(0, 0, 0, 0)
        birth_layout.addWidget(self.birth_date)
        birth_layout.addSpacing(8)
        birth_layout.addWidget(self.gender_label)
        birth_layout.addWidget(self.gender)
        birth_layout.addStretch(1)
        self.phone = QLineEdit()
        self.phone.setMaxLength(16)
        self.phone.setPlaceholderText(tr("ví dụ 0912 345 678"))
        # letters are refused at the key, and the field says why (not only at save)
        self.phone.setValidator(QRegularExpressionValidator(QRegularExpression(PHONE_TYPED), self.phone))
        self.phone.inputRejected.connect(self._phone_refused)
        self.email = QLineEdit()
        self.email.setMaxLength(120)
        self.address = QLineEdit()
        self.address.setMaxLength(300)
        self.address.setPlaceholderText(tr("Số nhà, đường/thôn, phường/xã, tỉnh/thành phố"))

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(6)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(3, 2)
        self.name_label = QLabel()
        self.birth_label = QLabel()
        self.id_label = QLabel()
        id_row = QWidget()
        id_layout = QHBoxLayout(id_row)
        id_layout.setContentsMargins(0, 0, 0, 0)
        id_layout.addWidget(self.id_kind, 2)
        id_layout.addWidget(self.id_number, 3)

        self._row(grid, 0, 0, self.name_label, self.name, "name", span=3)
        self._row(grid, 1, 0, self.id_label, id_row, "id_number", focus=self.id_number, marked=self.id_number,
                  span=3)
        self._row(grid, 2, 0, self.birth_label, birth_row, "birth_date", focus=self.birth_date,
                  marked=self.birth_date)
        self._row(grid, 2, 2, QLabel(tr("Số điện thoại") + (" *" if need_contact else "")), self.phone, "phone")
        self._row(grid, 3, 0, QLabel(tr("Email")), self.email, "email", span=3)
        self._row(grid, 4, 0, QLabel(tr("Địa chỉ") + (" *" if need_contact else "")), self.address, "address",
                  span=3)
        self.set_organisation(False)

    def _row(self, grid: QGridLayout, row: int, col: int, label: QLabel, widget: QWidget, key: str,
             focus: QWidget | None = None, marked: QWidget | None = None, span: int = 1) -> None:
        box, error = with_error(widget)
        label.setBuddy(focus or widget)
        # level with the field, not with the middle of field + error text
        label.setMinimumHeight(self.name.sizeHint().height())
        grid.addWidget(label, row, col, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(box, row, col + 1, 1, span, Qt.AlignmentFlag.AlignTop)
        self._slots.append((self.prefix + key, error, focus or widget, marked or widget))

    def _phone_refused(self) -> None:
        for key, label, _focus, _marked in self._slots:
            if key == self.prefix + "phone":
                label.show_message(tr(PHONE_TYPED_HINT))

    def register_errors(self, errors: FieldErrors) -> None:
        """Put this form's fields, in reading order, into the form's error map."""
        for key, label, focus, marked in self._slots:
            errors.add(key, label, focus, marked)

    def set_organisation(self, organisation: bool) -> None:
        """An organisation has a name and a registration number, not a birth date."""
        self.name_label.setText(tr("Tên tổ chức *") if organisation else tr("Họ và tên *"))
        self.birth_label.setText(tr("Ngày thành lập") if organisation else tr("Ngày sinh *"))
        self.gender.setVisible(not organisation)
        self.gender_label.setVisible(not organisation)
        if organisation:
            self.gender.setCurrentIndex(0)
        self.id_label.setText(tr("Giấy tờ *"))
        wanted = IdKind.OTHER if organisation else IdKind.CCCD
        self.id_kind.setCurrentIndex(self.id_kind.findData(wanted.value))

    def focus_chain(self) -> list[QWidget]:
        return [self.name, self.id_kind, self.id_number, self.birth_date, self.gender, self.phone, self.email,
                self.address]

    def value(self) -> PersonInput:
        return PersonInput(name=self.name.text(), id_kind=IdKind(self.id_kind.currentData()),
                           id_number=self.id_number.text(), birth_date=date_text(self.birth_date),
                           phone=self.phone.text(), email=self.email.text(), address=self.address.text(),
                           gender=self.gender.currentData() or "")

    def set_value(self, p: PersonInput) -> None:
        self.name.setText(p.name)
        kind = IdKind(p.id_kind)
        if self.id_kind.findData(kind.value) < 0:  # an old paper (CMND) of data read back
            self.id_kind.addItem(kind.label, kind.value)
        self.id_kind.setCurrentIndex(max(0, self.id_kind.findData(kind.value)))
        self.id_number.setText(p.id_number)
        self.birth_date.setText(p.birth_date)
        self.phone.setText(p.phone)
        self.email.setText(p.email)
        self.address.setText(p.address)
        self.gender.setCurrentIndex(max(0, self.gender.findData(p.gender or "")))

    def clear(self) -> None:
        for edit in (self.name, self.id_number, self.birth_date, self.phone, self.email, self.address):
            edit.clear()
        self.gender.setCurrentIndex(0)
