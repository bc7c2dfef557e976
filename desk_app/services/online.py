"""The counter's queue of online submissions: check, then accept, ask for papers, or refuse.

A submission reaches the desk as any other dossier does, by sync: the server's
``submitted_online`` event opens it (stage ``online``, status "Mới đăng ký"). The clerk reads
the e-form and the components' PDFs (fetched from the server on first view and kept in the
desk's file store), and takes one of three steps, each one event through the reducer:

* **accept** (``accepted_online``): the legal appointment is counted from now with the
  procedure's online-channel time and cut-off, by the desk's calendar (the one rule intake uses);
* **ask for papers** (``supplement_requested`` before acceptance, Mẫu 02's content shown on
  the citizen's page, where the citizen adds them: the submission comes back to the queue);
* **refuse** (``refused``, Mẫu 03 with its reasons).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from ..domain import lifecycle
from ..domain.dossier import EventKind
from ..domain.i18n import tr
from ..domain.procedures import Channel, procedure_from_dict
from ..domain.roles import Action
from ..domain.text import clean
from ..storage import repositories as repo
from ..storage.models import Dossier
from ..sync.client import SyncError
from . import sync, workflow
from .context import CurrentUser, DeskContext, ServiceError, require

QUEUE_STAGES = (lifecycle.Stage.ONLINE.value, lifecycle.Stage.ONLINE_SUPPLEMENT.value)


@dataclass(frozen=True)
class OnlineFile:
    component: str
    sha256: str
    pages: int
    added_at: datetime
    supplement: bool = False     # sent later, for a supplement request


@dataclass(frozen=True)
class Submission:
    code: str
    procedure_code: str
    procedure_name: str
    owner_name: str
    submitted_at: datetime
    stage: str
    stage_label: str
    owner: dict = field(default_factory=dict)
    submitter: dict | None = None
    applicant_type: str = "individual"
    components: list[dict] = field(default_factory=list)
    files: list[OnlineFile] = field(default_factory=list)
    notes: str = ""
    collect_by_post: bool = False
    supplement_reason: str = ""
    supplement_missing: list[str] = field(default_factory=list)
    cases: list[tuple[str, str]] = field(default_factory=list)   # (key, name): the counter chooses one


def queue(ctx: DeskContext, user: CurrentUser, include_waiting: bool = True) -> list[Submission]:
    """Online submissions not yet accepted, oldest first (those waiting for the citizen's
    papers last, if asked for)."""
    require(user, Action.INTAKE)
    stages = QUEUE_STAGES if include_waiting else QUEUE_STAGES[:1]
    with ctx.db.session(write=False) as s:
        rows = s.scalars(select(Dossier).where(Dossier.stage.in_(stages))
                         .order_by(Dossier.stage, Dossier.received_at, Dossier.code)).all()
        return [_submission(s, d, brief=True) for d in rows]


def details(ctx: DeskContext, user: CurrentUser, code: str) -> Submission:
    require(user, Action.INTAKE)
    with ctx.db.session(write=False) as s:
        d = repo.dossier_by_code(s, clean(code).upper())
        if d is None or d.channel != Channel.ONLINE.value:
            raise ServiceError(tr("Không tìm thấy hồ sơ trực tuyến {code}.").format(code=code))
        return _submission(s, d)


def _submission(s, d: Dossier, brief: bool = False) -> Submission:
    stage = lifecycle.Stage(d.stage)
    files: list[OnlineFile] = []
    reason, missing = "", []
    if not brief:
        for e in repo.events_of(s, d.code):
            p = e.payload if isinstance(e.payload, dict) else {}
            if e.kind == EventKind.SUBMITTED_ONLINE.value:
                files += [OnlineFile(str(f.get("name", "")), f["sha256"], int(f.get("pages") or 0), e.desk_time)
                          for f in p.get("files") or [] if isinstance(f, dict) and _hex64(f.get("sha256"))]
            elif e.kind == EventKind.CITIZEN_MESSAGE.value:
                files += [OnlineFile(str(f.get("name", "")), f["sha256"], int(f.get("pages") or 0), e.desk_time, True)
                          for f in p.get("supplement") or [] if isinstance(f, dict) and _hex64(f.get("sha256"))]
            elif e.kind == EventKind.SUPPLEMENT_REQUESTED.value:
                reason = str(p.get("reason") or "")
                missing = [m for m in p.get("missing") or [] if isinstance(m, str)]
    proc = _procedure(d)
    cases = [(c.key, c.name) for c in proc.cases] if proc is not None and proc.has_cases else []
    return Submission(d.code, d.procedure.code, d.procedure.name, d.owner_name, d.received_at, d.stage,
                      stage.label, d.owner or {}, d.submitter, d.applicant_type, d.components or [], files,
                      d.notes or "", bool(d.collect_by_post), reason, missing, cases)


def _procedure(d: Dossier):
    try:
        return procedure_from_dict(d.procedure.data) if d.procedure is not None else None
    except (ValueError, TypeError):
        return None


def _hex64(value) -> bool:
    return isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)


def accept(ctx: DeskContext, user: CurrentUser, code: str, note: str = "", case: str = "") -> workflow.StepResult:
    """Accept the submission: from now, the legal appointment of the procedure's online channel,
    for the ``case`` the counter chose when the procedure has several (``Submission.cases``)."""
    cal = ctx.calendar()

    def payload(s, d, state, now):
        proc = _procedure(d)
        chosen = proc.case(case or None) if proc is not None else None
        if proc is not None and proc.has_cases and chosen is None:
            raise ServiceError(tr("Chọn trường hợp của thủ tục trước khi tiếp nhận: thời hạn giải quyết tùy trường hợp."))
        terms = (chosen.channels.get(Channel.ONLINE) or chosen.channels.get(Channel.DIRECT)) if chosen is not None else None
        if terms is None:
            raise ServiceError(tr("Thủ tục {code} chưa có thời hạn giải quyết trong danh mục của quầy.").format(
                code=d.procedure.code if d.procedure else "?"))
        return {"received_at": now.isoformat(), "due_at": cal.appointment(now, terms.deadline).isoformat(),
                "note": clean(note),
                **({"case": chosen.key, "case_name": chosen.name} if proc.has_cases else {})}
    return workflow._step(ctx, user, clean(code).upper(), Action.INTAKE, EventKind.ACCEPTED_ONLINE, payload)


def ask_for_papers(ctx: DeskContext, user: CurrentUser, code: str, reason: str, missing: list[str]) -> workflow.StepResult:
    """Ask the online applicant for papers before accepting (Mẫu 02's content on their page)."""
    require(user, Action.INTAKE)
    reason, missing = clean(reason), [clean(m) for m in missing if clean(m)]
    if not reason or not missing:
        raise ServiceError(tr("Cần ghi lý do và danh sách giấy tờ cần bổ sung."))

    def form(s, d):
        from . import forms
        return forms.supplement_request(ctx, s, d, reason, missing)
    return workflow._step(ctx, user, clean(code).upper(), Action.INTAKE, EventKind.SUPPLEMENT_REQUESTED,
                          lambda s, d, state, now: {"reason": reason, "missing": missing,
                                                    "resume_stage": state.stage.value}, form)


def refuse(ctx: DeskContext, user: CurrentUser, code: str, reasons: list[str]) -> workflow.StepResult:
    """Refuse the submission (Mẫu 03 with its reasons)."""
    return workflow.refuse(ctx, user, clean(code).upper(), reasons)


def file_path(ctx: DeskContext, user: CurrentUser, code: str, sha256: str) -> Path:
    """The component's PDF on this desk, fetched from the server the first time."""
    sub = details(ctx, user, code)
    if sha256 not in {f.sha256 for f in sub.files}:
        raise ServiceError(tr("Tệp này không thuộc hồ sơ {code}.").format(code=code))
    target = ctx.attachments_dir / sha256[:2] / (sha256 + ".pdf")
    if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() == sha256:
        return target
    try:
        with sync.client_for(ctx) as client:
            client.download(sha256, target)
    except SyncError as e:
        raise ServiceError(tr("Chưa tải được tệp từ máy chủ trung tâm: {error}").format(error=e)) from None
    return target
