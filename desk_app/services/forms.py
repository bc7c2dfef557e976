"""Building the printed forms' data from a dossier and its events, keeping the PDFs, numbering them
from the leased series, and listing and reprinting what was printed ("Giấy tờ đã in").

Every print is an event of the dossier (``FORM_PRINTED``, or ``RECEIPT_PRINTED`` for the receipt),
so the list, the reprints and the audit read the same one history.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from ..domain.dossier import ApplicantType, EventKind
from ..domain.forms import (ApologyData, ControlSlipData, FormHeader, FormKind, Hop, MissingPaper, Party,
                            RefusalData, SupplementRequestData)
from ..domain.i18n import tr
from ..domain.lifecycle import finished_verdict
from ..domain.procedures import PaperForm, procedure_from_dict
from ..domain.roles import Action, Role
from ..storage import repositories as repo
from ..storage.models import Dossier, Unit, User
from . import form_numbers
from .context import CurrentUser, DeskContext, ServiceError, require

SUPPLEMENT_SIGNER = "NGƯỜI HƯỚNG DẪN"   # Mẫu 02's signature, whoever made the request
APOLOGY_SIGNER = "THỦ TRƯỞNG CƠ QUAN"   # Mẫu 04: the head of the agency that is late


def header(s, at: datetime) -> FormHeader:
    a = repo.get_agency(s)
    return FormHeader(a.parent_name.upper(), a.name.upper(), a.place, at)


def party_of(dossier: Dossier) -> Party:
    """The owner as the forms print it: an organisation with its tax code, the contact lines."""
    owner = dossier.owner or {}
    return Party(dossier.owner_name, dossier.applicant_type == ApplicantType.ORGANISATION.value,
                 dossier.owner_id_number, owner.get("address", ""), dossier.owner_phone, owner.get("email", ""))


def proxy_of(dossier: Dossier) -> dict | None:
    """The person who handed the dossier in for the owner, if it was not the owner."""
    sub = dossier.submitter
    if not sub or not sub.get("name"):
        return None
    if sub.get("name") == dossier.owner_name and sub.get("id_number") == dossier.owner_id_number:
        return None
    return sub


def kept_path(root: Path, d: Dossier | None, at: datetime, kind: str | None = None, code: str = "") -> Path:
    """A new file name for a printed PDF kept with the dossier: never overwrites an earlier print."""
    folder = root / (d.received_at if d is not None else at).strftime("%Y/%m")
    folder.mkdir(parents=True, exist_ok=True)
    stem = "-".join(p for p in (d.code if d is not None else code, kind, at.strftime("%Y%m%d%H%M%S")) if p)
    path, n = folder / (stem + ".pdf"), 1
    while path.exists():
        n += 1
        path = folder / ("%s-%d.pdf" % (stem, n))
    return path


_FILE_KINDS = {FormKind.CONTROL_SLIP: "phieu-kiem-soat", FormKind.SUPPLEMENT: "yeu-cau-bo-sung",
               FormKind.REFUSAL: "tu-choi", FormKind.APOLOGY: "xin-loi-hen-lai"}


def forms_dir(ctx: DeskContext) -> Path:
    return ctx.data_dir / "forms"


def _actor(s, d: Dossier) -> str:
    """Who took the step the form belongs to: the last event's author (just appended)."""
    events = repo.events_of(s, d.code)
    return events[-1].actor if events else ""


def _keep(ctx: DeskContext, s, d: Dossier, kind: FormKind, at: datetime, render, number: str = "",
          actor: str | None = None) -> Path:
    """Render the form into a new kept file and record the print as an event of the dossier."""
    path = kept_path(forms_dir(ctx), d, at, _FILE_KINDS[kind])
    render(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    repo.append_event(s, d, EventKind.FORM_PRINTED,
                      {"form": kind.value, "number": number, "file": path.name, "sha256": digest, "reprint": False},
                      actor if actor is not None else _actor(s, d), ctx.desk_id, at)
    return path


def _names(s) -> dict[str, str]:
    return {u.username: u.full_name for u in s.scalars(select(User))}


def hops(ctx: DeskContext, s, d: Dossier, now: datetime | None = None) -> list[Hop]:
    """The control slip's hand-overs, each judged against its own allowed time.

    A hop starts when a unit hands the dossier over and ends when the receiving unit
    hands it on; its verdict compares, by date as the statistics do, the end with the
    start plus the hop's allowed working time (supplement pauses added).
    """
    units = {u.code: u.name for u in s.scalars(select(Unit))}
    names = _names(s)
    events = list(repo.events_of(s, d.code))
    cal = ctx.calendar()
    out: list[Hop] = []
    transfers = [i for i, e in enumerate(events) if e.kind == EventKind.TRANSFERRED.value]
    for n, i in enumerate(transfers):
        e = events[i]
        end_index = transfers[n + 1] if n + 1 < len(transfers) else None
        receiver = next((x for x in events[i + 1:end_index] if x.kind == EventKind.ARRIVED.value), None)
        allowed = e.payload.get("allowed_hours")
        verdict_text, note = "", e.payload.get("note", "")
        if allowed:
            due = cal.add_working_time(e.desk_time, timedelta(hours=allowed))
            paused = timedelta(0)
            span = events[i + 1:end_index] if end_index else events[i + 1:]
            for x in span:  # every event that ends a pause says how long the clock stood still
                if isinstance(x.payload.get("paused_seconds"), int):
                    paused += timedelta(seconds=x.payload["paused_seconds"])
            due = cal.shift(due, paused)
            end = events[end_index].desk_time if end_index is not None else None
            verdict_text = finished_verdict(end, due, 0).label if end is not None else ""
            note = (note + " " if note else "") + tr("Thời hạn bước: {h} giờ làm việc, đến {due}").format(
                h=("%g" % allowed).replace(".", ","), due=due.strftime("%H:%M %d/%m/%Y"))
        out.append(Hop(units.get(e.payload.get("from_unit") or "", e.payload.get("from_unit") or ""),
                       units.get(e.payload.get("to_unit"), e.payload.get("to_unit")), e.desk_time,
                       names.get(e.actor, e.actor),
                       names.get(receiver.actor, receiver.actor) if receiver else "", verdict_text, note))
    return out


def agencies(s, d: Dossier) -> tuple[str, tuple[str, ...]]:
    """Mẫu 05's two lines: the agency that decides (the first department of the procedure's workflow,
    else the one the dossier went to, else the catalogue's), and those that take part with it."""
    units = [s.get(Unit, w.unit_id) for w in repo.workflow_of(s, d.procedure.code)]
    departments = [u.name for u in units if u is not None and u.kind != "counter"]
    if not departments:
        sent = [e.payload.get("to_unit_name") or e.payload.get("to_unit") for e in repo.events_of(s, d.code)
                if e.kind == EventKind.TRANSFERRED.value and e.payload.get("to_kind") != "counter"]
        departments = list(dict.fromkeys(x for x in sent if x))
    if not departments:
        departments = [procedure_from_dict(d.procedure.data).agency]
    handling = departments[0]
    return handling, tuple(x for x in dict.fromkeys(departments[1:]) if x != handling)


def control_slip(ctx: DeskContext, s, d: Dossier) -> Path:
    from ..documents.control_slip import render_control_slip
    now = ctx.clock().replace(microsecond=0)
    handling, coordinating = agencies(s, d)
    data = ControlSlipData(header(s, now), d.code, d.owner_name, d.procedure.name, d.received_at,
                           d.due_at, tuple(hops(ctx, s, d, now)), handling, coordinating)  # the legal appointment
    return _keep(ctx, s, d, FormKind.CONTROL_SLIP, now, lambda p: render_control_slip(data, p))


def missing_papers(proc_data: dict, names: list[str]) -> tuple[MissingPaper, ...]:
    """The table of Mẫu 02: each paper with its form and count from the catalogue when it is one of
    the procedure's components, as typed otherwise."""
    proc = procedure_from_dict(proc_data)
    known = {c.name: c for c in proc.components}
    out = []
    for name in names:
        c = known.get(name)
        out.append(MissingPaper(name, c.form.label if c else "", c.count if c else 1))
    return tuple(out)


def supplement_request(ctx: DeskContext, s, d: Dossier, reason: str, missing: list[str]) -> Path:
    """Mẫu 02 during processing: signed by whoever asked (the specialist, or the clerk)."""
    from ..documents.supplement import render_supplement_request
    now = ctx.clock().replace(microsecond=0)
    actor = _actor(s, d)
    signer = repo.user_by_username(s, actor)
    number = form_numbers.take(ctx, s, FormKind.SUPPLEMENT, now)
    data = SupplementRequestData(
        header(s, now), number, d.code, party_of(d), d.procedure.name, d.received_at, reason,
        missing_papers(d.procedure.data, missing), SUPPLEMENT_SIGNER, signer.full_name if signer else actor,
        signer.full_name if signer else actor, repo.get_setting(s, "centre_phone"))
    return _keep(ctx, s, d, FormKind.SUPPLEMENT, now, lambda p: render_supplement_request(data, p), number, actor)


def refusal(ctx: DeskContext, s, d: Dossier, reasons: list[str]) -> Path:
    """Mẫu 03 for a received dossier: signed by who handed it in (the owner or the proxy) and the clerk."""
    from ..documents.refusal import render_refusal
    now = ctx.clock().replace(microsecond=0)
    actor = _actor(s, d)
    clerk = repo.user_by_username(s, actor)
    number = form_numbers.take(ctx, s, FormKind.REFUSAL, now)
    proxy = proxy_of(d)
    data = RefusalData(header(s, now), number, d.code, party_of(d), d.procedure.name, tuple(reasons),
                       (proxy or {"name": d.owner_name})["name"], clerk.full_name if clerk else d.clerk.full_name)
    return _keep(ctx, s, d, FormKind.REFUSAL, now, lambda p: render_refusal(data, p), number, actor)


def _unit_head(s, unit: Unit | None, actor: str) -> str:
    """The leader of the late unit: who issued the apology if a leader there, else its first leader."""
    if unit is None:
        return ""
    leaders = s.scalars(select(User).where(User.unit_id == unit.id, User.role == Role.SUPERVISOR.value,
                                           User.active.is_(True)).order_by(User.id)).all()
    for u in leaders:
        if u.username == actor:
            return u.full_name
    return leaders[0].full_name if leaders else ""


def apology(ctx: DeskContext, s, d: Dossier) -> Path:
    """Mẫu 04 from the late agency, through the centre; cites the appointment the citizen was given."""
    from ..documents.apology import render_apology
    now = ctx.clock().replace(microsecond=0)
    e = [x for x in repo.events_of(s, d.code) if x.kind == EventKind.APPOINTMENT_MOVED.value][-1]
    p = e.payload
    agency = repo.get_agency(s)
    late = next((u for u in s.scalars(select(Unit)) if u.name == p.get("late_unit")), None)
    late_name = p.get("late_unit") or agency.name
    number = form_numbers.take(ctx, s, FormKind.APOLOGY, now)
    data = ApologyData(
        FormHeader(agency.parent_name, late_name, agency.place, now), number, d.code, party_of(d),
        d.procedure.name, d.received_at, datetime.fromisoformat(p["old_appointment"]), p["reason"],
        datetime.fromisoformat(p["new_appointment"]),
        "%s, %s" % (repo.get_setting(s, "counter_location"), agency.address), agency.name,
        APOLOGY_SIGNER, _unit_head(s, late, e.actor))
    return _keep(ctx, s, d, FormKind.APOLOGY, now, lambda path: render_apology(data, path), number, e.actor)


# -- what was printed, and printing it again ----------------------------------------------
@dataclass(frozen=True)
class PrintedPaper:
    """One line of "Giấy tờ đã in"."""

    event_id: str
    kind: FormKind
    number: str
    printed_at: datetime
    by: str                 # full name
    path: Path | None       # the kept PDF (None if it is no longer on this desk)
    reprint: bool

    @property
    def label(self) -> str:
        return self.kind.label


def _paper_path(ctx: DeskContext, d: Dossier, kind: FormKind, file: str) -> Path | None:
    if not file or "/" in file or "\\" in file or file.startswith("."):
        return None  # a name from an event: never a path that leaves the folder
    root = ctx.receipts_dir if kind is FormKind.RECEIPT else forms_dir(ctx)
    path = root / d.received_at.strftime("%Y/%m") / file
    return path if path.is_file() else None


def printed_papers(ctx: DeskContext, user: CurrentUser, code: str) -> list[PrintedPaper]:
    """Every form printed for the dossier, first to last, reprints included."""
    require(user, Action.VIEW_DOSSIERS)
    with ctx.db.session(write=False) as s:
        d = repo.dossier_by_code(s, code)
        if d is None:
            raise ServiceError(tr("Không tìm thấy hồ sơ {code}.").format(code=code))
        names = _names(s)
        out = []
        for e in repo.events_of(s, code):
            if e.kind == EventKind.RECEIPT_PRINTED.value:
                kind, number, reprint = FormKind.RECEIPT, "", False
            elif e.kind == EventKind.FORM_PRINTED.value:
                try:
                    kind = FormKind(e.payload.get("form"))
                except ValueError:
                    continue
                number, reprint = str(e.payload.get("number") or ""), bool(e.payload.get("reprint"))
            else:
                continue
            out.append(PrintedPaper(e.id, kind, number, e.desk_time, names.get(e.actor, e.actor),
                                    _paper_path(ctx, d, kind, str(e.payload.get("file") or "")), reprint))
        return out


def reprint(ctx: DeskContext, user: CurrentUser, code: str, event_id: str) -> Path:
    """The kept PDF of an earlier print, again: the same file and number (no new number, no new
    key), recorded as a reprint in the dossier's history."""
    require(user, Action.VIEW_DOSSIERS)
    now = ctx.clock().replace(microsecond=0)
    papers = {p.event_id: p for p in printed_papers(ctx, user, code)}
    paper = papers.get(event_id)
    if paper is None:
        raise ServiceError(tr("Không có giấy tờ này trong hồ sơ {code}.").format(code=code))
    if paper.path is None:
        raise ServiceError(tr("Không còn tệp đã lưu của giấy tờ này trên máy."))
    if paper.kind is FormKind.RECEIPT:
        require(user, Action.PRINT_RECEIPT)
        from .receipts import refusal   # receipts uses this module
        with ctx.db.session(write=False) as s:
            # one an older desk printed for an online submission not accepted: never a receipt
            why = refusal(code, repo.dossier_by_code(s, code).stage)
        if why:
            raise ServiceError(why)
        latest = [p for p in papers.values() if p.kind is FormKind.RECEIPT and not p.reprint][-1]
        if latest.event_id != paper.event_id and latest.path != paper.path:
            # an older print may carry a QR key that was replaced since: it would not open the dossier
            raise ServiceError(tr("Giấy tiếp nhận này đã có bản in mới hơn (có thể với mã QR mới); "
                                  "hãy in lại bản mới nhất."))
    with ctx.db.session() as s:
        d = repo.dossier_by_code(s, code)
        repo.append_event(s, d, EventKind.FORM_PRINTED,
                          {"form": paper.kind.value, "number": paper.number, "file": paper.path.name,
                           "sha256": hashlib.sha256(paper.path.read_bytes()).hexdigest(), "reprint": True},
                          user.username, ctx.desk_id, now)
    return paper.path


# -- guidance at the counter, before any dossier exists -----------------------------------
MAX_ITEMS = 50
MAX_ITEM = 1000


@dataclass(frozen=True)
class GuidanceGiven:
    """One line of the register of guidance given at the counter."""

    id: str
    kind: FormKind                 # SUPPLEMENT (Mẫu 02) or REFUSAL (Mẫu 03)
    number: str
    issued_at: datetime
    by: str                        # full name
    applicant: str
    procedure_name: str
    items: tuple[str, ...]
    reason: str
    path: Path | None

    @property
    def label(self) -> str:
        return self.kind.label


def _text(value: str, limit: int = MAX_ITEM) -> str:
    """Typed text from the counter: NFC, one line, no control characters, bounded."""
    from ..domain.text import clean
    kept = "".join(ch if ch.isprintable() and not 0xD800 <= ord(ch) <= 0xDFFF else " " for ch in value or "")
    return clean(kept)[:limit].strip()


def _phone(typed: str) -> str:
    """A phone number written as intake writes it when it is a valid one, else as typed (bounded)."""
    from ..domain.identity import InvalidValue, check_phone
    try:
        return check_phone(typed) if _text(typed) else ""
    except InvalidValue:
        return _text(typed, 20)


def give_guidance(ctx: DeskContext, user: CurrentUser, form, kind: FormKind, items: list[str],
                  reason: str = "") -> GuidanceGiven:
    """At the counter, for papers that do not become a received dossier: a numbered Mẫu 02 (what to
    add or complete, ``items`` the papers) or Mẫu 03 (a refusal, ``items`` the reasons), printed and
    kept, and written in the register of guidance given. ``form`` is the intake form as typed: its
    components need not be complete (that is why the citizen gets this slip)."""
    import uuid

    from ..documents.refusal import render_refusal
    from ..documents.supplement import render_supplement_request
    from ..storage.models import GuidanceGiven as Row

    require(user, Action.GUIDE)
    if kind not in (FormKind.SUPPLEMENT, FormKind.REFUSAL):
        raise ServiceError(tr("Tại quầy chỉ lập phiếu yêu cầu bổ sung hoặc phiếu từ chối."))
    items = [t for t in (_text(i) for i in (items or [])[:MAX_ITEMS]) if t]
    reason = _text(reason, 4 * MAX_ITEM)
    if not items:
        raise ServiceError(tr("Cần ghi giấy tờ cần bổ sung, hoàn thiện.") if kind is FormKind.SUPPLEMENT
                           else tr("Cần ghi lý do từ chối."))
    owner, submitter = form.owner, form.submitter if form.submitter_differs else None
    organisation = form.applicant_type is ApplicantType.ORGANISATION
    party = Party(_text(owner.name, 300), organisation, _text(owner.id_number, 30), _text(owner.address, 500),
                  _phone(owner.phone), _text(owner.email, 200))
    if len(party.name) < 2:
        raise ServiceError(tr("Chưa nhập tên người (tổ chức) được hướng dẫn."))
    now = ctx.clock().replace(microsecond=0)
    with ctx.db.session() as s:
        row = repo.current_procedure(s, form.procedure_code, now.date()) if form.procedure_code else None
        if row is None:
            raise ServiceError(tr("Chưa chọn thủ tục hành chính."))
        number = form_numbers.take(ctx, s, kind, now)
        head = header(s, now)
        slug = "huong-dan-" + number.replace("/", "-")
        path = kept_path(forms_dir(ctx), None, now, _FILE_KINDS[kind], code=slug)
        if kind is FormKind.SUPPLEMENT:
            render_supplement_request(SupplementRequestData(
                head, number, "", party, row.name, None, reason, missing_papers(row.data, items), SUPPLEMENT_SIGNER,
                user.full_name, user.full_name, repo.get_setting(s, "centre_phone")), path)
        else:
            render_refusal(RefusalData(head, number, "", party, row.name, tuple(items),
                                       _text(submitter.name, 300) if submitter and _text(submitter.name) else party.name,
                                       user.full_name), path)
        applicant = {"name": party.name, "organisation": organisation, "id_number": party.id_number,
                     "address": party.address, "phone": party.phone, "email": party.email}
        if submitter is not None:
            applicant["submitter"] = {"name": _text(submitter.name, 300), "id_number": _text(submitter.id_number, 30)}
        rid = str(uuid.uuid4())
        s.add(Row(id=rid, kind=kind.value, number=number, issued_at=now, clerk=user.username, desk_id=ctx.desk_id,
                  procedure_code=row.code, procedure_name=row.name, applicant=applicant, items=items, reason=reason,
                  file=path.name))
    return GuidanceGiven(rid, kind, number, now, user.full_name, party.name, row.name, tuple(items), reason, path)


def guidance_register(ctx: DeskContext, user: CurrentUser, start, end) -> list[GuidanceGiven]:
    """The guidance given at the counter from ``start`` to ``end`` (dates, both included), in order."""
    from ..storage.models import GuidanceGiven as Row

    require(user, Action.VIEW_DOSSIERS)
    t0 = datetime.combine(start, datetime.min.time())
    t1 = datetime.combine(end + timedelta(days=1), datetime.min.time())
    with ctx.db.session(write=False) as s:
        names = _names(s)
        out = []
        for r in s.scalars(select(Row).where(Row.issued_at >= t0, Row.issued_at < t1).order_by(Row.issued_at)):
            path = forms_dir(ctx) / r.issued_at.strftime("%Y/%m") / r.file
            out.append(GuidanceGiven(r.id, FormKind(r.kind), r.number, r.issued_at, names.get(r.clerk, r.clerk),
                                     (r.applicant or {}).get("name", ""), r.procedure_name, tuple(r.items or ()),
                                     r.reason, path if path.is_file() else None))
        return out


def export_guidance_register(ctx: DeskContext, user: CurrentUser, start, end, path) -> Path:
    """The register of guidance given at the counter, as a PDF to print."""
    from ..documents.guidance_register import GuidanceLine, render_guidance_register

    lines = [GuidanceLine(g.number, g.label, g.issued_at, g.applicant, g.procedure_name,
                          "; ".join(g.items) + (" (%s)" % g.reason if g.reason else ""), g.by)
             for g in guidance_register(ctx, user, start, end)]
    with ctx.db.session(write=False) as s:
        head = header(s, ctx.clock())
    period = tr("Từ ngày {a} đến ngày {b}").format(a=start.strftime("%d/%m/%Y"), b=end.strftime("%d/%m/%Y"))
    return render_guidance_register(head, period, lines, path)
