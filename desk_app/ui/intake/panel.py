"""The intake screen, keyboard-first: procedure, applicant, components, save and print (Ctrl+S)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QStandardItemModel
from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QComboBox, QGridLayout, QGroupBox,
                               QHBoxLayout, QLabel, QMessageBox, QPlainTextEdit, QPushButton, QRadioButton,
                               QScrollArea, QSpinBox, QVBoxLayout, QWidget)

from ...domain.dossier import ApplicantType
from ...domain.i18n import tr
from ...domain.identity import IdKind
from ...domain.intake import IntakeInput
from ...domain.roles import Action, may
from ...domain.scan_payloads import IdCard
from ...domain.procedures import Channel, Procedure
from ...services import catalogue, intake, receipts
from ...services.context import CurrentUser, DeskContext
from ...services.intake import IntakeInvalid, SavedDossier
from .. import printing
from ..tasks import TaskRunner
from ..widgets import ErrorLabel, FieldErrors, with_error
from .attachments import AttachmentList
from .case_fee import CaseAndFee
from .components import ComponentsChecklist
from .details import procedure_html, when
from .guidance_dialog import GuidanceDialog, missing_papers
from .person_form import PersonForm
from .procedure_picker import ProcedurePicker


def _no_procedure_text() -> str:
    return tr("Chưa chọn thủ tục. Gõ mã, tên hoặc lĩnh vực vào ô tìm kiếm, chọn bằng phím ↑ ↓ rồi Enter.")


class IntakePanel(QWidget):
    """Receives one citizen's dossier; ``saved`` carries the new dossier once it is stored."""

    saved = Signal(object)  # SavedDossier
    open_requested = Signal(str)  # the dossier code the clerk wants to open (from the saved banner)

    def __init__(self, ctx: DeskContext, user: CurrentUser, runner: TaskRunner,
                 preview: Callable[[QWidget, Path], object] = printing.preview_pdf,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.user, self.runner, self.preview = ctx, user, runner, preview
        self.procedure: Procedure | None = None
        self.errors = FieldErrors()
        self.confirm_clear: Callable[[], bool] = self._ask_clear

        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner.hide()
        # after a save: print the receipt again (the printer jammed) or open the dossier just made
        self.last_saved: SavedDossier | None = None
        self.reprint_button = QPushButton(tr("In lại giấy tiếp nhận"))
        self.reprint_button.clicked.connect(self.reprint_last)
        self.open_button = QPushButton(tr("Mở hồ sơ"))
        self.open_button.clicked.connect(lambda: self.last_saved and self.open_requested.emit(self.last_saved.code))
        banner_row = QHBoxLayout()
        banner_row.setContentsMargins(0, 0, 8, 0)
        banner_row.addWidget(self.banner, 1)
        banner_row.addWidget(self.reprint_button)
        banner_row.addWidget(self.open_button)
        self._banner_actions(False)

        # 1. the procedure
        self.picker = ProcedurePicker(ctx, runner)
        self.picker.picked.connect(self.pick_procedure)
        picker_box, procedure_error = with_error(self.picker)
        self.errors.add("procedure", procedure_error, self.picker.search, self.picker.search)
        self.procedure_info = QLabel(_no_procedure_text())
        self.procedure_info.setObjectName("procedureInfo")
        self.procedure_info.setWordWrap(True)
        self.procedure_info.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        proc_group = QGroupBox(tr("1. Thủ tục hành chính"))
        proc_layout = QHBoxLayout(proc_group)
        # the search needs less width than the procedure's terms: wide terms take fewer lines,
        # so section 1 stays short on a 768-px screen
        # the procedure's case, when it has several: its time is the one the due date comes from.
        # Chosen under the search, in the room the procedure's taller terms leave there (on a
        # 768-px screen that room was empty and section 1 taller than it needed to be).
        self.case_fee = CaseAndFee(self)
        self.case_fee.register_errors(self.errors)
        self.case_fee.changed.connect(self._show_procedure)
        search_column = QVBoxLayout()
        search_column.setContentsMargins(0, 0, 0, 0)
        search_column.addWidget(picker_box)
        search_column.addWidget(self.case_fee.case_box)
        search_column.addStretch(1)
        proc_layout.addLayout(search_column, 2)
        proc_layout.addWidget(self.procedure_info, 3)

        # 2. who the dossier is for, and who hands it in
        self.individual = QRadioButton(tr("Cá nhân"))
        self.organisation = QRadioButton(tr("Tổ chức, doanh nghiệp"))
        self.individual.setChecked(True)
        self.applicant_type = QButtonGroup(self)
        self.applicant_type.addButton(self.individual)
        self.applicant_type.addButton(self.organisation)
        self.organisation.toggled.connect(lambda on: self.owner.set_organisation(on))
        type_row = QHBoxLayout()
        type_row.addWidget(QLabel(tr("Đối tượng:")))
        type_row.addWidget(self.individual)
        type_row.addWidget(self.organisation)
        type_row.addStretch(1)
        today = ctx.clock().date()  # which ID papers a new dossier may still be opened with
        self.owner = PersonForm("owner.", today=today)
        self.owner.register_errors(self.errors)
        self.submitter_differs = QCheckBox(tr("Người nộp hồ sơ khác chủ hồ sơ (nộp thay, được ủy quyền)"))
        self.submitter = PersonForm("submitter.", need_contact=False, today=today)
        self.submitter.register_errors(self.errors)
        self.submitter_box = QGroupBox(tr("Người nộp hồ sơ"))
        QVBoxLayout(self.submitter_box).addWidget(self.submitter)
        self.submitter_box.hide()
        self.submitter_differs.toggled.connect(self.submitter_box.setVisible)
        owner_group = QGroupBox(tr("2. Chủ hồ sơ"))
        owner_layout = QVBoxLayout(owner_group)
        owner_layout.addLayout(type_row)
        owner_layout.addWidget(self.owner)
        owner_layout.addWidget(self.submitter_differs)
        owner_layout.addWidget(self.submitter_box)
        owner_layout.addStretch(1)

        # 3. components handed in
        self.components = ComponentsChecklist()
        comp_box, comp_error = with_error(self.components)
        self.errors.add("components", comp_error, self.components)
        comp_group = QGroupBox(tr("3. Thành phần hồ sơ"))
        QVBoxLayout(comp_group).addWidget(comp_box)

        # 4. how it is received
        self.sets = QSpinBox()
        self.sets.setRange(1, 99)
        self.sets.setFixedWidth(80)
        self.channel = QComboBox()
        for ch in Channel:
            self.channel.addItem(ch.label, ch.value)  # Qt would turn the str enum into a plain str
        self.channel.currentIndexChanged.connect(lambda _i: self._show_procedure())
        self.by_post = QCheckBox(tr("Nhận kết quả qua dịch vụ bưu chính công ích"))
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(54)
        self.notes.setPlaceholderText(tr("Ghi chú của cán bộ tiếp nhận (nếu có)"))
        self.attachments = AttachmentList()
        recv_group = QGroupBox(tr("4. Thông tin tiếp nhận"))
        recv = QGridLayout(recv_group)  # compact: sets and channel on one line, post under them
        recv.setVerticalSpacing(6)
        recv.setColumnStretch(3, 1)
        for col, (key, label, widget) in enumerate((("sets", tr("Số bộ hồ sơ"), self.sets),
                                                    ("channel", tr("Kênh tiếp nhận"), self.channel))):
            box, error = with_error(widget)
            self.errors.add(key, error, widget, widget)
            caption = QLabel(label)
            caption.setBuddy(widget)
            caption.setMinimumHeight(widget.sizeHint().height())  # level with its field
            recv.addWidget(caption, 0, 2 * col, Qt.AlignmentFlag.AlignTop)
            recv.addWidget(box, 0, 2 * col + 1, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        recv.addWidget(self.by_post, 1, 1, 1, 3)
        fee_label = QLabel(tr("Phí, lệ phí"))
        fee_label.setBuddy(self.case_fee.status)
        recv.addWidget(fee_label, 4, 0, Qt.AlignmentFlag.AlignTop)
        recv.addWidget(self.case_fee.fee_box, 4, 1, 1, 3)
        notes_label = QLabel(tr("Ghi chú"))
        notes_label.setBuddy(self.notes)
        recv.addWidget(notes_label, 2, 0, Qt.AlignmentFlag.AlignTop)
        recv.addWidget(self.notes, 2, 1, 1, 3)
        att_box, att_error = with_error(self.attachments)
        self.errors.add("attachments", att_error, self.attachments.add_button)
        att_label = QLabel(tr("Tệp đính kèm"))
        att_label.setBuddy(self.attachments.add_button)
        recv.addWidget(att_label, 3, 0, Qt.AlignmentFlag.AlignTop)
        recv.addWidget(att_box, 3, 1, 1, 3)

        content = QWidget()
        grid = QGridLayout(content)
        grid.setContentsMargins(8, 0, 8, 8)
        grid.addWidget(proc_group, 0, 0, 1, 2)
        grid.addWidget(owner_group, 1, 0, 2, 1)
        grid.addWidget(comp_group, 1, 1)
        grid.addWidget(recv_group, 2, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(3, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(content)

        self.form_error = ErrorLabel()
        self.form_error.setObjectName("formError")
        self.errors.fallback = self.form_error
        self.clear_button = QPushButton(tr("Nhập lại (Esc)"))
        self.clear_button.clicked.connect(self.ask_clear)
        self.save_button = QPushButton(tr("Lưu và in giấy tiếp nhận (Ctrl+S)"))
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self.save)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(8, 4, 8, 4)
        bottom.addWidget(self.form_error, 1)
        bottom.addStretch(0)  # keeps the buttons at their size while there is no error to show
        # papers that will not become a dossier: a Mẫu 02 guidance slip or a Mẫu 03 refusal (issue 12)
        self.guide_button = QPushButton(tr("Hướng dẫn / từ chối (Ctrl+G)"))
        self.guide_button.clicked.connect(self.guide)
        self.guide_button.setVisible(may(user.role, Action.GUIDE))
        bottom.addWidget(self.guide_button)
        bottom.addWidget(self.clear_button)
        bottom.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(banner_row)
        layout.addWidget(scroll, 1)
        layout.addLayout(bottom)

        QShortcut(QKeySequence("Ctrl+S"), self, self.save, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence("Ctrl+G"), self, self.guide, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.ask_clear,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.components.changed.connect(self._fix_tab_order)
        self._fix_tab_order()

    # -- the procedure -----------------------------------------------------------------
    def pick_procedure(self, code: str) -> None:
        self.runner.run(lambda: catalogue.get(self.ctx, code), on_done=self._procedure_loaded, parent=self)

    def _procedure_loaded(self, procedure: Procedure | None) -> None:
        self.procedure = procedure
        self.components.set_components(procedure.components if procedure else ())
        self.case_fee.set_procedure(procedure)
        model = self.channel.model()
        if isinstance(model, QStandardItemModel):
            for i in range(self.channel.count()):
                item = model.item(i)
                item.setEnabled(procedure is None or procedure.terms(Channel(self.channel.itemData(i))) is not None)
        self._show_procedure()
        self._fix_tab_order()
        self.owner.name.setFocus()

    def _show_procedure(self) -> None:
        if self.procedure is None:
            self.procedure_info.setText(_no_procedure_text())
        else:
            self.procedure_info.setText(procedure_html(self.procedure, Channel(self.channel.currentData()),
                                                       self.case_fee.chosen_case()))

    # -- the form as data --------------------------------------------------------------
    def intake_input(self) -> IntakeInput:
        return IntakeInput(
            procedure_code=self.procedure.code if self.procedure else "",
            applicant_type=ApplicantType.ORGANISATION if self.organisation.isChecked() else ApplicantType.INDIVIDUAL,
            owner=self.owner.value(), submitter_differs=self.submitter_differs.isChecked(),
            submitter=self.submitter.value(), components=self.components.values(), sets=self.sets.value(),
            channel=Channel(self.channel.currentData()), collect_by_post=self.by_post.isChecked(),
            notes=self.notes.toPlainText(), attachments=self.attachments.paths(), **self.case_fee.values())

    def _fix_tab_order(self) -> None:
        chain = [self.picker.search, self.case_fee.case, self.individual, self.organisation, *self.owner.focus_chain(),
                 self.submitter_differs, *self.submitter.focus_chain(), *self.components.focus_chain(),
                 self.sets, self.channel, self.by_post, self.notes, self.attachments.add_button,
                 self.attachments.remove_button, *self.case_fee.focus_chain(), self.clear_button, self.save_button]
        for a, b in zip(chain, chain[1:]):
            QWidget.setTabOrder(a, b)

    # -- saving ------------------------------------------------------------------------
    def save(self) -> None:
        if not self.save_button.isEnabled():
            return  # a save is already on its way
        form = self.intake_input()
        self.save_button.setEnabled(False)
        self.runner.run(lambda: intake.save(self.ctx, self.user, form),
                        on_done=self._saved, on_error=self._refused, parent=self)

    def guide(self) -> None:
        """A Mẫu 02 or Mẫu 03 for what was typed, without receiving a dossier."""
        if not may(self.user.role, Action.GUIDE):
            return
        self.guidance = GuidanceDialog(self.ctx, self.user, self.runner, self.intake_input(),
                                       missing_papers(self.procedure, self.components.values()), self.preview, self)
        self.guidance.open()

    def _refused(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        if not isinstance(error, IntakeInvalid):
            self.runner.report_error(error, self)
            return
        first = self.errors.show(error.errors)
        if first is self.components:
            missing = self.components.first_missing()
            (missing or self.components).setFocus()
        unclaimed = self.form_error.text() if not self.form_error.isHidden() else ""
        summary = tr("Hồ sơ chưa được lưu: kiểm tra {n} mục ghi chữ đỏ.").format(n=len(error.errors))
        self.form_error.show_message(summary + ("\n" + unclaimed if unclaimed else ""))

    def _saved(self, saved: SavedDossier) -> None:
        self.save_button.setEnabled(True)
        text = tr("Đã tiếp nhận hồ sơ {code}. Hẹn trả kết quả: {due}.").format(code=saved.code, due=when(saved.due_at))
        if saved.receipt_error:
            self.banner.setObjectName("bannerWarning")
            text += " " + tr("Chưa tạo được giấy tiếp nhận ({error}); in lại từ Danh sách hồ sơ.").format(
                error=saved.receipt_error)
        else:
            self.banner.setObjectName("banner")
        if saved.warning:  # e.g. taken in outside working hours
            self.banner.setObjectName("bannerWarning")
            text += " " + saved.warning
        self.banner.setText(text)
        self.banner.style().unpolish(self.banner)
        self.banner.style().polish(self.banner)
        self.banner.show()
        self.last_saved = saved
        self._banner_actions(True)
        self.reset()
        self.saved.emit(saved)
        if saved.receipt_path is not None:
            self.preview(self, saved.receipt_path)

    def _banner_actions(self, shown: bool) -> None:
        self.reprint_button.setVisible(shown)
        self.open_button.setVisible(shown)

    def reprint_last(self) -> None:
        """The last saved dossier's receipt in the preview again (kept, or made anew)."""
        saved = self.last_saved
        if saved is None:
            return
        if saved.receipt_path is not None and saved.receipt_path.exists():
            self.preview(self, saved.receipt_path)
            return
        ctx, user, code = self.ctx, self.user, saved.code
        self.runner.run(lambda: receipts.produce(ctx, user, code), on_done=lambda path: self.preview(self, path),
                        parent=self)

    # -- a chip ID card's QR, scanned -------------------------------------------------------
    def fill_from_id_card(self, card: IdCard) -> None:
        """Name, CCCD number, birth date, gender and address from the card; the submitter's fields when
        the clerk is in them, else the owner's. Phone and email stay as typed."""
        submitter = self.submitter_differs.isChecked() and self.submitter.isAncestorOf(self.focusWidget())
        form = self.submitter if submitter else self.owner
        if not submitter:
            self.individual.setChecked(True)
        value = form.value()
        value.name, value.id_kind, value.id_number = card.name, IdKind.CCCD, card.id_number
        value.birth_date, value.address = card.birth_date_text, card.address or value.address
        value.gender = "male" if card.male else "female"
        form.set_value(value)
        self.errors.clear()
        self._banner_actions(False)
        self.banner.setObjectName("banner")
        self.banner.setText(tr("Đã điền từ căn cước công dân: {name}, {gender}, sinh {born}.").format(
            name=card.name, gender=card.gender, born=card.birth_date_text))
        self.banner.style().unpolish(self.banner)
        self.banner.style().polish(self.banner)
        self.banner.show()
        form.phone.setFocus()

    # -- starting over -----------------------------------------------------------------
    def _ask_clear(self) -> bool:
        answer = QMessageBox.question(self, tr("Nhập lại"), tr("Xóa toàn bộ thông tin đang nhập để nhập hồ sơ mới?"))
        return answer == QMessageBox.StandardButton.Yes

    def ask_clear(self) -> None:
        if self.confirm_clear():
            self.reset()

    def reset(self) -> None:
        """An empty form for the next citizen (the confirmation banner stays)."""
        self.errors.clear()
        self.form_error.clear_message()
        self.picker.reset()
        self._procedure_loaded(None)
        self.individual.setChecked(True)
        self.owner.clear()
        self.submitter_differs.setChecked(False)
        self.submitter.clear()
        self.sets.setValue(1)
        self.channel.setCurrentIndex(0)
        self.by_post.setChecked(False)
        self.notes.clear()
        self.attachments.clear()
        self.picker.search.setFocus()
