"""At the desk: what the citizen was told (by e-mail here: a real local SMTP server behind a real
central server), failures shown, and the per-dossier choice not to notify, which the server then
honours. Not enrolled: the tab says why instead of failing."""

from __future__ import annotations

import pytest

from desk_app.services import notices, workflow
from desk_app.ui.counter.notices_tab import NoticesTab, notices_html
from tests.central_server import kit
from tests.central_server.test_zalo import Mailbox
from tests.sync import desks

@pytest.fixture
def mailbox():
    box = Mailbox()
    yield box
    box.stop()


def _server_with_mail(server_factory, mailbox):
    return server_factory("sqlite", env={
        "DESK_SERVER_SMTP_HOST": "127.0.0.1", "DESK_SERVER_SMTP_PORT": str(mailbox.port),
        "DESK_SERVER_SMTP_FROM": "motcua@example.vn", "DESK_SERVER_NOTIFY_POLL_SECONDS": "0.2",
        "DESK_SERVER_NOTIFY_BACKOFF_SECONDS": "0.2", "DESK_SERVER_NOTIFY_LEASE_SECONDS": "2"})


def test_the_desk_sees_what_was_sent_and_can_silence_a_dossier(server_factory, mailbox, tmp_path, qtbot):
    server = _server_with_mail(server_factory, mailbox)
    agency = kit.new_agency()
    desk = desks.enrolled_desk(tmp_path, server, "quay-" + agency, agency, ["MOTCUA", "STP"])
    desk.print_forms = False
    code = desks.intake(desk, email="hoa.nguyen@example.vn")
    from desk_app.services import sync
    sync.sync_once(desk)
    kit.wait_until(lambda: len(mailbox.messages) >= 1, 30, "the receipt's e-mail")
    kit.wait_until(lambda: any(n.status == "sent" for n in notices.for_dossier(desk, desk.clerk, code).notices),
                   30, "the notice marked sent")
    view = notices.for_dossier(desk, desk.clerk, code)
    assert view.available and view.notify and not view.zalo_linked
    sent = [n for n in view.notices if n.status == "sent"]
    assert sent and sent[0].recipient == "hoa.nguyen@example.vn" and sent[0].via == "Thư điện tử"
    assert "hoa.nguyen@example.vn" in notices_html(view) and "Đã gửi" in notices_html(view)

    # at the citizen's request: no more notices for this dossier
    assert notices.set_notify(desk, desk.clerk, code, False) is False
    assert notices.for_dossier(desk, desk.clerk, code).notify is False
    workflow.transfer(desk, desk.clerk, code, "STP")
    sync.sync_once(desk)
    kit.wait_until(lambda: len(notices.for_dossier(desk, desk.clerk, code).notices) >= 1, 10, "notices listed")
    assert len(mailbox.messages) == 1   # nothing more was mailed

    # the dossier window's tab shows the same, and the checkbox reflects the choice
    from desk_app.ui.tasks import TaskRunner
    runner = TaskRunner(synchronous=True)
    tab = NoticesTab(desk, desk.clerk, runner)
    qtbot.addWidget(tab)
    tab.show_dossier(code)
    tab.load()
    qtbot.waitUntil(lambda: tab.view is not None, timeout=10_000)
    assert tab.quiet.isChecked() and tab.quiet.isEnabled()
    assert "hoa.nguyen@example.vn" in tab.text.toPlainText()
    runner.shutdown()


def test_a_desk_not_enrolled_says_why(desk):
    view = notices.for_dossier(desk, desk.clerk, "000.00.06.H56-261110-0001")
    assert not view.available and "máy chủ trung tâm" in view.reason
    assert "máy chủ trung tâm" in notices_html(view)
