"""Notices to citizens: from a status event arriving at the server to the (fake) Zalo API
receiving the message, and the notices per second the worker sustains.

Against the real server process (one worker process, loopback) and the tests' fake of the
Zalo APIs (a real HTTP server that checks every request), on SQLite and PostgreSQL:

* latency: a desk pushes one ``received`` event (a new dossier, with a phone: a ZNS template
  message), one at a time; the time from the push leaving the desk to the fake accepting
  the message; median and p99 over ``LATENCY_N``;
* throughput: ``BURST`` notices queued while the worker is off (its process killed), then a
  server with the worker on: notices per second from the first to the last the fake accepts.

Targets: median < 300 ms, p99 < 1 s (the worker wakes when a notice commits in its process
and polls every second otherwise); 67 notices/s (Zalo's own limit, 4,000 calls a minute per
app, with nothing to spare).

    .venv/bin/python -m benchmarks.bench_notify            # both databases
    .venv/bin/python -m benchmarks.bench_notify sqlite
"""

from __future__ import annotations

import random
import sys
import threading
import time
import uuid

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
    users, ``FLOOD_AT_ONCE`` at a time on one event loop; each call's answer time (s)."""
    import asyncio

    import httpx

    from tests.central_server.test_zalo import APP_ID, OA_ID, OA_SECRET
    from tests.central_server.zalo_fake import signed, text_event
    bodies = [signed(text_event("flood-%d" % (i % 50), "xin chào %d" % i, OA_ID), APP_ID, OA_SECRET)
              for i in range(FLOOD)]
    times: list[float] = []

    async def flood() -> None:
        limits = httpx.Limits(max_connections=FLOOD_AT_ONCE, max_keepalive_connections=FLOOD_AT_ONCE)
        async with httpx.AsyncClient(base_url=server.url, timeout=30, limits=limits) as c:
            gate = asyncio.Semaphore(FLOOD_AT_ONCE)

            async def send(body, headers) -> None:
                async with gate:
                    t0 = time.perf_counter()
                    r = await c.post("/zalo/webhook", content=body, headers=headers)
                    times.append(time.perf_counter() - t0)
                    assert r.status_code == 200, r.text
            await asyncio.gather(*(send(b, h) for b, h in bodies))
    asyncio.run(flood())
    return times


def run_backend(backend: str) -> list[Figure]:
    from central_server.settings import vn_now
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
        for code, event in _received(desk, rng, LATENCY_N + 20, day):
            got.clear()
            t0 = time.perf_counter()
            assert desk.client.push([event])[0]["status"] == "accepted"
            assert got.wait(10), "no notice for " + code
            latencies.append(arrived[code] - t0)
        latencies = latencies[20:]  # warmed up: connections, caches
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
        kit.wait_until(lambda: len(fake.received) >= BURST, 600, "the burst sent", interval=0.2)
        times = sorted(m["at"] for m in fake.received)
        rate = (len(times) - 1) / (times[-1] - times[0])
        assert len({m["tracking_id"] for m in fake.received}) == BURST, len({m["tracking_id"] for m in fake.received})
        assert fake.problems == [], fake.problems[:5]
        fake.on_receive = None   # the flood's unlinked users are answered with the help text
        flood = webhook_flood(server)
        return [Figure("%s: event to Zalo, median" % backend, median(latencies) * 1000, "ms", 300),
                Figure("%s: event to Zalo, p99" % backend, percentile(latencies, 99) * 1000, "ms", 1000),
                Figure("%s: notices sent per second (%d queued)" % (backend, BURST), rate, "/s", 67,
                       lower_is_better=False),
                Figure("%s: webhook flood (%d calls, %d at once), answer p99" % (backend, FLOOD, FLOOD_AT_ONCE),
                       percentile(flood, 99) * 1000, "ms", 2000),
                Figure("%s: webhook flood, slowest answer" % backend, max(flood) * 1000, "ms", 2000)]
    finally:
        server.stop()
        fake.stop()


def run(backends: list[str] | None = None) -> list[Figure]:
    figures = []
    try:
        for backend in backends or ["sqlite", "postgresql"]:
            figures += run_backend(backend)
    finally:
        stop_cluster()
    return figures


if __name__ == "__main__":
    report("Notices: status event to Zalo, worker throughput", run(sys.argv[1:] or None))
