"""The departments' steps: transfer, receive, assign, forward, supplement, apology, result, return.

Each step checks who may take it (roles), whether it may follow the dossier's status
(``domain.workflow``), appends its event and updates the projection, in one transaction.
Steps the law gives a form print it; the PDF path comes back with the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable

from ..domain.dossier import EventKind, Status
from ..domain.i18n import tr
from ..domain.roles import Action
from ..domain.text import clean
from ..domain.workflow import check_step
from ..storage import repositories as repo
from ..storage.models import Dossier, ProcedureWorkflow, Unit
from .context import CurrentUser, DeskContext, ServiceError, require


class StepRefused(ServiceError):
    pass


@dataclass(frozen=True)
class StepResult:
    code: str
    status: Status
    due_at: datetime
    appointment_at: datetime
    form_path: Path | None = None
    flagged: str | None = None   # a warning the user should see (second supplement request...)


def _now(ctx: DeskContext) -> datetime:
    return ctx.clock().replace(microsecond=0)


def _load(s, code: str) -> Dossier:
    d = repo.dossier_by_code(s, code)
    if d is None:
        raise ServiceError(tr("Không tìm thấy hồ sơ {code}.").format(code=code))
    return d


def _step(ctx: DeskContext, user: CurrentUser, code: str, action: Action, kind: EventKind,
          apply: Callable[[Any, Dossier, datetime], dict], form: Callable[[Any, Dossier], Path] | None = None,
          flag: Callable[[Dossier], str | None] | None = None) -> StepResult:
    """The frame every step shares: permission, state check, event, projection, form."""
    require(user, action)
    now = _now(ctx)
    with ctx.db.session() as s:
        d = _load(s, code)
        why = check_step(kind, Status(d.status))
        if why:
            raise StepRefused(why)
        payload = apply(s, d, now)
        unit = s.get(Unit, user.unit_id).code if user.unit_id else None
        repo.append_event(s, d, kind, payload, user.username, ctx.desk_id, now, unit=unit)
        flagged = flag(d) if flag else None
        path = form(s, d) if form and ctx.print_forms else None
        return StepResult(d.code, Status(d.status), d.due_at, d.appointment_at or d.due_at, path, flagged)


def _finish(ctx: DeskContext, d: Dossier, now: datetime) -> None:
    d.finished_at = now
    worked = ctx.calendar().working_time_between(d.received_at, now).total_seconds()
    d.processing_seconds = max(0, int(worked) - (d.paused_seconds or 0))


def _unit(s, code: str) -> Unit:
    u = repo.unit_by_code(s, code)
    if u is None:
        raise ServiceError(tr("Không có đơn vị {unit}.").format(unit=code))
    return u


def _hop_allowed(s, d: Dossier, unit: Unit) -> float | None:
    for step in repo.workflow_of(s, d.procedure.code):
        if step.unit_id == unit.id:
            return step.hours
    return None


# -- hand-overs ---------------------------------------------------------------------------
def transfer(ctx: DeskContext, user: CurrentUser, code: str, to_unit: str, note: str = "") -> StepResult:
    """Hand the dossier to another unit (or back to the counter); prints the control slip."""
    def apply(s, d, now):
        target = _unit(s, to_unit)
        source = s.get(Unit, d.holder_unit_id) if d.holder_unit_id else None
        if source is not None and source.id == target.id:
            raise StepRefused(tr("Hồ sơ đang ở chính đơn vị {unit}.").format(unit=target.name))
        allowed = _hop_allowed(s, d, target)
        d.holder_unit_id, d.holder_user, d.holder_since = target.id, None, now
        if target.kind != "counter":
            d.handling_unit_id = target.id
        d.stage = "result_transit" if d.status == Status.RESULT_READY.value else "transferring"
        d.hop_due_at = (ctx.calendar().add_working_time(now, timedelta(hours=allowed))
                        if allowed is not None and target.kind != "counter" else None)
        return {"from_unit": source.code if source else None, "to_unit": target.code,
                "allowed_hours": allowed, "hop_due_at": d.hop_due_at.isoformat() if d.hop_due_at else None,
                "note": clean(note)}

    def form(s, d):
        from . import forms
        return forms.control_slip(ctx, s, d)
    return _step(ctx, user, code, Action.TRANSFER, EventKind.TRANSFERRED, apply, form)


def receive(ctx: DeskContext, user: CurrentUser, code: str) -> StepResult:
    """The receiving unit scans the slip or receipt: "received by X at 14:02"."""
    def apply(s, d, now):
        if d.stage not in ("transferring", "result_transit"):
            raise StepRefused(tr("Hồ sơ {code} không đang được chuyển đến đơn vị nào.").format(code=d.code))
        if user.unit_id is not None and d.holder_unit_id != user.unit_id:
            unit = s.get(Unit, d.holder_unit_id)
            raise StepRefused(tr("Hồ sơ đang được chuyển đến {unit}, không phải đơn vị của bạn.")
                              .format(unit=unit.name if unit else "?"))
        d.stage = "result" if d.stage == "result_transit" else "in_unit"
        d.holder_user, d.holder_since = user.username, now
        unit = s.get(Unit, d.holder_unit_id)
        return {"unit": unit.code if unit else None}
    return _step(ctx, user, code, Action.RECEIVE, EventKind.ARRIVED, apply)


def assign(ctx: DeskContext, user: CurrentUser, code: str, to_username: str) -> StepResult:
    def apply(s, d, now):
        target = repo.user_by_username(s, to_username)
        if target is None or not target.active:
            raise ServiceError(tr("Không có chuyên viên {user}.").format(user=to_username))
        if target.unit_id != d.holder_unit_id:
            raise StepRefused(tr("{name} không thuộc đơn vị đang giữ hồ sơ.").format(name=target.full_name))
        reassign = d.stage == "assigned"
        d.stage, d.holder_user, d.holder_since = "assigned", target.username, now
        return {"to": target.username, "reassign": reassign}
    return _step(ctx, user, code, Action.ASSIGN, EventKind.ASSIGNED, apply)


def forward(ctx: DeskContext, user: CurrentUser, code: str, to_username: str, note: str = "") -> StepResult:
    """Send to a leader for review and signature."""
    def apply(s, d, now):
        target = repo.user_by_username(s, to_username)
        if target is None or target.role != "supervisor":
            raise ServiceError(tr("Chỉ trình được cho lãnh đạo."))
        d.stage, d.holder_user, d.holder_since = "review", target.username, now
        return {"to": target.username, "note": clean(note)}
    return _step(ctx, user, code, Action.PROCESS, EventKind.FORWARDED, apply)


def approve(ctx: DeskContext, user: CurrentUser, code: str, note: str = "") -> StepResult:
    def apply(s, d, now):
        if d.stage != "review":
            raise StepRefused(tr("Hồ sơ chưa được trình ký."))
        d.stage, d.holder_user, d.holder_since = "approved", user.username, now
        return {"note": clean(note)}
    return _step(ctx, user, code, Action.APPROVE, EventKind.APPROVED, apply)


# -- supplement ----------------------------------------------------------------------------
def request_supplement(ctx: DeskContext, user: CurrentUser, code: str, reason: str,
                       missing: list[str]) -> StepResult:
    """Ask the citizen for missing papers (Mẫu 02): the clock stops until they are brought."""
    reason, missing = clean(reason), [clean(m) for m in missing if clean(m)]
    if not reason or not missing:
        raise ServiceError(tr("Cần ghi lý do và danh sách giấy tờ cần bổ sung."))

    def apply(s, d, now):
        d.supplement_count += 1
        d.paused_since = now
        resume = d.stage
        d.stage = "supplement"
        return {"reason": reason, "missing": missing, "number": d.supplement_count, "resume_stage": resume}

    def flag(d):
        if d.supplement_count > 1:
            return tr("Đây là lần yêu cầu bổ sung thứ {n}: theo quy định, hồ sơ sẽ bị tính là quá hạn.").format(n=d.supplement_count)
        return None

    def form(s, d):
        from . import forms
        return forms.supplement_request(ctx, s, d, reason, missing)
    return _step(ctx, user, code, Action.PROCESS, EventKind.SUPPLEMENT_REQUESTED, apply, form, flag)


def record_supplement(ctx: DeskContext, user: CurrentUser, code: str, note: str = "") -> StepResult:
    """The citizen brought the papers: the clock resumes, the dates move by the paused time."""
    def apply(s, d, now):
        cal = ctx.calendar()
        paused = cal.working_time_between(d.paused_since or now, now)
        old_due = d.due_at
        d.due_at = cal.shift(d.due_at, paused)
        d.appointment_at = cal.shift(d.appointment_at or old_due, paused)
        if d.hop_due_at:
            d.hop_due_at = cal.shift(d.hop_due_at, paused)
        last = [e for e in repo.events_of(s, d.code) if e.kind == EventKind.SUPPLEMENT_REQUESTED.value][-1]
        d.stage = last.payload.get("resume_stage") or "in_unit"
        d.paused_since = None
        d.paused_seconds = (d.paused_seconds or 0) + int(paused.total_seconds())
        return {"paused_seconds": int(paused.total_seconds()), "old_due": old_due.isoformat(),
                "new_due": d.due_at.isoformat(), "note": clean(note)}
    return _step(ctx, user, code, Action.RECORD_SUPPLEMENT, EventKind.SUPPLEMENT_RECEIVED, apply)


# -- results and endings -------------------------------------------------------------------
def request_payment(ctx: DeskContext, user: CurrentUser, code: str, amount: int, note: str = "") -> StepResult:
    if amount <= 0:
        raise ServiceError(tr("Số tiền phải lớn hơn 0."))

    def apply(s, d, now):
        d.stage = "payment"
        return {"amount": int(amount), "note": clean(note)}
    return _step(ctx, user, code, Action.PROCESS, EventKind.PAYMENT_REQUESTED, apply)


def result_ready(ctx: DeskContext, user: CurrentUser, code: str, note: str = "") -> StepResult:
    """The result is ready; before the appointment, the appointment moves earlier."""
    def apply(s, d, now):
        _finish(ctx, d, now)
        d.stage = "result_unit"
        early = now.date() < (d.appointment_at or d.due_at).date()
        payload = {"early": early, "note": clean(note)}
        if early:
            payload["old_appointment"] = (d.appointment_at or d.due_at).isoformat()
            d.appointment_at = now
        return payload
    return _step(ctx, user, code, Action.PROCESS, EventKind.RESULT_READY, apply)


def apologise(ctx: DeskContext, user: CurrentUser, code: str, reason: str, new_due: datetime,
              late_unit: str | None = None) -> StepResult:
    """The apology letter with a new appointment (one per dossier), issued before the deadline."""
    reason = clean(reason)
    if not reason:
        raise ServiceError(tr("Cần ghi lý do chậm trễ."))

    def apply(s, d, now):
        current = d.appointment_at or d.due_at
        if any(e.kind == EventKind.APPOINTMENT_MOVED.value and e.payload.get("kind") == "apology"
               for e in repo.events_of(s, d.code)):
            raise StepRefused(tr("Hồ sơ này đã có phiếu xin lỗi và hẹn lại; không hẹn lại lần thứ hai."))
        if new_due <= current:
            raise StepRefused(tr("Ngày hẹn mới phải sau ngày hẹn hiện tại ({due}).").format(due=current.strftime("%d/%m/%Y")))
        if not ctx.calendar().is_working_day(new_due.date()):
            raise StepRefused(tr("Ngày hẹn mới phải là ngày làm việc."))
        unit = s.get(Unit, d.holder_unit_id) if d.holder_unit_id else None
        notice = ctx.calendar().working_time_between(now, current)
        d.appointment_at = new_due
        return {"kind": "apology", "reason": reason, "old_appointment": current.isoformat(),
                "new_appointment": new_due.isoformat(),
                "late_unit": late_unit or (unit.name if unit else ""),
                "short_notice": notice < ctx.calendar().day_length()}

    def form(s, d):
        from . import forms
        return forms.apology(ctx, s, d)
    return _step(ctx, user, code, Action.APOLOGISE, EventKind.APPOINTMENT_MOVED, apply, form)


def refuse(ctx: DeskContext, user: CurrentUser, code: str, reasons: list[str]) -> StepResult:
    reasons = [clean(r) for r in reasons if clean(r)]
    if not reasons:
        raise ServiceError(tr("Cần ghi lý do từ chối."))

    def apply(s, d, now):
        _finish(ctx, d, now)
        d.stage, d.holder_user = "closed", None
        return {"reasons": reasons}

    def form(s, d):
        from . import forms
        return forms.refusal(ctx, s, d, reasons)
    return _step(ctx, user, code, Action.REFUSE, EventKind.REFUSED, apply, form)


def withdraw(ctx: DeskContext, user: CurrentUser, code: str, reason: str) -> StepResult:
    def apply(s, d, now):
        _finish(ctx, d, now)
        d.stage = "closed"
        return {"reason": clean(reason)}
    return _step(ctx, user, code, Action.WITHDRAW, EventKind.WITHDRAWN, apply)


def stop(ctx: DeskContext, user: CurrentUser, code: str, reason: str) -> StepResult:
    if not clean(reason):
        raise ServiceError(tr("Cần ghi lý do dừng xử lý."))

    def apply(s, d, now):
        _finish(ctx, d, now)
        d.stage = "closed"
        return {"reason": clean(reason)}
    return _step(ctx, user, code, Action.STOP, EventKind.STOPPED, apply)


def return_result(ctx: DeskContext, user: CurrentUser, code: str, received_by: str = "owner",
                  proxy_name: str = "", proxy_id: str = "", authorisation: str = "") -> StepResult:
    """The citizen (or a proxy with an authorisation) takes the result; prints nothing more."""
    if received_by not in ("owner", "proxy"):
        raise ServiceError(tr("Người nhận phải là chủ hồ sơ hoặc người được ủy quyền."))
    if received_by == "proxy" and not (clean(proxy_name) and clean(proxy_id) and clean(authorisation)):
        raise ServiceError(tr("Cần ghi họ tên, số giấy tờ của người nhận thay và văn bản ủy quyền."))

    def apply(s, d, now):
        if d.stage != "result":
            raise StepRefused(tr("Kết quả chưa về Bộ phận Một cửa."))
        d.returned_at, d.stage, d.holder_user, d.holder_since = now, "returned", None, now
        payload: dict[str, Any] = {"received_by": received_by}
        if received_by == "proxy":
            payload["proxy"] = {"name": clean(proxy_name), "id_number": clean(proxy_id),
                                "authorisation": clean(authorisation)}
        return payload
    return _step(ctx, user, code, Action.RETURN_RESULT, EventKind.RETURNED, apply)


# -- per-procedure workflows ---------------------------------------------------------------
@dataclass(frozen=True)
class WorkflowStep:
    unit_code: str
    hours: float


def set_workflow(ctx: DeskContext, user: CurrentUser, procedure_code: str, steps: list[WorkflowStep]) -> None:
    require(user, Action.MANAGE_WORKFLOWS)
    with ctx.db.session() as s:
        if repo.current_procedure(s, procedure_code) is None:
            raise ServiceError(tr("Không có thủ tục {code}.").format(code=procedure_code))
        for old in repo.workflow_of(s, procedure_code):
            s.delete(old)
        s.flush()
        for n, st in enumerate(steps, start=1):
            if st.hours <= 0:
                raise ServiceError(tr("Thời gian của mỗi bước phải lớn hơn 0."))
            s.add(ProcedureWorkflow(procedure_code=procedure_code, step=n, unit_id=_unit(s, st.unit_code).id,
                                    hours=st.hours))


def get_workflow(ctx: DeskContext, procedure_code: str) -> list[WorkflowStep]:
    with ctx.db.session(write=False) as s:
        return [WorkflowStep(s.get(Unit, w.unit_id).code, w.hours) for w in repo.workflow_of(s, procedure_code)]
