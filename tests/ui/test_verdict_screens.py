"""The same verdict on every screen: the strings the counter list, the specialist's queue, the
dossier window and the kiosk show for one dossier, read off the widgets."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt

from desk_app.domain.codes import parse_capability_url
from desk_app.domain.lifecycle import Verdict
from desk_app.domain.roles import Role
from desk_app.services import auth, counter, kiosk, workflow
from desk_app.ui.counter.model import PROGRESS
from desk_app.ui.kiosk.pages import ProgressPage
from desk_app.ui.queue.model import PROGRESS as QUEUE_PROGRESS

from .offices import clock, office, office_template, take_in  # noqa: F401 - fixtures
from .test_queue import counter_dialog, queue_panel


def test_a_paused_dossier_reads_paused_everywhere(qtbot, office, clock, runner, previews):
    """Waiting for the citizen's papers, past the first appointment: paused on every screen,
    never "overdue" at the counter or "late" in red at the kiosk."""
    code = take_in(office)
    workflow.transfer(office.ctx, office.clerk, code, "CAX")
    workflow.receive(office.ctx, office.specialist, code)
    clock.now = datetime(2026, 11, 11, 9, 0)
    workflow.request_supplement(office.ctx, office.specialist, code, "Thiếu giấy tờ",
                                ["Hợp đồng thuê nhà có công chứng"])
    clock.now = datetime(2026, 12, 1, 10, 0)  # weeks past the receipt's date
    _check_every_screen(qtbot, office, runner, previews, code, Verdict.PAUSED)


def test_a_refused_dossier_has_no_timing_verdict_anywhere(qtbot, office, clock, runner, previews):
    code = take_in(office)
    clock.now = datetime(2026, 11, 10, 10, 0)
    workflow.refuse(office.ctx, office.clerk, code, ["Hồ sơ không thuộc thẩm quyền"])
    _check_every_screen(qtbot, office, runner, previews, code, Verdict.REFUSED, in_queue=False)


def _check_every_screen(qtbot, office, runner, previews, code, expected: Verdict, in_queue: bool = True):
    label = expected.label
    # the counter list (the clerk searches the code)
    from desk_app.ui.counter.panel import CounterPanel
    from .conftest import show_active
    listing = CounterPanel(office.ctx, office.clerk, runner, preview=previews)
    qtbot.addWidget(listing)
    show_active(qtbot, listing)
    listing.search.setText(code)
    listing.refresh()
    qtbot.waitUntil(lambda: listing.model.rowCount() == 1, timeout=3000)
    assert listing.model.data(listing.model.index(0, PROGRESS), Qt.ItemDataRole.DisplayRole) == label
    # the dossier window
    dialog = counter_dialog(qtbot, office, runner, previews, code)
    assert "Tiến độ: <b style='color:" in dialog.state.text() and ">%s</b>" % label in dialog.state.text()
    dialog.close()
    # the specialist's queue
    panel = queue_panel(qtbot, office, office.leader, runner, previews)
    if in_queue:
        assert panel.select(code)
        table = panel.current_table()
        index = table.selectionModel().currentIndex().siblingAtColumn(QUEUE_PROGRESS)
        assert table.model().data(index, Qt.ItemDataRole.DisplayRole) == label
    else:
        assert not panel.select(code)
    # the kiosk
    kiosk_user = auth.create_user(office.ctx, "kiosk", "Kiosk", Role.KIOSK, "matkhau-kiosk")
    link = parse_capability_url(counter.details(office.ctx, code).capability_url)
    view = kiosk.lookup(office.ctx, kiosk_user, code, link.key)
    page = ProgressPage()
    qtbot.addWidget(page)
    page.show_view(view)
    assert page.values["verdict"].text() == expected.citizen_text
    assert ("#b3261e" in page.values["verdict"].styleSheet()) is (expected.tone == "bad")
