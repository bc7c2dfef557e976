"""The live queues: who holds what since when, and what is late, due soon or waiting."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, literal_column, select

from ..domain.dossier import Status
from ..domain.i18n import tr
from ..domain.lifecycle import AT_WORK_STAGES, Stage, Verdict, due_soon_limit, judge_row
from ..domain.roles import Action
from ..storage import projection
from ..storage.models import Dossier, ProcedureRow, Unit, User
from .context import CurrentUser, DeskContext, require

OPEN = (Status.RECEIVED.value, Status.PROCESSING.value, Status.SUPPLEMENT_REQUESTED.value,
        Status.PAYMENT_REQUESTED.value)


class Queue(str, enum.Enum):
    OPEN = "open"
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"             # within 2 working days
    BEHIND_HOP = "behind_hop"         # past the current hop's allowed time
    SUPPLEMENT = "supplement"
    SIGNATURE = "signature"
    RESULT_AT_COUNTER = "result_at_counter"

    @property
    def label(self) -> str:
        return {Queue.OPEN: tr("Đang giải quyết"), Queue.OVERDUE: tr("Quá hạn"),
                Queue.DUE_SOON: tr("Sắp đến hạn (2 ngày làm việc)"), Queue.BEHIND_HOP: tr("Chậm ở bước hiện tại"),
                Queue.SUPPLEMENT: tr("Chờ bổ sung"), Queue.SIGNATURE: tr("Chờ ký duyệt"),
                Queue.RESULT_AT_COUNTER: tr("Kết quả chờ trả")}[self]


@dataclass(frozen=True)
class Filter:
    queue: Queue = Queue.OPEN
    unit_id: int | None = None
    holder: str | None = None
    procedure_code: str | None = None


@dataclass(frozen=True)
class QueueRow:
    code: str
    owner_name: str
    procedure_name: str
    unit_name: str
    holder: str
    holder_since: datetime | None
    stage: str
    due_at: datetime              # the legal appointment
    appointment_at: datetime      # what the citizen is told now
    hop_due_at: datetime | None
    verdict: Verdict


def _queue_conditions(ctx: DeskContext, q: Queue, now: datetime) -> list:
    """What puts a dossier in queue ``q`` (open queues also need ``finished_at IS NULL``)."""
    if q is Queue.OPEN:
        return [Dossier.status.in_(OPEN)]
    if q is Queue.OVERDUE:
        return [projection.overdue_at(now)]
    if q is Queue.DUE_SOON:
        return [projection.due_soon_at(now, due_soon_limit(now, ctx.calendar()))]
    # ``stage || ''``, ``status + 0``: the open queues are read from the open dossiers' indexes, in
    # due order, which carry these columns; on the stage or status index SQLite fetched and sorted
    # the wide rows of every open dossier at that stage (a second at a million dossiers)
    if q is Queue.BEHIND_HOP:
        return [projection.running_at(now), Dossier.hop_due_at.is_not(None), Dossier.hop_due_at < now,
                _no_index(Dossier.stage).in_([st.value for st in AT_WORK_STAGES])]
    if q is Queue.SUPPLEMENT:
        return [(Dossier.status + 0) == Status.SUPPLEMENT_REQUESTED.value]
    if q is Queue.SIGNATURE:
        return [_no_index(Dossier.stage) == Stage.REVIEW.value]
    return [Dossier.stage == Stage.RESULT.value]  # RESULT_AT_COUNTER


def _no_index(column):
    """The column as an expression SQLite reads from a row or a covering index, never seeks by."""
    return column.op("||")(literal_column("''"))


def _filter_conditions(f: Filter) -> list:
    c = []
    if f.unit_id is not None:
        c.append(Dossier.holder_unit_id == f.unit_id)
    if f.holder is not None:
        c.append(Dossier.holder_user == f.holder)
    if f.procedure_code:
        c.append(ProcedureRow.code == f.procedure_code)
    return c


OPEN_ONLY = Dossier.finished_at.is_(None)  # also what lets SQLite use the partial index of open dossiers


def _conditions(ctx: DeskContext, f: Filter, now: datetime) -> list:
    open_only = [] if f.queue is Queue.RESULT_AT_COUNTER else [OPEN_ONLY]
    return open_only + _queue_conditions(ctx, f.queue, now) + _filter_conditions(f)


def rows(ctx: DeskContext, user: CurrentUser, f: Filter, limit: int = 1000) -> list[QueueRow]:
    """The dossiers in a queue, most urgent first."""
    require(user, Action.VIEW_DOSSIERS)
    return _select_rows(ctx, _conditions(ctx, f, ctx.clock()), limit)


def _select_rows(ctx: DeskContext, conditions: list, limit: int) -> list[QueueRow]:
    now = ctx.clock()
    with ctx.db.session(write=False) as s:
        q = (select(Dossier.code, Dossier.owner_name, ProcedureRow.name, Unit.name, User.full_name,
                    Dossier.holder_user, Dossier.holder_since, Dossier.stage, Dossier.due_at,
                    Dossier.appointment_at, Dossier.hop_due_at, Dossier.finished_at, Dossier.status,
                    Dossier.supplement_count, Dossier.outcome)
             .join(ProcedureRow, ProcedureRow.id == Dossier.procedure_id)
             .outerjoin(Unit, Unit.id == Dossier.holder_unit_id)
             .outerjoin(User, User.username == Dossier.holder_user)
             .where(*conditions).order_by(Dossier.due_at, Dossier.id).limit(limit))
        soon = due_soon_limit(now, ctx.calendar())
        return [QueueRow(r.code, r.owner_name, r[2], r[3] or "", r[4] or r.holder_user or "", r.holder_since,
                         r.stage, r.due_at, r.appointment_at or r.due_at, r.hop_due_at, judge_row(r, now, soon))
                for r in s.execute(q)]


def counts(ctx: DeskContext, user: CurrentUser, unit_id: int | None = None,
           holder: str | None = None) -> dict[Queue, int]:
    """How many dossiers each queue holds (the dashboard's tiles).

    One pass over the partial index of open dossiers for the running queues, and one
    indexed count for the results waiting at the counter.
    """
    require(user, Action.VIEW_DOSSIERS)
    now = ctx.clock()
    running = [q for q in Queue if q is not Queue.RESULT_AT_COUNTER]
    sums = [func.sum(case((and_(*_queue_conditions(ctx, q, now)), 1), else_=0)) for q in running]
    filters = _filter_conditions(Filter(unit_id=unit_id, holder=holder))
    with ctx.db.session(write=False) as s:
        values = dict(zip(running, s.execute(select(*sums).where(OPEN_ONLY, *filters)).one()))
        at_counter = _conditions(ctx, Filter(Queue.RESULT_AT_COUNTER, unit_id, holder), now)
        values[Queue.RESULT_AT_COUNTER] = s.scalar(select(func.count()).select_from(Dossier).where(*at_counter))
    return {q: int(values[q] or 0) for q in Queue}


@dataclass(frozen=True)
class Holding:
    unit_name: str
    holder: str
    count: int
    overdue: int
    oldest_since: datetime | None


def holdings(ctx: DeskContext, user: CurrentUser) -> list[Holding]:
    """Who holds how many open dossiers, by unit and person, and since when."""
    require(user, Action.VIEW_DOSSIERS)
    now = ctx.clock()
    with ctx.db.session(write=False) as s:
        units = {u.id: u.name for u in s.scalars(select(Unit))}
        people = {u.username: u.full_name for u in s.scalars(select(User))}
        overdue = func.sum(case((projection.overdue_at(now), 1), else_=0))
        q = (select(Dossier.holder_unit_id, Dossier.holder_user, func.count(), overdue,
                    func.min(Dossier.holder_since))
             # ``status + 0``: read from the open dossiers' index, which carries every column here; on
             # the status index SQLite fetched the wide row of each of a million desk's 80,000 open ones
             .where(Dossier.finished_at.is_(None), (Dossier.status + 0).in_(OPEN))
             .group_by(Dossier.holder_unit_id, Dossier.holder_user))
        out = [Holding(units.get(u, ""), people.get(h, h) if h else tr("(chưa phân công)"), n, late or 0, since)
               for u, h, n, late, since in s.execute(q)]
    return sorted(out, key=lambda h: -h.count)


def my_queue(ctx: DeskContext, user: CurrentUser) -> list[QueueRow]:
    """A specialist's "assigned to me", most urgent first."""
    return rows(ctx, user, Filter(Queue.OPEN, holder=user.username))


def unit_queue(ctx: DeskContext, user: CurrentUser) -> list[QueueRow]:
    return rows(ctx, user, Filter(Queue.OPEN, unit_id=user.unit_id))


def results_in_unit(ctx: DeskContext, user: CurrentUser, unit_id: int | None = None,
                    holder: str | None = None) -> list[QueueRow]:
    """Results ready in a unit and not yet sent back to the counter (no open queue holds them)."""
    require(user, Action.VIEW_DOSSIERS)
    c = [Dossier.stage == Stage.RESULT_UNIT.value]
    if unit_id is not None:
        c.append(Dossier.holder_unit_id == unit_id)
    if holder is not None:
        c.append(Dossier.holder_user == holder)
    return _select_rows(ctx, c, 1000)
