"""A large province's desk: a million dossiers (a year of them) and their events (issue 14).

    .venv/bin/python -m benchmarks.run million
    .venv/bin/python -m benchmarks.bench_million [N] [DATA_DIR]   # e.g. 1000000 /tmp/million

One desk is built and then measured by the search, supervisor and launch benchmarks:

* **the desk**: the demo desk (``desk-app demo``: the agency, its units and people with the demo
  password, the catalogue, 300 dossiers walked through the services), then ``N`` dossiers and
  their events added in bulk (``bench_supervisor.fill``: ``executemany`` of every column the
  services write, the search index filled by its insert trigger, the events by ``INSERT ...
  SELECT``). A ``DATA_DIR`` (or ``DESK_BENCH_MILLION``) keeps the desk between runs: it is built
  only when it holds no filled desk of that size; its fill time is remembered beside it.
* **search**: ``bench_search.measure`` on the owners' names of 2,000 random dossiers;
* **supervisor**: ``bench_supervisor.measured`` (a fresh process: peak memory is its own);
* **launch and login per role**: ``bench_launch.launch_figures`` on this desk;
* the file's size per dossier.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import Figure, report, tempdir

N = 1_000_000


def build(data: Path, n: int) -> tuple[float, bool]:
    """The desk in ``data`` with ``n`` bulk dossiers: (seconds the fill took, whether it was built now)."""
    from benchmarks import bench_launch, bench_supervisor

    marker = data / "bench-million.json"
    if marker.exists():
        done = json.loads(marker.read_text())
        if done.get("n") == n:
            return done["fill_s"], False
    if data.exists():
        raise SystemExit("%s holds something else than a filled desk of %d: give an empty folder" % (data, n))
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "desk_app", "--data-dir", str(data), "demo", "--no-gui", "--no-server",
                    "--dossiers", "300"], check=True, env=bench_launch._env(), capture_output=True, timeout=900)
    demo_s = time.perf_counter() - t0
    fill_s = bench_supervisor.fill(data, n)
    marker.write_text(json.dumps({"n": n, "fill_s": fill_s, "demo_s": demo_s}))
    return fill_s, True


def run(n: int = N, data: Path | str | None = None) -> list[Figure]:
    from benchmarks import bench_launch, bench_search, bench_supervisor
    from desk_app.services.context import open_desk

    data = Path(data or os.environ.get("DESK_BENCH_MILLION") or tempdir() / "million")
    fill_s, built = build(data, n)
    load = [os.getloadavg()]
    figures = [Figure("fill %d dossiers and their events, bulk%s" % (n, "" if built else " (when it was built)"),
                      fill_s, "s", 900)]
    ctx = open_desk(data)   # a newer revision's migrations run here, once
    with sqlite3.connect(data / "desk.sqlite3") as conn:
        dossiers, = conn.execute("SELECT count(*) FROM dossiers").fetchone()
        events, = conn.execute("SELECT count(*) FROM events").fetchone()
    size = sum(f.stat().st_size for f in data.glob("desk.sqlite3*"))
    figures.append(Figure("database file per dossier (%d dossiers, %d events, %.2f GB)"
                          % (dossiers, events, size / 1e9), size / dossiers / 1024, "KB", 8))
    figures += bench_search.measure(ctx, bench_search.names_in(ctx))
    ctx.db.dispose()
    load.append(os.getloadavg())
    figures += bench_supervisor.measured(data, dossiers)
    load.append(os.getloadavg())
    with tempfile.TemporaryDirectory() as tmp:
        figures += bench_launch.launch_figures(Path(tmp), data)
    load.append(os.getloadavg())
    print("load average (1, 5, 15 min) after the fill, search, supervisor, launch: %s"
          % "; ".join("%.1f %.1f %.1f" % l for l in load))
    return figures


if __name__ == "__main__":
    report("A million dossiers at the desk",
           run(int(sys.argv[1]) if len(sys.argv) > 1 else N, sys.argv[2] if len(sys.argv) > 2 else None))
