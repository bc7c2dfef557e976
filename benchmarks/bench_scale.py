"""The server at a large province's scale (issue 14): push from one desk and from 4 desks at
once on PostgreSQL, a month's catch-up, the citizen's dossier page at 1,000/s.

Each figure against the real server process (uvicorn, 2 workers) over loopback; PostgreSQL is
a throwaway cluster from the machine's binaries with its default durability (fsync and
synchronous commit on). Before each part the tables are analysed (``settle``), as a running
server's autovacuum keeps them: a fresh cluster's never-analysed tables made PostgreSQL scan
every unit row of the province for a batch's 100 dossiers (a third of its CPU in a push),
which no server that has run a minute does. The machine has 2 cores, shared with PostgreSQL, the load generator
and whatever else runs: the load average is printed beside each part.

Targets: push at least 10,000 events/s from one desk, and from 4 desks at once (each its own
agency, pushing in parallel: the total); a desk's catch-up after a month offline (20,000
events, into the desk's real SQLite, through ``sync.sync_once``) within 5 s; the dossier page
at least 1,000/s (closed loop, 16 keep-alive connections) with p99 within 50 ms at 1,000/s
offered (open loop), on SQLite and PostgreSQL. Each server process keeps the pages it rendered
(``web/pagecache.py``) and serves one again while nothing on it changed: the dossiers are
picked at random, so part of the pages are new to the worker that answers; run with
``DESK_SERVER_WEB_PAGE_CACHE=0`` for the figure of pages rendered every time.

    .venv/bin/python -m benchmarks.bench_scale                 # all
    .venv/bin/python -m benchmarks.bench_scale push pages      # some

Against an older checkout: copy this file and bench_server.py into its ``benchmarks/`` and
run it there (``cd /tmp/before && PYTHONPATH=/tmp/before ...``).
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import threading
import time
from datetime import datetime

from benchmarks.bench_server import (BATCH, LOOKUP_CONCURRENCY, Desk, _lookups, _open_loop, _server,
                                     dossier_events, push_all, settle, stop_cluster)
from benchmarks.common import Figure, percentile, report, tempdir

ONE_DESK_EVENTS = 20_000     # 4,000 dossiers, 5 events each
FOUR_DESK_EVENTS = 5_000     # each of the 4
MONTH_EVENTS = 20_000
PAGE_RATE = 1000.0
PAGE_SECONDS = 6.0
PAGE_DOSSIERS = 2_000


def load() -> str:
    return "load %s" % " ".join(open("/proc/loadavg").read().split()[:3])


def _tree(root: int) -> list[int]:
    """``root`` and every process below it."""
    parents: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                ppid = int(open("/proc/%s/stat" % d).read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(d))
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += parents.get(p, [])
    return out


def cpu_split(server) -> tuple[float, float]:
    """CPU time (user + system) spent so far by the server's processes, and by the PostgreSQL
    cluster's (postmaster and backends): what the server side costs, whatever else runs on the
    machine (a shared machine's wall-clock figures mostly measure the neighbours)."""
    roots = [server.proc.pid]
    cluster = getattr(_server, "cluster", None)
    if cluster is not None and server.database_url.startswith("postgresql"):
        roots.append(int((cluster.data / "postmaster.pid").read_text().split()[0]))
    totals = []
    for root in roots:
        total = 0
        for pid in _tree(root):
            try:
                fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
        totals.append(total / os.sysconf("SC_CLK_TCK"))
    return totals[0], sum(totals[1:])


def cpu_seconds(server) -> float:
    """The server's and PostgreSQL's CPU seconds so far (``cpu_split``), together."""
    return sum(cpu_split(server))


def _cpu_line(before: tuple[float, float], after: tuple[float, float], events: int) -> str:
    app, pg = after[0] - before[0], after[1] - before[1]
    return ("server + PostgreSQL CPU %.2f s (server %.2f, PostgreSQL %.2f): %.0f events per CPU-second"
            % (app + pg, app, pg, events / max(app + pg, 1e-9)))


def _push_one(server) -> tuple[float, Desk, str, list]:
    from tests.central_server import kit
    agency = kit.new_agency()
    desk = Desk(server, "quay-" + agency, agency, ["MOTCUA"])
    warm = dossier_events(desk, 200, random.Random(11), datetime(2026, 9, 1, 8, 0), to_unit="STP")
    push_all(desk, warm)  # warm up: connections, caches, prepared statements
    settle(server)        # the tables analysed, as a running server's autovacuum keeps them
    events = dossier_events(desk, ONE_DESK_EVENTS // 5, random.Random(1), datetime(2026, 10, 5, 8, 0),
                            to_unit="STP")
    print("  push, one desk: start, %s" % load(), flush=True)
    cpu0 = cpu_split(server)
    seconds = push_all(desk, events)
    print("  push, one desk: %d events in %.2f s, %s; %s"
          % (len(events), seconds, load(), _cpu_line(cpu0, cpu_split(server), len(events))), flush=True)
    return len(events) / seconds, desk, agency, warm + events


def _push_four(server) -> float:
    from tests.central_server import kit
    desks, batches = [], []
    for n in range(4):
        agency = kit.new_agency()
        d = Desk(server, "quay-" + agency, agency, ["MOTCUA"])
        push_all(d, dossier_events(d, 40, random.Random(20 + n), datetime(2026, 9, 1, 8, 0)))
        desks.append(d)
        batches.append(dossier_events(d, FOUR_DESK_EVENTS // 5, random.Random(30 + n),
                                      datetime(2026, 10, 5, 8, 0)))
    settle(server)
    errors: list[BaseException] = []

    def go(d, events):
        try:
            push_all(d, events)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
    threads = [threading.Thread(target=go, args=(d, ev)) for d, ev in zip(desks, batches)]
    print("  push, 4 desks: start, %s" % load(), flush=True)
    cpu0 = cpu_split(server)
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - t0
    assert not errors, errors[0]
    total = sum(len(b) for b in batches)
    print("  push, 4 desks: %d events in %.2f s, %s; %s"
          % (total, seconds, load(), _cpu_line(cpu0, cpu_split(server), total)), flush=True)
    for d in desks:
        d.client.close()
    return total / seconds


def _catch_up(server, tmp, agency: str, expected: int) -> float:
    """The department desk (unit STP) of the pushing desk's agency, a month offline: every
    event of the dossiers sent to it, into its SQLite."""
    from desk_app.services import sync
    from tests.sync import desks
    dept = desks.enrolled_desk(tmp / "desks", server, "stp-" + agency, agency, ["STP"])
    settle(server)
    print("  catch-up: start, %s" % load(), flush=True)
    cpu0, desk0 = cpu_split(server), time.process_time()
    t0 = time.perf_counter()
    rep = sync.sync_once(dept)
    seconds = time.perf_counter() - t0
    cpu1 = cpu_split(server)
    print("  catch-up: %d events in %.2f s, %s; CPU: the desk %.2f s, server %.2f s, PostgreSQL %.2f s"
          % (rep.pulled, seconds, load(), time.process_time() - desk0, cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]),
          flush=True)
    assert rep.pulled == expected, (rep.pulled, expected)
    dept.db.dispose()
    return seconds


def _pages(server, desk: Desk, label: str) -> tuple[float, float, dict]:
    targets = list(desk.keys.items())
    rng = random.Random(9)
    targets += [(c, "x" * 22) for c, _ in rng.sample(targets, len(targets) // 10)]  # wrong keys too
    asyncio.run(_lookups(server.port, "/h/", targets, 1.0, LOOKUP_CONCURRENCY))  # warm up
    print("  pages, %s: start, %s" % (label, load()), flush=True)
    cpu0 = cpu_seconds(server)
    latencies, elapsed, statuses = asyncio.run(_lookups(server.port, "/h/", targets, PAGE_SECONDS,
                                                        LOOKUP_CONCURRENCY))
    print("  pages, %s: %d pages, server + database CPU %.2f s: %.0f pages per CPU-second"
          % (label, len(latencies), cpu_seconds(server) - cpu0, len(latencies) / max(cpu_seconds(server) - cpu0, 1e-9)),
          flush=True)
    at_rate, _ = asyncio.run(_open_loop(server.port, "/h/", targets, PAGE_RATE, PAGE_SECONDS))
    print("  pages, %s: %s, p50 at %d/s %.1f ms, %s" % (label, statuses, PAGE_RATE,
                                                       percentile(at_rate, 50) * 1000, load()), flush=True)
    return len(latencies) / elapsed, percentile(at_rate, 99) * 1000, statuses


def run(parts: list[str] | None = None) -> list[Figure]:
    from tests.central_server import kit
    parts = parts or ["push", "catchup", "pages"]
    figures: list[Figure] = []
    print("  (%d cores; %s)" % (os.cpu_count() or 0, load()), flush=True)
    try:
        if "pages" in parts:  # SQLite first: its own server
            tmp = tempdir()
            server = _server("sqlite", tmp)
            try:
                agency = kit.new_agency()
                desk = Desk(server, "quay-" + agency, agency, ["MOTCUA"])
                push_all(desk, dossier_events(desk, PAGE_DOSSIERS, random.Random(1), datetime(2026, 11, 2, 8, 0)))
                rate, p99, _ = _pages(server, desk, "SQLite")
                desk.client.close()
            finally:
                server.stop()
            figures += [Figure("dossier pages/s, SQLite, most (16 connections, 2 workers)", rate, "/s", PAGE_RATE,
                               lower_is_better=False),
                        Figure("dossier page p99 at %d/s offered, SQLite" % PAGE_RATE, p99, "ms", 50)]
        tmp = tempdir()
        server = _server("postgresql", tmp)
        if server is None:
            print("(PostgreSQL binaries not found: its figures skipped)")
            return figures
        try:
            if "push" in parts or "catchup" in parts or "pages" in parts:
                rate, desk, agency, pushed = _push_one(server)
                if "push" in parts:
                    figures.append(Figure("push, one desk, PostgreSQL (%d events, batches of %d)"
                                          % (ONE_DESK_EVENTS, BATCH), rate, "ev/s", 10_000, lower_is_better=False))
            if "push" in parts:
                figures.append(Figure("push, 4 desks at once, PostgreSQL (4 x %d events), total"
                                      % FOUR_DESK_EVENTS, _push_four(server), "ev/s", 10_000,
                                      lower_is_better=False))
            if "catchup" in parts:
                figures.append(Figure("a month's catch-up, PostgreSQL (%d events into the desk's SQLite)"
                                      % len(pushed), _catch_up(server, tmp, agency, len(pushed)), "s", 5))
            if "pages" in parts:
                settle(server)
                rate, p99, _ = _pages(server, desk, "PostgreSQL")
                figures += [Figure("dossier pages/s, PostgreSQL, most (16 connections, 2 workers)", rate, "/s",
                                   PAGE_RATE, lower_is_better=False),
                            Figure("dossier page p99 at %d/s offered, PostgreSQL" % PAGE_RATE, p99, "ms", 50)]
            desk.client.close()
        finally:
            server.stop()
    finally:
        stop_cluster()
    return figures


if __name__ == "__main__":
    report("The server at a large province's scale", run(sys.argv[1:] or None))
