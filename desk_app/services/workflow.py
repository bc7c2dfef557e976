"""The departments' steps: transfer, receive, assign, forward, supplement, apology, result, return.

Each step checks who may take it (roles) and whether the state machine allows it from the
dossier's state (``domain.lifecycle``), computes its payload (deadlines, pauses: the working-time
arithmetic needs the calendar) and appends its event, which the domain's reducer applies to the
row, in one transaction.
Steps the law gives a form print it; the PDF path comes back with the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable

from ..domain import lifecycle
from ..domain.dossier import EventKind, Status
from ..domain.fees import FeeCharged
from ..domain.i18n import tr
from ..domain.lifecycle import DossierState, Stage
from ..domain.roles import Action
from ..domain.text import clean
from ..storage import projection
from ..storage import repositories as repo
from ..storage.models import Dossier, ProcedureWorkflow, Unit
from .context import CurrentUser, DeskContext, ServiceError, require


class StepRefused(ServiceError):
    pass


@dataclass(frozen=True)
class StepResult:
    code: str
    status: Status
    due_at: datetime              # the legal appointment
    appointment_at: datetime      # what the citizen is told now
    form_path: Path | None = None
    flagged: str | None = None    # a warning the user should see (second supplement request...)
    finished_at: datetime | None = None
    verdict: lifecycle.Verdict | None = None   # the one verdict, right after the step


def _now(ctx: DeskContext) -> datetime:
    return ctx.clock().replace(microsecond=0)


def _load(s, code: str) -> Dossier:
    d = repo.dossier_by_code(s, code)
    if d is None:
        raise ServiceError(tr("Không tìm thấy hồ sơ {code}.").format(code=code))
    return d


Payload = Callable[[Any, Dossier, DossierState, datetime], dict]


def _step(ctx: DeskContext, user: CurrentUser, code: str, action: Action, kind: EventKind,
          payload: Payload, form: Callable[[Any, Dossier], Path] | None = None,
          flag: Callable[[DossierState], str | None] | None = None,
          refused: str | None = None) -> StepResult:
    """The frame every step shares: permission, the state machine, the event through the
    reducer (which updates the row), the form. ``refused``: what to say, in this step's words,
    when the state machine does not allow it."""
    require(user, action)
    now = _now(ctx)
    with ctx.db.session() as s:
        d = _load(s, code)
        state = projection.state_of(d, projection.Units(s))
        why = lifecycle.check(state, kind)
        if why:
            raise StepRefused(refused or why)
        data = payload(s, d, state, now)
        unit = s.get(Unit, user.unit_id).code if user.unit_id else None
        try:
            repo.append_event(s, d, kind, data, user.username, ctx.desk_id, now, unit=unit)
        except (lifecycle.StepRefusal, lifecycle.PayloadError) as e:
            raise StepRefused(str(e)) from None
        after = projection.state_of(d, projection.Units(s))
        flagged = flag(after) if flag else None
        path = form(s, d) if form and ctx.print_forms else None
        return StepResult(d.code, after.status, after.due_at, after.appointment_at, path, flagged,
                          after.finished_at, lifecycle.judge(after, now, ctx.calendar()))


def _closing(ctx: DeskContext, state: DossierState, now: datetime) -> dict:
    """What every finishing event carries: the end of a pause it interrupts, the processing time."""
    cal = ctx.calendar()
    fields = lifecycle.pause_end(state, now, cal)
    fields["processing_seconds"] = lifecycle.processing_seconds(state, now, cal, fields.get("paused_seconds", 0))
    return fields


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
    def payload(s, d, state, now):
        target = _unit(s, to_unit)
        if state.holder_unit == target.code:
            raise StepRefused(tr("Hồ sơ đang ở chính đơn vị {unit}.").format(unit=target.name))
        allowed = _hop_allowed(s, d, target)
        hop_due = (ctx.calendar().add_working_time(now, timedelta(hours=allowed))
                   if allowed is not None and target.kind != "counter" else None)
        return {"from_unit": state.holder_unit, "to_unit": target.code, "to_kind": target.kind,
                "to_unit_name": target.name,
                "allowed_hours": allowed, "hop_due_at": hop_due.isoformat() if hop_due else None,
                "note": clean(note)}

    def form(s, d):
        from . import forms
        return forms.control_slip(ctx, s, d)
    return _step(ctx, user, code, Action.TRANSFER, EventKind.TRANSFERRED, payload, form)


def receive(ctx: DeskContext, user: CurrentUser, code: str) -> StepResult:
    """The receiving unit scans the slip or receipt: "received by X at 14:02"."""
    def payload(s, d, state, now):
        if user.unit_id is not None and d.holder_unit_id != user.unit_id:
            unit = s.get(Unit, d.holder_unit_id)
            raise StepRefused(tr("Hồ sơ đang được chuyển đến {unit}, không phải đơn vị của bạn.")
                              .format(unit=unit.name if unit else "?"))
        unit = s.get(Unit, d.holder_unit_id) if d.holder_unit_id else None
        return {"unit": state.holder_unit, "unit_name": unit.name if unit else ""}
    return _step(ctx, user, code, Action.RECEIVE, EventKind.ARRIVED, payload,
                 refused=tr("Hồ sơ {code} không đang được chuyển đến đơn vị nào.").format(code=code))


def assign(ctx: DeskContext, user: CurrentUser, code: str, to_username: str) -> StepResult:
    def payload(s, d, state, now):
        target = repo.user_by_username(s, to_username)
        if target is None or not target.active:
            raise ServiceError(tr("Không có chuyên viên {user}.").format(user=to_username))
        if target.unit_id != d.holder_unit_id:
            raise StepRefused(tr("{name} không thuộc đơn vị đang giữ hồ sơ.").format(name=target.full_name))
        return {"to": target.username, "reassign": state.stage is Stage.ASSIGNED}
    return _step(ctx, user, code, Action.ASSIGN, EventKind.ASSIGNED, payload)


def forward(ctx: DeskContext, user: CurrentUser, code: str, to_username: str, note: str = "") -> StepResult:
    """Send to a leader for review and signature."""
    def payload(s, d, state, now):
        target = repo.user_by_username(s, to_username)
        if target is None or target.role != "supervisor":
            raise ServiceError(tr("Chỉ trình được cho lãnh đạo."))
        return {"to": target.username, "note": clean(note)}
    return _step(ctx, user, code, Action.PROCESS, EventKind.FORWARDED, payload)


def approve(ctx: DeskContext, user: CurrentUser, code: str, note: str = "") -> StepResult:
    return _step(ctx, user, code, Action.APPROVE, EventKind.APPROVED, lambda s, d, state, now: {"note": clean(note)},
                 refused=tr("Hồ sơ chưa được trình ký."))


# -- pauses: supplement, fees ----------------------------------------------------------------
def request_supplement(ctx: DeskContext, user: CurrentUser, code: str, reason: str,
                       missing: list[str]) -> StepResult:
    """Ask the citizen for missing papers (Mẫu 02): the clock stops until they are brought."""
    require(user, Action.PROCESS)  # who may, before what was typed
    reason, missing = clean(reason), [clean(m) for m in missing if clean(m)]
    if not reason or not missing:
        raise ServiceError(tr("Cần ghi lý do và danh sách giấy tờ cần bổ sung."))

    def payload(s, d, state, now):
        return {"reason": reason, "missing": missing, "number": state.supplement_count + 1,
                "resume_stage": state.stage.value}

    def flag(state):
        if state.supplement_count > 1:
            return tr("Đây là lần yêu cầu bổ sung thứ {n}: theo quy định, hồ sơ sẽ bị tính là quá hạn.").format(
                n=state.supplement_count)
        return None

    def form(s, d):
        from . import forms
        return forms.supplement_request(ctx, s, d, reason, missing)
    return _step(ctx, user, code, Action.PROCESS, EventKind.SUPPLEMENT_REQUESTED, payload, form, flag)


def record_supplement(ctx: DeskContext, user: CurrentUser, code: str, note: str = "") -> StepResult:
    """The citizen brought the papers: the clock resumes, the dates move by the paused time."""
    def payload(s, d, state, now):
        return {**lifecycle.pause_end(state, now, ctx.calendar()), "note": clean(note)}
    return _step(ctx, user, code, Action.RECORD_SUPPLEMENT, EventKind.SUPPLEMENT_RECEIVED, payload)


def request_payment(ctx: DeskContext, user: CurrentUser, code: str, amount: int, note: str = "") -> StepResult:
    """Ask for a fee or financial obligation: the clock stops until it is met."""
    require(user, Action.PROCESS)
    if amount <= 0:
        raise ServiceError(tr("Số tiền phải lớn hơn 0."))
    return _step(ctx, user, code, Action.PROCESS, EventKind.PAYMENT_REQUESTED,
                 lambda s, d, state, now: {"amount": int(amount), "note": clean(note)})


def record_payment(ctx: DeskContext, user: CurrentUser, code: str, note: str = "",
                   fee: FeeCharged | None = None) -> StepResult:
    """The fee or financial obligation was met: the clock resumes, the dates move by the pause.
    ``fee``: what was paid and its receipt number (``domain.fees.check_fee``), printed and exported."""
    def payload(s, d, state, now):
        return {**lifecycle.pause_end(state, now, ctx.calendar()), "note": clean(note),
                **({"fee": fee.to_json()} if fee is not None else {})}
    return _step(ctx, user, code, Action.PROCESS, EventKind.PAYMENT_RECEIVED, payload)


# -- results and endings -------------------------------------------------------------------
def result_ready(ctx: DeskContext, user: CurrentUser, code: str, note: str = "") -> StepResult:
    """The result is ready. The legal appointment stays: an early result is early against it,
    and the citizen is told "result ready since …", not a rewritten appointment."""
    def payload(s, d, state, now):
        fields = _closing(ctx, state, now)
        due = datetime.fromisoformat(fields["new_due"]) if "new_due" in fields else state.due_at
        return {**fields, "early": now.date() < due.date(), "note": clean(note)}
    return _step(ctx, user, code, Action.PROCESS, EventKind.RESULT_READY, payload)


def apologise(ctx: DeskContext, user: CurrentUser, code: str, reason: str, new_due: datetime,
              late_unit: str | None = None) -> StepResult:
    """The apology letter with a new appointment (one per dossier), issued before the deadline."""
    require(user, Action.APOLOGISE)
    reason = clean(reason)
    if not reason:
        raise ServiceError(tr("Cần ghi lý do chậm trễ."))

    def payload(s, d, state, now):
        current = state.appointment_at  # a second apology: the state machine refuses it (lifecycle.check)
        if new_due <= current:
            raise StepRefused(tr("Ngày hẹn mới phải sau ngày hẹn hiện tại ({due}).").format(due=current.strftime("%d/%m/%Y")))
        if not ctx.calendar().is_working_day(new_due.date()):
            raise StepRefused(tr("Ngày hẹn mới phải là ngày làm việc."))
        unit = s.get(Unit, d.holder_unit_id) if d.holder_unit_id else None
        notice = ctx.calendar().working_time_between(now, current)
        return {"kind": "apology", "reason": reason, "old_appointment": current.isoformat(),
                "new_appointment": new_due.replace(microsecond=0).isoformat(),
                "late_unit": late_unit or (unit.name if unit else ""),
                "short_notice": notice < ctx.calendar().day_length()}

    def form(s, d):
        from . import forms
        return forms.apology(ctx, s, d)
    return _step(ctx, user, code, Action.APOLOGISE, EventKind.APPOINTMENT_MOVED, payload, form)


def refuse(ctx: DeskContext, user: CurrentUser, code: str, reasons: list[str]) -> StepResult:
    require(user, Action.REFUSE)
    reasons = [clean(r) for r in reasons if clean(r)]
    if not reasons:
        raise ServiceError(tr("Cần ghi lý do từ chối."))

    def form(s, d):
        from . import forms
        return forms.refusal(ctx, s, d, reasons)
    return _step(ctx, user, code, Action.REFUSE, EventKind.REFUSED,
                 lambda s, d, state, now: {**_closing(ctx, state, now), "reasons": reasons}, form)


def withdraw(ctx: DeskContext, user: CurrentUser, code: str, reason: str) -> StepResult:
    return _step(ctx, user, code, Action.WITHDRAW, EventKind.WITHDRAWN,
                 lambda s, d, state, now: {**_closing(ctx, state, now), "reason": clean(reason)})


def stop(ctx: DeskContext, user: CurrentUser, code: str, reason: str) -> StepResult:
    require(user, Action.STOP)
    if not clean(reason):
        raise ServiceError(tr("Cần ghi lý do dừng xử lý."))
    return _step(ctx, user, code, Action.STOP, EventKind.STOPPED,
                 lambda s, d, state, now: {**_closing(ctx, state, now), "reason": clean(reason)})


def return_result(ctx: DeskContext, user: CurrentUser, code: str, received_by: str = "owner",
                  proxy_name: str = "", proxy_id: str = "", authorisation: str = "") -> StepResult:
    """The citizen (or a proxy with an authorisation) takes the result; prints nothing more."""
    require(user, Action.RETURN_RESULT)
    if received_by not in ("owner", "proxy"):
        raise ServiceError(tr("Người nhận phải là chủ hồ sơ hoặc người được ủy quyền."))
    if received_by == "proxy" and not (clean(proxy_name) and clean(proxy_id) and clean(authorisation)):
        raise ServiceError(tr("Cần ghi họ tên, số giấy tờ của người nhận thay và văn bản ủy quyền."))

    def payload(s, d, state, now):
        data: dict[str, Any] = {"received_by": received_by}
        if received_by == "proxy":
            data["proxy"] = {"name": clean(proxy_name), "id_number": clean(proxy_id),
                             "authorisation": clean(authorisation)}
        return data
    return _step(ctx, user, code, Action.RETURN_RESULT, EventKind.RETURNED, payload,
                 refused=tr("Kết quả chưa về Bộ phận Một cửa."))


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
