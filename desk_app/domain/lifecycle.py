"""One dossier, one truth: the typed payload of every event kind, the state machine and the
reducer that folds a dossier's events into its state.

The desk's services, the desk's replay of pulled events and the central server all fold
events through ``apply``; no other code decides a dossier's status, stage, dates or holder.
``apply`` needs no calendar: whatever working-time arithmetic a step needs (a pause's length,
the shifted deadline, the processing time) is computed by the service that takes the step and
travels in the event's payload, so every reader reaches the same state from the same events.

Three dates are kept apart:

* ``due_at``: the legal appointment, what the receipt promised, moved only by pauses (the
  clock stops while the citizen is asked for papers or for a fee). NgayHenTra, the register,
  the control slip and the statistics use it.
* ``appointment_at``: the appointment the citizen is told now: an apology's new date, moved
  by pauses too. An early result does not rewrite it: the citizen reads "result ready since".
* ``finished_at``: when the dossier finished (result ready, refused, withdrawn, stopped).
"""

from __future__ import annotations

import dataclasses
import enum
import math
import re
import types
import typing
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable, Protocol

from .dossier import EventKind, Status
from .i18n import N_, tr

# ---------------------------------------------------------------------------------------
# stages: where a dossier is, finer than the national status
# ---------------------------------------------------------------------------------------


class Stage(str, enum.Enum):
    RECEIVED = "received"              # at the counter, after intake
    TRANSFERRING = "transferring"      # on its way to a unit
    IN_UNIT = "in_unit"                # arrived, waiting to be assigned
    ASSIGNED = "assigned"              # a specialist works on it
    REVIEW = "review"                  # with a leader for review and signature
    APPROVED = "approved"              # signed, back with the specialist
    SUPPLEMENT = "supplement"          # waiting for the citizen's papers: the clock stops
    PAYMENT = "payment"                # waiting for a fee or financial obligation: the clock stops
    RESULT_UNIT = "result_unit"        # the result is ready at the unit
    RESULT_TRANSIT = "result_transit"  # the result travels back to the counter
    RESULT = "result"                  # the result waits at the counter
    RETURNED = "returned"              # the citizen took it
    CLOSED = "closed"                  # refused, withdrawn or stopped
    ONLINE = "online"                  # submitted online, waiting for the counter's check (no clock yet)
    ONLINE_SUPPLEMENT = "online_supplement"  # the counter asked the online applicant for papers before accepting
    ONLINE_CLOSED = "online_closed"    # submitted online, refused or withdrawn before the counter accepted it

    @property
    def label(self) -> str:
        return tr(STAGE_LABELS[self])


STAGE_LABELS = {
    Stage.RECEIVED: N_("Đã tiếp nhận tại Một cửa"), Stage.TRANSFERRING: N_("Đang chuyển"),
    Stage.IN_UNIT: N_("Chờ phân công"), Stage.ASSIGNED: N_("Đang xử lý"), Stage.REVIEW: N_("Chờ ký duyệt"),
    Stage.APPROVED: N_("Đã ký duyệt"), Stage.SUPPLEMENT: N_("Chờ bổ sung"),
    Stage.PAYMENT: N_("Chờ nộp nghĩa vụ tài chính"), Stage.RESULT_UNIT: N_("Có kết quả tại đơn vị"),
    Stage.RESULT_TRANSIT: N_("Kết quả đang chuyển về Một cửa"), Stage.RESULT: N_("Kết quả tại Một cửa"),
    Stage.RETURNED: N_("Đã trả kết quả"), Stage.CLOSED: N_("Đã kết thúc"),
    Stage.ONLINE: N_("Nộp trực tuyến, chờ tiếp nhận"),
    Stage.ONLINE_SUPPLEMENT: N_("Nộp trực tuyến, chờ công dân bổ sung"),
    Stage.ONLINE_CLOSED: N_("Đã kết thúc, chưa được tiếp nhận"),
}

# A dossier never received (NOT_ACCEPTED_STAGES) has the submission's time, not a time of
# receipt, and no appointment yet: worded so on the citizen's page and at the desk alike
SUBMITTED_ONLINE_AT = N_("Nộp trực tuyến lúc")
APPOINTMENT_AFTER_CHECK = N_("Sẽ hẹn khi cán bộ tiếp nhận hồ sơ")

PAUSED_STAGES = frozenset({Stage.SUPPLEMENT, Stage.PAYMENT})
# Submitted online, waiting for the counter's check (or for the citizen's papers it asked for)
AWAITING_CHECK_STAGES = frozenset({Stage.ONLINE, Stage.ONLINE_SUPPLEMENT})
# Submitted online and never accepted: waiting for the check, or refused or withdrawn before it
# (domain.md status 3 "Không được tiếp nhận"). Not a received dossier: no legal clock, in no statistics
NOT_ACCEPTED_STAGES = AWAITING_CHECK_STAGES | {Stage.ONLINE_CLOSED}


def never_received(stage: Stage | str | None) -> bool:
    """Whether a dossier in ``stage`` was never received (``NOT_ACCEPTED_STAGES``): its time is the
    submission's, it has no appointment, no receiving clerk, no receipt. An unknown stage is not."""
    try:
        return Stage(stage) in NOT_ACCEPTED_STAGES
    except ValueError:
        return False


# Ended: refused, withdrawn or stopped (after acceptance, or before it for an online submission)
ENDED_STAGES = frozenset({Stage.CLOSED, Stage.ONLINE_CLOSED})
# Open: the dossier is still being dealt with (in whichever stage)
OPEN_STAGES = frozenset({Stage.RECEIVED, Stage.TRANSFERRING, Stage.IN_UNIT, Stage.ASSIGNED, Stage.REVIEW,
                         Stage.APPROVED, Stage.SUPPLEMENT, Stage.PAYMENT})
RESULT_STAGES = frozenset({Stage.RESULT_UNIT, Stage.RESULT_TRANSIT, Stage.RESULT})
# in a unit's hands, with the hop's clock running
AT_WORK_STAGES = frozenset({Stage.TRANSFERRING, Stage.IN_UNIT, Stage.ASSIGNED, Stage.REVIEW, Stage.APPROVED})

ENDED_STATUSES = frozenset({Status.REFUSED, Status.WITHDRAWN, Status.STOPPED})


def stage_words(stage: Stage | str, held_by_viewer: bool = False) -> str:
    """Where a dossier is, as its holder's queue says it: one that arrived in the unit reads
    "Chờ phân công" to the unit, but to the specialist who took it in and holds it, it is his
    to work on, not waiting for anyone to assign it."""
    try:
        stage = Stage(stage)
    except ValueError:
        return str(stage)
    if stage is Stage.IN_UNIT and held_by_viewer:
        return tr("Đã nhận, chờ xử lý")
    return stage.label


def status_of_stage(stage: Stage, ended: Status | None = None) -> Status:
    """The national status a dossier in ``stage`` is in (``ended``: how an ended one ended)."""
    if stage is Stage.RECEIVED:
        return Status.RECEIVED
    if stage in AWAITING_CHECK_STAGES:
        return Status.SUBMITTED_ONLINE
    if stage is Stage.SUPPLEMENT:
        return Status.SUPPLEMENT_REQUESTED
    if stage is Stage.PAYMENT:
        return Status.PAYMENT_REQUESTED
    if stage in RESULT_STAGES:
        return Status.RESULT_READY
    if stage is Stage.RETURNED:
        return Status.RETURNED
    if stage is Stage.CLOSED:
        return ended or Status.STOPPED
    if stage is Stage.ONLINE_CLOSED:
        return ended or Status.REFUSED   # never received: refused at the check (or withdrawn before it)
    return Status.PROCESSING


# ---------------------------------------------------------------------------------------
# typed payloads, one per event kind
# ---------------------------------------------------------------------------------------


class PayloadError(ValueError):
    """A payload that does not have the shape its event kind requires (message in Vietnamese)."""


MAX_TEXT = 20_000          # one text field
MAX_LIST = 500             # items of a list
MAX_INT = 2 ** 53          # what JSON numbers carry exactly everywhere
MIN_YEAR, MAX_YEAR = 1900, 2200


def _payload(cls):
    """Decorator: a frozen dataclass that knows how to be read from and written to JSON."""
    cls = dataclass(frozen=True)(cls)
    cls._hints = None
    return cls


@_payload
class ProcedureRef:
    code: str
    name: str = ""
    version: int | None = None


@_payload
class Received:
    procedure: ProcedureRef
    received_at: datetime
    due_at: datetime
    key_sha256: str = ""
    applicant_type: str = "individual"
    owner: dict[str, Any] = field(default_factory=dict)
    submitter: dict[str, Any] | None = None
    components: list[Any] = field(default_factory=list)
    sets: int = 1
    channel: str = "direct"
    collect_by_post: bool = False
    notes: str = ""
    case: str = ""                               # the procedure's case (catalogue), "" if it has one
    case_name: str = ""
    shown: list[str] = field(default_factory=list)   # papers shown for checking, handed back
    fee: dict[str, Any] | None = None            # the fee charged at the counter (domain.fees.FeeCharged)


@_payload
class OnlineFile:
    sha256: str                                  # the component's clean PDF on the server
    pages: int = 0
    name: str = ""


@_payload
class SubmittedOnline(Received):
    """An e-form submitted on the server's pages. ``received_at`` is the submission's time and
    ``due_at`` equals it: the legal clock starts only at acceptance (``AcceptedOnline``)."""
    submission: str = ""                         # the server's submission id
    files: list[OnlineFile] = field(default_factory=list)
    counter_unit: str = ""


@_payload
class AcceptedOnline:
    received_at: datetime                        # acceptance: the legal appointment counts from here
    due_at: datetime
    note: str = ""
    case: str = ""                               # the procedure's case the counter chose (catalogue)
    case_name: str = ""


@_payload
class ReceiptPrinted:
    file: str = ""
    paper: str = ""
    key_replaced: bool = False


@_payload
class FormPrinted:
    form: str = ""            # domain.forms.FormKind value
    number: str = ""          # "15/2026/TB-BS" for the forms with a number
    file: str = ""
    sha256: str = ""
    reprint: bool = False     # the kept PDF printed again: no new number


@_payload
class KeyReplaced:
    key_sha256: str


@_payload
class AttachmentAdded:
    sha256: str
    filename: str = ""
    size: int = 0


@_payload
class Note:
    text: str = ""


@_payload
class Transferred:
    to_unit: str
    from_unit: str | None = None
    to_kind: str = ""                 # "counter" | "department" ("" in events of older desks)
    to_unit_name: str = ""            # so that every reader (the server too) can name it
    allowed_hours: float | None = None
    hop_due_at: datetime | None = None
    note: str = ""


@_payload
class Arrived:
    unit: str | None = None
    unit_name: str = ""


@_payload
class Assigned:
    to: str
    reassign: bool = False


@_payload
class Forwarded:
    to: str
    note: str = ""


@_payload
class Approved:
    note: str = ""


@_payload
class SupplementRequested:
    reason: str
    missing: list[str]
    number: int | None = None
    resume_stage: str | None = None


@_payload
class PauseEnd:
    """Fields of every event that ends a pause: how long the clock stood still (working
    seconds) and the dates it moved."""
    paused_seconds: int = 0
    old_due: datetime | None = None
    new_due: datetime | None = None
    new_appointment: datetime | None = None
    new_hop_due: datetime | None = None
    note: str = ""


@_payload
class SupplementReceived(PauseEnd):
    pass


@_payload
class PaymentRequested:
    amount: int = 0
    note: str = ""


@_payload
class PaymentReceived(PauseEnd):
    fee: dict[str, Any] | None = None            # what was paid (domain.fees.FeeCharged), when recorded


@_payload
class ResultReady(PauseEnd):
    processing_seconds: int | None = None
    early: bool | None = None                 # as the desk saw it; the verdict is recomputed
    old_appointment: datetime | None = None


@_payload
class Returned:
    received_by: str = "owner"
    proxy: dict[str, Any] | None = None


@_payload
class Refused(PauseEnd):
    reasons: list[str] = field(default_factory=list)
    processing_seconds: int | None = None


@_payload
class Withdrawn(PauseEnd):
    reason: str = ""
    processing_seconds: int | None = None


@_payload
class Stopped(PauseEnd):
    reason: str = ""
    processing_seconds: int | None = None


@_payload
class AppointmentMoved:
    new_appointment: datetime
    kind: str = "apology"
    reason: str = ""
    old_appointment: datetime | None = None
    late_unit: str = ""
    short_notice: bool = False


@_payload
class Rated:
    level: str
    comment: str = ""
    clerk: str = ""
    channel: str = ""                          # kiosk | web | zalo
    criteria: dict[str, Any] | None = None     # the national satisfaction criteria asked alongside


MAX_MESSAGE = 1000   # characters in one message between a citizen and the counter


@_payload
class CitizenMessage:
    text: str
    supplement: list[OnlineFile] = field(default_factory=list)  # papers added online for a supplement request
    channel: str = "web"                        # web | zalo | kiosk
    zalo_user: str = ""
    attachments: list[str] = field(default_factory=list)  # SHA-256 of images in the server's blob store

    def __post_init__(self):
        if len(self.attachments) > MAX_MESSAGE_ATTACHMENTS:
            raise _bad("attachments", tr("quá nhiều tệp đính kèm (tối đa {n})").format(n=MAX_MESSAGE_ATTACHMENTS))
        for sha in self.attachments:
            if not _is_hex64(sha):
                raise _bad("attachments", tr("mỗi tệp đính kèm phải là mã SHA-256 (64 ký tự hex thường)"))


MAX_MESSAGE_ATTACHMENTS = 5   # images one citizen message carries


@_payload
class CounterReply:
    text: str
    reply_to: str | None = None                 # the citizen message's event id
    channel: str = "web"


PAYLOADS: dict[EventKind, type] = {
    EventKind.RECEIVED: Received, EventKind.RECEIPT_PRINTED: ReceiptPrinted,
    EventKind.KEY_REPLACED: KeyReplaced, EventKind.ATTACHMENT_ADDED: AttachmentAdded,
    EventKind.NOTE: Note, EventKind.TRANSFERRED: Transferred, EventKind.ARRIVED: Arrived,
    EventKind.ASSIGNED: Assigned, EventKind.FORWARDED: Forwarded, EventKind.APPROVED: Approved,
    EventKind.SUPPLEMENT_REQUESTED: SupplementRequested, EventKind.SUPPLEMENT_RECEIVED: SupplementReceived,
    EventKind.PAYMENT_REQUESTED: PaymentRequested, EventKind.PAYMENT_RECEIVED: PaymentReceived,
    EventKind.RESULT_READY: ResultReady, EventKind.RETURNED: Returned, EventKind.REFUSED: Refused,
    EventKind.WITHDRAWN: Withdrawn, EventKind.STOPPED: Stopped,
    EventKind.APPOINTMENT_MOVED: AppointmentMoved, EventKind.RATED: Rated,
    EventKind.CITIZEN_MESSAGE: CitizenMessage, EventKind.COUNTER_REPLY: CounterReply,
    EventKind.SUBMITTED_ONLINE: SubmittedOnline, EventKind.ACCEPTED_ONLINE: AcceptedOnline,
    EventKind.FORM_PRINTED: FormPrinted,
}
# The events that open a dossier (its first event)
OPENING_KINDS = frozenset({EventKind.RECEIVED, EventKind.SUBMITTED_ONLINE})


def _hints(cls) -> dict[str, Any]:
    if cls.__dict__.get("_hints") is None:
        cls._hints = typing.get_type_hints(cls)
    return cls._hints


def _bad(name: str, why: str) -> PayloadError:
    return PayloadError(tr("Trường \"{field}\" không hợp lệ: {why}").format(field=name, why=why))


def check_text(value: str, name: str = "") -> str:
    """A text from outside: no NUL, no lone surrogate, bounded."""
    if len(value) > MAX_TEXT:
        raise _bad(name, tr("quá dài"))
    if "\x00" in value:
        raise _bad(name, tr("có ký tự NUL"))
    if not value.isascii():   # (a flag CPython keeps: an ASCII text has no lone surrogate to look for)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise _bad(name, tr("có ký tự Unicode không hợp lệ")) from None
    return value


def check_json(value: Any, name: str = "", depth: int = 0) -> Any:
    """Any JSON value from outside: finite numbers, clean texts, bounded size and depth."""
    if depth > 8:
        raise _bad(name, tr("lồng quá sâu"))
    # the kinds are disjoint (bool before int): the commonest first
    if isinstance(value, str):
        return check_text(value, name)
    if isinstance(value, dict):
        if len(value) > MAX_LIST:
            raise _bad(name, tr("quá nhiều phần tử"))
        for k, v in value.items():
            if not isinstance(k, str):
                raise _bad(name, tr("khóa không phải chuỗi"))
            check_text(k, name)
            check_json(v, name + "." + k if name else k, depth + 1)
        return value
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if abs(value) > MAX_INT:
            raise _bad(name, tr("số quá lớn"))
        return value
    if isinstance(value, float):
        if not math.isfinite(value) or abs(value) > MAX_INT:
            raise _bad(name, tr("số không hữu hạn"))
        return value
    if isinstance(value, (list, tuple)):
        if len(value) > MAX_LIST:
            raise _bad(name, tr("quá nhiều phần tử"))
        return [check_json(v, name, depth + 1) for v in value]
    raise _bad(name, tr("kiểu dữ liệu không hỗ trợ"))


def check_time(value: datetime, name: str = "") -> datetime:
    if value.tzinfo is not None:
        raise _bad(name, tr("thời gian phải là giờ địa phương, không kèm múi giờ"))
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise _bad(name, tr("năm nằm ngoài khoảng {a}–{b}").format(a=MIN_YEAR, b=MAX_YEAR))
    return value


def _convert(value: Any, hint: Any, name: str) -> Any:
    """``value`` read as ``hint`` says (PayloadError naming ``name`` if it does not fit)."""
    return _converter(hint)(value, name)


_CONVERTERS: dict[tuple[Any, tuple], Callable[[Any, str], Any]] = {}


def _converter(hint: Any) -> Callable[[Any, str], Any]:
    """The function that reads a value as ``hint`` says, worked out once a hint: a push reads
    a few hundred thousand fields, and asking ``typing`` what each hint is, at each field, was
    most of the reducer's time."""
    key = (hint, typing.get_args(hint))   # Union[int, str] == Union[str, int], but reads as int first
    conv = _CONVERTERS.get(key)
    if conv is None:
        conv = _CONVERTERS[key] = _make_converter(hint)
    return conv


def _make_converter(hint: Any) -> Callable[[Any, str], Any]:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(hint)
        inner = _converter([a for a in args if a is not type(None)][0])
        if type(None) not in args:
            return inner
        return lambda value, name: None if value is None else inner(value, name)
    if hint is Any:
        return check_json
    if hint is str:
        def text(value, name):
            if not isinstance(value, str):
                raise _bad(name, tr("phải là chuỗi"))
            return check_text(value, name)
        return text
    if hint is bool:
        def boolean(value, name):
            if not isinstance(value, bool):
                raise _bad(name, tr("phải là đúng/sai"))
            return value
        return boolean
    if hint is int:
        def integer(value, name):
            if isinstance(value, bool) or not isinstance(value, int):
                if isinstance(value, float) and math.isfinite(value) and value.is_integer():
                    value = int(value)
                else:
                    raise _bad(name, tr("phải là số nguyên"))
            if abs(value) > MAX_INT:
                raise _bad(name, tr("số quá lớn"))
            return value
        return integer
    if hint is float:
        def number(value, name):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise _bad(name, tr("phải là số"))
            if not math.isfinite(value) or abs(value) > MAX_INT:
                raise _bad(name, tr("số không hữu hạn"))
            return float(value)
        return number
    if hint is datetime:
        def moment(value, name):
            if isinstance(value, datetime):
                return check_time(value, name)
            if not isinstance(value, str) or len(value) > 40:
                raise _bad(name, tr("phải là thời gian ISO 8601"))
            try:
                t = datetime.fromisoformat(value)
            except ValueError:
                raise _bad(name, tr("phải là thời gian ISO 8601")) from None
            return check_time(t, name)
        return moment
    if origin is list:
        (item,) = typing.get_args(hint) or (Any,)
        each = _converter(item)

        def items(value, name):
            if not isinstance(value, list):
                raise _bad(name, tr("phải là danh sách"))
            if len(value) > MAX_LIST:
                raise _bad(name, tr("quá nhiều phần tử"))
            return [each(v, name) for v in value]
        return items
    if origin is dict:
        def mapping(value, name):
            if not isinstance(value, dict):
                raise _bad(name, tr("phải là đối tượng"))
            return check_json(value, name)
        return mapping
    if dataclasses.is_dataclass(hint):
        def record(value, name):
            if not isinstance(value, dict):
                raise _bad(name, tr("phải là đối tượng"))
            return _from_dict(hint, value, name + ".")
        return record

    def unsupported(value, name):
        raise _bad(name, tr("kiểu dữ liệu không hỗ trợ"))
    return unsupported


def _plan(cls) -> list[tuple[str, Callable[[Any, str], Any], bool]]:
    """(name, converter, required) of each field of a payload class, worked out once."""
    plan = cls.__dict__.get("_plan")
    if plan is None:
        hints = _hints(cls)
        plan = cls._plan = [(f.name, _converter(hints[f.name]), f.default is dataclasses.MISSING
                             and f.default_factory is dataclasses.MISSING) for f in dataclasses.fields(cls)]
    return plan


def _from_dict(cls, data: dict, prefix: str = ""):
    kwargs = {}
    for name, conv, required in _plan(cls):
        if name not in data:
            if required:
                raise PayloadError(tr("Thiếu trường \"{field}\".").format(field=prefix + name))
            continue
        kwargs[name] = conv(data[name], prefix + name if prefix else name)
    return cls(**kwargs)


def parse_payload(kind: EventKind | str, payload: Any):
    """The typed payload of an event of ``kind``; PayloadError if it does not fit.

    Keys a kind does not know are checked as plain JSON (finite, clean, bounded) and kept in
    the stored payload, so an older or newer desk's extra facts are not lost."""
    kind = EventKind(kind)
    if not isinstance(payload, dict):
        raise PayloadError(tr("Nội dung sự kiện phải là một đối tượng JSON."))
    cls = PAYLOADS[kind]
    if len(payload) > MAX_LIST:
        raise _bad("", tr("quá nhiều phần tử"))
    known = _field_names(cls)
    for key, value in payload.items():  # the known fields are checked as they are converted
        if key not in known:
            if not isinstance(key, str):
                raise _bad("", tr("khóa không phải chuỗi"))
            check_text(key, key)
            check_json(value, key, 1)
    return _from_dict(cls, payload)


def _field_names(cls) -> frozenset[str]:
    names = cls.__dict__.get("_names")
    if names is None:
        names = cls._names = frozenset(f.name for f in dataclasses.fields(cls))
    return names


def _to_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if dataclasses.is_dataclass(value):
        return {f.name: _to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list):
        return [_to_json(v) for v in value]
    return value


def payload_dict(p) -> dict[str, Any]:
    """A typed payload as the JSON an event stores (None fields left out)."""
    return {k: v for k, v in _to_json(p).items() if v is not None}


# ---------------------------------------------------------------------------------------
# the state, and the reducer
# ---------------------------------------------------------------------------------------


class EventLike(Protocol):
    kind: Any          # EventKind or its value
    payload: dict
    actor: str
    desk: str
    desk_time: datetime
    unit: str | None


@dataclass
class DossierState:
    """A dossier as its events leave it. Units are named by their codes."""

    code: str
    status: Status
    stage: Stage
    received_at: datetime
    due_at: datetime                      # the legal appointment (moved only by pauses)
    appointment_at: datetime              # what the citizen is told now
    first_due_at: datetime                # printed on the receipt
    procedure_code: str = ""
    procedure_name: str = ""
    key_sha256: str = ""
    origin_desk: str = ""
    # the receiving clerk, an actor of ``origin_desk``: the intake's, or for an online submission the
    # clerk who accepted it (None before: the citizen's submission is not a receipt)
    receiver: str | None = None
    counter_unit: str | None = None       # the counter that received it
    holder_unit: str | None = None
    holder_user: str | None = None
    holder_since: datetime | None = None
    handling_unit: str | None = None      # the last department it went to
    hop_due_at: datetime | None = None
    paused_since: datetime | None = None
    paused_seconds: int = 0               # working seconds the clock stood still, all pauses
    resume_stage: Stage | None = None     # where a paused dossier goes back to
    supplement_count: int = 0
    payment_amount: int = 0
    finished_at: datetime | None = None
    returned_at: datetime | None = None
    processing_seconds: int | None = None
    outcome: str | None = None            # the verdict a finished dossier keeps (Verdict value)
    apology_reason: str = ""
    rating: str | None = None             # Rating value, once per dossier
    unanswered_messages: int = 0          # the citizen's messages since the counter's last reply

    @property
    def paused(self) -> bool:
        return self.stage in PAUSED_STAGES

    @property
    def result_ready_at(self) -> datetime | None:
        return self.finished_at if self.status in (Status.RESULT_READY, Status.RETURNED) else None

    def copy(self) -> DossierState:
        new = object.__new__(DossierState)
        new.__dict__.update(self.__dict__)
        return new


class StepRefusal(ValueError):
    """A step the state machine does not allow from the dossier's state (message in Vietnamese)."""


# The steps allowed from each stage. Annotations (prints, files, notes, ratings) record
# something without moving the dossier.
ANNOTATIONS = frozenset({EventKind.RECEIPT_PRINTED, EventKind.KEY_REPLACED, EventKind.ATTACHMENT_ADDED,
                         EventKind.NOTE, EventKind.RATED, EventKind.CITIZEN_MESSAGE, EventKind.COUNTER_REPLY,
                         EventKind.FORM_PRINTED})
ALLOWED_FROM: dict[EventKind, frozenset[Stage]] = {
    EventKind.TRANSFERRED: frozenset({Stage.RECEIVED, Stage.IN_UNIT, Stage.ASSIGNED, Stage.APPROVED,
                                      Stage.RESULT_UNIT}),
    EventKind.ARRIVED: frozenset({Stage.TRANSFERRING, Stage.RESULT_TRANSIT}),
    EventKind.ASSIGNED: frozenset({Stage.IN_UNIT, Stage.ASSIGNED}),
    EventKind.FORWARDED: frozenset({Stage.IN_UNIT, Stage.ASSIGNED}),
    EventKind.APPROVED: frozenset({Stage.REVIEW}),
    EventKind.SUPPLEMENT_REQUESTED: frozenset({Stage.RECEIVED, Stage.IN_UNIT, Stage.ASSIGNED, Stage.REVIEW,
                                               Stage.APPROVED, Stage.ONLINE}),
    EventKind.SUPPLEMENT_RECEIVED: frozenset({Stage.SUPPLEMENT, Stage.ONLINE_SUPPLEMENT}),
    EventKind.ACCEPTED_ONLINE: frozenset({Stage.ONLINE}),
    EventKind.PAYMENT_REQUESTED: frozenset({Stage.IN_UNIT, Stage.ASSIGNED, Stage.APPROVED}),
    EventKind.PAYMENT_RECEIVED: frozenset({Stage.PAYMENT}),
    EventKind.RESULT_READY: frozenset({Stage.IN_UNIT, Stage.ASSIGNED, Stage.APPROVED, Stage.PAYMENT}),
    EventKind.RETURNED: frozenset({Stage.RESULT}),
    EventKind.REFUSED: frozenset({Stage.RECEIVED, Stage.IN_UNIT, Stage.ASSIGNED, Stage.APPROVED} | AWAITING_CHECK_STAGES),
    EventKind.WITHDRAWN: OPEN_STAGES | AWAITING_CHECK_STAGES,
    EventKind.STOPPED: OPEN_STAGES - {Stage.RECEIVED, Stage.TRANSFERRING},
    EventKind.APPOINTMENT_MOVED: OPEN_STAGES,
}


def check(state: DossierState | None, kind: EventKind, at: datetime | None = None) -> str | None:
    """``None`` if an event of ``kind`` may follow ``state`` (None: no dossier yet), else why not.
    ``at``: when the event happens (the rules that depend on time, e.g. an apology before the deadline)."""
    kind = EventKind(kind)
    if kind in OPENING_KINDS:
        return None if state is None else tr("Hồ sơ đã được tiếp nhận trước đó.")
    if state is None:
        return tr("Chưa có hồ sơ này (chưa nhận được sự kiện tiếp nhận).")
    if kind is EventKind.RATED and state.rating is not None:
        return tr("Hồ sơ này đã được đánh giá. Mỗi hồ sơ chỉ được đánh giá một lần.")
    if kind is EventKind.APPOINTMENT_MOVED and state.apology_reason:
        return tr("Hồ sơ này đã có phiếu xin lỗi và hẹn lại; không hẹn lại lần thứ hai.")
    if kind is EventKind.APPOINTMENT_MOVED and at is not None and at >= state.due_at:
        # the apology comes before the deadline (Mẫu 04); after it, it is itself a breach
        return tr("Đã quá thời hạn giải quyết ({due}): phiếu xin lỗi và hẹn lại ngày trả kết quả phải gửi "
                  "trước khi hết hạn, không lập sau hạn.").format(due=state.due_at.strftime("%H:%M %d/%m/%Y"))
    if kind in ANNOTATIONS:
        return None
    if state.stage in ALLOWED_FROM.get(kind, frozenset()):
        return None
    return tr("Không thể \"{action}\" khi hồ sơ đang ở bước \"{stage}\" ({status}).").format(
        action=kind.label, stage=state.stage.label, status=state.status.label)


def stage_allows(stage: Stage | str, kind: EventKind) -> bool:
    """Whether the state machine lets an event of ``kind`` follow a dossier in ``stage``
    (a second rating aside: that needs the whole state)."""
    kind = EventKind(kind)
    return kind in ANNOTATIONS or Stage(stage) in ALLOWED_FROM.get(kind, frozenset())


def status_allows(status: Status, kind: EventKind) -> bool:
    """Whether some stage of ``status`` lets ``kind`` follow (for screens that know only the status)."""
    return any(stage_allows(st, kind) for st in Stage if status_of_stage(st) is Status(status)
               or (st in ENDED_STAGES and Status(status) in ENDED_STATUSES))


def _unit(value: Any) -> str | None:
    return value.strip().upper() if isinstance(value, str) and value.strip() else None


def start(e: EventLike, p: Received | None = None, default_unit: str | None = None) -> DossierState:
    """The state intake leaves: the first event of every dossier."""
    p = p or parse_payload(EventKind(e.kind), e.payload)
    online = isinstance(p, SubmittedOnline)
    unit = _unit(p.counter_unit if online else None) or _unit(e.unit) or default_unit
    stage = Stage.ONLINE if online else Stage.RECEIVED
    return DossierState(
        code=_code_of(e), status=status_of_stage(stage), stage=stage, received_at=p.received_at,
        due_at=p.due_at, appointment_at=p.due_at, first_due_at=p.due_at,
        procedure_code=p.procedure.code[:60], procedure_name=p.procedure.name,
        key_sha256=p.key_sha256 if _is_hex64(p.key_sha256) else "", origin_desk=e.desk,
        receiver=None if online else e.actor,
        counter_unit=unit, holder_unit=unit, holder_user=None if online else e.actor, holder_since=e.desk_time)


def _code_of(e: EventLike) -> str:
    return getattr(e, "dossier_code", "") or ""


_HEX64 = re.compile("[0-9a-f]{64}")


def _is_hex64(text: Any) -> bool:
    return isinstance(text, str) and _HEX64.fullmatch(text) is not None


def apply(state: DossierState | None, e: EventLike, default_unit: str | None = None) -> DossierState:
    """The state after ``e``. Raises StepRefusal if the state machine does not allow it, and
    PayloadError if its payload does not fit its kind. ``state`` is not changed."""
    kind = EventKind(e.kind)
    why = check(state, kind, e.desk_time)
    if why:
        raise StepRefusal(why)
    p = parse_payload(kind, e.payload)
    if kind in OPENING_KINDS:
        return start(e, p, default_unit)
    assert state is not None
    s = state.copy()
    t = e.desk_time
    if isinstance(p, PauseEnd) and s.paused:
        _end_pause(s, p)
    if kind is EventKind.TRANSFERRED:
        target = _unit(p.to_unit)
        s.holder_unit, s.holder_user, s.holder_since = target, None, t
        to_counter = p.to_kind == "counter" or (not p.to_kind and target == s.counter_unit)
        if not to_counter:
            s.handling_unit = target
        s.stage = Stage.RESULT_TRANSIT if s.stage is Stage.RESULT_UNIT else Stage.TRANSFERRING
        s.hop_due_at = None if to_counter else p.hop_due_at
    elif kind is EventKind.ARRIVED:
        s.stage = Stage.RESULT if s.stage is Stage.RESULT_TRANSIT else Stage.IN_UNIT
        s.holder_user, s.holder_since = e.actor, t
    elif kind is EventKind.ASSIGNED:
        s.stage, s.holder_user, s.holder_since = Stage.ASSIGNED, p.to, t
    elif kind is EventKind.FORWARDED:
        s.stage, s.holder_user, s.holder_since = Stage.REVIEW, p.to, t
    elif kind is EventKind.APPROVED:
        s.stage, s.holder_user, s.holder_since = Stage.APPROVED, e.actor, t
    elif kind is EventKind.ACCEPTED_ONLINE:
        s.stage, s.received_at, s.holder_user, s.holder_since = Stage.RECEIVED, p.received_at, e.actor, t
        s.origin_desk = e.desk   # the counter desk that accepted it received it (withdrawal, new key)
        s.receiver = e.actor     # and its clerk is the receiving clerk (receipt, statistics, rating)
        s.due_at = s.appointment_at = s.first_due_at = p.due_at
    elif kind is EventKind.SUPPLEMENT_REQUESTED and s.stage is Stage.ONLINE:
        s.stage = Stage.ONLINE_SUPPLEMENT   # before acceptance: no clock to pause, not a supplement of a received dossier
    elif kind is EventKind.SUPPLEMENT_RECEIVED and s.stage is Stage.ONLINE_SUPPLEMENT:
        s.stage = Stage.ONLINE
    elif kind is EventKind.SUPPLEMENT_REQUESTED:
        s.supplement_count += 1
        s.resume_stage, s.stage, s.paused_since = s.stage, Stage.SUPPLEMENT, t
    elif kind is EventKind.PAYMENT_REQUESTED:
        s.payment_amount = p.amount
        s.resume_stage, s.stage, s.paused_since = s.stage, Stage.PAYMENT, t
    elif kind in (EventKind.SUPPLEMENT_RECEIVED, EventKind.PAYMENT_RECEIVED):
        pass  # the pause ended above
    elif kind is EventKind.RESULT_READY:
        s.stage = Stage.RESULT_UNIT
        _finish(s, t, p.processing_seconds)
    elif kind in (EventKind.REFUSED, EventKind.WITHDRAWN, EventKind.STOPPED):
        # before the counter accepted it, an online submission was never received (status 3)
        s.stage = Stage.ONLINE_CLOSED if s.stage in AWAITING_CHECK_STAGES else Stage.CLOSED
        if kind is EventKind.REFUSED:
            s.holder_user = None
        _finish(s, t, p.processing_seconds, ended=_ENDED[kind])
    elif kind is EventKind.RETURNED:
        s.stage, s.holder_user, s.holder_since, s.returned_at = Stage.RETURNED, None, t, t
    elif kind is EventKind.APPOINTMENT_MOVED:
        s.appointment_at = p.new_appointment
        s.apology_reason = p.reason
    elif kind is EventKind.KEY_REPLACED:
        if _is_hex64(p.key_sha256):
            s.key_sha256 = p.key_sha256
    elif kind is EventKind.RATED:
        s.rating = p.level
    elif kind is EventKind.CITIZEN_MESSAGE:
        s.unanswered_messages += 1
    elif kind is EventKind.COUNTER_REPLY:
        s.unanswered_messages = 0
    ended = _ENDED.get(kind) if s.stage in ENDED_STAGES else None
    s.status = status_of_stage(s.stage, ended or (s.status if s.status in ENDED_STATUSES else None))
    return s


_ENDED = {EventKind.REFUSED: Status.REFUSED, EventKind.WITHDRAWN: Status.WITHDRAWN,
          EventKind.STOPPED: Status.STOPPED}


def _end_pause(s: DossierState, p: PauseEnd) -> None:
    old_due = s.due_at
    s.paused_seconds += max(0, p.paused_seconds)
    s.due_at = p.new_due or s.due_at
    if p.new_appointment is not None:
        s.appointment_at = p.new_appointment
    elif s.appointment_at == old_due:
        s.appointment_at = s.due_at
    if p.new_hop_due is not None:
        s.hop_due_at = p.new_hop_due
    s.stage = s.resume_stage or Stage.IN_UNIT
    s.resume_stage, s.paused_since = None, None


def _finish(s: DossierState, t: datetime, processing_seconds: int | None, ended: Status | None = None) -> None:
    s.finished_at = t
    s.processing_seconds = processing_seconds
    s.outcome = (_ENDED_VERDICT[ended] if ended is not None
                 else finished_verdict(t, s.due_at, s.supplement_count)).value
    s.hop_due_at = None


def fold(events: Iterable[EventLike], default_unit: str | None = None, strict: bool = False) -> DossierState | None:
    """A dossier's state from its events in the server's order. Events the state machine or the
    payload schema refuse are skipped (the server keeps them as conflicts), unless ``strict``."""
    state: DossierState | None = None
    for e in events:
        try:
            state = apply(state, e, default_unit)
        except (StepRefusal, PayloadError):
            if strict:
                raise
    return state


# ---------------------------------------------------------------------------------------
# what a step's service computes (with the calendar) and puts in the payload
# ---------------------------------------------------------------------------------------


def pause_end(state: DossierState, now: datetime, calendar) -> dict[str, Any]:
    """The payload fields of an event that ends ``state``'s pause at ``now`` (empty if none)."""
    if not state.paused:
        return {}
    paused = calendar.working_time_between(state.paused_since or now, now)
    fields = {"paused_seconds": int(paused.total_seconds()), "old_due": state.due_at.isoformat(),
              "new_due": calendar.shift(state.due_at, paused).isoformat(),
              "new_appointment": calendar.shift(state.appointment_at, paused).isoformat()}
    if state.hop_due_at is not None:
        fields["new_hop_due"] = calendar.shift(state.hop_due_at, paused).isoformat()
    return fields


def processing_seconds(state: DossierState, now: datetime, calendar, paused_now: int = 0) -> int | None:
    """Working time from receipt to ``now``, pauses excluded; None for an online submission not
    accepted: never received, it had no processing time (its ``received_at`` is the submission's)."""
    if state.stage in NOT_ACCEPTED_STAGES:
        return None
    worked = calendar.working_time_between(state.received_at, now).total_seconds()
    return max(0, int(worked) - state.paused_seconds - paused_now)


# ---------------------------------------------------------------------------------------
# the verdict: one function, one wording
# ---------------------------------------------------------------------------------------


class Verdict(str, enum.Enum):
    """Where a dossier stands against its legal appointment."""

    IN_TIME = "in_time"          # open, more than 2 working days left
    DUE_SOON = "due_soon"        # open, due within 2 working days
    OVERDUE = "overdue"          # open, past the legal appointment
    PAUSED = "paused"            # waiting for the citizen: the clock stands still
    EARLY = "early"              # finished before the appointment's date
    ON_TIME = "on_time"          # finished on the appointment's date
    LATE = "late"                # finished after it, or after more than one supplement request
    REFUSED = "refused"          # no timing verdict: just what happened
    WITHDRAWN = "withdrawn"
    STOPPED = "stopped"
    WAITING = "waiting"          # submitted online, not accepted yet: no legal clock

    @property
    def label(self) -> str:
        """The staff's word (lists, queues, exports)."""
        return tr(VERDICT_LABELS[self])

    @property
    def citizen_text(self) -> str:
        """The citizen's sentence (kiosk, phone page, Zalo)."""
        return tr(CITIZEN_VERDICT_TEXT[self])

    @property
    def tone(self) -> str:
        """good | info | warn | bad | neutral: how screens colour it."""
        return VERDICT_TONES[self]


VERDICT_LABELS = {
    Verdict.IN_TIME: N_("Trong hạn"), Verdict.DUE_SOON: N_("Sắp đến hạn"), Verdict.OVERDUE: N_("Quá hạn"),
    Verdict.PAUSED: N_("Tạm dừng (chờ công dân)"), Verdict.EARLY: N_("Trước hạn"),
    Verdict.ON_TIME: N_("Đúng hạn"), Verdict.LATE: N_("Trễ hạn"), Verdict.REFUSED: N_("Không tiếp nhận"),
    Verdict.WITHDRAWN: N_("Đã rút"), Verdict.STOPPED: N_("Dừng xử lý"),
    Verdict.WAITING: N_("Chờ tiếp nhận"),
}
CITIZEN_VERDICT_TEXT = {
    Verdict.IN_TIME: N_("Đang trong thời hạn"), Verdict.DUE_SOON: N_("Sắp đến ngày hẹn"),
    Verdict.OVERDUE: N_("Đã quá ngày hẹn"),
    Verdict.PAUSED: N_("Tạm dừng, chờ ông/bà bổ sung: thời hạn giải quyết không tính trong thời gian này"),
    Verdict.EARLY: N_("Xong trước hẹn"), Verdict.ON_TIME: N_("Xong đúng hẹn"),
    Verdict.LATE: N_("Xong muộn hơn hẹn"), Verdict.REFUSED: N_("Hồ sơ không được tiếp nhận"),
    Verdict.WITHDRAWN: N_("Hồ sơ đã được rút"), Verdict.STOPPED: N_("Hồ sơ đã dừng giải quyết"),
    Verdict.WAITING: N_("Chờ cán bộ kiểm tra và tiếp nhận; thời hạn giải quyết tính từ khi tiếp nhận"),
}
VERDICT_TONES = {
    Verdict.IN_TIME: "neutral", Verdict.DUE_SOON: "warn", Verdict.OVERDUE: "bad", Verdict.PAUSED: "info",
    Verdict.EARLY: "good", Verdict.ON_TIME: "good", Verdict.LATE: "bad", Verdict.REFUSED: "neutral",
    Verdict.WITHDRAWN: "neutral", Verdict.STOPPED: "neutral", Verdict.WAITING: "info",
}
_ENDED_VERDICT = {Status.REFUSED: Verdict.REFUSED, Status.WITHDRAWN: Verdict.WITHDRAWN,
                  Status.STOPPED: Verdict.STOPPED}

DUE_SOON_WORKING_DAYS = 2


def finished_verdict(finished: datetime, due: datetime, supplement_requests: int) -> Verdict:
    """Early / on time / late by date, as the national statistics judge (QĐ 766, 2.1): more
    than one supplement request counts late."""
    if supplement_requests > 1 or finished.date() > due.date():
        return Verdict.LATE
    return Verdict.EARLY if finished.date() < due.date() else Verdict.ON_TIME


def due_soon_limit(now: datetime, calendar) -> datetime:
    """An open dossier due before this is due soon (2 working days from ``now``)."""
    if calendar is None:
        return now + timedelta(days=DUE_SOON_WORKING_DAYS)
    return calendar.add_working_time(now, calendar.day_length() * DUE_SOON_WORKING_DAYS)


def judge(state: DossierState, now: datetime, calendar=None, soon_limit: datetime | None = None) -> Verdict:
    """The one verdict of a dossier at ``now``."""
    return judge_fields(state.status, state.stage, state.due_at, state.finished_at, state.supplement_count,
                        state.outcome, now, soon_limit or due_soon_limit(now, calendar))


def judge_row(row: Any, now: datetime, soon_limit: datetime) -> Verdict:
    """``judge`` of anything with the stored columns (a dossier row, a query's row)."""
    return judge_fields(row.status, row.stage, row.due_at, row.finished_at, row.supplement_count,
                        row.outcome, now, soon_limit)


def judge_fields(status: Status | int, stage: Stage | str, due_at: datetime, finished_at: datetime | None,
                 supplement_count: int, outcome: str | None, now: datetime, soon_limit: datetime) -> Verdict:
    """``judge`` from the stored columns of a dossier (lists read these without a state)."""
    status, stage = Status(status), Stage(stage)
    if status in ENDED_STATUSES:
        return _ENDED_VERDICT[status]
    if outcome:
        return Verdict(outcome)
    if finished_at is not None:
        return finished_verdict(finished_at, due_at, supplement_count or 0)
    if stage in AWAITING_CHECK_STAGES:
        return Verdict.WAITING
    if stage in PAUSED_STAGES:
        return Verdict.PAUSED
    if now > due_at:
        return Verdict.OVERDUE
    if due_at <= soon_limit:
        return Verdict.DUE_SOON
    return Verdict.IN_TIME


# ---------------------------------------------------------------------------------------
# the citizen's words: one table for the kiosk, the phone page and Zalo
# ---------------------------------------------------------------------------------------

CITIZEN_STATUS_TEXT = {
    Status.SUBMITTED_ONLINE: N_("Hồ sơ đã được đăng ký, đang chờ tiếp nhận."),
    Status.RECEIVED: N_("Hồ sơ đã được tiếp nhận và đang chờ chuyển đi giải quyết."),
    Status.PROCESSING: N_("Hồ sơ đang được giải quyết."),
    Status.SUPPLEMENT_REQUESTED: N_("Hồ sơ cần bổ sung giấy tờ. Xin mời ông/bà liên hệ quầy tiếp nhận."),
    Status.PAYMENT_REQUESTED: N_("Xin mời ông/bà nộp phí, lệ phí để tiếp tục giải quyết."),
    Status.RESULT_READY: N_("Đã có kết quả. Xin mời ông/bà mang giấy hẹn đến quầy để nhận."),
    Status.RETURNED: N_("Ông/bà đã nhận kết quả."),
    Status.REFUSED: N_("Hồ sơ không được tiếp nhận. Xin mời ông/bà hỏi cán bộ tại quầy."),
    Status.WITHDRAWN: N_("Hồ sơ đã được rút theo đề nghị của người nộp."),
    Status.STOPPED: N_("Hồ sơ đã dừng giải quyết. Xin mời ông/bà hỏi cán bộ tại quầy."),
}


def citizen_status_text(status: Status) -> str:
    return tr(CITIZEN_STATUS_TEXT[Status(status)])


_TIMELINE_PLAIN = {
    EventKind.RECEIVED: N_("Bộ phận Một cửa nhận hồ sơ"),
    EventKind.SUBMITTED_ONLINE: N_("Ông/bà nộp hồ sơ trực tuyến"),
    EventKind.ACCEPTED_ONLINE: N_("Bộ phận Một cửa tiếp nhận hồ sơ trực tuyến"),
    EventKind.ASSIGNED: N_("Cán bộ chuyên môn bắt đầu giải quyết"),
    EventKind.SUPPLEMENT_REQUESTED: N_("Yêu cầu bổ sung giấy tờ"),
    EventKind.SUPPLEMENT_RECEIVED: N_("Nhận giấy tờ bổ sung"),
    EventKind.PAYMENT_REQUESTED: N_("Yêu cầu nộp phí, lệ phí"),
    EventKind.PAYMENT_RECEIVED: N_("Đã nộp phí, lệ phí"),
    EventKind.RESULT_READY: N_("Có kết quả"),
    EventKind.RETURNED: N_("Trả kết quả"),
    EventKind.REFUSED: N_("Hồ sơ không được tiếp nhận"),
    EventKind.WITHDRAWN: N_("Rút hồ sơ"),
    EventKind.STOPPED: N_("Dừng giải quyết"),
    EventKind.RATED: N_("Ông/bà đã đánh giá cán bộ"),
}

def timeline_text(kind: EventKind | str, payload: dict, unit: str | None,
                  unit_names: dict[str, str] | None = None) -> str | None:
    """One event in the citizen's words, or None for what the public need not see (prints,
    files, notes, the staff's internal hand-overs)."""
    try:
        kind = EventKind(kind)
    except ValueError:
        return None
    names = unit_names or {}
    p = payload if isinstance(payload, dict) else {}
    if kind is EventKind.TRANSFERRED:
        code = p.get("to_unit")
        target = names.get(code, "") if isinstance(code, str) else ""
        if not target and isinstance(p.get("to_unit_name"), str):
            target = p["to_unit_name"]
        return (tr("Chuyển hồ sơ đến {unit}").format(unit=target) if target
                else tr("Chuyển hồ sơ đi giải quyết"))
    if kind is EventKind.ARRIVED:
        name = names.get(unit or "", "") or (p["unit_name"] if isinstance(p.get("unit_name"), str) else "")
        return tr("{unit} nhận hồ sơ").format(unit=name) if name else tr("Hồ sơ được nhận để giải quyết")
    if kind is EventKind.APPOINTMENT_MOVED:
        try:
            moved = parse_payload(kind, p)
        except PayloadError:
            return tr("Ngày hẹn trả được thay đổi")
        text = tr("Ngày hẹn trả đổi sang {date}").format(date=moved.new_appointment.strftime("%H:%M %d/%m/%Y"))
        return text + (": " + moved.reason if moved.reason else "")
    text = _TIMELINE_PLAIN.get(kind)
    return tr(text) if text else None


# ---------------------------------------------------------------------------------------
# the state as stored columns (the desk's and the server's dossier rows)
# ---------------------------------------------------------------------------------------

STATE_FIELDS = tuple(f.name for f in dataclasses.fields(DossierState))


def columns(state: DossierState) -> dict[str, Any]:
    """The state as plain column values (enums by their value)."""
    out = {}
    for name in STATE_FIELDS:
        v = getattr(state, name)
        out[name] = v.value if isinstance(v, enum.Enum) else v
    return out


def from_columns(values: dict[str, Any]) -> DossierState:
    """A state from stored column values (the inverse of ``columns``)."""
    v = {k: values.get(k) for k in STATE_FIELDS if k in values}
    v["status"] = Status(v["status"])
    v["stage"] = Stage(v["stage"] or Stage.RECEIVED.value)
    if v.get("resume_stage"):
        v["resume_stage"] = Stage(v["resume_stage"])
    for name in ("paused_seconds", "supplement_count", "payment_amount", "unanswered_messages"):
        v[name] = v.get(name) or 0
    for name in ("procedure_code", "procedure_name", "key_sha256", "origin_desk", "apology_reason"):
        v[name] = v.get(name) or ""
    if v.get("appointment_at") is None:
        v["appointment_at"] = v["due_at"]
    if v.get("first_due_at") is None:
        v["first_due_at"] = v["due_at"]
    return DossierState(**v)
