"""Period statistics per unit, procedure and clerk, as the national figures count them.

Each finished dossier keeps the verdict ``domain.lifecycle`` gave it when it finished (early,
on time or late against the legal appointment, pauses excluded, more than one supplement
request late); refused, withdrawn and stopped dossiers have no timing verdict and are not
counted as finished. An open dossier with its clock running past its appointment at the end
of the period (or now, for a period that includes today) is overdue: the dashboard's rule.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, null, or_, select

from ..domain.dossier import EventKind, Rating
from ..domain.i18n import tr
from ..domain.lifecycle import NOT_ACCEPTED_STAGES, Verdict
from ..domain.roles import Action
from ..storage import projection
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


def accepted():
    """A received dossier: not an online submission still waiting for the counter's check (it has
    no legal clock yet and is in no figure until accepted; its received_at is then the acceptance)."""
    return or_(Dossier.stage.is_(None), Dossier.stage.not_in([st.value for st in NOT_ACCEPTED_STAGES]))


def compute(ctx: DeskContext, user: CurrentUser, start: date, end: date, group_by: GroupBy) -> Report:
    """Figures for dossiers received or finished from ``start`` to ``end`` (both included).

    One grouped query over the projection (processing time was stored when each dossier
    finished), one over the period's supplement and rating events.
    """
    require(user, Action.VIEW_STATISTICS)
    t0 = datetime.combine(start, datetime.min.time())
    t1 = datetime.combine(end + timedelta(days=1), datetime.min.time())
    day_seconds = ctx.calendar().day_length().total_seconds()
    with ctx.db.session(write=False) as s:
        units = {u.id: u.name for u in s.scalars(select(Unit))}
        counter_name = next((u.name for u in s.scalars(select(Unit).where(Unit.kind == "counter"))), "")
        clerks = {u.id: u.full_name for u in s.scalars(select(User))}
        if group_by is GroupBy.UNIT:
            key_col = func.coalesce(Dossier.handling_unit_id, 0)
        elif group_by is GroupBy.PROCEDURE:
            key_col = ProcedureRow.code
        else:
            key_col = Dossier.clerk_id
        done = and_(Dossier.finished_at >= t0, Dossier.finished_at < t1)
        # the verdict each dossier was given when it finished (``lifecycle.judge``), never recomputed
        late = and_(done, projection.outcome_is(Verdict.LATE))
        early = and_(done, projection.outcome_is(Verdict.EARLY))
        on_time = and_(done, projection.outcome_is(Verdict.ON_TIME))
        timed = and_(done, projection.outcome_is(Verdict.EARLY, Verdict.ON_TIME, Verdict.LATE))
        # overdue as of the period's end, or as of now for a period that includes today
        open_overdue = projection.overdue_at(min(t1, ctx.clock()))

        def count(cond):
            return func.sum(case((cond, 1), else_=0))
        # only the procedure grouping names its rows from the query; the others from lookups
        name_col = func.max(ProcedureRow.name) if group_by is GroupBy.PROCEDURE else null()
        q = (select(key_col, name_col, count(Dossier.received_at >= t0), count(timed),
                    count(early), count(on_time), count(late), count(open_overdue),
                    func.sum(case((timed, Dossier.processing_seconds), else_=0))))
        if group_by is GroupBy.PROCEDURE:
            q = q.join(ProcedureRow, ProcedureRow.id == Dossier.procedure_id)
        q = (q.where(Dossier.received_at < t1, accepted(),
                    or_(Dossier.received_at >= t0, Dossier.finished_at.is_(None), Dossier.finished_at >= t0))
             .group_by(key_col))
        rows: dict[str, StatRow] = {}
        for key, pname, received, finished, n_early, n_on_time, n_late, n_open, seconds in s.execute(q):
            if group_by is GroupBy.UNIT:
                name = units.get(key, counter_name) if key else counter_name
            elif group_by is GroupBy.PROCEDURE:
                name = pname
            else:
                name = clerks.get(key, "")
            rows[str(key)] = StatRow(str(key), name, received or 0, finished or 0, n_early or 0, n_on_time or 0,
                                     n_late or 0, n_open or 0, 0, (seconds or 0) / day_seconds)
        level = func.json_extract(EventRow.payload, "$.level")
        ev = select(key_col, EventRow.kind, level, func.count()).join(Dossier, Dossier.code == EventRow.dossier_code)
        if group_by is GroupBy.PROCEDURE:
            ev = ev.join(ProcedureRow, ProcedureRow.id == Dossier.procedure_id)
        ev = (ev.where(EventRow.kind.in_((EventKind.SUPPLEMENT_REQUESTED.value, EventKind.RATED.value)),
                     EventRow.desk_time >= t0, EventRow.desk_time < t1)
              .group_by(key_col, EventRow.kind, level))
        for key, kind, lvl, n in s.execute(ev):
            r = rows.get(str(key))
            if r is None:
                continue
            if kind == EventKind.SUPPLEMENT_REQUESTED.value:
                r.supplement_requests += n
            elif lvl in r.ratings:
                r.ratings[lvl] += n
    total = StatRow("", tr("Tổng cộng"))
    for r in rows.values():
        for attr in ("received", "finished", "early", "on_time", "late", "open_overdue", "supplement_requests",
                     "processing_days_total"):
            setattr(total, attr, getattr(total, attr) + getattr(r, attr))
        for k, v in r.ratings.items():
            total.ratings[k] += v
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
