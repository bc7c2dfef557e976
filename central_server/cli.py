"""``desk-app server``: run the central server, and the admin's commands on its database.

    desk-app server [--host H] [--port P] [--database-url URL] [--files-dir DIR] [--workers N]
    desk-app server worker                             # the notices' worker alone (see serve)
    desk-app server enrolment-code --agency 000.00.06.H56 --unit MOTCUA --name "Quầy 1"
    desk-app server enrolment-code --agency 000.00.06.H56 --unit MOTCUA --readmit quay-1
    desk-app server desks
    desk-app server revoke DESK_ID
    desk-app server migrate
    desk-app server zalo-consent                       # prints the OA's consent page (PKCE, state)
    desk-app server zalo-consent --code C --state S    # without a reachable callback: exchange here
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

from desk_app.domain.i18n import tr

log = logging.getLogger("central_server.notify")
web_log = logging.getLogger("central_server.web")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The server's flags; shared by ``desk-app server`` and ``python -m central_server``."""
    p.add_argument("action", nargs="?", default="run",
                   choices=["run", "worker", "enrolment-code", "desks", "revoke", "migrate", "zalo-consent"],
                   help=tr("run (mặc định): chạy máy chủ; enrolment-code: tạo mã đăng ký quầy; "
                           "desks: danh sách quầy; revoke: thu hồi quyền của một quầy; migrate: nâng cấp CSDL; "
                           "zalo-consent: cấp lại quyền cho Zalo OA"))
    p.add_argument("--watch-parent", type=int, default=None, help=argparse.SUPPRESS)  # worker: stop with this process
    p.add_argument("desk_id", nargs="?", help=tr("mã quầy (với revoke)"))
    p.add_argument("--host", default=None, help=tr("địa chỉ lắng nghe (mặc định 127.0.0.1)"))
    p.add_argument("--port", type=int, default=None, help=tr("cổng (mặc định 8700; 0: cổng trống bất kỳ)"))
    p.add_argument("--database-url", default=None,
                   help=tr("sqlite:///duong/dan.sqlite3 hoặc postgresql://user@host/db (hoặc DESK_SERVER_DATABASE_URL)"))
    p.add_argument("--files-dir", "--server-data-dir", dest="server_data_dir", type=Path, default=None,
                   help=tr("thư mục lưu tệp đính kèm của máy chủ (hoặc DESK_SERVER_DATA_DIR)"))
    p.add_argument("--workers", type=int, default=1, help=tr("số tiến trình phục vụ"))
    p.add_argument("--port-file", type=Path, default=None,
                   help=tr("ghi cổng thực sự đang lắng nghe vào tệp này khi đã sẵn sàng"))
    p.add_argument("--public-rate", type=float, default=None,
                   help=tr("số lần tra cứu công khai mỗi giây cho một địa chỉ IP"))
    p.add_argument("--public-burst", type=int, default=None)
    p.add_argument("--forwarded-allow-ips", default=None,
                   help=tr("địa chỉ IP của reverse proxy được tin tiêu đề X-Forwarded-For, cách nhau bằng dấu phẩy "
                           "(mặc định: không tin ai; hoặc DESK_SERVER_FORWARDED_ALLOW_IPS)"))
    p.add_argument("--agency", help=tr("mã cơ quan của quầy (với enrolment-code)"))
    p.add_argument("--unit", action="append", default=[],
                   help=tr("đơn vị của quầy, lặp lại cho nhiều đơn vị; đơn vị đầu là đơn vị chính"))
    p.add_argument("--name", help=tr("tên quầy (với enrolment-code)"))
    p.add_argument("--readmit", metavar="DESK_ID", default=None,
                   help=tr("cấp lại quyền cho quầy đã đăng ký này (với enrolment-code): chỉ mã này dùng được "
                           "cho quầy đó"))
    p.add_argument("--code", default=None, help=tr("mã cấp quyền Zalo trả về (với zalo-consent)"))
    p.add_argument("--state", default=None, help=tr("mã trạng thái đi kèm (với zalo-consent --code)"))
    p.add_argument("--scope", choices=["units", "agency"], default="units",
                   help=tr("units: hồ sơ liên quan đến đơn vị của quầy; agency: mọi hồ sơ của cơ quan"))


def settings_from(args):
    from .settings import Settings
    return Settings.from_env(database_url=args.database_url, data_dir=args.server_data_dir,
                             public_rate_per_second=args.public_rate, public_burst=args.public_burst,
                             forwarded_allow_ips=args.forwarded_allow_ips)


def run(args) -> int:
    from .db import ServerDatabase
    from .settings import vn_now
    try:
        settings = settings_from(args)
    except ValueError as e:
        print(tr("Lỗi: ") + str(e), file=sys.stderr)
        return 2
    if args.action == "run":
        return serve(settings, args.host or "127.0.0.1", 8700 if args.port is None else args.port,
                     args.workers, args.port_file)
    db = ServerDatabase(settings)
    if args.action != "worker" or os.environ.get("DESK_SERVER_MIGRATE", "1") != "0":
        db.upgrade()
    if args.action == "worker":
        db.dispose()
        return worker(settings, args.watch_parent)
    from . import desks
    from .errors import ApiError
    try:
        if args.action == "migrate":
            print(tr("Cơ sở dữ liệu đã ở phiên bản mới nhất."))
        elif args.action == "enrolment-code":
            if not args.agency or not args.unit:
                print(tr("Lỗi: cần --agency và ít nhất một --unit."), file=sys.stderr)
                return 2
            with db.session() as s:
                code, expires = desks.create_enrolment_code(s, args.name or args.unit[0], args.agency, args.unit,
                                                            args.scope, vn_now(), settings.enrolment_code_hours,
                                                            args.readmit)
            print(code)
            print(tr("Mã dùng một lần, hết hạn lúc {t}.").format(t=expires.strftime("%H:%M %d/%m/%Y")),
                  file=sys.stderr)
        elif args.action == "desks":
            with db.session(write=False) as s:
                for d in desks.all_desks(s):
                    state = tr("đã thu hồi") if d.revoked_at else tr("hoạt động")
                    seen = d.last_seen_at.strftime("%H:%M %d/%m/%Y") if d.last_seen_at else "-"
                    print("%s\t%s\t%s\t%s\t%s\t%s" % (d.id, d.name, d.agency_code, ",".join(d.units), state, seen))
        elif args.action == "zalo-consent":
            return zalo_consent(db, settings, args)
        elif args.action == "revoke":
            if not args.desk_id:
                print(tr("Lỗi: cần mã quầy."), file=sys.stderr)
                return 2
            with db.session() as s:
                desks.revoke(s, args.desk_id, vn_now())
            print(tr("Đã thu hồi quyền kết nối của quầy {desk}.").format(desk=args.desk_id))
    except ApiError as e:
        print(tr("Lỗi: ") + e.message, file=sys.stderr)
        return 2
    finally:
        db.dispose()
    return 0


def zalo_consent(db, settings, args) -> int:
    """Print the OA's consent page; or, given ``--code`` and ``--state``, exchange and store."""
    from .zalo import consent
    if not settings.zalo_enabled or not settings.zalo_app_secret:
        print(tr("Lỗi: chưa cấu hình Zalo OA (DESK_SERVER_ZALO_APP_ID, DESK_SERVER_ZALO_APP_SECRET, "
                 "DESK_SERVER_ZALO_OA_SECRET_KEY, DESK_SERVER_ZALO_OA_ID)."), file=sys.stderr)
        return 2
    if args.code or args.state:
        try:
            consent.exchange(db, settings, args.code or "", args.state or "")
        except consent.ConsentError as e:
            print(tr("Lỗi: ") + str(e), file=sys.stderr)
            return 2
        print(tr("Đã lưu khóa truy cập mới của Zalo OA; các thông báo đang chờ sẽ được gửi tiếp."))
        return 0
    if not settings.zalo_redirect_uri:
        print(tr("Lỗi: cần DESK_SERVER_ZALO_REDIRECT_URI (địa chỉ https://<máy chủ>/zalo/oauth/callback đã khai "
                 "trong trang quản lý ứng dụng Zalo)."), file=sys.stderr)
        return 2
    state = consent.new_state(settings)
    print(consent.permission_url(settings, state))
    print(tr("Mở địa chỉ trên bằng tài khoản quản trị của Official Account và đồng ý cấp quyền trong {n} phút. "
             "Zalo chuyển về {uri}, máy chủ tự lưu khóa mới. Nếu trang đó không mở được, chép mã code trên thanh địa "
             "chỉ và chạy: desk-app server zalo-consent --code <code> --state {state}")
          .format(n=consent.STATE_MINUTES, uri=settings.zalo_redirect_uri, state=state), file=sys.stderr)
    return 0


def needs_worker(settings) -> bool:
    """A worker process is needed when a notice channel (Zalo OA, e-mail) is configured."""
    return settings.zalo_enabled or settings.email_enabled


def worker(settings, parent: int | None = None) -> int:
    """``desk-app server worker``: the webhook's calls and the notices, in this process."""
    if not needs_worker(settings):   # nothing to send (nor e-mail: DESK_SERVER_SMTP_HOST, _SMTP_FROM)
        print(tr("Lỗi: chưa cấu hình Zalo OA (DESK_SERVER_ZALO_APP_ID, DESK_SERVER_ZALO_APP_SECRET, "
                 "DESK_SERVER_ZALO_OA_SECRET_KEY, DESK_SERVER_ZALO_OA_ID)."), file=sys.stderr)
        return 2
    from .notify.worker import serve_worker
    return serve_worker(settings, parent)


def _start_worker() -> subprocess.Popen:
    """The worker process beside the web processes: the same settings (the environment), the
    same process group (stopped with them), and it stops if this process is gone."""
    return subprocess.Popen([sys.executable, "-m", "central_server", "worker", "--watch-parent", str(os.getpid())],
                            env=os.environ)


def _stop_worker(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)   # it records what it sent, then exits (5 s at most)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class WorkerSupervisor:
    """The one worker process of ``desk-app server``, started again when it exits while the
    server runs (a crash, the OOM killer): after ``RESTART_FIRST`` seconds, doubling up to
    ``RESTART_MAX``, back to the first once a worker has run ``RESTART_STEADY`` seconds.

    A daemon thread waits on the process, so uvicorn keeps the main thread. It starts the next
    worker only after the last one exited, and never once ``exiting()`` (the server was told to
    stop: a SIGTERM to the process group ends the worker too) or ``stop()`` was called."""

    RESTART_FIRST, RESTART_MAX, RESTART_STEADY = 1.0, 60.0, 300.0

    def __init__(self, exiting: Callable[[], bool] = lambda: False):
        self.exiting = exiting
        self.stopping = threading.Event()
        self.lock = threading.Lock()          # a start and stop() never cross
        self.proc: subprocess.Popen | None = None
        self.thread = threading.Thread(target=self._watch, name="worker-supervisor", daemon=True)

    def start(self) -> "WorkerSupervisor":
        self.proc = _start_worker()
        self.thread.start()
        return self

    def _watch(self) -> None:
        wait = self.RESTART_FIRST
        proc, started = self.proc, time.monotonic()
        code, ran = None, 0.0
        while True:
            if proc is not None:   # None: the last start failed
                code, ran = proc.wait(), time.monotonic() - started
                if ran >= self.RESTART_STEADY:
                    wait = self.RESTART_FIRST
            # waited out before a word: a SIGTERM to the group ends the worker a moment before
            # uvicorn says it is exiting, and a normal stop is no restart
            if self.stopping.wait(wait):
                return
            with self.lock:
                if self.stopping.is_set() or self.exiting():
                    return
                try:
                    self.proc = proc = _start_worker()
                except OSError as e:   # no memory or processes left, say: try again later
                    log.error("notify worker process not started (%s); trying again in %g s",
                              type(e).__name__, min(wait * 2, self.RESTART_MAX))
                    proc = None
                else:
                    log.warning("notify worker process exited (code %s, after %d s); started another "
                                "(pid %d) after %g s", code, ran, proc.pid, wait)
            started = time.monotonic()
            wait = min(wait * 2, self.RESTART_MAX)

    def stop(self) -> None:
        """No more restarts; the worker under way stops (see ``_stop_worker``)."""
        with self.lock:
            self.stopping.set()
            proc = self.proc
        _stop_worker(proc)


def serve(settings, host: str, port: int, workers: int = 1, port_file: Path | None = None) -> int:
    """Migrate, bind (port 0: any free port), start the worker process if notices are
    configured, tell the port, then serve until stopped.

    The web processes (``workers`` of them) check and store; the one worker process works on
    the Zalo webhook's calls and sends the notices, so neither takes the other's CPU or GIL."""
    import uvicorn
    from .db import ServerDatabase
    from .deps import trusted_proxies

    db = ServerDatabase(settings)
    db.upgrade()
    db.dispose()
    own_sockets = workers > 1 and hasattr(socket, "SO_REUSEPORT")   # see WebProcesses
    sock = _socket(host, port, reuse_port=own_sockets)
    if not own_sockets:
        sock.listen(BACKLOG)
        sock.set_inheritable(True)
    actual = sock.getsockname()[1]
    # Workers build the app from the environment: hand them the settings there.
    os.environ.update({"DESK_SERVER_DATABASE_URL": settings.database_url,
                       "DESK_SERVER_DATA_DIR": str(settings.data_dir),
                       "DESK_SERVER_PUBLIC_RATE_PER_SECOND": str(settings.public_rate_per_second),
                       "DESK_SERVER_PUBLIC_BURST": str(settings.public_burst),
                       "DESK_SERVER_FORWARDED_ALLOW_IPS": settings.forwarded_allow_ips,
                       "DESK_SERVER_MIGRATE": "0"})
    # Proxy headers only from the proxies the operator named (none by default): uvicorn's own
    # default believes X-Forwarded-For from 127.0.0.1, which lets anyone on the machine, or a
    # proxy that passes the header through, pick the address the rate limits count.
    trusted = ",".join(sorted(trusted_proxies(settings)))
    config = _uvicorn_config(trusted, workers)
    server = uvicorn.Server(config)
    web = WebProcesses(host, actual, trusted, workers, sock) if own_sockets else None
    notices = None
    # From here every way out stops the web processes: one left serving would keep this
    # process forever at its exit (multiprocessing joins its children) and hold the port
    # (a port file that cannot be written, a notify worker that cannot start, SIGTERM).
    try:
        if web is not None:
            runner = web
            web.start()   # takes SIGTERM and SIGINT from here on
            exiting = web.stopping.is_set
        elif workers > 1:
            from uvicorn.supervisors import Multiprocess
            runner = Multiprocess(config, sockets=[sock])   # takes SIGTERM and SIGINT from here on
            exiting = runner.should_exit.is_set
        else:
            runner, exiting = None, lambda: server.should_exit
        print(tr("Máy chủ trung tâm đang chạy tại http://{host}:{port} (cơ sở dữ liệu: {db})").format(
            host=host, port=actual, db=_redacted(settings.database_url)), flush=True)
        if port_file is not None:
            tmp = Path(str(port_file) + ".tmp")
            tmp.write_text(str(actual))
            os.replace(tmp, port_file)
        notices = WorkerSupervisor(exiting).start() if needs_worker(settings) and settings.worker_process else None
        if runner is not None:
            runner.run()
        else:
            config.load_app()
            server.run(sockets=[sock])
    finally:
        if notices is not None:
            notices.stop()
        if web is not None:
            web.stop()   # (run() stopped them already on its way out; a second stop does nothing)
    if web is not None and web.failed:
        from uvicorn.config import STARTUP_FAILURE
        return STARTUP_FAILURE   # as one process's uvicorn exits: systemd's Restart=on-failure sees it
    return 0


BACKLOG = 2048


def _socket(host: str, port: int, reuse_port: bool = False) -> socket.socket:
    """A TCP socket bound to ``host:port`` (not listening yet). proto=IPPROTO_TCP matters: asyncio
    sets TCP_NODELAY on accepted connections only then, and without it each answer written in two
    pieces waits 40 ms for a delayed ACK."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM,
                         socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _uvicorn_config(trusted: str, workers: int = 1):
    import uvicorn
    return uvicorn.Config("central_server.app:factory", factory=True, workers=workers,
                          access_log=False,  # the query string carries citizens' keys
                          proxy_headers=bool(trusted), forwarded_allow_ips=trusted or "",
                          log_level="warning", timeout_graceful_shutdown=5)


def _web_process(host: str, port: int, trusted: str, parent: int) -> None:
    """One web process of ``WebProcesses``: its own listening socket on the server's address,
    served by uvicorn until SIGTERM or SIGINT, or until its parent is gone."""
    import uvicorn
    sock = _socket(host, port, reuse_port=True)
    sock.listen(BACKLOG)
    server = uvicorn.Server(_uvicorn_config(trusted))

    def watch() -> None:   # a SIGKILLed parent sends no SIGTERM: leave with it
        while os.getppid() == parent and not server.should_exit:
            time.sleep(1.0)
        server.should_exit = True
    threading.Thread(target=watch, name="watch-parent", daemon=True).start()
    server.run(sockets=[sock])


class WebProcesses:
    """The ``workers`` web processes of ``desk-app server``, each listening on a socket of its own
    bound to the one address with SO_REUSEPORT, so the kernel spreads new connections over them
    (by a hash of the connection's addresses). With uvicorn's Multiprocess they share one
    socket, and whichever process woke first accepted every waiting connection: the
    benchmark's 32 keep-alive connections split 27/5, once 32/0, one process saturated while
    the other idled. This process keeps the address bound (``sock``: SO_REUSEPORT, never
    listening, so no connection waits on it), stops them all on SIGTERM or SIGINT, and starts
    one again when it exits (after ``RESTART_FIRST`` seconds, doubling up to ``RESTART_MAX``,
    back to the first once it has run ``RESTART_STEADY``); a process that could not start (the
    app does not load) stops the server, as uvicorn's supervisor does."""

    RESTART_FIRST, RESTART_MAX, RESTART_STEADY = 1.0, 60.0, 300.0

    def __init__(self, host: str, port: int, trusted: str, workers: int, sock: socket.socket):
        import multiprocessing
        self.host, self.port, self.trusted, self.sock = host, port, trusted, sock
        self.context = multiprocessing.get_context("spawn")   # a fresh interpreter: no forked threads or pools
        self.stopping = threading.Event()
        self.failed = False   # a process could not load the app: the server exits with uvicorn's code for it
        self.slots: list[dict] = [{} for _ in range(workers)]

    def _spawn(self, slot: dict) -> None:
        proc = self.context.Process(target=_web_process, args=(self.host, self.port, self.trusted, os.getpid()),
                                    name="desk-server-web", daemon=False)
        proc.start()
        slot.update(proc=proc, started=time.monotonic(), due=None)
        slot.setdefault("wait", self.RESTART_FIRST)

    def start(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.stopping.set())
        for slot in self.slots:
            self._spawn(slot)
        self._wait_listening()

    def _wait_listening(self, timeout: float = 60.0) -> None:
        """Until a process answers on the address (the port file then means ready, as before)."""
        deadline = time.monotonic() + timeout
        address = ("::1" if ":" in self.host else "127.0.0.1") if self.host in ("0.0.0.0", "::") else self.host
        while time.monotonic() < deadline and not self.stopping.is_set():
            if any(slot["proc"].exitcode is not None for slot in self.slots):
                return   # run() says why
            try:
                socket.create_connection((address, self.port), timeout=1.0).close()
                return
            except OSError:
                time.sleep(0.05)

    def run(self) -> None:
        from uvicorn.config import STARTUP_FAILURE
        try:
            while not self.stopping.wait(0.2):
                now = time.monotonic()
                for slot in self.slots:
                    proc = slot["proc"]
                    if proc.exitcode is None:
                        continue
                    if proc.exitcode == STARTUP_FAILURE:
                        web_log.error("web process %d could not start (the app does not load): stopping", proc.pid)
                        self.failed = True
                        self.stopping.set()
                        break
                    if slot["due"] is None:
                        ran = now - slot["started"]
                        if ran >= self.RESTART_STEADY:
                            slot["wait"] = self.RESTART_FIRST
                        slot["due"] = now + slot["wait"]
                        web_log.warning("web process %d exited (code %s, after %d s); another in %g s",
                                    proc.pid, proc.exitcode, ran, slot["wait"])
                        slot["wait"] = min(slot["wait"] * 2, self.RESTART_MAX)
                    elif now >= slot["due"]:
                        self._spawn(slot)
        finally:
            self.stop()

    def stop(self) -> None:
        self.stopping.set()
        procs = [slot["proc"] for slot in self.slots if slot.get("proc") is not None]
        for proc in procs:
            if proc.exitcode is None:
                proc.terminate()   # SIGTERM: uvicorn finishes the requests under way (5 s at most)
        for proc in procs:
            proc.join(10)
            if proc.exitcode is None:
                proc.kill()
                proc.join()
        self.sock.close()


def _redacted(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return "%s://%s@%s" % (scheme, creds.split(":", 1)[0], host)
    return url


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="desk-app server", description=tr("Máy chủ trung tâm của các quầy Một cửa"))
    add_arguments(p)
    return run(p.parse_args(argv))
