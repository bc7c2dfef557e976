"""The public status lookup tells nothing by its time: a wrong key vs an unknown code.

Against the real server process (one worker, loopback), on SQLite and PostgreSQL: a dossier
of 3 events and one of 2,000 events; the median time of a lookup with a wrong key on each,
and of a lookup of an unknown code. Target (issue 8): the medians within 10% of each other
(ratio = 1.10 / (slowest / fastest)). Requests alternate between the three kinds in small
rounds, so drifts of the machine fall on all of them alike.

    .venv/bin/python -m benchmarks.bench_lookup            # both databases
    .venv/bin/python -m benchmarks.bench_lookup sqlite
"""

from __future__ import annotations

import random
import sys
import time
from datetime import timedelta

from benchmarks.bench_server import BATCH, Desk, _server, intake_payload, stop_cluster
from benchmarks.common import Figure, median, report, tempdir

ROUNDS = 60
PER_ROUND = 25  # lookups of each kind per round: 1,500 each in all


def _dossier(desk: Desk, n_events: int, rng: random.Random) -> tuple[str, list[dict]]:
    from central_server.settings import vn_now
    from desk_app.domain.codes import format_dossier_code, new_key
    block = desk.client.lease(vn_now().date(), 1, str(__import__("uuid").uuid4()))
    code = format_dossier_code(desk.agency, vn_now().date(), block["first"])
    at = vn_now().replace(microsecond=0) - timedelta(hours=3)
    key = new_key()
    events = [desk.event(code, "received", intake_payload(rng, at, key), at)]
    events += [desk.event(code, "note", {"note": "Ghi chú %d" % i}, at + timedelta(seconds=i))
               for i in range(1, n_events)]
    return code, events


def run_backend(backend: str) -> list[Figure]:
    import httpx
    from tests.central_server import kit
    tmp = tempdir()
    server = _server(backend, tmp, workers=1)
    if server is None:
        print("(PostgreSQL binaries not found: %s figures skipped)" % backend)
        return []
    try:
        agency = kit.new_agency()
        desk = Desk(server, "quay-" + agency, agency, ["MOTCUA"])
        rng = random.Random(8)
        small, small_events = _dossier(desk, 3, rng)
        big, big_events = _dossier(desk, 2000, rng)
        events = small_events + big_events
        for i in range(0, len(events), BATCH):
            assert all(r["status"] == "accepted" for r in desk.client.push(events[i:i + BATCH]))
        unknown = big[:-4] + "9999"
        wrong = "W" * 22
        targets = {"wrong key, 3 events": small, "wrong key, 2,000 events": big, "unknown code": unknown}
        times: dict[str, list[float]] = {name: [] for name in targets}
        with httpx.Client(base_url=server.url) as client:
            for code in targets.values():  # warm up: connection, statement caches
                for _ in range(50):
                    assert client.get("/api/v1/public/dossiers/" + code, params={"k": wrong}).status_code == 404
            order = list(targets.items())
            for _ in range(ROUNDS):
                rng.shuffle(order)
                for name, code in order:
                    for _ in range(PER_ROUND):
                        t0 = time.perf_counter()
                        r = client.get("/api/v1/public/dossiers/" + code, params={"k": wrong})
                        times[name].append(time.perf_counter() - t0)
                        assert r.status_code == 404
        desk.client.close()
    finally:
        server.stop()
    label = "SQLite" if backend == "sqlite" else "PostgreSQL"
    medians = {name: median(v) * 1000 for name, v in times.items()}
    for name, ms in medians.items():
        print("  %s, %s: median %.3f ms (%d lookups)" % (label, name, ms, len(times[name])))
    base = medians["unknown code"]
    figures = [Figure("lookup median %s / unknown code, %s" % (name.replace("wrong key, ", "wrong key "), label),
                      ms / base, "x", 1.10) for name, ms in medians.items() if name != "unknown code"]
    spread = max(medians.values()) / min(medians.values())
    figures.append(Figure("lookup medians, slowest / fastest, %s" % label, spread, "x", 1.10))
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
    report("Public lookup: wrong key vs unknown code", run(sys.argv[1:] or None))
