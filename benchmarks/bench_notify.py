"""Notices to citizens: from a status event arriving at the server to the (fake) Zalo API
receiving the message, and the notices per second the worker sustains.

Against the real server as deployed (``desk-app server``: one web process and, beside it, the
worker process that works on the webhook's calls and sends the notices; loopback) and the
tests' fake of the Zalo APIs (a real HTTP server that checks every request), on SQLite and
PostgreSQL; the CPU seconds of the server's processes (and PostgreSQL's) and the load average
are printed beside each wall-clock figure:

* latency: a desk pushes one ``received`` event (a new dossier, with a phone: a ZNS template
  message), one at a time; the time from the push leaving the desk to the fake accepting
  the message; median and p99 over ``LATENCY_N``;
* throughput: ``BURST`` notices queued while the worker is off (its process killed), then a
  server with the worker on: notices per second from the first to the last the fake accepts.

* the webhook flood: ``FLOOD`` signed texts from 50 users not linked to any dossier,
  ``FLOOD_AT_ONCE`` at a time; each call's answer time (Zalo wants each within 2 s), then the
  time until every call is worked on and every answer sent.

Targets: median < 300 ms, p99 < 1 s (the web process wakes the worker when a notice commits:
NOTIFY on PostgreSQL, a datagram on SQLite; it polls every second otherwise); 67 notices/s
(Zalo's own limit, 4,000 calls a minute per app, with nothing to spare); each webhook call
answered within 2 s.

    .venv/bin/python -m benchmarks.bench_notify            # both databases
    .venv/bin/python -m benchmarks.bench_notify sqlite
    .venv/bin/python -m benchmarks.bench_notify sqlite flood   # only the webhook flood
"""

from __future__ import annotations

import random
import sys
import threading
import time
import uuid

from benchmarks.bench_scale import cpu_seconds, load
from benchmarks.bench_server import BATCH, Desk, _server, intake_payload, stop_cluster
from benchmarks.common import Figure, median, percentile, report, tempdir

LATENCY_N = 200
BURST = 2000


def _env(fake, worker: bool) -> dict:
    from tests.central_server.test_zalo import zalo_env
    env = zalo_env(fake, None, notify_worker=1 if worker else 0, notify_concurrency=16,
                   lease_daily_max_per_desk=9999, notify_lease_seconds=2)
    return env


def _received(desk: Desk, rng, n: int, day) -> list[tuple[str, dict]]:
    from central_server.settings import vn_now
    from desk_app.domain.codes import format_dossier_code, new_key
    out = []
    while len(out) < n:
        block = desk.client.lease(day, min(500, n - len(out)), str(uuid.uuid4()))
        for number in range(block["first"], block["last"] + 1):
            code = format_dossier_code(desk.agency, day, number)
            at = vn_now().replace(microsecond=0)
            payload = intake_payload(rng, at, new_key())
            payload["owner"]["phone"] = "09%08d" % rng.randrange(10 ** 8)
            out.append((code, desk.event(code, "received", payload, at)))
    return out


FLOOD, FLOOD_AT_ONCE = 400, 32


def webhook_flood(server) -> list[float]:
    """Zalo must have each webhook call answered within 2 s: ``FLOOD`` signed texts from 50
    users, ``FLOOD_AT_ONCE`` at a time over as many kept-alive connections, from one event
    loop; each call's answer time (s), from its request written to its answer read.

    The requests are built before the clock starts and written as bytes on asyncio streams:
    Zalo's callers are not on the server's machine, and an HTTP client library here (httpx
    spent 5-7 ms of CPU a call) took as much of the 2 shared cores as the server did, so the
    figure measured the client as much as the answers."""
    import asyncio
    from urllib.parse import urlsplit

    from tests.central_server.test_zalo import APP_ID, OA_ID, OA_SECRET
    from tests.central_server.zalo_fake import signed, text_event
    host, port = urlsplit(server.url).hostname, urlsplit(server.url).port
    requests = []
    for i in range(FLOOD):
        body, headers = signed(text_event("flood-%d" % (i % 50), "xin chào %d" % i, OA_ID), APP_ID, OA_SECRET)
        head = "POST /zalo/webhook HTTP/1.1\r\nHost: %s:%d\r\nContent-Length: %d\r\n" % (host, port, len(body))
        head += "".join("%s: %s\r\n" % kv for kv in headers.items()) + "\r\n"
        requests.append(head.encode() + body)
    times: list[float] = []
    todo = list(reversed(requests))

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while todo:
                request = todo.pop()
                t0 = time.perf_counter()
                writer.write(request)
                status = await reader.readline()
                length = 0
                while True:
                    line = await reader.readline()
                    if line in (b"\r\n", b""):
                        break
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                times.append(time.perf_counter() - t0)
                assert status.split()[1] == b"200", status
        finally:
            writer.close()

    async def flood() -> None:
        await asyncio.gather(*(connection() for _ in range(FLOOD_AT_ONCE)))
    asyncio.run(flood())
    assert len(times) == FLOOD
    return times


def run_backend(backend: str, flood_only: bool = False) -> list[Figure]:
    from tests.central_server import kit
    from tests.central_server.zalo_fake import FakeZalo
    fake = FakeZalo("app-123", "app-secret-xyz").start()
    tmp = tempdir()
    server = _server(backend, tmp, workers=1)
    if server is None:
        print("(PostgreSQL binaries not found: %s figures skipped)" % backend)
        fake.stop()
        return []
    try:
        server.env.update(_env(fake, worker=True))
        server.restart()
        figures = [] if flood_only else notices(backend, server, fake)
        fake.on_receive = None   # the flood's unlinked users are answered with the help text
        time.sleep(1)
        fake.received.clear()
        cpu0, wall0, procs0, client0 = cpu_seconds(server), time.perf_counter(), _per_process(server), time.process_time()
        flood = webhook_flood(server)
        answered, cpu_answered = time.perf_counter() - wall0, cpu_seconds(server) - cpu0
        procs1, client = _per_process(server), time.process_time() - client0
        print("  %s flood, answered in %.2f s (p99 %.0f ms); meanwhile CPU of the web process(es) %.2f s (%.2f ms a call), "
              "of the worker %.2f s, of this client %.2f s" % (backend, answered, percentile(flood, 99) * 1000,
                                                              procs1["web"] - procs0["web"],
                                         (procs1["web"] - procs0["web"]) * 1000 / FLOOD,
                                         procs1["worker"] - procs0["worker"], client), flush=True)
        kit.wait_until(lambda: _inbox_done(server) == FLOOD, 300, "the flood worked through", interval=0.2)
        kit.wait_until(lambda: _outbox_pending(server) == 0, 300, "the flood's answers sent", interval=0.2)
        print("  %s flood: %d calls answered in %.2f s wall, server%s CPU %.2f s meanwhile; all worked through "
              "and answered after %.2f s, CPU %.2f s (%.1f ms a call); %d help texts sent; %s"
              % (backend, FLOOD, answered, _and_pg(backend), cpu_answered, time.perf_counter() - wall0,
                 cpu_seconds(server) - cpu0, (cpu_seconds(server) - cpu0) * 1000 / FLOOD, len(fake.received),
                 load()), flush=True)
        print("  %s server's processes, CPU since start: %s" % (backend, ", ".join(
            "%s %.2f s" % kv for kv in _per_process(server).items())), flush=True)
        return figures + [
            Figure("%s: webhook flood (%d calls, %d at once), answer p99" % (backend, FLOOD, FLOOD_AT_ONCE),
                   percentile(flood, 99) * 1000, "ms", 2000),
            Figure("%s: webhook flood, slowest answer" % backend, max(flood) * 1000, "ms", 2000)]
    finally:
        server.stop()
        fake.stop()


def notices(backend: str, server, fake) -> list[Figure]:
    """The event-to-Zalo latency, then the burst's throughput."""
    from central_server.settings import vn_now
    from tests.central_server import kit
    agency = kit.new_agency()
    desk = Desk(server, "quay-" + agency, agency, ["MOTCUA"])
    rng = random.Random(10)
    day = vn_now().date()
    arrived: dict[str, float] = {}
    got = threading.Event()

    def on_receive(item):
        arrived[item["data"]["ma_ho_so"]] = time.perf_counter()
        got.set()
    fake.on_receive = on_receive
    latencies = []
    for i, (code, event) in enumerate(_received(desk, rng, LATENCY_N + 20, day)):
        if i == 20:  # warmed up: connections, caches
            cpu0, wall0 = cpu_seconds(server), time.perf_counter()
        got.clear()
        t0 = time.perf_counter()
        assert desk.client.push([event])[0]["status"] == "accepted"
        assert got.wait(10), "no notice for " + code
        latencies.append(arrived[code] - t0)
    latencies = latencies[20:]
    print("  %s latency: %d events, %.1f s wall, server%s CPU %.2f s (%.1f ms an event); %s"
          % (backend, len(latencies), time.perf_counter() - wall0, _and_pg(backend), cpu_seconds(server) - cpu0,
             (cpu_seconds(server) - cpu0) * 1000 / len(latencies), load()), flush=True)
    assert fake.problems == []

    # throughput: a backlog, then the worker
    server.env["DESK_SERVER_NOTIFY_WORKER"] = "0"
    server.stop()   # SIGTERM: the worker records what it sent before the process ends
    server.start()
    burst = _received(desk, rng, BURST, day)
    events = [e for _, e in burst]
    for i in range(0, len(events), BATCH):
        assert all(r["status"] == "accepted" for r in desk.client.push(events[i:i + BATCH]))
    fake.received.clear()
    arrived.clear()
    server.env["DESK_SERVER_NOTIFY_WORKER"] = "1"
    server.stop()
    server.start()
    cpu0, wall0 = cpu_seconds(server), time.perf_counter()
    kit.wait_until(lambda: len(fake.received) >= BURST, 600, "the burst sent", interval=0.2)
    times = sorted(m["at"] for m in fake.received)
    rate = (len(times) - 1) / (times[-1] - times[0])
    cpu = cpu_seconds(server) - cpu0
    print("  %s burst: %d notices in %.1f s wall, server%s CPU %.2f s (%.1f ms a notice); %s"
          % (backend, BURST, time.perf_counter() - wall0, _and_pg(backend), cpu, cpu * 1000 / BURST, load()),
          flush=True)
    assert len({m["tracking_id"] for m in fake.received}) == BURST, len({m["tracking_id"] for m in fake.received})
    assert fake.problems == [], fake.problems[:5]
    return [Figure("%s: event to Zalo, median" % backend, median(latencies) * 1000, "ms", 300),
            Figure("%s: event to Zalo, p99" % backend, percentile(latencies, 99) * 1000, "ms", 1000),
            Figure("%s: notices sent per second (%d queued)" % (backend, BURST), rate, "/s", 67,
                   lower_is_better=False)]


def _and_pg(backend: str) -> str:
    return " + PostgreSQL" if backend == "postgresql" else ""


def _per_process(server) -> dict:
    """CPU seconds so far of the server's web process(es) and of its worker process (none
    before the worker had a process of its own: its work is in the web process's figure)."""
    import os

    from benchmarks.bench_scale import _tree
    out = {"web": 0.0, "worker": 0.0}
    for pid in _tree(server.proc.pid):
        try:
            cmd = open("/proc/%d/cmdline" % pid, "rb").read().split(b"\0")
            fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out["worker" if b"worker" in cmd else "web"] += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return out


def _count(server, query) -> int:
    db = server.database()
    try:
        with db.session(write=False) as s:
            return s.execute(query).scalar()
    finally:
        db.dispose()


def _inbox_done(server) -> int:
    from sqlalchemy import func, select

    from central_server.models import ZaloInbox
    return _count(server, select(func.count()).select_from(ZaloInbox).where(ZaloInbox.processed_at.is_not(None)))


def _outbox_pending(server) -> int:
    from sqlalchemy import func, select

    from central_server.models import NotifyOutbox
    return _count(server, select(func.count()).select_from(NotifyOutbox).where(NotifyOutbox.status == "pending"))


def run(backends: list[str] | None = None) -> list[Figure]:
    """``backends``: sqlite and/or postgresql (both if none); with "flood": only the flood."""
    figures = []
    flood_only = "flood" in (backends or [])
    try:
        for backend in [b for b in backends or [] if b != "flood"] or ["sqlite", "postgresql"]:
            figures += run_backend(backend, flood_only)
    finally:
        stop_cluster()
    return figures


if __name__ == "__main__":
    report("Notices: status event to Zalo, worker throughput", run(sys.argv[1:] or None))
