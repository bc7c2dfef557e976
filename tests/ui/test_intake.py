"""The intake form in the GUI: type, pick, fill, tick, save; and what blocks a save."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desk_app.domain.intake import PersonInput
from desk_app.services import counter
from desk_app.ui.intake.panel import IntakePanel

from .conftest import show_active, type_text


@pytest.fixture
def panel(qtbot, desk, clerk, runner, previews):
    widget = IntakePanel(desk, clerk, runner, preview=previews)
    qtbot.addWidget(widget)
    widget.resize(1300, 850)
    show_active(qtbot, widget)  # window shortcuts (Ctrl+S, Esc) need an active window
    return widget


def pick(qtbot, panel, query: str) -> None:
    """Type in the picker and press Enter, as a clerk does."""
    panel.picker.search.setFocus()
    with qtbot.waitSignal(panel.picker.results_changed, timeout=3000):
        qtbot.keyClicks(panel.picker.search, query)
    qtbot.keyClick(panel.picker.search, Qt.Key.Key_Return)


def fill_owner(qtbot, panel, id_number="038090012345", phone="0912 345 678") -> None:
    owner = panel.owner
    type_text(owner.name, "Nguyễn Văn An")
    qtbot.keyClicks(owner.id_number, id_number)
    owner.birth_date.setFocus()
    owner.birth_date.home(False)
    qtbot.keyClicks(owner.birth_date, "05091990")
    qtbot.keyClicks(owner.phone, phone)
    type_text(owner.address, "Số 12 đường Lê Lợi, phường Hạc Thành, tỉnh Thanh Hóa")


def test_pick_by_name_without_diacritics_then_save_prints_receipt(qtbot, panel, desk, previews):
    pick(qtbot, panel, "khai sinh")
    assert panel.procedure is not None and panel.procedure.code == "1.001193"
    assert "1.001193" in panel.procedure_info.text()
    assert "Trong ngày làm việc" in panel.procedure_info.text()
    assert panel.owner.name.hasFocus()  # the picker hands over to the owner's name

    fill_owner(qtbot, panel)
    assert panel.owner.birth_date.text() == "05/09/1990"
    boxes = panel.components.checkboxes()
    assert len(boxes) == 3
    for box in boxes[:2]:  # the two required ones, from the keyboard
        box.setFocus()
        qtbot.keyClick(box, Qt.Key.Key_Space)

    with qtbot.waitSignal(panel.saved, timeout=5000) as blocker:
        qtbot.keyClick(panel.owner.address, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    saved = blocker.args[0]

    today = counter.today(desk)
    assert [d.code for d in today] == [saved.code]
    assert today[0].owner_name == "Nguyễn Văn An"
    assert saved.receipt_path is not None and saved.receipt_path.exists()
    assert saved.receipt_path.read_bytes()[:5] == b"%PDF-"
    assert previews.paths == [saved.receipt_path]
    assert saved.code in panel.banner.text() and panel.banner.isVisible()
    # ready for the next citizen
    assert panel.procedure is None and panel.owner.name.text() == "" and panel.components.checkboxes() == []


def test_pick_by_code_with_arrow_keys(qtbot, panel):
    panel.picker.search.setFocus()
    with qtbot.waitSignal(panel.picker.results_changed, timeout=3000) as blocker:
        qtbot.keyClicks(panel.picker.search, "ho tich")
    assert blocker.args == [2]  # both civil-status ("Hộ tịch") procedures, typed without diacritics
    codes = [panel.picker.model.procedure(row).code for row in range(2)]
    assert sorted(codes) == ["1.001193", "2.000635"]
    qtbot.keyClick(panel.picker.search, Qt.Key.Key_Down)
    qtbot.keyClick(panel.picker.search, Qt.Key.Key_Down)  # stays on the last row
    qtbot.keyClick(panel.picker.search, Qt.Key.Key_Up)
    qtbot.keyClick(panel.picker.search, Qt.Key.Key_Down)
    qtbot.keyClick(panel.picker.search, Qt.Key.Key_Return)
    assert panel.procedure is not None and panel.procedure.code == codes[1]


def test_fee_shown_for_the_picked_procedure(qtbot, panel):
    pick(qtbot, panel, "2.000635")
    assert panel.procedure.code == "2.000635"
    assert "8.000 đồng (mỗi bản sao)" in panel.procedure_info.text()


@pytest.mark.parametrize("case", ["bad_cccd", "bad_phone", "missing_component"])
def test_errors_block_saving_and_show_beside_the_field(qtbot, panel, desk, previews, case):
    pick(qtbot, panel, "1.001193")
    fill_owner(qtbot, panel,
               id_number="03809001234" if case == "bad_cccd" else "038090012345",  # 11 digits
               phone="0123 456" if case == "bad_phone" else "0912345678")
    panel.components.tick("Tờ khai đăng ký khai sinh theo mẫu")
    if case != "missing_component":
        panel.components.tick("Giấy chứng sinh")

    with qtbot.assertNotEmitted(panel.saved):
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)

    key, field, message = {
        "bad_cccd": ("owner.id_number", panel.owner.id_number, "Số CCCD phải gồm đúng 12 chữ số."),
        "bad_phone": ("owner.phone", panel.owner.phone, "Số điện thoại không đúng định dạng Việt Nam"),
        "missing_component": ("components", panel.components.checkboxes()[1],
                              "Thiếu thành phần bắt buộc: Giấy chứng sinh."),
    }[case]
    assert message in panel.errors.message(key)
    assert list(_shown_errors(panel)) == [key]
    assert field.hasFocus()
    assert "Hồ sơ chưa được lưu" in panel.form_error.text()
    assert counter.today(desk) == []
    assert previews.paths == []


def _shown_errors(panel):
    keys = ["procedure", "owner.name", "owner.id_number", "owner.birth_date", "owner.phone", "owner.email",
            "owner.address", "submitter.name", "submitter.id_number", "components", "sets", "channel",
            "attachments"]
    return (k for k in keys if panel.errors.message(k))


def test_cccd_birth_year_must_match_birth_date(qtbot, panel, desk):
    pick(qtbot, panel, "khai sinh")
    fill_owner(qtbot, panel, id_number="038085012345")  # encodes 1985, born 1990
    panel.components.tick_all()
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert "không khớp với ngày sinh" in panel.errors.message("owner.id_number")
    assert counter.today(desk) == []


def test_empty_form_points_at_the_procedure_first(qtbot, panel, desk):
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert panel.errors.message("procedure") == "Chưa chọn thủ tục hành chính."
    assert panel.errors.message("owner.name") == "Chưa nhập họ và tên."
    assert panel.picker.search.hasFocus()
    assert counter.today(desk) == []


def test_submitter_block_and_attachment_are_saved(qtbot, panel, desk, tmp_path):
    scan = tmp_path / "giay-chung-sinh.png"
    scan.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    pick(qtbot, panel, "khai sinh")
    fill_owner(qtbot, panel)
    assert not panel.submitter_box.isVisible()
    qtbot.mouseClick(panel.submitter_differs, Qt.MouseButton.LeftButton)
    assert panel.submitter_box.isVisible()
    panel.components.tick_all()
    panel.attachments.add_files([str(scan)])

    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert panel.errors.message("submitter.name") == "Chưa nhập họ và tên."
    assert panel.submitter.name.hasFocus()

    panel.submitter.set_value(PersonInput(name="Trần Thị Bình", id_number="038191054321",
                                          birth_date="12/03/1991", phone="0987654321"))
    with qtbot.waitSignal(panel.saved, timeout=5000) as blocker:
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    details = counter.details(desk, blocker.args[0].code)
    assert details.submitter["name"] == "Trần Thị Bình"
    assert [a.filename for a in details.attachments] == ["giay-chung-sinh.png"]
    assert len(details.components) == 3


def test_escape_clears_after_confirmation(qtbot, panel):
    pick(qtbot, panel, "khai sinh")
    type_text(panel.owner.name, "Nguyễn Văn An")
    panel.confirm_clear = lambda: False
    qtbot.keyClick(panel.owner.name, Qt.Key.Key_Escape)
    assert panel.owner.name.text() == "Nguyễn Văn An"
    panel.confirm_clear = lambda: True
    qtbot.keyClick(panel.owner.name, Qt.Key.Key_Escape)
    assert panel.owner.name.text() == "" and panel.procedure is None
    assert panel.picker.search.hasFocus()


def test_procedure_list_model(qtmodeltester, qtbot, panel):
    pick(qtbot, panel, "ho tich")
    qtmodeltester.check(panel.picker.model)
