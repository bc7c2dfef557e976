"""The 766 indicators on a fixed month of dossiers walked by the real services, against figures
computed by hand.

November 2026 (Mon 16/11 a day off), working day 07:30-11:30 + 13:30-17:00 = 7.5 h. Land dossiers
(5 working days) are received Tue 10/11 09:30 and due Wed 18/11 09:30; "now" is Fri 20/11 10:00.

Văn phòng Đăng ký đất đai (VPDKDD), 7 received:
  A early   result Fri 13/11 10:00  3 d + 0.5 h   returned, rated "very satisfied"; intake synced
  B on time result Wed 18/11 14:00  5 d + 2.5 h   returned, rated "not satisfied"
  C late    result Thu 19/11 10:00  6 d + 0.5 h
  D late: two supplement requests (no pause time), result Fri 13/11 10:00  3 d + 0.5 h
  E refused (no timing verdict: in no rate's denominator)
  F open, overdue
  G open, components scanned at intake
Bộ phận Một cửa: H, an online birth registration, open at the counter.

By hand, VPDKDD: finished 4 (1 early, 1 on time, 2 late);
  1.4 = 1/7 = 14.3 %; 2.1 = 2/4 = 50 %; 2.2 = (3 + 5 + 6 + 3 + (0.5 + 2.5 + 0.5 + 0.5) / 7.5) / 4
  = 17.5333 / 4 = 4.38 days; 3.3 = 0/7 = 0 %; 4.1 = 0/4 = 0 %; 4.2 = 1/7 = 14.3 %;
  5.x = 1/2 = 50 %; 5.4 = 100 - 100 * (2 late + 1 not satisfied) / 4 = 25 %.
Counter: received 1, online 1 -> 3.3 = 100 %, and 4.2 = 100 % (papers submitted online are files);
  nothing finished -> 2.1, 2.2, 4.1, 5.x, 5.4 empty.
Total: received 8; 1.4 = 1/8 = 12.5 %; 3.3 = 1/8 = 12.5 %; 4.2 = 2/8 = 25 %; the finished ones as VPDKDD.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import update

from desk_app.domain.codes import parse_capability_url
from desk_app.domain.intake import IntakeInput, PersonInput
from desk_app.domain.procedures import Channel
from desk_app.services import counter, indicators, intake, kiosk, reports, statistics, workflow
from desk_app.services.statistics import GroupBy
from desk_app.storage.models import EventRow
from tests.services.test_verdicts import SCENARIOS, at, office_off, received, result  # noqa: F401 (fixture)
from tests.services.test_walk import land_form

LAND = "Văn phòng Đăng ký đất đai"
COUNTER = "Bộ phận Một cửa"


def returned(d, clock, code, day):
    at(clock, day, 15, 0)
    workflow.transfer(d, d.specialist, code, "MOTCUA")
    workflow.receive(d, d.clerk_at_counter, code)
    workflow.return_result(d, d.clerk_at_counter, code)


def rated(d, code, level):
    link = parse_capability_url(counter.details(d, code).capability_url)
    kiosk.rate(d, d.kiosk_user, code, link.key, level)


@pytest.fixture
def month(office_off, clock, tmp_path):
    d = office_off
    a, b, c, dd, e, f = (received(d, clock) for _ in range(6))
    scan = tmp_path / "to-khai.pdf"
    scan.write_bytes(b"%PDF-1.4\n% scan\n")
    at(clock, 10, 9, 30)
    form = land_form()
    form.attachments = [str(scan)]
    g = intake.save(d, d.clerk_at_counter, form, print_receipt=False).code
    at(clock, 10, 10, 0)
    workflow.transfer(d, d.clerk_at_counter, g, "VPDKDD")
    workflow.receive(d, d.specialist, g)
    at(clock, 10, 11, 0)
    birth = IntakeInput(procedure_code="1.001193", channel=Channel.ONLINE,
                        owner=PersonInput(name="Trần Văn Nam", id_number="038090001234", birth_date="02/03/1990", phone="0912 345 678",
                                          address="Thôn 1, xã Quảng Phú"),
                        components={"Tờ khai đăng ký khai sinh theo mẫu": 1, "Giấy chứng sinh": 1})
    h = intake.save(d, d.clerk_at_counter, birth, print_receipt=False).code

    result(d, clock, a, 13)
    returned(d, clock, a, 13)
    result(d, clock, b, 18, 14)
    returned(d, clock, b, 18)
    result(d, clock, c, 19)
    SCENARIOS["two supplement requests count late"][0](d, clock, dd)
    SCENARIOS["refused"][0](d, clock, e)
    at(clock, 20, 10)
    rated(d, a, "very_satisfied")
    rated(d, b, "unsatisfied")
    # the central server accepted A's intake (what the sync writes when the server answers)
    with d.db.session() as s:
        s.execute(update(EventRow).where(EventRow.dossier_code == a, EventRow.kind == "received")
                  .values(server_seq=1))
    return d, dict(A=a, B=b, C=c, D=dd, E=e, F=f, G=g, H=h)


def test_the_indicators_match_the_hand_computed_figures(month):
    d, codes = month
    report = indicators.compute(d, d.leader, date(2026, 11, 1), date(2026, 11, 30))
    rows = {r.name: r for r in report.rows}
    assert set(rows) == {LAND, COUNTER}
    land, desk, total = rows[LAND], rows[COUNTER], report.total
    assert (land.counts.received, land.counts.finished, land.counts.early, land.counts.on_time, land.counts.late) \
        == (7, 4, 1, 1, 2)
    v = {k: (None if x is None else round(x, 2)) for k, x in land.values.items()}
    assert v == {"1.4": 14.29, "2.1": 50.0, "2.2": 4.38, "3.3": 0.0, "4.1": 0.0, "4.2": 14.29,
                 "5.x": 50.0, "5.4": 25.0}
    assert desk.counts.received == 1 and desk.values["3.3"] == 100.0 and desk.values["4.2"] == 100.0
    assert all(desk.values[k] is None for k in ("2.1", "2.2", "4.1", "5.x", "5.4"))
    t = {k: (None if x is None else round(x, 2)) for k, x in total.values.items()}
    assert t == {"1.4": 12.5, "2.1": 50.0, "2.2": 4.38, "3.3": 12.5, "4.1": 0.0, "4.2": 25.0,
                 "5.x": 50.0, "5.4": 25.0}


def test_the_indicators_agree_with_the_statistics(month):
    """2.1 and 2.2 are the statistics' on-time rate and average days: one verdict, one count."""
    d, _codes = month
    report = indicators.compute(d, d.leader, date(2026, 11, 1), date(2026, 11, 30))
    stats = statistics.compute(d, d.leader, date(2026, 11, 1), date(2026, 11, 30), GroupBy.UNIT)
    by_name = {r.name: r for r in stats.rows}
    for row in report.rows:
        s = by_name[row.name]
        assert row.counts.received == s.received and row.counts.finished == s.finished
        assert row.values["2.1"] == (None if s.on_time_rate is None else 100 * s.on_time_rate)
        assert row.values["2.2"] == pytest.approx(s.average_days) if s.average_days is not None \
            else row.values["2.2"] is None


def test_a_past_period_counts_what_happened_in_it(month):
    """1-13 November: A and D finished (A early; D late, two supplement requests)."""
    d, _codes = month
    report = indicators.compute(d, d.leader, date(2026, 11, 1), date(2026, 11, 13))
    land = next(r for r in report.rows if r.name == LAND)
    assert (land.counts.finished, land.counts.early, land.counts.late) == (2, 1, 1)
    assert land.values["2.1"] == 50.0


def test_the_table_and_its_exports_carry_the_indicators(month, tmp_path):
    d, _codes = month
    start, end = date(2026, 11, 1), date(2026, 11, 30)
    columns, rows, total = indicators.as_table(indicators.compute(d, d.leader, start, end))
    assert columns[0] == "Đơn vị" and columns[3].startswith("1.4 ") and "2.1 Tỷ lệ giải quyết đúng hạn (%)" in columns
    assert total[0] == "Tổng cộng" and total[1] == 8 and total[columns.index("2.1 Tỷ lệ giải quyết đúng hạn (%)")] == 50.0
    assert [r[0] for r in rows] == [LAND, COUNTER]
    table = reports.indicators_table(d, indicators.compute(d, d.leader, start, end))
    assert table.columns == columns and table.totals == total
    pdf = reports.export_statistics(d, d.leader, start, end, GroupBy.UNIT, tmp_path / "tk.pdf")
    from tests.services.test_walk import pdf_text
    text = pdf_text(pdf)
    assert "CHỈ SỐ ĐÁNH GIÁ" in text and "2.1 Tỷ lệ giải quyết đúng hạn" in text and "Quyết định 766" in text
    xlsx = reports.export_statistics(d, d.leader, start, end, GroupBy.UNIT, tmp_path / "tk.xlsx")
    from openpyxl import load_workbook
    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["Thống kê", "Chỉ số 766"]
    ws = wb["Chỉ số 766"]
    headers = [c.value for c in ws[5]]
    assert headers[:3] == ["Đơn vị", "Tiếp nhận", "Đã giải quyết"]
    assert ws.cell(6, 1).value == LAND and ws.cell(6, headers.index("2.1 Tỷ lệ giải quyết đúng hạn (%)") + 1).value == 50.0
