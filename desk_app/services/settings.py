"""Reading and changing the desk's settings (declared in ``domain.settings``)."""

from __future__ import annotations

from typing import Any

from ..domain.calendar import parse_periods
from ..domain.i18n import tr
from ..domain.roles import Action
from ..domain.settings import OPTIONS
from ..storage import repositories as repo
from .context import CurrentUser, DeskContext, ServiceError, require


def get(ctx: DeskContext, key: str) -> Any:
    with ctx.db.session(write=False) as s:
        return repo.get_setting(s, key)


def get_all(ctx: DeskContext) -> dict[str, Any]:
    with ctx.db.session(write=False) as s:
        return {k: repo.get_setting(s, k) for k in OPTIONS}


def set(ctx: DeskContext, user: CurrentUser, key: str, value: Any) -> None:
    require(user, Action.MANAGE_CALENDAR if key == "working_periods" else Action.MANAGE_AGENCY)
    if key not in OPTIONS:
        raise ServiceError(tr("Không có thiết lập {key}.").format(key=key))
    option = OPTIONS[key]
    try:
        value = option.type(value)
    except (TypeError, ValueError):
        raise ServiceError(tr("Giá trị không hợp lệ cho \"{label}\".").format(label=option.label)) from None
    if key == "working_periods":
        try:
            parse_periods(value)
        except ValueError:
            raise ServiceError(tr("Giờ làm việc phải có dạng 07:30-11:30, 13:30-17:00.")) from None
    if key == "paper_size" and value not in ("A4", "A5"):
        raise ServiceError(tr("Khổ giấy phải là A4 hoặc A5."))
    if key in ("idle_lock_minutes", "code_block_size", "max_failed_logins") and value < 1:
        raise ServiceError(tr("Giá trị phải lớn hơn 0."))
    with ctx.db.session() as s:
        repo.set_setting(s, key, value)
    if key == "working_periods":
        ctx.invalidate_calendar()
