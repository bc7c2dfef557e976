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
    PRINT_RECEIPT = "print_receipt"
    VIEW_DOSSIERS = "view_dossiers"
    IMPORT_CATALOGUE = "import_catalogue"
    MANAGE_USERS = "manage_users"
    MANAGE_CALENDAR = "manage_calendar"
    KIOSK = "kiosk"


PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.CLERK: frozenset({Action.INTAKE, Action.PRINT_RECEIPT, Action.VIEW_DOSSIERS}),
    Role.SPECIALIST: frozenset({Action.VIEW_DOSSIERS}),
    Role.SUPERVISOR: frozenset({Action.VIEW_DOSSIERS, Action.PRINT_RECEIPT}),
    Role.ADMIN: frozenset(Action) - {Action.KIOSK},
    Role.KIOSK: frozenset({Action.KIOSK}),
}


def may(role: Role, action: Action) -> bool:
    return action in PERMISSIONS[role]
