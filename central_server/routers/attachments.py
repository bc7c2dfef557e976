"""Attachments by SHA-256: ask how much arrived, send the rest, fetch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

from desk_app.domain.i18n import tr

from .. import blobs
from ..deps import BlobsDep, CurrentDesk, DbDep, SettingsDep
from ..errors import ApiError
from ..schemas import ErrorBody, UploadState
from ..settings import vn_now

router = APIRouter(prefix="/api/v1/attachments", tags=["attachments"])
ERRORS = {401: {"model": ErrorBody}, 403: {"model": ErrorBody}, 404: {"model": ErrorBody}}
BINARY = {"requestBody": {"required": True, "content": {
    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}


def _not_found() -> ApiError:
    return ApiError(404, "not_found", tr("Máy chủ chưa có tệp này."))


@router.head("/{sha256}", responses=ERRORS)
def upload_state(sha256: str, desk: CurrentDesk, store: BlobsDep) -> Response:
    """How much of the file the server holds: headers ``Upload-Offset``, ``Upload-Length``,
    ``Upload-Complete`` (1 or 0). 404 if nothing yet."""
    state = store.state(sha256, desk.id)
    if state is None:
        return Response(status_code=404)
    return Response(headers={"Upload-Offset": str(state.offset), "Upload-Length": str(state.size),
                             "Upload-Complete": "1" if state.complete else "0"})


@router.put("/{sha256}", response_model=UploadState, openapi_extra=BINARY,
            responses={**ERRORS, 409: {"model": ErrorBody}, 413: {"model": ErrorBody}, 422: {"model": ErrorBody}})
async def upload(sha256: str, request: Request, desk: CurrentDesk, store: BlobsDep, db: DbDep,
                 settings: SettingsDep,
                 offset: Annotated[int, Query(ge=0, le=2 ** 63 - 1, description="where this piece starts")],
                 total: Annotated[int, Query(ge=0, le=2 ** 63 - 1, description="the whole file's size")]):
    """Append a piece of the file at ``offset`` (the server's ``Upload-Offset``); 409 with
    the right offset otherwise. Each desk's unfinished upload is its own; a piece at offset 0
    with another ``total`` starts it over. When the last byte arrives the SHA-256 is checked: a
    mismatch throws the upload away (422)."""
    data = await request.body()
    state = await run_in_threadpool(store.put, sha256, offset, total, data, settings.max_attachment_bytes,
                                    desk.id)
    if state.complete:
        def _record():
            with db.session() as s:
                blobs.record(s, state, desk.id, vn_now())
        await run_in_threadpool(_record)
    return JSONResponse(state.as_dict())


@router.get("/{sha256}", responses={**ERRORS, 206: {"description": "a range of the file"}},
            response_class=FileResponse)
def download(sha256: str, desk: CurrentDesk, store: BlobsDep, db: DbDep):
    """The whole file once it is complete; ``Range: bytes=N-`` resumes a download. Only for a desk
    concerned with a dossier the file is attached to (or, attached to none, of the uploader's
    agency): 404 otherwise, as for a file the server does not have."""
    state = store.state(sha256, desk.id)
    if state is None or not state.complete:
        raise _not_found()
    with db.session(write=False) as s:
        if not blobs.may_download(s, desk, sha256):
            raise _not_found()
    return FileResponse(store.path(sha256), media_type="application/octet-stream")
