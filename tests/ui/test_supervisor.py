"""The supervisor's dashboard and statistics, and which tabs each role sees."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from PySide6.QtCore import Qt

from desk_app.services import queues, workflow
from desk_app.services.queues import Queue
from desk_app.services.statistics import GroupBy
from desk_app.ui.main_window import MainWindow
from desk_app.ui.supervisor.dashboard import Dashboard
from desk_app.ui.supervisor.statistics import StatisticsPanel, period

from .conftest import AGENCY, show_active
from .offices import clock, office, office_template, take_in  # noqa: F401 - fixtures


@pytest.fixture
def walked(office, clock):
    """Six dossiers in different states, seen on Thu 19/11/2026 10:00."""
    o, ctx = office, office.ctx
    ctx.print_forms = False                      # the forms are not what these tests look at
    codes = {}
    clock.now = datetime(2026, 11, 2, 9, 0)
    codes["late"] = take_in(o, name="Lê Văn Hải")                        # due Wed 11/11: overdue
    clock.now = datetime(2026, 11, 10, 9, 30)
    for key, name in (("assigned", "Ngô Thị Thảo"), ("supplement", "Bùi Minh Tuấn"), ("review", "Đỗ Thu Hà"),
                      ("counter", "Vũ Đức Long"), ("returned", "Phan Thị Yến")):
        codes[key] = take_in(o, name=name)
    clock.now = datetime(2026, 11, 10, 10, 0)
    for code in codes.values():
        workflow.transfer(ctx, o.clerk, code, "CAX")
        workflow.receive(ctx, o.specialist, code)
    workflow.assign(ctx, o.leader, codes["assigned"], "chuyenvien")
    workflow.request_supplement(ctx, o.specialist, codes["supplement"], "Thiếu giấy tờ", ["Tờ khai CT01"])
    workflow.forward(ctx, o.specialist, codes["review"], "lanhdao")
    for key in ("counter", "returned"):
        workflow.result_ready(ctx, o.specialist, codes[key])
        workflow.transfer(ctx, o.specialist, codes[key], "MOTCUA")
        workflow.receive(ctx, o.clerk, codes[key])
    workflow.return_result(ctx, o.clerk, codes["returned"])
    clock.now = datetime(2026, 11, 19, 10, 0)
    ctx.print_forms = True
    return codes


@pytest.fixture
def dashboard(qtbot, office, walked, runner, previews):
    board = Dashboard(office.ctx, office.leader, runner, preview=previews, refresh_ms=0)
    qtbot.addWidget(board)
    board.resize(1500, 850)
    show_active(qtbot, board)
    return board


def test_tiles_count_every_queue(dashboard, office, walked):
    expected = queues.counts(office.ctx, office.leader)
    assert {q: int(t.count.text()) for q, t in dashboard.tiles.items()} == expected
    assert expected[Queue.OPEN] == 4 and expected[Queue.OVERDUE] >= 1
    assert expected[Queue.SUPPLEMENT] == 1 and expected[Queue.SIGNATURE] == 1
    assert expected[Queue.RESULT_AT_COUNTER] == 1
    assert dashboard.model.rowCount() == 4                 # the open queue, most urgent first
    assert dashboard.model.record(0).code == walked["late"]
    assert dashboard.updated.text() == "Cập nhật lúc 10:00"


def test_a_tile_click_shows_its_queue(qtbot, dashboard, walked):
    with qtbot.waitSignal(dashboard.refreshed, timeout=3000):
        qtbot.mouseClick(dashboard.tiles[Queue.SIGNATURE], Qt.MouseButton.LeftButton)
    assert dashboard.filter().queue is Queue.SIGNATURE
    assert [dashboard.model.record(r).code for r in range(dashboard.model.rowCount())] == [walked["review"]]
    assert dashboard.rows_title.text() == "Chờ ký duyệt: 1 hồ sơ"
    with qtbot.waitSignal(dashboard.refreshed, timeout=3000):
        qtbot.mouseClick(dashboard.tiles[Queue.RESULT_AT_COUNTER], Qt.MouseButton.LeftButton)
    assert [dashboard.model.record(r).code for r in range(dashboard.model.rowCount())] == [walked["counter"]]


def test_the_filter_bar_requeries(qtbot, dashboard, office, walked):
    with qtbot.waitSignal(dashboard.refreshed, timeout=3000):
        dashboard.holder.setCurrentIndex(dashboard.holder.findData("chuyenvien"))
    held = {dashboard.model.record(r).code for r in range(dashboard.model.rowCount())}
    assert held == {walked["late"], walked["assigned"], walked["supplement"]}
    assert [(h.holder, h.count) for h in dashboard.holdings.records()] == [("Phạm Quốc Bảo", 3)]
    assert dashboard.tiles[Queue.OPEN].count.text() == "3"
    stp = next(dashboard.unit.itemData(i) for i in range(dashboard.unit.count()) if dashboard.unit.itemText(i) == "Sở Tư pháp")
    with qtbot.waitSignal(dashboard.refreshed, timeout=3000):
        dashboard.set_filter(unit_id=stp)
    assert dashboard.model.rowCount() == 0 and dashboard.holdings.rowCount() == 0
    with qtbot.waitSignal(dashboard.refreshed, timeout=3000):
        dashboard.procedure.setCurrentIndex(dashboard.procedure.findData("1.004222"))
    assert dashboard.filter().procedure_code == "1.004222"
    with qtbot.waitSignal(dashboard.refreshed, timeout=3000):
        dashboard.clear_filters()
    assert dashboard.model.rowCount() == 4


def test_who_holds_what_since_when(dashboard, office, walked):
    rows = {(h.unit_name, h.holder): h for h in dashboard.holdings.records()}
    mine = rows[("Công an xã Quảng Phú", "Phạm Quốc Bảo")]
    assert (mine.count, mine.overdue) == (3, 1)
    assert rows[("Công an xã Quảng Phú", "Hoàng Thị Lan Anh")].count == 1
    # working days, like every other count (issue 13): 9 calendar days less a weekend and the
    # provincial day off on Mon 16/11
    assert dashboard.holdings.index(0, 4).data() == "10/11/2026 (6 ngày làm việc)"
    assert dashboard.chart.categories == ["Công an xã Quảng Phú"]
    assert dashboard.chart.values == [[3, 1]]                     # in time, overdue
    assert not dashboard.chart.grab().isNull()


def test_dashboard_models(qtmodeltester, dashboard):
    qtmodeltester.check(dashboard.model)
    qtmodeltester.check(dashboard.holdings)


@pytest.fixture
def stats(qtbot, office, walked, runner):
    panel = StatisticsPanel(office.ctx, office.leader, runner)
    qtbot.addWidget(panel)
    panel.resize(1400, 850)
    show_active(qtbot, panel)
    return panel


def test_periods():
    assert period("month", date(2026, 11, 19)) == (date(2026, 11, 1), date(2026, 11, 30))
    assert period("quarter", date(2026, 11, 19)) == (date(2026, 10, 1), date(2026, 12, 31))
    assert period("month", date(2026, 12, 5)) == (date(2026, 12, 1), date(2026, 12, 31))
    assert period("year", date(2026, 2, 1)) == (date(2026, 1, 1), date(2026, 12, 31))


def test_statistics_for_the_month(qtbot, stats):
    assert stats.dates() == (date(2026, 11, 1), date(2026, 11, 30))
    report = stats.report
    assert report is not None and report.group_by is GroupBy.UNIT
    assert report.total.received == 6 and report.total.finished == 2 and report.total.early == 2
    model = stats.model
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Đơn vị"
    last = model.rowCount() - 1
    assert model.index(last, 0).data() == "Tổng cộng" and model.index(last, 1).data() == "6"
    assert model.index(last, 0).data(Qt.ItemDataRole.FontRole).bold()
    assert "tiếp nhận 6, đã giải quyết 2 (tỷ lệ đúng hạn 100%)" in stats.summary.text()
    assert stats.verdicts.categories == ["Công an xã Quảng Phú"] and stats.verdicts.values == [[2, 0, 0]]
    assert stats.rates.values == [[100.0]] and stats.rates.suffix == "%"


def test_grouping_and_presets_requery(qtbot, stats):
    with qtbot.waitSignal(stats.computed, timeout=3000) as done:
        stats.group.setCurrentIndex(stats.group.findData(GroupBy.PROCEDURE))
    assert done.args[0].group_by is GroupBy.PROCEDURE
    assert stats.model.headerData(0, Qt.Orientation.Horizontal) == "Thủ tục"
    assert stats.model.index(0, 0).data() == "Đăng ký thường trú"
    with qtbot.waitSignal(stats.computed, timeout=3000):
        stats.use_preset("year")
    assert stats.dates() == (date(2026, 1, 1), date(2026, 12, 31))
    stats.set_period(date(2026, 11, 30), date(2026, 11, 1))
    with qtbot.assertNotEmitted(stats.computed):
        stats.compute()
    assert stats.banner.kind == "error"


def test_statistics_model(qtmodeltester, stats):
    qtmodeltester.check(stats.model)


@pytest.mark.parametrize("suffix", [".xlsx", ".pdf"])
def test_exports(qtbot, stats, tmp_path, suffix):
    asked = []
    stats.choose_path = lambda title, name: asked.append((title, name)) or str(tmp_path / ("so" + suffix))
    with qtbot.waitSignal(stats.exported, timeout=10_000) as done:
        qtbot.mouseClick(stats.register_button, Qt.MouseButton.LeftButton)
    assert done.args[0] == tmp_path / ("so" + suffix) and done.args[0].stat().st_size > 1000
    assert asked[0] == ("Xuất Sổ theo dõi hồ sơ", "so-theo-doi-ho-so_2026-11-01_2026-11-30.xlsx")
    stats.choose_path = lambda title, name: str(tmp_path / "bao-cao")          # no suffix: Excel
    with qtbot.waitSignal(stats.exported, timeout=10_000) as done:
        qtbot.mouseClick(stats.report_button, Qt.MouseButton.LeftButton)
    assert done.args[0] == tmp_path / "bao-cao.xlsx" and done.args[0].exists()
    assert stats.banner.text().startswith("Đã lưu tệp ")
    stats.choose_path = lambda title, name: ""                                   # cancelled
    with qtbot.assertNotEmitted(stats.exported):
        qtbot.mouseClick(stats.report_button, Qt.MouseButton.LeftButton)


@pytest.mark.parametrize("who, tabs", [
    ("clerk", ["Tiếp nhận hồ sơ", "Danh sách hồ sơ", "Hồ sơ trực tuyến"]),
    ("specialist", ["Danh sách hồ sơ", "Hồ sơ cần xử lý"]),
    ("leader", ["Danh sách hồ sơ", "Hồ sơ cần xử lý", "Điều hành", "Thống kê, báo cáo"]),
    ("admin", ["Tiếp nhận hồ sơ", "Danh sách hồ sơ", "Hồ sơ trực tuyến", "Thống kê, báo cáo", "Quản trị"]),
])
def test_each_role_sees_only_its_tabs(qtbot, office, runner, previews, who, tabs):
    window = MainWindow(office.ctx, getattr(office, who), runner, AGENCY.name, preview=previews)
    qtbot.addWidget(window)
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == tabs
    assert (window.queue is not None) == ("Hồ sơ cần xử lý" in tabs)
    assert (window.admin is not None) == ("Quản trị" in tabs)
    if window.queue is not None and window.intake is None:
        assert window.tabs.currentWidget() is window.queue
    window.idle.stop()


@pytest.mark.parametrize("who", ["clerk", "specialist", "leader", "admin"])
def test_every_list_of_every_role_exports_and_prints(qtbot, office, runner, previews, who):
    """Each table of the main window a role sees offers 'Xuất Excel / CSV...' and 'In danh sách...'."""
    from PySide6.QtWidgets import QTableView

    from desk_app.ui.common import table_export
    window = MainWindow(office.ctx, getattr(office, who), runner, AGENCY.name, preview=previews)
    qtbot.addWidget(window)
    for i in range(window.tabs.count()):
        window.tabs.setCurrentIndex(i)   # a tab built when first shown is built now
    views = [v for v in window.findChildren(QTableView) if v.window() is window]
    missing = [(type(v.parent()).__name__, v.objectName()) for v in views
               if table_export.of(v) is None]
    assert views and missing == []
    window.idle.stop()
