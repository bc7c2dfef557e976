"""Scanning with the webcam at the counter: a live picture until a code is read in two frames."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ...domain.i18n import tr
from ...scanner.settings import DeviceSettings
from ...scanner.sources import FrameSource, SourceSpec
from .feed import CameraFeed
from .settings import DeviceSettingsWidget, load_device_settings, save_device_settings
from .view import CameraView


class CameraDialog(QDialog):
    """Shows the camera; ``scanned(text)`` and closes once a code has been read in two frames."""

    scanned = Signal(str)

    def __init__(self, parent: QWidget | None = None, open_source: Callable[[], FrameSource] | None = None,
                 settings: DeviceSettings | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("Quét mã bằng camera"))
        self.resize(900, 620)
        self.settings = settings or load_device_settings()
        self._open_source = open_source
        self.view = CameraView(aim=0.55, guide_text=tr("Đưa mã QR hoặc mã vạch vào khung"))
        hint = QLabel(tr("Giấy tiếp nhận, phiếu kiểm soát hoặc căn cước công dân: giữ yên mã trong khung xanh."))
        hint.setWordWrap(True)
        settings_button = QPushButton(tr("Chọn camera..."))
        settings_button.clicked.connect(self.choose_camera)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(settings_button)
        row.addStretch(1)
        row.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(hint)
        layout.addLayout(row)
        self.feed: CameraFeed | None = None
        self._start()

    def _source(self) -> FrameSource:
        if self._open_source is not None:
            return self._open_source()
        s = self.settings
        return SourceSpec(camera=s.camera_index, width=s.camera_width, height=s.camera_height).create()

    def _start(self) -> None:
        self.feed = CameraFeed(self._source, parent=self)
        self.view.attach(self.feed)
        self.feed.accepted.connect(self._accepted)
        if self._open_source is None:
            self.feed.start()

    def _stop(self) -> None:
        if self.feed is not None:
            self.feed.stop()
            self.feed.deleteLater()
            self.feed = None

    def _accepted(self, code, _captured_at: float = 0.0) -> None:
        self.scanned.emit(code.text)
        self.accept()

    def choose_camera(self) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle(tr("Thiết bị quét"))
        widget = DeviceSettingsWidget(self.settings)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(widget)
        layout.addWidget(buttons)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.settings = widget.settings()
            save_device_settings(self.settings)
            self._stop()
            self._start()

    def done(self, result: int) -> None:
        self._stop()
        super().done(result)
