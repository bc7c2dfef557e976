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

from sqlalchemy import and_, case, func, literal, literal_column, null, or_, select, text

from ..domain.dossier import EventKind, Rating
from ..domain.i18n import tr
from ..domain.lifecycle import NOT_ACCEPTED_STAGES, Verdict
from ..domain.roles import Action
from ..storage import projection
from ..storage.models import Dossier, EventRow, ProcedureRow, StatsDay, Unit, User
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

    The same figures as ``compute_from_rows`` (a test holds the two together), read mostly from
    ``stats_days``: what each dossier and each rating or supplement event adds, per day and key,
    kept by triggers (migration 0007). A year of a million dossiers is a few thousand of its rows.
    The rows still answer what a roll-up by day cannot: overdue at the period's end (the open
    dossiers, and those finished after it), which keys have a dossier in the period only through
    those, and a finish dated before its receipt (another desk's clock).
    """
    require(user, Action.VIEW_STATISTICS)
    t0 = datetime.combine(start, datetime.min.time())
    t1 = datetime.combine(end + timedelta(days=1), datetime.min.time())
    day_seconds = ctx.calendar().day_length().total_seconds()
    at = min(t1, ctx.clock())   # overdue as of the period's end, or now for a period that includes today
    dim, raw_key = _DIMS[group_by]()
    # per raw key (unit, procedure version, clerk): [received, finished (any), finished (timed), early,
    # on time, late, open overdue, working seconds, supplements, *ratings]; and whether it has a row
    sums: dict[int, list[int]] = {}
    present: set[int] = set()

    def add(key: int, values, at_column: int = 0) -> None:
        row = sums.setdefault(key, [0] * (9 + len(Rating)))
        for i, v in enumerate(values, at_column):
            row[i] += v or 0
    with ctx.db.session(write=False) as s:
        units = {u.id: u.name for u in s.scalars(select(Unit))}
        counter_name = next((u.name for u in s.scalars(select(Unit).where(Unit.kind == "counter"))), "")
        clerks = {u.id: u.full_name for u in s.scalars(select(User))}
        levels = [func.sum(getattr(StatsDay, r.value)) for r in Rating]
        q = (select(StatsDay.key, func.sum(StatsDay.received), func.sum(StatsDay.finished),
                    func.sum(StatsDay.early) + func.sum(StatsDay.on_time) + func.sum(StatsDay.late),
                    func.sum(StatsDay.early), func.sum(StatsDay.on_time), func.sum(StatsDay.late), literal(0),
                    func.sum(StatsDay.seconds), func.sum(StatsDay.supplements), *levels)
             .where(StatsDay.dim == dim, StatsDay.day >= start.isoformat(), StatsDay.day <= end.isoformat())
             .group_by(StatsDay.key))
        for key, *values in s.execute(q):
            add(key, values)
            if values[0] or values[1]:
                present.add(key)
        # ``+received_at``: read, never sought; each of these three reads its own small index (the open
        # dossiers', the finished ones' by time, the finishes dated before their receipt), where
        # SQLite otherwise walked a year of dossiers by their receipt time
        received = literal_column("+dossiers.received_at", type_=Dossier.received_at.type)
        in_period = [received < t1, accepted(),
                     or_(received >= t0, Dossier.finished_at.is_(None), Dossier.finished_at >= t0)]
        overdue = func.sum(case((projection.overdue_at(at), 1), else_=0))
        # open at the period's end (or now): still open, or finished after it; disjoint, each on its index
        for still in (Dossier.finished_at.is_(None), Dossier.finished_at >= at):
            q = select(raw_key, func.count(), overdue).where(*in_period, still).group_by(raw_key)
            for key, n, n_overdue in s.execute(q):
                add(key, (n_overdue,), 6)
                present.add(key)
        # finished in the period but dated before the day it was received: not in the roll-up's finishes
        finished = literal_column("+dossiers.finished_at", type_=Dossier.finished_at.type)
        done = and_(finished >= t0, finished < t1)   # read: the index is that of such finishes
        timed = projection.outcome_is(Verdict.EARLY, Verdict.ON_TIME, Verdict.LATE)

        def count(cond):
            return func.sum(case((cond, 1), else_=0))
        q = (select(raw_key, func.count(), count(timed), count(projection.outcome_is(Verdict.EARLY)),
                    count(projection.outcome_is(Verdict.ON_TIME)), count(projection.outcome_is(Verdict.LATE)),
                    func.sum(case((timed, Dossier.processing_seconds), else_=0)))
             .where(*in_period, done, Dossier.id.in_(_FINISHED_BEFORE_RECEIPT)).group_by(raw_key))
        for key, n, n_timed, n_early, n_on_time, n_late, seconds in s.execute(q):
            add(key, (n, n_timed, n_early, n_on_time, n_late), 1)
            add(key, (seconds,), 7)
            present.add(key)
        procedures = {}
        if group_by is GroupBy.PROCEDURE and sums:
            procedures = {pid: (code, name) for pid, code, name in s.execute(
                select(ProcedureRow.id, ProcedureRow.code, ProcedureRow.name).where(ProcedureRow.id.in_(list(sums))))}
    # the keys the report groups by, in the order the rows' query gave them
    grouped: dict = {}
    names: dict = {}
    for key in sorted(sums):
        group = procedures[key][0] if group_by is GroupBy.PROCEDURE else key
        into = grouped.setdefault(group, [0] * len(sums[key]))
        for i, v in enumerate(sums[key]):
            into[i] += v
        if key in present:
            names[group] = max(names.get(group, ""), procedures[key][1]) if group_by is GroupBy.PROCEDURE else ""
    rows: dict[str, StatRow] = {}
    for group in sorted(names):
        received, _any, finished, n_early, n_on_time, n_late, n_open, seconds, supplements, *rated = grouped[group]
        if group_by is GroupBy.UNIT:
            name = units.get(group, counter_name) if group else counter_name
        elif group_by is GroupBy.PROCEDURE:
            name = names[group]
        else:
            name = clerks.get(group, "")
        row = StatRow(str(group), name, received, finished, n_early, n_on_time, n_late, n_open, supplements,
                      seconds / day_seconds)
        for r, n in zip(Rating, rated):
            row.ratings[r.value] = n
        rows[str(group)] = row
    return _report(start, end, group_by, rows)


# the dossiers whose finish is dated before their receipt's day: ``ix_dossiers_finished_early``
# holds them (SQLite, left to itself, read a year of finishes instead)
_FINISHED_BEFORE_RECEIPT = (select(literal_column("early.id"))
                            .select_from(text("dossiers AS early INDEXED BY ix_dossiers_finished_early"))
                            .where(text("substr(early.finished_at, 1, 10) < substr(early.received_at, 1, 10)")))
# per grouping: its key in ``stats_days`` and that key on a dossier's row
_DIMS = {GroupBy.UNIT: lambda: ("u", func.coalesce(Dossier.handling_unit_id, 0)),
         GroupBy.PROCEDURE: lambda: ("p", Dossier.procedure_id),
         GroupBy.CLERK: lambda: ("c", Dossier.clerk_id)}


def compute_from_rows(ctx: DeskContext, user: CurrentUser, start: date, end: date, group_by: GroupBy) -> Report:
    """``compute``'s figures counted from the rows alone: the reference the roll-up is held to (a
    test compares the two over random periods), and the definition of each figure.

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
        finished = literal_column("+dossiers.finished_at", type_=Dossier.finished_at.type)
        done = and_(finished >= t0, finished < t1)   # read: the index is that of such finishes
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
    return _report(start, end, group_by, rows)


def _report(start: date, end: date, group_by: GroupBy, rows: dict[str, StatRow]) -> Report:
    """The rows, and their total (summed in the keys' order, so that its days are the same sum
    whichever way the rows were counted)."""
    total = StatRow("", tr("Tổng cộng"))
    for _key, r in sorted(rows.items()):
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
