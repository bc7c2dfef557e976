"""Hồ sơ trực tuyến: the online submissions waiting for the counter's check, oldest first,
beside the selected one's e-form and papers. Keyboard first: arrows pick, Enter opens the
selected paper's PDF, F2 accepts, F3 asks for papers (Mẫu 02), F4 refuses (Mẫu 03), F5 reloads.
The screen stays live: a submission pulled by sync shows as it arrives."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QHBoxLayout, QInputDialog, QLabel, QListWidget, QListWidgetItem, QMessageBox,
                               QPushButton, QSplitter, QTextBrowser, QVBoxLayout, QWidget)

from ...domain.i18n import tr
from ...services import online
from ...services.context import CurrentUser, DeskContext
from .. import live, printing
from ..common import table_export
from ..common.records import Column, RecordTableModel, fmt_moment, record_table, selected_record
from ..tasks import TaskRunner


def _date(value) -> str:
    """An ISO date of a payload as the clerk reads dates: dd/mm/yyyy."""
    from datetime import date
    try:
        return date.fromisoformat(value).strftime("%d/%m/%Y") if isinstance(value, str) and value else ""
    except ValueError:
        return value


def submission_html(sub: online.Submission) -> str:
    """The e-form as the clerk reads it."""
    e = html.escape
    o = sub.owner or {}
    rows = [(tr("Mã hồ sơ"), sub.code), (tr("Thủ tục"), sub.procedure_name),
            (tr("Nộp lúc"), fmt_moment(sub.submitted_at)), (tr("Trạng thái"), sub.stage_label),
            (tr("Người yêu cầu"), o.get("name", "")), (tr("Số giấy tờ"), o.get("id_number", "")),
            (tr("Ngày sinh"), _date(o.get("birth_date"))), (tr("Điện thoại"), o.get("phone", "")),
            (tr("Thư điện tử"), o.get("email", "")), (tr("Địa chỉ"), o.get("address", ""))]
    if sub.submitter:
        rows.append((tr("Người nộp thay"), "%s (%s)" % (sub.submitter.get("name", ""),
                                                      sub.submitter.get("id_number", ""))))
    if sub.collect_by_post:
        rows.append((tr("Nhận kết quả"), tr("Qua bưu chính")))
    if sub.notes:
        rows.append((tr("Ghi chú"), sub.notes))
    if sub.supplement_missing:
        rows.append((tr("Đã yêu cầu bổ sung"), "; ".join(sub.supplement_missing)))
    body = "".join("<tr><th align='left'>%s</th><td>%s</td></tr>" % (e(k), e(str(v))) for k, v in rows if v)
    return "<table cellspacing='4'>%s</table>" % body


class OnlinePanel(QWidget):
    """``count_changed(n)`` after every load (the tab shows the number waiting)."""

    count_changed = Signal(int)

    def __init__(self, ctx: DeskContext, user: CurrentUser, runner: TaskRunner, preview=printing.preview_pdf,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.user, self.runner, self.preview = ctx, user, runner, preview
        self.current: online.Submission | None = None
        self.model: RecordTableModel[online.Submission] = RecordTableModel([
            Column(tr("Nộp lúc"), lambda s: fmt_moment(s.submitted_at), Qt.AlignmentFlag.AlignCenter),
            Column(tr("Mã hồ sơ"), lambda s: s.code, bold=lambda s: True),
            Column(tr("Người yêu cầu"), lambda s: s.owner_name, tooltip=lambda s: s.owner_name),
            Column(tr("Thủ tục"), lambda s: s.procedure_name, tooltip=lambda s: s.procedure_name),
            Column(tr("Trạng thái"), lambda s: s.stage_label)], self)
        self.table = record_table(self.model, stretch=3, widths={2: 170})
        self.table.selectionModel().currentRowChanged.connect(lambda _a, _b: self._picked())
        self.heading = QLabel()
        self.heading.setObjectName("appTitle")
        table_export.attach(self.table, runner, tr("Hồ sơ trực tuyến chờ tiếp nhận"), ctx, preview=preview)
        hint = QLabel(tr("↑↓ chọn · Enter: xem giấy tờ · F2: tiếp nhận · F3: yêu cầu bổ sung · F4: từ chối · F5: tải lại"))
        hint.setObjectName("subtitle")
        self.form = QTextBrowser()
        self.files = QListWidget()
        self.files.itemActivated.connect(lambda _item: self._view_file())
        self.files.currentItemChanged.connect(lambda _a, _b: self._thumbnail())
        self.page = QLabel()           # the selected paper's first page, to check at a glance
        self.page.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.page.setMinimumHeight(220)
        self.accept_button = QPushButton(tr("Tiếp nhận (F2)"))
        self.accept_button.clicked.connect(self.accept)
        self.supplement_button = QPushButton(tr("Yêu cầu bổ sung (F3)"))
        self.supplement_button.clicked.connect(self.ask_for_papers)
        self.refuse_button = QPushButton(tr("Từ chối (F4)"))
        self.refuse_button.clicked.connect(self.refuse)
        view_button = QPushButton(tr("Xem giấy tờ (Enter)"))
        view_button.clicked.connect(self._view_file)
        self.empty = QLabel(tr("Không có hồ sơ trực tuyến nào chờ tiếp nhận."))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setObjectName("emptyState")

        left = QWidget()
        lv = QVBoxLayout(left)
        lv.addWidget(self.table)
        lv.addWidget(self.empty)
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.addWidget(self.form, 3)
        rv.addWidget(QLabel(tr("Giấy tờ đã gửi (Enter để xem)")))
        files_row = QHBoxLayout()
        files_row.addWidget(self.files, 1)
        files_row.addWidget(self.page, 1)
        rv.addLayout(files_row, 3)
        buttons = QHBoxLayout()
        for b in (view_button, self.accept_button, self.supplement_button, self.refuse_button):
            buttons.addWidget(b)
        rv.addLayout(buttons)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(table_export.menu_button(lambda: self.table))
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(hint)
        layout.addWidget(split, 1)
        for key, slot in (("F2", self.accept), ("F3", self.ask_for_papers), ("F4", self.refuse), ("F5", self.reload)):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self._enable(False)
        self.live = live.follow(self, ctx, self.reload, self.count_changed)
        self.reload()

    # -- loading --------------------------------------------------------------------------------
    def reload(self) -> None:
        ctx, user = self.ctx, self.user
        self.runner.run(lambda: online.queue(ctx, user), self._loaded, parent=self)

    def _loaded(self, items: list[online.Submission]) -> None:
        with live.kept_place(self.table):
            self.model.set_records(items)
        waiting = sum(1 for s in items if s.stage == "online")
        self.heading.setText(tr("Hồ sơ trực tuyến chờ tiếp nhận: {n}").format(n=waiting))
        self.empty.setVisible(not items)
        self.table.setVisible(bool(items))
        if items and not self.table.currentIndex().isValid():
            self.table.selectRow(0)
        if not items:
            self.current = None
            self.form.clear()
            self.files.clear()
            self._enable(False)
        self.count_changed.emit(waiting)

    def _picked(self) -> None:
        sub = selected_record(self.table)
        if sub is None:
            return
        ctx, user = self.ctx, self.user
        self.runner.run(lambda: online.details(ctx, user, sub.code), self._show, parent=self)

    def _show(self, sub: online.Submission) -> None:
        self.current = sub
        self.form.setHtml(submission_html(sub))
        self.files.clear()
        for f in sub.files:
            label = "%s · %s" % (f.component, tr("{n} trang").format(n=f.pages))
            if f.supplement:
                label += " · " + tr("bổ sung {when}").format(when=fmt_moment(f.added_at))
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, f.sha256)
            item.setToolTip(label)
            self.files.addItem(item)
        if self.files.count():
            self.files.setCurrentRow(0)
        self._enable(sub.stage == "online")

    def _thumbnail(self) -> None:
        sub, item = self.current, self.files.currentItem()
        self.page.clear()
        if sub is None or item is None:
            return
        ctx, user, sha = self.ctx, self.user, item.data(Qt.ItemDataRole.UserRole)
        self.runner.run(lambda: online.file_path(ctx, user, sub.code, sha), self._show_page,
                        on_error=lambda e: self.page.setText(str(e)), parent=self)

    def _show_page(self, path) -> None:
        from PySide6.QtGui import QImage, QPixmap
        import pypdfium2
        pdf = pypdfium2.PdfDocument(str(path))
        try:
            image = pdf[0].render(scale=0.5).to_pil().convert("RGB")
        finally:
            pdf.close()
        data = image.tobytes()
        qimage = QImage(data, image.width, image.height, 3 * image.width, QImage.Format.Format_RGB888).copy()
        pixmap = QPixmap.fromImage(qimage)
        self.page.setPixmap(pixmap.scaled(self.page.width(), max(self.page.height(), 220),
                                          Qt.AspectRatioMode.KeepAspectRatio,
                                          Qt.TransformationMode.SmoothTransformation))

    def _enable(self, on: bool) -> None:
        for b in (self.accept_button, self.supplement_button, self.refuse_button):
            b.setEnabled(on)

    # -- the three decisions --------------------------------------------------------------------
    def _ready(self) -> online.Submission | None:
        sub = self.current
        return sub if sub is not None and sub.stage == "online" else None

    def _view_file(self) -> None:
        sub, item = self.current, self.files.currentItem()
        if sub is None or item is None:
            return
        ctx, user, sha = self.ctx, self.user, item.data(Qt.ItemDataRole.UserRole)
        self.runner.run(lambda: online.file_path(ctx, user, sub.code, sha), self.preview, parent=self)

    def accept(self) -> None:
        sub = self._ready()
        if sub is None:
            return
        if QMessageBox.question(self, tr("Tiếp nhận hồ sơ trực tuyến"),
                                tr("Tiếp nhận hồ sơ {code} của {name}? Thời hạn giải quyết tính từ bây giờ.").format(
                                    code=sub.code, name=sub.owner_name)) != QMessageBox.StandardButton.Yes:
            return
        case = ""
        if sub.cases:  # the time depends on the case: the counter says which
            names = [name for _key, name in sub.cases]
            name, ok = QInputDialog.getItem(self, tr("Tiếp nhận hồ sơ trực tuyến"), tr("Trường hợp:"), names, 0, False)
            if not ok:
                return
            case = sub.cases[names.index(name)][0]
        ctx, user = self.ctx, self.user
        self.runner.run(lambda: online.accept(ctx, user, sub.code, case=case),
                        self._done(tr("Đã tiếp nhận hồ sơ {code}; hẹn trả {due}.")), parent=self)

    def ask_for_papers(self) -> None:
        sub = self._ready()
        if sub is None:
            return
        missing, ok = QInputDialog.getMultiLineText(self, tr("Yêu cầu bổ sung, hoàn thiện hồ sơ"),
                                                    tr("Giấy tờ cần bổ sung (mỗi dòng một giấy tờ):"))
        if not ok or not missing.strip():
            return
        reason, ok = QInputDialog.getText(self, tr("Yêu cầu bổ sung, hoàn thiện hồ sơ"), tr("Lý do:"))
        if not ok:
            return
        ctx, user = self.ctx, self.user
        lines = [m for m in missing.splitlines() if m.strip()]
        self.runner.run(lambda: online.ask_for_papers(ctx, user, sub.code, reason, lines),
                        self._done(tr("Đã gửi yêu cầu bổ sung cho hồ sơ {code}.")), parent=self)

    def refuse(self) -> None:
        sub = self._ready()
        if sub is None:
            return
        reasons, ok = QInputDialog.getMultiLineText(self, tr("Từ chối tiếp nhận hồ sơ"),
                                                    tr("Lý do từ chối (mỗi dòng một lý do):"))
        if not ok or not reasons.strip():
            return
        ctx, user = self.ctx, self.user
        lines = [r for r in reasons.splitlines() if r.strip()]
        self.runner.run(lambda: online.refuse(ctx, user, sub.code, lines),
                        self._done(tr("Đã từ chối tiếp nhận hồ sơ {code}.")), parent=self)

    def _done(self, text: str):
        def shown(result) -> None:
            due = fmt_moment(result.due_at) if result.due_at else ""
            self.heading.setText(text.format(code=result.code, due=due))
            if result.form_path is not None:  # Mẫu 02 or Mẫu 03, to print or send
                self.preview(result.form_path)
            self.reload()
        return shown
