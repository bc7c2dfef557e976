"""The dossier window's "Giấy tờ đã in" tab: the forms printed for the dossier, and a reprint of the
kept PDF (Enter) that takes no new number and is recorded."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desk_app.domain.dossier import EventKind
from desk_app.domain.intake import IntakeInput, PersonInput
from desk_app.services import counter, intake, workflow
from desk_app.ui.counter.panel import CounterPanel
from tests.ui.conftest import show_active


def test_the_tab_lists_the_prints_and_enter_reprints_the_kept_pdf(qtbot, desk, clerk, runner, previews):
    form = IntakeInput(procedure_code="1.001193",
                       owner=PersonInput(name="Nguyễn Thị Hồng Nhung", id_number="038190012345",
                                         birth_date="12/03/1990", phone="0912345678",
                                         address="Số 12 ngõ 34, phường Điện Biên, tỉnh Thanh Hóa"),
                       components={"Tờ khai đăng ký khai sinh theo mẫu": 1, "Giấy chứng sinh": 1})
    code = intake.save(desk, clerk, form).code
    workflow.refuse(desk, clerk, code, ["Hồ sơ không thuộc thẩm quyền"])
    panel = CounterPanel(desk, clerk, runner, preview=previews)
    qtbot.addWidget(panel)
    show_active(qtbot, panel)
    panel.open_dossier(code)
    dialog = panel.dialog
    tab = dialog.papers
    assert dialog.tabs.tabText(dialog.tabs.indexOf(tab)) == "Giấy tờ đã in (2)"
    rows = [[tab.list.topLevelItem(i).text(c) for c in range(4)] for i in range(tab.list.topLevelItemCount())]
    assert [r[0] for r in rows] == ["Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "Phiếu từ chối tiếp nhận giải quyết hồ sơ"]
    assert rows[1][1].endswith("/TB-TC") and rows[1][3] == "Nguyễn Thị Thu Hương"
    dialog.tabs.setCurrentWidget(tab)
    tab.list.setFocus()
    number = rows[1][1]
    qtbot.keyClick(tab.list, Qt.Key.Key_Return)                      # the refusal, selected last, again
    assert previews.paths == [tab.papers[1].path]
    assert tab.list.topLevelItemCount() == 3 and tab.list.topLevelItem(2).text(1) == number
    assert tab.list.topLevelItem(2).text(4) == "In lại"
    assert [h.kind for h in counter.details(desk, code).history].count(EventKind.FORM_PRINTED) == 2
    dialog.close()
