"""The permission matrix: every role against every action, enforced in the services."""

from datetime import date, datetime

import pytest

from desk_app.domain.roles import PERMISSIONS, Action, Role, may
from desk_app.services import admin, catalogue, intake, queues, settings, statistics, workflow
from desk_app.services.context import CurrentUser, PermissionDenied
from desk_app.services.statistics import GroupBy
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
    Action.KIOSK:             (0, 0, 0, 0, 1),
}
ROLES = (Role.CLERK, Role.SPECIALIST, Role.SUPERVISOR, Role.ADMIN, Role.KIOSK)


def test_matrix_is_complete_and_as_decided():
    assert set(EXPECTED) == set(Action)
    for action, row in EXPECTED.items():
        for role, allowed in zip(ROLES, row):
            assert may(role, action) == bool(allowed), (role, action)


def _calls(ctx, code):
    """One service call per action that has a use case of its own."""
    return {
        Action.INTAKE: lambda u: intake.save(ctx, u, land_form(), print_receipt=False),
        Action.VIEW_DOSSIERS: lambda u: queues.rows(ctx, u, queues.Filter()),
        Action.TRANSFER: lambda u: workflow.transfer(ctx, u, code, "VPDKDD"),
        Action.ASSIGN: lambda u: workflow.assign(ctx, u, code, "chuyenvien"),
        Action.PROCESS: lambda u: workflow.request_payment(ctx, u, code, 100000),
        Action.APPROVE: lambda u: workflow.approve(ctx, u, code),
        Action.RECORD_SUPPLEMENT: lambda u: workflow.record_supplement(ctx, u, code),
        Action.APOLOGISE: lambda u: workflow.apologise(ctx, u, code, "x", datetime(2026, 12, 1, 9, 0)),
        Action.REFUSE: lambda u: workflow.refuse(ctx, u, code, ["x"]),
        Action.WITHDRAW: lambda u: workflow.withdraw(ctx, u, code, "x"),
        Action.STOP: lambda u: workflow.stop(ctx, u, code, "x"),
        Action.RETURN_RESULT: lambda u: workflow.return_result(ctx, u, code),
        Action.VIEW_STATISTICS: lambda u: statistics.compute(ctx, u, date(2026, 11, 1), date(2026, 11, 30), GroupBy.UNIT),
        Action.MANAGE_USERS: lambda u: admin.update_person(ctx, u, "chuyenvien", active=True),
        Action.MANAGE_UNITS: lambda u: admin.save_unit(ctx, u, "PX", "Phòng X"),
        Action.MANAGE_WORKFLOWS: lambda u: workflow.set_workflow(ctx, u, "1.012783", []),
        Action.MANAGE_CALENDAR: lambda u: admin.set_holiday(ctx, u, date(2026, 12, 31), "off", "x"),
        Action.MANAGE_AGENCY: lambda u: settings.set(ctx, u, "paper_size", "A4"),
        Action.IMPORT_CATALOGUE: lambda u: catalogue.import_file(ctx, "/nonexistent.json", u),
    }


@pytest.mark.parametrize("role", ROLES)
def test_services_refuse_what_a_role_may_not_do(office, role):
    code = intake.save(office, office.clerk_at_counter, land_form(), print_receipt=False).code
    user = CurrentUser(999, "probe", "Probe", role, None)
    for action, call in _calls(office, code).items():
        if may(role, action):
            continue
        with pytest.raises(PermissionDenied):
            call(user)


def test_people_from_other_desks_are_not_listed(office):
    from desk_app.storage.models import User
    with office.db.session() as s:
        s.add(User(username="tiepnhan@desk-b", full_name="Người ở quầy khác", role="clerk", password_hash="!",
                   active=False, created_at=datetime(2026, 11, 10)))
    names = [p.username for p in admin.people(office)]
    assert "tiepnhan" in names and "tiepnhan@desk-b" not in names
