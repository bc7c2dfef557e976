"""What the window shows about the desk: the agency's name and the desk's settings."""

from __future__ import annotations

from typing import Any

from ..services import settings, setup
from ..services.context import DeskContext


def agency_name(ctx: DeskContext) -> str:
    agency = setup.agency(ctx)
    return agency.name if agency is not None else ""


def setting(ctx: DeskContext, key: str) -> Any:
    return settings.get(ctx, key)
