"""Messages between citizens and the counter: the inbox of unanswered ones, a dossier's thread,
and the counter's reply.

A citizen's message is an event of the dossier (written by the central server when the citizen
writes from the dossier's page, pulled like any other event); a reply is an event the desk
appends, synced like any other. The reducer counts the messages since the last reply
(``DossierState.unanswered_messages``), so the inbox is a query of the dossiers' rows.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from ..domain import lifecycle
from ..domain.dossier import EventKind
from ..domain.i18n import tr
from ..domain.roles import Action
from ..domain.text import clean
from ..storage import repositories as repo
from ..storage.models import Unit, User
from ..sync.client import SyncError
from .context import CurrentUser, DeskContext, ServiceError, require

MAX_MESSAGE = lifecycle.MAX_MESSAGE
MAX_LINES = 30
# control characters a reply must not carry (line breaks are kept)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


@dataclass(frozen=True)
class InboxItem:
    code: str
    owner_name: str
    procedure_name: str
    unanswered: int                  # the citizen's messages since the counter's last reply
    waiting_since: datetime          # the first of them: the inbox is in this order, oldest first
    last_text: str
    last_at: datetime
    channel: str                     # where the last one came from: web | zalo | kiosk


@dataclass(frozen=True)
class ThreadMessage:
    id: str
    at: datetime
    from_citizen: bool
    text: str
    author: str                      # "Công dân" or the full name of the staff who answered
    channel: str
    answered: bool                   # a citizen's message a later reply answers
    synced: bool                     # the server has it (a reply written offline waits here)
    images: tuple[str, ...] = ()     # SHA-256 of the images the citizen sent with it (on the server)
    refused: int = 0                 # files the citizen sent that the server did not keep (not an image...)


def _channel(payload: dict) -> str:
    return str(payload.get("channel") or "web")


def _images(payload: dict) -> tuple[str, ...]:
    """The message's images, as the domain accepts them (a hash that is not one is left out)."""
    found = payload.get("attachments")
    if not isinstance(found, list):
        return ()
    try:
        return tuple(lifecycle.CitizenMessage(text="", attachments=found).attachments)
    except (lifecycle.PayloadError, TypeError):
        return ()


def _refused(payload: dict) -> int:
    n = payload.get("attachments_refused")
    return n if isinstance(n, int) and not isinstance(n, bool) and 0 < n <= lifecycle.MAX_LIST else 0


def _summary(payload: dict) -> str:
    """A message's text for a list; an image sent without words says so."""
    text = str(payload.get("text") or "")
    images = len(_images(payload))
    if images:
        text = (text + " " if text else "") + tr("[{n} ảnh]").format(n=images)
    return text


def image_path(ctx: DeskContext, sha256: str) -> Path:
    """Where a citizen's image is kept at the desk once fetched."""
    return ctx.attachments_dir / "messages" / sha256[:2] / sha256


def image(ctx: DeskContext, user: CurrentUser, code: str, sha256: str) -> Path:
    """The image a citizen sent with a message on dossier ``code``, fetched from the central
    server the first time (network: call it off the GUI thread). Only an image one of the
    dossier's messages names is fetched."""
    require(user, Action.VIEW_DOSSIERS)
    named = any(sha256 in m.images for m in thread(ctx, user, code))
    if not named:
        raise ServiceError(tr("Hồ sơ {code} không có ảnh này.").format(code=code))
    target = image_path(ctx, sha256)
    if target.exists():
        return target
    from . import sync
    if not sync.is_enrolled(ctx):
        raise ServiceError(tr("Quầy chưa kết nối máy chủ trung tâm: chưa xem được ảnh công dân gửi."))
    try:
        with sync.client_for(ctx, timeout=30) as client:
            return client.download(sha256, target)
    except SyncError as e:
        raise ServiceError(tr("Chưa tải được ảnh công dân gửi: {reason}").format(reason=e.message)) from e


def inbox(ctx: DeskContext, user: CurrentUser) -> list[InboxItem]:
    """The dossiers whose citizens wait for an answer, the longest waiting first."""
    require(user, Action.ANSWER_CITIZENS)
    with ctx.db.session(write=False) as s:
        rows = {r.code: r for r in repo.awaiting_reply(s)}
        waiting: dict[str, list] = {}
        for e in repo.message_events(s, list(rows)):
            if e.kind == EventKind.COUNTER_REPLY.value:
                waiting[e.dossier_code] = []
            else:
                waiting.setdefault(e.dossier_code, []).append(e)
    items = []
    for code, r in rows.items():
        unanswered = waiting.get(code) or []
        if not unanswered:  # the count says so, but no message here yet: nothing to show
            continue
        last = unanswered[-1]
        items.append(InboxItem(code, r.owner_name, r.procedure_name, r.unanswered_messages,
                               unanswered[0].desk_time, _summary(last.payload), last.desk_time,
                               _channel(last.payload)))
    return sorted(items, key=lambda i: (i.waiting_since, i.code))


def count_unanswered(ctx: DeskContext) -> int:
    """How many dossiers wait for the counter's answer (the status bar's count)."""
    with ctx.db.session(write=False) as s:
        return repo.count_awaiting_reply(s)


def thread(ctx: DeskContext, user: CurrentUser, code: str) -> list[ThreadMessage]:
    """A dossier's messages and replies in order; whoever may see the dossier may read them."""
    require(user, Action.VIEW_DOSSIERS)
    with ctx.db.session(write=False) as s:
        d = repo.dossier_by_code(s, code)
        if d is None:
            raise ServiceError(tr("Không tìm thấy hồ sơ {code}.").format(code=code))
        events = list(repo.message_events(s, [d.code]))
        staff = {u.username: u.full_name for u in s.scalars(
            select(User).where(User.username.in_({e.actor for e in events})))}
    answered_until = max((i for i, e in enumerate(events) if e.kind == EventKind.COUNTER_REPLY.value), default=-1)
    out = []
    for i, e in enumerate(events):
        citizen = e.kind == EventKind.CITIZEN_MESSAGE.value
        out.append(ThreadMessage(
            e.id, e.desk_time, citizen, str(e.payload.get("text") or ""),
            tr("Công dân") if citizen else staff.get(e.actor, e.actor), _channel(e.payload),
            citizen and i < answered_until, e.server_seq is not None,
            _images(e.payload) if citizen else (), _refused(e.payload) if citizen else 0))
    return out


def clean_message(text: str | None) -> str:
    """NFC, each line trimmed and its spaces collapsed, no control characters, at most one blank
    line in a row: what a citizen reads on the page is what the clerk meant."""
    text = unicodedata.normalize("NFC", text or "").replace("\r\n", "\n").replace("\r", "\n")
    lines = [clean(_CONTROL.sub("", line)) for line in text.split("\n")]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    while kept and not kept[-1]:
        kept.pop()
    return "\n".join(kept)


def check_reply(text: str | None) -> str:
    """The reply as it will be stored, or ``ServiceError`` saying what is wrong with it."""
    text = clean_message(text)
    if not text:
        raise ServiceError(tr("Chưa nhập nội dung trả lời."))
    if len(text) > MAX_MESSAGE:
        raise ServiceError(tr("Nội dung trả lời dài {n} ký tự; tối đa {max} ký tự.")
                           .format(n=len(text), max=MAX_MESSAGE))
    if text.count("\n") >= MAX_LINES:
        raise ServiceError(tr("Nội dung trả lời có quá nhiều dòng (tối đa {max} dòng).").format(max=MAX_LINES))
    return text


def reply(ctx: DeskContext, user: CurrentUser, code: str, text: str) -> ThreadMessage:
    """Answer the citizen: a ``counter_reply`` event of the dossier, in one transaction with its
    outbox row, so it reaches the server (and the citizen's page) like any other event."""
    require(user, Action.ANSWER_CITIZENS)
    text = check_reply(text)
    now = ctx.clock().replace(microsecond=0)
    with ctx.db.session() as s:
        d = repo.dossier_by_code(s, code)
        if d is None:
            raise ServiceError(tr("Không tìm thấy hồ sơ {code}.").format(code=code))
        last = next((e for e in reversed(repo.message_events(s, [d.code]))
                     if e.kind == EventKind.CITIZEN_MESSAGE.value), None)
        payload = lifecycle.payload_dict(lifecycle.CounterReply(
            text=text, reply_to=last.id if last is not None else None,
            channel=_channel(last.payload) if last is not None else "web"))
        unit = s.get(Unit, user.unit_id).code if user.unit_id else None
        try:
            e = repo.append_event(s, d, EventKind.COUNTER_REPLY, payload, user.username, ctx.desk_id, now, unit)
        except (lifecycle.StepRefusal, lifecycle.PayloadError) as refusal:
            raise ServiceError(str(refusal)) from None
        return ThreadMessage(e.id, now, False, text, user.full_name, payload["channel"], False, False)
