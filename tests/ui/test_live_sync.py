"""Events pulled by a real sync, from the real central server, show in the receiving
department's open queue as soon as the pull commits: the queue's fallback timer is off, and
the sync runs on its own thread, as in the application."""

from __future__ import annotations

from desk_app.services import sync, workflow
from desk_app.ui.queue.panel import QueuePanel
from tests.central_server import kit
from tests.central_server.conftest import server_factory  # noqa: F401 - fixture
from tests.sync import desks

from .conftest import show_active


def codes_in(model) -> list[str]:
    return [model.record(r).code for r in range(model.rowCount())]


def test_a_dossier_transferred_at_another_desk_shows_in_the_departments_open_queue(
        qtbot, tmp_path, server_factory, runner, previews):
    server = server_factory("sqlite")
    agency = kit.new_agency()
    counter = desks.enrolled_desk(tmp_path, server, "quay-" + agency, agency, ["MOTCUA"])
    dept = desks.enrolled_desk(tmp_path, server, "stp-" + agency, agency, ["STP"])
    specialist = dept.people["cv_stp"]
    panel = QueuePanel(dept, specialist, runner, preview=previews, refresh_ms=0)
    qtbot.addWidget(panel)
    show_active(qtbot, panel)
    assert panel.unit_model.rowCount() == 0
    background = sync.start(dept, interval=3600)   # a round now, then only when poked
    try:
        qtbot.waitUntil(lambda: background.rounds >= 1, timeout=20_000)
        code = desks.intake(counter)
        workflow.transfer(counter, counter.clerk, code, "STP")
        sync.sync_once(counter)                      # the counter sends
        background.poke()                            # the department's runner pulls
        qtbot.waitUntil(lambda: code in codes_in(panel.unit_model), timeout=20_000)
        assert panel.tabs.tabText(1) == "Đơn vị của tôi (1)"
    finally:
        background.stop()
        counter.db.dispose()
        dept.db.dispose()
