"""Desk-wide: which dossiers are linked to Zalo and which notices failed or are being retried,
with the reason in Vietnamese; a desk sees only the dossiers it may read; the inbox window's
second tab shows the same, fetched off the GUI thread."""

from __future__ import annotations

from desk_app.services import notices, sync, workflow
from desk_app.ui.messages.notices_list import NoticesListPanel
from tests.central_server import kit
from tests.central_server.test_zalo import OA_ID, _linked, fake, make_world  # noqa: F401 (fixture)
from tests.sync import desks


def test_the_overview_lists_linked_dossiers_and_failures_for_the_desks_that_may_read_them(
        server_factory, tmp_path, fake, qtbot):
    w = make_world(server_factory, tmp_path, "sqlite", fake, notify_max_attempts=30)
    fake.fail(-131, times=1, path="/message/template")              # the first ZNS: template not approved
    failed_code, _ = w.intake()
    kit.wait_until(lambda: w.outbox(failed_code) and w.outbox(failed_code)[0][2] == "failed", 20, "the failure")
    linked_code, key = w.intake(name="Trần Thị Lan")
    _linked(w, linked_code, key, "u-ov")
    w.wait_received(2)                                               # received (ZNS) and the link's confirmation
    fake.down = True                                                 # the next notice is retried
    workflow.transfer(w.desk, w.desk.clerk, linked_code, "STP")
    specialist = w.desk.people["cv_stp"]
    workflow.receive(w.desk, specialist, linked_code)
    workflow.request_supplement(w.desk, specialist, linked_code, "Thiếu giấy tờ", ["Bản sao giấy đăng ký kết hôn"])
    sync.sync_once(w.desk)

    def overview_when(pred, desk=None):
        return kit.wait_until(lambda: (lambda v: v if pred(v) else None)(notices.overview(desk or w.desk, (desk or w.desk).clerk)),
                              20, "the overview")
    retried = overview_when(lambda v: any(p.status == "pending" for p in v.problems))
    [pending] = [p for p in retried.problems if p.status == "pending"]
    assert pending.code == linked_code and pending.attempts >= 1 and pending.status_label == "Đang gửi lại"
    assert pending.reason == "Không kết nối được dịch vụ gửi tin; máy chủ sẽ gửi lại sau."
    view = overview_when(lambda v: v.available and v.linked and v.problems)
    assert [(d.code, d.owner_name) for d in view.linked] == [(linked_code, "Trần Thị Lan")]
    failed = [p for p in view.problems if p.code == failed_code]
    assert failed and failed[0].status == "failed" and failed[0].reason == "Mẫu tin Zalo (ZNS) chưa được Zalo duyệt."
    assert failed[0].what and failed[0].via.startswith("Zalo")
    assert not view.zalo_awaiting_consent

    # another agency's desk, and a desk of a unit not concerned, see nothing of these
    stranger = desks.enrolled_desk(tmp_path, w.server, "khac", kit.new_agency(), ["MOTCUA"])
    other_unit = desks.enrolled_desk(tmp_path, w.server, "tnmt", _agency(w), ["TNMT"])
    for desk in (stranger, other_unit):
        v = notices.overview(desk, desk.clerk)
        assert v.available and v.linked == [] and v.problems == []
    # a supervisor's desk sees the whole agency
    chief = desks.enrolled_desk(tmp_path, w.server, "giamsat", _agency(w), ["MOTCUA"], scope="agency")
    v = notices.overview(chief, chief.clerk)
    assert {d.code for d in v.linked} == {linked_code} and failed_code in {p.code for p in v.problems}

    # the inbox window's second tab
    from desk_app.ui.tasks import TaskRunner
    runner = TaskRunner(synchronous=True)
    panel = NoticesListPanel(w.desk, w.desk.clerk, runner)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        panel.show()
    assert panel.linked.rowCount() == 1 and panel.problems.rowCount() >= 1
    assert "Hồ sơ đã liên kết Zalo của công dân: 1" in panel.linked_title.text()
    opened = []
    panel.open_requested.connect(opened.append)
    panel.linked_table.selectRow(0)
    panel._open(panel.linked_table)
    assert opened == [linked_code]
    runner.shutdown()
    fake.down = False


def _agency(w) -> str:
    from desk_app.storage import sync_repo
    with w.desk.db.session(write=False) as s:
        return sync_repo.config(s).agency_code


def test_not_enrolled_the_overview_says_why(desk):
    view = notices.overview(desk, desk.clerk)
    assert not view.available and "máy chủ trung tâm" in view.reason
