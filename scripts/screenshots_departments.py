"""Screenshots of the departments' screens on a demo database: the specialist, the supervisor, the admin.

Run under a virtual screen:
    xvfb-run -a -s "-screen 0 1440x900x24" .venv/bin/python scripts/screenshots_departments.py [OUT_DIR]

Builds a demo desk in a temporary folder (the shipped catalogue, 320 dossiers walked through
the real workflow services), then saves specialist_queue.png, specialist_step.png,
counter_steps.png, supervisor_dashboard.png, supervisor_statistics.png, admin.png,
admin_workflows.png and admin_holidays.png into OUT_DIR (default: screenshots/).
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from PySide6.QtWidgets import QApplication  # noqa: E402

from desk_app.services import auth, counter, demo, queues  # noqa: E402
from desk_app.services.context import open_desk  # noqa: E402
from desk_app.ui.main_window import MainWindow  # noqa: E402
from desk_app.ui.style import apply_style  # noqa: E402
from desk_app.ui.tasks import TaskRunner  # noqa: E402
from screenshots import SIZE, last_working_moment, save, settle, wait_for_catalogue  # noqa: E402


def window_for(ctx, runner, username: str) -> MainWindow:
    user = auth.login(ctx, username, demo.DEMO_PASSWORD)
    window = MainWindow(ctx, user, runner, demo.DEMO_AGENCY.name, idle_ms=3_600_000,
                        preview=lambda _parent, _path: 0)
    window.setGeometry(0, 0, *SIZE)
    window.show()
    settle(QApplication.instance())
    return window


def close(window: MainWindow) -> None:
    window.idle.stop()
    window.close()


def shoot_specialist(app, ctx, runner, out: Path) -> None:
    window = window_for(ctx, runner, "cv.congan")       # the police's specialist: the busiest unit
    panel = window.queue
    spec = window.user
    arriving = [r for r in queues.unit_queue(ctx, spec) if r.stage == "transferring"]
    if arriving:                                         # a dossier on its way: scan its receipt QR
        panel.receive_scan(counter.details(ctx, arriving[0].code).capability_url)
    else:
        panel.refresh()
    settle(app)
    save(window, out, "specialist_queue.png")
    row = next((r for r in range(panel.mine_model.rowCount())
                if panel.mine_model.record(r).stage in ("in_unit", "assigned")), None)
    if row is not None:
        panel.tabs.setCurrentIndex(0)
        panel.mine_table.selectRow(row)
        panel.take("supplement")
        settle(app)
        form = panel.flow.form
        if form is not None:
            form.set_value("reason", "Hồ sơ chưa đủ thành phần theo quy định")
            form.set_value("missing", ["Bản sao có chứng thực Giấy chứng nhận quyền sử dụng đất",
                                       "Sơ đồ vị trí thửa đất có xác nhận của UBND xã"])
            settle(app)
            save(form, out, "specialist_step.png")
            form.reject()
    close(window)


def shoot_counter_steps(app, ctx, runner, out: Path) -> None:
    window = window_for(ctx, runner, "tiepnhan")
    at_counter = queues.rows(ctx, window.user, queues.Filter(queues.Queue.RESULT_AT_COUNTER))
    if at_counter:
        window.tabs.setCurrentWidget(window.counter)
        window.counter.open_dossier(at_counter[0].code)
        settle(app)
        dialog = window.counter.dialog
        dialog.resize(1000, 700)
        dialog.tabs.setCurrentIndex(2)
        settle(app)
        save(dialog, out, "counter_steps.png")
        dialog.close()
    close(window)


def shoot_supervisor(app, ctx, runner, out: Path, days: tuple[date, date]) -> None:
    window = window_for(ctx, runner, "lanhdao")
    window.tabs.setCurrentWidget(window.dashboard)
    window.dashboard.refresh()
    settle(app)
    save(window, out, "supervisor_dashboard.png")
    stats = window.statistics
    window.tabs.setCurrentWidget(stats)
    stats.set_period(*days)
    stats.compute()
    settle(app)
    save(window, out, "supervisor_statistics.png")
    close(window)


def shoot_admin(app, ctx, runner, out: Path) -> None:
    window = window_for(ctx, runner, "admin")
    panel = window.admin
    window.tabs.setCurrentWidget(panel)
    panel.tabs.setCurrentWidget(panel.people)
    people = panel.people.model
    panel.people.table.selectRow(next((r for r in range(people.rowCount())
                                       if people.record(r).username == "cv.congan"), 0))
    settle(app)
    save(window, out, "admin.png")
    panel.tabs.setCurrentWidget(panel.workflows)
    panel.workflows.pick("1.004222")
    settle(app)
    save(window, out, "admin_workflows.png")
    panel.tabs.setCurrentWidget(panel.holidays)
    settle(app)
    save(window, out, "admin_holidays.png")
    close(window)


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
        demo.build(ctx, dossiers=320)
        ctx.clock = clock
        runner = TaskRunner(synchronous=True)
        shoot_specialist(app, ctx, runner, out)
        shoot_counter_steps(app, ctx, runner, out)
        shoot_supervisor(app, ctx, runner, out, (moment.date() - timedelta(days=62), moment.date()))
        shoot_admin(app, ctx, runner, out)
        runner.shutdown()
        ctx.db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
