"""Enrolment of desks, and the admin's side: codes, the list of desks, revocation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from .. import desks
from ..models import Desk
from ..deps import AdminDep, CurrentDesk, DbDep, EnrolRateLimited, SettingsDep
from ..schemas import NAME, DeskOut, EnrolmentCodeOut, EnrolRequest, EnrolResponse, ErrorBody, NewEnrolment
from ..settings import vn_now
from ..safejson import StrictJsonRoute

router = APIRouter(prefix="/api/v1", tags=["desks"], route_class=StrictJsonRoute)
ERRORS = {401: {"model": ErrorBody}, 403: {"model": ErrorBody}, 422: {"model": ErrorBody}}


@router.post("/enrol", response_model=EnrolResponse, dependencies=[EnrolRateLimited],
             responses={**ERRORS, 409: {"model": ErrorBody}, 429: {"model": ErrorBody}})
def enrol(req: EnrolRequest, db: DbDep) -> EnrolResponse:
    """Exchange a one-time code from the admin for this desk's token (shown once)."""
    now = vn_now()
    with db.session() as s:
        token, desk = desks.enrol(s, req.code, req.desk_id, req.desk_name, now, req.agency_code)
        return EnrolResponse(desk_id=desk.id, token=token, agency_code=desk.agency_code,
                             units=list(desk.units), scope=desk.scope, server_time=now)


@router.get("/me", response_model=DeskOut, responses=ERRORS)
def me(desk: CurrentDesk, db: DbDep) -> DeskOut:
    """The calling desk as the server knows it (a cheap check that the token still works)."""
    with db.session(write=False) as s:
        row = s.get(Desk, desk.id)
        return DeskOut.model_validate(row, from_attributes=True)


@router.post("/admin/enrolment-codes", response_model=EnrolmentCodeOut, dependencies=[AdminDep],
             responses={**ERRORS, 404: {"model": ErrorBody}, 409: {"model": ErrorBody}}, status_code=201)
def new_enrolment_code(req: NewEnrolment, db: DbDep, settings: SettingsDep) -> EnrolmentCodeOut:
    """A one-time code for setting up one new desk; it expires after ``enrolment_code_hours``.
    With ``readmit_desk_id``, the code re-admits that enrolled desk, and only it."""
    with db.session() as s:
        code, expires = desks.create_enrolment_code(s, req.desk_name, req.agency_code, req.units, req.scope,
                                                    vn_now(), settings.enrolment_code_hours, req.readmit_desk_id)
    return EnrolmentCodeOut(code=code, expires_at=expires)


@router.get("/admin/desks", response_model=list[DeskOut], dependencies=[AdminDep], responses=ERRORS)
def list_desks(db: DbDep) -> list[DeskOut]:
    with db.session(write=False) as s:
        return [DeskOut.model_validate(d, from_attributes=True) for d in desks.all_desks(s)]


@router.post("/admin/desks/{desk_id}/revoke", response_model=DeskOut, dependencies=[AdminDep],
             responses={**ERRORS, 404: {"model": ErrorBody}})
def revoke(desk_id: Annotated[str, Path(pattern=NAME)], db: DbDep) -> DeskOut:
    """From now on the desk's token is refused; its events already received stay."""
    with db.session() as s:
        return DeskOut.model_validate(desks.revoke(s, desk_id, vn_now()), from_attributes=True)
