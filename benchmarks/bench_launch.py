"""Launch to the login window, login to the main window per role, a queue's refresh after a pull.

    .venv/bin/python -m benchmarks.run launch

* **Launch**: a fresh ``desk-app --data-dir DEMO`` process each time (Qt offscreen), from just
  before the process is spawned to the login dialog's first show event. A small bootstrap (in
  the child, before the application's code) installs an application-wide event filter that
  prints the time of that event: nothing of the application is changed for the measurement.
* **Login, per role**: the same, but the bootstrap types the demo account's name and password
  3 s after the dialog shows (a person takes longer than that to type both), and the time runs from the
  submit to the main window's first show event (the kiosk: ``desk-app kiosk`` and its window).
* **A queue's refresh after a pulled event**: in this process, a counter desk and a department
  desk enrolled with a real central server; the department's queue is open with its real
  background task runner and sync runner, as in the application. A dossier is taken in and
  transferred at the counter and pushed; the department's runner is poked; the time runs
  from the commit of the pulled page (an SQLAlchemy ``after_commit`` hook the benchmark adds on
  the sync thread) to the queue's model holding the row.

Medians of 5. Runs against another checkout too (``PYTHONPATH=/tmp/before``), which is how
RESULTS.md got its "before" figures.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

from benchmarks.common import Figure, median

RUNS = 5
PASSWORD = "motcua2026"   # the demo's (desk_app.services.demo.DEMO_PASSWORD)
NAMES = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em")[:5]
ROLES = (("clerk", "tiepnhan"), ("specialist", "chuyenvien"), ("leader", "lanhdao"), ("admin", "admin"))

BOOTSTRAP = textwrap.dedent('''
    import importlib.abc, importlib.util, os, sys, time
    mode, user, password = sys.argv[1:4]
    argv = sys.argv[4:]
    WATCHED = {"desk_app.ui.login.dialog": "LoginDialog", "desk_app.ui.main_window": "MainWindow",
               "desk_app.ui.kiosk.window": "KioskWindow"}

    def mark(name):
        print("%s %.6f %.6f" % (name, time.time(), time.process_time()), flush=True)

    def fill(dialog):
        dialog.username.setText(user)
        dialog.password.setText(password)
        mark("SUBMIT")
        dialog.try_login()

    def shown(widget):
        if type(widget).__name__ == "LoginDialog":
            if getattr(sys, "_login_seen", False):
                return
            sys._login_seen = True
            mark("LOGIN")
            if mode == "launch":
                os._exit(0)
            from PySide6.QtCore import QTimer
            QTimer.singleShot(3000, lambda: fill(widget))
        else:
            mark("MAIN")
            os._exit(0)

    def patch(module, name):
        # nothing of the application is imported ahead of it or changed, but these three
        # windows tell the time of their first show event
        cls = getattr(module, name)
        base = cls.showEvent

        def showEvent(self, event):
            base(self, event)
            shown(self)
        cls.showEvent = showEvent

    class Hook(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name not in WATCHED or getattr(self, "busy", False):
                return None
            self.busy = True
            try:
                spec = importlib.util.find_spec(name)
            finally:
                self.busy = False
            load = spec.loader.exec_module

            def exec_module(module):
                load(module)
                patch(module, WATCHED[name])
            spec.loader.exec_module = exec_module
            return spec

    sys.meta_path.insert(0, Hook())
    from desk_app.cli import main
    sys.exit(main(argv))
''')


def _env() -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONDONTWRITEBYTECODE="0")
    env.pop("DESK_APP_DATA_DIR", None)
    return env


def _demo(tmp: Path) -> Path:
    data = tmp / "demo"
    subprocess.run([sys.executable, "-m", "desk_app", "--data-dir", str(data), "demo", "--no-gui", "--no-server",
                    "--dossiers", "300"], check=True, env=_env(), capture_output=True, timeout=600)
    return data


def _child(script: Path, mode: str, user: str, argv: list[str]) -> dict[str, float]:
    start = time.time()
    done = subprocess.run([sys.executable, str(script), mode, user, PASSWORD, *argv], env=_env(),
                          capture_output=True, text=True, timeout=120)
    marks = {}
    for line in done.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] in ("LOGIN", "SUBMIT", "MAIN"):
            marks[parts[0]] = float(parts[1]) - start
            marks[parts[0] + "_cpu"] = float(parts[2])
    if "LOGIN" not in marks or (mode == "login" and "MAIN" not in marks):
        raise RuntimeError("the child did not get there:\n%s\n%s" % (done.stdout, done.stderr[-3000:]))
    return marks


def launch_figures(tmp: Path, data: Path | None = None) -> list[Figure]:
    """On the 300-dossier demo desk, or on the desk in ``data`` (the million: ``bench_million``)."""
    data = data or _demo(tmp)
    script = tmp / "bootstrap.py"
    script.write_text(BOOTSTRAP, "utf-8")
    base = ["--data-dir", str(data)]
    _child(script, "launch", "-", base)   # a first start writes the byte-code caches: not counted
    launches = [_child(script, "launch", "-", base) for _ in range(RUNS)]
    figures = [Figure("launch to the login window, median of %d fresh processes" % RUNS,
                      median([m["LOGIN"] for m in launches]), "s", 1.5),
               Figure("  the same, CPU time of the process (steadier on a busy machine)",
                      median([m["LOGIN_cpu"] for m in launches]), "s", 1.5)]
    for role, user in ROLES:
        marks = [_child(script, "login", user, base) for _ in range(RUNS)]
        figures.append(Figure("login to the main window, %s, median of %d" % (role, RUNS),
                              median([m["MAIN"] - m["SUBMIT"] for m in marks]), "s", 1.0))
        figures.append(Figure("  the same, CPU time of the process (all its threads)",
                              median([m["MAIN_cpu"] - m["SUBMIT_cpu"] for m in marks]), "s", 1.0))
    frames = tmp / "frames"
    frames.mkdir()
    _blank_png(frames / "0001.png")
    marks = [_child(script, "login", "kiosk", base + ["kiosk", "--windowed", "--source", str(frames)])
             for _ in range(RUNS)]
    figures.append(Figure("login to the kiosk window, median of %d" % RUNS,
                          median([m["MAIN"] - m["SUBMIT"] for m in marks]), "s", 1.0))
    figures.append(Figure("  the same, CPU time of the process (all its threads)",
                          median([m["MAIN_cpu"] - m["SUBMIT_cpu"] for m in marks]), "s", 1.0))
    return figures


def _blank_png(path: Path) -> None:
    import zlib
    import struct
    w, h = 64, 48
    raw = b"".join(b"\x00" + b"\xff" * (w * 3) for _ in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def pulled_refresh_figure(tmp: Path) -> Figure:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from desk_app.services import sync, workflow
    from desk_app.storage import sync_repo
    from desk_app.ui.queue.panel import QueuePanel
    from desk_app.ui.tasks import TaskRunner
    from tests.central_server import kit
    from tests.sync import desks

    app = QApplication.instance() or QApplication([])
    server = kit.ServerProcess("sqlite:///%s" % (tmp / "server.sqlite3"), tmp / "files").start()
    marks = threading.local()
    committed: list[float] = []
    original = sync_repo.apply_page

    def apply_page(*args, **kw):  # the next commit on this thread is the page's
        marks.page = True
        return original(*args, **kw)

    def after_commit(_session) -> None:
        if getattr(marks, "page", False):
            marks.page = False
            committed.append(time.perf_counter())
    sync_repo.apply_page = apply_page
    event.listen(Session, "after_commit", after_commit)
    runner = TaskRunner()
    background = None
    try:
        agency = kit.new_agency()
        counter = desks.enrolled_desk(tmp, server, "quay-" + agency, agency, ["MOTCUA"])
        dept = desks.enrolled_desk(tmp, server, "stp-" + agency, agency, ["STP"])
        panel = QueuePanel(dept, dept.people["cv_stp"], runner)
        panel.resize(1360, 800)
        panel.show()
        shown: dict[str, float] = {}

        def look() -> None:
            model = panel.unit_model
            for r in range(model.rowCount()):
                shown.setdefault(model.record(r).code, time.perf_counter())
        panel.refreshed.connect(look)
        background = sync.start(dept, interval=3600)
        _spin(app, lambda: background.rounds >= 1, 30)
        times = []
        for name in NAMES:
            code = desks.intake(counter, name=name)
            workflow.transfer(counter, counter.clerk, code, "STP")
            sync.sync_once(counter)
            committed.clear()
            background.poke()
            _spin(app, lambda: code in shown, 120)
            # the last page commit before the row showed (the pull's pages come in order)
            before = [t for t in committed if t <= shown[code]]
            times.append(shown[code] - before[-1])
        return Figure("a queue shows a pulled dossier, from the pull's commit, median of %d" % RUNS,
                      median(times) * 1000, "ms", 1000)
    finally:
        if background is not None:
            background.stop()
        runner.shutdown()
        event.remove(Session, "after_commit", after_commit)
        sync_repo.apply_page = original
        server.stop()


def _spin(app, predicate, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("waited %g s" % timeout)
        app.processEvents()
        time.sleep(0.002)


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        figures = launch_figures(Path(tmp))
    with tempfile.TemporaryDirectory() as tmp:
        figures.append(pulled_refresh_figure(Path(tmp)))
    return figures


if __name__ == "__main__":
    from benchmarks.common import report
    report("Launch, login, live queues", run())
