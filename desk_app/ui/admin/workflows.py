"""Quy trình theo thủ tục: the units a procedure passes through, in order, and the working time each hop has."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QCompleter, QDoubleSpinBox, QHBoxLayout, QLabel, QPushButton,
                               QVBoxLayout)

from ...domain.i18n import tr
from ...services import admin, catalogue, workflow
from ...services.admin import UnitView
from ...services.workflow import WorkflowStep
from ..common import table_export
from ..common.records import Column, RecordTableModel, record_table, vietnamese
from ..supervisor.charts import number
from .page import Page, fill_units, group, hint


class WorkflowsPage(Page):
    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.units: list[UnitView] = []
        self.steps: list[WorkflowStep] = []
        self.day_hours = 7.5  # the working day's length, from the working-hours setting
        self.procedure = QComboBox()
        self.procedure.setEditable(True)
        self.procedure.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.procedure.setMinimumWidth(560)
        self.procedure.activated.connect(lambda _i: self.load_route())
        self.model: RecordTableModel[tuple[int, WorkflowStep]] = RecordTableModel([
            Column(tr("Bước"), lambda r: str(r[0]), Qt.AlignmentFlag.AlignCenter),
            Column(tr("Đơn vị"), lambda r: self._unit_name(r[1].unit_code)),
            Column(tr("Thời gian cho phép (giờ làm việc)"), lambda r: number(r[1].hours), Qt.AlignmentFlag.AlignRight),
            Column(tr("Tương đương (ngày làm việc)"), lambda r: number(r[1].hours / self.day_hours),
                   Qt.AlignmentFlag.AlignRight)], self)
        self.table = record_table(self.model, stretch=1)
        table_export.attach(self.table, self.runner,
                            lambda: tr("Quy trình: {procedure}").format(procedure=self.procedure.currentText()), self.ctx)
        self.total = QLabel()
        self.total.setStyleSheet("font-weight: bold;")

        self.unit = QComboBox()
        self.hours = vietnamese(QDoubleSpinBox())
        self.hours.setRange(0.5, 2000)
        self.hours.setDecimals(1)
        self.hours.setSingleStep(0.5)
        self.hours.setValue(16)
        self.hours.setSuffix(tr(" giờ"))
        add = QPushButton(tr("Thêm bước"))
        add.clicked.connect(self.add_step)
        up, down, remove = QPushButton(tr("Lên")), QPushButton(tr("Xuống")), QPushButton(tr("Xóa bước"))
        up.clicked.connect(lambda: self.move(-1))
        down.clicked.connect(lambda: self.move(1))
        remove.clicked.connect(self.remove_step)
        save = QPushButton(tr("Lưu quy trình"))
        save.setObjectName("primary")
        save.clicked.connect(self.save)

        pick = QHBoxLayout()
        pick.addWidget(QLabel(tr("Thủ tục")))
        pick.addWidget(self.procedure, 1)
        editor = QHBoxLayout()
        editor.addWidget(QLabel(tr("Đơn vị")))
        editor.addWidget(self.unit, 1)
        editor.addWidget(QLabel(tr("Thời gian")))
        editor.addWidget(self.hours)
        editor.addWidget(add)
        order = QHBoxLayout()
        order.addWidget(up)
        order.addWidget(down)
        order.addWidget(remove)
        order.addStretch(1)
        order.addWidget(save)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(pick)
        layout.addWidget(hint(tr("Các đơn vị hồ sơ đi qua theo thứ tự, và thời gian làm việc cho phép ở mỗi bước; "
                                 "phiếu kiểm soát và danh sách hồ sơ đánh giá từng bước trước hạn, đúng hạn "
                                 "hay quá hạn theo thời gian này. Bước cuối thường là trả kết quả về "
                                 "Bộ phận Một cửa.")))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.total)
        layout.addWidget(group(tr("Sửa quy trình"), editor, order))

    def _unit_name(self, code: str) -> str:
        return next((u.name for u in self.units if u.code == code), code)

    def reload(self) -> None:
        ctx = self.ctx
        self.load(lambda: (admin.units(ctx), catalogue.search(ctx, "", limit=5000),
                           ctx.calendar().day_length().total_seconds() / 3600), self._show)

    def _show(self, loaded) -> None:
        self.units, procedures, self.day_hours = loaded
        fill_units(self.unit, self.units)
        keep = self.procedure_code()
        self.procedure.blockSignals(True)
        self.procedure.clear()
        for p in sorted(procedures, key=lambda p: p.code):
            self.procedure.addItem("%s — %s" % (p.code, p.name), p.code)
        completer = QCompleter(self.procedure.model(), self.procedure)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.procedure.setCompleter(completer)
        self.procedure.setCurrentIndex(max(0, self.procedure.findData(keep)))
        self.procedure.blockSignals(False)
        self.load_route()

    def procedure_code(self) -> str | None:
        return self.procedure.currentData()

    def pick(self, code: str) -> None:
        self.procedure.setCurrentIndex(self.procedure.findData(code))
        self.load_route()

    def load_route(self) -> None:
        ctx, code = self.ctx, self.procedure_code()
        if code:
            self.load(lambda: workflow.get_workflow(ctx, code), self._set_steps)

    def _set_steps(self, steps: list[WorkflowStep], select: int | None = None) -> None:
        self.steps = list(steps)
        self.model.set_records(list(enumerate(self.steps, start=1)))
        hours = sum(s.hours for s in self.steps)
        self.total.setText(tr("Tổng thời gian: {hours} giờ làm việc (khoảng {days} ngày làm việc)").format(
            hours=number(hours), days=number(hours / self.day_hours)) if self.steps
            else tr("Thủ tục này chưa có quy trình: hồ sơ được chuyển tự do, không tính hạn từng bước."))
        if select is not None and 0 <= select < len(self.steps):
            self.table.selectRow(select)

    def add_step(self) -> None:
        code = self.unit.currentData()
        if code:
            self._set_steps(self.steps + [WorkflowStep(code, self.hours.value())], len(self.steps))

    def move(self, delta: int) -> None:
        row = self.table.currentIndex().row()
        other = row + delta
        if row < 0 or not 0 <= other < len(self.steps):
            return
        steps = list(self.steps)
        steps[row], steps[other] = steps[other], steps[row]
        self._set_steps(steps, other)

    def remove_step(self) -> None:
        row = self.table.currentIndex().row()
        if 0 <= row < len(self.steps):
            self._set_steps(self.steps[:row] + self.steps[row + 1:], min(row, len(self.steps) - 2))

    def save(self) -> None:
        ctx, user, code, steps = self.ctx, self.user, self.procedure_code(), list(self.steps)
        if code:
            self.apply(lambda: workflow.set_workflow(ctx, user, code, steps),
                       tr("Đã lưu quy trình của thủ tục {code}: {n} bước.").format(code=code, n=len(steps)))
