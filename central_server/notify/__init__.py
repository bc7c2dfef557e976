"""Notices to citizens: every notice is an outbox row written in the transaction of the event
that causes it (``enqueue``), unique by (event, channel), and sent later by one worker per
deployment (``worker.py``, in a process of its own beside the web processes, woken by
``wake.py``) through a channel (``channels.py``: Zalo, e-mail; SMS can be added).

``enqueue`` is called once at the end of ``push.push`` and of ``citizen.append``, with the
event rows they insert. It writes nothing unless a channel is configured (``configure``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.domain.dossier import EventKind

from ..db import bulk_insert

# the changes a citizen is told of (Đồng Nai's OA sends these), and the new appointment
NOTICE_KINDS = frozenset(k.value for k in (
    EventKind.RECEIVED, EventKind.SUPPLEMENT_REQUESTED, EventKind.PAYMENT_REQUESTED, EventKind.REFUSED,
    EventKind.STOPPED, EventKind.WITHDRAWN, EventKind.RESULT_READY, EventKind.RETURNED,
    EventKind.APPOINTMENT_MOVED, EventKind.SUBMITTED_ONLINE, EventKind.ACCEPTED_ONLINE))
REPLY = EventKind.COUNTER_REPLY.value
# notices that are no event of the dossier: their ``event_id`` is "<kind>:<what caused it>"
LINK_CONFIRMED = "link_confirmed"
HELP = "help"
WAIT = "wait"
WRONG_CODE = "wrong_code"          # a link code that is not one: how many tries are left
CODE_BLOCKED = "code_blocked"      # too many wrong codes: blocked (or slowed) until a time
ANSWERS = frozenset({LINK_CONFIRMED, HELP, WAIT, WRONG_CODE, CODE_BLOCKED})   # the OA's answers to a user

PENDING, SENT, FAILED, SKIPPED = "pending", "sent", "failed", "skipped"


@dataclass(frozen=True)
class Config:
    channels: tuple[str, ...]          # in the order they are written: zalo, email


_config = Config(channels=())


def configure(settings) -> Config:
    """The channels this process's pushes queue notices for (from the settings)."""
    global _config
    channels = []
    if settings.zalo_enabled:
        channels.append("zalo")
    if settings.email_enabled:
        channels.append("email")
    _config = Config(channels=tuple(channels))
    return _config


def config() -> Config:
    return _config


def _is_zalo_reply(session: Session, event: dict) -> bool:
    payload = event.get("payload") if isinstance(event.get("payload"), dict) else {}
    if payload.get("channel") == "zalo":
        return True
    to = payload.get("reply_to")
    if not isinstance(to, str) or not to:
        return False
    from ..models import ServerEvent
    asked = session.execute(select(ServerEvent.payload).where(
        ServerEvent.id == to, ServerEvent.dossier_code == event["dossier_code"])).scalar()
    return isinstance(asked, dict) and asked.get("channel") == "zalo"


def enqueue(session: Session, events: Iterable[dict[str, Any]], now: datetime) -> int:
    """Queue the notices the accepted ``events`` cause, in the caller's transaction. Returns
    how many rows were written."""
    channels = _config.channels
    if not channels:
        return 0
    wanted = [e for e in events if e.get("accepted") and (e["kind"] in NOTICE_KINDS or e["kind"] == REPLY)]
    if not wanted:
        return 0
    from ..models import NotifyOutbox, NotifyPreference
    codes = {e["dossier_code"] for e in wanted}
    muted = set(session.scalars(select(NotifyPreference.dossier_code).where(
        NotifyPreference.dossier_code.in_(codes), NotifyPreference.notify.is_(False))))
    rows = []
    for e in wanted:
        for channel in channels:
            if e["kind"] == REPLY and (channel != "zalo" or not _is_zalo_reply(session, e)):
                continue  # a reply goes back where the citizen wrote from: only Zalo's are ours
            quiet = e["dossier_code"] in muted and e["kind"] != REPLY
            rows.append(outbox_row(e["id"], channel, e["dossier_code"], e["kind"], now,
                                   status=SKIPPED if quiet else PENDING,
                                   error="do_not_notify" if quiet else None))
    if rows:
        bulk_insert(session, NotifyOutbox.__table__, rows)   # a push's batch may queue hundreds
        wake_after_commit(session)
    return len(rows)


def outbox_row(event_id: str, channel: str, code: str, kind: str, now: datetime, status: str = PENDING,
               error: str | None = None, data: dict | None = None) -> dict:
    return {"event_id": event_id, "channel": channel, "dossier_code": code, "kind": kind, "status": status,
            "attempts": 0, "next_attempt_at": now, "created_at": now, "sent_at": None, "via": None,
            "recipient": None, "provider_id": None, "last_error": error, "data": data}


# -- waking the worker when a notice or a webhook call commits -------------------------------

_wakers: list = []


def wake_after_commit(session: Session) -> None:
    """Rows for the worker were written in ``session``: wake it when they commit (see wake.py)."""
    session.info["notify_wake"] = True


def add_waker(fn) -> None:
    _wakers.append(fn)


def remove_waker(fn) -> None:
    if fn in _wakers:
        _wakers.remove(fn)


def wake_now() -> None:
    """Rows for the worker were committed without a session (the webhook's own statement)."""
    for fn in list(_wakers):
        fn()


def _before_commit(session: Session) -> None:
    if session.info.get("notify_wake"):
        from .wake import in_transaction
        in_transaction(session)


def _after_commit(session: Session) -> None:
    if session.info.pop("notify_wake", False):
        for fn in list(_wakers):
            fn()


def _after_rollback(session: Session) -> None:
    session.info.pop("notify_wake", None)


def _listen() -> None:
    from sqlalchemy import event
    from sqlalchemy.orm import Session as _S
    if not event.contains(_S, "after_commit", _after_commit):
        event.listen(_S, "before_commit", _before_commit)
        event.listen(_S, "after_commit", _after_commit)
        event.listen(_S, "after_soft_rollback", lambda s, t: _after_rollback(s))


_listen()
