"""The small dialog a step asks its inputs in: reason, missing papers, new date, target unit or person.

Fields are declared as plain data (``Field``), so each step says what it needs in a few
lines. The dialog checks the required ones, emits ``submitted(values)`` and stays open
until the caller says the step went through (``accept``) or shows why not (``show_error``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QDateTimeEdit, QDialog, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QPlainTextEdit, QPushButton, QRadioButton, QSpinBox, QVBoxLayout,
                               QWidget)

from ...domain.i18n import tr
from ..common.records import vietnamese
from ..widgets import ErrorLabel, set_invalid, with_error

TEXT, LINES, CHOICE, RADIO, MOMENT, AMOUNT = "text", "lines", "choice", "radio", "moment", "amount"


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str = TEXT
    required: bool = False
    options: tuple[tuple[str, str], ...] = ()     # (value, text) for CHOICE and RADIO
    default: Any = None
    placeholder: str = ""
    when: tuple[str, str] | None = None           # only asked when field ``when[0]`` has value ``when[1]``


class StepForm(QDialog):
    """``submitted(dict)`` with the values once the required fields are filled."""

    submitted = Signal(dict)

    def __init__(self, title: str, intro: str, fields: list[Field], verb: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(560)
        self.fields = {f.key: f for f in fields}
        self.widgets: dict[str, QWidget] = {}
        self._errors: dict[str, ErrorLabel] = {}
        self._rows: dict[str, tuple[QLabel, QWidget]] = {}

        heading = QLabel(title)
        heading.setObjectName("appTitle")
        about = QLabel(intro)
        about.setWordWrap(True)
        about.setObjectName("subtitle")
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setVerticalSpacing(8)
        for f in fields:
            widget = self._make(f)
            self.widgets[f.key] = widget
            box, error = with_error(widget)
            self._errors[f.key] = error
            label = QLabel(f.label + (" *" if f.required else ""))
            label.setBuddy(widget)
            form.addRow(label, box)
            self._rows[f.key] = (label, box)
        self.form_error = ErrorLabel()
        self.ok_button = QPushButton(verb.replace("&", "&&"))  # "&" is no mnemonic
        self.ok_button.setObjectName("primary")
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self.submit)
        cancel = QPushButton(tr("Hủy"))
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.ok_button)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(about)
        layout.addLayout(form)
        layout.addWidget(self.form_error)
        layout.addLayout(buttons)
        self._update_when()
        first = next(iter(self.widgets.values()), None)
        if first is not None:
            first.setFocus()

    # -- building ----------------------------------------------------------------------
    def _make(self, f: Field) -> QWidget:
        if f.kind == LINES:
            w = QPlainTextEdit()
            w.setPlaceholderText(f.placeholder)
            w.setTabChangesFocus(True)
            w.setFixedHeight(96)
            if f.default:
                w.setPlainText("\n".join(f.default))
            return w
        if f.kind == CHOICE:
            w = QComboBox()
            for value, text in f.options:
                w.addItem(text, value)
            if f.default is not None:
                w.setCurrentIndex(max(0, w.findData(f.default)))
            w.currentIndexChanged.connect(lambda _i: self._update_when())
            return w
        if f.kind == RADIO:
            w = QWidget()
            row = QHBoxLayout(w)
            row.setContentsMargins(0, 0, 0, 0)
            group = QButtonGroup(w)
            for n, (value, text) in enumerate(f.options):
                button = QRadioButton(text)
                button.setProperty("value", value)
                button.setChecked(value == f.default or (f.default is None and n == 0))
                group.addButton(button)
                row.addWidget(button)
            row.addStretch(1)
            group.buttonToggled.connect(lambda _b, _on: self._update_when())
            w.setProperty("group", group)
            w.group = group  # type: ignore[attr-defined]
            return w
        if f.kind == MOMENT:
            w = QDateTimeEdit()
            w.setCalendarPopup(True)
            w.setDisplayFormat("HH:mm  dd/MM/yyyy")
            if isinstance(f.default, datetime):
                w.setDateTime(QDateTime(f.default))
            return w
        if f.kind == AMOUNT:
            w = vietnamese(QSpinBox())
            w.setRange(0, 2_000_000_000)
            w.setSingleStep(1000)
            w.setGroupSeparatorShown(True)
            w.setSuffix(tr(" đồng"))
            w.setValue(int(f.default or 0))
            return w
        w = QLineEdit()
        w.setPlaceholderText(f.placeholder)
        if f.default:
            w.setText(str(f.default))
        return w

    def _active(self, f: Field) -> bool:
        if f.when is None:
            return True
        return self._raw(f.when[0]) == f.when[1]

    def _update_when(self) -> None:
        for key, f in self.fields.items():
            if f.when is not None and key in self._rows:
                label, box = self._rows[key]
                on = self._active(f)
                label.setVisible(on)
                box.setVisible(on)
        self.adjustSize()

    # -- values ------------------------------------------------------------------------
    def _raw(self, key: str) -> Any:
        f, w = self.fields[key], self.widgets.get(key)
        if w is None:
            return None
        if f.kind == LINES:
            return [line.strip() for line in w.toPlainText().splitlines() if line.strip()]
        if f.kind == CHOICE:
            return w.currentData()
        if f.kind == RADIO:
            checked = w.group.checkedButton()
            return checked.property("value") if checked else None
        if f.kind == MOMENT:
            return w.dateTime().toPython().replace(second=0, microsecond=0)
        if f.kind == AMOUNT:
            return w.value()
        return w.text().strip()

    def values(self) -> dict[str, Any]:
        return {key: self._raw(key) for key, f in self.fields.items() if self._active(f)}

    def set_value(self, key: str, value: Any) -> None:
        """Fill a field as the user would (screens and tests)."""
        f, w = self.fields[key], self.widgets[key]
        if f.kind == LINES:
            w.setPlainText("\n".join(value) if isinstance(value, (list, tuple)) else str(value))
        elif f.kind == CHOICE:
            w.setCurrentIndex(w.findData(value))
        elif f.kind == RADIO:
            for button in w.group.buttons():
                if button.property("value") == value:
                    button.setChecked(True)
        elif f.kind == MOMENT:
            w.setDateTime(QDateTime(value))
        elif f.kind == AMOUNT:
            w.setValue(int(value))
        else:
            w.setText(str(value))

    def submit(self) -> None:
        self.form_error.clear_message()
        values = self.values()
        first = None
        for key, f in self.fields.items():
            missing = self._active(f) and f.required and values.get(key) in (None, "", [], 0)
            self._errors[key].show_message(tr("Cần nhập mục này.") if missing else "")
            if f.kind in (TEXT, LINES, CHOICE):
                set_invalid(self.widgets[key], bool(missing))
            if missing and first is None:
                first = self.widgets[key]
        if first is not None:
            first.setFocus()
            return
        self.submitted.emit(values)

    def show_error(self, text: str) -> None:
        """The service refused: say why and let the user correct the inputs."""
        self.form_error.show_message(text)
