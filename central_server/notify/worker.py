"""The worker: the webhook's calls waiting in the inbox, and the notices to send. It runs in a
process of its own (``serve_worker``): ``desk-app server`` starts one beside its web
processes (however many), ``desk-app server worker`` runs one alone. The web processes only
store rows and wake it (``wake.py``); it also polls every ``notify_poll_seconds``, so rows
left by a crash, or committed while it was down, are found when it (re)starts.

A round: the webhook calls waiting in the inbox are worked on (by every worker: each call is
claimed under a row lock and marked done in the transaction of its work); then, if this
process sends (``notify_worker``) and holds the ``notify`` lease (``worker_leases``: with
several worker processes or machines one sends; another takes over when the lease runs out,
``notify_lease_seconds``, after its holder died), of the pending notices the oldest of each
(dossier, channel) whose time has come is built and sent, several at once
(``notify_concurrency``), and the outcomes are written. A later notice of the same dossier
waits for the earlier one, so a citizen reads them in order. A failure to retry waits
``notify_backoff_seconds`` doubling up to ``notify_backoff_max_seconds``, at most
``notify_max_attempts`` times; then, like a permanent error, it is ``failed``, with the error,
for the desk to see.

Sent at least once, twice only after a crash in one narrow window: a notice is marked sent in
its own transaction as soon as the provider's answer arrives (not with the rest of its round).
If the process dies after the provider accepted a notice and before that commit (the answer
in flight back, or the commit itself), the notice is sent again when the worker comes back:
never lost, and duplicated only if the crash falls in that window, for the notices in flight
at that moment (at most ``notify_concurrency``). Zalo documents no idempotency key for the
customer-service message, nor de-duplication on the ZNS ``tracking_id`` (which the copy
carries, as an e-mail carries its ``Message-ID``, so a copy is recognisable): nothing on the
provider's side can close the window (see docs/server.md).
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..models import NotifyOutbox, WorkerLease
from ..settings import vn_now
from . import FAILED, PENDING, SENT, SKIPPED, add_waker, remove_waker
from .channels import EmailChannel, Outcome
from .message import build

log = logging.getLogger("central_server.notify")
LEASE = "notify"


def channels_for(db, settings) -> dict:
    out = {}
    if settings.zalo_enabled:
        from ..zalo.channel import ZaloChannel
        out["zalo"] = ZaloChannel(db, settings)
    if settings.email_enabled:
        out["email"] = EmailChannel(settings)
    return out


def backoff(settings, attempts: int) -> float:
    base = settings.notify_backoff_seconds * (2 ** max(0, attempts - 1))
    return min(settings.notify_backoff_max_seconds, base) * random.uniform(0.9, 1.1)


INBOX_ROUND = 200      # webhook calls worked on between two looks at the notices
GATHER_SECONDS = 0.02  # after a wake, before the round
NICE = 5               # the worker process yields the CPU to the web processes (their answers first)
DUE_PAGE = 256         # pending rows read at a time when choosing a round's notices
DUE_SCAN = 5000        # at most this many pending rows looked at in a round
DUE_COLUMNS = (NotifyOutbox.id, NotifyOutbox.event_id, NotifyOutbox.channel, NotifyOutbox.dossier_code,
               NotifyOutbox.kind, NotifyOutbox.attempts, NotifyOutbox.next_attempt_at, NotifyOutbox.data)


class NotifyWorker:
    def __init__(self, db, settings):
        self.db, self.s = db, settings
        self.sending = bool(settings.notify_worker)
        self.holder = uuid.uuid4().hex
        self.channels = channels_for(db, settings)
        self.lease_until: datetime | None = None
        self.task: asyncio.Task | None = None
        self.wake = asyncio.Event()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.sent = 0
        self.stopping = False

    # -- life ---------------------------------------------------------------------------
    def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        add_waker(self.poke)
        self.task = self.loop.create_task(self.run(), name="notify-worker")

    def poke(self) -> None:
        loop = self.loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.wake.set)

    async def stop(self) -> None:
        """Let the round under way finish and record what it sent (5 s at most), then stop."""
        remove_waker(self.poke)
        self.stopping = True
        self.wake.set()
        if self.task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self.task), 5)
            except (asyncio.TimeoutError, asyncio.CancelledError, Exception):
                self.task.cancel()
                try:
                    await self.task
                except (asyncio.CancelledError, Exception):
                    pass
        for ch in self.channels.values():
            await ch.close()
        if self.lease_until is not None:
            await asyncio.to_thread(self._release)

    async def run(self) -> None:
        while not self.stopping:
            busy = False
            self.wake.clear()   # a wake from here on asks for another round (none is lost)
            try:
                if self.s.zalo_enabled:
                    from ..zalo.webhook import process_pending
                    busy = await asyncio.to_thread(process_pending, self.db, self.s, INBOX_ROUND) >= INBOX_ROUND
                if self.sending and await asyncio.to_thread(self._lease):
                    busy = await self.round() or busy
            except asyncio.CancelledError:
                raise
            except Exception as e:  # the database away, say: try again next round
                log.error("notify round failed: %s", type(e).__name__)
            if not busy and not self.stopping:
                try:
                    await asyncio.wait_for(self.wake.wait(), self.s.notify_poll_seconds)
                except asyncio.TimeoutError:
                    pass
                else:   # a flood of webhook calls wakes it per call: one round for those a moment brings
                    await asyncio.sleep(GATHER_SECONDS)

    # -- the lease ------------------------------------------------------------------------
    def _lease(self) -> bool:
        now = vn_now()
        ttl = timedelta(seconds=self.s.notify_lease_seconds)
        if self.lease_until is not None and self.lease_until - now > ttl / 2:
            return True
        try:
            with self.db.session() as s:
                row = s.execute(select(WorkerLease).where(WorkerLease.name == LEASE).with_for_update()).scalar()
                if row is None:
                    s.add(WorkerLease(name=LEASE, holder=self.holder, expires_at=now + ttl))
                elif row.holder == self.holder or row.expires_at < now:
                    row.holder, row.expires_at = self.holder, now + ttl
                else:
                    self.lease_until = None
                    return False
        except IntegrityError:  # another process created it first
            self.lease_until = None
            return False
        self.lease_until = now + ttl
        return True

    def _release(self) -> None:
        with self.db.session() as s:
            row = s.get(WorkerLease, LEASE)
            if row is not None and row.holder == self.holder:
                row.expires_at = vn_now() - timedelta(seconds=1)

    # -- one round --------------------------------------------------------------------------
    async def round(self) -> bool:
        """Send what is due; True if there may be more right away."""
        notices = await asyncio.to_thread(self._due)
        if not notices:
            return False
        sem = asyncio.Semaphore(max(1, self.s.notify_concurrency))

        async def one(n):
            async with sem:
                ch = self.channels.get(n.channel)
                if ch is None:
                    outcome = Outcome("retry", error="channel_off")
                else:
                    try:
                        outcome = await ch.send(n)
                    except Exception as e:
                        outcome = Outcome("retry", error="%s" % type(e).__name__)
                # recorded at once, each on its own: the window in which a crash makes a notice go
                # twice is this one commit, not the rest of the round
                await asyncio.to_thread(self._record, [(n, outcome)])
                return n, outcome
        results = await asyncio.gather(*(one(n) for n in notices))
        return any(o.status in (SENT, FAILED, SKIPPED) for _, o in results)

    def _due(self) -> list:
        """The notices to send now: pending rows read by id in pages of ``DUE_PAGE`` (only the
        columns a notice needs, no ORM objects) until ``notify_concurrency`` * 8 are picked."""
        now = vn_now()
        limit = max(1, self.s.notify_concurrency) * 8
        paused = {name for name, ch in self.channels.items() if getattr(ch, "paused", lambda: False)()}
        with self.db.session(write=False) as s:
            seen: set = set()
            picked = []
            after, scanned = 0, 0
            while len(picked) < limit and scanned < DUE_SCAN:
                rows = s.execute(select(*DUE_COLUMNS).where(NotifyOutbox.status == PENDING, NotifyOutbox.id > after)
                                 .order_by(NotifyOutbox.id).limit(DUE_PAGE)).all()
                for row in rows:
                    lane = (row.dossier_code, row.channel, (row.data or {}).get("user_id") if not row.dossier_code else "")
                    if lane in seen:
                        continue   # an earlier notice of this dossier on this channel goes first
                    seen.add(lane)
                    if row.next_attempt_at <= now and row.channel not in paused:
                        picked.append(row)
                        if len(picked) >= limit:
                            break
                if len(rows) < DUE_PAGE:
                    break
                after, scanned = rows[-1].id, scanned + len(rows)
            return [build(s, row, now, self.s.zalo_cs_window_hours) for row in picked]

    def _record(self, results) -> None:
        """Each outcome by a plain UPDATE of its row while it is still pending (no ORM unit of
        work); ``attempts`` is counted up in the statement (the count read when the round began
        decides only whether this was the last try)."""
        now = vn_now()
        table = NotifyOutbox.__table__
        c = table.c
        with self.db.engine.begin() as conn:
            for n, o in results:
                attempts = n.attempts + 1
                values = {"attempts": c.attempts + 1, "last_error": o.error}
                if o.via:
                    values["via"] = o.via
                if o.recipient:
                    values["recipient"] = o.recipient
                if o.status == SENT:
                    values.update(status=SENT, sent_at=now, provider_id=(o.provider_id or "")[:100])
                elif o.status == SKIPPED:
                    values["status"] = SKIPPED
                elif o.status == FAILED or attempts >= self.s.notify_max_attempts:
                    values["status"] = FAILED
                else:
                    wait = o.retry_after if o.retry_after is not None else backoff(self.s, attempts)
                    values["next_attempt_at"] = now + timedelta(seconds=wait)
                done = conn.execute(update(table).where(c.id == n.id, c.status == PENDING)
                                    .values(**values)).rowcount
                if done and o.status == SENT:
                    self.sent += 1


# -- the worker's process ----------------------------------------------------------------------

def serve_worker(settings, parent: int | None = None) -> int:
    """Run the worker until SIGTERM or SIGINT (or, given ``parent``, until that process is gone:
    the worker started by ``desk-app server`` does not outlive it)."""
    import os

    from ..db import ServerDatabase
    from . import configure
    try:
        os.nice(NICE)
    except (AttributeError, OSError):
        pass
    configure(settings)   # the inbox's work queues notices (a linked user's message, the answers)
    db = ServerDatabase(settings)
    try:
        asyncio.run(_serve(db, settings, parent))
    finally:
        db.dispose()
    return 0


async def _serve(db, settings, parent: int | None) -> None:
    import os
    import signal

    from .wake import Listener
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, done.set)
        except (NotImplementedError, RuntimeError):   # not on this platform
            pass
    worker = NotifyWorker(db, settings)
    worker.start()
    listener = Listener(settings, loop, worker.poke)
    log.info("notify worker started (pid %d, %s)", os.getpid(), "sending" if worker.sending else "inbox only")
    try:
        while not done.is_set():
            try:
                await asyncio.wait_for(done.wait(), 1.0)
            except asyncio.TimeoutError:
                listener.retry()
            if parent is not None and os.getppid() != parent:
                log.warning("notify worker: the server process is gone; stopping")
                break
    finally:
        listener.close()
        await worker.stop()
