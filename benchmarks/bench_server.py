"""The central server: push throughput from one desk, a week's catch-up, memory, status lookups.

Each figure is measured against the real server process (uvicorn, one worker unless said)
over loopback, on SQLite and on PostgreSQL (a throwaway cluster from the machine's
binaries, with its default durability: fsync and synchronous commit on).

Targets (issue 5): push at least 2,000 events/s on PostgreSQL; a week's catch-up (5,000
events) under 10 s; public status lookups at least 500/s with p99 under 100 ms on 2 cores.
The server runs 2 worker processes (the machine has 2 cores, shared with the load
generator and PostgreSQL). The lookups run after the bulk load has settled (checkpoint,
VACUUM ANALYZE): right after 24,000 inserts, the checkpoint and autovacuum that follow put
the p99 at 500/s around 150-250 ms on this machine.

    .venv/bin/python -m benchmarks.bench_server            # both databases
    .venv/bin/python -m benchmarks.bench_server sqlite
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from benchmarks.common import Figure, percentile, report, tempdir

PUSH_EVENTS = 20_000
BATCH = 500
WEEK_EVENTS = 5_000
LOOKUP_SECONDS = 6.0
LOOKUP_CONCURRENCY = 16
LOOKUP_RATE = 500.0  # the target's rate, offered steadily, for the p99


def _server(backend: str, tmp: Path, workers: int = 2):
    from tests.central_server import kit
    if backend == "sqlite":
        url = "sqlite:///%s" % (tmp / "server.sqlite3")
    else:
        if not hasattr(_server, "cluster"):
            bindir = kit.postgres_bindir()
            if bindir is None:
                return None
            _server.cluster = kit.PostgresCluster(bindir).start(durable=True)
        url = _server.cluster.create_database()
    return kit.ServerProcess(url, tmp / "files", public_rate=1e9, public_burst=10 ** 9, workers=workers).start()


def stop_cluster() -> None:
    """Stop the PostgreSQL cluster ``_server`` started, if it did (the next run starts another)."""
    if hasattr(_server, "cluster"):
        _server.cluster.stop()
        del _server.cluster


class Desk:
    """A desk speaking the API through the desk's own client, its events hashed and chained."""

    def __init__(self, server, desk_id: str, agency: str, units: list[str]):
        import httpx
        from desk_app.storage.repositories import GENESIS
        from desk_app.sync.client import SyncClient
        r = httpx.post(server.url + "/api/v1/enrol", timeout=30, json={
            "code": server.enrolment_code(agency, units, desk_id), "desk_id": desk_id})
        self.id, self.agency, self.unit, self.units, self.server = desk_id, agency, units[0], units, server
        self.client = SyncClient(server.url, r.json()["token"])
        self.last = GENESIS
        self.keys: dict[str, str] = {}

    def event(self, code: str, kind: str, payload: dict, at: datetime) -> dict:
        from desk_app.storage.repositories import event_hash
        row = SimpleNamespace(id=str(__import__("uuid").uuid4()), dossier_code=code, kind=kind, payload=payload,
                              actor="nguoi-" + self.id, desk=self.id, desk_time=at, unit=None)
        h = event_hash(self.last, row)
        e = {"id": row.id, "dossier_code": code, "kind": kind, "payload": payload, "actor": row.actor,
             "desk": self.id, "desk_time": at.isoformat(), "unit": None, "prev_hash": self.last, "hash": h}
        self.last = h
        return e


def grant_numbers(desk: Desk, per_day: dict) -> None:
    """Lease the desk its numbers for past days (a RECEIVED must use the desk's own leased
    numbers): through the server's lease function, on its database, as that day's request."""
    import uuid
    from datetime import time as clock_time
    from central_server import leases
    from central_server.security import DeskIdentity
    db = desk.server.database()
    me = DeskIdentity(desk.id, desk.id, desk.agency, tuple(desk.units), "units")
    try:
        for day, count in per_day.items():
            with db.session() as s:
                leases.lease(s, me, day, count, str(uuid.uuid4()), datetime.combine(day, clock_time(8)), count, count)
    finally:
        db.dispose()


def intake_payload(rng: random.Random, at: datetime, key: str) -> dict:
    """What intake.save puts in a RECEIVED event, with a generated citizen."""
    from desk_app.services import demo
    p = demo.person(rng)
    owner = {"name": p.name, "id_kind": "cccd", "id_number": p.id_number, "birth_date": None,
             "phone": p.phone, "email": "", "address": p.address}
    return {"procedure": {"code": "1.001193", "version": 1, "name": "Thủ tục đăng ký khai sinh"},
            "applicant_type": "individual", "owner": owner, "submitter": None,
            "components": [{"name": "Tờ khai đăng ký khai sinh theo mẫu", "form": "original", "count": 1},
                           {"name": "Giấy chứng sinh", "form": "original", "count": 1}],
            "sets": 1, "channel": "direct", "collect_by_post": False, "notes": "",
            "received_at": at.isoformat(), "due_at": (at + timedelta(days=1)).isoformat(),
            "key_sha256": hashlib.sha256(key.encode()).hexdigest()}


def dossier_events(desk: Desk, n_dossiers: int, rng: random.Random, first_day: datetime,
                   to_unit: str = "STP") -> list[dict]:
    """Each dossier's first days: intake, transfer, then notes and a key replacement (5 events)."""
    from desk_app.domain.codes import format_dossier_code, new_key
    events = []
    per_day: dict = {}
    for i in range(n_dossiers):  # the day of each dossier's code, as below (2,000 minutes spill past midnight)
        day = (first_day + timedelta(days=i // 2000, minutes=i % 2000)).date()
        per_day[day] = max(per_day.get(day, 0), i % 2000 + 1)
    grant_numbers(desk, per_day)
    for i in range(n_dossiers):
        at = first_day + timedelta(days=i // 2000, minutes=i % 2000)
        code = format_dossier_code(desk.agency, at.date(), i % 2000 + 1)
        key = new_key()
        desk.keys[code] = key
        events += [desk.event(code, "received", intake_payload(rng, at, key), at),
                   desk.event(code, "transferred", {"from_unit": "MOTCUA", "to_unit": to_unit, "note": ""},
                              at + timedelta(minutes=5)),
                   desk.event(code, "note", {"note": "Đã gọi điện cho công dân"}, at + timedelta(minutes=6)),
                   desk.event(code, "receipt_printed", {"file": code + ".pdf", "paper": "A4",
                                                        "key_replaced": False}, at + timedelta(minutes=7)),
                   desk.event(code, "note", {"note": "Hồ sơ đủ thành phần"}, at + timedelta(minutes=8))]
    return events


def push_all(desk: Desk, events: list[dict]) -> float:
    """The events in batches as the desk's sync sends them (``SyncClient.push_stream``: the
    next batch sent before the last one's answer); the seconds it took."""
    def done(batch, results):
        assert all(r["status"] == "accepted" for r in results), results[:3]
    t0 = time.perf_counter()
    desk.client.push_stream((events[i:i + BATCH] for i in range(0, len(events), BATCH)), done)
    return time.perf_counter() - t0


def catch_up(server, tmp: Path, agency: str, counter: Desk) -> tuple[float, int]:
    """A department desk (the real desk database) fetching a week of another desk's events."""
    from desk_app.services import sync
    from tests.sync import desks
    events = dossier_events(counter, WEEK_EVENTS // 5, random.Random(3), datetime(2026, 11, 2, 8, 0))
    push_all(counter, events)
    dept = desks.enrolled_desk(tmp / "desks", server, "stp-" + agency, agency, ["STP"])
    t0 = time.perf_counter()
    report = sync.sync_once(dept)
    seconds = time.perf_counter() - t0
    assert report.pulled == len(events), report
    dept.db.dispose()
    return seconds, report.pulled


async def _lookups(port: int, path: str, targets: list[tuple[str, str]], seconds: float, concurrency: int):
    """A small closed-loop load generator on raw keep-alive connections (like wrk): httpx
    would spend more of the two cores than the server it measures."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    rng = random.Random(5)
    deadline = time.perf_counter() + seconds

    async def worker():
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while time.perf_counter() < deadline:
            code, key = rng.choice(targets)
            t = time.perf_counter()
            writer.write(("GET %s%s?k=%s HTTP/1.1\r\nHost: bench\r\n\r\n" % (path, code, key)).encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - t)
            status = int(head[9:12])
            statuses[status] = statuses.get(status, 0) + 1
        writer.close()
    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, time.perf_counter() - t0, statuses


async def _open_loop(port: int, path: str, targets: list[tuple[str, str]], rate: float, seconds: float,
                     connections: int = 32):
    """Requests sent at a fixed rate whatever the answers do (no coordinated omission): each
    latency counts from the moment the request was due, waiting for a free connection included."""
    pool: asyncio.Queue = asyncio.Queue()
    for _ in range(connections):
        pool.put_nowait(await asyncio.open_connection("127.0.0.1", port))
    rng = random.Random(7)
    latencies: list[float] = []

    async def one(due: float, code: str, key: str):
        reader, writer = await pool.get()
        writer.write(("GET %s%s?k=%s HTTP/1.1\r\nHost: bench\r\n\r\n" % (path, code, key)).encode())
        head = await reader.readuntil(b"\r\n\r\n")
        await reader.readexactly(int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0]))
        latencies.append(time.perf_counter() - due)
        pool.put_nowait((reader, writer))
    start = time.perf_counter()
    tasks = []
    for i in range(int(rate * seconds)):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(due, *rng.choice(targets))))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    while not pool.empty():
        pool.get_nowait()[1].close()
    return latencies, elapsed


def lookups(server, desk: Desk) -> tuple[float, float, dict]:
    targets = list(desk.keys.items())
    rng = random.Random(9)
    targets += [(code, "x" * 22) for code, _ in rng.sample(targets, len(targets) // 10)]  # wrong keys too
    path = "/api/v1/public/dossiers/"
    asyncio.run(_lookups(server.port, path, targets, 1.0, LOOKUP_CONCURRENCY))  # warm up
    latencies, elapsed, statuses = asyncio.run(_lookups(server.port, path, targets, LOOKUP_SECONDS,
                                                        LOOKUP_CONCURRENCY))
    at_target, _ = asyncio.run(_open_loop(server.port, path, targets, LOOKUP_RATE, LOOKUP_SECONDS))
    return len(latencies) / elapsed, percentile(at_target, 99) * 1000, statuses


def settle(server) -> None:
    """After the bulk load, let PostgreSQL write its checkpoint and analyse the tables now,
    rather than in the middle of the lookups (which would then measure the bulk load's tail)."""
    if not server.database_url.startswith("postgresql"):
        return
    import psycopg
    with psycopg.connect(server.database_url, autocommit=True) as conn:
        conn.execute("CHECKPOINT")
        conn.execute("VACUUM ANALYZE")


def rss_mb(pid: int) -> float:
    """Resident memory of the server: the process and its children (workers), in MB."""
    import subprocess
    pids = [pid] + [int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                                                   text=True).stdout.split()]
    total = 0
    for p in pids:
        for line in Path("/proc/%d/status" % p).read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def run_backend(backend: str) -> list[Figure]:
    from tests.central_server import kit
    tmp = tempdir()
    server = _server(backend, tmp)
    if server is None:
        print("(PostgreSQL binaries not found: %s figures skipped)" % backend)
        return []
    try:
        agency = kit.new_agency()
        counter = Desk(server, "quay-" + agency, agency, ["MOTCUA"])
        events = dossier_events(counter, PUSH_EVENTS // 5, random.Random(1), datetime(2026, 10, 5, 8, 0),
                                to_unit="VPDKDD")
        push_all(counter, events[:BATCH * 2])  # warm up: connections, caches, first pages
        seconds = push_all(counter, events[BATCH * 2:])
        pushed = len(events) - BATCH * 2
        week, n = catch_up(server, tmp, agency, counter)
        settle(server)
        rate, p99, statuses = lookups(server, counter)
        memory = rss_mb(server.proc.pid)
        counter.client.close()
    finally:
        server.stop()
    label = "SQLite" if backend == "sqlite" else "PostgreSQL"
    figures = [
        Figure("push, one desk, %s (%d events, batches of %d)" % (label, pushed, BATCH), pushed / seconds,
               "ev/s", 2000, lower_is_better=False),
        Figure("week's catch-up, %s (%d events into the desk's SQLite)" % (label, n), week, "s", 10),
        Figure("public status lookups/s, %s, most (%d clients, 2 workers)" % (label, LOOKUP_CONCURRENCY), rate,
               "/s", 500, lower_is_better=False),
        Figure("public status lookup p99 at %d/s offered, %s" % (LOOKUP_RATE, label), p99, "ms", 100),
        Figure("server memory after all this, %s (RSS)" % label, memory, "MB", 300),
    ]
    print("  (%s lookups answered: %s)" % (label, statuses))
    return figures


def run(backends: list[str] | None = None) -> list[Figure]:
    figures = []
    try:
        for backend in backends or ["sqlite", "postgresql"]:
            figures += run_backend(backend)
    finally:
        stop_cluster()
    return figures


if __name__ == "__main__":
    report("Central server", run(sys.argv[1:] or None))
