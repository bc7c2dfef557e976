"""The Decision 766 indicators per unit and period, from the stored columns.

One grouped query over the dossiers (with the period's scans and result files, and whether the
central server has accepted each intake, joined as small grouped subqueries); the formulas are
``domain.indicators``'. A finished dossier's timing is the ``outcome`` the reducer stored.
Units are named as ``services.statistics`` names them (the last department a dossier went to,
or the counter for one that never left it), so the two tables line up row by row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, or_, select

from ..domain import indicators as ind
from ..domain.dossier import Rating
from ..domain.i18n import tr
from ..domain.lifecycle import OPENING_KINDS, Verdict
from ..domain.procedures import Channel
from ..domain.roles import Action
from ..storage import projection
from ..storage.models import Attachment, Dossier, EventRow, Unit
from .context import CurrentUser, DeskContext, require
from .statistics import accepted

RESULT_FILE = "result"   # an attachment of this kind is the result as a file (4.1)


@dataclass(frozen=True)
class IndicatorRow:
    key: str
    name: str
    counts: ind.Counts
    values: dict[str, float | None]


@dataclass(frozen=True)
class IndicatorReport:
    start: date
    end: date              # inclusive
    rows: list[IndicatorRow]
    total: IndicatorRow


def compute(ctx: DeskContext, user: CurrentUser, start: date, end: date) -> IndicatorReport:
    """The indicators of dossiers received or finished from ``start`` to ``end`` (both included), per unit."""
    require(user, Action.VIEW_STATISTICS)
    t0 = datetime.combine(start, datetime.min.time())
    t1 = datetime.combine(end + timedelta(days=1), datetime.min.time())
    day_seconds = ctx.calendar().day_length().total_seconds()
    with ctx.db.session(write=False) as s:
        units = {u.id: u.name for u in s.scalars(select(Unit))}
        counter_name = next((u.name for u in s.scalars(select(Unit).where(Unit.kind == "counter"))), "")
        files = (select(Attachment.dossier_id,
                        func.max(case((Attachment.kind == "scan", 1), else_=0)).label("scanned"),
                        func.max(case((Attachment.kind == RESULT_FILE, 1), else_=0)).label("e_result"))
                 .group_by(Attachment.dossier_id).subquery())
        # 1.4: the dossier's opening event (intake at the counter, or an online submission, which
        # the server itself wrote) carries the server's sequence
        synced = (select(EventRow.dossier_code).where(EventRow.kind.in_([k.value for k in OPENING_KINDS]),
                                                      EventRow.server_seq.is_not(None))
                  .distinct().subquery())
        key_col = func.coalesce(Dossier.handling_unit_id, 0)
        # received in the period: an online submission counts once the counter has accepted it
        # (its received_at is then the acceptance); one still waiting is not a received dossier
        got = Dossier.received_at >= t0
        done = and_(Dossier.finished_at >= t0, Dossier.finished_at < t1,
                    projection.outcome_is(Verdict.EARLY, Verdict.ON_TIME, Verdict.LATE))

        def count(cond):
            return func.sum(case((cond, 1), else_=0))
        q = (select(key_col,
                    count(got), count(and_(got, synced.c.dossier_code.is_not(None))),
                    count(and_(got, Dossier.channel == Channel.ONLINE.value)),
                    # 4.2: scanned at the counter, or submitted online (its papers are files already)
                    count(and_(got, or_(files.c.scanned == 1, Dossier.channel == Channel.ONLINE.value))),
                    count(done),
                    count(and_(done, projection.outcome_is(Verdict.EARLY))),
                    count(and_(done, projection.outcome_is(Verdict.ON_TIME))),
                    count(and_(done, projection.outcome_is(Verdict.LATE))),
                    func.sum(case((done, func.coalesce(Dossier.processing_seconds, 0)), else_=0)),
                    count(and_(done, files.c.e_result == 1)),
                    count(and_(done, Dossier.rating.is_not(None))),
                    count(and_(done, Dossier.rating.in_([Rating.VERY_SATISFIED.value, Rating.SATISFIED.value]))),
                    count(and_(done, Dossier.rating == Rating.UNSATISFIED.value)))
             .select_from(Dossier)
             .outerjoin(files, files.c.dossier_id == Dossier.id)
             .outerjoin(synced, synced.c.dossier_code == Dossier.code)
             .where(Dossier.received_at < t1, accepted(),
                    or_(got, Dossier.finished_at.is_(None), Dossier.finished_at >= t0))
             .group_by(key_col))
        rows = []
        for key, *numbers in s.execute(q):
            counts = ind.Counts(*[int(n or 0) for n in numbers])
            name = units.get(key, counter_name) if key else counter_name
            rows.append(IndicatorRow(str(key), name, counts, ind.values(counts, day_seconds)))
    total_counts = sum((r.counts for r in rows), ind.Counts())
    total = IndicatorRow("", tr("Tổng cộng"), total_counts, ind.values(total_counts, day_seconds))
    rows.sort(key=lambda r: (-r.counts.received, r.name))
    return IndicatorReport(start, end, rows, total)


def as_table(report: IndicatorReport):
    """The indicators as plain columns and rows (the screen, XLSX and PDF): the unit, how many
    dossiers each rate is over, then each indicator rounded to one decimal ("" where none)."""
    columns = (tr("Đơn vị"), tr("Tiếp nhận"), tr("Đã giải quyết"),
               *[ind.heading(i) for i in ind.INDICATORS])

    def line(r: IndicatorRow):
        figures = [None if r.values[i.code] is None else round(r.values[i.code], 1) for i in ind.INDICATORS]
        return (r.name, r.counts.received, r.counts.finished, *["" if v is None else v for v in figures])
    return columns, [line(r) for r in report.rows], line(report.total)


def notes() -> list[str]:
    """What each indicator leaves out, for a footnote: "3.3: không kiểm tra kết quả điện tử"."""
    return ["%s: %s" % (i.code, tr(i.note)) for i in ind.INDICATORS if i.note]
