"""Roles and what each may do; the services check these, the UI only hides."""

from __future__ import annotations

import enum

from .i18n import tr


class Role(str, enum.Enum):
    CLERK = "clerk"
    SPECIALIST = "specialist"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    KIOSK = "kiosk"

    @property
    def label(self) -> str:
        return {Role.CLERK: tr("Cán bộ tiếp nhận"), Role.SPECIALIST: tr("Chuyên viên"),
                Role.SUPERVISOR: tr("Lãnh đạo / giám sát"), Role.ADMIN: tr("Quản trị"),
                Role.KIOSK: tr("Kiosk tra cứu")}[self]


class Action(str, enum.Enum):
    INTAKE = "intake"
    EDIT_INTAKE = "edit_intake"            # correct what was recorded at the counter
    PRINT_RECEIPT = "print_receipt"
    VIEW_DOSSIERS = "view_dossiers"
    TRANSFER = "transfer"                  # hand a dossier to another unit (or back to the counter)
    RECEIVE = "receive"                    # take a handed-over dossier into one's unit
    ASSIGN = "assign"                      # assign / reassign a specialist
    PROCESS = "process"                    # forward for review, request supplement or payment, result ready
    APPROVE = "approve"                    # review and sign
    RECORD_SUPPLEMENT = "record_supplement"  # the citizen brought the missing papers
    APOLOGISE = "apologise"                # issue the apology letter with a new appointment
    REFUSE = "refuse"
    GUIDE = "guide"                        # at intake: a Mẫu 02 or Mẫu 03 without receiving the dossier
    WITHDRAW = "withdraw"
    STOP = "stop"
    RETURN_RESULT = "return_result"        # hand the result to the citizen
    VIEW_STATISTICS = "view_statistics"
    IMPORT_CATALOGUE = "import_catalogue"
    MANAGE_USERS = "manage_users"
    MANAGE_UNITS = "manage_units"
    MANAGE_WORKFLOWS = "manage_workflows"
    MANAGE_CALENDAR = "manage_calendar"
    MANAGE_AGENCY = "manage_agency"
    MANAGE_ANNOUNCEMENTS = "manage_announcements"  # write, edit and withdraw the centre's public notices
    ANSWER_CITIZENS = "answer_citizens"    # read the inbox of citizens' messages and reply
    KIOSK = "kiosk"


_MANAGE = {Action.IMPORT_CATALOGUE, Action.MANAGE_USERS, Action.MANAGE_UNITS, Action.MANAGE_WORKFLOWS,
           Action.MANAGE_CALENDAR, Action.MANAGE_AGENCY, Action.MANAGE_ANNOUNCEMENTS}

PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.CLERK: frozenset({Action.INTAKE, Action.EDIT_INTAKE, Action.PRINT_RECEIPT, Action.VIEW_DOSSIERS,
                           Action.TRANSFER, Action.RECEIVE, Action.RECORD_SUPPLEMENT, Action.REFUSE, Action.GUIDE,
                           Action.WITHDRAW, Action.RETURN_RESULT, Action.ANSWER_CITIZENS}),
    Role.SPECIALIST: frozenset({Action.VIEW_DOSSIERS, Action.TRANSFER, Action.RECEIVE, Action.PROCESS,
                                Action.REFUSE}),
    Role.SUPERVISOR: frozenset({Action.VIEW_DOSSIERS, Action.PRINT_RECEIPT, Action.TRANSFER, Action.RECEIVE,
                                Action.ASSIGN, Action.PROCESS, Action.APPROVE, Action.APOLOGISE,
                                Action.REFUSE, Action.STOP, Action.VIEW_STATISTICS, Action.ANSWER_CITIZENS}),
    # the administrator runs the system, not dossiers: no processing, no approval, no replies to
    # citizens; but the centre's public voice (announcements) is the administrator's alone, beside
    # the centre's profile and catalogue (MANAGE_AGENCY): a supervisor leads one unit, and a notice
    # on the public pages speaks for the whole centre
    Role.ADMIN: frozenset(_MANAGE | {Action.VIEW_DOSSIERS, Action.VIEW_STATISTICS, Action.PRINT_RECEIPT,
                                     Action.INTAKE}),
    Role.KIOSK: frozenset({Action.KIOSK}),
}


def may(role: Role, action: Action) -> bool:
    return action in PERMISSIONS[role]
