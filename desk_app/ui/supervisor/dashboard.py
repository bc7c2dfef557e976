"""Điều hành: live queue tiles, a filter bar, the dossiers of the chosen queue, who holds what since when."""

from __future__ import annotations

from collections import defaultdict

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (QComboBox, QCompleter, QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton,
                               QSplitter, QVBoxLayout, QWidget)

from ...domain.i18n import tr
from ...domain.roles import Role
from ...services import admin, catalogue, counter, queues
from ...services.context import CurrentUser, DeskContext
from ...services.queues import Filter, Holding, Queue
from .. import live, printing
from ..common import table_export
from ..common.records import Column, RecordTableModel, fmt_moment, record_table
from ..counter.dossier_dialog import DossierDialog
from ..queue.model import PROCEDURE, WIDTHS, by_urgency, queue_model
from ..steps.flow import Preview
from ..tasks import TaskRunner
from .charts import BarChart, Series

# text colour, soft background
TILE_COLOURS = {
    Queue.OPEN: ("#0d4a8f", "#e8f0fa"), Queue.OVERDUE: ("#b71c1c", "#fdecea"),
    Queue.DUE_SOON: ("#9a4d00", "#fff3e0"), Queue.BEHIND_HOP: ("#bf360c", "#fbe9e7"),
    Queue.SUPPLEMENT: ("#5b2c83", "#f3e9fa"), Queue.SIGNATURE: ("#00695c", "#e0f2f1"),
    Queue.RESULT_AT_COUNTER: ("#1b7f3b", "#e7f4ea"),
}


class QueueTile(QFrame):
    """A count and its queue's name; a click shows that queue."""

    clicked = Signal(object)

    def __init__(self, queue: Queue, parent: QWidget | None = None):
        super().__init__(parent)
        self.queue = queue
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.count = QLabel("–")
        self.caption = QLabel(queue.label)
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(0)
        layout.addWidget(self.count)
        layout.addWidget(self.caption)
        self.set_selected(False)

    def set_count(self, n: int) -> None:
        self.count.setText("{:,}".format(n).replace(",", "."))

    def set_selected(self, selected: bool) -> None:
        fg, bg = TILE_COLOURS[self.queue]
        self.setStyleSheet(
            "QueueTile { background: %s; border: %dpx solid %s; border-radius: 6px; }"
            "QLabel { color: %s; background: transparent; border: none; }" % (bg, 3 if selected else 1,
                                                                              fg if selected else "#d3dae3", fg))
        self.count.setStyleSheet("font-size: 20pt; font-weight: bold;")
        self.caption.setStyleSheet("font-weight: %s;" % ("bold" if selected else "normal"))

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.queue)
        super().mousePressEvent(event)


def held_working_days(since, now, calendar) -> int:
    """Whole working days from ``since`` to ``now`` on the office's calendar, as deadlines count."""
    cal = calendar()
    return int(cal.working_time_between(since, now) / cal.day_length())


def holding_columns(now, calendar) -> list[Column[Holding]]:
    right = Qt.AlignmentFlag.AlignRight
    return [
        Column(tr("Đơn vị"), lambda h: h.unit_name, tooltip=lambda h: h.unit_name),
        Column(tr("Người giữ"), lambda h: h.holder),
        Column(tr("Số hồ sơ"), lambda h: str(h.count), right),
        Column(tr("Quá hạn"), lambda h: str(h.overdue), right,
               foreground=lambda h: "#b71c1c" if h.overdue else None, bold=lambda h: h.overdue > 0),
        Column(tr("Giữ lâu nhất từ"), lambda h: tr("{day} ({n} ngày làm việc)").format(
            day=h.oldest_since.strftime("%d/%m/%Y"), n=held_working_days(h.oldest_since, now(), calendar))
            if h.oldest_since else "",
            tooltip=lambda h: fmt_moment(h.oldest_since)),
    ]


class Dashboard(QWidget):
    """``refreshed`` after every load."""

    refreshed = Signal()

    def __init__(self, ctx: DeskContext, user: CurrentUser, runner: TaskRunner,
                 preview: Preview = printing.preview_pdf, refresh_ms: int = live.FALLBACK_MS, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.user, self.runner, self.preview = ctx, user, runner, preview
        self.dialog: DossierDialog | None = None
        self._filling = False
        self._shown_filter: Filter | None = None   # what the list shows, to keep its place on a reload
        self._names: dict[str, str] = {}   # username -> full name, as the holdings name holders

        title = QLabel(tr("Điều hành: theo dõi hồ sơ đang giải quyết"))
        title.setObjectName("appTitle")
        self.updated = QLabel()
        self.updated.setObjectName("subtitle")
        refresh = QPushButton(tr("Làm mới"))
        refresh.clicked.connect(self.refresh)

        self.tiles = {q: QueueTile(q) for q in Queue}
        tiles = QGridLayout()
        tiles.setSpacing(8)
        for n, tile in enumerate(self.tiles.values()):
            tile.clicked.connect(self.show_queue)
            tiles.addWidget(tile, 0, n)

        self.unit = QComboBox()
        self.holder = QComboBox()
        self.procedure = QComboBox()
        self.procedure.setEditable(True)
        self.procedure.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.procedure.setMinimumWidth(320)
        self.queue = QComboBox()
        for q in Queue:
            self.queue.addItem(q.label, q)
        for box in (self.unit, self.holder, self.procedure, self.queue):
            box.setMinimumContentsLength(14)
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.currentIndexChanged.connect(self._filter_changed)
        bar = QHBoxLayout()
        for label, box in ((tr("Đơn vị"), self.unit), (tr("Cán bộ"), self.holder), (tr("Thủ tục"), self.procedure),
                           (tr("Danh sách"), self.queue)):
            caption = QLabel(label)
            caption.setBuddy(box)
            bar.addWidget(caption)
            bar.addWidget(box, 1 if box is self.procedure else 0)
        clear = QPushButton(tr("Bỏ lọc"))
        clear.clicked.connect(self.clear_filters)
        bar.addWidget(clear)

        self.model = queue_model(ctx.clock, self)
        self.table = record_table(self.model, stretch=PROCEDURE, widths=WIDTHS)
        table_export.attach(self.table, runner, lambda: self.rows_title.text(), ctx, lines=self._filter_lines,
                            preview=preview)
        self.table.activated.connect(self._open_index)
        self.rows_title = QLabel()
        self.rows_title.setStyleSheet("font-weight: bold; color: #0d4a8f;")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.rows_title)
        left_layout.addWidget(self.table, 1)

        self.holdings = RecordTableModel(holding_columns(ctx.clock, ctx.calendar), self)
        self.holdings_table = record_table(self.holdings, stretch=0)
        table_export.attach(self.holdings_table, runner, tr("Ai đang giữ hồ sơ nào, từ bao giờ"), ctx,
                            lines=self._filter_lines, preview=preview)
        self.chart = BarChart(tr("Hồ sơ đang giải quyết theo đơn vị"))
        holders = QWidget()
        holders_layout = QVBoxLayout(holders)
        holders_layout.setContentsMargins(0, 0, 0, 0)
        heading = QLabel(tr("Ai đang giữ hồ sơ nào, từ bao giờ"))
        heading.setStyleSheet("font-weight: bold; color: #0d4a8f;")
        holders_layout.addWidget(heading)
        holders_layout.addWidget(self.holdings_table, 1)
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(holders)
        bottom.addWidget(self.chart)
        bottom.setChildrenCollapsible(False)
        bottom.setSizes([780, 600])
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(left)
        split.addWidget(bottom)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)

        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.updated)
        top.addWidget(refresh)
        top.addWidget(table_export.menu_button(lambda: self.table))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 6)
        layout.addLayout(top)
        layout.addLayout(tiles)
        layout.addLayout(bar)
        layout.addWidget(split, 1)

        # the tiles and lists follow every step taken here and every sync's pull as it commits
        self.live = live.follow(self, ctx, self.refresh, self.refreshed, fallback_ms=refresh_ms)
        self._load_choices()

    # -- the filter bar ----------------------------------------------------------------
    def _load_choices(self) -> None:
        ctx = self.ctx
        self.runner.run(lambda: (admin.units(ctx), admin.people(ctx), catalogue.search(ctx, "", limit=5000)),
                        on_done=self._fill_choices, parent=self)

    def _fill_choices(self, loaded) -> None:
        units, people, procedures = loaded
        self._filling = True
        self.unit.addItem(tr("Tất cả đơn vị"), None)
        for u in units:
            self.unit.addItem(u.name, u.id)
        self.holder.addItem(tr("Tất cả cán bộ"), None)
        self._names = {p.username: p.full_name for p in people}
        for p in sorted(people, key=lambda p: p.full_name):
            if p.role in (Role.SPECIALIST, Role.SUPERVISOR, Role.CLERK):
                self.holder.addItem("%s (%s)" % (p.full_name, p.role.label), p.username)
        self.procedure.addItem(tr("Tất cả thủ tục"), None)
        for pr in sorted(procedures, key=lambda pr: pr.code):
            self.procedure.addItem("%s — %s" % (pr.code, pr.name), pr.code)
        completer = QCompleter(self.procedure.model(), self.procedure)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.procedure.setCompleter(completer)
        self._filling = False
        self.refresh()

    def filter(self) -> Filter:
        # enum members come back from the combo as their plain values
        return Filter(Queue(self.queue.currentData() or Queue.OPEN), self.unit.currentData(), self.holder.currentData(),
                      self.procedure.currentData())

    def _filter_lines(self) -> list[str]:
        """The filter bar in words, printed under a list's title."""
        return [tr("Đơn vị: {unit}; cán bộ: {holder}; thủ tục: {procedure}").format(
            unit=self.unit.currentText(), holder=self.holder.currentText(), procedure=self.procedure.currentText())]

    def _filter_changed(self, _index: int = 0) -> None:
        if not self._filling:
            self.refresh()

    def show_queue(self, queue: Queue) -> None:
        self.queue.setCurrentIndex(self.queue.findData(queue))

    def set_filter(self, unit_id: int | None = None, holder: str | None = None, procedure: str | None = None) -> None:
        """Choose the filters at once (one query), as the filter bar does one by one."""
        self._filling = True
        for box, value in ((self.unit, unit_id), (self.holder, holder), (self.procedure, procedure)):
            box.setCurrentIndex(max(0, box.findData(value)))
        self._filling = False
        self.refresh()

    def clear_filters(self) -> None:
        self.set_filter()

    # -- loading -----------------------------------------------------------------------
    def refresh(self) -> None:
        ctx, user, f = self.ctx, self.user, self.filter()

        def load():
            return (queues.counts(ctx, user, f.unit_id, f.holder), queues.rows(ctx, user, f, limit=1000),
                    queues.holdings(ctx, user))
        self.runner.run(load, on_done=lambda r: self._loaded(f, r), parent=self)

    def _loaded(self, f: Filter, result) -> None:
        counts, rows, holdings = result
        now = self.ctx.clock()
        for q, tile in self.tiles.items():
            tile.set_count(counts.get(q, 0))
            tile.set_selected(q is f.queue)
        # the same list reloaded stays where the leader was; another filter starts at the top
        with live.kept_place(self.table, enabled=f == self._shown_filter):
            self.model.set_records(by_urgency(rows, now) if f.queue is Queue.OPEN else rows)
        self._shown_filter = f
        self.rows_title.setText(tr("{queue}: {n} hồ sơ").format(queue=f.queue.label, n=len(rows)))
        unit_name = self.unit.currentText() if f.unit_id is not None else None
        holder_name = self._names.get(f.holder, f.holder) if f.holder is not None else None
        shown = [h for h in holdings if (unit_name is None or h.unit_name == unit_name)
                 and (holder_name is None or h.holder == holder_name)]
        self.holdings.set_records(shown)
        self._chart(shown)
        self.updated.setText(tr("Cập nhật lúc {time}").format(time=now.strftime("%H:%M")))
        self.refreshed.emit()

    def _chart(self, holdings: list[Holding]) -> None:
        per_unit: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for h in holdings:
            per_unit[h.unit_name or tr("(chưa rõ)")][0] += h.count - h.overdue
            per_unit[h.unit_name or tr("(chưa rõ)")][1] += h.overdue
        top = sorted(per_unit.items(), key=lambda kv: -sum(kv[1]))[:10]
        self.chart.set_data([k for k, _ in top], [Series(tr("Trong hạn"), "#5b8fd1"), Series(tr("Quá hạn"), "#c62828")],
                            [v for _, v in top])

    # -- details -----------------------------------------------------------------------
    def _open_index(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        code = self.model.record(index.row()).code
        self.runner.run(lambda: counter.details(self.ctx, code), on_done=self._show_dossier, parent=self)

    def _show_dossier(self, details) -> None:
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = DossierDialog(self.ctx, self.user, self.runner, details, self, self.preview)
        self.dialog.finished.connect(lambda _r: self.refresh())
        self.dialog.open()
