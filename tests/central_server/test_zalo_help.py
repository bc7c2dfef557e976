"""A Zalo user linked to no dossier who writes is sent the help text at most once an hour: ten
lines in a minute give one answer (one outbox row, one call to Zalo), not ten. The calls go
through the app's real webhook; the worker's inbox round runs here with the clock given."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from central_server.app import create_app
from central_server.models import NotifyOutbox, ZaloInbox
from central_server.notify import HELP
from central_server.settings import Settings
from central_server.zalo.webhook import process_pending
from tests.central_server.conftest import database_url
from tests.central_server.test_zalo import APP_ID, OA_ID, OA_SECRET
from tests.central_server.zalo_fake import signed, text_event


def _helps(db, user: str) -> list:
    with db.session(write=False) as s:
        return [r.created_at for r in s.scalars(select(NotifyOutbox).where(NotifyOutbox.kind == HELP)
                                                .order_by(NotifyOutbox.id))
                if (r.data or {}).get("user_id") == user]


def _waiting(db) -> int:
    with db.session(write=False) as s:
        return len(s.scalars(select(ZaloInbox.key).where(ZaloInbox.processed_at.is_(None))).all())


def test_an_unlinked_user_gets_the_help_text_at_most_once_an_hour(request, tmp_path, backend):
    settings = Settings(database_url=database_url(request.config, tmp_path, backend), data_dir=tmp_path,
                        zalo_app_id=APP_ID, zalo_oa_secret_key=OA_SECRET, zalo_oa_id=OA_ID)
    app = create_app(settings)
    db = app.state.db
    client = TestClient(app)
    t0 = datetime(2026, 12, 2, 9, 0)

    def write(user: str, text: str, at: datetime) -> None:
        raw, headers = signed(text_event(user, text, OA_ID), APP_ID, OA_SECRET)
        assert client.post("/zalo/webhook", content=raw, headers=headers).status_code == 200
        assert client.post("/zalo/webhook", content=raw, headers=headers).status_code == 200   # Zalo's retry
        assert process_pending(db, settings, clock=lambda: at) == 1
        assert _waiting(db) == 0

    write("u-lost", "xin chào", t0)
    assert _helps(db, "u-lost") == [t0]
    write("u-lost", "có ai không?", t0 + timedelta(minutes=1))
    write("u-lost", "alo", t0 + timedelta(minutes=59))
    assert _helps(db, "u-lost") == [t0]                            # within the hour: no second help
    write("u-other", "chào", t0 + timedelta(minutes=30))            # another user: counted apart
    assert _helps(db, "u-other") == [t0 + timedelta(minutes=30)]
    write("u-lost", "alo alo", t0 + timedelta(minutes=60))          # the hour is over: helped again
    write("u-lost", "?", t0 + timedelta(minutes=61))
    assert _helps(db, "u-lost") == [t0, t0 + timedelta(minutes=60)]
    db.dispose()


def test_the_webhook_s_commit_wakes_the_worker_process_s_listener(request, tmp_path, backend):
    """The web process stores the call and wakes the worker (NOTIFY on PostgreSQL, a datagram on
    SQLite)."""
    import asyncio

    from central_server.notify.wake import Listener
    settings = Settings(database_url=database_url(request.config, tmp_path, backend), data_dir=tmp_path,
                        zalo_app_id=APP_ID, zalo_oa_secret_key=OA_SECRET, zalo_oa_id=OA_ID)
    app = create_app(settings)
    client = TestClient(app)
    raw, headers = signed(text_event("u-wake", "xin chào", OA_ID), APP_ID, OA_SECRET)

    async def woken() -> int:
        loop = asyncio.get_running_loop()
        pokes: list = []
        event = asyncio.Event()

        def poke() -> None:
            pokes.append(1)
            loop.call_soon_threadsafe(event.set)
        listener = Listener(settings, loop, poke)
        try:
            if backend == "postgresql":   # the listener pokes once when it starts listening
                await asyncio.wait_for(event.wait(), 30)
                event.clear()
            before = len(pokes)
            await asyncio.to_thread(lambda: client.post("/zalo/webhook", content=raw, headers=headers))
            await asyncio.wait_for(event.wait(), 30)
            return len(pokes) - before
        finally:
            listener.close()
    assert asyncio.run(woken()) >= 1
    app.state.db.dispose()


def test_the_wake_socket_heeds_only_this_user_and_is_taken_back_when_freed(tmp_path):
    """An abstract socket has no permissions: a datagram from another user of the machine does
    not wake the worker (its sender's uid, from the kernel, is checked); a name taken when the
    worker starts is bound on a later retry."""
    import asyncio
    import os
    import socket

    from central_server.notify.wake import Listener, Sender, _address
    settings = Settings(database_url="sqlite:///" + str(tmp_path / "w.sqlite3"), data_dir=tmp_path,
                        zalo_app_id=APP_ID, zalo_oa_secret_key=OA_SECRET, zalo_oa_id=OA_ID)

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        pokes: list = []
        squatter = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        squatter.bind(_address(settings))                       # the name is taken at start
        listener = Listener(settings, loop, lambda: pokes.append(1))
        try:
            assert listener.sock is None
            squatter.close()
            listener.retry()
            assert listener.sock is not None                    # bound once it is free
            if os.getuid() == 0:                                # CI runs as root: send as nobody
                pid = os.fork()
                if pid == 0:
                    try:
                        os.setuid(65534)
                        for _ in range(200):
                            Sender(settings)()
                    finally:
                        os._exit(0)
                os.waitpid(pid, 0)
                await asyncio.sleep(0.2)
                assert pokes == []                              # another user's datagrams: ignored
            Sender(settings)()
            for _ in range(100):
                if pokes:
                    break
                await asyncio.sleep(0.02)
            assert pokes                                        # this user's: a wake
        finally:
            listener.close()
    asyncio.run(scenario())
