"""The one working calendar every deadline in the program comes from.

Offices work Monday to Friday within the working periods of the day (default
07:30-11:30 and 13:30-17:00), minus public holidays, plus the weekend days the
government swaps into working days. A deadline in working days adds working time;
a deadline in calendar days adds days and moves off a day off to the next working day.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Iterable, Mapping

DEFAULT_PERIODS: tuple[tuple[time, time], ...] = ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0)))


class TimeUnit(str, enum.Enum):
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"


@dataclass(frozen=True)
class Deadline:
    """How long a procedure may take on one channel."""

    amount: float  # 0 = the same working day
    unit: TimeUnit = TimeUnit.WORKING_DAYS
    cutoff: time | None = None  # received at or after this hour counts from the next working day


def parse_periods(text: str) -> tuple[tuple[time, time], ...]:
    """"07:30-11:30, 13:30-17:00" -> periods; raises ValueError on a bad or overlapping list."""
    periods = []
    for part in re.split(r"[,;]", text):
        part = part.strip()
        if not part:
            continue
        m = re.fullmatch(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})", part)
        if not m:
            raise ValueError(part)
        a = time(int(m[1]), int(m[2]))
        b = time(int(m[3]), int(m[4]))
        if b <= a:
            raise ValueError(part)
        periods.append((a, b))
    periods.sort()
    for (_, end), (start, _) in zip(periods, periods[1:]):
        if start < end:
            raise ValueError(text)
    if not periods:
        raise ValueError(text)
    return tuple(periods)


def format_periods(periods: Iterable[tuple[time, time]]) -> str:
    return ", ".join("%s-%s" % (a.strftime("%H:%M"), b.strftime("%H:%M")) for a, b in periods)


_SUBSTITUTED = re.compile(r"substituted from (\d{2})/(\d{2})/(\d{4})")


def seed_from_holidays_package(years: Iterable[int]) -> tuple[dict[date, str], dict[date, str]]:
    """Days off and swapped working days for ``years`` from the ``holidays`` package.

    The package names a swapped day off "Day off (substituted from MM/DD/YYYY)"; the
    date it names is a weekend day that becomes a working day.
    """
    import holidays  # imported here: only seeding needs it

    days_off: dict[date, str] = {}
    working: dict[date, str] = {}
    vn = holidays.country_holidays("VN", years=list(years), language="vi")
    vn_en = holidays.country_holidays("VN", years=list(years), language="en_US")
    for day, name in sorted(vn.items()):
        days_off[day] = name
        m = _SUBSTITUTED.search(vn_en.get(day, ""))
        if m:
            working[date(int(m[3]), int(m[1]), int(m[2]))] = "Làm bù cho ngày %s" % day.strftime("%d/%m/%Y")
    return days_off, working


@dataclass
class WorkCalendar:
    periods: tuple[tuple[time, time], ...] = DEFAULT_PERIODS
    days_off: Mapping[date, str] = field(default_factory=dict)
    working_days: Mapping[date, str] = field(default_factory=dict)  # weekend days worked (swaps)
    weekend: frozenset[int] = frozenset({5, 6})

    @classmethod
    def vietnam(cls, years: Iterable[int] | None = None, periods=DEFAULT_PERIODS,
                extra_days_off: Mapping[date, str] | None = None,
                extra_working_days: Mapping[date, str] | None = None) -> "WorkCalendar":
        years = list(years) if years is not None else list(range(2018, date.today().year + 3))
        off, working = seed_from_holidays_package(years)
        off.update(extra_days_off or {})
        working.update(extra_working_days or {})
        return cls(periods=periods, days_off=off, working_days=working)

    # -- days -----------------------------------------------------------------------
    def is_working_day(self, day: date) -> bool:
        if day in self.working_days:
            return True
        if day in self.days_off:
            return False
        return day.weekday() not in self.weekend

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def day_length(self) -> timedelta:
        return sum((_span(a, b) for a, b in self.periods), timedelta())

    def opening(self, day: date) -> datetime:
        return datetime.combine(day, self.periods[0][0])

    def closing(self, day: date) -> datetime:
        return datetime.combine(day, self.periods[-1][1])

    # -- working time ----------------------------------------------------------------
    def next_working_instant(self, moment: datetime) -> datetime:
        """``moment`` if it falls in working time, else the next start of working time."""
        day = moment.date()
        if self.is_working_day(day):
            for a, b in self.periods:
                if moment.time() < b:
                    return max(moment, datetime.combine(day, a))
        return self.opening(self.next_working_day(day))

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """The instant ``amount`` of working time after ``start``."""
        if amount < timedelta(0):
            raise ValueError("negative working time")
        moment = self.next_working_instant(start)
        remaining = amount
        while True:
            day = moment.date()
            for a, b in self.periods:
                end = datetime.combine(day, b)
                if moment >= end:
                    continue
                moment = max(moment, datetime.combine(day, a))
                available = end - moment
                if remaining <= available:
                    return moment + remaining
                remaining -= available
                moment = end
            moment = self.opening(self.next_working_day(day))

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Working time elapsed from ``a`` to ``b`` (zero if ``b`` is not after ``a``).

        Computed from cumulative working seconds per day, so a year of statistics over
        hundreds of thousands of dossiers stays cheap.
        """
        if b <= a:
            return timedelta(0)
        return timedelta(seconds=self._cumulative(b) - self._cumulative(a))

    def _cumulative(self, moment: datetime) -> float:
        """Working seconds from the calendar's epoch (1 Jan 2000) to ``moment``."""
        cache = self.__dict__.setdefault("_prefix_cache", {})
        day = moment.date()
        prefix = cache.get(day)
        if prefix is None:
            prefix = self._prefix(day, cache)
        within = 0.0
        if self.is_working_day(day):
            t = moment.time()
            for a, b in self.periods:
                if t > a:
                    within += _span(a, min(t, b)).total_seconds()
        return prefix + within

    def _prefix(self, day: date, cache: dict) -> float:
        """Working seconds on the days strictly before ``day`` since the epoch (memoised)."""
        epoch = date(2000, 1, 1)
        known = [d for d in (day - timedelta(days=k) for k in range(1, 40)) if d in cache]
        start, total = (known[0], cache[known[0]]) if known else (epoch, 0.0)
        per_day = self.day_length().total_seconds()
        d = start
        while d < day:
            cache[d] = total
            if self.is_working_day(d):
                total += per_day
            d += timedelta(days=1)
        cache[day] = total
        return total

    # -- deadlines -------------------------------------------------------------------
    def counting_start(self, received: datetime, cutoff: time | None = None) -> datetime:
        """When the clock starts for a dossier received at ``received``."""
        day = received.date()
        if cutoff is not None and self.is_working_day(day) and received.time() >= cutoff:
            return self.opening(self.next_working_day(day))
        return self.next_working_instant(received)

    def appointment(self, received: datetime, deadline: Deadline) -> datetime:
        """The appointment for the result of a dossier received at ``received``."""
        start = self.counting_start(received, deadline.cutoff)
        if deadline.unit is TimeUnit.WORKING_DAYS:
            if deadline.amount <= 0:
                return self.closing(start.date())
            return self.add_working_time(start, self.day_length() * deadline.amount)
        due = start + timedelta(days=int(round(deadline.amount)))
        if deadline.amount <= 0:
            return self.closing(start.date())
        while not self.is_working_day(due.date()):
            due = datetime.combine(self.next_working_day(due.date()), due.time())
        return min(max(due, self.opening(due.date())), self.closing(due.date()))

    def shift(self, appointment: datetime, paused: timedelta) -> datetime:
        """The appointment moved later by ``paused`` working time (supplement pauses)."""
        return self.add_working_time(appointment, paused) if paused > timedelta(0) else appointment


def _span(a: time, b: time) -> timedelta:
    return datetime.combine(date.min, b) - datetime.combine(date.min, a)
