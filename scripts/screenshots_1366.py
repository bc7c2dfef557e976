"""A day at the desk on a small screen: every role's main screens at 1366x768, to look at.

Run under a virtual screen of that size:
    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python scripts/screenshots_1366.py [OUT_DIR] [--screens-only]

Builds a demo desk in a temporary folder (the shipped catalogue, 320 dossiers walked through the
real workflow services), then walks it as each role would: the counter clerk receives citizens
(empty form, filled, refused with reasons, saved), searches (found, nothing found) and opens a
dossier; the police specialist works his queue and opens a dossier from it; the leader reviews the
morning (dashboard, statistics); the admin opens his screens. Saves into OUT_DIR (default:
screenshots/1366x768/).
"""

from __future__ import annotations

import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from PySide6.QtWidgets import QApplication  # noqa: E402

from desk_app.domain.intake import PersonInput  # noqa: E402
from desk_app.services import admin, auth, counter, demo, queues  # noqa: E402
from desk_app.services.context import open_desk  # noqa: E402
from desk_app.ui.main_window import MainWindow  # noqa: E402
from desk_app.ui.style import apply_style  # noqa: E402
from desk_app.ui.tasks import TaskRunner  # noqa: E402
from screenshots import last_working_moment, save, settle, wait_for_catalogue  # noqa: E402

SIZE = (1366, 768)
SHOTS = ROOT / "screenshots" / "1366x768"


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


def shoot_dialog(app, dialog, out: Path, name: str) -> None:
    settle(app)
    save(dialog, out, name)


def clerk(app, ctx, runner, out: Path) -> None:
    window = window_for(ctx, runner, "tiepnhan")
    panel = window.intake
    window.tabs.setCurrentWidget(panel)
    settle(app)
    save(window, out, "clerk_intake_empty.png")
    panel.picker.search.setText("khai sinh")
    panel.picker.search_now()
    settle(app)
    panel.picker._pick_index(panel.picker.model.index(0, 0))
    panel.owner.set_value(PersonInput(name="Nguyen Van 123", id_number="038185012345", birth_date="31/02/1990",
                                      phone="0912 345 678", address="Số 15 đường Bà Triệu, phường Hạc Thành"))
    panel.save()
    settle(app)
    save(window, out, "clerk_intake_errors.png")
    panel.owner.set_value(PersonInput(name="Nguyễn Thị Hồng Nhung", id_number="038185012345",
                                      birth_date="12/07/1985", phone="0912 345 678", email="hongnhung85@gmail.com",
                                      address="Số 15 đường Bà Triệu, phường Hạc Thành, tỉnh Thanh Hóa"))
    panel.submitter_differs.setChecked(True)
    panel.submitter.set_value(PersonInput(name="Lê Văn Toàn", id_number="038083004567", birth_date="02/03/1983",
                                          phone="0987 654 321"))
    panel.components.tick_all()
    panel.errors.clear()  # the clerk retyped every field in error: their messages went as he typed
    panel.form_error.clear_message()
    settle(app)
    save(window, out, "clerk_intake_filled.png")
    panel.save()
    settle(app)
    save(window, out, "clerk_intake_saved.png")

    window.tabs.setCurrentWidget(window.counter)
    window.counter.refresh()
    settle(app)
    save(window, out, "clerk_list.png")
    window.counter.search.setText("không có ai tên này")
    window.counter.refresh()
    settle(app)
    save(window, out, "clerk_search_empty.png")
    window.counter.search.setText("")
    found = counter.search(ctx, "nguyen")
    best = max(found[:60], key=lambda d: len(counter.details(ctx, d.code).history))
    window.counter.open_dossier(best.code)
    settle(app)
    dialog = window.counter.dialog
    shoot_dialog(app, dialog, out, "clerk_dossier_details.png")
    dialog.tabs.setCurrentIndex(2)
    shoot_dialog(app, dialog, out, "clerk_dossier_history.png")
    dialog.close()
    close(window)


def specialist(app, ctx, runner, out: Path) -> None:
    window = window_for(ctx, runner, "cv.congan")
    panel = window.queue
    panel.refresh()
    settle(app)
    save(window, out, "specialist_queue.png")
    panel.tabs.setCurrentIndex(1)
    settle(app)
    save(window, out, "specialist_unit_queue.png")
    panel.tabs.setCurrentIndex(0)
    mine = queues.my_queue(ctx, window.user)
    if mine:
        panel.open_dossier(mine[0].code)
        settle(app)
        shoot_dialog(app, panel.dialog, out, "specialist_dossier.png")
        panel.dialog.close()
    close(window)


def leader(app, ctx, runner, out: Path, moment) -> None:
    window = window_for(ctx, runner, "lanhdao")
    window.tabs.setCurrentWidget(window.dashboard)
    window.dashboard.refresh()
    settle(app)
    save(window, out, "leader_dashboard.png")
    # the morning's review: what waits for his signature, opened from the board
    window.dashboard.show_queue(queues.Queue.SIGNATURE)
    settle(app)
    if window.dashboard.model.rowCount():
        window.dashboard._open_index(window.dashboard.model.index(0, 0))
        settle(app)
        if window.dashboard.dialog is not None:
            shoot_dialog(app, window.dashboard.dialog, out, "leader_dossier_to_sign.png")
            window.dashboard.dialog.close()
    stats = window.statistics
    window.tabs.setCurrentWidget(stats)
    stats.set_period(moment.date() - timedelta(days=62), moment.date())
    stats.compute()
    settle(app)
    save(window, out, "leader_statistics.png")
    if window.queue is not None:
        window.tabs.setCurrentWidget(window.queue)
        window.queue.refresh()
        settle(app)
        save(window, out, "leader_queue.png")
    close(window)


def administrator(app, ctx, runner, out: Path) -> None:
    window = window_for(ctx, runner, "admin")
    panel = window.admin
    window.tabs.setCurrentWidget(panel)
    settle(app)
    save(window, out, "admin_people.png")
    panel.tabs.setCurrentWidget(panel.workflows)
    settle(app)
    save(window, out, "admin_workflows.png")
    close(window)


def clerk_day(app, ctx, runner, out: Path, citizens: int = 80) -> list[float]:
    """A clerk receives ``citizens`` citizens through the form, one after another, as at the counter:
    pick, type, tick, save (the receipt goes to the preview), next. Returns seconds per citizen."""
    import random
    from time import perf_counter

    from desk_app.services import catalogue
    window = window_for(ctx, runner, "tiepnhan")
    panel = window.intake
    rng = random.Random(13)
    codes = sorted({row.get("code", "") for row in catalogue.export_rows(ctx)} - {""})[:60] or ["1.001193"]
    spent = []
    for _ in range(citizens):
        started = perf_counter()
        panel.pick_procedure(rng.choice(codes))
        settle(app, 2)
        if panel.case_fee.case.count() > 1:
            panel.case_fee.case.setCurrentIndex(1)
        person = demo.person(rng)
        panel.owner.set_value(person)
        panel.components.tick_all()
        panel.save()
        settle(app, 2)
        spent.append(perf_counter() - started)
        if panel.last_saved is None or not panel.banner.isVisible():
            from desk_app.services import intake
            print("not saved:", intake.validate(ctx, panel.intake_input()), flush=True)
    save(window, out, "clerk_after_a_day.png")
    close(window)
    return spent


def specialist_day(app, ctx, runner, dossiers: int = 30) -> list[float]:
    """The counter sends ``dossiers`` of the day's intake to the police; their specialist scans each
    one in, marks its result (F6) and sends it back to the counter (F7), all on his screen.
    Returns seconds per dossier."""
    from time import perf_counter

    from desk_app.services import workflow
    clerk = auth.login(ctx, "tiepnhan", demo.DEMO_PASSWORD)
    todays = [d.code for d in counter.today(ctx) if d.stage == "received"][:dossiers]
    police = next(u.code for u in admin.units(ctx) if u.name == "Công an tỉnh")
    for code in todays:
        workflow.transfer(ctx, clerk, code, police)
    window = window_for(ctx, runner, "cv.congan")
    panel = window.queue
    spent = []

    def step(key: str, **values) -> bool:
        panel.take(key)
        settle(app, 2)
        form = panel.flow.form
        if form is None:
            return panel.banner.kind != "error"
        for name, value in values.items():
            form.set_value(name, value)
        form.submit()
        settle(app, 2)
        if panel.flow.form is form:
            print("step refused:", key, form.form_error.text(), flush=True)
            form.reject()
            return False
        return True

    for code in todays:
        started = perf_counter()
        panel.receive_scan(counter.details(ctx, code).capability_url)
        settle(app, 2)
        if not panel.select(code) or not step("result"):
            print("could not work", code, panel.banner.text(), flush=True)
            continue
        panel.select(code)
        if not step("transfer"):
            continue
        spent.append(perf_counter() - started)
    panel.refresh()
    settle(app)
    save(window, Path(SHOTS), "specialist_after_a_day.png")
    close(window)
    return spent


def kiosk_without_camera(app, ctx, runner, out: Path) -> None:
    """The kiosk whose camera is unplugged: the camera's message, and only that, where the picture was."""
    from desk_app.ui.camera.feed import CameraFeed
    from desk_app.ui.kiosk.window import KioskWindow

    def no_camera():
        raise OSError("no camera")
    window = KioskWindow(ctx, auth.login(ctx, "kiosk", demo.DEMO_PASSWORD), runner, CameraFeed(no_camera),
                         demo.DEMO_AGENCY.name)
    window.resize(*SIZE)
    window.show()
    settle(app)
    window.feed.start() if hasattr(window.feed, "start") else None
    try:
        window.feed.pump()
    except OSError:
        pass
    settle(app)
    save(window, out, "kiosk_no_camera.png")
    window.feed.stop()
    window._leaving = True
    window.close()


def main() -> int:
    global SHOTS
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    walk_the_day = "--screens-only" not in sys.argv  # the two days take minutes
    out = SHOTS = Path(args[0]) if args else SHOTS
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
        clerk(app, ctx, runner, out)
        specialist(app, ctx, runner, out)
        leader(app, ctx, runner, out, moment)
        administrator(app, ctx, runner, out)
        kiosk_without_camera(app, ctx, runner, out)
        import statistics as stats
        days = (("clerk, per citizen", lambda: clerk_day(app, ctx, runner, out)),
                ("specialist, per dossier", lambda: specialist_day(app, ctx, runner)))
        for who, day in days if walk_the_day else ():
            spent = day()
            if spent:
                print("%s: %d done, median %.0f ms, slowest %.0f ms"
                      % (who, len(spent), 1000 * stats.median(spent), 1000 * max(spent)), flush=True)
        runner.shutdown()
        ctx.db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
