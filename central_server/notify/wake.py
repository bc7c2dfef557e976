"""Waking the worker process when a web process commits a webhook call or a notice.

The web processes only store rows; the worker process (``worker.py``) works on them. A wake
saves the worker its poll interval, nothing more: each round reads every waiting row, and the
worker also polls every ``notify_poll_seconds``, so a wake lost (the worker restarting, a
datagram dropped) delays a row by that at most, and rows left by a crash are found at start.

* PostgreSQL: ``NOTIFY desk_notify`` in the transaction that writes the rows (delivered on
  commit, to every worker listening, on any machine); the worker ``LISTEN``s on a connection
  of its own.
* SQLite (one machine by nature): a datagram to a Unix socket in Linux's abstract namespace,
  named after the database file (no file to clean up after a crash); the worker binds it.
  Where that is not available, the worker only polls.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import struct
import threading

from sqlalchemy import text
from sqlalchemy.orm import Session

log = logging.getLogger("central_server.notify")
CHANNEL = "desk_notify"
NOTIFY = text("NOTIFY " + CHANNEL)


def _address(settings) -> str | None:
    if not settings.is_sqlite or not hasattr(socket, "AF_UNIX") or not hasattr(socket, "SO_PASSCRED"):
        return None
    path = settings.sqlite_path
    if path is None:
        return None
    return "\0desk-notify-" + hashlib.sha256(os.path.abspath(path).encode()).hexdigest()[:32]


def in_transaction(session: Session) -> None:
    """Called before a commit that wrote rows for the worker: on PostgreSQL, the NOTIFY goes
    with the transaction (sent if and when it commits)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(NOTIFY)


class Sender:
    """The web processes' side on SQLite: one datagram after the commit; never blocks, never
    fails the request (no worker listening, or its queue full: it polls)."""

    def __init__(self, settings):
        self.address = _address(settings)
        self.sock = None
        if self.address is not None:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self.sock.setblocking(False)

    def __call__(self) -> None:
        if self.sock is not None:
            try:
                self.sock.sendto(b"!", self.address)
            except OSError:
                pass

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


_senders: dict[str, Sender] = {}


def install_sender(settings) -> None:
    """The web process wakes the worker of its SQLite database after each commit that wrote
    rows for it (once per database and process, however many apps are built)."""
    from . import add_waker
    address = _address(settings)
    if address is not None and address not in _senders:
        _senders[address] = sender = Sender(settings)
        add_waker(sender)


CREDENTIALS = struct.Struct("3i")   # struct ucred: pid, uid, gid
BURST = 64                         # datagrams read at once: a flood cannot hold the event loop


class Listener:
    """The worker's side: calls ``poke`` (thread-safe) on each wake.

    An abstract socket has no file permissions: any process on the machine may send to it. A
    datagram counts only if the kernel says its sender runs as this process's user
    (``SO_PASSCRED``); its content is never read. A name taken (another worker still stopping,
    or squatted) is tried again each second (``retry``) while the worker polls."""

    def __init__(self, settings, loop, poke):
        self.settings, self.loop, self.poke = settings, loop, poke
        self.sock = None
        self._warned = False
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None
        if settings.is_sqlite:
            self._bind()
        else:
            self.thread = threading.Thread(target=self._listen_pg, name="notify-listen", daemon=True)
            self.thread.start()

    def _bind(self) -> None:
        address = _address(self.settings)
        if address is None:
            return
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
            sock.bind(address)
        except OSError as e:  # another worker on this database has it: this one polls
            if not self._warned:
                log.warning("notify worker: no wake socket (%s); polling every %.1f s until it is free",
                            type(e).__name__, self.settings.notify_poll_seconds)
                self._warned = True
            sock.close()
            return
        sock.setblocking(False)
        self.sock = sock
        self.loop.add_reader(sock.fileno(), self._readable)

    def retry(self) -> None:
        """On SQLite, bind the wake socket if it was taken when the worker started."""
        if self.settings.is_sqlite and self.sock is None and not self.stop.is_set():
            self._bind()

    def _readable(self) -> None:
        woken = False
        space = socket.CMSG_SPACE(CREDENTIALS.size)
        for _ in range(BURST):
            try:
                _data, ancillary, _flags, _addr = self.sock.recvmsg(1, space)
            except (BlockingIOError, InterruptedError):
                break
            except (OSError, AttributeError):   # closed meanwhile
                return
            for level, kind, value in ancillary:
                if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS \
                        and len(value) >= CREDENTIALS.size and CREDENTIALS.unpack_from(value)[1] == os.getuid():
                    woken = True
        if woken:
            self.poke()

    def _listen_pg(self) -> None:
        import psycopg
        url = self.settings.sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1)
        while not self.stop.is_set():
            try:
                with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
                    conn.execute("LISTEN " + CHANNEL)
                    self.poke()   # whatever committed while nobody listened
                    while not self.stop.is_set():
                        for _ in conn.notifies(timeout=1.0, stop_after=1):
                            self.poke()
            except Exception as e:  # the database away: the worker polls meanwhile
                log.warning("notify worker: LISTEN lost (%s); again in 5 s", type(e).__name__)
                self.stop.wait(5)

    def close(self) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join(2)   # it looks at ``stop`` every second
        if self.sock is not None:
            try:
                self.loop.remove_reader(self.sock.fileno())
            except Exception:
                pass
            self.sock.close()
            self.sock = None
