"""`desk-app kiosk`: log in with the kiosk account once, then full screen until an admin leaves."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from ...domain.i18n import set_language, tr
from ...domain.roles import Role
from ...scanner.settings import SERIAL
from ...scanner.sources import SourceSpec
from ...services.context import open_desk
from .. import desk_info
from ..camera.feed import CameraFeed
from ..camera.settings import load_device_settings
from ..login.dialog import LoginDialog
from ..scanning import SerialScanner, WedgeDetector
from ..style import apply_style
from ..tasks import TaskRunner
from .window import KioskWindow


def run_kiosk(data_dir: Path | str, camera: int | None = None, source: Path | None = None,
              username: str = "kiosk", windowed: bool = False) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("desk-app")
    app.setApplicationDisplayName(tr("Tra cứu hồ sơ"))
    apply_style(app)
    ctx = open_desk(data_dir)
    language = desk_info.setting(ctx, "language")
    if language:
        set_language(str(language))
    runner = TaskRunner()
    devices = load_device_settings()
    spec = SourceSpec(camera=devices.camera_index if camera is None else camera, path=source,
                      width=devices.camera_width, height=devices.camera_height)
    feed = CameraFeed(spec.create)
    serial = None
    try:
        agency = desk_info.agency_name(ctx)
        login = LoginDialog(ctx, runner, agency)
        login.username.setText(username)
        login.password.setFocus()
        while True:
            if login.exec() != QDialog.DialogCode.Accepted or login.user is None:
                return 0
            if login.user.role is Role.KIOSK:
                break
            QMessageBox.warning(None, tr("Không đúng tài khoản"),
                                tr("Kiosk chạy bằng tài khoản có vai trò \"{role}\".").format(role=Role.KIOSK.label))
        wedge = WedgeDetector(app, max_gap_ms=devices.wedge_gap_ms)
        wedge.install(app)
        window = KioskWindow(ctx, login.user, runner, feed, agency, wedge=wedge)
        if devices.scanner_mode == SERIAL and devices.serial_port:
            serial = SerialScanner(devices.serial_port, devices.serial_baud, parent=window)
            serial.scanned.connect(window.scanned)
            serial.start()
        window.left.connect(app.quit)
        if windowed:
            window.resize(1440, 900)
            window.show()
        else:
            window.showFullScreen()
        feed.start()
        return app.exec()
    finally:
        if serial is not None:
            serial.stop()
        feed.stop()
        runner.shutdown()
        ctx.db.dispose()
