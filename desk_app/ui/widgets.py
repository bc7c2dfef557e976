"""Small widgets every screen uses: a field with its error beside it, and the error map."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractButton, QAbstractSpinBox, QComboBox, QFrame, QLabel, QLineEdit,
                               QPlainTextEdit, QTextEdit, QVBoxLayout, QWidget)


class ErrorLabel(QLabel):
    """Red text under a field; takes no room while empty."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("fieldError")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_message(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))

    def clear_message(self) -> None:
        self.setText("")
        self.hide()


def with_error(widget: QWidget) -> tuple[QWidget, ErrorLabel]:
    """``widget`` stacked above its (hidden) error label, as one cell of a form."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(widget)
    error = ErrorLabel()
    layout.addWidget(error)
    return box, error


def set_invalid(widget: QWidget, invalid: bool) -> None:
    """Red border on a field (the stylesheet keys on the ``invalid`` property)."""
    if bool(widget.property("invalid")) == invalid:
        return
    widget.setProperty("invalid", invalid)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


@dataclass
class _Slot:
    label: ErrorLabel
    focus: QWidget
    marked: QWidget | None


class FieldErrors:
    """Error keys of a form ("owner.phone", "components"...) mapped to where they show.

    Registration order is the form's reading order: the first invalid field gets focus.
    """

    def __init__(self) -> None:
        self._slots: dict[str, _Slot] = {}
        self.fallback: ErrorLabel | None = None  # for keys no field claims

    def add(self, key: str, label: ErrorLabel, focus: QWidget, marked: QWidget | None = None) -> None:
        self._slots[key] = _Slot(label, focus, marked)
        # an old error goes as soon as the clerk retypes its field; save says again what is still wrong
        edited = _edited_signal(focus)
        if edited is not None:
            edited.connect(lambda *_a, k=key: self.clear_one(k))

    def clear_one(self, key: str) -> None:
        slot = self._slots.get(key)
        if slot is None:
            return
        slot.label.clear_message()
        if slot.marked is not None:
            set_invalid(slot.marked, False)

    def clear(self) -> None:
        for slot in self._slots.values():
            slot.label.clear_message()
            if slot.marked is not None:
                set_invalid(slot.marked, False)
        if self.fallback is not None:
            self.fallback.clear_message()

    def show(self, errors: dict[str, str]) -> QWidget | None:
        """Show each message beside its field; focus and return the first invalid field."""
        self.clear()
        first = None
        for key, slot in self._slots.items():
            if key in errors:
                slot.label.show_message(errors[key])
                if slot.marked is not None:
                    set_invalid(slot.marked, True)
                if first is None and slot.focus.isVisibleTo(slot.focus.window()):
                    first = slot.focus
        unclaimed = [m for k, m in errors.items() if k not in self._slots]
        if unclaimed and self.fallback is not None:
            self.fallback.show_message("\n".join(unclaimed))
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)
        return first

    def message(self, key: str) -> str:
        slot = self._slots.get(key)
        return slot.label.text() if slot and not slot.label.isHidden() else ""


def _edited_signal(widget: QWidget):
    """The signal a user's edit of ``widget`` emits (not a program's ``setText``), or None."""
    if isinstance(widget, QLineEdit):
        return widget.textEdited
    if isinstance(widget, QComboBox):
        return widget.activated
    if isinstance(widget, QAbstractButton):
        return widget.clicked
    if isinstance(widget, QAbstractSpinBox) and hasattr(widget, "valueChanged"):
        return widget.valueChanged
    if isinstance(widget, (QPlainTextEdit, QTextEdit)):
        return widget.textChanged
    return None


def hline() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setStyleSheet("color: #d3dae3;")
    return line
