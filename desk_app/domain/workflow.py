"""Which event may follow which status: the rule both the desks and the central server apply."""

from __future__ import annotations

from .dossier import STATUS_AFTER, EventKind, Status
from .i18n import tr

ANY = frozenset(Status)
OPEN = frozenset({Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED, Status.PAYMENT_REQUESTED})

# Kinds that record something about a dossier without moving it.
ANNOTATIONS = {EventKind.RECEIPT_PRINTED, EventKind.KEY_REPLACED, EventKind.ATTACHMENT_ADDED,
               EventKind.NOTE, EventKind.RATED, EventKind.APPOINTMENT_MOVED}

ALLOWED_FROM: dict[EventKind, frozenset[Status]] = {
    EventKind.TRANSFERRED: frozenset({Status.RECEIVED, Status.PROCESSING, Status.RESULT_READY}),
    EventKind.ARRIVED: frozenset({Status.PROCESSING, Status.RESULT_READY}),
    EventKind.ASSIGNED: frozenset({Status.PROCESSING}),
    EventKind.FORWARDED: frozenset({Status.PROCESSING}),
    EventKind.APPROVED: frozenset({Status.PROCESSING}),
    EventKind.SUPPLEMENT_REQUESTED: frozenset({Status.RECEIVED, Status.PROCESSING}),
    EventKind.SUPPLEMENT_RECEIVED: frozenset({Status.SUPPLEMENT_REQUESTED}),
    EventKind.PAYMENT_REQUESTED: frozenset({Status.PROCESSING}),
    EventKind.RESULT_READY: frozenset({Status.PROCESSING, Status.PAYMENT_REQUESTED}),
    EventKind.RETURNED: frozenset({Status.RESULT_READY}),
    EventKind.REFUSED: frozenset({Status.RECEIVED, Status.PROCESSING}),
    EventKind.WITHDRAWN: OPEN,
    EventKind.STOPPED: OPEN - {Status.RECEIVED},
}


def check_step(kind: EventKind, status: Status | None) -> str | None:
    """``None`` if an event of ``kind`` may follow ``status`` (None: no dossier yet), else why not."""
    if kind is EventKind.RECEIVED:
        return None if status is None else tr("Hồ sơ đã được tiếp nhận trước đó.")
    if status is None:
        return tr("Chưa có hồ sơ này (chưa nhận được sự kiện tiếp nhận).")
    if kind in ANNOTATIONS:
        return None
    allowed = ALLOWED_FROM.get(kind, frozenset())
    if status in allowed:
        return None
    return tr("Không thể \"{action}\" khi hồ sơ đang ở trạng thái \"{status}\".").format(
        action=kind.label, status=status.label)


def next_status(kind: EventKind, status: Status | None) -> Status | None:
    if kind in (EventKind.TRANSFERRED, EventKind.ARRIVED) and status is Status.RESULT_READY:
        return status  # the result travelling back to the counter is still a result
    return STATUS_AFTER.get(kind, status)
