"""Handheld scanners: a fast burst ending in Enter is a scan, a person typing is not; serial mode."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget

from desk_app.scanner.settings import DeviceSettings
from desk_app.ui.scanning import SerialScanner, WedgeDetector

CODE = "000.00.06.H56-261110-0001"


class Ticker:
    """A clock that moves ``step`` seconds each time it is read: the pace of the keys."""

    def __init__(self, step: float) -> None:
        self.step, self.t = step, 1000.0

    def __call__(self) -> float:
        self.t += self.step
        return self.t


def press(widget, text: str = "", key: Qt.Key = Qt.Key.Key_unknown) -> None:
    """A key press as the window system delivers it, through the application's event filters."""
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        event = QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, text)
        QApplication.instance().notify(widget, event)


def type_keys(widget, text: str) -> None:
    for c in text:
        press(widget, c)


@pytest.fixture
def form(qtbot):
    box = QWidget()
    layout = QVBoxLayout(box)
    name, other = QLineEdit(), QLineEdit()
    layout.addWidget(name)
    layout.addWidget(other)
    qtbot.addWidget(box)
    box.show()
    name.setFocus()
    yield name, other
    box.close()


@pytest.fixture
def detector(qapp):
    made = []

    def make(step: float) -> WedgeDetector:
        d = WedgeDetector(max_gap_ms=40, min_length=6, clock=Ticker(step))
        d.install(qapp)
        made.append(d)
        return d
    yield make
    for d in made:
        d.uninstall(qapp)


def test_a_fast_burst_is_a_scan_and_not_typed_into_the_field(qtbot, form, detector) -> None:
    name, _ = form
    name.setText("Nguyễn")
    d = detector(0.004)  # 4 ms a key, as scanners type
    with qtbot.wait_signal(d.scanned, timeout=1000) as blocker:
        type_keys(name, CODE)
        press(name, "\r", Qt.Key.Key_Return)
    assert blocker.args == [CODE]
    assert name.text() == "Nguyễn"


def test_vietnamese_text_passes_through_a_scan(qtbot, form, detector) -> None:
    name, _ = form
    d = detector(0.003)
    with qtbot.wait_signal(d.scanned, timeout=1000) as blocker:
        type_keys(name, "038190012345|Nguyễn Thị Hồng Nhung")
        press(name, "\r", Qt.Key.Key_Enter)
    assert blocker.args == ["038190012345|Nguyễn Thị Hồng Nhung"]


def test_a_person_typing_is_not_a_scan_and_every_key_arrives(qtbot, form, detector) -> None:
    name, _ = form
    d = detector(0.15)  # 150 ms a key: a quick typist
    with qtbot.assert_not_emitted(d.scanned):
        type_keys(name, "Trần Văn Bình")
        qtbot.waitUntil(lambda: name.text() == "Trần Văn Bình", timeout=1000)
        with qtbot.wait_signal(name.returnPressed, timeout=1000):
            press(name, "\r", Qt.Key.Key_Return)


def test_a_short_fast_burst_is_typing_too(qtbot, form, detector) -> None:
    name, _ = form
    d = detector(0.004)
    with qtbot.assert_not_emitted(d.scanned):
        type_keys(name, "12")
        with qtbot.wait_signal(name.returnPressed, timeout=1000):
            press(name, "\r", Qt.Key.Key_Return)
    assert name.text() == "12"


def test_held_keys_go_back_to_the_widget_they_were_typed_in(qtbot, form, detector) -> None:
    name, other = form
    d = detector(0.004)
    type_keys(name, "ab")
    other.setFocus()
    d.release()
    assert (name.text(), other.text()) == ("ab", "")


def test_shortcuts_and_arrows_are_never_held(qtbot, form, detector) -> None:
    name, _ = form
    detector(0.004)
    name.setText("abc")
    name.setCursorPosition(3)
    press(name, "", Qt.Key.Key_Left)
    assert name.cursorPosition() == 2


def test_serial_scanner_reads_utf8_lines_with_vietnamese_intact(qtbot) -> None:
    serial = pytest.importorskip("serial")
    port = serial.serial_for_url("loop://", timeout=0.05)
    scanner = SerialScanner(open_port=lambda: port, retry_s=0.05)
    texts: list[str] = []
    scanner.scanned.connect(texts.append)
    scanner.start()
    try:
        port.write("038190012345||Nguyễn Thị Hồng Nhung|12031990|Nữ|Thanh Hóa|15072021\r\n".encode("utf-8"))
        port.write(b"000.00.06.H56-261110-0001\r")
        qtbot.waitUntil(lambda: len(texts) == 2, timeout=3000)
    finally:
        scanner.stop()
    assert texts == ["038190012345||Nguyễn Thị Hồng Nhung|12031990|Nữ|Thanh Hóa|15072021",
                          "000.00.06.H56-261110-0001"]


def test_device_settings_from_stored_values() -> None:
    s = DeviceSettings.from_dict({"camera_index": "2", "serial_baud": "oops", "scanner_mode": "laser", "x": 1})
    assert (s.camera_index, s.serial_baud, s.scanner_mode) == (2, 9600, "keyboard")
    assert DeviceSettings.from_dict(s.to_dict()) == s


def test_two_detectors_installed_neither_eats_the_others_keys(qtbot, form, detector) -> None:
    name, _ = form
    window_wide, screen_own = detector(0.15), detector(0.15)   # a screen may install its own too
    with qtbot.assert_not_emitted(window_wide.scanned), qtbot.assert_not_emitted(screen_own.scanned):
        type_keys(name, "Lê Hoa")
        qtbot.waitUntil(lambda: name.text() == "Lê Hoa", timeout=2000)


def test_with_two_detectors_the_last_installed_takes_the_scan(qtbot, form, detector) -> None:
    name, _ = form
    window_wide, screen_own = detector(0.003), detector(0.003)
    with qtbot.assert_not_emitted(window_wide.scanned), qtbot.wait_signal(screen_own.scanned) as blocker:
        type_keys(name, CODE)
        press(name, "\r", Qt.Key.Key_Return)
    assert blocker.args == [CODE] and name.text() == ""
