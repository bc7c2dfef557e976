"""Statistics against hand-computed expectations on a fixed data set."""

from datetime import date, datetime

import pytest

from desk_app.domain.dossier import EventKind, Rating
from desk_app.services import intake, statistics, workflow
from desk_app.services.context import PermissionDenied
from desk_app.services.statistics import GroupBy
from desk_app.storage import repositories as repo
from tests.services.test_walk import land_form
from tests.conftest import birth_form


def residence_form(name):
    f = birth_form(name=name)
    f.procedure_code = "1.004194"  # Đăng ký tạm trú, 3 working days
    f.components = {"Tờ khai thay đổi thông tin cư trú": 1}
    return f


@pytest.fixture
def data(office, clock):
    d = office
    c, sp, lead = d.clerk_at_counter, d.specialist, d.leader

    def at(*args):
        clock.now = datetime(*args)

    def new(form, *when):
        at(*when)
        code = intake.save(d, c, form, print_receipt=False).code
        workflow.transfer(d, c, code, "VPDKDD")
        workflow.receive(d, sp, code)
        return code

    d1 = new(residence_form("Nguyễn Văn Một"), 2026, 11, 2, 9, 0)       # due Thu 5/11 09:00
    d2 = new(residence_form("Trần Thị Hai"), 2026, 11, 2, 9, 0)
    d3 = new(residence_form("Lê Văn Ba"), 2026, 11, 2, 9, 0)
    d5 = new(residence_form("Phạm Thị Năm"), 2026, 11, 2, 9, 0)
    d4 = new(land_form(), 2026, 11, 3, 8, 0)                             # due Tue 10/11 08:00
    d7 = new(residence_form("Vũ Văn Bảy"), 2026, 11, 3, 9, 0)           # due Fri 6/11 09:00
    at(2026, 11, 9, 9, 0)
    d6 = intake.save(d, c, residence_form("Đỗ Thị Sáu"), print_receipt=False).code  # due Thu 12/11, never done

    at(2026, 11, 4, 10, 0); workflow.result_ready(d, sp, d1)            # early
    at(2026, 11, 5, 16, 0); workflow.result_ready(d, sp, d2)            # on the due date: on time
    at(2026, 11, 6, 8, 0); workflow.result_ready(d, sp, d3)             # late
    # d4: paused Wed 4/11 08:00 -> Fri 6/11 08:00 = 15 working hours; due -> Thu 12/11 08:00
    at(2026, 11, 4, 8, 0); workflow.request_supplement(d, sp, d4, "Thiếu", ["Sơ đồ"])
    at(2026, 11, 6, 8, 0); workflow.record_supplement(d, c, d4)
    at(2026, 11, 12, 15, 0); workflow.result_ready(d, sp, d4)           # on time thanks to the pause
    # d5: two supplement requests: late whatever the dates
    at(2026, 11, 2, 10, 0); workflow.request_supplement(d, sp, d5, "Thiếu", ["Tờ khai"])
    at(2026, 11, 2, 11, 0); workflow.record_supplement(d, c, d5)
    at(2026, 11, 2, 14, 0); workflow.request_supplement(d, sp, d5, "Vẫn thiếu", ["Ảnh"])
    at(2026, 11, 2, 15, 0); workflow.record_supplement(d, c, d5)
    at(2026, 11, 3, 9, 0); workflow.result_ready(d, sp, d5)
    # d7: apology to Tue 10/11, result Mon 9/11: still late against the legal due date
    at(2026, 11, 5, 9, 0); workflow.apologise(d, lead, d7, "Cần xác minh", datetime(2026, 11, 10, 9, 0))
    at(2026, 11, 9, 10, 0); workflow.result_ready(d, sp, d7)
    # d1's owner rates the clerk
    with d.db.session() as s:
        repo.append_event(s, repo.dossier_by_code(s, d1), EventKind.RATED,
                          {"level": Rating.VERY_SATISFIED.value, "comment": "Nhanh"}, "kiosk", d.desk_id,
                          datetime(2026, 11, 4, 11, 0))
    at(2026, 12, 1, 8, 0)
    return d


def test_by_procedure(data):
    r = statistics.compute(data, data.leader, date(2026, 11, 1), date(2026, 11, 30), GroupBy.PROCEDURE)
    by = {x.key: x for x in r.rows}
    tt = by["1.004194"]
    assert (tt.received, tt.finished, tt.early, tt.on_time, tt.late, tt.open_overdue) == (6, 5, 1, 1, 3, 1)
    assert tt.supplement_requests == 2 and tt.on_time_rate == pytest.approx(0.4)
    assert tt.ratings[Rating.VERY_SATISFIED.value] == 1
    land = by["1.012783"]
    assert (land.received, land.finished, land.on_time, land.late, land.supplement_requests) == (1, 1, 1, 0, 1)
    # d4: Tue 3/11 08:00 -> Thu 12/11 15:00 is 7 + 6 x 7.5 + 5.5 = 57.5 working hours,
    # minus the 15 h pause: 42.5 h = 5.67 days
    assert land.average_days == pytest.approx(42.5 / 7.5)
    t = r.total
    assert (t.received, t.finished, t.early, t.on_time, t.late, t.open_overdue, t.supplement_requests) == \
           (7, 6, 1, 2, 3, 1, 3)


def test_by_unit_and_clerk(data):
    r = statistics.compute(data, data.leader, date(2026, 11, 1), date(2026, 11, 30), GroupBy.UNIT)
    names = {x.name: x for x in r.rows}
    assert names["Văn phòng Đăng ký đất đai"].finished == 6
    assert names["Bộ phận Một cửa"].open_overdue == 1        # d6 never left the counter
    r = statistics.compute(data, data.leader, date(2026, 11, 1), date(2026, 11, 30), GroupBy.CLERK)
    assert [(x.name, x.received) for x in r.rows] == [("Nguyễn Thị Thu Hương", 7)]
    columns, rows, total = statistics.as_table(r)
    assert columns[0] == "Cán bộ tiếp nhận" and total[1] == 7 and total[6] == 50.0


def test_the_period_limits_what_counts(data):
    r = statistics.compute(data, data.leader, date(2026, 11, 1), date(2026, 11, 4), GroupBy.PROCEDURE)
    t = r.total
    # received 2-4/11: six; finished by 4/11: d1 (early) and d5 (late); d2, d3, d7 still open
    assert (t.received, t.finished, t.early, t.late) == (6, 2, 1, 1)


def test_clerks_cannot_read_statistics(data):
    with pytest.raises(PermissionDenied):
        statistics.compute(data, data.clerk_at_counter, date(2026, 11, 1), date(2026, 11, 30), GroupBy.UNIT)
