"""Leases of dossier numbers."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter

from .. import leases
from ..deps import CurrentDesk, DbDep, SettingsDep
from ..schemas import ErrorBody, LeaseRequest, LeaseResponse
from ..settings import vn_now
from ..safejson import StrictJsonRoute

router = APIRouter(prefix="/api/v1", tags=["code blocks"], route_class=StrictJsonRoute)


@router.post("/code-blocks", response_model=LeaseResponse, status_code=201,
             responses={401: {"model": ErrorBody}, 403: {"model": ErrorBody}, 409: {"model": ErrorBody},
                        422: {"model": ErrorBody}, 429: {"model": ErrorBody}})
def lease(req: LeaseRequest, desk: CurrentDesk, db: DbDep, settings: SettingsDep) -> LeaseResponse:
    """A block of the day's dossier numbers for the calling desk's agency. Retrying with the
    same ``request_id`` returns the same block. A desk gets at most ``lease_daily_max_per_desk``
    numbers a day (429 past it). With ``series`` ("TB-BS", "TB-TC", "XL-HL"): a block of that
    form's numbers for the day's year instead."""
    with db.session() as s:
        if req.series is not None:  # a form's number series, per year
            got = leases.lease_series(s, desk, req.series, req.day.year, req.size, req.request_id, vn_now(),
                                      settings.code_block_max)
            return LeaseResponse(agency_code=got.agency_code, day=date(got.year, 1, 1), first=got.first,
                                 last=got.last, series=got.series)
        block = leases.lease(s, desk, req.day, req.size, req.request_id, vn_now(), settings.code_block_max,
                             settings.lease_daily_max_per_desk)
        return LeaseResponse(agency_code=block.agency_code, day=block.day, first=block.first, last=block.last)
