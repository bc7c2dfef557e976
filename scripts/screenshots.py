"""Screenshots of the desk application on a demo database, for looking at it as a clerk would.

Run under a virtual screen:
    xvfb-run -a -s "-screen 0 1440x900x24" .venv/bin/python scripts/screenshots.py [OUT_DIR]

Builds a demo desk in a temporary folder (the shipped catalogue, 120 dossiers), then saves
login.png, intake_picking.png, intake_filled.png, intake_errors.png, intake_saved.png,
counter_list.png, dossier_details.png, dossier_history.png and print_preview.png into OUT_DIR (default: screenshots/).
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import datetime, timedelta
from datetime import time as dtime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtPrintSupport import QPrintPreviewDialog  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from desk_app.domain.calendar import WorkCalendar  # noqa: E402
from desk_app.domain.intake import PersonInput  # noqa: E402
from desk_app.services import auth, catalogue, counter, demo  # noqa: E402
from desk_app.services.context import open_desk  # noqa: E402
from desk_app.ui import printing  # noqa: E402
from desk_app.ui.login.dialog import LoginDialog  # noqa: E402
from desk_app.ui.main_window import MainWindow  # noqa: E402
from desk_app.ui.style import apply_style  # noqa: E402
from desk_app.ui.tasks import TaskRunner  # noqa: E402

SIZE = (1440, 900)


def settle(app: QApplication, rounds: int = 5) -> None:
    for _ in range(rounds):
        app.processEvents()


def save(widget: QWidget, out: Path, name: str) -> None:
    QApplication.processEvents()
    path = out / name
    widget.grab().save(str(path))
    print(path)


def last_working_moment() -> datetime:
    """A moment of a working afternoon (today's if the office is open), so 'today' has dossiers."""
    cal = WorkCalendar.vietnam()
    now = datetime.now().replace(microsecond=0)
    if cal.is_working_day(now.date()) and now.hour >= 9:
        return min(now, now.replace(hour=15, minute=40, second=0))
    day = now.date() - timedelta(days=1)
    while not cal.is_working_day(day):
        day -= timedelta(days=1)
    return datetime.combine(day, dtime(15, 40))


def wait_for_catalogue(minutes: float = 5) -> None:
    deadline = time.monotonic() + minutes * 60
    while not catalogue.BUILTIN_CATALOGUE.exists():
        if time.monotonic() > deadline:
            sys.exit("resources/procedures/catalogue.json is missing")
        print("waiting for the shipped catalogue ...", flush=True)
        time.sleep(20)


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    wait_for_catalogue()
    app = QApplication(sys.argv)
    apply_style(app)
    moment = last_working_moment()
    clock = lambda: moment  # noqa: E731 - the whole session happens at one moment of a working day
    with tempfile.TemporaryDirectory(prefix="desk-shots-") as tmp:
        ctx = open_desk(Path(tmp) / "desk", clock=clock)
        print("building the demo desk ...", flush=True)
        demo.build(ctx, dossiers=120)
        ctx.clock = clock
        runner = TaskRunner(synchronous=True)
        agency = demo.DEMO_AGENCY.name
        shoot_login(app, ctx, runner, agency, out)
        user = auth.login(ctx, "tiepnhan", demo.DEMO_PASSWORD)
        previews: list[Path] = []
        window = MainWindow(ctx, user, runner, agency, idle_ms=3_600_000,
                            preview=lambda _parent, path: previews.append(Path(path)))
        window.setGeometry(0, 0, *SIZE)
        window.show()
        settle(app)
        shoot_intake(app, window, Path(tmp), out)
        shoot_counter(app, ctx, window, out)
        shoot_preview(app, window, previews, out)
        window.idle.stop()
        window.close()
        runner.shutdown()
        ctx.db.dispose()
    return 0


def shoot_login(app, ctx, runner, agency, out: Path) -> None:
    dialog = LoginDialog(ctx, runner, agency)
    dialog.show()
    dialog.username.setText("tiepnhan")
    dialog.password.setText("matkhau")
    dialog.password.setFocus()
    settle(app)
    save(dialog, out, "login.png")
    dialog.close()


def shoot_intake(app, window: MainWindow, tmp: Path, out: Path) -> None:
    panel = window.intake
    window.tabs.setCurrentWidget(panel)
    scan = tmp / "giay-chung-sinh.jpg"
    scan.write_bytes(b"\xff\xd8\xff\xe0" + b"0" * 2048)
    panel.picker.search.setText("khai sinh")
    panel.picker.search_now()
    settle(app)
    panel.picker.list.setCurrentIndex(panel.picker.model.index(0, 0))
    save(window, out, "intake_picking.png")
    panel.picker._pick_index(panel.picker.list.currentIndex())
    panel.owner.set_value(PersonInput(name="Nguyễn Thị Hồng Nhung", id_number="038185012345",
                                      birth_date="12/07/1985", phone="0912 345 678",
                                      email="hongnhung85@gmail.com",
                                      address="Số 15 đường Bà Triệu, phường Hạc Thành, tỉnh Thanh Hóa"))
    panel.submitter_differs.setChecked(True)
    panel.submitter.set_value(PersonInput(name="Lê Văn Toàn", id_number="038083004567", birth_date="02/03/1983",
                                          phone="0987 654 321"))
    panel.components.tick_all()
    panel.notes.setPlainText("Người nộp là bố của trẻ, xuất trình CCCD bản chính.")
    panel.attachments.add_files([str(scan)])
    settle(app)
    save(window, out, "intake_filled.png")

    panel.submitter_differs.setChecked(False)
    panel.owner.id_number.setText("03818501234")
    panel.owner.phone.setText("0123 456")
    panel.owner.email.setText("hongnhung85@gmail")
    panel.components.clear()
    panel.components.tick(panel.procedure.components[0].name)
    panel.save()
    settle(app)
    save(window, out, "intake_errors.png")

    panel.owner.id_number.setText("038185012345")
    panel.owner.phone.setText("0912 345 678")
    panel.owner.email.setText("hongnhung85@gmail.com")
    panel.components.tick_all()
    panel.save()
    settle(app)
    save(window, out, "intake_saved.png")


def shoot_counter(app, ctx, window: MainWindow, out: Path) -> None:
    panel = window.counter
    window.tabs.setCurrentWidget(panel)
    panel.refresh()
    settle(app)
    save(window, out, "counter_list.png")
    # the richest history among the dossiers of a common surname
    found = counter.search(ctx, "nguyen")
    best = max(found[:60], key=lambda d: len(counter.details(ctx, d.code).history))
    panel.open_dossier(best.code)
    settle(app)
    dialog = panel.dialog
    dialog.resize(980, 700)
    settle(app)
    save(dialog, out, "dossier_details.png")
    dialog.tabs.setCurrentIndex(2)
    settle(app)
    save(dialog, out, "dossier_history.png")
    dialog.close()


def shoot_preview(app, window: MainWindow, previews: list[Path], out: Path) -> None:
    """The real print preview of a receipt, grabbed once it has painted."""
    panel = window.counter
    rows = [panel.model.dossier(r) for r in range(panel.model.rowCount())]
    if not rows:
        return
    panel.open_dossier(rows[0].code)
    panel.dialog.view_receipt()
    panel.dialog.close()
    if not previews:
        return

    def grab_and_close(dialog: QPrintPreviewDialog) -> int:
        dialog.resize(1100, 860)
        dialog.show()
        settle(app, 10)
        save(dialog, out, "print_preview.png")
        dialog.close()
        return 0

    real_exec = QPrintPreviewDialog.exec
    QPrintPreviewDialog.exec = grab_and_close
    try:
        printing.preview_pdf(window, previews[-1])
    finally:
        QPrintPreviewDialog.exec = real_exec


if __name__ == "__main__":
    sys.exit(main())
