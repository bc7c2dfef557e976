"""Thống kê, báo cáo: figures for a period by unit, procedure or clerk; charts; register and report exports."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QDateEdit, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QSplitter, QTabWidget, QVBoxLayout, QWidget)

from ...domain.i18n import tr
from ...services import indicators, reports, statistics
from ...services.context import CurrentUser, DeskContext
from ...services.indicators import IndicatorReport
from ...services.statistics import GroupBy, Report
from ..common.banner import Banner
from ..common import table_export
from ..common.records import Column, RecordTableModel, record_table
from ..tasks import TaskRunner
from .charts import BarChart, Series, number

EARLY, ON_TIME, LATE = "#2e8b57", "#5b8fd1", "#c62828"
TOP_GROUPS = 10

# (title, suggested file name) -> the chosen path, or "" when cancelled
ChoosePath = Callable[[str, str], str]


def period(preset: str, today: date) -> tuple[date, date]:
    """This month, this quarter or this year, up to their last day."""
    if preset == "quarter":
        first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        months = 3
    elif preset == "year":
        return date(today.year, 1, 1), date(today.year, 12, 31)
    else:
        first, months = date(today.year, today.month, 1), 1
    month = first.month - 1 + months
    after = date(first.year + month // 12, month % 12 + 1, 1)
    return first, after - timedelta(days=1)


def _cell(value) -> str:
    if isinstance(value, float):
        return number(value)
    return "" if value is None else str(value)


def two_lines(text: str) -> str:
    """A long header broken at the space nearest its middle, so thirteen columns fit the screen."""
    if len(text) < 10 or " " not in text:
        return text
    spaces = [i for i, c in enumerate(text) if c == " "]
    cut = min(spaces, key=lambda i: abs(i - len(text) / 2))
    return text[:cut] + "\n" + text[cut + 1:]


def table_columns(names: tuple[str, ...]) -> list[Column[tuple]]:
    right = Qt.AlignmentFlag.AlignRight
    late = names.index(tr("Quá hạn")) if tr("Quá hạn") in names else -1

    def column(n: int, name: str) -> Column[tuple]:
        return Column(name if n == 0 else two_lines(name), lambda r, n=n: _cell(r[0][n]), None if n == 0 else right,
                      foreground=(lambda r, n=n: "#b71c1c" if r[0][n] else None) if n == late else None,
                      background=lambda r: "#e8edf3" if r[1] else None, bold=lambda r: r[1],
                      tooltip=(lambda r: str(r[0][0])) if n == 0 else None)
    return [column(n, name) for n, name in enumerate(names)]


class StatisticsPanel(QWidget):
    """``computed(Report)`` after every query; ``exported(Path)`` after every export."""

    computed = Signal(object)
    exported = Signal(object)

    def __init__(self, ctx: DeskContext, user: CurrentUser, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.user, self.runner = ctx, user, runner
        self.report: Report | None = None
        self.choose_path: ChoosePath = self._ask_path

        title = QLabel(tr("Thống kê tình hình giải quyết hồ sơ"))
        title.setObjectName("appTitle")
        self.start = QDateEdit()
        self.end = QDateEdit()
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
        self.group = QComboBox()
        for g in GroupBy:
            self.group.addItem(g.label, g)
        self.group.currentIndexChanged.connect(lambda _i: self.compute())
        show = QPushButton(tr("Xem báo cáo"))
        show.setObjectName("primary")
        show.clicked.connect(self.compute)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(tr("Từ ngày")))
        bar.addWidget(self.start)
        bar.addWidget(QLabel(tr("đến ngày")))
        bar.addWidget(self.end)
        for key, text in (("month", tr("Tháng này")), ("quarter", tr("Quý này")), ("year", tr("Năm nay"))):
            button = QPushButton(text)
            button.clicked.connect(lambda _c=False, k=key: self.use_preset(k))
            bar.addWidget(button)
        bar.addSpacing(16)
        bar.addWidget(QLabel(tr("Nhóm theo")))
        bar.addWidget(self.group)
        bar.addWidget(show)
        bar.addStretch(1)
        self.register_button = QPushButton(tr("Xuất Sổ theo dõi hồ sơ…"))
        self.register_button.clicked.connect(self.export_register)
        self.report_button = QPushButton(tr("Xuất báo cáo thống kê…"))
        self.report_button.clicked.connect(self.export_statistics)
        # the exports beside the title, not at the end of the period's row: one row of both
        # needed 1,430 px, wider than a 1366 x 768 screen
        heading = QHBoxLayout()
        heading.addWidget(title)
        heading.addStretch(1)
        heading.addWidget(self.register_button)
        heading.addWidget(self.report_button)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("font-weight: bold; color: #0d4a8f;")
        self.banner = Banner()
        self.model: RecordTableModel[tuple] = RecordTableModel([], self)
        self.table = record_table(self.model, stretch=0)
        table_export.attach(self.table, runner, lambda: tr("Thống kê tình hình giải quyết hồ sơ"), ctx,
                            lines=self._period_lines)
        self.verdicts = BarChart(tr("Kết quả giải quyết"))
        self.rates = BarChart(tr("Tỷ lệ giải quyết đúng hạn"))
        charts = QSplitter(Qt.Orientation.Horizontal)
        charts.addWidget(self.verdicts)
        charts.addWidget(self.rates)
        charts.setChildrenCollapsible(False)
        # the 766 indicators per unit, beside the figures (Alt+1 / Alt+2 switch, Ctrl+Tab too)
        self.indicators: IndicatorReport | None = None
        self.indicator_model: RecordTableModel[tuple] = RecordTableModel([], self)
        self.indicator_table = record_table(self.indicator_model, stretch=0)
        table_export.attach(self.indicator_table, runner, lambda: tr("Chỉ số theo Quyết định 766"), ctx,
                            lines=self._period_lines)
        self.indicator_notes = QLabel()
        self.indicator_notes.setWordWrap(True)
        self.indicator_notes.setStyleSheet("color: #555;")
        indicator_page = QWidget()
        page_layout = QVBoxLayout(indicator_page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.addWidget(self.indicator_table, 1)
        page_layout.addWidget(self.indicator_notes)
        self.views = QTabWidget()
        self.views.addTab(self.table, tr("Số liệu theo nhóm"))
        self.views.addTab(indicator_page, tr("Chỉ số theo Quyết định 766"))
        for n in range(self.views.count()):
            QShortcut(QKeySequence("Alt+%d" % (n + 1)), self,
                      activated=lambda n=n: self.show_view(n))
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.views)
        split.addWidget(charts)
        split.setChildrenCollapsible(False)
        split.setSizes([400, 300])  # the table with its total row, the charts under it

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 6)
        layout.addLayout(heading)
        layout.addLayout(bar)
        layout.addWidget(self.banner)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        self.use_preset("month")

    # -- the period --------------------------------------------------------------------
    def dates(self) -> tuple[date, date]:
        return self.start.date().toPython(), self.end.date().toPython()

    def set_period(self, start: date, end: date) -> None:
        self.start.setDate(QDate(start.year, start.month, start.day))
        self.end.setDate(QDate(end.year, end.month, end.day))

    def use_preset(self, preset: str) -> None:
        self.set_period(*period(preset, self.ctx.clock().date()))
        self.compute()

    def _period_lines(self) -> list[str]:
        start, end = self.dates()
        return [tr("Từ ngày {start} đến ngày {end}").format(start=start.strftime("%d/%m/%Y"),
                                                          end=end.strftime("%d/%m/%Y"))]

    def group_by(self) -> GroupBy:
        return GroupBy(self.group.currentData() or GroupBy.UNIT)  # the combo gives the plain value back

    # -- figures -----------------------------------------------------------------------
    def compute(self) -> None:
        start, end = self.dates()
        if end < start:
            self.banner.say("error", tr("Ngày kết thúc phải sau ngày bắt đầu."))
            self.clear_figures()  # the old period's figures must not pass for this one's
            return
        self.banner.clear_message()
        ctx, user, group = self.ctx, self.user, self.group_by()
        self.runner.run_long(lambda _progress: (statistics.compute(ctx, user, start, end, group),
                                                indicators.compute(ctx, user, start, end)),
                             tr("Đang tính thống kê..."), on_done=self._show_both, parent=self)

    def clear_figures(self) -> None:
        """No figures shown (and nothing to export) until a valid period is computed."""
        self.report = self.indicators = None
        self.model.set_records([])
        self.indicator_model.set_records([])
        self.indicator_notes.clear()
        self.summary.clear()
        for chart in (self.verdicts, self.rates):
            chart.set_data([], chart.series, [])
        self.register_button.setEnabled(False)
        self.report_button.setEnabled(False)

    def show_view(self, index: int) -> None:
        """Show the figures (0) or the indicators (1), the keyboard in its table."""
        self.views.setCurrentIndex(index)
        (self.table if index == 0 else self.indicator_table).setFocus()

    def _show_both(self, reports_: tuple[Report, IndicatorReport]) -> None:
        report, indicator_report = reports_
        self._show_indicators(indicator_report)
        self._show(report)

    def _show_indicators(self, report: IndicatorReport) -> None:
        self.indicators = report
        columns, rows, total = indicators.as_table(report)
        self.indicator_model.set_records([(r, False) for r in rows] + [(total, True)],
                                         table_columns(tuple(columns)))
        self.indicator_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.indicator_notes.setText("\n".join(reports.indicator_notes()))

    def _show(self, report: Report) -> None:
        self.report = report
        self.register_button.setEnabled(True)
        self.report_button.setEnabled(True)
        columns, rows, total = statistics.as_table(report)
        records = [(r, False) for r in rows] + [(total, True)]
        self.model.set_records(records, table_columns(tuple(columns)))
        # the columns are new: the name column takes the room again
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        t = report.total
        rate = tr("chưa có hồ sơ giải quyết xong") if t.on_time_rate is None else \
            tr("tỷ lệ đúng hạn {rate}%").format(rate=number(100 * t.on_time_rate))
        self.summary.setText(tr("Từ {a} đến {b}: tiếp nhận {received}, đã giải quyết {finished} ({rate}), "
                                "đang quá hạn {overdue}.").format(
            a=report.start.strftime("%d/%m/%Y"), b=report.end.strftime("%d/%m/%Y"), received=t.received,
            finished=t.finished, rate=rate, overdue=t.open_overdue))
        top = [r for r in report.rows if r.finished][:TOP_GROUPS]
        group = report.group_by.label.lower()
        self.verdicts.set_data([r.name for r in top],
                               [Series(tr("Trước hạn"), EARLY), Series(tr("Đúng hạn"), ON_TIME),
                                Series(tr("Quá hạn"), LATE)],
                               [[r.early, r.on_time, r.late] for r in top],
                               title=tr("Kết quả giải quyết theo {group} (hồ sơ)").format(group=group))
        self.rates.set_data([r.name for r in top], [Series(tr("Đúng hạn"), ON_TIME)],
                            [[round(100 * (r.on_time_rate or 0), 1)] for r in top], suffix="%", maximum=100,
                            title=tr("Tỷ lệ giải quyết đúng hạn theo {group}").format(group=group))
        self.computed.emit(report)

    # -- exports -----------------------------------------------------------------------
    def _ask_path(self, title: str, suggested: str) -> str:
        path, _filter = QFileDialog.getSaveFileName(self, title, str(Path.home() / suggested),
                                                    tr("Bảng tính Excel (*.xlsx);;Tệp PDF (*.pdf)"))
        return path

    def _target(self, title: str, stem: str) -> Path | None:
        start, end = self.dates()
        chosen = self.choose_path(title, "%s_%s_%s.xlsx" % (stem, start.isoformat(), end.isoformat()))
        if not chosen:
            return None
        path = Path(chosen)
        return path if path.suffix.lower() in (".xlsx", ".pdf") else path.with_suffix(".xlsx")

    def export_register(self) -> None:
        path = self._target(tr("Xuất Sổ theo dõi hồ sơ"), "so-theo-doi-ho-so")
        if path is not None:
            ctx, user, (start, end) = self.ctx, self.user, self.dates()
            self.runner.run_long(lambda _progress: reports.export_register(ctx, user, start, end, path),
                                 tr("Đang xuất Sổ theo dõi hồ sơ..."), on_done=self._exported, parent=self,
                                 on_cancelled=lambda: path.unlink(missing_ok=True))

    def export_statistics(self) -> None:
        path = self._target(tr("Xuất báo cáo thống kê"), "bao-cao-thong-ke")
        if path is not None:
            ctx, user, (start, end), group = self.ctx, self.user, self.dates(), self.group_by()
            self.runner.run_long(lambda _progress: reports.export_statistics(ctx, user, start, end, group, path),
                                 tr("Đang xuất báo cáo thống kê..."), on_done=self._exported, parent=self,
                                 on_cancelled=lambda: path.unlink(missing_ok=True))

    def _exported(self, path: Path) -> None:
        self.banner.say("ok", tr("Đã lưu tệp {path}").format(path=path))
        self.exported.emit(Path(path))
