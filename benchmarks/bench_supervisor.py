"""Supervisor queues on 200,000 dossiers (about a million events), and a year's statistics.

Targets: open under 1 s, change a filter under 200 ms, peak memory under 400 MB;
a year's statistics for a province-sized agency under 2 s.
The data is written straight into a desk database once; the measurements run in a fresh
process so its peak memory is the supervisor's, not the generator's.
"""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

from benchmarks.common import Figure, fresh_desk, report, tempdir

UNITS = [("STP", "Sở Tư pháp"), ("SXD", "Sở Xây dựng"), ("VPDKDD", "Văn phòng Đăng ký đất đai"),
         ("CAT", "Công an tỉnh"), ("STC", "Sở Tài chính"), ("SYT", "Sở Y tế"), ("SGD", "Sở Giáo dục"),
         ("SLD", "Sở Nội vụ")]


def populate(data_dir: Path, n: int) -> None:
    """A fresh desk with eight departments and six specialists each, then ``n`` dossiers (``fill``)."""
    from desk_app.domain.roles import Role
    from desk_app.services import admin, auth

    ctx, _clerk = fresh_desk(data_dir)
    adm = auth.login(ctx, "admin", "matkhau-admin")
    for i, (c, name) in enumerate(UNITS):
        admin.save_unit(ctx, adm, c, name)
        for k in range(6):
            admin.add_person(ctx, adm, "cv%d_%d" % (i, k), "Chuyên viên %d.%d" % (i, k), Role.SPECIALIST,
                             "matkhau-cv", c)
    ctx.db.dispose()
    fill(data_dir, n)
    with sqlite3.connect(data_dir / "desk.sqlite3") as conn:
        conn.execute("ANALYZE")


NOW = datetime(2026, 11, 27, 10, 0)
STAGES = ["received", "in_unit", "assigned", "review", "supplement", "result", "returned", "returned",
          "returned", "returned", "returned", "returned"]
STATUS = {"received": 2, "in_unit": 4, "assigned": 4, "review": 4, "supplement": 5, "result": 9, "returned": 10}
COLUMNS = ("code", "procedure_id", "applicant_type", "owner", "submitter", "owner_name", "owner_id_number",
           "owner_phone", "components", "sets", "channel", "collect_by_post", "notes", "received_at", "due_at",
           "finished_at", "returned_at", "status", "capability_key", "clerk_id", "desk_id", "holder_unit_id",
           "register_book", "register_number", "search_text", "appointment_at", "first_due_at", "stage",
           "holder_user", "holder_since", "hop_due_at", "supplement_count", "handling_unit_id", "counter_unit_id",
           "paused_seconds", "payment_amount", "apology_reason", "outcome", "processing_seconds",
           "unanswered_messages", "rating")
# the events each dossier carries, by how far it went (``need``); the ids are random UUIDs
EVENT_KINDS = [(0, "received", "all"), (1, "transferred", "moved"), (2, "arrived", "moved"),
               (3, "assigned", "assigned"), (4, "supplement_requested", "supplement"),
               (5, "result_ready", "done"), (6, "returned", "returned"), (7, "rated", "rated")]
EVENTS_SQL = """
INSERT INTO events (id, dossier_code, kind, payload, actor, desk, desk_time, server_seq, unit, prev_hash, hash)
WITH e AS MATERIALIZED (
  SELECT d.id AS did, k.n AS n, d.code AS code, k.kind AS kind, d.received_at AS at, d.status AS status,
         coalesce(d.holder_user, :clerk) AS actor, d.rating AS rating, d.desk_id AS desk,
         lower(hex(randomblob(16))) AS h
  FROM dossiers d JOIN temp.bench_kinds k ON (
       k.need = 'all'
    OR (k.need = 'moved' AND d.stage != 'received')
    OR (k.need = 'assigned' AND d.stage NOT IN ('received', 'in_unit'))
    OR (k.need = 'supplement' AND d.supplement_count > 0)
    OR (k.need = 'done' AND d.status IN (9, 10))
    OR (k.need = 'returned' AND d.status = 10)
    OR (k.need = 'rated' AND d.rating IS NOT NULL))
  WHERE d.id > :after)
SELECT substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-a' || substr(h, 18, 3)
       || '-' || substr(h, 21, 12),
       code, kind,
       CASE kind WHEN 'rated' THEN json_object('level', rating, 'comment', '', 'clerk', :clerk, 'channel', 'kiosk')
                 WHEN 'supplement_requested' THEN '{"reason": "", "missing": [], "number": 1}'
                 ELSE '{}' END,
       actor, desk, strftime('%Y-%m-%d %H:%M:%S.000000', at, '+' || n || ' hours'), NULL, NULL,
       '0000000000000000000000000000000000000000000000000000000000000000',
       '0000000000000000000000000000000000000000000000000000000000000000'
FROM e ORDER BY did, n
"""


def fill(data_dir: Path, n: int, now: datetime = NOW, seed: int = 3) -> float:
    """Add ``n`` dossiers received over the year before ``now``, and their events, to a configured desk.

    The bulk path: one ``executemany`` of every column the services write (the search text made by
    the same function, the insert trigger filling the full-text index as it does for a saved
    dossier), then the events of each batch in one ``INSERT ... SELECT``. Returns the seconds taken.
    """
    import json
    import time
    from desk_app.domain.text import fold
    from desk_app.services import demo
    from desk_app.services.context import open_desk
    from desk_app.storage import repositories as repo

    t_start = time.perf_counter()
    ctx = open_desk(data_dir)   # migrated to the newest revision, as the desk opens it
    cal = ctx.calendar()
    desk_id = ctx.desk_id
    ctx.db.dispose()
    conn = sqlite3.connect(data_dir / "desk.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")   # bulk load: no journal, no fsync; WAL again at the end
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-1000000")
    counter = conn.execute("SELECT id FROM units WHERE kind = 'counter' ORDER BY id").fetchone()
    counter_id = counter[0] if counter else None
    people = conn.execute("SELECT username, unit_id FROM users WHERE role = 'specialist' AND unit_id IS NOT NULL "
                          "ORDER BY id").fetchall()
    clerks = conn.execute("SELECT id, username FROM users WHERE role = 'clerk' ORDER BY id").fetchall()
    procs = [r[0] for r in conn.execute("SELECT id FROM procedures ORDER BY id")]
    conn.execute("CREATE TEMP TABLE bench_kinds (n INTEGER, kind TEXT, need TEXT)")
    conn.executemany("INSERT INTO temp.bench_kinds VALUES (?, ?, ?)", EVENT_KINDS)
    rng = random.Random(seed)
    start = now - timedelta(days=365)

    def fmt(d: datetime) -> str:   # what SQLAlchemy stores for a DateTime, without strftime's cost
        t = d.isoformat(" ")
        return t if len(t) > 19 else t + ".000000"
    due_cache: dict = {}
    folded: dict = {}
    insert = "INSERT INTO dossiers (%s) VALUES (%s)" % (", ".join(COLUMNS), ", ".join("?" * len(COLUMNS)))
    day, seq = None, 0
    batch = []
    after = conn.execute("SELECT coalesce(max(id), 0) FROM dossiers").fetchone()[0]

    def flush() -> int:
        conn.execute("BEGIN")
        conn.executemany(insert, batch)
        conn.execute(EVENTS_SQL, {"after": after, "clerk": clerks[0][1]})
        conn.execute("COMMIT")
        batch.clear()
        return conn.execute("SELECT max(id) FROM dossiers").fetchone()[0]

    for i in range(n):
        rec = start + timedelta(minutes=int(i * 365 * 24 * 60 / n))
        rec = rec.replace(hour=8 + rng.randint(0, 8), minute=rng.randint(0, 59), second=0, microsecond=0)
        if rec.date() != day:
            day, seq = rec.date(), 5000   # above the numbers a day's real intake leases
        seq += 1
        k = rng.choice((1, 3, 5, 7, 15))
        key = (rec.replace(minute=0), k)
        if key not in due_cache:
            due_cache[key] = cal.add_working_time(key[0], timedelta(hours=7.5 * k))
        due = due_cache[key] + timedelta(minutes=rec.minute)
        # a province's year: most older dossiers are done (a few stuck), last month's mostly open
        if rec < now - timedelta(days=30):
            r = rng.random()
            stage = rng.choice(STAGES[:5]) if r < 0.05 else "result" if r < 0.08 else "returned"
        else:
            stage = rng.choice(STAGES)
        user, unit = rng.choice(people)
        status = STATUS[stage]
        finished = outcome = seconds = None
        if status in (9, 10):
            finished = min(rec + (due - rec) * rng.uniform(0.3, 1.3), now - timedelta(minutes=5))
            outcome = "early" if finished.date() < due.date() else "on_time" if finished <= due else "late"
            seconds = int((finished - rec).total_seconds() * 7.5 / 24)
        male = rng.random() < 0.5
        name = " ".join((rng.choice(demo.SURNAMES), rng.choice(demo.MIDDLE_M if male else demo.MIDDLE_F),
                         rng.choice(demo.GIVEN_M if male else demo.GIVEN_F)))
        id_number = "038%d%02d%06d" % (0 if male else 1, rng.randint(50, 99), rng.randint(0, 999999))
        phone = "09%08d" % rng.randint(0, 99999999)
        code = "000.00.06.H56-%02d%02d%02d-%04d" % (rec.year % 100, rec.month, rec.day, seq)
        if name not in folded:
            folded[name] = fold(name)
        # what repo.dossier_search_text makes of it (checked below), built from the code's parts
        search = "000 00 06 h56 %s %04d %s %s %s" % (code[14:20], seq,
                                                    folded[name], id_number, phone)
        if i % 5000 == 0:
            assert search == repo.dossier_search_text(code, [name], [id_number, phone]), search
        clerk_id = clerks[i % len(clerks)][0]
        at_counter = stage in ("received", "result", "returned")
        owner = json.dumps({"name": name, "id_kind": "cccd", "id_number": id_number, "phone": phone,
                            "email": "", "address": "Số %d đường Lê Lợi, phường Hạc Thành, tỉnh Thanh Hóa"
                            % rng.randint(1, 300), "gender": ""})
        batch.append((
            code, rng.choice(procs), "individual", owner, "null", name, id_number, phone, "[]", 1, "direct", 0, "",
            fmt(rec), fmt(due), fmt(finished) if finished else None,
            fmt(finished) if status == 10 else None, status, "k" * 22, clerk_id, desk_id,
            counter_id if at_counter else unit, "01/%d" % rec.year, i + 1,
            search, fmt(due), fmt(due),
            stage, None if stage in ("received", "in_unit", "returned") else user,
            fmt(rec + timedelta(hours=3)),
            fmt(rec + timedelta(hours=rng.randint(4, 60))) if stage in ("in_unit", "assigned", "review")
            else None,
            1 if stage == "supplement" or rng.random() < 0.03 else 0, unit, counter_id, 0, 0, "", outcome, seconds,
            0, rng.choice(("very_satisfied", "very_satisfied", "satisfied", "unsatisfied"))
            if status == 10 and rng.random() < 0.3 else None))
        if len(batch) >= 20000:
            after = flush()
    if batch:
        flush()
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    return time.perf_counter() - t_start


def measure(data_dir: str) -> dict:
    """Runs in a fresh process: open the supervisor's view, change filters, a year's statistics."""
    import resource
    import time
    from datetime import date
    from desk_app.services import auth, queues, statistics
    from desk_app.services.context import open_desk

    clock_now = datetime(2026, 11, 27, 10, 0)
    ctx = open_desk(Path(data_dir), desk_id="bench", clock=lambda: clock_now)
    from desk_app.domain.roles import Role
    from desk_app.services.context import CurrentUser
    lead = CurrentUser(1, "admin", "Lãnh đạo", Role.SUPERVISOR)
    out = {}
    t, c = time.perf_counter(), time.process_time()
    counts = queues.counts(ctx, lead)
    first = queues.rows(ctx, lead, queues.Filter(queues.Queue.OVERDUE), limit=500)
    hold = queues.holdings(ctx, lead)
    out["open_s"] = time.perf_counter() - t
    out["open_cpu_s"] = time.process_time() - c
    out["open_total"] = counts[queues.Queue.OPEN]
    times = []
    for q in (queues.Queue.DUE_SOON, queues.Queue.BEHIND_HOP, queues.Queue.SUPPLEMENT, queues.Queue.SIGNATURE):
        for unit in (None, 3, 5):
            t = time.perf_counter()
            queues.rows(ctx, lead, queues.Filter(q, unit_id=unit), limit=500)
            queues.counts(ctx, lead, unit_id=unit)
            times.append(time.perf_counter() - t)
    out["filter_median_s"] = sorted(times)[len(times) // 2]
    out["filter_max_s"] = max(times)
    t, c = time.perf_counter(), time.process_time()
    rep = statistics.compute(ctx, lead, date(2025, 11, 28), date(2026, 11, 27), statistics.GroupBy.UNIT)
    out["stats_s"] = time.perf_counter() - t
    out["stats_cpu_s"] = time.process_time() - c
    out["stats_rows"] = rep.total.received
    out["holders"] = len(hold)
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def run(n: int = 200_000) -> list[Figure]:
    tmp = tempdir()
    populate(tmp, n)
    return measured(tmp, n)


def measured(data_dir: Path, n: int) -> list[Figure]:
    """The supervisor's figures, measured in a fresh process on the desk in ``data_dir``."""
    r = subprocess.run([sys.executable, "-m", "benchmarks.bench_supervisor", "--measure", str(data_dir)],
                       capture_output=True, text=True, check=True)
    m = json.loads(r.stdout.strip().splitlines()[-1])
    return [
        Figure("open supervisor queues, %d dossiers (%d open)" % (n, m["open_total"]), m["open_s"] * 1000, "ms", 1000),
        Figure("  the same, CPU time", m["open_cpu_s"] * 1000, "ms", 1000),
        Figure("change a filter, median", m["filter_median_s"] * 1000, "ms", 200),
        Figure("change a filter, worst", m["filter_max_s"] * 1000, "ms", 200),
        Figure("peak memory of the supervisor process", m["peak_mb"], "MB", 400),
        Figure("a year's statistics by unit (%d dossiers)" % m["stats_rows"], m["stats_s"] * 1000, "ms", 2000),
        Figure("  the same, CPU time", m["stats_cpu_s"] * 1000, "ms", 2000),
    ]


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--measure":
        print(json.dumps(measure(sys.argv[2])))
    else:
        report("Supervisor", run(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000))
