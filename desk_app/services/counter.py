"""The counter's list: today's dossiers, search, and one dossier's details and history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from ..domain import fees
from ..domain.codes import capability_url
from ..domain.dossier import EventKind, Rating, Status
from ..domain.lifecycle import Verdict, due_soon_limit, judge_row
from ..domain.i18n import tr
from ..domain.procedures import PaperForm
from ..storage import repositories as repo
from ..storage.models import Attachment, Unit, User
from .context import DeskContext, ServiceError


@dataclass(frozen=True)
class DossierSummary:
    code: str
    owner_name: str
    procedure_name: str
    received_at: datetime
    due_at: datetime
    status: Status
    verdict: Verdict
    phone: str
    id_number: str
    appointment_at: datetime | None = None   # what the citizen is told now (an apology moves it)
    finished_at: datetime | None = None
    stage: str = ""                          # ``lifecycle.Stage`` value


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    kind: EventKind
    label: str
    actor: str
    detail: str


@dataclass(frozen=True)
class AttachmentView:
    filename: str
    path: Path
    size: int
    sha256: str


@dataclass(frozen=True)
class DossierDetails:
    summary: DossierSummary
    procedure_code: str
    procedure_version: int
    applicant_type: str
    owner: dict
    submitter: dict | None
    components: list[tuple[str, str, int]]
    sets: int
    channel: str
    collect_by_post: bool
    notes: str
    clerk_name: str
    receipt_path: Path | None
    capability_url: str
    attachments: list[AttachmentView]
    history: list[HistoryEntry]


FINISHED = (Status.RESULT_READY, Status.RETURNED, Status.REFUSED, Status.WITHDRAWN, Status.STOPPED)


def _summary(d, now: datetime, soon: datetime, procedure_name: str | None = None) -> DossierSummary:
    """From a summary row (``repo.SUMMARY_COLUMNS``) or a Dossier with ``procedure_name``;
    ``soon``: ``lifecycle.due_soon_limit`` of ``now``."""
    status = Status(d.status)
    name = procedure_name if procedure_name is not None else d.procedure_name
    return DossierSummary(d.code, d.owner_name, name, d.received_at, d.due_at, status,
                          judge_row(d, now, soon), d.owner_phone, d.owner_id_number,
                          d.appointment_at or d.due_at, d.finished_at, d.stage)


def today(ctx: DeskContext, day: date | None = None) -> list[DossierSummary]:
    day = day or ctx.clock().date()
    start = datetime.combine(day, datetime.min.time())
    now = ctx.clock()
    with ctx.db.session(write=False) as s:
        soon = due_soon_limit(now, ctx.calendar())
        return [_summary(d, now, soon) for d in repo.dossier_summaries_received_between(s, start, start + timedelta(days=1))]


def search(ctx: DeskContext, query: str, limit: int = 200) -> list[DossierSummary]:
    now = ctx.clock()
    with ctx.db.session(write=False) as s:
        soon = due_soon_limit(now, ctx.calendar())
        return [_summary(d, now, soon) for d in repo.search_dossiers(s, query, limit)]


# The actor of a step taken from the command line (``desk-app receipt``): the machine's user
# or the ``--user`` given, not a desk account
CLI_ACTOR_PREFIX = "cli:"


def actor_label(actor: str, names: dict[str, str]) -> str:
    if actor in names:
        return names[actor]
    if actor.startswith(CLI_ACTOR_PREFIX):
        return tr("{user} (dòng lệnh)").format(user=actor[len(CLI_ACTOR_PREFIX):])
    return actor


_STARS = {Rating.VERY_SATISFIED: 3, Rating.SATISFIED: 2, Rating.UNSATISFIED: 1}


def _rating(payload: dict) -> str:
    """"★★★ Rất hài lòng (kiosk) · criteria · “comment”"."""
    try:
        level = Rating(payload.get("level"))
    except ValueError:
        return str(payload.get("level") or "")
    parts = ["%s %s" % ("★" * _STARS[level] + "☆" * (3 - _STARS[level]), level.label)]
    where = {"kiosk": tr("tại kiosk"), "web": tr("trên trang tra cứu"), "zalo": tr("qua Zalo")}
    if payload.get("channel"):
        parts[0] += " (%s)" % where.get(payload["channel"], str(payload["channel"]))
    criteria = payload.get("criteria") or {}
    if isinstance(criteria, dict) and criteria:
        parts.append(", ".join("%s: %s" % (k, v) for k, v in criteria.items()))
    if payload.get("comment"):
        parts.append("“%s”" % payload["comment"])
    return " · ".join(parts)


def _detail(kind: EventKind, payload: dict, units: dict[str, str], names: dict[str, str]) -> str:
    if kind is EventKind.TRANSFERRED:
        text = tr("Đến: {unit}").format(unit=units.get(payload.get("to_unit"), payload.get("to_unit") or ""))
        if payload.get("hop_due_at"):
            text += tr(" (hạn bước: {due})").format(
                due=datetime.fromisoformat(payload["hop_due_at"]).strftime("%H:%M %d/%m/%Y"))
        return text
    if kind is EventKind.ARRIVED:
        return units.get(payload.get("unit"), payload.get("unit") or "")
    if kind in (EventKind.ASSIGNED, EventKind.FORWARDED):
        return names.get(payload.get("to"), payload.get("to") or "")
    if kind is EventKind.SUPPLEMENT_REQUESTED:
        return "%s: %s" % (payload.get("reason", ""), "; ".join(payload.get("missing", [])))
    if kind is EventKind.SUPPLEMENT_RECEIVED:
        return tr("Hẹn trả mới: {due}").format(due=datetime.fromisoformat(payload["new_due"]).strftime("%H:%M %d/%m/%Y"))
    if kind is EventKind.APPOINTMENT_MOVED and payload.get("new_appointment"):
        return tr("Hẹn lại: {due} ({reason})").format(
            due=datetime.fromisoformat(payload["new_appointment"]).strftime("%H:%M %d/%m/%Y"), reason=payload.get("reason", ""))
    if kind is EventKind.RESULT_READY and payload.get("early"):
        return tr("Trước hẹn")
    if kind is EventKind.RETURNED:
        proxy = payload.get("proxy")
        return tr("Người nhận thay: {name}").format(name=proxy["name"]) if proxy else tr("Chủ hồ sơ nhận")
    if kind is EventKind.REFUSED:
        return "; ".join(payload.get("reasons", []))
    if kind is EventKind.PAYMENT_REQUESTED:
        return tr("{amount} đồng").format(amount="{:,}".format(payload.get("amount", 0)).replace(",", "."))
    if kind is EventKind.RECEIVED:
        text = tr("Hẹn trả: {due}").format(due=datetime.fromisoformat(payload["due_at"]).strftime("%H:%M %d/%m/%Y"))
        fee = fees.from_json(payload.get("fee"))
        return "; ".join([text] + ([str(payload["case_name"])] if payload.get("case_name") else [])
                         + ([tr("Phí, lệ phí: {fee}").format(fee=fees.fee_line(fee))] if fee else []))
    if kind is EventKind.PAYMENT_RECEIVED and fees.from_json(payload.get("fee")):
        return fees.fee_line(fees.from_json(payload.get("fee")))
    if kind is EventKind.ATTACHMENT_ADDED:
        return payload.get("filename", "")
    if kind is EventKind.RECEIPT_PRINTED:
        text = tr("In lại với mã QR mới") if payload.get("key_replaced") else tr("In giấy tiếp nhận")
        return text + (tr(", khổ {paper}").format(paper=payload["paper"]) if payload.get("paper") else "")
    if kind is EventKind.RATED:
        return _rating(payload)
    return str(payload.get("note") or payload.get("reason") or "")


def details(ctx: DeskContext, code: str) -> DossierDetails:
    """One dossier, whole; opening it here means a dossier received from another desk is seen."""
    result = _details(ctx, code)
    from ..storage import sync_repo
    from ..storage.sync_models import UnseenDossier
    with ctx.db.session(write=False) as s:
        unseen = s.get(UnseenDossier, result.summary.code) is not None
    if unseen:  # only then take the write lock
        with ctx.db.session() as s:
            sync_repo.mark_seen(s, result.summary.code)
    return result


def _details(ctx: DeskContext, code: str) -> DossierDetails:
    now = ctx.clock()
    with ctx.db.session(write=False) as s:
        d = repo.dossier_by_code(s, code)
        if d is None:
            raise ServiceError(tr("Không tìm thấy hồ sơ {code}.").format(code=code))
        agency = repo.get_agency(s)
        names = {u.username: u.full_name for u in s.scalars(select(User))}
        units = {u.code: u.name for u in s.scalars(select(Unit))}
        history = []
        for e in repo.events_of(s, d.code):
            kind = EventKind(e.kind)
            history.append(HistoryEntry(e.desk_time, kind, kind.label, actor_label(e.actor, names),
                                        _detail(kind, e.payload, units, names)))
        atts = [AttachmentView(a.filename, Path(a.stored_path), a.size, a.sha256)
                for a in s.scalars(select(Attachment).where(Attachment.dossier_id == d.id,
                                                            Attachment.kind == "scan"))]
        return DossierDetails(
            _summary(d, now, due_soon_limit(now, ctx.calendar()), d.procedure.name), d.procedure.code, d.procedure.version, d.applicant_type, d.owner, d.submitter,
            [(c["name"], PaperForm(c["form"]).label, c["count"]) for c in d.components], d.sets,
            d.channel, d.collect_by_post, d.notes, d.clerk.full_name,
            Path(d.receipt_path) if d.receipt_path else None,
            capability_url(agency.public_base_url, d.code, d.capability_key), atts, history)
