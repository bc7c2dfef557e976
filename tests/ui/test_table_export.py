"""Every list exports and prints what it shows: the visible columns in their order, the rows in
the current sort and filter, Vietnamese intact; the PDF embeds the font and is looked at as a PNG."""

from __future__ import annotations

import csv
import io

from hypothesis import example, given, settings, strategies as st
from openpyxl import load_workbook
from PySide6.QtCore import Qt

from desk_app.documents import table
from desk_app.documents.render import pdf_to_images
from desk_app.services import workflow
from desk_app.ui.common import table_export
from desk_app.ui.counter.panel import CounterPanel
from desk_app.ui.queue.panel import QueuePanel

from .conftest import show_active
from .offices import clock, office, office_template, take_in  # noqa: F401 - fixtures

NAMES = ("Nguyễn Thị Thu Hương", "Đặng Văn Ánh", "Lê Thị Mai", "Trần Văn Bình")


def xlsx_rows(path) -> list[list[str]]:
    sheet = load_workbook(path).active
    return [["" if c is None else str(c) for c in row] for row in sheet.iter_rows(values_only=True)]


def test_the_departments_queue_exports_what_it_shows(qtbot, office, runner, previews, tmp_path):
    o = office
    codes = []
    for n, name in enumerate(NAMES):
        code = take_in(o, name=name, cccd="03819001%04d" % n)
        workflow.transfer(o.ctx, o.clerk, code, "CAX")
        codes.append(code)
    panel = QueuePanel(o.ctx, o.specialist, runner, preview=previews, refresh_ms=0)
    qtbot.addWidget(panel)
    show_active(qtbot, panel)
    panel.tabs.setCurrentIndex(1)
    view = panel.unit_table
    view.horizontalHeader().hideSection(8)                 # "Tiến độ" hidden by the specialist
    view.horizontalHeader().moveSection(1, 0)              # "Chủ hồ sơ" dragged first
    export = table_export.of(view)
    assert isinstance(export, table_export.TableExport)
    assert [a.text() for a in view.actions()] == ["Xuất Excel / CSV...", "In danh sách..."]

    with qtbot.waitSignal(export.written, timeout=5000):
        export.export_to(tmp_path / "hang-doi.xlsx")
    rows = xlsx_rows(tmp_path / "hang-doi.xlsx")
    header_at = next(i for i, r in enumerate(rows) if r[:2] == ["Chủ hồ sơ", "Mã hồ sơ"])
    assert rows[0][0] == "Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa"
    assert rows[1][0] == "Hồ sơ cần xử lý — Công an xã Quảng Phú: Đơn vị của tôi (4)"
    assert rows[header_at] == ["Chủ hồ sơ", "Mã hồ sơ", "Thủ tục", "Đang ở", "Người giữ", "Từ lúc", "Hạn bước",
                               "Hẹn trả"]
    shown = [[view.model().index(r, c).data() for c in (1, 0)] for r in range(view.model().rowCount())]
    assert [r[:2] for r in rows[header_at + 1:header_at + 5]] == shown
    assert sorted(r[0] for r in shown) == sorted(NAMES)
    sheet = load_workbook(tmp_path / "hang-doi.xlsx").active
    assert {c.data_type for row in sheet.iter_rows() for c in row if c.value is not None} == {"s"}  # text only

    with qtbot.waitSignal(export.written, timeout=5000):
        export.export_to(tmp_path / "hang-doi.csv")
    raw = (tmp_path / "hang-doi.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")                 # Excel reads UTF-8 with its mark
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert lines[0][:2] == ["Chủ hồ sơ", "Mã hồ sơ"] and len(lines) == 5
    assert [line[:2] for line in lines[1:]] == shown

    with qtbot.waitSignal(export.written, timeout=10_000):
        export.print_()
    pdf = previews.paths[-1]
    assert pdf.suffix == ".pdf" and pdf.parent == o.ctx.data_dir / "prints"
    assert b"NotoSerif" in pdf.read_bytes()
    page = pdf_to_images(pdf, dpi=70)[0]
    page.save(tmp_path / "queue-print.png")
    assert page.width > page.height                        # eight columns: landscape


def test_the_counters_list_exports_in_its_sort_order(qtbot, office, runner, previews, tmp_path):
    o = office
    for n, name in enumerate(NAMES[:3]):
        take_in(o, name=name, cccd="03819002%04d" % n)
    panel = CounterPanel(o.ctx, o.clerk, runner, preview=previews)
    qtbot.addWidget(panel)
    show_active(qtbot, panel)
    panel.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)   # by the owner's name
    export = table_export.of(panel.table)
    with qtbot.waitSignal(export.written, timeout=5000):
        export.export_to(tmp_path / "quay.xlsx")
    rows = xlsx_rows(tmp_path / "quay.xlsx")
    header_at = next(i for i, r in enumerate(rows) if "Mã hồ sơ" in r)
    column = rows[header_at].index(panel.proxy.headerData(2, Qt.Orientation.Horizontal))
    exported = [r[column] for r in rows[header_at + 1:header_at + 4]]
    assert exported == [panel.proxy.index(r, 2).data() for r in range(3)]
    assert rows[header_at + 5][0] == "Tổng số: 3 dòng."


def test_default_names_are_plain_ascii():
    from datetime import datetime
    name = table_export.default_name("Hồ sơ cần xử lý — Đơn vị của tôi (4)", ".xlsx", datetime(2026, 11, 10, 10, 30))
    assert name == "Ho-so-can-xu-ly-don-vi-cua-toi-4_20261110-1030.xlsx"
    assert table_export.default_name("../../", ".csv", datetime(2026, 1, 2)).startswith("Danh-sach_")


hostile = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=40)


@settings(max_examples=60, deadline=None)
@given(cells=st.lists(st.lists(hostile, min_size=1, max_size=4), min_size=1, max_size=5), title=hostile)
@example(cells=[["\ud800"]], title="\ud800")   # a lone surrogate in the title broke the PDF's metadata
def test_any_text_makes_valid_files_with_no_formulas(cells, title):
    doc = table.TableDocument(title, ["A", "B", "C"], cells)
    data = table.xlsx_bytes(doc)
    sheet = load_workbook(io.BytesIO(data)).active
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    text = table.csv_bytes(doc).decode("utf-8-sig")
    for line in list(csv.reader(io.StringIO(text)))[1:]:
        assert len(line) == 3 and not any(c.startswith(("=", "+", "-", "@")) for c in line)
    assert table.pdf_bytes(doc).startswith(b"%PDF")


def test_the_top_bar_button_acts_on_the_list_in_view(qtbot, office, runner, previews):
    from PySide6.QtWidgets import QPushButton
    o = office
    take_in(o)
    panel = QueuePanel(o.ctx, o.specialist, runner, preview=previews, refresh_ms=0)
    qtbot.addWidget(panel)
    show_active(qtbot, panel)
    (button,) = [b for b in panel.findChildren(QPushButton) if b.text() == "Xuất / In"]
    panel.tabs.setCurrentIndex(1)
    exported = []
    table_export.of(panel.unit_table).written.connect(exported.append)
    table_export.of(panel.mine_table).written.connect(lambda p: exported.append(("mine", p)))
    [_, print_action] = button.menu().actions()
    assert print_action.text() == "In danh sách..."
    print_action.trigger()
    qtbot.waitUntil(lambda: bool(exported), timeout=10_000)
    assert exported[0].suffix == ".pdf" and "don-vi-cua-toi" in exported[0].name
    assert previews.paths[-1] == exported[0]
