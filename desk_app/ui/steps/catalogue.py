"""Every workflow step a screen can offer: what it asks, which service it calls, what it then says.

A step applies to a dossier when the user's role may take it (``domain.roles.may``) and the
state machine lets the step follow the dossier's stage (``domain.lifecycle``: one table of
which step may follow which stage, for screens and services alike). The services check both
again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Callable

from ...domain.calendar import WorkCalendar
from ...domain.dossier import EventKind, Status
from ...domain.i18n import N_, tr
from ...domain.roles import Action, Role, may
from ...domain.lifecycle import Stage, stage_allows, status_allows
from ...services import admin, fees, workflow
from ...services.admin import PersonView, UnitView
from ...services.context import CurrentUser, DeskContext
from ...services.workflow import StepResult, WorkflowStep
from .form import AMOUNT, CHOICE, LINES, MOMENT, RADIO, TEXT, Field


@dataclass(frozen=True)
class Target:
    """The dossier a step is about, as much as the screen knows of it."""

    code: str
    owner_name: str
    unit_name: str = ""
    stage: str | None = None          # known in the department's queues
    status: Status | None = None      # known at the counter
    appointment_at: datetime | None = None
    procedure_code: str | None = None


@dataclass(frozen=True)
class Directory:
    """Who and where a step may point at: units, people, the procedure's route, the calendar."""

    units: list[UnitView] = field(default_factory=list)
    people: list[PersonView] = field(default_factory=list)
    route: list[WorkflowStep] = field(default_factory=list)
    calendar: WorkCalendar | None = None

    def unit_code(self, name: str) -> str | None:
        return next((u.code for u in self.units if u.name == name), None)

    def unit_name(self, code: str) -> str:
        return next((u.name for u in self.units if u.code == code), code)

    def person_name(self, username: str) -> str:
        return next((p.full_name for p in self.people if p.username == username), username)


def load_directory(ctx: DeskContext, procedure_code: str | None = None) -> Directory:
    """Runs on the database worker."""
    route = workflow.get_workflow(ctx, procedure_code) if procedure_code else []
    return Directory(admin.units(ctx), admin.people(ctx), route, ctx.calendar())


Call = Callable[[DeskContext, CurrentUser, str, dict], StepResult]
Fields = Callable[[Target, Directory], list[Field]]
Done = Callable[[Target, dict, StepResult, datetime, Directory], str]


@dataclass(frozen=True)
class Step:
    key: str
    source_verb: str              # Vietnamese; ``verb`` and ``title`` are in the current language
    source_title: str
    action: Action
    kind: EventKind
    call: Call
    done: Done
    fields: Fields | None = None  # None: no dialog, the step runs at once

    @property
    def verb(self) -> str:
        """The legend's and the dialog button's word."""
        return tr(self.source_verb)

    @property
    def title(self) -> str:
        return tr(self.source_title)

    def applies(self, role: Role, target: Target | None) -> bool:
        if target is None or not may(role, self.action):
            return False
        if target.stage is not None:
            return stage_allows(target.stage, self.kind)
        if target.status is not None:
            return status_allows(target.status, self.kind)
        return True


def _hm(moment: datetime) -> str:
    return moment.strftime("%H:%M")


def _full(moment: datetime) -> str:
    return moment.strftime("%H:%M, %d/%m/%Y")


# -- the fields each step asks ---------------------------------------------------------------
def _assign_fields(t: Target, d: Directory) -> list[Field]:
    unit = d.unit_code(t.unit_name)
    options = tuple((p.username, "%s — %s" % (p.full_name, p.role.label)) for p in d.people
                    if p.active and p.role in (Role.SPECIALIST, Role.SUPERVISOR) and (unit is None or p.unit_code == unit))
    default = next((p.username for p in d.people if p.role is Role.SPECIALIST and p.unit_code == unit), None)
    return [Field("to", tr("Giao cho chuyên viên"), CHOICE, True, options, default)]


def _forward_fields(t: Target, d: Directory) -> list[Field]:
    unit = d.unit_code(t.unit_name)
    leaders = sorted((p for p in d.people if p.active and p.role is Role.SUPERVISOR),
                     key=lambda p: (p.unit_code != unit, p.full_name))
    options = tuple((p.username, p.full_name + (" — %s" % d.unit_name(p.unit_code) if p.unit_code else ""))
                    for p in leaders)
    return [Field("to", tr("Trình lãnh đạo"), CHOICE, True, options),
            Field("note", tr("Nội dung trình"), TEXT, placeholder=tr("Ví dụ: Đề nghị lãnh đạo xem xét, ký duyệt"))]


def _transfer_fields(t: Target, d: Directory) -> list[Field]:
    here = d.unit_code(t.unit_name)
    options = tuple((u.code, u.name) for u in d.units if u.code != here)
    counter = next((u.code for u in d.units if u.kind == "counter"), None)
    if t.stage == Stage.RESULT_UNIT.value or t.status is Status.RESULT_READY:
        default = counter
    else:  # the next unit on the procedure's route, else the first department
        codes = [s.unit_code for s in d.route]
        after = codes[codes.index(here) + 1:] if here in codes else codes
        default = next((c for c in after if c != here and c != counter), None) \
            or next((u.code for u in d.units if u.kind != "counter" and u.code != here), None)
    return [Field("unit", tr("Chuyển đến"), CHOICE, True, options, default),
            Field("note", tr("Ghi chú"), TEXT)]


def _supplement_fields(t: Target, d: Directory) -> list[Field]:
    return [Field("reason", tr("Lý do"), TEXT, True, placeholder=tr("Ví dụ: Hồ sơ chưa đủ thành phần theo quy định")),
            Field("missing", tr("Giấy tờ cần bổ sung"), LINES, True,
                  placeholder=tr("Mỗi dòng một giấy tờ, ví dụ:\nBản sao có chứng thực Giấy chứng nhận"))]


def _apology_fields(t: Target, d: Directory) -> list[Field]:
    current = t.appointment_at or datetime.now()
    day = current.date() + timedelta(days=1)
    if d.calendar is not None:
        day = d.calendar.next_working_day(day) if not d.calendar.is_working_day(day) else day
    suggested = datetime.combine(day, current.time() if current.time() != time(0) else time(9, 0))
    return [Field("reason", tr("Lý do chậm trễ"), TEXT, True, placeholder=tr("Ví dụ: Cần xác minh thêm thông tin")),
            Field("new_due", tr("Hẹn trả mới"), MOMENT, True, default=suggested),
            Field("late_unit", tr("Đơn vị chậm trễ"), TEXT, default=t.unit_name)]


# The labels below are Vietnamese (``N_``), translated when the dialog is built.
def _note(label: str) -> Fields:
    return lambda t, d: [Field("note", tr(label), TEXT)]


def _reasons(label: str) -> Fields:
    return lambda t, d: [Field("reasons", tr(label), LINES, True, placeholder=tr("Mỗi dòng một lý do"))]


def _reason(label: str) -> Fields:
    return lambda t, d: [Field("reason", tr(label), TEXT, True)]


def _return_fields(t: Target, d: Directory) -> list[Field]:
    proxy = ("received_by", "proxy")
    return [Field("received_by", tr("Người nhận kết quả"), RADIO, True,
                  (("owner", tr("Chủ hồ sơ")), ("proxy", tr("Người được ủy quyền"))), "owner"),
            Field("proxy_name", tr("Họ tên người nhận thay"), TEXT, True, when=proxy),
            Field("proxy_id", tr("Số CCCD / giấy tờ"), TEXT, True, when=proxy),
            Field("authorisation", tr("Văn bản ủy quyền"), TEXT, True, when=proxy,
                  placeholder=tr("Ví dụ: Giấy ủy quyền số 12/2026 ngày 15/11/2026"))]


def _paid_fields(t: Target, d: Directory) -> list[Field]:
    """What was paid, printed on the receipt and exported (DanhSachLePhi)."""
    return [Field("amount", tr("Số tiền đã nộp"), AMOUNT, True),
            Field("receipt", tr("Số biên lai"), TEXT, True, placeholder=tr("Số biên lai thu phí, lệ phí")),
            Field("note", tr("Chứng từ nộp"), TEXT)]


def _payment_fields(t: Target, d: Directory) -> list[Field]:
    return [Field("amount", tr("Số tiền"), AMOUNT, True), Field("note", tr("Nội dung"), TEXT)]


# -- what each step says once done -----------------------------------------------------------
def _said_receive(t, v, r, now, d) -> str:
    if r.status is Status.RESULT_READY:
        return tr("Đã nhận kết quả hồ sơ {code} lúc {time}.").format(code=r.code, time=_hm(now))
    return tr("Đã nhận hồ sơ {code} lúc {time}.").format(code=r.code, time=_hm(now))


def _said_result(t, v, r, now, d) -> str:
    text = tr("Hồ sơ {code} đã có kết quả lúc {time}.").format(code=r.code, time=_hm(now))
    if r.verdict is not None:
        text += " " + tr("{verdict} (hẹn trả theo quy định: {due}).").format(verdict=r.verdict.label, due=_full(r.due_at))
    return text


def _text(template: str) -> Done:
    """A message from named fields: code, time, due, unit, name; ``template`` is Vietnamese (``N_``)."""
    def said(t: Target, v: dict, r: StepResult, now: datetime, d: Directory) -> str:
        return tr(template).format(code=r.code, time=_hm(now), due=_full(r.appointment_at),
                                   unit=d.unit_name(v.get("unit", "")), name=d.person_name(v.get("to", "")))
    return said


STEPS: dict[str, Step] = {s.key: s for s in (
    Step("receive", N_("Nhận"), N_("Nhận hồ sơ"), Action.RECEIVE, EventKind.ARRIVED,
         lambda c, u, code, v: workflow.receive(c, u, code), _said_receive),
    Step("assign", N_("Phân công"), N_("Phân công xử lý"), Action.ASSIGN, EventKind.ASSIGNED,
         lambda c, u, code, v: workflow.assign(c, u, code, v["to"]),
         _text(N_("Đã phân công hồ sơ {code} cho {name}.")), _assign_fields),
    Step("forward", N_("Trình ký"), N_("Trình lãnh đạo xem xét, ký duyệt"), Action.PROCESS, EventKind.FORWARDED,
         lambda c, u, code, v: workflow.forward(c, u, code, v["to"], v.get("note", "")),
         _text(N_("Đã trình hồ sơ {code} cho {name} xem xét, ký duyệt.")), _forward_fields),
    Step("approve", N_("Ký duyệt"), N_("Ký duyệt hồ sơ"), Action.APPROVE, EventKind.APPROVED,
         lambda c, u, code, v: workflow.approve(c, u, code, v.get("note", "")),
         _text(N_("Đã ký duyệt hồ sơ {code}.")), _note(N_("Ý kiến"))),
    Step("supplement", N_("Yêu cầu bổ sung"), N_("Yêu cầu bổ sung, hoàn thiện hồ sơ"), Action.PROCESS,
         EventKind.SUPPLEMENT_REQUESTED,
         lambda c, u, code, v: workflow.request_supplement(c, u, code, v["reason"], v["missing"]),
         _text(N_("Đã yêu cầu bổ sung hồ sơ {code}; thời gian giải quyết tạm dừng từ {time}.")),
         _supplement_fields),
    Step("result", N_("Có kết quả"), N_("Hồ sơ đã có kết quả"), Action.PROCESS, EventKind.RESULT_READY,
         lambda c, u, code, v: workflow.result_ready(c, u, code, v.get("note", "")),
         _said_result, _note(N_("Ghi chú"))),
    Step("transfer", N_("Chuyển"), N_("Chuyển hồ sơ"), Action.TRANSFER, EventKind.TRANSFERRED,
         lambda c, u, code, v: workflow.transfer(c, u, code, v["unit"], v.get("note", "")),
         _text(N_("Đã chuyển hồ sơ {code} đến {unit}.")), _transfer_fields),
    Step("apologise", N_("Xin lỗi & hẹn lại"), N_("Phiếu xin lỗi và hẹn lại ngày trả kết quả"), Action.APOLOGISE,
         EventKind.APPOINTMENT_MOVED,
         lambda c, u, code, v: workflow.apologise(c, u, code, v["reason"], v["new_due"], v.get("late_unit") or None),
         _text(N_("Đã lập phiếu xin lỗi hồ sơ {code}; hẹn trả mới: {due}.")), _apology_fields),
    Step("payment", N_("Yêu cầu nộp nghĩa vụ tài chính"), N_("Yêu cầu thực hiện nghĩa vụ tài chính"),
         Action.PROCESS, EventKind.PAYMENT_REQUESTED,
         lambda c, u, code, v: workflow.request_payment(c, u, code, v["amount"], v.get("note", "")),
         _text(N_("Đã yêu cầu nộp nghĩa vụ tài chính cho hồ sơ {code}.")), _payment_fields),
    Step("refuse", N_("Từ chối"), N_("Từ chối giải quyết hồ sơ"), Action.REFUSE, EventKind.REFUSED,
         lambda c, u, code, v: workflow.refuse(c, u, code, v["reasons"]),
         _text(N_("Đã từ chối hồ sơ {code}.")), _reasons(N_("Lý do từ chối"))),
    Step("stop", N_("Dừng xử lý"), N_("Dừng xử lý hồ sơ"), Action.STOP, EventKind.STOPPED,
         lambda c, u, code, v: workflow.stop(c, u, code, v["reason"]),
         _text(N_("Đã dừng xử lý hồ sơ {code}.")), _reason(N_("Lý do dừng"))),
    Step("withdraw", N_("Rút hồ sơ"), N_("Công dân rút hồ sơ"), Action.WITHDRAW, EventKind.WITHDRAWN,
         lambda c, u, code, v: workflow.withdraw(c, u, code, v["reason"]),
         _text(N_("Đã ghi nhận công dân rút hồ sơ {code}.")), _reason(N_("Lý do rút hồ sơ"))),
    Step("record_supplement", N_("Ghi nhận bổ sung"), N_("Ghi nhận hồ sơ bổ sung"), Action.RECORD_SUPPLEMENT,
         EventKind.SUPPLEMENT_RECEIVED,
         lambda c, u, code, v: workflow.record_supplement(c, u, code, v.get("note", "")),
         _text(N_("Đã nhận giấy tờ bổ sung hồ sơ {code}; thời gian giải quyết tiếp tục, hẹn trả mới: {due}.")),
         _note(N_("Giấy tờ đã nhận"))),
    Step("record_payment", N_("Đã nộp nghĩa vụ tài chính"), N_("Ghi nhận đã thực hiện nghĩa vụ tài chính"),
         Action.PROCESS, EventKind.PAYMENT_RECEIVED,
         lambda c, u, code, v: workflow.record_payment(c, u, code, v.get("note", ""),
                                                       fee=fees.paid(v["amount"], v.get("receipt", ""))),
         _text(N_("Đã ghi nhận nộp nghĩa vụ tài chính hồ sơ {code}; thời gian giải quyết tiếp tục, hẹn trả: {due}.")),
         _paid_fields),
    Step("return", N_("Trả kết quả"), N_("Trả kết quả cho công dân"), Action.RETURN_RESULT, EventKind.RETURNED,
         lambda c, u, code, v: workflow.return_result(c, u, code, v["received_by"], v.get("proxy_name", ""),
                                                      v.get("proxy_id", ""), v.get("authorisation", "")),
         _text(N_("Đã trả kết quả hồ sơ {code} lúc {time}.")), _return_fields),
)}


# The departments' steps with their keys, in the order a dossier usually walks (F9 is the
# window's camera), and the rarer ones behind "Thao tác khác": the queue and the dossier window
# opened from it offer the same.
DEPARTMENT_KEYS = (("receive", "F2"), ("assign", "F3"), ("forward", "F4"), ("supplement", "F5"),
                   ("result", "F6"), ("transfer", "F7"), ("apologise", "F8"), ("approve", "F10"))
DEPARTMENT_MORE = ("payment", "record_payment", "refuse", "stop")
