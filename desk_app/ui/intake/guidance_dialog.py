"""At intake, for papers that do not become a dossier: a numbered Mẫu 02 guidance slip (what to add
or complete) or a Mẫu 03 refusal, printed at once (Ctrl+Enter), with no dossier received. The
papers still missing from the form are listed to start with."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QButtonGroup, QDialog, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QPushButton,
                               QRadioButton, QVBoxLayout, QWidget)

from ...domain.forms import FormKind
from ...domain.i18n import tr
from ...domain.intake import IntakeInput
from ...domain.procedures import Procedure
from ...services import forms
from ...services.context import CurrentUser, DeskContext
from ...services.forms import GuidanceGiven
from ..tasks import TaskRunner
from ..widgets import ErrorLabel


def missing_papers(procedure: Procedure | None, ticked: dict[str, int]) -> list[str]:
    """The required papers to hand in that the clerk did not tick."""
    if procedure is None:
        return []
    return [c.name for c in procedure.components
            if c.required and getattr(getattr(c, "use", None), "value", "submit") == "submit"
            and not ticked.get(c.name)]


class GuidanceDialog(QDialog):
    def __init__(self, ctx: DeskContext, user: CurrentUser, runner: TaskRunner, form: IntakeInput,
                 missing: list[str], preview: Callable[[QWidget, Path], object], parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.user, self.runner, self.form, self.preview = ctx, user, runner, form, preview
        self.missing = missing
        self.given: GuidanceGiven | None = None
        self.setWindowTitle(tr("Hướng dẫn hoặc từ chối tại quầy"))
        self.supplement = QRadioButton(tr("&Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02)"))
        self.refusal = QRadioButton(tr("Phiếu &từ chối tiếp nhận giải quyết hồ sơ (Mẫu 03)"))
        group = QButtonGroup(self)
        group.addButton(self.supplement)
        group.addButton(self.refusal)
        self.supplement.setChecked(True)
        self.items_label = QLabel()
        self.items = QPlainTextEdit()
        self.items.setTabChangesFocus(True)
        self.items_label.setBuddy(self.items)
        self.reason = QLineEdit()
        self.reason_label = QLabel(tr("&Lý do:"))
        self.reason_label.setBuddy(self.reason)
        self.note = QLabel(tr("Hồ sơ không được tiếp nhận, không cấp mã hồ sơ; phiếu được đánh số, lưu lại và "
                              "ghi vào sổ hướng dẫn tại quầy."))
        self.note.setWordWrap(True)
        self.error = ErrorLabel()
        self.print_button = QPushButton(tr("In phiếu (Ctrl+Enter)"))
        self.print_button.setObjectName("primary")
        self.print_button.clicked.connect(self.give)
        self.register_button = QPushButton(tr("Sổ hướng dẫn hôm nay…"))
        self.register_button.setToolTip(tr("Xem và in sổ theo dõi hướng dẫn, từ chối tại quầy của hôm nay"))
        self.register_button.clicked.connect(self.show_register)
        cancel = QPushButton(tr("Hủy (Esc)"))
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.register_button)
        buttons.addWidget(self.error, 1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        for w in (self.supplement, self.refusal, self.items_label, self.items, self.reason_label, self.reason,
                  self.note):
            layout.addWidget(w)
        layout.addLayout(buttons)
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(key), self, self.give)
        self.supplement.toggled.connect(self._kind_changed)
        self._kind_changed()
        self.resize(640, 420)
        self.items.setFocus()

    def show_register(self) -> None:
        """Today's register of guidance given, as a PDF in the print preview."""
        ctx, user = self.ctx, self.user
        day = ctx.clock().date()
        target = ctx.data_dir / "forms" / ("so-huong-dan-%s.pdf" % day.strftime("%Y%m%d"))

        def export() -> Path:
            target.parent.mkdir(parents=True, exist_ok=True)
            return forms.export_guidance_register(ctx, user, day, day, target)
        self.runner.run(export, on_done=lambda path: self.preview(self, path), parent=self)

    def kind(self) -> FormKind:
        return FormKind.SUPPLEMENT if self.supplement.isChecked() else FormKind.REFUSAL

    def _kind_changed(self) -> None:
        supplement = self.kind() is FormKind.SUPPLEMENT
        self.items_label.setText(tr("&Giấy tờ cần bổ sung, hoàn thiện (mỗi dòng một giấy tờ):") if supplement
                                 else tr("&Lý do từ chối (mỗi dòng một lý do):"))
        self.items.setPlainText("\n".join(self.missing) if supplement else "")
        self.reason.setVisible(supplement)
        self.reason_label.setVisible(supplement)

    def give(self) -> None:
        if not self.print_button.isEnabled():
            return
        ctx, user, form, kind = self.ctx, self.user, self.form, self.kind()
        items = [line for line in self.items.toPlainText().splitlines() if line.strip()]
        reason = self.reason.text() if kind is FormKind.SUPPLEMENT else ""
        self.print_button.setEnabled(False)
        self.runner.run(lambda: forms.give_guidance(ctx, user, form, kind, items, reason),
                        on_done=self._given, on_error=self._failed, parent=self)

    def _failed(self, error: BaseException) -> None:
        self.print_button.setEnabled(True)
        self.error.show_message(str(error))

    def _given(self, given: GuidanceGiven) -> None:
        self.given = given
        self.accept()
        if given.path is not None:
            self.preview(self.parentWidget() or self, given.path)
