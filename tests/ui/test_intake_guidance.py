"""Intake: Ctrl+G gives a Mẫu 02 guidance slip (the papers still missing listed) or a Mẫu 03 refusal for
what was typed, printed at once, with no dossier received."""

from __future__ import annotations


from PySide6.QtCore import Qt

from desk_app.domain.forms import FormKind
from desk_app.services import counter, forms
from tests.services.test_forms_printed import pdf_text
from tests.ui.test_intake import fill_owner, panel, pick  # noqa: F401


def test_ctrl_g_gives_a_guidance_slip_for_an_incomplete_dossier(qtbot, panel, desk, clerk, previews):  # noqa: F811
    pick(qtbot, panel, "khai sinh")
    fill_owner(qtbot, panel)
    assert panel.guide_button.isVisible()
    qtbot.keyClick(panel.owner.name, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    dialog = panel.guidance
    qtbot.waitUntil(dialog.isVisible, timeout=3000)
    typed = dialog.items.toPlainText().splitlines()
    assert "Tờ khai đăng ký khai sinh theo mẫu" in typed and "Giấy chứng sinh" in typed  # nothing was ticked
    dialog.reason.setText("Chưa có giấy chứng sinh")
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.given is not None or bool(dialog.error.text()), timeout=5000)
    assert dialog.error.text() == ""
    assert dialog.given.kind is FormKind.SUPPLEMENT and dialog.given.number.endswith("/TB-BS")
    assert previews.paths == [dialog.given.path]
    assert counter.today(desk) == []                                  # no dossier was received
    today = desk.clock().date()
    assert [g.number for g in forms.guidance_register(desk, clerk, today, today)] == [dialog.given.number]


def test_the_dialog_previews_todays_register(qtbot, panel, desk, previews):  # noqa: F811
    pick(qtbot, panel, "khai sinh")
    fill_owner(qtbot, panel)
    panel.guide()
    dialog = panel.guidance
    dialog.refusal.setChecked(True)
    assert dialog.items.toPlainText() == "" and not dialog.reason.isVisible()
    dialog.items.setPlainText("Ngoài thẩm quyền")
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.given is not None, timeout=5000)
    dialog.show_register()                       # the dialog is closed by now; the button calls this
    assert len(previews.paths) == 2 and previews.paths[1].name.startswith("so-huong-dan-")
    assert "/TB-TC" in pdf_text(previews.paths[1])
