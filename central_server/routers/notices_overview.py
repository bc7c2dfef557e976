"""``GET /api/v1/notices/overview``: desk-wide, which dossiers are linked to a Zalo user, and
which notices failed for good or are still being retried, with the last error.

Only the dossiers the desk may read (``concern.readable``, the rule of ``may_read``): a desk
sees its units' dossiers, a supervisor's desk its whole agency. Answers to Zalo users that
belong to no dossier (a wrong link code, help) are not listed. ``zalo_awaiting_consent``
says that the OA's tokens failed to refresh: Zalo notices wait for the admin.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import and_, or_, select

from ..concern import readable
from ..deps import CurrentDesk, DbDep, SettingsDep
from ..models import DossierState, NotifyOutbox, ZaloLink, ZaloToken
from ..schemas import ErrorBody
from ..safejson import StrictJsonRoute

router = APIRouter(prefix="/api/v1", tags=["notices"], route_class=StrictJsonRoute)
MAX_ROWS = 500


class LinkedOut(BaseModel):
    dossier: str
    procedure: str
    linked_at: datetime


class ProblemOut(BaseModel):
    id: int
    dossier: str
    procedure: str
    kind: str
    channel: str
    via: str | None
    recipient: str | None
    status: str               # failed (for good) | pending (being retried)
    attempts: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime | None


class OverviewOut(BaseModel):
    linked: list[LinkedOut]
    problems: list[ProblemOut]
    zalo_awaiting_consent: bool
    truncated: bool


@router.get("/notices/overview", response_model=OverviewOut,
            responses={401: {"model": ErrorBody}, 403: {"model": ErrorBody}})
def overview(desk: CurrentDesk, db: DbDep, settings: SettingsDep,
             limit: Annotated[int, Query(ge=1, le=MAX_ROWS)] = 200) -> OverviewOut:
    """The desk's dossiers linked to Zalo (newest link first) and its notices that failed or are
    being retried (newest first)."""
    with db.session(write=False) as s:
        linked = s.execute(
            select(ZaloLink.dossier_code, ZaloLink.linked_at, DossierState.procedure_name)
            .join(DossierState, DossierState.code == ZaloLink.dossier_code, isouter=True)
            .where(ZaloLink.unlinked_at.is_(None), readable(desk, ZaloLink.dossier_code))
            .order_by(ZaloLink.linked_at.desc(), ZaloLink.id.desc()).limit(limit + 1)).all()
        problems = s.execute(
            select(NotifyOutbox, DossierState.procedure_name)
            .join(DossierState, DossierState.code == NotifyOutbox.dossier_code, isouter=True)
            .where(or_(NotifyOutbox.status == "failed",
                       and_(NotifyOutbox.status == "pending", NotifyOutbox.attempts > 0)),
                   readable(desk, NotifyOutbox.dossier_code))
            .order_by(NotifyOutbox.id.desc()).limit(limit + 1)).all()
        waiting = False
        if settings.zalo_enabled:
            token = s.get(ZaloToken, settings.zalo_oa_id)
            waiting = token is not None and token.failed_at is not None
        seen: set[str] = set()
        linked_out = []
        for code, at, procedure in linked[:limit]:
            if code not in seen:  # one line a dossier (a link replaced keeps the newest)
                seen.add(code)
                linked_out.append(LinkedOut(dossier=code, procedure=procedure or "", linked_at=at))
        return OverviewOut(
            linked=linked_out,
            problems=[ProblemOut(id=r.id, dossier=r.dossier_code, procedure=procedure or "", kind=r.kind,
                                 channel=r.channel, via=r.via, recipient=r.recipient, status=r.status,
                                 attempts=r.attempts, last_error=r.last_error, created_at=r.created_at,
                                 next_attempt_at=r.next_attempt_at if r.status == "pending" else None)
                      for r, procedure in problems[:limit]],
            zalo_awaiting_consent=waiting, truncated=len(linked) > limit or len(problems) > limit)
