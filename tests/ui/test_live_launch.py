"""The login window comes first: what it needs is imported before it, the rest behind it.

Checked in a fresh interpreter (this one has imported everything already): after importing the
application's start-up module and opening an up-to-date desk, none of the heavy parts the login
window does not need is loaded. No timing here; benchmarks/bench_launch.py has the figures.
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("cv2", "numpy", "reportlab", "pypdfium2", "zxingcpp", "openpyxl", "alembic", "httpx",
         "desk_app.ui.main_window", "desk_app.services.sync", "desk_app.services.catalogue")

PROBE = """
import json, sys
from desk_app.ui import app
from desk_app.services.context import open_desk
ctx = open_desk(sys.argv[1])
ctx.db.dispose()
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in %r or m in %r)))
""" % (tuple(h for h in HEAVY if "." not in h), tuple(h for h in HEAVY if "." in h))


def loaded_before_login(data_dir) -> list[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, str(data_dir)], capture_output=True, text=True,
                          timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_login_window_needs_none_of_the_heavy_parts(desk_template):
    folder, _clerk = desk_template
    assert loaded_before_login(folder) == []


def test_the_preloader_brings_the_main_window_in_behind_the_login(qtbot):
    import sys as here
    from desk_app.ui.app import Preloader
    preloader = Preloader(("desk_app.ui.main_window",))
    with qtbot.waitSignal(preloader.done, timeout=60_000):
        preloader.start()
    assert preloader.finished.is_set() and "desk_app.ui.main_window" in here.modules


def test_a_new_database_is_still_migrated(tmp_path):
    from desk_app.services.context import open_desk
    from desk_app.services.setup import is_configured
    ctx = open_desk(tmp_path / "new")
    try:
        assert is_configured(ctx) is False       # the tables are there: Alembic ran
    finally:
        ctx.db.dispose()
