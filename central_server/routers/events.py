"""Push and pull of events."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from desk_app.domain.i18n import tr

from .. import pull as pulling
from .. import push as pushing
from ..deps import CurrentDesk, DbDep, SettingsDep
from ..errors import ApiError
from ..safejson import SafeJSONResponse, StrictJsonRoute
from ..schemas import ErrorBody, PullResponse, PushRequest, PushResponse
from ..settings import vn_now

router = APIRouter(prefix="/api/v1", tags=["events"], route_class=StrictJsonRoute)
ERRORS = {400: {"model": ErrorBody}, 401: {"model": ErrorBody}, 403: {"model": ErrorBody},
          413: {"model": ErrorBody}, 422: {"model": ErrorBody}}
PUSH_ERRORS = {**ERRORS, 409: {"model": ErrorBody}}


@router.post("/events", response_model=PushResponse, responses=PUSH_ERRORS)
def push(req: PushRequest, desk: CurrentDesk, db: DbDep, settings: SettingsDep):
    """Send a batch of the desk's events, oldest first.

    Each event is kept once, by its id: sending a batch again answers the same. Each new
    event gets the next ``server_seq`` and is judged against the dossier's state: an event
    that may not follow it is kept as a conflict, with the reason, and not applied.
    A batch with any event the desk may not write (another desk's, another agency's
    dossier) is refused whole with 403, listing those events. With ``in_order``, a batch whose
    first new event does not continue the desk's chain as the server holds it (the batch
    before it, sent just before, is not written yet) is refused whole with 409 ``not_next``:
    a desk may so send its next batch before the last one's answer, and send it again after.
    """
    if len(req.events) > settings.max_batch_events:
        raise ApiError(413, "too_many_events", tr("Quá nhiều sự kiện trong một lần gửi (tối đa {n}).")
                       .format(n=settings.max_batch_events), limit=settings.max_batch_events)
    now = vn_now()
    results = pushing.run(db, desk, req.events, now, settings.lease_daily_max_per_desk, in_order=req.in_order)
    return JSONResponse({"results": results, "server_time": now.isoformat()})


@router.get("/events", response_model=PullResponse, responses=ERRORS)
def pull(desk: CurrentDesk, db: DbDep, settings: SettingsDep,
         after: Annotated[int, Query(ge=0, le=2 ** 63 - 1,
                                     description="the cursor from the last answer (0 at first)")] = 0,
         limit: Annotated[int, Query(ge=1, le=100_000)] = 1000):
    """Events after the cursor, of the dossiers that concern the desk, in ``server_seq``
    order; ``more`` says another page is waiting. Conflicts come in their own list."""
    now = vn_now()
    with db.session(write=False) as s:
        page = pulling.pull(s, desk, after, min(limit, settings.pull_page_max), now)
    return SafeJSONResponse(page)  # no stored value can break a page
