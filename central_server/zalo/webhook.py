"""``POST /zalo/webhook``: Zalo's calls, checked, kept once, answered at once, worked on after.

The signature is ``X-ZEvent-Signature: mac=<hex>``, hex = SHA-256 of app_id + the raw body +
timestamp + the OA secret key (plain SHA-256; app_id and timestamp read from the body),
compared in constant time. A timestamp further than ``zalo_webhook_max_age_seconds`` from
now is refused. An accepted call is stored in ``zalo_inbox`` under its ``message.msg_id``
(or its body's SHA-256) if it is not there yet, and answered 200: that is all the web process
does. The worker process (``notify/worker.py``), woken by the commit, then works on it, once:
the row is marked done in the transaction of its work (``process_pending``).

A text from a user linked to no dossier is answered with the help text, at most once every
``zalo_help_every_minutes`` (``help_due``): a user who writes ten lines gets one answer.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import unicodedata
from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from desk_app.domain import lifecycle
from desk_app.domain.dossier import EventKind

from .. import citizen
from ..models import NotifyOutbox, ZaloInbox, ZaloUser
from ..notify import CODE_BLOCKED, HELP, LINK_CONFIRMED, WAIT, WRONG_CODE, outbox_row, wake_after_commit, wake_now
from ..settings import vn_now
from . import links

log = logging.getLogger("central_server.zalo")
router = APIRouter(include_in_schema=False)
MAX_BODY = 256 * 1024
HANDLED = {"follow", "unfollow", "user_send_text", "user_send_image", "user_send_file"}
WITH_MEDIA = {"user_send_image", "user_send_file"}
SQLITE_YIELD_SECONDS = 0.002   # between two calls worked on, the write lock left to the web processes
_media_tries: dict[str, tuple[int, float]] = {}   # inbox key -> (failed fetches, monotonic time of the next)


def signature(app_id: str, body: bytes, timestamp: str, oa_secret_key: str) -> str:
    return "mac=" + hashlib.sha256(app_id.encode() + body + timestamp.encode() + oa_secret_key.encode()).hexdigest()


def _refuse(status: int, code: str) -> JSONResponse:
    return JSONResponse({"error": code}, status_code=status)


@router.post("/zalo/webhook")
async def webhook(request: Request):
    settings = request.app.state.settings
    body = await request.body()
    if len(body) > MAX_BODY:
        return _refuse(413, "too_large")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return _refuse(400, "malformed")
    if not isinstance(data, dict):
        return _refuse(400, "malformed")
    app_id, stamp = str(data.get("app_id", "")), str(data.get("timestamp", ""))
    given = request.headers.get("x-zevent-signature", "")
    expected = signature(app_id, body, stamp, settings.zalo_oa_secret_key)
    if not hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode()) \
            or not hmac.compare_digest(app_id.encode(), settings.zalo_app_id.encode()):
        return _refuse(401, "bad_signature")
    try:
        ms = int(stamp)
    except ValueError:
        return _refuse(403, "stale")
    if abs(time.time() * 1000 - ms) > settings.zalo_webhook_max_age_seconds * 1000:
        return _refuse(403, "stale")
    message = data.get("message") if isinstance(data.get("message"), dict) else {}
    msg_id = message.get("msg_id")
    key = ("m:" + str(msg_id)[:90]) if msg_id else "b:" + hashlib.sha256(body).hexdigest()
    event_name = str(data.get("event_name", ""))[:60]
    row = {"key": key, "event_name": event_name, "payload": data, "received_at": vn_now(), "processed_at": None}
    await run_in_threadpool(keep, request.app.state.db, row)
    return JSONResponse({"error": 0, "message": "ok"})


def keep(db, row: dict) -> None:
    """The call stored once (by key) and the worker process woken if it is new; nothing else
    on the answer's path (no ORM session: a statement compiled once).

    PostgreSQL: one autocommitted statement, the row and the NOTIFY together (the NOTIFY only
    if the row is new). SQLite: a short write transaction, then the wake's datagram."""
    if db.autocommit is not None:   # PostgreSQL
        with db.autocommit.connect() as conn:
            conn.execute(_KEEP_PG, row)
        return
    with db.engine.begin() as conn:
        new = conn.execute(_KEEP_SQLITE, row).rowcount
    if new:
        wake_now()


def _keep_statements():
    from sqlalchemy import bindparam, func
    from sqlalchemy.dialects import postgresql, sqlite

    from ..notify.wake import CHANNEL
    table = ZaloInbox.__table__
    values = {c.name: bindparam(c.name, type_=c.type) for c in table.columns}
    kept = postgresql.insert(table).values(values).on_conflict_do_nothing().returning(table.c.key).cte("kept")
    return (select(func.pg_notify(CHANNEL, "")).select_from(kept),
            sqlite.insert(table).on_conflict_do_nothing())


_KEEP_PG, _KEEP_SQLITE = _keep_statements()


def process_pending(db, settings, limit: int = 200, store=None, clock=vn_now) -> int:
    """Work on the inbox's waiting calls, oldest first, each once; how many were done.

    A call with images has them fetched first, outside any transaction; if a fetch fails for
    a reason that may pass, the call stays in the inbox and is tried again in a later round
    (waiting longer each time), up to ``zalo_media_attempts`` rounds: then the message lands
    with the image counted as not received. Nothing is lost."""
    with db.session(write=False) as s:
        pending = list(s.execute(select(ZaloInbox.key, ZaloInbox.event_name).where(
            ZaloInbox.processed_at.is_(None)).order_by(ZaloInbox.received_at).limit(limit)))
    done = 0
    for i, (key, event_name) in enumerate(pending):
        if i and db.settings.is_sqlite:
            # SQLite has one writer at a time and a writer waiting for the lock sleeps between
            # tries (1, 2, 5 ... 100 ms): back-to-back transactions here would keep the webhook's
            # own inserts out for the whole round, and its answers waiting
            time.sleep(SQLITE_YIELD_SECONDS)
        try:
            fetched = None
            if event_name in WITH_MEDIA:
                fetched = _fetch_media(db, settings, key, store)
                if fetched is None:
                    continue  # waiting for the next try
            with db.session() as s:
                row = s.execute(select(ZaloInbox).where(ZaloInbox.key == key).with_for_update()).scalar()
                if row is None or row.processed_at is not None:
                    continue  # another process did it
                now = clock()
                handle(s, settings, row, now, fetched)
                row.processed_at = now
                done += 1
            _media_tries.pop(key, None)
        except Exception as e:  # one bad call must not stop the others; it stays for the next round
            log.error("Zalo webhook %s not processed: %s", key[:20], type(e).__name__)
    return done


def _media_urls(payload) -> list:
    data = payload if isinstance(payload, dict) else {}
    message = data.get("message") if isinstance(data.get("message"), dict) else {}
    items = message.get("attachments") if isinstance(message.get("attachments"), list) else []
    return [a["payload"].get("url") for a in items[:lifecycle.MAX_LIST]
            if isinstance(a, dict) and isinstance(a.get("payload"), dict)]


def _fetch_media(db, settings, key: str, store) -> tuple[list, int] | None:
    """((SHA-256, size) of each image kept, how many were refused) for a call with media; None
    if a fetch must be tried again later. A user not linked to a dossier: nothing is fetched."""
    from ..blobs import BlobStore
    from . import media
    tries, next_at = _media_tries.get(key, (0, 0.0))
    if time.monotonic() < next_at:
        return None
    with db.session(write=False) as s:
        payload = s.execute(select(ZaloInbox.payload).where(ZaloInbox.key == key)).scalar()
        data = payload if isinstance(payload, dict) else {}
        sender = data.get("sender") if isinstance(data.get("sender"), dict) else {}
        user_id = str(sender.get("id") or "")[:64]
        if not user_id or links.dossier_of(s, user_id) is None:
            return [], 0
    store = store or BlobStore(settings.blob_dir)
    kept, refused = [], 0
    urls = _media_urls(payload)
    for url in urls[:lifecycle.MAX_MESSAGE_ATTACHMENTS]:
        try:
            sha, size = media.fetch(url, settings, store)
            if sha not in (k for k, _ in kept):
                kept.append((sha, size))
        except media.Refused as e:
            log.warning("Zalo image refused: %s", e)
            refused += 1
        except media.Later as e:
            tries += 1
            if tries < settings.zalo_media_attempts:
                _media_tries[key] = (tries, time.monotonic() + min(300.0, 2.0 ** tries))
                log.warning("Zalo image not fetched (%s): try %d, again later", e, tries)
                return None
            log.error("Zalo image not fetched after %d tries (%s): the message goes without it", tries, e)
            refused += 1
    refused += max(0, len(urls) - lifecycle.MAX_MESSAGE_ATTACHMENTS)
    return kept, refused


def _text(value) -> str:
    value = unicodedata.normalize("NFC", str(value or "").replace("\r\n", "\n"))
    value = "".join(c for c in value if c in "\n\t" or unicodedata.category(c)[0] != "C")
    return value.strip()[:lifecycle.MAX_MESSAGE]


def _touch(s, user_id: str, now, follower: bool | None = None) -> ZaloUser:
    user = s.get(ZaloUser, user_id)
    if user is None:
        user = ZaloUser(user_id=user_id, follower=True if follower is None else follower)
        s.add(user)
    elif follower is not None:
        user.follower = follower
    user.last_interaction_at = now
    return user


def help_due(user: ZaloUser, now, settings) -> bool:
    """Whether ``user`` (writing, linked to no dossier) is sent the help text now: at most once
    every ``zalo_help_every_minutes``; noted as sent if so (in the caller's transaction)."""
    last = user.help_sent_at
    if last is not None and last <= now < last + timedelta(minutes=settings.zalo_help_every_minutes):
        return False
    user.help_sent_at = now
    return True


def _answer(s, kind: str, key: str, code: str, user_id: str, now, **more) -> None:
    from sqlalchemy import insert
    s.execute(insert(NotifyOutbox), [outbox_row("%s:%s" % (kind, key), "zalo", code, kind, now,
                                                data={"user_id": user_id, **more})])
    wake_after_commit(s)


def _until(at, now) -> str:
    return at.strftime("%H:%M") if at.date() == now.date() else at.strftime("%H:%M %d/%m/%Y")


def handle(s, settings, row: ZaloInbox, now, fetched: tuple[list, int] | None = None) -> None:
    data = row.payload if isinstance(row.payload, dict) else {}
    name = row.event_name
    if name not in HANDLED:
        return
    if name in ("follow", "unfollow"):
        who = data.get("follower") if isinstance(data.get("follower"), dict) else {}
        user_id = str(who.get("id") or "")[:64]
        if not user_id:
            return
        _touch(s, user_id, now, follower=name == "follow")
        if name == "unfollow":
            links.unlink_user(s, user_id, now, "unfollow")
        return
    sender = data.get("sender") if isinstance(data.get("sender"), dict) else {}
    user_id = str(sender.get("id") or "")[:64]
    if not user_id:
        return
    user = _touch(s, user_id, now)
    message = data.get("message") if isinstance(data.get("message"), dict) else {}
    answered = False
    if name == "user_send_text":
        text = _text(message.get("text"))
        if links.normalise(text) is not None:  # shaped like a link code: a try, limited per user
            refusal = links.guess_refusal(s, user_id, now, settings)
            if refusal is not None:
                _answer(s, CODE_BLOCKED, row.key, "", user_id, now, until=_until(refusal[1], now))
                answered = True
            else:
                linked = links.use_code(s, text, user_id, now)
                if linked is not None:
                    _answer(s, LINK_CONFIRMED, row.key, linked, user_id, now)
                    return
                left, blocked = links.wrong_guess(s, user_id, now, settings)
                if blocked is not None:
                    _answer(s, CODE_BLOCKED, row.key, "", user_id, now, until=_until(blocked, now))
                else:
                    _answer(s, WRONG_CODE, row.key, "", user_id, now, left=left)
                answered = True
    else:  # images (or a file): fetched before this transaction, stored by SHA-256
        text = _text(message.get("text"))
    kept, refused = fetched if fetched is not None else ([], 0)
    code = links.dossier_of(s, user_id)
    if code is None or not (text or kept or refused):
        if name == "user_send_text" and not answered and help_due(user, now, settings):
            _answer(s, HELP, row.key, "", user_id, now)
        return
    from . import media
    for sha, size in kept:
        media.record(s, sha, size, now)
    payload = {"text": text, "channel": "zalo", "zalo_user": user_id}
    if kept:
        payload["attachments"] = [sha for sha, _ in kept]
    if refused:
        payload["attachments_refused"] = refused   # the desk says that something did not come
    limit = settings.web_max_unanswered

    def not_too_many(state) -> None:  # the page's limit, under the push lock
        if state.unanswered_messages >= limit:
            raise citizen.CitizenRefusal("waiting", "")
    try:
        # refused before it writes anything: nothing to undo
        citizen.append(s, code, EventKind.CITIZEN_MESSAGE, payload, now, check=not_too_many)
    except citizen.CitizenRefusal:
        _answer(s, WAIT, row.key, code, user_id, now)
