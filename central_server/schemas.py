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

from .safejson import body_checked, check, check_quick, check_text, check_time, check_times_in

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
        # The wire carries Vietnam wall time, as the desks write it: no offset, and a year a
        # dossier code can carry (year 1 or 9999 would overflow the date arithmetic later).
        return check_time(value)

    @field_validator("payload")
    @classmethod
    def _plain_payload(cls, value: dict[str, Any]) -> dict[str, Any]:
        # Checked as the body is parsed (safejson.StrictJsonBodies); again here for any other
        # caller, and in any case the times a payload carries (due dates...).
        if not body_checked():
            check_quick(value)  # the full walk only if the value's text calls for it
        check_times_in(value)  # walks every value, depth guarded
        return value

    @field_validator("actor", "dossier_code")
    @classmethod
    def _plain_text(cls, value: str) -> str:
        return check_text(value)


class PulledEvent(WireEvent):
    server_seq: int


class PushRequest(Strict):
    events: list[WireEvent] = Field(min_length=1)
    in_order: bool = Field(default=False, description=(
        "refuse the whole batch (409 not_next, nothing stored) unless its first new event continues "
        "the desk's chain as the server holds it: for a desk that sends its next batch before the "
        "last one's answer"))


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
    readmit_desk_id: str | None = Field(default=None, pattern=NAME,
                                        description="re-admit this enrolled desk: only this code may re-enrol it")


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
    # a form's number series (Mẫu 02/03/04) for the day's year instead of the day's dossier numbers
    series: str | None = Field(default=None, pattern=r"^[A-Z]{2}-[A-Z]{2}$")


class LeaseResponse(BaseModel):
    agency_code: str
    day: date
    first: int
    last: int
    series: str | None = None


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
    status_text: str                  # the citizen's sentence (``lifecycle.citizen_status_text``)
    stage: str
    received_at: datetime | None
    due_at: datetime | None           # the legal appointment
    appointment_at: datetime | None   # what the citizen is told now (an apology moves it)
    first_due_at: datetime | None     # printed on the receipt
    apology_reason: str
    finished_at: datetime | None
    returned_at: datetime | None
    result_ready_at: datetime | None  # "result ready since …"
    verdict: str                      # ``lifecycle.Verdict`` value
    verdict_label: str
    verdict_text: str                 # the citizen's words, as at the kiosk
    verdict_tone: str
    holder_unit: str | None
    steps: list[PublicStep]
    updated_at: datetime


class ErrorBody(BaseModel):
    error: str
    message: str
