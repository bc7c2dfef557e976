"""The counter list: today's dossiers, diacritics-insensitive search, the dossier dialog."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desk_app.domain.dossier import EventKind
from desk_app.domain.intake import IntakeInput, PersonInput
from desk_app.services import counter, intake
from desk_app.ui.counter.model import PROGRESS, DossierTableModel
from desk_app.ui.counter.panel import CounterPanel

from .conftest import show_active

PEOPLE = [
    ("Nguyễn Thị Hồng Nhung", "038185012345", "12/07/1985", "0912345678"),
    ("Trần Văn Đức", "038079054321", "03/02/1979", "0987654321"),
    ("Lê Hoàng Nam", "001095011111", "20/11/1995", "0355123456"),
]


@pytest.fixture
def dossiers(desk, clerk, tmp_path):
    scan = tmp_path / "to-khai.pdf"
    scan.write_bytes(b"%PDF-1.4\n%%EOF\n")
    codes = []
    for i, (name, cccd, born, phone) in enumerate(PEOPLE):
        form = IntakeInput(
            procedure_code="1.001193",
            owner=PersonInput(name=name, id_number=cccd, birth_date=born, phone=phone,
                              address="Số %d đường Trần Phú, phường Hạc Thành, tỉnh Thanh Hóa" % (i + 1)),
            components={"Tờ khai đăng ký khai sinh theo mẫu": 1, "Giấy chứng sinh": 1},
            attachments=[str(scan)] if i == 0 else [])
        codes.append(intake.save(desk, clerk, form, print_receipt=(i == 0)).code)
    return codes


@pytest.fixture
def panel(qtbot, desk, clerk, runner, previews, dossiers):
    widget = CounterPanel(desk, clerk, runner, preview=previews)
    qtbot.addWidget(widget)
    widget.resize(1300, 700)
    show_active(qtbot, widget)
    return widget


def test_lists_todays_dossiers(panel, dossiers):
    assert panel.model.rowCount() == 3
    assert {panel.model.dossier(r).code for r in range(3)} == set(dossiers)
    assert panel.title.text().startswith("Hồ sơ tiếp nhận hôm nay (")
    assert panel.model.headerData(PROGRESS, Qt.Orientation.Horizontal) == "Tiến độ"


def test_search_without_diacritics_finds_the_name(qtbot, panel):
    with qtbot.waitSignal(panel.results_changed, timeout=3000) as blocker:
        qtbot.keyClicks(panel.search, "nguyen thi hong")
    assert blocker.args == [1]
    assert panel.model.dossier(0).owner_name == "Nguyễn Thị Hồng Nhung"
    assert panel.title.text() == "Kết quả tìm kiếm"


@pytest.mark.parametrize("query", ["0987654321", "038079054321", "duc"])
def test_search_by_phone_id_or_name(qtbot, panel, query):
    with qtbot.waitSignal(panel.results_changed, timeout=3000) as blocker:
        qtbot.keyClicks(panel.search, query)
    assert blocker.args == [1]
    assert panel.model.dossier(0).owner_name == "Trần Văn Đức"


def test_nothing_found_says_so(qtbot, panel):
    with qtbot.waitSignal(panel.results_changed, timeout=3000) as blocker:
        qtbot.keyClicks(panel.search, "khong ai ten nay")
    assert blocker.args == [0]
    assert "Không tìm thấy hồ sơ nào" in panel.empty.text() and panel.results.currentWidget() is panel.empty


def test_table_model(qtmodeltester, panel):
    qtmodeltester.check(panel.model)
    empty = DossierTableModel()
    qtmodeltester.check(empty)


def test_code_and_enter_opens_the_dossier_with_history_and_attachments(qtbot, panel, dossiers):
    with qtbot.waitSignal(panel.dossier_opened, timeout=3000) as blocker:
        qtbot.keyClicks(panel.search, dossiers[0])
        qtbot.keyClick(panel.search, Qt.Key.Key_Return)  # as a barcode scanner does
    dialog = blocker.args[0]
    assert dialog.details.summary.code == dossiers[0]
    assert "Nguyễn Thị Hồng Nhung" in dialog.info.text()
    assert "Giấy chứng sinh" in dialog.info.text()
    assert dialog.attachments.count() == 1
    assert dialog.tabs.tabText(1) == "Tệp đính kèm (1)"
    actions = [dialog.history.topLevelItem(i).text(1) for i in range(dialog.history.topLevelItemCount())]
    assert actions[0] == EventKind.RECEIVED.label
    assert EventKind.RECEIPT_PRINTED.label in actions
    assert dialog.history.topLevelItem(0).text(2) == "Nguyễn Thị Thu Hương"
    dialog.close()


def test_view_receipt_previews_the_kept_pdf(qtbot, panel, desk, dossiers, previews):
    panel.open_dossier(dossiers[0])
    dialog = panel.dialog
    qtbot.mouseClick(dialog.view_button, Qt.MouseButton.LeftButton)
    assert previews.paths == [counter.details(desk, dossiers[0]).receipt_path]
    dialog.close()


def test_dossier_without_receipt_gets_one_made(qtbot, panel, desk, dossiers, previews):
    panel.open_dossier(dossiers[1])
    assert panel.dialog.details.receipt_path is None
    qtbot.mouseClick(panel.dialog.view_button, Qt.MouseButton.LeftButton)
    assert len(previews.paths) == 1 and previews.paths[0].exists()
    assert panel.dialog.details.receipt_path == previews.paths[0]
    panel.dialog.close()


def test_reprint_with_new_key_asks_first_and_replaces_the_qr(qtbot, panel, desk, dossiers, previews):
    before = counter.details(desk, dossiers[0]).capability_url
    panel.open_dossier(dossiers[0])
    dialog = panel.dialog
    dialog.confirm_new_key = lambda: False
    qtbot.mouseClick(dialog.new_key_button, Qt.MouseButton.LeftButton)
    assert counter.details(desk, dossiers[0]).capability_url == before and previews.paths == []

    dialog.confirm_new_key = lambda: True
    qtbot.mouseClick(dialog.new_key_button, Qt.MouseButton.LeftButton)
    after = counter.details(desk, dossiers[0])
    assert after.capability_url != before
    assert previews.paths == [after.receipt_path]
    assert EventKind.KEY_REPLACED.label in [h.label for h in after.history]
    assert dialog.history.topLevelItemCount() == len(after.history)  # the dialog shows the new history
    dialog.close()


def test_print_without_preview_goes_to_the_chosen_printer(qtbot, panel, dossiers, tmp_path, monkeypatch):
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter
    from PySide6.QtWidgets import QDialog

    out = tmp_path / "printed.pdf"

    def choose_pdf_printer(dialog):  # the clerk picks "print to file" and presses Print
        dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        dialog.printer().setOutputFileName(str(out))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", choose_pdf_printer)
    panel.open_dossier(dossiers[0])
    qtbot.mouseClick(panel.dialog.print_button, Qt.MouseButton.LeftButton)
    assert out.exists() and out.read_bytes()[:5] == b"%PDF-"
    panel.dialog.close()
