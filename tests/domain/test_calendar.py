"""Due dates from the working calendar, across Vietnam's holidays and swapped days."""

from datetime import date, datetime, time, timedelta

import pytest

from desk_app.domain.calendar import (Deadline, TimeUnit, WorkCalendar, format_periods,
                                      parse_periods, seed_from_holidays_package)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar.vietnam(years=range(2022, 2028))


def wd(n, cutoff=None):
    return Deadline(n, TimeUnit.WORKING_DAYS, cutoff)


def test_production_receipt_from_thanh_hoa(cal):
    # Received Fri 27/10/2023 09:32, 5 working days: due Fri 03/11/2023.
    due = cal.appointment(datetime(2023, 10, 27, 9, 32), wd(5))
    assert due == datetime(2023, 11, 3, 9, 32)


def test_tet_2026_is_skipped(cal):
    for d in range(16, 21):
        assert not cal.is_working_day(date(2026, 2, d))
    assert cal.appointment(datetime(2026, 2, 13, 10, 0), wd(5)) == datetime(2026, 2, 27, 10, 0)


def test_hung_kings_observed_then_30_4_and_1_5(cal):
    # 2026: Hùng Kings falls on Sun 26/4, observed Mon 27/4; 30/4 Thu and 1/5 Fri off.
    assert not cal.is_working_day(date(2026, 4, 27))
    assert cal.appointment(datetime(2026, 4, 24, 9, 0), wd(3)) == datetime(2026, 5, 4, 9, 0)


def test_hung_kings_2023_observed_days(cal):
    # 2023: 29/4 Sat and 30/4 Sun were made up on Tue 2/5 and Wed 3/5.
    assert cal.appointment(datetime(2023, 4, 28, 8, 0), wd(1)) == datetime(2023, 5, 4, 8, 0)


def test_national_day_with_neighbour_and_swapped_monday(cal):
    # 2026: Mon 31/8 off (swapped for Sat 22/8), Tue 1/9 and Wed 2/9 National Day.
    for d in (date(2026, 8, 31), date(2026, 9, 1), date(2026, 9, 2)):
        assert not cal.is_working_day(d)
    assert cal.appointment(datetime(2026, 8, 28, 14, 0), wd(2)) == datetime(2026, 9, 4, 14, 0)


def test_swapped_saturday_is_a_working_day(cal):
    assert cal.is_working_day(date(2026, 8, 22))
    assert not cal.is_working_day(date(2026, 8, 29))  # a plain Saturday
    assert cal.appointment(datetime(2026, 8, 21, 9, 0), wd(1)) == datetime(2026, 8, 22, 9, 0)


def test_weekend_receipt_counts_from_monday_morning(cal):
    assert cal.appointment(datetime(2026, 11, 7, 10, 0), wd(1)) == datetime(2026, 11, 9, 17, 0)


def test_lunch_break_does_not_count(cal):
    # counting starts at 13:30; a full working day later is the end of Wednesday morning
    # (the same working instant as 13:30; the earlier wall-clock time is promised)
    assert cal.appointment(datetime(2026, 11, 10, 12, 15), wd(1)) == datetime(2026, 11, 11, 11, 30)
    assert cal.appointment(datetime(2026, 11, 10, 12, 15), wd(2)) == datetime(2026, 11, 12, 11, 30)
    # half a working day from 10:00: 1h30 before lunch, 2h15 after
    assert cal.appointment(datetime(2026, 11, 10, 10, 0), wd(0.5)) == datetime(2026, 11, 10, 15, 45)


def test_receipt_after_closing_counts_from_next_morning(cal):
    assert cal.appointment(datetime(2026, 11, 10, 17, 45), wd(1)) == datetime(2026, 11, 11, 17, 0)
    assert cal.appointment(datetime(2026, 11, 10, 6, 50), wd(1)) == datetime(2026, 11, 10, 17, 0)


def test_same_day_procedure_with_cutoff(cal):
    same_day = wd(0, time(15, 0))
    assert cal.appointment(datetime(2026, 11, 10, 14, 59), same_day) == datetime(2026, 11, 10, 17, 0)
    assert cal.appointment(datetime(2026, 11, 10, 15, 0), same_day) == datetime(2026, 11, 11, 17, 0)
    # Friday after the cut-off: Monday
    assert cal.appointment(datetime(2026, 11, 13, 15, 30), same_day) == datetime(2026, 11, 16, 17, 0)
    # the cut-off also moves the start of a multi-day deadline
    assert cal.appointment(datetime(2026, 11, 10, 16, 0), wd(2, time(15, 0))) == datetime(2026, 11, 12, 17, 0)


def test_calendar_days_landing_on_a_day_off_move_to_next_working_day(cal):
    cd = Deadline(10, TimeUnit.CALENDAR_DAYS)
    # Mon 9/2/2026 + 10 days = Thu 19/2 (Tết) -> Mon 23/2
    assert cal.appointment(datetime(2026, 2, 9, 9, 0), cd) == datetime(2026, 2, 23, 9, 0)
    # Wed 4/11/2026 + 4 days = Sun 8/11 -> Mon 9/11
    assert cal.appointment(datetime(2026, 11, 4, 9, 0), Deadline(4, TimeUnit.CALENDAR_DAYS)) == datetime(2026, 11, 9, 9, 0)
    # a plain weekday stays
    assert cal.appointment(datetime(2026, 11, 4, 9, 0), Deadline(2, TimeUnit.CALENDAR_DAYS)) == datetime(2026, 11, 6, 9, 0)


def test_editable_table_overrides_the_package():
    extra_off = {date(2026, 11, 12): "Nghỉ theo quyết định của tỉnh"}
    c = WorkCalendar.vietnam(years=[2026], extra_days_off=extra_off)
    assert c.appointment(datetime(2026, 11, 11, 9, 0), wd(1)) == datetime(2026, 11, 13, 9, 0)
    c2 = WorkCalendar.vietnam(years=[2026], extra_working_days={date(2026, 11, 14): "Làm bù"})
    assert c2.appointment(datetime(2026, 11, 13, 9, 0), wd(1)) == datetime(2026, 11, 14, 9, 0)


def test_seed_reads_swapped_days_from_the_package():
    off, work = seed_from_holidays_package([2026])
    assert date(2026, 2, 17) in off and date(2026, 8, 31) in off
    assert date(2026, 8, 22) in work


def test_working_time_between_and_shift(cal):
    a, b = datetime(2026, 11, 10, 10, 0), datetime(2026, 11, 11, 10, 0)
    assert cal.working_time_between(a, b) == timedelta(hours=7, minutes=30)
    assert cal.working_time_between(b, a) == timedelta(0)
    due = datetime(2026, 11, 13, 16, 0)
    assert cal.shift(due, timedelta(hours=2)) == datetime(2026, 11, 16, 8, 30)


def test_working_hours_setting():
    periods = parse_periods("07:00-11:30, 13:30-17:00")
    assert format_periods(periods) == "07:00-11:30, 13:30-17:00"
    c = WorkCalendar(periods=periods)
    assert c.day_length() == timedelta(hours=8)
    for bad in ("", "7-11", "11:30-07:00", "07:00-12:00, 11:00-17:00"):
        with pytest.raises(ValueError):
            parse_periods(bad)


def test_add_working_time_is_consistent_with_working_time_between(cal):
    start = datetime(2026, 2, 12, 9, 17)
    for hours in (0.5, 3, 7.5, 20, 100):
        end = cal.add_working_time(start, timedelta(hours=hours))
        assert cal.working_time_between(start, end) == timedelta(hours=hours)
