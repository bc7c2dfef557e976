"""The live camera on screen: frames across threads, outlines, messages, settings, the counter's dialog."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSettings
from PySide6.QtGui import QImage

from desk_app.scanner.settings import SERIAL, DeviceSettings
from desk_app.scanner.sources import FakeSource
from desk_app.ui.camera.dialog import CameraDialog
from desk_app.ui.camera.feed import CameraFeed, to_qimage
from desk_app.ui.camera.settings import DeviceSettingsWidget, load_device_settings, save_device_settings
from desk_app.ui.camera.view import CameraView

from .helpers import LINK, empty_frame, qr_frame


def test_frames_become_qimages_of_the_same_pixels() -> None:
    frame = np.zeros((4, 6, 3), np.uint8)
    frame[1, 2] = (255, 0, 0)  # blue in BGR
    image = to_qimage(frame)
    assert (image.width(), image.height()) == (6, 4)
    assert image.pixelColor(2, 1).blue() == 255 and image.pixelColor(2, 1).red() == 0
    assert to_qimage(np.zeros((4, 6), np.uint8)).format() == QImage.Format.Format_Grayscale8


def test_a_slow_screen_gets_the_newest_frame_not_a_queue(qapp) -> None:
    feed = CameraFeed(lambda: FakeSource([empty_frame()]))
    sent = []
    feed.frame_ready.connect(lambda image, n: sent.append(n))
    feed.on_frame(empty_frame(), 1)
    feed.on_frame(empty_frame(), 2)      # the screen has not taken frame 1: dropped
    feed.frame_shown()
    feed.on_frame(empty_frame(), 3)
    assert sent == [1, 3]


def test_view_shows_frames_outlines_and_plain_messages(qtbot) -> None:
    source = FakeSource([qr_frame()])
    feed = CameraFeed(lambda: source)
    view = CameraView(mirror=True, guide_text="Đưa mã QR vào khung xanh")
    view.attach(feed)
    qtbot.addWidget(view)
    view.resize(640, 480)
    view.show()
    feed.pump()
    assert view.has_frame and view.message == "" and view._codes and view._codes[0].text == LINK
    view.grab()  # paints: frame mirrored, guide, outline
    source.unplug()
    feed.pump()
    assert "Mất kết nối camera" in view.message
    view.grab()


def test_no_camera_at_all_is_said_plainly(qtbot) -> None:
    source = FakeSource([empty_frame()])
    source.unplug()
    feed = CameraFeed(lambda: source)
    view = CameraView()
    view.attach(feed)
    qtbot.addWidget(view)
    feed.pump()
    assert "Không tìm thấy camera" in view.message and not view.has_frame


def test_device_settings_widget_and_storage(qtbot, tmp_path) -> None:
    widget = DeviceSettingsWidget(DeviceSettings(camera_index=1, camera_width=1920, camera_height=1080),
                                  probe_cameras=False)
    qtbot.addWidget(widget)
    assert widget.settings().camera_index == 1 and widget.settings().camera_width == 1920
    assert not widget.port.isEnabled()
    with qtbot.wait_signal(widget.changed) as changed:
        widget.mode.setCurrentIndex(widget.mode.findData(SERIAL))
    assert changed.args[0].scanner_mode == SERIAL and widget.port.isEnabled()
    widget.port.setCurrentText("/dev/ttyACM0")
    store = QSettings(str(tmp_path / "devices.ini"), QSettings.Format.IniFormat)
    save_device_settings(widget.settings(), store)
    loaded = load_device_settings(QSettings(str(tmp_path / "devices.ini"), QSettings.Format.IniFormat))
    assert loaded == widget.settings() and loaded.serial_port == "/dev/ttyACM0"


def test_counter_camera_dialog_hands_over_the_code_read_twice(qtbot) -> None:
    source = FakeSource([qr_frame()])
    dialog = CameraDialog(open_source=lambda: source, settings=DeviceSettings())
    qtbot.addWidget(dialog)
    dialog.show()
    feed = dialog.feed
    with qtbot.wait_signal(dialog.scanned) as scanned:
        feed.pump()
        feed.pump()
    assert scanned.args == [LINK] and dialog.result() == dialog.DialogCode.Accepted and dialog.feed is None


def test_a_code_in_view_but_unreadable_gets_a_hint(qtbot) -> None:
    feed = CameraFeed(lambda: FakeSource([empty_frame()]))
    view = CameraView(guide_text="Đưa mã QR vào khung xanh")
    view.hint_text = "Đã thấy mã. Xin giữ yên giấy, đưa lại gần hơn một chút"
    view.attach(feed)
    qtbot.addWidget(view)
    view.resize(640, 480)
    feed.pump()
    assert not view.hinting
    feed.unreadable.emit()
    assert view.hinting
    view.grab()  # the hint painted, wrapped, where the guide text was


def test_the_live_loop_reports_symbols_it_could_not_read(monkeypatch) -> None:
    from desk_app.scanner import live
    from desk_app.scanner.pipeline import ScanResult
    quad = ((1.0, 1.0), (9.0, 1.0), (9.0, 9.0), (1.0, 9.0))
    monkeypatch.setattr(live, "scan", lambda grey, options: ScanResult([], 1.0, ("zxing",), (quad,)))
    heard = []
    feed = CameraFeed(lambda: FakeSource([empty_frame()]))
    feed.unreadable.connect(lambda: heard.append(True))
    result = feed.pump()
    assert result.unread == 1 and heard == [True]
