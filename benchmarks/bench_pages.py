"""The citizen's dossier page beside the JSON status lookup, on the real server process.

Targets (issue 9): the dossier page at least 500 pages/s with p99 under 100 ms at 500/s
offered, on 2 workers, on SQLite and PostgreSQL; side by side with the JSON lookup of the same
dossiers in the same run. Page weight (HTML + CSS + any script, gzip-compressed) under 30 KB
(no font is served: the system's fonts cover Vietnamese) and first byte on loopback.

    .venv/bin/python -m benchmarks.bench_pages            # both databases
    .venv/bin/python -m benchmarks.bench_pages sqlite
"""

from __future__ import annotations

import asyncio
import gzip
import random
import re
import sys
import time
from datetime import datetime

from benchmarks.bench_server import (LOOKUP_CONCURRENCY, LOOKUP_RATE, LOOKUP_SECONDS, Desk, _lookups, _open_loop,
                                     _server, dossier_events, push_all, settle, stop_cluster)
from benchmarks.common import Figure, median, percentile, report, tempdir

DOSSIERS = 2_000


def _rate(server, path: str, targets) -> tuple[float, float, dict]:
    asyncio.run(_lookups(server.port, path, targets, 1.0, LOOKUP_CONCURRENCY))  # warm up
    latencies, elapsed, statuses = asyncio.run(_lookups(server.port, path, targets, LOOKUP_SECONDS,
                                                        LOOKUP_CONCURRENCY))
    at_target, _ = asyncio.run(_open_loop(server.port, path, targets, LOOKUP_RATE, LOOKUP_SECONDS))
    return len(latencies) / elapsed, percentile(at_target, 99) * 1000, statuses


def _weight(server, code: str, key: str) -> tuple[float, float]:
    """(KB of the page and what it loads, gzip-compressed; median ms to the first byte)."""
    import httpx
    with httpx.Client(base_url=server.url) as c:
        page = c.get("/h/%s" % code, params={"k": key})
        assert page.status_code == 200, page.status_code
        total = len(gzip.compress(page.content, 6))
        for ref in set(re.findall(r'(?:href|src)="(/[^"]+\.(?:css|js|woff2?))"', page.text)):
            total += len(gzip.compress(c.get(ref).content, 6))
        firsts = []
        for _ in range(50):
            t = time.perf_counter()
            with c.stream("GET", "/h/%s" % code, params={"k": key}) as r:
                next(r.iter_raw(1))
                firsts.append(time.perf_counter() - t)
    return total / 1024, median(firsts) * 1000


def run_backend(backend: str) -> list[Figure]:
    from tests.central_server import kit
    tmp = tempdir()
    server = _server(backend, tmp)
    if server is None:
        print("(PostgreSQL binaries not found: %s figures skipped)" % backend)
        return []
    try:
        agency = kit.new_agency()
        desk = Desk(server, "quay-" + agency, agency, ["MOTCUA"])
        push_all(desk, dossier_events(desk, DOSSIERS, random.Random(1), datetime(2026, 11, 2, 8, 0),
                                      to_unit="VPDKDD"))
        settle(server)
        targets = list(desk.keys.items())
        rng = random.Random(9)
        targets += [(c, "x" * 22) for c, _ in rng.sample(targets, len(targets) // 10)]  # wrong keys too
        page_rate, page_p99, page_statuses = _rate(server, "/h/", targets)
        json_rate, json_p99, _ = _rate(server, "/api/v1/public/dossiers/", targets)
        code, key = next(iter(desk.keys.items()))
        kb, first_byte = _weight(server, code, key)
        desk.client.close()
    finally:
        server.stop()
    label = "SQLite" if backend == "sqlite" else "PostgreSQL"
    print("  (%s pages answered: %s; JSON lookups %.0f/s, p99 %.1f ms at %d/s; page / JSON rate %.2f)"
          % (label, page_statuses, json_rate, json_p99, LOOKUP_RATE, page_rate / json_rate))
    return [
        Figure("dossier pages/s, %s, most (%d clients, 2 workers)" % (label, LOOKUP_CONCURRENCY), page_rate,
               "/s", 500, lower_is_better=False),
        Figure("dossier page p99 at %d/s offered, %s" % (LOOKUP_RATE, label), page_p99, "ms", 100),
        Figure("JSON status lookups/s beside it, %s" % label, json_rate, "/s", 500, lower_is_better=False),
        Figure("dossier page weight, gzip, HTML + CSS (no font), %s" % label, kb, "KB", 30),
        Figure("dossier page first byte on loopback, median, %s" % label, first_byte, "ms", 50),
    ]


def run(backends: list[str] | None = None) -> list[Figure]:
    figures = []
    try:
        for backend in backends or ["sqlite", "postgresql"]:
            figures += run_backend(backend)
    finally:
        stop_cluster()
    return figures


if __name__ == "__main__":
    report("Citizen dossier page beside the JSON lookup", run(sys.argv[1:] or None))
