"""Period statistics per unit, procedure and clerk, as the national figures count them.

A finished dossier is early (trước hạn) if it finished on a date before its due date,
on time (đúng hạn) on that date, late (quá hạn) after it; supplement pauses are not
counted (the due date already moved by them) and more than one supplement request makes
it late. An unfinished dossier past its due date at the end of the period is late too.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select

from ..domain.dossier import EventKind, Rating
from ..domain.i18n import tr
from ..domain.roles import Action
from ..storage.models import Dossier, EventRow, ProcedureRow, Unit, User
from .context import CurrentUser, DeskContext, require


class GroupBy(str, enum.Enum):
    UNIT = "unit"
    PROCEDURE = "procedure"
    CLERK = "clerk"

    @property
    def label(self) -> str:
        return {GroupBy.UNIT: tr("Đơn vị"), GroupBy.PROCEDURE: tr("Thủ tục"), GroupBy.CLERK: tr("Cán bộ tiếp nhận")}[self]


@dataclass
class StatRow:
    key: str
    name: str
    received: int = 0
    finished: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    open_overdue: int = 0
    supplement_requests: int = 0
    processing_days_total: float = 0.0
    ratings: dict[str, int] = field(default_factory=lambda: {r.value: 0 for r in Rating})

    @property
    def on_time_rate(self) -> float | None:
        """Share finished early or on time, of those finished (None when none finished)."""
        return (self.early + self.on_time) / self.finished if self.finished else None

    @property
    def average_days(self) -> float | None:
        return self.processing_days_total / self.finished if self.finished else None


@dataclass(frozen=True)
class Report:
    start: date
    end: date              # inclusive
    group_by: GroupBy
    rows: list[StatRow]
    total: StatRow


def compute(ctx: DeskContext, user: CurrentUser, start: date, end: date, group_by: GroupBy) -> Report:
    """Figures for dossiers received or finished from ``start`` to ``end`` (both included)."""
    require(user, Action.VIEW_STATISTICS)
    t0 = datetime.combine(start, datetime.min.time())
    t1 = datetime.combine(end + timedelta(days=1), datetime.min.time())
    cal = ctx.calendar()
    day_seconds = cal.day_length().total_seconds()
    rows: dict[str, StatRow] = {}
    total = StatRow("", tr("Tổng cộng"))
    with ctx.db.session(write=False) as s:
        units = {u.id: u.name for u in s.scalars(select(Unit))}
        counter_name = next((u.name for u in s.scalars(select(Unit).where(Unit.kind == "counter"))), "")
        clerks = {u.id: u.full_name for u in s.scalars(select(User))}
        q = (select(Dossier.id, Dossier.code, ProcedureRow.code, ProcedureRow.name, Dossier.handling_unit_id,
                    Dossier.clerk_id, Dossier.received_at, Dossier.due_at, Dossier.finished_at,
                    Dossier.supplement_count, Dossier.paused_seconds)
             .join(ProcedureRow, ProcedureRow.id == Dossier.procedure_id)
             .where(Dossier.received_at < t1,
                    or_(Dossier.received_at >= t0, Dossier.finished_at.is_(None), Dossier.finished_at >= t0)))
        keys_by_code: dict[str, str] = {}

        def row_for(key: str, name: str) -> StatRow:
            r = rows.get(key)
            if r is None:
                r = rows[key] = StatRow(key, name)
            return r

        for (_id, code, pcode, pname, unit_id, clerk_id, received, due, finished, supplements,
             paused) in s.execute(q):
            if group_by is GroupBy.UNIT:
                key, name = str(unit_id or 0), units.get(unit_id, counter_name) if unit_id else counter_name
            elif group_by is GroupBy.PROCEDURE:
                key, name = pcode, pname
            else:
                key, name = str(clerk_id), clerks.get(clerk_id, "")
            keys_by_code[code] = key
            targets = (row_for(key, name), total)
            if received >= t0:
                for r in targets:
                    r.received += 1
            if finished is not None and t0 <= finished < t1:
                if supplements > 1 or finished.date() > due.date():
                    attr = "late"
                elif finished.date() < due.date():
                    attr = "early"
                else:
                    attr = "on_time"
                days = max(0.0, (cal.working_time_between(received, finished).total_seconds() - paused) / day_seconds)
                for r in targets:
                    r.finished += 1
                    setattr(r, attr, getattr(r, attr) + 1)
                    r.processing_days_total += days
            elif (finished is None or finished >= t1) and due < t1:
                for r in targets:
                    r.open_overdue += 1
        ev = (select(EventRow.dossier_code, EventRow.kind, EventRow.payload)
              .where(EventRow.kind.in_((EventKind.SUPPLEMENT_REQUESTED.value, EventKind.RATED.value)),
                     EventRow.desk_time >= t0, EventRow.desk_time < t1))
        for code, kind, payload in s.execute(ev):
            key = keys_by_code.get(code)
            if key is None:
                continue
            for r in (rows[key], total):
                if kind == EventKind.SUPPLEMENT_REQUESTED.value:
                    r.supplement_requests += 1
                else:
                    level = payload.get("level")
                    if level in r.ratings:
                        r.ratings[level] += 1
    ordered = sorted(rows.values(), key=lambda r: (-r.received, r.name))
    return Report(start, end, group_by, ordered, total)


def as_table(report: Report):
    """The report as plain columns and rows (for the screen, XLSX and PDF exports)."""
    columns = (report.group_by.label, tr("Tiếp nhận"), tr("Đã giải quyết"), tr("Trước hạn"), tr("Đúng hạn"),
               tr("Quá hạn"), tr("Tỷ lệ đúng hạn (%)"), tr("Chưa xong, quá hạn"), tr("TB ngày xử lý"),
               tr("Yêu cầu bổ sung"), Rating.VERY_SATISFIED.label, Rating.SATISFIED.label, Rating.UNSATISFIED.label)

    def line(r: StatRow):
        rate = "" if r.on_time_rate is None else round(100 * r.on_time_rate, 1)
        avg = "" if r.average_days is None else round(r.average_days, 1)
        return (r.name, r.received, r.finished, r.early, r.on_time, r.late, rate, r.open_overdue, avg,
                r.supplement_requests, *[r.ratings[x.value] for x in Rating])
    return columns, [line(r) for r in report.rows], line(report.total)
