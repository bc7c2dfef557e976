"""Screens learn of changes as they are committed: no timer, no button.

A step taken through the service (as another window, or another clerk on this desk, would)
shows in an open queue and on the supervisor's tiles without waiting for any timer: the fallback
timers are switched off here, so only the change notice can bring the row.
"""

from __future__ import annotations

from datetime import datetime

from desk_app.services import changes, workflow
from desk_app.services.queues import Queue
from desk_app.ui import live
from desk_app.ui.queue.panel import QueuePanel
from desk_app.ui.supervisor.dashboard import Dashboard

from .conftest import show_active
from .offices import clock, office, office_template, take_in  # noqa: F401 - fixtures


def codes_in(model) -> list[str]:
    return [model.record(r).code for r in range(model.rowCount())]


def test_a_transfer_done_elsewhere_shows_in_the_open_queue_at_once(qtbot, office, clock, runner, previews):
    o = office
    panel = QueuePanel(o.ctx, o.specialist, runner, preview=previews, refresh_ms=0)
    qtbot.addWidget(panel)
    show_active(qtbot, panel)
    first = take_in(o, name="Lê Thị Mai", cccd="038190011111")
    workflow.transfer(o.ctx, o.clerk, first, "CAX")
    qtbot.waitUntil(lambda: first in codes_in(panel.unit_model), timeout=3000)
    panel.tabs.setCurrentIndex(1)
    assert panel.select(first)

    # more changes while it shows: each one is heard; the selection stays where the specialist put it
    code = take_in(o)
    clock.now = datetime(2026, 11, 10, 10, 0)
    workflow.transfer(o.ctx, o.clerk, code, "CAX")
    qtbot.waitUntil(lambda: code in codes_in(panel.unit_model), timeout=3000)
    assert panel.current_row().code == first
    assert panel.tabs.tabText(1) == "Đơn vị của tôi (2)"


def test_a_hidden_queue_catches_up_when_shown(qtbot, office, runner, previews):
    o = office
    panel = QueuePanel(o.ctx, o.specialist, runner, preview=previews, refresh_ms=0)
    qtbot.addWidget(panel)
    show_active(qtbot, panel)
    panel.hide()
    loads = []
    panel.refreshed.connect(lambda: loads.append(1))
    code = take_in(o)
    workflow.transfer(o.ctx, o.clerk, code, "CAX")
    qtbot.wait(400)
    assert loads == [] and panel.live.stale          # hidden: nothing loaded for nobody
    panel.show()
    qtbot.waitUntil(lambda: code in codes_in(panel.unit_model), timeout=3000)
    assert len(loads) == 1


def test_the_supervisors_tiles_follow_a_step(qtbot, office, runner, previews):
    o = office
    board = Dashboard(o.ctx, o.leader, runner, preview=previews, refresh_ms=0)
    qtbot.addWidget(board)
    show_active(qtbot, board)
    qtbot.waitUntil(lambda: board.tiles[Queue.OPEN].count.text() != "–", timeout=3000)
    before = int(board.tiles[Queue.OPEN].count.text().replace(".", ""))
    code = take_in(o)
    qtbot.waitUntil(lambda: board.tiles[Queue.OPEN].count.text() == str(before + 1), timeout=3000)
    assert code in codes_in(board.model)


def test_many_commits_close_together_make_one_notice(qtbot, office):
    o = office
    notices = []
    notifier = live.notifier(o.ctx)
    notifier.changed.connect(notices.append)
    codes = [take_in(o, name=name, cccd="03819001%04d" % n)
             for n, name in enumerate(("Lê Văn Hải", "Ngô Thị Thảo", "Vũ Minh Khoa"))]
    with changes.gathered():   # as a sync's pull does around all its pages
        for code in codes:
            workflow.transfer(o.ctx, o.clerk, code, "CAX")
    qtbot.waitUntil(lambda: bool(notices), timeout=3000)
    qtbot.wait(300)
    assert len(notices) == 1 and set(codes) <= notices[0]


def test_a_refused_step_tells_nobody(qtbot, office):
    o = office
    code = take_in(o)
    heard = []
    stop = changes.listen(o.ctx, heard.append)
    try:
        try:
            workflow.receive(o.ctx, o.specialist, code)   # not transferred to the unit: refused
        except Exception:
            pass
        assert heard == []
        workflow.transfer(o.ctx, o.clerk, code, "CAX")
        assert heard == [frozenset({code})]
    finally:
        stop()


def test_the_counters_list_follows_an_intake_made_at_another_window(qtbot, office, runner, previews):
    from desk_app.ui.counter.panel import CounterPanel
    o = office
    first = take_in(o, name="Lê Thị Mai", cccd="038190011111")
    panel = CounterPanel(o.ctx, o.clerk, runner, preview=previews)
    qtbot.addWidget(panel)
    show_active(qtbot, panel)
    assert panel.proxy.rowCount() == 1
    code = take_in(o)
    qtbot.waitUntil(lambda: panel.proxy.rowCount() == 2, timeout=3000)
    # the newest comes first, yet the clerk's selection stays on the dossier they had chosen
    assert panel._code_at(panel.table.currentIndex()) == first
    assert code in {panel._code_at(panel.proxy.index(r, 0)) for r in range(2)}
