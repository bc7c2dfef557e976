"""This machine's scanning devices: camera and resolution, handheld scanner mode and port.

Kept in QSettings (per machine, per user), in the shape ``scanner.settings.DeviceSettings``
declares once.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QPushButton, QSpinBox, QWidget)

from ...domain.i18n import tr
from ...scanner.settings import KEYBOARD, SERIAL, DeviceSettings
from ...scanner.sources import RESOLUTIONS, list_cameras
from ..scanning import SerialScanner

GROUP = "devices"


def load_device_settings(store: QSettings | None = None) -> DeviceSettings:
    store = store or QSettings()
    store.beginGroup(GROUP)
    try:
        return DeviceSettings.from_dict({k: store.value(k) for k in store.childKeys()})
    finally:
        store.endGroup()


def save_device_settings(settings: DeviceSettings, store: QSettings | None = None) -> None:
    store = store or QSettings()
    store.beginGroup(GROUP)
    for key, value in settings.to_dict().items():
        store.setValue(key, value)
    store.endGroup()
    store.sync()


class DeviceSettingsWidget(QWidget):
    """Pick the camera, its resolution, and how the handheld scanner is connected."""

    changed = Signal(object)  # DeviceSettings

    def __init__(self, settings: DeviceSettings, parent: QWidget | None = None, probe_cameras: bool = True):
        super().__init__(parent)
        self._settings = settings
        form = QFormLayout(self)
        self.camera = QComboBox()
        self.refresh = QPushButton(tr("Tìm lại camera"))
        self.refresh.clicked.connect(self.find_cameras)
        row = QHBoxLayout()
        row.addWidget(self.camera, 1)
        row.addWidget(self.refresh)
        form.addRow(tr("Camera"), row)
        self.resolution = QComboBox()
        for w, h in RESOLUTIONS:
            self.resolution.addItem("%d × %d" % (w, h), "%dx%d" % (w, h))  # a tuple would not compare in findData
        index = self.resolution.findData("%dx%d" % (settings.camera_width, settings.camera_height))
        self.resolution.setCurrentIndex(index if index >= 0 else 1)
        form.addRow(tr("Độ phân giải"), self.resolution)
        self.mode = QComboBox()
        self.mode.addItem(tr("Bàn phím (máy quét gõ mã như bàn phím)"), KEYBOARD)
        self.mode.addItem(tr("Cổng COM (giữ nguyên tiếng Việt)"), SERIAL)
        self.mode.setCurrentIndex(max(0, self.mode.findData(settings.scanner_mode)))
        form.addRow(tr("Máy quét cầm tay"), self.mode)
        self.port = QComboBox()
        self.port.setEditable(True)
        self.port.addItems(SerialScanner.ports())
        self.port.setCurrentText(settings.serial_port)
        form.addRow(tr("Cổng COM"), self.port)
        self.baud = QComboBox()
        for b in (9600, 19200, 38400, 57600, 115200):
            self.baud.addItem(str(b), b)
        self.baud.setCurrentIndex(max(0, self.baud.findData(settings.serial_baud)))
        form.addRow(tr("Tốc độ cổng"), self.baud)
        self.gap = QSpinBox()
        self.gap.setRange(10, 200)
        self.gap.setSuffix(" ms")
        self.gap.setValue(settings.wedge_gap_ms)
        form.addRow(tr("Khoảng cách phím tối đa của máy quét"), self.gap)
        self._cameras([settings.camera_index])
        if probe_cameras:
            self.find_cameras()
        for combo in (self.camera, self.resolution, self.mode, self.baud):
            combo.currentIndexChanged.connect(self._emit)
        self.port.currentTextChanged.connect(self._emit)
        self.gap.valueChanged.connect(self._emit)
        self._show_port()

    def _cameras(self, indices: list[int]) -> None:
        current = self.camera.currentData() if self.camera.count() else self._settings.camera_index
        self.camera.blockSignals(True)
        self.camera.clear()
        for i in sorted(set(indices)):
            self.camera.addItem(tr("Camera {n}").format(n=i), i)
        if not indices:
            self.camera.addItem(tr("Không tìm thấy camera"), self._settings.camera_index)
        self.camera.setCurrentIndex(max(0, self.camera.findData(current)))
        self.camera.blockSignals(False)

    def find_cameras(self) -> None:
        self._cameras(list_cameras())

    def _show_port(self) -> None:
        serial = self.mode.currentData() == SERIAL
        self.port.setEnabled(serial)
        self.baud.setEnabled(serial)
        self.gap.setEnabled(not serial)

    def settings(self) -> DeviceSettings:
        w, h = (int(v) for v in self.resolution.currentData().split("x"))
        return DeviceSettings(camera_index=int(self.camera.currentData()), camera_width=w, camera_height=h,
                              scanner_mode=self.mode.currentData(), serial_port=self.port.currentText().strip(),
                              serial_baud=int(self.baud.currentData()), wedge_gap_ms=self.gap.value())

    def _emit(self, *_args) -> None:
        self._show_port()
        self.changed.emit(self.settings())
