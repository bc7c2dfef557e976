"""Real parts for the server tests: a throwaway PostgreSQL cluster started from the machine's
binaries, the central server as a uvicorn process, and a TCP proxy that misbehaves on demand.

No mocks: the server is the program ``desk-app server`` runs, on loopback.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

import httpx

ROOT = Path(__file__).resolve().parents[2]
ADMIN_TOKEN = "test-admin-token-0123456789abcdef"
_agencies = itertools.count(1)


def wait_until(predicate: Callable[[], object], timeout: float = 30.0, what: str = "condition",
               interval: float = 0.02):
    """Poll ``predicate`` until it returns something true, or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(interval)


def new_agency() -> str:
    """A fresh agency code per test, so tests sharing a server never share dossier codes."""
    n = next(_agencies)
    return "0%02d.%02d.%02d.H56" % (os.getpid() % 100, n // 100, n % 100)


def enrol_in_app(client, agency: str, desk_id: str, desk_name: str = "q") -> str:
    """A desk of ``agency`` enrolled in an in-process app (a TestClient of ``create_app`` with
    ``admin_token=ADMIN_TOKEN``), as the admin and the desk do it: the desk's bearer token."""
    admin = {"Authorization": "Bearer " + ADMIN_TOKEN}
    code = client.post("/api/v1/admin/enrolment-codes", headers=admin, json={
        "desk_name": desk_name, "agency_code": agency, "units": ["MOTCUA"]}).json()["code"]
    return client.post("/api/v1/enrol", json={"code": code, "desk_id": desk_id}).json()["token"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- PostgreSQL ---------------------------------------------------------------------------
def postgres_bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if os.environ.get("DESK_PG_BINDIR"):
        found.append(os.path.join(os.environ["DESK_PG_BINDIR"], "initdb"))
    return Path(found[-1]).parent if found else None


class PostgresCluster:
    """initdb + pg_ctl in a temporary folder; as root, run as the ``postgres`` system user
    (initdb and the server refuse to run as root)."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="desk-pg-"))
        self.data = self.root / "data"
        self.sockets = self.root / "sock"
        self.port = 0
        self._names = itertools.count(1)
        self.prefix: list[str] = []
        if os.getuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                                "postgres"], check=True)
            self.prefix = ["runuser", "-u", "postgres", "--"]
        self.sockets.mkdir()
        if os.getuid() == 0:
            shutil.chown(self.root, "postgres")
            shutil.chown(self.sockets, "postgres")

    def _run(self, *args: str, **kw) -> subprocess.CompletedProcess:
        return subprocess.run(self.prefix + list(args), check=True, capture_output=True, text=True, **kw)

    def start(self, durable: bool = False) -> "PostgresCluster":
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                  "-E", "UTF8", "--locale=C", "--no-sync")
        settings = "-c listen_addresses=127.0.0.1 -c max_connections=300 -k %s" % self.sockets
        if not durable:  # tests kill servers, never the machine: durability on disk buys nothing here
            settings += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        for attempt in range(5):
            self.port = free_port()
            try:
                self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"),
                          "-w", "-t", "60", "-o", "-p %d %s" % (self.port, settings), "start")
                return self
            except subprocess.CalledProcessError:
                if attempt == 4:
                    raise RuntimeError("PostgreSQL did not start:\n" + (self.root / "log").read_text())
        return self

    def create_database(self) -> str:
        import psycopg
        name = "desk_%d_%d" % (os.getpid(), next(self._names))
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            conn.execute('CREATE DATABASE "%s"' % name)
        return self.url(name)

    @property
    def admin_dsn(self) -> str:
        return "host=127.0.0.1 port=%d user=postgres dbname=postgres" % self.port

    def url(self, name: str) -> str:
        return "postgresql://postgres@127.0.0.1:%d/%s" % (self.port, name)

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)


_cluster: PostgresCluster | None = None


def postgres(config) -> PostgresCluster | None:
    """The session's one cluster, started on first use and stopped at the end of the run."""
    global _cluster
    if _cluster is None:
        bindir = postgres_bindir()
        if bindir is None:
            return None
        _cluster = PostgresCluster(bindir).start()
        config.add_cleanup(_stop_cluster)
    return _cluster


def _stop_cluster() -> None:
    global _cluster
    if _cluster is not None:
        _cluster.stop()
        _cluster = None


# -- the central server as a process -------------------------------------------------------
class ServerProcess:
    def __init__(self, database_url: str, files_dir: Path, public_rate: float = 1000.0, public_burst: int = 1000,
                 workers: int = 1, env: dict[str, str] | None = None):
        self.env = dict(env or {})  # DESK_SERVER_* settings for this server
        self.database_url = database_url
        self.files_dir = Path(files_dir)
        self.public_rate, self.public_burst, self.workers = public_rate, public_burst, workers
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.log = self.files_dir / "server.log"

    @property
    def url(self) -> str:
        return "http://127.0.0.1:%d" % self.port

    def start(self, timeout: float = 60.0) -> "ServerProcess":
        self.files_dir.mkdir(parents=True, exist_ok=True)
        port_file = self.files_dir / "port"
        port_file.unlink(missing_ok=True)
        env = dict(os.environ, DESK_SERVER_ADMIN_TOKEN=ADMIN_TOKEN, PYTHONPATH=str(ROOT), **self.env)
        cmd = [sys.executable, "-m", "central_server", "run", "--database-url", self.database_url,
               "--files-dir", str(self.files_dir), "--port", str(self.port), "--port-file", str(port_file),
               "--public-rate", str(self.public_rate), "--public-burst", str(self.public_burst),
               "--workers", str(self.workers)]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)

        def ready():
            if self.proc.poll() is not None:
                raise AssertionError("server exited:\n" + self.log.read_text(errors="replace")[-4000:])
            return port_file.exists()
        wait_until(ready, timeout, "the server's port file")
        self.port = int(port_file.read_text())

        def healthy():
            ready()
            try:
                return httpx.get(self.url + "/api/v1/health", timeout=2).status_code == 200
            except httpx.TransportError:
                return False
        wait_until(healthy, timeout, "the server to answer")
        return self

    def kill(self) -> None:
        """SIGKILL, as a power cut would: no shutdown code runs."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def restart(self) -> "ServerProcess":
        self.kill()
        return self.start()  # the same port: the desks keep their address

    # -- the admin's side ----------------------------------------------------------------
    def admin(self, method: str, path: str, **kw) -> httpx.Response:
        return httpx.request(method, self.url + "/api/v1" + path, timeout=30,
                             headers={"Authorization": "Bearer " + ADMIN_TOKEN}, **kw)

    def enrolment_code(self, agency: str, units: list[str], name: str = "Quầy", scope: str = "units",
                       readmit: str | None = None) -> str:
        body = {"desk_name": name, "agency_code": agency, "units": units, "scope": scope}
        if readmit:
            body["readmit_desk_id"] = readmit
        r = self.admin("POST", "/admin/enrolment-codes", json=body)
        assert r.status_code == 201, r.text
        return r.json()["code"]

    def revoke(self, desk_id: str) -> None:
        r = self.admin("POST", "/admin/desks/%s/revoke" % desk_id)
        assert r.status_code == 200, r.text

    def database(self):
        """The server's database, for checking what it holds."""
        from central_server.db import ServerDatabase
        from central_server.settings import Settings
        return ServerDatabase(Settings(database_url=self.database_url, data_dir=self.files_dir))


# -- a proxy that cuts connections when told to ----------------------------------------------
class TcpProxy:
    """Forwards 127.0.0.1:port to the server. ``on_request(first_line)`` is called once a whole
    request has been passed on; ``cut_response(first_line)`` may return a number of bytes of
    the answer to pass back before the connection is reset (None: pass it all)."""

    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.on_request: Callable[[bytes], None] | None = None
        self.cut_response: Callable[[bytes], int | None] | None = None
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self._closed = False
        self._conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return "http://127.0.0.1:%d" % self.port

    def close(self) -> None:
        self._closed = True
        self._listener.close()
        for c in list(self._conns):
            _reset(c)

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            except OSError:
                _reset(client)
                continue
            self._conns += [client, upstream]
            state = {"limit": None, "sent": 0}
            threading.Thread(target=self._requests, args=(client, upstream, state), daemon=True).start()
            threading.Thread(target=self._responses, args=(upstream, client, state), daemon=True).start()

    def _requests(self, src: socket.socket, dst: socket.socket, state: dict) -> None:
        buf = b""
        try:
            while True:
                while b"\r\n\r\n" not in buf:
                    chunk = src.recv(65536)
                    if not chunk:
                        raise EOFError
                    buf += chunk
                head, _, rest = buf.partition(b"\r\n\r\n")
                first = head.split(b"\r\n", 1)[0]
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                # decided before the request goes on: a fast server could otherwise answer (and
                # the answer pass whole) before the cut is set
                state["limit"] = self.cut_response(first) if self.cut_response else None
                state["sent"] = 0
                dst.sendall(head + b"\r\n\r\n")
                body_sent = 0
                while body_sent < length:
                    if not rest:
                        rest = src.recv(65536)
                        if not rest:
                            raise EOFError
                    piece, rest = rest[:length - body_sent], rest[length - body_sent:]
                    dst.sendall(piece)
                    body_sent += len(piece)
                buf = rest
                if self.on_request:
                    self.on_request(first)
        except (EOFError, OSError):
            _reset(dst)
            _reset(src)

    def _responses(self, src: socket.socket, dst: socket.socket, state: dict) -> None:
        try:
            while True:
                chunk = src.recv(65536)
                if not chunk:
                    raise EOFError
                limit = state["limit"]
                if limit is not None and state["sent"] + len(chunk) >= limit:
                    dst.sendall(chunk[:max(0, limit - state["sent"])])
                    raise EOFError
                dst.sendall(chunk)
                state["sent"] += len(chunk)
        except (EOFError, OSError):
            _reset(dst)
            _reset(src)


def _reset(s: socket.socket) -> None:
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST, not FIN
    except OSError:
        pass
    try:  # shutdown first: it wakes the other pump, blocked in recv on this socket
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        s.close()
    except OSError:
        pass
