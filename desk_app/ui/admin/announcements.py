"""Thông báo: the centre's notices to the public (the home page, the dossier pages they concern,
the kiosk's idle screen), with their validity and, optionally, the fields or procedures they concern."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QCheckBox, QDateTimeEdit, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QMessageBox, QPlainTextEdit, QPushButton, QVBoxLayout)

from ...domain.i18n import tr
from ...services import announcements
from ...services.announcements import AnnouncementInput, AnnouncementView
from ..common import table_export
from ..common.records import Column, RecordTableModel, fmt_moment, record_table, selected_record
from .page import Page, group, hint


def _qt(moment: datetime) -> QDateTime:
    return QDateTime(moment.year, moment.month, moment.day, moment.hour, moment.minute, 0)


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def state_of(a: AnnouncementView, now: datetime) -> str:
    if a.valid_at(now):
        return tr("Đang hiển thị")
    return tr("Chưa đến ngày") if a.valid_from > now else tr("Hết hiệu lực")


class AnnouncementsPage(Page):
    """The list on the left; the form of the selected (or a new) announcement on the right."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.confirm_delete: Callable[[AnnouncementView], bool] = self._ask_delete
        self.editing: str | None = None
        now = self.ctx.clock
        self.model: RecordTableModel[AnnouncementView] = RecordTableModel([
            Column(tr("Tiêu đề"), lambda a: a.title, tooltip=lambda a: a.body),
            Column(tr("Từ"), lambda a: fmt_moment(a.valid_from), Qt.AlignmentFlag.AlignCenter),
            Column(tr("Đến"), lambda a: fmt_moment(a.valid_until) if a.valid_until else tr("Không thời hạn"),
                   Qt.AlignmentFlag.AlignCenter),
            Column(tr("Trạng thái"), lambda a: state_of(a, now()),
                   foreground=lambda a: "#1b7f3b" if a.valid_at(now()) else "#52606d", bold=lambda a: a.valid_at(now())),
            Column(tr("Máy chủ"), lambda a: tr("Đã gửi") if a.synced else tr("Chờ gửi"))], self)
        self.table = record_table(self.model, stretch=0)
        table_export.attach(self.table, self.runner, tr("Thông báo đã đăng"), self.ctx)
        self.table.selectionModel().currentRowChanged.connect(lambda _a, _b: self._picked())
        self.count = QLabel()
        self.count.setObjectName("subtitle")

        self.title = QLineEdit()
        self.title.setMaxLength(announcements.MAX_TITLE)
        self.title.setPlaceholderText(tr("Ví dụ: Nghỉ tiếp nhận hồ sơ chiều thứ Sáu 20/11"))
        self.body = QPlainTextEdit()
        self.body.setPlaceholderText(tr("Nội dung người dân sẽ đọc trên trang tra cứu và màn hình kiosk."))
        self.body.setTabChangesFocus(True)
        self.valid_from = QDateTimeEdit()
        self.valid_until = QDateTimeEdit()
        for w in (self.valid_from, self.valid_until):
            w.setCalendarPopup(True)
            w.setDisplayFormat("HH:mm dd/MM/yyyy")
        self.has_end = QCheckBox(tr("Có ngày hết hiệu lực"))
        self.has_end.toggled.connect(self.valid_until.setEnabled)
        self.fields = QLineEdit()
        self.fields.setPlaceholderText(tr("Bỏ trống: mọi lĩnh vực. Ví dụ: Hộ tịch, Đất đai"))
        self.procedures = QLineEdit()
        self.procedures.setPlaceholderText(tr("Bỏ trống: mọi thủ tục. Ví dụ: 1.001193, 1.004222"))
        form = QFormLayout()
        form.addRow(tr("Tiêu đề"), self.title)
        form.addRow(tr("Nội dung"), self.body)
        form.addRow(tr("Hiệu lực từ"), self.valid_from)
        until = QHBoxLayout()
        until.addWidget(self.has_end)
        until.addWidget(self.valid_until, 1)
        form.addRow(tr("Đến"), until)
        form.addRow(tr("Lĩnh vực liên quan"), self.fields)
        form.addRow(tr("Mã thủ tục liên quan"), self.procedures)
        self.new_button = QPushButton(tr("Thông báo mới"))
        self.new_button.clicked.connect(self.new)
        self.delete_button = QPushButton(tr("Xóa thông báo"))
        self.delete_button.setObjectName("danger")
        self.delete_button.clicked.connect(self.delete)
        self.save_button = QPushButton(tr("Đăng thông báo (Ctrl+S)"))
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self.save)
        buttons = QHBoxLayout()
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.save_button)
        self.form_box = group(tr("Thông báo mới"), form, buttons,
                              hint(tr("Thông báo hiện trên trang công khai của Trung tâm, trên trang tra cứu của "
                                      "các hồ sơ thuộc lĩnh vực hoặc thủ tục liên quan (bỏ trống: mọi hồ sơ) và "
                                      "trên màn hình chờ của kiosk, trong thời gian hiệu lực. Được gửi lên máy chủ "
                                      "ở lần đồng bộ tới.")))
        self.form_box.setFixedWidth(560)
        left = QVBoxLayout()
        left.addWidget(self.count)
        left.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addLayout(left, 1)
        row.addWidget(self.form_box)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(row, 1)
        shortcut = QShortcut(QKeySequence("Ctrl+S"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.save)
        self.new()

    def reload(self) -> None:
        ctx, user = self.ctx, self.user
        self.load(lambda: announcements.listed(ctx, user), self._show)

    def _show(self, items: list[AnnouncementView]) -> None:
        self.model.set_records(items)
        live = sum(1 for a in items if a.valid_at(self.ctx.clock()))
        self.count.setText(tr("{n} thông báo, {live} đang hiển thị").format(n=len(items), live=live))
        codes = [a.id for a in items]
        if self.editing in codes:
            self.table.selectRow(codes.index(self.editing))

    def _picked(self) -> None:
        a = selected_record(self.table)
        if a is None:
            return
        self.editing = a.id
        self.form_box.setTitle(tr("Sửa thông báo"))
        self.title.setText(a.title)
        self.body.setPlainText(a.body)
        self.valid_from.setDateTime(_qt(a.valid_from))
        self.has_end.setChecked(a.valid_until is not None)
        self.valid_until.setEnabled(a.valid_until is not None)
        self.valid_until.setDateTime(_qt(a.valid_until or a.valid_from + timedelta(days=7)))
        self.fields.setText(", ".join(a.fields))
        self.procedures.setText(", ".join(a.procedures))
        self.delete_button.setEnabled(True)
        self.save_button.setText(tr("Lưu thay đổi (Ctrl+S)"))

    def new(self) -> None:
        """An empty form: valid from now, for a week."""
        self.editing = None
        self.table.clearSelection()
        self.form_box.setTitle(tr("Thông báo mới"))
        now = self.ctx.clock().replace(second=0, microsecond=0)
        for w in (self.title, self.fields, self.procedures):
            w.clear()
        self.body.clear()
        self.valid_from.setDateTime(_qt(now))
        self.has_end.setChecked(True)
        self.valid_until.setEnabled(True)
        self.valid_until.setDateTime(_qt(now + timedelta(days=7)))
        self.delete_button.setEnabled(False)
        self.save_button.setText(tr("Đăng thông báo (Ctrl+S)"))
        self.title.setFocus()

    def value(self) -> AnnouncementInput:
        return AnnouncementInput(
            title=self.title.text(), body=self.body.toPlainText(),
            valid_from=self.valid_from.dateTime().toPython(),
            valid_until=self.valid_until.dateTime().toPython() if self.has_end.isChecked() else None,
            procedures=_split(self.procedures.text()), fields=_split(self.fields.text()))

    def save(self) -> None:
        ctx, user, draft, editing = self.ctx, self.user, self.value(), self.editing

        def said(saved: AnnouncementView) -> str:
            self.editing = saved.id
            return (tr("Đã lưu thay đổi của thông báo \"{title}\".") if editing
                    else tr("Đã đăng thông báo \"{title}\".")).format(title=saved.title)
        self.apply(lambda: announcements.save(ctx, user, draft, editing), said)

    def _ask_delete(self, a: AnnouncementView) -> bool:
        answer = QMessageBox.question(self, tr("Xóa thông báo"),
                                      tr("Gỡ thông báo \"{title}\" khỏi trang công khai và kiosk?").format(title=a.title),
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def delete(self) -> None:
        a = selected_record(self.table)
        if a is None:
            self.banner.say("error", tr("Chưa chọn thông báo nào trong danh sách."))
            return
        if not self.confirm_delete(a):
            return
        ctx, user = self.ctx, self.user
        self.editing = None
        self.apply(lambda: announcements.delete(ctx, user, a.id), tr("Đã xóa thông báo \"{title}\".").format(title=a.title))
