"""Working hours and the desk's other settings; the holidays and swapped working days of a year."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (QComboBox, QDateEdit, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QSpinBox, QVBoxLayout, QWidget)

from ...domain.i18n import tr
from ...domain.settings import OPTIONS
from ...services import admin, settings
from ...services.admin import HolidayView
from ..common import table_export
from ..common.records import Column, RecordTableModel, record_table, selected_record
from .page import Page, group, hint

CHOICES = {"paper_size": (("A4", "A4"), ("A5", "A5")),
           "language": (("vi", "Tiếng Việt"), ("en", "English"))}


def weekday(day: date) -> str:
    return (tr("Thứ Hai"), tr("Thứ Ba"), tr("Thứ Tư"), tr("Thứ Năm"), tr("Thứ Sáu"), tr("Thứ Bảy"),
            tr("Chủ nhật"))[day.weekday()]


def kind_label(kind: str) -> str:
    return tr("Ngày nghỉ") if kind == "off" else tr("Ngày làm bù")


class SettingsPage(Page):
    """Every declared setting (``domain.settings.OPTIONS``) with a field of its type."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.fields: dict[str, QWidget] = {}
        self.saved: dict[str, object] = {}
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        for key, option in OPTIONS.items():
            if option.internal:
                continue
            if key in CHOICES:
                w = QComboBox()
                for value, text in CHOICES[key]:
                    w.addItem(tr(text), value)
            elif option.type is int:
                w = QSpinBox()
                w.setRange(1, 100_000)
            else:
                w = QLineEdit()
            w.setMinimumWidth(360)
            self.fields[key] = w
            form.addRow(option.label, w)
        save = QPushButton(tr("Lưu thiết lập"))
        save.setObjectName("primary")
        save.clicked.connect(self.save)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(save)
        box = group(tr("Giờ làm việc và các thiết lập khác"), form,
                    hint(tr("Giờ làm việc ghi dạng 07:30-11:30, 13:30-17:00. Mọi hạn giải quyết đều tính theo giờ "
                            "làm việc này, trừ ngày nghỉ và cộng ngày làm bù ở trang bên cạnh.")), buttons)
        box.setMaximumWidth(900)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(box)
        layout.addStretch(1)

    def reload(self) -> None:
        ctx = self.ctx
        self.load(lambda: settings.get_all(ctx), self._show)

    def _show(self, values: dict) -> None:
        self.saved = {k: v for k, v in values.items() if k in self.fields}
        for key, value in self.saved.items():
            self.set_field(key, value)

    def set_field(self, key: str, value) -> None:
        w = self.fields[key]
        if isinstance(w, QComboBox):
            w.setCurrentIndex(max(0, w.findData(value)))
        elif isinstance(w, QSpinBox):
            w.setValue(int(value))
        else:
            w.setText("" if value is None else str(value))

    def value(self, key: str):
        w = self.fields[key]
        if isinstance(w, QComboBox):
            return w.currentData()
        if isinstance(w, QSpinBox):
            return w.value()
        return w.text().strip()

    def save(self) -> None:
        changed = {k: self.value(k) for k in self.fields if self.value(k) != self.saved.get(k)}
        if not changed:
            self.banner.say("ok", tr("Không có thay đổi nào."))
            return
        ctx, user = self.ctx, self.user

        def store():
            for key, value in changed.items():
                settings.set(ctx, user, key, value)
        self.apply(store, tr("Đã lưu {n} thiết lập.").format(n=len(changed)))


class HolidaysPage(Page):
    """The year's days off and swapped working days, seeded from the national calendar and editable."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(self.ctx.clock().year)
        self.year.valueChanged.connect(lambda _y: self.reload())
        self.model: RecordTableModel[HolidayView] = RecordTableModel([
            Column(tr("Ngày"), lambda h: h.day.strftime("%d/%m/%Y"), Qt.AlignmentFlag.AlignCenter),
            Column(tr("Thứ"), lambda h: weekday(h.day)),
            Column(tr("Loại"), lambda h: kind_label(h.kind), foreground=lambda h: "#b71c1c" if h.kind == "off"
                   else "#1b7f3b", bold=lambda h: True),
            Column(tr("Tên ngày nghỉ / lý do"), lambda h: h.name, tooltip=lambda h: h.name),
            Column(tr("Nguồn"), lambda h: tr("Lịch nhà nước") if h.source == "package" else tr("Nhập tay"))], self)
        self.table = record_table(self.model, stretch=3)
        table_export.attach(self.table, self.runner,
                            lambda: tr("Ngày nghỉ và ngày làm bù năm {year}").format(year=self.year.value()), self.ctx)
        self.table.selectionModel().currentRowChanged.connect(lambda _a, _b: self._picked())
        self.count = QLabel()
        self.count.setObjectName("subtitle")

        self.day = QDateEdit()
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("dd/MM/yyyy")
        today = self.ctx.clock().date()
        self.day.setDate(QDate(today.year, today.month, today.day))
        self.kind = QComboBox()
        for kind in ("off", "work"):
            self.kind.addItem(kind_label(kind), kind)
        self.name = QLineEdit()
        self.name.setPlaceholderText(tr("Ví dụ: Nghỉ bù Quốc khánh theo Thông báo của Bộ Nội vụ"))
        add = QPushButton(tr("Thêm / cập nhật"))
        add.setObjectName("primary")
        add.clicked.connect(self.add)
        remove = QPushButton(tr("Xóa ngày đang chọn"))
        remove.setObjectName("danger")
        remove.clicked.connect(self.remove)
        form = QFormLayout()
        form.addRow(tr("Ngày"), self.day)
        form.addRow(tr("Loại"), self.kind)
        form.addRow(tr("Tên / lý do"), self.name)
        buttons = QHBoxLayout()
        buttons.addWidget(remove)
        buttons.addStretch(1)
        buttons.addWidget(add)
        side = group(tr("Thêm ngày nghỉ hoặc ngày làm bù"), form, buttons,
                     hint(tr("Chính phủ quyết định việc hoán đổi ngày làm việc mỗi năm; nhập ở đây khi có "
                             "thông báo. Hạn giải quyết của hồ sơ tiếp nhận sau đó sẽ tính theo lịch mới.")))
        side.setFixedWidth(440)
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("Năm")))
        top.addWidget(self.year)
        top.addWidget(self.count)
        top.addStretch(1)
        left = QVBoxLayout()
        left.addLayout(top)
        left.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addLayout(left, 1)
        column = QVBoxLayout()
        column.addWidget(side)
        column.addStretch(1)
        row.addLayout(column)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(row, 1)

    def reload(self) -> None:
        ctx, year = self.ctx, self.year.value()
        self.load(lambda: admin.holidays(ctx, year), self._show)

    def _show(self, days: list[HolidayView]) -> None:
        self.model.set_records(days)
        off = sum(1 for h in days if h.kind == "off")
        self.count.setText(tr("{off} ngày nghỉ, {work} ngày làm bù").format(off=off, work=len(days) - off))

    def _picked(self) -> None:
        h = selected_record(self.table)
        if h is not None:
            self.day.setDate(QDate(h.day.year, h.day.month, h.day.day))
            self.kind.setCurrentIndex(self.kind.findData(h.kind))
            self.name.setText(h.name)

    def add(self) -> None:
        ctx, user = self.ctx, self.user
        day, kind, name = self.day.date().toPython(), self.kind.currentData(), self.name.text()
        if day.year != self.year.value():
            self.year.setValue(day.year)
        self.apply(lambda: admin.set_holiday(ctx, user, day, kind, name),
                   tr("Đã lưu {kind} {day}.").format(kind=kind_label(kind).lower(), day=day.strftime("%d/%m/%Y")))

    def remove(self) -> None:
        h = selected_record(self.table)
        if h is None:
            self.banner.say("error", tr("Chưa chọn ngày nào trong danh sách."))
            return
        ctx, user = self.ctx, self.user
        self.apply(lambda: admin.remove_holiday(ctx, user, h.day),
                   tr("Đã xóa {kind} {day}.").format(kind=kind_label(h.kind).lower(), day=h.day.strftime("%d/%m/%Y")))
