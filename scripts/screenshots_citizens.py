"""Screenshots of the desk's side of the citizens' channel on a demo database: the inbox of
citizens' messages, the dossier window's messages tab, the admin's announcements page and the
kiosk's idle screen with the centre's announcements.

    xvfb-run -a -s "-screen 0 1440x900x24" .venv/bin/python scripts/screenshots_citizens.py [OUT_DIR]

Saves messages_inbox.png, messages_status.png, dossier_messages.png, admin_announcements.png and
kiosk_idle_announcements.png into OUT_DIR (default: screenshots/).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from PySide6.QtWidgets import QApplication  # noqa: E402

from desk_app.services import auth, demo  # noqa: E402
from desk_app.services.context import open_desk  # noqa: E402
from desk_app.ui.kiosk.window import KioskWindow  # noqa: E402
from desk_app.ui.main_window import MainWindow  # noqa: E402
from desk_app.ui.style import apply_style  # noqa: E402
from desk_app.ui.tasks import TaskRunner  # noqa: E402
from screenshots import SIZE, last_working_moment, save, settle, wait_for_catalogue  # noqa: E402


def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    wait_for_catalogue()
    app = QApplication.instance() or QApplication(sys.argv)
    apply_style(app)
    moment = last_working_moment()
    clock = lambda: moment  # noqa: E731 - the whole session happens at one moment of a working day
    with tempfile.TemporaryDirectory(prefix="citizen-shots-") as tmp:
        ctx = open_desk(Path(tmp) / "desk", clock=clock)
        print("building the demo desk ...", flush=True)
        demo.build(ctx, dossiers=120, receipts_for_today=0)
        ctx.clock = clock
        runner = TaskRunner(synchronous=True)
        clerk = auth.login(ctx, "tiepnhan", demo.DEMO_PASSWORD)
        window = MainWindow(ctx, clerk, runner, demo.DEMO_AGENCY.name, idle_ms=3_600_000, preview=lambda *_a: 0)
        window.setGeometry(0, 0, *SIZE)
        window.show()
        settle(app)
        window.tabs.setCurrentWidget(window.counter)
        settle(app)
        save(window, out, "messages_status.png")
        window.show_inbox()
        window.inbox_dialog.resize(1240, 680)
        inbox = window.inbox
        inbox.table.selectRow(1 if inbox.model.rowCount() > 1 else 0)
        inbox.thread.reply_box.setPlainText("Chào ông/bà, hồ sơ đang được Sở Tư pháp xử lý; dự kiến có kết quả "
                                            "đúng hẹn. Khi có kết quả, Bộ phận Một cửa sẽ báo qua số điện thoại "
                                            "ông/bà đã đăng ký.")
        settle(app)
        save(window.inbox_dialog, out, "messages_inbox.png")
        code = inbox.current_code()
        window.inbox_dialog.hide()
        window.counter.open_dossier(code)
        dialog = window.counter.dialog
        dialog.resize(980, 700)
        dialog.show_messages()
        dialog.thread.reply_box.setPlainText("Cảm ơn ông/bà đã liên hệ.")
        settle(app)
        save(dialog, out, "dossier_messages.png")
        dialog.close()
        window.idle.stop()
        window.close()

        boss = auth.login(ctx, "admin", demo.DEMO_PASSWORD)
        admin_window = MainWindow(ctx, boss, runner, demo.DEMO_AGENCY.name, idle_ms=3_600_000, preview=lambda *_a: 0)
        admin_window.setGeometry(0, 0, *SIZE)
        admin_window.show()
        admin_window.tabs.setCurrentWidget(admin_window.admin)
        page = admin_window.admin.announcements
        admin_window.admin.tabs.setCurrentWidget(page)
        page.table.selectRow(1)
        settle(app)
        save(admin_window, out, "admin_announcements.png")
        admin_window.idle.stop()
        admin_window.close()

        kiosk_user = auth.login(ctx, "kiosk", demo.DEMO_PASSWORD)
        kiosk = KioskWindow(ctx, kiosk_user, runner, None, demo.DEMO_AGENCY.name)
        kiosk.resize(*SIZE)
        kiosk.show()
        settle(app)
        save(kiosk, out, "kiosk_idle_announcements.png")
        kiosk._leaving = True
        kiosk.close()
        runner.shutdown()
        ctx.db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "screenshots"))
