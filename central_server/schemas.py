"""What travels on the wire: request and response bodies of the sync API.

An event on the wire: ``{"id", "dossier_code", "kind", "payload", "actor", "desk",
"desk_time", "unit", "prev_hash", "hash"}``, times as Vietnam local wall time without an
offset; the server adds ``server_seq``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from desk_app.domain.codes import DOSSIER_CODE
from desk_app.domain.dossier import EventKind

from .settings import VIETNAM

HEX64 = r"^[0-9a-f]{64}$"
UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
NAME = r"^[A-Za-z0-9_.:@-]{1,64}$"
UNIT = r"^[A-Za-z0-9_.-]{1,50}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WireEvent(Strict):
    id: str = Field(pattern=UUID)
    dossier_code: str = Field(max_length=40, pattern=DOSSIER_CODE.pattern)
    kind: EventKind
    payload: dict[str, Any]
    actor: str = Field(min_length=1, max_length=100)
    desk: str = Field(pattern=NAME)
    desk_time: datetime
    unit: str | None = Field(default=None, pattern=UNIT)
    prev_hash: str = Field(pattern=HEX64)
    hash: str = Field(pattern=HEX64)

    @field_validator("desk_time")
    @classmethod
    def _local_time(cls, value: datetime) -> datetime:
        # The wire carries Vietnam wall time; an offset, if a client sends one, is honoured.
        if value.tzinfo is not None:
            value = value.astimezone(VIETNAM).replace(tzinfo=None)
        return value


class PulledEvent(WireEvent):
    server_seq: int


class PushRequest(Strict):
    events: list[WireEvent] = Field(min_length=1)


class PushResult(BaseModel):
    id: str
    status: Literal["accepted", "conflict"]
    server_seq: int
    duplicate: bool = False
    reason: str | None = None


class PushResponse(BaseModel):
    results: list[PushResult]
    server_time: datetime


class Conflict(BaseModel):
    """An event the server kept but did not accept, with the reason, for the desks involved."""

    server_seq: int
    event: WireEvent
    reason: str


class PullResponse(BaseModel):
    events: list[PulledEvent]
    conflicts: list[Conflict]
    cursor: int
    head: int = Field(description="the newest server_seq: how far a catch-up has to go")
    more: bool
    server_time: datetime


class EnrolRequest(Strict):
    code: str = Field(min_length=4, max_length=64)
    desk_id: str = Field(pattern=NAME)
    desk_name: str | None = Field(default=None, max_length=200)
    agency_code: str | None = Field(default=None, max_length=20,
                                    description="the desk's agency: a code meant for another is refused, not used up")


class EnrolResponse(BaseModel):
    desk_id: str
    token: str
    agency_code: str
    units: list[str]
    scope: str
    server_time: datetime


class NewEnrolment(Strict):
    desk_name: str = Field(min_length=1, max_length=200)
    agency_code: str = Field(max_length=20)
    units: list[str] = Field(min_length=1, max_length=50)
    scope: Literal["units", "agency"] = "units"


class EnrolmentCodeOut(BaseModel):
    code: str
    expires_at: datetime


class DeskOut(BaseModel):
    id: str
    name: str
    agency_code: str
    units: list[str]
    scope: str
    enrolled_at: datetime
    revoked_at: datetime | None
    last_seen_at: datetime | None


class LeaseRequest(Strict):
    day: date
    size: int = Field(ge=1, le=9999)
    request_id: str = Field(pattern=UUID)


class LeaseResponse(BaseModel):
    agency_code: str
    day: date
    first: int
    last: int


class UploadState(BaseModel):
    sha256: str
    size: int
    offset: int
    complete: bool


class PublicStep(BaseModel):
    label: str
    at: datetime
    unit: str | None


class PublicStatus(BaseModel):
    """What the holder of a receipt may see: no names, no ID numbers."""

    code: str
    procedure_code: str
    procedure_name: str
    status: int
    status_label: str
    received_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None
    returned_at: datetime | None
    verdict: str
    verdict_label: str
    holder_unit: str | None
    steps: list[PublicStep]
    updated_at: datetime


class ErrorBody(BaseModel):
    error: str
    message: str
