"""The verdict table: one verdict per dossier, the same wherever it is read.

Every dossier is walked by the real services (received Tue 10/11/2026 09:30 on a 5-working-day
procedure, with Mon 16/11 made a day off: the legal appointment is Wed 18/11 09:30). Each row
says what the one verdict function must give, and the counter list, the search, the dossier
window, the queues, the kiosk, the statistics and the dashboard must all say the same."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from desk_app.domain.codes import parse_capability_url
from desk_app.domain.dossier import Status
from desk_app.domain.lifecycle import Verdict
from desk_app.domain.roles import Role
from desk_app.services import auth, counter, intake, kiosk, queues, setup, statistics, workflow
from desk_app.services.statistics import GroupBy
from tests.services.test_walk import land_form

DUE = datetime(2026, 11, 18, 9, 30)


def at(clock, *when):
    clock.now = datetime(2026, 11, *when)


def received(d, clock, unit=True):
    at(clock, 10, 9, 30)
    code = intake.save(d, d.clerk_at_counter, land_form(), print_receipt=False).code
    if unit:
        at(clock, 10, 10, 0)
        workflow.transfer(d, d.clerk_at_counter, code, "VPDKDD")
        workflow.receive(d, d.specialist, code)
    return code


def supplement(d, clock, code, day, back=None):
    at(clock, day, 9, 0)
    workflow.request_supplement(d, d.specialist, code, "Thiếu giấy tờ", ["Bản sao sổ hộ khẩu"])
    if back is not None:
        at(clock, back, 9, 0)
        workflow.record_supplement(d, d.clerk_at_counter, code)


def result(d, clock, code, day, hour=10):
    at(clock, day, hour, 0)
    workflow.result_ready(d, d.specialist, code)


# name: (walk, now (day, hour), expected verdict, the kiosk's words)
SCENARIOS = {
    "in time": (lambda d, c, k: None, (11, 10), Verdict.IN_TIME, "Đang trong thời hạn"),
    "due within 2 working days (across the day off)": (lambda d, c, k: None, (13, 10), Verdict.DUE_SOON,
                                                         "Sắp đến ngày hẹn"),
    "overdue": (lambda d, c, k: None, (18, 10), Verdict.OVERDUE, "Đã quá ngày hẹn"),
    "paused for a supplement, past the first date": (lambda d, c, k: supplement(d, c, k, 12), (20, 10),
                                                     Verdict.PAUSED, None),
    "paused for a fee": (lambda d, c, k: (at(c, 12, 9, 0), workflow.request_payment(d, d.specialist, k, 50_000)),
                         (20, 10), Verdict.PAUSED, None),
    "fee paid: the clock resumed with the pause added": (
        lambda d, c, k: (at(c, 12, 9, 0), workflow.request_payment(d, d.specialist, k, 50_000), at(c, 17, 9, 0),
                         workflow.record_payment(d, d.specialist, k)), (18, 10), Verdict.DUE_SOON, None),
    "early": (lambda d, c, k: result(d, c, k, 13), (20, 10), Verdict.EARLY, "Xong trước hẹn"),
    "on time (same date)": (lambda d, c, k: result(d, c, k, 18, 14), (20, 10), Verdict.ON_TIME, "Xong đúng hẹn"),
    "late": (lambda d, c, k: result(d, c, k, 19), (20, 10), Verdict.LATE, "Xong muộn hơn hẹn"),
    "after a supplement, in time against the moved date": (
        lambda d, c, k: (supplement(d, c, k, 12, back=17), result(d, c, k, 19)), (20, 10), Verdict.EARLY, None),
    "two supplement requests count late": (
        lambda d, c, k: (supplement(d, c, k, 11, back=11), supplement(d, c, k, 12, back=12), result(d, c, k, 13)),
        (20, 10), Verdict.LATE, None),
    "an apology does not make a late result on time": (
        lambda d, c, k: (at(c, 17, 9, 0), workflow.apologise(d, d.leader, k, "Cần xác minh", datetime(2026, 11, 20, 9)),
                         result(d, c, k, 19)), (20, 10), Verdict.LATE, None),
    "returned after an early result": (
        lambda d, c, k: (result(d, c, k, 13), at(c, 13, 11, 0), workflow.transfer(d, d.specialist, k, "MOTCUA"),
                         workflow.receive(d, d.clerk_at_counter, k), workflow.return_result(d, d.clerk_at_counter, k)),
        (20, 10), Verdict.EARLY, None),
    "refused": (lambda d, c, k: (at(c, 11, 9, 0), workflow.refuse(d, d.specialist, k, ["Không đủ điều kiện"])),
                (20, 10), Verdict.REFUSED, "Hồ sơ không được tiếp nhận"),
    "withdrawn": (lambda d, c, k: (at(c, 11, 9, 0), workflow.withdraw(d, d.clerk_at_counter, k, "Xin rút")),
                  (20, 10), Verdict.WITHDRAWN, "Hồ sơ đã được rút"),
    "stopped while paused": (lambda d, c, k: (supplement(d, c, k, 12), at(c, 13, 9, 0),
                                              workflow.stop(d, d.leader, k, "Quá hạn bổ sung")),
                             (20, 10), Verdict.STOPPED, "Hồ sơ đã dừng giải quyết"),
}


@pytest.fixture
def office_off(office):
    setup.set_holiday(office, date(2026, 11, 16), "off", "Nghỉ theo quyết định của UBND tỉnh")
    office.kiosk_user = auth.create_user(office, "kiosk", "Kiosk", Role.KIOSK, "matkhau-kiosk")
    return office


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_one_verdict_everywhere(office_off, clock, name):
    d = office_off
    walk, now, expected, words = SCENARIOS[name]
    code = received(d, clock)
    walk(d, clock, code)
    at(clock, *now)
    details = counter.details(d, code)
    assert details.summary.verdict is expected, name
    found = [s for s in counter.search(d, code) if s.code == code]
    assert found and found[0].verdict is expected
    link = parse_capability_url(details.capability_url)
    view = kiosk.lookup(d, d.kiosk_user, code, link.key)
    assert view.verdict is expected and view.verdict_text == expected.citizen_text
    if words:
        assert view.verdict_text == words
    open_rows = [r for r in queues.rows(d, d.leader, queues.Filter()) if r.code == code]
    if details.summary.status in (Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED,
                                  Status.PAYMENT_REQUESTED):
        assert open_rows and open_rows[0].verdict is expected
    else:
        assert not open_rows
    # the legal appointment is what the receipt promised, moved only by pauses
    if name == "fee paid: the clock resumed with the pause added":  # Thu 09:00 -> Tue 09:00: 2 working days
        assert details.summary.due_at == datetime(2026, 11, 20, 9, 30)
    if name in ("early", "late", "an apology does not make a late result on time", "returned after an early result"):
        assert details.summary.due_at == DUE


def test_the_dashboard_and_the_statistics_agree(office_off, clock):
    """Every scenario at once: the statistics of the month (which includes "now") count as
    overdue exactly what the dashboard's tile counts, and as early/on time/late what the
    dossiers' own verdicts say."""
    d = office_off
    codes = {}
    for name, (walk, _now, _expected, _words) in SCENARIOS.items():
        codes[name] = received(d, clock)
        walk(d, clock, codes[name])
    at(clock, 20, 10)
    verdicts = {name: counter.details(d, code).summary.verdict for name, code in codes.items()}
    report = statistics.compute(d, d.leader, date(2026, 11, 1), date(2026, 11, 30), GroupBy.UNIT)
    tiles = queues.counts(d, d.leader)
    assert report.total.open_overdue == tiles[queues.Queue.OVERDUE] == list(verdicts.values()).count(Verdict.OVERDUE)
    assert report.total.early == list(verdicts.values()).count(Verdict.EARLY)
    assert report.total.on_time == list(verdicts.values()).count(Verdict.ON_TIME)
    assert report.total.late == list(verdicts.values()).count(Verdict.LATE)
    assert report.total.finished == report.total.early + report.total.on_time + report.total.late
    # a past period counts as of its end: on 13/11 nothing was overdue yet
    past = statistics.compute(d, d.leader, date(2026, 11, 1), date(2026, 11, 13), GroupBy.UNIT)
    assert past.total.open_overdue == 0


def test_the_national_export_keeps_the_legal_appointment(office_off, clock, tmp_path):
    """NgayHenTra is the legal appointment: an early result does not become its own appointment,
    and an apology's new date does not turn a late dossier into an on-time one (QĐ 766, 2.1
    judges NgayKetThucXuLy against NgayHenTra)."""
    import json
    from desk_app.services import dvcqg
    d = office_off
    early, late = received(d, clock), received(d, clock)
    SCENARIOS["early"][0](d, clock, early)
    SCENARIOS["an apology does not make a late result on time"][0](d, clock, late)
    path = tmp_path / "dvcqg.json"
    dvcqg.export(d, date(2026, 11, 1), path)
    records = {r["MaHoSo"]: r for r in json.loads(path.read_text("utf-8"))["HoSo"]}
    assert records[early]["NgayHenTra"] == records[late]["NgayHenTra"] == DUE.strftime("%Y%m%d%H%M%S")
    assert records[early]["NgayKetThucXuLy"][:8] < records[early]["NgayHenTra"][:8]   # early, nationally too
    assert records[late]["NgayKetThucXuLy"][:8] > records[late]["NgayHenTra"][:8]     # still late
