"""The centre's public data, sent by its desks: profile, catalogue, announcements."""

from __future__ import annotations

from fastapi import APIRouter

from .. import centre
from ..centre import AnnouncementsIn, AnnouncementsOut, CatalogueIn, CentreProfileIn, StoredOut
from ..deps import CurrentDesk, DbDep
from ..schemas import ErrorBody
from ..settings import vn_now
from ..safejson import StrictJsonRoute

router = APIRouter(prefix="/api/v1/centre", tags=["centre"], route_class=StrictJsonRoute)
ERRORS = {400: {"model": ErrorBody}, 401: {"model": ErrorBody}, 403: {"model": ErrorBody},
          413: {"model": ErrorBody}, 422: {"model": ErrorBody}}


@router.put("/profile", response_model=StoredOut, responses=ERRORS)
def put_profile(profile: CentreProfileIn, desk: CurrentDesk, db: DbDep) -> StoredOut:
    """What the public home page says of the desk's centre: name, address, phone, e-mail,
    hours, where results are collected. Replaces what was there."""
    now = vn_now()
    with db.session() as s:
        centre.put_profile(s, desk, profile, now)
    return StoredOut(agency_code=desk.agency_code, updated_at=now)


@router.put("/catalogue", response_model=StoredOut, responses=ERRORS)
def put_catalogue(catalogue: CatalogueIn, desk: CurrentDesk, db: DbDep) -> StoredOut:
    """The centre's procedures as the public reads and searches them; replaces the agency's
    whole public catalogue. Each procedure is read by the desks' catalogue parser: one that
    does not read refuses the request (422), naming it."""
    procedures = centre.read_catalogue(catalogue.procedures)
    now = vn_now()
    with db.session() as s:
        n = centre.put_catalogue(s, desk, procedures, now)
    return StoredOut(agency_code=desk.agency_code, procedures=n, updated_at=now)


@router.post("/announcements", response_model=AnnouncementsOut, responses=ERRORS)
def post_announcements(req: AnnouncementsIn, desk: CurrentDesk, db: DbDep) -> AnnouncementsOut:
    """New and changed announcements of the desk's centre (withdrawn ones with ``deleted``),
    upserted by id; for each, ``stored``, or ``stale`` when the server holds a newer version.
    An id of another agency's announcement refuses the request (403)."""
    with db.session() as s:
        results = centre.post_announcements(s, desk, req.announcements)
    return AnnouncementsOut(results=results)
