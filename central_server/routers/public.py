"""The citizen's status lookup by receipt (code and key), and the health check."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse

from desk_app.domain.i18n import tr

from .. import public
from ..deps import DbDep, RateLimited
from ..errors import ApiError
from ..schemas import ErrorBody, PublicStatus
from ..settings import vn_now
from ..safejson import StrictJsonRoute

router = APIRouter(prefix="/api/v1", tags=["public"], route_class=StrictJsonRoute)


@router.get("/public/dossiers/{code}", response_model=PublicStatus, dependencies=[RateLimited],
            responses={404: {"model": ErrorBody}, 429: {"model": ErrorBody}})
async def dossier_status(code: str, db: DbDep,
                   k: Annotated[str | None, Query(max_length=100, description="the key from the receipt's QR")] = None,
                   x_dossier_key: Annotated[str | None, Header(max_length=100)] = None):
    """Where the dossier is and when it is due. The same 404 for an unknown code and for a
    wrong key; limited per client IP."""
    # On the event loop, not in a worker thread: the read is one indexed query of a few rows,
    # cheaper than the hand-over to a thread and back; under load the threads would only queue
    # for the GIL, and the tail latency doubles (benchmarks/bench_server.py). The price: while
    # the query runs, this process answers nothing else, so the database must stay near.
    key = x_dossier_key or k or ""
    with db.reading() as conn:
        found = public.status(conn, code, key, vn_now())
    if found is None:
        raise ApiError(404, "not_found", tr("Không tìm thấy hồ sơ với mã và khóa tra cứu này. "
                                            "Hãy kiểm tra lại mã QR trên giấy tiếp nhận."))
    return JSONResponse(found, headers={"Cache-Control": "no-store"})


@router.get("/health")
def health() -> dict:
    """Up and answering; the desks use it to tell "server down" from "refused"."""
    return {"status": "ok", "server_time": vn_now().isoformat()}
