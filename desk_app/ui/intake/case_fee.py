"""Intake: the procedure's case (when it has several) and the fee charged at the counter.

Two small rows the intake panel places: the case beside the procedure picker (its time is the
one the due date comes from: ``Procedure.terms(channel, case)``), and the fee under the
receipt's other details (paid with its receipt number, exempt with its ground, or to pay later).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from ...domain.fees import FeeStatus
from ...domain.i18n import tr
from ...domain.procedures import Procedure
from ..widgets import FieldErrors, with_error


class CaseAndFee(QObject):
    """Not laid out itself: the panel adds ``case_box`` and ``fee_box`` where they belong."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.case = QComboBox()
        self.case.setAccessibleName(tr("Trường hợp"))
        self.case.currentIndexChanged.connect(lambda _i: self.changed.emit())
        case_row = QWidget()
        row = QHBoxLayout(case_row)
        row.setContentsMargins(0, 0, 0, 0)
        caption = QLabel(tr("Trường hợp"))
        caption.setBuddy(self.case)
        row.addWidget(caption)
        row.addWidget(self.case, 1)
        self.case_box, self.case_error = with_error(case_row)
        self.case_box.hide()

        self.status = QComboBox()
        self.status.addItem(tr("Chưa ghi"), "")
        for st in FeeStatus:
            self.status.addItem(st.label, st.value)
        self.status.setAccessibleName(tr("Phí, lệ phí"))
        self.amount = QLineEdit()
        self.amount.setPlaceholderText(tr("Số tiền (đồng)"))
        self.amount.setMaximumWidth(130)
        self.receipt = QLineEdit()
        self.receipt.setPlaceholderText(tr("Số biên lai"))
        self.receipt.setMaximumWidth(130)
        self.receipt.setMaxLength(30)
        self.note = QLineEdit()
        self.note.setPlaceholderText(tr("Lý do miễn, ghi chú"))
        self.note.setMaxLength(300)
        self.status.currentIndexChanged.connect(lambda _i: self._enable())
        fee_row = QWidget()
        row = QHBoxLayout(fee_row)
        row.setContentsMargins(0, 0, 0, 0)
        for w in (self.status, self.amount, self.receipt, self.note):
            row.addWidget(w)
        self.fee_box, self.fee_error = with_error(fee_row)
        self._enable()

    def register_errors(self, errors: FieldErrors) -> None:
        errors.add("case", self.case_error, self.case, self.case)
        errors.add("fee", self.fee_error, self.status, self.status)

    def set_procedure(self, procedure: Procedure | None) -> None:
        """Offer the procedure's cases (none shown for a procedure with one case); the suggested
        amount is the catalogue's when it is certain, else left for the clerk."""
        self.case.blockSignals(True)
        self.case.clear()
        if procedure is not None and procedure.has_cases:
            self.case.addItem(tr("— chọn trường hợp —"), "")
            for c in procedure.cases:
                self.case.addItem(c.name, c.key)
        self.case.blockSignals(False)
        self.case_box.setVisible(procedure is not None and procedure.has_cases)
        self.status.setCurrentIndex(0)
        self.amount.clear()
        self.receipt.clear()
        self.note.clear()

    def chosen_case(self) -> str | None:
        return self.case.currentData() or None

    def values(self) -> dict[str, str]:
        """The IntakeInput fields this widget fills."""
        return {"case": self.case.currentData() or "", "fee_status": self.status.currentData() or "",
                "fee_amount": self.amount.text(), "fee_receipt": self.receipt.text(), "fee_note": self.note.text()}

    def focus_chain(self) -> list[QWidget]:
        return [self.status, self.amount, self.receipt, self.note]

    def _enable(self) -> None:
        status = self.status.currentData() or ""
        self.amount.setEnabled(status in (FeeStatus.PAID.value, FeeStatus.LATER.value))
        self.receipt.setEnabled(status == FeeStatus.PAID.value)
        self.note.setEnabled(bool(status))
