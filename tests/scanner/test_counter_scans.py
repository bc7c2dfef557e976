"""Scans at the counter: a receipt opens its dossier, a chip ID card's QR fills the intake form."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from desk_app.services import counter, intake
from desk_app.ui.main_window import MainWindow
from desk_app.ui.tasks import TaskRunner
from tests.conftest import birth_form

CARD = "038190012345|123456789|Nguyễn Thị Hồng Nhung|12031990|Nữ|Số 12 ngõ 34, phường Điện Biên, tỉnh Thanh Hóa|15072021"


class Ticker:
    def __init__(self, step: float) -> None:
        self.step, self.t = step, 1000.0

    def __call__(self) -> float:
        self.t += self.step
        return self.t


@pytest.fixture
def window(qtbot, desk, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # QSettings away from the user's
    errors = []
    runner = TaskRunner(synchronous=True, show_error=lambda _p, e: errors.append(e))
    w = MainWindow(desk, desk.clerk, runner, "Trung tâm", preview=lambda *_a: 0)
    qtbot.addWidget(w)
    w.show()
    yield w
    w.idle.stop()
    w.close()
    runner.shutdown()
    assert errors == []


def scan_by_keyboard(window: MainWindow, target, text: str) -> None:
    """A handheld scanner in keyboard mode: 3 ms a key, then Enter, into whatever has focus."""
    window.wedge._clock = Ticker(0.003)
    for c in text:
        QApplication.instance().notify(target, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_unknown,
                                                         Qt.KeyboardModifier.NoModifier, c))
    QApplication.instance().notify(target, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Return,
                                                     Qt.KeyboardModifier.NoModifier, "\r"))


def test_an_id_card_scanned_into_the_intake_form_fills_the_owner(qtbot, window) -> None:
    form = window.intake.owner
    form.phone.setText("0912 345 678")
    form.name.setFocus()
    scan_by_keyboard(window, form.name, CARD)
    assert window.tabs.currentWidget() is window.intake
    assert form.name.text() == "Nguyễn Thị Hồng Nhung"          # not the QR's text typed into the name
    assert form.id_number.text() == "038190012345"
    assert form.birth_date.text() == "12/03/1990"
    assert form.address.text() == "Số 12 ngõ 34, phường Điện Biên, tỉnh Thanh Hóa"
    assert form.phone.text() == "0912 345 678"                  # what the clerk typed stays
    assert "Nữ" in window.intake.banner.text()
    assert form.gender.currentText() == "Nữ"
    value = window.intake.intake_input().owner
    assert value.gender == "female"
    assert (value.name, value.id_number, value.birth_date) == ("Nguyễn Thị Hồng Nhung", "038190012345", "12/03/1990")


def test_the_submitters_fields_take_the_card_when_the_clerk_is_in_them(window) -> None:
    panel = window.intake
    panel.submitter_differs.setChecked(True)
    panel.submitter.name.setFocus()
    window.handle_scan(CARD.replace("Nguyễn Thị Hồng Nhung", "Trần Thị Mai"))
    assert panel.submitter.name.text() == "Trần Thị Mai" and panel.owner.name.text() == ""


def test_a_receipt_scanned_anywhere_opens_its_dossier(qtbot, window, desk) -> None:
    code = intake.save(desk, desk.clerk, birth_form(), print_receipt=False).code
    url = counter.details(desk, code).capability_url
    with qtbot.wait_signal(window.counter.dossier_opened) as opened:
        scan_by_keyboard(window, window.intake.owner.name, url)
    assert window.tabs.currentWidget() is window.counter
    assert opened.args[0].details.summary.code == code
    assert window.intake.owner.name.text() == ""
    opened.args[0].close()


def test_a_barcode_opens_the_dossier_and_anything_else_is_explained(qtbot, window, desk) -> None:
    code = intake.save(desk, desk.clerk, birth_form(), print_receipt=False).code
    with qtbot.wait_signal(window.counter.dossier_opened) as opened:
        window.handle_scan(code)
    opened.args[0].close()
    window.handle_scan("https://example.com/promo")
    assert "không phải" in window.statusBar().currentMessage()


def test_no_scan_is_taken_while_the_screen_is_locked(window) -> None:
    window.lock()
    window.handle_scan(CARD)
    assert window.intake.owner.name.text() == "" and not window.wedge.enabled
