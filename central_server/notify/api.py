"""What the desks (and the admin) see of the notices, through the sync API.

* ``GET /api/v1/notices?dossier=CODE``: whether the dossier is linked to a Zalo user (since
  when; unlinked when and by whom), the "do not notify" choice, and every notice: what, on
  which channel, by which way (cs, zns, email), to whom, its state (pending, sent, failed,
  skipped), attempts, the last error, when it was queued and sent.
* ``PUT /api/v1/dossiers/{code}/notify`` ``{"notify": false}``: the citizen asked not to be
  notified; notices not yet sent are skipped (the counter's replies to the citizen's own
  Zalo messages still go).
* ``GET /api/v1/admin/notify`` and ``PUT /api/v1/admin/zalo/tokens`` (admin token): the
  backlog and failures, the OA tokens' state and alert; a new pair after consenting again.

A desk sees a dossier's notices only if it may read the dossier (``concern.may_read``): 404
otherwise, as for a dossier that does not exist.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from desk_app.domain.i18n import tr

from ..concern import may_read
from ..deps import AdminDep, CurrentDesk, DbDep, SettingsDep
from ..errors import ApiError
from ..models import NotifyOutbox, NotifyPreference, ZaloLink
from ..schemas import ErrorBody
from ..settings import vn_now
from ..safejson import StrictJsonRoute

router = APIRouter(prefix="/api/v1", tags=["notices"], route_class=StrictJsonRoute)
ERRORS = {401: {"model": ErrorBody}, 403: {"model": ErrorBody}, 404: {"model": ErrorBody}}


class NoticeOut(BaseModel):
    id: int
    event_id: str
    kind: str
    channel: str
    via: str | None
    recipient: str | None
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    next_attempt_at: datetime | None


class LinkOut(BaseModel):
    linked_at: datetime
    unlinked_at: datetime | None
    unlinked_by: str | None


class NoticesOut(BaseModel):
    dossier: str
    notify: bool
    zalo_linked: bool
    links: list[LinkOut]
    notices: list[NoticeOut]


class NotifyChoice(BaseModel):
    notify: bool


class TokensIn(BaseModel):
    access_token: str = Field(min_length=1, max_length=4000)
    refresh_token: str = Field(min_length=1, max_length=4000)
    expires_in: int | None = Field(default=None, ge=0, le=10_000_000)


def _not_found() -> ApiError:
    return ApiError(404, "not_found", tr("Không tìm thấy hồ sơ."))


@router.get("/notices", response_model=NoticesOut, responses=ERRORS)
def notices(desk: CurrentDesk, db: DbDep,
            dossier: Annotated[str, Query(min_length=1, max_length=40)]) -> NoticesOut:
    """What was sent about a dossier, to whom and when; its Zalo link; the "do not notify" choice."""
    with db.session(write=False) as s:
        if not may_read(s, desk, dossier):
            raise _not_found()
        rows = s.scalars(select(NotifyOutbox).where(NotifyOutbox.dossier_code == dossier)
                         .order_by(NotifyOutbox.id)).all()
        link_rows = s.scalars(select(ZaloLink).where(ZaloLink.dossier_code == dossier).order_by(ZaloLink.id)).all()
        pref = s.get(NotifyPreference, dossier)
        return NoticesOut(
            dossier=dossier, notify=pref is None or pref.notify,
            zalo_linked=any(r.unlinked_at is None for r in link_rows),
            links=[LinkOut(linked_at=r.linked_at, unlinked_at=r.unlinked_at, unlinked_by=r.unlinked_by)
                   for r in link_rows],
            notices=[NoticeOut(id=r.id, event_id=r.event_id, kind=r.kind, channel=r.channel, via=r.via,
                               recipient=r.recipient, status=r.status, attempts=r.attempts,
                               last_error=r.last_error, created_at=r.created_at, sent_at=r.sent_at,
                               next_attempt_at=r.next_attempt_at if r.status == "pending" else None)
                     for r in rows])


@router.put("/dossiers/{code}/notify", response_model=NotifyChoice, responses=ERRORS)
def set_notify(code: str, choice: NotifyChoice, desk: CurrentDesk, db: DbDep) -> NotifyChoice:
    """Notify the citizen of this dossier's changes, or not (``false``: at their request)."""
    with db.session() as s:
        if len(code) > 40 or not may_read(s, desk, code):
            raise _not_found()
        row = s.get(NotifyPreference, code)
        if row is None:
            s.add(NotifyPreference(dossier_code=code, notify=choice.notify, set_by=desk.id, set_at=vn_now()))
        else:
            row.notify, row.set_by, row.set_at = choice.notify, desk.id, vn_now()
    return choice


@router.get("/admin/notify", dependencies=[AdminDep], include_in_schema=False)
def admin_status(db: DbDep, settings: SettingsDep) -> dict:
    """The backlog by channel and state, the latest failures, and the OA tokens' state."""
    with db.session(write=False) as s:
        counts = {"%s/%s" % (c, st): n for c, st, n in s.execute(
            select(NotifyOutbox.channel, NotifyOutbox.status, func.count()).group_by(
                NotifyOutbox.channel, NotifyOutbox.status))}
        failed = [{"id": r.id, "dossier": r.dossier_code, "kind": r.kind, "channel": r.channel,
                   "error": r.last_error} for r in s.scalars(
            select(NotifyOutbox).where(NotifyOutbox.status == "failed").order_by(NotifyOutbox.id.desc()).limit(50))]
        tokens = None
        if settings.zalo_enabled:
            from ..zalo.api import token_status
            tokens = token_status(s, settings)
    return {"counts": counts, "failed": failed, "zalo_tokens": tokens}


@router.put("/admin/zalo/tokens", dependencies=[AdminDep], include_in_schema=False)
def admin_tokens(body: TokensIn, db: DbDep, settings: SettingsDep) -> dict:
    """A new token pair (after the admin consented again): replaces the stored one."""
    if not settings.zalo_enabled:
        raise ApiError(404, "not_found", tr("Kênh Zalo chưa được cấu hình."))
    from ..zalo.api import set_tokens
    with db.session() as s:
        set_tokens(s, settings, body.access_token, body.refresh_token, body.expires_in, vn_now())
    return {"stored": True}
