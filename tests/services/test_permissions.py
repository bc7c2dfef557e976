"""The permission matrix: every role against every action, enforced in the services.

Every public service function that acts for a user (takes ``user``) is found by introspection
and called once per role; ``PermissionDenied`` must come exactly for the roles that may not take
the function's action, and the action the function actually checks (recorded by wrapping
``require``) must be the one the table says. A new service function with no entry in ``CASES``
(or in ``NO_PERMISSION``, with the reason) fails ``test_every_user_service_has_a_case``; an
``Action`` no service requires shows as an ``xfail(strict=True)`` known gap.
"""

from __future__ import annotations

import importlib
import inspect
import itertools
import json
import pkgutil
from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable

import pytest

import desk_app.services
from desk_app.domain.codes import capability_url
from desk_app.domain.dossier import Rating
from desk_app.domain.roles import PERMISSIONS, Action, Role, may
from desk_app.domain.forms import FormKind
from desk_app.services import (admin, announcements, auth, catalogue, context, forms, indicators, intake, kiosk,
                               messages,
                               notices, online, queues,
                               receipts, reports, settings, setup, statistics, workflow)
from desk_app.services.context import PermissionDenied, ServiceError
from desk_app.services.statistics import GroupBy
from desk_app.services.workflow import WorkflowStep
from desk_app.storage import repositories as repo
from tests.conftest import NOW, SMALL_CATALOGUE, Clock
from tests.services.test_walk import land_form

EXPECTED = {
    # action:            clerk, specialist, supervisor, admin, kiosk
    Action.INTAKE:            (1, 0, 0, 1, 0),
    Action.EDIT_INTAKE:       (1, 0, 0, 0, 0),
    Action.PRINT_RECEIPT:     (1, 0, 1, 1, 0),
    Action.VIEW_DOSSIERS:     (1, 1, 1, 1, 0),
    Action.TRANSFER:          (1, 1, 1, 0, 0),
    Action.RECEIVE:           (1, 1, 1, 0, 0),
    Action.ASSIGN:            (0, 0, 1, 0, 0),
    Action.PROCESS:           (0, 1, 1, 0, 0),
    Action.APPROVE:           (0, 0, 1, 0, 0),
    Action.RECORD_SUPPLEMENT: (1, 0, 0, 0, 0),
    Action.APOLOGISE:         (0, 0, 1, 0, 0),
    Action.REFUSE:            (1, 1, 1, 0, 0),
    Action.GUIDE:             (1, 0, 0, 0, 0),
    Action.WITHDRAW:          (1, 0, 0, 0, 0),
    Action.STOP:              (0, 0, 1, 0, 0),
    Action.RETURN_RESULT:     (1, 0, 0, 0, 0),
    Action.VIEW_STATISTICS:   (0, 0, 1, 1, 0),
    Action.IMPORT_CATALOGUE:  (0, 0, 0, 1, 0),
    Action.MANAGE_USERS:      (0, 0, 0, 1, 0),
    Action.MANAGE_UNITS:      (0, 0, 0, 1, 0),
    Action.MANAGE_WORKFLOWS:  (0, 0, 0, 1, 0),
    Action.MANAGE_CALENDAR:   (0, 0, 0, 1, 0),
    Action.MANAGE_AGENCY:     (0, 0, 0, 1, 0),
    Action.MANAGE_ANNOUNCEMENTS: (0, 0, 0, 1, 0),
    Action.ANSWER_CITIZENS:   (1, 0, 1, 0, 0),
    Action.KIOSK:             (0, 0, 0, 0, 1),
}
ROLES = (Role.CLERK, Role.SPECIALIST, Role.SUPERVISOR, Role.ADMIN, Role.KIOSK)


def test_matrix_is_complete_and_as_decided():
    assert set(EXPECTED) == set(Action)
    assert set(PERMISSIONS) == set(ROLES)
    for action, row in EXPECTED.items():
        for role, allowed in zip(ROLES, row):
            assert may(role, action) == bool(allowed), (role, action)


# -- the office every case runs in (one for the module: logins hash passwords, that is slow) --
@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """A configured desk with the land office's units and workflow, and one real account per role."""
    root = tmp_path_factory.mktemp("permissions")
    cat = root / "small-catalogue.json"
    cat.write_text(json.dumps(SMALL_CATALOGUE, ensure_ascii=False), "utf-8")
    ctx = context.open_desk(root / "desk", desk_id="desk-A", clock=Clock(NOW))
    ctx.print_forms = False
    setup.configure(ctx, setup.AgencyInput(
        code="000.00.06.H56", name="Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa",
        parent_name="UBND tỉnh Thanh Hóa", place="Thanh Hóa", address="28 Đại lộ Lê Lợi, phường Hạc Thành",
        public_base_url="https://dichvucong.thanhhoa.gov.vn"), "admin", "Lê Văn Quản", "matkhau-admin")
    auth.create_user(ctx, "tiepnhan", "Nguyễn Thị Thu Hương", Role.CLERK, "matkhau-clerk")
    catalogue.import_file(ctx, cat)
    boss = auth.login(ctx, "admin", "matkhau-admin")
    admin.save_unit(ctx, boss, "VPDKDD", "Văn phòng Đăng ký đất đai")
    admin.add_person(ctx, boss, "chuyenvien", "Phạm Quốc Bảo", Role.SPECIALIST, "matkhau-spec", "VPDKDD")
    admin.add_person(ctx, boss, "lanhdao", "Hoàng Thị Lan Anh", Role.SUPERVISOR, "matkhau-lead", "VPDKDD")
    admin.add_person(ctx, boss, "kiosk1", "Kiosk sảnh", Role.KIOSK, "matkhau-kiosk")
    workflow.set_workflow(ctx, boss, "1.012783", [WorkflowStep("VPDKDD", 16), WorkflowStep("MOTCUA", 4)])
    ctx.catalogue_path = cat
    ctx.out_dir = root / "out"
    ctx.out_dir.mkdir()
    ctx.users = {
        Role.CLERK: auth.login(ctx, "tiepnhan", "matkhau-clerk"),
        Role.SPECIALIST: auth.login(ctx, "chuyenvien", "matkhau-spec"),
        Role.SUPERVISOR: auth.login(ctx, "lanhdao", "matkhau-lead"),
        Role.ADMIN: boss,
        Role.KIOSK: auth.login(ctx, "kiosk1", "matkhau-kiosk"),
    }
    yield ctx
    ctx.db.dispose()


# -- dossiers brought by the real services to the stage a step needs --------------------------
STAGES = ("received", "transferring", "in_unit", "assigned", "review", "supplement", "payment",
          "result_unit", "result_transit", "result")


def dossier(o, stage: str) -> str:
    """A new dossier walked to ``stage`` by the people whose job each step is."""
    u = o.users
    clerk, spec, lead = u[Role.CLERK], u[Role.SPECIALIST], u[Role.SUPERVISOR]
    code = intake.save(o, clerk, land_form(), print_receipt=False).code
    walk = {
        "transferring": lambda: workflow.transfer(o, clerk, code, "VPDKDD"),
        "in_unit": lambda: workflow.receive(o, spec, code),
        "assigned": lambda: workflow.assign(o, lead, code, "chuyenvien"),
        "review": lambda: workflow.forward(o, spec, code, "lanhdao"),
        "supplement": lambda: workflow.request_supplement(o, spec, code, "Thiếu giấy", ["Bản sao"]),
        "payment": lambda: workflow.request_payment(o, spec, code, 100000),
        "result_unit": lambda: workflow.result_ready(o, spec, code),
        "result_transit": lambda: workflow.transfer(o, spec, code, "MOTCUA"),
        "result": lambda: workflow.receive(o, clerk, code),
    }
    path = {"supplement": ["transferring", "in_unit", "assigned", "supplement"],
            "payment": ["transferring", "in_unit", "assigned", "payment"],
            "review": ["transferring", "in_unit", "assigned", "review"]}.get(stage)
    if path is None:
        linear = [s for s in STAGES if s not in ("review", "supplement", "payment")]
        path = linear[1:linear.index(stage) + 1]
    for step in path:
        walk[step]()
    return code


def receipt_key(o, code: str) -> str:
    """The capability key printed in the receipt's QR (what the citizen brings to the kiosk)."""
    with o.db.session(write=False) as s:
        return repo.dossier_by_code(s, code).capability_key


def receipt_link(o, code: str) -> str:
    return capability_url(setup.agency(o).public_base_url, code, receipt_key(o, code))


_names = itertools.count(1)
PROBE_DAY = date(2030, 12, 31)  # far from every dossier's dates: the holiday cases change no deadline


@dataclass(frozen=True)
class Case:
    """One service function, the action it must require, and its arguments (keyword, without
    ctx and user), built fresh for each role from the office by the real services."""
    function: Callable
    action: Action
    arguments: Callable[[object], dict]
    label: str = ""
    # asks the central server, which this office has none of: an allowed role gets past the
    # permission check and then the service's plain "not connected" refusal
    needs_server: bool = False

    @property
    def name(self) -> str:
        return "%s.%s%s" % (self.function.__module__.rsplit(".", 1)[-1], self.function.__name__,
                            "[%s]" % self.label if self.label else "")


def _with_code(stage: str, **extra):
    return lambda o: {"code": dossier(o, stage), **extra}


def _printed(o):
    """A dossier with a control slip printed (and kept), and that print's event."""
    code = dossier(o, "received")
    o.print_forms = True
    try:
        workflow.transfer(o, o.users[Role.CLERK], code, "VPDKDD")
    finally:
        o.print_forms = False
    return {"code": code, "event_id": forms.printed_papers(o, o.users[Role.CLERK], code)[-1].event_id}


def _kiosk(**extra):
    def build(o):
        code = dossier(o, "received")
        return {"code": code, "key": receipt_key(o, code), **extra}
    return build


def _citizen_wrote(o):
    from tests.services.test_messages import citizen_writes
    code = dossier(o, "received")
    citizen_writes(o, code, "Xin hỏi hồ sơ của tôi đến đâu rồi?", NOW)
    return {"code": code}


def _announcement(o, **extra):
    return announcements.AnnouncementInput("Thông báo", "Nội dung", datetime(2026, 11, 10, 7, 0), None, **extra)


def _announcement_to_delete(o):
    return {"announcement_id": announcements.save(o, o.users[Role.ADMIN], _announcement(o)).id}


def _holiday_to_remove(o):
    admin.set_holiday(o, o.users[Role.ADMIN], PROBE_DAY, "off", "Nghỉ")
    return {"day": PROBE_DAY}


CASES = [
    # administration
    Case(admin.add_person, Action.MANAGE_USERS, lambda o: {
        "username": "nguoimoi%d" % next(_names), "full_name": "Người Mới", "role": Role.SPECIALIST,
        "password": "matkhau-moi", "unit_code": "VPDKDD"}),
    Case(admin.update_person, Action.MANAGE_USERS, lambda o: {"username": "chuyenvien", "active": True}),
    Case(admin.save_unit, Action.MANAGE_UNITS, lambda o: {"code": "PX", "name": "Phòng X"}),
    Case(admin.set_holiday, Action.MANAGE_CALENDAR, lambda o: {"day": PROBE_DAY, "kind": "off", "name": "Nghỉ"}),
    Case(admin.remove_holiday, Action.MANAGE_CALENDAR, _holiday_to_remove),
    Case(admin.update_agency, Action.MANAGE_AGENCY, lambda o: {"agency": setup.agency(o)}),
    Case(settings.set, Action.MANAGE_AGENCY, lambda o: {"key": "paper_size", "value": "A4"}, "paper_size"),
    Case(settings.set, Action.MANAGE_CALENDAR,
         lambda o: {"key": "working_periods", "value": settings.get(o, "working_periods")}, "working_periods"),
    Case(catalogue.import_file, Action.IMPORT_CATALOGUE, lambda o: {"path": o.catalogue_path}),
    Case(announcements.save, Action.MANAGE_ANNOUNCEMENTS, lambda o: {"draft": _announcement(o)}),
    Case(announcements.listed, Action.MANAGE_ANNOUNCEMENTS, lambda o: {}),
    Case(announcements.delete, Action.MANAGE_ANNOUNCEMENTS, _announcement_to_delete),
    Case(workflow.set_workflow, Action.MANAGE_WORKFLOWS, lambda o: {
        "procedure_code": "1.012783", "steps": [WorkflowStep("VPDKDD", 16), WorkflowStep("MOTCUA", 4)]}),
    # the counter
    Case(intake.save, Action.INTAKE, lambda o: {"form": land_form(), "print_receipt": False}),
    Case(receipts.produce, Action.PRINT_RECEIPT, _with_code("received")),
    # the queues and the books
    Case(queues.rows, Action.VIEW_DOSSIERS, lambda o: {"f": queues.Filter()}),
    Case(queues.counts, Action.VIEW_DOSSIERS, lambda o: {}),
    Case(queues.holdings, Action.VIEW_DOSSIERS, lambda o: {}),
    Case(queues.my_queue, Action.VIEW_DOSSIERS, lambda o: {}),
    Case(queues.unit_queue, Action.VIEW_DOSSIERS, lambda o: {}),
    Case(queues.results_in_unit, Action.VIEW_DOSSIERS, lambda o: {}),
    Case(kiosk.clerk_ratings, Action.VIEW_DOSSIERS, lambda o: {}),
    Case(messages.thread, Action.VIEW_DOSSIERS, _citizen_wrote),
    Case(notices.for_dossier, Action.VIEW_DOSSIERS, _with_code("received")),
    Case(notices.set_notify, Action.ANSWER_CITIZENS, _with_code("received", notify=False), needs_server=True),
    Case(notices.overview, Action.VIEW_DOSSIERS, lambda o: {}),
    Case(messages.image, Action.VIEW_DOSSIERS, lambda o: {**_citizen_wrote(o), "sha256": "0" * 64},
         needs_server=True),
    # online submissions: they reach a desk only from the central server, which this office has
    # none of, so a step on one is refused after the check (tests/sync/test_online.py walks them)
    Case(online.queue, Action.INTAKE, lambda o: {}),
    Case(online.details, Action.INTAKE, _with_code("received"), needs_server=True),
    Case(online.file_path, Action.INTAKE, _with_code("received", sha256="0" * 64), needs_server=True),
    Case(online.accept, Action.INTAKE, _with_code("received"), needs_server=True),
    Case(online.ask_for_papers, Action.INTAKE, _with_code("received", reason="Ảnh mờ", missing=["Bản sao"]),
         needs_server=True),
    Case(online.refuse, Action.REFUSE, _with_code("received", reasons=["Không đủ điều kiện"]), needs_server=True),
    # the citizens' messages
    Case(messages.inbox, Action.ANSWER_CITIZENS, lambda o: {}),
    Case(messages.reply, Action.ANSWER_CITIZENS, lambda o: {**_citizen_wrote(o), "text": "Hồ sơ đang được xử lý."}),
    Case(reports.register, Action.VIEW_DOSSIERS, lambda o: {"start": date(2026, 11, 1), "end": date(2026, 11, 30)}),
    Case(reports.export_register, Action.VIEW_DOSSIERS, lambda o: {
        "start": date(2026, 11, 1), "end": date(2026, 11, 30), "path": o.out_dir / ("so-%d.xlsx" % next(_names))}),
    Case(statistics.compute, Action.VIEW_STATISTICS, lambda o: {
        "start": date(2026, 11, 1), "end": date(2026, 11, 30), "group_by": GroupBy.UNIT}),
    Case(statistics.compute_from_rows, Action.VIEW_STATISTICS, lambda o: {
        "start": date(2026, 11, 1), "end": date(2026, 11, 30), "group_by": GroupBy.UNIT}),
    Case(indicators.compute, Action.VIEW_STATISTICS, lambda o: {
        "start": date(2026, 11, 1), "end": date(2026, 11, 30)}),
    Case(reports.export_statistics, Action.VIEW_STATISTICS, lambda o: {
        "start": date(2026, 11, 1), "end": date(2026, 11, 30), "group_by": GroupBy.UNIT,
        "path": o.out_dir / ("thongke-%d.xlsx" % next(_names))}),
    # the kiosk
    Case(kiosk.lookup, Action.KIOSK, _kiosk()),
    Case(kiosk.lookup_link, Action.KIOSK, lambda o: {"url": receipt_link(o, dossier(o, "received"))}),
    Case(kiosk.rate, Action.KIOSK, _kiosk(level=Rating.SATISFIED, comment="Tốt")),
    # the departments' steps, each on a dossier at a stage the step is allowed from
    Case(workflow.transfer, Action.TRANSFER, _with_code("received", to_unit="VPDKDD")),
    Case(workflow.receive, Action.RECEIVE, _with_code("transferring")),
    Case(workflow.assign, Action.ASSIGN, _with_code("in_unit", to_username="chuyenvien")),
    Case(workflow.forward, Action.PROCESS, _with_code("assigned", to_username="lanhdao")),
    Case(workflow.approve, Action.APPROVE, _with_code("review")),
    Case(workflow.request_supplement, Action.PROCESS,
         _with_code("assigned", reason="Thiếu giấy", missing=["Bản sao"])),
    Case(workflow.record_supplement, Action.RECORD_SUPPLEMENT, _with_code("supplement")),
    Case(workflow.request_payment, Action.PROCESS, _with_code("assigned", amount=100000)),
    Case(workflow.record_payment, Action.PROCESS, _with_code("payment")),
    Case(workflow.result_ready, Action.PROCESS, _with_code("assigned")),
    Case(workflow.apologise, Action.APOLOGISE,
         _with_code("assigned", reason="Chờ xác minh", new_due=datetime(2026, 12, 1, 9, 0))),
    Case(workflow.refuse, Action.REFUSE, _with_code("received", reasons=["Không thuộc thẩm quyền"])),
    Case(workflow.withdraw, Action.WITHDRAW, _with_code("received", reason="Công dân xin rút")),
    Case(workflow.stop, Action.STOP, _with_code("assigned", reason="Có tranh chấp")),
    Case(workflow.return_result, Action.RETURN_RESULT, _with_code("result")),
    # the printed forms: what was printed, a reprint, guidance at the counter and its register
    Case(forms.printed_papers, Action.VIEW_DOSSIERS, _with_code("received")),
    Case(forms.reprint, Action.VIEW_DOSSIERS, _printed),
    Case(forms.give_guidance, Action.GUIDE, lambda o: {"form": land_form(), "kind": FormKind.SUPPLEMENT,
                                                       "items": ["Sơ đồ thửa đất"]}),
    Case(forms.guidance_register, Action.VIEW_DOSSIERS, lambda o: {"start": date(2026, 11, 1),
                                                                   "end": date(2026, 11, 30)}),
    Case(forms.export_guidance_register, Action.VIEW_DOSSIERS, lambda o: {
        "start": date(2026, 11, 1), "end": date(2026, 11, 30), "path": o.out_dir / "so-huong-dan.pdf"}),
]

# Functions that take a user and legitimately need no permission, with the reason.
NO_PERMISSION = {
    context.require: "the check itself",
    auth.verify_password: "unlocking one's own screen with one's own password; any role may",
}


def _qualname(f: Callable) -> str:
    return "%s.%s" % (f.__module__.rsplit(".", 1)[-1], f.__name__)


def user_services() -> set[str]:
    """Every public function in desk_app/services/*.py with a ``user`` (CurrentUser) parameter."""
    found = set()
    for info in pkgutil.iter_modules(desk_app.services.__path__):
        module = importlib.import_module("desk_app.services." + info.name)
        for name, f in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or f.__module__ != module.__name__:
                continue
            params = inspect.signature(f).parameters.values()
            if any(p.name == "user" or "CurrentUser" in str(p.annotation) for p in params):
                found.add(_qualname(f))
    return found


def test_every_user_service_has_a_case():
    covered = {_qualname(c.function) for c in CASES} | {_qualname(f) for f in NO_PERMISSION}
    services = user_services()
    assert not services - covered, "service functions with no permission case: %s" % sorted(services - covered)
    assert not covered - services, "cases for functions that no longer take a user: %s" % sorted(covered - services)
    assert not {_qualname(f) for f in NO_PERMISSION} & {_qualname(c.function) for c in CASES}


@pytest.fixture
def required(monkeypatch):
    """The actions ``require`` is asked about, in order: every services module's ``require`` wrapped."""
    asked: list[Action] = []
    real = context.require

    def recording(user, action):
        asked.append(action)
        return real(user, action)
    for info in pkgutil.iter_modules(desk_app.services.__path__):
        module = importlib.import_module("desk_app.services." + info.name)
        if getattr(module, "require", None) is real:
            monkeypatch.setattr(module, "require", recording)
    return asked


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_services_refuse_exactly_what_a_role_may_not_do(shop, required, case):
    """Denied roles get PermissionDenied; allowed roles get past the check (a business refusal,
    a ServiceError, still counts as allowed), and at least one allowed role completes the call,
    so the arguments are real. The action checked is the table's, not one with the same row."""
    outcome = {}
    for role in ROLES:
        kwargs = case.arguments(shop)   # a fresh dossier per role: one role's step does not spoil the next
        required.clear()
        try:
            case.function(shop, user=shop.users[role], **kwargs)
            outcome[role] = "done"
        except PermissionDenied:
            outcome[role] = "denied"
        except ServiceError as e:
            outcome[role] = "refused: %s" % e
        assert required and required[0] is case.action, \
            "%s as %s checked %s, the table says %s" % (case.name, role.value, required, case.action)
    denied = {role for role, o in outcome.items() if o == "denied"}
    assert denied == {role for role in ROLES if not may(role, case.action)}, outcome
    assert any(o == "done" for o in outcome.values()) or case.needs_server, \
        "no allowed role could complete %s with these arguments: %s" % (case.name, outcome)


# -- every action is required by at least one service ----------------------------------------
# Actions of the matrix no service function requires yet (issue 8): kept visible, not deleted.
KNOWN_UNUSED = {
    Action.EDIT_INTAKE: "no service corrects a recorded intake: the action is granted to clerks but never checked",
}


@pytest.mark.parametrize("action", [
    pytest.param(a, marks=pytest.mark.xfail(strict=True, reason="known gap: %s unused; %s" % (a.name, KNOWN_UNUSED[a])))
    if a in KNOWN_UNUSED else a for a in Action], ids=lambda a: a.name)
def test_every_action_is_required_by_a_service(action):
    # the per-case test proves each case's action is the one its function asks ``require`` about
    assert action in {c.action for c in CASES}, "no service function requires %s" % action.name


def test_people_from_other_desks_are_not_listed(office):
    from desk_app.storage.models import User
    with office.db.session() as s:
        s.add(User(username="tiepnhan@desk-b", full_name="Người ở quầy khác", role="clerk", password_hash="!",
                   active=False, created_at=datetime(2026, 11, 10)))
    names = [p.username for p in admin.people(office)]
    assert "tiepnhan" in names and "tiepnhan@desk-b" not in names
